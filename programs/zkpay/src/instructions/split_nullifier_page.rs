//! `split_nullifier_page`: replaces a nullifier page that refuses a
//! nullifier by its two children. Anyone may call it; the pool's reserve
//! pays. Steps:
//! 1. the page is the pool's, covers the nullifier and refuses it (full, no
//!    room for two, or the key's probe too long), and is not at the
//!    deepest level;
//! 2. both children created at `[NULLIFIER_PAGE_SEED, pool, [depth + 1],
//!    prefix LE]` for the page's two child prefixes, paid by the payer;
//! 3. every key moved to the child its next bit names;
//! 4. the page closed: its lamports go to the pool account;
//! 5. the payer refunded the children's rent out of the pool account's
//!    lamports above its own rent (the storage fees `transact` collects),
//!    as far as they go.

use anchor_lang::prelude::*;
use anchor_lang::Discriminator;
use zkpay_core::program::nullifier_page::{
    page_seed_parts, NullifierKey, NullifierPage as PageState,
};

use crate::constants::NULLIFIER_PAGE_SEED;
use crate::errors::ZkpayError;
use crate::pda::{create_pda, is_free};
use crate::state::{NullifierPage, Pool};

/// Arguments of `split_nullifier_page`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SplitNullifierPageArgs {
    /// The nullifier the page refuses (the page names its children).
    pub nullifier: [u8; 32],
}

/// Accounts of `split_nullifier_page`.
#[derive(Accounts)]
pub struct SplitNullifierPage<'info> {
    /// Pays the children, refunded from the pool's reserve.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The pool; its lamports above its rent are the reserve.
    #[account(mut)]
    pub pool: AccountLoader<'info, Pool>,
    /// The full page.
    #[account(mut)]
    pub page: AccountLoader<'info, NullifierPage>,
    /// CHECK: the first child's PDA (checked in the handler), created here.
    #[account(mut)]
    pub child_0: UncheckedAccount<'info>,
    /// CHECK: the second child's PDA (checked in the handler), created here.
    #[account(mut)]
    pub child_1: UncheckedAccount<'info>,
    /// The system program.
    pub system_program: Program<'info, System>,
}

/// Splits the page; see the module documentation for the steps.
pub fn handler(ctx: Context<SplitNullifierPage>, args: SplitNullifierPageArgs) -> Result<()> {
    let accounts = &ctx.accounts;
    let pool_key = accounts.pool.key();
    let payer = accounts.payer.to_account_info();

    // 1. The pool's full page.
    let (depth, prefixes) = {
        let page = &accounts.page.load()?.page;
        page.check_split(&pool_key.to_bytes(), NullifierKey::of(&args.nullifier))
            .map_err(ZkpayError::from)?;
        (page.depth + 1, page.child_prefixes())
    };

    // 2. The children.
    let children = [
        accounts.child_0.to_account_info(),
        accounts.child_1.to_account_info(),
    ];
    let child_rent = Rent::get()?.minimum_balance(NullifierPage::SPACE);
    for (child, prefix) in children.iter().zip(prefixes) {
        let (depth_seed, prefix_seed) = page_seed_parts(depth, prefix);
        let seeds: &[&[u8]] = &[NULLIFIER_PAGE_SEED, pool_key.as_ref(), &depth_seed, &prefix_seed];
        let (address, bump) = Pubkey::find_program_address(seeds, &crate::ID);
        if *child.key != address {
            return Err(anchor_lang::error::ErrorCode::ConstraintSeeds.into());
        }
        if !is_free(child) {
            return Err(anchor_lang::error::ErrorCode::ConstraintZero.into());
        }
        let signer: &[&[u8]] = &[NULLIFIER_PAGE_SEED, pool_key.as_ref(), &depth_seed, &prefix_seed, &[bump]];
        create_pda(&payer, child, signer, NullifierPage::SPACE, &crate::ID)?;
        child.try_borrow_mut_data()?[..8].copy_from_slice(NullifierPage::DISCRIMINATOR);
    }

    // 3. The keys.
    {
        let mut parent = accounts.page.load_mut()?;
        let (mut left, mut right) = (
            children[0].try_borrow_mut_data()?,
            children[1].try_borrow_mut_data()?,
        );
        let (Some(left), Some(right)) = (
            PageState::from_account_data_mut(&mut left),
            PageState::from_account_data_mut(&mut right),
        ) else {
            return Err(anchor_lang::error::ErrorCode::AccountDidNotDeserialize.into());
        };
        parent
            .page
            .split_into([left, right])
            .map_err(ZkpayError::from)?;
    }

    // 4. The page closed (zero lamports: the runtime drops it).
    let parent = accounts.page.to_account_info();
    parent.try_borrow_mut_data()?.fill(0);
    let pool = accounts.pool.to_account_info();
    let closed = parent.lamports();
    parent.sub_lamports(closed)?;
    pool.add_lamports(closed)?;

    // 5. The refund, out of the reserve.
    let reserve = pool
        .lamports()
        .saturating_sub(Rent::get()?.minimum_balance(Pool::SPACE));
    let refund = reserve.min(2 * child_rent);
    pool.sub_lamports(refund)?;
    payer.add_lamports(refund)?;
    Ok(())
}
