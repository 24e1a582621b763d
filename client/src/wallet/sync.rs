//! Sync: rebuild the tree from the pool's settlements, find this wallet's
//! notes, mark spent ones, and settle or release payments in flight.

use std::collections::HashMap;

use zkpay_circuits::field::to_bytes;
use zkpay_circuits::note::Note;
use zkpay_core::constants::{ROOT_HISTORY_SIZE, TREE_CAPACITY};
use zkpay_core::field::FieldBytes;
use zkpay_core::program::state::TreeState;
use zkpay_core::tree::WalletTree;

use super::{tree, Progress, Wallet, WalletError};
use crate::chain::{Chain, ChainError, Settlement, TransactionStatus, SETTLEMENT_READ_BUDGET};
use crate::encryption::{open_incoming, open_outgoing, payee_address, OpenedNote, ViewTag};
use crate::store::{HistoryEntry, HistoryKind, NoteState, SyncBatch};
use solana_sdk::signature::Signature;

/// Times sync reads again, pausing [`INDEX_LAG_PAUSE`] more each time,
/// when the chain's tree holds leaves the node's history does not list yet.
const INDEX_LAG_RETRIES: u32 = 3;

/// See [`INDEX_LAG_RETRIES`].
const INDEX_LAG_PAUSE: std::time::Duration = std::time::Duration::from_millis(400);

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
    /// Settlements of other pools in the transactions read, ignored.
    pub foreign: usize,
    /// Leaves dropped because the cluster rolled back the blocks that
    /// appended them (synced again from the last leaf the chain agrees on).
    pub rolled_back: u64,
}

impl Wallet {
    /// Brings the wallet up to date with the chain: new leaves and notes,
    /// spent notes, payments in flight settled or released.
    pub async fn sync<C: Chain>(&mut self, chain: &mut C) -> Result<SyncReport, WalletError> {
        let mut report = SyncReport::default();
        self.ingest(chain, &mut report).await?;
        let (landed, expired_relays) = self.reconcile(chain, &mut report).await?;
        if landed || !expired_relays.is_empty() {
            self.ingest(chain, &mut report).await?;
        }
        // A relayed transaction whose blockhash expired landed before it
        // did or never will: the read just made found it if it landed
        // (its notes are spent now, and stay so).
        for provisional in expired_relays {
            self.store.release_pending(&provisional)?;
            report.released += 1;
        }
        if self.check_root(chain, &mut report).await? {
            self.ingest(chain, &mut report).await?;
        }
        report.leaves = self.tree.len();
        Ok(report)
    }

    /// Forgets the tree, notes and history and syncs from the first
    /// settlement, as a restored wallet does.
    pub async fn rescan<C: Chain>(&mut self, chain: &mut C) -> Result<SyncReport, WalletError> {
        self.store.reset_pool(&self.pool.pool)?;
        self.tree = WalletTree::new();
        self.sync(chain).await
    }

    /// Reads the pool's settlements since the last sync, page by page, and
    /// applies them in leaf order. Settlements of other pools are ignored;
    /// one that contradicts a leaf the wallet holds means the cluster
    /// rolled back a block: the wallet drops the leaves from there and
    /// applies the chain's instead. A gap in what the node serves stops the
    /// sync with what came before it applied.
    async fn ingest<C: Chain>(
        &mut self,
        chain: &mut C,
        report: &mut SyncReport,
    ) -> Result<(), WalletError> {
        let pool = self.pool.pool;
        let leaves_before = self.chain_tree(chain).await?.frontier.next_index();
        let mut lagging = 0;
        loop {
            self.report(Progress::Fetching);
            let (cursor, _) = self.store.sync_position(&pool)?;
            let page = chain
                .settlements(&self.pool.tree, cursor.as_ref(), SETTLEMENT_READ_BUDGET)
                .await?;
            let read = page.settlements.len();
            let mut ours: Vec<Settlement> = page
                .settlements
                .into_iter()
                .filter(|s| s.event.pool == pool.to_bytes())
                .collect();
            report.foreign += read - ours.len();
            // The node's order is not execution order; the leaf index is.
            ours.sort_by_key(|s| s.event.first_leaf_index);
            ours.dedup_by(|a, b| a.event == b.event);
            if let Some(fork) = self.first_contradicted_leaf(&ours)? {
                self.roll_back(fork, report)?;
            }
            // Exits from a full tree append nothing: they only spend.
            let (exits, mut ours): (Vec<_>, Vec<_>) = ours
                .into_iter()
                .partition(|s| s.event.first_leaf_index >= TREE_CAPACITY);
            if let Some(conflict) = ours
                .windows(2)
                .find(|pair| pair[0].event.first_leaf_index == pair[1].event.first_leaf_index)
            {
                return Err(WalletError::TreeMismatch(format!(
                    "the node serves two different settlements appending leaf {}",
                    conflict[0].event.first_leaf_index
                )));
            }
            let held = self.tree.len();
            ours.retain(|s| s.event.first_leaf_index >= held);
            let run = ours
                .iter()
                .zip((held..).step_by(2))
                .take_while(|(s, leaf)| s.event.first_leaf_index == *leaf)
                .count();
            let gap = ours.get(run).map(|s| s.event.first_leaf_index);
            // Past everything read, unless a gap holds it back to the last
            // settlement applied.
            let resume = match gap {
                None => page.read_to,
                Some(_) => ours[..run].last().map(|s| s.signature),
            };
            // Exits come after every leaf: applied once the tree is whole.
            let whole = gap.is_none() && held + 2 * run as u64 == TREE_CAPACITY;
            let mut settled = ours[..run].to_vec();
            if whole {
                settled.extend(exits);
            }
            self.apply(&settled, resume, report)?;
            if gap.is_some() {
                if run == 0 {
                    return Err(WalletError::MissingSettlements { missing: held });
                }
                continue;
            }
            if !page.complete {
                continue;
            }
            // Read to the end: every leaf the chain held before the read
            // must be here, or the node left some out (or has not indexed
            // them yet: its history can lag its accounts a little).
            let held = self.tree.len();
            if held < leaves_before {
                // Read again from the last settlement applied.
                self.store.truncate_pool(&pool, held, &self.tree)?;
                if lagging < INDEX_LAG_RETRIES {
                    lagging += 1;
                    tokio::time::sleep(INDEX_LAG_PAUSE * lagging).await;
                    continue;
                }
                return Err(WalletError::MissingSettlements { missing: held });
            }
            return Ok(());
        }
    }

