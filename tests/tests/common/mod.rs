//! A zkpay pool in the real Solana runtime (solana-program-test, the program
//! run natively), with real proofs from the circuits' prover.
#![allow(dead_code)]

use std::sync::OnceLock;

use rand::rngs::StdRng;
use rand::SeedableRng;
use solana_program_test::{BanksClient, BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::account::Account;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};
use zkpay::instructions::TransactArgs;
use zkpay_circuits::field::{from_bytes, to_bytes};
use zkpay_circuits::note::{Note, SpendingKey};
use zkpay_circuits::prover::TransferProver;
use zkpay_circuits::transfer::{InputNote, TransferWitness};
use zkpay_circuits::Fr;
use zkpay_client::chain::embedded::{program_test_with, ProgramBuild};
use zkpay_core::asset::{asset_id, NATIVE_SOL_MINT};
use zkpay_core::error::ZkpayError;
use zkpay_core::ext_data::ExtData;
use zkpay_core::field::public_amount;
use zkpay_core::program::event::{Settled, EVENT_PREFIX_LEN};
use zkpay_core::program::ids::{
    EVENT_IX_TAG, POOL_SEED, PROGRAM_ID, TRANSACT_DISCRIMINATOR, VAULT_SEED,
};
use zkpay_core::program::state::TreeState;
use zkpay_core::tree::{CommitmentTree, MerklePath};

/// The system program's id.
pub const SYSTEM_PROGRAM: Pubkey = Pubkey::new_from_array([0u8; 32]);

/// The build of the program under test: the SBF program
/// (`scripts/sbf-build.sh`), or the native Anchor entry when
/// `ZKPAY_PROGRAM=native`. Without either, a failure saying how to build it.
pub fn program_build() -> ProgramBuild {
    let build = ProgramBuild::detect();
    let native_asked = std::env::var("ZKPAY_PROGRAM").is_ok_and(|v| v == "native");
    assert!(
        build.is_sbf() || native_asked,
        "the SBF program is not built: run `scripts/sbf-build.sh` (installs its toolchain on \
         first use, see docs/SBF.md), or set ZKPAY_PROGRAM=native to test the native build"
    );
    build
}

/// The runtime with the program under test loaded.
pub fn program_test() -> ProgramTest {
    program_test_with(&program_build())
}

/// The prover for the committed verifying key, shared by a test binary.
pub fn prover() -> &'static TransferProver {
    static PROVER: OnceLock<TransferProver> = OnceLock::new();
    PROVER.get_or_init(|| TransferProver::load().expect("proving key"))
}

/// Deterministic randomness for notes and proofs.
pub fn rng() -> StdRng {
    StdRng::seed_from_u64(0x7a6b_7061_7932)
}

/// A pool's addresses.
#[derive(Debug, Clone, Copy)]
pub struct PoolKeys {
    pub mint: Pubkey,
    pub pool: Pubkey,
    pub tree: Pubkey,
    pub vault: Pubkey,
}

impl PoolKeys {
    /// Whether this is an SPL token pool.
    pub fn is_spl(&self) -> bool {
        self.mint.to_bytes() != NATIVE_SOL_MINT
    }
}

impl PoolKeys {
    /// The field-element asset id of this pool.
    pub fn asset_id(&self) -> Fr {
        from_bytes(&asset_id(&self.mint.to_bytes())).unwrap()
    }

    /// The pool's root nullifier page (depth 0), which covers every
    /// nullifier until it is split.
    pub fn root_page(&self) -> Pubkey {
        zkpay_client::nullifier_pages::page_address(&self.pool, 0, 0)
    }
}

/// The pool addresses for `mint` with a fresh tree keypair.
pub fn pool_keys(mint: Pubkey, tree: &Keypair) -> PoolKeys {
    let pool = Pubkey::find_program_address(&[POOL_SEED, mint.as_ref()], &zkpay::ID).0;
    let vault = Pubkey::find_program_address(&[VAULT_SEED, pool.as_ref()], &zkpay::ID).0;
    PoolKeys {
        mint,
        pool,
        tree: tree.pubkey(),
        vault,
    }
}

/// The two instructions opening a pool: create the zeroed tree account,
/// then `initialize_pool`.
pub fn initialize_pool_instructions(
    payer: &Pubkey,
    keys: &PoolKeys,
    tree_lamports: u64,
) -> Vec<Instruction> {
    zkpay_client::pool::initialize_pool_instructions(payer, &keys.mint, &keys.tree, tree_lamports)
        .to_vec()
}

