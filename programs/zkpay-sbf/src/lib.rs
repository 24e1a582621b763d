//! SBF measurement program: the settlement core of zkpay's `transact`,
//! compiled to SBF on this machine and run in the Solana VM with compute-unit
//! metering (docs/SBF.md).
//!
//! The Anchor program (`programs/zkpay`) cannot be compiled to SBF without
//! Solana's platform-tools (anchor-lang 1.x needs `std`). This `no_std`
//! pinocchio program runs the same `zkpay-core` code paths that `transact`
//! runs, in the same order, against one state account:
//!
//! 1. external-data hash (SHA-256 syscall) and public amount;
//! 2. every public value canonical;
//! 3. the root is one of the recent roots ([`RootHistory`]);
//! 4. the Groth16 proof verifies (`verify_transfer`: Poseidon syscall of the
//!    eight public values, then the alt_bn128 syscalls);
//! 5. both nullifiers unspent and distinct, then recorded (here in a small
//!    set inside the state account; the Anchor program creates two PDAs);
//! 6. both output commitments appended to the [`Frontier`] (26 Poseidon
//!    syscalls) and the new root pushed to the root history.
//!
//! Not here: fund moves, nullifier PDA creation and the event self-CPI of the
//! Anchor program (docs/SBF.md estimates them).
//!
//! Instructions (first byte of the instruction data):
//! - `0` init, accounts `[state (writable, owned by this program, zeroed)]`,
//!   data `[0, mint: 32]`: empty tree, its root in the history, the asset id
//!   of `mint`.
//! - `1` transact, accounts `[state (writable), recipient, relayer]`, data
//!   laid out as [`TransactData`] describes.
//! - `2` extras: what the Anchor `transact` does besides the core, done the
//!   pinocchio way, to measure it: derive and create the two nullifier PDAs
//!   (system `create_account` CPIs signed with the PDA seeds), move a SOL
//!   deposit into a vault (system `transfer` CPI), and emit an event as a
//!   self-CPI signed by the event-authority PDA. Accounts `[payer (signer,
//!   writable), state, nullifier PDA 0, nullifier PDA 1, vault (writable),
//!   event authority, system program, this program]`, data `[2, flags,
//!   nullifier 0: 32, nullifier 1: 32, rent lamports: u64 LE, deposit: u64
//!   LE, event bytes...]`.
//! - `3` event: the self-CPI's target (Anchor's event instruction): checks
//!   that the event authority signed.
#![no_std]

use bytemuck::{Pod, Zeroable};
use pinocchio::error::ProgramError;
use pinocchio::{AccountView, Address, ProgramResult};
use zkpay_core::asset::asset_id;
use zkpay_core::ext_data::ExtData;
use zkpay_core::field::public_amount;
use zkpay_core::proof::TransferProof;
use zkpay_core::public_inputs::TransferPublicInputs;
use zkpay_core::tree::{Frontier, RootHistory};
use zkpay_core::verifier::{verify_transfer, VerifyError};

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
mod entry {
    pinocchio::program_entrypoint!(crate::process_instruction, 8);
    pinocchio::no_allocator!();
    pinocchio::nostd_panic_handler!();
}

/// Spent nullifiers the state account holds (the Anchor program has one PDA
/// per nullifier instead, without limit).
pub const NULLIFIER_CAPACITY: usize = 16;

/// Largest encrypted output note accepted, in bytes (as the Anchor program).
pub const MAX_ENCRYPTED_OUTPUT_LEN: usize = 256;

/// Instruction tags.
pub const IX_INIT: u8 = 0;
/// See [`IX_INIT`].
pub const IX_TRANSACT: u8 = 1;
/// See [`IX_INIT`].
pub const IX_EXTRAS: u8 = 2;
/// See [`IX_INIT`].
pub const IX_EVENT: u8 = 3;

/// Seed of a nullifier PDA, as in the Anchor program:
/// `[NULLIFIER_SEED, pool, nullifier]` (here the state account stands for
/// the pool).
pub const NULLIFIER_SEED: &[u8] = b"nullifier";
/// Seed of Anchor's event authority PDA (`#[event_cpi]`).
pub const EVENT_AUTHORITY_SEED: &[u8] = b"__event_authority";

/// Transact flag: log the remaining compute units (`sol_log_compute_units`)
/// between the steps, for a breakdown. Also hashes the public inputs once
/// more, timed on its own, ahead of the proof verification.
pub const FLAG_LOG_STEPS: u8 = 1;

