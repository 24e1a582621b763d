//! The whole transfer statement: the circuit and its native twin agree on
//! honest transfers, and each condition, broken alone, makes both reject.

mod common;

use ark_bn254::Fr;
use ark_ff::{Field, Zero};
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, SynthesisMode};
use common::{deposit, hashed, payment, rehash, satisfied, withdrawal};
use zkpay_circuits::field::to_bytes;
use zkpay_circuits::note::{commitment, nullifier, nullifier_key, owner_key, SpendingKey};
use zkpay_circuits::transfer::{
    statement_hash, NoteSlot, PublicInputMode, StatementError, TransferCircuit,
};
use zkpay_core::field::public_amount;

/// Asserts the native twin reports `expected` and the circuit is unsatisfied.
fn rejected(circuit: TransferCircuit, expected: StatementError) {
    assert_eq!(circuit.check(), Err(expected));
    assert!(
        !satisfied(circuit),
        "the circuit accepted what the native check rejects: {expected}"
    );
}

fn recommit_output(circuit: &mut TransferCircuit, index: usize) {
    let output = circuit.outputs[index];
    circuit.statement.output_commitments[index] = commitment(
        &output.amount,
        &output.owner,
        &output.blinding,
        &circuit.statement.asset_id,
    );
}

#[test]
fn honest_transfers_satisfy_gadgets_and_native_twin_in_both_layouts() {
    for witness in [
        payment(),
        deposit(5_000),
        withdrawal(1_000_000_000),
        withdrawal(1_200_000_000),
    ] {
        for mode in [PublicInputMode::Hashed, PublicInputMode::Direct] {
            let circuit = witness.circuit(mode);
            assert_eq!(circuit.check(), Ok(()));
            assert!(satisfied(circuit), "{mode:?}");
        }
    }
}

#[test]
fn public_values_computed_natively_are_the_ones_the_gadgets_enforce() {
    // The gadgets enforce equality with these natively computed values, so a
    // satisfied circuit means gadget value == native value for each.
    let witness = payment();
    let public = witness.public_inputs();
    let circuit = hashed(&witness);
    assert_eq!(
        public.to_array().to_vec(),
        circuit.statement.to_array().map(|v| to_bytes(&v)).to_vec()
    );
    assert_eq!(
        to_bytes(&circuit.public_inputs_hash),
        public.hash().unwrap()
    );
    assert!(satisfied(circuit));
}

#[test]
fn withdrawal_public_amount_is_the_programs_encoding() {
    let witness = withdrawal(1_000_000_000);
    assert_eq!(
        to_bytes(&witness.public_amount),
        public_amount(-1_000_000_000, 0)
    );
    assert_eq!(to_bytes(&deposit(7).public_amount), public_amount(7, 0));
}

#[test]
fn constraint_count_stays_under_budget_and_every_public_input_is_constrained() {
    for (mode, instance_variables) in [(PublicInputMode::Hashed, 2), (PublicInputMode::Direct, 9)] {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(SynthesisMode::Setup);
        TransferCircuit::blank(mode)
            .generate_constraints(cs.clone())
            .unwrap();
        cs.finalize();
        let matrices = cs.to_matrices().unwrap();
        assert!(
            matrices.num_constraints < 16_000,
            "{mode:?}: {} constraints",
            matrices.num_constraints
        );
        assert_eq!(matrices.num_instance_variables, instance_variables);
        // Variable 0 is the constant one; every public input must have a
        // non-zero coefficient in some constraint, or the proof does not bind it.
        for variable in 1..instance_variables {
            let used = [&matrices.a, &matrices.b, &matrices.c]
                .iter()
                .any(|matrix| {
                    matrix
                        .iter()
                        .flatten()
                        .any(|(coefficient, index)| *index == variable && !coefficient.is_zero())
                });
            assert!(
                used,
                "{mode:?}: public input {variable} appears in no constraint"
            );
        }
    }
}

#[test]
fn wrong_root_is_rejected() {
    let mut circuit = hashed(&payment());
    circuit.statement.root += Fr::ONE;
    rehash(&mut circuit);
    rejected(circuit, StatementError::NotInTree(0));
}

#[test]
fn wrong_path_is_rejected() {
    let mut circuit = hashed(&payment());
    circuit.inputs[1].path.siblings[7][31] ^= 1;
    rejected(circuit, StatementError::NotInTree(1));
}

#[test]
fn wrong_leaf_index_is_rejected() {
    let mut circuit = hashed(&payment());
    circuit.inputs[0].path.leaf_index ^= 1 << 4;
    rejected(circuit, StatementError::NotInTree(0));
}

#[test]
fn wrong_owner_secret_is_rejected() {
    let mut circuit = hashed(&payment());
    let thief = SpendingKey::from_secret(Fr::from(31337u64));
    circuit.inputs[0].secret = *thief.secret();
    rejected(circuit, StatementError::NotInTree(0));
}

#[test]
fn wrong_nullifier_is_rejected() {
    let mut circuit = hashed(&payment());
    circuit.statement.input_nullifiers[1] += Fr::ONE;
    rehash(&mut circuit);
    rejected(circuit, StatementError::NullifierMismatch(1));
}

