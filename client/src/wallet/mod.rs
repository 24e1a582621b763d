//! A wallet: its keys and notes on one pool, and the operations people
//! use: sync, deposit, pay, withdraw, balance and history. Generic over
//! where the chain is ([`Chain`]).

mod disclose;
mod external;
mod funds;
mod select;
mod sync;
mod tree;

use std::time::{Duration, Instant};

use rand::rngs::OsRng;
use rand::Rng;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;
use zkpay::instructions::TransactArgs;
use zkpay_circuits::field::from_bytes;
use zkpay_circuits::note::{Note, SpendingKey};
use zkpay_circuits::prover::{ProveError, TransferProver};
use zkpay_circuits::transfer::{InputNote, TransferWitness};
use zkpay_core::ext_data::ExtData;
use zkpay_core::field::public_amount;
use zkpay_core::tree::WalletTree;

pub use self::external::UnsignedTransfer;
pub use self::select::{merges_needed, select, Selection};
pub use self::sync::SyncReport;
use crate::address::ShieldedAddress;
use crate::amount::format_amount;
use crate::chain::{Chain, ChainError};
use crate::encryption::{seal_change, seal_note, MemoTooLong, SealError, SealedNote};
use crate::keys::{MnemonicError, WalletKeys, WatchOnly};
use crate::nullifier_pages::{pages_for, PageLookupError};
use crate::pool::{load_pool, PoolError, PoolInfo};
use crate::relayer::api::{decode_transaction, RefusalCode, Relay};
use crate::relayer::{RelayerClient, RelayerError};
use crate::store::{
    ClusterBinding, HistoryEntry, HistoryKind, KeySource, NoteState, PendingTransaction, Store,
    StoreError, StoredNote,
};
use crate::transact::{
    associated_token_address, create_associated_token_account, transact_instruction,
    TransactAccounts,
};
use crate::viewing_key::{FullViewingKey, ViewingKeyError};

/// Solana's limit on a serialised transaction.
pub const PACKET_LIMIT: usize = 1232;

