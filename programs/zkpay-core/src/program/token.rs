//! What the program reads of SPL Token accounts, from their bytes.

use super::ids::TOKEN_PROGRAM_ID;
use crate::error::ZkpayError;

/// Size of an SPL token account.
pub const TOKEN_ACCOUNT_LEN: usize = 165;
/// Size of an SPL mint.
pub const MINT_LEN: usize = 82;
/// Offset of `decimals` in a mint.
const MINT_DECIMALS_OFFSET: usize = 44;
/// Offset of `is_initialized` in a mint.
const MINT_INITIALIZED_OFFSET: usize = 45;
/// Offset of `amount` (u64 little-endian) in a token account.
const ACCOUNT_AMOUNT_OFFSET: usize = 64;

/// The decimals of a mint (owner and data of its account), which must be an
/// initialised SPL Token mint.
pub fn mint_decimals(owner: &[u8; 32], data: &[u8]) -> Result<u8, ZkpayError> {
    if *owner != TOKEN_PROGRAM_ID || data.len() != MINT_LEN || data[MINT_INITIALIZED_OFFSET] != 1 {
        return Err(ZkpayError::InvalidMint);
    }
    Ok(data[MINT_DECIMALS_OFFSET])
}

/// The balance of a token account (owner and data of its account).
pub fn token_balance(owner: &[u8; 32], data: &[u8]) -> Result<u64, ZkpayError> {
    if *owner != TOKEN_PROGRAM_ID || data.len() != TOKEN_ACCOUNT_LEN {
        return Err(ZkpayError::InvalidTokenAccounts);
    }
    let mut amount = [0u8; 8];
    amount.copy_from_slice(&data[ACCOUNT_AMOUNT_OFFSET..ACCOUNT_AMOUNT_OFFSET + 8]);
    Ok(u64::from_le_bytes(amount))
}
