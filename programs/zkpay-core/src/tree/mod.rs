//! The commitment tree: a binary Poseidon Merkle tree of depth
//! [`TREE_DEPTH`] whose leaves are note commitments, appended in pairs.
//!
//! Empty leaves are the zero field element; an empty subtree of height `h`
//! hashes to [`ZERO_HASHES`]`[h]`. A node is `Poseidon(left, right)`.
//!
//! - [`Frontier`] and [`RootHistory`] are the on-chain state: the frontier
//!   algorithm keeps one node per level and appends a pair with
//!   `TREE_DEPTH` hashes.
//! - [`CommitmentTree`] is the off-chain tree that keeps every node, so a
//!   circuits' tests and tools can produce the [`MerklePath`] of any leaf.
//! - [`WalletTree`] is what a wallet keeps: the frontier and the paths of
//!   its own notes, a few kilobytes whatever the pool's size.

use crate::constants::TREE_DEPTH;
use crate::field::FieldBytes;
use crate::poseidon::{hash_pair, HashError};
use crate::zero_hashes::ZERO_HASHES;

mod frontier;
#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
mod full;
#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
mod wallet;

pub use frontier::{Frontier, RootHistory};
#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
pub use full::CommitmentTree;
#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
pub use wallet::{Checkpoint, WalletTree};

/// Why the tree could not be updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TreeError {
    /// All 2^TREE_DEPTH leaves are used.
    #[error("the commitment tree is full")]
    Full,
    /// Pairs start at even leaf indices; this tree's next index is odd.
    #[error("a pair of leaves must start at an even index, the next index is {next_index}")]
    UnalignedPair {
        /// The tree's next leaf index.
        next_index: u64,
    },
    /// A leaf is not a canonical field element.
    #[error(transparent)]
    Hash(#[from] HashError),
}

/// The siblings from a leaf up to the root, and the leaf's index (whose bits,
/// least significant first, say whether the node is a right child).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MerklePath {
    /// Index of the leaf in the tree.
    pub leaf_index: u64,
    /// `siblings[h]` is the sibling of the path's node at height `h`.
    pub siblings: [FieldBytes; TREE_DEPTH],
}

impl MerklePath {
    /// The root of the tree in which `leaf` sits at this path.
    pub fn root_for(&self, leaf: &FieldBytes) -> Result<FieldBytes, HashError> {
        let mut node = *leaf;
        for (height, sibling) in self.siblings.iter().enumerate() {
            node = if (self.leaf_index >> height) & 1 == 0 {
                hash_pair(&node, sibling)?
            } else {
                hash_pair(sibling, &node)?
            };
        }
        Ok(node)
    }
}

/// The root of a tree with no leaves.
pub fn empty_root() -> FieldBytes {
    ZERO_HASHES[TREE_DEPTH]
}
