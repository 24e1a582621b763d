//! Proof of funds on the embedded chain with the SBF program and real
//! proofs: a holder proves a threshold, anyone verifies it against the
//! chain, and every altered, stale, replayed or outdated proof fails.

mod common;

use common::{wallet, SOL_UNIT};
use zkpay_circuits::funds::FundsVerifyError;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::funds::{verify_funds, FundsError, ProofOfFunds};

/// Which error an altered proof must get.
type Expected = fn(&FundsError) -> bool;

/// Flips the last bit of a hex string's bytes.
fn flip(hex_field: &str) -> String {
    let mut bytes = hex::decode(hex_field).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    hex::encode(bytes)
}

fn invalid(error: &FundsError) -> bool {
    matches!(error, FundsError::Proof(FundsVerifyError::InvalidProof))
}

#[tokio::test]
async fn a_holder_proves_funds_and_altered_stale_or_spent_proofs_fail() {
    let mut chain = EmbeddedChain::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut alice = wallet(&mut chain, &dir, "alice").await;
    let bob = wallet(&mut chain, &dir, "bob").await;
    for amount in [
        SOL_UNIT,
        SOL_UNIT / 2,
        SOL_UNIT / 4,
        SOL_UNIT / 100,
        SOL_UNIT / 100,
    ] {
        alice.deposit(&mut chain, amount).await.unwrap();
    }
    let challenge = "exchange withdrawal limit, request 7";
    let proof = alice
        .prove_funds(&mut chain, 1_400_000_000, challenge)
        .await
        .unwrap();
    let verified = verify_funds(&mut chain, &proof, Some(challenge))
        .await
        .unwrap();
    assert_eq!(verified.at_least, 1_400_000_000);
    assert_eq!(verified.challenge, challenge);
    assert_eq!(verified.pool, *alice.pool());
    assert!(verify_funds(&mut chain, &proof, None).await.is_ok());
    assert_eq!(ProofOfFunds::from_json(&proof.to_json()).unwrap(), proof);

    // Another verifier's challenge.
    assert!(matches!(
        verify_funds(
            &mut chain,
            &proof,
            Some("exchange withdrawal limit, request 8")
        )
        .await,
        Err(FundsError::OtherChallenge { .. })
    ));

    // Every altered field fails.
    let altered = |edit: fn(&mut ProofOfFunds)| {
        let mut altered = proof.clone();
        edit(&mut altered);
        altered
    };
    let cases: Vec<(ProofOfFunds, Expected)> = vec![
        (altered(|p| p.at_least += 1), invalid),
        (altered(|p| p.at_least = 1_760_000_000), invalid),
        (altered(|p| p.challenge.push('!')), invalid),
        (altered(|p| p.root = flip(&p.root)), invalid),
        (
            altered(|p| p.nullifiers[0] = flip(&p.nullifiers[0])),
            invalid,
        ),
        (
            altered(|p| p.nullifiers[3] = flip(&p.nullifiers[3])),
            invalid,
        ),
        (altered(|p| p.nullifiers.swap(0, 1)), invalid),
        (altered(|p| p.proof = flip(&p.proof)), |e| {
            matches!(e, FundsError::Proof(_))
        }),
        (altered(|p| p.nullifiers[2] = "ff".repeat(32)), |e| {
            matches!(e, FundsError::Field("nullifier"))
        }),
        (altered(|p| p.root = "00".repeat(31)), |e| {
            matches!(e, FundsError::Field("root"))
        }),
        (
            altered(|p| p.pool = solana_sdk::pubkey::Pubkey::new_unique().to_string()),
            |e| matches!(e, FundsError::Pool(_)),
        ),
    ];
    for (altered, expected) in cases {
        let error = verify_funds(&mut chain, &altered, None).await.unwrap_err();
        assert!(expected(&error), "{altered:?}: {error}");
    }
    assert!(matches!(
        ProofOfFunds::from_json(&proof.to_json().replace("\"version\": 1", "\"version\": 2")),
        Err(FundsError::Version(2))
    ));

    // The holder cannot prove more than it holds, nor more than its four
    // largest notes hold (1.76 of 1.77 SOL).
    assert!(matches!(
        alice
            .prove_funds(&mut chain, 1_770_000_001, challenge)
            .await,
        Err(FundsError::InsufficientFunds { .. })
    ));
    assert!(matches!(
        alice
            .prove_funds(&mut chain, 1_765_000_000, challenge)
            .await,
        Err(FundsError::TooManyNotes { .. })
    ));
    let all_four = alice
        .prove_funds(&mut chain, 1_760_000_000, challenge)
        .await
        .unwrap();
    verify_funds(&mut chain, &all_four, None).await.unwrap();

    // A proof at another chain's root: the same pool address and asset,
    // a valid proof, a root this pool never held.
    let mut other = EmbeddedChain::start().await.unwrap();
    let mut carol = wallet(&mut other, &dir, "carol").await;
    carol.deposit(&mut other, SOL_UNIT).await.unwrap();
    let elsewhere = carol
        .prove_funds(&mut other, SOL_UNIT, challenge)
        .await
        .unwrap();
    verify_funds(&mut other, &elsewhere, None).await.unwrap();
    assert!(matches!(
        verify_funds(&mut chain, &elsewhere, None).await,
        Err(FundsError::UnknownRoot)
    ));

    // Once a counted note is spent, the proof no longer holds; a new one
    // for what is left does.
    alice
        .pay(&mut chain, &bob.address(), 1_200_000_000, b"")
        .await
        .unwrap();
    assert!(matches!(
        verify_funds(&mut chain, &proof, None).await,
        Err(FundsError::Spent(_))
    ));
    let left = alice
        .prove_funds(&mut chain, SOL_UNIT / 2, challenge)
        .await
        .unwrap();
    verify_funds(&mut chain, &left, Some(challenge))
        .await
        .unwrap();
}
