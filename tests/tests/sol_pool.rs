//! The SOL pool in the real runtime: payments end to end with balances to
//! the lamport, and each check of `transact` failing its attack.

mod common;

use common::*;
use rand::rngs::StdRng;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use zkpay_circuits::note::{Note, SpendingKey};
use zkpay_core::constants::{TREE_CAPACITY, TREE_DEPTH};
use zkpay_core::error::ZkpayError;
use zkpay_core::field::non_canonical_alias;
use zkpay_core::program::nullifier_page::NULLIFIER_STORAGE_FEE;
use zkpay_core::tree::{empty_root, MerklePath};
use zkpay_core::zero_hashes::ZERO_HASHES;

const SOL: u64 = 1_000_000_000;

/// Alice's deposit of `amount` into a fresh SOL pool; returns the note.
async fn deposited(
    chain: &mut Chain,
    alice: &SpendingKey,
    amount: u64,
    rng: &mut StdRng,
) -> (Note, u64) {
    let (deposit, note) = deposit_payment(chain, alice, amount, rng);
    let leaf = chain.tree.len();
    let size = chain.settle_as(None, &deposit).await.unwrap();
    println!("SOL deposit transaction: {size} bytes");
    (note, leaf)
}

/// A valid, unsent payment: Alice pays Bob 1 SOL of her deposited note,
/// to be tampered with.
async fn pending_payment(chain: &mut Chain) -> Payment {
    let mut rng = rng();
    let alice = SpendingKey::random(&mut rng);
    let bob = SpendingKey::random(&mut rng);
    let (note, leaf) = deposited(chain, &alice, 3 * SOL, &mut rng).await;
    transfer_payment(chain, (note, &alice, leaf), &bob, SOL, &mut rng)
}

/// A proof that Alice spends her `note` at `leaf` into a new note of hers.
fn self_payment(
    chain: &Chain,
    alice: &SpendingKey,
    note: Note,
    leaf: u64,
    rng: &mut StdRng,
) -> Payment {
    let keys = chain.keys;
    let payer = chain.payer();
    prove_payment(
        &chain.tree,
        &keys,
        [
            (note, alice.clone(), Some(leaf)),
            dummy_input(alice, &keys, rng),
        ],
        [
            Note::new(note.amount, alice.owner(), keys.asset_id(), rng),
            Note::dummy(alice.owner(), keys.asset_id(), rng),
        ],
        0,
        0,
        payer,
        payer,
        rng,
    )
}

/// Sends `payment` and asserts it fails with `expected`, changing nothing.
async fn rejected(chain: &mut Chain, payment: &Payment, expected: ZkpayError) {
    let payer = chain.payer();
    let fee = chain.signature_fee(1).await;
    let before = chain.snapshot(payment).await;
    let payer_before = chain.lamports(payer).await;
    let ix = payment.instruction(&payer, &chain.keys);
    assert_program_error(chain.send(&[ix], &[]).await, expected);
    assert_eq!(
        chain.snapshot(payment).await,
        before,
        "a rejected payment changed state"
    );
    assert_eq!(
        chain.lamports(payer).await,
        payer_before - fee,
        "the payer lost more than the fee"
    );
}

