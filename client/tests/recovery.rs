//! Crashes and hostile chain data: a payment interrupted after it was sent,
//! one that never reached the chain, and a tampered ciphertext.

use rand::rngs::OsRng;
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use tempfile::TempDir;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::{Chain, ChainError, SettlementPage, TransactionStatus};
use zkpay_client::keys::WalletKeys;
use zkpay_client::nullifier_pages::page_address;
use zkpay_client::pool::{load_pool, SOL};
use zkpay_client::store::{HistoryKind, Store};
use zkpay_client::wallet::Wallet;
use zkpay_core::tree::{Frontier, RootHistory};

const SOL_UNIT: u64 = 1_000_000_000;

/// The embedded chain, with faults injected where a real network or a
/// crash would put them.
struct FaultyChain {
    inner: EmbeddedChain,
    /// Process the next submission, then report a lost connection (the
    /// client crashed or the network dropped the confirmation).
    lose_confirmation: bool,
    /// Drop the next submission before it reaches the runtime.
    drop_submission: bool,
    /// Treat every blockhash as expired.
    expire_blockhashes: bool,
    /// Flip a byte of every ciphertext the chain reports.
    tamper_ciphertexts: bool,
    /// Run the next submission against a tree whose root history has
    /// forgotten every root, as 1,024 settlements landing meanwhile would
    /// make it: the program refuses the proof's root.
    forget_roots: bool,
    /// Run the next submission with the pool's nullifier page closed, as a
    /// split landing between the wallet's page lookup and its transaction
    /// closes it: the program refuses the page the transaction names.
    close_page: bool,
    /// Transactions submitted.
    submissions: usize,
}

impl FaultyChain {
    async fn new() -> Self {
        FaultyChain {
            inner: EmbeddedChain::start().await.unwrap(),
            lose_confirmation: false,
            drop_submission: false,
            expire_blockhashes: false,
            tamper_ciphertexts: false,
            forget_roots: false,
            close_page: false,
            submissions: 0,
        }
    }

    /// Submits `transaction` against a copy of the account at `address`
    /// changed by `alter`, then puts the account back.
    async fn submit_altered(
        &mut self,
        transaction: &solana_sdk::transaction::Transaction,
        address: Pubkey,
        alter: impl FnOnce(&mut Account),
    ) -> Result<(), ChainError> {
        let kept = self.inner.accounts(&[address]).await?.remove(0).unwrap();
        let mut altered = kept.clone();
        alter(&mut altered);
        let context = self.inner.context();
        context.set_account(&address, &AccountSharedData::from(altered));
        let result = self.inner.submit(transaction).await;
        self.inner
            .context()
            .set_account(&address, &AccountSharedData::from(kept));
        result
    }
}

impl Chain for FaultyChain {
    async fn latest_blockhash(&mut self) -> Result<solana_sdk::hash::Hash, ChainError> {
        self.inner.latest_blockhash().await
    }

    async fn is_blockhash_valid(
        &mut self,
        blockhash: &solana_sdk::hash::Hash,
    ) -> Result<bool, ChainError> {
        if self.expire_blockhashes {
            return Ok(false);
        }
        self.inner.is_blockhash_valid(blockhash).await
    }

    async fn submit(
        &mut self,
        transaction: &solana_sdk::transaction::Transaction,
    ) -> Result<(), ChainError> {
        if std::mem::take(&mut self.drop_submission) {
            return Err(ChainError::Transport("connection reset".into()));
        }
        self.submissions += 1;
        if std::mem::take(&mut self.forget_roots) {
            let tree = load_pool(&mut self.inner, &SOL).await.unwrap().tree;
            let history = 8 + 32 + Frontier::SIZE;
            return self
                .submit_altered(transaction, tree, |tree| {
                    tree.data[history..history + RootHistory::SIZE].fill(0)
                })
                .await;
        }
        if std::mem::take(&mut self.close_page) {
            let pool = load_pool(&mut self.inner, &SOL).await.unwrap().pool;
            return self
                .submit_altered(transaction, page_address(&pool, 0, 0), |page| {
                    *page = Account::default()
                })
                .await;
        }
        self.inner.submit(transaction).await?;
        if std::mem::take(&mut self.lose_confirmation) {
            return Err(ChainError::Transport(
                "timed out waiting for confirmation".into(),
            ));
        }
        Ok(())
    }

    async fn simulate(
        &mut self,
        transaction: &solana_sdk::transaction::Transaction,
    ) -> Result<(), ChainError> {
        self.inner.simulate(transaction).await
    }

    async fn status(
        &mut self,
        signature: &solana_sdk::signature::Signature,
    ) -> Result<TransactionStatus, ChainError> {
        self.inner.status(signature).await
    }

