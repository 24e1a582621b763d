//! The settlement of one `transact`, written once for both builds of the
//! program against [`Ledger`], the few account operations that differ
//! between them (creating accounts and moving funds through CPIs).
//!
//! Steps, in this order (each failure leaves every account as it was; the
//! runtime discards the writes of a failed instruction):
//! 1. argument checks: `ext_amount != i64::MIN`, each encrypted output at
//!    most [`MAX_ENCRYPTED_OUTPUT_LEN`] bytes, two different nullifiers;
//! 2. account links: the tree is the pool's and the pool's tree is this
//!    tree, the vault is the pool's; SPL pools: the pool's mint and the
//!    token program; SOL pools: no token accounts;
//! 3. the external-data hash from the accounts and data passed (recipient,
//!    relayer, amounts, the pool's mint, encrypted outputs) and the public
//!    amount `ext_amount - fee`;
//! 4. every public value a canonical field element;
//! 5. the root one of the tree's recent roots;
//! 6. the Groth16 proof verifies against the embedded verifying key;
//! 7. both nullifiers recorded in the live nullifier pages covering them
//!    ([`super::nullifier_page`]: a nullifier spent before fails the whole
//!    instruction, as does a page that does not cover it or is full), and
//!    [`NULLIFIER_STORAGE_FEE`] paid by the payer into the pool account,
//!    the reserve that funds page splits;
//! 8. both output commitments appended to the tree, the new root recorded;
//!    except for an *exit* on a full tree (a withdrawal whose two encrypted
//!    outputs are both empty, which a wallet sends only with zero-value
//!    outputs): it appends nothing, so funds never stay locked in a pool
//!    whose tree is full. Its event carries `first_leaf_index` = the tree's
//!    capacity (no leaves) and the unchanged root. Anything else on a full
//!    tree fails with `TreeFull`;
//! 9. funds moved: a deposit from the payer into the vault, then the
//!    withdrawal to the recipient and the fee to the relayer, which the
//!    vault must cover;
//! 10. the [`SettledRef`] event emitted.

use super::event::{SettledRef, MAX_EVENT_LEN};
use super::ids::MAX_ENCRYPTED_OUTPUT_LEN;
use super::instruction::TransactData;
use super::nullifier_page::NULLIFIER_STORAGE_FEE;
use super::state::{AssetKind, PoolState, TreeState};
use crate::constants::TREE_CAPACITY;
use crate::error::ZkpayError;
use crate::ext_data::ExtData;
use crate::field::{public_amount, FieldBytes};
use crate::proof::TransferProof;
use crate::public_inputs::TransferPublicInputs;
use crate::tree::TreeError;
use crate::verifier::{verify_transfer, VerifyError};

/// Who is paid out of the vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payee {
    /// The withdrawal's recipient account.
    Recipient,
    /// The relayer's account (the fee).
    Relayer,
}

/// What settlement needs from the accounts of a `transact`, implemented by
/// each build of the program over its own account types.
pub trait Ledger {
    /// The build's error, which a [`ZkpayError`] converts into (CPI failures
    /// keep their own cause).
    type Error: From<ZkpayError>;

