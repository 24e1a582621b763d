//! The zkpay program as SBF: a thin adapter that runs `zkpay-core`'s
//! settlement ([`zkpay_core::program::settle`]) over pinocchio accounts, built
//! to SBF on this machine (docs/SBF.md) and deployed as `zkpay.so`.
//!
//! Its wire format is the Anchor program's (`programs/zkpay`): the same
//! discriminators, Borsh arguments, account order (optional accounts given
//! as the program id when absent), account layouts, error codes and event
//! bytes, so one client and one test suite drive either build.
//!
//! Instructions: [`initialize_pool`], [`transact`],
//! [`split_nullifier_page`], and the event
//! instruction its own self-CPI calls ([`event`]).
#![no_std]
#![deny(missing_docs)]

pub mod accounts;
pub mod cpi;
pub mod error;
pub mod event;
pub mod initialize_pool;
pub mod split_nullifier_page;
pub mod transact;

use pinocchio::error::ProgramError;
use pinocchio::{AccountView, Address, ProgramResult};
use zkpay_core::error::FrameworkError;
use zkpay_core::program::ids::{
    EVENT_IX_TAG, INITIALIZE_POOL_DISCRIMINATOR, SPLIT_NULLIFIER_PAGE_DISCRIMINATOR,
    TRANSACT_DISCRIMINATOR,
};

use crate::error::Failure;

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
mod entry {
    pinocchio::program_entrypoint!(crate::process_instruction, 16);
    pinocchio::no_allocator!();
    pinocchio::nostd_panic_handler!();
}

/// The program's entry: dispatches on the 8-byte discriminator, as Anchor
/// does (anything else, shorter data included, is an unknown instruction).
#[inline(always)]
pub fn process_instruction(
    program_id: &Address,
    accounts: &mut [AccountView],
    data: &[u8],
) -> ProgramResult {
    let result = if data.starts_with(&TRANSACT_DISCRIMINATOR) {
        transact::process(program_id, accounts, &data[8..])
    } else if data.starts_with(&INITIALIZE_POOL_DISCRIMINATOR) {
        initialize_pool::process(program_id, accounts, &data[8..])
    } else if data.starts_with(&SPLIT_NULLIFIER_PAGE_DISCRIMINATOR) {
        split_nullifier_page::process(program_id, accounts, &data[8..])
    } else if data.starts_with(&EVENT_IX_TAG) {
        event::process(accounts)
    } else {
        Err(Failure::from(FrameworkError::InstructionFallbackNotFound))
    };
    result.map_err(ProgramError::from)
}
