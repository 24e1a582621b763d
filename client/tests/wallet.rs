//! The wallet library end to end on the embedded chain (the real runtime
//! with the zkpay program), with real proofs.

use rand::rngs::OsRng;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::signature::{Keypair, Signer};
use tempfile::TempDir;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::Chain;
use zkpay_client::keys::WalletKeys;
use zkpay_client::nullifier_pages::{live_page, page_address, pages_for};
use zkpay_client::pool::SOL;
use zkpay_client::store::{HistoryKind, NoteState, Store, StoredNote, SyncBatch};
use zkpay_client::wallet::{Balance, Relayer, Wallet, WalletError};
use zkpay_core::program::nullifier_page::{NullifierKey, NullifierPage, PAGE_MAX_ENTRIES};

const SOL_UNIT: u64 = 1_000_000_000;

struct Setup {
    chain: EmbeddedChain,
    dir: TempDir,
}

impl Setup {
    async fn new() -> Self {
        Setup {
            chain: EmbeddedChain::start().await.unwrap(),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// A new wallet named `name`, its payer funded with 10 SOL; returns the
    /// wallet and its mnemonic.
    async fn wallet(&mut self, name: &str) -> (Wallet, String) {
        let (phrase, _) = WalletKeys::generate(&mut OsRng);
        let payer = Keypair::new();
        self.chain
            .airdrop(&payer.pubkey(), 10 * SOL_UNIT)
            .await
            .unwrap();
        let wallet = self.open(name, &phrase, payer).await;
        (wallet, phrase.to_string())
    }

    async fn open(&mut self, name: &str, phrase: &str, payer: Keypair) -> Wallet {
        let store = Store::create(&self.dir.path().join(name), phrase).unwrap();
        Wallet::open(&mut self.chain, store, payer, &SOL)
            .await
            .unwrap()
    }

    async fn lamports(&mut self, address: &Pubkey) -> u64 {
        self.chain.accounts(&[*address]).await.unwrap()[0]
            .as_ref()
            .map_or(0, |a| a.lamports)
    }
}

fn spendable(wallet: &Wallet) -> u64 {
    wallet.balance().unwrap().spendable
}

#[tokio::test]
async fn two_wallets_pay_each_other_and_withdraw() {
    let mut s = Setup::new().await;
    let (mut alice, _) = s.wallet("alice").await;
    let (mut bob, _) = s.wallet("bob").await;

    let deposit = alice.deposit(&mut s.chain, 2 * SOL_UNIT).await.unwrap();
    assert_eq!(deposit.kind, HistoryKind::Deposit);
    assert_eq!(spendable(&alice), 2 * SOL_UNIT);

    let paid = alice
        .pay(&mut s.chain, &bob.address(), SOL_UNIT / 2, b"lunch")
        .await
        .unwrap();
    assert_eq!(paid.len(), 1);
    assert!(paid[0].size <= 1232);
    assert_eq!(spendable(&alice), 3 * SOL_UNIT / 2);

    let report = bob.sync(&mut s.chain).await.unwrap();
    assert_eq!((report.new_notes, report.received), (1, SOL_UNIT / 2));
    assert_eq!(spendable(&bob), SOL_UNIT / 2);
    let history = bob.history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].kind, HistoryKind::Received);
    assert_eq!(history[0].memo, b"lunch");

    bob.pay(&mut s.chain, &alice.address(), SOL_UNIT / 5, b"")
        .await
        .unwrap();
    alice.sync(&mut s.chain).await.unwrap();
    assert_eq!(spendable(&alice), 17 * SOL_UNIT / 10);

    let public = Pubkey::new_unique();
    bob.withdraw(&mut s.chain, SOL_UNIT / 10, &public, None)
        .await
        .unwrap();
    assert_eq!(s.lamports(&public).await, SOL_UNIT / 10);
    assert_eq!(spendable(&bob), SOL_UNIT / 5);

    let kinds: Vec<_> = alice.history().unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            HistoryKind::Deposit,
            HistoryKind::Sent,
            HistoryKind::Received
        ]
    );
    let kinds: Vec<_> = bob.history().unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            HistoryKind::Received,
            HistoryKind::Sent,
            HistoryKind::Withdrawal
        ]
    );
}

