//! BN254 scalar-field elements as 32 big-endian bytes, the encoding of the
//! `sol_poseidon` and alt_bn128 syscalls.

/// A field element of BN254's scalar field, big-endian. Only values below
/// [`MODULUS`] are canonical; see [`is_canonical`].
pub type FieldBytes = [u8; 32];

/// The scalar-field modulus r of BN254, big-endian.
pub const MODULUS: FieldBytes = [
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01,
];

/// Whether `value` is the canonical encoding of a field element (`value < r`).
///
/// Two encodings of one element (x and x + r) must never both be accepted:
/// a nullifier accepted in both forms could be spent twice.
pub fn is_canonical(value: &FieldBytes) -> bool {
    // Big-endian byte arrays compare like the numbers they encode.
    value < &MODULUS
}

/// The other 32-byte encoding of the element `value` (< r): `value + r`,
/// which always fits since 2r < 2^256. This is how an attacker would alias a
/// nullifier or a root; every check of [`is_canonical`] exists to refuse it.
pub fn non_canonical_alias(value: &FieldBytes) -> FieldBytes {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let sum = u16::from(value[i]) + u16::from(MODULUS[i]) + carry;
        out[i] = sum as u8;
        carry = sum >> 8;
    }
    out
}

/// The field element `value`.
pub fn from_u64(value: u64) -> FieldBytes {
    let mut out = [0u8; 32];
    out[24..].copy_from_slice(&value.to_be_bytes());
    out
}

/// The field element `-value`, that is `r - value`.
pub fn neg_u128(value: u128) -> FieldBytes {
    if value == 0 {
        return [0u8; 32];
    }
    let mut out = MODULUS;
    let sub = value.to_be_bytes();
    let mut borrow = 0u16;
    for i in (0..32).rev() {
        let rhs = if i >= 16 { u16::from(sub[i - 16]) } else { 0 } + borrow;
        let lhs = u16::from(out[i]);
        if lhs >= rhs {
            out[i] = (lhs - rhs) as u8;
            borrow = 0;
        } else {
            out[i] = (lhs + 256 - rhs) as u8;
            borrow = 1;
        }
    }
    out
}

/// The public amount of a transfer, `ext_amount - fee` as a field element.
///
/// `ext_amount` is what enters the pool (positive, a deposit) or leaves it
/// (negative, a withdrawal); `fee` is paid to the relayer out of the pool.
pub fn public_amount(ext_amount: i64, fee: u64) -> FieldBytes {
    let value = i128::from(ext_amount) - i128::from(fee);
    if value >= 0 {
        from_u64(value as u64)
    } else {
        neg_u128(value.unsigned_abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modulus_is_not_canonical_and_its_predecessor_is() {
        assert!(!is_canonical(&MODULUS));
        let mut below = MODULUS;
        below[31] -= 1;
        assert!(is_canonical(&below));
        assert!(!is_canonical(&[0xff; 32]));
    }

    #[test]
    fn the_alias_of_an_element_is_not_canonical() {
        for value in [[0u8; 32], from_u64(5), neg_u128(1)] {
            let alias = non_canonical_alias(&value);
            assert!(is_canonical(&value) && !is_canonical(&alias));
        }
        assert_eq!(non_canonical_alias(&[0u8; 32]), MODULUS);
    }

    #[test]
    fn public_amount_of_a_withdrawal_is_its_negation() {
        // r - 1 is -1.
        let mut minus_one = MODULUS;
        minus_one[31] -= 1;
        assert_eq!(public_amount(-1, 0), minus_one);
        assert_eq!(public_amount(0, 1), minus_one);
        assert_eq!(public_amount(5, 2), from_u64(3));
        assert_eq!(public_amount(0, 0), [0u8; 32]);
        // -(2^64) crosses a limb boundary.
        let expected = neg_u128(1u128 << 64);
        assert_eq!(public_amount(-(1i64 << 62) * 2, 1u64 << 63), expected);
    }
}
