//! The transfer statement: a 2-input, 2-output JoinSplit.
//!
//! Public: a recent tree `root`, the `public_amount` (deposit minus
//! withdrawal minus fee, in the field), the `ext_data_hash` binding what a
//! relayer could alter, the pool's `asset_id`, the two input nullifiers and
//! the two output commitments ([`zkpay_core::public_inputs`]).
//!
//! The prover knows, for each input, the note's amount, blinding and
//! spending secret and its Merkle path; for each output, the amount, owner
//! key and blinding. The statement holds when:
//! 1. every amount (inputs and outputs) is below 2^64;
//! 2. each input's commitment, computed with the owner key of its secret
//!    and the public asset id, is in the tree at its leaf index under
//!    `root`, unless its amount is zero (a dummy input);
//! 3. each input nullifier is `Poseidon(commitment, leaf_index, nk)` with
//!    the secret's nullifier key `nk = Poseidon(secret, NULLIFIER_KEY_TAG)`,
//!    and the two differ;
//! 4. each output commitment is `Poseidon(amount, owner, blinding, asset_id)`;
//! 5. `in_0 + in_1 + public_amount = out_0 + out_1` in the field;
//! 6. (hashed mode) the one Groth16 public input is the Poseidon hash of the
//!    eight public values in [`PublicInput`](zkpay_core::public_inputs::PublicInput) order.
//!
//! [`TransferCircuit::check`] is the native twin of the whole statement;
//! [`constraints`] enforces it in R1CS.

use ark_bn254::Fr;
use ark_std::rand::{CryptoRng, RngCore};
use zkpay_core::constants::{INPUT_NOTES, OUTPUT_NOTES, TREE_CAPACITY, TREE_DEPTH};
use zkpay_core::public_inputs::TransferPublicInputs;
use zkpay_core::tree::MerklePath;

use crate::field::to_bytes;
use crate::merkle::root_from_path;
use crate::note::{commitment, nullifier, nullifier_key, owner_key, Note, SpendingKey};
use crate::poseidon::hash;
use crate::range::fits_u64;

pub mod constraints;

/// How the statement's public values reach the Groth16 verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicInputMode {
    /// One public input: the Poseidon hash of the eight values, which the
    /// program recomputes. This is what zkpay deploys.
    Hashed,
    /// Eight public inputs, the values themselves; kept to measure the
    /// difference.
    Direct,
}

/// A note being spent and what authorises the spend.
#[derive(Debug, Clone)]
pub struct InputNote {
    /// The note.
    pub note: Note,
    /// The key whose owner key the note carries.
    pub key: SpendingKey,
    /// The note's path in the tree (ignored for a zero-amount dummy).
    pub path: MerklePath,
}

impl InputNote {
    /// A zero-amount input that stands in for an unused slot; it is not in
    /// the tree and needs no path.
    pub fn dummy<R: RngCore + CryptoRng>(key: SpendingKey, asset_id: Fr, rng: &mut R) -> Self {
        let note = Note::dummy(key.owner(), asset_id, rng);
        InputNote {
            note,
            key,
            path: MerklePath {
                leaf_index: 0,
                siblings: [[0u8; 32]; TREE_DEPTH],
            },
        }
    }

    /// The nullifier this input publishes.
    pub fn nullifier(&self) -> Fr {
        self.note
            .nullifier(self.path.leaf_index, &self.key.nullifier_key())
    }

    /// The note's private values in field form, as a circuit takes them.
    pub fn assignment(&self) -> InputAssignment {
        InputAssignment {
            amount: Fr::from(self.note.amount),
            blinding: self.note.blinding,
            secret: *self.key.secret(),
            path: self.path,
        }
    }
}

/// Everything the prover knows about one transfer, with typed notes.
#[derive(Debug, Clone)]
pub struct TransferWitness {
    /// The tree root the input paths lead to.
    pub root: Fr,
    /// `ext_amount - fee` in the field ([`zkpay_core::field::public_amount`]).
    pub public_amount: Fr,
    /// Hash of the external data this transfer is bound to.
    pub ext_data_hash: Fr,
    /// The pool's asset id.
    pub asset_id: Fr,
    /// The spent notes.
    pub inputs: [InputNote; INPUT_NOTES],
    /// The created notes.
    pub outputs: [Note; OUTPUT_NOTES],
}