/// Why a wallet operation failed. None of them loses a note: a failed
/// operation leaves the wallet file as it was, or with a payment marked
/// pending that the next sync settles or releases.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// The wallet file.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The chain.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The pool.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The nullifier pages of a transfer.
    #[error(transparent)]
    Pages(#[from] PageLookupError),
    /// The stored mnemonic.
    #[error(transparent)]
    Mnemonic(#[from] MnemonicError),
    /// The stored viewing key of a watch-only wallet.
    #[error("the wallet file's viewing key: {0}")]
    ViewingKey(#[from] ViewingKeyError),
    /// A watch-only wallet was asked to spend.
    #[error(transparent)]
    WatchOnly(#[from] WatchOnly),
    /// Not enough funds.
    #[error("insufficient funds: {requested} requested but {available} spendable")]
    InsufficientFunds {
        /// Spendable amount, formatted.
        available: String,
        /// Requested amount (with any fee), formatted.
        requested: String,
    },
    /// A deposit or withdrawal over `i64::MAX` base units.
    #[error("{0} is more than one transaction can move")]
    TooLarge(String),
    /// A memo too long.
    #[error(transparent)]
    Memo(#[from] MemoTooLong),
    /// A note could not be sealed to its recipient.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// The transaction does not fit a packet.
    #[error("the transaction is {0} bytes, over Solana's {PACKET_LIMIT}; a priority fee's two instructions take 52 bytes: SPL-pool deposits and withdrawals fit only without one")]
    Oversized(usize),
    /// No proof could be made.
    #[error("could not prove the payment: {0}")]
    Prove(#[from] ProveError),
    /// The runtime refused the transaction; nothing changed.
    #[error("the chain rejected the transaction ({0}); nothing was spent")]
    Rejected(solana_sdk::transaction::TransactionError),
    /// Sent, but its fate is unknown.
    #[error("transaction {signature} was sent but not confirmed ({reason}); run `zkpay sync` to settle or release it")]
    Unconfirmed {
        /// The transaction.
        signature: Signature,
        /// What failed.
        reason: String,
    },
    /// The local tree disagrees with the chain.
    #[error(
        "the wallet's copy of the tree disagrees with the chain ({0}); run `zkpay sync --rescan`"
    )]
    TreeMismatch(String),
    /// The proving key could not be loaded.
    #[error("proving key: {0}")]
    ProvingKey(String),
    /// A SOL withdrawal too small for its recipient to hold.
    #[error("{recipient} would hold less than the {minimum} SOL an account must keep (it holds {holds}); withdraw at least the difference, or to an account that has it; nothing was spent")]
    BelowRentExempt {
        /// The recipient.
        recipient: Pubkey,
        /// What it holds now, formatted.
        holds: String,
        /// The rent-exempt minimum, formatted.
        minimum: String,
    },
    /// Amounts that do not add up within 64 bits.
    #[error("this wallet's notes in the pool add up to more than 2^64 - 1 base units, more than one payment can carry; such amounts come from a mint someone controls: spend or withdraw the notes separately")]
    AmountOverflow,
    /// The relayer did not relay.
    #[error(transparent)]
    Relayer(#[from] RelayerError),
    /// An outside signer's payment that needs merges first.
    #[error("no two notes cover this payment: {merges} merge transaction(s) must settle first; pay once with the wallet's own payer or a relayer (`zkpay pay`), which merges, then prepare it again")]
    MergeFirst {
        /// Merge transactions needed.
        merges: usize,
    },
    /// A signed transaction the wallet did not prepare, or no longer holds.
    #[error("this transaction is not one the wallet prepared and holds: its message was changed, or it expired and was released; prepare it again")]
    NotPrepared,
    /// A prepared transaction whose signatures do not verify.
    #[error("the transaction's signatures do not verify: sign the prepared message as given, with every key it names as signer")]
    BadSignature,
    /// The node's history lacks a settlement the chain holds: the wallet
    /// kept what came before it and reads from there on the next sync.
    #[error("the RPC node serves no settlement appending leaf {missing}, though the chain holds it; the wallet kept everything before it: sync again later, or use another RPC node")]
    MissingSettlements {
        /// The first leaf no settlement served appends.
        missing: u64,
    },
}

/// Times a relayed transfer is sent again with a fresh blockhash when the
/// relayer finds its blockhash expired (the proof stays valid).
pub const BLOCKHASH_RENEWALS: usize = 3;

/// Attempts [`Wallet`] makes at a transfer whose proof's root the chain
/// no longer knows, each against the root after a fresh sync.
pub const ROOT_ATTEMPTS: usize = 3;

/// Whether the program (or the relayer, before sending) refused `error`'s
/// transaction for its root.
fn is_unknown_root(error: &WalletError) -> bool {
    use solana_sdk::instruction::InstructionError;
    use solana_sdk::transaction::TransactionError;
    match error {
        WalletError::Rejected(TransactionError::InstructionError(
            _,
            InstructionError::Custom(code),
        )) => *code == zkpay_core::error::ZkpayError::UnknownRoot.code(),
        WalletError::Relayer(RelayerError::Refused { code, .. }) => {
            *code == RefusalCode::UnknownRoot
        }
        _ => false,
    }
}

/// Whether `error` is the program refusing a nullifier page the
/// transaction named that is no longer the live one: split since the
/// lookup (`WrongNullifierPage`, or the closed page's owner check) or full
/// by the time it landed (`NullifierPageFull`).
fn is_page_moved(error: &WalletError) -> bool {
    use solana_sdk::instruction::InstructionError;
    use solana_sdk::transaction::TransactionError;
    use zkpay_core::error::{FrameworkError, ZkpayError};
    match error {
        WalletError::Rejected(TransactionError::InstructionError(
            _,
            InstructionError::Custom(code),
        )) => [
            ZkpayError::WrongNullifierPage.code(),
            ZkpayError::NullifierPageFull.code(),
            FrameworkError::AccountOwnedByWrongProgram.code(),
        ]
        .contains(code),
        _ => false,
    }
}

/// The key under which a relayed transaction waits in the wallet file
/// until the relayer returns its signature: the two nullifiers it spends
/// (unique to it, and never a valid signature of it).
pub fn provisional_signature(nullifiers: &[[u8; 32]; 2]) -> Signature {
    let mut bytes = [0u8; 64];
    bytes[..32].copy_from_slice(&nullifiers[0]);
    bytes[32..].copy_from_slice(&nullifiers[1]);
    Signature::from(bytes)
}

/// The sum of `notes`' amounts, or [`WalletError::AmountOverflow`].
fn total(notes: &[StoredNote]) -> Result<u64, WalletError> {
    notes
        .iter()
        .try_fold(0u64, |sum, n| sum.checked_add(n.amount))
        .ok_or(WalletError::AmountOverflow)
}

/// What is left of `inputs` after paying `spent`.
fn change(inputs: &[StoredNote], spent: u64) -> Result<u64, WalletError> {
    total(inputs)?
        .checked_sub(spent)
        .ok_or(WalletError::AmountOverflow)
}

/// Something a long operation reports while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// Reading settlements from the chain.
    Fetching,
    /// Settlements fetched, being scanned: `done` of `total`.
    Scanning {
        /// Scanned so far.
        done: usize,
        /// To scan.
        total: usize,
    },
    /// Proving transaction `step` of `steps`.
    Proving {
        /// This transaction.
        step: usize,
        /// Transactions in this operation.
        steps: usize,
    },
    /// Sending transaction `step` of `steps`.
    Submitting {
        /// This transaction.
        step: usize,
        /// Transactions in this operation.
        steps: usize,
    },
}

/// What one settled transaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The transaction.
    pub signature: Signature,
    /// What it was.
    pub kind: HistoryKind,
    /// Amount moved (base units).
    pub amount: u64,
    /// Relayer fee from the pool.
    pub fee: u64,
    /// Time to prove.
    pub prove_time: Duration,
    /// Time from sending to seeing it confirmed and synced.
    pub settle_time: Duration,
    /// Serialised size.
    pub size: usize,
}

/// A wallet's funds on its pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    /// Spendable now.
    pub spendable: u64,
    /// In payments sent but not yet seen settled.
    pub pending: u64,
    /// Unspent notes (non-zero).
    pub notes: usize,
}

/// Who submits a payment or withdrawal in the payer's stead, paid a fee
/// from the pool, so the payer's public account appears nowhere in it.
#[derive(Clone, Copy)]
pub enum Relayer<'a> {
    /// A relayer's keypair held in this process.
    Keypair {
        /// Signs and pays the transaction.
        keypair: &'a Keypair,
        /// Its fee, in base units.
        fee: u64,
    },
    /// A relayer service, at its quoted fee.
    Service(&'a RelayerClient),
}

/// How one operation's transactions reach the chain.
#[derive(Clone, Copy)]
enum Route<'a> {
    /// Signed and paid by the wallet's payer.
    Own,
    /// Signed and paid by a relayer keypair in this process.
    Keypair(&'a Keypair, u64),
    /// Sent to a relayer service.
    Service {
        client: &'a RelayerClient,
        relayer: Pubkey,
        fee_account: Pubkey,
        fee: u64,
    },
    /// Handed back unsigned, to be signed and paid by this account outside
    /// the process (see [`Wallet::prepare_payment`]).
    External(Pubkey),
}

impl Route<'_> {
    fn fee(&self) -> u64 {
        match self {
            Route::Own | Route::External(_) => 0,
            Route::Keypair(_, fee) | Route::Service { fee, .. } => *fee,
        }
    }
}

