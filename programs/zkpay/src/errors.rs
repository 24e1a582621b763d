//! Errors of the zkpay program.

use anchor_lang::prelude::*;

/// Why the program refused an instruction. Codes start at 6000.
#[error_code]
pub enum ZkpayError {
    /// A public value is not a canonical field element.
    #[msg("a public input is not a canonical field element (it is >= the BN254 scalar modulus)")]
    NonCanonicalPublicInput,
    /// The root is not one of the tree's recent roots.
    #[msg("the Merkle root is not one of the tree's recent roots")]
    UnknownRoot,
    /// The Groth16 proof does not verify.
    #[msg("the transfer proof does not verify for these public inputs")]
    InvalidProof,
    /// A nullifier's account already exists: the note was spent.
    #[msg("a nullifier of this transfer has already been spent")]
    NullifierAlreadySpent,
    /// Both nullifiers are the same.
    #[msg("the two input nullifiers are the same")]
    DuplicateNullifier,
    /// The tree account does not belong to this pool.
    #[msg("the commitment tree account does not belong to this pool")]
    WrongTree,
    /// The vault account is not this pool's vault.
    #[msg("the vault account is not this pool's vault")]
    WrongVault,
    /// The commitment tree has no room for two more leaves.
    #[msg("the commitment tree is full")]
    TreeFull,
    /// The vault holds less than the withdrawal plus fee.
    #[msg("the pool's vault holds less than the withdrawal plus the fee")]
    InsufficientVaultBalance,
    /// `ext_amount` is `i64::MIN`, which has no positive counterpart.
    #[msg("the external amount is out of range")]
    ExtAmountOutOfRange,
    /// An encrypted output exceeds the size limit.
    #[msg("an encrypted output note is larger than the limit")]
    EncryptedOutputTooLarge,
    /// The pool already exists.
    #[msg("this asset's pool is already initialised")]
    PoolAlreadyInitialized,
    /// A token account or program needed for an SPL pool is missing or wrong.
    #[msg("token pools need the mint, the token program and matching token accounts")]
    InvalidTokenAccounts,
    /// The mint account is not an SPL token mint.
    #[msg("the mint is not an SPL token mint")]
    InvalidMint,
}
