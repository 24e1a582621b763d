//! Amounts as people write them (`1.5`, `0.000001`) and as base units.

/// Why a written amount was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Not a decimal number.
    #[error("`{0}` is not an amount: write a decimal number such as 1.5")]
    Malformed(String),
    /// A minus sign.
    #[error("`{0}` is negative: amounts must be positive")]
    Negative(String),
    /// More decimal places than the asset has.
    #[error("`{input}` has more than {decimals} decimal places")]
    TooPrecise {
        /// What was written.
        input: String,
        /// The asset's decimals.
        decimals: u8,
    },
    /// Does not fit 64 bits of base units.
    #[error("`{0}` is too large")]
    TooLarge(String),
    /// Zero.
    #[error("the amount must be more than zero")]
    Zero,
}

/// Parses a positive decimal amount into base units of an asset with
/// `decimals` decimal places.
pub fn parse_amount(input: &str, decimals: u8) -> Result<u64, AmountError> {
    let text = input.trim();
    if text.starts_with('-') {
        return Err(AmountError::Negative(input.to_string()));
    }
    let malformed = || AmountError::Malformed(input.to_string());
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return Err(malformed());
    }
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > usize::from(decimals) {
        return Err(AmountError::TooPrecise {
            input: input.to_string(),
            decimals,
        });
    }
    let too_large = || AmountError::TooLarge(input.to_string());
    let scale = 10u64
        .checked_pow(u32::from(decimals))
        .ok_or_else(too_large)?;
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| too_large())?
    };
    let padded = format!("{fraction:0<width$}", width = usize::from(decimals));
    let fraction: u64 = if padded.is_empty() {
        0
    } else {
        padded.parse().map_err(|_| malformed())?
    };
    let units = whole
        .checked_mul(scale)
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(too_large)?;
    if units == 0 {
        return Err(AmountError::Zero);
    }
    Ok(units)
}

/// Formats base units as a decimal amount, without trailing zeros.
pub fn format_amount(units: u64, decimals: u8) -> String {
    let scale = 10u128.pow(u32::from(decimals));
    let whole = u128::from(units) / scale;
    let fraction = u128::from(units) % scale;
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0>width$}", width = usize::from(decimals));
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_people_write() {
        assert_eq!(parse_amount("1.5", 9), Ok(1_500_000_000));
        assert_eq!(parse_amount("0.000000001", 9), Ok(1));
        assert_eq!(parse_amount(".25", 2), Ok(25));
        assert_eq!(parse_amount("3", 0), Ok(3));
        assert_eq!(parse_amount("2.", 6), Ok(2_000_000));
        assert_eq!(parse_amount("1.50000000000", 9), Ok(1_500_000_000));
        assert_eq!(parse_amount("18446744073.709551615", 9), Ok(u64::MAX));
    }

    #[test]
    fn refuses_bad_amounts() {
        assert!(matches!(
            parse_amount("-1", 9),
            Err(AmountError::Negative(_))
        ));
        assert!(matches!(
            parse_amount("1,5", 9),
            Err(AmountError::Malformed(_))
        ));
        assert!(matches!(
            parse_amount("abc", 9),
            Err(AmountError::Malformed(_))
        ));
        assert!(matches!(
            parse_amount("", 9),
            Err(AmountError::Malformed(_))
        ));
        assert!(matches!(
            parse_amount(".", 9),
            Err(AmountError::Malformed(_))
        ));
        assert!(matches!(
            parse_amount("1e9", 9),
            Err(AmountError::Malformed(_))
        ));
        assert!(matches!(
            parse_amount("0.0000000001", 9),
            Err(AmountError::TooPrecise { .. })
        ));
        assert!(matches!(
            parse_amount("18446744073.709551616", 9),
            Err(AmountError::TooLarge(_))
        ));
        assert_eq!(parse_amount("0.0", 9), Err(AmountError::Zero));
    }

    #[test]
    fn formats_round_trip() {
        for (units, decimals) in [(1_500_000_000, 9), (1, 9), (7, 0), (u64::MAX, 9), (100, 2)] {
            let text = format_amount(units, decimals);
            assert_eq!(parse_amount(&text, decimals), Ok(units), "{text}");
        }
        assert_eq!(format_amount(1_500_000_000, 9), "1.5");
        assert_eq!(format_amount(0, 9), "0");
    }
}
