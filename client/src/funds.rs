//! Proof of funds: proof, to anyone with the chain, that the holder owns
//! unspent notes in a pool worth at least a threshold, bound to the
//! verifier's challenge, revealing neither the amount nor which notes.
//!
//! The proof (the `zkpay_circuits::funds` statement) names a root of the
//! pool's tree and the nullifiers of the [`FUNDS_NOTES`] notes it counts
//! (random values for unused slots). The verifier checks the Groth16 proof
//! for the pool's asset id and the challenge derived from the pool and the
//! challenge text, that the root is one of the pool's recent roots, and
//! that no nullifier is among the pool's spent ones. What the nullifiers
//! let the verifier learn later is in `docs/PROTOCOL.md` ("Proof of
//! funds"), as is the file format.

use std::fmt;

use serde::{Deserialize, Serialize};
use solana_sdk::pubkey::Pubkey;
use zkpay_circuits::field::{from_bytes, to_bytes};
use zkpay_circuits::funds::{
    challenge_value, verify_funds as verify_funds_proof, FundsStatement, FundsVerifyError,
    FUNDS_NOTES,
};
use zkpay_circuits::prover::FundsProveError;
use zkpay_circuits::Fr;
use zkpay_core::constants::ROOT_HISTORY_SIZE;
use zkpay_core::program::state::TreeState;
use zkpay_core::proof::TransferProof;

use crate::chain::{Chain, ChainError};
use crate::nullifier_pages::{live_pages, PageLookupError};
use crate::pool::{load_pool_at, PoolError, PoolInfo};
use crate::store::StoreError;
use crate::wallet::WalletError;

/// The version this client writes and reads.
pub const FUNDS_PROOF_VERSION: u8 = 1;

/// A proof of funds, as written to a file (JSON).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofOfFunds {
    /// [`FUNDS_PROOF_VERSION`].
    pub version: u8,
    /// The pool (base58).
    pub pool: String,
    /// The threshold, in the pool's base units.
    pub at_least: u64,
    /// The verifier's challenge text.
    pub challenge: String,
    /// The tree root the proof is for (hex, 32 bytes big-endian).
    pub root: String,
    /// The nullifiers of the counted notes (hex, 32 bytes big-endian each).
    pub nullifiers: [String; FUNDS_NOTES],
    /// The Groth16 proof, groth16-solana layout (hex, 256 bytes).
    pub proof: String,
}

impl fmt::Debug for ProofOfFunds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl ProofOfFunds {
    /// The file of `proof` for `statement` in `pool` with `challenge`'s text.
    pub fn new(
        pool: &Pubkey,
        at_least: u64,
        challenge: &str,
        statement: &FundsStatement,
        proof: &TransferProof,
    ) -> Self {
        ProofOfFunds {
            version: FUNDS_PROOF_VERSION,
            pool: pool.to_string(),
            at_least,
            challenge: challenge.to_string(),
            root: hex::encode(to_bytes(&statement.root)),
            nullifiers: statement.nullifiers.map(|n| hex::encode(to_bytes(&n))),
            proof: hex::encode(proof.to_bytes()),
        }
    }

    /// The file's text: pretty JSON, fields in the order above.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a proof of funds serialises")
    }

    /// Reads a proof-of-funds file's text.
    pub fn from_json(text: &str) -> Result<Self, FundsError> {
        let proof: Self =
            serde_json::from_str(text).map_err(|e| FundsError::Malformed(e.to_string()))?;
        if proof.version != FUNDS_PROOF_VERSION {
            return Err(FundsError::Version(proof.version));
        }
        Ok(proof)
    }

    /// The pool named.
    pub fn pool(&self) -> Result<Pubkey, FundsError> {
        self.pool.parse().map_err(|_| FundsError::Field("pool"))
    }

    /// The statement the proof is for, with the pool's `asset_id`: every
    /// value must be a canonical field element.
    pub fn statement(&self, asset_id: Fr) -> Result<FundsStatement, FundsError> {
        let mut nullifiers = [Fr::from(0u64); FUNDS_NOTES];
        for (value, text) in nullifiers.iter_mut().zip(&self.nullifiers) {
            *value = field(text, "nullifier")?;
        }
        Ok(FundsStatement {
            root: field(&self.root, "root")?,
            at_least: Fr::from(self.at_least),
            challenge: challenge_value(&self.pool()?.to_bytes(), &self.challenge),
            asset_id,
            nullifiers,
        })
    }

    /// The Groth16 proof.
    pub fn groth16_proof(&self) -> Result<TransferProof, FundsError> {
        let bytes: [u8; TransferProof::SIZE] = hex::decode(&self.proof)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(FundsError::Field("proof"))?;
        Ok(TransferProof::from_bytes(&bytes))
    }
}

/// A 32-byte hex field element, canonical (below r).
fn field(text: &str, name: &'static str) -> Result<Fr, FundsError> {
    let bytes: [u8; 32] = hex::decode(text)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(FundsError::Field(name))?;
    from_bytes(&bytes).ok_or(FundsError::Field(name))
}