    /// The pool account's address.
    fn pool_address(&self) -> &[u8; 32];
    /// The pool's state.
    fn pool(&self) -> &PoolState;
    /// The tree account's address.
    fn tree_address(&self) -> &[u8; 32];
    /// The pool's tree, writable.
    fn tree(&mut self) -> &mut TreeState;
    /// The vault account's address.
    fn vault_address(&self) -> &[u8; 32];
    /// The recipient account's address.
    fn recipient(&self) -> &[u8; 32];
    /// The relayer account's address.
    fn relayer(&self) -> &[u8; 32];
    /// The mint account passed, if any.
    fn mint_account(&self) -> Option<&[u8; 32]>;
    /// Whether the SPL Token program was passed.
    fn has_token_program(&self) -> bool;
    /// Whether a depositor token account was passed.
    fn has_depositor_token(&self) -> bool;
    /// Records nullifier `index` (0 or 1) as spent in the page passed for it
    /// ([`super::nullifier_page::spend`]); fails with
    /// [`ZkpayError::NullifierAlreadySpent`] if it was spent before.
    fn spend_nullifier(&mut self, index: usize, nullifier: &FieldBytes) -> Result<(), Self::Error>;
    /// Moves `amount` lamports from the payer into the pool account.
    fn pay_storage_fee(&mut self, amount: u64) -> Result<(), Self::Error>;
    /// Moves `amount` from the payer into the vault.
    fn deposit(&mut self, amount: u64) -> Result<(), Self::Error>;
    /// What the vault can pay out.
    fn vault_available(&self) -> Result<u64, Self::Error>;
    /// Pays `amount` out of the vault to `to`.
    fn pay_out(&mut self, to: Payee, amount: u64) -> Result<(), Self::Error>;
    /// Emits the event instruction `data` as a self-CPI.
    fn emit(&mut self, data: &[u8]) -> Result<(), Self::Error>;
    /// Called as `step` begins and once more at the end
    /// ([`Step::Done`]): the SBF build's `cu-steps` feature logs the compute
    /// units left there, for the per-step breakdown; nothing otherwise.
    #[inline(always)]
    fn step(&mut self, _step: Step) {}
}

/// The metered steps of [`transact`], in order (the module documentation's
/// numbers in brackets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Argument and account-link checks (1, 2).
    Checks,
    /// The external-data hash, canonical public inputs, the root (3 to 5).
    PublicInputs,
    /// The Groth16 verification (6).
    Proof,
    /// Both nullifiers recorded in their pages (7).
    Nullifiers,
    /// The storage fee into the reserve (7).
    StorageFee,
    /// The tree append and the new root (8).
    Append,
    /// Deposit, withdrawal and fee moved (9).
    Funds,
    /// The event's self-CPI (10).
    Event,
    /// The end of the settlement.
    Done,
}

impl Step {
    /// Every step, in the order [`transact`] takes them.
    pub const ALL: [Step; 9] = [
        Step::Checks,
        Step::PublicInputs,
        Step::Proof,
        Step::Nullifiers,
        Step::StorageFee,
        Step::Append,
        Step::Funds,
        Step::Event,
        Step::Done,
    ];

    /// A short name, as the `cu-step` lines print it.
    pub fn name(self) -> &'static str {
        match self {
            Step::Checks => "checks",
            Step::PublicInputs => "public_inputs",
            Step::Proof => "groth16",
            Step::Nullifiers => "nullifiers",
            Step::StorageFee => "storage_fee",
            Step::Append => "tree_append",
            Step::Funds => "funds",
            Step::Event => "event",
            Step::Done => "done",
        }
    }
}

/// Logs the compute units left (the `sol_log_compute_units` syscall): what
/// the SBF build's `cu-steps` feature does at each [`Step`].
#[cfg(any(target_os = "solana", target_arch = "bpf"))]
pub fn log_compute_units() {
    // SAFETY: a syscall without arguments or memory access.
    unsafe { solana_define_syscall::definitions::sol_log_compute_units_() }
}

