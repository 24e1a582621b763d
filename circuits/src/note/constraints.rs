//! Gadgets for owner keys, note commitments and nullifiers.

use ark_bn254::Fr;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::SynthesisError;

use super::nullifier_key_tag;
use crate::poseidon::constraints::hash_gadget;

/// Enforces and returns `Poseidon(secret)`.
pub fn owner_key_gadget(secret: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    hash_gadget(std::slice::from_ref(secret))
}

/// Enforces and returns `Poseidon(secret, NULLIFIER_KEY_TAG)`.
pub fn nullifier_key_gadget(secret: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    hash_gadget(&[secret.clone(), FpVar::constant(nullifier_key_tag())])
}

/// Enforces and returns `Poseidon(amount, owner, blinding, asset_id)`.
pub fn commitment_gadget(
    amount: &FpVar<Fr>,
    owner: &FpVar<Fr>,
    blinding: &FpVar<Fr>,
    asset_id: &FpVar<Fr>,
) -> Result<FpVar<Fr>, SynthesisError> {
    hash_gadget(&[
        amount.clone(),
        owner.clone(),
        blinding.clone(),
        asset_id.clone(),
    ])
}

/// Enforces and returns `Poseidon(commitment, leaf_index, nk)`.
pub fn nullifier_gadget(
    commitment: &FpVar<Fr>,
    leaf_index: &FpVar<Fr>,
    nk: &FpVar<Fr>,
) -> Result<FpVar<Fr>, SynthesisError> {
    hash_gadget(&[commitment.clone(), leaf_index.clone(), nk.clone()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{Note, SpendingKey};
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::R1CSVar;
    use ark_relations::r1cs::ConstraintSystem;
    use ark_std::UniformRand;

    #[test]
    fn gadgets_equal_native_note_values() {
        let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::seed_from_u64(7);
        let key = SpendingKey::random(&mut rng);
        let note = Note::new(1_234_567, key.owner(), Fr::from(9u64), &mut rng);
        let leaf_index = 77u64;

        let cs = ConstraintSystem::<Fr>::new_ref();
        let w = |x: Fr| FpVar::new_witness(cs.clone(), || Ok(x)).unwrap();
        let secret = w(*key.secret());
        let owner = owner_key_gadget(&secret).unwrap();
        let commitment = commitment_gadget(
            &w(Fr::from(note.amount)),
            &owner,
            &w(note.blinding),
            &w(note.asset_id),
        )
        .unwrap();
        let nk = nullifier_key_gadget(&secret).unwrap();
        let nullifier = nullifier_gadget(&commitment, &w(Fr::from(leaf_index)), &nk).unwrap();

        assert!(cs.is_satisfied().unwrap());
        assert_eq!(owner.value().unwrap(), key.owner());
        assert_eq!(nk.value().unwrap(), *key.nullifier_key().value());
        assert_eq!(commitment.value().unwrap(), note.commitment());
        assert_eq!(
            nullifier.value().unwrap(),
            note.nullifier(leaf_index, &key.nullifier_key())
        );
    }

    #[test]
    fn nullifier_depends_on_position_and_secret() {
        let mut rng = <rand_chacha::ChaCha20Rng as rand::SeedableRng>::seed_from_u64(7);
        let key = SpendingKey::random(&mut rng);
        let other = SpendingKey::from_secret(Fr::rand(&mut rng));
        let note = Note::new(5, key.owner(), Fr::from(1u64), &mut rng);
        let (nk, other_nk) = (key.nullifier_key(), other.nullifier_key());
        assert_ne!(note.nullifier(0, &nk), note.nullifier(1, &nk));
        assert_ne!(note.nullifier(0, &nk), note.nullifier(0, &other_nk));
        assert_ne!(*nk.value(), key.owner());
        assert_ne!(nk.value(), key.secret());
        assert_eq!(format!("{key:?}"), "SpendingKey(..)");
        assert_eq!(format!("{nk:?}"), "NullifierKey(..)");
    }
}
