//! Time questions: what was in force, in existence or in service on a day ([`as_of`]), and the dated steps of
//! an entity in order ([`timeline`]). Dates keep the precision the texts give (2025, 2025-09, 2025-09-28) and are
//! compared through the days they can stand for ([`DateSpan`]), so that a year-only date neither drops out nor
//! turns into 1 January; where the texts give no date the answer says "unknown", never leaves the row out.

use std::collections::{BTreeMap, HashMap, HashSet};

use oxigraph::store::Store;
use serde::Serialize;

use crate::model::dates::DateSpan;
use crate::model::error::{Error, Result};
use crate::model::vocab::{self, Provenance, PK};
use crate::read::query::{self, Row};

/// The three kinds of thing `as-of` answers for, each with its own word for "current".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A policy instrument: in force from its entry into force (or promulgation) until replaced.
    Instrument,
    /// An agency: in existence from its establishment until succeeded.
    Agency,
    /// A platform: in service from its launch until replaced.
    Platform,
}

impl Kind {
    /// Every kind, in the order `as-of` lists them.
    pub const ALL: [Kind; 3] = [Kind::Instrument, Kind::Agency, Kind::Platform];

    /// The class whose members (with its subclasses) are of this kind.
    pub fn root(self) -> String {
        let local = match self {
            Kind::Instrument => "PolicyInstrument",
            Kind::Agency => "Agency",
            Kind::Platform => "Platform",
        };
        format!("{PK}{local}")
    }

    /// What "current" means for this kind.
    pub fn current_word(self) -> &'static str {
        match self {
            Kind::Instrument => "in force",
            Kind::Agency => "exists",
            Kind::Platform => "in service",
        }
    }
}

/// Instruments that are never in force themselves: a draft, and a legislative project (their timelines still
/// show them).
const NEVER_IN_FORCE: [&str; 2] = ["Draft", "LegislativeProject"];

/// What a dated step tells about the day something began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// It began then: in force from (`pk:inForceFrom`, entry into force, promulgation), established, launched.
    Start,
    /// It existed by then: evaluated, revised, upgraded.
    ExistedBy,
    /// It was not yet in force then: drafted, researched, submitted, at first reading.
    NotYetBy,
    /// Something else (a planned step): shown in timelines, deciding nothing.
    Other,
}

impl Role {
    /// The role of a step of this kind (a class's or property's local name), and its rank among starts (lower
    /// wins: a stated day of entry into force decides before a promulgation).
    fn of(kind: &str) -> (Role, u8) {
        match kind {
            "inForceFrom" => (Role::Start, 0),
            "EntryIntoForce" => (Role::Start, 1),
            "Promulgation" | "Launch" | "Establishment" => (Role::Start, 2),
            "Evaluation" | "Revision" | "Upgrade" => (Role::ExistedBy, 0),
            "Drafting" | "LegislativeResearch" | "Submission" | "FirstReading" => {
                (Role::NotYetBy, 0)
            }
            _ => (Role::Other, 0),
        }
    }
}

/// Where a fact is written: the evidence annotation, its document and the verbatim quote with its offsets.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// The evidence annotation's IRI.
    pub evidence: String,
    /// `stated` or `inferred`.
    pub status: Provenance,
    /// The source document's IRI.
    pub document: String,
    /// Its zh title.
    pub title: String,
    /// Its date of issue, or the year it covers.
    pub document_date: String,
    /// The verbatim quote.
    pub quote: String,
    /// Character offset where the quote starts in the document's text.
    pub start: usize,
    /// Character offset where it ends.
    pub end: usize,
}

/// One dated (or undated) step in the life of an entity: an event, or a dated fact such as `pk:inForceFrom`.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The entity the step is of.
    pub entity: String,
    /// Its zh label.
    pub entity_label: String,
    /// The event's IRI; None for a dated fact.
    pub event: Option<String>,
    /// The event's class or the fact's property, shortened (`pk:EntryIntoForce`, `pk:inForceFrom`).
    pub kind: String,
    /// What the step tells about the beginning.
    pub role: Role,
    /// The date at the precision the text gives, with its first and last day; None when the text gives none.
    pub date: Option<DateSpan>,
    /// The body that carried the step out, when known.
    pub actor: Option<String>,
    /// The first quote behind it.
    pub source: Option<Source>,
    #[serde(skip)]
    rank: u8,
}