    /// The first leaf the wallet holds that one of `settlements` (sorted by
    /// leaf index) contradicts.
    fn first_contradicted_leaf(
        &self,
        settlements: &[Settlement],
    ) -> Result<Option<u64>, WalletError> {
        let held = self.tree.len();
        for s in settlements
            .iter()
            .take_while(|s| s.event.first_leaf_index < held)
        {
            let first = s.event.first_leaf_index;
            let stored = self.store.leaves(&self.pool.pool, first, first + 2)?;
            for (k, leaf) in stored.iter().enumerate() {
                if *leaf != s.event.commitments[k] {
                    return Ok(Some(first + k as u64));
                }
            }
        }
        Ok(None)
    }

    /// Drops the leaves from `leaf` on (down to a settlement's first leaf),
    /// with what sync learned from them.
    fn roll_back(&mut self, leaf: u64, report: &mut SyncReport) -> Result<(), WalletError> {
        let keep = leaf - leaf % 2;
        let pool = self.pool.pool;
        let dropped = self.tree.len().saturating_sub(keep);
        let rewound = tree::rewound(&self.store, &pool, &self.tree, keep)?;
        let truncated = match &rewound {
            Some(tree) => self.store.truncate_pool(&pool, keep, tree)?,
            None => false,
        };
        if !truncated {
            // Deeper than the leaves the wallet keeps, or a wallet file
            // from before leaves recorded their settlement: rescan.
            self.store.reset_pool(&pool)?;
            report.rolled_back += self.tree.len();
            self.tree = WalletTree::new();
            return Ok(());
        }
        self.tree = rewound.expect("truncated only with a rewound tree");
        report.rolled_back += dropped;
        Ok(())
    }

