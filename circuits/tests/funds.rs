//! The proof-of-funds statement: the circuit and its native twin accept
//! honest holdings, each condition broken alone makes both reject, and real
//! proofs verify only for the statement they were made for.

mod common;

use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ff::{AdditiveGroup, Field, UniformRand};
use common::{rng, satisfied};
use zkpay_circuits::export::solana::proof_to_solana;
use zkpay_circuits::field::{from_bytes, to_bytes};
use zkpay_circuits::funds::{
    challenge_value, statement_hash, verify_funds, FundsCircuit, FundsStatement,
    FundsStatementError, FundsVerifyError, FUNDS_NOTES,
};
use zkpay_circuits::note::{commitment, nullifier, nullifier_key, SpendingKey};
use zkpay_circuits::prover::{FundsProveError, FundsProver};
use zkpay_circuits::scenario::{alice_proves_funds, ALICE_FUNDS_NOTES, SCENARIO_ASSET_ID};
use zkpay_circuits::transfer::InputAssignment;
use zkpay_core::constants::TREE_DEPTH;
use zkpay_core::tree::{CommitmentTree, MerklePath};

const POOL: [u8; 32] = [7; 32];
const CHALLENGE: &str = "landlord check, flat 3B";

/// Alice's three notes (1.5e9 in all) and a dummy, for `at_least`.
fn alice(at_least: u64) -> FundsCircuit {
    let challenge = challenge_value(&POOL, CHALLENGE);
    alice_proves_funds(3, at_least, challenge, &mut rng())
        .witness
        .circuit()
}

/// A circuit over notes of arbitrary field amounts (zero: a dummy), all
/// appended to a tree after two foreign leaves, so that out-of-range amounts
/// are in the tree and only the condition under test fails.
fn holding(amounts: [Fr; FUNDS_NOTES], at_least: Fr) -> FundsCircuit {
    let mut rng = rng();
    let asset_id = Fr::from(SCENARIO_ASSET_ID);
    let key = SpendingKey::random(&mut rng);
    let blindings: [Fr; FUNDS_NOTES] = std::array::from_fn(|_| Fr::rand(&mut rng));
    let commitments: [Fr; FUNDS_NOTES] =
        std::array::from_fn(|i| commitment(&amounts[i], &key.owner(), &blindings[i], &asset_id));
    let mut leaves = vec![to_bytes(&Fr::from(1u64)), to_bytes(&Fr::from(2u64))];
    leaves.extend(commitments.iter().map(to_bytes));
    let mut tree = CommitmentTree::new();
    tree.extend(&leaves).unwrap();
    let notes = std::array::from_fn(|i| InputAssignment {
        amount: amounts[i],
        blinding: blindings[i],
        secret: *key.secret(),
        path: if amounts[i] == Fr::ZERO {
            MerklePath {
                leaf_index: 0,
                siblings: [[0u8; 32]; TREE_DEPTH],
            }
        } else {
            tree.path(2 + i as u64).unwrap()
        },
    });
    let statement = FundsStatement {
        root: from_bytes(&tree.root()).unwrap(),
        at_least,
        challenge: challenge_value(&POOL, CHALLENGE),
        asset_id,
        nullifiers: std::array::from_fn(|i: usize| {
            let note: &InputAssignment = &notes[i];
            nullifier(
                &commitments[i],
                note.path.leaf_index,
                &nullifier_key(&note.secret),
            )
        }),
    };
    FundsCircuit {
        public_inputs_hash: statement_hash(&statement),
        statement,
        notes,
    }
}

/// Recomputes the public-input hash, as a cheating prover would.
fn rehash(circuit: &mut FundsCircuit) {
    circuit.public_inputs_hash = statement_hash(&circuit.statement);
}

/// Asserts the native twin reports `expected` and the circuit is unsatisfied.
fn rejected(circuit: FundsCircuit, expected: FundsStatementError) {
    assert_eq!(circuit.check(), Err(expected));
    assert!(
        !satisfied(circuit),
        "the circuit accepted what the native check rejects: {expected}"
    );
}

fn accepted(circuit: FundsCircuit) {
    assert_eq!(circuit.check(), Ok(()));
    assert!(satisfied(circuit));
}

fn two_pow_64() -> Fr {
    Fr::from(u64::MAX) + Fr::ONE
}

#[test]
fn honest_holdings_satisfy_gadgets_and_native_twin() {
    accepted(alice(1));
    accepted(alice(1_400_000_000));
    accepted(holding(
        [Fr::from(9u64), Fr::ZERO, Fr::from(4u64), Fr::ZERO],
        Fr::from(13u64),
    ));
    let max = Fr::from(u64::MAX);
    accepted(holding([max; FUNDS_NOTES], max));
}

