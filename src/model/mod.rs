//! The model layer: how policykg names things ([`vocab`]), the one error type ([`error`]) and the formats it
//! reads and writes ([`format`]). It depends on nothing else in the crate.

pub mod error;
pub mod format;
pub mod report;
pub mod vocab;
