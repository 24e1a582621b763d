//! The commitment tree of a pool.

use anchor_lang::prelude::*;
use zkpay_core::program::state::TreeState;

/// A pool's commitment tree; its layout is [`TreeState`]: the frontier of
/// the depth-26 tree and the ring of its recent roots. About 34 KB, so the
/// client creates it (zeroed, owned by this program) in the transaction
/// that calls `initialize_pool`.
#[account(zero_copy)]
pub struct CommitmentTreeAccount {
    /// The tree.
    pub state: TreeState,
}

impl CommitmentTreeAccount {
    /// Account size, discriminator included.
    pub const SPACE: usize = TreeState::SPACE;
}

const _: () = assert!(core::mem::size_of::<CommitmentTreeAccount>() == TreeState::SIZE);
