//! The adapter's error: a core error, an Anchor framework error or a
//! runtime error from a CPI, each keeping its own code.

use core::num::NonZeroU64;

use pinocchio::error::ProgramError;
use zkpay_core::error::{FrameworkError, ZkpayError};

/// Why an instruction failed: the runtime's 64-bit encoding of a
/// [`ProgramError`] (`Custom(code)` for the program's and Anchor's codes).
/// One register wide, so a step that is not inlined can return it: LLVM's
/// BPF backend here cannot return anything larger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure(NonZeroU64);

impl From<ProgramError> for Failure {
    #[inline(always)]
    fn from(error: ProgramError) -> Self {
        // Every ProgramError encodes to a non-zero value (0 is success);
        // Custom(0) is encoded as its own non-zero builtin value.
        Failure(NonZeroU64::new(u64::from(error)).unwrap_or(NonZeroU64::MAX))
    }
}

impl From<ZkpayError> for Failure {
    #[inline(always)]
    fn from(error: ZkpayError) -> Self {
        ProgramError::Custom(error.code()).into()
    }
}

impl From<FrameworkError> for Failure {
    #[inline(always)]
    fn from(error: FrameworkError) -> Self {
        ProgramError::Custom(error.code()).into()
    }
}

impl From<Failure> for ProgramError {
    #[inline(always)]
    fn from(failure: Failure) -> Self {
        ProgramError::from(failure.0.get())
    }
}

/// The result of a step.
pub type Result<T> = core::result::Result<T, Failure>;

const _: () = assert!(core::mem::size_of::<Result<()>>() == 8);
