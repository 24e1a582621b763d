//! The wallet's tree: what a wallet keeps of the commitment tree to pay
//! from its notes, a few kilobytes whatever the pool's size.
//!
//! [`CommitmentTree`](super::CommitmentTree) keeps every node (about 64
//! bytes per leaf, and one hash per leaf to rebuild). A wallet needs less:
//! the frontier, to append and to compute the root, and the path of each
//! of its own notes. A marked leaf's left siblings are complete when it is
//! appended (they are the frontier's nodes at that moment); each right
//! sibling is recorded when appending completes it; until then it is either
//! empty (a zero hash) or the partial node on the frontier's path, computed
//! when a path is asked for. Appending costs one hash per leaf on average,
//! plus a lookup per completed node for the marked leaves below it.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::{Frontier, MerklePath, TreeError};
use crate::constants::{TREE_CAPACITY, TREE_DEPTH};
use crate::field::{is_canonical, FieldBytes};
use crate::poseidon::{hash_pair, HashError};
use crate::zero_hashes::ZERO_HASHES;

/// The frontier of a tree of `len` leaves: enough to append and to compute
/// the root. The wallet stores one per sync batch to rewind to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpoint {
    /// Number of leaves.
    pub len: u64,
    /// `ommers[h]` is the complete left node at height `h` on the path of
    /// leaf `len`, where bit `h` of `len` is 1 (zero elsewhere).
    pub ommers: [FieldBytes; TREE_DEPTH],
}

impl Checkpoint {
    /// Size of [`Checkpoint::to_bytes`].
    pub const SIZE: usize = 8 + 32 * TREE_DEPTH;

    /// The empty tree's frontier.
    pub fn empty() -> Self {
        Checkpoint {
            len: 0,
            ommers: [[0u8; 32]; TREE_DEPTH],
        }
    }

    /// `len` (u64, little-endian) then the ommers.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(Self::SIZE);
        bytes.extend_from_slice(&self.len.to_le_bytes());
        for ommer in &self.ommers {
            bytes.extend_from_slice(ommer);
        }
        bytes
    }

    /// Reads [`Checkpoint::to_bytes`]; None if malformed.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let mut reader = Reader(bytes);
        let len = reader.u64()?;
        let mut ommers = [[0u8; 32]; TREE_DEPTH];
        for ommer in &mut ommers {
            *ommer = reader.field()?;
        }
        (reader.0.is_empty() && len <= TREE_CAPACITY).then_some(Checkpoint { len, ommers })
    }

    /// The on-chain [`Frontier`] of the same tree, as the program would
    /// hold it after appending these leaves in pairs; None if `len` is odd
    /// (the program appends pairs).
    pub fn to_frontier(&self) -> Option<Frontier> {
        if !self.len.is_multiple_of(2) {
            return None;
        }
        let filled = core::array::from_fn(|h| self.ommers[h + 1]);
        Some(Frontier::from_parts(
            self.len,
            filled,
            self.rightmost()[TREE_DEPTH],
        ))
    }

    /// `node[h]` for every height: the node at height `h` whose subtree
    /// holds leaf `len` (the first empty one), leaves from `len` on empty.
    /// `node[TREE_DEPTH]` is the root. Costs at most `TREE_DEPTH` hashes.
    fn rightmost(&self) -> [FieldBytes; TREE_DEPTH + 1] {
        let mut nodes = ZERO_HASHES;
        // Below the lowest set bit of `len` the nodes are empty.
        let lowest = (self.len.trailing_zeros() as usize).min(TREE_DEPTH);
        for height in lowest..TREE_DEPTH {
            let node = nodes[height];
            let parent = if (self.len >> height) & 1 == 1 {
                hash_pair(&self.ommers[height], &node)
            } else {
                hash_pair(&node, &ZERO_HASHES[height])
            };
            // Ommers come from canonical leaves or from Poseidon outputs.
            nodes[height + 1] = parent.expect("tree nodes are canonical field elements");
        }
        nodes
    }
}

/// One marked leaf and the part of its path known so far.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Witness {
    /// `siblings[h]`: set for every left sibling, and for each right one
    /// once complete.
    siblings: [Option<FieldBytes>; TREE_DEPTH],
}

