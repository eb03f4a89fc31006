//! The bundle's label table: every `skos:prefLabel`, `rdfs:label` and `skos:altLabel` of the bundle's graphs,
//! kept as a file in the store's folder in the form names are looked up in.
//!
//! Reading four thousand labels out of RocksDB costs a cold process 50–250 ms, because every label is a string
//! fetched on its own, and building maps of them costs another 10 ms; a command looks up one name and displays a
//! few dozen IRIs. So the table is written once when the store is built (or rebuilt for a new bundle), already
//! sorted for binary search, and a process reads it as one text and allocates only what it looks up. A store
//! without the file (an older binary built it) or with a file of another bundle gets it from the store, and the
//! file is written for the next process.
//!
//! The file is text, a line per entry, fields separated by tabs (a tab, newline, carriage return or backslash in
//! a field is written `\t`, `\n`, `\r`, `\\`):
//!
//! ```text
//! policykg labels 2 <bundle fingerprint>
//! names <count>
//! <normalised name>\t<IRI>\t<label as written>      (sorted by name, then IRI: every label and alias)
//! pairs <count>
//! <IRI>\t<zh display label>\t<en display label>    (sorted by IRI: every labelled IRI)
//! ```

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use oxigraph::model::{NamedNode, NamedOrBlankNode, Term};
use oxigraph::store::Store;

use crate::data::bundle;
use crate::data::output::write_atomically;
use crate::model::error::{Error, Result};
use crate::model::vocab;

/// The file's name in the store folder (RocksDB leaves files of other names alone).
const FILE: &str = "policykg-labels.tsv";
/// The first words of the file's first line; the format's version follows.
const MAGIC: &str = "policykg labels 2 ";

/// The label properties, in the order their labels are preferred for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    /// `skos:prefLabel`: the display label.
    Preferred,
    /// `rdfs:label`: the display label of resources without a `skos:prefLabel`.
    Rdfs,
    /// `skos:altLabel`: an alias, matched but never displayed.
    Alias,
}

impl LabelKind {
    /// Every kind, in display preference order.
    pub const ALL: [LabelKind; 3] = [LabelKind::Preferred, LabelKind::Rdfs, LabelKind::Alias];

    /// The property that carries labels of this kind.
    pub fn property(self) -> NamedNode {
        match self {
            LabelKind::Preferred => vocab::ns(vocab::SKOS, "prefLabel"),
            LabelKind::Rdfs => vocab::ns(vocab::RDFS, "label"),
            LabelKind::Alias => vocab::ns(vocab::SKOS, "altLabel"),
        }
    }
}

/// One label of one resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The labelled IRI.
    pub iri: String,
    /// Which property gave it.
    pub kind: LabelKind,
    /// The label as written.
    pub value: String,
    /// Its language tag (`zh`, `en`), empty when untagged.
    pub lang: String,
}

