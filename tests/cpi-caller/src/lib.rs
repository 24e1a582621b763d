//! A test program that calls zkpay by cross-program invocation: it invokes
//! the program given as its first account with its own instruction data
//! and the rest of its accounts, each signer and writable as it was given.
//!
//! With it, a wallet's tests see a settlement that another program made:
//! zkpay's `transact` and its event one level deeper among the inner
//! instructions, and, in a v0 transaction, zkpay's id and the pool's
//! accounts loaded from an address lookup table (client/tests/localnet.rs).
#![no_std]
#![deny(missing_docs)]

use pinocchio::cpi::invoke_with_bounds;
use pinocchio::error::ProgramError;
use pinocchio::instruction::{InstructionAccount, InstructionView};
use pinocchio::{AccountView, Address, ProgramResult};

/// The most accounts one call forwards (zkpay's `transact` takes 14).
pub const MAX_FORWARDED: usize = 24;

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
mod entry {
    pinocchio::program_entrypoint!(crate::process_instruction, { crate::MAX_FORWARDED + 1 });
    pinocchio::no_allocator!();
    pinocchio::nostd_panic_handler!();
}

/// Accounts: the program to call, then the accounts to pass it. Data: the
/// instruction data to pass it.
pub fn process_instruction(
    _program_id: &Address,
    accounts: &mut [AccountView],
    data: &[u8],
) -> ProgramResult {
    let [program, forwarded @ ..] = &*accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    if forwarded.len() > MAX_FORWARDED {
        return Err(ProgramError::InvalidArgument);
    }
    let metas: [InstructionAccount; MAX_FORWARDED] = core::array::from_fn(|i| match forwarded.get(i) {
        Some(account) => {
            InstructionAccount::new(account.address(), account.is_writable(), account.is_signer())
        }
        None => InstructionAccount::readonly(program.address()),
    });
    let instruction = InstructionView {
        program_id: program.address(),
        data,
        accounts: &metas[..forwarded.len()],
    };
    invoke_with_bounds::<MAX_FORWARDED, _>(&instruction, forwarded)
}
