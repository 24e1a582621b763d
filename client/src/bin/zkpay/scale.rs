//! `zkpay bench-scale`: a wallet on a pool of a million leaves.
//!
//! Proving a million settlements would take days, so the pool's history is
//! synthetic: settlements of random commitments and ciphertexts (a few of
//! them real notes for the wallet), served page by page in front of the
//! embedded chain's own history. The embedded chain's tree account is set
//! to the synthetic tree's frontier and root, so the payment at the end is
//! a real one: proved against the million-leaf root and settled by the
//! program in the VM.

use std::collections::HashMap;
use std::time::Instant;

use anyhow::{ensure, Context, Result};
use rand::rngs::{OsRng, StdRng};
use rand::{RngCore, SeedableRng};
use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;
use zkpay_circuits::field::to_bytes;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::{
    Chain, ChainError, Settled, Settlement, SettlementPage, TransactionStatus,
};
use zkpay_client::encryption::seal_note;
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::{load_pool, PoolInfo, SOL};
use zkpay_client::store::Store;
use zkpay_client::wallet::Wallet;
use zkpay_core::field::FieldBytes;
use zkpay_core::program::state::TreeState;
use zkpay_core::tree::{CommitmentTree, WalletTree};

use crate::ui::ms;

const SOL_UNIT: u64 = 1_000_000_000;

/// Settlements per served page (a page ends on a root the wallet checks).
const PAGE: u64 = zkpay_client::chain::SETTLEMENT_READ_BUDGET as u64;

/// Marks a synthetic settlement's signature.
const SYNTHETIC: &[u8; 8] = b"zkpaysyn";

/// A pool history of `settlements` synthetic settlements, generated on
/// demand from their index.
struct SyntheticHistory {
    pool: [u8; 32],
    settlements: u64,
    /// The root after each page.
    page_roots: Vec<FieldBytes>,
    /// Settlements whose first output is a note for the wallet.
    ours: HashMap<u64, (FieldBytes, Vec<u8>)>,
}

impl SyntheticHistory {
    fn signature(index: u64) -> Signature {
        let mut bytes = [0u8; 64];
        bytes[..8].copy_from_slice(SYNTHETIC);
        bytes[8..16].copy_from_slice(&index.to_le_bytes());
        Signature::from(bytes)
    }

    fn index_of(signature: &Signature) -> Option<u64> {
        let bytes = signature.as_ref();
        (&bytes[..8] == SYNTHETIC)
            .then(|| u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes")))
    }

    /// Settlement `index` without its root.
    fn event(&self, index: u64) -> Settled {
        let mut rng = StdRng::seed_from_u64(index);
        let mut field = || {
            let mut bytes = [0u8; 32];
            rng.fill_bytes(&mut bytes);
            bytes[0] &= 0x1f; // below the field's modulus
            bytes
        };
        let commitments = [field(), field()];
        let nullifiers = [field(), field()];
        let mut ciphertexts = [vec![0u8; 122], vec![0u8; 122]];
        for ciphertext in &mut ciphertexts {
            rng.fill_bytes(ciphertext);
        }
        let mut event = Settled {
            pool: self.pool,
            first_leaf_index: 2 * index,
            commitments,
            nullifiers,
            root: [0u8; 32],
            encrypted_outputs: ciphertexts,
        };
        if let Some((commitment, ciphertext)) = self.ours.get(&index) {
            event.commitments[0] = *commitment;
            event.encrypted_outputs[0] = ciphertext.clone();
        }
        event
    }

    /// Generates the history, with `notes` notes of `amount` for `to`, and
    /// returns the tree it builds.
    fn generate(
        pool: &PoolInfo,
        leaves: u64,
        notes: u64,
        amount: u64,
        to: &WalletKeys,
    ) -> Result<(Self, WalletTree)> {
        let sender = WalletKeys::generate(&mut OsRng).1;
        let settlements = leaves / 2;
        let mut history = SyntheticHistory {
            pool: pool.pool.to_bytes(),
            settlements,
            page_roots: Vec::new(),
            ours: HashMap::new(),
        };
        for k in 0..notes {
            let index = k * settlements / notes + settlements / (2 * notes);
            let sealed = seal_note(
                &to.address(),
                amount,
                pool.asset_id,
                b"",
                sender.outgoing_view_key(),
                &mut OsRng,
            )?;
            let commitment = to_bytes(&sealed.note.commitment());
            history.ours.insert(index, (commitment, sealed.ciphertext));
        }
        let mut tree = WalletTree::new();
        for index in 0..settlements {
            let event = history.event(index);
            tree.extend(&[(event.commitments[0], false), (event.commitments[1], false)])?;
            if (index + 1).is_multiple_of(PAGE) || index + 1 == settlements {
                history.page_roots.push(tree.root());
            }
        }
        Ok((history, tree))
    }

    /// Settlements from `start` to the end of its page.
    fn page(&self, start: u64) -> SettlementPage {
        let page = start / PAGE;
        let end = ((page + 1) * PAGE).min(self.settlements);
        let settlements = (start..end)
            .map(|index| {
                let mut event = self.event(index);
                // Only the last settlement's root is checked; the others
                // carry their page's.
                event.root = self.page_roots[page as usize];
                Settlement {
                    signature: Self::signature(index),
                    event,
                }
            })
            .collect();
        SettlementPage {
            settlements,
            read_to: Some(Self::signature(end - 1)),
            complete: false,
        }
    }
}

/// The embedded chain with the synthetic history before its own.
struct WithHistory<'a> {
    chain: &'a mut EmbeddedChain,
    history: &'a SyntheticHistory,
}

