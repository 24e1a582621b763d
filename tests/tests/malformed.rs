//! 10,000 malformed and mutated instructions sent to the program (the SBF
//! build unless `ZKPAY_PROGRAM=native`) and to the native Anchor entry:
//! truncated data, wrong discriminators, flipped bytes, random proofs,
//! non-canonical values, swapped, duplicated, missing and read-only
//! accounts, and direct calls of the event instruction. Each must fail as a
//! program error (never a panic, a VM fault or an exhausted budget), with
//! the same error from both builds, and change no account; the untouched
//! instruction still settles at the end.

mod common;

use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::transaction::TransactionError;
use zkpay_circuits::note::{Note, SpendingKey};
use zkpay_client::chain::embedded::ProgramBuild;
use zkpay_core::field::{non_canonical_alias, MODULUS};
use zkpay_core::program::ids::{EVENT_IX_TAG, INITIALIZE_POOL_DISCRIMINATOR};
use zkpay_core::program::instruction::offsets::{COMMITMENTS, NULLIFIERS, OUTPUTS, PROOF, ROOT};

const MUTATIONS: usize = 10_000;
const SOL: u64 = 1_000_000_000;

/// One mutation of `base`, different from it. Only `payer` can sign: an
/// account put where a signer stood is passed unsigned.
fn mutate(base: &Instruction, others: &[Pubkey], payer: &Pubkey, rng: &mut StdRng) -> Instruction {
    loop {
        let mut ix = base.clone();
        match rng.gen_range(0..12) {
            0 => {
                let len = rng.gen_range(0..ix.data.len());
                ix.data.truncate(len);
            }
            1 => {
                let flips = rng.gen_range(1..5);
                for _ in 0..flips {
                    let at = rng.gen_range(0..ix.data.len());
                    ix.data[at] ^= 1 << rng.gen_range(0..8);
                }
            }
            2 => {
                let tag: [u8; 8] = match rng.gen_range(0..3) {
                    0 => rng.gen(),
                    1 => INITIALIZE_POOL_DISCRIMINATOR,
                    _ => EVENT_IX_TAG,
                };
                ix.data[..8].copy_from_slice(&tag);
            }
            3 => rng.fill(&mut ix.data[PROOF..ROOT]),
            4 => {
                // A public value at or above the modulus.
                let field = [
                    NULLIFIERS,
                    NULLIFIERS + 32,
                    ROOT,
                    COMMITMENTS,
                    COMMITMENTS + 32,
                ][rng.gen_range(0..5)];
                let value: [u8; 32] = ix.data[field..field + 32].try_into().unwrap();
                let replacement = match rng.gen_range(0..3) {
                    0 => non_canonical_alias(&value),
                    1 => MODULUS,
                    _ => [0xff; 32],
                };
                ix.data[field..field + 32].copy_from_slice(&replacement);
            }
            5 => {
                // A ciphertext length that lies.
                let len: u32 = rng.gen();
                ix.data[OUTPUTS..OUTPUTS + 4].copy_from_slice(&len.to_le_bytes());
            }
            6 => {
                let (a, b) = (
                    rng.gen_range(0..ix.accounts.len()),
                    rng.gen_range(0..ix.accounts.len()),
                );
                ix.accounts.swap(a, b);
            }
            7 => {
                let (from, to) = (
                    rng.gen_range(0..ix.accounts.len()),
                    rng.gen_range(0..ix.accounts.len()),
                );
                ix.accounts[to].pubkey = ix.accounts[from].pubkey;
            }
            8 => {
                let at = rng.gen_range(0..ix.accounts.len());
                ix.accounts[at].pubkey = others[rng.gen_range(0..others.len())];
            }
            9 => {
                let keep = rng.gen_range(0..ix.accounts.len());
                ix.accounts.truncate(keep);
            }
            10 => {
                let at = rng.gen_range(1..ix.accounts.len());
                // The runtime merges the metas of one account (both
                // nullifier pages may be one): read-only only shows where
                // no other meta names it writable.
                let key = ix.accounts[at].pubkey;
                let named_writable = ix
                    .accounts
                    .iter()
                    .enumerate()
                    .any(|(index, meta)| index != at && meta.pubkey == key && meta.is_writable);
                if named_writable {
                    continue;
                }
                ix.accounts[at].is_writable = false;
            }
            _ => {
                // The event instruction, called from outside.
                ix.data = [&EVENT_IX_TAG[..], &ix.data[8..]].concat();
                if rng.gen() {
                    ix.accounts.rotate_left(12);
                }
            }
        }
        for meta in &mut ix.accounts {
            meta.is_signer &= meta.pubkey == *payer;
        }
        if ix != *base {
            return ix;
        }
    }
}

/// What `mutated` changed of `base`, for a failure message.
fn difference(base: &Instruction, mutated: &Instruction) -> String {
    let bytes: Vec<usize> = (0..base.data.len().max(mutated.data.len()))
        .filter(|&i| base.data.get(i) != mutated.data.get(i))
        .collect();
    let accounts: Vec<String> = (0..base.accounts.len().max(mutated.accounts.len()))
        .filter(|&i| base.accounts.get(i) != mutated.accounts.get(i))
        .map(|i| {
            format!(
                "#{i} {:?} -> {:?}",
                base.accounts.get(i),
                mutated.accounts.get(i)
            )
        })
        .collect();
    format!(
        "data bytes {bytes:?} (of {}), accounts {accounts:?}",
        base.data.len()
    )
}

