//! A random sequence of deposits, transfers and withdrawals by several
//! users: after every step the vault holds exactly its rent reserve plus the
//! unspent notes, and every user's notes and withdrawals are as expected.

mod common;

use common::*;
use rand::Rng;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use zkpay_circuits::note::{Note, SpendingKey};

const OPERATIONS: usize = 200;
const USERS: usize = 3;
const UNIT: u64 = 1_000_000; // 0.001 SOL

struct User {
    key: SpendingKey,
    /// Unspent notes with their leaf index.
    notes: Vec<(Note, u64)>,
    /// A public address withdrawals go to.
    address: Pubkey,
    withdrawn: u64,
}

impl User {
    fn balance(&self) -> u64 {
        self.notes.iter().map(|(note, _)| note.amount).sum()
    }
}

#[tokio::test]
async fn vault_always_equals_the_unspent_notes() {
    let mut chain = Chain::with_sol_pool().await;
    let mut rng = rng();
    let keys = chain.keys;
    let payer = chain.payer();
    let reserve = chain.lamports(keys.vault).await;
    let mut users: Vec<User> = (0..USERS)
        .map(|_| User {
            key: SpendingKey::random(&mut rng),
            notes: Vec::new(),
            address: Keypair::new().pubkey(),
            withdrawn: 0,
        })
        .collect();
    let mut counts = [0usize; 3];

    for step in 0..OPERATIONS {
        let who = rng.gen_range(0..USERS);
        let asset = keys.asset_id();
        let kind = if users[who].notes.is_empty() {
            0
        } else {
            rng.gen_range(0..3)
        };
        // Spend up to two of the user's notes (the oldest first).
        let spent: Vec<(Note, u64)> = users[who].notes.iter().take(2).copied().collect();
        let available: u64 = spent.iter().map(|(note, _)| note.amount).sum();
        let owner_key = users[who].key.clone();
        let input = |i: usize, rng: &mut _| match spent.get(i) {
            Some((note, leaf)) => (*note, owner_key.clone(), Some(*leaf)),
            None => dummy_input(&owner_key, &keys, rng),
        };
        let inputs = if kind == 0 {
            [
                dummy_input(&owner_key, &keys, &mut rng),
                dummy_input(&owner_key, &keys, &mut rng),
            ]
        } else {
            [input(0, &mut rng), input(1, &mut rng)]
        };

        let (outputs, ext_amount, recipient, payee) = match kind {
            0 => {
                let amount = rng.gen_range(1..=2000) * UNIT;
                let note = Note::new(amount, owner_key.owner(), asset, &mut rng);
                (
                    [note, Note::dummy(owner_key.owner(), asset, &mut rng)],
                    amount as i64,
                    payer,
                    None,
                )
            }
            1 => {
                let to = (who + rng.gen_range(1..USERS)) % USERS;
                let amount = rng.gen_range(0..=available / UNIT) * UNIT;
                let paid = Note::new(amount, users[to].key.owner(), asset, &mut rng);
                let change = Note::new(available - amount, owner_key.owner(), asset, &mut rng);
                ([paid, change], 0, payer, Some(to))
            }
            _ => {
                // Whole units, so a fresh recipient is always rent-exempt.
                let amount = rng.gen_range(1..=available / UNIT) * UNIT;
                let change = Note::new(available - amount, owner_key.owner(), asset, &mut rng);
                (
                    [change, Note::dummy(owner_key.owner(), asset, &mut rng)],
                    -(amount as i64),
                    users[who].address,
                    None,
                )
            }
        };
        let payment = prove_payment(
            &chain.tree,
            &keys,
            inputs,
            outputs,
            ext_amount,
            0,
            recipient,
            payer,
            &mut rng,
        );
        let first_leaf = chain.tree.len();
        chain
            .settle(&payment)
            .await
            .unwrap_or_else(|e| panic!("step {step}: {e}"));
        counts[kind] += 1;

        // Update the model.
        if kind != 0 {
            users[who].notes.drain(..spent.len());
        }
        match (kind, payee) {
            (1, Some(to)) => {
                users[to].notes.push((outputs[0], first_leaf));
                users[who].notes.push((outputs[1], first_leaf + 1));
            }
            (2, _) => {
                users[who].withdrawn += ext_amount.unsigned_abs();
                users[who].notes.push((outputs[0], first_leaf));
            }
            _ => users[who].notes.push((outputs[0], first_leaf)),
        }
        for user in users.iter_mut() {
            user.notes.retain(|(note, _)| note.amount > 0);
        }

        let unspent: u64 = users.iter().map(User::balance).sum();
        assert_eq!(
            chain.lamports(keys.vault).await,
            reserve + unspent,
            "after step {step}"
        );
    }

    for user in &users {
        assert_eq!(chain.lamports(user.address).await, user.withdrawn);
    }
    assert_eq!(
        chain.tree_account().await.frontier.root(),
        chain.tree.root()
    );
    println!(
        "deposits {}, transfers {}, withdrawals {}",
        counts[0], counts[1], counts[2]
    );
    assert!(counts.iter().all(|&count| count >= 20), "{counts:?}");
}
