//! A transfer proof in the byte layout the alt_bn128 syscalls take.

/// A Groth16 proof over BN254 as groth16-solana verifies it: points
/// big-endian and uncompressed (G1 `x || y`, G2 `x.c1 || x.c0 || y.c1 ||
/// y.c0`, as in EIP-197), with `a` already negated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransferProof {
    /// `-A`, a G1 point.
    pub a: [u8; 64],
    /// `B`, a G2 point.
    pub b: [u8; 128],
    /// `C`, a G1 point.
    pub c: [u8; 64],
}

impl TransferProof {
    /// Size of the serialised proof.
    pub const SIZE: usize = 256;

    /// `a || b || c`.
    pub fn to_bytes(&self) -> [u8; Self::SIZE] {
        let mut out = [0u8; Self::SIZE];
        out[..64].copy_from_slice(&self.a);
        out[64..192].copy_from_slice(&self.b);
        out[192..].copy_from_slice(&self.c);
        out
    }

    /// The inverse of [`TransferProof::to_bytes`].
    pub fn from_bytes(bytes: &[u8; Self::SIZE]) -> Self {
        let mut proof = TransferProof {
            a: [0u8; 64],
            b: [0u8; 128],
            c: [0u8; 64],
        };
        proof.a.copy_from_slice(&bytes[..64]);
        proof.b.copy_from_slice(&bytes[64..192]);
        proof.c.copy_from_slice(&bytes[192..]);
        proof
    }
}
