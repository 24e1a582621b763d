//! Compute units of every kind of transaction, measured in the Solana VM on
//! the SBF program: one line `cu <kind> <units>` each (run with
//! `--nocapture`). Every settlement must stay within `TRANSACT_CU_LIMIT`.
//! Then the same per step of a settlement: `cu-step <kind> <step> <units>`.

mod common;

use common::*;
use solana_sdk::signature::{Keypair, Signer};
use zkpay_circuits::note::{Note, SpendingKey};
use zkpay_client::nullifier_pages::split_instruction;
use zkpay_client::chain::embedded::ProgramBuild;
use zkpay_core::program::nullifier_page::PAGE_MAX_ENTRIES;
use zkpay_core::program::settle::Step;
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

    // A split of the SOL pool's nullifier page, filled to the brim, for a
    // nullifier not yet spent.
    let nullifier = [7u8; 32];
    let page = chain.live_page(&nullifier).await;
    chain
        .fill_page(page.address, PAGE_MAX_ENTRIES, &[])
        .await;
    let page = chain.live_page(&nullifier).await;
    let split = split_instruction(&keys.pool, &payer, &page, &nullifier);
    chain.send(&[split], &[]).await.unwrap();
    lines.push(("split_nullifier_page", chain.last_compute_units));

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
        if !["initialize_pool", "split_nullifier_page"].contains(kind) {
            assert!(*units <= TRANSACT_CU_LIMIT, "{kind}: {units} CU");
        }
    }
    if let ProgramBuild::Sbf(program) = &chain.build {
        print_each_step(program).await;
    }
}

/// Prints the compute units of each step of `transact` (`cu-step <kind>
/// <step> <units>`), measured on `zkpay_cu_steps.so` beside `program`: the
/// program built with the `cu-steps` feature, which logs the units left as
/// each step begins (`zkpay_core::program::settle::Step`). Each log costs
/// the syscall's 100 CU, taken off here; `entry` is the entrypoint, the
/// instruction's parsing and the account checks, `exit` what follows the
/// last step. (Part of the one test, so that its lines print together.)
async fn print_each_step(program: &std::path::Path) {
    let steps_program = program.with_file_name("zkpay_cu_steps.so");
    assert!(
        steps_program.is_file(),
        "{} is missing: scripts/sbf-build.sh builds it beside the program",
        steps_program.display()
    );
    let mut chain = Chain::with_sol_pool_on(ProgramBuild::Sbf(steps_program)).await;
    let mut rng = rng();
    let alice = SpendingKey::random(&mut rng);
    let bob = SpendingKey::random(&mut rng);

    let (deposit, note) = deposit_payment(&chain, &alice, 3 * SOL, &mut rng);
    chain.settle(&deposit).await.unwrap();
    print_steps("deposit", &chain.last_logs, chain.last_compute_units);

    let transfer = transfer_payment(&chain, (note, &alice, 0), &bob, SOL, &mut rng);
    chain.settle(&transfer).await.unwrap();
    print_steps("transfer", &chain.last_logs, chain.last_compute_units);
}

/// Prints the `cu-step` lines of one settlement from its logs.
fn print_steps(kind: &str, logs: &[String], consumed: u64) {
    const LOG_COST: u64 = 100;
    let program = format!("Program {} consumed ", zkpay::ID);
    let budget: u64 = logs
        .iter()
        .filter_map(|line| line.strip_prefix(&program))
        .last() // the settlement's own line, after its self-CPI's
        .and_then(|rest| rest.split(' ').nth(2))
        .and_then(|units| units.parse().ok())
        .expect("the program's `consumed N of M` line");
    let left: Vec<u64> = logs
        .iter()
        .filter_map(|line| line.strip_prefix("Program consumption: "))
        .filter_map(|rest| rest.strip_suffix(" units remaining"))
        .map(|units| units.parse().unwrap())
        .collect();
    assert_eq!(left.len(), Step::ALL.len(), "one log per step: {logs:#?}");
    let mut total = budget - left[0] - LOG_COST;
    println!("cu-step {kind} entry {total}");
    for (step, pair) in Step::ALL.iter().zip(left.windows(2)) {
        let units = pair[0] - pair[1] - LOG_COST;
        println!("cu-step {kind} {} {units}", step.name());
        total += units;
    }
    let logs_cost = LOG_COST * Step::ALL.len() as u64;
    let exit = consumed - logs_cost - total;
    println!("cu-step {kind} exit {exit}");
    println!("cu-step {kind} total {}", total + exit);
}
