//! The off-chain commitment tree, which keeps every node to serve paths.

use alloc::vec::Vec;

use super::{MerklePath, TreeError};
use crate::constants::{TREE_CAPACITY, TREE_DEPTH};
use crate::field::{is_canonical, FieldBytes};
use crate::poseidon::{hash_pair, HashError};
use crate::zero_hashes::ZERO_HASHES;

/// A Merkle tree holding all its non-empty nodes: about two nodes per leaf.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitmentTree {
    /// `levels[h][i]` is node `i` at height `h`; `levels[0]` are the leaves.
    levels: Vec<Vec<FieldBytes>>,
}

impl CommitmentTree {
    /// An empty tree.
    pub fn new() -> Self {
        CommitmentTree {
            levels: (0..=TREE_DEPTH).map(|_| Vec::new()).collect(),
        }
    }

    /// Number of leaves.
    pub fn len(&self) -> u64 {
        self.levels[0].len() as u64
    }

    /// Whether the tree has no leaves.
    pub fn is_empty(&self) -> bool {
        self.levels[0].is_empty()
    }

    /// The leaf at `index`, if appended.
    pub fn leaf(&self, index: u64) -> Option<FieldBytes> {
        self.levels[0].get(usize::try_from(index).ok()?).copied()
    }

    /// The root.
    pub fn root(&self) -> FieldBytes {
        self.node(TREE_DEPTH, 0)
    }

    /// Appends `leaves` in order. Each changed node is hashed once, so
    /// appending n leaves at once costs about n hashes plus one path.
    pub fn extend(&mut self, leaves: &[FieldBytes]) -> Result<(), TreeError> {
        if leaves.is_empty() {
            return Ok(());
        }
        if self.len() + leaves.len() as u64 > TREE_CAPACITY {
            return Err(TreeError::Full);
        }
        // Every node above canonical leaves is a Poseidon output, hence
        // canonical: once the leaves pass, no hash below can fail, and the
        // tree is never left half-updated.
        if let Some(index) = leaves.iter().position(|leaf| !is_canonical(leaf)) {
            return Err(TreeError::Hash(HashError::NonCanonicalInput { index }));
        }
        let mut first_changed = self.levels[0].len();
        self.levels[0].extend_from_slice(leaves);
        for height in 0..TREE_DEPTH {
            let parent_first = first_changed / 2;
            let parent_len = self.levels[height].len().div_ceil(2);
            self.levels[height + 1].truncate(parent_first);
            for parent in parent_first..parent_len {
                let left = self.node(height, 2 * parent as u64);
                let right = self.node(height, 2 * parent as u64 + 1);
                let hash = hash_pair(&left, &right)?;
                self.levels[height + 1].push(hash);
            }
            first_changed = parent_first;
        }
        Ok(())
    }

    /// Drops the leaves from `len` on (a no-op if the tree holds no more),
    /// as if they had never been appended: a wallet undoing settlements of
    /// a block the cluster rolled back. Rehashes one path.
    pub fn truncate(&mut self, len: u64) {
        let Ok(len) = usize::try_from(len) else {
            return;
        };
        if len >= self.levels[0].len() {
            return;
        }
        self.levels[0].truncate(len);
        // At each height the last node may have lost its right child or
        // had a child rehashed: rehash it.
        for height in 0..TREE_DEPTH {
            let children = self.levels[height].len();
            let parents = children.div_ceil(2);
            self.levels[height + 1].truncate(parents);
            if children > 0 {
                let parent = parents - 1;
                let left = self.node(height, 2 * parent as u64);
                let right = self.node(height, 2 * parent as u64 + 1);
                // Nodes above canonical leaves are canonical: cannot fail.
                self.levels[height + 1][parent] =
                    hash_pair(&left, &right).expect("tree nodes are canonical field elements");
            }
        }
    }

    /// The path of the leaf at `leaf_index`, if that leaf exists.
    pub fn path(&self, leaf_index: u64) -> Option<MerklePath> {
        if leaf_index >= self.len() {
            return None;
        }
        let siblings = core::array::from_fn(|height| self.node(height, (leaf_index >> height) ^ 1));
        Some(MerklePath {
            leaf_index,
            siblings,
        })
    }

    fn node(&self, height: usize, index: u64) -> FieldBytes {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.levels[height].get(i))
            .copied()
            .unwrap_or(ZERO_HASHES[height])
    }
}
