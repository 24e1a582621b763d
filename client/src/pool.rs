//! Pools: one per asset, each with its commitment tree and vault.

use anchor_lang::{InstructionData, ToAccountMetas};
use solana_sdk::account::Account;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;
use zkpay::instructions::InitializePoolArgs;
use zkpay_circuits::field::from_bytes;
use zkpay_circuits::Fr;
use zkpay_core::asset::NATIVE_SOL_MINT;
use zkpay_core::program::ids::{POOL_SEED, VAULT_SEED};
pub use zkpay_core::program::state::AssetKind;
use zkpay_core::program::state::{PoolState, TreeState};

use crate::chain::{Chain, ChainError};

/// The system program's id.
pub const SYSTEM_PROGRAM: Pubkey = Pubkey::new_from_array([0u8; 32]);

/// Decimals of SOL.
pub const SOL_DECIMALS: u8 = 9;

/// The mint standing for native SOL.
pub const SOL: Pubkey = Pubkey::new_from_array(NATIVE_SOL_MINT);

/// An open pool, as recorded in its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolInfo {
    /// The asset's mint ([`SOL`] for native SOL).
    pub mint: Pubkey,
    /// The pool account.
    pub pool: Pubkey,
    /// Its commitment tree account.
    pub tree: Pubkey,
    /// Its vault (SOL: a program-owned PDA; SPL: a token account).
    pub vault: Pubkey,
    /// The asset id notes of this pool carry.
    pub asset_id: Fr,
    /// The asset's decimals.
    pub decimals: u8,
    /// SOL or SPL token.
    pub kind: AssetKind,
}

impl PoolInfo {
    /// Whether the pool holds an SPL token.
    pub fn is_spl(&self) -> bool {
        self.kind == AssetKind::SplToken
    }
}

/// The pool PDA of `mint`.
pub fn pool_address(mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[POOL_SEED, mint.as_ref()], &zkpay::ID).0
}

/// Why a pool could not be used or opened.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// No pool exists for the mint.
    #[error("there is no zkpay pool for mint {0} on this chain: open one with `zkpay pool open`")]
    Missing(Pubkey),
    /// The account is not a zkpay pool.
    #[error("account {0} is not a zkpay pool")]
    Invalid(Pubkey),
    /// The chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

/// The pool of `mint`, read from the chain.
pub async fn load_pool<C: Chain>(chain: &mut C, mint: &Pubkey) -> Result<PoolInfo, PoolError> {
    let address = pool_address(mint);
    let account = chain.accounts(&[address]).await?.remove(0);
    read_pool(address, account.ok_or(PoolError::Missing(*mint))?)
}

/// The pool at `address`, read from the chain.
pub async fn load_pool_at<C: Chain>(
    chain: &mut C,
    address: &Pubkey,
) -> Result<PoolInfo, PoolError> {
    let account = chain.accounts(&[*address]).await?.remove(0);
    read_pool(*address, account.ok_or(PoolError::Invalid(*address))?)
}

fn read_pool(address: Pubkey, account: Account) -> Result<PoolInfo, PoolError> {
    if account.owner != zkpay::ID {
        return Err(PoolError::Invalid(address));
    }
    let pool = PoolState::read(&account.data).ok_or(PoolError::Invalid(address))?;
    Ok(PoolInfo {
        mint: Pubkey::new_from_array(pool.mint),
        pool: address,
        tree: Pubkey::new_from_array(pool.tree),
        vault: Pubkey::new_from_array(pool.vault),
        asset_id: from_bytes(&pool.asset_id).ok_or(PoolError::Invalid(address))?,
        decimals: pool.decimals,
        kind: pool.asset_kind(),
    })
}

/// The two instructions opening the pool of `mint`: create the zeroed tree
/// account `tree` (with `tree_lamports`, its rent), then `initialize_pool`.
pub fn initialize_pool_instructions(
    payer: &Pubkey,
    mint: &Pubkey,
    tree: &Pubkey,
    tree_lamports: u64,
) -> [Instruction; 2] {
    let spl = *mint != SOL;
    let pool = pool_address(mint);
    let vault = Pubkey::find_program_address(&[VAULT_SEED, pool.as_ref()], &zkpay::ID).0;
    let create_tree = anchor_lang::solana_program::system_instruction::create_account(
        payer,
        tree,
        tree_lamports,
        TreeState::SPACE as u64,
        &zkpay::ID,
    );
    let accounts = zkpay::accounts::InitializePool {
        payer: *payer,
        pool,
        tree: *tree,
        vault,
        nullifier_page: crate::nullifier_pages::page_address(&pool, 0, 0),
        mint: spl.then_some(*mint),
        token_program: spl.then_some(spl_token_interface::ID),
        system_program: SYSTEM_PROGRAM,
    };
    let initialize = Instruction {
        program_id: zkpay::ID,
        accounts: accounts.to_account_metas(None),
        data: zkpay::instruction::InitializePool {
            args: InitializePoolArgs { mint: *mint },
        }
        .data(),
    };
    [create_tree, initialize]
}

/// Opens the pool of `mint` (permissionless, once per asset): creates its
/// tree account and initialises the pool, paid by `payer`.
pub async fn open_pool<C: Chain>(
    chain: &mut C,
    payer: &Keypair,
    mint: &Pubkey,
) -> Result<PoolInfo, PoolError> {
    let tree = Keypair::new();
    let tree_lamports = chain.rent_exempt_minimum(TreeState::SPACE).await?;
    let instructions =
        initialize_pool_instructions(&payer.pubkey(), mint, &tree.pubkey(), tree_lamports);
    let blockhash = chain.latest_blockhash().await?;
    let transaction = Transaction::new_signed_with_payer(
        &instructions,
        Some(&payer.pubkey()),
        &[payer, &tree],
        blockhash,
    );
    chain.submit(&transaction).await?;
    load_pool(chain, mint).await
}
