//! Coin selection: which notes pay an amount, with at most two inputs.

use crate::store::StoredNote;

/// How to reach an amount with the notes at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These one or two notes cover it.
    Pay(Vec<StoredNote>),
    /// No two notes cover it but all of them do: merge these two first.
    Merge([StoredNote; 2]),
    /// The notes together hold less.
    Insufficient {
        /// What the notes hold.
        available: u64,
    },
}

/// Picks notes covering `target`: the smallest single note that does, else
/// the pair with the smallest sum that does, else the two largest notes to
/// merge.
pub fn select(notes: &[StoredNote], target: u64) -> Selection {
    let mut sorted: Vec<&StoredNote> = notes.iter().filter(|n| n.amount > 0).collect();
    sorted.sort_by_key(|n| n.amount);
    // Sums in u128: notes of a pool whose mint someone controls can add up
    // past u64::MAX.
    let available: u128 = sorted.iter().map(|n| u128::from(n.amount)).sum();
    if available < u128::from(target) {
        return Selection::Insufficient {
            available: available as u64,
        };
    }
    if let Some(single) = sorted.iter().find(|n| n.amount >= target) {
        return Selection::Pay(vec![(*single).clone()]);
    }
    // Two pointers over the sorted amounts: the smallest covering pair sum.
    let mut best: Option<(usize, usize)> = None;
    let (mut low, mut high) = (0, sorted.len().saturating_sub(1));
    while low < high {
        let pair = |l: usize, h: usize| u128::from(sorted[l].amount) + u128::from(sorted[h].amount);
        let sum = pair(low, high);
        if sum >= u128::from(target) {
            let better = best.is_none_or(|(l, h)| sum < pair(l, h));
            if better {
                best = Some((low, high));
            }
            high -= 1;
        } else {
            low += 1;
        }
    }
    match best {
        Some((l, h)) => Selection::Pay(vec![sorted[l].clone(), sorted[h].clone()]),
        None => {
            let n = sorted.len();
            Selection::Merge([sorted[n - 1].clone(), sorted[n - 2].clone()])
        }
    }
}

/// How many merges [`select`] will ask for before `target` can be paid
/// (0 if the notes do not cover it at all).
pub fn merges_needed(notes: &[StoredNote], target: u64) -> usize {
    let mut amounts: Vec<u64> = notes.iter().map(|n| n.amount).collect();
    amounts.sort_unstable_by(|a, b| b.cmp(a));
    let mut sum = 0u64;
    for (i, amount) in amounts.iter().enumerate() {
        sum = sum.saturating_add(*amount);
        if sum >= target {
            return i.saturating_sub(1);
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::NoteState;
    use solana_sdk::signature::Signature;

    fn notes(amounts: &[u64]) -> Vec<StoredNote> {
        amounts
            .iter()
            .enumerate()
            .map(|(i, amount)| StoredNote {
                leaf_index: i as u64,
                amount: *amount,
                blinding: [0; 32],
                nullifier: [i as u8; 32],
                memo: Vec::new(),
                received_in: Signature::default(),
                state: NoteState::Unspent,
            })
            .collect()
    }

    fn amounts(selection: Selection) -> Vec<u64> {
        match selection {
            Selection::Pay(notes) => notes.iter().map(|n| n.amount).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn smallest_covering_single_note() {
        assert_eq!(amounts(select(&notes(&[5, 50, 20, 30]), 25)), vec![30]);
    }

    #[test]
    fn smallest_covering_pair() {
        assert_eq!(amounts(select(&notes(&[5, 10, 20, 30]), 35)), vec![5, 30]);
        assert_eq!(amounts(select(&notes(&[10, 20, 30]), 50)), vec![20, 30]);
    }

    #[test]
    fn merges_when_two_do_not_reach() {
        match select(&notes(&[10, 10, 10, 10]), 35) {
            Selection::Merge(pair) => assert_eq!(pair.map(|n| n.amount), [10, 10]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn counts_merges() {
        assert_eq!(merges_needed(&notes(&[10, 10, 10, 10]), 35), 2);
        assert_eq!(merges_needed(&notes(&[10, 10, 10, 10]), 20), 0);
        assert_eq!(merges_needed(&notes(&[10, 10, 10, 10]), 5), 0);
    }

    #[test]
    fn reports_what_is_available() {
        assert_eq!(
            select(&notes(&[10, 0, 5]), 16),
            Selection::Insufficient { available: 15 }
        );
        assert_eq!(select(&[], 1), Selection::Insufficient { available: 0 });
    }
}
