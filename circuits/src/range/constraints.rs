//! Enforces that a field element is below 2^n: n boolean witnesses whose
//! weighted sum must equal it (n + 1 constraints). A value of 2^n or more, a
//! "negative" amount r - x among them, has no such decomposition.

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::boolean::Boolean;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_r1cs_std::R1CSVar;
use ark_relations::r1cs::SynthesisError;

use super::AMOUNT_BITS;

/// Enforces `value < 2^64`.
pub fn enforce_u64(value: &FpVar<Fr>) -> Result<(), SynthesisError> {
    enforce_bits(value, AMOUNT_BITS)
}

/// Enforces `value < 2^bits` (`bits` below the field's 254).
pub fn enforce_bits(value: &FpVar<Fr>, bits: usize) -> Result<(), SynthesisError> {
    if bits >= 254 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let cs = value.cs();
    let bits = (0..bits)
        .map(|i| {
            Boolean::new_witness(cs.clone(), || {
                value.value().map(|v| v.into_bigint().get_bit(i))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Boolean::le_bits_to_fp(&bits)?.enforce_equal(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::range::fits_u64;
    use ark_relations::r1cs::ConstraintSystem;

    fn gadget_accepts(value: Fr) -> bool {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let var = FpVar::new_witness(cs.clone(), || Ok(value)).unwrap();
        enforce_u64(&var).unwrap();
        cs.is_satisfied().unwrap()
    }

    #[test]
    fn gadget_agrees_with_native_at_the_edges() {
        let two_64 = Fr::from(u64::MAX) + Fr::from(1u64);
        for (value, fits) in [
            (Fr::from(0u64), true),
            (Fr::from(u64::MAX), true),
            (two_64, false),
            (-Fr::from(1u64), false),
            (-Fr::from(u64::MAX), false),
        ] {
            assert_eq!(fits_u64(&value), fits, "native {value}");
            assert_eq!(gadget_accepts(value), fits, "gadget {value}");
        }
    }

    #[test]
    fn wider_ranges_agree_with_native_at_the_edges() {
        // The proof of funds' surplus is checked at 66 bits.
        let bits = 66;
        let two_66 = Fr::from(1u128 << 66);
        for (value, fits) in [
            (Fr::from(0u64), true),
            (two_66 - Fr::from(1u64), true),
            (two_66, false),
            (-Fr::from(1u64), false),
        ] {
            let cs = ConstraintSystem::<Fr>::new_ref();
            let var = FpVar::new_witness(cs.clone(), || Ok(value)).unwrap();
            enforce_bits(&var, bits).unwrap();
            assert_eq!(
                crate::range::fits_bits(&value, bits),
                fits,
                "native {value}"
            );
            assert_eq!(cs.is_satisfied().unwrap(), fits, "gadget {value}");
        }
        let cs = ConstraintSystem::<Fr>::new_ref();
        let var = FpVar::new_witness(cs.clone(), || Ok(Fr::from(1u64))).unwrap();
        assert!(enforce_bits(&var, 254).is_err(), "254 bits would wrap");
    }
}
