//! Finding glossary terms in running text: whole words only, abbreviations (written in capitals)
//! matched as written, other names whatever their case, the longest name first, and a plural
//! `s` allowed on the last word.

use std::collections::HashMap;
use std::ops::Range;

/// Every name (term or alias) of every term, by its words.
#[derive(Debug, Clone, Default)]
pub(crate) struct Matcher {
    /// Abbreviations, as written (`SLO`).
    exact: HashMap<String, usize>,
    /// Other names, lower-cased (`service level objective`).
    folded: HashMap<String, usize>,
    /// The most words a name has.
    longest: usize,
}

/// A name's words joined by single spaces (`on-call rota` → `on call rota`).
pub(crate) fn words_key(name: &str) -> String {
    words(name).map(|r| &name[r]).collect::<Vec<_>>().join(" ")
}

/// `true` for a name with capitals and no lower-case letter (`SLO`, `CI/CD`).
pub(crate) fn is_abbreviation(name: &str) -> bool {
    name.chars().any(char::is_uppercase) && !name.chars().any(char::is_lowercase)
}

fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.by_ref().find(|(_, c)| c.is_alphanumeric())?;
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            chars.next();
        }
        Some(start..end)
    })
}

/// Whether two words of one name may be this far apart: spaces, a hyphen or a slash between.
fn joins(gap: &str) -> bool {
    !gap.is_empty()
        && gap.len() <= 3
        && gap
            .chars()
            .all(|c| c.is_whitespace() || c == '-' || c == '/')
}

impl Matcher {
    /// Adds one name of term `term`.
    pub(crate) fn add(&mut self, name: &str, term: usize) {
        let key = words_key(name);
        if key.is_empty() {
            return;
        }
        self.longest = self.longest.max(key.split(' ').count());
        if is_abbreviation(name) {
            self.exact.entry(key).or_insert(term);
        } else {
            self.folded.entry(key.to_lowercase()).or_insert(term);
        }
    }

    fn lookup(&self, key: &str) -> Option<usize> {
        self.exact
            .get(key)
            .or_else(|| self.folded.get(&key.to_lowercase()))
            .copied()
    }

    /// The names in `text`, in order, not overlapping: at each word the longest name that
    /// starts there.
    pub(crate) fn find(&self, text: &str) -> Vec<(Range<usize>, usize)> {
        let mut found = Vec::new();
        if self.longest == 0 {
            return found;
        }
        let spans: Vec<Range<usize>> = words(text).collect();
        let mut i = 0;
        while i < spans.len() {
            let mut hit = None;
            let mut key = String::new();
            let mut keys = Vec::with_capacity(self.longest);
            for j in i..spans.len().min(i + self.longest) {
                if j > i {
                    if !joins(&text[spans[j - 1].end..spans[j].start]) {
                        break;
                    }
                    key.push(' ');
                }
                key.push_str(&text[spans[j].clone()]);
                keys.push((j, key.clone()));
            }
            for (j, key) in keys.iter().rev() {
                let singular = key
                    .strip_suffix('s')
                    .filter(|k| !k.ends_with(' ') && !k.is_empty());
                if let Some(term) = self
                    .lookup(key)
                    .or_else(|| singular.and_then(|k| self.lookup(k)))
                {
                    hit = Some((*j, term));
                    break;
                }
            }
            match hit {
                Some((j, term)) => {
                    found.push((spans[i].start..spans[j].end, term));
                    i = j + 1;
                }
                None => i += 1,
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> Matcher {
        let mut m = Matcher::default();
        m.add("SLO", 0);
        m.add("service level objective", 0);
        m.add("service level", 1);
        m.add("Kanban", 2);
        m
    }

    fn names(text: &str) -> Vec<(&str, usize)> {
        matcher()
            .find(text)
            .into_iter()
            .map(|(r, t)| (&text[r], t))
            .collect()
    }

    #[test]
    fn longest_whole_words_and_case_rules() {
        assert_eq!(
            names("Our Service Level Objectives, the SLOs, and a service level."),
            [
                ("Service Level Objectives", 0),
                ("SLOs", 0),
                ("service level", 1)
            ]
        );
        assert_eq!(names("slo SLOW kanbanize KANBAN"), [("KANBAN", 2)]);
        assert_eq!(names("the service. Level objective"), []);
        assert_eq!(
            names("a service-level objective"),
            [("service-level objective", 0)]
        );
    }
}
