//! Settlement logic that must be identical on-chain and off-chain.
//!
//! The zkpay program, the client and the circuits all use this crate, so the
//! encoding of field elements, the Poseidon hash, the commitment tree, the
//! public inputs of the transfer statement and the proof layout exist once.
//! It is `no_std`: on Solana, Poseidon is the `sol_poseidon` syscall and
//! Groth16 verification the alt_bn128 syscalls; off-chain, the same
//! functions run on light-poseidon and groth16-solana's host backend.
#![no_std]

#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
extern crate std;

#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
extern crate alloc;

pub mod asset;
pub mod constants;
pub mod error;
pub mod ext_data;
pub mod field;
#[cfg(feature = "idl-build")]
mod idl;
pub mod poseidon;
pub mod program;
pub mod proof;
pub mod public_inputs;
pub mod tree;
pub mod verifier;
pub mod verifying_key;
pub mod zero_hashes;
