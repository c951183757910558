//! Words as the index and the browser both see them: folded to lower case without accents, split
//! at every character that is not a letter or digit, stop words left out, English endings
//! stemmed. `search-index.js` folds and splits the same way but has no stemmer: the dictionary
//! shards map every word the guide uses to its stem, and a word the guide never uses ("kanbans")
//! finds the longest stem it starts with; tests/search-ranking.toml checks both in the browser.
//!
//! Compounds written with hyphens or slashes (`on-call`, `24/7`, `CI/CD`) give their parts as
//! words and, besides, their parts joined (`oncall`, `247`, `cicd`, [`compounds`]), so that the
//! written form and the joined one find the same documents and rank above the parts alone.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Whether `word` (folded) is a stop word; cheaper than a search of [`STOP_WORDS`].
pub fn is_stop_word(word: &str) -> bool {
    let b = word.as_bytes();
    // Every stop word is 1 to 10 ASCII letters; most words are ruled out by length or first letter.
    if b.is_empty() || b.len() > 10 || !b[0].is_ascii_lowercase() {
        return false;
    }
    let bucket = &STOP_INDEX[usize::from(b[0] - b'a')];
    STOP_WORDS[bucket.0..bucket.1].contains(&word)
}

/// For each first letter, the range of [`STOP_WORDS`] starting with it.
const STOP_INDEX: [(usize, usize); 26] = {
    let mut index = [(0usize, 0usize); 26];
    let mut i = 0;
    while i < STOP_WORDS.len() {
        let letter = (STOP_WORDS[i].as_bytes()[0] - b'a') as usize;
        if index[letter].1 == 0 {
            index[letter].0 = i;
        }
        index[letter].1 = i + 1;
        i += 1;
    }
    index
};

/// Words that carry no meaning for search; sent to the browser with the index so that both
/// sides drop the same ones. (`it` is missing on purpose: in this guide it is "IT".)
pub const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "d",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "its",
    "itself",
    "just",
    "ll",
    "m",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "re",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "ve",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Longest word kept (in characters); longer runs are noise such as hashes.
pub const MAX_WORD: usize = 40;

/// Lower case, accents removed: `Équipe` → `equipe`.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    text.to_lowercase()
        .nfd()
        .filter(|&c| !is_combining_mark(c))
        .collect()
}

/// The words of `folded` (text already passed through [`fold`]): runs of letters and digits,
/// longer ones than [`MAX_WORD`] left out.
pub fn split(folded: &str) -> Words<'_> {
    Words {
        text: folded,
        at: 0,
        ascii: folded.is_ascii(),
    }
}

/// Iterator of [`split`].
pub struct Words<'t> {
    text: &'t str,
    at: usize,
    ascii: bool,
}

impl<'t> Iterator for Words<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        loop {
            let rest = &self.text[self.at..];
            let (start, end) = if self.ascii {
                let bytes = rest.as_bytes();
                let start = bytes.iter().position(u8::is_ascii_alphanumeric)?;
                let len = bytes[start..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric())
                    .unwrap_or(bytes.len() - start);
                (start, start + len)
            } else {
                let start = rest.find(char::is_alphanumeric)?;
                let end = rest[start..]
                    .find(|c: char| !c.is_alphanumeric())
                    .map_or(rest.len(), |e| start + e);
                (start, end)
            };
            let word = &rest[start..end];
            self.at += end;
            if word.len() <= MAX_WORD || word.chars().count() <= MAX_WORD {
                return Some(word);
            }
        }
    }
}

/// Most parts a compound may have; longer chains (paths, dates with times) are not joined.
pub const MAX_PARTS: usize = 4;

/// The compounds of `folded` with their parts joined: `on-call` → `oncall`, `follow-the-sun` →
/// `followthesun`, `ci/cd` → `cicd`. A compound is 2 to [`MAX_PARTS`] runs of letters and digits
/// each separated by one `-` or `/`; `search-index.js` joins a query's compounds the same way.
pub fn compounds(folded: &str) -> Vec<String> {
    tokens(folded)
        .into_iter()
        .filter_map(|parts| joined(&parts))
        .collect()
}

/// The words of `folded` as a query sees them: a compound as its joined form, other words as
/// they are, stop words left out. Synonyms are matched on these.
pub fn units(folded: &str) -> Vec<String> {
    let mut out = Vec::new();
    for parts in tokens(folded) {
        match joined(&parts) {
            Some(j) => out.push(j),
            None => out.extend(
                parts
                    .iter()
                    .filter(|w| !is_stop_word(w) && w.chars().count() <= MAX_WORD)
                    .map(|w| (*w).to_owned()),
            ),
        }
    }
    out
}