#[test]
fn gadget_nullifiers_and_hash_are_the_native_ones() {
    // The gadgets enforce equality with these natively computed values, so
    // a satisfied circuit means gadget value == native value for each.
    let witness = alice_proves_funds(3, 5, Fr::from(11u64), &mut rng()).witness;
    let circuit = witness.circuit();
    for (i, input) in witness.notes.iter().enumerate() {
        assert_eq!(
            circuit.statement.nullifiers[i],
            input
                .note
                .nullifier(input.path.leaf_index, &input.key.nullifier_key())
        );
    }
    assert_eq!(
        circuit.public_inputs_hash,
        statement_hash(&circuit.statement)
    );
    assert!(satisfied(circuit));
}

#[test]
fn the_threshold_can_be_met_exactly_but_not_exceeded() {
    let total: u64 = ALICE_FUNDS_NOTES.iter().sum();
    accepted(alice(total));
    rejected(alice(total + 1), FundsStatementError::BelowThreshold);
    rejected(alice(u64::MAX), FundsStatementError::BelowThreshold);
}

#[test]
fn a_public_input_other_than_the_statement_hash_is_rejected() {
    let mut circuit = alice(1);
    circuit.public_inputs_hash += Fr::ONE;
    rejected(circuit, FundsStatementError::PublicInputsHashMismatch);
}

#[test]
fn a_threshold_beyond_64_bits_is_rejected() {
    // Four maximal notes sum past 2^64, so only the threshold's range fails.
    let max = Fr::from(u64::MAX);
    rejected(
        holding([max; FUNDS_NOTES], two_pow_64()),
        FundsStatementError::ThresholdOutOfRange,
    );
}

#[test]
fn an_amount_beyond_64_bits_is_rejected() {
    // The note is in the tree, so only its amount's range fails.
    let huge = two_pow_64() + Fr::from(5u64);
    rejected(
        holding([Fr::from(3u64), huge, Fr::ZERO, Fr::ZERO], Fr::from(1u64)),
        FundsStatementError::AmountOutOfRange(1),
    );
    // A "negative" amount wraps to near r: also out of range.
    rejected(
        holding([-Fr::ONE, Fr::ZERO, Fr::ZERO, Fr::ZERO], Fr::ZERO),
        FundsStatementError::AmountOutOfRange(0),
    );
}

#[test]
fn a_note_under_another_root_is_rejected() {
    let mut circuit = alice(1);
    circuit.statement.root = from_bytes(&zkpay_core::tree::empty_root()).unwrap();
    rehash(&mut circuit);
    rejected(circuit, FundsStatementError::NotInTree(0));
}

#[test]
fn someone_elses_note_is_rejected() {
    let mut circuit = alice(1);
    circuit.notes[1].secret = *SpendingKey::from_secret(Fr::from(31337u64)).secret();
    let note = &circuit.notes[1];
    let thief_commitment = commitment(
        &note.amount,
        &SpendingKey::from_secret(note.secret).owner(),
        &note.blinding,
        &circuit.statement.asset_id,
    );
    circuit.statement.nullifiers[1] = nullifier(
        &thief_commitment,
        note.path.leaf_index,
        &nullifier_key(&note.secret),
    );
    rehash(&mut circuit);
    rejected(circuit, FundsStatementError::NotInTree(1));
}

#[test]
fn a_wrong_leaf_index_is_rejected() {
    let mut circuit = alice(1);
    circuit.notes[2].path.leaf_index ^= 1;
    let note = &circuit.notes[2];
    let leaf = commitment(
        &note.amount,
        &SpendingKey::from_secret(note.secret).owner(),
        &note.blinding,
        &circuit.statement.asset_id,
    );
    circuit.statement.nullifiers[2] =
        nullifier(&leaf, note.path.leaf_index, &nullifier_key(&note.secret));
    rehash(&mut circuit);
    rejected(circuit, FundsStatementError::NotInTree(2));
}

#[test]
fn an_index_alias_beyond_the_tree_cannot_give_a_fresh_nullifier() {
    // The attack: the same note at index + 2^26 would have another
    // nullifier, one never spent, hiding that the note is spent.
    let mut circuit = alice(1);
    let note = circuit.notes[0];
    let leaf = commitment(
        &note.amount,
        &SpendingKey::from_secret(note.secret).owner(),
        &note.blinding,
        &circuit.statement.asset_id,
    );
    circuit.notes[0].path.leaf_index += 1 << TREE_DEPTH;
    circuit.statement.nullifiers[0] = nullifier(
        &leaf,
        circuit.notes[0].path.leaf_index,
        &nullifier_key(&note.secret),
    );
    rehash(&mut circuit);
    rejected(circuit, FundsStatementError::LeafIndexOutOfRange(0));
}

#[test]
fn a_nullifier_other_than_the_notes_is_rejected() {
    let mut circuit = alice(1);
    circuit.statement.nullifiers[2] += Fr::ONE;
    rehash(&mut circuit);
    rejected(circuit, FundsStatementError::NullifierMismatch(2));
    let mut dummy = alice(1);
    dummy.statement.nullifiers[3] = Fr::from(77u64);
    rehash(&mut dummy);
    rejected(dummy, FundsStatementError::NullifierMismatch(3));
}