impl TransferWitness {
    /// The public values of this transfer, as field elements.
    pub fn statement(&self) -> Statement {
        Statement {
            root: self.root,
            public_amount: self.public_amount,
            ext_data_hash: self.ext_data_hash,
            asset_id: self.asset_id,
            input_nullifiers: self.inputs.each_ref().map(InputNote::nullifier),
            output_commitments: self.outputs.each_ref().map(Note::commitment),
        }
    }

    /// The public values of this transfer, as the program receives them.
    pub fn public_inputs(&self) -> TransferPublicInputs {
        self.statement().map(|value| to_bytes(&value))
    }

    /// The circuit assignment proving this transfer.
    pub fn circuit(&self, mode: PublicInputMode) -> TransferCircuit {
        let statement = self.statement();
        TransferCircuit {
            mode,
            public_inputs_hash: statement_hash(&statement),
            statement,
            inputs: self.inputs.each_ref().map(InputNote::assignment),
            outputs: self.outputs.each_ref().map(|note| OutputAssignment {
                amount: Fr::from(note.amount),
                owner: note.owner,
                blinding: note.blinding,
            }),
        }
    }
}

/// The eight public values, as field elements.
pub type Statement = TransferPublicInputs<Fr>;

/// The single public input of the hashed layout: Poseidon of the public
/// values in order.
pub fn statement_hash(statement: &Statement) -> Fr {
    hash(&statement.to_array())
}

/// The private values of one input, in field form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputAssignment {
    /// Amount (must be below 2^64).
    pub amount: Fr,
    /// Note blinding.
    pub blinding: Fr,
    /// Spending secret.
    pub secret: Fr,
    /// Path from the note's commitment to the root.
    pub path: MerklePath,
}

/// Which condition of one input note fails ([`InputAssignment::check`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFault {
    /// The amount is 2^64 or more.
    AmountOutOfRange,
    /// The leaf index does not fit the tree.
    LeafIndexOutOfRange,
    /// A non-zero note is not under the root at its index.
    NotInTree,
    /// The published nullifier is not the note's.
    NullifierMismatch,
}

impl InputAssignment {
    /// All-zero values, the shape key generation needs.
    pub fn blank() -> Self {
        InputAssignment {
            amount: Fr::from(0u64),
            blinding: Fr::from(0u64),
            secret: Fr::from(0u64),
            path: MerklePath {
                leaf_index: 0,
                siblings: [[0u8; 32]; TREE_DEPTH],
            },
        }
    }

    /// The native twin of [`constraints::input_gadget`], shared by the
    /// transfer and proof-of-funds statements: the amount is below 2^64,
    /// the index fits the tree, the note (owned by the secret's key, of
    /// `asset_id`) is under `root` unless its amount is zero, and
    /// `published` is its nullifier.
    pub fn check(&self, root: &Fr, asset_id: &Fr, published: &Fr) -> Result<(), InputFault> {
        if !fits_u64(&self.amount) {
            return Err(InputFault::AmountOutOfRange);
        }
        if self.path.leaf_index >= TREE_CAPACITY {
            return Err(InputFault::LeafIndexOutOfRange);
        }
        let note = commitment(
            &self.amount,
            &owner_key(&self.secret),
            &self.blinding,
            asset_id,
        );
        let is_dummy = self.amount == Fr::from(0u64);
        if !is_dummy && root_from_path(&note, &self.path) != Some(*root) {
            return Err(InputFault::NotInTree);
        }
        let nk = nullifier_key(&self.secret);
        if nullifier(&note, self.path.leaf_index, &nk) != *published {
            return Err(InputFault::NullifierMismatch);
        }
        Ok(())
    }
}

/// The private values of one output, in field form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputAssignment {
    /// Amount (must be below 2^64).
    pub amount: Fr,
    /// Owner key of the recipient.
    pub owner: Fr,
    /// Note blinding.
    pub blinding: Fr,
}

/// Which note of a transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteSlot {
    /// Input `i`.
    Input(usize),
    /// Output `i`.
    Output(usize),
}