#[tokio::test]
async fn deposit_transfer_and_withdrawals_settle_to_the_lamport() {
    let mut chain = Chain::with_sol_pool().await;
    let mut rng = rng();
    let keys = chain.keys;
    let alice = SpendingKey::random(&mut rng);
    let bob = SpendingKey::random(&mut rng);
    // What each settlement costs its payer besides the signature fee: the
    // storage fee, into the pool's reserve.
    let storage_fee = NULLIFIER_STORAGE_FEE;
    let tx_fee = chain.signature_fee(1).await;
    let vault_rent = chain.lamports(keys.vault).await;
    assert_eq!(
        vault_rent,
        chain.rent(0).await,
        "the vault starts with its rent reserve only"
    );

    // Alice deposits 5 SOL.
    let payer = chain.payer();
    let payer_before = chain.lamports(payer).await;
    let (alice_note, alice_leaf) = deposited(&mut chain, &alice, 5 * SOL, &mut rng).await;
    assert_eq!(chain.lamports(keys.vault).await, vault_rent + 5 * SOL);
    assert_eq!(
        chain.lamports(payer).await,
        payer_before - 5 * SOL - storage_fee - tx_fee
    );
    assert_eq!(
        chain.tree_account().await.frontier.root(),
        chain.tree.root()
    );

    // Alice pays Bob 2 SOL privately: nothing moves in or out of the vault.
    let bob_note = Note::new(2 * SOL, bob.owner(), keys.asset_id(), &mut rng);
    let change = Note::new(3 * SOL, alice.owner(), keys.asset_id(), &mut rng);
    let payment = prove_payment(
        &chain.tree,
        &keys,
        [
            (alice_note, alice.clone(), Some(alice_leaf)),
            dummy_input(&alice, &keys, &mut rng),
        ],
        [bob_note, change],
        0,
        0,
        payer,
        payer,
        &mut rng,
    );
    let bob_leaf = chain.tree.len();
    let size = chain.settle_as(None, &payment).await.unwrap();
    println!("SOL private transfer transaction: {size} bytes");
    assert_eq!(chain.lamports(keys.vault).await, vault_rent + 5 * SOL);

    // Bob withdraws 0.5 SOL to a fresh address.
    let recipient = Keypair::new().pubkey();
    let bob_rest = Note::new(3 * SOL / 2, bob.owner(), keys.asset_id(), &mut rng);
    let withdrawal = prove_payment(
        &chain.tree,
        &keys,
        [
            (bob_note, bob.clone(), Some(bob_leaf)),
            dummy_input(&bob, &keys, &mut rng),
        ],
        [
            bob_rest,
            Note::dummy(bob.owner(), keys.asset_id(), &mut rng),
        ],
        -((SOL / 2) as i64),
        0,
        recipient,
        payer,
        &mut rng,
    );
    let rest_leaf = chain.tree.len();
    let size = chain.settle_as(None, &withdrawal).await.unwrap();
    println!("SOL withdrawal transaction: {size} bytes");
    assert_eq!(chain.lamports(recipient).await, SOL / 2);
    assert_eq!(
        chain.lamports(keys.vault).await,
        vault_rent + 5 * SOL - SOL / 2
    );

    // Bob withdraws the rest through a relayer that submits the transaction
    // and is paid 0.01 SOL from the pool.
    let relayer = Keypair::new();
    chain.airdrop(relayer.pubkey(), SOL).await;
    let relayer_before = chain.lamports(relayer.pubkey()).await;
    let fee = SOL / 100;
    let full = prove_payment(
        &chain.tree,
        &keys,
        [
            (bob_rest, bob.clone(), Some(rest_leaf)),
            dummy_input(&bob, &keys, &mut rng),
        ],
        [
            Note::dummy(bob.owner(), keys.asset_id(), &mut rng),
            Note::dummy(bob.owner(), keys.asset_id(), &mut rng),
        ],
        -((3 * SOL / 2 - fee) as i64),
        fee,
        recipient,
        relayer.pubkey(),
        &mut rng,
    );
    let size = chain.settle_as(Some(&relayer), &full).await.unwrap();
    println!("SOL relayed withdrawal transaction: {size} bytes");
    assert_eq!(chain.lamports(recipient).await, SOL / 2 + 3 * SOL / 2 - fee);
    assert_eq!(
        chain.lamports(relayer.pubkey()).await,
        relayer_before + fee - storage_fee - tx_fee
    );
    // What is left is Alice's 3 SOL change, on top of the rent reserve.
    assert_eq!(chain.lamports(keys.vault).await, vault_rent + 3 * SOL);
    assert_eq!(
        chain.tree_account().await.frontier.root(),
        chain.tree.root()
    );
    assert_eq!(chain.tree_account().await.frontier.next_index(), 8);
}