/// One `transact` to make.
struct Transfer {
    inputs: Vec<StoredNote>,
    outputs: [(ShieldedAddress, u64, Vec<u8>); 2],
    ext_amount: i64,
    fee: u64,
    recipient: Pubkey,
    entry: (HistoryKind, u64, Option<String>, Vec<u8>),
}

/// The keys of the wallet in `store`: from its recovery phrase, or,
/// watch-only, from its full viewing key.
pub fn stored_keys(store: &Store) -> Result<WalletKeys, WalletError> {
    Ok(match store.key_source()? {
        KeySource::Mnemonic(phrase) => WalletKeys::from_mnemonic(&phrase)?,
        KeySource::ViewingKey(text) => WalletKeys::watch_only(&text.parse::<FullViewingKey>()?),
    })
}

/// A wallet on one pool.
pub struct Wallet {
    keys: WalletKeys,
    store: Store,
    pool: PoolInfo,
    payer: Keypair,
    tree: WalletTree,
    observer: Option<Box<dyn Fn(&Progress) + Send + Sync>>,
    history_listener: Option<Box<dyn Fn(&HistoryEntry) + Send + Sync>>,
}

impl Wallet {
    /// Opens the wallet in `store` on the pool of `mint`; `payer` signs and
    /// pays its transactions. A wallet is bound to the chain (genesis hash
    /// and program id) it is first opened on, and refused on any other
    /// ([`StoreError::WrongCluster`]).
    pub async fn open<C: Chain>(
        chain: &mut C,
        mut store: Store,
        payer: Keypair,
        mint: &Pubkey,
    ) -> Result<Self, WalletError> {
        store.bind_cluster(&ClusterBinding {
            genesis_hash: chain.genesis_hash().await?,
            program_id: zkpay::ID,
        })?;
        let keys = stored_keys(&store)?;
        let pool = load_pool(chain, mint).await?;
        let tree = tree::load(&mut store, &pool.pool)?;
        Ok(Wallet {
            keys,
            store,
            pool,
            payer,
            tree,
            observer: None,
            history_listener: None,
        })
    }

    /// Reports progress of long operations to `observer` (which may run on
    /// any thread: the wallet can live in a tokio task).
    pub fn set_observer(&mut self, observer: impl Fn(&Progress) + Send + Sync + 'static) {
        self.observer = Some(Box::new(observer));
    }

    /// Calls `listener` with each line a sync adds to the history, once the
    /// sync has stored it: payments received ([`HistoryKind::Received`],
    /// with amount and memo: how a shop matches a payment to its order), and
    /// this wallet's own deposits, payments and withdrawals as they settle.
    /// Lines come in chain order, each announced once, by the sync that
    /// stores it (a [`Wallet::rescan`], which forgets the history, announces
    /// it again).
    pub fn set_history_listener(
        &mut self,
        listener: impl Fn(&HistoryEntry) + Send + Sync + 'static,
    ) {
        self.history_listener = Some(Box::new(listener));
    }

    fn announce(&self, lines: &[HistoryEntry]) {
        if let Some(listener) = &self.history_listener {
            lines.iter().for_each(listener);
        }
    }

    fn report(&self, progress: Progress) {
        if let Some(observer) = &self.observer {
            observer(&progress);
        }
    }

    /// The address to share to be paid.
    pub fn address(&self) -> ShieldedAddress {
        self.keys.address()
    }

    /// The pool.
    pub fn pool(&self) -> &PoolInfo {
        &self.pool
    }

    /// The public account paying this wallet's transactions.
    pub fn payer(&self) -> Pubkey {
        self.payer.pubkey()
    }

    /// Leaves in the wallet's copy of the tree.
    pub fn tree_len(&self) -> u64 {
        self.tree.len()
    }

    fn format(&self, units: u64) -> String {
        format_amount(units, self.pool.decimals)
    }

    /// Whether the wallet was imported from a viewing key (it cannot spend).
    pub fn is_watch_only(&self) -> bool {
        self.keys.is_watch_only()
    }

    /// The wallet's full viewing key.
    pub fn viewing_key(&self) -> FullViewingKey {
        self.keys.viewing_key()
    }

    /// Funds as last synced.
    pub fn balance(&self) -> Result<Balance, WalletError> {
        let notes = self
            .store
            .notes(&self.pool.pool, &[NoteState::Unspent, NoteState::Pending])?;
        let sum = |state| {
            let notes: Vec<_> = notes.iter().filter(|n| n.state == state).cloned().collect();
            total(&notes)
        };
        Ok(Balance {
            spendable: sum(NoteState::Unspent)?,
            pending: sum(NoteState::Pending)?,
            notes: notes
                .iter()
                .filter(|n| n.state == NoteState::Unspent && n.amount > 0)
                .count(),
        })
    }

    /// Unspent notes, by leaf.
    pub fn unspent_notes(&self) -> Result<Vec<StoredNote>, WalletError> {
        Ok(self.store.notes(&self.pool.pool, &[NoteState::Unspent])?)
    }