/// Why an assignment does not satisfy the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    /// An amount is 2^64 or more (as an integer below r).
    #[error("the amount of {0:?} is not a 64-bit value")]
    AmountOutOfRange(NoteSlot),
    /// A leaf index does not fit the tree.
    #[error("input {0} has a leaf index outside the tree")]
    LeafIndexOutOfRange(usize),
    /// A non-dummy input's commitment is not under the root at its index.
    #[error("input {0} is not in the tree under the given root")]
    NotInTree(usize),
    /// A published nullifier is not the input's nullifier.
    #[error("the nullifier of input {0} is wrong")]
    NullifierMismatch(usize),
    /// Both inputs have the same nullifier.
    #[error("both inputs have the same nullifier")]
    DuplicateNullifier,
    /// A published commitment is not the output's commitment.
    #[error("the commitment of output {0} is wrong")]
    CommitmentMismatch(usize),
    /// Inputs plus public amount differ from outputs.
    #[error("value is not conserved: inputs + public amount != outputs")]
    ValueNotConserved,
    /// The public input is not the hash of the public values.
    #[error("the public input is not the hash of the statement's public values")]
    PublicInputsHashMismatch,
}

/// An assignment of the transfer circuit: the public values, the private
/// values, and (hashed mode) the Groth16 public input.
#[derive(Debug, Clone)]
pub struct TransferCircuit {
    /// How public values are exposed.
    pub mode: PublicInputMode,
    /// The public values.
    pub statement: Statement,
    /// The hashed mode's public input; meant to equal [`statement_hash`].
    pub public_inputs_hash: Fr,
    /// Private input values.
    pub inputs: [InputAssignment; INPUT_NOTES],
    /// Private output values.
    pub outputs: [OutputAssignment; OUTPUT_NOTES],
}

impl TransferCircuit {
    /// The circuit's shape with all-zero values, for key generation, where
    /// values are never read.
    pub fn blank(mode: PublicInputMode) -> Self {
        let input = InputAssignment::blank();
        let output = OutputAssignment {
            amount: Fr::from(0u64),
            owner: Fr::from(0u64),
            blinding: Fr::from(0u64),
        };
        TransferCircuit {
            mode,
            statement: Statement::default(),
            public_inputs_hash: Fr::from(0u64),
            inputs: [input; INPUT_NOTES],
            outputs: [output; OUTPUT_NOTES],
        }
    }

    /// The Groth16 public inputs of this assignment.
    pub fn public_inputs(&self) -> Vec<Fr> {
        match self.mode {
            PublicInputMode::Hashed => vec![self.public_inputs_hash],
            PublicInputMode::Direct => self.statement.to_array().to_vec(),
        }
    }

    /// The native twin of the statement: the first unmet condition, if any.
    pub fn check(&self) -> Result<(), StatementError> {
        let statement = &self.statement;
        if self.mode == PublicInputMode::Hashed
            && self.public_inputs_hash != statement_hash(statement)
        {
            return Err(StatementError::PublicInputsHashMismatch);
        }
        let mut value_in = statement.public_amount;
        for (i, input) in self.inputs.iter().enumerate() {
            let published = &statement.input_nullifiers[i];
            input
                .check(&statement.root, &statement.asset_id, published)
                .map_err(|fault| match fault {
                    InputFault::AmountOutOfRange => {
                        StatementError::AmountOutOfRange(NoteSlot::Input(i))
                    }
                    InputFault::LeafIndexOutOfRange => StatementError::LeafIndexOutOfRange(i),
                    InputFault::NotInTree => StatementError::NotInTree(i),
                    InputFault::NullifierMismatch => StatementError::NullifierMismatch(i),
                })?;
            value_in += input.amount;
        }
        if statement.input_nullifiers[0] == statement.input_nullifiers[1] {
            return Err(StatementError::DuplicateNullifier);
        }
        let mut value_out = Fr::from(0u64);
        for (i, output) in self.outputs.iter().enumerate() {
            if !fits_u64(&output.amount) {
                return Err(StatementError::AmountOutOfRange(NoteSlot::Output(i)));
            }
            let note = commitment(
                &output.amount,
                &output.owner,
                &output.blinding,
                &statement.asset_id,
            );
            if note != statement.output_commitments[i] {
                return Err(StatementError::CommitmentMismatch(i));
            }
            value_out += output.amount;
        }
        if value_in != value_out {
            return Err(StatementError::ValueNotConserved);
        }
        Ok(())
    }
}
