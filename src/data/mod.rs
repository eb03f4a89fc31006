//! The data layer: what is compiled into the binary ([`bundle`]), the seed compiler that turns it into RDF with
//! evidence ([`seeds`]), the on-disk store ([`store`]), what is derived from it and kept beside it ([`derived`])
//! and safe file writes ([`output`]). It depends on [`crate::model`] only.

pub mod bundle;
pub mod derived;
pub mod entail;
pub mod labels;
pub mod output;
pub mod rdf;
pub mod seeds;
pub mod store;

#[cfg(test)]
pub(crate) mod test_support {
    //! What the data layer's tests share.

    /// Make a FIFO (named pipe) at `path`, for the tests of special files.
    pub(crate) fn mkfifo(path: &std::path::Path) {
        let status = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }
}
