//! The `Settled` event: what wallets read to find their notes.
//!
//! The program emits it as Anchor's `emit_cpi!` does: a self-CPI, signed by
//! the event authority PDA, whose data is [`EVENT_IX_TAG`], the event's
//! discriminator, then the event in Borsh: pool (32), first leaf index (u64
//! LE), the two commitments (2 x 32), the two nullifiers (2 x 32), the new
//! root (32), then each encrypted output as a Borsh `Vec<u8>`.

use super::ids::{EVENT_IX_TAG, MAX_ENCRYPTED_OUTPUT_LEN, SETTLED_DISCRIMINATOR};
use crate::field::FieldBytes;

/// Bytes before the event body: the event tag and discriminator.
pub const EVENT_PREFIX_LEN: usize = 16;

/// Largest event instruction data, with both outputs at the size limit.
pub const MAX_EVENT_LEN: usize =
    EVENT_PREFIX_LEN + 32 + 8 + 4 * 32 + 32 + 2 * (4 + MAX_ENCRYPTED_OUTPUT_LEN);

/// The event of one settled transfer, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettledRef<'a> {
    /// The pool.
    pub pool: &'a [u8; 32],
    /// Leaf index of `commitments[0]`; `commitments[1]` is the next leaf.
    pub first_leaf_index: u64,
    /// The new note commitments.
    pub commitments: [&'a FieldBytes; 2],
    /// The spent nullifiers.
    pub nullifiers: [&'a FieldBytes; 2],
    /// The tree root after appending.
    pub root: &'a FieldBytes,
    /// The output notes, encrypted to their owners (each at most
    /// [`MAX_ENCRYPTED_OUTPUT_LEN`] bytes).
    pub encrypted_outputs: [&'a [u8]; 2],
}

impl SettledRef<'_> {
    /// Writes the event instruction data into `out` and returns its length.
    /// The outputs must be within [`MAX_ENCRYPTED_OUTPUT_LEN`].
    #[inline(always)]
    pub fn encode(&self, out: &mut [u8; MAX_EVENT_LEN]) -> usize {
        let mut at = 0;
        let mut put = |bytes: &[u8]| {
            out[at..at + bytes.len()].copy_from_slice(bytes);
            at += bytes.len();
        };
        put(&EVENT_IX_TAG);
        put(&SETTLED_DISCRIMINATOR);
        put(self.pool);
        put(&self.first_leaf_index.to_le_bytes());
        put(self.commitments[0]);
        put(self.commitments[1]);
        put(self.nullifiers[0]);
        put(self.nullifiers[1]);
        put(self.root);
        for output in self.encrypted_outputs {
            put(&(output.len() as u32).to_le_bytes());
            put(output);
        }
        at
    }
}

#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
pub use owned::{settled_events, Settled};

#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
mod owned {
    use alloc::vec::Vec;

    use super::{SettledRef, EVENT_PREFIX_LEN};
    use crate::program::ids::{EVENT_IX_TAG, PROGRAM_ID, SETTLED_DISCRIMINATOR};

    /// A `Settled` event, decoded.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Settled {
        /// The pool.
        pub pool: [u8; 32],
        /// Leaf index of `commitments[0]`; `commitments[1]` is the next leaf.
        pub first_leaf_index: u64,
        /// The new note commitments.
        pub commitments: [[u8; 32]; 2],
        /// The spent nullifiers.
        pub nullifiers: [[u8; 32]; 2],
        /// The tree root after appending.
        pub root: [u8; 32],
        /// The output notes, encrypted to their owners.
        pub encrypted_outputs: [Vec<u8>; 2],
    }

    impl Settled {
        /// The event body (after the tag and discriminator), decoded; None
        /// unless it is exactly one event.
        pub fn decode_body(body: &[u8]) -> Option<Settled> {
            let mut rest = body;
            let mut take = |len: usize| -> Option<&[u8]> {
                if rest.len() < len {
                    return None;
                }
                let (head, tail) = rest.split_at(len);
                rest = tail;
                Some(head)
            };
            let array = |bytes: &[u8]| -> [u8; 32] { bytes.try_into().expect("32 bytes") };
            let pool = array(take(32)?);
            let first_leaf_index = u64::from_le_bytes(take(8)?.try_into().ok()?);
            let commitments = [array(take(32)?), array(take(32)?)];
            let nullifiers = [array(take(32)?), array(take(32)?)];
            let root = array(take(32)?);
            let mut output = || -> Option<Vec<u8>> {
                let len = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
                Some(take(len)?.to_vec())
            };
            let encrypted_outputs = [output()?, output()?];
            if !rest.is_empty() {
                return None;
            }
            Some(Settled {
                pool,
                first_leaf_index,
                commitments,
                nullifiers,
                root,
                encrypted_outputs,
            })
        }

        /// The event instruction data the program emits for this event.
        pub fn encode(&self) -> Vec<u8> {
            let mut out = [0u8; super::MAX_EVENT_LEN];
            let len = SettledRef {
                pool: &self.pool,
                first_leaf_index: self.first_leaf_index,
                commitments: [&self.commitments[0], &self.commitments[1]],
                nullifiers: [&self.nullifiers[0], &self.nullifiers[1]],
                root: &self.root,
                encrypted_outputs: [&self.encrypted_outputs[0], &self.encrypted_outputs[1]],
            }
            .encode(&mut out);
            out[..len].to_vec()
        }
    }

    /// The `Settled` events among a transaction's inner instructions, given
    /// as (program id, data). The program accepts its event instruction only
    /// when signed by its event authority, which only the program itself
    /// can sign for: an inner instruction to the program carrying the event
    /// tag is an event the program emitted.
    pub fn settled_events<'a>(
        inner_instructions: impl IntoIterator<Item = (&'a [u8; 32], &'a [u8])>,
    ) -> Vec<Settled> {
        inner_instructions
            .into_iter()
            .filter(|(program, data)| {
                **program == PROGRAM_ID
                    && data.len() > EVENT_PREFIX_LEN
                    && data[..8] == EVENT_IX_TAG
                    && data[8..EVENT_PREFIX_LEN] == SETTLED_DISCRIMINATOR
            })
            .filter_map(|(_, data)| Settled::decode_body(&data[EVENT_PREFIX_LEN..]))
            .collect()
    }
}
