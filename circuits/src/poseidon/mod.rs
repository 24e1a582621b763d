//! Poseidon over BN254 with circom's parameters: the native function is
//! [`zkpay_core::poseidon::hashv`], the gadget is [`constraints::hash_gadget`].

use ark_bn254::Fr;
use zkpay_core::poseidon::{hashv, MAX_INPUTS};

use crate::field::{from_bytes, to_bytes};

pub mod constraints;

/// Poseidon of `N` field elements (1 <= N <= 12).
pub fn hash<const N: usize>(inputs: &[Fr; N]) -> Fr {
    const { assert!(N >= 1 && N <= MAX_INPUTS) };
    let bytes: [_; N] = core::array::from_fn(|i| to_bytes(&inputs[i]));
    let refs: [_; N] = core::array::from_fn(|i| &bytes[i]);
    // Field elements always encode canonically and N is in range, so the
    // hash cannot fail, and its output is canonical.
    let digest = hashv(&refs).expect("canonical inputs, valid count");
    from_bytes(&digest).expect("Poseidon outputs are canonical")
}
