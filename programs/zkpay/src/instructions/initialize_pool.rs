//! `initialize_pool`: opens the shielded pool of one asset.
//!
//! Anyone may open the pool of an asset, once; no authority remains over it
//! afterwards (nothing in a pool can be changed). Steps:
//! 1. check the pool address is free (a second initialisation fails);
//! 2. for an SPL mint, check the mint and read its decimals;
//! 3. create the pool PDA `[POOL_SEED, mint]` and record the configuration;
//! 4. create the vault PDA `[VAULT_SEED, pool]`: a program-owned account for
//!    SOL, a token account owned by the pool PDA for an SPL mint;
//! 5. initialise the commitment tree account (created zeroed by the client in
//!    the same transaction) as empty, with the empty root as its first root;
//! 6. create the root nullifier page PDA, empty (depth 0: it covers every
//!    nullifier until it is split).

use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use zkpay_core::program::nullifier_page::NullifierPage as PageState;
use zkpay_core::program::settle::{initialize_tree, pool_asset};
use zkpay_core::program::state::PoolState;
use zkpay_core::program::token::TOKEN_ACCOUNT_LEN;

use super::token::initialize_token_account;
use crate::constants::{NULLIFIER_PAGE_SEED, POOL_SEED, VAULT_SEED};
use crate::errors::ZkpayError;
use crate::pda::{create_pda, is_free};
use crate::state::{AssetKind, CommitmentTreeAccount, NullifierPage, Pool};

/// Arguments of `initialize_pool`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct InitializePoolArgs {
    /// The asset: an SPL mint, or the all-zero address for native SOL.
    pub mint: Pubkey,
}

/// Accounts of `initialize_pool`.
#[derive(Accounts)]
#[instruction(args: InitializePoolArgs)]
pub struct InitializePool<'info> {
    /// Pays for the pool and vault accounts.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// CHECK: the pool PDA, created here.
    #[account(mut, seeds = [POOL_SEED, args.mint.as_ref()], bump)]
    pub pool: UncheckedAccount<'info>,
    /// The commitment tree: zeroed, owned by this program, created by the
    /// client in this transaction.
    #[account(zero)]
    pub tree: AccountLoader<'info, CommitmentTreeAccount>,
    /// CHECK: the vault PDA, created here.
    #[account(mut, seeds = [VAULT_SEED, pool.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the root nullifier page PDA (depth 0, prefix 0), created here.
    #[account(
        mut,
        seeds = [NULLIFIER_PAGE_SEED, pool.key().as_ref(), &[0u8], &0u32.to_le_bytes()],
        bump
    )]
    pub nullifier_page: UncheckedAccount<'info>,
    /// CHECK: the SPL mint (absent for SOL); checked in the handler.
    pub mint: Option<UncheckedAccount<'info>>,
    /// CHECK: the SPL Token program (absent for SOL).
    #[account(address = spl_token_interface::ID)]
    pub token_program: Option<UncheckedAccount<'info>>,
    /// The system program.
    pub system_program: Program<'info, System>,
}

/// Opens the pool; see the module documentation for the steps.
pub fn handler(ctx: Context<InitializePool>, args: InitializePoolArgs) -> Result<()> {
    let accounts = &ctx.accounts;
    let payer = accounts.payer.to_account_info();
    let pool_info = accounts.pool.to_account_info();
    let vault_info = accounts.vault.to_account_info();

    // 1. One pool per asset.
    require!(is_free(&pool_info), ZkpayError::PoolAlreadyInitialized);

    // 2. The asset.
    let mint_key = args.mint.to_bytes();
    let mint = accounts.mint.as_ref().map(|mint| mint.to_account_info());
    let mint_owner = mint.as_ref().map(|mint| mint.owner.to_bytes());
    let mint_data = mint
        .as_ref()
        .map(|mint| mint.try_borrow_data())
        .transpose()?;
    let mint_address = mint.as_ref().map(|mint| mint.key.to_bytes());
    let mint_account = match (&mint_address, &mint_owner, &mint_data) {
        (Some(address), Some(owner), Some(data)) => Some((address, owner, &data[..])),
        _ => None,
    };
    let (kind, decimals) = pool_asset(&mint_key, mint_account, accounts.token_program.is_some())
        .map_err(ZkpayError::from)?;
    drop(mint_data);

    // 3. The pool.
    let pool_seeds: &[&[u8]] = &[POOL_SEED, args.mint.as_ref(), &[ctx.bumps.pool]];
    create_pda(&payer, &pool_info, pool_seeds, Pool::SPACE, &crate::ID)?;
    let pool = PoolState::new(
        &mint_key,
        [
            &accounts.tree.key().to_bytes(),
            &vault_info.key().to_bytes(),
        ],
        [ctx.bumps.pool, ctx.bumps.vault],
        kind,
        decimals,
    );
    {
        let mut data = pool_info.try_borrow_mut_data()?;
        data[..8].copy_from_slice(Pool::DISCRIMINATOR);
        data[8..Pool::SPACE].copy_from_slice(bytemuck::bytes_of(&pool));
    }

    // 4. The vault.
    let pool_key = pool_info.key();
    let vault_seeds: &[&[u8]] = &[VAULT_SEED, pool_key.as_ref(), &[ctx.bumps.vault]];
    match (kind, accounts.mint.as_ref()) {
        (AssetKind::Sol, _) => create_pda(&payer, &vault_info, vault_seeds, 0, &crate::ID)?,
        (AssetKind::SplToken, Some(mint)) => {
            create_pda(
                &payer,
                &vault_info,
                vault_seeds,
                TOKEN_ACCOUNT_LEN,
                &spl_token_interface::ID,
            )?;
            initialize_token_account(&vault_info, mint, &pool_key)?;
        }
        (AssetKind::SplToken, None) => return err!(ZkpayError::InvalidTokenAccounts),
    }

    // 5. The tree.
    let mut tree = accounts.tree.load_init()?;
    initialize_tree(&mut tree.state, &pool_key.to_bytes());

    // 6. The root nullifier page (free: its pool is new).
    let page_info = accounts.nullifier_page.to_account_info();
    let page_seeds: &[&[u8]] = &[
        NULLIFIER_PAGE_SEED,
        pool_key.as_ref(),
        &[0u8],
        &0u32.to_le_bytes(),
        &[ctx.bumps.nullifier_page],
    ];
    create_pda(&payer, &page_info, page_seeds, NullifierPage::SPACE, &crate::ID)?;
    let mut data = page_info.try_borrow_mut_data()?;
    data[..8].copy_from_slice(NullifierPage::DISCRIMINATOR);
    PageState::from_account_data_mut(&mut data)
        .ok_or(anchor_lang::error::ErrorCode::AccountDidNotDeserialize)?
        .init(&pool_key.to_bytes(), 0, 0);
    Ok(())
}