impl Step {
    /// The date as written, or "undated".
    pub fn when(&self) -> &str {
        self.date.as_ref().map_or("undated", |d| d.written.as_str())
    }
}

/// A replacement that ends something: its successor, the fact that says so and the successor's start.
#[derive(Debug, Clone, Serialize)]
pub struct Replacement {
    /// The successor's IRI.
    pub by: String,
    /// Its zh label.
    pub by_label: String,
    /// The fact's property, shortened (`pk:supersedes`, `pk:succeededBy`).
    pub relation: String,
    /// The quote behind the fact.
    pub source: Option<Source>,
    /// When the successor began, if the texts say: the day this one ended.
    pub from: Option<Step>,
}

/// Where an entity stands on the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// In force, in existence or in service.
    Current,
    /// The texts do not say enough to tell.
    Unknown,
    /// It began later.
    NotYet,
    /// It had been replaced.
    Ended,
}

/// One entity's answer on the day, with the steps that decide it.
#[derive(Debug, Clone, Serialize)]
pub struct Standpoint {
    /// The entity's IRI.
    pub entity: String,
    /// Its zh label.
    pub label: String,
    /// Its en label.
    pub label_en: String,
    /// Its most specific class, shortened.
    pub class: String,
    /// Instrument, agency or platform.
    pub kind: Kind,
    /// Where it stands.
    pub standing: Standing,
    /// Why, in a few words.
    pub reason: String,
    /// The steps that decide it (a start, a step it existed by, a step it was not yet in force by).
    pub deciding: Vec<Step>,
    /// What replaced it, if anything did.
    pub replaced_by: Vec<Replacement>,
}

/// The answer to "what stood on this day?".
#[derive(Debug, Clone, Serialize)]
pub struct AsOf {
    /// The day asked about (`YYYY-MM-DD`).
    pub day: String,
    /// Current and unknown entities (and, when asked for, the rest), by kind, standing and label.
    pub rows: Vec<Standpoint>,
    /// How many entities began later and are not listed.
    pub not_yet: usize,
    /// How many had been replaced and are not listed.
    pub ended: usize,
}

/// What `as-of` lists: the kinds (all three, or those under one class), and whether to list every standing.
pub struct AsOfQuery<'a> {
    /// The day (`YYYY-MM-DD`).
    pub day: &'a str,
    /// A class to narrow to (IRI), or None for instruments, agencies and platforms.
    pub class: Option<&'a str>,
    /// List entities that began later or had been replaced too.
    pub all: bool,
}

/// What stood on `query.day`: every instrument, agency and platform (or member of `query.class`) that was
/// current, or that the texts leave unknown, with the steps that decide it.
pub fn as_of(store: &Store, query: &AsOfQuery) -> Result<AsOf> {
    let day = DateSpan::day(query.day).ok_or_else(|| {
        Error::Usage(format!(
            "as-of: {:?} is not a day: use YYYY-MM-DD",
            query.day
        ))
    })?;
    let known = Known::read(store)?;
    let members = known.members(query.class, true)?;
    let sources = sources(store)?;
    let mut steps = known.steps_by_entity(store, &sources)?;
    let replaced = known.replacements(store, &steps, &sources)?;
    let mut answer = AsOf {
        day: day.earliest.clone(),
        rows: Vec::new(),
        not_yet: 0,
        ended: 0,
    };
    for (iri, kind) in members {
        let own = steps.remove(&iri).unwrap_or_default();
        let ends = replaced.get(&iri).cloned().unwrap_or_default();
        let row = known.standpoint(&iri, kind, &day.earliest, own, ends);
        match row.standing {
            Standing::NotYet => answer.not_yet += 1,
            Standing::Ended => answer.ended += 1,
            _ => {}
        }
        if query.all || matches!(row.standing, Standing::Current | Standing::Unknown) {
            answer.rows.push(row);
        }
    }
    answer
        .rows
        .sort_by(|a, b| (a.kind, a.standing, &a.label).cmp(&(b.kind, b.standing, &b.label)));
    Ok(answer)
}

