//! Sync: rebuild the tree from the pool's settlements, find this wallet's
//! notes, mark spent ones, and settle or release payments in flight.

use std::collections::HashMap;

use zkpay_core::program::state::TreeState;
use zkpay_circuits::field::to_bytes;
use zkpay_circuits::note::Note;
use zkpay_core::field::FieldBytes;
use zkpay_core::tree::CommitmentTree;

use super::{Progress, Wallet, WalletError};
use crate::chain::{Chain, ChainError, Settlement, TransactionStatus};
use crate::encryption::{open_incoming, open_outgoing, OpenedNote, ViewTag};
use crate::store::{HistoryEntry, HistoryKind, NoteState, SyncBatch};

/// Both outputs of a settlement, as this wallet's keys read them.
struct Opened {
    incoming: [Option<OpenedNote>; 2],
    outgoing: [Option<OpenedNote>; 2],
}

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Settlements read.
    pub settlements: usize,
    /// Notes of this wallet found.
    pub new_notes: usize,
    /// Their total amount.
    pub received: u64,
    /// Payments in flight that can no longer land, whose notes are
    /// spendable again.
    pub released: usize,
    /// Leaves in the tree after the sync.
    pub leaves: u64,
}

impl Wallet {
    /// Brings the wallet up to date with the chain: new leaves and notes,
    /// spent notes, payments in flight settled or released.
    pub async fn sync<C: Chain>(&mut self, chain: &mut C) -> Result<SyncReport, WalletError> {
        let mut report = SyncReport::default();
        self.ingest(chain, &mut report).await?;
        if self.reconcile(chain, &mut report).await? {
            self.ingest(chain, &mut report).await?;
        }
        self.mark_spent_nullifiers(chain).await?;
        self.check_root(chain).await?;
        report.leaves = self.tree.len();
        Ok(report)
    }

    /// Forgets the tree, notes and history and syncs from the first
    /// settlement, as a restored wallet does.
    pub async fn rescan<C: Chain>(&mut self, chain: &mut C) -> Result<SyncReport, WalletError> {
        self.store.reset_pool(&self.pool.pool)?;
        self.tree = CommitmentTree::new();
        self.sync(chain).await
    }

    async fn ingest<C: Chain>(
        &mut self,
        chain: &mut C,
        report: &mut SyncReport,
    ) -> Result<(), WalletError> {
        let pool = self.pool.pool;
        self.report(Progress::Fetching);
        let (last, _) = self.store.sync_position(&pool)?;
        let settlements = chain.settlements(&self.pool.tree, last.as_ref()).await?;
        if settlements.is_empty() {
            return Ok(());
        }
        let pending: HashMap<_, _> = self
            .store
            .pending(&pool)?
            .into_iter()
            .map(|p| (p.entry.signature, p.entry))
            .collect();
        let mut known: HashMap<FieldBytes, u64> = self
            .store
            .notes(
                &pool,
                &[NoteState::Unspent, NoteState::Pending, NoteState::Spent],
            )?
            .into_iter()
            .map(|n| (n.nullifier, n.amount))
            .collect();
        let mut batch = SyncBatch::default();
        let mut next_leaf = self.tree.len();
        let total = settlements.len();
        let opened = self.open_all(&settlements);
        for (i, (settlement, opened)) in settlements.iter().zip(&opened).enumerate() {
            if i % 512 == 0 {
                self.report(Progress::Scanning { done: i, total });
            }
            let event = &settlement.event;
            if event.first_leaf_index != next_leaf {
                return Err(WalletError::TreeMismatch(format!(
                    "settlement {} appends at leaf {}, the wallet expected {next_leaf}",
                    settlement.signature, event.first_leaf_index
                )));
            }
            next_leaf += 2;
            batch.leaves.extend_from_slice(&event.commitments);
            self.scan(settlement, opened, &mut known, &pending, &mut batch, report);
            batch.last_signature = Some(settlement.signature);
        }
        self.report(Progress::Scanning { done: total, total });
        let expected_root = settlements.last().expect("not empty").event.root;
        self.tree
            .extend(&batch.leaves)
            .map_err(|e| WalletError::TreeMismatch(format!("{e:?}")))?;
        if self.tree.root() != expected_root {
            self.reload_tree()?;
            return Err(WalletError::TreeMismatch(
                "the root after appending differs from the root the program computed".into(),
            ));
        }
        if let Err(error) = self.store.apply(&pool, &batch) {
            self.reload_tree()?;
            return Err(error.into());
        }
        report.settlements += total;
        Ok(())
    }

