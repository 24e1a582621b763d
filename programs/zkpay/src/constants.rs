//! Sizes and PDA seeds of the program (defined once, in `zkpay-core`).

pub use zkpay_core::constants::{ROOT_HISTORY_SIZE, TREE_DEPTH};
pub use zkpay_core::program::ids::{
    EVENT_AUTHORITY_SEED, MAX_ENCRYPTED_OUTPUT_LEN, NULLIFIER_PAGE_SEED, POOL_SEED, VAULT_SEED,
};