/// Where each instrument, agency and platform stands on each of `days` (`YYYY-MM-DD`), decided as [`as_of`]
/// decides, from one reading of the store (the "as of" slider of the HTML picture asks for a day per year).
/// Entities `as-of` does not answer for (initiatives, drafts, other classes) are absent.
pub fn standings(store: &Store, days: &[String]) -> Result<HashMap<String, Vec<Standing>>> {
    let days = days
        .iter()
        .map(|d| {
            DateSpan::day(d)
                .ok_or_else(|| Error::Usage(format!("{d:?} is not a day: use YYYY-MM-DD")))
        })
        .collect::<Result<Vec<_>>>()?;
    let known = Known::read(store)?;
    let sources = sources(store)?;
    let mut steps = known.steps_by_entity(store, &sources)?;
    let replaced = known.replacements(store, &steps, &sources)?;
    Ok(known
        .members(None, true)?
        .into_iter()
        .map(|(iri, _)| {
            let own = steps.remove(&iri).unwrap_or_default();
            let ends = replaced.get(&iri).map(Vec::as_slice).unwrap_or_default();
            let on_each = days
                .iter()
                .map(|d| decide(&d.earliest, &own, ends).0)
                .collect();
            (iri, on_each)
        })
        .collect())
}

/// What a timeline covers: one entity, or every member of a class.
pub enum Subject<'a> {
    /// One entity (IRI).
    Entity(&'a str),
    /// Every member of a class (IRI), with its subclasses.
    Class(&'a str),
}

/// The steps of an entity, or of every member of a class, earliest first; undated steps last.
pub fn timeline(store: &Store, subject: Subject) -> Result<Vec<Step>> {
    let known = Known::read(store)?;
    let wanted: HashSet<String> = match subject {
        Subject::Entity(iri) => HashSet::from([iri.to_owned()]),
        Subject::Class(class) => known
            .members(Some(class), false)?
            .into_iter()
            .map(|(iri, _)| iri)
            .collect(),
    };
    let mut steps: Vec<Step> = known
        .steps_by_entity(store, &sources(store)?)?
        .into_iter()
        .filter(|(iri, _)| wanted.contains(iri))
        .flat_map(|(_, s)| s)
        .collect();
    steps.sort_by(|a, b| {
        let key = |s: &Step| {
            let d = s.date.as_ref();
            (
                d.is_none(),
                d.map(|d| d.earliest.clone()),
                d.map(|d| d.latest.clone()),
                s.entity_label.clone(),
                s.kind.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    Ok(steps)
}

/// What every time question reads first: the class tree below the three roots and the typed entities.
struct Known {
    /// Each pk class and its pk superclasses, itself included.
    ancestors: HashMap<String, HashSet<String>>,
    /// Each entity's pk classes.
    types: BTreeMap<String, Vec<String>>,
    /// zh and en labels of entities.
    labels: HashMap<String, (String, String)>,
}

impl Known {
    fn read(store: &Store) -> Result<Known> {
        let mut parents: HashMap<String, Vec<String>> = HashMap::new();
        for r in query::select_strings(
            store,
            "SELECT DISTINCT ?c ?d WHERE { GRAPH pkg:ontology { ?c a owl:Class OPTIONAL { ?c rdfs:subClassOf ?d } } }",
        )? {
            let entry = parents.entry(r.string("c")).or_default();
            if r.get("d").starts_with(PK) {
                entry.push(r.string("d"));
            }
        }
        let ancestors = parents
            .keys()
            .map(|c| (c.clone(), closure(c, &parents)))
            .collect();
        let mut types: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut labels = HashMap::new();
        for r in query::select_strings(
            store,
            "SELECT ?x ?t ?l (LANG(?l) AS ?lang) WHERE {
               GRAPH pkg:catalogue { ?x a ?t OPTIONAL { ?x skos:prefLabel ?l } }
             }",
        )? {
            let x = r.string("x");
            let entry: &mut (String, String) = labels.entry(x.clone()).or_default();
            match r.get("lang") {
                "zh" => entry.0 = r.string("l"),
                "en" => entry.1 = r.string("l"),
                _ => {}
            }
            let t = types.entry(x).or_default();
            if !t.iter().any(|c| c == r.get("t")) {
                t.push(r.string("t"));
            }
        }
        Ok(Known {
            ancestors,
            types,
            labels,
        })
    }

    /// Whether class `c` is `of` or one of its subclasses.
    fn is_a(&self, c: &str, of: &str) -> bool {
        self.ancestors.get(c).is_some_and(|a| a.contains(of))
    }

    /// The most specific of an entity's classes.
    fn class_of(&self, iri: &str) -> String {
        let types = self.types.get(iri).map(Vec::as_slice).unwrap_or_default();
        types
            .iter()
            .max_by_key(|t| self.ancestors.get(*t).map_or(0, HashSet::len))
            .cloned()
            .unwrap_or_default()
    }

    /// The entities under `class` (or under the three roots), each with its kind when it has one. With
    /// `as_of`, a class outside the three roots is an error and drafts are left out.
    fn members(&self, class: Option<&str>, as_of: bool) -> Result<Vec<(String, Option<Kind>)>> {
        if let Some(c) = class.filter(|c| !self.ancestors.contains_key(*c)) {
            return Err(Error::Usage(format!(
                "{}: no such class in the ontology",
                vocab::shorten(c)
            )));
        }
        let kind_of = |c: &str| Kind::ALL.into_iter().find(|k| self.is_a(c, &k.root()));
        if let Some(c) = class.filter(|c| as_of && kind_of(c).is_none()) {
            return Err(Error::Usage(format!(
                "as-of answers for instruments, agencies and platforms; {} is none of them",
                vocab::shorten(c)
            )));
        }
        let never = |c: &str| {
            NEVER_IN_FORCE
                .iter()
                .any(|n| self.is_a(c, &format!("{PK}{n}")))
        };
        Ok(self
            .types
            .keys()
            .filter_map(|iri| {
                let c = self.class_of(iri);
                let wanted = class.map_or(kind_of(&c).is_some(), |w| self.is_a(&c, w));
                (wanted && !(as_of && never(&c))).then(|| (iri.clone(), kind_of(&c)))
            })
            .collect())
    }

    fn label(&self, iri: &str) -> (String, String) {
        self.labels
            .get(iri)
            .cloned()
            .unwrap_or_else(|| (vocab::shorten(iri), String::new()))
    }

    /// Every event of every entity, and every `pk:inForceFrom`, with its first quote.
    fn steps_by_entity(
        &self,
        store: &Store,
        sources: &Sources,
    ) -> Result<BTreeMap<String, Vec<Step>>> {
        let text = "SELECT ?x ?event ?kind ?date ?actor WHERE {
               { ?event pk:eventOf ?x . GRAPH ?cg { ?event a ?kind } FILTER(?cg != pkg:entailed)
                  FILTER(STRSTARTS(STR(?kind), STR(pk:)))
                  OPTIONAL { ?event pk:date ?date } OPTIONAL { ?event pk:actor ?actor } }
               UNION
               { ?x pk:inForceFrom ?date BIND(pk:inForceFrom AS ?kind) }
             }";
        let mut seen = HashSet::new();
        let mut out: BTreeMap<String, Vec<Step>> = BTreeMap::new();
        for r in query::select_strings(store, text)? {
            if !seen.insert((r.string("x"), r.string("event"), r.string("kind"))) {
                continue;
            }
            let step = self.step(&r, sources);
            out.entry(step.entity.clone()).or_default().push(step);
        }
        Ok(out)
    }

    fn step(&self, r: &Row, sources: &Sources) -> Step {
        let kind = r.get("kind");
        let local = kind.rsplit(['#', '/']).next().unwrap_or(kind);
        let (role, rank) = Role::of(local);
        Step {
            entity: r.string("x"),
            entity_label: self.label(r.get("x")).0,
            event: r.opt("event").map(str::to_owned),
            kind: vocab::shorten(kind),
            role,
            date: r.opt("date").and_then(DateSpan::parse),
            actor: r.opt("actor").map(|a| self.label(a).0),
            source: match r.opt("event") {
                Some(e) => sources.get(&(e.to_owned(), "eventOf", r.string("x"))),
                None => sources.get(&(r.string("x"), "inForceFrom", r.string("date"))),
            }
            .cloned(),
            rank,
        }
    }

    /// What replaced each entity (`pk:supersedes`, `pk:succeededBy` and their inverses), with the successor's
    /// start from `steps`.
    fn replacements(
        &self,
        store: &Store,
        steps: &BTreeMap<String, Vec<Step>>,
        sources: &Sources,
    ) -> Result<HashMap<String, Vec<Replacement>>> {
        let text = "SELECT ?old ?new ?p ?s ?o WHERE {
               { ?new pk:supersedes ?old BIND(pk:supersedes AS ?p) BIND(?new AS ?s) BIND(?old AS ?o) }
               UNION { ?old pk:supersededBy ?new BIND(pk:supersededBy AS ?p) BIND(?old AS ?s) BIND(?new AS ?o) }
               UNION { ?old pk:succeededBy ?new BIND(pk:succeededBy AS ?p) BIND(?old AS ?s) BIND(?new AS ?o) }
               UNION { ?new pk:succeeds ?old BIND(pk:succeeds AS ?p) BIND(?new AS ?s) BIND(?old AS ?o) }
             } ORDER BY ?old ?new ?p";
        let mut out: HashMap<String, Vec<Replacement>> = HashMap::new();
        for r in query::select_strings(store, text)? {
            let list = out.entry(r.string("old")).or_default();
            if list.iter().any(|x| x.by == r.get("new")) {
                continue;
            }
            let from = steps.get(r.get("new")).and_then(|s| best(s, Role::Start));
            list.push(Replacement {
                by: r.string("new"),
                by_label: self.label(r.get("new")).0,
                relation: vocab::shorten(r.get("p")),
                source: sources
                    .get(&(r.string("s"), local(r.get("p")), r.string("o")))
                    .cloned(),
                from: from.cloned(),
            });
        }
        Ok(out)
    }

    fn standpoint(
        &self,
        iri: &str,
        kind: Option<Kind>,
        day: &str,
        steps: Vec<Step>,
        replaced_by: Vec<Replacement>,
    ) -> Standpoint {
        let (label, label_en) = self.label(iri);
        let (standing, reason, deciding) = decide(day, &steps, &replaced_by);
        Standpoint {
            entity: iri.to_owned(),
            label,
            label_en,
            class: vocab::shorten(&self.class_of(iri)),
            kind: kind.unwrap_or(Kind::Instrument),
            standing,
            reason,
            deciding,
            replaced_by,
        }
    }
}

/// Where something stands on `day`, why, and the steps that say so.
///
/// It had begun when a start or a step it existed by ends on or before the day (its latest day); it had not
/// when a start's earliest day is after the day, or a not-yet step (a first reading) is on or after it. It had
/// ended when a successor's start ends on or before the day. Anything else is unknown.
fn decide(day: &str, steps: &[Step], replaced: &[Replacement]) -> (Standing, String, Vec<Step>) {
    let start = best(steps, Role::Start);
    let witness = best(steps, Role::ExistedBy);
    if let Some(s) = not_yet(day, start, steps) {
        return (Standing::NotYet, phrase(s), vec![s.clone()]);
    }
    let began = [start, witness]
        .into_iter()
        .flatten()
        .find(|s| latest(Some(s)).is_some_and(|l| l <= day));
    let beginning = began.or(start).or(witness);
    let mut why = beginning.map_or_else(|| "no date in the texts".to_owned(), phrase);
    let over = |r: &&Replacement| latest(r.from.as_ref()).is_some_and(|l| l <= day);
    let ending = replaced.iter().find(over).or_else(|| {
        replaced
            .iter()
            .find(|r| earliest(r.from.as_ref()).is_none_or(|e| e <= day))
    });
    if let Some(r) = ending {
        let when = r
            .from
            .as_ref()
            .map_or("on a date the texts do not give", Step::when);
        why.push_str(&format!("; {} → {} {when}", r.relation, r.by_label));
    }
    let standing = match (began, ending) {
        (_, Some(r)) if over(&r) => Standing::Ended,
        (Some(_), None) => Standing::Current,
        _ => Standing::Unknown,
    };
    (standing, why, beginning.into_iter().cloned().collect())
}

/// The step that shows it had not begun on `day`: a start after the day, or a first reading (or another step
/// before adoption) on or after it.
fn not_yet<'a>(day: &str, start: Option<&'a Step>, steps: &'a [Step]) -> Option<&'a Step> {
    start
        .filter(|s| earliest(Some(s)).is_some_and(|e| e > day))
        .or_else(|| {
            steps
                .iter()
                .filter(|s| s.role == Role::NotYetBy)
                .filter(|s| earliest(Some(s)).is_some_and(|e| e >= day))
                .max_by_key(|s| earliest(Some(s)))
        })
}

/// What a deciding step says, in a few words.
fn phrase(s: &Step) -> String {
    match s.role {
        Role::Start => format!("began {}", s.when()),
        Role::ExistedBy => format!("existed by {} ({})", s.when(), s.kind),
        Role::NotYetBy | Role::Other => format!("{} {}", s.kind, s.when()),
    }
}

/// The last day a step can have been on.
fn latest(s: Option<&Step>) -> Option<&str> {
    s.and_then(|s| s.date.as_ref()).map(|d| d.latest.as_str())
}

/// The first day a step can have been on.
fn earliest(s: Option<&Step>) -> Option<&str> {
    s.and_then(|s| s.date.as_ref()).map(|d| d.earliest.as_str())
}

/// The deciding step of a role: the best-ranked, then the one surely past soonest; dated before undated.
fn best(steps: &[Step], role: Role) -> Option<&Step> {
    steps.iter().filter(|s| s.role == role).min_by_key(|s| {
        (
            s.rank,
            s.date.is_none(),
            s.date.as_ref().map(|d| d.latest.clone()),
        )
    })
}

/// The pk classes above `c`, itself included.
fn closure(c: &str, parents: &HashMap<String, Vec<String>>) -> HashSet<String> {
    let mut seen = HashSet::from([c.to_owned()]);
    let mut todo = vec![c.to_owned()];
    while let Some(x) = todo.pop() {
        for p in parents.get(&x).into_iter().flatten() {
            if seen.insert(p.clone()) {
                todo.push(p.clone());
            }
        }
    }
    seen
}

/// The first quote of each fact a time question uses, by (subject, property's local name, object).
type Sources = HashMap<(String, &'static str, String), Source>;

/// The properties whose quotes time questions show.
const TIME_PROPERTIES: [&str; 6] = [
    "eventOf",
    "inForceFrom",
    "supersedes",
    "supersededBy",
    "succeeds",
    "succeededBy",
];

/// The local name of a pk property IRI, as one of [`TIME_PROPERTIES`].
fn local(iri: &str) -> &'static str {
    let name = iri.strip_prefix(PK).unwrap_or(iri);
    TIME_PROPERTIES
        .into_iter()
        .find(|p| *p == name)
        .unwrap_or("")
}

/// Every quote of the facts of [`TIME_PROPERTIES`], first in document order, in one query (a pattern joined
/// per step would scan the evidence once per step).
fn sources(store: &Store) -> Result<Sources> {
    let rows = query::select_strings(
        store,
        "SELECT ?s ?p ?o ?ev ?status ?doc ?title ?issued ?year ?exact ?start ?end WHERE {
           VALUES ?p { pk:eventOf pk:inForceFrom pk:supersedes pk:supersededBy pk:succeeds pk:succeededBy }
           ?ev rdf:predicate ?p . ?ev rdf:subject ?s ; rdf:object ?o ;
               pk:epistemicStatus ?status ; oa:hasTarget ?t .
           ?t oa:hasSource ?doc ; oa:hasSelector ?qs, ?ps .
           ?qs oa:exact ?exact . ?ps oa:start ?start ; oa:end ?end .
           OPTIONAL { ?doc dcterms:title ?title FILTER(LANG(?title) = \"zh\") }
           OPTIONAL { ?doc dcterms:issued ?issued }
           OPTIONAL { ?doc pk:yearCovered ?year }
         } ORDER BY ?doc ?start",
    )?;
    let mut out = Sources::new();
    for r in rows {
        let key = (r.string("s"), local(r.get("p")), r.string("o"));
        out.entry(key).or_insert_with(|| source(&r));
    }
    Ok(out)
}

/// The source a row of [`sources`] names.
fn source(r: &Row) -> Source {
    Source {
        evidence: r.string("ev"),
        status: if r.get("status").ends_with("Inferred") {
            Provenance::Inferred
        } else {
            Provenance::Stated
        },
        document: r.string("doc"),
        title: r.string("title"),
        document_date: r
            .opt("issued")
            .map_or_else(|| format!("covers {}", r.get("year")), str::to_owned),
        quote: r.string("exact"),
        start: r.get("start").parse().unwrap_or(0),
        end: r.get("end").parse().unwrap_or(0),
    }
}
