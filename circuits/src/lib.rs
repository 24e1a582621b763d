//! zkpay's transfer statement as a Groth16 circuit over BN254.
//!
//! Each gadget sits beside its native twin: `mod.rs` computes natively,
//! `constraints.rs` enforces the same computation in R1CS.
//!
//! - [`poseidon`]: circom-compatible Poseidon (the `sol_poseidon` hash).
//! - [`range`]: 64-bit range checks.
//! - [`merkle`]: Merkle path to a root.
//! - [`note`]: spending keys, notes, commitments and nullifiers.
//! - [`transfer`]: the 2-input, 2-output statement and its typed witness.
//! - [`funds`]: the proof-of-funds statement (notes worth at least a
//!   threshold, bound to a challenge).
//! - [`setup`], [`prover`]: deterministic development setup and proving.
//! - [`export`]: proofs and keys for groth16-solana and snarkjs.

#![deny(missing_docs)]

pub mod codegen;
pub mod export;
pub mod field;
pub mod funds;
pub mod merkle;
pub mod note;
pub mod poseidon;
pub mod prover;
pub mod range;
pub mod scenario;
pub mod setup;
pub mod transfer;

pub use ark_bn254::{Bn254, Fr};
