//! Numbers as text for the index files: each character of `ALPHABET` carries five bits of a
//! number, least significant first, and adds 32 when more characters follow. Small numbers (doc
//! id gaps, impacts) take one or two characters, and the result is a plain JavaScript string that
//! needs no escaping.

pub const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends `n` to `out`.
pub fn push(out: &mut String, mut n: u64) {
    loop {
        let low = (n & 31) as usize;
        n >>= 5;
        if n == 0 {
            out.push(char::from(ALPHABET[low]));
            return;
        }
        out.push(char::from(ALPHABET[low | 32]));
    }
}

/// Reads the numbers back (for tests); `None` on a character outside the alphabet or a number cut
/// short.
#[cfg(test)]
pub fn decode(text: &str) -> Option<Vec<u64>> {
    let mut out = Vec::new();
    let mut value = 0u64;
    let mut shift = 0;
    let mut open = false;
    for b in text.bytes() {
        let digit = ALPHABET.iter().position(|&a| a == b)? as u64;
        value |= (digit & 31) << shift;
        shift += 5;
        open = digit & 32 != 0;
        if !open {
            out.push(value);
            value = 0;
            shift = 0;
        }
    }
    (!open).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        let numbers = [
            0,
            1,
            31,
            32,
            1023,
            1024,
            65_535,
            1 << 40,
            u64::from(u32::MAX),
        ];
        let mut text = String::new();
        for n in numbers {
            push(&mut text, n);
        }
        assert_eq!(decode(&text).unwrap(), numbers);
        let mut one = String::new();
        push(&mut one, 31);
        assert_eq!(one.len(), 1);
        push(&mut one, 32);
        assert_eq!(one.len(), 3);
        assert_eq!(decode("g"), None);
        assert_eq!(decode("*"), None);
    }
}
