//! `zkpay demo`: Alice and Bob on the embedded chain.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use rand::rngs::OsRng;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use zkpay_client::amount::format_amount;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::shared::SharedChain;
use zkpay_client::chain::Chain;
use zkpay_client::encryption::ENCRYPTED_NOTE_LEN;
use zkpay_client::funds::verify_funds;
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::{SOL, SOL_DECIMALS};
use zkpay_client::relayer::{Limits, RelayerClient, RelayerConfig, RelayerService};
use zkpay_client::store::{HistoryKind, Store};
use zkpay_client::wallet::{prover, Receipt, Relayer, Wallet, WalletError};

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

type Shared = SharedChain<EmbeddedChain>;

async fn receipt_line(receipt: &Receipt, started: Instant, chain: &Shared) -> Result<()> {
    let units = chain
        .run(|c| Box::pin(async move { (c.last_compute_units(), c.program_build().is_sbf()) }))
        .await?;
    let units = match units {
        (Some(units), true) => format!(", {units} compute units"),
        _ => String::new(),
    };
    println!(
        "   done in {}: proof {}, sent and confirmed in {}, transaction {} bytes{units}",
        ms(started.elapsed()),
        ms(receipt.prove_time),
        ms(receipt.settle_time),
        receipt.size
    );
    Ok(())
}

