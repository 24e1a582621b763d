//! Sync against what a node serves, and against a node or a cluster that
//! misbehaves: transactions of other pools and junk naming the tree, a
//! flood past the read budget, settlements out of order, a gap, blocks
//! rolled back, and a node failing in the middle of a sync. The chain is
//! the embedded one, which answers as a node does (every transaction naming
//! the tree), running the SBF program when built.
//! After each attack a normal payment is still found.

mod common;

use solana_sdk::account::Account;
use solana_sdk::instruction::{AccountMeta, Instruction};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use solana_sdk::transaction::Transaction;
use tempfile::TempDir;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::{
    settled_events, Chain, ChainError, Settlement, SettlementPage, TransactionStatus,
    SETTLEMENT_READ_BUDGET,
};
use zkpay_client::pool::{load_pool, open_pool, SOL};
use zkpay_client::wallet::{Wallet, WalletError};
use zkpay_core::program::state::TreeState;

use common::{deposit_instruction, funded, wallet, SOL_UNIT};

/// The embedded chain behind a node that can misbehave.
struct Node {
    chain: EmbeddedChain,
    /// Serve each page's settlements in reverse order.
    reverse: bool,
    /// Leave out the settlement appending this leaf, from this many reads.
    withhold: Option<(u64, usize)>,
    /// Run the next submission on a fork: simulated, not committed, and
    /// served as settled until [`Node::roll_back`].
    fork_next: bool,
    /// The forked settlement and the tree account after it.
    fork: Option<(Settlement, Account)>,
    /// Read at most this many transactions at once, whatever the budget.
    page: Option<usize>,
    /// Serve this many more reads, then fail one.
    fail_after: Option<usize>,
    /// Each read: where it started (`after`), and where it ended (None if
    /// it failed).
    reads: Vec<(Option<Signature>, Option<Signature>)>,
    /// The transactions of the settlements served.
    served: Vec<Signature>,
}

impl Node {
    async fn new() -> Self {
        Node {
            chain: EmbeddedChain::start().await.unwrap(),
            reverse: false,
            withhold: None,
            fork_next: false,
            fork: None,
            page: None,
            fail_after: None,
            reads: Vec::new(),
            served: Vec::new(),
        }
    }

    /// The cluster abandons the fork.
    fn roll_back(&mut self) {
        self.fork = None;
    }

    /// Sends `instructions` paid and signed by `payer`.
    async fn send(&mut self, payer: &Keypair, instructions: &[Instruction]) {
        let blockhash = self.chain.latest_blockhash().await.unwrap();
        let transaction = Transaction::new_signed_with_payer(
            instructions,
            Some(&payer.pubkey()),
            &[payer],
            blockhash,
        );
        self.chain.submit(&transaction).await.unwrap();
    }

    /// What `transaction` would settle, with the tree after it.
    async fn simulate_fork(&mut self, transaction: &Transaction) -> (Settlement, Account) {
        let simulation = self
            .chain
            .context()
            .banks_client
            .simulate_transaction(transaction.clone())
            .await
            .unwrap();
        assert!(matches!(simulation.result, Some(Ok(()))), "{simulation:?}");
        let keys = &transaction.message.account_keys;
        let inner = simulation.simulation_details.unwrap().inner_instructions;
        let event = settled_events(inner.iter().flatten().flatten().filter_map(|ix| {
            let program = keys.get(usize::from(ix.instruction.program_id_index))?;
            Some((program, ix.instruction.data.as_slice()))
        }))
        .pop()
        .expect("a settlement");
        let pool = load_pool(&mut self.chain, &SOL).await.unwrap();
        let mut tree = self.chain.accounts(&[pool.tree]).await.unwrap()[0]
            .clone()
            .unwrap();
        let state = TreeState::from_account_data_mut(&mut tree.data).unwrap();
        state
            .frontier
            .append_pair(&event.commitments[0], &event.commitments[1])
            .unwrap();
        state.history.push(&event.root);
        assert_eq!(state.frontier.root(), event.root);
        let settlement = Settlement {
            signature: transaction.signatures[0],
            event,
        };
        (settlement, tree)
    }
}

