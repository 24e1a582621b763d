//! The wallet file: an SQLite database holding the mnemonic (or, watch-only,
//! the full viewing key), the tree's
//! leaves, the wallet's notes, its history, payments in flight and the sync
//! position. Every change is one SQLite transaction, so a crash leaves the
//! file as it was before or after the change, never in between.
//!
//! The file is created readable and writable by its owner only (0600). It
//! holds the mnemonic in the clear: protect it like the phrase itself.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, Transaction as DbTransaction};
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use std::sync::{Mutex, MutexGuard, PoisonError};
use zeroize::Zeroizing;
use zkpay_core::field::FieldBytes;
use zkpay_core::tree::{Checkpoint, WalletTree};

/// Why the wallet file failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed.
    #[error("wallet database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file could not be created.
    #[error("wallet file {path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A wallet already exists there.
    #[error("a wallet already exists at {0}: pass another --wallet path, or delete it if it holds nothing")]
    Exists(std::path::PathBuf),
    /// No wallet there.
    #[error("no wallet at {0}: create one with `zkpay wallet new` or `zkpay wallet restore`")]
    Missing(std::path::PathBuf),
    /// Stored data is not what this version writes.
    #[error("the wallet file is damaged or from another version: {0}")]
    Corrupt(String),
    /// The wallet belongs to another cluster or program.
    #[error("this wallet belongs to {bound}, not to {found}: pass the --url it was made with, or restore it into a new wallet file for this cluster (`zkpay --wallet <new file> wallet restore`)")]
    WrongCluster {
        /// What the wallet file is bound to.
        bound: ClusterBinding,
        /// The chain it was opened on.
        found: ClusterBinding,
    },
}

/// The chain a wallet's notes live on: a cluster (its genesis hash) and the
/// zkpay program there. Recorded in the wallet file at first use; a wallet
/// opened on another chain is refused, since its tree, notes and pending
/// payments mean nothing there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterBinding {
    /// The cluster's genesis hash; None for the embedded chain.
    pub genesis_hash: Option<Hash>,
    /// The zkpay program's id.
    pub program_id: Pubkey,
}

impl std::fmt::Display for ClusterBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.genesis_hash {
            None => f.write_str("the embedded chain")?,
            Some(hash) => match crate::chain::rpc::known_cluster(hash) {
                Some(name) => write!(f, "{name} (genesis {hash})")?,
                None => write!(f, "the cluster with genesis hash {hash}")?,
            },
        }
        write!(f, " with program {}", self.program_id)
    }
}

/// The meta value standing for the embedded chain's (absent) genesis hash.
const EMBEDDED_CLUSTER: &[u8] = b"embedded";

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE sync (pool BLOB PRIMARY KEY, last_signature BLOB, leaves INTEGER NOT NULL, tree BLOB);
CREATE TABLE checkpoints (pool BLOB NOT NULL, leaves INTEGER NOT NULL, frontier BLOB NOT NULL,
    PRIMARY KEY (pool, leaves));
CREATE TABLE leaves (pool BLOB NOT NULL, leaf_index INTEGER NOT NULL, commitment BLOB NOT NULL,
    signature BLOB, PRIMARY KEY (pool, leaf_index));
CREATE TABLE notes (pool BLOB NOT NULL, leaf_index INTEGER NOT NULL, amount INTEGER NOT NULL,
    blinding BLOB NOT NULL, nullifier BLOB NOT NULL, memo BLOB NOT NULL,
    received_in BLOB NOT NULL, spent_in BLOB, state INTEGER NOT NULL,
    PRIMARY KEY (pool, leaf_index));
CREATE UNIQUE INDEX notes_by_nullifier ON notes (pool, nullifier);
CREATE TABLE pending (signature BLOB PRIMARY KEY, pool BLOB NOT NULL, transaction_bytes BLOB NOT NULL,
    blockhash BLOB NOT NULL, kind INTEGER NOT NULL, amount INTEGER NOT NULL, fee INTEGER NOT NULL,
    counterparty TEXT, memo BLOB NOT NULL);
CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, pool BLOB NOT NULL, signature BLOB NOT NULL,
    kind INTEGER NOT NULL, amount INTEGER NOT NULL, fee INTEGER NOT NULL, counterparty TEXT,
    memo BLOB NOT NULL);
";

const SCHEMA_VERSION: &str = "zkpay-wallet-3";

/// Version 1 lacked the settlement of each leaf (NULL for its leaves: a
/// rollback past them rescans from the start).
const MIGRATE_FROM_1: &str = "ALTER TABLE leaves ADD COLUMN signature BLOB;
UPDATE meta SET value = CAST('zkpay-wallet-2' AS BLOB) WHERE key = 'schema';";