#[tokio::test]
async fn a_note_cannot_be_spent_twice_across_transactions() {
    let mut chain = Chain::with_sol_pool().await;
    let mut rng = rng();
    let keys = chain.keys;
    let alice = SpendingKey::random(&mut rng);
    let (note, leaf) = deposited(&mut chain, &alice, SOL, &mut rng).await;
    let payer = chain.payer();
    let first = self_payment(&chain, &alice, note, leaf, &mut rng);
    chain.settle(&first).await.unwrap();
    // A fresh proof, against the newer root, of the same note.
    let second = self_payment(&chain, &alice, note, leaf, &mut rng);
    assert_eq!(second.input_nullifiers[0], first.input_nullifiers[0]);
    let ix = second.instruction(&payer, &keys);
    let tree_before = chain.account(keys.tree).await;
    assert_program_error(
        chain.send(&[ix], &[]).await,
        ZkpayError::NullifierAlreadySpent,
    );
    assert_eq!(chain.account(keys.tree).await, tree_before);
}

#[tokio::test]
async fn a_note_cannot_be_spent_twice_in_one_transaction() {
    let mut chain = Chain::with_sol_pool().await;
    let mut rng = rng();
    let keys = chain.keys;
    let alice = SpendingKey::random(&mut rng);
    let (note, leaf) = deposited(&mut chain, &alice, SOL, &mut rng).await;
    let payer = chain.payer();
    let first = self_payment(&chain, &alice, note, leaf, &mut rng);
    let second = self_payment(&chain, &alice, note, leaf, &mut rng);
    let before = chain.snapshot(&first).await;
    let ixs = [
        first.instruction(&payer, &keys),
        second.instruction(&payer, &keys),
    ];
    assert_program_error(
        chain.send(&ixs, &[]).await,
        ZkpayError::NullifierAlreadySpent,
    );
    assert_eq!(
        chain.snapshot(&first).await,
        before,
        "the first instruction was not rolled back"
    );

    // The same nullifier in both slots of one instruction.
    let mut doubled = first.clone();
    doubled.input_nullifiers[1] = doubled.input_nullifiers[0];
    rejected(&mut chain, &doubled, ZkpayError::DuplicateNullifier).await;
}

#[tokio::test]
async fn a_tampered_proof_is_rejected() {
    let mut chain = Chain::with_sol_pool().await;
    let mut payment = pending_payment(&mut chain).await;
    payment.args.proof[200] ^= 1;
    rejected(&mut chain, &payment, ZkpayError::InvalidProof).await;
}

#[tokio::test]
async fn a_proof_with_a_flag_bit_set_is_not_a_second_valid_encoding() {
    let mut chain = Chain::with_sol_pool().await;
    let payment = pending_payment(&mut chain).await;
    // The top bit of B's y.c1 coordinate (proof byte 128): ignored by the
    // curve arithmetic, so without the canonical check this transaction
    // would settle as a second encoding of the same proof.
    let mut flagged = payment.clone();
    flagged.args.proof[128] |= 0x80;
    rejected(&mut chain, &flagged, ZkpayError::NonCanonicalProof).await;
    chain.settle(&payment).await.unwrap();
}

#[tokio::test]
async fn altered_public_inputs_are_rejected() {
    let mut chain = Chain::with_sol_pool().await;
    let payment = pending_payment(&mut chain).await;
    let mut commitment = payment.clone();
    commitment.args.output_commitments[1][31] ^= 1;
    rejected(&mut chain, &commitment, ZkpayError::InvalidProof).await;
    let mut nullifier = payment.clone();
    nullifier.input_nullifiers[1][31] ^= 1;
    rejected(&mut chain, &nullifier, ZkpayError::InvalidProof).await;
}