    /// Confirmed history, oldest first, then payments still in flight.
    pub fn history(&self) -> Result<Vec<HistoryEntry>, WalletError> {
        let mut entries = self.store.history(&self.pool.pool)?;
        entries.extend(
            self.store
                .pending(&self.pool.pool)?
                .into_iter()
                .map(|p| p.entry),
        );
        Ok(entries)
    }

    /// Moves `amount` of the payer's public funds into the pool as a note
    /// of this wallet.
    pub async fn deposit<C: Chain>(
        &mut self,
        chain: &mut C,
        amount: u64,
    ) -> Result<Receipt, WalletError> {
        let transfer = self.deposit_transfer(amount, self.payer.pubkey())?;
        self.sync(chain).await?;
        self.settle(chain, transfer, Route::Own, (1, 1)).await
    }

    /// A deposit of `amount` from `depositor` into a note of this wallet.
    fn deposit_transfer(&self, amount: u64, depositor: Pubkey) -> Result<Transfer, WalletError> {
        let ext_amount =
            i64::try_from(amount).map_err(|_| WalletError::TooLarge(self.format(amount)))?;
        let me = self.address();
        Ok(Transfer {
            inputs: Vec::new(),
            outputs: [(me, amount, Vec::new()), (me, 0, Vec::new())],
            ext_amount,
            fee: 0,
            recipient: depositor,
            entry: (HistoryKind::Deposit, amount, None, Vec::new()),
        })
    }

    /// Pays `amount` to `to` privately, with an optional memo, signed and
    /// paid by the wallet's payer (whose public account the chain shows).
    /// See [`Self::pay_with`].
    pub async fn pay<C: Chain>(
        &mut self,
        chain: &mut C,
        to: &ShieldedAddress,
        amount: u64,
        memo: &[u8],
    ) -> Result<Vec<Receipt>, WalletError> {
        self.pay_with(chain, to, amount, memo, None).await
    }

    /// Pays `amount` to `to` privately, with an optional memo, through
    /// `relayer` if given (its fee comes from the wallet's notes). Uses at
    /// most two notes per transaction; if no two notes cover the amount,
    /// first merges notes in extra transactions (each one a receipt, each
    /// through the same relayer).
    pub async fn pay_with<C: Chain>(
        &mut self,
        chain: &mut C,
        to: &ShieldedAddress,
        amount: u64,
        memo: &[u8],
        relayer: Option<Relayer<'_>>,
    ) -> Result<Vec<Receipt>, WalletError> {
        self.keys.spending_key()?;
        if memo.len() > crate::encryption::MAX_MEMO_LEN {
            return Err(MemoTooLong(memo.len()).into());
        }
        let route = self.route(relayer, false).await?;
        let fee = route.fee();
        let total = amount
            .checked_add(fee)
            .ok_or_else(|| WalletError::TooLarge(self.format(amount)))?;
        self.sync(chain).await?;
        let (mut receipts, inputs) = self.gather(chain, total, route).await?;
        let me = self.address();
        let change = change(&inputs, total)?;
        let transfer = Transfer {
            inputs,
            outputs: [(*to, amount, memo.to_vec()), (me, change, Vec::new())],
            ext_amount: 0,
            fee,
            recipient: self.submitter(route),
            entry: (
                HistoryKind::Sent,
                amount,
                Some(to.to_string()),
                memo.to_vec(),
            ),
        };
        let steps = receipts.len() + 1;
        receipts.push(self.settle(chain, transfer, route, (steps, steps)).await?);
        Ok(receipts)
    }

    /// Who signs and pays the transactions of `route`.
    fn submitter(&self, route: Route<'_>) -> Pubkey {
        match route {
            Route::Own => self.payer.pubkey(),
            Route::Keypair(keypair, _) => keypair.pubkey(),
            Route::Service { relayer, .. } => relayer,
            Route::External(signer) => signer,
        }
    }

