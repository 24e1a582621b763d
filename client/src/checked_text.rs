//! The checksummed text form shared by addresses and viewing keys:
//! `prefix` followed by base58 (Bitcoin alphabet) of `payload || checksum`,
//! the checksum being the first four bytes of `SHA-256(SHA-256(payload))`.

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Bytes of checksum after the payload.
pub(crate) const CHECKSUM_LEN: usize = 4;

/// Why a text is not a well-formed checksummed payload; each format maps it
/// to its own error.
pub(crate) enum CheckedTextError {
    /// Does not start with the prefix.
    Prefix,
    /// Not base58 after the prefix.
    Encoding,
    /// Decodes to this many bytes, not payload and checksum.
    Length(usize),
    /// The checksum does not match.
    Checksum,
}

/// The first four bytes of `SHA-256(SHA-256(payload))`.
pub(crate) fn checksum(payload: &[u8]) -> [u8; CHECKSUM_LEN] {
    let digest = Sha256::digest(Sha256::digest(payload));
    digest[..CHECKSUM_LEN]
        .try_into()
        .expect("digest is 32 bytes")
}

/// `prefix` then base58 of `payload || checksum(payload)`.
pub(crate) fn encode_checked(prefix: &str, payload: &[u8]) -> Zeroizing<String> {
    let mut bytes = Zeroizing::new(payload.to_vec());
    bytes.extend_from_slice(&checksum(payload));
    Zeroizing::new(format!(
        "{prefix}{}",
        bs58::encode(bytes.as_slice()).into_string()
    ))
}

/// The `payload_len`-byte payload of `text` (surrounding whitespace
/// ignored), its prefix, length and checksum checked.
pub(crate) fn decode_checked(
    text: &str,
    prefix: &str,
    payload_len: usize,
) -> Result<Zeroizing<Vec<u8>>, CheckedTextError> {
    let encoded = text
        .trim()
        .strip_prefix(prefix)
        .ok_or(CheckedTextError::Prefix)?;
    let mut bytes = Zeroizing::new(
        bs58::decode(encoded)
            .into_vec()
            .map_err(|_| CheckedTextError::Encoding)?,
    );
    if bytes.len() != payload_len + CHECKSUM_LEN {
        return Err(CheckedTextError::Length(bytes.len()));
    }
    let (payload, sum) = bytes.split_at(payload_len);
    if checksum(payload) != sum {
        return Err(CheckedTextError::Checksum);
    }
    bytes.truncate(payload_len);
    Ok(bytes)
}
