//! The commitment tree of a pool.

use anchor_lang::prelude::*;
use zkpay_core::tree::{Frontier, RootHistory};

/// A pool's commitment tree: the frontier of the depth-26 tree and the ring
/// of its recent roots (see `zkpay_core::tree`). About 34 KB, so the client
/// creates it (zeroed, owned by this program) in the transaction that calls
/// `initialize_pool`.
#[account(zero_copy)]
pub struct CommitmentTreeAccount {
    /// The pool this tree belongs to.
    pub pool: Pubkey,
    /// The tree.
    pub frontier: Frontier,
    /// Its recent roots.
    pub history: RootHistory,
}

impl CommitmentTreeAccount {
    /// Account size, discriminator included.
    pub const SPACE: usize = 8 + core::mem::size_of::<CommitmentTreeAccount>();
}

const _: () = assert!(
    core::mem::size_of::<CommitmentTreeAccount>() == 32 + Frontier::SIZE + RootHistory::SIZE
);
