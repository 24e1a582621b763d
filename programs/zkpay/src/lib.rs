//! zkpay: private payments settled in one transaction.
//!
//! `initialize_pool` opens the shielded pool of one asset (native SOL or an
//! SPL mint); `transact` settles a deposit, a private transfer or a
//! withdrawal with one Groth16 proof; `split_nullifier_page` splits a full
//! page of spent nullifiers. This file only dispatches; each
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

    /// Replaces a nullifier page that refuses `args.nullifier` by its two
    /// children, paid from the pool's reserve.
    pub fn split_nullifier_page(
        ctx: Context<SplitNullifierPage>,
        args: SplitNullifierPageArgs,
    ) -> Result<()> {
        instructions::split_nullifier_page::handler(ctx, args)
    }
}

#[cfg(test)]
mod tests {
    //! The Anchor entry derives its ids and discriminators itself; these
    //! tests pin them to `zkpay-core`'s, which the SBF build uses.
    use anchor_lang::{AnchorSerialize, Discriminator};
    use zkpay_core::program::event::Settled as CoreSettled;
    use zkpay_core::program::ids;

    use super::*;

    #[test]
    fn ids_and_discriminators_match_the_core() {
        assert_eq!(ID.to_bytes(), ids::PROGRAM_ID);
        assert_eq!(spl_token_interface::ID.to_bytes(), ids::TOKEN_PROGRAM_ID);
        assert_eq!(
            instruction::Transact::DISCRIMINATOR,
            ids::TRANSACT_DISCRIMINATOR
        );
        assert_eq!(
            instruction::InitializePool::DISCRIMINATOR,
            ids::INITIALIZE_POOL_DISCRIMINATOR
        );
        assert_eq!(
            instruction::SplitNullifierPage::DISCRIMINATOR,
            ids::SPLIT_NULLIFIER_PAGE_DISCRIMINATOR
        );
        assert_eq!(
            state::NullifierPage::DISCRIMINATOR,
            ids::NULLIFIER_PAGE_DISCRIMINATOR
        );
        assert_eq!(state::Pool::DISCRIMINATOR, ids::POOL_DISCRIMINATOR);
        assert_eq!(
            state::CommitmentTreeAccount::DISCRIMINATOR,
            ids::TREE_DISCRIMINATOR
        );
        assert_eq!(events::Settled::DISCRIMINATOR, ids::SETTLED_DISCRIMINATOR);
        assert_eq!(anchor_lang::event::EVENT_IX_TAG_LE, ids::EVENT_IX_TAG);
        assert_eq!(
            (
                EVENT_AUTHORITY_AND_BUMP.0.to_bytes(),
                EVENT_AUTHORITY_AND_BUMP.1
            ),
            ids::EVENT_AUTHORITY
        );
    }

    #[test]
    fn the_core_event_encoding_is_anchors() {
        let core = CoreSettled {
            pool: [7; 32],
            first_leaf_index: 42,
            commitments: [[1; 32], [2; 32]],
            nullifiers: [[3; 32], [4; 32]],
            root: [5; 32],
            encrypted_outputs: [vec![9; 89], vec![8; 120]],
        };
        let anchor = events::Settled {
            pool: Pubkey::new_from_array(core.pool),
            first_leaf_index: core.first_leaf_index,
            commitments: core.commitments,
            nullifiers: core.nullifiers,
            root: core.root,
            encrypted_outputs: core.encrypted_outputs.clone(),
        };
        let mut expected = [
            anchor_lang::event::EVENT_IX_TAG_LE,
            events::Settled::DISCRIMINATOR,
        ]
        .concat();
        anchor.serialize(&mut expected).unwrap();
        assert_eq!(core.encode(), expected);
        assert_eq!(CoreSettled::decode_body(&expected[16..]), Some(core));
    }

    #[test]
    fn error_codes_are_the_cores() {
        for error in zkpay_core::error::ZkpayError::ALL {
            let anchor = errors::ZkpayError::from(*error);
            assert_eq!(u32::from(anchor), error.code());
            assert_eq!(anchor.name(), error.name());
            assert_eq!(anchor.to_string(), error.message());
        }
    }
}
