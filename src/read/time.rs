//! Time questions: what was in force, in existence or in service on a day ([`as_of`]), and the dated steps of
//! an entity in order ([`timeline`]). Dates keep the precision the texts give (2025, 2025-09, 2025-09-28) and are
//! compared through the days they can stand for ([`DateSpan`]), so that a year-only date neither drops out nor
//! turns into 1 January; where the texts give no date the answer says "unknown", never leaves the row out.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use oxigraph::model::vocab::rdf;
use oxigraph::model::{
    GraphName, GraphNameRef, NamedNode, NamedOrBlankNode, NamedOrBlankNodeRef, Term,
};
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};

use crate::data::derived;
use crate::data::store::KgStore;

use crate::model::dates::DateSpan;
use crate::model::error::{Error, Result};
use crate::model::vocab::{self, PK};
use crate::read::evidence::{Source, Sources};
use crate::read::{quads, query};

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
    /// It existed by then: evaluated, revised, upgraded, or a release of its results or a new channel
    /// (`pk:Release` is defined as one "of an existing platform or initiative").
    ExistedBy,
    /// It was not yet in force then: approved as a project (`pk:ProjectApproval`: "drafting may follow"),
    /// drafted, researched, submitted, at first reading.
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
            "Evaluation" | "Revision" | "Upgrade" | "Release" => (Role::ExistedBy, 0),
            "ProjectApproval"
            | "Drafting"
            | "LegislativeResearch"
            | "Submission"
            | "FirstReading" => (Role::NotYetBy, 0),
            _ => (Role::Other, 0),
        }
    }
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
    /// The first quote behind it (read only for the steps an answer shows).
    pub source: Option<Source>,
    #[serde(skip)]
    rank: u8,
    /// The fact the step stands on (subject, property, object value), whose quote is its source.
    #[serde(skip)]
    fact: Fact,
}

/// A fact as (subject, property, object value): the key of its evidence.
type Fact = (String, String, String);

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
    #[serde(skip)]
    fact: Fact,
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
/// current, or that the texts leave unknown, with the steps that decide it (their quotes read from `store`).
pub fn as_of(store: &Store, facts: &Facts, query: &AsOfQuery) -> Result<AsOf> {
    let day = DateSpan::day(query.day).ok_or_else(|| {
        Error::Usage(format!(
            "as-of: {:?} is not a day: use YYYY-MM-DD",
            query.day
        ))
    })?;
    let known = Known::new(store, facts);
    let members = known.members(query.class, true)?;
    let (mut steps, replaced) = known.lives(&members);
    let mut answer = AsOf {
        day: day.earliest.clone(),
        rows: Vec::new(),
        not_yet: 0,
        ended: 0,
    };
    for member in members {
        let own = steps.remove(&member.iri).unwrap_or_default();
        let ends = replaced.get(&member.iri).cloned().unwrap_or_default();
        let row = known.standpoint(member, &day.earliest, own, ends);
        match row.standing {
            Standing::NotYet => answer.not_yet += 1,
            Standing::Ended => answer.ended += 1,
            _ => {}
        }
        if query.all || matches!(row.standing, Standing::Current | Standing::Unknown) {
            answer.rows.push(row);
        }
    }
    for row in &mut answer.rows {
        known.cite_row(row)?;
    }
    answer
        .rows
        .sort_by(|a, b| (a.kind, a.standing, &a.label).cmp(&(b.kind, b.standing, &b.label)));
    Ok(answer)
}