/// Errors, as `ProgramError::Custom(code)`; names as in the Anchor program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum SbfError {
    /// Instruction data too short, too long or of an unknown kind.
    InvalidInstructionData = 1,
    /// The state account is not this program's, not writable or too small.
    InvalidState = 2,
    /// Init on an initialised state, or transact on an uninitialised one.
    WrongStateStatus = 3,
    /// `ext_amount` is `i64::MIN`.
    ExtAmountOutOfRange = 4,
    /// An encrypted output is longer than [`MAX_ENCRYPTED_OUTPUT_LEN`].
    EncryptedOutputTooLarge = 5,
    /// A public value is not a canonical field element.
    NonCanonicalPublicInput = 6,
    /// The root is not one of the recent roots.
    UnknownRoot = 7,
    /// The proof does not verify.
    InvalidProof = 8,
    /// Both nullifiers are the same.
    DuplicateNullifier = 9,
    /// A nullifier was spent before.
    NullifierAlreadySpent = 10,
    /// The nullifier set of the state account is full.
    NullifierSetFull = 11,
    /// The tree is full.
    TreeFull = 12,
}

impl From<SbfError> for ProgramError {
    #[inline(always)]
    fn from(error: SbfError) -> Self {
        ProgramError::Custom(error as u32)
    }
}

/// The state account. Layout (little-endian, no padding): frontier
/// ([`Frontier::SIZE`] bytes), root history ([`RootHistory::SIZE`]), mint
/// (32), asset id (32), initialised flag (u64), nullifier count (u64),
/// nullifiers (`NULLIFIER_CAPACITY` x 32).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct State {
    /// The commitment tree's frontier.
    pub frontier: Frontier,
    /// Recent roots.
    pub history: RootHistory,
    /// The pool's mint (all zero: SOL).
    pub mint: [u8; 32],
    /// Its asset id.
    pub asset_id: [u8; 32],
    /// 1 once initialised.
    pub initialized: u64,
    /// Number of spent nullifiers recorded.
    pub nullifier_count: u64,
    /// The spent nullifiers.
    pub nullifiers: [[u8; 32]; NULLIFIER_CAPACITY],
}

impl State {
    /// Size of the state account.
    pub const SIZE: usize = core::mem::size_of::<State>();
}

/// Offsets of the transact instruction data, after the tag byte and a flags
/// byte: input nullifiers (2 x 32), proof (256, `TransferProof::to_bytes`),
/// root (32), output commitments (2 x 32), ext_amount (i64 LE), fee (u64 LE),
/// then each encrypted output as a u16 LE length and its bytes.
pub struct TransactData;

impl TransactData {
    /// Nullifiers.
    pub const NULLIFIERS: usize = 2;
    /// Proof.
    pub const PROOF: usize = Self::NULLIFIERS + 64;
    /// Root.
    pub const ROOT: usize = Self::PROOF + TransferProof::SIZE;
    /// Output commitments.
    pub const COMMITMENTS: usize = Self::ROOT + 32;
    /// ext_amount.
    pub const EXT_AMOUNT: usize = Self::COMMITMENTS + 64;
    /// fee.
    pub const FEE: usize = Self::EXT_AMOUNT + 8;
    /// First encrypted output's length.
    pub const OUTPUTS: usize = Self::FEE + 8;
}

// Results cross function boundaries as one register: `Ok` is the niche 0
// of `SbfError` (LLVM 22's BPF backend cannot return aggregates, and a
// non-inlined function takes at most 5 arguments).
const _: () = assert!(core::mem::size_of::<Result<(), SbfError>>() == 4);

/// The program's entry.
#[inline(always)]
pub fn process_instruction(
    program_id: &Address,
    accounts: &mut [AccountView],
    data: &[u8],
) -> ProgramResult {
    let result = match data.first() {
        Some(&IX_INIT) => init(program_id, accounts, data),
        Some(&IX_TRANSACT) => transact(program_id, accounts, data),
        Some(&IX_EXTRAS) => extras(program_id, accounts, data),
        Some(&IX_EVENT) => event(accounts),
        _ => Err(SbfError::InvalidInstructionData),
    };
    result.map_err(ProgramError::from)
}

