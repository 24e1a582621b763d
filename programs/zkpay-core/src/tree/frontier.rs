//! The on-chain tree state: a frontier of filled subtrees and a ring of
//! recent roots, both plain-old-data so the program can keep them in a
//! zero-copy account.

use bytemuck::{Pod, Zeroable};

use super::TreeError;
use crate::constants::{ROOT_HISTORY_SIZE, TREE_CAPACITY, TREE_DEPTH};
use crate::field::FieldBytes;
use crate::poseidon::hash_pair;
use crate::zero_hashes::ZERO_HASHES;

/// An append-only Merkle tree that stores only what appending needs: for
/// each height, the last left child on the path of the newest pair.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
pub struct Frontier {
    /// Index the next appended leaf gets; always even.
    next_index: u64,
    /// `filled[h - 1]` is the newest left child at height `h` (1..TREE_DEPTH).
    filled: [FieldBytes; TREE_DEPTH - 1],
    /// The current root.
    root: FieldBytes,
}

impl Frontier {
    /// Size in bytes, as laid out in an account.
    pub const SIZE: usize = 8 + 32 * (TREE_DEPTH - 1) + 32;

    /// An empty tree.
    pub fn new() -> Self {
        Frontier {
            next_index: 0,
            filled: [[0u8; 32]; TREE_DEPTH - 1],
            root: ZERO_HASHES[TREE_DEPTH],
        }
    }

    /// The current root.
    pub fn root(&self) -> FieldBytes {
        self.root
    }

    /// Number of leaves appended so far.
    pub fn next_index(&self) -> u64 {
        self.next_index
    }

    /// Appends `left` and `right` as leaves `n` and `n + 1` and returns `n`.
    ///
    /// Costs `TREE_DEPTH` Poseidon hashes: the pair is hashed once, then one
    /// hash per height above it. Nothing changes when it fails: the index
    /// and both leaves are checked first, and every later hash takes
    /// canonical inputs (earlier outputs, zero hashes, stored nodes), which
    /// only a broken Poseidon backend could refuse. The frontier is updated
    /// in place (on-chain, copying its 800 bytes twice cost about 3,000
    /// compute units).
    pub fn append_pair(&mut self, left: &FieldBytes, right: &FieldBytes) -> Result<u64, TreeError> {
        let first = self.next_index;
        if !first.is_multiple_of(2) {
            return Err(TreeError::UnalignedPair { next_index: first });
        }
        if first + 2 > TREE_CAPACITY {
            return Err(TreeError::Full);
        }
        let mut node = hash_pair(left, right)?;
        let mut index = first >> 1;
        for height in 1..TREE_DEPTH {
            node = if index & 1 == 0 {
                self.filled[height - 1] = node;
                hash_pair(&node, &ZERO_HASHES[height])?
            } else {
                hash_pair(&self.filled[height - 1], &node)?
            };
            index >>= 1;
        }
        self.root = node;
        self.next_index = first + 2;
        Ok(first)
    }
}

#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
impl Frontier {
    /// The frontier of a tree of `next_index` leaves (even) whose newest
    /// left children at heights 1.. are `filled` and whose root is `root`.
    pub(super) fn from_parts(
        next_index: u64,
        filled: [FieldBytes; TREE_DEPTH - 1],
        root: FieldBytes,
    ) -> Self {
        Frontier {
            next_index,
            filled,
            root,
        }
    }
}

impl Default for Frontier {
    fn default() -> Self {
        Self::new()
    }
}

/// A ring of the last [`ROOT_HISTORY_SIZE`] roots of a tree.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct RootHistory {
    /// Slot the next root is written to.
    next_slot: u64,
    /// The roots; slots never written hold zero, which is never a root.
    roots: [FieldBytes; ROOT_HISTORY_SIZE],
}

impl RootHistory {
    /// Size in bytes, as laid out in an account.
    pub const SIZE: usize = 8 + 32 * ROOT_HISTORY_SIZE;

    /// Records `root` as the newest root, forgetting the oldest if full.
    pub fn push(&mut self, root: &FieldBytes) {
        let slot = (self.next_slot as usize) % ROOT_HISTORY_SIZE;
        self.roots[slot] = *root;
        self.next_slot = ((slot + 1) % ROOT_HISTORY_SIZE) as u64;
    }

    /// Whether `root` is one of the remembered roots. The zero value (an
    /// unwritten slot) is never a root.
    pub fn contains(&self, root: &FieldBytes) -> bool {
        *root != [0u8; 32] && self.roots.iter().any(|known| known == root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::from_u64;

    #[test]
    fn layout_sizes_are_explicit() {
        assert_eq!(core::mem::size_of::<Frontier>(), Frontier::SIZE);
        assert_eq!(core::mem::size_of::<RootHistory>(), RootHistory::SIZE);
    }

    #[test]
    fn history_forgets_the_oldest_root_and_never_knows_zero() {
        let mut history: std::boxed::Box<RootHistory> = std::boxed::Box::new(Zeroable::zeroed());
        assert!(!history.contains(&[0u8; 32]));
        for i in 1..=(ROOT_HISTORY_SIZE as u64 + 1) {
            history.push(&from_u64(i));
        }
        assert!(!history.contains(&from_u64(1)));
        assert!(history.contains(&from_u64(2)));
        assert!(history.contains(&from_u64(ROOT_HISTORY_SIZE as u64 + 1)));
        assert!(!history.contains(&[0u8; 32]));
    }

    #[test]
    fn a_full_tree_refuses_more_leaves() {
        let mut frontier = Frontier::new();
        frontier.next_index = TREE_CAPACITY - 2;
        assert_eq!(
            frontier.append_pair(&from_u64(1), &from_u64(2)),
            Ok(TREE_CAPACITY - 2)
        );
        let full = frontier;
        assert_eq!(
            frontier.append_pair(&from_u64(3), &from_u64(4)),
            Err(TreeError::Full)
        );
        assert_eq!(frontier, full);
    }

    #[test]
    fn failed_append_changes_nothing() {
        let mut frontier = Frontier::new();
        frontier.append_pair(&from_u64(1), &from_u64(2)).unwrap();
        let before = frontier;
        let non_canonical = [0xff; 32];
        assert!(frontier.append_pair(&from_u64(3), &non_canonical).is_err());
        assert_eq!(frontier, before);
    }
}
