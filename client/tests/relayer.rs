//! The relayer service over loopback HTTP, on the embedded chain (the real
//! runtime, the real prover): payments and withdrawals that leave no trace
//! of the payer, every bad request refused at no cost to the relayer, and a
//! bounded load.

mod common;

use std::sync::Arc;

use common::{wallet, SOL_UNIT};
use rand::rngs::OsRng;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use tempfile::TempDir;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::shared::SharedChain;
use zkpay_client::chain::Chain;
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::SOL;
use zkpay_client::relayer::api::{RefusalCode, Relay, RelayRequest};
use zkpay_client::relayer::load::{self, mix, Spoil};
use zkpay_client::relayer::{
    Limits, LocalRelayer, RelayerClient, RelayerConfig, RelayerError, RelayerService,
};
use zkpay_client::store::{HistoryKind, Store};
use zkpay_client::wallet::{Relayer, Wallet, WalletError};

type Shared = SharedChain<EmbeddedChain>;

/// A relayer holding `lamports`, serving the SOL pool on loopback.
async fn relayer(
    chain: &mut Shared,
    lamports: u64,
    limits: Limits,
) -> (Keypair, LocalRelayer, u64) {
    let keypair = Keypair::new();
    chain.airdrop(&keypair.pubkey(), lamports).await.unwrap();
    let service = RelayerService::start(
        chain.clone(),
        keypair.insecure_clone(),
        RelayerConfig::sol_pool(10_000, limits),
    )
    .await
    .unwrap();
    let fee = service.quote().pools[0].transfer_fee;
    let local = Arc::new(service).spawn_on_loopback().await.unwrap();
    (keypair, local, fee)
}

/// Lamports that leave a fee payer short of rent-exemption once it pays a
/// transaction's 5,000-lamport fee: every transaction it pays fails.
async fn too_poor(chain: &mut Shared) -> u64 {
    chain.rent_exempt_minimum(0).await.unwrap() + 4_000
}

async fn lamports(chain: &mut Shared, key: &Pubkey) -> u64 {
    chain.accounts(&[*key]).await.unwrap()[0]
        .as_ref()
        .map_or(0, |a| a.lamports)
}

async fn accounts_of(chain: &Shared, signature: Signature) -> Vec<Pubkey> {
    chain
        .run(move |c| Box::pin(async move { c.accounts_of(&signature).map(|a| a.to_vec()) }))
        .await
        .unwrap()
        .expect("the chain recorded the transaction")
}

/// A wallet whose payer holds no SOL at all.
async fn penniless(chain: &mut Shared, dir: &TempDir, name: &str) -> Wallet {
    let (phrase, _) = WalletKeys::generate(&mut OsRng);
    let store = Store::create(&dir.path().join(name), &phrase).unwrap();
    Wallet::open(chain, store, Keypair::new(), &SOL)
        .await
        .unwrap()
}

/// `relay` with a blockhash the chain accepts now (the embedded chain's
/// last about a second).
async fn fresh(chain: &mut Shared, mut relay: Relay) -> Relay {
    relay.blockhash = chain.latest_blockhash().await.unwrap();
    relay
}

