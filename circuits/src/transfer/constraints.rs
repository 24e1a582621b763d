//! The transfer statement in R1CS (see the conditions in [`super`]).

use ark_bn254::Fr;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::ns;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use zkpay_core::constants::TREE_DEPTH;
use zkpay_core::public_inputs::STATEMENT_VALUES;

use super::{InputAssignment, PublicInputMode, TransferCircuit};
use crate::field::from_bytes;
use crate::merkle::constraints::root_gadget;
use crate::note::constraints::{
    commitment_gadget, nullifier_gadget, nullifier_key_gadget, owner_key_gadget,
};
use crate::poseidon::constraints::hash_gadget;
use crate::range::constraints::enforce_u64;

impl ConstraintSynthesizer<Fr> for TransferCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let witness = |value: Fr| FpVar::new_witness(cs.clone(), || Ok(value));

        // The public values: private inputs to one public hash, or public inputs.
        let values = self.statement.to_array();
        let statement: Vec<FpVar<Fr>> =
            match self.mode {
                PublicInputMode::Hashed => {
                    let statement = values
                        .iter()
                        .map(|v| witness(*v))
                        .collect::<Result<Vec<_>, _>>()?;
                    let public = FpVar::new_input(ns!(cs, "public_inputs_hash"), || {
                        Ok(self.public_inputs_hash)
                    })?;
                    hash_gadget(&statement)?.enforce_equal(&public)?;
                    statement
                }
                PublicInputMode::Direct => {
                    let statement = values
                        .iter()
                        .map(|v| FpVar::new_input(cs.clone(), || Ok(*v)))
                        .collect::<Result<Vec<_>, _>>()?;
                    // The external-data hash enters no other constraint: square it
                    // so that the proof binds it.
                    let _ext_data_hash_squared = statement[2].square()?;
                    statement
                }
            };
        debug_assert_eq!(statement.len(), STATEMENT_VALUES);
        let [root, public_amount, _ext_data_hash, asset_id, nullifier_0, nullifier_1, commitment_0, commitment_1] =
            <[FpVar<Fr>; STATEMENT_VALUES]>::try_from(statement)
                .map_err(|_| SynthesisError::Unsatisfiable)?;
        let published_nullifiers = [nullifier_0, nullifier_1];
        let published_commitments = [commitment_0, commitment_1];

        let mut value_in = public_amount;
        let mut nullifiers = Vec::with_capacity(self.inputs.len());
        for (input, published) in self.inputs.iter().zip(&published_nullifiers) {
            let (amount, nullifier) = input_gadget(&cs, input, &root, &asset_id, published)?;
            nullifiers.push(nullifier);
            value_in += amount;
        }
        nullifiers[0].enforce_not_equal(&nullifiers[1])?;

        let mut value_out = FpVar::zero();
        for (output, published) in self.outputs.iter().zip(&published_commitments) {
            let amount = witness(output.amount)?;
            enforce_u64(&amount)?;
            let note = commitment_gadget(
                &amount,
                &witness(output.owner)?,
                &witness(output.blinding)?,
                &asset_id,
            )?;
            note.enforce_equal(published)?;
            value_out += amount;
        }
        value_in.enforce_equal(&value_out)
    }
}

/// Allocates `input` and enforces the conditions of
/// [`InputAssignment::check`] against `root`, `asset_id` and the
/// `published` nullifier; returns the note's amount and nullifier.
pub fn input_gadget(
    cs: &ConstraintSystemRef<Fr>,
    input: &InputAssignment,
    root: &FpVar<Fr>,
    asset_id: &FpVar<Fr>,
    published: &FpVar<Fr>,
) -> Result<(FpVar<Fr>, FpVar<Fr>), SynthesisError> {
    let witness = |value: Fr| FpVar::new_witness(cs.clone(), || Ok(value));
    let amount = witness(input.amount)?;
    enforce_u64(&amount)?;
    let secret = witness(input.secret)?;
    let owner = owner_key_gadget(&secret)?;
    let note = commitment_gadget(&amount, &owner, &witness(input.blinding)?, asset_id)?;

    let index_bits = (0..TREE_DEPTH)
        .map(|h| Boolean::new_witness(cs.clone(), || Ok((input.path.leaf_index >> h) & 1 == 1)))
        .collect::<Result<Vec<_>, _>>()?;
    let siblings = input
        .path
        .siblings
        .iter()
        .map(|s| witness(from_bytes(s).ok_or(SynthesisError::AssignmentMissing)?))
        .collect::<Result<Vec<_>, _>>()?;
    let computed_root = root_gadget(&note, &index_bits, &siblings)?;
    // Membership, waived only for a zero amount: (computed - root) * amount = 0.
    (computed_root - root).mul_equals(&amount, &FpVar::zero())?;

    let leaf_index = Boolean::le_bits_to_fp(&index_bits)?;
    let nk = nullifier_key_gadget(&secret)?;
    let nullifier = nullifier_gadget(&note, &leaf_index, &nk)?;
    nullifier.enforce_equal(published)?;
    Ok((amount, nullifier))
}
