//! The plain text of a page and its word count for reading time.

pub(super) fn push_plain(plain: &mut String, text: &str) {
    if text == " " && plain.as_bytes().last().is_none_or(u8::is_ascii_whitespace) {
        return;
    }
    plain.push_str(text);
}

/// Counts words for reading time: runs of non-space characters, with each CJK ideograph or kana
/// counted as a word of its own since those scripts do not separate words by spaces.
pub(super) fn words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b.is_ascii_whitespace() {
                in_word = false;
            } else if !in_word {
                in_word = true;
                count += 1;
            }
            i += 1;
            continue;
        }
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            i += 1;
            continue;
        };
        i += c.len_utf8();
        if c.is_whitespace() {
            in_word = false;
        } else if is_cjk(c) {
            in_word = false;
            count += 1;
        } else if !in_word {
            in_word = true;
            count += 1;
        }
    }
    count
}

pub(super) fn is_cjk(c: char) -> bool {
    matches!(
        c,
        '\u{3040}'..='\u{30ff}'
            | '\u{3400}'..='\u{4dbf}'
            | '\u{4e00}'..='\u{9fff}'
            | '\u{f900}'..='\u{faff}'
            | '\u{20000}'..='\u{2ffff}'
    )
}