/// Where each instrument, agency and platform stands on each of `days` (`YYYY-MM-DD`), decided as [`as_of`]
/// decides, from the time facts of the store (the "as of" slider of the HTML picture asks for a day per year).
/// Entities `as-of` does not answer for (initiatives, drafts, other classes) are absent.
pub fn standings(
    store: &Store,
    facts: &Facts,
    days: &[String],
) -> Result<HashMap<String, Vec<Standing>>> {
    let days = days
        .iter()
        .map(|d| {
            DateSpan::day(d)
                .ok_or_else(|| Error::Usage(format!("{d:?} is not a day: use YYYY-MM-DD")))
        })
        .collect::<Result<Vec<_>>>()?;
    let known = Known::new(store, facts);
    let members = known.members(None, true)?;
    let (mut steps, replaced) = known.lives(&members);
    Ok(members
        .into_iter()
        .map(|member| {
            let own = steps.remove(&member.iri).unwrap_or_default();
            let ends = replaced
                .get(&member.iri)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let on_each = days
                .iter()
                .map(|d| decide(&d.earliest, &own, ends).0)
                .collect();
            (member.iri, on_each)
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

/// The steps of an entity, or of every member of a class, earliest first; undated steps last (their quotes read
/// from `store`).
pub fn timeline(store: &Store, facts: &Facts, subject: Subject) -> Result<Vec<Step>> {
    let known = Known::new(store, facts);
    let wanted: BTreeSet<String> = match subject {
        Subject::Entity(iri) => BTreeSet::from([iri.to_owned()]),
        Subject::Class(class) => known
            .members(Some(class), false)?
            .into_iter()
            .map(|m| m.iri)
            .collect(),
    };
    let mut steps: Vec<Step> = known.steps_of(&wanted).into_values().flatten().collect();
    for step in &mut steps {
        known.cite(step)?;
    }
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

/// What every time question reads from the store, read through its quad indexes (see [`quads`]) in one pass and
/// kept beside an on-disk store by [`Facts::of`]: a cold `as-of` then costs opening the store, one file and the
/// quotes of the steps it shows, instead of some 200 index lookups per question (see `docs/performance.md`).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Facts {
    /// Each pk class of the ontology and its pk superclasses, itself included.
    ancestors: HashMap<String, HashSet<String>>,
    /// Each catalogued entity that is an instrument, agency or platform or has steps, and its classes of the
    /// ontology, in class order.
    types: BTreeMap<String, Vec<String>>,
    /// The dated (and undated) steps of each entity that has any: its events, then its `pk:inForceFrom`.
    dated: BTreeMap<String, Vec<Dated>>,
    /// What replaced each entity, by successor, without duplicates.
    replaced: HashMap<String, Vec<Ending>>,
    /// The zh and en preferred labels of every entity named above (the shortened IRI for one without).
    labels: HashMap<String, (String, String)>,
    /// The first quote of every step's and replacement's fact, when read ([`Facts::of`] reads them; without
    /// them, an answer reads the quotes of what it shows from the store).
    quotes: Option<Vec<(Fact, Source)>>,
}

/// A step as the store says it, before it is read against a day: the event and its class, or the dated fact.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Dated {
    event: Option<String>,
    /// The event's class or the fact's property (IRI).
    kind: String,
    date: Option<String>,
    actor: Option<String>,
    fact: Fact,
}

/// A replacement as the store says it: the successor, the property (IRI) and the fact.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Ending {
    by: String,
    relation: String,
    fact: Fact,
}

impl Facts {
    /// The facts of an on-disk store, kept beside it for its current state (see [`derived`]); an in-memory store
    /// reads them.
    pub fn of(kg: &KgStore) -> Result<Facts> {
        derived::cached(kg, "time", || {
            let mut facts = Facts::read(kg.store())?;
            let sources = Sources::new(kg.store());
            let mut quotes = Vec::new();
            let facts_said = facts
                .dated
                .values()
                .flatten()
                .map(|d| &d.fact)
                .chain(facts.replaced.values().flatten().map(|e| &e.fact));
            for fact in facts_said {
                let (s, p, o) = fact;
                if let Some(source) = sources.first(s, p, o)? {
                    quotes.push((fact.clone(), source));
                }
            }
            facts.quotes = Some(quotes);
            Ok(facts)
        })
    }

    /// Read the facts from the store: the class tree of the ontology, the catalogued entities' classes, every
    /// entity's events and `pk:inForceFrom`, the replacements, and the labels of all they name.
    pub fn read(store: &Store) -> Result<Facts> {
        let mut facts = Facts {
            ancestors: class_tree(store)?,
            ..Facts::default()
        };
        let catalogue = vocab::catalogue_graph();
        let mut classes: Vec<&String> = facts.ancestors.keys().collect();
        classes.sort();
        for class in classes {
            let Some(node) = quads::iri(class) else {
                continue;
            };
            for q in quads::matching(
                store,
                None,
                Some(rdf::TYPE),
                Some(node.as_ref().into()),
                Some(catalogue.as_ref().into()),
            )? {
                let t = facts
                    .types
                    .entry(quads::node_value(q.subject.as_ref()))
                    .or_default();
                if !t.contains(class) {
                    t.push(class.clone());
                }
            }
        }
        facts.dated = dated(store)?;
        facts.replaced = replacements(store)?;
        let roots = Kind::ALL.map(Kind::root);
        let (ancestors, dated) = (&facts.ancestors, &facts.dated);
        facts.types.retain(|iri, types| {
            dated.contains_key(iri)
                || types.iter().any(|t| {
                    ancestors
                        .get(t)
                        .is_some_and(|a| roots.iter().any(|r| a.contains(r)))
                })
        });
        let named = facts
            .types
            .keys()
            .chain(facts.dated.keys())
            .chain(
                facts
                    .dated
                    .values()
                    .flatten()
                    .filter_map(|d| d.actor.as_ref()),
            )
            .chain(facts.replaced.values().flatten().map(|e| &e.by));
        let mut labels = HashMap::new();
        for iri in named {
            if !labels.contains_key(iri) {
                labels.insert(iri.clone(), label(store, iri)?);
            }
        }
        facts.labels = labels;
        Ok(facts)
    }
}

/// Each pk class declared in the ontology graph and its pk superclasses, itself included.
fn class_tree(store: &Store) -> Result<HashMap<String, HashSet<String>>> {
    let ontology = vocab::ontology_graph();
    let in_ontology = Some(GraphNameRef::from(ontology.as_ref()));
    let mut parents: HashMap<String, Vec<String>> = HashMap::new();
    let owl_class = vocab::ns(vocab::OWL, "Class");
    for q in quads::matching(
        store,
        None,
        Some(rdf::TYPE),
        Some(owl_class.as_ref().into()),
        in_ontology,
    )? {
        parents
            .entry(quads::node_value(q.subject.as_ref()))
            .or_default();
    }
    let sub_class_of = vocab::ns(vocab::RDFS, "subClassOf");
    for q in quads::matching(store, None, Some(sub_class_of.as_ref()), None, in_ontology)? {
        let parent = query::term_value(&q.object);
        if let (Some(list), true) = (
            parents.get_mut(&quads::node_value(q.subject.as_ref())),
            parent.starts_with(PK),
        ) {
            list.push(parent);
        }
    }
    Ok(parents
        .keys()
        .map(|c| (c.clone(), closure(c, &parents)))
        .collect())
}

/// The zh and en preferred labels of an entity; the shortened IRI when it has none.
fn label(store: &Store, iri: &str) -> Result<(String, String)> {
    let mut pair = (String::new(), String::new());
    if let Some(node) = quads::iri(iri) {
        let pref = vocab::ns(vocab::SKOS, "prefLabel");
        for label in quads::objects(store, node.as_ref().into(), pref.as_ref())? {
            match &label {
                Term::Literal(l) if l.language() == Some("zh") => pair.0 = l.value().to_owned(),
                Term::Literal(l) if l.language() == Some("en") => pair.1 = l.value().to_owned(),
                _ => {}
            }
        }
    }
    if pair.0.is_empty() && pair.1.is_empty() {
        pair.0 = vocab::shorten(iri);
    }
    Ok(pair)
}

/// The steps of every entity that is the object of a `pk:eventOf` or the subject of a `pk:inForceFrom`: its
/// events (one step per pk class each is asserted to have), then its first `pk:inForceFrom`.
fn dated(store: &Store) -> Result<BTreeMap<String, Vec<Dated>>> {
    let (event_of, in_force_from) = (pk("eventOf"), pk("inForceFrom"));
    let mut entities = BTreeSet::new();
    for q in quads::matching(store, None, Some(event_of.as_ref()), None, None)? {
        if let Term::NamedNode(n) = q.object {
            entities.insert(n);
        }
    }
    for q in quads::matching(store, None, Some(in_force_from.as_ref()), None, None)? {
        if let NamedOrBlankNode::NamedNode(n) = q.subject {
            entities.insert(n);
        }
    }
    let mut out = BTreeMap::new();
    for node in entities {
        let x = node.as_str();
        let mut steps = Vec::new();
        let mut seen = HashSet::new();
        for q in quads::matching(
            store,
            None,
            Some(event_of.as_ref()),
            Some(node.as_ref().into()),
            None,
        )? {
            if seen.insert(q.subject.clone()) {
                steps.extend(event_steps(store, q.subject.as_ref(), x)?);
            }
        }
        if let Some(date) = quads::object(store, node.as_ref().into(), in_force_from.as_ref())? {
            let date = query::term_value(&date);
            steps.push(Dated {
                event: None,
                kind: in_force_from.as_str().to_owned(),
                date: Some(date.clone()),
                actor: None,
                fact: (x.to_owned(), in_force_from.as_str().to_owned(), date),
            });
        }
        if !steps.is_empty() {
            out.insert(x.to_owned(), steps);
        }
    }
    Ok(out)
}

/// The steps of one event of `x`: one per pk class it is asserted to have (entailed classes left out).
fn event_steps(store: &Store, event: NamedOrBlankNodeRef, x: &str) -> Result<Vec<Dated>> {
    let entailed = vocab::entailed_graph();
    let date = quads::object(store, event, pk("date").as_ref())?.map(|d| query::term_value(&d));
    let actor = quads::object(store, event, pk("actor").as_ref())?.map(|a| query::term_value(&a));
    let iri = quads::node_value(event);
    let mut kinds: Vec<String> = Vec::new();
    for q in quads::matching(store, Some(event), Some(rdf::TYPE), None, None)? {
        let kind = query::term_value(&q.object);
        let asserted = q.graph_name != GraphName::NamedNode(entailed.clone());
        if asserted && kind.starts_with(PK) && !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds
        .into_iter()
        .map(|kind| Dated {
            event: Some(iri.clone()),
            kind,
            date: date.clone(),
            actor: actor.clone(),
            fact: (iri.clone(), format!("{PK}eventOf"), x.to_owned()),
        })
        .collect())
}

/// What replaced each entity (`pk:supersedes`, `pk:succeededBy` and their inverses), each successor once.
fn replacements(store: &Store) -> Result<HashMap<String, Vec<Ending>>> {
    // (property, whether its subject is the successor)
    let relations = [
        ("supersedes", true),
        ("supersededBy", false),
        ("succeededBy", false),
        ("succeeds", true),
    ];
    let mut found: Vec<(String, String, String, Fact)> = Vec::new();
    for (local, subject_is_new) in relations {
        let p = pk(local);
        for q in quads::matching(store, None, Some(p.as_ref()), None, None)? {
            let (s, o) = (
                quads::node_value(q.subject.as_ref()),
                query::term_value(&q.object),
            );
            let (old, new) = if subject_is_new {
                (o.clone(), s.clone())
            } else {
                (s.clone(), o.clone())
            };
            found.push((
                old,
                new,
                p.as_str().to_owned(),
                (s, p.as_str().to_owned(), o),
            ));
        }
    }
    found.sort();
    let mut out: HashMap<String, Vec<Ending>> = HashMap::new();
    for (old, by, relation, fact) in found {
        let list = out.entry(old).or_default();
        if !list.iter().any(|x| x.by == by) {
            list.push(Ending { by, relation, fact });
        }
    }
    Ok(out)
}

/// A time question's view of the [`Facts`]: classes, members, steps and replacements read against the class tree,
/// and the quotes of what an answer shows, read from the store.
struct Known<'a> {
    facts: &'a Facts,
    /// The quotes the facts hold, by fact, if they hold them.
    quotes: Option<HashMap<&'a Fact, &'a Source>>,
    /// The quotes of facts, from the store.
    sources: Sources<'a>,
}

/// An IRI of the pk namespace.
fn pk(local: &str) -> NamedNode {
    vocab::pk(local)
}

impl<'a> Known<'a> {
    fn new(store: &'a Store, facts: &'a Facts) -> Known<'a> {
        Known {
            facts,
            quotes: facts
                .quotes
                .as_ref()
                .map(|q| q.iter().map(|(f, s)| (f, s)).collect()),
            sources: Sources::new(store),
        }
    }

    /// Whether class `c` is `of` or one of its subclasses.
    fn is_a(&self, c: &str, of: &str) -> bool {
        self.facts.ancestors.get(c).is_some_and(|a| a.contains(of))
    }

    /// The most specific of an entity's classes.
    fn most_specific(&self, types: &[&String]) -> String {
        types
            .iter()
            .max_by_key(|t| self.facts.ancestors.get(**t).map_or(0, HashSet::len))
            .map(|t| (*t).clone())
            .unwrap_or_default()
    }

    /// The entities under `class` (or under the three roots), each with its kind when it has one. With
    /// `as_of`, a class outside the three roots is an error and drafts are left out.
    fn members(&self, class: Option<&str>, as_of: bool) -> Result<Vec<Member>> {
        if let Some(c) = class.filter(|c| !self.facts.ancestors.contains_key(*c)) {
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
        let roots: Vec<String> = match class {
            Some(c) => vec![c.to_owned()],
            None => Kind::ALL.map(Kind::root).to_vec(),
        };
        Ok(self
            .facts
            .types
            .iter()
            .filter_map(|(iri, types)| {
                let under: Vec<&String> = types
                    .iter()
                    .filter(|t| roots.iter().any(|r| self.is_a(t, r)))
                    .collect();
                if under.is_empty() {
                    return None;
                }
                let c = self.most_specific(&under);
                let wanted = class.map_or(kind_of(&c).is_some(), |w| self.is_a(&c, w));
                (wanted && !(as_of && never(&c))).then(|| Member {
                    iri: iri.clone(),
                    kind: kind_of(&c),
                    class: c,
                })
            })
            .collect())
    }

    /// The zh and en preferred labels of an entity; the shortened IRI when it has none.
    fn label(&self, iri: &str) -> (String, String) {
        self.facts
            .labels
            .get(iri)
            .cloned()
            .unwrap_or_else(|| (vocab::shorten(iri), String::new()))
    }

    /// The steps of each entity, without their quotes ([`Known::cite`] adds them to the steps shown).
    fn steps_of<'e>(
        &self,
        entities: impl IntoIterator<Item = &'e String>,
    ) -> BTreeMap<String, Vec<Step>> {
        entities
            .into_iter()
            .filter_map(|x| {
                let dated = self.facts.dated.get(x)?;
                Some((x.clone(), dated.iter().map(|d| self.step(x, d)).collect()))
            })
            .collect()
    }

    /// The members' steps, and what replaced each member with the start of each successor: what `as-of` and
    /// [`standings`] decide from.
    fn lives(
        &self,
        members: &[Member],
    ) -> (
        BTreeMap<String, Vec<Step>>,
        HashMap<String, Vec<Replacement>>,
    ) {
        let mut replaced = self.replacements();
        let successors = replaced.values().flatten().map(|r| &r.by);
        let steps = self.steps_of(members.iter().map(|m| &m.iri).chain(successors));
        for r in replaced.values_mut().flatten() {
            r.from = steps.get(&r.by).and_then(|s| best(s, Role::Start)).cloned();
        }
        (steps, replaced)
    }

    /// A step of `x`, read against the roles.
    fn step(&self, x: &str, d: &Dated) -> Step {
        let local = d.kind.rsplit(['#', '/']).next().unwrap_or(&d.kind);
        let (role, rank) = Role::of(local);
        Step {
            entity: x.to_owned(),
            entity_label: self.label(x).0,
            event: d.event.clone(),
            kind: vocab::shorten(&d.kind),
            role,
            date: d.date.as_deref().and_then(DateSpan::parse),
            actor: d.actor.as_deref().map(|a| self.label(a).0),
            source: None,
            rank,
            fact: d.fact.clone(),
        }
    }

    /// The first quote of a fact.
    fn quote(&self, fact: &Fact) -> Result<Option<Source>> {
        match &self.quotes {
            Some(quotes) => Ok(quotes.get(fact).map(|s| (*s).clone())),
            None => self.sources.first(&fact.0, &fact.1, &fact.2),
        }
    }

    /// Add its first quote to a step.
    fn cite(&self, step: &mut Step) -> Result<()> {
        step.source = self.quote(&step.fact)?;
        Ok(())
    }

    /// Add their quotes to the steps and replacements a row shows.
    fn cite_row(&self, row: &mut Standpoint) -> Result<()> {
        for step in &mut row.deciding {
            self.cite(step)?;
        }
        for r in &mut row.replaced_by {
            r.source = self.quote(&r.fact)?;
            if let Some(from) = &mut r.from {
                self.cite(from)?;
            }
        }
        Ok(())
    }

    /// What replaced each entity; the successor's start is added once its steps are read.
    fn replacements(&self) -> HashMap<String, Vec<Replacement>> {
        self.facts
            .replaced
            .iter()
            .map(|(old, endings)| {
                let list = endings
                    .iter()
                    .map(|e| Replacement {
                        by_label: self.label(&e.by).0,
                        by: e.by.clone(),
                        relation: vocab::shorten(&e.relation),
                        source: None,
                        from: None,
                        fact: e.fact.clone(),
                    })
                    .collect();
                (old.clone(), list)
            })
            .collect()
    }

    fn standpoint(
        &self,
        member: Member,
        day: &str,
        steps: Vec<Step>,
        replaced_by: Vec<Replacement>,
    ) -> Standpoint {
        let (label, label_en) = self.label(&member.iri);
        let (standing, reason, deciding) = decide(day, &steps, &replaced_by);
        Standpoint {
            entity: member.iri,
            label,
            label_en,
            class: vocab::shorten(&member.class),
            kind: member.kind.unwrap_or(Kind::Instrument),
            standing,
            reason,
            deciding,
            replaced_by,
        }
    }
}

/// An entity a time question is about: its IRI, its kind when it has one, and its most specific class.
struct Member {
    iri: String,
    kind: Option<Kind>,
    class: String,
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