/// Version 2 lacked the wallet's tree and its checkpoints (the wallet
/// rebuilds the tree from the stored leaves once, when it opens).
const MIGRATE_FROM_2: &str = "ALTER TABLE sync ADD COLUMN tree BLOB;
CREATE TABLE checkpoints (pool BLOB NOT NULL, leaves INTEGER NOT NULL, frontier BLOB NOT NULL,
    PRIMARY KEY (pool, leaves));
UPDATE meta SET value = CAST('zkpay-wallet-3' AS BLOB) WHERE key = 'schema';";

/// Checkpoints are kept for the last this many leaves (and the newest
/// before them), and leaves from that newest one on: twice what the
/// on-chain root history covers, so a rollback rewinds from a checkpoint
/// and replays at most a few thousand stored leaves, and the file does
/// not grow with the pool. A rollback past them rescans the pool.
const CHECKPOINT_SPAN: u64 = 4 * zkpay_core::constants::ROOT_HISTORY_SIZE as u64;

/// What a wallet file's keys come from.
pub enum KeySource {
    /// The recovery phrase: a wallet that spends.
    Mnemonic(Zeroizing<String>),
    /// A full viewing key's text: a watch-only wallet.
    ViewingKey(Zeroizing<String>),
}

/// Where a note stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteState {
    /// Spendable.
    Unspent,
    /// In a payment sent but not yet seen settled.
    Pending,
    /// Its nullifier is on-chain.
    Spent,
}

impl NoteState {
    fn code(self) -> i64 {
        match self {
            NoteState::Unspent => 0,
            NoteState::Pending => 1,
            NoteState::Spent => 2,
        }
    }

    fn from_code(code: i64) -> Result<Self, StoreError> {
        Ok(match code {
            0 => NoteState::Unspent,
            1 => NoteState::Pending,
            2 => NoteState::Spent,
            _ => return Err(StoreError::Corrupt(format!("note state {code}"))),
        })
    }
}

/// A note of this wallet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNote {
    /// Its leaf in the tree.
    pub leaf_index: u64,
    /// Amount in base units.
    pub amount: u64,
    /// Its blinding (big-endian field element).
    pub blinding: FieldBytes,
    /// The nullifier that spends it.
    pub nullifier: FieldBytes,
    /// The sender's memo.
    pub memo: Vec<u8>,
    /// The transaction that created it.
    pub received_in: Signature,
    /// Where it stands.
    pub state: NoteState,
}

/// What a history line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryKind {
    /// Public funds into the pool.
    Deposit,
    /// A private payment to someone.
    Sent,
    /// A private payment from someone.
    Received,
    /// Funds out of the pool to a public account.
    Withdrawal,
    /// Notes merged into one, to pay with fewer inputs.
    Consolidation,
}

impl HistoryKind {
    fn code(self) -> i64 {
        self as i64
    }

    fn from_code(code: i64) -> Result<Self, StoreError> {
        Ok(match code {
            0 => HistoryKind::Deposit,
            1 => HistoryKind::Sent,
            2 => HistoryKind::Received,
            3 => HistoryKind::Withdrawal,
            4 => HistoryKind::Consolidation,
            _ => return Err(StoreError::Corrupt(format!("history kind {code}"))),
        })
    }
}

/// One line of history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The transaction.
    pub signature: Signature,
    /// What happened.
    pub kind: HistoryKind,
    /// Amount in base units.
    pub amount: u64,
    /// Relayer fee paid from the pool.
    pub fee: u64,
    /// The other side: a shielded address or public account, when known.
    pub counterparty: Option<String>,
    /// The memo.
    pub memo: Vec<u8>,
    /// False while the transaction has not been seen settled.
    pub confirmed: bool,
}

/// A transaction sent (or about to be) whose settlement was not seen yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTransaction {
    /// The signed transaction, as sent; unsigned (every signature the
    /// default) while a relayer holds it: the wallet cannot send it again.
    pub transaction: solana_sdk::transaction::Transaction,
    /// Its blockhash (it can land until that expires).
    pub blockhash: Hash,
    /// The history line it will become.
    pub entry: HistoryEntry,
}

/// Everything one sync step learned, written at once.
#[derive(Debug, Default)]
pub struct SyncBatch {
    /// New leaves, in order, starting at the stored leaf count, each with
    /// the transaction that appended it.
    pub leaves: Vec<(FieldBytes, Signature)>,
    /// Notes found for this wallet.
    pub notes: Vec<StoredNote>,
    /// Nullifiers seen on-chain, with their transaction.
    pub spent: Vec<(FieldBytes, Signature)>,
    /// History lines to add.
    pub history: Vec<HistoryEntry>,
    /// Pending transactions now settled (their lines are in `history`).
    pub settled: Vec<Signature>,
    /// The newest transaction read: where the next read starts (None
    /// keeps the stored one).
    pub last_signature: Option<Signature>,
    /// The wallet's tree after the batch ([`WalletTree::to_bytes`]); its
    /// frontier is kept as a checkpoint to rewind to.
    pub tree: Option<WalletTree>,
}