/// A commitment tree that keeps only its frontier and the paths of marked
/// leaves (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletTree {
    frontier: Checkpoint,
    marked: BTreeMap<u64, Witness>,
}

impl Default for WalletTree {
    fn default() -> Self {
        Self::new()
    }
}

impl WalletTree {
    /// Format version of [`WalletTree::to_bytes`].
    const VERSION: u8 = 1;

    /// An empty tree.
    pub fn new() -> Self {
        WalletTree {
            frontier: Checkpoint::empty(),
            marked: BTreeMap::new(),
        }
    }

    /// The tree at `checkpoint`, with no marked leaf (to compute the roots
    /// it had).
    pub fn from_checkpoint(checkpoint: Checkpoint) -> Self {
        WalletTree {
            frontier: checkpoint,
            marked: BTreeMap::new(),
        }
    }

    /// Number of leaves.
    pub fn len(&self) -> u64 {
        self.frontier.len
    }

    /// Whether the tree has no leaves.
    pub fn is_empty(&self) -> bool {
        self.frontier.len == 0
    }

    /// The root (at most `TREE_DEPTH` hashes).
    pub fn root(&self) -> FieldBytes {
        self.frontier.rightmost()[TREE_DEPTH]
    }

    /// The frontier now, to [`rewind`](Self::rewind) to later.
    pub fn checkpoint(&self) -> Checkpoint {
        self.frontier
    }