/// Compute units a settlement may consume in the VM: the bar every test
/// that settles as SBF holds `transact` to.
pub const TRANSACT_CU_LIMIT: u64 = 200_000;

/// A running chain with one pool, and an off-chain mirror of its tree.
pub struct Chain {
    pub context: ProgramTestContext,
    pub keys: PoolKeys,
    /// Every commitment appended, in order.
    pub tree: CommitmentTree,
    /// The build of the program running.
    pub build: ProgramBuild,
    /// Compute units of the last processed transaction.
    pub last_compute_units: u64,
    /// Log messages of the last processed transaction.
    pub last_logs: Vec<String>,
}

impl Chain {
    /// Starts the runtime and opens the SOL pool.
    pub async fn with_sol_pool() -> Chain {
        Self::with_sol_pool_on(program_build()).await
    }

    /// Starts the runtime with `build` of the program and opens the SOL pool.
    pub async fn with_sol_pool_on(build: ProgramBuild) -> Chain {
        let mut chain = Self::start(program_test_with(&build)).await;
        chain.build = build;
        chain
    }

    /// A chain started from `test` whose pool `keys` already exists (added
    /// as accounts), its tree holding `leaves`.
    pub async fn resume(test: ProgramTest, keys: PoolKeys, leaves: &[[u8; 32]]) -> Chain {
        let context = test.start_with_context().await;
        let mut tree = CommitmentTree::new();
        tree.extend(leaves).unwrap();
        Chain {
            context,
            keys,
            tree,
            build: program_build(),
            last_compute_units: 0,
            last_logs: Vec::new(),
        }
    }

    /// Starts `test` and opens the SOL pool.
    pub async fn start(test: ProgramTest) -> Chain {
        let context = test.start_with_context().await;
        let keys = pool_keys(Pubkey::new_from_array(NATIVE_SOL_MINT), &Keypair::new());
        let mut chain = Chain {
            context,
            keys,
            tree: CommitmentTree::new(),
            build: program_build(),
            last_compute_units: 0,
            last_logs: Vec::new(),
        };
        chain.keys = chain.open_pool(keys.mint).await;
        chain
    }

    /// Opens the pool of `mint` and returns its addresses.
    pub async fn open_pool(&mut self, mint: Pubkey) -> PoolKeys {
        let tree_keypair = Keypair::new();
        let keys = pool_keys(mint, &tree_keypair);
        let lamports = self.rent(TreeState::SPACE).await;
        let payer = self.payer();
        let instructions = initialize_pool_instructions(&payer, &keys, lamports);
        self.send(&instructions, &[&tree_keypair]).await.unwrap();
        keys
    }

