//! Text from outside (memos, anything a node or a relayer sends) made safe
//! to print: control characters and the invisible characters that reorder
//! or hide text are shown escaped, so a memo cannot move the cursor, clear
//! the screen, recolour the terminal or make a line read as another.

/// `bytes` as text safe to print on one line: invalid UTF-8 becomes U+FFFD,
/// and control, bidirectional and zero-width characters become `\u{..}`
/// escapes (`\n`, `\r`, `\t` as themselves escaped), as does `\`.
pub fn printable(bytes: &[u8]) -> String {
    printable_str(&String::from_utf8_lossy(bytes))
}

/// `text` safe to print on one line; see [`printable`].
pub fn printable_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hides_or_controls(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Control characters (C0, DEL, C1), and the format characters that
/// reorder text (bidirectional marks, embeddings, overrides, isolates) or
/// are invisible (zero-width, word joiner, byte-order mark).
fn hides_or_controls(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pinned: what a hostile memo prints as.
    #[test]
    fn hostile_text_prints_escaped() {
        let vectors: [(&[u8], &str); 9] = [
            (b"rent, march", "rent, march"),
            ("caf\u{e9} \u{1f600}".as_bytes(), "caf\u{e9} \u{1f600}"),
            (b"\x1b[2J\x1b[31mpaid", "\\u{1b}[2J\\u{1b}[31mpaid"),
            (
                b"line\nfake: received 100 SOL",
                "line\\nfake: received 100 SOL",
            ),
            (b"back\rover", "back\\rover"),
            (b"bell\x07\x00\x7f", "bell\\u{7}\\u{0}\\u{7f}"),
            ("\u{202e}lo.exe".as_bytes(), "\\u{202e}lo.exe"),
            (
                "zero\u{200b}width\u{feff}".as_bytes(),
                "zero\\u{200b}width\\u{feff}",
            ),
            (b"bad \xff utf8 \\u{41}", "bad \u{fffd} utf8 \\\\u{41}"),
        ];
        for (memo, shown) in vectors {
            assert_eq!(printable(memo), shown, "{memo:?}");
        }
    }

    #[test]
    fn printed_text_has_no_control_characters_left() {
        let every_byte: Vec<u8> = (0..=255).collect();
        let shown = printable(&every_byte);
        assert!(!shown.chars().any(hides_or_controls), "{shown}");
    }
}
