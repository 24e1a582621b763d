//! `initialize_pool`: opens the shielded pool of one asset.
//!
//! Accounts, in order: payer (signer, writable), pool PDA `[POOL_SEED,
//! mint]` (writable), tree (writable, zeroed, owned by this program, created
//! by the client in the same transaction), vault PDA `[VAULT_SEED, pool]`
//! (writable), root nullifier page PDA `[NULLIFIER_PAGE_SEED, pool, [0],
//! 0u32 LE]` (writable), mint (optional), SPL Token program (optional),
//! system program. Steps:
//! 1. the pool address is free (a second initialisation fails);
//! 2. for an SPL mint, the mint is an initialised mint: its decimals;
//! 3. the pool PDA is created and the configuration recorded;
//! 4. the vault PDA is created: program-owned for SOL, a token account owned
//!    by the pool PDA for an SPL mint;
//! 5. the tree is initialised empty, its root the first recent root;
//! 6. the root nullifier page PDA is created, empty (depth 0: it covers
//!    every nullifier until it is split).

use pinocchio::cpi::{Seed, Signer};
use pinocchio::{AccountView, Address};
use zkpay_core::error::{FrameworkError, ZkpayError};
use zkpay_core::program::ids::{
    NULLIFIER_PAGE_DISCRIMINATOR, NULLIFIER_PAGE_SEED, POOL_DISCRIMINATOR, POOL_SEED,
    SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID, TREE_DISCRIMINATOR, VAULT_SEED,
};
use zkpay_core::program::nullifier_page::{page_seed_parts, NullifierPage};
use zkpay_core::program::instruction::parse_initialize_pool;
use zkpay_core::program::settle::{initialize_tree, pool_asset};
use zkpay_core::program::state::{AssetKind, PoolState, TreeState};
use zkpay_core::program::token::TOKEN_ACCOUNT_LEN;

use crate::accounts::{account, at, data_mut, is_free, optional, pda, rent_exempt_minimum, signer, writable};
use crate::cpi::{create_pda, initialize_token_account};
use crate::error::{Failure, Result};