impl Chain for Node {
    async fn latest_blockhash(&mut self) -> Result<solana_sdk::hash::Hash, ChainError> {
        self.chain.latest_blockhash().await
    }

    async fn is_blockhash_valid(
        &mut self,
        blockhash: &solana_sdk::hash::Hash,
    ) -> Result<bool, ChainError> {
        self.chain.is_blockhash_valid(blockhash).await
    }

    async fn submit(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        if std::mem::take(&mut self.fork_next) {
            self.fork = Some(self.simulate_fork(transaction).await);
            return Ok(());
        }
        self.chain.submit(transaction).await
    }

    async fn simulate(&mut self, transaction: &Transaction) -> Result<(), ChainError> {
        self.chain.simulate(transaction).await
    }

    async fn status(&mut self, signature: &Signature) -> Result<TransactionStatus, ChainError> {
        self.chain.status(signature).await
    }

    async fn accounts(&mut self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut accounts = self.chain.accounts(addresses).await?;
        if let Some((settlement, tree)) = &self.fork {
            // The forked pool's tree as the fork left it.
            for account in &mut accounts {
                let pool = account
                    .as_ref()
                    .and_then(|a| TreeState::read(&a.data))
                    .map(|t| t.pool);
                if pool == Some(settlement.event.pool) {
                    *account = Some(tree.clone());
                }
            }
        }
        Ok(accounts)
    }

    async fn rent_exempt_minimum(&mut self, space: usize) -> Result<u64, ChainError> {
        self.chain.rent_exempt_minimum(space).await
    }

    async fn settlements(
        &mut self,
        tree: &Pubkey,
        after: Option<&Signature>,
        budget: usize,
    ) -> Result<SettlementPage, ChainError> {
        match self.fail_after {
            Some(0) => {
                self.fail_after = None;
                self.reads.push((after.copied(), None));
                return Err(ChainError::Transport("the node went away".into()));
            }
            Some(reads) => self.fail_after = Some(reads - 1),
            None => {}
        }
        let budget = self.page.map_or(budget, |page| page.min(budget));
        let mut page = self.chain.settlements(tree, after, budget).await?;
        if let Some((settlement, _)) = &self.fork {
            if page.complete && after != Some(&settlement.signature) {
                page.settlements.push(settlement.clone());
                page.read_to = Some(settlement.signature);
            }
        }
        if let Some((leaf, reads)) = self.withhold {
            let before = page.settlements.len();
            page.settlements
                .retain(|s| s.event.first_leaf_index != leaf);
            if page.settlements.len() < before {
                self.withhold = (reads > 1).then_some((leaf, reads - 1));
            }
        }
        if self.reverse {
            page.settlements.reverse();
        }
        self.reads.push((after.copied(), page.read_to));
        self.served
            .extend(page.settlements.iter().map(|s| s.signature));
        Ok(page)
    }

    async fn settled_in(
        &mut self,
        signature: &Signature,
    ) -> Result<Vec<zkpay_client::chain::Settled>, ChainError> {
        self.chain.settled_in(signature).await
    }

    async fn airdrop(&mut self, address: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        self.chain.airdrop(address, lamports).await
    }
}

/// A transfer of `lamports` from `payer` to itself that names `tree`:
/// settles nothing (distinct amounts make distinct signatures).
fn naming(payer: &Keypair, tree: &Pubkey, lamports: u64) -> Instruction {
    let mut transfer = anchor_lang::solana_program::system_instruction::transfer(
        &payer.pubkey(),
        &payer.pubkey(),
        lamports,
    );
    transfer
        .accounts
        .push(AccountMeta::new_readonly(*tree, false));
    transfer
}

/// A deposit of `amount` into a note of `to`'s wallet, from a new payer.
async fn pay(node: &mut Node, to: &Wallet, amount: u64, memo: &[u8]) {
    let payer = funded(&mut node.chain, 10).await;
    let pool = to.pool().clone();
    let deposit = deposit_instruction(
        &mut node.chain,
        &pool,
        &payer.pubkey(),
        &to.address(),
        amount,
        memo,
    )
    .await;
    node.send(&payer, &[deposit]).await;
}