/// The form names are compared in, so that a researcher need not type a name exactly as the document wrote
/// it: quotation marks and brackets are dropped wherever they stand (“苏服办”2.0 → 苏服办2.0, 《办法》 → 办法),
/// full-width Latin letters, digits and signs become half-width, spaces go (12345 热线 → 12345热线), and Latin
/// letters are lowercased.
pub fn normalise(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            '《' | '》' | '“' | '”' | '"' | '\'' | '‘' | '’' | '「' | '」' | '『' | '』' | '〈'
            | '〉' => None,
            c if c.is_whitespace() => None,
            // Full-width forms U+FF01..U+FF5E are ASCII shifted by 0xFEE0; U+3000 is the ideographic space.
            c @ '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0),
            c => Some(c),
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Fill a (zh, en) display pair from one label, keeping the first label of each language in preference order
/// (the kinds arrive Preferred, then Rdfs); an untagged `rdfs:label` counts as English.
pub fn prefer(entry: &mut (String, String), kind: LabelKind, lang: &str, value: &str) {
    let slot = match (kind, lang) {
        (LabelKind::Alias, _) => return,
        (_, "zh") => &mut entry.0,
        (_, "en") | (LabelKind::Rdfs, "") => &mut entry.1,
        _ => return,
    };
    if slot.is_empty() {
        value.clone_into(slot);
    }
}

/// The bundle's labels, as the sorted text of the file: lookups binary-search its lines.
#[derive(Debug, Default)]
pub struct LabelTable {
    /// The whole file.
    text: String,
    /// Byte ranges of the name lines, in their sorted order.
    names: Vec<(u32, u32)>,
    /// Byte ranges of the pair lines, sorted by IRI.
    pairs: Vec<(u32, u32)>,
}

impl LabelTable {
    /// The table of `labels` (in display preference order: preferred labels, then `rdfs:label`, then aliases).
    pub fn build(labels: &[Label]) -> LabelTable {
        let mut names: Vec<(String, &str, &str)> = labels
            .iter()
            .map(|l| (normalise(&l.value), l.iri.as_str(), l.value.as_str()))
            .collect();
        names.sort();
        names.dedup();
        let mut pairs: std::collections::BTreeMap<&str, (String, String)> = Default::default();
        for label in labels {
            let entry = pairs.entry(&label.iri).or_default();
            prefer(entry, label.kind, &label.lang, &label.value);
        }
        let mut text = format!("{MAGIC}{}\nnames {}\n", bundle::fingerprint(), names.len());
        for (key, iri, value) in &names {
            push_line(&mut text, &[key, iri, value]);
        }
        text.push_str(&format!("pairs {}\n", pairs.len()));
        for (iri, (zh, en)) in &pairs {
            push_line(&mut text, &[iri, zh, en]);
        }
        LabelTable::parse(text).unwrap_or_default()
    }

    /// The table in a file's text, when it is one of this bundle's.
    fn parse(text: String) -> Option<LabelTable> {
        let mut lines = line_ranges(&text);
        let header = &text[range(lines.next()?)];
        if header.strip_prefix(MAGIC)? != bundle::fingerprint() {
            return None;
        }
        let names = section(&text, &mut lines, "names ")?;
        let pairs = section(&text, &mut lines, "pairs ")?;
        drop(lines);
        Some(LabelTable { text, names, pairs })
    }

    /// The IRIs that carry a label or alias whose normalised form is `key`, sorted, each once.
    pub fn iris_named(&self, key: &str) -> Vec<String> {
        let first = self
            .names
            .partition_point(|&r| field(&self.text, r, 0).as_ref() < key);
        // A line without an IRI (a kept file edited by hand) names nothing.
        let mut iris: Vec<String> = self.names[first..]
            .iter()
            .take_while(|&&r| field(&self.text, r, 0) == key)
            .map(|&r| field(&self.text, r, 1).into_owned())
            .filter(|iri| !iri.is_empty())
            .collect();
        iris.dedup();
        iris
    }

    /// The (zh, en) display labels of an IRI, when the bundle labels it.
    pub fn pair(&self, iri: &str) -> Option<(String, String)> {
        let at = self
            .pairs
            .binary_search_by(|&r| field(&self.text, r, 0).as_ref().cmp(iri))
            .ok()?;
        let mut f = fields(&self.text, self.pairs[at]);
        f.resize(3, Cow::Borrowed(""));
        let en = f.swap_remove(2).into_owned();
        Some((f.swap_remove(1).into_owned(), en))
    }

    /// Every labelled IRI with its zh and en display labels (empty when it has none in that language).
    pub fn pairs(&self) -> impl Iterator<Item = [String; 3]> + '_ {
        self.pairs.iter().map(|&r| {
            let mut f = fields(&self.text, r).into_iter().map(Cow::into_owned);
            [(); 3].map(|()| f.next().unwrap_or_default())
        })
    }

    /// Every label as written, with its normalised form (for suggestions).
    pub fn labels(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.names.iter().map(|&r| {
            let mut f = fields(&self.text, r).into_iter().map(Cow::into_owned);
            let key = f.next().unwrap_or_default();
            (f.nth(1).unwrap_or_default(), key)
        })
    }
}