/// A chain with a deposit settled, and the base instruction the mutations
/// start from: a relayed withdrawal whose recipient and relayer are
/// distinct, so that no account of it can stand for another.
struct Target {
    chain: Chain,
    payment: Payment,
    base: Instruction,
    /// Accounts a mutation may put anywhere.
    others: Vec<Pubkey>,
}

impl Target {
    async fn new(build: ProgramBuild) -> Target {
        let mut chain = Chain::with_sol_pool_on(build).await;
        let mut rng = rng();
        let alice = SpendingKey::random(&mut rng);
        let keys = chain.keys;
        let payer = chain.payer();
        let (deposit, note) = deposit_payment(&chain, &alice, 2 * SOL, &mut rng);
        chain.settle(&deposit).await.unwrap();
        // Fixed, so that both builds' targets get the same proof bytes.
        let recipient = Pubkey::new_from_array([0x52; 32]);
        let relayer = Pubkey::new_from_array([0x4c; 32]);
        chain.airdrop(recipient, SOL).await;
        chain.airdrop(relayer, SOL).await;
        let payment = prove_payment(
            &chain.tree,
            &keys,
            [
                (note, alice.clone(), Some(0)),
                dummy_input(&alice, &keys, &mut rng),
            ],
            [
                Note::new(SOL / 2, alice.owner(), keys.asset_id(), &mut rng),
                Note::dummy(alice.owner(), keys.asset_id(), &mut rng),
            ],
            -((SOL + SOL / 4) as i64),
            SOL / 4,
            recipient,
            relayer,
            &mut rng,
        );
        let base = payment.instruction(&payer, &keys);
        let others = vec![
            Pubkey::new_from_array([0x6f; 32]),
            keys.pool,
            keys.tree,
            keys.vault,
            payer,
            zkpay::ID,
        ];
        Target {
            chain,
            payment,
            base,
            others,
        }
    }

    /// Sends `ix`; it must fail cleanly. Returns the error.
    async fn refused(&mut self, ix: &Instruction, round: usize) -> TransactionError {
        let error = match self.chain.send(&[ix.clone()], &[]).await {
            Ok(()) => panic!(
                "{:?}: mutation {round} settled: {}",
                self.chain.build,
                difference(&self.base, ix)
            ),
            Err(error) => error.unwrap(),
        };
        if let TransactionError::InstructionError(_, cause) = &error {
            assert!(
                !matches!(
                    cause,
                    InstructionError::ProgramFailedToComplete
                        | InstructionError::ComputationalBudgetExceeded
                        | InstructionError::ProgramFailedToCompile
                        | InstructionError::GenericError
                ),
                "{:?}: mutation {round} did not fail cleanly: {cause:?}",
                self.chain.build
            );
        }
        error
    }
}

#[tokio::test]
async fn malformed_instructions_fail_cleanly_and_change_nothing_on_both_builds() {
    // The build under test (SBF unless ZKPAY_PROGRAM=native) and the native
    // Anchor entry side by side: each mutation goes to both, and both must
    // refuse it with the same error.
    let mut target = Target::new(program_build()).await;
    let mut native = Target::new(ProgramBuild::Native).await;
    let payer = target.chain.payer();
    let native_payer = native.chain.payer();
    let before = target.chain.snapshot(&target.payment).await;
    let pool_before = target.chain.account(target.chain.keys.pool).await;

    let mut fuzz = StdRng::seed_from_u64(0x6d75_7461_7465);
    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    let mut seen = std::collections::HashSet::new();
    for round in 0..MUTATIONS {
        // 10,000 distinct instructions (a repeat would only be refused as
        // already processed); the same mutation of the native base.
        let (ix, native_ix) = loop {
            let mut replay = fuzz.clone();
            let ix = mutate(&target.base, &target.others, &payer, &mut fuzz);
            let native_ix = mutate(&native.base, &native.others, &native_payer, &mut replay);
            if seen.insert(format!("{ix:?}")) {
                break (ix, native_ix);
            }
        };
        let error = target.refused(&ix, round).await;
        let native_error = native.refused(&native_ix, round).await;
        assert_eq!(
            error,
            native_error,
            "mutation {round}: the builds disagree: {}",
            difference(&target.base, &ix)
        );
        *outcomes.entry(format!("{error:?}")).or_default() += 1;
        if round % 100 == 0 || round == MUTATIONS - 1 {
            let chain = &mut target.chain;
            assert_eq!(
                chain.snapshot(&target.payment).await,
                before,
                "after mutation {round}"
            );
            assert_eq!(
                chain.account(chain.keys.pool).await,
                pool_before,
                "after mutation {round}"
            );
        }
    }
    println!("{MUTATIONS} malformed instructions, each refused alike by both builds:");
    for (outcome, count) in &outcomes {
        println!("  {count:>5}  {outcome}");
    }
    // Nothing was spent, appended or paid: the untouched instruction settles.
    target.chain.settle(&target.payment).await.unwrap();
    native.chain.settle(&native.payment).await.unwrap();
}