    async fn accounts(
        &mut self,
        addresses: &[solana_sdk::pubkey::Pubkey],
    ) -> Result<Vec<Option<solana_sdk::account::Account>>, ChainError> {
        self.inner.accounts(addresses).await
    }

    async fn rent_exempt_minimum(&mut self, space: usize) -> Result<u64, ChainError> {
        self.inner.rent_exempt_minimum(space).await
    }

    async fn settlements(
        &mut self,
        tree: &solana_sdk::pubkey::Pubkey,
        after: Option<&solana_sdk::signature::Signature>,
        budget: usize,
    ) -> Result<SettlementPage, ChainError> {
        let mut page = self.inner.settlements(tree, after, budget).await?;
        if self.tamper_ciphertexts {
            for settlement in &mut page.settlements {
                for ciphertext in &mut settlement.event.encrypted_outputs {
                    let last = ciphertext.len() - 1;
                    ciphertext[last] ^= 1;
                }
            }
        }
        Ok(page)
    }

    async fn settled_in(
        &mut self,
        signature: &solana_sdk::signature::Signature,
    ) -> Result<Vec<zkpay_client::chain::Settled>, ChainError> {
        self.inner.settled_in(signature).await
    }

    async fn airdrop(
        &mut self,
        address: &solana_sdk::pubkey::Pubkey,
        lamports: u64,
    ) -> Result<(), ChainError> {
        self.inner.airdrop(address, lamports).await
    }
}

async fn wallet(chain: &mut FaultyChain, dir: &TempDir, name: &str) -> (Wallet, Keypair) {
    let (phrase, _) = WalletKeys::generate(&mut OsRng);
    let payer = Keypair::new();
    chain.airdrop(&payer.pubkey(), 10 * SOL_UNIT).await.unwrap();
    let store = Store::create(&dir.path().join(name), &phrase).unwrap();
    let wallet = Wallet::open(chain, store, payer.insecure_clone(), &SOL)
        .await
        .unwrap();
    (wallet, payer)
}

async fn reopen(chain: &mut FaultyChain, dir: &TempDir, name: &str, payer: &Keypair) -> Wallet {
    let store = Store::open(&dir.path().join(name)).unwrap();
    Wallet::open(chain, store, payer.insecure_clone(), &SOL)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_payment_sent_before_a_crash_is_settled_on_the_next_sync() {
    let mut chain = FaultyChain::new().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, alice_payer) = wallet(&mut chain, &dir, "alice").await;
    let (mut bob, _) = wallet(&mut chain, &dir, "bob").await;
    alice.deposit(&mut chain, 2 * SOL_UNIT).await.unwrap();

    chain.lose_confirmation = true;
    let error = alice
        .pay(&mut chain, &bob.address(), SOL_UNIT / 2, b"")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("run `zkpay sync`"), "{error}");
    // The process dies here: nothing after the submission ran.
    drop(alice);

    let mut alice = reopen(&mut chain, &dir, "alice", &alice_payer).await;
    let balance = alice.balance().unwrap();
    assert_eq!((balance.spendable, balance.pending), (0, 2 * SOL_UNIT));
    assert!(!alice.history().unwrap().last().unwrap().confirmed);

    alice.sync(&mut chain).await.unwrap();
    let balance = alice.balance().unwrap();
    assert_eq!((balance.spendable, balance.pending), (3 * SOL_UNIT / 2, 0));
    let last = alice.history().unwrap().pop().unwrap();
    assert_eq!(
        (last.kind, last.amount, last.confirmed),
        (HistoryKind::Sent, SOL_UNIT / 2, true)
    );
    bob.sync(&mut chain).await.unwrap();
    assert_eq!(bob.balance().unwrap().spendable, SOL_UNIT / 2);
}

/// Alice, holding 2 SOL, pays Bob 0.5 SOL while `fault` makes the real
/// program refuse the first transaction (changing nothing): the wallet
/// tries again, and the payment lands exactly once, after two submissions.
async fn pays_once_despite(fault: fn(&mut FaultyChain) -> &mut bool) {
    let mut chain = FaultyChain::new().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, _) = wallet(&mut chain, &dir, "alice").await;
    let (mut bob, _) = wallet(&mut chain, &dir, "bob").await;
    alice.deposit(&mut chain, 2 * SOL_UNIT).await.unwrap();

    *fault(&mut chain) = true;
    let before = chain.submissions;
    let receipts = alice
        .pay(&mut chain, &bob.address(), SOL_UNIT / 2, b"late")
        .await
        .unwrap();
    assert!(!*fault(&mut chain), "the first attempt met the fault");
    assert_eq!(chain.submissions - before, 2, "one refused, one landed");
    assert_eq!(receipts.len(), 1);
    assert_eq!(alice.balance().unwrap().spendable, 3 * SOL_UNIT / 2);
    let report = bob.sync(&mut chain).await.unwrap();
    assert_eq!((report.new_notes, report.received), (1, SOL_UNIT / 2));
    let sent: Vec<_> = alice
        .history()
        .unwrap()
        .into_iter()
        .filter(|line| line.kind == HistoryKind::Sent)
        .collect();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].confirmed);
}

