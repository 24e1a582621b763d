//! Account checks, as Anchor's account constraints make them and with
//! Anchor's error codes.

use pinocchio::sysvars::rent::RENT_ID;
use pinocchio::{AccountView, Address};
use zkpay_core::error::FrameworkError;

use crate::error::Result;

/// The account at `index`, or Anchor's "not enough keys" where the
/// instruction has fewer accounts.
#[inline(always)]
pub fn account(accounts: &[AccountView], index: usize) -> Result<&AccountView> {
    accounts
        .get(index)
        .ok_or(FrameworkError::AccountNotEnoughKeys.into())
}

/// A signer (`Signer`).
#[inline(always)]
pub fn signer(account: &AccountView) -> Result<()> {
    if !account.is_signer() {
        return Err(FrameworkError::AccountNotSigner.into());
    }
    Ok(())
}

/// A writable account (`#[account(mut)]`).
#[inline(always)]
pub fn writable(account: &AccountView) -> Result<()> {
    if !account.is_writable() {
        return Err(FrameworkError::ConstraintMut.into());
    }
    Ok(())
}

/// An account of this program holding the type with `discriminator`
/// (`AccountLoader`): owned by the program, discriminator and size right.
#[inline(always)]
pub fn typed(
    account: &AccountView,
    program_id: &Address,
    discriminator: &[u8; 8],
    space: usize,
) -> Result<()> {
    if !account.owned_by(program_id) {
        return Err(FrameworkError::AccountOwnedByWrongProgram.into());
    }
    // SAFETY: read only, no mutable borrow of this account is live.
    let data = unsafe { account.borrow_unchecked() };
    if data.len() < 8 {
        return Err(FrameworkError::AccountDiscriminatorNotFound.into());
    }
    if data[..8] != discriminator[..] {
        return Err(FrameworkError::AccountDiscriminatorMismatch.into());
    }
    if data.len() != space {
        return Err(FrameworkError::AccountDidNotDeserialize.into());
    }
    Ok(())
}

/// The data of `account`, writable.
///
/// # Safety
/// No other reference to the account's data may be live while the result
/// is (the runtime's buffer itself outlives the instruction).
#[inline(always)]
#[allow(clippy::mut_from_ref)]
pub unsafe fn data_mut(account: &AccountView) -> &mut [u8] {
    // SAFETY: the caller's promise; the pointer and length are the runtime's.
    unsafe { core::slice::from_raw_parts_mut(account.data_ptr() as *mut u8, account.data_len()) }
}

/// An optional account: the program id stands for "none", as Anchor
/// encodes an absent optional account.
#[inline(always)]
pub fn optional<'a>(account: &'a AccountView, program_id: &Address) -> Option<&'a AccountView> {
    (account.address() != program_id).then_some(account)
}

/// The account at the exact address `expected`, else `error`.
#[inline(always)]
pub fn at(account: &AccountView, expected: &[u8; 32], error: FrameworkError) -> Result<()> {
    if account.address().as_ref() != expected {
        return Err(error.into());
    }
    Ok(())
}

/// The bump of the PDA `seeds` of `program_id`, which `account` must be
/// (`seeds = [...], bump`).
#[inline(always)]
pub fn pda(account: &AccountView, seeds: &[&[u8]], program_id: &Address) -> Result<u8> {
    let (address, bump) = Address::find_program_address(seeds, program_id);
    if *account.address() != address {
        return Err(FrameworkError::ConstraintSeeds.into());
    }
    Ok(bump)
}

/// Whether `account` is still free: owned by the system program, no data.
#[inline(always)]
pub fn is_free(account: &AccountView) -> bool {
    account.owned_by(&Address::new_from_array(zkpay_core::program::ids::SYSTEM_PROGRAM_ID))
        && account.is_data_empty()
}

/// Lamports making an account of `space` bytes rent-exempt, from the Rent
/// sysvar: `(128 + space) * lamports_per_byte_year * exemption_threshold`,
/// the threshold being 2 (the cluster default) or 1. Integer arithmetic
/// only: the threshold is compared by its bits.
#[inline(always)]
pub fn rent_exempt_minimum(space: usize) -> Result<u64> {
    let mut rent = [0u8; 17];
    pinocchio::sysvars::get_sysvar(&mut rent, &RENT_ID, 0)?;
    let per_byte_year = u64::from_le_bytes(rent[..8].try_into().unwrap_or_default());
    let threshold = u64::from_le_bytes(rent[8..16].try_into().unwrap_or_default());
    let factor = match threshold {
        0x4000_0000_0000_0000 => 2, // 2.0
        0x3ff0_0000_0000_0000 => 1, // 1.0
        _ => return Err(pinocchio::error::ProgramError::UnsupportedSysvar.into()),
    };
    // Bounded so that the product fits 63 bits (a 64-bit multiply with an
    // overflow check would need a 128-bit libcall this toolchain lacks).
    let bytes = 128 + space as u64;
    if bytes >= 1 << 32 || per_byte_year >= 1 << 30 {
        return Err(pinocchio::error::ProgramError::ArithmeticOverflow.into());
    }
    Ok(bytes.wrapping_mul(per_byte_year).wrapping_mul(factor))
}
