//! Shielded addresses: what a payee shares to be paid.
//!
//! `zkpay:` followed by base58 of `version (1) || owner key (32, big-endian
//! field element) || X25519 encryption key (32) || checksum (4)`, where the
//! checksum is the first four bytes of `SHA-256(SHA-256(version || owner ||
//! encryption key))`.

use std::fmt;
use std::str::FromStr;

use x25519_dalek::PublicKey;

use crate::checked_text::{decode_checked, encode_checked, CheckedTextError, CHECKSUM_LEN};
use crate::encryption::check_encryption_key;
use zkpay_circuits::field::{from_bytes, to_bytes};
use zkpay_circuits::Fr;
use zkpay_core::field::FieldBytes;

/// The text every address starts with.
pub const ADDRESS_PREFIX: &str = "zkpay:";
const VERSION: u8 = 1;
const PAYLOAD_LEN: usize = 1 + 32 + 32;

/// Why a string is not a shielded address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Does not start with `zkpay:`.
    #[error("not a zkpay address: it must start with `{ADDRESS_PREFIX}`")]
    Prefix,
    /// Not base58 after the prefix.
    #[error("the address has characters that are not base58: check for a typo")]
    Encoding,
    /// Wrong length.
    #[error("the address is {0} bytes long, expected {exp}: it may be cut short", exp = PAYLOAD_LEN + CHECKSUM_LEN)]
    Length(usize),
    /// The checksum does not match.
    #[error("the address checksum does not match: check for a typo")]
    Checksum,
    /// An unknown version byte.
    #[error("address version {0} is not supported by this wallet")]
    Version(u8),
    /// The owner key is not a field element.
    #[error("the address's owner key is not valid")]
    OwnerKey,
    /// The encryption key is a low-order point: notes sent to it would be
    /// readable by anyone.
    #[error("the address's encryption key is a low-order point: notes sent to it would be readable by anyone; ask the payee for a new address")]
    EncryptionKey,
}

/// A payee's owner key and note-encryption key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ShieldedAddress {
    owner: FieldBytes,
    encryption: [u8; 32],
}

impl ShieldedAddress {
    /// The address of `owner` with encryption key `encryption`.
    pub fn new(owner: Fr, encryption: PublicKey) -> Self {
        ShieldedAddress {
            owner: to_bytes(&owner),
            encryption: encryption.to_bytes(),
        }
    }

    /// The owner key notes to this address carry.
    pub fn owner(&self) -> Fr {
        from_bytes(&self.owner).expect("checked when built")
    }

    /// The key notes to this address are encrypted to.
    pub fn encryption_key(&self) -> PublicKey {
        PublicKey::from(self.encryption)
    }

    fn payload(&self) -> [u8; PAYLOAD_LEN] {
        let mut payload = [0u8; PAYLOAD_LEN];
        payload[0] = VERSION;
        payload[1..33].copy_from_slice(&self.owner);
        payload[33..].copy_from_slice(&self.encryption);
        payload
    }
}

impl From<CheckedTextError> for AddressError {
    fn from(error: CheckedTextError) -> Self {
        match error {
            CheckedTextError::Prefix => AddressError::Prefix,
            CheckedTextError::Encoding => AddressError::Encoding,
            CheckedTextError::Length(len) => AddressError::Length(len),
            CheckedTextError::Checksum => AddressError::Checksum,
        }
    }
}

impl fmt::Display for ShieldedAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&encode_checked(ADDRESS_PREFIX, &self.payload()))
    }
}

impl fmt::Debug for ShieldedAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for ShieldedAddress {
    type Err = AddressError;

