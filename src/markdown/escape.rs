//! Escaping for HTML text, attribute values and link URLs.

/// Appends `text` with `&`, `<` and `>` escaped (HTML element content).
pub(crate) fn escape_text(out: &mut String, text: &str) {
    escape_with(out, text, |b| matches!(b, b'&' | b'<' | b'>'));
}

/// Appends `text` escaped for a double- or single-quoted HTML attribute value.
pub(crate) fn escape_attr(out: &mut String, text: &str) {
    escape_with(out, text, |b| {
        matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'')
    });
}

fn escape_with(out: &mut String, text: &str, special: impl Fn(u8) -> bool) {
    let mut start = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if !special(b) {
            continue;
        }
        out.push_str(&text[start..i]);
        out.push_str(match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// Appends a URL for an `href`/`src` attribute: characters that are not allowed in URLs are
/// percent-encoded (existing `%xx` escapes are kept), `&` and `'` become entities.
pub(super) fn escape_href(out: &mut String, url: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut start = 0;
    for (i, &b) in url.as_bytes().iter().enumerate() {
        let keep = b.is_ascii_graphic()
            && !matches!(
                b,
                b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'{' | b'|' | b'}' | b'&' | b'\''
            );
        if keep {
            continue;
        }
        if start < i {
            out.push_str(&url[start..i]);
        }
        match b {
            b'&' => out.push_str("&amp;"),
            b'\'' => out.push_str("&#39;"),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        start = i + 1;
    }
    out.push_str(&url[start..]);
}