/// Syncs `wallet` and checks it found exactly `amounts`, in that order.
async fn finds(node: &mut Node, wallet: &mut Wallet, amounts: &[u64]) {
    let before = wallet.history().unwrap().len();
    let report = wallet.sync(node).await.unwrap();
    let found: Vec<u64> = wallet.history().unwrap()[before..]
        .iter()
        .map(|line| line.amount)
        .collect();
    assert_eq!(found, amounts, "{report:?}");
}

#[tokio::test]
async fn settlements_of_other_pools_and_junk_naming_the_tree_are_skipped() {
    let mut node = Node::new().await;
    let dir = TempDir::new().unwrap();
    let mut bob = wallet(&mut node.chain, &dir, "bob").await;
    let pool = bob.pool().clone();

    // Anyone can open a pool: the attacker's, of a mint of its own.
    let attacker = funded(&mut node.chain, 100).await;
    let mint = Keypair::new();
    let rent = node.chain.rent_exempt_minimum(82).await.unwrap();
    let create_mint = [
        anchor_lang::solana_program::system_instruction::create_account(
            &attacker.pubkey(),
            &mint.pubkey(),
            rent,
            82,
            &spl_token_interface::ID,
        ),
        spl_token_interface::instruction::initialize_mint2(
            &spl_token_interface::ID,
            &mint.pubkey(),
            &attacker.pubkey(),
            None,
            0,
        )
        .unwrap(),
    ];
    let blockhash = node.chain.latest_blockhash().await.unwrap();
    let transaction = Transaction::new_signed_with_payer(
        &create_mint,
        Some(&attacker.pubkey()),
        &[&attacker, &mint],
        blockhash,
    );
    node.chain.submit(&transaction).await.unwrap();
    open_pool(&mut node.chain, &attacker, &mint.pubkey())
        .await
        .unwrap();

    // One transaction: a payment to Bob, then a settlement of another pool
    // (a deposit of nothing into the attacker's pool, naming Bob's tree as
    // an extra read-only account), then another payment to Bob.
    let theirs = load_pool(&mut node.chain, &mint.pubkey()).await.unwrap();
    let first = deposit_instruction(
        &mut node.chain,
        &pool,
        &attacker.pubkey(),
        &bob.address(),
        SOL_UNIT / 4,
        b"one",
    )
    .await;
    let mut foreign = deposit_instruction(
        &mut node.chain,
        &theirs,
        &attacker.pubkey(),
        &bob.address(),
        0,
        b"",
    )
    .await;
    foreign
        .accounts
        .push(AccountMeta::new_readonly(pool.tree, false));
    let second = deposit_instruction(
        &mut node.chain,
        &pool,
        &attacker.pubkey(),
        &bob.address(),
        SOL_UNIT / 8,
        b"two",
    )
    .await;
    node.send(&attacker, &[first, foreign, second]).await;

    // Junk: transactions that name the tree and settle nothing.
    for lamports in 1..4 {
        node.send(&attacker, &[naming(&attacker, &pool.tree, lamports)])
            .await;
    }

    let report = bob.sync(&mut node).await.unwrap();
    assert_eq!(
        (report.new_notes, report.received, report.foreign),
        (2, SOL_UNIT / 4 + SOL_UNIT / 8, 1),
        "{report:?}"
    );
    assert_eq!(report.leaves, 4);
    pay(&mut node, &bob, SOL_UNIT / 10, b"after").await;
    finds(&mut node, &mut bob, &[SOL_UNIT / 10]).await;
}

#[tokio::test]
async fn a_flood_naming_the_tree_is_read_in_bounded_pages() {
    let mut node = Node::new().await;
    let dir = TempDir::new().unwrap();
    let mut bob = wallet(&mut node.chain, &dir, "bob").await;
    let pool = bob.pool().clone();
    pay(&mut node, &bob, SOL_UNIT / 4, b"before").await;
    let flooder = funded(&mut node.chain, 10).await;
    for lamports in 0..SETTLEMENT_READ_BUDGET as u64 + 50 {
        node.send(&flooder, &[naming(&flooder, &pool.tree, lamports)])
            .await;
    }
    pay(&mut node, &bob, SOL_UNIT / 8, b"after").await;

    // One read never goes past its budget.
    let page = node
        .chain
        .settlements(&pool.tree, None, SETTLEMENT_READ_BUDGET)
        .await
        .unwrap();
    assert!(!page.complete);
    assert_eq!(page.settlements.len(), 1);

    // The wallet reads on, page by page, and finds both payments.
    finds(&mut node, &mut bob, &[SOL_UNIT / 4, SOL_UNIT / 8]).await;
    // And a later sync starts after the flood.
    let page = node
        .chain
        .settlements(
            &pool.tree,
            Some(&bob.history().unwrap().last().unwrap().signature),
            SETTLEMENT_READ_BUDGET,
        )
        .await
        .unwrap();
    assert!(page.complete && page.settlements.is_empty());
}

