//! The state the phases share, and the last step that turns it into a [`Compiled`].

use std::collections::{BTreeMap, HashSet};

use oxigraph::model::Quad;

use super::documents::Doc;
use super::evidence::EvidenceWriter;
use super::literals::date_bounds;
use super::ontology::{read_ontology, OntologyInfo};
use super::{Compiled, Counts, Coverage, EntityInfo, Exclusion, SeedInput};
use crate::model::error::Error;

/// What the phases have learnt so far. Each phase module adds its methods in its own `impl Compiler`.
pub(super) struct Compiler {
    pub(super) ontology: OntologyInfo,
    pub(super) docs: BTreeMap<String, Doc>,
    pub(super) entities: BTreeMap<String, EntityInfo>,
    /// The compiled quads, in the order they were made (the ontology's come first, in [`Compiler::finish`]).
    pub(super) quads: Vec<Quad>,
    pub(super) errors: Vec<Error>,
    pub(super) counts: Counts,
    pub(super) evidence: EvidenceWriter,
}

impl Compiler {
    /// A compiler that knows the ontology; an ontology that does not parse stops here.
    pub(super) fn new(input: &SeedInput) -> Result<Self, Vec<Error>> {
        Ok(Compiler {
            ontology: read_ontology(&input.ontology)?,
            docs: BTreeMap::new(),
            entities: BTreeMap::new(),
            quads: Vec::new(),
            errors: Vec::new(),
            counts: Counts::default(),
            evidence: EvidenceWriter::default(),
        })
    }

    /// Every error found, or the ontology and seed quads, each once.
    pub(super) fn finish(
        mut self,
        exclusions: Vec<Exclusion>,
        ledger: Vec<Coverage>,
    ) -> Result<Compiled, Vec<Error>> {
        self.counts.exclusions = exclusions.len();
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        let mut quads = self.ontology.quads;
        let bounds = date_bounds(&self.quads);
        quads.extend(self.quads);
        quads.extend(bounds);
        keep_first(&mut quads);
        Ok(Compiled {
            quads,
            entities: self.entities,
            documents: self.docs.into_values().map(Doc::info).collect(),
            exclusions,
            counts: self.counts,
            ledger,
        })
    }
}

/// Keep each quad once. The same triple may be generated twice (an event and a fact stating one step), and
/// the counts the build reports must be the store's counts.
fn keep_first(quads: &mut Vec<Quad>) {
    let first: Vec<bool> = {
        let mut seen = HashSet::with_capacity(quads.len());
        quads.iter().map(|q| seen.insert(q.as_ref())).collect()
    };
    let mut first = first.into_iter();
    quads.retain(|_| first.next().unwrap_or(true));
}
