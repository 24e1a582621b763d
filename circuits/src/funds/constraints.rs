//! The proof-of-funds statement in R1CS (see the conditions in [`super`]).

use ark_bn254::Fr;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::ns;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::{FundsCircuit, FUNDS_NOTES, FUNDS_STATEMENT_VALUES, SURPLUS_BITS};
use crate::poseidon::constraints::hash_gadget;
use crate::range::constraints::{enforce_bits, enforce_u64};
use crate::transfer::constraints::input_gadget;

impl ConstraintSynthesizer<Fr> for FundsCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let witness = |value: Fr| FpVar::new_witness(cs.clone(), || Ok(value));

        let statement = self
            .statement
            .to_array()
            .iter()
            .map(|v| witness(*v))
            .collect::<Result<Vec<_>, _>>()?;
        let public =
            FpVar::new_input(
                ns!(cs, "public_inputs_hash"),
                || Ok(self.public_inputs_hash),
            )?;
        hash_gadget(&statement)?.enforce_equal(&public)?;
        let statement = <[FpVar<Fr>; FUNDS_STATEMENT_VALUES]>::try_from(statement)
            .map_err(|_| SynthesisError::Unsatisfiable)?;
        let [root, at_least, _challenge, asset_id] = [0, 1, 2, 3].map(|i| statement[i].clone());
        let published = &statement[4..];
        enforce_u64(&at_least)?;

        let mut total = FpVar::zero();
        let mut nullifiers = Vec::with_capacity(FUNDS_NOTES);
        for (input, published) in self.notes.iter().zip(published) {
            let (amount, nullifier) = input_gadget(&cs, input, &root, &asset_id, published)?;
            nullifiers.push(nullifier);
            total += amount;
        }
        for (i, first) in nullifiers.iter().enumerate() {
            for second in &nullifiers[i + 1..] {
                first.enforce_not_equal(second)?;
            }
        }
        enforce_bits(&(total - at_least), SURPLUS_BITS)
    }
}
