//! Notes and the keys that spend them, natively; the gadgets are in
//! [`constraints`].
//!
//! - owner key: `Poseidon(secret)`
//! - nullifier key: `Poseidon(secret, NULLIFIER_KEY_TAG)`: a full viewing
//!   key carries it, so a viewer sees which notes are spent; spending still
//!   needs `secret`, which neither key reveals
//! - commitment: `Poseidon(amount, owner, blinding, asset_id)`
//! - nullifier: `Poseidon(commitment, leaf_index, nullifier_key)`: only the
//!   owner and its viewers can compute it, and two equal notes at two leaves
//!   have two nullifiers.

use ark_bn254::Fr;
use ark_ff::PrimeField;
use ark_std::rand::{CryptoRng, RngCore};
use ark_std::UniformRand;
use zeroize::Zeroize;

use crate::poseidon::hash;

pub mod constraints;

/// The owner key of `secret`.
pub fn owner_key(secret: &Fr) -> Fr {
    hash(&[*secret])
}

/// The constant second input of the nullifier key's hash: the big-endian
/// integer of the ASCII bytes `zkpay:nullifier-key:v1`.
pub fn nullifier_key_tag() -> Fr {
    Fr::from_be_bytes_mod_order(b"zkpay:nullifier-key:v1")
}

/// The nullifier key of `secret`.
pub fn nullifier_key(secret: &Fr) -> Fr {
    hash(&[*secret, nullifier_key_tag()])
}

/// The commitment of a note with these fields.
pub fn commitment(amount: &Fr, owner: &Fr, blinding: &Fr, asset_id: &Fr) -> Fr {
    hash(&[*amount, *owner, *blinding, *asset_id])
}

/// The nullifier of the note with `commitment` at `leaf_index`, under the
/// owner's nullifier key `nk`.
pub fn nullifier(commitment: &Fr, leaf_index: u64, nk: &Fr) -> Fr {
    hash(&[*commitment, Fr::from(leaf_index), *nk])
}

/// The secret that authorises spending the notes of its owner key.
/// Zeroized when dropped; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SpendingKey(Fr);

impl SpendingKey {
    /// The key with this secret.
    pub fn from_secret(secret: Fr) -> Self {
        SpendingKey(secret)
    }

    /// A fresh random key.
    pub fn random<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        SpendingKey(Fr::rand(rng))
    }

    /// The secret scalar.
    pub fn secret(&self) -> &Fr {
        &self.0
    }

    /// The public owner key that notes for this key carry.
    pub fn owner(&self) -> Fr {
        owner_key(&self.0)
    }

    /// The key that computes this key's nullifiers without spending.
    pub fn nullifier_key(&self) -> NullifierKey {
        NullifierKey(nullifier_key(&self.0))
    }
}

/// The key that computes an owner's nullifiers, and so tells which of its
/// notes are spent, without the power to spend them. Zeroized when dropped;
/// never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct NullifierKey(Fr);

impl NullifierKey {
    /// The key with this value (as read from a viewing key).
    pub fn from_value(value: Fr) -> Self {
        NullifierKey(value)
    }

    /// The key's value.
    pub fn value(&self) -> &Fr {
        &self.0
    }
}

impl std::fmt::Debug for NullifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NullifierKey(..)")
    }
}

impl Drop for NullifierKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for SpendingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SpendingKey(..)")
    }
}

impl Drop for SpendingKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A note: `amount` of asset `asset_id` owned by the holder of the spending
/// key whose owner key is `owner`, hidden by `blinding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Note {
    /// Amount in the asset's base units.
    pub amount: u64,
    /// Owner key ([`SpendingKey::owner`]).
    pub owner: Fr,
    /// Random blinding; makes equal notes' commitments differ.
    pub blinding: Fr,
    /// The pool's asset id.
    pub asset_id: Fr,
}

impl Note {
    /// A note with a fresh random blinding.
    pub fn new<R: RngCore + CryptoRng>(amount: u64, owner: Fr, asset_id: Fr, rng: &mut R) -> Self {
        Note {
            amount,
            owner,
            blinding: Fr::rand(rng),
            asset_id,
        }
    }

    /// A zero-amount note for `owner`, used to fill an unused input or output.
    pub fn dummy<R: RngCore + CryptoRng>(owner: Fr, asset_id: Fr, rng: &mut R) -> Self {
        Self::new(0, owner, asset_id, rng)
    }

    /// The note's commitment, the leaf it becomes in the tree.
    pub fn commitment(&self) -> Fr {
        commitment(
            &Fr::from(self.amount),
            &self.owner,
            &self.blinding,
            &self.asset_id,
        )
    }

    /// The nullifier that spends this note at `leaf_index`.
    pub fn nullifier(&self, leaf_index: u64, key: &NullifierKey) -> Fr {
        nullifier(&self.commitment(), leaf_index, key.value())
    }
}