impl Chain for WithHistory<'_> {
    async fn latest_blockhash(&mut self) -> Result<Hash, ChainError> {
        self.chain.latest_blockhash().await
    }

    async fn is_blockhash_valid(&mut self, blockhash: &Hash) -> Result<bool, ChainError> {
        self.chain.is_blockhash_valid(blockhash).await
    }

    async fn submit(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        self.chain.submit(transaction).await
    }

    async fn simulate(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        self.chain.simulate(transaction).await
    }

    async fn status(&mut self, signature: &Signature) -> Result<TransactionStatus, ChainError> {
        self.chain.status(signature).await
    }

    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        self.chain.accounts(addresses).await
    }

    async fn rent_exempt_minimum(&mut self, space: usize) -> Result<u64, ChainError> {
        self.chain.rent_exempt_minimum(space).await
    }

    async fn settlements(
        &mut self,
        tree: &Pubkey,
        after: Option<&Signature>,
        budget: usize,
    ) -> Result<SettlementPage, ChainError> {
        let start = match after {
            None => 0,
            Some(signature) => match SyntheticHistory::index_of(signature) {
                Some(index) => index + 1,
                None => return self.chain.settlements(tree, after, budget).await,
            },
        };
        if start >= self.history.settlements {
            return self.chain.settlements(tree, None, budget).await;
        }
        Ok(self.history.page(start))
    }

    async fn settled_in(&mut self, signature: &Signature) -> Result<Vec<Settled>, ChainError> {
        self.chain.settled_in(signature).await
    }

    async fn airdrop(&mut self, address: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        self.chain.airdrop(address, lamports).await
    }

    async fn genesis_hash(&mut self) -> Result<Option<Hash>, ChainError> {
        self.chain.genesis_hash().await
    }

    async fn compute_budget(
        &mut self,
        payer: &Pubkey,
        instructions: &[Instruction],
    ) -> Result<Vec<Instruction>, ChainError> {
        self.chain.compute_budget(payer, instructions).await
    }
}

/// The process's resident memory now and at its peak, in MiB.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(0, |kib| kib / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Sets the chain's tree account to `tree` (frontier, root, and the root
/// in its recent roots).
async fn install_tree(chain: &mut EmbeddedChain, pool: &PoolInfo, tree: &WalletTree) -> Result<()> {
    let mut account = chain
        .accounts(&[pool.tree])
        .await?
        .remove(0)
        .context("no tree account")?;
    let state = TreeState::from_account_data_mut(&mut account.data).context("not a tree")?;
    state.frontier = tree.checkpoint().to_frontier().context("odd leaf count")?;
    state.history.push(&tree.root());
    chain.context().set_account(&pool.tree, &account.into());
    Ok(())
}