#[test]
fn one_note_counted_twice_is_rejected() {
    // 700M counted twice reaches 1.4e9 with notes worth 1.2e9 after it.
    let mut circuit = alice(1_900_000_000);
    circuit.notes[1] = circuit.notes[0];
    circuit.statement.nullifiers[1] = circuit.statement.nullifiers[0];
    rehash(&mut circuit);
    rejected(circuit, FundsStatementError::DuplicateNullifier(0, 1));
}

#[test]
fn a_zero_amount_slot_needs_no_path_but_a_valued_one_does() {
    let mut circuit = holding(
        [Fr::from(8u64), Fr::ZERO, Fr::ZERO, Fr::ZERO],
        Fr::from(8u64),
    );
    circuit.notes[2].path.siblings[3] = [9u8; 32];
    accepted(circuit.clone());
    circuit.notes[0].path.siblings[3] = [9u8; 32];
    rejected(circuit, FundsStatementError::NotInTree(0));
}

#[test]
fn the_challenge_is_bound_to_the_pool_and_the_text() {
    let base = challenge_value(&POOL, CHALLENGE);
    assert_ne!(base, challenge_value(&[8; 32], CHALLENGE));
    assert_ne!(base, challenge_value(&POOL, "landlord check, flat 3C"));
    assert_eq!(base, challenge_value(&POOL, CHALLENGE));
    // Pinned by an independent computation (Python's hashlib): a second
    // implementation must derive the same element.
    assert_eq!(
        to_bytes(&challenge_value(&[0; 32], "zkpay")),
        [
            0x10, 0xd1, 0x78, 0xa0, 0x07, 0xe7, 0xeb, 0xfb, 0x9d, 0x50, 0x43, 0x9f, 0x44, 0x42,
            0xcd, 0x42, 0x44, 0x4e, 0xc2, 0x81, 0x83, 0x82, 0x6d, 0x7b, 0x73, 0xcf, 0x43, 0x2f,
            0xf2, 0x69, 0x18, 0x31
        ]
    );
}

fn prover() -> &'static FundsProver {
    static PROVER: OnceLock<FundsProver> = OnceLock::new();
    PROVER.get_or_init(|| FundsProver::load().expect("proof-of-funds proving key"))
}

#[test]
fn a_real_proof_verifies_only_for_its_statement() {
    let prover = prover();
    let circuit = alice(1_000_000_000);
    let statement = circuit.statement;
    let proof = prover.prove(circuit.clone(), &mut rng()).unwrap();
    assert!(prover.verify(&proof, &circuit.public_inputs()));
    let solana = proof_to_solana(&proof);
    assert_eq!(verify_funds(&solana, &statement), Ok(()));

    let mut altered = Vec::new();
    let mut higher = statement;
    higher.at_least = Fr::from(1_000_000_001u64);
    altered.push(higher);
    let mut other_challenge = statement;
    other_challenge.challenge = challenge_value(&POOL, "another verifier");
    altered.push(other_challenge);
    let mut other_root = statement;
    other_root.root += Fr::ONE;
    altered.push(other_root);
    let mut other_asset = statement;
    other_asset.asset_id += Fr::ONE;
    altered.push(other_asset);
    for i in 0..FUNDS_NOTES {
        let mut other_nullifier = statement;
        other_nullifier.nullifiers[i] += Fr::ONE;
        altered.push(other_nullifier);
    }
    for statement in altered {
        assert_eq!(
            verify_funds(&solana, &statement),
            Err(FundsVerifyError::InvalidProof)
        );
    }

    let mut tampered = solana;
    tampered.c[40] ^= 1;
    assert!(verify_funds(&tampered, &statement).is_err());
    let mut flagged = solana;
    flagged.a[0] |= 0x80;
    assert_eq!(
        verify_funds(&flagged, &statement),
        Err(FundsVerifyError::NonCanonicalProof)
    );
}

#[test]
fn a_short_holding_gets_a_typed_error_and_a_forced_proof_does_not_verify() {
    let prover = prover();
    let circuit = alice(1_600_000_000);
    assert!(matches!(
        prover.prove(circuit.clone(), &mut rng()),
        Err(FundsProveError::Statement(
            FundsStatementError::BelowThreshold
        ))
    ));
    let statement = circuit.statement;
    match prover.prove_unchecked(circuit, &mut rng()) {
        Ok(proof) => assert_eq!(
            verify_funds(&proof_to_solana(&proof), &statement),
            Err(FundsVerifyError::InvalidProof)
        ),
        Err(FundsProveError::Synthesis(_)) => {}
        Err(other) => panic!("unexpected error: {other}"),
    }
}
