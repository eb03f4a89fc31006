//! The read layer: SPARQL with a hard time limit ([`query`]), the named queries ([`catalog`]), names to entities
//! ([`resolve`]), and the read-only views ([`describe`], [`evidence`], [`stats`]). It depends on
//! [`crate::model`] and [`crate::data`].

pub mod catalog;
pub mod describe;
pub mod evidence;
pub mod query;
pub mod resolve;
pub mod service;
pub mod stats;
