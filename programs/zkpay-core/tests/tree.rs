//! The on-chain frontier tree and the off-chain full tree against a naive
//! reference that recomputes every level from the leaves.

use zkpay_core::constants::TREE_DEPTH;
use zkpay_core::field::{from_u64, FieldBytes, MODULUS};
use zkpay_core::poseidon::hash_pair;
use zkpay_core::tree::{empty_root, CommitmentTree, Frontier, TreeError};
use zkpay_core::zero_hashes::ZERO_HASHES;

/// Root of a depth-26 tree holding `leaves` then empty leaves, computed level
/// by level without the generated zero hashes.
fn naive_root(leaves: &[FieldBytes]) -> FieldBytes {
    let mut level: Vec<FieldBytes> = leaves.to_vec();
    let mut empty = [0u8; 32];
    for _ in 0..TREE_DEPTH {
        if level.len() % 2 == 1 {
            level.push(empty);
        }
        level = level
            .chunks(2)
            .map(|pair| hash_pair(&pair[0], &pair[1]).unwrap())
            .collect();
        empty = hash_pair(&empty, &empty).unwrap();
    }
    level.first().copied().unwrap_or(empty)
}

fn leaf(i: u64) -> FieldBytes {
    // Distinct, canonical, not small.
    hash_pair(&from_u64(i), &from_u64(0xfeed)).unwrap()
}

#[test]
fn empty_trees_agree_with_the_generated_zero_hashes() {
    assert_eq!(naive_root(&[]), empty_root());
    assert_eq!(Frontier::new().root(), empty_root());
    assert_eq!(CommitmentTree::new().root(), empty_root());
    assert_eq!(ZERO_HASHES[0], [0u8; 32]);
    assert_eq!(ZERO_HASHES[1], hash_pair(&[0u8; 32], &[0u8; 32]).unwrap());
}

#[test]
fn frontier_full_tree_and_naive_tree_agree_after_every_pair() {
    let mut frontier = Frontier::new();
    let mut tree = CommitmentTree::new();
    let mut leaves = Vec::new();
    for pair in 0..33u64 {
        let (left, right) = (leaf(2 * pair), leaf(2 * pair + 1));
        assert_eq!(frontier.append_pair(&left, &right).unwrap(), 2 * pair);
        tree.extend(&[left, right]).unwrap();
        leaves.extend([left, right]);
        let naive = naive_root(&leaves);
        assert_eq!(frontier.root(), naive, "frontier after pair {pair}");
        assert_eq!(tree.root(), naive, "full tree after pair {pair}");
    }
    assert_eq!(frontier.next_index(), 66);
    for index in [0u64, 1, 2, 31, 32, 64, 65] {
        let path = tree.path(index).unwrap();
        assert_eq!(path.root_for(&leaves[index as usize]).unwrap(), tree.root());
    }
    assert!(tree.path(66).is_none());
}

#[test]
fn truncating_equals_never_having_appended() {
    let leaves: Vec<_> = (0..37).map(leaf).collect();
    let mut full = CommitmentTree::new();
    full.extend(&leaves).unwrap();
    for len in (0..37u64).rev() {
        let mut truncated = full.clone();
        truncated.truncate(len);
        let mut built = CommitmentTree::new();
        built.extend(&leaves[..len as usize]).unwrap();
        assert_eq!(truncated, built, "truncated to {len}");
        assert_eq!(truncated.root(), naive_root(&leaves[..len as usize]));
        // And it grows again as any tree does.
        truncated.extend(&leaves[len as usize..]).unwrap();
        assert_eq!(truncated, full, "regrown from {len}");
    }
    let mut same = full.clone();
    same.truncate(37);
    same.truncate(1_000);
    assert_eq!(same, full);
}

#[test]
fn extending_in_batches_equals_extending_at_once() {
    let leaves: Vec<_> = (0..37).map(leaf).collect();
    let mut at_once = CommitmentTree::new();
    at_once.extend(&leaves).unwrap();
    let mut batched = CommitmentTree::new();
    for chunk in [
        &leaves[..1],
        &leaves[1..4],
        &leaves[4..5],
        &leaves[5..20],
        &leaves[20..],
    ] {
        batched.extend(chunk).unwrap();
    }
    assert_eq!(batched, at_once);
    assert_eq!(at_once.root(), naive_root(&leaves));
}

#[test]
fn non_canonical_leaves_are_rejected_and_change_nothing() {
    let mut tree = CommitmentTree::new();
    tree.extend(&[leaf(0), leaf(1)]).unwrap();
    let before = tree.clone();
    assert!(matches!(
        tree.extend(&[leaf(2), MODULUS]),
        Err(TreeError::Hash(_))
    ));
    assert_eq!(tree, before);

    let mut frontier = Frontier::new();
    let before = frontier;
    assert!(frontier.append_pair(&MODULUS, &leaf(0)).is_err());
    assert_eq!(frontier, before);
}