/// The wallet database.
pub struct Store {
    /// Behind a mutex so that a wallet, and a future borrowing it, can move
    /// between threads (a SQLite connection is `Send` but not `Sync`).
    db: Mutex<Connection>,
}

fn to_i64(value: u64) -> i64 {
    value as i64
}

fn to_u64(value: i64) -> u64 {
    value as u64
}

fn signature(bytes: Vec<u8>) -> Result<Signature, StoreError> {
    Signature::try_from(bytes.as_slice()).map_err(|_| StoreError::Corrupt("signature".into()))
}

fn field(bytes: Vec<u8>) -> Result<FieldBytes, StoreError> {
    bytes
        .try_into()
        .map_err(|_| StoreError::Corrupt("field element".into()))
}

impl Store {
    /// Creates a wallet file at `path` holding `mnemonic`; refuses to
    /// overwrite one.
    pub fn create(path: &Path, mnemonic: &str) -> Result<Self, StoreError> {
        Self::create_with(path, "mnemonic", mnemonic)
    }

    /// Creates a watch-only wallet file at `path` holding the text of its
    /// full viewing key (and no mnemonic); refuses to overwrite one.
    pub fn create_watch_only(path: &Path, viewing_key: &str) -> Result<Self, StoreError> {
        Self::create_with(path, "viewing-key", viewing_key)
    }

