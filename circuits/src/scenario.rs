//! Ready-made statements, for the demo, the benchmarks and tests: Alice
//! holds two notes among other people's notes and pays Bob part of their
//! value, keeping the change; Alice proves her three notes are worth at
//! least a threshold.

use ark_bn254::Fr;
use ark_std::rand::{CryptoRng, RngCore};
use ark_std::UniformRand;
use zkpay_core::tree::CommitmentTree;

use crate::field::{from_bytes, to_bytes};
use crate::funds::FundsWitness;
use crate::note::{Note, SpendingKey};
use crate::transfer::{InputNote, TransferWitness};

/// Asset id used by the scenario.
pub const SCENARIO_ASSET_ID: u64 = 1;

/// Alice's two notes and what she pays.
pub const ALICE_NOTES: [u64; 2] = [700_000_000, 500_000_000];

/// What Bob receives.
pub const PAYMENT: u64 = 1_000_000_000;

/// A tree holding Alice's notes and a transfer from Alice to Bob.
pub struct Scenario {
    /// The tree after all appends.
    pub tree: CommitmentTree,
    /// Alice pays Bob [`PAYMENT`], with [`ALICE_NOTES`] as inputs.
    pub witness: TransferWitness,
}

/// Builds the scenario: `foreign_pairs` pairs of other people's notes,
/// then Alice's pair, then as many foreign pairs again.
pub fn alice_pays_bob<R: RngCore + CryptoRng>(foreign_pairs: usize, rng: &mut R) -> Scenario {
    let asset_id = Fr::from(SCENARIO_ASSET_ID);
    let alice = SpendingKey::random(rng);
    let bob = SpendingKey::random(rng);
    let foreign = |rng: &mut R| -> Vec<_> {
        (0..2 * foreign_pairs)
            .map(|_| to_bytes(&Note::new(42, Fr::rand(rng), asset_id, rng).commitment()))
            .collect()
    };
    let notes = ALICE_NOTES.map(|amount| Note::new(amount, alice.owner(), asset_id, rng));

    let mut tree = CommitmentTree::new();
    let before = foreign(rng);
    let after = foreign(rng);
    let first = before.len() as u64;
    let leaves: Vec<_> = before
        .into_iter()
        .chain(notes.iter().map(|note| to_bytes(&note.commitment())))
        .chain(after)
        .collect();
    tree.extend(&leaves)
        .expect("commitments are canonical and few");

    let inputs = [0u64, 1].map(|i| InputNote {
        note: notes[i as usize],
        key: alice.clone(),
        path: tree.path(first + i).expect("leaf was appended"),
    });
    let change = ALICE_NOTES[0] + ALICE_NOTES[1] - PAYMENT;
    let outputs = [
        Note::new(PAYMENT, bob.owner(), asset_id, rng),
        Note::new(change, alice.owner(), asset_id, rng),
    ];
    let witness = TransferWitness {
        root: from_bytes(&tree.root()).expect("roots are canonical"),
        public_amount: Fr::from(0u64),
        ext_data_hash: Fr::rand(rng),
        asset_id,
        inputs,
        outputs,
    };
    Scenario { tree, witness }
}

/// Alice's notes in the proof-of-funds scenario (the fourth slot is a dummy).
pub const ALICE_FUNDS_NOTES: [u64; 3] = [700_000_000, 500_000_000, 300_000_000];

/// A tree holding Alice's three notes among others, and her proof that
/// they are worth at least `at_least`.
pub struct FundsScenario {
    /// The tree after all appends.
    pub tree: CommitmentTree,
    /// Alice's witness: [`ALICE_FUNDS_NOTES`] and one dummy.
    pub witness: FundsWitness,
}

/// Builds the proof-of-funds scenario: `foreign_pairs` pairs of other
/// people's notes around Alice's three, for the challenge `challenge`.
pub fn alice_proves_funds<R: RngCore + CryptoRng>(
    foreign_pairs: usize,
    at_least: u64,
    challenge: Fr,
    rng: &mut R,
) -> FundsScenario {
    let asset_id = Fr::from(SCENARIO_ASSET_ID);
    let alice = SpendingKey::random(rng);
    let notes = ALICE_FUNDS_NOTES.map(|amount| Note::new(amount, alice.owner(), asset_id, rng));
    let mut leaves: Vec<_> = (0..2 * foreign_pairs)
        .map(|_| to_bytes(&Note::new(42, Fr::rand(rng), asset_id, rng).commitment()))
        .collect();
    let first = foreign_pairs as u64;
    let after = leaves.split_off(foreign_pairs);
    leaves.extend(notes.iter().map(|note| to_bytes(&note.commitment())));
    leaves.extend(after);
    let mut tree = CommitmentTree::new();
    tree.extend(&leaves)
        .expect("commitments are canonical and few");
    let held = |i: usize| InputNote {
        note: notes[i],
        key: alice.clone(),
        path: tree.path(first + i as u64).expect("leaf was appended"),
    };
    let witness = FundsWitness {
        root: from_bytes(&tree.root()).expect("roots are canonical"),
        at_least,
        challenge,
        asset_id,
        notes: [
            held(0),
            held(1),
            held(2),
            InputNote::dummy(alice.clone(), asset_id, rng),
        ],
    };
    FundsScenario { tree, witness }
}
