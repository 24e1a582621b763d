//! The settlement core compiled to SBF (programs/zkpay-sbf, built by
//! `scripts/sbf-build.sh`) run in the Solana VM of solana-program-test, with
//! real proofs from the circuits' prover; reports compute units.
//!
//! Needs `target/deploy/zkpay_sbf.so` (or `ZKPAY_SBF_SO`): without it these
//! tests fail, saying how to build it. See docs/SBF.md.

mod common;

use std::path::PathBuf;

use bytemuck::{Pod, Zeroable};
use common::{dummy_input, pool_keys, prove_payment, rng, Payment, PoolKeys};
use solana_program_test::{ProgramTest, ProgramTestContext};
use solana_sdk::account::Account;
use solana_sdk::instruction::{AccountMeta, Instruction, InstructionError};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};
use zkpay_circuits::note::{Note, SpendingKey};
use zkpay_core::asset::NATIVE_SOL_MINT;
use zkpay_core::field::non_canonical_alias;
use zkpay_core::tree::{CommitmentTree, Frontier, RootHistory};

/// The measurement program's id in these tests.
const PROGRAM_ID: Pubkey = Pubkey::new_from_array([7u8; 32]);

/// Mirrors `zkpay_sbf::State` (programs/zkpay-sbf/src/lib.rs), field by field.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct State {
    frontier: Frontier,
    history: RootHistory,
    mint: [u8; 32],
    asset_id: [u8; 32],
    initialized: u64,
    nullifier_count: u64,
    nullifiers: [[u8; 32]; NULLIFIER_CAPACITY],
}

const NULLIFIER_CAPACITY: usize = 16;
const IX_INIT: u8 = 0;
const IX_TRANSACT: u8 = 1;
const IX_EXTRAS: u8 = 2;
const IX_EVENT: u8 = 3;
const FLAG_LOG_STEPS: u8 = 1;

/// `zkpay_sbf::SbfError` codes.
#[derive(Debug, Clone, Copy)]
#[repr(u32)]
enum SbfError {
    NonCanonicalPublicInput = 6,
    UnknownRoot = 7,
    InvalidProof = 8,
    DuplicateNullifier = 9,
    NullifierAlreadySpent = 10,
}

/// The program's ELF, or a failure that says how to build it.
fn program_elf() -> Vec<u8> {
    let path = std::env::var_os("ZKPAY_SBF_SO").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/deploy/zkpay_sbf.so"),
        PathBuf::from,
    );
    std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "the SBF program {} is not there ({error}): build it with `scripts/sbf-build.sh` \
             (installs the toolchain on first use, see docs/SBF.md), or point ZKPAY_SBF_SO at it",
            path.display()
        )
    })
}

struct Vm {
    context: ProgramTestContext,
    state: Pubkey,
    keys: PoolKeys,
    /// Off-chain mirror of the state's tree.
    tree: CommitmentTree,
}

impl Vm {
    /// The runtime with the SBF program (loader v2, as program-test adds
    /// `.so` programs) and an initialised SOL state account.
    async fn start() -> Vm {
        let mut test = ProgramTest::default();
        test.prefer_bpf(true);
        let elf = program_elf();
        test.add_account(
            PROGRAM_ID,
            Account {
                lamports: 1_000_000_000,
                data: elf,
                owner: solana_sdk::bpf_loader::id(),
                executable: true,
                rent_epoch: 0,
            },
        );
        let state = Pubkey::new_from_array([9u8; 32]);
        test.add_account(
            state,
            Account {
                lamports: 1_000_000_000,
                data: vec![0; std::mem::size_of::<State>()],
                owner: PROGRAM_ID,
                executable: false,
                rent_epoch: 0,
            },
        );
        let context = test.start_with_context().await;
        let keys = pool_keys(Pubkey::new_from_array(NATIVE_SOL_MINT), &Keypair::new());
        let mut vm = Vm {
            context,
            state,
            keys,
            tree: CommitmentTree::new(),
        };
        let mut data = vec![IX_INIT];
        data.extend_from_slice(&NATIVE_SOL_MINT);
        let init = Instruction {
            program_id: PROGRAM_ID,
            accounts: vec![AccountMeta::new(state, false)],
            data,
        };
        let tx = vm.transaction(&[init]).await;
        vm.context
            .banks_client
            .process_transaction(tx)
            .await
            .unwrap();
        let on_chain = vm.state().await;
        assert_eq!(on_chain.initialized, 1);
        assert_eq!(on_chain.frontier.root(), vm.tree.root());
        assert!(on_chain.history.contains(&vm.tree.root()));
        assert_eq!(
            on_chain.asset_id,
            zkpay_core::asset::asset_id(&NATIVE_SOL_MINT)
        );
        vm
    }

