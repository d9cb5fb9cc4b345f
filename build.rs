//! Records the git commit the binary is built from, when it is built from a
//! git checkout, as `SCHOOLSCAPE_GIT_COMMIT` (manifests write it). Reruns
//! only when HEAD moves; without git or a checkout it records nothing.

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let o = Command::new("git").args(args).output().ok()?;
    let s = String::from_utf8(o.stdout).ok()?.trim().to_string();
    (o.status.success() && !s.is_empty()).then_some(s)
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let Some(commit) = git(&["rev-parse", "HEAD"]) else { return };
    // Rerun when HEAD or the branch it points to moves.
    let branch = git(&["symbolic-ref", "-q", "HEAD"]);
    let files = [Some("HEAD".to_string()), branch, Some("packed-refs".to_string())];
    for f in files.iter().flatten() {
        if let Some(p) = git(&["rev-parse", "--git-path", f]) {
            if Path::new(&p).exists() {
                println!("cargo:rerun-if-changed={p}");
            }
        }
    }
    println!("cargo:rustc-env=SCHOOLSCAPE_GIT_COMMIT={commit}");
}