/// A dApp backend keeps its wallet in a task (or an axum handler): the
/// wallet, its store and its operations' futures are `Send`, and observers
/// may report from any worker thread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wallet_lives_pays_and_withdraws_inside_a_spawned_task() {
    let mut s = Setup::new().await;
    let (mut alice, _) = s.wallet("alice").await;
    let (mut bob, _) = s.wallet("bob").await;
    let reported = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = reported.clone();
    alice.set_observer(move |_| {
        seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    });
    let payee = bob.address();
    let public = Pubkey::new_unique();
    let mut chain = s.chain;

    let task = tokio::spawn(async move {
        alice.deposit(&mut chain, SOL_UNIT).await?;
        alice
            .pay(&mut chain, &payee, SOL_UNIT / 4, b"from a task")
            .await?;
        alice.sync(&mut chain).await?;
        alice
            .withdraw(&mut chain, SOL_UNIT / 4, &public, None)
            .await?;
        Ok::<_, WalletError>((alice, chain))
    });
    let (alice, mut chain) = task.await.unwrap().unwrap();

    assert_eq!(spendable(&alice), SOL_UNIT / 2);
    let withdrawn = chain.accounts(&[public]).await.unwrap()[0]
        .as_ref()
        .map(|a| a.lamports);
    assert_eq!(withdrawn, Some(SOL_UNIT / 4));
    assert!(reported.load(std::sync::atomic::Ordering::Relaxed) > 0);
    assert_eq!(bob.sync(&mut chain).await.unwrap().new_notes, 1);
    assert_eq!(spendable(&bob), SOL_UNIT / 4);
}

/// A shop's backend learns of each payment from the sync that stores it,
/// with amount and memo, once.
/// Two nullifiers in one full page (on a new pool the root page covers
/// every nullifier): the lookup splits it for the first, then names the
/// live children for both, not the page the split closed; a payment whose
/// pages are full then splits them and settles.
#[tokio::test]
async fn a_full_nullifier_page_is_split_first_and_its_children_named() {
    let mut s = Setup::new().await;
    let (mut alice, _) = s.wallet("alice").await;
    let (mut bob, _) = s.wallet("bob").await;
    alice.deposit(&mut s.chain, 2 * SOL_UNIT).await.unwrap();
    let pool = *alice.pool();
    let root = page_address(&pool.pool, 0, 0);
    fill_page(&mut s.chain, root).await;

    let splitter = Keypair::new();
    s.chain.airdrop(&splitter.pubkey(), SOL_UNIT).await.unwrap();
    let nullifiers = [[1u8; 32], [2u8; 32]];
    let pages = pages_for(&mut s.chain, &pool, Some(&splitter), &nullifiers)
        .await
        .unwrap();
    assert!(
        s.chain.accounts(&[root]).await.unwrap()[0].is_none(),
        "the root page was split"
    );
    for (page, nullifier) in pages.iter().zip(&nullifiers) {
        let live = live_page(&mut s.chain, &pool, nullifier).await.unwrap();
        assert_eq!(
            (*page, live.depth),
            (live.address, 1),
            "a live child is named"
        );
    }

    for prefix in [0, 1] {
        fill_page(&mut s.chain, page_address(&pool.pool, 1, prefix)).await;
    }
    let paid = alice
        .pay(&mut s.chain, &bob.address(), SOL_UNIT / 2, b"")
        .await
        .unwrap();
    assert_eq!(paid.len(), 1);
    bob.sync(&mut s.chain).await.unwrap();
    assert_eq!(spendable(&bob), SOL_UNIT / 2);
}

/// Fills nullifier page `address` with synthetic keys, as many spent
/// nullifiers would.
async fn fill_page(chain: &mut EmbeddedChain, address: Pubkey) {
    let mut account = chain.accounts(&[address]).await.unwrap()[0]
        .clone()
        .unwrap();
    let page = NullifierPage::from_account_data_mut(&mut account.data).unwrap();
    let mask = (1u64 << page.depth) - 1;
    let mut next = 0x9e37_79b9_7f4a_7c15u64;
    while page.count < PAGE_MAX_ENTRIES {
        next = next.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        // Keys the page covers: its prefix in their low bits.
        let key = (next & !mask) | u64::from(page.prefix) | 1 << 63;
        let _ = page.insert(NullifierKey(key));
    }
    chain.context().set_account(&address, &account.into());
}

