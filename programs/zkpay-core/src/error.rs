//! The program's errors, each with a fixed numeric code.
//!
//! One list, [`for_each_zkpay_error!`], defines every error: its name, its
//! code (the `Custom` code of the failed instruction, from 6000 as Anchor
//! numbers a program's own errors) and its message. [`ZkpayError`] is
//! generated from it here; the Anchor entry generates its `#[error_code]`
//! enum from the same list, so both builds of the program, the client and
//! the tests agree on every code by construction. Codes never change once
//! released: new errors go at the end.

/// Calls `$callback!` with the program's errors as `Name = code => "message"`.
#[macro_export]
macro_rules! for_each_zkpay_error {
    ($callback:ident) => {
        $callback! {
            NonCanonicalPublicInput = 6000 => "a public input is not a canonical field element (it is >= the BN254 scalar modulus)",
            UnknownRoot = 6001 => "the Merkle root is not one of the tree's recent roots",
            InvalidProof = 6002 => "the transfer proof does not verify for these public inputs",
            NullifierAlreadySpent = 6003 => "a nullifier of this transfer has already been spent",
            DuplicateNullifier = 6004 => "the two input nullifiers are the same",
            WrongTree = 6005 => "the commitment tree account and the pool do not belong to each other",
            WrongVault = 6006 => "the vault account is not this pool's vault",
            TreeFull = 6007 => "the commitment tree is full",
            InsufficientVaultBalance = 6008 => "the pool's vault holds less than the withdrawal plus the fee",
            ExtAmountOutOfRange = 6009 => "the external amount is out of range",
            EncryptedOutputTooLarge = 6010 => "an encrypted output note is larger than the limit",
            PoolAlreadyInitialized = 6011 => "this asset's pool is already initialised",
            InvalidTokenAccounts = 6012 => "token pools need the mint, the token program and matching token accounts",
            InvalidMint = 6013 => "the mint is not an SPL token mint",
            HashFailed = 6014 => "the Poseidon hash failed on a value the program computed",
            TreeCorrupt = 6015 => "the commitment tree account is inconsistent (its next leaf index is odd)",
            NonCanonicalProof = 6016 => "a point coordinate of the proof is not canonical (it is >= the BN254 base-field modulus)",
            WrongNullifierPage = 6017 => "a nullifier page passed is not this pool's live page covering the nullifier (it may have been split since: look it up again)",
            NullifierPageFull = 6018 => "a nullifier page refuses a new nullifier (it is full, or the nullifier's slot is too far): split it with `split_nullifier_page`, then send the transfer again",
            PageNotFull = 6019 => "a nullifier page can be split only for a nullifier it refuses",
            PageTooDeep = 6020 => "the nullifier page is at the deepest level and cannot be split",
        }
    };
}

/// Defines an error enum with fixed codes, names and messages.
macro_rules! define_error_enum {
    (
        $(#[$doc:meta])*
        $enum:ident { $($name:ident = $code:literal => $message:literal,)* }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u32)]
        pub enum $enum {
            $(
                #[doc = $message]
                $name = $code,
            )*
        }

        impl $enum {
            /// Every error, in code order.
            pub const ALL: &'static [$enum] = &[$($enum::$name,)*];

            /// The error's fixed code.
            pub const fn code(self) -> u32 {
                self as u32
            }

            /// The error's name, as the program logs it.
            pub const fn name(self) -> &'static str {
                match self {
                    $($enum::$name => stringify!($name),)*
                }
            }

            /// What the error means.
            pub const fn message(self) -> &'static str {
                match self {
                    $($enum::$name => $message,)*
                }
            }

            /// The error with `code`, if there is one.
            pub fn from_code(code: u32) -> Option<$enum> {
                match code {
                    $($code => Some($enum::$name),)*
                    _ => None,
                }
            }
        }
    };
}

macro_rules! define_zkpay_error {
    ($($list:tt)*) => {
        define_error_enum! {
            /// Why the program refused an instruction (`Custom` code = the value).
            ZkpayError { $($list)* }
        }
    };
}

for_each_zkpay_error!(define_zkpay_error);

impl core::fmt::Display for ZkpayError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for ZkpayError {}

define_error_enum! {
    /// Errors of the Anchor framework the program reports for malformed
    /// instructions and accounts, with Anchor's codes, so that both builds of
    /// the program fail a malformed instruction the same way.
    FrameworkError {
        InstructionFallbackNotFound = 101 => "the program has no instruction with this discriminator",
        InstructionDidNotDeserialize = 102 => "the instruction's arguments do not decode",
        ConstraintMut = 2000 => "an account the instruction writes was passed read-only",
        ConstraintSigner = 2002 => "the event instruction was not signed by the event authority",
        ConstraintRentExempt = 2005 => "an account to initialise is not rent-exempt",
        ConstraintSeeds = 2006 => "an account is not at the address its seeds give",
        ConstraintAddress = 2012 => "an account is not at the address the program requires",
        ConstraintZero = 2013 => "an account to initialise is not zeroed",
        AccountDiscriminatorNotFound = 3001 => "an account's data is shorter than a discriminator",
        AccountDiscriminatorMismatch = 3002 => "an account holds another type than the instruction expects",
        AccountDidNotDeserialize = 3003 => "an account's data does not have its type's size",
        AccountNotEnoughKeys = 3005 => "the instruction has fewer accounts than it needs",
        AccountOwnedByWrongProgram = 3007 => "an account is owned by another program than required",
        InvalidProgramId = 3008 => "a program account is not the expected program",
        AccountNotSigner = 3010 => "an account that must sign did not",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_fixed_and_round_trip() {
        for (index, error) in ZkpayError::ALL.iter().enumerate() {
            assert_eq!(error.code(), 6000 + index as u32, "{}", error.name());
            assert_eq!(ZkpayError::from_code(error.code()), Some(*error));
        }
        assert_eq!(ZkpayError::from_code(5999), None);
        assert_eq!(ZkpayError::InvalidProof.code(), 6002);
        assert_eq!(ZkpayError::TreeFull.name(), "TreeFull");
        for error in FrameworkError::ALL {
            assert_eq!(FrameworkError::from_code(error.code()), Some(*error));
            assert!(ZkpayError::from_code(error.code()).is_none());
        }
    }
}
