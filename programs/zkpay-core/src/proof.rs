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

/// The base-field modulus q of BN254, big-endian: every point coordinate of
/// a proof must be below it.
pub const BASE_FIELD_MODULUS: [u8; 32] = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x97, 0x81, 0x6a, 0x91, 0x68, 0x71, 0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c, 0xfd, 0x47,
];

impl TransferProof {
    /// Size of the serialised proof.
    pub const SIZE: usize = 256;

    /// Whether every coordinate of the proof's points is below
    /// [`BASE_FIELD_MODULUS`]. The syscalls read coordinates through
    /// arkworks, which takes the top two bits of each as flags and ignores
    /// them for uncompressed points, so without this check one valid proof
    /// would have several accepted encodings (a malleable transaction).
    pub fn is_canonical(&self) -> bool {
        self.a
            .chunks_exact(32)
            .chain(self.b.chunks_exact(32))
            .chain(self.c.chunks_exact(32))
            .all(|coordinate| coordinate < &BASE_FIELD_MODULUS[..])
    }

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
