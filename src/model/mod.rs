//! The model layer: how policykg names things ([`vocab`]), the one error type ([`error`]), the formats it
//! reads and writes ([`format`]) and dates at their precision ([`dates`]). It depends on nothing else in the crate.

pub mod dates;
pub mod error;
pub mod format;
pub mod report;
pub mod vocab;
