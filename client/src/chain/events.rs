//! Reading `Settled` events out of a transaction's inner instructions (the
//! decoding itself is `zkpay-core`'s, shared with the tests).

use solana_sdk::pubkey::Pubkey;
use zkpay_core::program::event::Settled;

/// The `Settled` events among a transaction's inner instructions, given as
/// (program id, data); see `zkpay_core::program::event::settled_events`.
pub fn settled_events<'a>(
    inner_instructions: impl IntoIterator<Item = (&'a Pubkey, &'a [u8])>,
) -> Vec<Settled> {
    zkpay_core::program::event::settled_events(
        inner_instructions
            .into_iter()
            .map(|(program, data)| (program.as_array(), data)),
    )
}
