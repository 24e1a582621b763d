//! Events wallets read to find their notes.

use anchor_lang::prelude::*;

/// Emitted once per settled transfer.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The pool.
    pub pool: Pubkey,
    /// Leaf index of `commitments[0]`; `commitments[1]` is the next leaf.
    pub first_leaf_index: u64,
    /// The new note commitments.
    pub commitments: [[u8; 32]; 2],
    /// The spent nullifiers.
    pub nullifiers: [[u8; 32]; 2],
    /// The tree root after appending.
    pub root: [u8; 32],
    /// The output notes, encrypted to their owners.
    pub encrypted_outputs: [Vec<u8>; 2],
}