#[tokio::test]
async fn a_history_listener_announces_each_received_payment_once() {
    let mut s = Setup::new().await;
    let (mut alice, _) = s.wallet("alice").await;
    let (mut shop, _) = s.wallet("shop").await;
    let heard = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = heard.clone();
    shop.set_history_listener(move |line| log.lock().unwrap().push(line.clone()));

    alice.deposit(&mut s.chain, SOL_UNIT).await.unwrap();
    let paid = alice
        .pay(&mut s.chain, &shop.address(), SOL_UNIT / 5, b"order 1042")
        .await
        .unwrap();
    shop.sync(&mut s.chain).await.unwrap();
    shop.sync(&mut s.chain).await.unwrap();

    let heard = heard.lock().unwrap().clone();
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(heard[0].kind, HistoryKind::Received);
    assert_eq!(heard[0].amount, SOL_UNIT / 5);
    assert_eq!(heard[0].memo, b"order 1042");
    assert_eq!(heard[0].signature, paid[0].signature);
    assert_eq!(heard, shop.history().unwrap());
}

#[tokio::test]
async fn three_wallets_and_a_restore_recovers_exactly_the_unspent_notes() {
    let mut s = Setup::new().await;
    let (mut alice, _) = s.wallet("alice").await;
    let (mut bob, bob_phrase) = s.wallet("bob").await;
    let (mut carol, _) = s.wallet("carol").await;

    alice.deposit(&mut s.chain, 3 * SOL_UNIT).await.unwrap();
    alice
        .pay(&mut s.chain, &bob.address(), SOL_UNIT, b"one")
        .await
        .unwrap();
    alice
        .pay(&mut s.chain, &carol.address(), SOL_UNIT / 2, b"")
        .await
        .unwrap();
    alice
        .pay(&mut s.chain, &bob.address(), SOL_UNIT / 4, b"two")
        .await
        .unwrap();
    bob.sync(&mut s.chain).await.unwrap();
    bob.pay(&mut s.chain, &carol.address(), SOL_UNIT / 10, b"")
        .await
        .unwrap();
    carol.sync(&mut s.chain).await.unwrap();
    carol
        .pay(&mut s.chain, &bob.address(), SOL_UNIT / 20, b"")
        .await
        .unwrap();
    bob.sync(&mut s.chain).await.unwrap();
    alice.sync(&mut s.chain).await.unwrap();

    assert_eq!(
        spendable(&alice),
        3 * SOL_UNIT - SOL_UNIT - SOL_UNIT / 2 - SOL_UNIT / 4
    );
    assert_eq!(
        spendable(&bob),
        SOL_UNIT + SOL_UNIT / 4 - SOL_UNIT / 10 + SOL_UNIT / 20
    );
    assert_eq!(
        spendable(&carol),
        SOL_UNIT / 2 + SOL_UNIT / 10 - SOL_UNIT / 20
    );

    // Bob restores from his phrase alone, into a new file.
    let payer = Keypair::new();
    s.chain.airdrop(&payer.pubkey(), SOL_UNIT).await.unwrap();
    let mut restored = s.open("bob-restored", &bob_phrase, payer).await;
    assert_eq!(spendable(&restored), 0);
    let report = restored.sync(&mut s.chain).await.unwrap();
    assert_eq!(report.settlements, 6);
    let leaves = |w: &Wallet| {
        let mut notes: Vec<_> = w
            .unspent_notes()
            .unwrap()
            .iter()
            .map(|n| (n.leaf_index, n.amount))
            .collect();
        notes.sort();
        notes
    };
    assert_eq!(leaves(&restored), leaves(&bob));
    assert_eq!(restored.balance().unwrap(), bob.balance().unwrap());
    // Its history is rebuilt from what its keys read, outgoing view included.
    let kinds: Vec<_> = restored
        .history()
        .unwrap()
        .iter()
        .map(|e| (e.kind, e.amount))
        .collect();
    assert_eq!(
        kinds,
        [
            (HistoryKind::Received, SOL_UNIT),
            (HistoryKind::Received, SOL_UNIT / 4),
            (HistoryKind::Sent, SOL_UNIT / 10),
            (HistoryKind::Received, SOL_UNIT / 20),
        ]
    );
    // The restored wallet can spend what it recovered.
    restored
        .pay(&mut s.chain, &alice.address(), SOL_UNIT, b"")
        .await
        .unwrap();
    bob.sync(&mut s.chain).await.unwrap();
    assert_eq!(spendable(&bob), spendable(&restored));
}

