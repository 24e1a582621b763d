//! The pool of one asset.

use anchor_lang::prelude::*;

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
#[account(zero_copy)]
pub struct Pool {
    /// The mint (all zeros for native SOL).
    pub mint: Pubkey,
    /// The asset id notes and proofs carry.
    pub asset_id: [u8; 32],
    /// The commitment tree account.
    pub tree: Pubkey,
    /// The vault (`[VAULT_SEED, pool]`).
    pub vault: Pubkey,
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

impl Pool {
    /// Account size, discriminator included.
    pub const SPACE: usize = 8 + core::mem::size_of::<Pool>();

    /// The kind of asset.
    pub fn asset_kind(&self) -> AssetKind {
        if self.kind == AssetKind::SplToken as u8 {
            AssetKind::SplToken
        } else {
            AssetKind::Sol
        }
    }
}

const _: () = assert!(core::mem::size_of::<Pool>() == 4 * 32 + 8);
