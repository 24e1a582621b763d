//! Full viewing keys: what a watch-only wallet holds. It sees every note the
//! wallet receives and sends, and which are spent, but cannot spend.
//!
//! `zkpayfvk:` followed by base58 of `version (1) || owner key (32,
//! big-endian field element) || nullifier key (32, big-endian field
//! element) || incoming view key (32, X25519 secret) || outgoing view key
//! (32) || checksum (4)`, the checksum being the first four bytes of
//! `SHA-256(SHA-256(everything before it))`, as in an address.
//!
//! Spending needs the secret behind the owner key, `Poseidon(secret)`; the
//! nullifier key is `Poseidon(secret, tag)`: neither reveals the secret.

use std::fmt;
use std::str::FromStr;

use x25519_dalek::StaticSecret;
use zeroize::Zeroizing;
use zkpay_circuits::field::{from_bytes, to_bytes};
use zkpay_circuits::note::NullifierKey;
use zkpay_circuits::Fr;

use crate::checked_text::{decode_checked, encode_checked, CheckedTextError, CHECKSUM_LEN};
use crate::keys::OutgoingViewKey;

/// The text every full viewing key starts with.
pub const VIEWING_KEY_PREFIX: &str = "zkpayfvk:";
const VERSION: u8 = 1;
const PAYLOAD_LEN: usize = 1 + 4 * 32;

/// Why a string is not a full viewing key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewingKeyError {
    /// Does not start with `zkpayfvk:`.
    #[error("not a zkpay viewing key: it must start with `{VIEWING_KEY_PREFIX}`")]
    Prefix,
    /// Not base58 after the prefix.
    #[error("the viewing key has characters that are not base58: check for a typo")]
    Encoding,
    /// Wrong length.
    #[error("the viewing key is {0} bytes long, expected {exp}: it may be cut short", exp = PAYLOAD_LEN + CHECKSUM_LEN)]
    Length(usize),
    /// The checksum does not match.
    #[error("the viewing key checksum does not match: check for a typo")]
    Checksum,
    /// An unknown version byte.
    #[error("viewing key version {0} is not supported by this wallet")]
    Version(u8),
    /// The owner key or the nullifier key is not a field element.
    #[error("the viewing key's {0} is not a valid field element")]
    Field(&'static str),
}

/// The keys that see a wallet's notes without spending them: its owner key,
/// nullifier key, incoming view key and outgoing view key. Never printed
/// by `Debug`.
#[derive(Clone)]
pub struct FullViewingKey {
    pub(crate) owner: Fr,
    pub(crate) nullifier: NullifierKey,
    pub(crate) incoming: StaticSecret,
    pub(crate) outgoing: OutgoingViewKey,
}

impl From<CheckedTextError> for ViewingKeyError {
    fn from(error: CheckedTextError) -> Self {
        match error {
            CheckedTextError::Prefix => ViewingKeyError::Prefix,
            CheckedTextError::Encoding => ViewingKeyError::Encoding,
            CheckedTextError::Length(len) => ViewingKeyError::Length(len),
            CheckedTextError::Checksum => ViewingKeyError::Checksum,
        }
    }
}

impl FullViewingKey {
    fn payload(&self) -> Zeroizing<Vec<u8>> {
        let mut payload = Zeroizing::new(Vec::with_capacity(PAYLOAD_LEN));
        payload.push(VERSION);
        payload.extend_from_slice(&to_bytes(&self.owner));
        payload.extend_from_slice(&to_bytes(self.nullifier.value()));
        payload.extend_from_slice(self.incoming.as_bytes());
        payload.extend_from_slice(&self.outgoing.0);
        payload
    }
}

impl fmt::Display for FullViewingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_checked(VIEWING_KEY_PREFIX, &self.payload()))
    }
}

impl fmt::Debug for FullViewingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FullViewingKey(..)")
    }
}

impl FromStr for FullViewingKey {
    type Err = ViewingKeyError;

    fn from_str(text: &str) -> Result<Self, ViewingKeyError> {
        let payload = decode_checked(text, VIEWING_KEY_PREFIX, PAYLOAD_LEN)?;
        if payload[0] != VERSION {
            return Err(ViewingKeyError::Version(payload[0]));
        }
        let field = |at: usize, name| {
            let bytes: [u8; 32] = payload[at..at + 32].try_into().expect("sliced to 32");
            from_bytes(&bytes).ok_or(ViewingKeyError::Field(name))
        };
        let secret =
            |at: usize| -> [u8; 32] { payload[at..at + 32].try_into().expect("sliced to 32") };
        Ok(FullViewingKey {
            owner: field(1, "owner key")?,
            nullifier: NullifierKey::from_value(field(33, "nullifier key")?),
            incoming: StaticSecret::from(secret(65)),
            outgoing: OutgoingViewKey(secret(97)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::address::tests::assert_every_typo_refused;
    use crate::checked_text::checksum;
    use crate::keys::WalletKeys;

    fn key() -> FullViewingKey {
        WalletKeys::generate(&mut rand::thread_rng())
            .1
            .viewing_key()
    }

    #[test]
    fn round_trips_to_the_same_wallet() {
        let key = key();
        let text = key.to_string();
        assert!(text.starts_with(VIEWING_KEY_PREFIX), "{text}");
        let parsed: FullViewingKey = format!(" {text}\n").parse().unwrap();
        assert_eq!(parsed.to_string(), text);
        let watching = WalletKeys::watch_only(&parsed);
        assert_eq!(watching.address(), WalletKeys::watch_only(&key).address());
        assert_eq!(format!("{parsed:?}"), "FullViewingKey(..)");
    }

    #[test]
    fn every_single_character_typo_is_caught() {
        let text = key().to_string();
        assert_every_typo_refused(&text, VIEWING_KEY_PREFIX, |typo| {
            typo.parse::<FullViewingKey>().is_ok()
        });
    }

    #[test]
    fn malformed_keys_are_refused_with_their_reason() {
        let text = key().to_string();
        let address = WalletKeys::generate(&mut rand::thread_rng())
            .1
            .address()
            .to_string();
        assert_eq!(
            address.parse::<FullViewingKey>().unwrap_err(),
            ViewingKeyError::Prefix
        );
        let short = [1u8; PAYLOAD_LEN - 1];
        let mut bytes = short.to_vec();
        bytes.extend_from_slice(&checksum(&short));
        assert_eq!(
            format!("{VIEWING_KEY_PREFIX}{}", bs58::encode(bytes).into_string())
                .parse::<FullViewingKey>()
                .unwrap_err(),
            ViewingKeyError::Length(PAYLOAD_LEN - 1 + CHECKSUM_LEN)
        );
        assert_eq!(
            format!("{text}0").parse::<FullViewingKey>().unwrap_err(),
            ViewingKeyError::Encoding
        );
        let with = |version: u8, nk: [u8; 32]| {
            let mut payload = vec![version];
            payload.extend_from_slice(&[1; 32]);
            payload.extend_from_slice(&nk);
            payload.extend_from_slice(&[2; 64]);
            payload.extend_from_slice(&checksum(&payload));
            format!(
                "{VIEWING_KEY_PREFIX}{}",
                bs58::encode(payload).into_string()
            )
        };
        assert_eq!(
            with(2, [3; 32]).parse::<FullViewingKey>().unwrap_err(),
            ViewingKeyError::Version(2)
        );
        assert_eq!(
            with(1, [0xff; 32]).parse::<FullViewingKey>().unwrap_err(),
            ViewingKeyError::Field("nullifier key")
        );
        assert!(with(1, [3; 32]).parse::<FullViewingKey>().is_ok());
    }
}