#[tokio::test]
async fn a_wallet_never_picks_up_notes_that_are_not_its_own() {
    let mut s = Setup::new().await;
    let (mut alice, _) = s.wallet("alice").await;
    let (mut bob, _) = s.wallet("bob").await;
    let (mut eve, _) = s.wallet("eve").await;
    alice.deposit(&mut s.chain, SOL_UNIT).await.unwrap();
    alice
        .pay(&mut s.chain, &bob.address(), SOL_UNIT / 2, b"")
        .await
        .unwrap();
    bob.sync(&mut s.chain).await.unwrap();
    let report = eve.sync(&mut s.chain).await.unwrap();
    assert_eq!(report.new_notes, 0);
    assert_eq!(
        eve.balance().unwrap(),
        Balance {
            spendable: 0,
            pending: 0,
            notes: 0
        }
    );
    assert!(eve.history().unwrap().is_empty());
    assert_eq!(spendable(&bob), SOL_UNIT / 2);
}

#[tokio::test]
async fn larger_payments_merge_notes_first() {
    let mut s = Setup::new().await;
    let (mut alice, _) = s.wallet("alice").await;
    let (mut bob, _) = s.wallet("bob").await;
    for _ in 0..4 {
        alice.deposit(&mut s.chain, SOL_UNIT / 4).await.unwrap();
    }
    let receipts = alice
        .pay(&mut s.chain, &bob.address(), 9 * SOL_UNIT / 10, b"")
        .await
        .unwrap();
    let kinds: Vec<_> = receipts.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            HistoryKind::Consolidation,
            HistoryKind::Consolidation,
            HistoryKind::Sent
        ]
    );
    bob.sync(&mut s.chain).await.unwrap();
    assert_eq!(spendable(&bob), 9 * SOL_UNIT / 10);
    assert_eq!(spendable(&alice), SOL_UNIT / 10);
}

