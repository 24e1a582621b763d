//! A wallet on an SPL-token pool: deposit from the payer's associated token
//! account, pay a peer, withdraw to a token account; amounts in token units.

use anchor_lang::solana_program::system_instruction::create_account;
use rand::rngs::OsRng;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;
use std::sync::Arc;
use zkpay_client::amount::parse_amount;
use zkpay_client::chain::embedded::EmbeddedChain;
use zkpay_client::chain::shared::SharedChain;
use zkpay_client::chain::Chain;
use zkpay_client::keys::WalletKeys;
use zkpay_client::pool::open_pool;
use zkpay_client::relayer::{Limits, RelayerClient, RelayerConfig, RelayerService, ServedPool};
use zkpay_client::store::Store;
use zkpay_client::transact::{associated_token_address, create_associated_token_account};
use zkpay_client::wallet::{Relayer, Wallet};

const TOKEN: Pubkey = spl_token_interface::ID;

async fn send(
    chain: &mut EmbeddedChain,
    payer: &Keypair,
    instructions: &[Instruction],
    signers: &[&Keypair],
) {
    let blockhash = chain.latest_blockhash().await.unwrap();
    let mut all = vec![payer];
    all.extend_from_slice(signers);
    let tx =
        Transaction::new_signed_with_payer(instructions, Some(&payer.pubkey()), &all, blockhash);
    chain.submit(&tx).await.unwrap();
}

async fn token_balance(chain: &mut EmbeddedChain, account: &Pubkey) -> u64 {
    let data = chain.accounts(&[*account]).await.unwrap()[0]
        .clone()
        .unwrap()
        .data;
    u64::from_le_bytes(data[64..72].try_into().unwrap())
}

