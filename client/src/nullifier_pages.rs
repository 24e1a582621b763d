//! The pages of a pool's spent nullifiers (`zkpay_core::program::
//! nullifier_page`): finding the live page that covers a nullifier, which a
//! `transact` must name, and splitting a full one.

use anchor_lang::{InstructionData, ToAccountMetas};
use solana_sdk::account::Account;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::Transaction;
use zkpay::instructions::SplitNullifierPageArgs;
use zkpay_core::program::ids::NULLIFIER_PAGE_SEED;
use zkpay_core::program::nullifier_page::{
    page_seed_parts, NullifierKey, NullifierPage, MAX_PAGE_DEPTH,
};

use crate::chain::rpc::set_compute_unit_limit;
use crate::chain::{Chain, ChainError};
use crate::pool::{PoolInfo, SYSTEM_PROGRAM};

/// The compute-unit limit a split asks for: a page of crafted clusters
/// costs more than the default 200,000 (docs/PROTOCOL.md, Nullifier pages).
pub const SPLIT_COMPUTE_UNITS: u32 = 1_400_000;

/// The address of `pool`'s page at `depth` with `prefix`.
pub fn page_address(pool: &Pubkey, depth: u8, prefix: u32) -> Pubkey {
    let (depth, prefix) = page_seed_parts(depth, prefix);
    Pubkey::find_program_address(
        &[NULLIFIER_PAGE_SEED, pool.as_ref(), &depth, &prefix],
        &zkpay::ID,
    )
    .0
}

/// The addresses of every page that could cover `nullifier` in `pool`, by
/// depth (0 to [`MAX_PAGE_DEPTH`]); exactly one of them exists.
pub fn path_addresses(pool: &Pubkey, nullifier: &[u8; 32]) -> Vec<Pubkey> {
    let key = NullifierKey::of(nullifier);
    (0..=MAX_PAGE_DEPTH)
        .map(|depth| page_address(pool, depth, key.prefix(depth)))
        .collect()
}

/// A live page, as read from the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LivePage {
    /// Its address.
    pub address: Pubkey,
    /// How many low bits of a key it fixes.
    pub depth: u8,
    /// Keys it holds.
    pub count: u32,
    /// Whether it must be split before a settlement spends the nullifier
    /// looked up (`NullifierPage::refuses`).
    pub full: bool,
    /// Whether it holds the nullifier looked up: the nullifier is spent.
    pub spent: bool,
}

/// The live page covering `nullifier` among `accounts`, the accounts at
/// [`path_addresses`] in that order.
pub fn pick_live(
    pool: &Pubkey,
    nullifier: &[u8; 32],
    accounts: &[Option<Account>],
) -> Option<LivePage> {
    let key = NullifierKey::of(nullifier);
    path_addresses(pool, nullifier)
        .into_iter()
        .zip(accounts)
        .find_map(|(address, account)| {
            let account = account
                .as_ref()
                .filter(|account| account.owner == zkpay::ID)?;
            let page = NullifierPage::read(&account.data)?;
            page.covers(&pool.to_bytes(), key).then(|| LivePage {
                address,
                depth: page.depth,
                count: page.count,
                full: page.refuses(key),
                spent: page.contains(key),
            })
        })
}

