//! The wallet library end to end on the embedded chain (the real runtime
//! with the zkpay program), with real proofs.

use rand::rngs::OsRng;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use tempfile::TempDir;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::Chain;
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::SOL;
use zkpay_client::store::{HistoryKind, Store};
use zkpay_client::wallet::{Balance, Relayer, Wallet, WalletError};

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
        self.chain.airdrop(&payer.pubkey(), 10 * SOL_UNIT).await.unwrap();
        let wallet = self.open(name, &phrase, payer).await;
        (wallet, phrase.to_string())
    }

    async fn open(&mut self, name: &str, phrase: &str, payer: Keypair) -> Wallet {
        let store = Store::create(&self.dir.path().join(name), phrase).unwrap();
        Wallet::open(&mut self.chain, store, payer, &SOL).await.unwrap()
    }

    async fn reopen(&mut self, name: &str, payer: Keypair) -> Wallet {
        let store = Store::open(&self.dir.path().join(name)).unwrap();
        Wallet::open(&mut self.chain, store, payer, &SOL).await.unwrap()
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
        [HistoryKind::Deposit, HistoryKind::Sent, HistoryKind::Received]
    );
    let kinds: Vec<_> = bob.history().unwrap().iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [HistoryKind::Received, HistoryKind::Sent, HistoryKind::Withdrawal]
    );
}