#[tokio::test]
async fn public_inputs_at_or_above_the_modulus_are_rejected() {
    let mut chain = Chain::with_sol_pool().await;
    let payment = pending_payment(&mut chain).await;
    let mut commitment = payment.clone();
    commitment.args.output_commitments[0] =
        non_canonical_alias(&payment.args.output_commitments[0]);
    rejected(&mut chain, &commitment, ZkpayError::NonCanonicalPublicInput).await;
    let mut nullifier = payment.clone();
    nullifier.input_nullifiers[0] = non_canonical_alias(&payment.input_nullifiers[0]);
    rejected(&mut chain, &nullifier, ZkpayError::NonCanonicalPublicInput).await;
    let mut root = payment.clone();
    root.args.root = non_canonical_alias(&payment.args.root);
    rejected(&mut chain, &root, ZkpayError::NonCanonicalPublicInput).await;
}

#[tokio::test]
async fn a_root_that_was_never_a_root_is_rejected() {
    let mut chain = Chain::with_sol_pool().await;
    let mut payment = pending_payment(&mut chain).await;
    payment.args.root = [7u8; 32];
    rejected(&mut chain, &payment, ZkpayError::UnknownRoot).await;
}

#[tokio::test]
async fn front_running_changes_are_rejected() {
    let mut chain = Chain::with_sol_pool().await;
    let payment = pending_payment(&mut chain).await;
    let thief = Keypair::new().pubkey();
    let mut recipient = payment.clone();
    recipient.recipient = thief;
    rejected(&mut chain, &recipient, ZkpayError::InvalidProof).await;
    let mut relayer = payment.clone();
    relayer.relayer = thief;
    rejected(&mut chain, &relayer, ZkpayError::InvalidProof).await;
    let mut fee = payment.clone();
    fee.args.fee = 1;
    rejected(&mut chain, &fee, ZkpayError::InvalidProof).await;
    let mut amount = payment.clone();
    amount.args.ext_amount = -1;
    rejected(&mut chain, &amount, ZkpayError::InvalidProof).await;
    let mut output = payment.clone();
    output.args.encrypted_outputs[0][10] ^= 1;
    rejected(&mut chain, &output, ZkpayError::InvalidProof).await;
}

#[tokio::test]
async fn a_deposit_must_transfer_what_its_proof_says() {
    let mut chain = Chain::with_sol_pool().await;
    let mut rng = rng();
    let keys = chain.keys;
    let alice = SpendingKey::random(&mut rng);
    let payer = chain.payer();
    let mut deposit = prove_payment(
        &chain.tree,
        &keys,
        [
            dummy_input(&alice, &keys, &mut rng),
            dummy_input(&alice, &keys, &mut rng),
        ],
        [
            Note::new(2 * SOL, alice.owner(), keys.asset_id(), &mut rng),
            Note::dummy(alice.owner(), keys.asset_id(), &mut rng),
        ],
        (2 * SOL) as i64,
        0,
        payer,
        payer,
        &mut rng,
    );
    // Pay 1 SOL in for a 2 SOL note.
    deposit.args.ext_amount = SOL as i64;
    rejected(&mut chain, &deposit, ZkpayError::InvalidProof).await;
}

#[tokio::test]
async fn a_wrong_vault_is_rejected() {
    let mut chain = Chain::with_sol_pool().await;
    let payment = pending_payment(&mut chain).await;
    let payer = chain.payer();
    let before = chain.snapshot(&payment).await;
    let mut ix = payment.instruction(&payer, &chain.keys);
    // Accounts: payer, pool, tree, vault, ...; a withdrawal would pay out of
    // whatever stands in the vault's place.
    ix.accounts[3].pubkey = payer;
    assert_program_error(chain.send(&[ix], &[]).await, ZkpayError::WrongVault);
    assert_eq!(chain.snapshot(&payment).await, before);
}

#[tokio::test]
async fn a_tree_claiming_the_pool_is_not_the_pools_tree() {
    // The link is checked both ways: a second program-owned tree whose
    // `pool` field names this pool (a state only seeding can make) is still
    // refused, because the pool names another tree.
    let mut chain = Chain::with_sol_pool().await;
    let payment = pending_payment(&mut chain).await;
    let rogue = solana_sdk::pubkey::Pubkey::new_unique();
    let copy = chain.account(chain.keys.tree).await.unwrap();
    chain.context.set_account(&rogue, &copy.into());
    let before = chain.snapshot(&payment).await;
    let mut ix = payment.instruction(&chain.payer(), &chain.keys);
    ix.accounts[2].pubkey = rogue;
    assert_program_error(chain.send(&[ix], &[]).await, ZkpayError::WrongTree);
    assert_eq!(chain.snapshot(&payment).await, before);
    chain.settle(&payment).await.unwrap();
}