#[tokio::test]
async fn settlements_served_out_of_order_are_applied_by_leaf_index() {
    let mut node = Node::new().await;
    let dir = TempDir::new().unwrap();
    let mut bob = wallet(&mut node.chain, &dir, "bob").await;
    let amounts = [SOL_UNIT / 2, SOL_UNIT / 4, SOL_UNIT / 8];
    for amount in amounts {
        pay(&mut node, &bob, amount, b"").await;
    }
    node.reverse = true;
    finds(&mut node, &mut bob, &amounts).await;
    pay(&mut node, &bob, SOL_UNIT / 10, b"after").await;
    finds(&mut node, &mut bob, &[SOL_UNIT / 10]).await;
}

#[tokio::test]
async fn a_gap_in_what_the_node_serves_keeps_what_came_before_and_heals() {
    let mut node = Node::new().await;
    let dir = TempDir::new().unwrap();
    let mut bob = wallet(&mut node.chain, &dir, "bob").await;
    pay(&mut node, &bob, SOL_UNIT / 2, b"").await;
    bob.sync(&mut node).await.unwrap();

    // The node leaves out the next settlement: the wallet stops before it,
    // keeping everything, and says why.
    pay(&mut node, &bob, SOL_UNIT / 4, b"").await;
    pay(&mut node, &bob, SOL_UNIT / 8, b"").await;
    node.withhold = Some((2, 1));
    let error = bob.sync(&mut node).await.unwrap_err();
    assert!(
        matches!(error, WalletError::MissingSettlements { missing: 2 }),
        "{error}"
    );
    assert_eq!(
        (bob.tree_len(), bob.balance().unwrap().spendable),
        (2, SOL_UNIT / 2)
    );

    // The newest settlement not listed yet for two reads, as a node whose
    // history lags its accounts: the wallet reads again and finds it.
    pay(&mut node, &bob, SOL_UNIT / 10, b"").await;
    node.withhold = Some((6, 2));
    finds(
        &mut node,
        &mut bob,
        &[SOL_UNIT / 4, SOL_UNIT / 8, SOL_UNIT / 10],
    )
    .await;

    // Left out for good: what comes before it is applied, and the chain's
    // tree shows one is missing.
    pay(&mut node, &bob, SOL_UNIT / 16, b"").await;
    pay(&mut node, &bob, SOL_UNIT / 32, b"").await;
    node.withhold = Some((10, usize::MAX));
    let error = bob.sync(&mut node).await.unwrap_err();
    assert!(
        matches!(error, WalletError::MissingSettlements { missing: 10 }),
        "{error}"
    );
    assert_eq!(bob.tree_len(), 10);

    // The node serves it again: the next sync completes.
    node.withhold = None;
    finds(&mut node, &mut bob, &[SOL_UNIT / 32]).await;
    assert_eq!(
        bob.balance().unwrap().spendable,
        SOL_UNIT / 2 + SOL_UNIT / 4 + SOL_UNIT / 8 + SOL_UNIT / 10 + SOL_UNIT / 16 + SOL_UNIT / 32
    );
}

