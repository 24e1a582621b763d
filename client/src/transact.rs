//! Building `transact` instructions.

use anchor_lang::{InstructionData, ToAccountMetas};
use solana_sdk::instruction::{AccountMeta, Instruction};
use solana_sdk::pubkey::Pubkey;
use zkpay::instructions::TransactArgs;

use crate::pool::{PoolInfo, SYSTEM_PROGRAM};

/// The associated token account program.
pub const ASSOCIATED_TOKEN_PROGRAM: Pubkey =
    Pubkey::from_str_const("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL");

/// The associated token account of `owner` for `mint`.
pub fn associated_token_address(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(
        &[
            owner.as_ref(),
            spl_token_interface::ID.as_ref(),
            mint.as_ref(),
        ],
        &ASSOCIATED_TOKEN_PROGRAM,
    )
    .0
}

/// Creates `owner`'s associated token account of `mint`, paid by `payer`;
/// does nothing if it exists (the ATA program's `CreateIdempotent`).
pub fn create_associated_token_account(
    payer: &Pubkey,
    owner: &Pubkey,
    mint: &Pubkey,
) -> Instruction {
    Instruction {
        program_id: ASSOCIATED_TOKEN_PROGRAM,
        accounts: vec![
            AccountMeta::new(*payer, true),
            AccountMeta::new(associated_token_address(owner, mint), false),
            AccountMeta::new_readonly(*owner, false),
            AccountMeta::new_readonly(*mint, false),
            AccountMeta::new_readonly(SYSTEM_PROGRAM, false),
            AccountMeta::new_readonly(spl_token_interface::ID, false),
        ],
        data: vec![1],
    }
}

/// The public accounts one `transact` touches besides the pool's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactAccounts {
    /// Signs and pays the transaction and the storage fee; the depositor
    /// of a deposit.
    pub payer: Pubkey,
    /// Receives a withdrawal (SOL: any account; SPL: a token account).
    pub recipient: Pubkey,
    /// Receives the fee.
    pub relayer: Pubkey,
    /// SPL deposits: the payer's token account.
    pub depositor_token: Option<Pubkey>,
}

/// The `transact` instruction spending `input_nullifiers` on `pool`, whose
/// live nullifier pages are `pages`
/// ([`crate::nullifier_pages::pages_for`]).
pub fn transact_instruction(
    pool: &PoolInfo,
    accounts: &TransactAccounts,
    pages: [Pubkey; 2],
    input_nullifiers: [[u8; 32]; 2],
    args: TransactArgs,
) -> Instruction {
    let spl = pool.is_spl();
    let metas = zkpay::accounts::Transact {
        payer: accounts.payer,
        pool: pool.pool,
        tree: pool.tree,
        vault: pool.vault,
        nullifier_page_0: pages[0],
        nullifier_page_1: pages[1],
        recipient: accounts.recipient,
        relayer: accounts.relayer,
        mint: spl.then_some(pool.mint),
        depositor_token: accounts.depositor_token,
        token_program: spl.then_some(spl_token_interface::ID),
        system_program: SYSTEM_PROGRAM,
        event_authority: zkpay::EVENT_AUTHORITY_AND_BUMP.0,
        program: zkpay::ID,
    };
    Instruction {
        program_id: zkpay::ID,
        accounts: metas.to_account_metas(None),
        data: zkpay::instruction::Transact {
            input_nullifiers,
            args,
        }
        .data(),
    }
}
