//! The wallet's copy of the commitment tree ([`WalletTree`]): loaded from
//! the wallet file in milliseconds, rewound to a stored checkpoint when the
//! cluster rolls back blocks, rebuilt from the stored leaves only for a
//! wallet file written before it existed.

use std::collections::HashSet;

use solana_sdk::pubkey::Pubkey;
use zkpay_core::field::FieldBytes;
use zkpay_core::tree::{Checkpoint, WalletTree};

use super::WalletError;
use crate::store::{NoteState, Store};

/// Stored leaves are replayed this many at a time, so that rebuilding a
/// large tree holds a bounded number of leaves in memory.
const REPLAY_CHUNK: u64 = 1 << 16;

const ALL_NOTES: [NoteState; 3] = [NoteState::Unspent, NoteState::Pending, NoteState::Spent];

/// The wallet's tree of `pool`: as stored, or rebuilt from the stored
/// leaves (and stored) if the file has none that matches them.
pub(super) fn load(store: &mut Store, pool: &Pubkey) -> Result<WalletTree, WalletError> {
    let (_, leaves) = store.sync_position(pool)?;
    if let Some(tree) = store.tree(pool)? {
        if tree.len() == leaves {
            return Ok(tree);
        }
    }
    let mut tree = WalletTree::new();
    if !replay(store, pool, &mut tree, leaves)? {
        return Err(WalletError::TreeMismatch(format!(
            "the wallet file holds neither its tree nor the {leaves} leaves to rebuild it"
        )));
    }
    if leaves > 0 {
        store.set_tree(pool, &tree)?;
    }
    Ok(tree)
}

/// `tree` rewound to `len` leaves: from the newest stored checkpoint at or
/// before `len`, then the stored leaves up to `len` replayed. None if the
/// file no longer holds those leaves (a rollback deeper than the wallet
/// keeps: rescan).
pub(super) fn rewound(
    store: &Store,
    pool: &Pubkey,
    tree: &WalletTree,
    len: u64,
) -> Result<Option<WalletTree>, WalletError> {
    let mut rewound = tree.clone();
    let checkpoint = store.checkpoint(pool, len)?;
    if !rewound.rewind(&checkpoint) {
        return Err(WalletError::TreeMismatch(format!(
            "a checkpoint at {} leaves is ahead of the tree's {}",
            checkpoint.len,
            tree.len()
        )));
    }
    Ok(replay(store, pool, &mut rewound, len)?.then_some(rewound))
}

/// The roots the tree had at each even length from `low` up to `high`
/// (both even), newest first: for finding the last one the chain
/// remembers. Replays from the checkpoint at or before `low`; stops early,
/// with the roots found, where the file no longer holds the leaves.
pub(super) fn roots_between(
    store: &Store,
    pool: &Pubkey,
    low: u64,
    high: u64,
) -> Result<Vec<(u64, FieldBytes)>, WalletError> {
    let checkpoint: Checkpoint = store.checkpoint(pool, low)?;
    let mut tree = WalletTree::from_checkpoint(checkpoint);
    let mut roots = Vec::new();
    if tree.len() >= low {
        roots.push((tree.len(), tree.root()));
    }
    let mut from = tree.len();
    while from < high {
        let to = (from + REPLAY_CHUNK).min(high);
        let leaves = store.leaves(pool, from, to)?;
        if leaves.len() as u64 != to - from {
            break;
        }
        for pair in leaves.chunks(2) {
            let leaves: Vec<_> = pair.iter().map(|leaf| (*leaf, false)).collect();
            extend(&mut tree, &leaves)?;
            if tree.len() >= low && tree.len().is_multiple_of(2) {
                roots.push((tree.len(), tree.root()));
            }
        }
        from = to;
    }
    roots.reverse();
    Ok(roots)
}

/// Appends the stored leaves from `tree.len()` up to `to`, marking the
/// wallet's notes among them. False if the file does not hold them all.
fn replay(
    store: &Store,
    pool: &Pubkey,
    tree: &mut WalletTree,
    to: u64,
) -> Result<bool, WalletError> {
    let ours: HashSet<u64> = store
        .notes(pool, &ALL_NOTES)?
        .into_iter()
        .map(|note| note.leaf_index)
        .filter(|index| *index >= tree.len())
        .collect();
    let mut from = tree.len();
    while from < to {
        let end = (from + REPLAY_CHUNK).min(to);
        let leaves: Vec<_> = store
            .leaves(pool, from, end)?
            .into_iter()
            .zip(from..)
            .map(|(leaf, index)| (leaf, ours.contains(&index)))
            .collect();
        if leaves.len() as u64 != end - from {
            return Ok(false);
        }
        extend(tree, &leaves)?;
        from = end;
    }
    Ok(true)
}

/// [`WalletTree::extend`], its error as the wallet's.
pub(super) fn extend(
    tree: &mut WalletTree,
    leaves: &[(FieldBytes, bool)],
) -> Result<(), WalletError> {
    tree.extend(leaves)
        .map_err(|e| WalletError::TreeMismatch(format!("appending leaves: {e}")))
}