    /// Creates an SPL mint with `decimals`, the payer as mint authority.
    pub async fn create_mint(&mut self, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        let payer = self.payer();
        let lamports = self.rent(82).await;
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &payer,
            &mint.pubkey(),
            lamports,
            82,
            &spl_token_interface::ID,
        );
        let init = spl_token_interface::instruction::initialize_mint2(
            &spl_token_interface::ID,
            &mint.pubkey(),
            &payer,
            None,
            decimals,
        )
        .unwrap();
        self.send(&[create, init], &[&mint]).await.unwrap();
        mint.pubkey()
    }

    /// Creates a token account of `mint` owned by `owner`.
    pub async fn create_token_account(&mut self, mint: Pubkey, owner: Pubkey) -> Pubkey {
        let account = Keypair::new();
        let payer = self.payer();
        let lamports = self.rent(165).await;
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &payer,
            &account.pubkey(),
            lamports,
            165,
            &spl_token_interface::ID,
        );
        let init = spl_token_interface::instruction::initialize_account3(
            &spl_token_interface::ID,
            &account.pubkey(),
            &mint,
            &owner,
        )
        .unwrap();
        self.send(&[create, init], &[&account]).await.unwrap();
        account.pubkey()
    }

    /// Mints `amount` of `mint` to `account`.
    pub async fn mint_to(&mut self, mint: Pubkey, account: Pubkey, amount: u64) {
        let payer = self.payer();
        let ix = spl_token_interface::instruction::mint_to(
            &spl_token_interface::ID,
            &mint,
            &account,
            &payer,
            &[],
            amount,
        )
        .unwrap();
        self.send(&[ix], &[]).await.unwrap();
    }

    /// The balance of a token account.
    pub async fn token_balance(&mut self, account: Pubkey) -> u64 {
        let data = self.account(account).await.unwrap().data;
        u64::from_le_bytes(data[64..72].try_into().unwrap())
    }

    pub fn banks(&mut self) -> &mut BanksClient {
        &mut self.context.banks_client
    }

    pub fn payer(&self) -> Pubkey {
        self.context.payer.pubkey()
    }

    /// Signs `instructions` with the payer and `signers` and processes them.
    pub async fn send(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<(), BanksClientError> {
        let tx = self.transaction(instructions, signers).await;
        self.process(tx).await
    }

    /// Processes `tx`, recording its compute units; a successful
    /// settlement run as SBF must stay within [`TRANSACT_CU_LIMIT`].
    pub async fn process(&mut self, tx: Transaction) -> Result<(), BanksClientError> {
        let keys = &tx.message.account_keys;
        let settles = tx.message.instructions.iter().any(|ix| {
            keys[usize::from(ix.program_id_index)].to_bytes() == PROGRAM_ID
                && ix.data.starts_with(&TRANSACT_DISCRIMINATOR)
        });
        let outcome = self.banks().process_transaction_with_metadata(tx).await?;
        if let Some(metadata) = &outcome.metadata {
            self.last_compute_units = metadata.compute_units_consumed;
            self.last_logs.clone_from(&metadata.log_messages);
            if settles && self.build.is_sbf() && outcome.result.is_ok() {
                assert!(
                    self.last_compute_units <= TRANSACT_CU_LIMIT,
                    "transact consumed {} compute units, over {TRANSACT_CU_LIMIT}",
                    self.last_compute_units
                );
            }
        }
        outcome.result.map_err(BanksClientError::TransactionError)
    }

    /// A signed transaction with a fresh blockhash.
    pub async fn transaction(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Transaction {
        let blockhash = self.banks().get_latest_blockhash().await.unwrap();
        let mut all: Vec<&Keypair> = vec![&self.context.payer];
        all.extend_from_slice(signers);
        Transaction::new_signed_with_payer(
            instructions,
            Some(&self.context.payer.pubkey()),
            &all,
            blockhash,
        )
    }

    /// A transaction paid and signed by `payer` alone (a relayer).
    pub async fn transaction_as(
        &mut self,
        payer: &Keypair,
        instructions: &[Instruction],
    ) -> Transaction {
        let blockhash = self.banks().get_latest_blockhash().await.unwrap();
        Transaction::new_signed_with_payer(instructions, Some(&payer.pubkey()), &[payer], blockhash)
    }

    /// Processes `instructions` paid and signed by `payer` alone (a relayer).
    pub async fn send_as(
        &mut self,
        payer: &Keypair,
        instructions: &[Instruction],
    ) -> Result<(), BanksClientError> {
        let tx = self.transaction_as(payer, instructions).await;
        self.process(tx).await
    }

    /// Submits `payment` from the payer and mirrors its commitments.
    pub async fn settle(&mut self, payment: &Payment) -> Result<(), BanksClientError> {
        self.settle_as(None, payment).await.map(|_| ())
    }

    /// Submits `payment`, paid by `relayer` if given, after checking that
    /// the transaction fits a packet; mirrors its commitments and returns
    /// the transaction's size.
    pub async fn settle_as(
        &mut self,
        relayer: Option<&Keypair>,
        payment: &Payment,
    ) -> Result<usize, BanksClientError> {
        let pages = self.live_pages(&payment.input_nullifiers).await;
        let tx = match relayer {
            Some(relayer) => {
                let ix = payment.instruction_with_pages(&relayer.pubkey(), &self.keys, pages);
                self.transaction_as(relayer, &[ix]).await
            }
            None => {
                let ix = payment.instruction_with_pages(&self.payer(), &self.keys, pages);
                self.transaction(&[ix], &[]).await
            }
        };
        let size = wire_size(&tx);
        assert!(
            size <= PACKET_LIMIT,
            "settlement transaction of {size} bytes exceeds {PACKET_LIMIT}"
        );
        self.process(tx).await?;
        self.tree.extend(&payment.commitments()).unwrap();
        Ok(size)
    }

    /// The `Settled` events a transaction would emit, read from the inner
    /// instructions of its simulation (the event is a self-CPI).
    pub async fn simulated_events(&mut self, tx: &Transaction) -> Vec<Settled> {
        let simulation = self.banks().simulate_transaction(tx.clone()).await.unwrap();
        let details = simulation.simulation_details.expect("simulation details");
        let keys = &tx.message.account_keys;
        let inner = details.inner_instructions.unwrap_or_default();
        let to_program: Vec<_> = inner
            .iter()
            .flatten()
            .map(|inner| &inner.instruction)
            .filter(|ix| keys[ix.program_id_index as usize].to_bytes() == PROGRAM_ID)
            .collect();
        // Every event instruction of the program decodes, and nothing else
        // carries the event tag.
        let events = zkpay_client::chain::settled_events(
            to_program
                .iter()
                .map(|ix| (&keys[ix.program_id_index as usize], ix.data.as_slice())),
        );
        let tagged = to_program
            .iter()
            .filter(|ix| ix.data.len() > EVENT_PREFIX_LEN && ix.data[..8] == EVENT_IX_TAG)
            .count();
        assert_eq!(events.len(), tagged, "an event instruction did not decode");
        events
    }

    /// Rent-exempt minimum of an account with `space` bytes.
    pub async fn rent(&mut self, space: usize) -> u64 {
        self.banks()
            .get_rent()
            .await
            .unwrap()
            .minimum_balance(space)
    }

    /// The fee of a transaction with `signatures` signatures.
    pub async fn signature_fee(&mut self, signatures: u64) -> u64 {
        let payer = self.payer();
        let ix = anchor_lang::solana_program::system_instruction::transfer(&payer, &payer, 1);
        let tx = self.transaction(&[ix], &[]).await;
        self.banks()
            .get_fee_for_message(tx.message)
            .await
            .unwrap()
            .unwrap()
            * signatures
    }

    /// What a rejected payment could have changed, for "no state changed"
    /// (the fee payer, who pays for the failed transaction, aside).
    pub async fn snapshot(&mut self, payment: &Payment) -> Vec<Option<Account>> {
        let payer = self.payer();
        let mut addresses = vec![self.keys.tree, self.keys.vault];
        addresses.extend(
            [payment.recipient, payment.relayer]
                .into_iter()
                .filter(|a| *a != payer),
        );
        addresses.extend(payment.depositor_token);
        addresses.push(self.keys.pool);
        addresses.extend(self.live_pages(&payment.input_nullifiers).await);
        let mut accounts = Vec::new();
        for address in addresses {
            accounts.push(self.account(address).await);
        }
        accounts
    }

    /// The live nullifier pages covering `nullifiers`, read from the chain.
    pub async fn live_pages(&mut self, nullifiers: &[[u8; 32]; 2]) -> [Pubkey; 2] {
        let mut pages = [Pubkey::default(); 2];
        for (page, nullifier) in pages.iter_mut().zip(nullifiers) {
            *page = self.live_page(nullifier).await.address;
        }
        pages
    }

    /// The live nullifier page covering `nullifier`.
    pub async fn live_page(&mut self, nullifier: &[u8; 32]) -> zkpay_client::nullifier_pages::LivePage {
        let pool = self.keys.pool;
        let mut accounts = Vec::new();
        for address in zkpay_client::nullifier_pages::path_addresses(&pool, nullifier) {
            accounts.push(self.account(address).await);
        }
        zkpay_client::nullifier_pages::pick_live(&pool, nullifier, &accounts)
            .expect("a live page covers every nullifier")
    }

    /// Fills nullifier page `page` with synthetic keys up to `count` keys
    /// (none of them `avoid`'s), as if that many nullifiers were spent.
    pub async fn fill_page(&mut self, page: Pubkey, count: u32, avoid: &[[u8; 32]]) {
        use zkpay_core::program::nullifier_page::NullifierKey;
        let avoid: Vec<_> = avoid.iter().map(NullifierKey::of).collect();
        let mut next = 0x9e37_79b9_7f4a_7c15u64;
        let keys = std::iter::repeat_with(move || {
            next = next
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            NullifierKey(next | 1 << 63)
        })
        .filter(move |key| !avoid.contains(key));
        self.fill_page_with(page, count, keys).await;
    }

    /// Inserts `keys` into nullifier page `page` until it holds `count`
    /// (keys the page refuses are skipped).
    pub async fn fill_page_with(
        &mut self,
        page: Pubkey,
        count: u32,
        keys: impl Iterator<Item = zkpay_core::program::nullifier_page::NullifierKey>,
    ) {
        use zkpay_core::program::nullifier_page::NullifierPage;
        let mut account = self.account(page).await.unwrap();
        let mut state = NullifierPage::read(&account.data).unwrap();
        for key in keys {
            if state.count >= count {
                break;
            }
            let _ = state.insert(key);
        }
        assert_eq!(state.count, count, "the keys ran out");
        account.data[8..].copy_from_slice(bytemuck::bytes_of(&state));
        self.context.set_account(&page, &account.into());
    }

    pub async fn account(&mut self, address: Pubkey) -> Option<Account> {
        self.banks().get_account(address).await.unwrap()
    }

    pub async fn lamports(&mut self, address: Pubkey) -> u64 {
        self.account(address)
            .await
            .map_or(0, |account| account.lamports)
    }

    /// The on-chain tree account.
    pub async fn tree_account(&mut self) -> TreeState {
        let account = self.account(self.keys.tree).await.unwrap();
        TreeState::read(&account.data).expect("a commitment tree account")
    }

    /// Funds `address` with `lamports` from the payer.
    pub async fn airdrop(&mut self, address: Pubkey, lamports: u64) {
        let payer = self.payer();
        let ix =
            anchor_lang::solana_program::system_instruction::transfer(&payer, &address, lamports);
        self.send(&[ix], &[]).await.unwrap();
    }
}

/// Everything a `transact` call carries, before signing.
#[derive(Clone)]
pub struct Payment {
    pub witness: TransferWitness,
    pub input_nullifiers: [[u8; 32]; 2],
    pub args: TransactArgs,
    pub recipient: Pubkey,
    pub relayer: Pubkey,
    /// SPL deposits: the payer's token account.
    pub depositor_token: Option<Pubkey>,
}

impl Payment {
    /// The `transact` instruction for this payment on `keys`' pool, whose
    /// root nullifier page is unsplit (as in every test that does not split).
    pub fn instruction(&self, payer: &Pubkey, keys: &PoolKeys) -> Instruction {
        self.instruction_with_pages(payer, keys, [keys.root_page(); 2])
    }

    /// The `transact` instruction for this payment naming nullifier `pages`.
    pub fn instruction_with_pages(
        &self,
        payer: &Pubkey,
        keys: &PoolKeys,
        pages: [Pubkey; 2],
    ) -> Instruction {
        let pool = zkpay_client::pool::PoolInfo {
            mint: keys.mint,
            pool: keys.pool,
            tree: keys.tree,
            vault: keys.vault,
            asset_id: keys.asset_id(),
            decimals: 0,
            kind: if keys.is_spl() {
                zkpay_core::program::state::AssetKind::SplToken
            } else {
                zkpay_core::program::state::AssetKind::Sol
            },
        };
        let accounts = zkpay_client::transact::TransactAccounts {
            payer: *payer,
            recipient: self.recipient,
            relayer: self.relayer,
            depositor_token: self.depositor_token,
        };
        zkpay_client::transact::transact_instruction(
            &pool,
            &accounts,
            pages,
            self.input_nullifiers,
            self.args.clone(),
        )
    }

    /// The leaf index the first output will get, and the new commitments.
    pub fn commitments(&self) -> [[u8; 32]; 2] {
        self.args.output_commitments
    }
}

/// Sample ciphertext bytes standing in for an encrypted note, as long as
/// every note the wallet seals.
pub fn ciphertext(tag: u8) -> Vec<u8> {
    (0..zkpay_client::encryption::ENCRYPTED_NOTE_LEN as u8)
        .map(|i| i.wrapping_mul(31) ^ tag)
        .collect()
}

/// Builds and proves a payment spending `inputs` (real notes with their leaf
/// index in `tree`, or dummies) into `outputs`.
#[allow(clippy::too_many_arguments)]
pub fn prove_payment(
    tree: &CommitmentTree,
    keys: &PoolKeys,
    inputs: [(Note, SpendingKey, Option<u64>); 2],
    outputs: [Note; 2],
    ext_amount: i64,
    fee: u64,
    recipient: Pubkey,
    relayer: Pubkey,
    rng: &mut StdRng,
) -> Payment {
    let inputs = inputs.map(|(note, key, leaf_index)| {
        let path = leaf_index.map(|index| tree.path(index).expect("note is in the tree"));
        (note, key, path)
    });
    prove_payment_at(
        tree.root(),
        keys,
        inputs,
        outputs,
        (ext_amount, fee),
        (recipient, relayer),
        [ciphertext(1), ciphertext(2)],
        rng,
    )
}

/// Builds and proves a payment against `root`, spending `inputs` (notes
/// with their Merkle path, or dummies) into `outputs`, which carry
/// `encrypted_outputs`.
#[allow(clippy::too_many_arguments)]
pub fn prove_payment_at(
    root: [u8; 32],
    keys: &PoolKeys,
    inputs: [(Note, SpendingKey, Option<MerklePath>); 2],
    outputs: [Note; 2],
    (ext_amount, fee): (i64, u64),
    (recipient, relayer): (Pubkey, Pubkey),
    encrypted_outputs: [Vec<u8>; 2],
    rng: &mut StdRng,
) -> Payment {
    let ext_data = ExtData {
        recipient: recipient.to_bytes(),
        relayer: relayer.to_bytes(),
        ext_amount,
        fee,
        mint: keys.mint.to_bytes(),
        encrypted_outputs: [&encrypted_outputs[0], &encrypted_outputs[1]],
    };
    let inputs = inputs.map(|(note, key, path)| InputNote {
        note,
        key,
        path: path.unwrap_or(MerklePath {
            leaf_index: 0,
            siblings: [[0; 32]; 26],
        }),
    });
    let witness = TransferWitness {
        root: from_bytes(&root).unwrap(),
        public_amount: from_bytes(&public_amount(ext_amount, fee)).unwrap(),
        ext_data_hash: from_bytes(&ext_data.hash()).unwrap(),
        asset_id: keys.asset_id(),
        inputs,
        outputs,
    };
    let (proof, public) = prover()
        .prove_transfer(&witness, rng)
        .expect("valid payment");
    Payment {
        input_nullifiers: public.input_nullifiers,
        args: TransactArgs {
            proof: proof.to_bytes(),
            root: public.root,
            output_commitments: public.output_commitments,
            ext_amount,
            fee,
            encrypted_outputs,
        },
        witness,
        recipient,
        relayer,
        depositor_token: None,
    }
}

/// A proof that `from` pays `amount` of its `note` at `leaf` to `to`, the
/// rest back to itself (the second input a dummy).
pub fn transfer_payment(
    chain: &Chain,
    (note, from, leaf): (Note, &SpendingKey, u64),
    to: &SpendingKey,
    amount: u64,
    rng: &mut StdRng,
) -> Payment {
    let keys = chain.keys;
    let payer = chain.payer();
    prove_payment(
        &chain.tree,
        &keys,
        [(note, from.clone(), Some(leaf)), dummy_input(from, &keys, rng)],
        [
            Note::new(amount, to.owner(), keys.asset_id(), rng),
            Note::new(note.amount - amount, from.owner(), keys.asset_id(), rng),
        ],
        0,
        0,
        payer,
        payer,
        rng,
    )
}

/// A deposit of `amount` from the payer into `chain`'s pool, as a new note
/// of `owner` (and a dummy): the payment and the note.
pub fn deposit_payment(
    chain: &Chain,
    owner: &SpendingKey,
    amount: u64,
    rng: &mut StdRng,
) -> (Payment, Note) {
    let keys = chain.keys;
    let payer = chain.payer();
    let note = Note::new(amount, owner.owner(), keys.asset_id(), rng);
    let deposit = prove_payment(
        &chain.tree,
        &keys,
        [
            dummy_input(owner, &keys, rng),
            dummy_input(owner, &keys, rng),
        ],
        [note, Note::dummy(owner.owner(), keys.asset_id(), rng)],
        amount as i64,
        0,
        payer,
        payer,
        rng,
    );
    (deposit, note)
}

/// A dummy input for `key`.
pub fn dummy_input(
    key: &SpendingKey,
    keys: &PoolKeys,
    rng: &mut StdRng,
) -> (Note, SpendingKey, Option<u64>) {
    (
        Note::dummy(key.owner(), keys.asset_id(), rng),
        key.clone(),
        None,
    )
}

/// Asserts that `result` failed with the program's `expected` error.
pub fn assert_program_error(result: Result<(), BanksClientError>, expected: ZkpayError) {
    let code = expected.code();
    match result.map_err(|e| e.unwrap()) {
        Err(TransactionError::InstructionError(_, InstructionError::Custom(got)))
            if got == code => {}
        other => panic!("expected {expected:?} (custom error {code}), got {other:?}"),
    }
}

/// The serialized size of a transaction, as sent over the wire.
pub fn wire_size(tx: &Transaction) -> usize {
    bincode::serialize(tx).unwrap().len()
}

/// Solana's packet limit for a transaction.
pub const PACKET_LIMIT: usize = 1232;

pub fn field(bytes: &[u8; 32]) -> Fr {
    from_bytes(bytes).unwrap()
}

pub fn bytes(value: &Fr) -> [u8; 32] {
    to_bytes(value)
}