#[test]
fn a_nullifier_under_any_key_but_the_secrets_nullifier_key_is_rejected() {
    // A second nullifier for the same note would be a second spend: the one
    // under the secret itself (the previous statement's formula) and one
    // under another nullifier key are both refused.
    let honest = hashed(&payment());
    let input = honest.inputs[0];
    let leaf = commitment(
        &input.amount,
        &owner_key(&input.secret),
        &input.blinding,
        &honest.statement.asset_id,
    );
    let other_key = nullifier_key(&Fr::from(31337u64));
    for nk in [input.secret, other_key] {
        let mut circuit = honest.clone();
        circuit.statement.input_nullifiers[0] = nullifier(&leaf, input.path.leaf_index, &nk);
        rehash(&mut circuit);
        rejected(circuit, StatementError::NullifierMismatch(0));
    }
    let nk = nullifier_key(&input.secret);
    assert_eq!(
        nullifier(&leaf, input.path.leaf_index, &nk),
        honest.statement.input_nullifiers[0]
    );
}

#[test]
fn duplicate_nullifiers_are_rejected() {
    // Spending the same note twice in one transfer: both memberships hold,
    // so only the distinct-nullifier constraint stands in the way.
    let mut circuit = hashed(&payment());
    circuit.inputs[1] = circuit.inputs[0];
    circuit.statement.input_nullifiers[1] = circuit.statement.input_nullifiers[0];
    let total_in = circuit.inputs[0].amount + circuit.inputs[0].amount;
    circuit.outputs[1].amount = total_in - circuit.outputs[0].amount;
    recommit_output(&mut circuit, 1);
    rehash(&mut circuit);
    rejected(circuit, StatementError::DuplicateNullifier);
}

#[test]
fn wrong_output_commitment_is_rejected() {
    let mut circuit = hashed(&payment());
    circuit.statement.output_commitments[0] += Fr::ONE;
    rehash(&mut circuit);
    rejected(circuit, StatementError::CommitmentMismatch(0));
}

#[test]
fn value_not_conserved_is_rejected() {
    let mut circuit = hashed(&payment());
    circuit.outputs[0].amount += Fr::ONE;
    recommit_output(&mut circuit, 0);
    rehash(&mut circuit);
    rejected(circuit, StatementError::ValueNotConserved);
}

#[test]
fn amount_that_wraps_in_the_field_is_rejected() {
    // out_0 = -1 and out_1 = in + 1: conserved in the field, but out_0 is
    // r - 1, far above 2^64.
    let mut circuit = hashed(&payment());
    let total_in = circuit.inputs[0].amount + circuit.inputs[1].amount;
    circuit.outputs[0].amount = -Fr::ONE;
    circuit.outputs[1].amount = total_in + Fr::ONE;
    recommit_output(&mut circuit, 0);
    recommit_output(&mut circuit, 1);
    rehash(&mut circuit);
    rejected(
        circuit,
        StatementError::AmountOutOfRange(NoteSlot::Output(0)),
    );
}

#[test]
fn amount_of_two_to_the_64_is_rejected() {
    let two_64 = Fr::from(u64::MAX) + Fr::ONE;
    let mut circuit = hashed(&deposit(0));
    circuit.statement.public_amount = two_64;
    circuit.outputs[0].amount = two_64;
    recommit_output(&mut circuit, 0);
    rehash(&mut circuit);
    rejected(
        circuit,
        StatementError::AmountOutOfRange(NoteSlot::Output(0)),
    );
}

#[test]
fn oversized_input_amount_is_rejected() {
    // A dummy input (not in the tree) claiming 2^64 + 5.
    let mut circuit = hashed(&deposit(10));
    circuit.inputs[0].amount = Fr::from(u64::MAX) + Fr::from(6u64);
    rejected(
        circuit,
        StatementError::AmountOutOfRange(NoteSlot::Input(0)),
    );
}

#[test]
fn dummy_input_with_value_needs_membership() {
    // A zero-amount input skips the tree check; claiming value makes it count.
    let mut circuit = hashed(&deposit(10));
    circuit.inputs[1].amount = Fr::from(10u64);
    circuit.statement.public_amount = Fr::from(0u64);
    rehash(&mut circuit);
    rejected(circuit, StatementError::NotInTree(1));
}

#[test]
fn notes_of_another_asset_are_rejected() {
    let mut circuit = hashed(&payment());
    circuit.statement.asset_id += Fr::ONE;
    rehash(&mut circuit);
    rejected(circuit, StatementError::NotInTree(0));
}

#[test]
fn tampered_external_data_hash_is_rejected() {
    // The relayer changes the external data: the program hashes the changed
    // data into the public input, which no longer matches the proof's values.
    let mut circuit = hashed(&payment());
    let mut tampered = circuit.statement;
    tampered.ext_data_hash += Fr::ONE;
    circuit.public_inputs_hash = statement_hash(&tampered);
    rejected(circuit, StatementError::PublicInputsHashMismatch);
}

#[test]
fn leaf_index_beyond_the_tree_is_rejected() {
    let mut circuit = hashed(&payment());
    circuit.inputs[0].path.leaf_index += 1 << 26;
    assert_eq!(circuit.check(), Err(StatementError::LeafIndexOutOfRange(0)));
}