/// The program refuses the first proof's root (on a tree whose history
/// forgot it); the wallet syncs and proves again against the current root.
#[tokio::test]
async fn a_payment_whose_root_was_pushed_out_is_proved_again() {
    pays_once_despite(|chain| &mut chain.forget_roots).await;
}

/// The first transaction names the nullifier page the wallet looked up,
/// closed (split) by the time it runs; the wallet looks the pages up again.
#[tokio::test]
async fn a_payment_whose_nullifier_page_was_split_meanwhile_is_sent_again() {
    pays_once_despite(|chain| &mut chain.close_page).await;
}

#[tokio::test]
async fn a_payment_that_never_left_is_sent_again_or_released() {
    let mut chain = FaultyChain::new().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, alice_payer) = wallet(&mut chain, &dir, "alice").await;
    let (mut bob, _) = wallet(&mut chain, &dir, "bob").await;
    alice.deposit(&mut chain, 2 * SOL_UNIT).await.unwrap();

    // Lost before reaching the chain, blockhash still valid: the next sync
    // sends the same signed transaction again.
    chain.drop_submission = true;
    alice
        .pay(&mut chain, &bob.address(), SOL_UNIT / 2, b"")
        .await
        .unwrap_err();
    drop(alice);
    let mut alice = reopen(&mut chain, &dir, "alice", &alice_payer).await;
    alice.sync(&mut chain).await.unwrap();
    assert_eq!(alice.balance().unwrap().spendable, 3 * SOL_UNIT / 2);
    bob.sync(&mut chain).await.unwrap();
    assert_eq!(bob.balance().unwrap().spendable, SOL_UNIT / 2);

    // Lost, and its blockhash expired: it can never land, so its notes are
    // spendable again and nothing was paid.
    chain.drop_submission = true;
    alice
        .pay(&mut chain, &bob.address(), SOL_UNIT / 4, b"")
        .await
        .unwrap_err();
    assert_eq!(alice.balance().unwrap().pending, 3 * SOL_UNIT / 2);
    chain.expire_blockhashes = true;
    let report = alice.sync(&mut chain).await.unwrap();
    assert_eq!(report.released, 1);
    let balance = alice.balance().unwrap();
    assert_eq!((balance.spendable, balance.pending), (3 * SOL_UNIT / 2, 0));
    chain.expire_blockhashes = false;
    bob.sync(&mut chain).await.unwrap();
    assert_eq!(bob.balance().unwrap().spendable, SOL_UNIT / 2);
    // And the released notes pay again.
    alice
        .pay(&mut chain, &bob.address(), SOL_UNIT / 4, b"")
        .await
        .unwrap();
    bob.sync(&mut chain).await.unwrap();
    assert_eq!(bob.balance().unwrap().spendable, 3 * SOL_UNIT / 4);
}

#[tokio::test]
async fn a_tampered_ciphertext_is_ignored_not_fatal() {
    let mut chain = FaultyChain::new().await;
    let dir = tempfile::tempdir().unwrap();
    let (mut alice, _) = wallet(&mut chain, &dir, "alice").await;
    let (mut bob, _) = wallet(&mut chain, &dir, "bob").await;
    alice.deposit(&mut chain, SOL_UNIT).await.unwrap();
    alice
        .pay(&mut chain, &bob.address(), SOL_UNIT / 2, b"")
        .await
        .unwrap();

    chain.tamper_ciphertexts = true;
    let report = bob.sync(&mut chain).await.unwrap();
    assert_eq!(report.new_notes, 0);
    assert_eq!(report.settlements, 2);
    assert_eq!(bob.balance().unwrap().spendable, 0);
    // The tree is still right: later payments are found and spendable.
    chain.tamper_ciphertexts = false;
    alice
        .pay(&mut chain, &bob.address(), SOL_UNIT / 4, b"")
        .await
        .unwrap();
    bob.sync(&mut chain).await.unwrap();
    assert_eq!(bob.balance().unwrap().spendable, SOL_UNIT / 4);
    bob.pay(&mut chain, &alice.address(), SOL_UNIT / 8, b"")
        .await
        .unwrap();
}
