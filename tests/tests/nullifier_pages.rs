//! Nullifier pages in the real runtime: a full page refuses new nullifiers
//! and changes nothing, anyone splits it (a pre-funded child address does
//! not block the split; the pool's reserve refunds the splitter), and a
//! nullifier spent before the split stays spent through the child that took
//! it. The property "spent exactly once" over many thousands of random
//! nullifiers is `zkpay-core`'s (`nullifier_page` tests).

mod common;

use common::*;
use solana_sdk::pubkey::Pubkey;
use zkpay_circuits::note::SpendingKey;
use zkpay_client::nullifier_pages::{page_address, split_instruction};
use zkpay_core::error::ZkpayError;
use zkpay_client::chain::rpc::set_compute_unit_limit;
use zkpay_core::program::nullifier_page::{
    NullifierKey, NullifierPage, MAX_PROBE, NULLIFIER_STORAGE_FEE, PAGE_MAX_ENTRIES, PAGE_SLOTS,
};
use zkpay_core::program::state::PoolState;

const SOL: u64 = 1_000_000_000;

#[tokio::test]
async fn a_full_page_is_split_by_anyone_and_a_spent_nullifier_stays_spent_in_its_child() {
    let mut chain = Chain::with_sol_pool().await;
    let mut rng = rng();
    let alice = SpendingKey::random(&mut rng);
    let keys = chain.keys;
    let root_page = keys.root_page();

    // Room for exactly one more settlement's two nullifiers.
    let (first, _) = deposit_payment(&chain, &alice, SOL, &mut rng);
    let (second, _) = deposit_payment(&chain, &alice, SOL, &mut rng);
    let spent = [first.input_nullifiers, second.input_nullifiers].concat();
    chain.fill_page(root_page, PAGE_MAX_ENTRIES - 2, &spent).await;
    chain.settle(&first).await.unwrap();
    let spent_page = chain.live_page(&first.input_nullifiers[0]).await;
    assert!(spent_page.spent && !spent_page.full, "a spent nullifier asks for no split");
    let page = chain.live_page(&second.input_nullifiers[0]).await;
    assert_eq!((page.address, page.count, page.full), (root_page, PAGE_MAX_ENTRIES, true));

    // Full: the next settlement fails and changes nothing.
    let payer = chain.payer();
    let before = chain.snapshot(&second).await;
    let ix = second.instruction(&payer, &keys);
    assert_program_error(chain.send(&[ix], &[]).await, ZkpayError::NullifierPageFull);
    assert_eq!(chain.snapshot(&second).await, before, "a refused settlement changed state");

    let splitter = solana_sdk::signature::Keypair::new();
    chain.airdrop(solana_sdk::signature::Signer::pubkey(&splitter), SOL).await;

    // An attacker funds one child address first: the split still goes.
    let child_0 = page_address(&keys.pool, 1, 0);
    chain.airdrop(child_0, 1_000_000).await;
    let pool_rent = chain.rent(PoolState::SPACE).await;
    let page_rent = chain.rent(NullifierPage::SPACE).await;
    assert_eq!(chain.lamports(keys.pool).await, pool_rent + NULLIFIER_STORAGE_FEE);
    let split = split_instruction(
        &keys.pool,
        &solana_sdk::signature::Signer::pubkey(&splitter),
        &page,
        &second.input_nullifiers[0],
    );
    chain.send(&[split.clone()], &[&splitter]).await.unwrap();
    println!("split_nullifier_page: {} CU", chain.last_compute_units);

    // The parent is gone, its keys are in the children, and the reserve
    // (the storage fee and the parent's rent) went to the splitter.
    assert!(chain.account(root_page).await.is_none(), "the split page is closed");
    let mut held = 0;
    for prefix in [0, 1] {
        let child = chain.account(page_address(&keys.pool, 1, prefix)).await.unwrap();
        assert_eq!(child.owner, zkpay::ID);
        assert!(child.lamports >= page_rent);
        let state = NullifierPage::read(&child.data).unwrap();
        assert_eq!((state.depth, state.prefix), (1, prefix));
        held += state.count;
    }
    assert_eq!(held, PAGE_MAX_ENTRIES);
    assert_eq!(chain.lamports(keys.pool).await, pool_rent, "the reserve paid the split");

    // A nullifier spent before the split is refused through the child
    // that took it, and the sibling page does not cover it.
    let first_pages = chain.live_pages(&first.input_nullifiers).await;
    assert!(first_pages.iter().all(|page| *page != root_page));
    let ix = first.instruction_with_pages(&payer, &keys, first_pages);
    assert_program_error(chain.send(&[ix], &[]).await, ZkpayError::NullifierAlreadySpent);
    let sibling = |page: Pubkey| {
        let other = page_address(&keys.pool, 1, 1);
        if page == other { page_address(&keys.pool, 1, 0) } else { other }
    };
    let wrong = [sibling(first_pages[0]), first_pages[1]];
    let ix = first.instruction_with_pages(&payer, &keys, wrong);
    assert_program_error(chain.send(&[ix], &[]).await, ZkpayError::WrongNullifierPage);

    // The refused settlement now goes through the live pages.
    chain.settle(&second).await.unwrap();

    // A child with room cannot be split.
    let page = chain.live_page(&second.input_nullifiers[0]).await;
    assert!(!page.full);
    let split = split_instruction(
        &keys.pool,
        &solana_sdk::signature::Signer::pubkey(&splitter),
        &page,
        &second.input_nullifiers[0],
    );
    assert_program_error(chain.send(&[split], &[&splitter]).await, ZkpayError::PageNotFull);
}

#[tokio::test]
async fn a_page_of_crafted_clusters_splits_within_a_transaction() {
    let mut chain = Chain::with_sol_pool().await;
    let mut rng = rng();
    let alice = SpendingKey::random(&mut rng);
    let keys = chain.keys;
    let (deposit, _) = deposit_payment(&chain, &alice, SOL, &mut rng);
    let nullifier = deposit.input_nullifiers[0];
    // The worst a griefer can grind: runs of MAX_PROBE + 1 keys on one home
    // slot each, every key on the same side of the split (prefix bit 0).
    let avoid = NullifierKey::of(&nullifier);
    let crafted = (0..PAGE_SLOTS as u64)
        .step_by(MAX_PROBE + 1)
        .flat_map(|home| (0..=MAX_PROBE as u64).map(move |index| (home, index)))
        .map(|(home, index)| NullifierKey(1 << 63 | (index + 1) << 42 | home << 32))
        .filter(move |key| *key != avoid);
    let root_page = keys.root_page();
    chain.fill_page_with(root_page, PAGE_MAX_ENTRIES - 1, crafted).await;
    assert!(chain.live_page(&nullifier).await.full, "no room for two nullifiers");
    // Every crafted key has prefix 0: the splits it takes until both
    // nullifiers have room each move the whole crafted set.
    let payer = chain.payer();
    let mut splits = 0;
    for nullifier in deposit.input_nullifiers {
        loop {
            let page = chain.live_page(&nullifier).await;
            if !page.full {
                break;
            }
            let split = split_instruction(&keys.pool, &payer, &page, &nullifier);
            chain
                .send(&[set_compute_unit_limit(1_400_000), split], &[])
                .await
                .unwrap();
            println!("split_nullifier_page of crafted clusters: {} CU", chain.last_compute_units);
            assert!(chain.last_compute_units < 1_400_000);
            splits += 1;
        }
    }
    assert!(splits >= 1);
    chain.settle(&deposit).await.unwrap();
}