fn refused(result: Result<impl std::fmt::Debug, RelayerError>) -> (u16, RefusalCode) {
    match result {
        Err(RelayerError::Refused { status, code, .. }) => (status, code),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_payment_and_a_withdrawal_through_the_relayer_leave_no_trace_of_the_payer() {
    let mut chain = SharedChain::start(EmbeddedChain::start).await.unwrap();
    let (relayer_key, local, fee) = relayer(&mut chain, SOL_UNIT, Limits::default()).await;
    let client = RelayerClient::new(&local.url).unwrap();
    let dir = TempDir::new().unwrap();
    let mut alice = wallet(&mut chain, &dir, "alice").await;
    let mut bob = penniless(&mut chain, &dir, "bob").await;
    alice.deposit(&mut chain, 2 * SOL_UNIT).await.unwrap();
    let relayer_before = lamports(&mut chain, &relayer_key.pubkey()).await;

    let paid = alice
        .pay_with(
            &mut chain,
            &bob.address(),
            SOL_UNIT,
            b"lunch",
            Some(Relayer::Service(&client)),
        )
        .await
        .unwrap();
    assert_eq!(paid.len(), 1);
    let keys = accounts_of(&chain, paid[0].signature).await;
    assert_eq!(keys[0], relayer_key.pubkey(), "the relayer signs and pays");
    assert!(
        !keys.contains(&alice.payer()),
        "Alice's account is in the payment"
    );
    assert_eq!(alice.balance().unwrap().spendable, SOL_UNIT - fee);

    bob.sync(&mut chain).await.unwrap();
    assert_eq!(bob.balance().unwrap().spendable, SOL_UNIT);
    let destination = Pubkey::new_unique();
    let withdrawn = bob
        .withdraw(
            &mut chain,
            SOL_UNIT / 2,
            &destination,
            Some(Relayer::Service(&client)),
        )
        .await
        .unwrap();
    let keys = accounts_of(&chain, withdrawn[0].signature).await;
    assert!(
        !keys.contains(&bob.payer()),
        "Bob's account is in the withdrawal"
    );
    assert_eq!(lamports(&mut chain, &destination).await, SOL_UNIT / 2);
    assert_eq!(bob.balance().unwrap().spendable, SOL_UNIT / 2 - fee);
    assert_eq!(
        lamports(&mut chain, &bob.payer()).await,
        0,
        "Bob never held SOL"
    );

    // The relayer earned its margin on each relay, over what it spent.
    let relayer_after = lamports(&mut chain, &relayer_key.pubkey()).await;
    assert_eq!(relayer_after, relayer_before + 2 * 10_000);

    // Both wallets' histories tell the story, fee included.
    let sent = alice.history().unwrap();
    let line = sent.last().unwrap();
    assert_eq!(
        (line.kind, line.amount, line.fee),
        (HistoryKind::Sent, SOL_UNIT, fee)
    );
    assert!(line.confirmed);
    let lines = bob.history().unwrap();
    assert_eq!(lines.last().unwrap().kind, HistoryKind::Withdrawal);
    local.stop().await.unwrap();
}

#[tokio::test]
async fn bad_requests_are_refused_submit_nothing_and_cost_the_relayer_nothing() {
    let mut chain = SharedChain::start(EmbeddedChain::start).await.unwrap();
    let (relayer_key, local, _) = relayer(&mut chain, SOL_UNIT, Limits::default()).await;
    let client = RelayerClient::new(&local.url).unwrap();
    let dir = TempDir::new().unwrap();
    let mut alice = wallet(&mut chain, &dir, "alice").await;
    let bob = penniless(&mut chain, &dir, "bob").await;
    for _ in 0..3 {
        alice.deposit(&mut chain, SOL_UNIT).await.unwrap();
    }
    let notes: Vec<_> = alice
        .unspent_notes()
        .unwrap()
        .into_iter()
        .filter(|n| n.amount > 0)
        .collect();
    let blockhash = chain.latest_blockhash().await.unwrap();
    let bob_address = bob.address();
    let prove = |note: usize| {
        alice.prove_relayed_payment(
            &client,
            vec![notes[note].clone()],
            &bob_address,
            1_000,
            blockhash,
        )
    };
    let valid = RelayRequest::from(&prove(0).await.unwrap());
    let before = (
        lamports(&mut chain, &relayer_key.pubkey()).await,
        alice.tree_len(),
    );
    let unchanged = |chain: &mut Shared| {
        let mut chain = chain.clone();
        let key = relayer_key.pubkey();
        async move {
            let tree = zkpay_client::pool::load_pool(&mut chain, &SOL)
                .await
                .unwrap()
                .tree;
            let account = chain.accounts(&[tree]).await.unwrap().remove(0).unwrap();
            let leaves = zkpay_core::program::state::TreeState::read(&account.data)
                .unwrap()
                .frontier
                .next_index();
            (lamports(&mut chain, &key).await, leaves)
        }
    };
    let start = unchanged(&mut chain).await;
    assert_eq!(start.0, before.0);

    let body = |r: &RelayRequest| serde_json::to_vec(r).unwrap();
    let spoil = |how: Spoil| match how.apply(&valid) {
        load::Body::Relay(request) => body(&request),
        load::Body::Raw(bytes) => bytes,
    };
    let cases: Vec<(&str, Vec<u8>, u16, RefusalCode)> = vec![
        (
            "malformed JSON",
            spoil(Spoil::Malformed),
            400,
            RefusalCode::Malformed,
        ),
        (
            "oversized body",
            vec![b' '; 64 * 1024],
            413,
            RefusalCode::TooLarge,
        ),
        (
            "invalid proof",
            spoil(Spoil::InvalidProof),
            422,
            RefusalCode::InvalidProof,
        ),
        (
            "fee below quote",
            spoil(Spoil::FeeTooLow),
            400,
            RefusalCode::FeeTooLow,
        ),
        (
            "wrong relayer",
            spoil(Spoil::WrongRelayer),
            400,
            RefusalCode::WrongRelayer,
        ),
        (
            "a deposit",
            body(&RelayRequest {
                ext_amount: 5,
                ..valid.clone()
            }),
            400,
            RefusalCode::Deposit,
        ),
        (
            "another pool",
            body(&RelayRequest {
                mint: Pubkey::new_unique().to_string(),
                ..valid.clone()
            }),
            400,
            RefusalCode::UnknownPool,
        ),
        (
            "expired blockhash",
            body(&RelayRequest {
                blockhash: Hash::new_unique().to_string(),
                ..valid.clone()
            }),
            409,
            RefusalCode::StaleBlockhash,
        ),
    ];
    for (what, body, status, code) in cases {
        assert_eq!(
            refused(client.relay_raw(body).await),
            (status, code),
            "{what}"
        );
        assert_eq!(
            unchanged(&mut chain).await,
            start,
            "{what} changed something"
        );
    }

    // A proof against a root this pool never held: made on another chain.
    let mut elsewhere = SharedChain::start(EmbeddedChain::start).await.unwrap();
    let mut carol = wallet(&mut elsewhere, &dir, "carol").await;
    carol.deposit(&mut elsewhere, SOL_UNIT).await.unwrap();
    let note = carol
        .unspent_notes()
        .unwrap()
        .into_iter()
        .find(|n| n.amount > 0)
        .unwrap();
    let foreign = carol
        .prove_relayed_payment(&client, vec![note], &bob.address(), 1_000, blockhash)
        .await
        .unwrap();
    assert_eq!(
        refused(client.relay(&fresh(&mut chain, foreign).await).await),
        (409, RefusalCode::UnknownRoot)
    );

    // A note spent on-chain since the proof was made: through another
    // relayer, which this one cannot know of but from the chain.
    let (other_key, other, _) = relayer(&mut chain, SOL_UNIT, Limits::default()).await;
    let other_client = RelayerClient::new(&other.url).unwrap();
    let doomed = prove(1).await.unwrap();
    let first = alice
        .prove_relayed_payment(
            &other_client,
            vec![notes[1].clone()],
            &bob.address(),
            1_000,
            blockhash,
        )
        .await
        .unwrap();
    other_client
        .relay(&fresh(&mut chain, first).await)
        .await
        .unwrap();
    let start = unchanged(&mut chain).await;
    assert_eq!(
        refused(client.relay(&fresh(&mut chain, doomed).await).await),
        (409, RefusalCode::Spent)
    );
    assert_eq!(unchanged(&mut chain).await, start);
    assert!(lamports(&mut chain, &other_key.pubkey()).await >= SOL_UNIT);
    other.stop().await.unwrap();

    // A request that would fail on-chain: a relayer too poor to pay a
    // transaction's fee and stay rent-exempt finds out by simulation,
    // before sending.
    let poor_lamports = too_poor(&mut chain).await;
    let (poor_key, poor, _) = relayer(&mut chain, poor_lamports, Limits::default()).await;
    let poor_client = RelayerClient::new(&poor.url).unwrap();
    let poor_relay = alice
        .prove_relayed_payment(
            &poor_client,
            vec![notes[2].clone()],
            &bob.address(),
            1_000,
            blockhash,
        )
        .await
        .unwrap();
    let poor_before = lamports(&mut chain, &poor_key.pubkey()).await;
    assert_eq!(
        refused(
            poor_client
                .relay(&fresh(&mut chain, poor_relay).await)
                .await
        ),
        (422, RefusalCode::WouldFail)
    );
    assert_eq!(lamports(&mut chain, &poor_key.pubkey()).await, poor_before);

    // The valid request settles once; its replay is refused.
    let start = unchanged(&mut chain).await;
    let valid = RelayRequest {
        blockhash: chain.latest_blockhash().await.unwrap().to_string(),
        ..valid
    };
    client.relay_request(&valid).await.unwrap();
    let after = unchanged(&mut chain).await;
    assert_eq!(after.1, start.1 + 2);
    assert!(
        after.0 >= start.0,
        "the relayer lost lamports on a valid relay"
    );
    assert_eq!(
        refused(client.relay_request(&valid).await),
        (409, RefusalCode::Duplicate)
    );
    assert_eq!(unchanged(&mut chain).await, after);
    local.stop().await.unwrap();
    poor.stop().await.unwrap();
}

#[tokio::test]
async fn a_bounded_load_settles_every_valid_request_once_and_the_service_stays_up() {
    let mut chain = SharedChain::start(EmbeddedChain::start).await.unwrap();
    let limits = Limits {
        per_client_per_second: 10_000,
        per_client_burst: 10_000,
        overall_per_second: 10_000,
        ..Limits::default()
    };
    let (relayer_key, local, fee) = relayer(&mut chain, SOL_UNIT, limits).await;
    let client = RelayerClient::new(&local.url).unwrap();
    let dir = TempDir::new().unwrap();
    let mut alice = wallet(&mut chain, &dir, "alice").await;
    let mut bob = penniless(&mut chain, &dir, "bob").await;
    let valid = 12;
    for _ in 0..valid {
        alice.deposit(&mut chain, 1_000 + fee).await.unwrap();
    }
    let blockhash = chain.latest_blockhash().await.unwrap();
    let mut relays = Vec::new();
    for note in alice
        .unspent_notes()
        .unwrap()
        .into_iter()
        .filter(|n| n.amount > 0)
    {
        let relay = alice
            .prove_relayed_payment(&client, vec![note], &bob.address(), 1_000, blockhash)
            .await
            .unwrap();
        relays.push(RelayRequest::from(&relay));
    }
    let before = lamports(&mut chain, &relayer_key.pubkey()).await;
    let requests = mix(&relays, 3);
    let invalid = requests.iter().filter(|r| !r.valid).count();
    assert!(invalid >= 5, "every kind of spoiled request is in the load");
    let report = load::run(&client, requests, 8, || {
        let mut chain = chain.clone();
        async move { chain.latest_blockhash().await.unwrap() }
    })
    .await;
    assert_eq!(report.settled(), valid, "{:?}", report.outcomes);
    for outcome in report.outcomes.iter().filter(|o| o.signature.is_none()) {
        assert!((400..500).contains(&outcome.status), "{outcome:?}");
    }
    assert!(lamports(&mut chain, &relayer_key.pubkey()).await >= before);
    let health = reqwest::get(format!("{}/health", local.url)).await.unwrap();
    assert!(health.status().is_success());

    // Bob finds each payment once; the payee's note is not always output 0.
    let report = bob.sync(&mut chain).await.unwrap();
    assert_eq!(report.new_notes, valid);
    let parities: std::collections::HashSet<u64> = bob
        .unspent_notes()
        .unwrap()
        .iter()
        .map(|n| n.leaf_index % 2)
        .collect();
    assert_eq!(
        parities.len(),
        2,
        "the payee's output was always at the same index"
    );

    // Alice never told the wallet of these relays: sync learns from the
    // settlements alone that her notes are spent.
    alice.sync(&mut chain).await.unwrap();
    assert_eq!(alice.balance().unwrap().spendable, 0);
    local.stop().await.unwrap();
}

#[tokio::test]
async fn a_client_over_its_rate_is_refused_and_others_are_not() {
    let mut chain = SharedChain::start(EmbeddedChain::start).await.unwrap();
    let limits = Limits {
        per_client_per_second: 1,
        per_client_burst: 2,
        ..Limits::default()
    };
    let (_, local, _) = relayer(&mut chain, SOL_UNIT, limits).await;
    let client = RelayerClient::new(&local.url).unwrap();
    client.quote().await.unwrap();
    client.quote().await.unwrap();
    assert_eq!(
        refused(client.quote().await),
        (429, RefusalCode::RateLimited)
    );
    // The service is up: health is not rate limited.
    let health = reqwest::get(format!("{}/health", local.url)).await.unwrap();
    assert!(health.status().is_success());
    local.stop().await.unwrap();
}

#[tokio::test]
async fn a_refused_relay_releases_the_wallets_notes() {
    let mut chain = SharedChain::start(EmbeddedChain::start).await.unwrap();
    // A relayer too poor to pay a transaction's fee: its simulation
    // refuses every relay.
    let poor_lamports = too_poor(&mut chain).await;
    let (_, local, fee) = relayer(&mut chain, poor_lamports, Limits::default()).await;
    let client = RelayerClient::new(&local.url).unwrap();
    let dir = TempDir::new().unwrap();
    let mut alice = wallet(&mut chain, &dir, "alice").await;
    let bob = penniless(&mut chain, &dir, "bob").await;
    alice.deposit(&mut chain, SOL_UNIT).await.unwrap();
    let error = alice
        .pay_with(
            &mut chain,
            &bob.address(),
            1_000,
            b"",
            Some(Relayer::Service(&client)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            WalletError::Relayer(RelayerError::Refused {
                code: RefusalCode::WouldFail,
                ..
            })
        ),
        "{error}"
    );
    let balance = alice.balance().unwrap();
    assert_eq!((balance.spendable, balance.pending), (SOL_UNIT, 0));
    assert!(alice.history().unwrap().iter().all(|e| e.confirmed));
    // More than the notes hold, fee included: refused before proving.
    let error = alice
        .pay_with(
            &mut chain,
            &bob.address(),
            SOL_UNIT - fee + 1,
            b"",
            Some(Relayer::Service(&client)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, WalletError::InsufficientFunds { .. }),
        "{error}"
    );
    // A quote over the most the wallet accepts: refused before proving.
    let capped = RelayerClient::new(&local.url)
        .unwrap()
        .with_max_fee(Some(fee - 1));
    let error = alice
        .pay_with(
            &mut chain,
            &bob.address(),
            1_000,
            b"",
            Some(Relayer::Service(&capped)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, WalletError::Relayer(RelayerError::FeeOverLimit { max, .. }) if max == fee - 1),
        "{error}"
    );
    let balance = alice.balance().unwrap();
    assert_eq!((balance.spendable, balance.pending), (SOL_UNIT, 0));
    local.stop().await.unwrap();
}

#[tokio::test]
async fn shutting_down_finishes_the_relays_in_flight_and_then_refuses_connections() {
    let mut chain = SharedChain::start(EmbeddedChain::start).await.unwrap();
    let (_, local, _) = relayer(&mut chain, SOL_UNIT, Limits::default()).await;
    let client = RelayerClient::new(&local.url).unwrap();
    let dir = TempDir::new().unwrap();
    let mut alice = wallet(&mut chain, &dir, "alice").await;
    let bob = penniless(&mut chain, &dir, "bob").await;
    alice.deposit(&mut chain, SOL_UNIT).await.unwrap();
    let note = alice
        .unspent_notes()
        .unwrap()
        .into_iter()
        .find(|n| n.amount > 0)
        .unwrap();
    let blockhash = chain.latest_blockhash().await.unwrap();
    let relay = alice
        .prove_relayed_payment(&client, vec![note], &bob.address(), 1_000, blockhash)
        .await
        .unwrap();
    let relay = fresh(&mut chain, relay).await;
    // Hold the chain, so that the relay waits in flight.
    let held = chain.clone();
    let hold = tokio::spawn(async move {
        held.run(|_| Box::pin(tokio::time::sleep(std::time::Duration::from_millis(400))))
            .await
            .unwrap()
    });
    let in_flight = tokio::spawn({
        let client = client.clone();
        async move { client.relay(&relay).await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    local.stop().await.unwrap();
    hold.await.unwrap();
    let answer = in_flight.await.unwrap();
    assert!(
        answer.is_ok(),
        "the relay in flight was cut off: {answer:?}"
    );
    assert!(matches!(
        client.quote().await,
        Err(RelayerError::Transport(_))
    ));
}
