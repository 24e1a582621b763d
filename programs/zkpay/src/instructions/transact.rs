//! `transact`: settles one deposit, private transfer or withdrawal.
//!
//! Anchor checks the accounts below (signer, owners and types of the pool,
//! the tree and the nullifier pages, the program accounts); then
//! `zkpay_core::program::settle::transact` runs every settlement step, the
//! same code as the SBF build:
//! 1. argument checks (`ext_amount`, ciphertext sizes, distinct nullifiers);
//! 2. the tree and pool belong to each other, the vault is the pool's;
//! 3. the external-data hash and public amount from what was passed;
//! 4. every public value canonical;
//! 5. the root one of the tree's recent roots;
//! 6. the Groth16 proof;
//! 7. both nullifiers recorded in their pages (one held already: spent),
//!    the storage fee paid into the pool account;
//! 8. both commitments appended, the new root recorded;
//! 9. funds moved (deposit in; withdrawal and fee out);
//! 10. the `Settled` event emitted as a self-CPI.

use core::cell::RefMut;

use anchor_lang::prelude::*;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::program::invoke_signed;
use zkpay_core::error::ZkpayError as CoreError;
use zkpay_core::field::FieldBytes;
use zkpay_core::program::ids::{EVENT_AUTHORITY, EVENT_AUTHORITY_SEED, POOL_SEED};
use zkpay_core::program::instruction::TransactData;
use zkpay_core::program::nullifier_page;
use zkpay_core::program::settle::{self, Ledger, Payee};
use zkpay_core::program::state::{AssetKind, PoolState, TreeState};
use zkpay_core::program::token::token_balance;

use super::token::transfer_tokens;
use crate::errors::Failure;
use crate::state::{CommitmentTreeAccount, NullifierPage, Pool};

/// Arguments of `transact` besides the two input nullifiers (which come
/// first in the instruction data).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct TransactArgs {
    /// The proof, as `zkpay_core::proof::TransferProof::to_bytes`.
    pub proof: [u8; 256],
    /// The tree root the proof was made against.
    pub root: [u8; 32],
    /// The new notes' commitments.
    pub output_commitments: [[u8; 32]; 2],
    /// Amount entering (positive) or leaving (negative) the pool.
    pub ext_amount: i64,
    /// Paid from the pool to the relayer.
    pub fee: u64,
    /// The new notes, encrypted to their owners.
    pub encrypted_outputs: [Vec<u8>; 2],
}

/// Accounts of `transact` (plus `event_authority` and `program`, which
/// `#[event_cpi]` appends for the event).
#[event_cpi]
#[derive(Accounts)]
pub struct Transact<'info> {
    /// Pays the transaction and the storage fee; the depositor of a deposit.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The pool; its lamports above its rent are the reserve that pays
    /// nullifier page splits.
    #[account(mut)]
    pub pool: AccountLoader<'info, Pool>,
    /// The pool's commitment tree (the link is checked both ways).
    #[account(mut)]
    pub tree: AccountLoader<'info, CommitmentTreeAccount>,
    /// CHECK: the pool's vault (checked against the pool).
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// The live nullifier page covering the first nullifier (checked by
    /// its header).
    #[account(mut)]
    pub nullifier_page_0: AccountLoader<'info, NullifierPage>,
    /// The live nullifier page covering the second nullifier (may be the
    /// first's).
    #[account(mut)]
    pub nullifier_page_1: AccountLoader<'info, NullifierPage>,
    /// CHECK: receives a withdrawal; bound into the proof by the external-data hash.
    #[account(mut)]
    pub recipient: UncheckedAccount<'info>,
    /// CHECK: receives the fee; bound into the proof by the external-data hash.
    #[account(mut)]
    pub relayer: UncheckedAccount<'info>,
    /// CHECK: SPL pools: the mint (checked against the pool).
    pub mint: Option<UncheckedAccount<'info>>,
    /// CHECK: SPL pools: the payer's token account a deposit comes from.
    #[account(mut)]
    pub depositor_token: Option<UncheckedAccount<'info>>,
    /// CHECK: SPL pools: the SPL Token program.
    #[account(address = spl_token_interface::ID)]
    pub token_program: Option<UncheckedAccount<'info>>,
    /// The system program.
    pub system_program: Program<'info, System>,
}

/// Settles the transfer; see the module documentation for the steps.
pub fn handler(
    ctx: Context<Transact>,
    input_nullifiers: [[u8; 32]; 2],
    args: TransactArgs,
) -> Result<()> {
    let ix = TransactData {
        input_nullifiers: [&input_nullifiers[0], &input_nullifiers[1]],
        proof: &args.proof,
        root: &args.root,
        output_commitments: [&args.output_commitments[0], &args.output_commitments[1]],
        ext_amount: args.ext_amount,
        fee: args.fee,
        encrypted_outputs: [&args.encrypted_outputs[0], &args.encrypted_outputs[1]],
    };
    let accounts = &ctx.accounts;
    // `#[event_cpi]` leaves its `program` account unchecked; the SBF build
    // requires it to be this program, so this entry does too.
    if accounts.program.key() != crate::ID {
        return Err(anchor_lang::error::ErrorCode::InvalidProgramId.into());
    }
    let mut ledger = AnchorLedger {
        pool_address: accounts.pool.key().to_bytes(),
        pool: accounts.pool.load()?.state,
        tree_address: accounts.tree.key().to_bytes(),
        tree: accounts.tree.load_mut()?,
        vault_address: accounts.vault.key().to_bytes(),
        recipient: accounts.recipient.key().to_bytes(),
        relayer: accounts.relayer.key().to_bytes(),
        mint: accounts.mint.as_ref().map(|mint| mint.key().to_bytes()),
        accounts,
    };
    settle::transact(&mut ledger, &ix).map_err(|failure| failure.0)
}