#[tokio::test]
async fn a_pool_is_initialised_once() {
    let mut chain = Chain::with_sol_pool().await;
    let tree = Keypair::new();
    let mut keys = chain.keys;
    keys.tree = tree.pubkey();
    let lamports = chain
        .rent(zkpay_core::program::state::TreeState::SPACE)
        .await;
    let payer = chain.payer();
    let vault_before = chain.account(keys.vault).await;
    let instructions = initialize_pool_instructions(&payer, &keys, lamports);
    assert_program_error(
        chain.send(&instructions, &[&tree]).await,
        ZkpayError::PoolAlreadyInitialized,
    );
    assert_eq!(chain.account(keys.vault).await, vault_before);
    assert!(chain.account(tree.pubkey()).await.is_none());
}

#[tokio::test]
async fn a_withdrawal_larger_than_the_vault_is_rejected() {
    use bytemuck::Zeroable;
    use solana_sdk::account::Account;
    use zkpay_core::program::ids::{
        NULLIFIER_PAGE_DISCRIMINATOR, POOL_DISCRIMINATOR, POOL_SEED, TREE_DISCRIMINATOR, VAULT_SEED,
    };
    use zkpay_core::program::nullifier_page::NullifierPage;
    use zkpay_core::program::state::{AssetKind, PoolState, TreeState};
    use zkpay_core::tree::{Frontier, RootHistory};

    // A pool whose tree holds a 10 SOL note while its vault holds 1 SOL:
    // a state honest use never reaches, seeded directly into the runtime.
    let mut rng = rng();
    let alice = SpendingKey::random(&mut rng);
    let tree_keypair = Keypair::new();
    let keys = pool_keys(
        solana_sdk::pubkey::Pubkey::new_from_array([0; 32]),
        &tree_keypair,
    );
    let note = Note::new(10 * SOL, alice.owner(), keys.asset_id(), &mut rng);
    let leaves = [
        bytes(&note.commitment()),
        bytes(&Note::dummy(alice.owner(), keys.asset_id(), &mut rng).commitment()),
    ];

    let (_, pool_bump) = solana_sdk::pubkey::Pubkey::find_program_address(
        &[POOL_SEED, keys.mint.as_ref()],
        &zkpay::ID,
    );
    let (_, vault_bump) = solana_sdk::pubkey::Pubkey::find_program_address(
        &[VAULT_SEED, keys.pool.as_ref()],
        &zkpay::ID,
    );
    let pool = PoolState::new(
        &keys.mint.to_bytes(),
        [&keys.tree.to_bytes(), &keys.vault.to_bytes()],
        [pool_bump, vault_bump],
        AssetKind::Sol,
        9,
    );
    let mut frontier = Frontier::new();
    frontier.append_pair(&leaves[0], &leaves[1]).unwrap();
    let mut history: Box<RootHistory> = Box::new(RootHistory::zeroed());
    history.push(&Frontier::new().root());
    history.push(&frontier.root());
    let mut tree_data = TREE_DISCRIMINATOR.to_vec();
    tree_data.extend_from_slice(keys.pool.as_ref());
    tree_data.extend_from_slice(bytemuck::bytes_of(&frontier));
    tree_data.extend_from_slice(bytemuck::bytes_of(&*history));
    let mut pool_data = POOL_DISCRIMINATOR.to_vec();
    pool_data.extend_from_slice(bytemuck::bytes_of(&pool));

    let rent = solana_sdk::rent::Rent::default();
    let mut test = program_test();
    let program_account = |data: Vec<u8>, lamports: u64| Account {
        lamports,
        data,
        owner: zkpay::ID,
        executable: false,
        rent_epoch: 0,
    };
    test.add_account(
        keys.pool,
        program_account(pool_data, rent.minimum_balance(PoolState::SPACE)),
    );
    test.add_account(
        keys.tree,
        program_account(tree_data, rent.minimum_balance(TreeState::SPACE)),
    );
    test.add_account(
        keys.vault,
        program_account(Vec::new(), rent.minimum_balance(0) + SOL),
    );
    let mut page = NullifierPage::zeroed();
    page.init(&keys.pool.to_bytes(), 0, 0);
    let mut page_data = NULLIFIER_PAGE_DISCRIMINATOR.to_vec();
    page_data.extend_from_slice(bytemuck::bytes_of(&page));
    test.add_account(
        keys.root_page(),
        program_account(page_data, rent.minimum_balance(NullifierPage::SPACE)),
    );
    let mut chain = Chain::resume(test, keys, &leaves).await;

    let recipient = Keypair::new().pubkey();
    let payer = chain.payer();
    let withdrawal = prove_payment(
        &chain.tree,
        &keys,
        [
            (note, alice.clone(), Some(0)),
            dummy_input(&alice, &keys, &mut rng),
        ],
        [
            Note::dummy(alice.owner(), keys.asset_id(), &mut rng),
            Note::dummy(alice.owner(), keys.asset_id(), &mut rng),
        ],
        -((10 * SOL) as i64),
        0,
        recipient,
        payer,
        &mut rng,
    );
    rejected(
        &mut chain,
        &withdrawal,
        ZkpayError::InsufficientVaultBalance,
    )
    .await;
}

