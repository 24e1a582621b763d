//! Proofs and keys in the formats other verifiers read.
//!
//! - [`solana`]: the byte layout of groth16-solana and the alt_bn128 syscalls.
//! - [`snarkjs`]: snarkjs's JSON, so third-party tools can check our proofs.
//! - [`circom`]: the witness as input of the equivalent circom circuit.
//! - [`iden3`]: circom's compiled R1CS and snarkjs' witness, read back.

pub mod circom;
pub mod iden3;
pub mod snarkjs;
pub mod solana;
