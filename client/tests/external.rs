//! Transfers signed outside the wallet's process, on the embedded chain
//! with the SBF program and real proofs: the wallet prepares and proves,
//! a key it never holds signs, the wallet submits.

mod common;

use common::{funded, wallet, SOL_UNIT};
use solana_sdk::hash::Hash;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::Chain;
use zkpay_client::store::HistoryKind;
use zkpay_client::wallet::WalletError;

async fn lamports(chain: &mut EmbeddedChain, key: &solana_sdk::pubkey::Pubkey) -> u64 {
    chain.accounts(&[*key]).await.unwrap()[0]
        .as_ref()
        .map_or(0, |a| a.lamports)
}

/// What an outside wallet does with the prepared transaction: sign it.
fn sign(unsigned: &Transaction, signer: &Keypair) -> Transaction {
    let mut signed = unsigned.clone();
    let blockhash = signed.message.recent_blockhash;
    signed.sign(&[signer], blockhash);
    signed
}

#[tokio::test]
async fn an_outside_key_signs_a_deposit_and_a_payment_the_wallet_prepared() {
    let mut chain = EmbeddedChain::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut alice = wallet(&mut chain, &dir, "alice").await;
    let mut bob = wallet(&mut chain, &dir, "bob").await;
    let outside = funded(&mut chain, 5).await;
    let alice_payer = alice.payer();
    let payer_before = lamports(&mut chain, &alice_payer).await;

    // A deposit funded by the outside key.
    let before = lamports(&mut chain, &outside.pubkey()).await;
    let prepared = alice
        .prepare_deposit(&mut chain, 2 * SOL_UNIT, &outside.pubkey())
        .await
        .unwrap();
    assert!(prepared.prove_time.as_millis() > 0);
    assert_eq!(
        prepared.transaction.message.account_keys[0],
        outside.pubkey()
    );
    let receipt = alice
        .submit_signed(&mut chain, &sign(&prepared.transaction, &outside))
        .await
        .unwrap();
    assert_eq!(receipt.kind, HistoryKind::Deposit);
    assert_eq!(alice.balance().unwrap().spendable, 2 * SOL_UNIT);
    assert!(lamports(&mut chain, &outside.pubkey()).await <= before - 2 * SOL_UNIT);

    // A payment signed by the outside key.
    let prepared = alice
        .prepare_payment(
            &mut chain,
            &bob.address(),
            SOL_UNIT / 2,
            b"outside",
            &outside.pubkey(),
        )
        .await
        .unwrap();
    let signed = sign(&prepared.transaction, &outside);
    let receipt = alice.submit_signed(&mut chain, &signed).await.unwrap();
    assert_eq!(receipt.signature, signed.signatures[0]);
    assert_eq!(
        alice.balance().unwrap().spendable,
        2 * SOL_UNIT - SOL_UNIT / 2
    );
    let history = alice.history().unwrap();
    let sent = history
        .iter()
        .find(|h| h.signature == receipt.signature)
        .unwrap();
    assert!(sent.confirmed && sent.kind == HistoryKind::Sent);
    bob.sync(&mut chain).await.unwrap();
    assert_eq!(bob.balance().unwrap().spendable, SOL_UNIT / 2);
    // The wallet's own payer signed and paid nothing.
    assert_eq!(lamports(&mut chain, &alice_payer).await, payer_before);

    // Submitting it again: no longer prepared.
    assert!(matches!(
        alice.submit_signed(&mut chain, &signed).await,
        Err(WalletError::NotPrepared)
    ));
}

#[tokio::test]
async fn a_changed_or_badly_signed_transaction_is_refused_and_changes_nothing() {
    let mut chain = EmbeddedChain::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut alice = wallet(&mut chain, &dir, "alice").await;
    alice.deposit(&mut chain, SOL_UNIT).await.unwrap();
    let outside = funded(&mut chain, 5).await;
    let prepared = alice
        .prepare_payment(
            &mut chain,
            &alice.address(),
            SOL_UNIT / 4,
            b"",
            &outside.pubkey(),
        )
        .await
        .unwrap();
    let balance = alice.balance().unwrap();
    assert_eq!(balance.pending, SOL_UNIT);

    // Another blockhash: another message than the one prepared.
    let mut changed = prepared.transaction.clone();
    changed.message.recent_blockhash = Hash::new_unique();
    changed.sign(&[&outside], changed.message.recent_blockhash);
    assert!(matches!(
        alice.submit_signed(&mut chain, &changed).await,
        Err(WalletError::NotPrepared)
    ));
    // Signed by a key that is not the fee payer, or not signed at all.
    let mut forged = prepared.transaction.clone();
    forged.signatures[0] = Keypair::new().sign_message(&forged.message_data());
    assert!(matches!(
        alice.submit_signed(&mut chain, &forged).await,
        Err(WalletError::BadSignature)
    ));
    assert!(matches!(
        alice.submit_signed(&mut chain, &prepared.transaction).await,
        Err(WalletError::BadSignature)
    ));
    // Still prepared: the right signature settles it.
    assert_eq!(alice.balance().unwrap(), balance);
    alice
        .submit_signed(&mut chain, &sign(&prepared.transaction, &outside))
        .await
        .unwrap();
    assert_eq!(alice.balance().unwrap().spendable, SOL_UNIT);

    // A payment needing merges is refused before proving.
    let mut carol = wallet(&mut chain, &dir, "carol").await;
    for _ in 0..3 {
        carol.deposit(&mut chain, SOL_UNIT).await.unwrap();
    }
    assert!(matches!(
        carol
            .prepare_payment(
                &mut chain,
                &alice.address(),
                3 * SOL_UNIT,
                b"",
                &outside.pubkey()
            )
            .await,
        Err(WalletError::MergeFirst { merges: 1 })
    ));
    assert_eq!(carol.balance().unwrap().spendable, 3 * SOL_UNIT);
}