/// Runs of letters and digits, grouped when one `-` or `/` separates them.
fn tokens(folded: &str) -> Vec<Vec<&str>> {
    let mut out: Vec<Vec<&str>> = Vec::new();
    let mut rest = folded;
    let mut at_start = true;
    while let Some(start) = rest.find(char::is_alphanumeric) {
        let gap = &rest[..start];
        if at_start || !(gap == "-" || gap == "/") {
            out.push(Vec::new());
        }
        at_start = false;
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(tail.len());
        if let Some(group) = out.last_mut() {
            group.push(&tail[..end]);
        }
        rest = &tail[end..];
    }
    out
}

fn joined(parts: &[&str]) -> Option<String> {
    let joined = parts.concat();
    ((2..=MAX_PARTS).contains(&parts.len()) && joined.chars().count() <= MAX_WORD).then_some(joined)
}

/// Calls `f` with each word of `text`, folded.
#[cfg(test)]
pub fn words(text: &str, mut f: impl FnMut(&str)) {
    split(&fold(text)).for_each(&mut f);
}

/// The English (Porter 2) stem of a folded word; words with anything but `a`–`z` are kept whole.
pub struct Stems(Stemmer);

impl Default for Stems {
    fn default() -> Self {
        Self(Stemmer::create(Algorithm::English))
    }
}

impl Stems {
    pub fn stem<'a>(&self, word: &'a str) -> std::borrow::Cow<'a, str> {
        if word.len() > 2 && word.bytes().all(|b| b.is_ascii_lowercase()) {
            self.0.stem(word)
        } else {
            std::borrow::Cow::Borrowed(word)
        }
    }
}

/// The stems of the words of `text` that are not stop words, in order.
#[cfg(test)]
pub fn terms(text: &str, stems: &Stems) -> Vec<String> {
    let mut out = Vec::new();
    words(text, |w| {
        if !is_stop_word(w) {
            out.push(stems.stem(w).into_owned());
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        words(text, |w| out.push(w.to_owned()));
        out
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        let mut sorted = STOP_WORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, STOP_WORDS);
        for word in STOP_WORDS {
            assert!(is_stop_word(word), "{word}");
        }
        for word in [
            "it",
            "budget",
            "zebra",
            "",
            "théâtre",
            "aboutx",
            "yourselvesx",
        ] {
            assert!(!is_stop_word(word), "{word}");
        }
    }

    #[test]
    fn words_are_folded_and_split() {
        assert_eq!(
            all_words("Équipe's CAFÉ-au-lait: naïve_über x2 Straße日本"),
            [
                "equipe",
                "s",
                "cafe",
                "au",
                "lait",
                "naive",
                "uber",
                "x2",
                "straße日本"
            ]
        );
        assert_eq!(all_words("e\u{301}te\u{301} ÉTÉ"), ["ete", "ete"]);
        assert_eq!(all_words("  --  "), Vec::<String>::new());
        assert_eq!(all_words(&"a".repeat(41)), Vec::<String>::new());
    }

    #[test]
    fn compounds_are_joined() {
        let joined = |text: &str| compounds(&fold(text));
        assert_eq!(
            joined("On-call, follow-the-sun and e-commerce work 24/7 with CI/CD."),
            ["oncall", "followthesun", "ecommerce", "247", "cicd"]
        );
        // One separator between parts; spaces, doubled signs and other marks end a compound.
        assert_eq!(
            joined("on - call, a--b, x//y, http://site, well-known. end"),
            ["wellknown"]
        );
        assert_eq!(joined("a-b-c-d a-b-c-d-e"), ["abcd"]);
        assert_eq!(joined("café-crème"), ["cafecreme"]);
        assert_eq!(
            joined(&format!("{}-b", "a".repeat(40))),
            Vec::<String>::new()
        );
        assert_eq!(
            units(&fold("The on-call rota, 24/7 and a CI/CD pipeline")),
            ["oncall", "rota", "247", "cicd", "pipeline"]
        );
    }

    #[test]
    fn stems_are_english() {
        let stems = Stems::default();
        for (word, stem) in [
            ("budgets", "budget"),
            ("budgeting", "budget"),
            ("budgeted", "budget"),
            ("vendors", "vendor"),
            ("management", "manag"),
            ("managers", "manag"),
            ("roadmaps", "roadmap"),
            ("prioritisation", "prioritis"),
            ("it", "it"),
            ("x2", "x2"),
            ("naïve", "naïve"),
        ] {
            assert_eq!(stems.stem(word), stem, "{word}");
        }
        assert_eq!(
            terms("The budgets of the vendors", &stems),
            ["budget", "vendor"]
        );
    }
}
