//! Matching a query against a text the way the search index does: letters and digits only, folded (full-width
//! → half-width, lowercase) one character to one character, so that offsets stay character offsets. Used by the
//! search index ([`crate::read::search`]) and by the SPARQL function `pk:matches` ([`crate::read::query`]).

/// A character as it is indexed, or `None` for a separator (punctuation, spaces, symbols).
pub fn fold(c: char) -> Option<char> {
    if !c.is_alphanumeric() {
        return None;
    }
    let c = match c {
        // Full-width forms U+FF01..U+FF5E are ASCII shifted by 0xFEE0.
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c => c,
    };
    Some(if c.is_uppercase() {
        c.to_lowercase().next().unwrap_or(c)
    } else {
        c
    })
}

/// The query's runs of letters and digits, folded; empty when it has none.
pub fn query_runs(query: &str) -> Vec<Vec<char>> {
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut current = Vec::new();
    for c in query.chars() {
        match fold(c) {
            Some(f) => current.push(f),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// Every place (character offsets `start..end`) where the query's runs occur in `text`, in order and without
/// overlap: each run inside one run of the text, consecutive runs separated by nothing but separators.
pub fn find(text: &str, runs: &[Vec<char>]) -> Vec<(usize, usize)> {
    let wanted: Vec<(char, bool)> = runs
        .iter()
        .flat_map(|run| run.iter().enumerate().map(|(i, &c)| (c, i + 1 < run.len())))
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    // The letters and digits of the text with their character offsets.
    let stream: Vec<(usize, char)> = text
        .chars()
        .enumerate()
        .filter_map(|(i, c)| fold(c).map(|f| (i, f)))
        .collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i + wanted.len() <= stream.len() {
        let matches = wanted.iter().enumerate().all(|(k, &(c, joined))| {
            stream[i + k].1 == c && (!joined || stream[i + k + 1].0 == stream[i + k].0 + 1)
        });
        if matches {
            let last = stream[i + wanted.len() - 1].0;
            found.push((stream[i].0, last + 1));
            i += wanted.len();
        } else {
            i += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_fold_full_width_and_case() {
        assert_eq!(
            query_runs("“苏服办” ＡＰＰ 12345"),
            vec![
                "苏服办".chars().collect::<Vec<_>>(),
                "app".chars().collect(),
                "12345".chars().collect()
            ]
        );
        assert!(query_runs("。，！?  ").is_empty());
    }

    #[test]
    fn find_matches_inside_runs_and_across_separators() {
        let runs = query_runs("数据安全");
        let text = "加强数据安全管理。数据。安全";
        assert_eq!(find(text, &runs), vec![(2, 6)]);
        let runs = query_runs("12345 热线");
        assert_eq!(
            find("拨打12345热线和12345 热线", &runs),
            vec![(2, 9), (10, 18)]
        );
    }
}
