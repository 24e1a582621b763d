//! The `Settled` event as Anchor's `emit_cpi!` sends it: a self-CPI signed
//! by the event authority PDA, and the instruction that receives it.

use pinocchio::cpi::{invoke_signed, Seed, Signer};
use pinocchio::error::ProgramError;
use pinocchio::instruction::{InstructionAccount, InstructionView};
use pinocchio::{AccountView, Address};
use zkpay_core::error::FrameworkError;
use zkpay_core::program::ids::{EVENT_AUTHORITY, EVENT_AUTHORITY_SEED};

use crate::error::Result;

/// Emits the event instruction `data` (tag, discriminator, body).
#[inline(always)]
pub fn emit(program_id: &Address, event_authority: &AccountView, data: &[u8]) -> Result<()> {
    let metas = [InstructionAccount::readonly_signer(event_authority.address())];
    let instruction = InstructionView {
        program_id,
        data,
        accounts: &metas,
    };
    let bump = [EVENT_AUTHORITY.1];
    let seeds = [Seed::from(EVENT_AUTHORITY_SEED), Seed::from(&bump)];
    invoke_signed(&instruction, &[event_authority], &[Signer::from(&seeds)])?;
    Ok(())
}

/// The event instruction: accepted only when the event authority signed
/// it, which only this program can do.
#[inline(never)]
pub fn process(accounts: &mut [AccountView]) -> Result<()> {
    let Some(authority) = accounts.first() else {
        return Err(ProgramError::NotEnoughAccountKeys.into());
    };
    if !authority.is_signer() {
        return Err(FrameworkError::ConstraintSigner.into());
    }
    if authority.address().as_array() != &EVENT_AUTHORITY.0 {
        return Err(FrameworkError::ConstraintSeeds.into());
    }
    Ok(())
}
