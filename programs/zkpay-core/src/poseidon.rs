//! The one Poseidon hash of zkpay: BN254, x^5 S-box, circom parameters.
//!
//! Off-chain it runs light-poseidon; on-chain (`target_os = "solana"` or
//! `target_arch = "bpf"`) it calls the `sol_poseidon` syscall, which is
//! light-poseidon behind a syscall, so both produce the same bytes for the
//! same inputs.

use crate::field::{is_canonical, FieldBytes};

/// Largest number of inputs one Poseidon call takes (width 13), the limit of
/// both light-poseidon and the `sol_poseidon` syscall.
pub const MAX_INPUTS: usize = 12;

/// Why a Poseidon hash could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// An input is `>= r`.
    #[error("Poseidon input {index} is not a canonical field element (it is >= r)")]
    NonCanonicalInput {
        /// Position of the offending input.
        index: usize,
    },
    /// Zero inputs, or more than [`MAX_INPUTS`].
    #[error("Poseidon takes 1 to 12 inputs, got {count}")]
    InputCount {
        /// Number of inputs given.
        count: usize,
    },
    /// The `sol_poseidon` syscall refused inputs that passed the checks above.
    #[error("the sol_poseidon syscall failed")]
    Syscall,
}

/// Poseidon of `inputs`, each a canonical big-endian field element.
pub fn hashv(inputs: &[&FieldBytes]) -> Result<FieldBytes, HashError> {
    if inputs.is_empty() || inputs.len() > MAX_INPUTS {
        return Err(HashError::InputCount {
            count: inputs.len(),
        });
    }
    if let Some(index) = inputs.iter().position(|input| !is_canonical(input)) {
        return Err(HashError::NonCanonicalInput { index });
    }
    backend::hashv(inputs)
}

/// Poseidon of two canonical field elements: one node of the commitment tree.
pub fn hash_pair(left: &FieldBytes, right: &FieldBytes) -> Result<FieldBytes, HashError> {
    if let Some(index) = [left, right].iter().position(|input| !is_canonical(input)) {
        return Err(HashError::NonCanonicalInput { index });
    }
    backend::hash_pair(left, right)
}

#[cfg(any(target_os = "solana", target_arch = "bpf"))]
mod backend {
    use super::{HashError, MAX_INPUTS};
    use crate::field::FieldBytes;
    use solana_define_syscall::definitions::sol_poseidon;

    /// `sol_poseidon` parameter set: BN254, x^5 S-box (circom's constants).
    const BN254_X5: u64 = 0;
    /// `sol_poseidon` endianness of inputs and output: big-endian.
    const BIG_ENDIAN: u64 = 0;

    // Not inlined: each call builds a 192-byte slice table on the stack, and
    // the tree append makes 26 calls in one unrolled function, past the SBF
    // 4 KiB stack frame once they are inlined.
    #[inline(never)]
    pub(super) fn hashv(inputs: &[&FieldBytes]) -> Result<FieldBytes, HashError> {
        let slices: [&[u8]; MAX_INPUTS] =
            core::array::from_fn(|i| inputs.get(i).map_or(&[][..], |input| &input[..]));
        call(&slices[..inputs.len()])
    }

    /// [`hashv`] of two inputs, with a two-entry slice table (the tree
    /// append makes 26 of these).
    #[inline(never)]
    pub(super) fn hash_pair(
        left: &FieldBytes,
        right: &FieldBytes,
    ) -> Result<FieldBytes, HashError> {
        call(&[&left[..], &right[..]])
    }

    /// The `sol_poseidon` syscall over `slices`.
    #[inline(always)]
    fn call(slices: &[&[u8]]) -> Result<FieldBytes, HashError> {
        let mut out = [0u8; 32];
        // SAFETY: `slices` holds valid (pointer, length) pairs, the layout
        // the syscall reads, and `out` has the 32 bytes it writes.
        let status = unsafe {
            sol_poseidon(
                BN254_X5,
                BIG_ENDIAN,
                slices.as_ptr() as *const u8,
                slices.len() as u64,
                out.as_mut_ptr(),
            )
        };
        if status == 0 {
            Ok(out)
        } else {
            Err(HashError::Syscall)
        }
    }
}

#[cfg(not(any(target_os = "solana", target_arch = "bpf")))]
mod backend {
    use super::{HashError, MAX_INPUTS};
    use crate::field::FieldBytes;
    use ark_bn254::Fr;
    use core::cell::RefCell;
    use light_poseidon::{Poseidon, PoseidonBytesHasher};

    std::thread_local! {
        /// Building the round constants costs more than a hash: keep one
        /// hasher per input count and thread.
        static HASHERS: RefCell<[Option<Poseidon<Fr>>; MAX_INPUTS]> =
            const { RefCell::new([const { None }; MAX_INPUTS]) };
    }

    pub(super) fn hashv(inputs: &[&FieldBytes]) -> Result<FieldBytes, HashError> {
        let count = inputs.len();
        HASHERS.with(|hashers| {
            let mut hashers = hashers.borrow_mut();
            let slot = &mut hashers[count - 1];
            if slot.is_none() {
                *slot = Some(
                    Poseidon::<Fr>::new_circom(count)
                        .map_err(|_| HashError::InputCount { count })?,
                );
            }
            let hasher = slot.as_mut().ok_or(HashError::InputCount { count })?;
            let slices: [&[u8]; MAX_INPUTS] =
                core::array::from_fn(|i| inputs.get(i).map_or(&[][..], |input| &input[..]));
            // Inputs were checked canonical and counted, so light-poseidon
            // cannot reject them.
            hasher
                .hash_bytes_be(&slices[..count])
                .map_err(|_| HashError::NonCanonicalInput { index: 0 })
        })
    }

    pub(super) fn hash_pair(
        left: &FieldBytes,
        right: &FieldBytes,
    ) -> Result<FieldBytes, HashError> {
        hashv(&[left, right])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::{from_u64, MODULUS};

    #[test]
    fn matches_circomlib_test_vector() {
        // circomlibjs: poseidon([1, 2]) =
        // 7853200120776062878684798364095072458815029376092732009249414926327459813530
        let hash = hash_pair(&from_u64(1), &from_u64(2)).unwrap();
        assert_eq!(
            hash,
            [
                0x11, 0x5c, 0xc0, 0xf5, 0xe7, 0xd6, 0x90, 0x41, 0x3d, 0xf6, 0x4c, 0x6b, 0x96, 0x62,
                0xe9, 0xcf, 0x2a, 0x36, 0x17, 0xf2, 0x74, 0x32, 0x45, 0x51, 0x9e, 0x19, 0x60, 0x7a,
                0x44, 0x17, 0x18, 0x9a
            ]
        );
    }

    #[test]
    fn rejects_non_canonical_inputs_and_bad_counts() {
        assert_eq!(
            hashv(&[&from_u64(1), &MODULUS]),
            Err(HashError::NonCanonicalInput { index: 1 })
        );
        assert_eq!(hashv(&[]), Err(HashError::InputCount { count: 0 }));
        let one = from_u64(1);
        let thirteen = [&one; 13];
        assert_eq!(hashv(&thirteen), Err(HashError::InputCount { count: 13 }));
    }
}