/// A wallet whose payer holds `lamports` of public SOL.
async fn wallet(
    chain: &mut Shared,
    dir: &std::path::Path,
    name: &str,
    lamports: u64,
) -> Result<Wallet> {
    let (phrase, _) = WalletKeys::generate(&mut OsRng);
    let payer = Keypair::new();
    if lamports > 0 {
        chain.airdrop(&payer.pubkey(), lamports).await?;
    }
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
    let mut chain = SharedChain::start(EmbeddedChain::start).await?;
    let chain_time = started.elapsed();
    let build = chain
        .run(|c| Box::pin(async move { c.program_build().to_string() }))
        .await?;
    println!("   the chain runs {build}");
    let key_started = Instant::now();
    prover()?;
    println!(
        "   done in {}: chain {}, proving key {}",
        ms(started.elapsed()),
        ms(chain_time),
        ms(key_started.elapsed())
    );

    let started = step.begin(
        "Alice and Bob create wallets (BIP39 phrase -> keys -> shielded address); Bob holds no public SOL",
    );
    let dir = tempfile::tempdir()?;
    let mut alice = wallet(&mut chain, dir.path(), "alice", 10 * SOL_UNIT).await?;
    let mut bob = wallet(&mut chain, dir.path(), "bob", 0).await?;
    println!("   Bob's address: {}", bob.address());
    println!("   done in {}", ms(started.elapsed()));

    let started = step.begin("A relayer starts on loopback (HTTP), on the same chain");
    let relayer_key = Keypair::new();
    chain.airdrop(&relayer_key.pubkey(), SOL_UNIT).await?;
    let service = RelayerService::start(
        chain.clone(),
        relayer_key.insecure_clone(),
        RelayerConfig::sol_pool(10_000, Limits::default()),
    )
    .await?;
    let local = Arc::new(service).spawn_on_loopback().await?;
    let relayer = RelayerClient::new(&local.url)?;
    let quote = relayer.pool_quote(&SOL).await?.1;
    let fee = quote.transfer_fee;
    println!(
        "   {} quotes {} per relay: {} lamports of cost (signature fee and the pool's storage fee) + {} margin",
        local.url,
        sol(fee),
        quote.cost_lamports,
        quote.margin
    );
    println!("   done in {}", ms(started.elapsed()));

    let started = step.begin("Alice deposits 2 SOL from her public account into the pool");
    let deposit = alice.deposit(&mut chain, 2 * SOL_UNIT).await?;
    receipt_line(&deposit, started, &chain).await?;

    let started = step.begin("Alice pays Bob 0.75 SOL privately, memo \"rent, march\"");
    let payment = alice
        .pay(&mut chain, &bob.address(), 3 * SOL_UNIT / 4, b"rent, march")
        .await?;
    let payment = payment.last().expect("one receipt").clone();
    receipt_line(&payment, started, &chain).await?;
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

    let started = step.begin("Bob pays 0.25 SOL back to Alice, through the relayer");
    let back = bob
        .pay_with(
            &mut chain,
            &alice.address(),
            SOL_UNIT / 4,
            b"thanks",
            Some(Relayer::Service(&relayer)),
        )
        .await?;
    let back = back.last().expect("one receipt").clone();
    receipt_line(&back, started, &chain).await?;

    let started =
        step.begin("Bob withdraws 0.3 SOL to a fresh public account, through the relayer");
    let destination = Pubkey::new_unique();
    let withdrawal = bob
        .withdraw(
            &mut chain,
            3 * SOL_UNIT / 10,
            &destination,
            Some(Relayer::Service(&relayer)),
        )
        .await?;
    let withdrawal = withdrawal.last().expect("one receipt").clone();
    receipt_line(&withdrawal, started, &chain).await?;
    local.stop().await?;
    let signers = signers_of(&chain, &[back.signature, withdrawal.signature]).await?;
    anyhow::ensure!(
        !signers.contains(&bob.payer()),
        "Bob's public account appears in a relayed transaction"
    );
    let received = chain.accounts(&[destination]).await?[0]
        .as_ref()
        .map_or(0, |a| a.lamports);
    println!("   {} now holds {}", short(&destination), sol(received));

    let started = step.begin("Alice syncs");
    alice.sync(&mut chain).await?;
    println!("   done in {}", ms(started.elapsed()));

    let challenge = "landlord, flat 3B, viewing on 2026-12-06";
    let started = step.begin(
        "Alice proves to a landlord she holds at least 1 SOL, revealing neither her balance nor her notes",
    );
    let proof = alice.prove_funds(&mut chain, SOL_UNIT, challenge).await?;
    let proved = started.elapsed();
    let verified = verify_funds(&mut chain, &proof, Some(challenge)).await?;
    println!(
        "   proved in {} (loading its own proving key included, on first use); the landlord checks it against the chain: at least {}, unspent, for \"{}\"",
        ms(proved),
        sol(verified.at_least),
        verified.challenge
    );
    println!(
        "   the file is {} bytes of JSON (a 256-byte proof); it reveals the counted notes' nullifiers, so the landlord will see when they are spent",
        proof.to_json().len()
    );

    let started = step.begin(
        "Alice gives an auditor her full viewing key: a watch-only wallet sees what she sees and cannot spend",
    );
    let viewing_key = alice.viewing_key().to_string();
    let store = Store::create_watch_only(&dir.path().join("auditor.db"), &viewing_key)?;
    let mut auditor = Wallet::open(&mut chain, store, Keypair::new(), &SOL).await?;
    auditor.sync(&mut chain).await?;
    let synced = started.elapsed();
    let history = auditor.history()?;
    let paid_to = history
        .iter()
        .find(|line| line.kind == HistoryKind::Sent)
        .and_then(|line| line.counterparty.clone());
    let refused = match auditor.pay(&mut chain, &bob.address(), 1, b"").await {
        Err(refused @ WalletError::WatchOnly(_)) => refused,
        other => anyhow::bail!("a watch-only wallet was not refused a payment: {other:?}"),
    };
    anyhow::ensure!(
        auditor.balance()? == alice.balance()?
            && history.len() == alice.history()?.len()
            && paid_to == Some(bob.address().to_string()),
        "the watch-only wallet does not see what Alice's wallet sees"
    );
    println!(
        "   key {}...; synced in {}: balance {}, {} history lines, the payment to Bob named as in Alice's history",
        &viewing_key[..20],
        ms(synced),
        sol(auditor.balance()?.spendable),
        history.len()
    );
    println!("   paying from it: {refused}");

    println!();
    println!("Balances in the pool:");
    println!(
        "   Alice {} (expected 1.5 SOL)",
        sol(alice.balance()?.spendable)
    );
    println!(
        "   Bob   {} (expected 0.2 SOL less two relayer fees: {})",
        sol(bob.balance()?.spendable),
        sol(SOL_UNIT / 5 - 2 * fee)
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
        "               commitments and two {}-byte ciphertexts (every memo padded alike). Hidden: the",
        ENCRYPTED_NOTE_LEN
    );
    println!(
        "               payee (Bob), the amount, the memo, and which earlier notes were spent."
    );
    println!("               Alice's account is visible as the payer: she paid without a relayer.");
    println!(
        "   payment back: signed and paid by the relayer {} alone; the accounts it names are the",
        short(&relayer_key.pubkey())
    );
    println!(
        "               relayer's and the pool's: Bob's public account {} appears nowhere (checked).",
        short(&bob.payer())
    );
    println!("               Hidden: payer, payee, amount, memo. Public: a fee of {} went to the relayer.", sol(fee));
    println!(
        "   withdrawal: relayer {} signed and took its fee; {} received 0.3 SOL.",
        short(&relayer_key.pubkey()),
        short(&destination)
    );
    println!("               Hidden: that the funds were Bob's, or that they came from Alice;");
    println!("               Bob withdrew holding no public SOL at all.");
    println!();
    println!("Total {}.", ms(total.elapsed()));
    assert_demo(&alice, &bob, received, fee)?;
    Ok(())
}

/// Every account key of the transactions `signatures`.
async fn signers_of(chain: &Shared, signatures: &[Signature]) -> Result<Vec<Pubkey>> {
    let signatures = signatures.to_vec();
    let keys = chain
        .run(move |c| {
            Box::pin(async move {
                signatures
                    .iter()
                    .filter_map(|s| c.accounts_of(s))
                    .flat_map(|keys| keys.to_vec())
                    .collect::<Vec<_>>()
            })
        })
        .await?;
    anyhow::ensure!(
        !keys.is_empty(),
        "the relayed transactions are not on the chain"
    );
    Ok(keys)
}

fn assert_demo(alice: &Wallet, bob: &Wallet, received: u64, fee: u64) -> Result<()> {
    let expected = [
        (alice.balance()?.spendable, 3 * SOL_UNIT / 2),
        (bob.balance()?.spendable, SOL_UNIT / 5 - 2 * fee),
        (received, 3 * SOL_UNIT / 10),
    ];
    for (got, want) in expected {
        anyhow::ensure!(got == want, "demo balance {got} differs from {want}");
    }
    Ok(())
}
