//! `policykg timeline ENTITY | --class C`: the dated steps in order, each with the precision the text gives
//! (2025 vs 2025-09-28), its days and its quote; undated steps last.

use policykg::model::format::ListFormat;
use policykg::read::query;
use policykg::read::time::{self, Facts, Step, Subject};
use policykg::{Error, Result};

use super::output::{to_csv, write_json, write_text};
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// An IRI, prefixed name, id, or label
    #[arg(required_unless_present = "class", conflicts_with = "class")]
    entity: Option<String>,
    /// Every member of this class instead (LocalRegulation, Platform, pk:Agency, a label…)
    #[arg(long, value_name = "C")]
    class: Option<String>,
    /// table, json or csv
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let (iri, whole_class) = match (&args.entity, &args.class) {
        (Some(name), _) => (
            session.resolver()?.resolve(name)?.as_str().to_owned(),
            false,
        ),
        (None, Some(class)) => (session.class(class)?, true),
        (None, None) => {
            return Err(Error::Usage(
                "timeline: name an entity, or a class with --class C".into(),
            ))
        }
    };
    let subject = if whole_class {
        Subject::Class(&iri)
    } else {
        Subject::Entity(&iri)
    };
    let kg = session.store()?;
    let steps = time::timeline(kg.store(), &Facts::of(kg)?, subject)?;
    match args.format {
        ListFormat::Json => write_json(&steps),
        ListFormat::Csv => write_text(&to_csv(&HEADER, &records(&steps))?),
        ListFormat::Table => write_text(&table(&steps)),
    }
}

const HEADER: [&str; 11] = [
    "date",
    "precision",
    "earliest",
    "latest",
    "entity",
    "step",
    "actor",
    "status",
    "document",
    "quote",
    "offsets",
];

fn records(steps: &[Step]) -> Vec<Vec<String>> {
    steps
        .iter()
        .map(|s| {
            let d = s.date.as_ref();
            let src = s.source.as_ref();
            vec![
                s.when().to_owned(),
                d.map(|d| d.precision.name().to_owned()).unwrap_or_default(),
                d.map(|d| d.earliest.clone()).unwrap_or_default(),
                d.map(|d| d.latest.clone()).unwrap_or_default(),
                s.entity_label.clone(),
                s.kind.clone(),
                s.actor.clone().unwrap_or_default(),
                src.map(|x| x.status.name().to_owned()).unwrap_or_default(),
                src.map(|x| x.title.clone()).unwrap_or_default(),
                src.map(|x| x.quote.clone()).unwrap_or_default(),
                src.map(|x| format!("{}–{}", x.start, x.end))
                    .unwrap_or_default(),
            ]
        })
        .collect()
}

fn table(steps: &[Step]) -> String {
    let mut table = query::new_table(
        [
            "date",
            "precision",
            "entity",
            "step",
            "actor",
            "document",
            "quote",
        ]
        .map(String::from)
        .to_vec(),
    );
    for r in records(steps) {
        table.add_row([&r[0], &r[1], &r[4], &r[5], &r[6], &r[8], &r[9]]);
    }
    let undated = steps.iter().filter(|s| s.date.is_none()).count();
    format!(
        "{table}\n{} steps, {} dated, {undated} undated\n",
        steps.len(),
        steps.len() - undated
    )
}