    /// The route of `relayer`: a service's quote is fetched now.
    async fn route<'a>(
        &self,
        relayer: Option<Relayer<'a>>,
        withdrawal: bool,
    ) -> Result<Route<'a>, WalletError> {
        Ok(match relayer {
            None => Route::Own,
            Some(Relayer::Keypair { keypair, fee }) => Route::Keypair(keypair, fee),
            Some(Relayer::Service(client)) => {
                let (relayer, quote) = client.pool_quote(&self.pool.mint).await?;
                let fee_account = quote.fee_account.parse().map_err(|_| {
                    RelayerError::Data("the quote's fee account is not base58".into())
                })?;
                Route::Service {
                    client,
                    relayer,
                    fee_account,
                    fee: if withdrawal {
                        quote.withdrawal_fee
                    } else {
                        quote.transfer_fee
                    },
                }
            }
        })
    }

    /// Withdraws `amount` from the pool to the public account `recipient`
    /// (SPL pools: a token account), submitted by `relayer` if given, whose
    /// fee comes out of the wallet's notes.
    pub async fn withdraw<C: Chain>(
        &mut self,
        chain: &mut C,
        amount: u64,
        recipient: &Pubkey,
        relayer: Option<Relayer<'_>>,
    ) -> Result<Vec<Receipt>, WalletError> {
        self.keys.spending_key()?;
        let route = self.route(relayer, true).await?;
        let fee = route.fee();
        let total = amount
            .checked_add(fee)
            .ok_or_else(|| WalletError::TooLarge(self.format(amount)))?;
        let ext_amount = i64::try_from(amount)
            .map(|a| -a)
            .map_err(|_| WalletError::TooLarge(self.format(amount)))?;
        if !self.pool.is_spl() {
            self.check_rent_exempt(chain, recipient, amount).await?;
        }
        self.sync(chain).await?;
        let (mut receipts, inputs) = self.gather(chain, total, route).await?;
        let me = self.address();
        let change = change(&inputs, total)?;
        let transfer = Transfer {
            inputs,
            outputs: [(me, change, Vec::new()), (me, 0, Vec::new())],
            ext_amount,
            fee,
            recipient: *recipient,
            entry: (
                HistoryKind::Withdrawal,
                amount,
                Some(recipient.to_string()),
                Vec::new(),
            ),
        };
        let steps = receipts.len() + 1;
        receipts.push(self.settle(chain, transfer, route, (steps, steps)).await?);
        Ok(receipts)
    }

    /// Refuses a SOL withdrawal that would leave `recipient` holding less
    /// than the rent-exempt minimum, which the runtime would reject after
    /// the proof was made.
    async fn check_rent_exempt<C: Chain>(
        &self,
        chain: &mut C,
        recipient: &Pubkey,
        amount: u64,
    ) -> Result<(), WalletError> {
        let account = chain.accounts(&[*recipient]).await?.remove(0);
        let (lamports, space) = account.map_or((0, 0), |a| (a.lamports, a.data.len()));
        let minimum = chain.rent_exempt_minimum(space).await?;
        if lamports.saturating_add(amount) < minimum {
            return Err(WalletError::BelowRentExempt {
                recipient: *recipient,
                holds: self.format(lamports),
                minimum: self.format(minimum),
            });
        }
        Ok(())
    }

    /// Notes covering `target`, merging notes first if no two do (through
    /// `route`, paying its fee from each merge).
    async fn gather<C: Chain>(
        &mut self,
        chain: &mut C,
        target: u64,
        route: Route<'_>,
    ) -> Result<(Vec<Receipt>, Vec<StoredNote>), WalletError> {
        let mut receipts = Vec::new();
        let steps = merges_needed(&self.unspent_notes()?, target) + 1;
        loop {
            match select(&self.unspent_notes()?, target) {
                Selection::Pay(inputs) => return Ok((receipts, inputs)),
                Selection::Insufficient { available } => {
                    return Err(WalletError::InsufficientFunds {
                        available: self.format(available),
                        requested: self.format(target),
                    })
                }
                Selection::Merge(pair) => {
                    let me = self.address();
                    let fee = route.fee();
                    let merged = total(&pair)?.checked_sub(fee).ok_or_else(|| {
                        WalletError::InsufficientFunds {
                            available: self.format(total(&pair).unwrap_or(0)),
                            requested: self.format(fee),
                        }
                    })?;
                    let transfer = Transfer {
                        inputs: pair.to_vec(),
                        outputs: [(me, merged, Vec::new()), (me, 0, Vec::new())],
                        ext_amount: 0,
                        fee,
                        recipient: self.submitter(route),
                        entry: (HistoryKind::Consolidation, merged, None, Vec::new()),
                    };
                    let step = receipts.len() + 1;
                    receipts.push(self.settle(chain, transfer, route, (step, steps)).await?);
                }
            }
        }
    }

    /// Proves, signs, records as pending, sends and syncs one transfer. If
    /// the chain refuses the proof's root as no longer recent (enough
    /// settlements landed meanwhile to push it out of the tree's root
    /// history), syncs and proves again against the current root, up to
    /// [`ROOT_ATTEMPTS`] times in all.
    async fn settle<C: Chain>(
        &mut self,
        chain: &mut C,
        transfer: Transfer,
        route: Route<'_>,
        progress: (usize, usize),
    ) -> Result<Receipt, WalletError> {
        let mut attempt = 1;
        loop {
            match self.settle_once(chain, &transfer, route, progress).await {
                Err(error) if is_unknown_root(&error) && attempt < ROOT_ATTEMPTS => {
                    attempt += 1;
                    self.sync(chain).await?;
                }
                // A nullifier page split between the lookup and the landing:
                // the next attempt names the live pages.
                Err(error) if is_page_moved(&error) && attempt < ROOT_ATTEMPTS => attempt += 1,
                result => return result,
            }
        }
    }

    /// One attempt of [`Self::settle`]: plan the accounts, prove, then
    /// submit the signed transaction or hand the proof to the relayer
    /// service.
    async fn settle_once<C: Chain>(
        &mut self,
        chain: &mut C,
        transfer: &Transfer,
        route: Route<'_>,
        progress: (usize, usize),
    ) -> Result<Receipt, WalletError> {
        let accounts = self.plan(chain, transfer, route).await?;
        let proven = self.prove(transfer, &accounts, progress)?;
        // A full page is split by whoever pays this transfer (refunded from
        // the pool's reserve); a relayer service splits its own.
        let splitter = match route {
            Route::Keypair(keypair, _) => Some(keypair),
            Route::Own => Some(&self.payer),
            Route::Service { .. } | Route::External(_) => None,
        };
        // A relayed transfer names no pages: the relayer looks them up (and
        // splits) itself, so the wallet's node never sees the lookup of a
        // settlement it does not send.
        let pages = match route {
            Route::Service { .. } => [Pubkey::default(); 2],
            _ => pages_for(chain, &self.pool, splitter, &proven.args_nullifiers).await?,
        };
        let instruction = transact_instruction(
            &self.pool,
            &accounts,
            pages,
            proven.args_nullifiers,
            proven.args.clone(),
        );
        let fee_payer: &Keypair = match route {
            Route::Keypair(keypair, _) => keypair,
            Route::Own => &self.payer,
            Route::Service { client, .. } => {
                return self
                    .relay(
                        chain,
                        client,
                        transfer,
                        &accounts,
                        instruction,
                        proven,
                        progress,
                    )
                    .await
            }
            Route::External(signer) => {
                unreachable!("{signer}'s transfers are prepared, not settled")
            }
        };
        let fee_payer = fee_payer.insecure_clone();
        self.submit(chain, transfer, &fee_payer, instruction, proven, progress)
            .await
    }

    /// The accounts of `transfer` on `route`. A relayer of an SPL pool
    /// takes its fee in its token account of the mint (a service names it
    /// in its quote; a keypair's is created first, in a transaction of its
    /// own, if missing); a deposit to an SPL pool comes from the
    /// submitter's token account.
    async fn plan<C: Chain>(
        &self,
        chain: &mut C,
        transfer: &Transfer,
        route: Route<'_>,
    ) -> Result<TransactAccounts, WalletError> {
        let spl = self.pool.is_spl();
        let submitter = self.submitter(route);
        let fee_account = match route {
            Route::Own | Route::External(_) => submitter,
            Route::Service { fee_account, .. } => fee_account,
            Route::Keypair(..) if !spl => submitter,
            Route::Keypair(keypair, _) => {
                let account = associated_token_address(&submitter, &self.pool.mint);
                if chain.accounts(&[account]).await?[0].is_none() {
                    // In a transaction of its own: with the settlement it
                    // would not fit a packet.
                    let create =
                        create_associated_token_account(&submitter, &submitter, &self.pool.mint);
                    let blockhash = chain.latest_blockhash().await?;
                    let transaction = Transaction::new_signed_with_payer(
                        &[create],
                        Some(&submitter),
                        &[keypair],
                        blockhash,
                    );
                    chain
                        .submit(&transaction)
                        .await
                        .map_err(|error| match error {
                            ChainError::Rejected(error) => WalletError::Rejected(error),
                            other => other.into(),
                        })?;
                }
                account
            }
        };
        Ok(TransactAccounts {
            payer: submitter,
            recipient: transfer.recipient,
            relayer: fee_account,
            depositor_token: (spl && transfer.ext_amount > 0)
                .then(|| associated_token_address(&submitter, &self.pool.mint)),
        })
    }

    /// Signs `instruction` with `fee_payer`, records it as pending, sends
    /// it and syncs.
    async fn submit<C: Chain>(
        &mut self,
        chain: &mut C,
        transfer: &Transfer,
        fee_payer: &Keypair,
        instruction: Instruction,
        proven: Proven,
        progress: (usize, usize),
    ) -> Result<Receipt, WalletError> {
        let instructions = budgeted(chain, &fee_payer.pubkey(), instruction).await?;
        let blockhash = chain.latest_blockhash().await?;
        let transaction = Transaction::new_signed_with_payer(
            &instructions,
            Some(&fee_payer.pubkey()),
            &[fee_payer],
            blockhash,
        );
        let size = fits_a_packet(&transaction)?;
        let signature = transaction.signatures[0];
        self.begin_pending(transfer, transaction.clone(), blockhash, signature)?;
        self.report(Progress::Submitting {
            step: progress.0,
            steps: progress.1,
        });
        let sent = Instant::now();
        self.send_pending(chain, &transaction).await?;
        Ok(self.receipt(transfer, signature, proven.prove_time, sent, size))
    }

    /// Sends `transaction`, signed and recorded as pending, and syncs. A
    /// rejected or expired one is released; one of unknown fate stays
    /// pending for the next sync to settle or release.
    async fn send_pending<C: Chain>(
        &mut self,
        chain: &mut C,
        transaction: &Transaction,
    ) -> Result<(), WalletError> {
        let signature = transaction.signatures[0];
        match chain.submit(transaction).await {
            Ok(()) => {}
            Err(ChainError::Rejected(error)) => {
                self.store.release_pending(&signature)?;
                return Err(WalletError::Rejected(error));
            }
            Err(expired @ ChainError::Expired { .. }) => {
                self.store.release_pending(&signature)?;
                return Err(expired.into());
            }
            Err(other) => {
                return Err(WalletError::Unconfirmed {
                    signature,
                    reason: other.to_string(),
                })
            }
        }
        self.sync(chain).await?;
        Ok(())
    }

    /// Makes the witness of `transfer` for `accounts` and proves it.
    fn prove(
        &self,
        transfer: &Transfer,
        accounts: &TransactAccounts,
        (step, steps): (usize, usize),
    ) -> Result<Proven, WalletError> {
        let (witness, encrypted_outputs) = self.witness(transfer, accounts)?;
        self.report(Progress::Proving { step, steps });
        let started = Instant::now();
        let (proof, public) = prover()?.prove_transfer(&witness, &mut OsRng)?;
        Ok(Proven {
            args_nullifiers: public.input_nullifiers,
            args: TransactArgs {
                proof: proof.to_bytes(),
                root: public.root,
                output_commitments: public.output_commitments,
                ext_amount: transfer.ext_amount,
                fee: transfer.fee,
                encrypted_outputs,
            },
            prove_time: started.elapsed(),
        })
    }

    /// The witness of `transfer` for `accounts` and its two ciphertexts:
    /// seals the outputs (in random order, so the payee's note is not
    /// always the first), binds the accounts through the external data
    /// hash, and takes the input notes' paths from the wallet's tree.
    fn witness(
        &self,
        transfer: &Transfer,
        accounts: &TransactAccounts,
    ) -> Result<(TransferWitness, [Vec<u8>; 2]), WalletError> {
        let mut rng = OsRng;
        let asset_id = self.pool.asset_id;
        let ovk = self.keys.outgoing_view_key();
        // A payment's change note records the payee, for the outgoing view.
        let me = self.address();
        let payee = transfer
            .outputs
            .iter()
            .map(|(to, ..)| to)
            .find(|to| **to != me);
        let mut sealed: Vec<SealedNote> = transfer
            .outputs
            .iter()
            .map(|(to, amount, memo)| match payee {
                Some(payee) if *to == me && memo.is_empty() => {
                    seal_change(&me, *amount, asset_id, payee, ovk, &mut rng)
                }
                _ => seal_note(to, *amount, asset_id, memo, ovk, &mut rng),
            })
            .collect::<Result<_, _>>()?;
        if rng.gen::<bool>() {
            sealed.swap(0, 1);
        }
        let encrypted_outputs = [sealed[0].ciphertext.clone(), sealed[1].ciphertext.clone()];
        let ext_data = ExtData {
            recipient: accounts.recipient.to_bytes(),
            relayer: accounts.relayer.to_bytes(),
            ext_amount: transfer.ext_amount,
            fee: transfer.fee,
            mint: self.pool.mint.to_bytes(),
            encrypted_outputs: [&encrypted_outputs[0], &encrypted_outputs[1]],
        };
        let mut inputs = transfer
            .inputs
            .iter()
            .map(|stored| self.input_note(stored))
            .collect::<Result<Vec<_>, _>>()?;
        while inputs.len() < 2 {
            // Dummy blindings come from the OS generator: two equal dummies
            // would publish the same nullifier and be refused.
            // Their key is random too: a dummy is never in the tree, so any
            // key proves it, and a watch-only wallet can deposit.
            inputs.push(InputNote::dummy(
                SpendingKey::random(&mut rng),
                asset_id,
                &mut rng,
            ));
        }
        let witness = TransferWitness {
            root: from_bytes(&self.tree.root()).expect("tree roots are canonical"),
            public_amount: from_bytes(&public_amount(transfer.ext_amount, transfer.fee))
                .expect("public amounts are canonical"),
            ext_data_hash: from_bytes(&ext_data.hash()).expect("the hash is reduced"),
            asset_id,
            inputs: [inputs[0].clone(), inputs[1].clone()],
            outputs: [sealed[0].note, sealed[1].note],
        };
        Ok((witness, encrypted_outputs))
    }

    /// The note `stored`, with its path in the wallet's tree, as a
    /// statement's input.
    fn input_note(&self, stored: &StoredNote) -> Result<InputNote, WalletError> {
        let note = Note {
            amount: stored.amount,
            owner: self.keys.owner(),
            blinding: from_bytes(&stored.blinding)
                .ok_or_else(|| StoreError::Corrupt("note blinding".into()))?,
            asset_id: self.pool.asset_id,
        };
        let path = self.tree.path(stored.leaf_index).ok_or_else(|| {
            WalletError::TreeMismatch(format!(
                "note at leaf {} is not in the tree",
                stored.leaf_index
            ))
        })?;
        Ok(InputNote {
            note,
            key: self.keys.spending_key()?.clone(),
            path,
        })
    }

    /// Records `transaction` as pending before it is sent, with the notes
    /// it spends.
    fn begin_pending(
        &mut self,
        transfer: &Transfer,
        transaction: Transaction,
        blockhash: Hash,
        signature: Signature,
    ) -> Result<(), WalletError> {
        let (kind, amount, counterparty, memo) = transfer.entry.clone();
        let pending = PendingTransaction {
            transaction,
            blockhash,
            entry: HistoryEntry {
                signature,
                kind,
                amount,
                fee: transfer.fee,
                counterparty,
                memo,
                confirmed: false,
            },
        };
        let spends: Vec<u64> = transfer.inputs.iter().map(|n| n.leaf_index).collect();
        self.store
            .begin_pending(&self.pool.pool, &pending, &spends)?;
        Ok(())
    }

    fn receipt(
        &self,
        transfer: &Transfer,
        signature: Signature,
        prove_time: Duration,
        sent: Instant,
        size: usize,
    ) -> Receipt {
        Receipt {
            signature,
            kind: transfer.entry.0,
            amount: transfer.entry.1,
            fee: transfer.fee,
            prove_time,
            settle_time: sent.elapsed(),
            size,
        }
    }

    /// Hands a proven transfer to a relayer service. It waits in the wallet
    /// file under its [`provisional_signature`] (as an unsigned transaction
    /// with the blockhash the relayer must sign with, so sync knows when it
    /// can no longer land) until the relayer returns the signed one.
    #[allow(clippy::too_many_arguments)]
    async fn relay<C: Chain>(
        &mut self,
        chain: &mut C,
        client: &RelayerClient,
        transfer: &Transfer,
        accounts: &TransactAccounts,
        instruction: Instruction,
        proven: Proven,
        (step, steps): (usize, usize),
    ) -> Result<Receipt, WalletError> {
        let blockhash = chain.latest_blockhash().await?;
        let unsigned = Transaction::new_unsigned(solana_sdk::message::Message::new_with_blockhash(
            &[instruction],
            Some(&accounts.payer),
            &blockhash,
        ));
        let provisional = provisional_signature(&proven.args_nullifiers);
        self.begin_pending(transfer, unsigned, blockhash, provisional)?;
        let prove_time = proven.prove_time;
        let relay = self.relay_of(proven, accounts, blockhash);
        self.report(Progress::Submitting { step, steps });
        let sent = Instant::now();
        let mut relay = relay;
        let mut renewals = 0;
        let response = loop {
            match client.relay(&relay).await {
                Ok(response) => break response,
                // The proof does not bind the blockhash: renew it (on
                // record first: the relayer may sign with it) and resend.
                Err(RelayerError::Refused {
                    code: RefusalCode::StaleBlockhash,
                    ..
                }) if renewals < BLOCKHASH_RENEWALS => {
                    renewals += 1;
                    relay.blockhash = chain.latest_blockhash().await?;
                    self.store
                        .renew_pending_blockhash(&provisional, &relay.blockhash)?;
                }
                Err(RelayerError::Refused {
                    code: RefusalCode::Unavailable,
                    ..
                }) => {
                    return Err(WalletError::Unconfirmed {
                        signature: provisional,
                        reason: format!("the relayer {} could not confirm it", client.url()),
                    })
                }
                Err(error @ RelayerError::Refused { .. }) => {
                    self.store.release_pending(&provisional)?;
                    return Err(error.into());
                }
                Err(other) => {
                    return Err(WalletError::Unconfirmed {
                        signature: provisional,
                        reason: other.to_string(),
                    })
                }
            }
        };
        let (signature, transaction) = decode_transaction(&response).map_err(RelayerError::Data)?;
        let size = bincode::serialized_size(&transaction).map_or(usize::MAX, |s| s as usize);
        self.store
            .confirm_relayed(&provisional, &signature, &transaction)?;
        self.sync(chain).await?;
        Ok(self.receipt(transfer, signature, prove_time, sent, size))
    }

    fn relay_of(&self, proven: Proven, accounts: &TransactAccounts, blockhash: Hash) -> Relay {
        Relay {
            mint: self.pool.mint,
            proof: proven.args.proof,
            root: proven.args.root,
            input_nullifiers: proven.args_nullifiers,
            output_commitments: proven.args.output_commitments,
            ext_amount: proven.args.ext_amount,
            fee: proven.args.fee,
            recipient: accounts.recipient,
            relayer: accounts.relayer,
            encrypted_outputs: proven.args.encrypted_outputs,
            blockhash,
        }
    }

    /// Proves a private payment of `amount` to `to` from exactly `inputs`
    /// (one or two unspent notes), for the relayer at `client` at its quoted
    /// fee, signed with `blockhash`, without sending it or recording
    /// anything: for a caller that submits relays itself (a load test, a
    /// batch). The wallet learns of it on its next sync.
    pub async fn prove_relayed_payment(
        &self,
        client: &RelayerClient,
        inputs: Vec<StoredNote>,
        to: &ShieldedAddress,
        amount: u64,
        blockhash: Hash,
    ) -> Result<Relay, WalletError> {
        let route = self.route(Some(Relayer::Service(client)), false).await?;
        let Route::Service {
            relayer,
            fee_account,
            fee,
            ..
        } = route
        else {
            unreachable!("a service route")
        };
        let spent = amount
            .checked_add(fee)
            .ok_or_else(|| WalletError::TooLarge(self.format(amount)))?;
        let change = change(&inputs, spent).map_err(|_| WalletError::InsufficientFunds {
            available: self.format(total(&inputs).unwrap_or(0)),
            requested: self.format(spent),
        })?;
        let transfer = Transfer {
            inputs,
            outputs: [
                (*to, amount, Vec::new()),
                (self.address(), change, Vec::new()),
            ],
            ext_amount: 0,
            fee,
            recipient: relayer,
            entry: (HistoryKind::Sent, amount, None, Vec::new()),
        };
        let accounts = TransactAccounts {
            payer: relayer,
            recipient: relayer,
            relayer: fee_account,
            depositor_token: None,
        };
        let proven = self.prove(&transfer, &accounts, (1, 1))?;
        Ok(self.relay_of(proven, &accounts, blockhash))
    }
}

