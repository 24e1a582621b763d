//! The SPL Token CPIs pools make.

use anchor_lang::prelude::*;
use anchor_lang::solana_program::program::{invoke, invoke_signed};
use spl_token_interface::instruction::{initialize_account3, transfer_checked};

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

/// Moves `amount` (of a mint with `decimals`) with `accounts = [from, mint,
/// to, authority]`, the authority a signer or the PDA of `signer_seeds`.
pub fn transfer_tokens(
    accounts: &[AccountInfo; 4],
    amount: u64,
    decimals: u8,
    signer_seeds: &[&[&[u8]]],
) -> Result<()> {
    let [from, mint, to, authority] = accounts;
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
    invoke_signed(&ix, accounts, signer_seeds)?;
    Ok(())
}