#[tokio::test]
async fn a_rolled_back_block_is_undone_and_synced_again() {
    let mut node = Node::new().await;
    let dir = TempDir::new().unwrap();
    let mut bob = wallet(&mut node.chain, &dir, "bob").await;
    let mut alice = wallet(&mut node.chain, &dir, "alice").await;
    let mut carol = wallet(&mut node.chain, &dir, "carol").await;
    alice.deposit(&mut node, SOL_UNIT).await.unwrap();
    carol.deposit(&mut node, SOL_UNIT).await.unwrap();
    pay(&mut node, &bob, SOL_UNIT / 2, b"kept").await;
    bob.sync(&mut node).await.unwrap();
    assert_eq!(bob.tree_len(), 6);

    // Alice pays Bob in a block the cluster confirms, and Bob sees it.
    node.fork_next = true;
    alice
        .pay(&mut node, &bob.address(), SOL_UNIT / 4, b"forked")
        .await
        .unwrap();
    finds(&mut node, &mut bob, &[SOL_UNIT / 4]).await;
    assert_eq!(bob.tree_len(), 8);

    // The block is rolled back and nothing took its place yet: the chain's
    // tree is shorter than Bob's, so Bob goes back to the tree it agrees on.
    node.roll_back();
    let report = bob.sync(&mut node).await.unwrap();
    assert_eq!((report.rolled_back, report.leaves), (2, 6), "{report:?}");
    let balance = bob.balance().unwrap();
    assert_eq!((balance.spendable, balance.notes), (SOL_UNIT / 2, 1));
    let memos = |bob: &Wallet| -> Vec<Vec<u8>> {
        bob.history().unwrap().into_iter().map(|l| l.memo).collect()
    };
    assert_eq!(memos(&bob), [b"kept".to_vec()]);

    // Forked again; this time another payment takes the fork's leaves: Bob
    // finds a settlement contradicting its leaves and applies it instead.
    node.fork_next = true;
    carol
        .pay(&mut node, &bob.address(), SOL_UNIT / 8, b"forked again")
        .await
        .unwrap();
    finds(&mut node, &mut bob, &[SOL_UNIT / 8]).await;
    node.roll_back();
    pay(&mut node, &bob, SOL_UNIT / 10, b"instead").await;
    let report = bob.sync(&mut node).await.unwrap();
    assert_eq!((report.rolled_back, report.leaves), (2, 8), "{report:?}");
    let balance = bob.balance().unwrap();
    assert_eq!(
        (balance.spendable, balance.notes),
        (SOL_UNIT / 2 + SOL_UNIT / 10, 2)
    );
    assert_eq!(memos(&bob), [b"kept".to_vec(), b"instead".to_vec()]);
}

#[tokio::test]
async fn an_interrupted_sync_keeps_its_pages_and_resumes_where_it_stopped() {
    let mut node = Node::new().await;
    let dir = TempDir::new().unwrap();
    let mut bob = wallet(&mut node.chain, &dir, "bob").await;
    let amounts = [SOL_UNIT / 2, SOL_UNIT / 4, SOL_UNIT / 8, SOL_UNIT / 16];
    for amount in amounts {
        pay(&mut node, &bob, amount, b"").await;
    }

    // Pages of two transactions; the node goes away after the first.
    node.page = Some(2);
    node.fail_after = Some(1);
    let error = bob.sync(&mut node).await.unwrap_err();
    assert!(
        matches!(error, WalletError::Chain(ChainError::Transport(_))),
        "{error}"
    );
    let [(None, Some(stopped)), (Some(next), None)] = node.reads[..] else {
        panic!("one page, then a failed read: {:?}", node.reads);
    };
    assert_eq!(next, stopped, "the second read starts after the first page");
    // What the first page settled is applied and kept.
    let kept: Vec<u64> = bob.history().unwrap().iter().map(|l| l.amount).collect();
    assert!(
        !kept.is_empty() && kept.len() < amounts.len(),
        "kept {kept:?}"
    );
    assert_eq!(kept, amounts[..kept.len()]);
    assert_eq!(bob.tree_len(), 2 * kept.len() as u64);

    // The next sync reads on from where the first stopped, not from the
    // start, and finds the rest.
    let first_sync = std::mem::take(&mut node.served);
    node.reads.clear();
    finds(&mut node, &mut bob, &amounts[kept.len()..]).await;
    assert_eq!(node.reads[0].0, Some(stopped), "{:?}", node.reads);
    assert!(
        node.served.iter().all(|s| !first_sync.contains(s)),
        "read again: {:?}",
        node.served
    );
    assert_eq!(
        bob.balance().unwrap().spendable,
        amounts.iter().sum::<u64>()
    );
}
