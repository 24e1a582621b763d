//! Account layouts: zero-copy, little-endian, explicit sizes. Each account
//! starts with its 8-byte Anchor discriminator, then the struct.

use bytemuck::{Pod, Zeroable};

use super::ids::{POOL_DISCRIMINATOR, TREE_DISCRIMINATOR};
use crate::tree::{Frontier, RootHistory};

/// What a pool holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum AssetKind {
    /// Native SOL, held as lamports of the vault.
    Sol = 0,
    /// An SPL token, held in the vault token account.
    SplToken = 1,
}

/// One pool per asset, at `[POOL_SEED, mint]`. Immutable after creation:
/// no authority remains.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Pod, Zeroable)]
pub struct PoolState {
    /// The mint (all zeros for native SOL).
    pub mint: [u8; 32],
    /// The asset id notes and proofs carry.
    pub asset_id: [u8; 32],
    /// The commitment tree account.
    pub tree: [u8; 32],
    /// The vault (`[VAULT_SEED, pool]`).
    pub vault: [u8; 32],
    /// Bump of the pool PDA.
    pub bump: u8,
    /// Bump of the vault PDA.
    pub vault_bump: u8,
    /// [`AssetKind`] as a byte.
    pub kind: u8,
    /// The mint's decimals (9 for SOL).
    pub decimals: u8,
    /// Padding to 8 bytes.
    pub reserved: [u8; 4],
}

impl PoolState {
    /// Size of the struct.
    pub const SIZE: usize = 4 * 32 + 8;
    /// Size of the account, discriminator included.
    pub const SPACE: usize = 8 + Self::SIZE;

    /// A new pool's state: `mint`'s pool, with its tree and vault accounts,
    /// the bumps of the pool and vault PDAs, and the asset.
    pub fn new(
        mint: &[u8; 32],
        accounts: [&[u8; 32]; 2],
        bumps: [u8; 2],
        kind: AssetKind,
        decimals: u8,
    ) -> PoolState {
        let [tree, vault] = accounts;
        PoolState {
            mint: *mint,
            asset_id: crate::asset::asset_id(mint),
            tree: *tree,
            vault: *vault,
            bump: bumps[0],
            vault_bump: bumps[1],
            kind: kind as u8,
            decimals,
            reserved: [0; 4],
        }
    }

    /// The kind of asset.
    pub fn asset_kind(&self) -> AssetKind {
        if self.kind == AssetKind::SplToken as u8 {
            AssetKind::SplToken
        } else {
            AssetKind::Sol
        }
    }

    /// A copy of the pool in a pool account's data, if the data is one.
    pub fn read(data: &[u8]) -> Option<PoolState> {
        read(data, &POOL_DISCRIMINATOR)
    }

    /// The pool in a pool account's (8-byte aligned) data, if it is one.
    pub fn from_account_data(data: &[u8]) -> Option<&PoolState> {
        typed(data, &POOL_DISCRIMINATOR)
    }
}

/// A pool's commitment tree: the frontier of the depth-26 tree and the ring
/// of its recent roots. About 34 KB, so the client creates it (zeroed, owned
/// by the program) in the transaction that calls `initialize_pool`.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct TreeState {
    /// The pool this tree belongs to.
    pub pool: [u8; 32],
    /// The tree.
    pub frontier: Frontier,
    /// Its recent roots.
    pub history: RootHistory,
}

impl TreeState {
    /// Size of the struct.
    pub const SIZE: usize = 32 + Frontier::SIZE + RootHistory::SIZE;
    /// Size of the account, discriminator included.
    pub const SPACE: usize = 8 + Self::SIZE;

    /// A copy of the tree in a tree account's data, if the data is one.
    pub fn read(data: &[u8]) -> Option<TreeState> {
        read(data, &TREE_DISCRIMINATOR)
    }

    /// The tree in a tree account's (8-byte aligned) data, if it is one.
    pub fn from_account_data_mut(data: &mut [u8]) -> Option<&mut TreeState> {
        if !has_layout::<TreeState>(data, &TREE_DISCRIMINATOR) {
            return None;
        }
        bytemuck::try_from_bytes_mut(&mut data[8..]).ok()
    }
}

const _: () = assert!(core::mem::size_of::<PoolState>() == PoolState::SIZE);
const _: () = assert!(core::mem::size_of::<TreeState>() == TreeState::SIZE);

/// Whether `data` is `discriminator` followed by exactly a `T`.
fn has_layout<T>(data: &[u8], discriminator: &[u8; 8]) -> bool {
    data.len() == 8 + core::mem::size_of::<T>() && data[..8] == discriminator[..]
}

/// The `T` after `discriminator` in `data` (8-byte aligned), if `data` is exactly that.
fn typed<'a, T: Pod>(data: &'a [u8], discriminator: &[u8; 8]) -> Option<&'a T> {
    if !has_layout::<T>(data, discriminator) {
        return None;
    }
    bytemuck::try_from_bytes(&data[8..]).ok()
}

/// A copy of the `T` after `discriminator` in `data`, if `data` is exactly that.
fn read<T: Pod>(data: &[u8], discriminator: &[u8; 8]) -> Option<T> {
    if !has_layout::<T>(data, discriminator) {
        return None;
    }
    Some(bytemuck::pod_read_unaligned(&data[8..]))
}
