//! `transact`: the accounts checked as the Anchor entry's `Transact` checks
//! them, then `zkpay_core::program::settle::transact` over [`SbfLedger`].
//!
//! Accounts, in order: payer (signer, writable), pool (writable), tree (writable),
//! vault (writable), nullifier page 0 and 1 (writable; the live pages
//! covering the two nullifiers, possibly one account twice), recipient
//! (writable), relayer (writable), mint (optional), depositor token account
//! (optional, writable), SPL Token program (optional), system program,
//! event authority, this program.

use pinocchio::cpi::{Seed, Signer};
use pinocchio::{AccountView, Address};
use zkpay_core::error::{FrameworkError, ZkpayError};
use zkpay_core::field::FieldBytes;
use zkpay_core::program::ids::{
    EVENT_AUTHORITY, NULLIFIER_PAGE_DISCRIMINATOR, POOL_DISCRIMINATOR, POOL_SEED,
    SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID, TREE_DISCRIMINATOR,
};
use zkpay_core::program::instruction::TransactData;
use zkpay_core::program::nullifier_page::{self, NullifierPage};
use zkpay_core::program::settle::{self, Ledger, Payee};
use zkpay_core::program::state::{AssetKind, PoolState, TreeState};
use zkpay_core::program::token::token_balance;

use crate::accounts::{account, at, data_mut, optional, rent_exempt_minimum, signer, typed, writable};
use crate::cpi::{transfer, transfer_tokens};
use crate::error::{Failure, Result};

/// Checks the accounts and settles the transfer.
#[inline(never)]
pub fn process(program_id: &Address, accounts: &mut [AccountView], args: &[u8]) -> Result<()> {
    let ix = TransactData::parse(args).map_err(Failure::from)?;
    let mut ledger = SbfLedger::new(program_id, accounts)?;
    settle::transact(&mut ledger, &ix)
}

/// The accounts of one `transact`, checked.
pub struct SbfLedger<'a> {
    program_id: &'a Address,
    payer: AccountView,
    pool_address: [u8; 32],
    pool: PoolState,
    pool_view: AccountView,
    tree_address: [u8; 32],
    tree: &'a mut TreeState,
    vault: AccountView,
    pages: [AccountView; 2],
    recipient: AccountView,
    relayer: AccountView,
    mint: Option<AccountView>,
    depositor_token: Option<AccountView>,
    token_program: bool,
    event_authority: AccountView,
}

impl<'a> SbfLedger<'a> {
    /// Checks the accounts as the Anchor entry does, in its order and with
    /// its codes: first each account's type in order (a missing account
    /// fails where it is missing), then the constraints in order, then the
    /// event CPI's program account.
    #[inline(always)]
    fn new(program_id: &'a Address, accounts: &'a [AccountView]) -> Result<Self> {
        let get = |index| account(accounts, index);
        // Types.
        let payer = get(0)?;
        signer(payer)?;
        let pool = get(1)?;
        typed(pool, program_id, &POOL_DISCRIMINATOR, PoolState::SPACE)?;
        let tree = get(2)?;
        typed(tree, program_id, &TREE_DISCRIMINATOR, TreeState::SPACE)?;
        let [vault, page_0, page_1, recipient, relayer] =
            [get(3)?, get(4)?, get(5)?, get(6)?, get(7)?];
        for page in [page_0, page_1] {
            typed(page, program_id, &NULLIFIER_PAGE_DISCRIMINATOR, NullifierPage::SPACE)?;
        }
        let mint = optional(get(8)?, program_id);
        let depositor_token = optional(get(9)?, program_id);
        let token_program = optional(get(10)?, program_id);
        at(get(11)?, &SYSTEM_PROGRAM_ID, FrameworkError::InvalidProgramId)?;
        let event_authority = get(12)?;
        let program = get(13)?;

        // Constraints.
        writable(payer)?;
        writable(pool)?;
        writable(tree)?;
        writable(vault)?;
        let pool_address = pool.address().to_bytes();
        writable(page_0)?;
        writable(page_1)?;
        writable(recipient)?;
        writable(relayer)?;
        if let Some(account) = depositor_token {
            writable(account)?;
        }
        if let Some(account) = token_program {
            at(account, &TOKEN_PROGRAM_ID, FrameworkError::ConstraintAddress)?;
        }
        at(event_authority, &EVENT_AUTHORITY.0, FrameworkError::ConstraintAddress)?;
        at(program, program_id.as_array(), FrameworkError::InvalidProgramId)?;

        // SAFETY: checked above to be this program's pool, of the pool's
        // size; read once, copied.
        let pool_state = *PoolState::from_account_data(unsafe { pool.borrow_unchecked() })
            .ok_or(Failure::from(FrameworkError::AccountDidNotDeserialize))?;
        // SAFETY: the runtime's buffer of the tree's data outlives the
        // instruction, and this is the only reference to it while the
        // instruction runs (the pool, holding another discriminator, is
        // another account; the CPIs do not take the tree).
        let tree_data = unsafe { data_mut(tree) };
        let tree_state = TreeState::from_account_data_mut(tree_data)
            .ok_or(Failure::from(FrameworkError::AccountDidNotDeserialize))?;
        Ok(SbfLedger {
            program_id,
            payer: payer.clone(),
            pool_address,
            pool: pool_state,
            pool_view: pool.clone(),
            tree_address: tree.address().to_bytes(),
            tree: tree_state,
            vault: vault.clone(),
            pages: [page_0.clone(), page_1.clone()],
            recipient: recipient.clone(),
            relayer: relayer.clone(),
            mint: mint.cloned(),
            depositor_token: depositor_token.cloned(),
            token_program: token_program.is_some(),
            event_authority: event_authority.clone(),
        })
    }

