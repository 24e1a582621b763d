//! Instruction encoding: Anchor's (an 8-byte discriminator, then the
//! arguments in Borsh), read in place without allocating.
//!
//! `transact(input_nullifiers: [[u8; 32]; 2], args: TransactArgs)` is laid
//! out as: nullifiers (2 x 32), proof (256), root (32), output commitments
//! (2 x 32), `ext_amount` (i64 LE), `fee` (u64 LE), then each encrypted
//! output as a Borsh `Vec<u8>` (u32 LE length, bytes). Like Anchor, the
//! reader ignores bytes after the arguments.

use crate::error::FrameworkError;
use crate::field::FieldBytes;
use crate::proof::TransferProof;

/// Byte offsets of `transact`'s fields in its instruction data
/// (discriminator included); the encrypted outputs start at [`OUTPUTS`].
pub mod offsets {
    /// The two nullifiers.
    pub const NULLIFIERS: usize = 8;
    /// The proof.
    pub const PROOF: usize = NULLIFIERS + 64;
    /// The root.
    pub const ROOT: usize = PROOF + 256;
    /// The two output commitments.
    pub const COMMITMENTS: usize = ROOT + 32;
    /// `ext_amount`.
    pub const EXT_AMOUNT: usize = COMMITMENTS + 64;
    /// `fee`.
    pub const FEE: usize = EXT_AMOUNT + 8;
    /// The first encrypted output's length prefix.
    pub const OUTPUTS: usize = FEE + 8;
}

/// The arguments of `transact`, borrowed from the instruction data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactData<'a> {
    /// Nullifiers of the two spent notes.
    pub input_nullifiers: [&'a FieldBytes; 2],
    /// The proof, as [`TransferProof::to_bytes`].
    pub proof: &'a [u8; TransferProof::SIZE],
    /// The tree root the proof was made against.
    pub root: &'a FieldBytes,
    /// Commitments of the two new notes.
    pub output_commitments: [&'a FieldBytes; 2],
    /// Amount entering (positive) or leaving (negative) the pool.
    pub ext_amount: i64,
    /// Paid from the pool to the relayer.
    pub fee: u64,
    /// The new notes, encrypted to their owners.
    pub encrypted_outputs: [&'a [u8]; 2],
}

/// Reads Borsh values off the front of a byte slice.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    #[inline(always)]
    fn take(&mut self, len: usize) -> Result<&'a [u8], FrameworkError> {
        if self.rest.len() < len {
            return Err(FrameworkError::InstructionDidNotDeserialize);
        }
        let (head, tail) = self.rest.split_at(len);
        self.rest = tail;
        Ok(head)
    }

    #[inline(always)]
    fn array<const N: usize>(&mut self) -> Result<&'a [u8; N], FrameworkError> {
        self.take(N)?
            .try_into()
            .map_err(|_| FrameworkError::InstructionDidNotDeserialize)
    }

    #[inline(always)]
    fn word(&mut self) -> Result<[u8; 8], FrameworkError> {
        Ok(*self.array::<8>()?)
    }

    #[inline(always)]
    fn bytes(&mut self) -> Result<&'a [u8], FrameworkError> {
        let len = u32::from_le_bytes(*self.array::<4>()?) as usize;
        self.take(len)
    }
}

impl<'a> TransactData<'a> {
    /// Reads the arguments (the instruction data after the discriminator).
    #[inline(always)]
    pub fn parse(args: &'a [u8]) -> Result<Self, FrameworkError> {
        let mut reader = Reader { rest: args };
        let input_nullifiers = [reader.array()?, reader.array()?];
        let proof = reader.array()?;
        let root = reader.array()?;
        let output_commitments = [reader.array()?, reader.array()?];
        let ext_amount = i64::from_le_bytes(reader.word()?);
        let fee = u64::from_le_bytes(reader.word()?);
        let encrypted_outputs = [reader.bytes()?, reader.bytes()?];
        Ok(TransactData {
            input_nullifiers,
            proof,
            root,
            output_commitments,
            ext_amount,
            fee,
            encrypted_outputs,
        })
    }
}

/// The argument of `initialize_pool`: the mint (all zeros for SOL).
#[inline(always)]
pub fn parse_initialize_pool(args: &[u8]) -> Result<&[u8; 32], FrameworkError> {
    Reader { rest: args }.array()
}

/// The argument of `split_nullifier_page`: the nullifier the page refuses.
#[inline(always)]
pub fn parse_split_nullifier_page(args: &[u8]) -> Result<&FieldBytes, FrameworkError> {
    Reader { rest: args }.array()
}

#[cfg(test)]
mod tests {
    use super::offsets::*;
    use super::*;

    #[test]
    fn the_reader_and_the_offsets_agree() {
        let mut data = std::vec![0u8; OUTPUTS];
        for (at, byte) in [(NULLIFIERS, 1), (NULLIFIERS + 32, 2), (PROOF, 3), (ROOT, 4)] {
            data[at] = byte;
        }
        data[COMMITMENTS] = 5;
        data[COMMITMENTS + 32] = 6;
        data[EXT_AMOUNT..FEE].copy_from_slice(&(-7i64).to_le_bytes());
        data[FEE..OUTPUTS].copy_from_slice(&8u64.to_le_bytes());
        data.extend_from_slice(&2u32.to_le_bytes());
        data.extend_from_slice(b"ab");
        data.extend_from_slice(&1u32.to_le_bytes());
        data.extend_from_slice(b"c");
        let ix = TransactData::parse(&data[8..]).unwrap();
        assert_eq!(
            (
                ix.input_nullifiers[0][0],
                ix.input_nullifiers[1][0],
                ix.proof[0],
                ix.root[0]
            ),
            (1, 2, 3, 4)
        );
        assert_eq!(
            (ix.output_commitments[0][0], ix.output_commitments[1][0]),
            (5, 6)
        );
        assert_eq!((ix.ext_amount, ix.fee), (-7, 8));
        assert_eq!(ix.encrypted_outputs, [&b"ab"[..], &b"c"[..]]);
        for len in 0..data.len() - 8 {
            assert_eq!(
                TransactData::parse(&data[8..8 + len]),
                Err(FrameworkError::InstructionDidNotDeserialize),
                "truncated to {len}"
            );
        }
    }
}