/// What a proof of funds proved, once checked against the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedFunds {
    /// The pool.
    pub pool: PoolInfo,
    /// The threshold the holder's unspent notes reach, in base units.
    pub at_least: u64,
    /// The challenge the proof is bound to.
    pub challenge: String,
}

/// Why a proof of funds was not made or does not hold.
#[derive(Debug, thiserror::Error)]
pub enum FundsError {
    /// Not a proof-of-funds file.
    #[error("not a zkpay proof of funds: {0}")]
    Malformed(String),
    /// Another version of the format.
    #[error("proof-of-funds version {0} is not supported (this client reads version 1)")]
    Version(u8),
    /// A field does not decode, or is not a canonical field element.
    #[error("the proof of funds' {0} is not valid")]
    Field(&'static str),
    /// The proof is bound to another challenge than the verifier's.
    #[error("the proof answers the challenge \"{proved}\", not \"{expected}\": it was made for another verifier or request")]
    OtherChallenge {
        /// The verifier's challenge.
        expected: String,
        /// The proof's.
        proved: String,
    },
    /// The Groth16 proof does not hold for the statement.
    #[error(
        "the proof does not hold for this pool, threshold, challenge, root and nullifiers: {0}"
    )]
    Proof(#[from] FundsVerifyError),
    /// The root is not one the pool recently held.
    #[error("the proof's root is not among the pool's last {ROOT_HISTORY_SIZE} roots: the proof is stale or for another chain; ask for a fresh one")]
    UnknownRoot,
    /// A counted note has been spent since the proof was made.
    #[error(
        "note {0} the proof counts has been spent since: the holder no longer owns these funds"
    )]
    Spent(usize),
    /// The wallet's unspent notes do not reach the threshold.
    #[error("insufficient funds: {available} spendable, below the {requested} to prove")]
    InsufficientFunds {
        /// Spendable, formatted.
        available: String,
        /// The threshold, formatted.
        requested: String,
    },
    /// The threshold needs more notes than one proof counts.
    #[error("the {FUNDS_NOTES} largest notes hold {largest}, below {requested}: merge notes by paying your own address (`zkpay pay $(zkpay wallet address) <amount>`), then prove again")]
    TooManyNotes {
        /// What the largest notes hold, formatted.
        largest: String,
        /// The threshold, formatted.
        requested: String,
    },
    /// The wallet's tree is not at a root the pool knows.
    #[error("the wallet's copy of the tree is not at a recent root of the pool: run `zkpay sync` and prove again")]
    StaleTree,
    /// The wallet could not give its notes.
    #[error(transparent)]
    Wallet(#[from] WalletError),
    /// No proof could be made.
    #[error("could not prove funds: {0}")]
    Prove(#[from] FundsProveError),
    /// The proving key could not be loaded.
    #[error("proof-of-funds proving key: {0}")]
    ProvingKey(String),
    /// The pool account.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The nullifier pages.
    #[error(transparent)]
    Pages(#[from] PageLookupError),
    /// The chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The wallet file failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks `proof` against the chain: the Groth16 proof for the pool's
/// asset, the threshold, the challenge, the root and the nullifiers; the
/// root among the pool's recent roots; no nullifier spent. With
/// `challenge`, the proof must answer that text (a verifier passes its own).
pub async fn verify_funds<C: Chain>(
    chain: &mut C,
    proof: &ProofOfFunds,
    challenge: Option<&str>,
) -> Result<VerifiedFunds, FundsError> {
    if let Some(expected) = challenge.filter(|expected| *expected != proof.challenge) {
        return Err(FundsError::OtherChallenge {
            expected: expected.to_string(),
            proved: proof.challenge.clone(),
        });
    }
    let pool = load_pool_at(chain, &proof.pool()?).await?;
    let statement = proof.statement(pool.asset_id)?;
    verify_funds_proof(&proof.groth16_proof()?, &statement)?;
    if !is_recent_root(chain, &pool, &statement.root).await? {
        return Err(FundsError::UnknownRoot);
    }
    let nullifiers = statement.nullifiers.each_ref().map(to_bytes);
    let pages = live_pages(chain, &pool, &nullifiers).await?;
    if let Some(i) = pages.iter().position(|page| page.spent) {
        return Err(FundsError::Spent(i));
    }
    Ok(VerifiedFunds {
        pool,
        at_least: proof.at_least,
        challenge: proof.challenge.clone(),
    })
}

/// Whether `root` is among `pool`'s recent roots, read from its tree account.
pub async fn is_recent_root<C: Chain>(
    chain: &mut C,
    pool: &PoolInfo,
    root: &Fr,
) -> Result<bool, FundsError> {
    let account = chain.accounts(&[pool.tree]).await?.remove(0);
    let tree = account
        .filter(|account| account.owner == zkpay::ID)
        .and_then(|account| TreeState::read(&account.data))
        .ok_or(PoolError::Invalid(pool.tree))?;
    Ok(tree.history.contains(&to_bytes(root)))
}