/// Measures and prints the table.
pub async fn run(leaves: u64, notes: u64) -> Result<()> {
    ensure!(
        leaves >= 2 * PAGE && leaves.is_multiple_of(2) && notes >= 2,
        "use an even --leaves of {} or more and --notes 2 or more",
        2 * PAGE
    );
    let mut chain = EmbeddedChain::start().await?;
    let pool = load_pool(&mut chain, &SOL).await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("wallet");
    let (phrase, keys) = WalletKeys::generate(&mut OsRng);
    let payer = Keypair::new();
    chain.airdrop(&payer.pubkey(), 10 * SOL_UNIT).await?;
    let (rss_chain, _) = memory();

    println!(
        "zkpay bench-scale: a wallet on a pool of {leaves} leaves ({notes} of them its notes)"
    );
    let started = Instant::now();
    let (history, tree) = SyntheticHistory::generate(&pool, leaves, notes, SOL_UNIT, &keys)?;
    install_tree(&mut chain, &pool, &tree).await?;
    let setup = started.elapsed();
    drop(tree);
    let mut chain = WithHistory {
        chain: &mut chain,
        history: &history,
    };

    let mut rows: Vec<(String, String)> = Vec::new();
    let (rss_before, _) = memory();
    let started = Instant::now();
    let store = Store::create(&path, &phrase)?;
    let mut wallet = Wallet::open(&mut chain, store, payer.insecure_clone(), &SOL).await?;
    let report = wallet.sync(&mut chain).await?;
    let sync = started.elapsed();
    let (_, peak_sync) = memory();
    ensure!(
        report.leaves == leaves && report.new_notes as u64 == notes,
        "sync found {} leaves and {} notes, expected {leaves} and {notes}",
        report.leaves,
        report.new_notes
    );
    rows.push((
        format!("sync from scratch ({} settlements)", report.settlements),
        format!(
            "{:.1} s ({:.0} settlements/s)",
            sync.as_secs_f64(),
            report.settlements as f64 / sync.as_secs_f64()
        ),
    ));
    drop(wallet);

    let mut opens = Vec::new();
    for _ in 0..9 {
        let started = Instant::now();
        let store = Store::open(&path)?;
        let wallet = Wallet::open(&mut chain, store, payer.insecure_clone(), &SOL).await?;
        opens.push(started.elapsed());
        ensure!(
            wallet.tree_len() == leaves,
            "the reopened wallet lost its tree"
        );
    }
    opens.sort();
    rows.push(("open the wallet, median of 9".into(), ms(opens[4])));

    // The proving key is loaded once per process, before the timed proof.
    zkpay_client::wallet::prover()?;
    let store = Store::open(&path)?;
    let mut wallet = Wallet::open(&mut chain, store, payer.insecure_clone(), &SOL).await?;
    let payee = WalletKeys::generate(&mut OsRng).1.address();
    let receipts = wallet.pay(&mut chain, &payee, SOL_UNIT / 2, b"").await?;
    let receipt = receipts.last().context("no receipt")?;
    ensure!(
        wallet.tree_len() == leaves + 2 * receipts.len() as u64,
        "the payment did not settle on the million-leaf tree"
    );
    rows.push(("payment: proof".into(), ms(receipt.prove_time)));
    rows.push((
        "payment: send + confirm + sync (real program, in the VM)".into(),
        ms(receipt.settle_time),
    ));
    let (rss_after, peak) = memory();
    let file = std::fs::metadata(&path)?.len();
    rows.push((
        "wallet's tree, as stored".into(),
        format!(
            "{} B",
            Store::open(&path)?
                .tree(&pool.pool)?
                .context("no stored tree")?
                .to_bytes()
                .len()
        ),
    ));
    rows.push((
        "wallet file (the last leaves kept for rollbacks)".into(),
        format!("{:.1} MiB", file as f64 / (1 << 20) as f64),
    ));
    rows.push((
        "memory: process before the wallet / after sync and payment / peak".into(),
        format!("{rss_before} / {rss_after} / {peak} MiB (embedded chain alone: {rss_chain} MiB; peak during sync {peak_sync} MiB)"),
    ));

    // What opening cost before the wallet kept its tree: every node
    // rebuilt from all the leaves (which the file then held).
    let started = Instant::now();
    let all: Vec<FieldBytes> = (0..history.settlements)
        .flat_map(|index| history.event(index).commitments)
        .collect();
    let mut full = CommitmentTree::new();
    full.extend(&all)?;
    let rebuild = started.elapsed();
    let (_, peak_rebuild) = memory();
    ensure!(full.len() == leaves, "the full tree lost leaves");
    rows.push((
        "for comparison: building the whole tree from the leaves, as opening did before".into(),
        format!(
            "{:.1} s, process peak {peak_rebuild} MiB",
            rebuild.as_secs_f64()
        ),
    ));

    println!(
        "setup (synthetic history and tree account): {:.1} s",
        setup.as_secs_f64()
    );
    println!();
    println!("| figure | value |");
    println!("|---|---|");
    for (name, value) in rows {
        println!("| {name} | {value} |");
    }
    Ok(())
}
