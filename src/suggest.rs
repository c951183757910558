//! "Did you mean …?": the nearest known name to a misspelt one.

/// The candidate closest to `input`, if it is close enough to be a plausible typo.
pub fn nearest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input_lower = input.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&input_lower, &c.to_lowercase()),
                c,
            )
        })
        .filter(|&(distance, c)| distance <= threshold(input.chars().count().max(c.len())))
        .min_by_key(|&(distance, c)| (distance, c))
        .map(|(_, c)| c)
}

/// `did you mean `x`?` or nothing.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    nearest(input, candidates).map(|c| format!("did you mean `{c}`?"))
}

fn threshold(len: usize) -> usize {
    match len {
        0..=3 => 1,
        4..=7 => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let keys = ["title", "topics", "weight", "description"];
        assert_eq!(nearest("topcis", keys), Some("topics"));
        assert_eq!(nearest("wieght", keys), Some("weight"));
        assert_eq!(nearest("Title", keys), Some("title"));
        assert_eq!(nearest("colour", keys), None);
    }
}
