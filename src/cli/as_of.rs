//! `policykg as-of DATE`: the instruments in force, agencies in existence and platforms in service on a day, each
//! with the steps and quotes that decide it, and "unknown" where the texts give no date.

use policykg::model::format::ListFormat;
use policykg::read::query;
use policykg::read::time::{self, AsOf, AsOfQuery, Facts, Standing, Standpoint};
use policykg::Result;

use super::output::{to_csv, write_json, write_text};
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// The day (YYYY-MM-DD)
    date: String,
    /// Only members of this class (PolicyInstrument, LocalRegulation, Agency, Platform, pk:Hotline, a label…)
    #[arg(long, value_name = "C")]
    class: Option<String>,
    /// List also what began later or had been replaced by then
    #[arg(long)]
    all: bool,
    /// table, json or csv
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let class = args
        .class
        .as_deref()
        .map(|c| session.class(c))
        .transpose()?;
    let kg = session.store()?;
    let answer = time::as_of(
        kg.store(),
        &Facts::of(kg)?,
        &AsOfQuery {
            day: &args.date,
            class: class.as_deref(),
            all: args.all,
        },
    )?;
    match args.format {
        ListFormat::Json => write_json(&answer),
        ListFormat::Csv => write_text(&to_csv(&HEADER, &records(&answer))?),
        ListFormat::Table => write_text(&table(&answer)),
    }
}

const HEADER: [&str; 9] = [
    "standing", "entity", "label", "class", "why", "step", "document", "quote", "offsets",
];

/// The standing in the kind's own words.
fn standing(row: &Standpoint) -> String {
    match row.standing {
        Standing::Current => row.kind.current_word().into(),
        Standing::Unknown => "unknown".into(),
        Standing::NotYet => "not yet".into(),
        Standing::Ended => "ended".into(),
    }
}

/// One record per row: its first deciding step (or replacement) with its quote.
fn records(answer: &AsOf) -> Vec<Vec<String>> {
    answer
        .rows
        .iter()
        .map(|row| {
            let step = row.deciding.first();
            let source = step
                .and_then(|s| s.source.as_ref())
                .or_else(|| row.replaced_by.first().and_then(|r| r.source.as_ref()));
            vec![
                standing(row),
                row.entity.clone(),
                row.label.clone(),
                row.class.clone(),
                row.reason.clone(),
                step.map(|s| format!("{} {}", s.kind, s.when()))
                    .unwrap_or_default(),
                source.map(|s| s.title.clone()).unwrap_or_default(),
                source.map(|s| s.quote.clone()).unwrap_or_default(),
                source
                    .map(|s| format!("{}–{}", s.start, s.end))
                    .unwrap_or_default(),
            ]
        })
        .collect()
}

fn table(answer: &AsOf) -> String {
    let mut table = query::new_table(
        ["on", "entity", "class", "why", "document", "quote"]
            .map(String::from)
            .to_vec(),
    );
    for r in records(answer) {
        table.add_row([&r[0], &r[2], &r[3], &r[4], &r[6], &r[7]]);
    }
    let count = |s: Standing| answer.rows.iter().filter(|r| r.standing == s).count();
    let left_out = if answer.not_yet + answer.ended > 0 && count(Standing::NotYet) == 0 {
        format!(
            "; {} not yet begun and {} replaced by then are left out (--all lists them)",
            answer.not_yet, answer.ended
        )
    } else {
        String::new()
    };
    format!(
        "{table}\nas of {}: {} current, {} unknown{left_out}\n",
        answer.day,
        count(Standing::Current),
        count(Standing::Unknown),
    )
}
