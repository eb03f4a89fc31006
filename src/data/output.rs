//! Writing results to files safely: a temporary file in the target directory, renamed into place when complete,
//! so that a failed or interrupted write never leaves a partial file behind.

use std::io::Write;
use std::path::Path;

use crate::model::error::{Error, Result};

/// Write `bytes` to `path` atomically.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if path.is_dir() {
        return Err(Error::invalid(
            path.display().to_string(),
            "is a directory; give a file path",
        ));
    }
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        // Temporary files are private (0600); a result file is an ordinary file.
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(path, e))?;
    }
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.flush().map_err(|e| Error::io(path, e))?;
    file.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}
