//! A page of a pool's spent nullifiers.

use anchor_lang::prelude::*;
use zkpay_core::program::nullifier_page::NullifierPage as PageState;

/// Spent nullifiers of a pool whose low `depth` bits are `prefix`, at
/// `[NULLIFIER_PAGE_SEED, pool, [depth], prefix LE]`; its layout is
/// `zkpay_core::program::nullifier_page::NullifierPage`.
#[account(zero_copy)]
pub struct NullifierPage {
    /// The page.
    pub page: PageState,
}

impl NullifierPage {
    /// Account size, discriminator included.
    pub const SPACE: usize = PageState::SPACE;
}

const _: () = assert!(core::mem::size_of::<NullifierPage>() == PageState::SIZE);