/// Append one line of fields, escaped.
fn push_line(text: &mut String, fields: &[&str]) {
    for (i, value) in fields.iter().enumerate() {
        if i > 0 {
            text.push('\t');
        }
        for c in value.chars() {
            match c {
                '\t' => text.push_str("\\t"),
                '\n' => text.push_str("\\n"),
                '\r' => text.push_str("\\r"),
                '\\' => text.push_str("\\\\"),
                c => text.push(c),
            }
        }
    }
    text.push('\n');
}

/// The byte ranges of a text's lines, without their newlines.
fn line_ranges(text: &str) -> impl Iterator<Item = (u32, u32)> + '_ {
    let mut start = 0;
    text.split_inclusive('\n').map(move |line| {
        let from = start;
        start += line.len();
        (
            from as u32,
            (from + line.trim_end_matches('\n').len()) as u32,
        )
    })
}

fn range((from, to): (u32, u32)) -> std::ops::Range<usize> {
    from as usize..to as usize
}

/// The next `count` lines after a `<title><count>` line.
fn section(
    text: &str,
    lines: &mut impl Iterator<Item = (u32, u32)>,
    title: &str,
) -> Option<Vec<(u32, u32)>> {
    let count: usize = text[range(lines.next()?)]
        .strip_prefix(title)?
        .parse()
        .ok()?;
    let section: Vec<(u32, u32)> = lines.take(count).collect();
    (section.len() == count).then_some(section)
}

/// The fields of a line, unescaped.
fn fields(text: &str, line: (u32, u32)) -> Vec<Cow<'_, str>> {
    text[range(line)].split('\t').map(unescape).collect()
}

/// Field `n` of a line, unescaped (empty when the line has fewer).
fn field(text: &str, line: (u32, u32), n: usize) -> Cow<'_, str> {
    text[range(line)]
        .split('\t')
        .nth(n)
        .map(unescape)
        .unwrap_or_default()
}

fn unescape(field: &str) -> Cow<'_, str> {
    if !field.contains('\\') {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        out.push(match (c, c == '\\') {
            (_, false) => c,
            (_, true) => match chars.next() {
                Some('t') => '\t',
                Some('n') => '\n',
                Some('r') => '\r',
                Some(other) => other,
                None => '\\',
            },
        });
    }
    Cow::Owned(out)
}

/// The bundle's label table for a store in `folder` (`None` for an in-memory store): from the file when it was
/// written for this bundle, else from the store (writing the file for the next process, if the folder lets us).
pub fn bundle_labels(store: &Store, folder: Option<&Path>) -> Result<LabelTable> {
    if let Some(table) = folder.and_then(read) {
        return Ok(table);
    }
    let table = LabelTable::build(&scan(store)?);
    if let Some(folder) = folder {
        // A read-only folder only costs the next process the scan again.
        let _ = write_atomically(&path(folder), table.text.as_bytes());
    }
    Ok(table)
}

/// Read the labels of the store's bundle graphs and write their table to the file in `folder`, returning it;
/// called after the bundle is (re)built and after a server update.
pub fn refresh(store: &Store, folder: &Path) -> Result<LabelTable> {
    let table = LabelTable::build(&scan(store)?);
    write_atomically(&path(folder), table.text.as_bytes())?;
    Ok(table)
}

fn path(folder: &Path) -> PathBuf {
    folder.join(FILE)
}

/// The kept table, when there is one for this bundle.
fn read(folder: &Path) -> Option<LabelTable> {
    LabelTable::parse(std::fs::read_to_string(path(folder)).ok()?)
}

