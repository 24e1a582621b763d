//! Sizes and PDA seeds of the program.

pub use zkpay_core::constants::{ROOT_HISTORY_SIZE, TREE_DEPTH};

/// Seed of a pool PDA: `[POOL_SEED, mint]`.
pub const POOL_SEED: &[u8] = b"pool";

/// Seed of a pool's vault PDA: `[VAULT_SEED, pool]`. For SOL it is a
/// program-owned account holding the pool's lamports; for an SPL mint, a
/// token account whose owner is the pool PDA.
pub const VAULT_SEED: &[u8] = b"vault";

/// Seed of a spent-nullifier PDA: `[NULLIFIER_SEED, pool, nullifier]`.
pub const NULLIFIER_SEED: &[u8] = b"nullifier";

/// Largest encrypted output note accepted, in bytes.
pub const MAX_ENCRYPTED_OUTPUT_LEN: usize = 256;
