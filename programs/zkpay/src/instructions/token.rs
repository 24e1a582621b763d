//! The few SPL Token operations pools need, through CPI.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::program::{invoke, invoke_signed};
use spl_token_interface::instruction::{initialize_account3, transfer_checked};

use crate::errors::ZkpayError;

/// Size of an SPL token account.
pub const TOKEN_ACCOUNT_LEN: usize = 165;
/// Size of an SPL mint.
const MINT_LEN: usize = 82;
/// Offset of `decimals` in a mint.
const MINT_DECIMALS_OFFSET: usize = 44;
/// Offset of `is_initialized` in a mint.
const MINT_INITIALIZED_OFFSET: usize = 45;
/// Offset of `amount` (u64 little-endian) in a token account.
const ACCOUNT_AMOUNT_OFFSET: usize = 64;

/// The decimals of `mint`, which must be an initialised SPL Token mint.
pub fn mint_decimals(mint: &AccountInfo) -> Result<u8> {
    require_keys_eq!(
        *mint.owner,
        spl_token_interface::ID,
        ZkpayError::InvalidMint
    );
    let data = mint.try_borrow_data()?;
    require!(
        data.len() == MINT_LEN && data[MINT_INITIALIZED_OFFSET] == 1,
        ZkpayError::InvalidMint
    );
    Ok(data[MINT_DECIMALS_OFFSET])
}

/// The balance of a token account owned by the token program.
pub fn token_balance(account: &AccountInfo) -> Result<u64> {
    require_keys_eq!(
        *account.owner,
        spl_token_interface::ID,
        ZkpayError::InvalidTokenAccounts
    );
    let data = account.try_borrow_data()?;
    require!(
        data.len() == TOKEN_ACCOUNT_LEN,
        ZkpayError::InvalidTokenAccounts
    );
    let mut amount = [0u8; 8];
    amount.copy_from_slice(&data[ACCOUNT_AMOUNT_OFFSET..ACCOUNT_AMOUNT_OFFSET + 8]);
    Ok(u64::from_le_bytes(amount))
}

/// Initialises `account` (already allocated, owned by the token program) as
/// a token account of `mint` owned by `owner`.
pub fn initialize_token_account<'info>(
    account: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    owner: &Pubkey,
) -> Result<()> {
    let ix = initialize_account3(&spl_token_interface::ID, account.key, mint.key, owner)?;
    invoke(&ix, &[account.clone(), mint.clone()])?;
    Ok(())
}

/// Moves `amount` of `mint` from `from` to `to`, authorised by `authority`
/// (a signer, or the PDA of `signer_seeds`).
pub fn transfer_tokens<'info>(
    from: &AccountInfo<'info>,
    mint: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    amount: u64,
    decimals: u8,
    signer_seeds: &[&[&[u8]]],
) -> Result<()> {
    let ix = transfer_checked(
        &spl_token_interface::ID,
        from.key,
        mint.key,
        to.key,
        authority.key,
        &[],
        amount,
        decimals,
    )?;
    let accounts = [from.clone(), mint.clone(), to.clone(), authority.clone()];
    invoke_signed(&ix, &accounts, signer_seeds)?;
    Ok(())
}
