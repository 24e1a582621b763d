//! `transact`: settles one deposit, private transfer or withdrawal.
//!
//! Steps, in this order:
//! 1. recompute the external-data hash from the accounts and data passed
//!    (recipient, relayer, amounts, the pool's mint, encrypted outputs) and
//!    the public amount from `ext_amount - fee`;
//! 2. check every public value is a canonical field element;
//! 3. check the root is one of the tree's recent roots;
//! 4. verify the Groth16 proof against the embedded verifying key;
//! 5. mark both nullifiers spent by creating their PDAs (a nullifier whose
//!    PDA exists was spent; lamports sent there beforehand do not block it);
//! 6. append both output commitments to the tree and remember the new root;
//! 7. move funds: a deposit from the payer into the vault, a withdrawal from
//!    the vault to the recipient, the fee from the vault to the relayer;
//! 8. emit [`Settled`] with the leaf indices, commitments and ciphertexts,
//!    as a self-CPI (`emit_cpi!`): the event is an inner instruction of the
//!    transaction, which wallets read from the confirmed transaction.

use anchor_lang::prelude::*;
use zkpay_core::ext_data::ExtData;
use zkpay_core::field::public_amount;
use zkpay_core::proof::TransferProof;
use zkpay_core::public_inputs::TransferPublicInputs;
use zkpay_core::verifier::{verify_transfer, VerifyError};

use super::token::{token_balance, transfer_tokens};
use crate::constants::{MAX_ENCRYPTED_OUTPUT_LEN, NULLIFIER_SEED, POOL_SEED};
use crate::errors::ZkpayError;
use crate::events::Settled;
use crate::pda::{create_pda, is_free};
use crate::state::{AssetKind, CommitmentTreeAccount, Pool};

/// Arguments of `transact` besides the two input nullifiers (which come
/// first in the instruction data, as they seed the nullifier PDAs).
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
#[instruction(input_nullifiers: [[u8; 32]; 2])]
pub struct Transact<'info> {
    /// Pays the transaction and the nullifier accounts; the depositor of a
    /// deposit.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The pool.
    pub pool: AccountLoader<'info, Pool>,
    /// The pool's commitment tree.
    #[account(mut, constraint = tree.load()?.pool == pool.key() @ ZkpayError::WrongTree)]
    pub tree: AccountLoader<'info, CommitmentTreeAccount>,
    /// CHECK: the pool's vault (address recorded in the pool).
    #[account(mut, address = pool.load()?.vault @ ZkpayError::WrongVault)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the first nullifier's PDA, created here.
    #[account(
        mut,
        seeds = [NULLIFIER_SEED, pool.key().as_ref(), input_nullifiers[0].as_ref()],
        bump
    )]
    pub nullifier_0: UncheckedAccount<'info>,
    /// CHECK: the second nullifier's PDA, created here.
    #[account(
        mut,
        seeds = [NULLIFIER_SEED, pool.key().as_ref(), input_nullifiers[1].as_ref()],
        bump,
        constraint = input_nullifiers[0] != input_nullifiers[1] @ ZkpayError::DuplicateNullifier
    )]
    pub nullifier_1: UncheckedAccount<'info>,
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
    require!(args.ext_amount != i64::MIN, ZkpayError::ExtAmountOutOfRange);
    require!(
        args.encrypted_outputs
            .iter()
            .all(|note| note.len() <= MAX_ENCRYPTED_OUTPUT_LEN),
        ZkpayError::EncryptedOutputTooLarge
    );
    let accounts = &ctx.accounts;
    let pool_key = accounts.pool.key();
    let pool = *accounts.pool.load()?;

    // 1. What the proof must be bound to, from what was actually passed.
    let ext_data = ExtData {
        recipient: accounts.recipient.key().to_bytes(),
        relayer: accounts.relayer.key().to_bytes(),
        ext_amount: args.ext_amount,
        fee: args.fee,
        mint: pool.mint.to_bytes(),
        encrypted_outputs: [&args.encrypted_outputs[0], &args.encrypted_outputs[1]],
    };
    let public_inputs = TransferPublicInputs {
        root: args.root,
        public_amount: public_amount(args.ext_amount, args.fee),
        ext_data_hash: ext_data.hash(),
        asset_id: pool.asset_id,
        input_nullifiers,
        output_commitments: args.output_commitments,
    };

    // 2. Canonical public values.
    public_inputs
        .check_canonical()
        .map_err(|_| error!(ZkpayError::NonCanonicalPublicInput))?;

    // 3. A recent root.
    require!(
        accounts.tree.load()?.history.contains(&args.root),
        ZkpayError::UnknownRoot
    );

    // 4. The proof.
    verify_transfer(&TransferProof::from_bytes(&args.proof), &public_inputs).map_err(|error| {
        match error {
            VerifyError::NonCanonical(_) | VerifyError::Hash(_) => {
                error!(ZkpayError::NonCanonicalPublicInput)
            }
            VerifyError::InvalidProof => error!(ZkpayError::InvalidProof),
        }
    })?;

    // 5. Spend the nullifiers.
    let payer = accounts.payer.to_account_info();
    let nullifiers = [
        (
            accounts.nullifier_0.to_account_info(),
            ctx.bumps.nullifier_0,
        ),
        (
            accounts.nullifier_1.to_account_info(),
            ctx.bumps.nullifier_1,
        ),
    ];
    for ((account, bump), nullifier) in nullifiers.iter().zip(&input_nullifiers) {
        require!(is_free(account), ZkpayError::NullifierAlreadySpent);
        let seeds: &[&[u8]] = &[NULLIFIER_SEED, pool_key.as_ref(), nullifier, &[*bump]];
        create_pda(&payer, account, seeds, 0, &crate::ID)?;
    }

    // 6. Append the outputs.
    let (first_leaf_index, root) = {
        let mut tree = accounts.tree.load_mut()?;
        let [left, right] = &args.output_commitments;
        let first = tree
            .frontier
            .append_pair(left, right)
            .map_err(|_| error!(ZkpayError::TreeFull))?;
        let root = tree.frontier.root();
        tree.history.push(&root);
        (first, root)
    };

    // 7. Move funds.
    move_funds(accounts, &pool, args.ext_amount, args.fee)?;

    // 8. Tell wallets.
    emit_cpi!(Settled {
        pool: pool_key,
        first_leaf_index,
        commitments: args.output_commitments,
        nullifiers: input_nullifiers,
        root,
        encrypted_outputs: args.encrypted_outputs,
    });
    Ok(())
}