    /// Reads one settlement: notes for this wallet, its spent notes, and
    /// what the history shows of it.
    fn scan(
        &self,
        settlement: &Settlement,
        opened: &Opened,
        known: &mut HashMap<FieldBytes, u64>,
        pending: &HashMap<solana_sdk::signature::Signature, HistoryEntry>,
        batch: &mut SyncBatch,
        report: &mut SyncReport,
    ) {
        let event = &settlement.event;
        let signature = settlement.signature;
        let mut spent_ours = 0u64;
        let mut spends_ours = false;
        for nullifier in &event.nullifiers {
            if let Some(amount) = known.get(nullifier) {
                spends_ours = true;
                spent_ours += amount;
                batch.spent.push((*nullifier, signature));
            }
        }
        let asset_id = self.pool.asset_id;
        let owner = self.keys.owner();
        let Opened { incoming, outgoing } = opened;
        for k in 0..2 {
            let Some(opened) = &incoming[k] else {
                continue;
            };
            if opened.amount == 0 {
                continue;
            }
            let leaf_index = event.first_leaf_index + k as u64;
            let note = Note {
                amount: opened.amount,
                owner,
                blinding: opened.blinding,
                asset_id,
            };
            let nullifier = to_bytes(&note.nullifier(leaf_index, self.keys.spending_key()));
            known.insert(nullifier, opened.amount);
            batch.notes.push(crate::store::StoredNote {
                leaf_index,
                amount: opened.amount,
                blinding: to_bytes(&opened.blinding),
                nullifier,
                memo: opened.memo.clone(),
                received_in: signature,
                state: NoteState::Unspent,
            });
            report.new_notes += 1;
            report.received += opened.amount;
        }
        if let Some(entry) = pending.get(&signature) {
            batch.history.push(HistoryEntry {
                confirmed: true,
                ..entry.clone()
            });
            batch.settled.push(signature);
            return;
        }
        // Not sent from this wallet file (or sent before a restore): tell
        // the story from what the keys can read.
        let line = |kind, amount, memo: &[u8]| HistoryEntry {
            signature,
            kind,
            amount,
            fee: 0,
            counterparty: None,
            memo: memo.to_vec(),
            confirmed: true,
        };
        let ours_out: u64 = incoming.iter().flatten().map(|n| n.amount).sum();
        if !spends_ours {
            for k in 0..2 {
                if let Some(opened) = incoming[k].as_ref().filter(|n| n.amount > 0) {
                    let kind = if outgoing[k].is_some() {
                        HistoryKind::Deposit
                    } else {
                        HistoryKind::Received
                    };
                    batch.history.push(line(kind, opened.amount, &opened.memo));
                }
            }
            return;
        }
        let mut sent_total = 0u64;
        for k in 0..2 {
            if incoming[k].is_some() {
                continue;
            }
            if let Some(sent) = outgoing[k].as_ref().filter(|n| n.amount > 0) {
                sent_total += sent.amount;
                batch
                    .history
                    .push(line(HistoryKind::Sent, sent.amount, &sent.memo));
            }
        }
        let left = spent_ours.saturating_sub(ours_out + sent_total);
        if left > 0 {
            batch.history.push(line(HistoryKind::Withdrawal, left, &[]));
        } else if sent_total == 0 {
            batch
                .history
                .push(line(HistoryKind::Consolidation, ours_out, &[]));
        }
    }

