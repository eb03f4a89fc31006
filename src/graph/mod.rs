//! The graph layer: the petgraph projection of the store ([`projection`]), the analyses on it ([`analysis`]:
//! lineage, paths, neighbours, centrality), question views ([`views`]), pictures ([`picture`]: DOT, SVG, HTML) and exports for other tools
//! ([`export`]). It depends on [`crate::model`], [`crate::data`] and [`crate::read`].

pub mod analysis;
pub mod export;
pub mod picture;
pub mod projection;
pub mod views;

/// The bundled graph in memory, built once for the unit tests of this layer.
#[cfg(test)]
pub(crate) fn bundled() -> &'static crate::data::store::KgStore {
    static KG: std::sync::OnceLock<crate::data::store::KgStore> = std::sync::OnceLock::new();
    KG.get_or_init(|| crate::data::store::KgStore::in_memory().expect("the bundle builds"))
}

/// The projection of the bundled graph, built once for the unit tests of this layer.
#[cfg(test)]
pub(crate) fn projected() -> &'static projection::Projection {
    static P: std::sync::OnceLock<projection::Projection> = std::sync::OnceLock::new();
    P.get_or_init(|| projection::Projection::build(bundled().store()).expect("the bundle projects"))
}

/// An entity IRI from its local id.
#[cfg(test)]
pub(crate) fn id(local: &str) -> String {
    format!("{}{local}", crate::model::vocab::ID)
}