#[tokio::test]
async fn settlement_emits_the_event_wallets_scan() {
    let mut chain = Chain::with_sol_pool().await;
    let payment = pending_payment(&mut chain).await;
    let first_leaf_index = chain.tree.len();
    let ix = payment.instruction(&chain.payer(), &chain.keys);
    let tx = chain.transaction(&[ix], &[]).await;
    let events = chain.simulated_events(&tx).await;
    chain.process(tx).await.unwrap();
    chain.tree.extend(&payment.commitments()).unwrap();

    assert_eq!(events.len(), 1, "one Settled event per transfer");
    let event = &events[0];
    assert_eq!(event.pool, chain.keys.pool.to_bytes());
    assert_eq!(event.first_leaf_index, first_leaf_index);
    assert_eq!(event.commitments, payment.args.output_commitments);
    assert_eq!(event.nullifiers, payment.input_nullifiers);
    assert_eq!(event.root, chain.tree.root());
    assert_eq!(event.encrypted_outputs, payment.args.encrypted_outputs);
}

#[tokio::test]
async fn malformed_arguments_are_rejected_before_any_work() {
    let mut chain = Chain::with_sol_pool().await;
    let payment = pending_payment(&mut chain).await;
    let mut oversized = payment.clone();
    oversized.args.encrypted_outputs[1] =
        vec![7u8; zkpay_core::program::ids::MAX_ENCRYPTED_OUTPUT_LEN + 1];
    rejected(&mut chain, &oversized, ZkpayError::EncryptedOutputTooLarge).await;
    let mut unrepresentable = payment.clone();
    unrepresentable.args.ext_amount = i64::MIN;
    rejected(
        &mut chain,
        &unrepresentable,
        ZkpayError::ExtAmountOutOfRange,
    )
    .await;
    // The untouched payment still settles afterwards.
    chain.settle(&payment).await.unwrap();
}

