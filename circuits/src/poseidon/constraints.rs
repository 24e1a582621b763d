//! The Poseidon permutation in R1CS: three constraints per S-box (x^5 as
//! x^2, x^4, x^5); round constants and the MDS mix are linear, hence free.

use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::fields::FieldVar;
use ark_relations::r1cs::SynthesisError;
use light_poseidon::parameters::bn254_x5::get_poseidon_parameters;
use light_poseidon::PoseidonParameters;
use zkpay_core::poseidon::MAX_INPUTS;

/// The circom parameters for `inputs` inputs, built once per width.
fn parameters(inputs: usize) -> Result<&'static PoseidonParameters<Fr>, SynthesisError> {
    static PARAMETERS: [OnceLock<Option<PoseidonParameters<Fr>>>; MAX_INPUTS] =
        [const { OnceLock::new() }; MAX_INPUTS];
    let slot = PARAMETERS
        .get(inputs.wrapping_sub(1))
        .ok_or(SynthesisError::Unsatisfiable)?;
    slot.get_or_init(|| get_poseidon_parameters::<Fr>((inputs + 1) as u8).ok())
        .as_ref()
        .ok_or(SynthesisError::Unsatisfiable)
}

fn sbox(x: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    let x2 = x.square()?;
    let x4 = x2.square()?;
    Ok(x4 * x)
}

/// Enforces and returns Poseidon of `inputs` (1 to 12 of them), the same
/// permutation as light-poseidon: state `[0, inputs..]`, half the full
/// rounds, the partial rounds, the other half, output `state[0]`.
pub fn hash_gadget(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    let params = parameters(inputs.len())?;
    let width = params.width;
    let half_full = params.full_rounds / 2;
    let rounds = params.full_rounds + params.partial_rounds;

    let mut state: Vec<FpVar<Fr>> = std::iter::once(FpVar::zero())
        .chain(inputs.iter().cloned())
        .collect();
    for round in 0..rounds {
        for (i, element) in state.iter_mut().enumerate() {
            *element += params.ark[round * width + i];
        }
        let full = round < half_full || round >= half_full + params.partial_rounds;
        if full {
            for element in state.iter_mut() {
                *element = sbox(element)?;
            }
        } else {
            state[0] = sbox(&state[0])?;
        }
        state = params
            .mds
            .iter()
            .map(|row| state.iter().zip(row).map(|(element, m)| element * *m).sum())
            .collect();
    }
    Ok(state.swap_remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poseidon::hash;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::eq::EqGadget;
    use ark_r1cs_std::R1CSVar;
    use ark_relations::r1cs::ConstraintSystem;
    use ark_std::UniformRand;

    fn gadget_value<const N: usize>(inputs: &[Fr; N]) -> (Fr, usize) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let vars: Vec<_> = inputs
            .iter()
            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
            .collect();
        let out = hash_gadget(&vars).unwrap();
        assert!(cs.is_satisfied().unwrap());
        (out.value().unwrap(), cs.num_constraints())
    }

    #[test]
    fn gadget_equals_native_for_every_width_we_use() {
        let mut rng = ark_std::test_rng();
        let mut r = || Fr::rand(&mut rng);
        let one = [r()];
        assert_eq!(gadget_value(&one), (hash(&one), 213));
        let two = [r(), r()];
        assert_eq!(gadget_value(&two), (hash(&two), 240));
        let three = [r(), r(), r()];
        assert_eq!(gadget_value(&three), (hash(&three), 261));
        let four = [r(), r(), r(), r()];
        assert_eq!(gadget_value(&four), (hash(&four), 297));
        let eight: [Fr; 8] = std::array::from_fn(|_| r());
        assert_eq!(gadget_value(&eight), (hash(&eight), 402));
    }

    #[test]
    fn a_wrong_output_is_unsatisfiable() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let inputs = [Fr::from(1u64), Fr::from(2u64)];
        let vars: Vec<_> = inputs
            .iter()
            .map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap())
            .collect();
        let out = hash_gadget(&vars).unwrap();
        let claimed = FpVar::new_input(cs.clone(), || Ok(hash(&inputs) + Fr::from(1u64))).unwrap();
        out.enforce_equal(&claimed).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
