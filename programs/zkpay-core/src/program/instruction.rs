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
