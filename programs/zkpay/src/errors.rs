//! Errors of the zkpay program: generated from `zkpay-core`'s one list
//! ([`zkpay_core::for_each_zkpay_error!`]), so the Anchor entry, the SBF
//! build, the client and the IDL share every code and message.

use anchor_lang::prelude::*;

macro_rules! anchor_errors {
    ($($name:ident = $code:tt => $message:tt,)*) => {
        /// Why the program refused an instruction. Anchor numbers the
        /// variants from 6000 in order, as the core list does (a test checks
        /// every code).
        #[error_code]
        pub enum ZkpayError {
            $(
                #[doc = $message]
                #[msg($message)]
                $name,
            )*
        }

        impl From<zkpay_core::error::ZkpayError> for ZkpayError {
            fn from(error: zkpay_core::error::ZkpayError) -> Self {
                match error {
                    $(zkpay_core::error::ZkpayError::$name => ZkpayError::$name,)*
                }
            }
        }
    };
}

zkpay_core::for_each_zkpay_error!(anchor_errors);

/// A settlement failure on the Anchor entry: a core error, or an error of
/// Anchor or of a CPI, kept as it is.
#[derive(Debug)]
pub struct Failure(pub anchor_lang::error::Error);

impl From<zkpay_core::error::ZkpayError> for Failure {
    fn from(error: zkpay_core::error::ZkpayError) -> Self {
        Failure(ZkpayError::from(error).into())
    }
}

impl From<anchor_lang::error::Error> for Failure {
    fn from(error: anchor_lang::error::Error) -> Self {
        Failure(error)
    }
}

impl From<ProgramError> for Failure {
    fn from(error: ProgramError) -> Self {
        Failure(error.into())
    }
}
