//! `split_nullifier_page(nullifier)`: replaces a nullifier page that
//! refuses `nullifier` by its two children. Anyone may call it; the pool's
//! reserve pays.
//!
//! Accounts, in order: payer (signer, writable), pool (writable; the
//! reserve), the full page (writable), child 0 and child 1 (writable, the
//! PDAs `[NULLIFIER_PAGE_SEED, pool, [depth + 1], prefix LE]` of
//! [`NullifierPage::child_prefixes`]), system program. Steps:
//! 1. the page is the pool's, covers the nullifier and refuses it
//!    ([`NullifierPage::refuses`]: full, no room for two, or the key's
//!    probe too long), and is not at the deepest level;
//! 2. both children created, paid by the payer;
//! 3. every key moved to the child its next bit names
//!    ([`NullifierPage::split_into`]);
//! 4. the page closed: its lamports go to the pool account;
//! 5. the payer refunded the children's rent out of the pool account's
//!    lamports above its own rent (the storage fees `transact` collects),
//!    as far as they go.

use pinocchio::cpi::{Seed, Signer};
use pinocchio::{AccountView, Address};
use zkpay_core::error::FrameworkError;
use zkpay_core::program::ids::{
    NULLIFIER_PAGE_DISCRIMINATOR, NULLIFIER_PAGE_SEED, POOL_DISCRIMINATOR, SYSTEM_PROGRAM_ID,
};
use zkpay_core::program::instruction::parse_split_nullifier_page;
use zkpay_core::program::nullifier_page::{page_seed_parts, NullifierKey, NullifierPage};
use zkpay_core::program::state::PoolState;

use crate::accounts::{account, at, data_mut, is_free, pda, rent_exempt_minimum, signer, typed, writable};
use crate::cpi::create_pda;
use crate::error::{Failure, Result};

/// Checks the accounts and splits the page.
#[inline(never)]
pub fn process(program_id: &Address, accounts: &mut [AccountView], args: &[u8]) -> Result<()> {
    let nullifier = parse_split_nullifier_page(args).map_err(Failure::from)?;
    let get = |index| account(accounts, index);
    let payer = get(0)?;
    signer(payer)?;
    let pool = get(1)?;
    typed(pool, program_id, &POOL_DISCRIMINATOR, PoolState::SPACE)?;
    let parent = get(2)?;
    typed(parent, program_id, &NULLIFIER_PAGE_DISCRIMINATOR, NullifierPage::SPACE)?;
    let children = [get(3)?, get(4)?];
    at(get(5)?, &SYSTEM_PROGRAM_ID, FrameworkError::InvalidProgramId)?;
    for account in [payer, pool, parent, children[0], children[1]] {
        writable(account)?;
    }

    // 1. The pool's full page.
    let pool_address = pool.address().to_bytes();
    // SAFETY: checked to be this program's page; the children are other
    // accounts (PDAs of a deeper level), so this is the only reference.
    let parent_page = NullifierPage::from_account_data_mut(unsafe { data_mut(parent) })
        .ok_or(Failure::from(FrameworkError::AccountDidNotDeserialize))?;
    parent_page.check_split(&pool_address, NullifierKey::of(nullifier))?;

    // 2. The children.
    let child_rent = rent_exempt_minimum(NullifierPage::SPACE)?;
    let depth = parent_page.depth + 1;
    for (child, prefix) in children.iter().zip(parent_page.child_prefixes()) {
        let (depth_seed, prefix_seed) = page_seed_parts(depth, prefix);
        let bump = [pda(child, &[NULLIFIER_PAGE_SEED, &pool_address, &depth_seed, &prefix_seed], program_id)?];
        if !is_free(child) {
            return Err(FrameworkError::ConstraintZero.into());
        }
        let seeds = [
            Seed::from(NULLIFIER_PAGE_SEED),
            Seed::from(&pool_address),
            Seed::from(&depth_seed),
            Seed::from(&prefix_seed),
            Seed::from(&bump),
        ];
        create_pda(payer, child, &Signer::from(&seeds), NullifierPage::SPACE, program_id)?;
        // SAFETY: just created with NullifierPage::SPACE bytes; no other
        // reference to its data.
        let data = unsafe { data_mut(child) };
        data[..8].copy_from_slice(&NULLIFIER_PAGE_DISCRIMINATOR);
    }

    // 3. The keys.
    // SAFETY: two distinct new accounts, each referenced once.
    let (left, right) = unsafe { (data_mut(children[0]), data_mut(children[1])) };
    let left = NullifierPage::from_account_data_mut(left)
        .ok_or(Failure::from(FrameworkError::AccountDidNotDeserialize))?;
    let right = NullifierPage::from_account_data_mut(right)
        .ok_or(Failure::from(FrameworkError::AccountDidNotDeserialize))?;
    parent_page.split_into([left, right])?;

    // 4. The page closed (zero lamports: the runtime drops it).
    // SAFETY: the parent's page reference ends above.
    let data = unsafe { data_mut(parent) };
    data.fill(0);
    let (mut parent, mut pool, mut payer) = (parent.clone(), pool.clone(), payer.clone());
    let closed = parent.lamports();
    parent.set_lamports(0);
    pool.set_lamports(pool.lamports() + closed);

    // 5. The refund, out of the reserve.
    let reserve = pool.lamports().saturating_sub(rent_exempt_minimum(PoolState::SPACE)?);
    let refund = reserve.min(2 * child_rent);
    pool.set_lamports(pool.lamports() - refund);
    payer.set_lamports(payer.lamports() + refund);
    Ok(())
}
