//! A wallet's keys, all derived from one BIP39 mnemonic.
//!
//! From the mnemonic's 64-byte seed (BIP39, empty passphrase):
//! - spending secret: `SHA-512("zkpay:spending-key:v1" || seed)` reduced
//!   mod r; its owner key `Poseidon(secret)` goes into the notes it owns,
//!   and its nullifier key `Poseidon(secret, tag)` computes their
//!   nullifiers;
//! - incoming view key: X25519 secret `SHA-256("zkpay:incoming-view-key:v1" || seed)`;
//!   senders encrypt notes to its public key;
//! - outgoing view key: `SHA-256("zkpay:outgoing-view-key:v1" || seed)`; lets
//!   the wallet read back the notes it sent.
//!
//! All but the spending secret make the [`FullViewingKey`]: a wallet made
//! from it ([`WalletKeys::watch_only`]) sees everything and spends nothing.

use ark_ff::PrimeField;
use rand::{CryptoRng, RngCore};
use sha2::{Digest, Sha256, Sha512};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, Zeroizing};
use zkpay_circuits::note::{NullifierKey, SpendingKey};
use zkpay_circuits::Fr;

use crate::address::ShieldedAddress;
use crate::viewing_key::FullViewingKey;

/// Words in a new mnemonic (256 bits of entropy).
pub const MNEMONIC_WORDS: usize = 24;

/// A mnemonic was refused.
#[derive(Debug, thiserror::Error)]
#[error("the recovery phrase is not valid: {0} (expected 12 to 24 English BIP39 words)")]
pub struct MnemonicError(String);

/// A watch-only wallet was asked to spend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("this wallet was imported from a viewing key: it sees payments but cannot spend; pay, withdraw or merge from the wallet restored from the recovery phrase")]
pub struct WatchOnly;

/// The key that encrypts and reads back a wallet's outgoing notes.
#[derive(Clone)]
pub struct OutgoingViewKey(pub(crate) [u8; 32]);

impl Drop for OutgoingViewKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The keys of a wallet. Secret parts are zeroized when dropped and are
/// never printed.
pub struct WalletKeys {
    /// `None` in a watch-only wallet.
    spending: Option<SpendingKey>,
    view: FullViewingKey,
}

impl WalletKeys {
    /// A new wallet: its mnemonic (to write down) and its keys.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> (Zeroizing<String>, Self) {
        let mut entropy = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(entropy.as_mut());
        let mnemonic = bip39::Mnemonic::from_entropy(entropy.as_ref())
            .expect("32 bytes is a valid entropy length");
        let phrase = Zeroizing::new(mnemonic.to_string());
        let keys = Self::from_seed(&Zeroizing::new(mnemonic.to_seed("")));
        (phrase, keys)
    }

    /// The keys of an existing mnemonic.
    pub fn from_mnemonic(phrase: &str) -> Result<Self, MnemonicError> {
        let normalized = phrase
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let mnemonic = bip39::Mnemonic::parse_normalized(&normalized)
            .map_err(|e| MnemonicError(e.to_string()))?;
        Ok(Self::from_seed(&Zeroizing::new(mnemonic.to_seed(""))))
    }

    fn from_seed(seed: &[u8; 64]) -> Self {
        let wide = Zeroizing::new(<[u8; 64]>::from(tagged::<Sha512>(
            b"zkpay:spending-key:v1",
            seed,
        )));
        let spending = SpendingKey::from_secret(Fr::from_le_bytes_mod_order(wide.as_ref()));
        let incoming = StaticSecret::from(<[u8; 32]>::from(tagged::<Sha256>(
            b"zkpay:incoming-view-key:v1",
            seed,
        )));
        let outgoing =
            OutgoingViewKey(tagged::<Sha256>(b"zkpay:outgoing-view-key:v1", seed).into());
        WalletKeys {
            view: FullViewingKey {
                owner: spending.owner(),
                nullifier: spending.nullifier_key(),
                incoming,
                outgoing,
            },
            spending: Some(spending),
        }
    }

    /// The keys of a watch-only wallet: everything `view` sees, no spending.
    pub fn watch_only(view: &FullViewingKey) -> Self {
        WalletKeys {
            spending: None,
            view: view.clone(),
        }
    }

    /// The key that spends this wallet's notes; a watch-only wallet has none.
    pub fn spending_key(&self) -> Result<&SpendingKey, WatchOnly> {
        self.spending.as_ref().ok_or(WatchOnly)
    }

    /// Whether this wallet was made from a viewing key.
    pub fn is_watch_only(&self) -> bool {
        self.spending.is_none()
    }

    /// The full viewing key: shares everything but spending.
    pub fn viewing_key(&self) -> FullViewingKey {
        self.view.clone()
    }

    /// The owner key carried by this wallet's notes.
    pub fn owner(&self) -> Fr {
        self.view.owner
    }

    /// The key that computes this wallet's nullifiers.
    pub fn nullifier_key(&self) -> &NullifierKey {
        &self.view.nullifier
    }

    /// The X25519 secret that decrypts notes sent to this wallet.
    pub fn incoming_view_key(&self) -> &StaticSecret {
        &self.view.incoming
    }

    /// The key that reads back notes this wallet sent.
    pub fn outgoing_view_key(&self) -> &OutgoingViewKey {
        &self.view.outgoing
    }

    /// The address payers send to.
    pub fn address(&self) -> ShieldedAddress {
        ShieldedAddress::new(self.owner(), PublicKey::from(self.incoming_view_key()))
    }
}