/// Checks the accounts and opens the pool.
#[inline(never)]
pub fn process(program_id: &Address, accounts: &mut [AccountView], args: &[u8]) -> Result<()> {
    let mint_key = *parse_initialize_pool(args).map_err(Failure::from)?;
    // The Anchor entry's order and codes: each account's type in order,
    // then the constraints in order.
    let get = |index| account(accounts, index);
    let payer = get(0)?;
    signer(payer)?;
    let [pool, tree, vault, root_page] = [get(1)?, get(2)?, get(3)?, get(4)?];
    let mint = optional(get(5)?, program_id);
    let token_program = optional(get(6)?, program_id);
    at(get(7)?, &SYSTEM_PROGRAM_ID, FrameworkError::InvalidProgramId)?;

    writable(payer)?;
    let pool_bump = pda(pool, &[POOL_SEED, &mint_key], program_id)?;
    writable(pool)?;
    check_zeroed_tree(tree, program_id)?;
    let pool_key = pool.address().to_bytes();
    let vault_bump = pda(vault, &[VAULT_SEED, &pool_key], program_id)?;
    writable(vault)?;
    let (depth_seed, prefix_seed) = page_seed_parts(0, 0);
    let page_bump = pda(root_page, &[NULLIFIER_PAGE_SEED, &pool_key, &depth_seed, &prefix_seed], program_id)?;
    writable(root_page)?;
    if let Some(account) = token_program {
        at(account, &TOKEN_PROGRAM_ID, FrameworkError::ConstraintAddress)?;
    }

    // 1. One pool per asset.
    if !is_free(pool) {
        return Err(ZkpayError::PoolAlreadyInitialized.into());
    }

    // 2. The asset.
    let mint_owner = mint.map(|mint| mint.owner().to_bytes());
    let mint_account = match (mint, &mint_owner) {
        // SAFETY: read only; no mutable borrow of the mint is live.
        (Some(mint), Some(owner)) => Some((mint.address().as_array(), owner, unsafe {
            mint.borrow_unchecked()
        })),
        _ => None,
    };
    let (kind, decimals) = pool_asset(&mint_key, mint_account, token_program.is_some())?;

    // 3. The pool.
    let bump = [pool_bump];
    let seeds = [Seed::from(POOL_SEED), Seed::from(&mint_key), Seed::from(&bump)];
    create_pda(payer, pool, &Signer::from(&seeds), PoolState::SPACE, program_id)?;
    let state = PoolState::new(
        &mint_key,
        [tree.address().as_array(), vault.address().as_array()],
        [pool_bump, vault_bump],
        kind,
        decimals,
    );
    {
        // SAFETY: the pool was just created with PoolState::SPACE bytes; no
        // other borrow of it is live.
        let data = unsafe { data_mut(pool) };
        data[..8].copy_from_slice(&POOL_DISCRIMINATOR);
        data[8..].copy_from_slice(bytemuck::bytes_of(&state));
    }

    // 4. The vault.
    let bump = [vault_bump];
    let seeds = [Seed::from(VAULT_SEED), Seed::from(&pool_key), Seed::from(&bump)];
    let signer = Signer::from(&seeds);
    match (kind, mint) {
        (AssetKind::Sol, _) => create_pda(payer, vault, &signer, 0, program_id)?,
        (AssetKind::SplToken, Some(mint)) => {
            let token = Address::new_from_array(TOKEN_PROGRAM_ID);
            create_pda(payer, vault, &signer, TOKEN_ACCOUNT_LEN, &token)?;
            initialize_token_account(vault, mint, pool.address())?;
        }
        (AssetKind::SplToken, None) => return Err(ZkpayError::InvalidTokenAccounts.into()),
    }

    // 5. The tree.
    // SAFETY: checked to be this program's zeroed tree account; the only
    // borrow of its data.
    let data = unsafe { data_mut(tree) };
    data[..8].copy_from_slice(&TREE_DISCRIMINATOR);
    let tree_state = TreeState::from_account_data_mut(data)
        .ok_or(Failure::from(FrameworkError::AccountDidNotDeserialize))?;
    initialize_tree(tree_state, &pool_key);

    // 6. The root nullifier page (free: its pool is new).
    let bump = [page_bump];
    let seeds = [
        Seed::from(NULLIFIER_PAGE_SEED),
        Seed::from(&pool_key),
        Seed::from(&depth_seed),
        Seed::from(&prefix_seed),
        Seed::from(&bump),
    ];
    create_pda(payer, root_page, &Signer::from(&seeds), NullifierPage::SPACE, program_id)?;
    // SAFETY: just created with NullifierPage::SPACE bytes; the only borrow.
    let data = unsafe { data_mut(root_page) };
    data[..8].copy_from_slice(&NULLIFIER_PAGE_DISCRIMINATOR);
    NullifierPage::from_account_data_mut(data)
        .ok_or(Failure::from(FrameworkError::AccountDidNotDeserialize))?
        .init(&pool_key, 0, 0);
    Ok(())
}

/// `#[account(zero)]`, in Anchor's order: a discriminator's room, a zero
/// discriminator, owned by this program, writable, rent-exempt; and the
/// tree's size.
#[inline(always)]
fn check_zeroed_tree(tree: &AccountView, program_id: &Address) -> Result<()> {
    // SAFETY: read only; no mutable borrow of the tree is live.
    let data = unsafe { tree.borrow_unchecked() };
    if data.len() < 8 {
        return Err(FrameworkError::AccountDidNotDeserialize.into());
    }
    if data[..8] != [0u8; 8] {
        return Err(FrameworkError::ConstraintZero.into());
    }
    if !tree.owned_by(program_id) {
        return Err(FrameworkError::AccountOwnedByWrongProgram.into());
    }
    writable(tree)?;
    if tree.lamports() < rent_exempt_minimum(tree.data_len())? {
        return Err(FrameworkError::ConstraintRentExempt.into());
    }
    if data.len() != TreeState::SPACE {
        return Err(FrameworkError::AccountDidNotDeserialize.into());
    }
    Ok(())
}
