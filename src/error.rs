//! Typed errors of the library. Every error that comes from user input says
//! where (file, line, column), which key, and what is allowed.

use std::fmt;
use std::path::PathBuf;

/// A place in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub file: PathBuf,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// One problem found in an input (a scenario, a sweep or a CSV file).
#[derive(Debug, Clone, PartialEq)]
pub struct InputProblem {
    /// Where it is, when known. When only the file is known, line and column are 0.
    pub location: Option<Location>,
    /// The key (dotted path) or CSV column concerned, if any.
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// What is allowed, if that can be said.
    pub allowed: String,
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(l) if l.line > 0 => write!(f, "{l}: ")?,
            Some(l) => write!(f, "{}: ", l.file.display())?,
            None => {}
        }
        if !self.key.is_empty() {
            write!(f, "`{}`: ", self.key)?;
        }
        write!(f, "{}", self.message)?;
        if !self.allowed.is_empty() {
            write!(f, " (allowed: {})", self.allowed)?;
        }
        Ok(())
    }
}

/// Errors of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// One or more problems in the user's input.
    #[error("{}", join_problems(.0))]
    Input(Vec<InputProblem>),
    /// A run was stopped before it finished.
    #[error("interrupted")]
    Interrupted,
}

fn join_problems(p: &[InputProblem]) -> String {
    p.iter().map(|x| x.to_string()).collect::<Vec<_>>().join("\n")
}

impl Error {
    /// One input problem.
    pub fn input(
        location: Option<Location>,
        key: impl Into<String>,
        message: impl Into<String>,
        allowed: impl Into<String>,
    ) -> Error {
        Error::Input(vec![InputProblem { location, key: key.into(), message: message.into(), allowed: allowed.into() }])
    }
}

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Line and column (from 1) of a byte offset in a text.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(offset, |p| offset - p - 1) + 1;
    (line, col)
}