    /// Applies settlements appending leaves from the tree's length on, in
    /// order, and records `resume` as where the next read starts.
    fn apply(
        &mut self,
        settlements: &[Settlement],
        resume: Option<solana_sdk::signature::Signature>,
        report: &mut SyncReport,
    ) -> Result<(), WalletError> {
        let pool = self.pool.pool;
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
        let mut batch = SyncBatch {
            last_signature: resume,
            ..SyncBatch::default()
        };
        let total = settlements.len();
        let opened = self.open_all(settlements);
        let mut leaves = Vec::with_capacity(2 * total);
        for (i, (settlement, opened)) in settlements.iter().zip(&opened).enumerate() {
            if i % 512 == 0 {
                self.report(Progress::Scanning { done: i, total });
            }
            let found = batch.notes.len();
            self.scan(settlement, opened, &mut known, &pending, &mut batch, report);
            if settlement.event.first_leaf_index < TREE_CAPACITY {
                let first = settlement.event.first_leaf_index;
                let ours: Vec<u64> = batch.notes[found..].iter().map(|n| n.leaf_index).collect();
                for (k, leaf) in settlement.event.commitments.iter().enumerate() {
                    batch.leaves.push((*leaf, settlement.signature));
                    leaves.push((*leaf, ours.contains(&(first + k as u64))));
                }
            }
        }
        self.report(Progress::Scanning { done: total, total });
        // Appended to a copy: the wallet's tree changes only once the
        // batch is stored.
        let mut tree = self.tree.clone();
        tree::extend(&mut tree, &leaves)?;
        if let Some(last) = settlements.last() {
            if tree.root() != last.event.root {
                return Err(WalletError::TreeMismatch(
                    "the root after appending differs from the root the program computed".into(),
                ));
            }
        }
        batch.tree = Some(tree);
        self.store.apply(&pool, &batch)?;
        self.tree = batch.tree.take().expect("set above");
        self.announce(&batch.history);
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
        // In u128: amounts in a pool of a mint someone controls can add up
        // past u64::MAX.
        let mut spent_ours = 0u128;
        let mut spends_ours = false;
        for nullifier in &event.nullifiers {
            if let Some(amount) = known.get(nullifier) {
                spends_ours = true;
                spent_ours += u128::from(*amount);
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
            let nullifier = to_bytes(&note.nullifier(leaf_index, self.keys.nullifier_key()));
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
            report.received = report.received.saturating_add(opened.amount);
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
        let ours_out: u128 = incoming
            .iter()
            .flatten()
            .map(|n| u128::from(n.amount))
            .sum();
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
        let mut sent_total = 0u128;
        // Whom it paid, from the payee record of the change note.
        let payee = (0..2).find_map(|k| {
            let change = incoming[k].as_ref()?;
            payee_address(
                self.keys.outgoing_view_key(),
                &event.encrypted_outputs[k],
                change,
            )
        });
        for k in 0..2 {
            if incoming[k].is_some() {
                continue;
            }
            if let Some(sent) = outgoing[k].as_ref().filter(|n| n.amount > 0) {
                sent_total += u128::from(sent.amount);
                batch.history.push(HistoryEntry {
                    counterparty: payee.map(|p| p.to_string()),
                    ..line(HistoryKind::Sent, sent.amount, &sent.memo)
                });
            }
        }
        // A history line shows at most u64::MAX.
        let shown = |amount: u128| u64::try_from(amount).unwrap_or(u64::MAX);
        let left = spent_ours.saturating_sub(ours_out + sent_total);
        if left > 0 {
            batch
                .history
                .push(line(HistoryKind::Withdrawal, shown(left), &[]));
        } else if sent_total == 0 {
            batch
                .history
                .push(line(HistoryKind::Consolidation, shown(ours_out), &[]));
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
    /// seen. Returns whether one may have landed since the last fetch, and
    /// the relayed ones left unsigned (the relayer never answered) whose
    /// blockhash has expired: released once the chain is read again.
    async fn reconcile<C: Chain>(
        &mut self,
        chain: &mut C,
        report: &mut SyncReport,
    ) -> Result<(bool, Vec<Signature>), WalletError> {
        let mut landed = false;
        let mut expired_relays = Vec::new();
        for pending in self.store.pending(&self.pool.pool)? {
            let signature = pending.entry.signature;
            if pending.transaction.signatures[0] == Signature::default() {
                if !chain.is_blockhash_valid(&pending.blockhash).await? {
                    expired_relays.push(signature);
                }
                continue;
            }
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
        Ok((landed, expired_relays))
    }

    /// Checks the wallet's tree against the on-chain tree account. A chain
    /// holding fewer leaves, or as many with another root, rolled back
    /// blocks the wallet synced: the wallet goes back to the longest of its
    /// recent trees whose root the chain remembers (the start if none) and
    /// syncs from there. Returns whether it rolled back.
    async fn check_root<C: Chain>(
        &mut self,
        chain: &mut C,
        report: &mut SyncReport,
    ) -> Result<bool, WalletError> {
        let onchain = self.chain_tree(chain).await?;
        let chain_leaves = onchain.frontier.next_index();
        let local = self.tree.len();
        if chain_leaves > local
            || (chain_leaves == local && onchain.frontier.root() == self.tree.root())
        {
            return Ok(false);
        }
        // Each settlement pushes one root: look back as far as they reach.
        let high = chain_leaves.min(local) & !1;
        let oldest = local.saturating_sub(2 * ROOT_HISTORY_SIZE as u64) & !1;
        let keep = tree::roots_between(&self.store, &self.pool.pool, oldest.min(high), high)?
            .into_iter()
            .find(|(_, root)| onchain.history.contains(root))
            .map_or(0, |(len, _)| len);
        self.roll_back(keep, report)?;
        Ok(true)
    }

    /// The pool's tree account as the chain holds it now.
    async fn chain_tree<C: Chain>(&self, chain: &mut C) -> Result<TreeState, WalletError> {
        let account = chain
            .accounts(&[self.pool.tree])
            .await?
            .remove(0)
            .ok_or_else(|| WalletError::TreeMismatch("the tree account is gone".into()))?;
        TreeState::read(&account.data).ok_or_else(|| {
            WalletError::TreeMismatch("the tree account is not a commitment tree".into())
        })
    }
}
