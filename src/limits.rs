//! Limits on what the program reads, so that no input can exhaust memory:
//! input files stop at a size limit. (A run's memory and time are estimated
//! before any work by [`crate::estimate`].)

use std::io::Read;
use std::path::Path;

/// Largest scenario, sweep or validation file read (TOML), bytes.
pub const MAX_TOML_BYTES: u64 = 16 << 20;

/// Largest CSV input file read (region data, sweep design tables), bytes.
pub const MAX_CSV_BYTES: u64 = 512 << 20;

/// Deepest chain of `extends` (a file, its parent, the parent's parent, ...).
pub const MAX_EXTENDS_DEPTH: usize = 64;

/// Most worker threads.
pub const MAX_THREADS: usize = 256;

/// A reader that fails (with [`std::io::ErrorKind::InvalidData`]) once more
/// than `limit` bytes have been read, so that a huge or endless file
/// (`/dev/zero`) stops with a clear error instead of exhausting memory.
#[derive(Debug)]
pub struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Limited<R> {
    /// Wrap a reader.
    pub fn new(inner: R, limit: u64) -> Self {
        Limited { inner, left: limit, limit }
    }
}

/// The error of a file larger than `limit` bytes.
pub fn too_large(limit: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("the file is larger than {} (the most an input file may hold)", human_bytes(limit as f64)),
    )
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // At the limit: anything more is too much.
            let mut one = [0u8; 1];
            return match self.inner.read(&mut one)? {
                0 => Ok(0),
                _ => Err(too_large(self.limit)),
            };
        }
        let n = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let got = self.inner.read(&mut buf[..n])?;
        self.left -= got as u64;
        Ok(got)
    }
}

/// Open an input file: a file, not a directory, a named pipe or a device
/// (`/dev/zero` would never end).
fn open_input(path: &Path) -> std::io::Result<std::fs::File> {
    // A named pipe is refused before it is opened: opening one that no
    // program writes to would wait for ever.
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if std::fs::metadata(path)?.file_type().is_fifo() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "is a named pipe, not a file"));
        }
    }
    let file = std::fs::File::open(path)?;
    let kind = file.metadata()?.file_type();
    if kind.is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "is a directory, not a file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_block_device() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "is a device, not a file"));
        }
    }
    Ok(file)
}

/// Read a whole text file of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> std::io::Result<String> {
    let mut text = String::new();
    Limited::new(open_input(path)?, limit).read_to_string(&mut text)?;
    Ok(text)
}

/// Open a file for streaming, failing once more than `limit` bytes are read.
pub fn open_limited(path: &Path, limit: u64) -> std::io::Result<Limited<std::fs::File>> {
    Ok(Limited::new(open_input(path)?, limit))
}

/// Bytes as text (`1.5 GiB`).
pub fn human_bytes(b: f64) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 { format!("{v:.0} {}", units[0]) } else { format!("{v:.1} {}", units[u]) }
}

/// Seconds as text (`2.5 hours`).
pub fn human_seconds(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} minutes", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} hours", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86_400.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limited_reader_stops_at_the_limit() {
        let data = [b'a'; 100];
        let mut s = String::new();
        assert!(Limited::new(&data[..], 100).read_to_string(&mut s).is_ok());
        let mut s = String::new();
        let e = Limited::new(&data[..], 99).read_to_string(&mut s).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    }
}
