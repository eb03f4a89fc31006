//! Writing results to files safely: a temporary file in the target directory, renamed into place when complete,
//! so that a failed or interrupted write never leaves a partial file behind. Only a regular file (or a path that
//! does not exist yet) is ever replaced: renaming over a FIFO, a device or a symbolic link would replace the special
//! file itself, so those are refused; a symbolic link to a regular file is written through, and the link kept.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::data::rdf::kind_of;
use crate::model::error::{Error, Result};

/// Write `bytes` to `path` atomically; `-` means standard output.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically_from(path, &mut &*bytes)
}

/// Write what `source` reads to `path` atomically; `-` means standard output. A file is copied by the kernel
/// (`copy_file_range`, `sendfile`), without passing through this process's memory.
pub fn write_atomically_from<R: Read>(path: &Path, source: &mut R) -> Result<()> {
    if path == Path::new("-") {
        let mut out = std::io::stdout().lock();
        return std::io::copy(source, &mut out)
            .and_then(|_| out.flush())
            .map_err(|e| Error::io("<stdout>", e));
    }
    let target = replaceable_target(path)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        // Temporary files are private (0600); a result file is an ordinary file.
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(path, e))?;
    }
    std::io::copy(source, file.as_file_mut()).map_err(|e| Error::io(path, e))?;
    file.flush().map_err(|e| Error::io(path, e))?;
    file.persist(&target)
        .map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// The path that a finished output may be renamed onto: `path` itself when it does not exist or is a regular file,
/// the file a symbolic link leads to when that is a regular file; anything else is refused.
fn replaceable_target(path: &Path) -> Result<PathBuf> {
    let refuse = |what: String| {
        Error::invalid(
            path.display().to_string(),
            format!("{what}; -o writes regular files only (or - for standard output)"),
        )
    };
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(path.to_path_buf()),
        Err(e) => return Err(Error::io(path, e)),
    };
    if meta.is_file() {
        return Ok(path.to_path_buf());
    }
    if meta.is_dir() {
        return Err(Error::invalid(
            path.display().to_string(),
            "is a directory; give a file path",
        ));
    }
    if !meta.file_type().is_symlink() {
        return Err(refuse(format!("is {}", kind_of(&meta))));
    }
    match std::fs::metadata(path) {
        Ok(target) if target.is_file() => {
            std::fs::canonicalize(path).map_err(|e| Error::io(path, e))
        }
        Ok(target) => Err(refuse(format!(
            "is a symbolic link to {}",
            kind_of(&target)
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(refuse("is a symbolic link to nothing".into()))
        }
        Err(e) => Err(refuse(format!(
            "is a symbolic link that cannot be followed ({e})"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::data::test_support::mkfifo;

    #[cfg(unix)]
    #[test]
    fn special_files_and_links_to_them_are_refused_and_left_as_they_were() {
        use std::os::unix::fs::{symlink, FileTypeExt};
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let to_fifo = dir.path().join("to-fifo.html");
        symlink(&fifo, &to_fifo).unwrap();
        let dangling = dir.path().join("dangling.html");
        symlink(dir.path().join("nothing"), &dangling).unwrap();
        for path in [&fifo, &to_fifo, &dangling] {
            let err = write_atomically(path, b"x").unwrap_err().to_string();
            assert!(
                err.starts_with(&path.display().to_string()) && err.lines().count() == 1,
                "{err}"
            );
        }
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
        assert!(std::fs::symlink_metadata(&to_fifo)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(std::fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink());
        assert!(!dir.path().join("nothing").exists());
    }

    #[cfg(unix)]
    #[test]
    fn regular_files_are_replaced_and_links_to_them_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        write_atomically(&file, b"one").unwrap();
        write_atomically(&file, b"two").unwrap();
        assert_eq!(std::fs::read(&file).unwrap(), b"two");
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        write_atomically(&link, b"three").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&file).unwrap(), b"three");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2, "no temporary file left behind");
    }
}
