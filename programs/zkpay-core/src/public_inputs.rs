//! The public inputs of the transfer statement, in their named positions.
//!
//! The statement has eight public values. Instead of eight Groth16 public
//! inputs (each costs a G1 multiplication and addition on-chain, about
//! 4,200 CU), the proof has one: the Poseidon hash of the eight in
//! [`PublicInput`] order, which the circuit recomputes from the same values
//! and the program recomputes with the `sol_poseidon` syscall.

use crate::constants::{INPUT_NOTES, OUTPUT_NOTES};
use crate::field::{is_canonical, FieldBytes};
use crate::poseidon::{hashv, HashError};

/// Number of public values of the transfer statement.
pub const STATEMENT_VALUES: usize = 4 + INPUT_NOTES + OUTPUT_NOTES;

/// Position of each public value in the statement (and in the hash that is
/// the proof's single Groth16 public input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum PublicInput {
    /// A recent root of the commitment tree.
    Root = 0,
    /// `ext_amount - fee` as a field element (see [`crate::field::public_amount`]).
    PublicAmount = 1,
    /// Hash of everything a relayer could alter (recipient, relayer, fee, mint,
    /// encrypted outputs).
    ExtDataHash = 2,
    /// The pool's asset; every note of the transfer carries it.
    AssetId = 3,
    /// Nullifier of the first input note.
    InputNullifier0 = 4,
    /// Nullifier of the second input note.
    InputNullifier1 = 5,
    /// Commitment of the first output note.
    OutputCommitment0 = 6,
    /// Commitment of the second output note.
    OutputCommitment1 = 7,
}

impl PublicInput {
    /// All positions, in order.
    pub const ALL: [PublicInput; STATEMENT_VALUES] = [
        PublicInput::Root,
        PublicInput::PublicAmount,
        PublicInput::ExtDataHash,
        PublicInput::AssetId,
        PublicInput::InputNullifier0,
        PublicInput::InputNullifier1,
        PublicInput::OutputCommitment0,
        PublicInput::OutputCommitment1,
    ];
}

/// A public value that is not a canonical field element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("public input {position:?} is not a canonical field element (it is >= r)")]
pub struct NonCanonicalInput {
    /// Which value.
    pub position: PublicInput,
}

/// The public values of one transfer, in [`PublicInput`] order. On the wire
/// and on-chain each is a big-endian field element ([`FieldBytes`], the
/// default); the circuits use the same struct over arkworks field elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TransferPublicInputs<T = FieldBytes> {
    /// A recent root of the commitment tree.
    pub root: T,
    /// `ext_amount - fee` as a field element.
    pub public_amount: T,
    /// Hash of the external data.
    pub ext_data_hash: T,
    /// The pool's asset id.
    pub asset_id: T,
    /// Nullifiers of the spent notes.
    pub input_nullifiers: [T; INPUT_NOTES],
    /// Commitments of the created notes.
    pub output_commitments: [T; OUTPUT_NOTES],
}

impl<T: Copy> TransferPublicInputs<T> {
    /// The values in [`PublicInput`] order.
    pub fn to_array(&self) -> [T; STATEMENT_VALUES] {
        [
            self.root,
            self.public_amount,
            self.ext_data_hash,
            self.asset_id,
            self.input_nullifiers[0],
            self.input_nullifiers[1],
            self.output_commitments[0],
            self.output_commitments[1],
        ]
    }

    /// The values from an array in [`PublicInput`] order.
    pub fn from_array(values: [T; STATEMENT_VALUES]) -> Self {
        let [root, public_amount, ext_data_hash, asset_id, n0, n1, c0, c1] = values;
        TransferPublicInputs {
            root,
            public_amount,
            ext_data_hash,
            asset_id,
            input_nullifiers: [n0, n1],
            output_commitments: [c0, c1],
        }
    }

    /// Each value converted by `f`.
    pub fn map<U: Copy>(&self, f: impl FnMut(T) -> U) -> TransferPublicInputs<U> {
        TransferPublicInputs::from_array(self.to_array().map(f))
    }
}

impl TransferPublicInputs<FieldBytes> {
    /// Rejects any value `>= r`.
    pub fn check_canonical(&self) -> Result<(), NonCanonicalInput> {
        match self
            .to_array()
            .iter()
            .position(|value| !is_canonical(value))
        {
            Some(index) => Err(NonCanonicalInput {
                position: PublicInput::ALL[index],
            }),
            None => Ok(()),
        }
    }

    /// The proof's single Groth16 public input: Poseidon of the values in
    /// [`PublicInput`] order. Fails on a non-canonical value.
    pub fn hash(&self) -> Result<FieldBytes, HashError> {
        let values = self.to_array();
        let refs: [&FieldBytes; STATEMENT_VALUES] = core::array::from_fn(|i| &values[i]);
        hashv(&refs)
    }
}
