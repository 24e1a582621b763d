//! Watch-only wallets on the embedded chain (the real runtime with the zkpay
//! program), with real proofs: a wallet imported from a full viewing key
//! sees exactly what the spending wallet sees, and cannot spend.

use rand::rngs::OsRng;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use tempfile::TempDir;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::Chain;
use zkpay_client::disclosure::verify_disclosure;
use zkpay_client::funds::FundsError;
use zkpay_client::keys::{WalletKeys, WatchOnly};
use zkpay_client::pool::SOL;
use zkpay_client::store::{HistoryKind, KeySource, Store};
use zkpay_client::viewing_key::FullViewingKey;
use zkpay_client::wallet::{Wallet, WalletError};

const SOL_UNIT: u64 = 1_000_000_000;

async fn funded(chain: &mut EmbeddedChain) -> Keypair {
    let payer = Keypair::new();
    chain.airdrop(&payer.pubkey(), 10 * SOL_UNIT).await.unwrap();
    payer
}

async fn spending_wallet(chain: &mut EmbeddedChain, dir: &TempDir, name: &str) -> Wallet {
    let (phrase, _) = WalletKeys::generate(&mut OsRng);
    let store = Store::create(&dir.path().join(name), &phrase).unwrap();
    let payer = funded(chain).await;
    Wallet::open(chain, store, payer, &SOL).await.unwrap()
}

async fn watch_only(
    chain: &mut EmbeddedChain,
    dir: &TempDir,
    name: &str,
    key: &FullViewingKey,
) -> Wallet {
    let path = dir.path().join(name);
    let store = Store::create_watch_only(&path, &key.to_string()).unwrap();
    assert!(matches!(
        store.key_source().unwrap(),
        KeySource::ViewingKey(_)
    ));
    let payer = funded(chain).await;
    let wallet = Wallet::open(chain, store, payer, &SOL).await.unwrap();
    assert!(wallet.is_watch_only());
    wallet
}

/// What a wallet knows: balance, unspent notes and history, the history
/// without the fields only the sending wallet file knows (the counterparty
/// it typed, and the relayer fee).
fn view(wallet: &Wallet) -> impl PartialEq + std::fmt::Debug {
    let balance = wallet.balance().unwrap();
    let mut notes: Vec<_> = wallet
        .unspent_notes()
        .unwrap()
        .into_iter()
        .map(|n| (n.leaf_index, n.amount, n.nullifier, n.memo))
        .collect();
    notes.sort();
    let history: Vec<(Signature, HistoryKind, u64, Vec<u8>)> = wallet
        .history()
        .unwrap()
        .into_iter()
        .map(|e| (e.signature, e.kind, e.amount, e.memo))
        .collect();
    ((balance.spendable, balance.notes), notes, history)
}

#[tokio::test]
async fn a_watch_only_wallet_sees_what_the_wallet_sees_and_cannot_spend() {
    let mut chain = EmbeddedChain::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut alice = spending_wallet(&mut chain, &dir, "alice").await;
    let mut bob = spending_wallet(&mut chain, &dir, "bob").await;
    let mut watching = watch_only(&mut chain, &dir, "alice-watch", &alice.viewing_key()).await;
    assert_eq!(watching.address(), alice.address());

    // Deposits.
    for _ in 0..4 {
        alice.deposit(&mut chain, SOL_UNIT / 4).await.unwrap();
    }
    watching.sync(&mut chain).await.unwrap();
    assert_eq!(view(&watching), view(&alice));

    // A payment that first merges notes: the spends are seen as spends.
    let receipts = alice
        .pay(&mut chain, &bob.address(), 9 * SOL_UNIT / 10, b"rent")
        .await
        .unwrap();
    assert_eq!(receipts.len(), 3, "two merges, then the payment");
    watching.sync(&mut chain).await.unwrap();
    assert_eq!(view(&watching), view(&alice));

    // A payment received, with its memo.
    bob.sync(&mut chain).await.unwrap();
    bob.pay(&mut chain, &alice.address(), SOL_UNIT / 20, b"change")
        .await
        .unwrap();
    alice.sync(&mut chain).await.unwrap();
    watching.sync(&mut chain).await.unwrap();
    assert_eq!(view(&watching), view(&alice));

    // A withdrawal.
    alice
        .withdraw(&mut chain, SOL_UNIT / 10, &Pubkey::new_unique(), None)
        .await
        .unwrap();
    watching.sync(&mut chain).await.unwrap();
    assert_eq!(view(&watching), view(&alice));
    assert_eq!(
        watching.balance().unwrap().spendable,
        SOL_UNIT - 9 * SOL_UNIT / 10 + SOL_UNIT / 20 - SOL_UNIT / 10
    );
    let kinds: Vec<_> = watching.history().unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            [HistoryKind::Deposit; 4].as_slice(),
            &[
                HistoryKind::Consolidation,
                HistoryKind::Consolidation,
                HistoryKind::Sent
            ],
            &[HistoryKind::Received, HistoryKind::Withdrawal],
        ]
        .concat()
    );

    // The outgoing view recovered whom the payment paid, from the change
    // note's payee record, as the sending wallet file recorded it.
    let paid_to = |wallet: &Wallet| {
        let history = wallet.history().unwrap();
        let sent = history
            .iter()
            .find(|e| e.kind == HistoryKind::Sent)
            .unwrap();
        sent.counterparty.clone()
    };
    assert_eq!(paid_to(&watching), Some(bob.address().to_string()));
    assert_eq!(paid_to(&watching), paid_to(&alice));
    // So the watch-only wallet can disclose that payment to Bob.
    let disclosure = watching
        .disclose(&mut chain, &receipts[2].signature, None)
        .await
        .unwrap();
    let verified = verify_disclosure(&mut chain, &disclosure).await.unwrap();
    assert_eq!(verified.amount, 9 * SOL_UNIT / 10);
    assert_eq!(verified.memo, b"rent");
    assert_eq!(verified.owner, bob.address().owner());
    assert_eq!(verified.address, Some(bob.address()));

    // It cannot spend: each refusal is typed and changes nothing.
    let before = view(&watching);
    let refused = watching
        .pay(&mut chain, &bob.address(), SOL_UNIT / 100, b"")
        .await
        .unwrap_err();
    assert!(
        matches!(refused, WalletError::WatchOnly(WatchOnly)),
        "{refused}"
    );
    assert!(refused.to_string().contains("cannot spend"), "{refused}");
    let refused = watching
        .withdraw(&mut chain, SOL_UNIT / 100, &Pubkey::new_unique(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(refused, WalletError::WatchOnly(WatchOnly)),
        "{refused}"
    );
    let refused = watching
        .prove_funds(&mut chain, 1, "audit")
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused,
            FundsError::Wallet(WalletError::WatchOnly(WatchOnly))
        ),
        "{refused}"
    );
    assert_eq!(view(&watching), before);
    assert_eq!(watching.balance().unwrap().pending, 0);

    // Nor can its key be mistaken for another wallet's: Bob's view of the
    // chain is his own.
    let mut bobs_watch = watch_only(&mut chain, &dir, "bob-watch", &bob.viewing_key()).await;
    bob.sync(&mut chain).await.unwrap();
    bobs_watch.sync(&mut chain).await.unwrap();
    assert_eq!(view(&bobs_watch), view(&bob));
    assert_ne!(view(&bobs_watch), view(&watching));
}