    /// Indexes of the marked leaves.
    pub fn marked(&self) -> impl Iterator<Item = u64> + '_ {
        self.marked.keys().copied()
    }

    /// Appends `leaves` in order, marking those whose flag is set (the
    /// wallet's own notes). Nothing changes if it fails.
    pub fn extend(&mut self, leaves: &[(FieldBytes, bool)]) -> Result<(), TreeError> {
        if self.len() + leaves.len() as u64 > TREE_CAPACITY {
            return Err(TreeError::Full);
        }
        if let Some(index) = leaves.iter().position(|(leaf, _)| !is_canonical(leaf)) {
            return Err(TreeError::Hash(HashError::NonCanonicalInput { index }));
        }
        for (leaf, mark) in leaves {
            self.append(leaf, *mark);
        }
        Ok(())
    }

    /// Appends one canonical leaf (checked by the caller).
    fn append(&mut self, leaf: &FieldBytes, mark: bool) {
        let index = self.frontier.len;
        if mark {
            let mut siblings = [None; TREE_DEPTH];
            for (height, sibling) in siblings.iter_mut().enumerate() {
                if (index >> height) & 1 == 1 {
                    *sibling = Some(self.frontier.ommers[height]);
                }
            }
            self.marked.insert(index, Witness { siblings });
        }
        let mut node = *leaf;
        let mut height = 0;
        self.completed(0, index, &node);
        while height < TREE_DEPTH && (index >> height) & 1 == 1 {
            node = hash_pair(&self.frontier.ommers[height], &node)
                .expect("tree nodes are canonical field elements");
            self.frontier.ommers[height] = [0u8; 32];
            height += 1;
            self.completed(height, index >> height, &node);
        }
        if height < TREE_DEPTH {
            self.frontier.ommers[height] = node;
        }
        self.frontier.len = index + 1;
    }

    /// Records the complete node `node` at (`height`, `position`) in the
    /// paths of the marked leaves whose right sibling it is.
    fn completed(&mut self, height: usize, position: u64, node: &FieldBytes) {
        if height >= TREE_DEPTH || position & 1 == 0 || self.marked.is_empty() {
            return;
        }
        let first = (position - 1) << height;
        let end = position << height;
        for witness in self.marked.range_mut(first..end).map(|(_, w)| w) {
            witness.siblings[height] = Some(*node);
        }
    }

    /// The path of the marked leaf at `leaf_index` in the tree as it is
    /// now; None if that leaf is not marked.
    pub fn path(&self, leaf_index: u64) -> Option<MerklePath> {
        let witness = self.marked.get(&leaf_index)?;
        let rightmost = self.frontier.rightmost();
        let len = self.frontier.len;
        let siblings = core::array::from_fn(|height| {
            if let Some(sibling) = witness.siblings[height] {
                return sibling;
            }
            // A right sibling not complete yet: empty, or the partial node
            // holding the newest leaves.
            let sibling = (leaf_index >> height) ^ 1;
            if sibling << height >= len {
                ZERO_HASHES[height]
            } else {
                rightmost[height]
            }
        });
        Some(MerklePath {
            leaf_index,
            siblings,
        })
    }

    /// Goes back to `checkpoint`, which must be of this tree's history (a
    /// frontier it had): drops the leaves appended since, the marks on
    /// them, and what the other paths learned from them. Returns false,
    /// changing nothing, if the checkpoint is ahead of the tree.
    pub fn rewind(&mut self, checkpoint: &Checkpoint) -> bool {
        let len = checkpoint.len;
        if len > self.frontier.len {
            return false;
        }
        self.frontier = *checkpoint;
        self.marked.split_off(&len);
        for (leaf_index, witness) in &mut self.marked {
            for (height, sibling) in witness.siblings.iter_mut().enumerate() {
                let position = (leaf_index >> height) ^ 1;
                if position > leaf_index >> height && (position + 1) << height > len {
                    *sibling = None;
                }
            }
        }
        true
    }

    /// Version, frontier, then each marked leaf: its index (u64), a bitmap
    /// (u32) of the siblings known and those siblings, lowest first.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(1 + Checkpoint::SIZE + 4 + self.marked.len() * 400);
        bytes.push(Self::VERSION);
        bytes.extend_from_slice(&self.frontier.to_bytes());
        bytes.extend_from_slice(&(self.marked.len() as u32).to_le_bytes());
        for (leaf_index, witness) in &self.marked {
            bytes.extend_from_slice(&leaf_index.to_le_bytes());
            let known = witness
                .siblings
                .iter()
                .enumerate()
                .filter(|(_, s)| s.is_some())
                .fold(0u32, |bits, (height, _)| bits | 1 << height);
            bytes.extend_from_slice(&known.to_le_bytes());
            for sibling in witness.siblings.iter().flatten() {
                bytes.extend_from_slice(sibling);
            }
        }
        bytes
    }

    /// Reads [`WalletTree::to_bytes`]; None if malformed.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let (&version, rest) = bytes.split_first()?;
        if version != Self::VERSION || rest.len() < Checkpoint::SIZE {
            return None;
        }
        let (frontier, rest) = rest.split_at(Checkpoint::SIZE);
        let frontier = Checkpoint::from_bytes(frontier)?;
        let mut reader = Reader(rest);
        let count = reader.u32()?;
        let mut marked = BTreeMap::new();
        for _ in 0..count {
            let leaf_index = reader.u64()?;
            let known = reader.u32()?;
            if leaf_index >= frontier.len || known >> TREE_DEPTH != 0 {
                return None;
            }
            let mut siblings = [None; TREE_DEPTH];
            for (height, sibling) in siblings.iter_mut().enumerate() {
                if known >> height & 1 == 1 {
                    *sibling = Some(reader.field()?);
                }
            }
            marked.insert(leaf_index, Witness { siblings });
        }
        reader
            .0
            .is_empty()
            .then_some(WalletTree { frontier, marked })
    }
}

/// Reads little-endian integers and field elements off a byte slice.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Option<u64> {
        self.take().map(u64::from_le_bytes)
    }

    fn field(&mut self) -> Option<FieldBytes> {
        self.take()
    }
}

#[cfg(test)]
mod tests {
    use super::super::CommitmentTree;
    use super::*;