#[tokio::test]
async fn a_full_tree_still_pays_out_a_withdrawal_of_whole_notes() {
    let mut chain = Chain::with_sol_pool().await;
    let mut rng = rng();
    let keys = chain.keys;
    let payer = chain.payer();
    // The tree as after 2^26 - 2 empty leaves: room for one more pair. Its
    // frontier (docs/PROTOCOL.md, account layouts: after the discriminator
    // and the pool, `next_index` then the left nodes of heights 1 to 25)
    // holds empty subtrees; its root is still the empty root.
    let mut account = chain.account(keys.tree).await.unwrap();
    let frontier = 8 + 32;
    account.data[frontier..frontier + 8].copy_from_slice(&(TREE_CAPACITY - 2).to_le_bytes());
    for height in 1..TREE_DEPTH {
        let at = frontier + 8 + 32 * (height - 1);
        account.data[at..at + 32].copy_from_slice(&ZERO_HASHES[height]);
    }
    chain.context.set_account(&keys.tree, &account.into());
    assert_eq!(chain.tree_account().await.frontier.root(), empty_root());

    // Alice's deposit takes the last pair.
    let alice = SpendingKey::random(&mut rng);
    let (deposit, note) = deposit_payment(&chain, &alice, SOL, &mut rng);
    chain
        .send(&[deposit.instruction(&payer, &keys)], &[])
        .await
        .unwrap();
    let full = chain.tree_account().await;
    assert_eq!(full.frontier.next_index(), TREE_CAPACITY);
    // Her note's path: the other leaf of its pair, then empty subtrees.
    let mut siblings: [[u8; 32]; TREE_DEPTH] = ZERO_HASHES[..TREE_DEPTH].try_into().unwrap();
    siblings[0] = deposit.commitments()[1];
    let path = MerklePath {
        leaf_index: TREE_CAPACITY - 2,
        siblings,
    };
    let root = full.frontier.root();
    assert_eq!(path.root_for(&deposit.commitments()[0]).unwrap(), root);

    // Nothing else fits: another deposit, and a withdrawal keeping change
    // (its outputs carry ciphertexts, so it is not an exit), fail with
    // TreeFull and change nothing.
    let (another, _) = deposit_payment(&chain, &alice, SOL, &mut rng);
    rejected(&mut chain, &another, ZkpayError::TreeFull).await;
    let recipient = Pubkey::new_unique();
    let spend = || (note, alice.clone(), Some(path));
    let dummy = |rng: &mut StdRng| {
        let (note, key, _) = dummy_input(&alice, &keys, rng);
        (note, key, None)
    };
    let keeps_change = prove_payment_at(
        root,
        &keys,
        [spend(), dummy(&mut rng)],
        [
            Note::new(SOL / 2, alice.owner(), keys.asset_id(), &mut rng),
            Note::dummy(alice.owner(), keys.asset_id(), &mut rng),
        ],
        (-((SOL / 2) as i64), 0),
        (recipient, payer),
        [ciphertext(1), ciphertext(2)],
        &mut rng,
    );
    rejected(&mut chain, &keeps_change, ZkpayError::TreeFull).await;

    // The exit: the whole note out, zero-value outputs without ciphertexts.
    // It appends nothing and pays out.
    let exit = |rng: &mut StdRng| {
        prove_payment_at(
            root,
            &keys,
            [spend(), dummy(rng)],
            [
                Note::dummy(alice.owner(), keys.asset_id(), rng),
                Note::dummy(alice.owner(), keys.asset_id(), rng),
            ],
            (-(SOL as i64), 0),
            (recipient, payer),
            [Vec::new(), Vec::new()],
            rng,
        )
    };
    let first = exit(&mut rng);
    let tx = chain
        .transaction(&[first.instruction(&payer, &keys)], &[])
        .await;
    let events = chain.simulated_events(&tx).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].first_leaf_index, events[0].root),
        (TREE_CAPACITY, root)
    );
    assert_eq!(events[0].nullifiers, first.input_nullifiers);
    chain.process(tx).await.unwrap();
    assert_eq!(chain.lamports(recipient).await, SOL);
    let after = chain.tree_account().await;
    assert_eq!(
        (after.frontier.next_index(), after.frontier.root()),
        (TREE_CAPACITY, root)
    );

    // Once: the same note cannot exit again.
    let again = exit(&mut rng);
    rejected(&mut chain, &again, ZkpayError::NullifierAlreadySpent).await;
}
