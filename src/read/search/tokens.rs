//! How text is cut for the index and how a query is matched: overlapping character bigrams (and single
//! characters) over runs of letters and digits, each token at the position of its first character.
//!
//! Chinese has no spaces, and a dictionary segmenter (jieba) cuts `数据安全管理` or `苏服办` in ways that differ
//! from the way a researcher's query is cut, so it misses occurrences. Bigrams with their positions do not: a
//! query run of n ≥ 2 characters is the phrase of its n − 1 bigrams at consecutive positions, which matches
//! exactly where the run occurs. Letters and digits are folded (full-width → half-width, lowercase) one character
//! to one character, so positions stay character offsets.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

pub(super) use crate::read::matching::{find, fold, query_runs};

/// The name the tokenizer is registered under in the index.
pub(super) const TOKENIZER: &str = "policykg_bigram";

/// The terms of one query run with their offsets: its bigrams, or the character of a one-character run.
pub(super) fn run_terms(run: &[char]) -> Vec<(usize, String)> {
    if run.len() == 1 {
        return vec![(0, run[0].to_string())];
    }
    run.windows(2)
        .enumerate()
        .map(|(i, w)| (i, w.iter().collect()))
        .collect()
}

/// The index's tokenizer: see the module documentation.
#[derive(Clone, Default)]
pub(super) struct Bigrams;

/// The tokens of one text, made at once (passages are sentences, labels and literals: short).
pub(super) struct Tokens {
    tokens: Vec<Token>,
    next: usize,
    /// Answered by `token()` before the first token or after the last (Tantivy does not ask then).
    none: Token,
}

impl Tokenizer for Bigrams {
    type TokenStream<'a> = Tokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let chars: Vec<(usize, usize, Option<char>)> = text
            .char_indices()
            .enumerate()
            .map(|(position, (byte, c))| (position, byte, fold(c)))
            .collect();
        let mut tokens = Vec::new();
        for (k, &(position, byte, folded)) in chars.iter().enumerate() {
            let Some(c) = folded else { continue };
            let end = |j: usize| chars.get(j).map_or(text.len(), |&(_, b, _)| b);
            tokens.push(token(c.to_string(), position, byte, end(k + 1)));
            if let Some(&(_, _, Some(d))) = chars.get(k + 1) {
                tokens.push(token(format!("{c}{d}"), position, byte, end(k + 2)));
            }
        }
        Tokens {
            tokens,
            next: 0,
            none: Token::default(),
        }
    }
}

fn token(text: String, position: usize, from: usize, to: usize) -> Token {
    Token {
        offset_from: from,
        offset_to: to,
        position,
        text,
        position_length: 1,
    }
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        self.next
            .checked_sub(1)
            .and_then(|i| self.tokens.get(i))
            .unwrap_or(&self.none)
    }
    fn token_mut(&mut self) -> &mut Token {
        match self
            .next
            .checked_sub(1)
            .and_then(|i| self.tokens.get_mut(i))
        {
            Some(token) => token,
            None => &mut self.none,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_stream_has_a_token_to_show() {
        let mut t = Bigrams;
        let mut s = t.token_stream("。，");
        assert!(!s.advance());
        assert_eq!(s.token().text, "");
    }

    #[test]
    fn bigrams_carry_character_positions() {
        let mut t = Bigrams;
        let mut s = t.token_stream("数据，安全");
        let mut seen = Vec::new();
        while s.advance() {
            let tok = s.token();
            seen.push((tok.text.clone(), tok.position));
        }
        let expected = [
            ("数", 0),
            ("数据", 0),
            ("据", 1),
            ("安", 3),
            ("安全", 3),
            ("全", 4),
        ];
        assert_eq!(
            seen,
            expected
                .iter()
                .map(|(t, p)| (t.to_string(), *p))
                .collect::<Vec<_>>()
        );
    }
}