    /// A small deterministic generator (xorshift64*).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    fn leaf(n: u64) -> FieldBytes {
        let mut bytes = [0u8; 32];
        bytes[24..].copy_from_slice(&(n + 1).to_be_bytes());
        bytes
    }

    /// Every marked path equals the full tree's, and roots agree.
    fn assert_agrees(wallet: &WalletTree, full: &CommitmentTree) {
        assert_eq!(wallet.len(), full.len());
        assert_eq!(wallet.root(), full.root());
        for index in wallet.marked() {
            assert_eq!(wallet.path(index), full.path(index), "leaf {index}");
        }
    }

    #[test]
    fn marked_paths_and_roots_match_the_full_tree_through_appends_and_rewinds() {
        let mut rng = Rng(0x5eed_1234_abcd_0001);
        let mut wallet = WalletTree::new();
        let mut full = CommitmentTree::new();
        let mut checkpoints = Vec::new();
        let mut leaves = Vec::new();
        for round in 0..60 {
            if round % 7 == 6 && !checkpoints.is_empty() {
                let back: Checkpoint = checkpoints[rng.next() as usize % checkpoints.len()];
                assert!(wallet.rewind(&back));
                full.truncate(back.len);
                leaves.truncate(back.len as usize);
                checkpoints.retain(|c: &Checkpoint| c.len <= back.len);
                assert!(wallet.marked().all(|i| i < back.len));
                assert_agrees(&wallet, &full);
                continue;
            }
            checkpoints.push(wallet.checkpoint());
            let count = 1 + rng.next() % 40;
            let batch: Vec<(FieldBytes, bool)> = (0..count)
                .map(|_| (leaf(rng.next() % 1_000_000), rng.next() % 9 == 0))
                .collect();
            wallet.extend(&batch).unwrap();
            let plain: Vec<FieldBytes> = batch.iter().map(|(l, _)| *l).collect();
            full.extend(&plain).unwrap();
            leaves.extend(plain);
            assert_agrees(&wallet, &full);
        }
        assert!(wallet.marked().count() > 10);
    }

    #[test]
    fn the_serialized_tree_reads_back_and_keeps_appending_alike() {
        let mut wallet = WalletTree::new();
        let batch: Vec<_> = (0..37).map(|n| (leaf(n), n % 5 == 2)).collect();
        wallet.extend(&batch).unwrap();
        let bytes = wallet.to_bytes();
        let mut read = WalletTree::from_bytes(&bytes).unwrap();
        assert_eq!(read, wallet);
        let more: Vec<_> = (37..70).map(|n| (leaf(n), false)).collect();
        read.extend(&more).unwrap();
        wallet.extend(&more).unwrap();
        assert_eq!(read.path(2), wallet.path(2));
        assert_eq!(read.root(), wallet.root());
        // Truncated or padded bytes, or another version, are refused.
        assert!(WalletTree::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(WalletTree::from_bytes(&padded).is_none());
        let mut other = bytes;
        other[0] = 2;
        assert!(WalletTree::from_bytes(&other).is_none());
        assert_eq!(
            Checkpoint::from_bytes(&wallet.checkpoint().to_bytes()),
            Some(wallet.checkpoint())
        );
    }

    #[test]
    fn a_checkpoint_is_the_frontier_the_program_holds() {
        let mut wallet = WalletTree::new();
        let mut frontier = Frontier::new();
        for pair in 0..37u64 {
            let (left, right) = (leaf(2 * pair), leaf(2 * pair + 1));
            wallet.extend(&[(left, false), (right, false)]).unwrap();
            frontier.append_pair(&left, &right).unwrap();
            let converted = wallet.checkpoint().to_frontier().unwrap();
            assert_eq!(converted.root(), frontier.root());
            assert_eq!(converted.next_index(), frontier.next_index());
            // The program appends the next pair to either alike.
            let (mut a, mut b) = (converted, frontier);
            a.append_pair(&leaf(1000), &leaf(1001)).unwrap();
            b.append_pair(&leaf(1000), &leaf(1001)).unwrap();
            assert_eq!(a.root(), b.root());
        }
        wallet.extend(&[(leaf(5000), false)]).unwrap();
        assert!(wallet.checkpoint().to_frontier().is_none());
    }

    #[test]
    fn a_failed_extend_changes_nothing_and_unmarked_leaves_have_no_path() {
        let mut wallet = WalletTree::new();
        wallet.extend(&[(leaf(1), true), (leaf(2), false)]).unwrap();
        let before = wallet.clone();
        let bad = [(leaf(3), false), ([0xff; 32], false)];
        assert!(matches!(
            wallet.extend(&bad),
            Err(TreeError::Hash(HashError::NonCanonicalInput { index: 1 }))
        ));
        assert_eq!(wallet, before);
        assert!(wallet.path(1).is_none());
        assert!(wallet.path(0).is_some());
        assert!(!wallet.rewind(&Checkpoint {
            len: 5,
            ..Checkpoint::empty()
        }));
    }
}
