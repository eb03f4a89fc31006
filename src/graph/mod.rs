//! The graph layer: the petgraph projection of the store ([`projection`]), the analyses on it ([`analysis`]:
//! lineage, paths, neighbours, centrality), pictures ([`picture`]: DOT, SVG, HTML) and exports for other tools
//! ([`export`]). It depends on [`crate::model`], [`crate::data`] and [`crate::read`].

pub mod analysis;
pub mod export;
pub mod picture;
pub mod projection;
