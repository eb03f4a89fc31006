//! policykg: a knowledge graph of Chinese (Jiangsu) data-governance policy.
//!
//! Regulations, agencies, platforms and initiatives from five official reports, every fact traced to a verbatim
//! quote, in an embedded Oxigraph store. The modules follow the work:
//!
//! - [`vocab`]: namespaces and prefixes; [`format`]: the output formats; [`error`]: the one error type;
//! - [`bundle`]: the data compiled into the binary; [`seeds`]: the seed compiler (TOML → RDF with evidence);
//! - [`store`]: the on-disk store (build, upgrade, atomic loads); [`query`]: SPARQL with a hard time limit;
//! - [`catalog`]: the named queries; [`resolve`]: names → entities; [`describe`], [`evidence`], [`stats`]:
//!   the read-only views of the CLI;
//! - [`graph`]: the petgraph projection; [`lineage`]: lineage, paths, neighbours, centrality;
//!   [`viz`]: DOT, SVG and HTML pictures; [`output`]: atomic file writes.

pub mod bundle;
pub mod catalog;
pub mod describe;
pub mod error;
pub mod evidence;
pub mod export;
pub mod format;
pub mod graph;
pub mod lineage;
pub mod output;
pub mod query;
pub mod resolve;
pub mod seeds;
pub mod server;
pub mod stats;
pub mod store;
pub mod viz;
pub mod vocab;

pub use error::{Error, Result};
