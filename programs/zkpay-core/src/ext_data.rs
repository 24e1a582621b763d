//! The external data of a transfer: everything outside the proof that a
//! relayer could alter, bound to the proof through its hash (public value
//! `ext_data_hash`).

use solana_sha256_hasher::hashv;

use crate::field::FieldBytes;

/// Domain separator of external-data hashes.
const EXT_DATA_DOMAIN: &[u8] = b"zkpay:ext-data:v1";

/// What a transfer does outside the shielded pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtData<'a> {
    /// Receives `-ext_amount` on a withdrawal (a wallet for SOL, a token
    /// account for SPL tokens).
    pub recipient: [u8; 32],
    /// Receives `fee`.
    pub relayer: [u8; 32],
    /// Amount entering (positive) or leaving (negative) the pool.
    pub ext_amount: i64,
    /// Paid to the relayer from the pool.
    pub fee: u64,
    /// The pool's mint ([`crate::asset::NATIVE_SOL_MINT`] for SOL).
    pub mint: [u8; 32],
    /// The two output notes, encrypted to their owners.
    pub encrypted_outputs: [&'a [u8]; 2],
}

impl ExtData<'_> {
    /// SHA-256 of the domain and the fields (integers little-endian, each
    /// ciphertext preceded by its length as a little-endian u32), with the
    /// first byte cleared so that it is a canonical field element.
    pub fn hash(&self) -> FieldBytes {
        let ext_amount = self.ext_amount.to_le_bytes();
        let fee = self.fee.to_le_bytes();
        let len_0 = (self.encrypted_outputs[0].len() as u32).to_le_bytes();
        let len_1 = (self.encrypted_outputs[1].len() as u32).to_le_bytes();
        let mut digest = hashv(&[
            EXT_DATA_DOMAIN,
            &self.recipient,
            &self.relayer,
            &ext_amount,
            &fee,
            &self.mint,
            &len_0,
            self.encrypted_outputs[0],
            &len_1,
            self.encrypted_outputs[1],
        ])
        .to_bytes();
        digest[0] = 0;
        digest
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::is_canonical;

    fn sample<'a>(outputs: [&'a [u8]; 2]) -> ExtData<'a> {
        ExtData {
            recipient: [1; 32],
            relayer: [2; 32],
            ext_amount: -5,
            fee: 1,
            mint: [0; 32],
            encrypted_outputs: outputs,
        }
    }

    #[test]
    fn every_field_changes_the_hash_and_the_hash_is_canonical() {
        let base = sample([b"abc", b"de"]);
        let hash = base.hash();
        assert!(is_canonical(&hash));
        let variants = [
            ExtData {
                recipient: [9; 32],
                ..base
            },
            ExtData {
                relayer: [9; 32],
                ..base
            },
            ExtData {
                ext_amount: 5,
                ..base
            },
            ExtData { fee: 2, ..base },
            ExtData {
                mint: [9; 32],
                ..base
            },
            sample([b"abd", b"de"]),
            // Moving a byte between ciphertexts changes the length prefixes.
            sample([b"ab", b"cde"]),
        ];
        for variant in variants {
            assert_ne!(variant.hash(), hash, "{variant:?}");
        }
    }
}
