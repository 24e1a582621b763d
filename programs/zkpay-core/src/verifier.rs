//! Verification of a transfer proof against the embedded verifying key.

use groth16_solana::groth16::Groth16Verifier;

use crate::poseidon::HashError;
use crate::proof::TransferProof;
use crate::public_inputs::{NonCanonicalInput, TransferPublicInputs};
use crate::verifying_key::TRANSFER_VERIFYING_KEY;

/// Why a transfer proof was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// A public value is not a canonical field element.
    #[error(transparent)]
    NonCanonical(#[from] NonCanonicalInput),
    /// The public-input hash could not be computed.
    #[error(transparent)]
    Hash(#[from] HashError),
    /// The proof does not verify for these public inputs.
    #[error("the transfer proof does not verify for these public inputs")]
    InvalidProof,
    /// A coordinate of the proof's points is not canonical.
    #[error("a coordinate of the proof is not canonical (it is >= the base-field modulus)")]
    NonCanonicalProof,
}

/// Verifies `proof` for `inputs`: every public value and every proof
/// coordinate must be canonical, and the Groth16 pairing check must pass on
/// the hash of the values.
pub fn verify_transfer(
    proof: &TransferProof,
    inputs: &TransferPublicInputs,
) -> Result<(), VerifyError> {
    inputs.check_canonical()?;
    if !proof.is_canonical() {
        return Err(VerifyError::NonCanonicalProof);
    }
    let public_inputs = [inputs.hash()?];
    let mut verifier = Groth16Verifier::new(
        &proof.a,
        &proof.b,
        &proof.c,
        &public_inputs,
        &TRANSFER_VERIFYING_KEY,
    )
    .map_err(|_| VerifyError::InvalidProof)?;
    verifier.verify().map_err(|_| VerifyError::InvalidProof)
}
