//! The CPIs the program makes: the system program (create, fund, allocate,
//! assign) and the SPL Token program (transfer, initialise an account).

use pinocchio::cpi::{invoke_signed, Signer};
use pinocchio::instruction::{InstructionAccount, InstructionView};
use pinocchio::{AccountView, Address};
use zkpay_core::program::ids::{SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID};

use crate::accounts::rent_exempt_minimum;
use crate::error::Result;

const SYSTEM_PROGRAM: Address = Address::new_from_array(SYSTEM_PROGRAM_ID);
const TOKEN_PROGRAM: Address = Address::new_from_array(TOKEN_PROGRAM_ID);

/// System program `transfer` of `lamports` from `from` (a signer) to `to`.
#[inline(always)]
pub fn transfer(from: &AccountView, to: &AccountView, lamports: u64) -> Result<()> {
    let mut data = [0u8; 12];
    data[..4].copy_from_slice(&2u32.to_le_bytes());
    data[4..].copy_from_slice(&lamports.to_le_bytes());
    let metas = [
        InstructionAccount::writable_signer(from.address()),
        InstructionAccount::writable(to.address()),
    ];
    let instruction = InstructionView {
        program_id: &SYSTEM_PROGRAM,
        data: &data,
        accounts: &metas,
    };
    invoke_signed(&instruction, &[from, to], &[])?;
    Ok(())
}

/// Creates `account` (the PDA that `signer` signs for) with `space` bytes,
/// owned by `owner`, rent-exempt, paid by `payer`. An address that already
/// holds lamports is topped up, allocated and assigned instead (system
/// `create_account` would refuse it), so nobody can block a PDA by sending
/// it lamports first. The caller checks the account is free.
#[inline(always)]
pub fn create_pda(
    payer: &AccountView,
    account: &AccountView,
    signer: &Signer,
    space: usize,
    owner: &Address,
) -> Result<()> {
    let required = rent_exempt_minimum(space)?;
    let held = account.lamports();
    let signers = core::slice::from_ref(signer);
    if held == 0 {
        let mut data = [0u8; 52];
        data[4..12].copy_from_slice(&required.to_le_bytes());
        data[12..20].copy_from_slice(&(space as u64).to_le_bytes());
        data[20..].copy_from_slice(owner.as_ref());
        let metas = [
            InstructionAccount::writable_signer(payer.address()),
            InstructionAccount::writable_signer(account.address()),
        ];
        let instruction = InstructionView {
            program_id: &SYSTEM_PROGRAM,
            data: &data,
            accounts: &metas,
        };
        invoke_signed(&instruction, &[payer, account], signers)?;
        return Ok(());
    }
    if required > held {
        transfer(payer, account, required - held)?;
    }
    let metas = [InstructionAccount::writable_signer(account.address())];
    if space > 0 {
        let mut data = [0u8; 12];
        data[..4].copy_from_slice(&8u32.to_le_bytes());
        data[4..].copy_from_slice(&(space as u64).to_le_bytes());
        let instruction = InstructionView {
            program_id: &SYSTEM_PROGRAM,
            data: &data,
            accounts: &metas,
        };
        invoke_signed(&instruction, &[account], signers)?;
    }
    let mut data = [0u8; 36];
    data[..4].copy_from_slice(&1u32.to_le_bytes());
    data[4..].copy_from_slice(owner.as_ref());
    let instruction = InstructionView {
        program_id: &SYSTEM_PROGRAM,
        data: &data,
        accounts: &metas,
    };
    invoke_signed(&instruction, &[account], signers)?;
    Ok(())
}

/// SPL Token `transfer_checked` of `amount` (with the mint's `decimals`)
/// from `accounts = [from, mint, to, authority]`, the authority signing
/// directly or through `signers`.
#[inline(always)]
pub fn transfer_tokens(
    accounts: [&AccountView; 4],
    amount: u64,
    decimals: u8,
    signers: &[Signer],
) -> Result<()> {
    let [from, mint, to, authority] = accounts;
    let mut data = [0u8; 10];
    data[0] = 12;
    data[1..9].copy_from_slice(&amount.to_le_bytes());
    data[9] = decimals;
    let metas = [
        InstructionAccount::writable(from.address()),
        InstructionAccount::readonly(mint.address()),
        InstructionAccount::writable(to.address()),
        InstructionAccount::readonly_signer(authority.address()),
    ];
    let instruction = InstructionView {
        program_id: &TOKEN_PROGRAM,
        data: &data,
        accounts: &metas,
    };
    invoke_signed(&instruction, &[from, mint, to, authority], signers)?;
    Ok(())
}

/// SPL Token `initialize_account3`: `account` (allocated, owned by the
/// token program) becomes a token account of `mint` owned by `owner`.
#[inline(always)]
pub fn initialize_token_account(
    account: &AccountView,
    mint: &AccountView,
    owner: &Address,
) -> Result<()> {
    let mut data = [0u8; 33];
    data[0] = 18;
    data[1..].copy_from_slice(owner.as_ref());
    let metas = [
        InstructionAccount::writable(account.address()),
        InstructionAccount::readonly(mint.address()),
    ];
    let instruction = InstructionView {
        program_id: &TOKEN_PROGRAM,
        data: &data,
        accounts: &metas,
    };
    invoke_signed(&instruction, &[account, mint], &[])?;
    Ok(())
}
