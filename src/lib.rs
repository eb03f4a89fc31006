//! policykg: a knowledge graph of Chinese (Jiangsu) data-governance policy.
//!
//! Regulations, agencies, platforms and initiatives from five official reports, every fact traced to a verbatim
//! quote, in an embedded Oxigraph store. The crate stands in layers; each imports only from the layers above it
//! in this list (see `docs/architecture.md`):
//!
//! - [`model`]: vocabulary, errors, formats;
//! - [`data`]: the bundle, the seed compiler, the store;
//! - [`read`]: SPARQL, named queries, names → entities, describe, evidence, stats;
//! - [`graph`]: the petgraph projection, lineage and paths, pictures, exports;
//! - [`serve`]: the SPARQL endpoint, its pages and UI.
//!
//! The `policykg` binary (`src/main.rs`, `src/cli/`) sits on top of them all.

pub mod data;
pub mod graph;
pub mod model;
pub mod read;
pub mod serve;

pub use model::error::{Error, Result};