    fn from_str(text: &str) -> Result<Self, AddressError> {
        let payload = decode_checked(text, ADDRESS_PREFIX, PAYLOAD_LEN)?;
        if payload[0] != VERSION {
            return Err(AddressError::Version(payload[0]));
        }
        let owner: FieldBytes = payload[1..33].try_into().expect("sliced to 32");
        from_bytes(&owner).ok_or(AddressError::OwnerKey)?;
        let encryption: [u8; 32] = payload[33..].try_into().expect("sliced to 32");
        check_encryption_key(&PublicKey::from(encryption))
            .map_err(|_| AddressError::EncryptionKey)?;
        Ok(ShieldedAddress { owner, encryption })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::checked_text::checksum;
    use crate::keys::WalletKeys;

    fn address() -> ShieldedAddress {
        WalletKeys::generate(&mut rand::thread_rng()).1.address()
    }

    #[test]
    fn round_trips() {
        let address = address();
        let text = address.to_string();
        assert!(text.starts_with(ADDRESS_PREFIX));
        assert_eq!(text.parse::<ShieldedAddress>(), Ok(address));
        assert_eq!(format!(" {text}\n").parse::<ShieldedAddress>(), Ok(address));
    }

    /// Asserts that `parses` refuses `text` with any one base58 character
    /// after `prefix` changed (shared by every checksummed text form).
    pub(crate) fn assert_every_typo_refused(
        text: &str,
        prefix: &str,
        parses: impl Fn(&str) -> bool,
    ) {
        let alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        for position in prefix.len()..text.len() {
            let original = text.as_bytes()[position] as char;
            let replacement = alphabet.chars().find(|c| *c != original).unwrap();
            let mut typo = text.to_string();
            typo.replace_range(position..=position, &replacement.to_string());
            assert!(!parses(&typo), "{typo}");
        }
    }

    #[test]
    fn every_single_character_typo_is_caught() {
        let text = address().to_string();
        assert_every_typo_refused(&text, ADDRESS_PREFIX, |typo| {
            typo.parse::<ShieldedAddress>().is_ok()
        });
    }

    /// The u-coordinates of Curve25519's low-order points (and their
    /// non-canonical encodings), as listed by libsodium's blocklist.
    const LOW_ORDER: [&str; 7] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];

    fn with_encryption_key(owner: FieldBytes, key: [u8; 32]) -> String {
        let mut payload = vec![VERSION];
        payload.extend_from_slice(&owner);
        payload.extend_from_slice(&key);
        payload.extend_from_slice(&checksum(&payload));
        format!("{ADDRESS_PREFIX}{}", bs58::encode(payload).into_string())
    }

    #[test]
    fn an_address_with_a_low_order_encryption_key_is_refused() {
        for hex in LOW_ORDER {
            let key: [u8; 32] = (0..32)
                .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
                .collect::<Vec<_>>()
                .try_into()
                .unwrap();
            assert_eq!(
                with_encryption_key(address().owner, key).parse::<ShieldedAddress>(),
                Err(AddressError::EncryptionKey),
                "{hex}"
            );
            // Nor can a note be sealed to it by any other route.
            let address = ShieldedAddress {
                owner: address().owner,
                encryption: key,
            };
            let sealed = crate::encryption::seal_note(
                &address,
                1,
                ark_ff::Zero::zero(),
                b"",
                WalletKeys::generate(&mut rand::thread_rng())
                    .1
                    .outgoing_view_key(),
                &mut rand::thread_rng(),
            );
            assert!(
                matches!(sealed, Err(crate::encryption::SealError::LowOrderKey(_))),
                "{hex}"
            );
        }
        let good = address();
        assert_eq!(
            with_encryption_key(good.owner, good.encryption).parse::<ShieldedAddress>(),
            Ok(good)
        );
    }

    #[test]
    fn bad_addresses_say_why() {
        let text = address().to_string();
        assert_eq!("bob".parse::<ShieldedAddress>(), Err(AddressError::Prefix));
        assert_eq!(
            "zkpay:0OIl".parse::<ShieldedAddress>(),
            Err(AddressError::Encoding)
        );
        assert!(matches!(
            text[..text.len() - 5].parse::<ShieldedAddress>(),
            Err(AddressError::Length(_))
        ));
        let mut payload = [0xffu8; PAYLOAD_LEN];
        payload[0] = VERSION;
        let mut bytes = payload.to_vec();
        bytes.extend_from_slice(&checksum(&payload));
        let non_canonical = format!("{ADDRESS_PREFIX}{}", bs58::encode(bytes).into_string());
        assert_eq!(
            non_canonical.parse::<ShieldedAddress>(),
            Err(AddressError::OwnerKey)
        );
        payload[0] = 2;
        let mut bytes = payload.to_vec();
        bytes.extend_from_slice(&checksum(&payload));
        let future = format!("{ADDRESS_PREFIX}{}", bs58::encode(bytes).into_string());
        assert_eq!(
            future.parse::<ShieldedAddress>(),
            Err(AddressError::Version(2))
        );
    }
}
