//! Reading `Settled` events out of a transaction's inner instructions.

use anchor_lang::event::EVENT_IX_TAG_LE;
use anchor_lang::{AnchorDeserialize, Discriminator};
use solana_sdk::pubkey::Pubkey;
use zkpay::events::Settled;

/// The `Settled` events among a transaction's inner instructions, given as
/// (program id, data). Anchor's event self-CPI is only accepted by the
/// program when signed by its event authority, which only the program
/// itself can sign for: an inner instruction to the zkpay program carrying
/// the event tag is an event the program emitted.
pub fn settled_events<'a>(
    inner_instructions: impl IntoIterator<Item = (&'a Pubkey, &'a [u8])>,
) -> Vec<Settled> {
    let tag_len = EVENT_IX_TAG_LE.len() + Settled::DISCRIMINATOR.len();
    inner_instructions
        .into_iter()
        .filter(|(program, data)| {
            **program == zkpay::ID
                && data.len() > tag_len
                && data.starts_with(EVENT_IX_TAG_LE)
                && data[EVENT_IX_TAG_LE.len()..].starts_with(Settled::DISCRIMINATOR)
        })
        .filter_map(|(_, data)| Settled::deserialize(&mut &data[tag_len..]).ok())
        .collect()
}
