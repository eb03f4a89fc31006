//! `policykg evidence`: the quotes behind an entity, or behind the facts that link two.

use policykg::model::format::TextFormat;
use policykg::model::vocab;
use policykg::read::evidence;
use policykg::{Error, Result};

use super::output::{write_json, write_text};
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// An IRI, prefixed name, id, or label
    entity: String,
    /// A second entity: show only the facts that link the two
    other: Option<String>,
    /// text or json
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let resolver = session.resolver()?;
    let labels = &resolver.labels;
    let a = resolver.resolve(&args.entity)?;
    let b = args
        .other
        .as_deref()
        .map(|o| resolver.resolve(o))
        .transpose()?;
    let quotes = evidence::quotes(session.store()?.store(), labels, &a, b.as_ref())?;
    if let (Some(b), true) = (&b, quotes.is_empty()) {
        return Err(Error::Usage(format!(
            "no fact links {} and {} directly; `policykg path` finds longer connections",
            labels.display(a.as_str()),
            labels.display(b.as_str())
        )));
    }
    match args.format {
        TextFormat::Json => write_json(&quotes),
        TextFormat::Text => {
            let heading = match &b {
                Some(b) => format!(
                    "{} ↔ {}",
                    labels.display(a.as_str()),
                    labels.display(b.as_str())
                ),
                None => format!(
                    "{} ({})",
                    labels.display(a.as_str()),
                    vocab::shorten(a.as_str())
                ),
            };
            write_text(&evidence::render_text(&quotes, labels, &heading))
        }
    }
}
