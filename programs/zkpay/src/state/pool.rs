//! The pool of one asset.

use anchor_lang::prelude::*;
pub use zkpay_core::program::state::{AssetKind, PoolState};

/// One pool per asset, at `[POOL_SEED, mint]`; its layout is
/// [`PoolState`]. Immutable after creation: no authority remains.
#[account(zero_copy)]
pub struct Pool {
    /// The pool's configuration.
    pub state: PoolState,
}

impl Pool {
    /// Account size, discriminator included.
    pub const SPACE: usize = PoolState::SPACE;
}

const _: () = assert!(core::mem::size_of::<Pool>() == PoolState::SIZE);
