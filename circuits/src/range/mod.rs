//! 64-bit range checks: the native predicate [`fits_u64`] and the gadget
//! [`constraints::enforce_u64`].

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};

pub mod constraints;

/// Number of bits of an amount.
pub const AMOUNT_BITS: usize = 64;

/// Whether `value`, as an integer in `[0, r)`, is below 2^64.
pub fn fits_u64(value: &Fr) -> bool {
    value.into_bigint().num_bits() as usize <= AMOUNT_BITS
}