/// Moves the deposit into the vault and the withdrawal and fee out of it.
fn move_funds(accounts: &Transact, pool: &Pool, ext_amount: i64, fee: u64) -> Result<()> {
    let deposit = u64::try_from(ext_amount).unwrap_or(0);
    let withdrawal = if ext_amount < 0 {
        ext_amount.unsigned_abs()
    } else {
        0
    };
    let outflow = withdrawal
        .checked_add(fee)
        .ok_or(ZkpayError::ExtAmountOutOfRange)?;
    let vault = accounts.vault.to_account_info();
    let recipient = accounts.recipient.to_account_info();
    let relayer = accounts.relayer.to_account_info();

    match pool.asset_kind() {
        AssetKind::Sol => {
            if deposit > 0 {
                let transfer = anchor_lang::system_program::Transfer {
                    from: accounts.payer.to_account_info(),
                    to: vault.clone(),
                };
                anchor_lang::system_program::transfer(
                    CpiContext::new(anchor_lang::system_program::ID, transfer),
                    deposit,
                )?;
            }
            let reserved = Rent::get()?.minimum_balance(0);
            let available = vault.lamports().saturating_sub(reserved);
            require!(available >= outflow, ZkpayError::InsufficientVaultBalance);
            if withdrawal > 0 {
                vault.sub_lamports(withdrawal)?;
                recipient.add_lamports(withdrawal)?;
            }
            if fee > 0 {
                vault.sub_lamports(fee)?;
                relayer.add_lamports(fee)?;
            }
        }
        AssetKind::SplToken => {
            let mint = accounts
                .mint
                .as_ref()
                .ok_or(ZkpayError::InvalidTokenAccounts)?;
            require_keys_eq!(mint.key(), pool.mint, ZkpayError::InvalidTokenAccounts);
            require!(
                accounts.token_program.is_some(),
                ZkpayError::InvalidTokenAccounts
            );
            let mint = mint.to_account_info();
            if deposit > 0 {
                let from = accounts
                    .depositor_token
                    .as_ref()
                    .ok_or(ZkpayError::InvalidTokenAccounts)?;
                let payer = accounts.payer.to_account_info();
                transfer_tokens(
                    &from.to_account_info(),
                    &mint,
                    &vault,
                    &payer,
                    deposit,
                    pool.decimals,
                    &[],
                )?;
            }
            require!(
                token_balance(&vault)? >= outflow,
                ZkpayError::InsufficientVaultBalance
            );
            let pool_info = accounts.pool.to_account_info();
            let seeds: &[&[u8]] = &[POOL_SEED, pool.mint.as_ref(), &[pool.bump]];
            for (to, amount) in [(&recipient, withdrawal), (&relayer, fee)] {
                if amount > 0 {
                    transfer_tokens(
                        &vault,
                        &mint,
                        to,
                        &pool_info,
                        amount,
                        pool.decimals,
                        &[seeds],
                    )?;
                }
            }
        }
    }
    Ok(())
}