    async fn transaction(&mut self, instructions: &[Instruction]) -> Transaction {
        let blockhash = self
            .context
            .get_new_latest_blockhash()
            .await
            .expect("blockhash");
        Transaction::new_signed_with_payer(
            instructions,
            Some(&self.context.payer.pubkey()),
            &[&self.context.payer],
            blockhash,
        )
    }

    async fn state_bytes(&mut self) -> Vec<u8> {
        let account = self
            .context
            .banks_client
            .get_account(self.state)
            .await
            .unwrap()
            .expect("state account");
        account.data
    }

    async fn state(&mut self) -> State {
        bytemuck::pod_read_unaligned(&self.state_bytes().await)
    }

    /// Simulates `payment` (with the per-step log when `log_steps`) and
    /// returns the compute units and the log.
    async fn simulate(&mut self, payment: &Payment, log_steps: bool) -> (u64, Vec<String>) {
        let flags = if log_steps { FLAG_LOG_STEPS } else { 0 };
        let ix = transact_instruction(self.state, payment, flags);
        let tx = self.transaction(&[ix]).await;
        let simulation = self
            .context
            .banks_client
            .simulate_transaction(tx)
            .await
            .unwrap();
        if let Some(Err(error)) = &simulation.result {
            panic!(
                "simulation failed: {error:?}: {:?}",
                simulation.simulation_details
            );
        }
        let details = simulation.simulation_details.expect("simulation details");
        (details.units_consumed, details.logs)
    }

    /// Sends `payment`; returns the compute units the instruction consumed.
    async fn settle(&mut self, payment: &Payment) -> Result<u64, TransactionError> {
        let ix = transact_instruction(self.state, payment, 0);
        let tx = self.transaction(&[ix]).await;
        let outcome = self
            .context
            .banks_client
            .process_transaction_with_metadata(tx)
            .await
            .unwrap();
        outcome.result?;
        let metadata = outcome.metadata.expect("metadata");
        self.tree.extend(&payment.commitments()).unwrap();
        Ok(metadata.compute_units_consumed)
    }

    /// Sends `payment`, expects `expected`, and checks the state is unchanged.
    async fn assert_rejected(&mut self, payment: &Payment, expected: SbfError) {
        let before = self.state_bytes().await;
        match self.settle(payment).await {
            Err(TransactionError::InstructionError(0, InstructionError::Custom(code)))
                if code == expected as u32 => {}
            other => panic!("expected {expected:?} ({}), got {other:?}", expected as u32),
        }
        assert!(
            self.state_bytes().await == before,
            "{expected:?}: state changed"
        );
    }
}

