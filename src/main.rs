//! The `schoolscape` command line. The library holds the model; this binary
//! owns the command line, the output files, the progress display, the
//! charts, maps and report.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