#[tokio::test]
async fn token_pool_deposit_pay_withdraw() {
    let mut chain = EmbeddedChain::start().await.unwrap();
    let faucet = chain.faucet().insecure_clone();
    let mint = Keypair::new();
    let rent = chain.rent_exempt_minimum(82).await.unwrap();
    send(
        &mut chain,
        &faucet,
        &[
            create_account(&faucet.pubkey(), &mint.pubkey(), rent, 82, &TOKEN),
            spl_token_interface::instruction::initialize_mint2(
                &TOKEN,
                &mint.pubkey(),
                &faucet.pubkey(),
                None,
                6,
            )
            .unwrap(),
        ],
        &[&mint],
    )
    .await;
    let mint = mint.pubkey();
    let pool = open_pool(&mut chain, &faucet, &mint).await.unwrap();
    assert!(pool.is_spl());
    assert_eq!(pool.decimals, 6);

    let dir = tempfile::tempdir().unwrap();
    let mut wallets = Vec::new();
    for name in ["alice", "bob"] {
        let payer = Keypair::new();
        chain.airdrop(&payer.pubkey(), 1_000_000_000).await.unwrap();
        send(
            &mut chain,
            &faucet,
            &[create_associated_token_account(
                &faucet.pubkey(),
                &payer.pubkey(),
                &mint,
            )],
            &[],
        )
        .await;
        let (phrase, _) = WalletKeys::generate(&mut OsRng);
        let store = Store::create(&dir.path().join(name), &phrase).unwrap();
        wallets.push(Wallet::open(&mut chain, store, payer, &mint).await.unwrap());
    }
    let [mut alice, mut bob] = <[Wallet; 2]>::try_from(wallets).ok().unwrap();
    let alice_tokens = associated_token_address(&alice.payer(), &mint);
    let bob_tokens = associated_token_address(&bob.payer(), &mint);
    let mint_to = spl_token_interface::instruction::mint_to(
        &TOKEN,
        &mint,
        &alice_tokens,
        &faucet.pubkey(),
        &[],
        10_000_000,
    )
    .unwrap();
    send(&mut chain, &faucet, &[mint_to], &[]).await;

    let units = |text: &str| parse_amount(text, 6).unwrap();
    alice.deposit(&mut chain, units("7.5")).await.unwrap();
    assert_eq!(token_balance(&mut chain, &alice_tokens).await, units("2.5"));
    assert_eq!(token_balance(&mut chain, &pool.vault).await, units("7.5"));

    alice
        .pay(&mut chain, &bob.address(), units("3.25"), b"invoice 7")
        .await
        .unwrap();
    bob.sync(&mut chain).await.unwrap();
    assert_eq!(bob.balance().unwrap().spendable, units("3.25"));

    bob.withdraw(&mut chain, units("1"), &bob_tokens, None)
        .await
        .unwrap();
    assert_eq!(token_balance(&mut chain, &bob_tokens).await, units("1"));
    assert_eq!(token_balance(&mut chain, &pool.vault).await, units("6.5"));
    assert_eq!(bob.balance().unwrap().spendable, units("2.25"));
    assert_eq!(alice.balance().unwrap().spendable, units("4.25"));

    // Through a relayer that holds no token account of the mint: the fee
    // lands in its associated token account, created in the same
    // transaction; the second time it exists.
    let relayer = Keypair::new();
    chain
        .airdrop(&relayer.pubkey(), 1_000_000_000)
        .await
        .unwrap();
    let relayer_tokens = associated_token_address(&relayer.pubkey(), &mint);
    assert!(chain.accounts(&[relayer_tokens]).await.unwrap()[0].is_none());
    for (round, amount) in [(1, units("0.5")), (2, units("0.25"))] {
        bob.withdraw(
            &mut chain,
            amount,
            &bob_tokens,
            Some(Relayer::Keypair {
                keypair: &relayer,
                fee: units("0.01"),
            }),
        )
        .await
        .unwrap();
        assert_eq!(
            token_balance(&mut chain, &relayer_tokens).await,
            round * units("0.01")
        );
    }
    assert_eq!(token_balance(&mut chain, &bob_tokens).await, units("1.75"));
    assert_eq!(bob.balance().unwrap().spendable, units("1.48"));
    assert_eq!(token_balance(&mut chain, &pool.vault).await, units("5.73"));

    // Through a relayer service serving the pool at a fee in token units:
    // it opens its token account when it starts; Bob's key is nowhere.
    let mut chain = SharedChain::start(move || async move { Ok(chain) })
        .await
        .unwrap();
    let operator = Keypair::new();
    chain
        .airdrop(&operator.pubkey(), 1_000_000_000)
        .await
        .unwrap();
    let service = RelayerService::start(
        chain.clone(),
        operator.insecure_clone(),
        RelayerConfig {
            pools: vec![ServedPool {
                mint,
                token_fee: Some(units("0.02")),
            }],
            margin: 0,
            limits: Limits::default(),
        },
    )
    .await
    .unwrap();
    let local = Arc::new(service).spawn_on_loopback().await.unwrap();
    let client = RelayerClient::new(&local.url).unwrap();
    let withdrawn = bob
        .withdraw(
            &mut chain,
            units("0.4"),
            &bob_tokens,
            Some(Relayer::Service(&client)),
        )
        .await
        .unwrap();
    let operator_tokens = associated_token_address(&operator.pubkey(), &mint);
    let balance = |account: Pubkey| {
        let mut chain = chain.clone();
        async move {
            let data = chain.accounts(&[account]).await.unwrap()[0]
                .clone()
                .unwrap()
                .data;
            u64::from_le_bytes(data[64..72].try_into().unwrap())
        }
    };
    assert_eq!(balance(operator_tokens).await, units("0.02"));
    assert_eq!(balance(bob_tokens).await, units("2.15"));
    assert_eq!(bob.balance().unwrap().spendable, units("1.06"));
    let signature = withdrawn[0].signature;
    let keys = chain
        .run(move |c| Box::pin(async move { c.accounts_of(&signature).map(|k| k.to_vec()) }))
        .await
        .unwrap()
        .unwrap();
    assert!(!keys.contains(&bob.payer()));
    local.stop().await.unwrap();
}