#[tokio::test]
async fn bad_requests_give_clear_errors_and_change_nothing() {
    let mut s = Setup::new().await;
    let (mut alice, _) = s.wallet("alice").await;
    let (bob, _) = s.wallet("bob").await;
    alice.deposit(&mut s.chain, SOL_UNIT).await.unwrap();
    let before = (
        alice.balance().unwrap(),
        alice.history().unwrap(),
        alice.tree_len(),
    );

    let error = alice
        .pay(&mut s.chain, &bob.address(), 2 * SOL_UNIT, b"")
        .await
        .unwrap_err();
    assert!(
        matches!(error, WalletError::InsufficientFunds { .. }),
        "{error}"
    );
    assert_eq!(
        error.to_string(),
        "insufficient funds: 2 requested but 1 spendable"
    );

    let error = alice
        .withdraw(
            &mut s.chain,
            SOL_UNIT,
            &Pubkey::new_unique(),
            Some(Relayer::Keypair {
                keypair: &Keypair::new(),
                fee: 1,
            }),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, WalletError::InsufficientFunds { .. }),
        "{error}"
    );

    // A new account cannot hold less than the rent-exempt minimum: refused
    // before proving, not by the runtime.
    let error = alice
        .withdraw(&mut s.chain, 1_000, &Pubkey::new_unique(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, WalletError::BelowRentExempt { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("0.00089088 SOL"), "{error}");

    let error = alice
        .pay(&mut s.chain, &bob.address(), 1, &[b'x'; 33])
        .await
        .unwrap_err();
    assert!(matches!(error, WalletError::Memo(_)), "{error}");

    let error = alice.deposit(&mut s.chain, u64::MAX).await.unwrap_err();
    assert!(matches!(error, WalletError::TooLarge(_)), "{error}");

    // A deposit the payer cannot fund is rejected by the runtime; the
    // pending record is released.
    let error = alice
        .deposit(&mut s.chain, 50 * SOL_UNIT)
        .await
        .unwrap_err();
    assert!(matches!(error, WalletError::Rejected(_)), "{error}");

    alice.sync(&mut s.chain).await.unwrap();
    assert_eq!(
        (
            alice.balance().unwrap(),
            alice.history().unwrap(),
            alice.tree_len()
        ),
        before
    );
}

#[tokio::test]
async fn notes_adding_up_past_64_bits_give_an_error_not_a_wrong_balance() {
    // Notes near u64::MAX, as a pool of a mint someone controls can hold:
    // written to the wallet file as sync would.
    let mut s = Setup::new().await;
    let (phrase, _) = WalletKeys::generate(&mut OsRng);
    let path = s.dir.path().join("whale");
    let mut store = Store::create(&path, &phrase).unwrap();
    let pool = zkpay_client::pool::load_pool(&mut s.chain, &SOL)
        .await
        .unwrap();
    let notes = (0..3u8)
        .map(|i| StoredNote {
            leaf_index: u64::from(i),
            amount: u64::MAX / 2,
            blinding: [0; 32],
            nullifier: [i + 1; 32],
            memo: Vec::new(),
            received_in: Signature::default(),
            state: NoteState::Unspent,
        })
        .collect();
    store
        .apply(
            &pool.pool,
            &SyncBatch {
                notes,
                ..SyncBatch::default()
            },
        )
        .unwrap();
    let payer = Keypair::new();
    s.chain.airdrop(&payer.pubkey(), SOL_UNIT).await.unwrap();
    let mut whale = Wallet::open(&mut s.chain, store, payer, &SOL)
        .await
        .unwrap();
    let error = whale.balance().unwrap_err();
    assert!(matches!(error, WalletError::AmountOverflow), "{error}");
    // Spending them is an error too, not a panic.
    let (bob, _) = s.wallet("bob").await;
    let error = whale
        .pay(&mut s.chain, &bob.address(), u64::MAX - 1, b"")
        .await
        .unwrap_err();
    assert!(!error.to_string().is_empty());
}

/// Opening reads the tree the wallet stored, never the leaves: a wallet
/// whose leaves are gone still pays (its notes' paths are in the stored
/// tree); and a file of the previous version, which has no stored tree, is
/// migrated and its tree rebuilt from its leaves.
#[tokio::test]
async fn a_reopened_wallet_pays_from_its_stored_tree_and_an_old_file_is_rebuilt() {
    let mut s = Setup::new().await;
    let (mut alice, _) = s.wallet("alice").await;
    let (mut bob, _) = s.wallet("bob").await;
    alice.deposit(&mut s.chain, SOL_UNIT).await.unwrap();
    bob.deposit(&mut s.chain, SOL_UNIT).await.unwrap();
    alice.deposit(&mut s.chain, SOL_UNIT).await.unwrap();
    let payer = Keypair::new();
    s.chain.airdrop(&payer.pubkey(), SOL_UNIT).await.unwrap();
    drop(alice);
    let path = s.dir.path().join("alice");
    let db = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(db.execute("DELETE FROM leaves", []).unwrap(), 6);
    drop(db);
    let store = Store::open(&path).unwrap();
    let mut alice = Wallet::open(&mut s.chain, store, payer.insecure_clone(), &SOL)
        .await
        .unwrap();
    assert_eq!(alice.tree_len(), 6);
    alice
        .pay(&mut s.chain, &bob.address(), 3 * SOL_UNIT / 2, b"")
        .await
        .unwrap();
    bob.sync(&mut s.chain).await.unwrap();
    assert_eq!(spendable(&bob), 5 * SOL_UNIT / 2);

    // Bob's file as version 2 wrote it: no tree, no checkpoints.
    drop(bob);
    let path = s.dir.path().join("bob");
    let db = rusqlite::Connection::open(&path).unwrap();
    db.execute_batch(
        "ALTER TABLE sync DROP COLUMN tree; DROP TABLE checkpoints;
         UPDATE meta SET value = CAST('zkpay-wallet-2' AS BLOB) WHERE key = 'schema';",
    )
    .unwrap();
    drop(db);
    let store = Store::open(&path).unwrap();
    let mut bob = Wallet::open(&mut s.chain, store, payer, &SOL)
        .await
        .unwrap();
    assert_eq!(bob.tree_len(), 8);
    bob.pay(&mut s.chain, &alice.address(), 2 * SOL_UNIT, b"")
        .await
        .unwrap();
    alice.sync(&mut s.chain).await.unwrap();
    assert_eq!(spendable(&alice), SOL_UNIT / 2 + 2 * SOL_UNIT);
}
