//! Compute units of every kind of transaction, measured in the Solana VM on
//! the SBF program: one line `cu <kind> <units>` each (run with
//! `--nocapture`). Every settlement must stay within `TRANSACT_CU_LIMIT`.

mod common;

use common::*;
use solana_sdk::signature::{Keypair, Signer};
use zkpay_circuits::note::{Note, SpendingKey};
use zkpay_core::tree::CommitmentTree;

const SOL: u64 = 1_000_000_000;

#[tokio::test]
async fn every_kind_of_transaction_is_metered() {
    let mut chain = Chain::with_sol_pool().await;
    if !chain.build.is_sbf() {
        println!("cu: the native build is not metered; build the SBF program to measure");
        return;
    }
    let mut lines = Vec::new();
    let mut rng = rng();
    let alice = SpendingKey::random(&mut rng);
    let bob = SpendingKey::random(&mut rng);
    let keys = chain.keys;
    let payer = chain.payer();

    // initialize_pool (with the system program's creation of the tree
    // account in the same transaction).
    let mint = chain.create_mint(6).await;
    let spl_keys = chain.open_pool(mint).await;
    lines.push(("initialize_pool", chain.last_compute_units));

    // A SOL deposit.
    let (deposit, note) = deposit_payment(&chain, &alice, 3 * SOL, &mut rng);
    chain.settle(&deposit).await.unwrap();
    lines.push(("deposit", chain.last_compute_units));

    // A private transfer: 1 SOL to Bob, 2 back to Alice.
    let to_bob = Note::new(SOL, bob.owner(), keys.asset_id(), &mut rng);
    let change = Note::new(2 * SOL, alice.owner(), keys.asset_id(), &mut rng);
    let transfer = prove_payment(
        &chain.tree,
        &keys,
        [
            (note, alice.clone(), Some(0)),
            dummy_input(&alice, &keys, &mut rng),
        ],
        [to_bob, change],
        0,
        0,
        payer,
        payer,
        &mut rng,
    );
    chain.settle(&transfer).await.unwrap();
    lines.push(("transfer", chain.last_compute_units));

    // A withdrawal of Bob's note to a fresh account, paid by the payer.
    let recipient = Keypair::new().pubkey();
    let withdrawal = prove_payment(
        &chain.tree,
        &keys,
        [
            (to_bob, bob.clone(), Some(2)),
            dummy_input(&bob, &keys, &mut rng),
        ],
        [
            Note::dummy(bob.owner(), keys.asset_id(), &mut rng),
            Note::dummy(bob.owner(), keys.asset_id(), &mut rng),
        ],
        -(SOL as i64),
        0,
        recipient,
        payer,
        &mut rng,
    );
    chain.settle(&withdrawal).await.unwrap();
    lines.push(("withdrawal", chain.last_compute_units));

    // A withdrawal of Alice's change through a relayer, who signs, pays the
    // fees and earns a fee.
    let relayer = Keypair::new();
    chain.airdrop(relayer.pubkey(), SOL).await;
    let fee = 5_000_000;
    let relayed = prove_payment(
        &chain.tree,
        &keys,
        [
            (change, alice.clone(), Some(3)),
            dummy_input(&alice, &keys, &mut rng),
        ],
        [
            Note::dummy(alice.owner(), keys.asset_id(), &mut rng),
            Note::dummy(alice.owner(), keys.asset_id(), &mut rng),
        ],
        -((2 * SOL - fee) as i64),
        fee,
        recipient,
        relayer.pubkey(),
        &mut rng,
    );
    chain.settle_as(Some(&relayer), &relayed).await.unwrap();
    lines.push(("relayed_withdrawal", chain.last_compute_units));

    // An SPL-token deposit.
    chain.keys = spl_keys;
    chain.tree = CommitmentTree::new();
    let tokens = chain.create_token_account(mint, payer).await;
    chain.mint_to(mint, tokens, 1_000_000).await;
    let mut spl_deposit = prove_payment(
        &chain.tree,
        &spl_keys,
        [
            dummy_input(&alice, &spl_keys, &mut rng),
            dummy_input(&alice, &spl_keys, &mut rng),
        ],
        [
            Note::new(1_000_000, alice.owner(), spl_keys.asset_id(), &mut rng),
            Note::dummy(alice.owner(), spl_keys.asset_id(), &mut rng),
        ],
        1_000_000,
        0,
        payer,
        payer,
        &mut rng,
    );
    spl_deposit.depositor_token = Some(tokens);
    chain.settle(&spl_deposit).await.unwrap();
    lines.push(("spl_deposit", chain.last_compute_units));

    for (kind, units) in &lines {
        println!("cu {kind} {units}");
        assert!(*units > 0, "{kind} was not metered");
        if *kind != "initialize_pool" {
            assert!(*units <= TRANSACT_CU_LIMIT, "{kind}: {units} CU");
        }
    }
}