/// Why the pages of a transfer could not be had.
#[derive(Debug, thiserror::Error)]
pub enum PageLookupError {
    /// No page covers the nullifier: the pool has no nullifier pages.
    #[error("pool {0} has no nullifier page for this nullifier: it was opened by another version of zkpay")]
    Missing(Pubkey),
    /// The chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

/// The live page covering `nullifier` in `pool`, read in one request.
pub async fn live_page<C: Chain>(
    chain: &mut C,
    pool: &PoolInfo,
    nullifier: &[u8; 32],
) -> Result<LivePage, PageLookupError> {
    let [page] = live_pages(chain, pool, &[*nullifier]).await?;
    Ok(page)
}

/// The live pages covering each of `nullifiers` in `pool`, their paths
/// read in one request (`getMultipleAccounts` calls of 100 addresses,
/// three paths each).
pub async fn live_pages<C: Chain, const N: usize>(
    chain: &mut C,
    pool: &PoolInfo,
    nullifiers: &[[u8; 32]; N],
) -> Result<[LivePage; N], PageLookupError> {
    let addresses: Vec<Pubkey> = nullifiers
        .iter()
        .flat_map(|nullifier| path_addresses(&pool.pool, nullifier))
        .collect();
    let accounts = chain.accounts(&addresses).await?;
    let path = usize::from(MAX_PAGE_DEPTH) + 1;
    let mut pages = Vec::with_capacity(N);
    for (nullifier, accounts) in nullifiers.iter().zip(accounts.chunks(path)) {
        pages.push(
            pick_live(&pool.pool, nullifier, accounts)
                .ok_or(PageLookupError::Missing(pool.pool))?,
        );
    }
    Ok(pages.try_into().expect("one page per nullifier"))
}

/// The `split_nullifier_page` instruction for `page` of `pool`, which
/// refuses `nullifier`, paid by `payer` (refunded from the pool's reserve
/// as far as it goes).
pub fn split_instruction(
    pool: &Pubkey,
    payer: &Pubkey,
    page: &LivePage,
    nullifier: &[u8; 32],
) -> Instruction {
    let key = NullifierKey::of(nullifier);
    let depth = page.depth + 1;
    let prefix = key.prefix(page.depth);
    let accounts = zkpay::accounts::SplitNullifierPage {
        payer: *payer,
        pool: *pool,
        page: page.address,
        child_0: page_address(pool, depth, prefix),
        child_1: page_address(pool, depth, prefix | 1 << page.depth),
        system_program: SYSTEM_PROGRAM,
    };
    Instruction {
        program_id: zkpay::ID,
        accounts: accounts.to_account_metas(None),
        data: zkpay::instruction::SplitNullifierPage {
            args: SplitNullifierPageArgs {
                nullifier: *nullifier,
            },
        }
        .data(),
    }
}

/// Splits the full page covering `nullifier`, paid by `payer`, until the
/// live page covering it has room; returns that page.
pub async fn split<C: Chain>(
    chain: &mut C,
    pool: &PoolInfo,
    payer: &Keypair,
    nullifier: &[u8; 32],
) -> Result<LivePage, PageLookupError> {
    loop {
        let page = live_page(chain, pool, nullifier).await?;
        if !page.full {
            return Ok(page);
        }
        let instructions = [
            set_compute_unit_limit(SPLIT_COMPUTE_UNITS),
            split_instruction(&pool.pool, &payer.pubkey(), &page, nullifier),
        ];
        let blockhash = chain.latest_blockhash().await?;
        let transaction = Transaction::new_signed_with_payer(
            &instructions,
            Some(&payer.pubkey()),
            &[payer],
            blockhash,
        );
        match chain.submit(&transaction).await {
            Ok(()) => {}
            // Someone else may have split it first; if not, the refusal stands.
            Err(ChainError::Rejected(reason)) => {
                if live_page(chain, pool, nullifier).await?.address == page.address {
                    return Err(ChainError::Rejected(reason).into());
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
}

/// The pages a `transact` spending `nullifiers` names. A full page is split
/// first when `split_with` may pay for it; without, it is named as it is
/// (whoever sends the transfer must split it, or it fails with
/// `NullifierPageFull`).
pub async fn pages_for<C: Chain>(
    chain: &mut C,
    pool: &PoolInfo,
    split_with: Option<&Keypair>,
    nullifiers: &[[u8; 32]; 2],
) -> Result<[Pubkey; 2], PageLookupError> {
    let mut live = live_pages(chain, pool, nullifiers).await?;
    let mut pages = [Pubkey::default(); 2];
    for k in 0..2 {
        pages[k] = match (live[k].full, split_with) {
            (true, Some(payer)) => {
                let page = split(chain, pool, payer, &nullifiers[k]).await?.address;
                // The other nullifier's page may be the one just split.
                live = live_pages(chain, pool, nullifiers).await?;
                page
            }
            _ => live[k].address,
        };
    }
    Ok(pages)
}
