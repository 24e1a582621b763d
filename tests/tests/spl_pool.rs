//! An SPL-token pool beside the SOL pool: token payments end to end, and
//! proofs or accounts of one pool refused by the other.

mod common;

use common::*;
use solana_sdk::signature::{Keypair, Signer};
use zkpay_circuits::note::{Note, SpendingKey};
use zkpay_core::error::ZkpayError;
use zkpay_core::tree::CommitmentTree;

const TOKEN: u64 = 1_000_000; // 6 decimals

#[tokio::test]
async fn token_deposit_transfer_and_relayed_withdrawal_settle_to_the_unit() {
    let mut sol_chain = Chain::with_sol_pool().await;
    let sol_keys = sol_chain.keys;
    let mint = sol_chain.create_mint(6).await;
    let keys = sol_chain.open_pool(mint).await;
    let mut chain = sol_chain;
    chain.keys = keys;
    chain.tree = CommitmentTree::new();
    let mut rng = rng();
    let alice = SpendingKey::random(&mut rng);
    let bob = SpendingKey::random(&mut rng);
    let payer = chain.payer();
    let alice_tokens = chain.create_token_account(mint, payer).await;
    chain.mint_to(mint, alice_tokens, 100 * TOKEN).await;
    assert_eq!(chain.token_balance(keys.vault).await, 0);

    // Alice deposits 40 tokens.
    let alice_note = Note::new(40 * TOKEN, alice.owner(), keys.asset_id(), &mut rng);
    let mut deposit = prove_payment(
        &chain.tree,
        &keys,
        [
            dummy_input(&alice, &keys, &mut rng),
            dummy_input(&alice, &keys, &mut rng),
        ],
        [
            alice_note,
            Note::dummy(alice.owner(), keys.asset_id(), &mut rng),
        ],
        (40 * TOKEN) as i64,
        0,
        payer,
        payer,
        &mut rng,
    );
    deposit.depositor_token = Some(alice_tokens);
    let size = chain.settle_as(None, &deposit).await.unwrap();
    println!("SPL deposit transaction: {size} bytes");
    assert_eq!(chain.token_balance(alice_tokens).await, 60 * TOKEN);
    assert_eq!(chain.token_balance(keys.vault).await, 40 * TOKEN);

    // The same kind of proof made for the SOL pool's asset is refused here.
    let wrong_asset = prove_payment(
        &chain.tree,
        &sol_keys,
        [
            dummy_input(&alice, &sol_keys, &mut rng),
            dummy_input(&alice, &sol_keys, &mut rng),
        ],
        [
            Note::new(TOKEN, alice.owner(), sol_keys.asset_id(), &mut rng),
            Note::dummy(alice.owner(), sol_keys.asset_id(), &mut rng),
        ],
        TOKEN as i64,
        0,
        payer,
        payer,
        &mut rng,
    );
    let before = chain.snapshot(&wrong_asset).await;
    let ix = wrong_asset.instruction(&payer, &keys);
    assert_program_error(chain.send(&[ix], &[]).await, ZkpayError::InvalidProof);
    assert_eq!(chain.snapshot(&wrong_asset).await, before);

    // And the SOL pool's tree is not this pool's tree.
    let sol_tree = chain.account(sol_keys.tree).await;
    let mut ix = deposit.instruction(&payer, &keys);
    ix.accounts[2].pubkey = sol_keys.tree;
    assert_program_error(chain.send(&[ix], &[]).await, ZkpayError::WrongTree);
    assert_eq!(chain.account(sol_keys.tree).await, sol_tree);
    assert_eq!(chain.snapshot(&wrong_asset).await, before);

    // Alice pays Bob 25 tokens privately.
    let bob_note = Note::new(25 * TOKEN, bob.owner(), keys.asset_id(), &mut rng);
    let payment = prove_payment(
        &chain.tree,
        &keys,
        [
            (alice_note, alice.clone(), Some(0)),
            dummy_input(&alice, &keys, &mut rng),
        ],
        [
            bob_note,
            Note::new(15 * TOKEN, alice.owner(), keys.asset_id(), &mut rng),
        ],
        0,
        0,
        payer,
        payer,
        &mut rng,
    );
    let size = chain.settle_as(None, &payment).await.unwrap();
    println!("SPL private transfer transaction: {size} bytes");
    assert_eq!(chain.token_balance(keys.vault).await, 40 * TOKEN);

    // Bob withdraws all of it through a relayer paid 1 token.
    let relayer = Keypair::new();
    chain.airdrop(relayer.pubkey(), 1_000_000_000).await;
    let recipient_tokens = chain
        .create_token_account(mint, Keypair::new().pubkey())
        .await;
    let relayer_tokens = chain.create_token_account(mint, relayer.pubkey()).await;
    let withdrawal = prove_payment(
        &chain.tree,
        &keys,
        [
            (bob_note, bob.clone(), Some(2)),
            dummy_input(&bob, &keys, &mut rng),
        ],
        [
            Note::dummy(bob.owner(), keys.asset_id(), &mut rng),
            Note::dummy(bob.owner(), keys.asset_id(), &mut rng),
        ],
        -((24 * TOKEN) as i64),
        TOKEN,
        recipient_tokens,
        relayer_tokens,
        &mut rng,
    );
    let size = chain.settle_as(Some(&relayer), &withdrawal).await.unwrap();
    println!("SPL relayed withdrawal transaction: {size} bytes");
    assert_eq!(chain.token_balance(recipient_tokens).await, 24 * TOKEN);
    assert_eq!(chain.token_balance(relayer_tokens).await, TOKEN);
    assert_eq!(chain.token_balance(keys.vault).await, 15 * TOKEN);

    // Alice withdraws 5 of her 15 tokens of change back to her account.
    let change = payment.witness.outputs[1];
    let partial = prove_payment(
        &chain.tree,
        &keys,
        [
            (change, alice.clone(), Some(3)),
            dummy_input(&alice, &keys, &mut rng),
        ],
        [
            Note::new(10 * TOKEN, alice.owner(), keys.asset_id(), &mut rng),
            Note::dummy(alice.owner(), keys.asset_id(), &mut rng),
        ],
        -((5 * TOKEN) as i64),
        0,
        alice_tokens,
        payer,
        &mut rng,
    );
    let size = chain.settle_as(None, &partial).await.unwrap();
    println!("SPL withdrawal transaction: {size} bytes");
    assert_eq!(chain.token_balance(alice_tokens).await, 65 * TOKEN);
    assert_eq!(chain.token_balance(keys.vault).await, 10 * TOKEN);
    assert_eq!(
        chain.tree_account().await.frontier.root(),
        chain.tree.root()
    );
}
