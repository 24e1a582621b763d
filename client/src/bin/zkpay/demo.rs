//! `zkpay demo`: Alice and Bob on the embedded chain.

use std::time::Instant;

use anyhow::Result;
use rand::rngs::OsRng;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use zkpay_client::amount::format_amount;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::Chain;
use zkpay_client::encryption::ENCRYPTED_NOTE_LEN;
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::{SOL, SOL_DECIMALS};
use zkpay_client::store::Store;
use zkpay_client::wallet::{prover, Receipt, Relayer, Wallet};

use crate::ui::ms;

const SOL_UNIT: u64 = 1_000_000_000;

fn sol(units: u64) -> String {
    format!("{} SOL", format_amount(units, SOL_DECIMALS))
}

fn short(key: &Pubkey) -> String {
    let text = key.to_string();
    format!("{}..", &text[..8])
}

struct Step {
    number: usize,
}

impl Step {
    fn begin(&mut self, what: &str) -> Instant {
        self.number += 1;
        println!();
        println!("{}. {what}", self.number);
        Instant::now()
    }
}

fn receipt_line(receipt: &Receipt, started: Instant, chain: &EmbeddedChain) {
    let units = match chain.last_compute_units() {
        Some(units) if chain.program_build().is_sbf() => format!(", {units} compute units"),
        _ => String::new(),
    };
    println!(
        "   done in {}: proof {}, sent and confirmed in {}, transaction {} bytes{units}",
        ms(started.elapsed()),
        ms(receipt.prove_time),
        ms(receipt.settle_time),
        receipt.size
    );
}

async fn wallet(chain: &mut EmbeddedChain, dir: &std::path::Path, name: &str) -> Result<Wallet> {
    let (phrase, _) = WalletKeys::generate(&mut OsRng);
    let payer = Keypair::new();
    chain.airdrop(&payer.pubkey(), 10 * SOL_UNIT).await?;
    let store = Store::create(&dir.join(format!("{name}.db")), &phrase)?;
    Ok(Wallet::open(chain, store, payer, &SOL).await?)
}

/// Runs the story and prints it.
pub async fn run() -> Result<()> {
    let total = Instant::now();
    let mut step = Step { number: 0 };
    println!("zkpay demo: two wallets on the embedded chain, the Solana runtime running");
    println!("the zkpay program in this process, with real Groth16 proofs.");

    let started = step.begin("Start the chain and open the SOL pool; load the proving key");
    let mut chain = EmbeddedChain::start().await?;
    let chain_time = started.elapsed();
    println!("   the chain runs {}", chain.program_build());
    let key_started = Instant::now();
    prover()?;
    println!(
        "   done in {}: chain {}, proving key {}",
        ms(started.elapsed()),
        ms(chain_time),
        ms(key_started.elapsed())
    );

    let started =
        step.begin("Alice and Bob create wallets (BIP39 phrase -> keys -> shielded address)");
    let dir = tempfile::tempdir()?;
    let mut alice = wallet(&mut chain, dir.path(), "alice").await?;
    let mut bob = wallet(&mut chain, dir.path(), "bob").await?;
    println!("   Bob's address: {}", bob.address());
    println!("   done in {}", ms(started.elapsed()));

    let started = step.begin("Alice deposits 2 SOL from her public account into the pool");
    let deposit = alice.deposit(&mut chain, 2 * SOL_UNIT).await?;
    receipt_line(&deposit, started, &chain);

    let started = step.begin("Alice pays Bob 0.75 SOL privately, memo \"rent, march\"");
    let payment = alice
        .pay(&mut chain, &bob.address(), 3 * SOL_UNIT / 4, b"rent, march")
        .await?;
    let payment = payment.last().expect("one receipt").clone();
    receipt_line(&payment, started, &chain);
    println!(
        "   one private payment end to end (prove + send + confirm + sync): {}",
        ms(payment.prove_time + payment.settle_time)
    );

    let started = step.begin("Bob syncs and discovers the payment");
    let report = bob.sync(&mut chain).await?;
    let found = bob.history()?;
    let note = found.last().expect("Bob found the payment");
    println!(
        "   scanned {} settlements, found {} note: {} with memo \"{}\", in {}",
        report.settlements,
        report.new_notes,
        sol(note.amount),
        zkpay_client::text::printable(&note.memo),
        ms(started.elapsed())
    );

    let started = step.begin("Bob pays 0.25 SOL back to Alice");
    let back = bob
        .pay(&mut chain, &alice.address(), SOL_UNIT / 4, b"thanks")
        .await?;
    receipt_line(back.last().expect("one receipt"), started, &chain);

    let started = step.begin(
        "Bob withdraws 0.3 SOL to a fresh public account, through a relayer (fee 0.001 SOL)",
    );
    let relayer = Keypair::new();
    chain.airdrop(&relayer.pubkey(), SOL_UNIT).await?;
    let destination = Pubkey::new_unique();
    let withdrawal = bob
        .withdraw(
            &mut chain,
            3 * SOL_UNIT / 10,
            &destination,
            Some(Relayer {
                keypair: &relayer,
                fee: SOL_UNIT / 1000,
            }),
        )
        .await?;
    receipt_line(withdrawal.last().expect("one receipt"), started, &chain);
    let received = chain.accounts(&[destination]).await?[0]
        .as_ref()
        .map_or(0, |a| a.lamports);
    println!("   {} now holds {}", short(&destination), sol(received));

    let started = step.begin("Alice syncs");
    alice.sync(&mut chain).await?;
    println!("   done in {}", ms(started.elapsed()));

    println!();
    println!("Balances in the pool:");
    println!(
        "   Alice {} (expected 1.5 SOL)",
        sol(alice.balance()?.spendable)
    );
    println!(
        "   Bob   {} (expected 0.199 SOL)",
        sol(bob.balance()?.spendable)
    );

    println!();
    println!("What anyone reading the chain sees, and what they cannot:");
    println!(
        "   deposit:    {} (Alice's public account) paid 2 SOL into the pool. Visible: the amount and",
        short(&alice.payer())
    );
    println!("               the depositor. Hidden: which new note is hers and who can spend it.");
    println!(
        "   payment:    {} signed a transaction moving no public funds: two nullifiers, two new",
        short(&alice.payer())
    );
    println!(
        "               commitments and two {}-byte+memo ciphertexts. Hidden: the payee (Bob), the",
        ENCRYPTED_NOTE_LEN
    );
    println!("               amount, the memo, and which earlier notes were spent.");
    println!(
        "   payment back: signed by {} (Bob's public account, which the fee payer reveals; a",
        short(&bob.payer())
    );
    println!("               relayer hides it, as below). Hidden: payee, amount, memo.");
    println!(
        "   withdrawal: relayer {} paid the fee and received 0.001 SOL; {} received 0.3 SOL.",
        short(&relayer.pubkey()),
        short(&destination)
    );
    println!("               Hidden: that the funds were Bob's, or that they came from Alice.");
    println!();
    println!("Total {}.", ms(total.elapsed()));
    assert_demo(&alice, &bob, received)?;
    Ok(())
}

fn assert_demo(alice: &Wallet, bob: &Wallet, received: u64) -> Result<()> {
    let expected = [
        (alice.balance()?.spendable, 3 * SOL_UNIT / 2),
        (bob.balance()?.spendable, 199 * SOL_UNIT / 1000),
        (received, 3 * SOL_UNIT / 10),
    ];
    for (got, want) in expected {
        anyhow::ensure!(got == want, "demo balance {got} differs from {want}");
    }
    Ok(())
}