    /// The account paid for `to`.
    #[inline(always)]
    fn payee(&self, to: Payee) -> &AccountView {
        match to {
            Payee::Recipient => &self.recipient,
            Payee::Relayer => &self.relayer,
        }
    }
}

impl Ledger for SbfLedger<'_> {
    type Error = Failure;

    #[inline(always)]
    fn pool_address(&self) -> &[u8; 32] {
        &self.pool_address
    }

    #[inline(always)]
    fn pool(&self) -> &PoolState {
        &self.pool
    }

    #[inline(always)]
    fn tree_address(&self) -> &[u8; 32] {
        &self.tree_address
    }

    #[inline(always)]
    fn tree(&mut self) -> &mut TreeState {
        self.tree
    }

    #[inline(always)]
    fn vault_address(&self) -> &[u8; 32] {
        self.vault.address().as_array()
    }

    #[inline(always)]
    fn recipient(&self) -> &[u8; 32] {
        self.recipient.address().as_array()
    }

    #[inline(always)]
    fn relayer(&self) -> &[u8; 32] {
        self.relayer.address().as_array()
    }

    #[inline(always)]
    fn mint_account(&self) -> Option<&[u8; 32]> {
        self.mint.as_ref().map(|mint| mint.address().as_array())
    }

    #[inline(always)]
    fn has_token_program(&self) -> bool {
        self.token_program
    }

    #[inline(always)]
    fn has_depositor_token(&self) -> bool {
        self.depositor_token.is_some()
    }

    #[inline(always)]
    fn spend_nullifier(&mut self, index: usize, nullifier: &FieldBytes) -> Result<()> {
        // SAFETY: checked in `new` to be this program's page; the only
        // reference to its data while it lives (two indices may name one
        // account: each reference ends here).
        let data = unsafe { data_mut(&self.pages[index]) };
        let page = NullifierPage::from_account_data_mut(data)
            .ok_or(Failure::from(FrameworkError::AccountDidNotDeserialize))?;
        Ok(nullifier_page::spend(page, &self.pool_address, nullifier)?)
    }

    #[inline(always)]
    fn pay_storage_fee(&mut self, amount: u64) -> Result<()> {
        transfer(&self.payer, &self.pool_view, amount)
    }

    #[inline(always)]
    fn deposit(&mut self, amount: u64) -> Result<()> {
        match self.pool.asset_kind() {
            AssetKind::Sol => transfer(&self.payer, &self.vault, amount),
            AssetKind::SplToken => {
                let (Some(from), Some(mint)) = (&self.depositor_token, &self.mint) else {
                    return Err(ZkpayError::InvalidTokenAccounts.into());
                };
                transfer_tokens([from, mint, &self.vault, &self.payer], amount, self.pool.decimals, &[])
            }
        }
    }

    #[inline(always)]
    fn vault_available(&self) -> Result<u64> {
        match self.pool.asset_kind() {
            AssetKind::Sol => Ok(self
                .vault
                .lamports()
                .saturating_sub(rent_exempt_minimum(0)?)),
            AssetKind::SplToken => {
                // SAFETY: read only, no mutable borrow of the vault is live.
                let data = unsafe { self.vault.borrow_unchecked() };
                Ok(token_balance(self.vault.owner().as_array(), data)?)
            }
        }
    }

    #[inline(always)]
    fn pay_out(&mut self, to: Payee, amount: u64) -> Result<()> {
        match self.pool.asset_kind() {
            AssetKind::Sol => {
                let mut vault = self.vault.clone();
                let mut payee = self.payee(to).clone();
                let left = vault
                    .lamports()
                    .checked_sub(amount)
                    .ok_or(Failure::from(ZkpayError::InsufficientVaultBalance))?;
                vault.set_lamports(left);
                let credited = payee
                    .lamports()
                    .checked_add(amount)
                    .ok_or(Failure::from(pinocchio::error::ProgramError::ArithmeticOverflow))?;
                payee.set_lamports(credited);
                Ok(())
            }
            AssetKind::SplToken => {
                let Some(mint) = &self.mint else {
                    return Err(ZkpayError::InvalidTokenAccounts.into());
                };
                let bump = [self.pool.bump];
                let seeds = [
                    Seed::from(POOL_SEED),
                    Seed::from(&self.pool.mint),
                    Seed::from(&bump),
                ];
                transfer_tokens(
                    [&self.vault, mint, self.payee(to), &self.pool_view],
                    amount,
                    self.pool.decimals,
                    &[Signer::from(&seeds)],
                )
            }
        }
    }

    #[inline(always)]
    fn emit(&mut self, data: &[u8]) -> Result<()> {
        crate::event::emit(self.program_id, &self.event_authority, data)
    }

    #[cfg(feature = "cu-steps")]
    #[inline(always)]
    fn step(&mut self, _step: settle::Step) {
        settle::log_compute_units();
    }
}