    /// Creates the file with its schema and the keys' source under `name`.
    fn create_with(path: &Path, name: &str, keys: &str) -> Result<Self, StoreError> {
        use std::os::unix::fs::OpenOptionsExt;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => StoreError::Exists(path.to_path_buf()),
                _ => StoreError::Io {
                    path: path.to_path_buf(),
                    source,
                },
            })?;
        let mut db = Connection::open(path)?;
        Self::configure(&db)?;
        let tx = db.transaction()?;
        tx.execute_batch(SCHEMA)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('schema', ?1), (?2, ?3)",
            params![SCHEMA_VERSION.as_bytes(), name, keys.as_bytes()],
        )?;
        tx.commit()?;
        Ok(Store { db: Mutex::new(db) })
    }

    /// Opens the wallet file at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing(path.to_path_buf()));
        }
        let db = Connection::open(path)?;
        Self::configure(&db)?;
        let store = Store { db: Mutex::new(db) };
        let mut schema = store.meta("schema")?.unwrap_or_default();
        if schema == b"zkpay-wallet-1" {
            store
                .db()
                .execute_batch(&format!("BEGIN; {MIGRATE_FROM_1} COMMIT;"))?;
            schema = b"zkpay-wallet-2".to_vec();
        }
        if schema == b"zkpay-wallet-2" {
            store
                .db()
                .execute_batch(&format!("BEGIN; {MIGRATE_FROM_2} COMMIT;"))?;
            schema = SCHEMA_VERSION.as_bytes().to_vec();
        }
        if schema != SCHEMA_VERSION.as_bytes() {
            return Err(StoreError::Corrupt(format!(
                "{} is not a zkpay wallet of this version",
                path.display()
            )));
        }
        Ok(store)
    }

    fn db(&self) -> MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn db_mut(&mut self) -> &mut Connection {
        self.db.get_mut().unwrap_or_else(PoisonError::into_inner)
    }

    fn configure(db: &Connection) -> Result<(), StoreError> {
        db.execute_batch(
            "PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
        )?;
        Ok(())
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .db()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// What the wallet's keys come from: its recovery phrase, or for a
    /// watch-only wallet the text of its full viewing key.
    pub fn key_source(&self) -> Result<KeySource, StoreError> {
        let text = |name: &str, bytes: Vec<u8>| {
            let bytes = Zeroizing::new(bytes);
            std::str::from_utf8(&bytes)
                .map(|text| Zeroizing::new(text.to_string()))
                .map_err(|_| StoreError::Corrupt(name.into()))
        };
        if let Some(bytes) = self.meta("viewing-key")? {
            return Ok(KeySource::ViewingKey(text("viewing key", bytes)?));
        }
        Ok(KeySource::Mnemonic(text(
            "mnemonic",
            self.meta("mnemonic")?.unwrap_or_default(),
        )?))
    }

    /// The chain this wallet is bound to, if it was used on one yet.
    pub fn cluster_binding(&self) -> Result<Option<ClusterBinding>, StoreError> {
        let (Some(cluster), Some(program)) = (self.meta("cluster")?, self.meta("program")?) else {
            return Ok(None);
        };
        let genesis_hash = if cluster == EMBEDDED_CLUSTER {
            None
        } else {
            let bytes = <[u8; 32]>::try_from(cluster.as_slice())
                .map_err(|_| StoreError::Corrupt("cluster genesis hash".into()))?;
            Some(Hash::new_from_array(bytes))
        };
        let program_id = <[u8; 32]>::try_from(program.as_slice())
            .map_err(|_| StoreError::Corrupt("program id".into()))?;
        Ok(Some(ClusterBinding {
            genesis_hash,
            program_id: Pubkey::new_from_array(program_id),
        }))
    }

    /// Binds the wallet to `chain` at first use, or checks it is the chain
    /// the wallet is bound to ([`StoreError::WrongCluster`] if not).
    pub fn bind_cluster(&mut self, chain: &ClusterBinding) -> Result<(), StoreError> {
        let tx = self.db_mut().transaction()?;
        // Read and write in one transaction: two processes opening a new
        // wallet on different chains cannot both bind it.
        let bound: Option<Vec<u8>> = tx
            .query_row("SELECT value FROM meta WHERE key = 'cluster'", [], |row| {
                row.get(0)
            })
            .optional()?;
        if bound.is_none() {
            let cluster = chain
                .genesis_hash
                .as_ref()
                .map_or(EMBEDDED_CLUSTER, |hash| hash.as_ref());
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('cluster', ?1), ('program', ?2)",
                params![cluster, chain.program_id.as_ref()],
            )?;
            tx.commit()?;
            return Ok(());
        }
        drop(tx);
        let bound = self
            .cluster_binding()?
            .ok_or_else(|| StoreError::Corrupt("cluster binding without a program".into()))?;
        if bound != *chain {
            return Err(StoreError::WrongCluster {
                bound,
                found: *chain,
            });
        }
        Ok(())
    }

    /// The last settlement synced for `pool`, and the number of leaves held.
    pub fn sync_position(&self, pool: &Pubkey) -> Result<(Option<Signature>, u64), StoreError> {
        let row: Option<(Option<Vec<u8>>, i64)> = self
            .db()
            .query_row(
                "SELECT last_signature, leaves FROM sync WHERE pool = ?1",
                [pool.as_ref()],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        match row {
            None => Ok((None, 0)),
            Some((last, leaves)) => Ok((last.map(signature).transpose()?, to_u64(leaves))),
        }
    }

    /// The leaves of `pool`'s tree from index `from` up to (without) `to`,
    /// in order, of those kept (the last few thousand: see
    /// `CHECKPOINT_SPAN`).
    pub fn leaves(&self, pool: &Pubkey, from: u64, to: u64) -> Result<Vec<FieldBytes>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare(
            "SELECT commitment FROM leaves WHERE pool = ?1 AND leaf_index >= ?2 AND leaf_index < ?3
             ORDER BY leaf_index",
        )?;
        let rows = statement
            .query_map(params![pool.as_ref(), to_i64(from), to_i64(to)], |row| {
                row.get::<_, Vec<u8>>(0)
            })?;
        rows.map(|row| field(row?)).collect()
    }

    /// The wallet's tree of `pool` as last synced: None before the first
    /// sync (or in a file of version 2, until the wallet rebuilt it).
    pub fn tree(&self, pool: &Pubkey) -> Result<Option<WalletTree>, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .db()
            .query_row(
                "SELECT tree FROM sync WHERE pool = ?1",
                [pool.as_ref()],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        bytes
            .map(|b| {
                WalletTree::from_bytes(&b)
                    .ok_or_else(|| StoreError::Corrupt("the wallet's tree".into()))
            })
            .transpose()
    }

    /// Stores `tree` as the wallet's tree of `pool` (after rebuilding it).
    pub fn set_tree(&mut self, pool: &Pubkey, tree: &WalletTree) -> Result<(), StoreError> {
        let tx = self.db_mut().transaction()?;
        tx.execute(
            "UPDATE sync SET tree = ?2 WHERE pool = ?1",
            params![pool.as_ref(), tree.to_bytes()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The newest checkpoint of `pool`'s tree at `len` leaves or fewer
    /// (the empty tree's if none is kept).
    pub fn checkpoint(&self, pool: &Pubkey, len: u64) -> Result<Checkpoint, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .db()
            .query_row(
                "SELECT frontier FROM checkpoints WHERE pool = ?1 AND leaves <= ?2
                 ORDER BY leaves DESC LIMIT 1",
                params![pool.as_ref(), to_i64(len)],
                |r| r.get(0),
            )
            .optional()?;
        match bytes {
            None => Ok(Checkpoint::empty()),
            Some(b) => Checkpoint::from_bytes(&b)
                .ok_or_else(|| StoreError::Corrupt("a tree checkpoint".into())),
        }
    }

    /// Records what a sync step learned, atomically.
    pub fn apply(&mut self, pool: &Pubkey, batch: &SyncBatch) -> Result<(), StoreError> {
        let tx = self.db_mut().transaction()?;
        let (_, mut leaves) = {
            let row: Option<i64> = tx
                .query_row(
                    "SELECT leaves FROM sync WHERE pool = ?1",
                    [pool.as_ref()],
                    |r| r.get(0),
                )
                .optional()?;
            ((), row.map_or(0, to_u64))
        };
        {
            let mut insert = tx.prepare(
                "INSERT INTO leaves (pool, leaf_index, commitment, signature) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (leaf, appended_by) in &batch.leaves {
                insert.execute(params![
                    pool.as_ref(),
                    to_i64(leaves),
                    leaf.as_slice(),
                    appended_by.as_ref()
                ])?;
                leaves += 1;
            }
        }
        for note in &batch.notes {
            tx.execute(
                "INSERT OR IGNORE INTO notes (pool, leaf_index, amount, blinding, nullifier, memo, received_in, spent_in, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, ?8)",
                params![
                    pool.as_ref(),
                    to_i64(note.leaf_index),
                    to_i64(note.amount),
                    note.blinding.as_slice(),
                    note.nullifier.as_slice(),
                    note.memo,
                    note.received_in.as_ref(),
                    note.state.code()
                ],
            )?;
        }
        for (nullifier, spent_in) in &batch.spent {
            tx.execute(
                "UPDATE notes SET state = ?1, spent_in = ?2 WHERE pool = ?3 AND nullifier = ?4",
                params![
                    NoteState::Spent.code(),
                    spent_in.as_ref(),
                    pool.as_ref(),
                    nullifier.as_slice()
                ],
            )?;
        }
        for entry in &batch.history {
            insert_history(&tx, pool, entry)?;
        }
        for signature in &batch.settled {
            tx.execute(
                "DELETE FROM pending WHERE signature = ?1",
                [signature.as_ref()],
            )?;
        }
        let last = match batch.last_signature {
            Some(s) => Some(s.as_ref().to_vec()),
            None => tx
                .query_row(
                    "SELECT last_signature FROM sync WHERE pool = ?1",
                    [pool.as_ref()],
                    |r| r.get::<_, Option<Vec<u8>>>(0),
                )
                .optional()?
                .flatten(),
        };
        tx.execute(
            "INSERT INTO sync (pool, last_signature, leaves) VALUES (?1, ?2, ?3)
             ON CONFLICT (pool) DO UPDATE SET last_signature = ?2, leaves = ?3",
            params![pool.as_ref(), last, to_i64(leaves)],
        )?;
        if let Some(tree) = &batch.tree {
            if tree.len() != leaves {
                return Err(StoreError::Corrupt(format!(
                    "a tree of {} leaves for {leaves} stored leaves",
                    tree.len()
                )));
            }
            tx.execute(
                "UPDATE sync SET tree = ?2 WHERE pool = ?1",
                params![pool.as_ref(), tree.to_bytes()],
            )?;
            tx.execute(
                "INSERT OR REPLACE INTO checkpoints (pool, leaves, frontier) VALUES (?1, ?2, ?3)",
                params![pool.as_ref(), to_i64(leaves), tree.checkpoint().to_bytes()],
            )?;
            // Keep the checkpoints of the last CHECKPOINT_SPAN leaves and
            // the newest before them, and the leaves from that one on:
            // what a rollback rewinds to and replays.
            let oldest_kept =
                "(SELECT MAX(leaves) FROM checkpoints WHERE pool = ?1 AND leaves <= ?2)";
            for (table, column) in [("checkpoints", "leaves"), ("leaves", "leaf_index")] {
                tx.execute(
                    &format!("DELETE FROM {table} WHERE pool = ?1 AND {column} < {oldest_kept}"),
                    params![
                        pool.as_ref(),
                        to_i64(leaves.saturating_sub(CHECKPOINT_SPAN))
                    ],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Undoes what sync learned from leaf `len` on, as if it had stopped
    /// there: for settlements of a block the cluster rolled back. Their
    /// leaves, the notes they created and their history lines go, the notes
    /// they spent are unspent again, and sync resumes after the transaction
    /// that appended leaf `len - 1`, with `tree` (the wallet's tree rewound
    /// to `len` leaves). Payments in flight stay. Returns false (and changes
    /// nothing) if that transaction is not known (a wallet file of version
    /// 1): rescan instead.
    pub fn truncate_pool(
        &mut self,
        pool: &Pubkey,
        len: u64,
        tree: &WalletTree,
    ) -> Result<bool, StoreError> {
        if tree.len() != len {
            return Err(StoreError::Corrupt(format!(
                "a tree of {} leaves to truncate to {len}",
                tree.len()
            )));
        }
        let tx = self.db_mut().transaction()?;
        let resume: Option<Vec<u8>> = if len == 0 {
            None
        } else {
            let stored: Option<Option<Vec<u8>>> = tx
                .query_row(
                    "SELECT signature FROM leaves WHERE pool = ?1 AND leaf_index = ?2",
                    params![pool.as_ref(), to_i64(len - 1)],
                    |r| r.get(0),
                )
                .optional()?;
            match stored.flatten() {
                Some(signature) => Some(signature),
                None => return Ok(false),
            }
        };
        let undone = "SELECT DISTINCT signature FROM leaves
            WHERE pool = ?1 AND leaf_index >= ?2 AND signature IS NOT NULL";
        let statements = [
            format!(
                "UPDATE notes SET state = {}, spent_in = NULL
                 WHERE pool = ?1 AND state = {} AND spent_in IN ({undone})",
                NoteState::Unspent.code(),
                NoteState::Spent.code()
            ),
            format!("DELETE FROM history WHERE pool = ?1 AND signature IN ({undone})"),
            "DELETE FROM notes WHERE pool = ?1 AND leaf_index >= ?2".to_string(),
            "DELETE FROM leaves WHERE pool = ?1 AND leaf_index >= ?2".to_string(),
            "DELETE FROM checkpoints WHERE pool = ?1 AND leaves > ?2".to_string(),
        ];
        for statement in &statements {
            tx.execute(statement, params![pool.as_ref(), to_i64(len)])?;
        }
        tx.execute(
            "UPDATE sync SET last_signature = ?2, leaves = ?3, tree = ?4 WHERE pool = ?1",
            params![pool.as_ref(), resume, to_i64(len), tree.to_bytes()],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Forgets `pool`'s leaves, notes, history and sync position (payments
    /// in flight stay), for a rescan from the first settlement.
    pub fn reset_pool(&mut self, pool: &Pubkey) -> Result<(), StoreError> {
        let tx = self.db_mut().transaction()?;
        for table in ["leaves", "notes", "history", "sync", "checkpoints"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE pool = ?1"),
                [pool.as_ref()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// This wallet's notes in `pool` in `states`, by leaf index.
    pub fn notes(
        &self,
        pool: &Pubkey,
        states: &[NoteState],
    ) -> Result<Vec<StoredNote>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare(
            "SELECT leaf_index, amount, blinding, nullifier, memo, received_in, state
             FROM notes WHERE pool = ?1 ORDER BY leaf_index",
        )?;
        let rows = statement.query_map([pool.as_ref()], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, Vec<u8>>(2)?,
                row.get::<_, Vec<u8>>(3)?,
                row.get::<_, Vec<u8>>(4)?,
                row.get::<_, Vec<u8>>(5)?,
                row.get::<_, i64>(6)?,
            ))
        })?;
        let mut notes = Vec::new();
        for row in rows {
            let (leaf, amount, blinding, nullifier, memo, received_in, state) = row?;
            let state = NoteState::from_code(state)?;
            if states.contains(&state) {
                notes.push(StoredNote {
                    leaf_index: to_u64(leaf),
                    amount: to_u64(amount),
                    blinding: field(blinding)?,
                    nullifier: field(nullifier)?,
                    memo,
                    received_in: signature(received_in)?,
                    state,
                });
            }
        }
        Ok(notes)
    }

    /// Records `pending` before it is sent, and marks the notes it spends
    /// (by leaf index) pending, atomically.
    pub fn begin_pending(
        &mut self,
        pool: &Pubkey,
        pending: &PendingTransaction,
        spends: &[u64],
    ) -> Result<(), StoreError> {
        let tx = self.db_mut().transaction()?;
        let entry = &pending.entry;
        let bytes = bincode::serialize(&pending.transaction)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.execute(
            "INSERT INTO pending (signature, pool, transaction_bytes, blockhash, kind, amount, fee, counterparty, memo)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                entry.signature.as_ref(),
                pool.as_ref(),
                bytes,
                pending.blockhash.as_ref(),
                entry.kind.code(),
                to_i64(entry.amount),
                to_i64(entry.fee),
                entry.counterparty,
                entry.memo
            ],
        )?;
        for leaf in spends {
            tx.execute(
                "UPDATE notes SET state = ?1, spent_in = ?2 WHERE pool = ?3 AND leaf_index = ?4 AND state = ?5",
                params![
                    NoteState::Pending.code(),
                    entry.signature.as_ref(),
                    pool.as_ref(),
                    to_i64(*leaf),
                    NoteState::Unspent.code()
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Files a relayed transaction, pending under `provisional`, under the
    /// `signature` and signed `transaction` the relayer returned.
    pub fn confirm_relayed(
        &mut self,
        provisional: &Signature,
        signature: &Signature,
        transaction: &solana_sdk::transaction::Transaction,
    ) -> Result<(), StoreError> {
        let bytes =
            bincode::serialize(transaction).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = self.db_mut().transaction()?;
        tx.execute(
            "UPDATE pending SET signature = ?1, transaction_bytes = ?2 WHERE signature = ?3",
            params![signature.as_ref(), bytes, provisional.as_ref()],
        )?;
        tx.execute(
            "UPDATE notes SET spent_in = ?1 WHERE spent_in = ?2 AND state = ?3",
            params![
                signature.as_ref(),
                provisional.as_ref(),
                NoteState::Pending.code()
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Records that the relayed transaction pending under `provisional`
    /// is sent again with `blockhash`.
    pub fn renew_pending_blockhash(
        &mut self,
        provisional: &Signature,
        blockhash: &Hash,
    ) -> Result<(), StoreError> {
        self.db_mut().execute(
            "UPDATE pending SET blockhash = ?1 WHERE signature = ?2",
            params![blockhash.as_ref(), provisional.as_ref()],
        )?;
        Ok(())
    }

    /// Forgets a pending transaction that can no longer land, and makes the
    /// notes it would have spent spendable again, atomically.
    pub fn release_pending(&mut self, signature: &Signature) -> Result<(), StoreError> {
        let tx = self.db_mut().transaction()?;
        tx.execute(
            "UPDATE notes SET state = ?1, spent_in = NULL WHERE spent_in = ?2 AND state = ?3",
            params![
                NoteState::Unspent.code(),
                signature.as_ref(),
                NoteState::Pending.code()
            ],
        )?;
        tx.execute(
            "DELETE FROM pending WHERE signature = ?1",
            [signature.as_ref()],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The pending transactions of `pool`.
    pub fn pending(&self, pool: &Pubkey) -> Result<Vec<PendingTransaction>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare(
            "SELECT transaction_bytes, blockhash, kind, amount, fee, counterparty, memo, signature
             FROM pending WHERE pool = ?1 ORDER BY rowid",
        )?;
        let rows = statement.query_map([pool.as_ref()], |row| {
            Ok((
                row.get::<_, Vec<u8>>(0)?,
                row.get::<_, Vec<u8>>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, Vec<u8>>(6)?,
                row.get::<_, Vec<u8>>(7)?,
            ))
        })?;
        let mut pending = Vec::new();
        for row in rows {
            let (bytes, blockhash, kind, amount, fee, counterparty, memo, sig) = row?;
            let transaction = bincode::deserialize(&bytes)
                .map_err(|e| StoreError::Corrupt(format!("pending transaction: {e}")))?;
            let blockhash = <[u8; 32]>::try_from(blockhash.as_slice())
                .map_err(|_| StoreError::Corrupt("blockhash".into()))?;
            pending.push(PendingTransaction {
                transaction,
                blockhash: Hash::new_from_array(blockhash),
                entry: HistoryEntry {
                    signature: signature(sig)?,
                    kind: HistoryKind::from_code(kind)?,
                    amount: to_u64(amount),
                    fee: to_u64(fee),
                    counterparty,
                    memo,
                    confirmed: false,
                },
            });
        }
        Ok(pending)
    }

    /// The confirmed history of `pool`, oldest first.
    pub fn history(&self, pool: &Pubkey) -> Result<Vec<HistoryEntry>, StoreError> {
        let db = self.db();
        let mut statement = db.prepare(
            "SELECT signature, kind, amount, fee, counterparty, memo FROM history WHERE pool = ?1 ORDER BY id",
        )?;
        let rows = statement.query_map([pool.as_ref()], |row| {
            Ok((
                row.get::<_, Vec<u8>>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Vec<u8>>(5)?,
            ))
        })?;
        rows.map(|row| {
            let (sig, kind, amount, fee, counterparty, memo) = row?;
            Ok(HistoryEntry {
                signature: signature(sig)?,
                kind: HistoryKind::from_code(kind)?,
                amount: to_u64(amount),
                fee: to_u64(fee),
                counterparty,
                memo,
                confirmed: true,
            })
        })
        .collect()
    }
}

fn insert_history(
    tx: &DbTransaction,
    pool: &Pubkey,
    entry: &HistoryEntry,
) -> Result<(), StoreError> {
    tx.execute(
        "INSERT INTO history (pool, signature, kind, amount, fee, counterparty, memo) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            pool.as_ref(),
            entry.signature.as_ref(),
            entry.kind.code(),
            to_i64(entry.amount),
            to_i64(entry.fee),
            entry.counterparty,
            entry.memo
        ],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHRASE: &str = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";

    /// The file keeps the checkpoints and leaves of the last
    /// `CHECKPOINT_SPAN` leaves and the newest checkpoint before them, so
    /// it does not grow with the pool, and a rewind to any kept leaf count
    /// finds a checkpoint and every leaf after it.
    #[test]
    fn old_leaves_and_checkpoints_go_and_every_rewind_within_the_span_still_works() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut store = Store::create(&dir.path().join("wallet.db"), PHRASE).unwrap();
        let pool = Pubkey::new_unique();
        let mut tree = WalletTree::new();
        let batch_leaves = 1_000u64;
        for batch in 0..12u64 {
            let leaves: Vec<(FieldBytes, Signature)> = (0..batch_leaves)
                .map(|i| {
                    let mut leaf = [0u8; 32];
                    leaf[24..].copy_from_slice(&(batch * batch_leaves + i + 1).to_be_bytes());
                    (leaf, Signature::from([batch as u8 + 1; 64]))
                })
                .collect();
            let marks: Vec<_> = leaves.iter().map(|(leaf, _)| (*leaf, false)).collect();
            tree.extend(&marks).unwrap();
            store
                .apply(
                    &pool,
                    &SyncBatch {
                        leaves,
                        tree: Some(tree.clone()),
                        ..SyncBatch::default()
                    },
                )
                .unwrap();
        }
        let len = tree.len();
        assert_eq!(store.tree(&pool).unwrap(), Some(tree));
        let kept: i64 = store
            .db()
            .query_row("SELECT COUNT(*) FROM leaves", [], |r| r.get(0))
            .unwrap();
        // From the newest checkpoint at or before len - span: 7,000.
        assert_eq!(kept as u64, len - 7_000);
        for target in (len - CHECKPOINT_SPAN)..=len {
            let checkpoint = store.checkpoint(&pool, target).unwrap();
            assert!(
                checkpoint.len <= target && checkpoint.len >= 7_000,
                "{target}"
            );
            let stored = store.leaves(&pool, checkpoint.len, target).unwrap();
            assert_eq!(stored.len() as u64, target - checkpoint.len);
        }
        // Older than that: gone (a rollback there rescans).
        assert!(store.leaves(&pool, 0, 7_000).unwrap().is_empty());
    }

    #[test]
    fn a_wallet_binds_to_the_first_chain_it_is_used_on() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("wallet.db");
        let mut store = Store::create(&path, PHRASE).unwrap();
        assert_eq!(store.cluster_binding().unwrap(), None);

        let program_id = Pubkey::new_unique();
        let local = ClusterBinding {
            genesis_hash: Some(Hash::new_from_array([7; 32])),
            program_id,
        };
        store.bind_cluster(&local).unwrap();
        store.bind_cluster(&local).unwrap();
        drop(store);

        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.cluster_binding().unwrap(), Some(local));
        for other in [
            ClusterBinding {
                genesis_hash: Some(Hash::new_from_array([8; 32])),
                program_id,
            },
            ClusterBinding {
                genesis_hash: None,
                program_id,
            },
            ClusterBinding {
                genesis_hash: local.genesis_hash,
                program_id: Pubkey::new_unique(),
            },
        ] {
            let error = store.bind_cluster(&other).unwrap_err();
            assert!(
                matches!(error, StoreError::WrongCluster { bound, found } if bound == local && found == other),
                "{error}"
            );
        }
        assert_eq!(store.cluster_binding().unwrap(), Some(local));
    }

    #[test]
    fn the_embedded_chain_is_a_binding_of_its_own() {
        let dir = tempfile::TempDir::new().unwrap();
        let mut store = Store::create(&dir.path().join("wallet.db"), PHRASE).unwrap();
        let embedded = ClusterBinding {
            genesis_hash: None,
            program_id: Pubkey::new_unique(),
        };
        store.bind_cluster(&embedded).unwrap();
        assert_eq!(store.cluster_binding().unwrap(), Some(embedded));
        let mainnet = ClusterBinding {
            genesis_hash: Some(crate::chain::rpc::MAINNET_BETA_GENESIS_HASH),
            program_id: embedded.program_id,
        };
        let message = store.bind_cluster(&mainnet).unwrap_err().to_string();
        assert!(
            message.contains("belongs to the embedded chain"),
            "{message}"
        );
        assert!(message.contains("not to mainnet-beta"), "{message}");
    }
}