impl std::fmt::Debug for WalletKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WalletKeys({})", self.address())
    }
}

/// `H(tag || data)`.
pub(crate) fn tagged<D: Digest>(tag: &[u8], data: &[u8]) -> sha2::digest::Output<D> {
    let mut hasher = D::new();
    hasher.update(tag);
    hasher.update(data);
    hasher.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHRASE: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    #[test]
    fn restoring_gives_the_same_keys() {
        let (phrase, keys) = WalletKeys::generate(&mut rand::thread_rng());
        assert_eq!(phrase.split(' ').count(), MNEMONIC_WORDS);
        let restored = WalletKeys::from_mnemonic(&phrase).unwrap();
        assert_eq!(restored.address(), keys.address());
        assert_eq!(restored.spending_key(), keys.spending_key());
        assert_eq!(restored.outgoing_view_key().0, keys.outgoing_view_key().0);
        assert_eq!(
            restored.viewing_key().to_string(),
            keys.viewing_key().to_string()
        );
    }

    #[test]
    fn spacing_and_case_do_not_matter() {
        let a = WalletKeys::from_mnemonic(PHRASE).unwrap();
        let b = WalletKeys::from_mnemonic(&format!("  {}\n", PHRASE.to_uppercase())).unwrap();
        assert_eq!(a.address(), b.address());
    }

    #[test]
    fn keys_are_distinct_and_debug_shows_no_secret() {
        let keys = WalletKeys::from_mnemonic(PHRASE).unwrap();
        assert_ne!(
            keys.incoming_view_key().to_bytes(),
            keys.outgoing_view_key().0
        );
        let shown = format!("{keys:?}");
        assert!(shown.starts_with("WalletKeys(zkpay:"), "{shown}");
    }

    #[test]
    fn a_watch_only_wallet_sees_as_the_full_one_and_cannot_spend() {
        let keys = WalletKeys::from_mnemonic(PHRASE).unwrap();
        let watching = WalletKeys::watch_only(&keys.viewing_key());
        assert!(watching.is_watch_only() && !keys.is_watch_only());
        assert_eq!(watching.address(), keys.address());
        assert_eq!(
            watching.nullifier_key(),
            &keys.spending_key().unwrap().nullifier_key()
        );
        assert_eq!(watching.spending_key().unwrap_err(), WatchOnly);
    }

    #[test]
    fn bad_phrases_are_refused() {
        assert!(WalletKeys::from_mnemonic("abandon abandon").is_err());
        let wrong_checksum = PHRASE.replace("about", "abandon");
        assert!(WalletKeys::from_mnemonic(&wrong_checksum).is_err());
        assert!(WalletKeys::from_mnemonic("").is_err());
    }
}