impl Vm {
    /// Runs instruction 2 for `payment`'s nullifiers with a SOL deposit of
    /// `deposit` and an event of the `Settled` event's size; checks its
    /// effects and returns its compute units and per-step breakdown.
    async fn extras(&mut self, payment: &Payment, deposit: u64) -> (u64, Vec<(&'static str, u64)>) {
        let pdas = payment.input_nullifiers.map(|nullifier| {
            Pubkey::find_program_address(
                &[b"nullifier", self.state.as_ref(), &nullifier],
                &PROGRAM_ID,
            )
            .0
        });
        let event_authority = Pubkey::find_program_address(&[b"__event_authority"], &PROGRAM_ID).0;
        let vault = Pubkey::new_unique();
        let rent = self
            .context
            .banks_client
            .get_rent()
            .await
            .unwrap()
            .minimum_balance(0);
        let (payer, state) = (self.context.payer.pubkey(), self.state);
        let instruction = |flags: u8| {
            let mut data = vec![IX_EXTRAS, flags];
            data.extend_from_slice(&payment.input_nullifiers[0]);
            data.extend_from_slice(&payment.input_nullifiers[1]);
            data.extend_from_slice(&rent.to_le_bytes());
            data.extend_from_slice(&deposit.to_le_bytes());
            // Anchor's event instruction: 8-byte tag, 8-byte discriminator,
            // then `Settled` (pool, leaf index, 2 commitments, 2 nullifiers,
            // root, 2 ciphertexts of 89 bytes with u32 lengths): 402 bytes.
            data.push(IX_EVENT);
            data.extend(std::iter::repeat_n(0xe5, 401));
            Instruction {
                program_id: PROGRAM_ID,
                accounts: vec![
                    AccountMeta::new(payer, true),
                    AccountMeta::new_readonly(state, false),
                    AccountMeta::new(pdas[0], false),
                    AccountMeta::new(pdas[1], false),
                    AccountMeta::new(vault, false),
                    AccountMeta::new_readonly(event_authority, false),
                    AccountMeta::new_readonly(Pubkey::default(), false),
                    AccountMeta::new_readonly(PROGRAM_ID, false),
                ],
                data,
            }
        };
        let tx = self.transaction(&[instruction(FLAG_LOG_STEPS)]).await;
        let simulation = self
            .context
            .banks_client
            .simulate_transaction(tx)
            .await
            .unwrap();
        let details = simulation.simulation_details.expect("simulation details");
        assert!(
            matches!(simulation.result, Some(Ok(()))),
            "{:?}",
            details.logs
        );
        let remaining = remaining_units(&details.logs);
        const STEPS: [&str; 3] = [
            "2 nullifier PDAs: find_program_address + create_account CPI each",
            "SOL deposit: system transfer CPI",
            "event: find event authority + self-CPI with 402 bytes",
        ];
        assert_eq!(remaining.len(), STEPS.len() + 2, "{:#?}", details.logs);
        let log_cost = remaining[0] - remaining[1];
        let steps = STEPS
            .iter()
            .zip(remaining[1..].windows(2))
            .map(|(step, pair)| (*step, pair[0] - pair[1] - log_cost))
            .collect();

        let tx = self.transaction(&[instruction(0)]).await;
        let outcome = self
            .context
            .banks_client
            .process_transaction_with_metadata(tx)
            .await
            .unwrap();
        outcome.result.expect("extras succeed");
        for pda in pdas {
            let account = self
                .context
                .banks_client
                .get_account(pda)
                .await
                .unwrap()
                .expect("PDA");
            assert_eq!(
                (account.owner, account.data.len(), account.lamports),
                (PROGRAM_ID, 0, rent)
            );
        }
        let vault = self
            .context
            .banks_client
            .get_account(vault)
            .await
            .unwrap()
            .expect("vault");
        assert_eq!(vault.lamports, deposit);
        (
            outcome.metadata.expect("metadata").compute_units_consumed,
            steps,
        )
    }
}

/// The remaining-units figures of `sol_log_compute_units` lines of the
/// outermost program (inner invocations log none).
fn remaining_units(logs: &[String]) -> Vec<u64> {
    logs.iter()
        .filter_map(|line| {
            let rest = line.strip_prefix("Program consumption: ")?;
            rest.strip_suffix(" units remaining")?.parse().ok()
        })
        .collect()
}

/// The transact instruction of the measurement program for `payment`.
fn transact_instruction(state: Pubkey, payment: &Payment, flags: u8) -> Instruction {
    let args = &payment.args;
    let mut data = vec![IX_TRANSACT, flags];
    data.extend_from_slice(&payment.input_nullifiers[0]);
    data.extend_from_slice(&payment.input_nullifiers[1]);
    data.extend_from_slice(&args.proof);
    data.extend_from_slice(&args.root);
    data.extend_from_slice(&args.output_commitments[0]);
    data.extend_from_slice(&args.output_commitments[1]);
    data.extend_from_slice(&args.ext_amount.to_le_bytes());
    data.extend_from_slice(&args.fee.to_le_bytes());
    for output in &args.encrypted_outputs {
        data.extend_from_slice(&(output.len() as u16).to_le_bytes());
        data.extend_from_slice(output);
    }
    Instruction {
        program_id: PROGRAM_ID,
        accounts: vec![
            AccountMeta::new(state, false),
            AccountMeta::new_readonly(payment.recipient, false),
            AccountMeta::new_readonly(payment.relayer, false),
        ],
        data,
    }
}

/// The per-step breakdown from `sol_log_compute_units` lines: each step's
/// units, the cost of one log call taken off.
fn breakdown(logs: &[String]) -> Vec<(&'static str, u64)> {
    let remaining = remaining_units(logs);
    const STEPS: [&str; 7] = [
        "parse instruction, load state",
        "external-data hash (SHA-256) + public amount",
        "public values canonical + root in history (1,024 roots)",
        "Poseidon of the 8 public values (repeated on its own)",
        "verify_transfer (canonical + Poseidon + G1 mul/add + pairing)",
        "nullifiers unspent + recorded",
        "tree append (26 Poseidon) + root push",
    ];
    assert_eq!(remaining.len(), STEPS.len() + 2, "{logs:#?}");
    let log_cost = remaining[0] - remaining[1];
    STEPS
        .iter()
        .zip(remaining[1..].windows(2))
        .map(|(step, pair)| (*step, pair[0] - pair[1] - log_cost))
        .collect()
}

fn deposit(
    vm: &Vm,
    alice: &SpendingKey,
    amount: u64,
    rng: &mut rand::rngs::StdRng,
) -> (Payment, Note) {
    let keys = vm.keys;
    let note = Note::new(amount, alice.owner(), keys.asset_id(), rng);
    let payment = prove_payment(
        &vm.tree,
        &keys,
        [
            dummy_input(alice, &keys, rng),
            dummy_input(alice, &keys, rng),
        ],
        [note, Note::new(0, alice.owner(), keys.asset_id(), rng)],
        amount as i64,
        0,
        Pubkey::new_unique(),
        Pubkey::new_unique(),
        rng,
    );
    (payment, note)
}

#[tokio::test]
async fn the_settlement_core_runs_in_the_vm_and_reports_compute_units() {
    let mut vm = Vm::start().await;
    let mut rng = rng();
    let alice = SpendingKey::random(&mut rng);
    let bob = SpendingKey::random(&mut rng);

    // A deposit (two dummy inputs).
    let (deposit, note) = deposit(&vm, &alice, 5_000_000_000, &mut rng);
    let (simulated, _) = vm.simulate(&deposit, false).await;
    let (_, logs) = vm.simulate(&deposit, true).await;
    let deposit_units = vm.settle(&deposit).await.expect("deposit settles");
    assert_eq!(simulated, deposit_units);
    let state = vm.state().await;
    assert_eq!(state.frontier.next_index(), 2);
    assert_eq!(state.frontier.root(), vm.tree.root());
    assert!(state.history.contains(&vm.tree.root()));
    assert_eq!(state.nullifier_count, 2);
    assert_eq!(state.nullifiers[..2], deposit.input_nullifiers);

    // A private transfer spending the deposited note (leaf 0) to Bob.
    let keys = vm.keys;
    let transfer = prove_payment(
        &vm.tree,
        &keys,
        [
            (note, alice.clone(), Some(0)),
            dummy_input(&alice, &keys, &mut rng),
        ],
        [
            Note::new(2_000_000_000, bob.owner(), keys.asset_id(), &mut rng),
            Note::new(3_000_000_000, alice.owner(), keys.asset_id(), &mut rng),
        ],
        0,
        0,
        Pubkey::new_unique(),
        Pubkey::new_unique(),
        &mut rng,
    );
    let transfer_units = vm.settle(&transfer).await.expect("transfer settles");
    let state = vm.state().await;
    assert_eq!(state.frontier.next_index(), 4);
    assert_eq!(state.frontier.root(), vm.tree.root());
    assert!(state.history.contains(&vm.tree.root()));
    assert_eq!(state.nullifier_count, 4);
    assert_eq!(state.nullifiers[2..4], transfer.input_nullifiers);

    println!("SBF settlement core (programs/zkpay-sbf) in the Solana VM:");
    println!("  deposit:          {deposit_units} CU");
    println!("  private transfer: {transfer_units} CU");
    println!("  breakdown of the deposit (sol_log_compute_units between steps):");
    let steps = breakdown(&logs);
    for (step, units) in &steps {
        println!("    {units:>7} CU  {step}");
    }
    let poseidon_8 = steps[3].1;
    let verify = steps[4].1;
    println!(
        "    => Groth16 without the public-input hash: {} CU",
        verify - poseidon_8
    );
    assert!(deposit_units < 200_000 && transfer_units < 200_000);

    // What the Anchor instruction adds around the core, measured the
    // pinocchio way on the deposit's nullifiers.
    let (extras_units, extras_steps) = vm.extras(&deposit, 5_000_000_000).await;
    println!("  around the core (instruction 2, pinocchio CPIs): {extras_units} CU");
    for (step, units) in &extras_steps {
        println!("    {units:>7} CU  {step}");
    }
    // find_program_address pays 1,500 CU per bump tried (255 down); a PDA
    // takes 2 tries on average. Normalise this run's luck to that.
    let tries: Vec<u64> = deposit
        .input_nullifiers
        .iter()
        .map(|nullifier| {
            let seeds: &[&[u8]] = &[b"nullifier", vm.state.as_ref(), nullifier];
            256 - u64::from(Pubkey::find_program_address(seeds, &PROGRAM_ID).1)
        })
        .chain([
            256 - u64::from(Pubkey::find_program_address(&[b"__event_authority"], &PROGRAM_ID).1)
        ])
        .collect();
    let normalised =
        (extras_units + 1_500 * 2 * tries.len() as u64) - 1_500 * tries.iter().sum::<u64>();
    println!("    bump tries (nullifier 0, nullifier 1, event authority): {tries:?}; at 2 tries each: {normalised} CU");
    println!(
        "  core + extras (2 tries a PDA): {} CU (deposit); Anchor's own account and \
         argument handling comes on top (docs/SBF.md)",
        deposit_units + normalised
    );
}

#[tokio::test]
async fn rejected_transfers_leave_the_state_unchanged() {
    let mut vm = Vm::start().await;
    let mut rng = rng();
    let alice = SpendingKey::random(&mut rng);
    let (payment, _) = deposit(&vm, &alice, 1_000_000_000, &mut rng);

    // A tampered proof: one byte of C.
    let mut tampered = payment.clone();
    tampered.args.proof[200] ^= 1;
    vm.assert_rejected(&tampered, SbfError::InvalidProof).await;
    // A valid proof whose A is swapped for C: points on the curve, wrong proof.
    let mut swapped = payment.clone();
    let c: [u8; 64] = swapped.args.proof[192..].try_into().unwrap();
    swapped.args.proof[..64].copy_from_slice(&c);
    vm.assert_rejected(&swapped, SbfError::InvalidProof).await;

    // A nullifier as value + r, the same field element encoded twice over.
    let mut aliased = payment.clone();
    aliased.input_nullifiers[0] = non_canonical_alias(&payment.input_nullifiers[0]);
    vm.assert_rejected(&aliased, SbfError::NonCanonicalPublicInput)
        .await;

    // The same nullifier twice in one transfer.
    let mut doubled = payment.clone();
    doubled.input_nullifiers[1] = doubled.input_nullifiers[0];
    vm.assert_rejected(&doubled, SbfError::DuplicateNullifier)
        .await;

    // A valid proof against a root the state never had.
    let mut elsewhere = CommitmentTree::new();
    elsewhere.extend(&[[1u8; 32], [2u8; 32]]).unwrap();
    let keys = vm.keys;
    let unknown_root = prove_payment(
        &elsewhere,
        &keys,
        [
            dummy_input(&alice, &keys, &mut rng),
            dummy_input(&alice, &keys, &mut rng),
        ],
        [
            Note::new(1, alice.owner(), keys.asset_id(), &mut rng),
            Note::new(0, alice.owner(), keys.asset_id(), &mut rng),
        ],
        1,
        0,
        Pubkey::new_unique(),
        Pubkey::new_unique(),
        &mut rng,
    );
    vm.assert_rejected(&unknown_root, SbfError::UnknownRoot)
        .await;

    // The valid payment settles once; its nullifiers cannot be spent again.
    vm.settle(&payment).await.expect("valid payment settles");
    vm.assert_rejected(&payment, SbfError::NullifierAlreadySpent)
        .await;
    let state = vm.state().await;
    assert_eq!(state.nullifier_count, 2);
    assert_eq!(state.frontier.next_index(), 2);
}