/// A proven transfer: the `transact` arguments and the time proving took.
struct Proven {
    args_nullifiers: [[u8; 32]; 2],
    args: TransactArgs,
    prove_time: Duration,
}

/// The transfer prover, loaded once per process.
pub fn prover() -> Result<&'static TransferProver, WalletError> {
    static PROVER: std::sync::OnceLock<TransferProver> = std::sync::OnceLock::new();
    if let Some(prover) = PROVER.get() {
        return Ok(prover);
    }
    let prover = TransferProver::load().map_err(|e| WalletError::ProvingKey(e.to_string()))?;
    Ok(PROVER.get_or_init(|| prover))
}

/// `instruction` after the compute-budget instructions the chain asks for
/// when `payer` pays for it (a failing simulation is
/// [`WalletError::Rejected`]).
async fn budgeted<C: Chain>(
    chain: &mut C,
    payer: &Pubkey,
    instruction: Instruction,
) -> Result<Vec<Instruction>, WalletError> {
    let mut instructions = chain
        .compute_budget(payer, std::slice::from_ref(&instruction))
        .await
        .map_err(|error| match error {
            ChainError::Rejected(error) => WalletError::Rejected(error),
            other => other.into(),
        })?;
    instructions.push(instruction);
    Ok(instructions)
}

/// The size of `transaction`, or [`WalletError::Oversized`] past one packet.
fn fits_a_packet(transaction: &Transaction) -> Result<usize, WalletError> {
    let size = bincode::serialized_size(transaction).map_or(usize::MAX, |s| s as usize);
    if size > PACKET_LIMIT {
        return Err(WalletError::Oversized(size));
    }
    Ok(size)
}
