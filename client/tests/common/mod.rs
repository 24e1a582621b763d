//! What the client's integration tests share: funded keypairs, wallets, and
//! a deposit built without a wallet, on any [`Chain`].

#![allow(dead_code)] // each test crate uses its part

use rand::rngs::OsRng;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use tempfile::TempDir;
use zkpay::instructions::TransactArgs;
use zkpay_circuits::field::from_bytes;
use zkpay_circuits::transfer::{InputNote, TransferWitness};
use zkpay_client::address::ShieldedAddress;
use zkpay_client::chain::Chain;
use zkpay_client::encryption::seal_note;
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::{PoolInfo, SOL};
use zkpay_client::store::Store;
use zkpay_client::transact::{transact_instruction, TransactAccounts};
use zkpay_client::wallet::{prover, Wallet};
use zkpay_core::ext_data::ExtData;
use zkpay_core::field::public_amount;
use zkpay_core::program::state::TreeState;

/// Lamports in one SOL.
pub const SOL_UNIT: u64 = 1_000_000_000;

/// A new keypair holding `sol` SOL from the chain's faucet.
pub async fn funded<C: Chain>(chain: &mut C, sol: u64) -> Keypair {
    let keypair = Keypair::new();
    chain
        .airdrop(&keypair.pubkey(), sol * SOL_UNIT)
        .await
        .unwrap();
    keypair
}

/// A new wallet on the SOL pool, its file in `dir`, paying with a new
/// funded keypair.
pub async fn wallet<C: Chain>(chain: &mut C, dir: &TempDir, name: &str) -> Wallet {
    let (phrase, _) = WalletKeys::generate(&mut OsRng);
    let store = Store::create(&dir.path().join(name), &phrase).unwrap();
    let payer = funded(chain, 10).await;
    Wallet::open(chain, store, payer, &SOL).await.unwrap()
}

/// A deposit of `amount` from `payer` into a note of `to`, built as a dApp
/// would without a wallet: `transact` with two dummy inputs.
pub async fn deposit_instruction<C: Chain>(
    chain: &mut C,
    pool: &PoolInfo,
    payer: &Pubkey,
    to: &ShieldedAddress,
    amount: u64,
    memo: &[u8],
) -> Instruction {
    let mut rng = OsRng;
    let (_, sender) = WalletKeys::generate(&mut rng);
    let tree = chain
        .accounts(&[pool.tree])
        .await
        .unwrap()
        .remove(0)
        .unwrap();
    let root = TreeState::read(&tree.data).unwrap().frontier.root();
    let sealed = [(amount, memo), (0, &[][..])].map(|(amount, memo)| {
        seal_note(
            to,
            amount,
            pool.asset_id,
            memo,
            sender.outgoing_view_key(),
            &mut rng,
        )
        .unwrap()
    });
    let encrypted_outputs = [sealed[0].ciphertext.clone(), sealed[1].ciphertext.clone()];
    let ext_amount = i64::try_from(amount).unwrap();
    let ext_data = ExtData {
        recipient: payer.to_bytes(),
        relayer: payer.to_bytes(),
        ext_amount,
        fee: 0,
        mint: pool.mint.to_bytes(),
        encrypted_outputs: [&encrypted_outputs[0], &encrypted_outputs[1]],
    };
    let dummy = || {
        InputNote::dummy(
            sender.spending_key().unwrap().clone(),
            pool.asset_id,
            &mut OsRng,
        )
    };
    let witness = TransferWitness {
        root: from_bytes(&root).unwrap(),
        public_amount: from_bytes(&public_amount(ext_amount, 0)).unwrap(),
        ext_data_hash: from_bytes(&ext_data.hash()).unwrap(),
        asset_id: pool.asset_id,
        inputs: [dummy(), dummy()],
        outputs: [sealed[0].note, sealed[1].note],
    };
    let (proof, public) = prover()
        .unwrap()
        .prove_transfer(&witness, &mut rng)
        .unwrap();
    // These pools take a handful of deposits: their root page never fills.
    let root_page = zkpay_client::nullifier_pages::page_address(&pool.pool, 0, 0);
    transact_instruction(
        pool,
        &TransactAccounts {
            payer: *payer,
            recipient: *payer,
            relayer: *payer,
            depositor_token: None,
        },
        [root_page; 2],
        public.input_nullifiers,
        TransactArgs {
            proof: proof.to_bytes(),
            root: public.root,
            output_commitments: public.output_commitments,
            ext_amount,
            fee: 0,
            encrypted_outputs,
        },
    )
}