/// Settles `ix` on `ledger`; see the module documentation for the steps.
#[inline(always)]
pub fn transact<L: Ledger>(ledger: &mut L, ix: &TransactData) -> Result<(), L::Error> {
    ledger.step(Step::Checks);
    check_arguments(ix)?;
    check_links(ledger)?;
    ledger.step(Step::PublicInputs);
    let public_inputs = bind(ledger, ix)?;
    ledger.step(Step::Proof);
    verify(ix, &public_inputs)?;
    ledger.step(Step::Nullifiers);
    ledger.spend_nullifier(0, ix.input_nullifiers[0])?;
    ledger.spend_nullifier(1, ix.input_nullifiers[1])?;
    ledger.step(Step::StorageFee);
    ledger.pay_storage_fee(NULLIFIER_STORAGE_FEE)?;
    ledger.step(Step::Append);
    let first_leaf_index = ledger.tree().frontier.next_index();
    if !is_exit_on_full_tree(first_leaf_index, ix) {
        append(ledger.tree(), ix)?;
    }
    ledger.step(Step::Funds);
    move_funds(ledger, ix.ext_amount, ix.fee)?;
    ledger.step(Step::Event);
    let root = ledger.tree().frontier.root();
    let event = SettledRef {
        pool: ledger.pool_address(),
        first_leaf_index,
        commitments: ix.output_commitments,
        nullifiers: ix.input_nullifiers,
        root: &root,
        encrypted_outputs: ix.encrypted_outputs,
    };
    let mut data = [0u8; MAX_EVENT_LEN];
    let len = event.encode(&mut data);
    ledger.emit(&data[..len])?;
    ledger.step(Step::Done);
    Ok(())
}

/// Step 1.
#[inline(always)]
fn check_arguments(ix: &TransactData) -> Result<(), ZkpayError> {
    if ix.ext_amount == i64::MIN {
        return Err(ZkpayError::ExtAmountOutOfRange);
    }
    if ix
        .encrypted_outputs
        .iter()
        .any(|output| output.len() > MAX_ENCRYPTED_OUTPUT_LEN)
    {
        return Err(ZkpayError::EncryptedOutputTooLarge);
    }
    if ix.input_nullifiers[0] == ix.input_nullifiers[1] {
        return Err(ZkpayError::DuplicateNullifier);
    }
    Ok(())
}

/// Step 2.
#[inline(always)]
fn check_links<L: Ledger>(ledger: &mut L) -> Result<(), ZkpayError> {
    let pool = *ledger.pool();
    let pool_address = *ledger.pool_address();
    if pool.tree != *ledger.tree_address() || ledger.tree().pool != pool_address {
        return Err(ZkpayError::WrongTree);
    }
    if pool.vault != *ledger.vault_address() {
        return Err(ZkpayError::WrongVault);
    }
    let token_accounts_right = match pool.asset_kind() {
        AssetKind::SplToken => {
            ledger.mint_account() == Some(&pool.mint) && ledger.has_token_program()
        }
        // One encoding per instruction: a SOL pool takes no token accounts.
        AssetKind::Sol => {
            ledger.mint_account().is_none()
                && !ledger.has_token_program()
                && !ledger.has_depositor_token()
        }
    };
    if !token_accounts_right {
        return Err(ZkpayError::InvalidTokenAccounts);
    }
    Ok(())
}

/// Steps 3 to 5: the public inputs, all canonical, the root known.
#[inline(always)]
fn bind<L: Ledger>(ledger: &mut L, ix: &TransactData) -> Result<TransferPublicInputs, ZkpayError> {
    let pool = ledger.pool();
    let ext_data = ExtData {
        recipient: *ledger.recipient(),
        relayer: *ledger.relayer(),
        ext_amount: ix.ext_amount,
        fee: ix.fee,
        mint: pool.mint,
        encrypted_outputs: ix.encrypted_outputs,
    };
    let public_inputs = TransferPublicInputs {
        root: *ix.root,
        public_amount: public_amount(ix.ext_amount, ix.fee),
        ext_data_hash: ext_data.hash(),
        asset_id: pool.asset_id,
        input_nullifiers: [*ix.input_nullifiers[0], *ix.input_nullifiers[1]],
        output_commitments: [*ix.output_commitments[0], *ix.output_commitments[1]],
    };
    public_inputs
        .check_canonical()
        .map_err(|_| ZkpayError::NonCanonicalPublicInput)?;
    if !ledger.tree().history.contains(ix.root) {
        return Err(ZkpayError::UnknownRoot);
    }
    Ok(public_inputs)
}

