//! Conversions between arkworks field elements and the byte encoding of
//! [`zkpay_core::field`].

use ark_bn254::Fr;
use ark_ff::{BigInteger, PrimeField};
use zkpay_core::field::{is_canonical, FieldBytes};

/// `value` as 32 big-endian bytes.
pub fn to_bytes(value: &Fr) -> FieldBytes {
    let mut out = [0u8; 32];
    out.copy_from_slice(&value.into_bigint().to_bytes_be());
    out
}

/// The field element encoded by `bytes`, if canonical.
pub fn from_bytes(bytes: &FieldBytes) -> Option<Fr> {
    is_canonical(bytes).then(|| Fr::from_be_bytes_mod_order(bytes))
}
