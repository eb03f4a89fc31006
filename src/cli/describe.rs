//! `policykg describe`: an entity's labels, types, relations both ways and sources.

use policykg::model::format::TextFormat;
use policykg::read::describe;
use policykg::Result;

use super::output::{write_json, write_text};
use super::Session;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// An IRI, prefixed name, id, or Chinese or English label or alias
    entity: String,
    /// text or json
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

pub(crate) fn run(args: Args, session: &Session) -> Result<()> {
    let resolver = session.resolver()?;
    let iri = resolver.resolve(&args.entity)?;
    let d = describe::describe(session.store()?.store(), &iri, &resolver.labels)?;
    match args.format {
        TextFormat::Json => write_json(&d),
        TextFormat::Text => write_text(&describe::render_text(&d, &resolver.labels)),
    }
}
