//! A shop accepts private payments: it shows its shielded address and an
//! order number, a customer pays with the order number as memo, and the
//! shop's backend, which syncs in a task of its own, hears of the payment
//! and marks the order paid. Nobody reading the chain learns who paid the
//! shop, or how much.
//!
//! Runs on the embedded chain (the real runtime with the zkpay program, no
//! validator needed): `cargo run --release -p zkpay-client --example shop`.
//! Over RPC, start from `RpcChain::new(url)` instead.

use std::time::Duration;

use anyhow::{bail, Context};
use rand::rngs::OsRng;
use solana_sdk::native_token::LAMPORTS_PER_SOL;
use solana_sdk::signature::{Keypair, Signer};
use tokio::sync::mpsc;
use zkpay_client::amount::format_amount;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::shared::SharedChain;
use zkpay_client::chain::Chain;
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::SOL;
use zkpay_client::store::{HistoryEntry, HistoryKind, Store};
use zkpay_client::wallet::Wallet;

/// An order the shop waits to see paid.
struct Order {
    memo: &'static [u8],
    price: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut chain = SharedChain::start(EmbeddedChain::start).await?;

    // The shop's wallet: a phrase kept by the shop, a store on its disk. Its
    // payer key never signs to receive: receiving is free.
    let (phrase, _) = WalletKeys::generate(&mut OsRng);
    let store = Store::create(&dir.path().join("shop.db"), &phrase)?;
    let mut shop = Wallet::open(&mut chain, store, Keypair::new(), &SOL).await?;
    let (heard, mut payments) = mpsc::unbounded_channel::<HistoryEntry>();
    shop.set_history_listener(move |line| {
        if line.kind == HistoryKind::Received {
            // The receiving side lives as long as the shop's backend does.
            let _ = heard.send(line.clone());
        }
    });
    let address = shop.address();
    let order = Order {
        memo: b"order 1042",
        price: LAMPORTS_PER_SOL / 20,
    };
    println!(
        "Shop: pay {} SOL to {address} with memo {:?}",
        format_amount(order.price, 9),
        String::from_utf8_lossy(order.memo)
    );

    // The shop's backend: sync every 200 ms, in a task of its own.
    let mut backend_chain = chain.clone();
    let backend = tokio::spawn(async move {
        loop {
            if let Err(error) = shop.sync(&mut backend_chain).await {
                return error;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });

    // A customer somewhere else, with a shielded balance, pays.
    let (phrase, _) = WalletKeys::generate(&mut OsRng);
    let store = Store::create(&dir.path().join("customer.db"), &phrase)?;
    let payer = Keypair::new();
    chain.airdrop(&payer.pubkey(), LAMPORTS_PER_SOL).await?;
    let mut customer = Wallet::open(&mut chain, store, payer, &SOL).await?;
    customer.deposit(&mut chain, LAMPORTS_PER_SOL / 2).await?;
    let sent = customer
        .pay(&mut chain, &address, order.price, order.memo)
        .await?;
    println!("Customer: paid in transaction {}", sent[0].signature);

    // The shop matches what it hears to its order.
    let payment = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(payment) = payments.recv().await {
            if payment.memo == order.memo && payment.amount >= order.price {
                return Some(payment);
            }
        }
        None
    })
    .await
    .context("no payment for the order within 30 s")?;
    backend.abort();
    let Some(payment) = payment else {
        bail!("the shop's backend stopped: {:?}", backend.await);
    };
    println!(
        "Shop: {} paid, {} SOL, in transaction {}",
        String::from_utf8_lossy(&payment.memo),
        format_amount(payment.amount, 9),
        payment.signature
    );
    Ok(())
}
