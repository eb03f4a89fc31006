//! The read layer: SPARQL with a hard time limit ([`query`]), the named queries ([`catalog`]), names to entities
//! ([`resolve`]), the read-only views ([`describe`], [`evidence`], [`stats`]), and full-text search ([`search`],
//! matching in [`matching`]), and time questions ([`time`]: as of a day, timelines). It depends on
//! [`crate::model`] and [`crate::data`].

pub mod catalog;
pub mod describe;
pub mod evidence;
pub mod matching;
pub mod quads;
pub mod query;
pub mod resolve;
pub mod search;
pub mod service;
pub mod stats;
pub mod time;
pub mod validate;