/// The labels of the bundle's graphs, each graph read through its own index (loaded graphs cost nothing), without
/// the entailed graph, whose labels are copies.
pub fn scan(store: &Store) -> Result<Vec<Label>> {
    let entailed = vocab::entailed_graph();
    let mut graphs = Vec::new();
    for graph in store.named_graphs() {
        if let NamedOrBlankNode::NamedNode(g) = graph.map_err(Error::storage)? {
            if vocab::is_bundled_graph(g.as_str()) && g != entailed {
                graphs.push(g);
            }
        }
    }
    let mut labels = Vec::new();
    for kind in LabelKind::ALL {
        let property = kind.property();
        for graph in &graphs {
            let quads =
                store.quads_for_pattern(None, Some(property.as_ref()), None, Some(graph.into()));
            for quad in quads {
                let quad = quad.map_err(Error::storage)?;
                if let (NamedOrBlankNode::NamedNode(e), Term::Literal(l)) =
                    (quad.subject, quad.object)
                {
                    labels.push(Label {
                        iri: e.into_string(),
                        kind,
                        lang: l.language().unwrap_or_default().to_owned(),
                        value: l.value().to_owned(),
                    });
                }
            }
        }
    }
    Ok(labels)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::seeds;

    fn bundle_store() -> Store {
        let store = Store::new().unwrap();
        store
            .extend(seeds::compile_bundled().unwrap().quads)
            .unwrap();
        store
    }

    #[test]
    fn the_table_is_kept_and_read_back_for_its_bundle_only() {
        let store = bundle_store();
        let dir = tempfile::tempdir().unwrap();
        let scanned = bundle_labels(&store, Some(dir.path())).unwrap();
        let sufuban = vocab::entity("sufuban").as_str().to_owned();
        assert_eq!(scanned.iris_named("苏服办"), std::slice::from_ref(&sufuban));
        assert_eq!(scanned.pair(&sufuban).unwrap().0, "苏服办");
        // Read back from the file, even from an empty store.
        let empty = Store::new().unwrap();
        let read = bundle_labels(&empty, Some(dir.path())).unwrap();
        assert_eq!(read.text, scanned.text);
        assert!(read.names.len() > 2000 && read.pairs.len() > 1000);
        // A file of another bundle is not trusted.
        std::fs::write(
            path(dir.path()),
            "policykg labels 2 another\nnames 0\npairs 0\n",
        )
        .unwrap();
        assert_eq!(
            bundle_labels(&store, Some(dir.path())).unwrap().text,
            scanned.text
        );
        assert_eq!(bundle_labels(&empty, None).unwrap().pairs().count(), 0);
    }

    #[test]
    fn lookups_find_every_label_of_the_bundle_and_fields_keep_tabs_and_newlines() {
        let labels = scan(&bundle_store()).unwrap();
        let table = LabelTable::build(&labels);
        for label in &labels {
            let key = normalise(&label.value);
            assert!(table.iris_named(&key).contains(&label.iri), "{label:?}");
        }
        let odd = Label {
            iri: "https://example.org/x".into(),
            kind: LabelKind::Preferred,
            value: "a\tb\nc\\d\re".into(),
            lang: "zh".into(),
        };
        let table = LabelTable::build(std::slice::from_ref(&odd));
        assert_eq!(
            table.pair(&odd.iri).unwrap(),
            (odd.value.clone(), String::new())
        );
        assert_eq!(
            table.labels().collect::<Vec<_>>(),
            [(odd.value.clone(), normalise(&odd.value))]
        );
        assert_eq!(table.pair("https://example.org/y"), None);
    }

    #[test]
    fn a_kept_file_with_short_or_odd_lines_answers_without_panicking() {
        let text = format!(
            "{MAGIC}{}\nnames 3\n苏服办\n苏服办\thttps://e/a\n苏服码\thttps://e/b\t苏服码\\\npairs 2\nhttps://e/a\nhttps://e/b\t苏服码\n",
            bundle::fingerprint()
        );
        let table = LabelTable::parse(text).unwrap();
        assert_eq!(table.iris_named("苏服办"), ["https://e/a"]);
        assert_eq!(table.iris_named("苏服码"), ["https://e/b"]);
        assert_eq!(
            table.pair("https://e/a"),
            Some((String::new(), String::new()))
        );
        assert_eq!(table.pair("https://e/b").unwrap().0, "苏服码");
        assert_eq!(table.labels().count(), 3);
        // A count beyond the lines, or a missing section, is not a table.
        let short = format!(
            "{MAGIC}{}\nnames 9\n苏服办\thttps://e/a\n",
            bundle::fingerprint()
        );
        assert!(LabelTable::parse(short).is_none());
    }
}
