//! Range checks: the native predicates [`fits_u64`], [`fits_bits`] and the
//! gadgets [`constraints::enforce_u64`], [`constraints::enforce_bits`].

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};

pub mod constraints;

/// Number of bits of an amount.
pub const AMOUNT_BITS: usize = 64;

/// Whether `value`, as an integer in `[0, r)`, is below 2^64.
pub fn fits_u64(value: &Fr) -> bool {
    fits_bits(value, AMOUNT_BITS)
}

/// Whether `value`, as an integer in `[0, r)`, is below `2^bits`.
pub fn fits_bits(value: &Fr, bits: usize) -> bool {
    value.into_bigint().num_bits() as usize <= bits
}
