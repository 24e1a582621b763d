//! Verification of a proof of funds against the committed verifying key,
//! with the same pairing code the on-chain verifier runs.

use groth16_solana::groth16::Groth16Verifier;
use zkpay_core::proof::TransferProof;

use super::verifying_key::FUNDS_VERIFYING_KEY;
use super::{statement_hash, FundsStatement};
use crate::field::to_bytes;

/// Why a proof of funds was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FundsVerifyError {
    /// A coordinate of the proof's points is not canonical.
    #[error("a coordinate of the proof is not canonical (it is >= the base-field modulus)")]
    NonCanonicalProof,
    /// The pairing check fails for this statement.
    #[error("the proof of funds does not verify for this statement")]
    InvalidProof,
}

/// Verifies `proof` (groth16-solana layout) for `statement`: the proof's
/// coordinates must be canonical and the Groth16 check must pass on the
/// statement's hash. The values of `statement` are field elements, so
/// canonical by type; parsers check their encodings.
pub fn verify_funds(
    proof: &TransferProof,
    statement: &FundsStatement,
) -> Result<(), FundsVerifyError> {
    if !proof.is_canonical() {
        return Err(FundsVerifyError::NonCanonicalProof);
    }
    let public_inputs = [to_bytes(&statement_hash(statement))];
    let mut verifier = Groth16Verifier::new(
        &proof.a,
        &proof.b,
        &proof.c,
        &public_inputs,
        &FUNDS_VERIFYING_KEY,
    )
    .map_err(|_| FundsVerifyError::InvalidProof)?;
    verifier
        .verify()
        .map_err(|_| FundsVerifyError::InvalidProof)
}
