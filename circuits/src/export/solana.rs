//! Points, proofs and verifying keys in groth16-solana's byte layout:
//! big-endian, uncompressed, G2 coordinates as `c1 || c0` (EIP-197).

use ark_bn254::{Bn254, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use ark_groth16::{Proof, VerifyingKey};
use sha2::{Digest, Sha256};
use groth16_solana::groth16::Groth16Verifyingkey;
use zkpay_core::proof::TransferProof;
use zkpay_core::verifying_key::TRANSFER_VERIFYING_KEY;

use crate::funds::verifying_key::FUNDS_VERIFYING_KEY;

fn write_be<F: PrimeField>(value: &F, out: &mut [u8]) {
    out.copy_from_slice(&value.into_bigint().to_bytes_be());
}

/// A G1 point as `x || y`, each 32 bytes big-endian (zero for infinity).
pub fn g1_to_bytes(point: &G1Affine) -> [u8; 64] {
    let mut out = [0u8; 64];
    if let Some((x, y)) = point.xy() {
        write_be(&x, &mut out[..32]);
        write_be(&y, &mut out[32..]);
    }
    out
}

/// A G2 point as `x.c1 || x.c0 || y.c1 || y.c0` (zero for infinity).
pub fn g2_to_bytes(point: &G2Affine) -> [u8; 128] {
    let mut out = [0u8; 128];
    if let Some((x, y)) = point.xy() {
        write_be(&x.c1, &mut out[..32]);
        write_be(&x.c0, &mut out[32..64]);
        write_be(&y.c1, &mut out[64..96]);
        write_be(&y.c0, &mut out[96..]);
    }
    out
}

/// An arkworks proof as groth16-solana verifies it (A negated).
pub fn proof_to_solana(proof: &Proof<Bn254>) -> TransferProof {
    TransferProof {
        a: g1_to_bytes(&(-proof.a)),
        b: g2_to_bytes(&proof.b),
        c: g1_to_bytes(&proof.c),
    }
}

/// A verifying key in groth16-solana's layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SolanaVerifyingKey {
    /// alpha in G1.
    pub alpha_g1: [u8; 64],
    /// beta in G2.
    pub beta_g2: [u8; 128],
    /// gamma in G2.
    pub gamma_g2: [u8; 128],
    /// delta in G2.
    pub delta_g2: [u8; 128],
    /// One G1 point per public input, plus the constant term first.
    pub ic: Vec<[u8; 64]>,
}

impl SolanaVerifyingKey {
    /// `vk` in groth16-solana's layout.
    pub fn from_arkworks(vk: &VerifyingKey<Bn254>) -> Self {
        SolanaVerifyingKey {
            alpha_g1: g1_to_bytes(&vk.alpha_g1),
            beta_g2: g2_to_bytes(&vk.beta_g2),
            gamma_g2: g2_to_bytes(&vk.gamma_g2),
            delta_g2: g2_to_bytes(&vk.delta_g2),
            ic: vk.gamma_abc_g1.iter().map(g1_to_bytes).collect(),
        }
    }

    /// The transfer circuit's verifying key committed in `zkpay-core`.
    pub fn committed() -> Self {
        Self::from_groth16_solana(&TRANSFER_VERIFYING_KEY)
    }

    /// The proof-of-funds circuit's committed verifying key.
    pub fn committed_funds() -> Self {
        Self::from_groth16_solana(&FUNDS_VERIFYING_KEY)
    }

    fn from_groth16_solana(committed: &Groth16Verifyingkey) -> Self {
        SolanaVerifyingKey {
            alpha_g1: committed.vk_alpha_g1,
            beta_g2: committed.vk_beta_g2,
            gamma_g2: committed.vk_gamma_g2,
            delta_g2: committed.vk_delta_g2,
            ic: committed.vk_ic.to_vec(),
        }
    }

    /// A short digest naming this key (first 8 bytes of SHA-256, hex).
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.alpha_g1);
        hasher.update(self.beta_g2);
        hasher.update(self.gamma_g2);
        hasher.update(self.delta_g2);
        self.ic.iter().for_each(|point| hasher.update(point));
        hasher.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}
