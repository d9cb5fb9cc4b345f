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

/// What kind of problem an input has, for a program that acts on it (the
/// message says it to a person).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ProblemKind {
    /// A value that is not allowed: out of range, inconsistent with another,
    /// missing, or an unknown choice.
    #[default]
    Invalid,
    /// The text is not valid TOML.
    Syntax,
    /// A key the format does not have.
    UnknownKey,
    /// A value of the wrong type.
    WrongType,
    /// A parameter path (of a sweep or `--set`) that names no single parameter.
    NoSuchParameter,
    /// A parameter path that names something a sweep cannot vary.
    NotVariable,
}

/// One problem found in an input (a scenario, a sweep or a CSV file).
#[derive(Debug, Clone, PartialEq)]
pub struct InputProblem {
    /// What kind of problem it is.
    pub kind: ProblemKind,
    /// Where it is, when known. When only the file is known, line and column are 0.
    pub location: Option<Location>,
    /// The key (dotted path) or CSV column concerned, if any.
    pub key: String,
    /// What is wrong.
    pub message: String,
    /// What is allowed, if that can be said.
    pub allowed: String,
}

impl InputProblem {
    /// A problem of kind [`ProblemKind::Invalid`], without a location.
    pub fn new(key: impl Into<String>, message: impl Into<String>, allowed: impl Into<String>) -> InputProblem {
        InputProblem {
            kind: ProblemKind::Invalid,
            location: None,
            key: key.into(),
            message: message.into(),
            allowed: allowed.into(),
        }
    }

    /// The same problem, of another kind.
    pub fn of_kind(mut self, kind: ProblemKind) -> InputProblem {
        self.kind = kind;
        self
    }
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
        Error::Input(vec![InputProblem { location, ..InputProblem::new(key, message, allowed) }])
    }

    /// Add a note to every input problem found in another file than `file`
    /// (say, a CSV file or a parent scenario), naming the file that led there.
    pub fn noting(self, file: &std::path::Path, note: &str) -> Error {
        match self {
            Error::Input(mut problems) => {
                for p in &mut problems {
                    if p.location.as_ref().is_none_or(|l| l.file != file) {
                        p.message = format!("{} ({note})", p.message);
                    }
                }
                Error::Input(problems)
            }
            other => other,
        }
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
