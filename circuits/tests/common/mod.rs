//! Transfers used across the circuit tests.
#![allow(dead_code)]

use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisError};
use rand::rngs::StdRng;
use rand::SeedableRng;
use zkpay_circuits::note::{Note, SpendingKey};
use zkpay_circuits::prover::TransferProver;
use zkpay_circuits::scenario::{alice_pays_bob, SCENARIO_ASSET_ID};
use zkpay_circuits::transfer::{
    statement_hash, InputNote, PublicInputMode, TransferCircuit, TransferWitness,
};

pub fn rng() -> StdRng {
    StdRng::seed_from_u64(0x007a_6b70_6179)
}

/// Alice pays Bob from two notes in a tree of other notes.
pub fn payment() -> TransferWitness {
    alice_pays_bob(3, &mut rng()).witness
}

/// A deposit of `amount`: two dummy inputs, the deposit and a dummy as outputs.
pub fn deposit(amount: u64) -> TransferWitness {
    let mut rng = rng();
    let asset_id = Fr::from(SCENARIO_ASSET_ID);
    let alice = SpendingKey::random(&mut rng);
    let inputs = [
        InputNote::dummy(alice.clone(), asset_id, &mut rng),
        InputNote::dummy(alice.clone(), asset_id, &mut rng),
    ];
    TransferWitness {
        root: zkpay_circuits::field::from_bytes(&zkpay_core::tree::empty_root()).unwrap(),
        public_amount: Fr::from(amount),
        ext_data_hash: Fr::from(12345u64),
        asset_id,
        inputs,
        outputs: [
            Note::new(amount, alice.owner(), asset_id, &mut rng),
            Note::dummy(alice.owner(), asset_id, &mut rng),
        ],
    }
}

/// Alice withdraws `amount` of her 1.2e9 and keeps the change in the pool.
pub fn withdrawal(amount: u64) -> TransferWitness {
    let mut witness = payment();
    let total: u64 = witness.inputs.iter().map(|input| input.note.amount).sum();
    let alice = witness.inputs[0].note.owner;
    let mut rng = rng();
    witness.public_amount = -Fr::from(amount);
    witness.outputs = [
        Note::new(total - amount, alice, witness.asset_id, &mut rng),
        Note::dummy(alice, witness.asset_id, &mut rng),
    ];
    witness
}

/// Whether the R1CS of `circuit` is satisfied by its assignment. A witness
/// that cannot even be computed (the inverse in "nullifiers differ" when they
/// are equal) counts as unsatisfied: no assignment exists.
pub fn satisfied(circuit: impl ConstraintSynthesizer<Fr>) -> bool {
    let cs = ConstraintSystem::<Fr>::new_ref();
    match circuit.generate_constraints(cs.clone()) {
        Ok(()) => cs.is_satisfied().unwrap(),
        Err(SynthesisError::AssignmentMissing) => false,
        Err(other) => panic!("synthesis failed: {other}"),
    }
}

/// The circuit of `witness` in the deployed layout.
pub fn hashed(witness: &TransferWitness) -> TransferCircuit {
    witness.circuit(PublicInputMode::Hashed)
}

/// Recomputes the public-input hash, as a cheating prover would, so that
/// only the condition under test can fail.
pub fn rehash(circuit: &mut TransferCircuit) {
    circuit.public_inputs_hash = statement_hash(&circuit.statement);
}

/// The prover of the committed key, shared by a test binary.
pub fn prover() -> &'static TransferProver {
    static PROVER: OnceLock<TransferProver> = OnceLock::new();
    PROVER.get_or_init(|| TransferProver::load().expect("proving key"))
}