/// The accounts of one `transact`, as `zkpay-core`'s settlement sees them.
struct AnchorLedger<'a, 'info> {
    accounts: &'a Transact<'info>,
    pool_address: [u8; 32],
    pool: PoolState,
    tree_address: [u8; 32],
    tree: RefMut<'a, CommitmentTreeAccount>,
    vault_address: [u8; 32],
    recipient: [u8; 32],
    relayer: [u8; 32],
    mint: Option<[u8; 32]>,
}

impl<'info> AnchorLedger<'_, 'info> {
    fn payee(&self, to: Payee) -> AccountInfo<'info> {
        match to {
            Payee::Recipient => self.accounts.recipient.to_account_info(),
            Payee::Relayer => self.accounts.relayer.to_account_info(),
        }
    }
}

impl Ledger for AnchorLedger<'_, '_> {
    type Error = Failure;

    fn pool_address(&self) -> &[u8; 32] {
        &self.pool_address
    }

    fn pool(&self) -> &PoolState {
        &self.pool
    }

    fn tree_address(&self) -> &[u8; 32] {
        &self.tree_address
    }

    fn tree(&mut self) -> &mut TreeState {
        &mut self.tree.state
    }

    fn vault_address(&self) -> &[u8; 32] {
        &self.vault_address
    }

    fn recipient(&self) -> &[u8; 32] {
        &self.recipient
    }

    fn relayer(&self) -> &[u8; 32] {
        &self.relayer
    }

    fn mint_account(&self) -> Option<&[u8; 32]> {
        self.mint.as_ref()
    }

    fn has_token_program(&self) -> bool {
        self.accounts.token_program.is_some()
    }

    fn has_depositor_token(&self) -> bool {
        self.accounts.depositor_token.is_some()
    }

    fn spend_nullifier(
        &mut self,
        index: usize,
        nullifier: &FieldBytes,
    ) -> core::result::Result<(), Failure> {
        let page = match index {
            0 => &self.accounts.nullifier_page_0,
            _ => &self.accounts.nullifier_page_1,
        };
        // Loaded per nullifier: both may be one account.
        let mut page = page.load_mut()?;
        nullifier_page::spend(&mut page.page, &self.pool_address, nullifier)?;
        Ok(())
    }

    fn pay_storage_fee(&mut self, amount: u64) -> core::result::Result<(), Failure> {
        let transfer = anchor_lang::system_program::Transfer {
            from: self.accounts.payer.to_account_info(),
            to: self.accounts.pool.to_account_info(),
        };
        anchor_lang::system_program::transfer(
            CpiContext::new(anchor_lang::system_program::ID, transfer),
            amount,
        )?;
        Ok(())
    }

    fn deposit(&mut self, amount: u64) -> core::result::Result<(), Failure> {
        let payer = self.accounts.payer.to_account_info();
        let vault = self.accounts.vault.to_account_info();
        match self.pool.asset_kind() {
            AssetKind::Sol => {
                let transfer = anchor_lang::system_program::Transfer {
                    from: payer,
                    to: vault,
                };
                anchor_lang::system_program::transfer(
                    CpiContext::new(anchor_lang::system_program::ID, transfer),
                    amount,
                )?;
            }
            AssetKind::SplToken => {
                let (Some(from), Some(mint)) =
                    (&self.accounts.depositor_token, &self.accounts.mint)
                else {
                    return Err(CoreError::InvalidTokenAccounts.into());
                };
                let accounts = [from.to_account_info(), mint.to_account_info(), vault, payer];
                transfer_tokens(&accounts, amount, self.pool.decimals, &[])?;
            }
        }
        Ok(())
    }

    fn vault_available(&self) -> core::result::Result<u64, Failure> {
        let vault = self.accounts.vault.to_account_info();
        Ok(match self.pool.asset_kind() {
            AssetKind::Sol => vault
                .lamports()
                .saturating_sub(Rent::get()?.minimum_balance(0)),
            AssetKind::SplToken => {
                token_balance(&vault.owner.to_bytes(), &vault.try_borrow_data()?)?
            }
        })
    }

    fn pay_out(&mut self, to: Payee, amount: u64) -> core::result::Result<(), Failure> {
        let vault = self.accounts.vault.to_account_info();
        let payee = self.payee(to);
        match self.pool.asset_kind() {
            AssetKind::Sol => {
                vault.sub_lamports(amount)?;
                payee.add_lamports(amount)?;
            }
            AssetKind::SplToken => {
                let Some(mint) = &self.accounts.mint else {
                    return Err(CoreError::InvalidTokenAccounts.into());
                };
                let pool = self.accounts.pool.to_account_info();
                let seeds: &[&[u8]] = &[POOL_SEED, &self.pool.mint, &[self.pool.bump]];
                let accounts = [vault, mint.to_account_info(), payee, pool];
                transfer_tokens(&accounts, amount, self.pool.decimals, &[seeds])?;
            }
        }
        Ok(())
    }

    fn emit(&mut self, data: &[u8]) -> core::result::Result<(), Failure> {
        let authority = self.accounts.event_authority.to_account_info();
        let instruction = Instruction {
            program_id: crate::ID,
            accounts: vec![AccountMeta::new_readonly(*authority.key, true)],
            data: data.to_vec(),
        };
        let seeds: &[&[u8]] = &[EVENT_AUTHORITY_SEED, &[EVENT_AUTHORITY.1]];
        invoke_signed(&instruction, &[authority], &[seeds])?;
        Ok(())
    }
}
