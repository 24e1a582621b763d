//! zkpay: private payments settled in one transaction.
//!
//! `initialize_pool` opens the shielded pool of one asset (native SOL or an
//! SPL mint); `transact` settles a deposit, a private transfer or a
//! withdrawal with one Groth16 proof. This file only dispatches; each
//! instruction lives in [`instructions`].

use anchor_lang::prelude::*;

pub mod constants;
pub mod errors;
pub mod events;
pub mod instructions;
pub mod pda;
pub mod state;

use instructions::*;

declare_id!("CHX54C3F4wvBCYX5usizzTzxpZHYZZyQDHwBDG8iEmh4");

#[program]
pub mod zkpay {
    use super::*;

    /// Opens the pool of `args.mint` (the all-zero address for native SOL).
    pub fn initialize_pool(ctx: Context<InitializePool>, args: InitializePoolArgs) -> Result<()> {
        instructions::initialize_pool::handler(ctx, args)
    }

    /// Settles one transfer: verifies its proof, spends its two nullifiers,
    /// appends its two commitments and moves the public amounts.
    pub fn transact(
        ctx: Context<Transact>,
        input_nullifiers: [[u8; 32]; 2],
        args: TransactArgs,
    ) -> Result<()> {
        instructions::transact::handler(ctx, input_nullifiers, args)
    }
}
