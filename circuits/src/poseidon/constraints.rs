//! The Poseidon permutation in R1CS: three constraints per S-box (x^5 as
//! x^2, x^4, x^5); round constants and the MDS mix are linear, hence free.

use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ff::{One, Zero};
use ark_r1cs_std::fields::fp::{AllocatedFp, FpVar};
use ark_r1cs_std::fields::FieldVar;
use ark_r1cs_std::R1CSVar;
use ark_relations::r1cs::{LinearCombination, SynthesisError, Variable};
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

/// A state element with its value, carried beside it: asking a symbolic
/// variable for its value would evaluate its linear combination again.
type Element = (FpVar<Fr>, Option<Fr>);

/// `x` with its value (cheap for an allocated witness or input).
fn element(x: FpVar<Fr>) -> Element {
    let value = x.value().ok();
    (x, value)
}

/// `sum coefficients[j] * terms[j] + constant` as one linear combination.
/// FpVar's operators would make a symbolic variable per product and per
/// sum; one per mixed element keeps witness synthesis to a third of the
/// time. The constraints, and so the keys, are the same.
fn affine(terms: &[Element], coefficients: &[Fr], constant: Fr) -> Result<Element, SynthesisError> {
    let mut constant = constant;
    let mut combination = LinearCombination(Vec::with_capacity(terms.len() + 1));
    let mut value = Some(Fr::zero());
    let mut cs = None;
    for ((term, term_value), coefficient) in terms.iter().zip(coefficients) {
        match term {
            FpVar::Constant(c) => constant += *coefficient * c,
            FpVar::Var(allocated) => {
                combination.0.push((*coefficient, allocated.variable));
                value = value.zip(*term_value).map(|(v, t)| v + *coefficient * t);
                cs.get_or_insert_with(|| allocated.cs.clone());
            }
        }
    }
    let Some(cs) = cs else {
        return Ok(element(FpVar::Constant(constant)));
    };
    if !constant.is_zero() {
        combination.0.push((constant, Variable::One));
    }
    let variable = cs.new_lc(combination)?;
    let value = value.map(|v| v + constant);
    Ok((FpVar::Var(AllocatedFp::new(value, variable, cs)), value))
}

/// Enforces and returns Poseidon of `inputs` (1 to 12 of them), the same
/// permutation as light-poseidon: state `[0, inputs..]`, half the full
/// rounds, the partial rounds, the other half, output `state[0]`. Each
/// round's constants are added in the previous round's MDS mix.
pub fn hash_gadget(inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    let params = parameters(inputs.len())?;
    let width = params.width;
    let half_full = params.full_rounds / 2;
    let rounds = params.full_rounds + params.partial_rounds;

    let mut state: Vec<Element> = std::iter::once(FpVar::zero())
        .chain(inputs.iter().cloned())
        .zip(&params.ark[..width])
        .map(|(x, c)| affine(&[element(x)], &[Fr::one()], *c))
        .collect::<Result<_, _>>()?;
    for round in 0..rounds {
        let full = round < half_full || round >= half_full + params.partial_rounds;
        let sboxed = if full { width } else { 1 };
        for x in &mut state[..sboxed] {
            *x = element(sbox(&x.0)?);
        }
        if round + 1 == rounds {
            return Ok(affine(&state, &params.mds[0], Fr::zero())?.0);
        }
        let next = &params.ark[(round + 1) * width..][..width];
        state = params
            .mds
            .iter()
            .zip(next)
            .map(|(row, c)| affine(&state, row, *c))
            .collect::<Result<_, _>>()?;
    }
    Err(SynthesisError::Unsatisfiable)
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
