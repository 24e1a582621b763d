//! Where the chain is: the real Solana runtime in-process (`embedded`, with
//! the `embedded` feature, on by default) or a cluster over JSON-RPC
//! ([`rpc`]). The wallet is generic over [`Chain`].

#[cfg(feature = "embedded")]
pub mod embedded;
mod events;
pub mod rpc;
pub mod shared;

use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::{Transaction, TransactionError};

pub use events::settled_events;
pub use zkpay_core::program::event::Settled;

/// A settled `transact` and the transaction that carried it.
#[derive(Debug, Clone)]
pub struct Settlement {
    /// The transaction's signature.
    pub signature: Signature,
    /// What the program emitted.
    pub event: Settled,
}

/// What one read of a tree's transactions found: see [`Chain::settlements`].
#[derive(Debug, Clone, Default)]
pub struct SettlementPage {
    /// The settlements, of any pool, in the order the chain lists their
    /// transactions (a node's order within a slot is not execution order:
    /// the wallet orders them by leaf index).
    pub settlements: Vec<Settlement>,
    /// The newest transaction read, settlement or not: where the next read
    /// starts. None if there was none.
    pub read_to: Option<Signature>,
    /// Whether every transaction up to the newest was read (false when the
    /// read stopped at its budget).
    pub complete: bool,
}

/// At most this many transactions are fetched in one [`Chain::settlements`]
/// read, so that a flood of transactions naming a tree costs a wallet a
/// bounded amount of work per read; sync reads again while it progresses.
pub const SETTLEMENT_READ_BUDGET: usize = 1_000;

/// What the chain knows of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransactionStatus {
    /// Executed successfully.
    Succeeded,
    /// Executed and failed: it changed nothing but its fee.
    Failed(TransactionError),
    /// Not seen.
    Unknown,
}

/// Why a chain request failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// The runtime refused the transaction; nothing changed on-chain.
    #[error("the transaction was rejected: {0}")]
    Rejected(TransactionError),
    /// The chain could not be reached or did not answer.
    #[error("cannot reach the chain: {0}")]
    Transport(String),
    /// The chain returned something this client cannot read.
    #[error("unexpected data from the chain: {0}")]
    Data(String),
    /// Sent, and sent again, until its blockhash expired, and never seen
    /// on-chain: it can no longer land.
    #[error("not confirmed before its blockhash expired ({sends} sends over {seconds} s): it can no longer land; the cluster may be congested")]
    Expired {
        /// Times it was sent.
        sends: u32,
        /// Seconds from the first send to the expiry.
        seconds: u64,
    },
    /// The embedded chain's state file could not be read or written.
    #[error("embedded chain state {path}: {reason}")]
    State {
        /// The state file.
        path: std::path::PathBuf,
        /// What went wrong.
        reason: String,
    },
}

/// The chain operations a wallet needs.
#[allow(async_fn_in_trait)]
pub trait Chain {
    /// A recent blockhash to sign with.
    async fn latest_blockhash(&mut self) -> Result<Hash, ChainError>;

    /// Whether a transaction signed with `blockhash` can still land.
    async fn is_blockhash_valid(&mut self, blockhash: &Hash) -> Result<bool, ChainError>;

    /// Sends `transaction` and waits until it is confirmed or rejected.
    async fn submit(&mut self, transaction: &Transaction) -> Result<(), ChainError>;

    /// Runs the signed `transaction` against the current state without
    /// committing it: [`ChainError::Rejected`] if it would fail.
    async fn simulate(&mut self, transaction: &Transaction) -> Result<(), ChainError>;

    /// What the chain knows of the transaction with `signature`.
    async fn status(&mut self, signature: &Signature) -> Result<TransactionStatus, ChainError>;

    /// The accounts at `addresses` (None where there is none).
    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError>;

    /// Lamports making an account of `space` bytes rent-exempt.
    async fn rent_exempt_minimum(&mut self, space: usize) -> Result<u64, ChainError>;

    /// The settlements in the successful transactions that name `tree` (as
    /// a node indexes them: whatever else they do), oldest first, after the
    /// transaction `after` (from the first if None; also from the first if
    /// the chain does not know `after`, as a node answers for a signature
    /// it lost in a rollback). May repeat transactions of `after`'s slot.
    /// Reads at most `budget` transactions, ending on a whole slot.
    async fn settlements(
        &mut self,
        tree: &Pubkey,
        after: Option<&Signature>,
        budget: usize,
    ) -> Result<SettlementPage, ChainError>;

    /// The settlements the successful transaction `signature` carried, of
    /// any pool (none if it failed or carried none): what a payment
    /// disclosure is checked against.
    async fn settled_in(&mut self, signature: &Signature) -> Result<Vec<Settled>, ChainError>;

    /// Gives `address` test lamports (the embedded faucet, or a cluster's
    /// airdrop where it has one).
    async fn airdrop(&mut self, address: &Pubkey, lamports: u64) -> Result<(), ChainError>;

    /// The genesis hash naming the cluster, to which a wallet binds; None
    /// for a chain that has none lasting longer than this process (the
    /// embedded chain starts a new runtime each time).
    async fn genesis_hash(&mut self) -> Result<Option<Hash>, ChainError> {
        Ok(None)
    }

    /// Instructions to place before `instructions` in a transaction paid by
    /// `payer`: on a cluster, a compute-unit limit from simulating them and
    /// any priority fee (see [`rpc::RpcChain`]); none by default. A
    /// simulation that fails is [`ChainError::Rejected`]: nothing was sent.
    async fn compute_budget(
        &mut self,
        _payer: &Pubkey,
        _instructions: &[Instruction],
    ) -> Result<Vec<Instruction>, ChainError> {
        Ok(Vec::new())
    }
}
