//! `policykg queries` and `policykg prefixes`: what a query can use.

use policykg::model::vocab;
use policykg::read::{catalog, query};
use policykg::Result;

use super::output::write_text;

/// The bundled queries, a line each.
pub(crate) fn queries() -> Result<()> {
    let mut table = query::new_table(vec!["name".into(), "title".into(), "description".into()]);
    for q in catalog::all() {
        table.add_row(vec![q.name, q.title, q.description]);
    }
    write_text(&format!("{table}\n"))
}

/// The prefixes every query may use undeclared.
pub(crate) fn prefixes() -> Result<()> {
    let mut table = query::new_table(vec!["prefix".into(), "namespace".into()]);
    for (p, ns) in vocab::PREFIXES {
        table.add_row(vec![format!("{p}:"), ns.to_string()]);
    }
    write_text(&format!("{table}\n"))
}
