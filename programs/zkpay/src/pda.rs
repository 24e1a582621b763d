//! Creating program accounts at PDAs so that nobody can block them by
//! sending lamports to the address first.

use anchor_lang::prelude::*;
use anchor_lang::system_program::{
    allocate, assign, create_account, transfer, Allocate, Assign, CreateAccount, Transfer,
};

/// Whether `account` is still free: owned by the system program with no data.
pub fn is_free(account: &AccountInfo) -> bool {
    account.owner == &anchor_lang::system_program::ID && account.data_is_empty()
}

/// Creates `account` (a PDA signed by `seeds`) with `space` bytes, owned by
/// `owner`, rent-exempt, paid by `payer`. An address that already holds
/// lamports is topped up, allocated and assigned instead of created, which
/// `create_account` would refuse. The caller checks [`is_free`] first.
pub fn create_pda<'info>(
    payer: &AccountInfo<'info>,
    account: &AccountInfo<'info>,
    seeds: &[&[u8]],
    space: usize,
    owner: &Pubkey,
) -> Result<()> {
    let system = anchor_lang::system_program::ID;
    let required = Rent::get()?.minimum_balance(space);
    let held = account.lamports();
    if held == 0 {
        let accounts = CreateAccount {
            from: payer.clone(),
            to: account.clone(),
        };
        return create_account(
            CpiContext::new_with_signer(system, accounts, &[seeds]),
            required,
            space as u64,
            owner,
        );
    }
    if required > held {
        let accounts = Transfer {
            from: payer.clone(),
            to: account.clone(),
        };
        transfer(CpiContext::new(system, accounts), required - held)?;
    }
    if space > 0 {
        let accounts = Allocate {
            account_to_allocate: account.clone(),
        };
        allocate(
            CpiContext::new_with_signer(system, accounts, &[seeds]),
            space as u64,
        )?;
    }
    let accounts = Assign {
        account_to_assign: account.clone(),
    };
    assign(
        CpiContext::new_with_signer(system, accounts, &[seeds]),
        owner,
    )
}
