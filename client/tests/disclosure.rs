//! Payment disclosure on the embedded chain with the SBF program and real
//! proofs: the payer and the payee each disclose the payment's note, anyone
//! verifies it against the chain, and every altered disclosure fails.

mod common;

use common::{wallet, SOL_UNIT};
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::disclosure::{verify_disclosure, DisclosureError, PaymentDisclosure};

/// Which error an altered disclosure must get.
type Expected = fn(&DisclosureError) -> bool;

/// Flips the last hex digit of a 32-byte hex field.
fn flip(hex_field: &str) -> String {
    let mut bytes = hex::decode(hex_field).unwrap();
    bytes[31] ^= 1;
    hex::encode(bytes)
}

#[tokio::test]
async fn payer_and_payee_disclose_a_payment_and_altered_disclosures_fail() {
    let mut chain = EmbeddedChain::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut alice = wallet(&mut chain, &dir, "alice").await;
    let mut bob = wallet(&mut chain, &dir, "bob").await;
    let deposit = alice.deposit(&mut chain, 2 * SOL_UNIT).await.unwrap();
    let paid = alice
        .pay(&mut chain, &bob.address(), SOL_UNIT / 4, b"invoice 42")
        .await
        .unwrap();
    assert_eq!(paid.len(), 1);
    let payment = paid[0].signature;
    bob.sync(&mut chain).await.unwrap();

    // The payer discloses the payee's note; the payee discloses the same one.
    let by_alice = alice.disclose(&mut chain, &payment, None).await.unwrap();
    let by_bob = bob.disclose(&mut chain, &payment, None).await.unwrap();
    assert_eq!(by_alice, by_bob);
    assert_eq!(by_alice.amount, SOL_UNIT / 4);
    assert_eq!(by_alice.address, Some(bob.address().to_string()));
    let verified = verify_disclosure(&mut chain, &by_alice).await.unwrap();
    assert_eq!(verified.amount, SOL_UNIT / 4);
    assert_eq!(verified.memo, b"invoice 42");
    assert_eq!(verified.owner, bob.address().owner());
    assert_eq!(verified.address, Some(bob.address()));

    // Through its file form.
    let text = by_alice.to_json();
    assert_eq!(PaymentDisclosure::from_json(&text).unwrap(), by_alice);

    // The payer's change note is the other output; Bob cannot disclose it.
    let change = 1 - by_alice.output;
    let disclosed = alice
        .disclose(&mut chain, &payment, Some(change))
        .await
        .unwrap();
    let verified = verify_disclosure(&mut chain, &disclosed).await.unwrap();
    assert_eq!(verified.owner, alice.address().owner());
    assert_eq!(verified.amount, 2 * SOL_UNIT - SOL_UNIT / 4);
    assert!(matches!(
        bob.disclose(&mut chain, &payment, Some(change)).await,
        Err(DisclosureError::NotDisclosable(_))
    ));

    // Every altered field fails.
    let fails = |mut edit: Box<dyn FnMut(&mut PaymentDisclosure)>| {
        let mut altered = by_alice.clone();
        edit(&mut altered);
        altered
    };
    let cases: Vec<(PaymentDisclosure, Expected)> = vec![
        (fails(Box::new(|d| d.amount += 1)), |e| {
            matches!(e, DisclosureError::Amount { .. })
        }),
        (
            fails(Box::new(|d| d.memo = hex::encode(b"invoice 43"))),
            |e| matches!(e, DisclosureError::Memo),
        ),
        (fails(Box::new(|d| d.owner = flip(&d.owner))), |e| {
            matches!(e, DisclosureError::Owner)
        }),
        (fails(Box::new(|d| d.note_key = flip(&d.note_key))), |e| {
            matches!(e, DisclosureError::WrongKey)
        }),
        (
            fails(Box::new(|d| d.commitment = flip(&d.commitment))),
            |e| matches!(e, DisclosureError::NoSuchNote { .. }),
        ),
        (fails(Box::new(|d| d.output = 1 - d.output)), |e| {
            matches!(e, DisclosureError::NoSuchNote { .. })
        }),
        (
            fails(Box::new(|d| d.address = Some(alice.address().to_string()))),
            |e| matches!(e, DisclosureError::Address),
        ),
        // A disclosure moved onto another transaction (the deposit).
        (
            fails(Box::new(|d| d.signature = deposit.signature.to_string())),
            |e| matches!(e, DisclosureError::NoSuchNote { .. }),
        ),
        (
            fails(Box::new(|d| {
                d.pool = solana_sdk::pubkey::Pubkey::new_unique().to_string()
            })),
            |e| matches!(e, DisclosureError::NoSettlement(_)),
        ),
    ];
    for (altered, expected) in cases {
        let error = verify_disclosure(&mut chain, &altered).await.unwrap_err();
        assert!(expected(&error), "{altered:?}: {error}");
    }

    // A transaction of no settlement of the wallet's (Bob's own deposit
    // does not exist): nothing to disclose.
    let unknown = solana_sdk::signature::Signature::new_unique();
    assert!(matches!(
        alice.disclose(&mut chain, &unknown, None).await,
        Err(DisclosureError::NoSettlement(_))
    ));
}
