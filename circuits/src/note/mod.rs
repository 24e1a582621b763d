//! Notes and the keys that spend them, natively; the gadgets are in
//! [`constraints`].
//!
//! - owner key: `Poseidon(secret)`
//! - commitment: `Poseidon(amount, owner, blinding, asset_id)`
//! - nullifier: `Poseidon(commitment, leaf_index, secret)`: only the owner
//!   can compute it, and two equal notes at two leaves have two nullifiers.

use ark_bn254::Fr;
use ark_std::rand::{CryptoRng, RngCore};
use ark_std::UniformRand;
use zeroize::Zeroize;

use crate::poseidon::hash;

pub mod constraints;

/// The owner key of `secret`.
pub fn owner_key(secret: &Fr) -> Fr {
    hash(&[*secret])
}

/// The commitment of a note with these fields.
pub fn commitment(amount: &Fr, owner: &Fr, blinding: &Fr, asset_id: &Fr) -> Fr {
    hash(&[*amount, *owner, *blinding, *asset_id])
}

/// The nullifier of the note with `commitment` at `leaf_index`.
pub fn nullifier(commitment: &Fr, leaf_index: u64, secret: &Fr) -> Fr {
    hash(&[*commitment, Fr::from(leaf_index), *secret])
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
    pub fn nullifier(&self, leaf_index: u64, key: &SpendingKey) -> Fr {
        nullifier(&self.commitment(), leaf_index, key.secret())
    }
}
