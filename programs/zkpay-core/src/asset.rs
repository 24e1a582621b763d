//! Asset ids: the field element that names a pool's asset in notes and proofs.

use solana_sha256_hasher::hashv;

use crate::field::FieldBytes;

/// The mint bytes that stand for native SOL (the all-zero address, which no
/// SPL mint can have).
pub const NATIVE_SOL_MINT: [u8; 32] = [0u8; 32];

/// Domain separator of asset ids.
const ASSET_ID_DOMAIN: &[u8] = b"zkpay:asset-id:v1";

/// The asset id of `mint`: SHA-256 of the domain and the mint address with
/// its first byte cleared, so that it is a canonical field element.
pub fn asset_id(mint: &[u8; 32]) -> FieldBytes {
    let mut id = hashv(&[ASSET_ID_DOMAIN, mint]).to_bytes();
    id[0] = 0;
    id
}