/// The state account's data as [`State`], if it is this program's, writable
/// and large enough.
#[inline(always)]
fn state_mut<'a>(
    program_id: &Address,
    account: &'a mut AccountView,
) -> Result<&'a mut State, SbfError> {
    if !account.owned_by(program_id) || !account.is_writable() || account.data_len() < State::SIZE {
        return Err(SbfError::InvalidState);
    }
    // SAFETY: nothing else borrows this account's data during the
    // instruction.
    let data = unsafe { account.borrow_unchecked_mut() };
    bytemuck::try_from_bytes_mut(&mut data[..State::SIZE]).map_err(|_| SbfError::InvalidState)
}

#[inline(never)]
fn init(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> Result<(), SbfError> {
    let [state, ..] = accounts else {
        return Err(SbfError::InvalidState);
    };
    if data.len() != 33 {
        return Err(SbfError::InvalidInstructionData);
    }
    let mint = field(data, 1)?;
    let state = state_mut(program_id, state)?;
    if state.initialized != 0 {
        return Err(SbfError::WrongStateStatus);
    }
    state.frontier = Frontier::new();
    let root = state.frontier.root();
    state.history.push(&root);
    state.mint = *mint;
    state.asset_id = asset_id(mint);
    state.initialized = 1;
    Ok(())
}

/// Logs the remaining compute units when `on`.
#[inline(always)]
fn checkpoint(on: bool) {
    if on {
        #[cfg(any(target_os = "solana", target_arch = "bpf"))]
        // SAFETY: the syscall takes no arguments.
        unsafe {
            pinocchio::syscalls::sol_log_compute_units_()
        };
    }
}

/// The 32 bytes at `at`.
#[inline(always)]
fn field(data: &[u8], at: usize) -> Result<&[u8; 32], SbfError> {
    data.get(at..at + 32)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(SbfError::InvalidInstructionData)
}

/// The 8 bytes at `at`.
#[inline(always)]
fn word(data: &[u8], at: usize) -> Result<[u8; 8], SbfError> {
    data.get(at..at + 8)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(SbfError::InvalidInstructionData)
}

/// The encrypted output at `at` (u16 LE length, then the bytes) and the
/// offset after it.
#[inline(always)]
fn encrypted_output(data: &[u8], at: usize) -> Result<(&[u8], usize), SbfError> {
    let len = data
        .get(at..at + 2)
        .map(|bytes| u16::from_le_bytes([bytes[0], bytes[1]]) as usize)
        .ok_or(SbfError::InvalidInstructionData)?;
    if len > MAX_ENCRYPTED_OUTPUT_LEN {
        return Err(SbfError::EncryptedOutputTooLarge);
    }
    let start = at + 2;
    let bytes = data
        .get(start..start + len)
        .ok_or(SbfError::InvalidInstructionData)?;
    Ok((bytes, start + len))
}

/// The transact instruction's data, borrowed.
struct Transact<'a> {
    log: bool,
    nullifiers: [&'a [u8; 32]; 2],
    proof: &'a [u8; TransferProof::SIZE],
    root: &'a [u8; 32],
    commitments: [&'a [u8; 32]; 2],
    ext_amount: i64,
    fee: u64,
    outputs: [&'a [u8]; 2],
    recipient: [u8; 32],
    relayer: [u8; 32],
}

#[inline(never)]
fn transact(
    program_id: &Address,
    accounts: &mut [AccountView],
    data: &[u8],
) -> Result<(), SbfError> {
    let log = data.get(1).is_some_and(|flags| flags & FLAG_LOG_STEPS != 0);
    // Calibration: two checkpoints in a row measure one checkpoint's cost.
    checkpoint(log);
    checkpoint(log);

    let [state, recipient, relayer, ..] = accounts else {
        return Err(SbfError::InvalidState);
    };
    let (output_0, at) = encrypted_output(data, TransactData::OUTPUTS)?;
    let (output_1, end) = encrypted_output(data, at)?;
    if end != data.len() {
        return Err(SbfError::InvalidInstructionData);
    }
    let proof = data
        .get(TransactData::PROOF..TransactData::ROOT)
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(SbfError::InvalidInstructionData)?;
    let ix = Transact {
        log,
        nullifiers: [
            field(data, TransactData::NULLIFIERS)?,
            field(data, TransactData::NULLIFIERS + 32)?,
        ],
        proof,
        root: field(data, TransactData::ROOT)?,
        commitments: [
            field(data, TransactData::COMMITMENTS)?,
            field(data, TransactData::COMMITMENTS + 32)?,
        ],
        ext_amount: i64::from_le_bytes(word(data, TransactData::EXT_AMOUNT)?),
        fee: u64::from_le_bytes(word(data, TransactData::FEE)?),
        outputs: [output_0, output_1],
        recipient: recipient.address().to_bytes(),
        relayer: relayer.address().to_bytes(),
    };
    if ix.ext_amount == i64::MIN {
        return Err(SbfError::ExtAmountOutOfRange);
    }
    // Checked before the handler in the Anchor program (account constraint).
    if ix.nullifiers[0] == ix.nullifiers[1] {
        return Err(SbfError::DuplicateNullifier);
    }
    let state = state_mut(program_id, state)?;
    if state.initialized != 1 {
        return Err(SbfError::WrongStateStatus);
    }
    checkpoint(log); // parse

    let mut public_inputs = TransferPublicInputs::default();
    bind(state, &ix, &mut public_inputs)?;
    verify(&ix, &public_inputs)?;
    spend(state, &ix)?;
    append(state, &ix)
}

/// Steps 1 to 3: the public inputs from the instruction and the state
/// (external-data hash, public amount), all canonical, the root known.
#[inline(never)]
fn bind(
    state: &State,
    ix: &Transact,
    public_inputs: &mut TransferPublicInputs,
) -> Result<(), SbfError> {
    let ext_data = ExtData {
        recipient: ix.recipient,
        relayer: ix.relayer,
        ext_amount: ix.ext_amount,
        fee: ix.fee,
        mint: state.mint,
        encrypted_outputs: ix.outputs,
    };
    *public_inputs = TransferPublicInputs {
        root: *ix.root,
        public_amount: public_amount(ix.ext_amount, ix.fee),
        ext_data_hash: ext_data.hash(),
        asset_id: state.asset_id,
        input_nullifiers: [*ix.nullifiers[0], *ix.nullifiers[1]],
        output_commitments: [*ix.commitments[0], *ix.commitments[1]],
    };
    checkpoint(ix.log); // ext-data hash

    // 2. Canonical public values.
    public_inputs
        .check_canonical()
        .map_err(|_| SbfError::NonCanonicalPublicInput)?;
    // 3. A recent root.
    if !state.history.contains(ix.root) {
        return Err(SbfError::UnknownRoot);
    }
    checkpoint(ix.log); // canonical + root lookup
    Ok(())
}

/// Step 4: the proof.
#[inline(never)]
fn verify(ix: &Transact, public_inputs: &TransferPublicInputs) -> Result<(), SbfError> {
    if ix.log {
        // Breakdown only: the Poseidon hash of the eight public values on its
        // own (verify_transfer computes it again).
        public_inputs
            .hash()
            .map_err(|_| SbfError::NonCanonicalPublicInput)?;
        checkpoint(ix.log); // public-input hash
    }
    verify_transfer(&TransferProof::from_bytes(ix.proof), public_inputs).map_err(|error| {
        match error {
            VerifyError::NonCanonical(_) | VerifyError::Hash(_) => {
                SbfError::NonCanonicalPublicInput
            }
            VerifyError::InvalidProof => SbfError::InvalidProof,
        }
    })?;
    checkpoint(ix.log); // verify_transfer
    Ok(())
}

/// Step 5: both nullifiers unspent, then recorded.
#[inline(never)]
fn spend(state: &mut State, ix: &Transact) -> Result<(), SbfError> {
    let [n0, n1] = ix.nullifiers;
    let count = state.nullifier_count as usize;
    let spent = state
        .nullifiers
        .get(..count)
        .ok_or(SbfError::InvalidState)?;
    if spent.iter().any(|known| known == n0 || known == n1) {
        return Err(SbfError::NullifierAlreadySpent);
    }
    if count + 2 > NULLIFIER_CAPACITY {
        return Err(SbfError::NullifierSetFull);
    }
    state.nullifiers[count] = *n0;
    state.nullifiers[count + 1] = *n1;
    state.nullifier_count = (count + 2) as u64;
    checkpoint(ix.log); // nullifiers
    Ok(())
}

/// Step 6: append the outputs, remember the new root.
#[inline(never)]
fn append(state: &mut State, ix: &Transact) -> Result<(), SbfError> {
    state
        .frontier
        .append_pair(ix.commitments[0], ix.commitments[1])
        .map_err(|_| SbfError::TreeFull)?;
    let new_root = state.frontier.root();
    state.history.push(&new_root);
    checkpoint(ix.log); // tree append + root push
    Ok(())
}

/// The system program's id.
const SYSTEM_PROGRAM: Address = Address::new_from_array([0u8; 32]);

/// Instruction 2: the Anchor instruction's work around the core (see the
/// crate documentation), for a measured estimate of the whole instruction.
#[inline(never)]
fn extras(program_id: &Address, accounts: &mut [AccountView], data: &[u8]) -> Result<(), SbfError> {
    use pinocchio::cpi::{invoke_signed, Seed, Signer};
    use pinocchio::instruction::{InstructionAccount, InstructionView};

    let log = data.get(1).is_some_and(|flags| flags & FLAG_LOG_STEPS != 0);
    checkpoint(log);
    checkpoint(log);
    let [payer, state, pda_0, pda_1, vault, event_authority, _system, program, ..] = accounts
    else {
        return Err(SbfError::InvalidState);
    };
    let nullifiers = [field(data, 2)?, field(data, 34)?];
    let rent = u64::from_le_bytes(word(data, 66)?);
    let deposit = u64::from_le_bytes(word(data, 74)?);
    let event_data = data.get(82..).ok_or(SbfError::InvalidInstructionData)?;
    let pool = state.address().to_bytes();

    // Nullifier PDAs: derive (as Anchor's `seeds, bump` constraint does),
    // check free, create with 0 bytes, owned by this program.
    for (pda, nullifier) in [&*pda_0, &*pda_1].into_iter().zip(nullifiers) {
        let (address, bump) =
            Address::find_program_address(&[NULLIFIER_SEED, &pool, nullifier], program_id);
        if *pda.address() != address || pda.lamports() != 0 {
            return Err(SbfError::NullifierAlreadySpent);
        }
        let mut create = [0u8; 52];
        create[..4].copy_from_slice(&0u32.to_le_bytes());
        create[4..12].copy_from_slice(&rent.to_le_bytes());
        create[12..20].copy_from_slice(&0u64.to_le_bytes());
        create[20..].copy_from_slice(program_id.as_ref());
        let metas = [
            InstructionAccount::writable_signer(payer.address()),
            InstructionAccount::writable_signer(pda.address()),
        ];
        let instruction = InstructionView {
            program_id: &SYSTEM_PROGRAM,
            data: &create,
            accounts: &metas,
        };
        let bump = [bump];
        let seeds = [
            Seed::from(NULLIFIER_SEED),
            Seed::from(&pool),
            Seed::from(nullifier),
            Seed::from(&bump),
        ];
        invoke_signed(&instruction, &[&*payer, pda], &[Signer::from(&seeds)])
            .map_err(|_| SbfError::InvalidState)?;
    }
    checkpoint(log); // two nullifier PDAs

    // The deposit into the vault.
    if deposit > 0 {
        let mut transfer = [0u8; 12];
        transfer[..4].copy_from_slice(&2u32.to_le_bytes());
        transfer[4..].copy_from_slice(&deposit.to_le_bytes());
        let metas = [
            InstructionAccount::writable_signer(payer.address()),
            InstructionAccount::writable(vault.address()),
        ];
        let instruction = InstructionView {
            program_id: &SYSTEM_PROGRAM,
            data: &transfer,
            accounts: &metas,
        };
        invoke_signed(&instruction, &[&*payer, &*vault], &[])
            .map_err(|_| SbfError::InvalidState)?;
    }
    checkpoint(log); // deposit

    // The event, as Anchor's `emit_cpi!`: a self-CPI signed by the event
    // authority PDA, the event bytes as its data.
    let (authority, bump) = Address::find_program_address(&[EVENT_AUTHORITY_SEED], program_id);
    if *event_authority.address() != authority || *program.address() != *program_id {
        return Err(SbfError::InvalidState);
    }
    let metas = [InstructionAccount::readonly_signer(
        event_authority.address(),
    )];
    let instruction = InstructionView {
        program_id,
        data: event_data,
        accounts: &metas,
    };
    let bump = [bump];
    let seeds = [Seed::from(EVENT_AUTHORITY_SEED), Seed::from(&bump)];
    invoke_signed(&instruction, &[&*event_authority], &[Signer::from(&seeds)])
        .map_err(|_| SbfError::InvalidState)?;
    checkpoint(log); // event self-CPI
    Ok(())
}

/// Instruction 3: the event's self-CPI target; only the event authority may
/// sign it.
#[inline(never)]
fn event(accounts: &mut [AccountView]) -> Result<(), SbfError> {
    match accounts {
        [authority, ..] if authority.is_signer() => Ok(()),
        _ => Err(SbfError::InvalidState),
    }
}
