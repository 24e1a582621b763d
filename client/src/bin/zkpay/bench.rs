//! `zkpay bench`: the wallet's figures on this machine.

use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use rand::rngs::OsRng;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use x25519_dalek::{PublicKey, StaticSecret};
use zkpay_circuits::field::to_bytes;
use zkpay_circuits::Fr;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::Chain;
use zkpay_client::encryption::{open_incoming, open_outgoing, seal_note, ViewTag};
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::SOL;
use zkpay_client::store::Store;
use zkpay_client::wallet::{Receipt, Relayer, Wallet};
use zkpay_core::field::FieldBytes;

use crate::ui::ms;

const SOL_UNIT: u64 = 1_000_000_000;

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// Measures and prints the table.
pub async fn run(notes: usize, payments: usize) -> Result<()> {
    ensure!(
        notes >= 100 && payments >= 1,
        "use --notes 100 or more and --payments 1 or more"
    );
    println!(
        "zkpay bench ({} threads available)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!();
    let (payment_rows, sizes) = payments_on_embedded_chain(payments).await?;
    let scan = scan_rate(notes)?;

    println!("| figure | value |");
    println!("|---|---|");
    for (name, value) in payment_rows {
        println!("| {name} | {value} |");
    }
    for (name, bytes) in sizes {
        println!("| transaction size, {name} | {bytes} B |");
    }
    for (name, value) in scan {
        println!("| {name} | {value} |");
    }
    println!();
    println!("On-chain compute units: measured in the SBF VM, see docs/SBF.md.");
    Ok(())
}

async fn new_wallet(
    chain: &mut EmbeddedChain,
    dir: &std::path::Path,
    name: &str,
) -> Result<Wallet> {
    let (phrase, _) = WalletKeys::generate(&mut OsRng);
    let payer = Keypair::new();
    chain.airdrop(&payer.pubkey(), 100 * SOL_UNIT).await?;
    let store = Store::create(&dir.join(name), &phrase)?;
    Ok(Wallet::open(chain, store, payer, &SOL).await?)
}

type Rows = Vec<(String, String)>;

async fn payments_on_embedded_chain(payments: usize) -> Result<(Rows, Vec<(String, usize)>)> {
    let mut chain = EmbeddedChain::start().await?;
    let dir = tempfile::tempdir()?;
    let mut alice = new_wallet(&mut chain, dir.path(), "alice").await?;
    let bob = new_wallet(&mut chain, dir.path(), "bob").await?;
    let deposit = alice.deposit(&mut chain, 50 * SOL_UNIT).await?;
    let mut receipts: Vec<Receipt> = Vec::new();
    for _ in 0..payments {
        receipts.extend(
            alice
                .pay(&mut chain, &bob.address(), SOL_UNIT / 100, b"")
                .await?,
        );
    }
    let withdrawal = alice
        .withdraw(&mut chain, SOL_UNIT, &Pubkey::new_unique(), None)
        .await?;
    let relayer = Keypair::new();
    chain.airdrop(&relayer.pubkey(), SOL_UNIT).await?;
    let relayed = alice
        .withdraw(
            &mut chain,
            SOL_UNIT,
            &Pubkey::new_unique(),
            Some(Relayer::Keypair {
                keypair: &relayer,
                fee: 1_000_000,
            }),
        )
        .await?;
    let prove = median(receipts.iter().map(|r| r.prove_time).collect());
    let settle = median(receipts.iter().map(|r| r.settle_time).collect());
    let end_to_end = median(
        receipts
            .iter()
            .map(|r| r.prove_time + r.settle_time)
            .collect(),
    );
    let rows = vec![
        (
            format!("proof of a payment, median of {payments}"),
            ms(prove),
        ),
        (
            "send + confirm + sync on the embedded chain, median".into(),
            ms(settle),
        ),
        (
            "one private payment end to end (prove + send + confirm + sync), median".into(),
            ms(end_to_end),
        ),
    ];
    let sizes = vec![
        ("deposit".to_string(), deposit.size),
        ("private payment (no memo)".to_string(), receipts[0].size),
        ("withdrawal".to_string(), withdrawal[0].size),
        ("withdrawal through a relayer".to_string(), relayed[0].size),
    ];
    Ok((rows, sizes))
}

/// Trial decryption over `count` encrypted notes, 1% of them ours.
fn scan_rate(count: usize) -> Result<Rows> {
    let ours = WalletKeys::generate(&mut OsRng).1;
    let asset_id = Fr::from(1u64);
    let started = Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = count.div_ceil(threads);
    let notes: Vec<(FieldBytes, Vec<u8>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let ours = &ours;
                scope.spawn(move || {
                    let sender = WalletKeys::generate(&mut OsRng).1;
                    let strangers: Vec<_> = (0..16)
                        .map(|_| WalletKeys::generate(&mut OsRng).1.address())
                        .collect();
                    let range = (t * per_thread)..((t + 1) * per_thread).min(count);
                    range
                        .map(|i| {
                            let to = if i % 100 == 0 {
                                ours.address()
                            } else {
                                strangers[i % 16]
                            };
                            let sealed = seal_note(
                                &to,
                                1 + i as u64,
                                asset_id,
                                b"",
                                sender.outgoing_view_key(),
                                &mut OsRng,
                            )
                            .expect("empty memo");
                            (to_bytes(&sealed.note.commitment()), sealed.ciphertext)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("generator thread"))
            .collect()
    });
    println!(
        "(generated {count} encrypted notes in {})",
        ms(started.elapsed())
    );
    let mut rows = per_core_costs(&ours, asset_id, &notes)?;
    let expected = count.div_ceil(100);
    for (label, policy) in [
        ("with view tag", ViewTag::Check),
        ("without view tag", ViewTag::Ignore),
    ] {
        for parallel in [1, threads] {
            let started = Instant::now();
            let chunk = count.div_ceil(parallel);
            let found: usize = std::thread::scope(|scope| {
                let handles: Vec<_> = notes
                    .chunks(chunk)
                    .map(|part| {
                        let ours = &ours;
                        scope.spawn(move || {
                            part.iter()
                                .filter(|(commitment, ciphertext)| {
                                    open_incoming(
                                        ours.incoming_view_key(),
                                        ours.owner(),
                                        asset_id,
                                        commitment,
                                        ciphertext,
                                        policy,
                                    )
                                    .is_some()
                                })
                                .count()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("scan thread"))
                    .sum()
            });
            let elapsed = started.elapsed();
            ensure!(
                found == expected,
                "scan found {found} notes, expected {expected}"
            );
            let rate = count as f64 / elapsed.as_secs_f64();
            rows.push((
                format!("wallet scan, {label}, {parallel} thread(s), {count} notes"),
                format!(
                    "{:.0} notes/s, {:.0} per core ({})",
                    rate,
                    rate / parallel as f64,
                    ms(elapsed)
                ),
            ));
            if threads == 1 {
                break;
            }
        }
    }
    Ok(rows)
}

/// What one note not ours costs on one core: an X25519 agreement measured
/// alone, then the whole trial decryption sync makes of it (incoming key,
/// view tag checked, and outgoing key, as `open_all` does), over the notes
/// of `notes` that are not `ours` (every 100th one is).
fn per_core_costs(
    ours: &WalletKeys,
    asset_id: Fr,
    notes: &[(FieldBytes, Vec<u8>)],
) -> Result<Rows> {
    let foreign: Vec<_> = notes
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 100 != 0)
        .map(|(_, note)| note)
        .collect();
    let n = foreign.len();
    // Any point costs the same: a few, cycled.
    let peers: Vec<PublicKey> = (0..64)
        .map(|_| PublicKey::from(&StaticSecret::random_from_rng(OsRng)))
        .collect();
    let started = Instant::now();
    for i in 0..n {
        std::hint::black_box(
            ours.incoming_view_key()
                .diffie_hellman(std::hint::black_box(&peers[i % peers.len()])),
        );
    }
    let agreement = started.elapsed().as_secs_f64() / n as f64;

    let started = Instant::now();
    let opened = foreign
        .iter()
        .filter(|(commitment, ciphertext)| {
            let incoming = open_incoming(
                ours.incoming_view_key(),
                ours.owner(),
                asset_id,
                commitment,
                ciphertext,
                ViewTag::Check,
            );
            let outgoing = open_outgoing(ours.outgoing_view_key(), commitment, ciphertext);
            incoming.is_some() || outgoing.is_some()
        })
        .count();
    let trial = started.elapsed().as_secs_f64() / n as f64;
    ensure!(opened == 0, "{opened} notes not ours opened");
    Ok(vec![
        (
            format!("one X25519 agreement alone, 1 thread, {n} agreements"),
            format!(
                "{:.0} agreements/s per core ({:.1} µs each)",
                1.0 / agreement,
                agreement * 1e6
            ),
        ),
        (
            format!(
                "trial decryption of a note not ours as sync does it (incoming with view tag, outgoing), 1 thread, {n} notes"
            ),
            format!(
                "{:.0} notes/s per core ({:.1} µs each, {:.0}% of it the agreement)",
                1.0 / trial,
                trial * 1e6,
                100.0 * agreement / trial
            ),
        ),
    ])
}