/// Step 6.
#[inline(never)]
fn verify(ix: &TransactData, public_inputs: &TransferPublicInputs) -> Result<(), ZkpayError> {
    verify_transfer(&TransferProof::from_bytes(ix.proof), public_inputs).map_err(
        |error| match error {
            VerifyError::NonCanonical(_) => ZkpayError::NonCanonicalPublicInput,
            VerifyError::Hash(_) => ZkpayError::HashFailed,
            VerifyError::InvalidProof => ZkpayError::InvalidProof,
            VerifyError::NonCanonicalProof => ZkpayError::NonCanonicalProof,
        },
    )
}

/// Step 8.
#[inline(never)]
fn append(tree: &mut TreeState, ix: &TransactData) -> Result<(), ZkpayError> {
    let [left, right] = ix.output_commitments;
    tree.frontier
        .append_pair(left, right)
        .map_err(|error| match error {
            TreeError::Full => ZkpayError::TreeFull,
            TreeError::UnalignedPair { .. } => ZkpayError::TreeCorrupt,
            TreeError::Hash(_) => ZkpayError::HashFailed,
        })?;
    let root = tree.frontier.root();
    tree.history.push(&root);
    Ok(())
}

/// Step 8's exception: a withdrawal with both encrypted outputs empty, on
/// a tree with no room left. The outputs are bound into the proof through
/// the external-data hash, so nobody but the prover can make a transaction
/// an exit, and a withdrawal that carries outputs is never turned into one
/// when the tree fills before it lands (it fails with `TreeFull` instead).
#[inline(always)]
fn is_exit_on_full_tree(next_index: u64, ix: &TransactData) -> bool {
    next_index + 2 > TREE_CAPACITY
        && ix.ext_amount < 0
        && ix.encrypted_outputs.iter().all(|output| output.is_empty())
}

/// Step 9.
#[inline(always)]
fn move_funds<L: Ledger>(ledger: &mut L, ext_amount: i64, fee: u64) -> Result<(), L::Error> {
    let deposit = u64::try_from(ext_amount).unwrap_or(0);
    let withdrawal = if ext_amount < 0 {
        ext_amount.unsigned_abs()
    } else {
        0
    };
    let outflow = withdrawal
        .checked_add(fee)
        .ok_or(ZkpayError::ExtAmountOutOfRange)?;
    if deposit > 0 {
        ledger.deposit(deposit)?;
    }
    if ledger.vault_available()? < outflow {
        return Err(ZkpayError::InsufficientVaultBalance.into());
    }
    if withdrawal > 0 {
        ledger.pay_out(Payee::Recipient, withdrawal)?;
    }
    if fee > 0 {
        ledger.pay_out(Payee::Relayer, fee)?;
    }
    Ok(())
}

/// The state of a new pool's tree: empty, its root the first recent root.
pub fn initialize_tree(tree: &mut TreeState, pool: &[u8; 32]) {
    tree.pool = *pool;
    tree.frontier = crate::tree::Frontier::new();
    let root = tree.frontier.root();
    tree.history.push(&root);
}

/// The mint account passed to `initialize_pool`: address, owner, data.
pub type MintAccount<'a> = (&'a [u8; 32], &'a [u8; 32], &'a [u8]);

/// The asset of a new pool for `mint` and its decimals: SOL for the all-zero
/// mint, else an initialised SPL mint, whose account (`mint_account`) and
/// the token program must be passed.
pub fn pool_asset(
    mint: &[u8; 32],
    mint_account: Option<MintAccount>,
    has_token_program: bool,
) -> Result<(AssetKind, u8), ZkpayError> {
    if *mint == crate::asset::NATIVE_SOL_MINT {
        return Ok((AssetKind::Sol, 9));
    }
    let Some((address, owner, data)) = mint_account else {
        return Err(ZkpayError::InvalidTokenAccounts);
    };
    if !has_token_program {
        return Err(ZkpayError::InvalidTokenAccounts);
    }
    if address != mint {
        return Err(ZkpayError::InvalidMint);
    }
    let decimals = super::token::mint_decimals(owner, data)?;
    Ok((AssetKind::SplToken, decimals))
}