    /// Trial-decrypts both outputs of every settlement, on all cores.
    fn open_all(&self, settlements: &[Settlement]) -> Vec<Opened> {
        let owner = self.keys.owner();
        let (keys, asset_id) = (&self.keys, self.pool.asset_id);
        let open = |settlement: &Settlement| {
            let event = &settlement.event;
            let each = |k: usize, incoming: bool| {
                let (commitment, ciphertext) = (&event.commitments[k], &event.encrypted_outputs[k]);
                if incoming {
                    open_incoming(
                        keys.incoming_view_key(),
                        owner,
                        asset_id,
                        commitment,
                        ciphertext,
                        ViewTag::Check,
                    )
                } else {
                    open_outgoing(keys.outgoing_view_key(), commitment, ciphertext)
                }
            };
            Opened {
                incoming: [each(0, true), each(1, true)],
                outgoing: [each(0, false), each(1, false)],
            }
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if threads == 1 || settlements.len() < 2 * threads {
            return settlements.iter().map(open).collect();
        }
        let chunk = settlements.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> = settlements
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(open).collect::<Vec<_>>()))
                .collect();
            workers
                .into_iter()
                .flat_map(|worker| worker.join().expect("trial decryption does not panic"))
                .collect()
        })
    }

    /// Settles or releases payments in flight whose settlement was not
    /// seen. Returns whether one may have landed since the last fetch.
    async fn reconcile<C: Chain>(
        &mut self,
        chain: &mut C,
        report: &mut SyncReport,
    ) -> Result<bool, WalletError> {
        let mut landed = false;
        for pending in self.store.pending(&self.pool.pool)? {
            let signature = pending.entry.signature;
            match chain.status(&signature).await? {
                TransactionStatus::Succeeded => landed = true,
                TransactionStatus::Failed(_) => {
                    self.store.release_pending(&signature)?;
                    report.released += 1;
                }
                TransactionStatus::Unknown => {
                    if !chain.is_blockhash_valid(&pending.blockhash).await? {
                        self.store.release_pending(&signature)?;
                        report.released += 1;
                        continue;
                    }
                    // It may still land: send it again (same signature, so
                    // it settles at most once).
                    match chain.submit(&pending.transaction).await {
                        Ok(()) => landed = true,
                        Err(ChainError::Rejected(_)) => {
                            self.store.release_pending(&signature)?;
                            report.released += 1;
                        }
                        Err(_) => {}
                    }
                }
            }
        }
        Ok(landed)
    }

    /// Marks spent every note whose nullifier account exists, whoever
    /// spent it. An account the program does not own is not a spend:
    /// anyone can send lamports to the address beforehand.
    async fn mark_spent_nullifiers<C: Chain>(&mut self, chain: &mut C) -> Result<(), WalletError> {
        let notes = self
            .store
            .notes(&self.pool.pool, &[NoteState::Unspent, NoteState::Pending])?;
        if notes.is_empty() {
            return Ok(());
        }
        let addresses: Vec<_> = notes
            .iter()
            .map(|n| self.pool.nullifier_address(&n.nullifier))
            .collect();
        let accounts = chain.accounts(&addresses).await?;
        let mut batch = SyncBatch::default();
        for (note, account) in notes.iter().zip(accounts) {
            if account.is_some_and(|a| a.owner == zkpay::ID) {
                batch
                    .spent
                    .push((note.nullifier, solana_sdk::signature::Signature::default()));
            }
        }
        if !batch.spent.is_empty() {
            self.store.apply(&self.pool.pool, &batch)?;
        }
        Ok(())
    }

    /// Checks the wallet's tree against the on-chain tree account.
    async fn check_root<C: Chain>(&mut self, chain: &mut C) -> Result<(), WalletError> {
        let account = chain
            .accounts(&[self.pool.tree])
            .await?
            .remove(0)
            .ok_or_else(|| WalletError::TreeMismatch("the tree account is gone".into()))?;
        let onchain = TreeState::read(&account.data).ok_or_else(|| {
            WalletError::TreeMismatch("the tree account is not a commitment tree".into())
        })?;
        let chain_leaves = onchain.frontier.next_index();
        let local = self.tree.len();
        if chain_leaves < local
            || (chain_leaves == local && onchain.frontier.root() != self.tree.root())
        {
            return Err(WalletError::TreeMismatch(format!(
                "the chain holds {chain_leaves} leaves, the wallet {local}"
            )));
        }
        Ok(())
    }

    fn reload_tree(&mut self) -> Result<(), WalletError> {
        let mut tree = CommitmentTree::new();
        tree.extend(&self.store.leaves(&self.pool.pool)?)
            .map_err(|e| WalletError::TreeMismatch(format!("stored leaves: {e:?}")))?;
        self.tree = tree;
        Ok(())
    }
}
