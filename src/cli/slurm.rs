//! `schoolscape slurm SWEEP.toml --out DIR --tasks N`: write the scripts that
//! run a sweep on a Slurm cluster: a job array of N tasks numbered from 1,
//! task K running shard K into `DIR/shard-K` (resuming it if the task is
//! requeued), a merge job that waits for the whole array
//! (`--dependency=afterok:`), merges, summarises and draws the charts (a
//! drawing failure only warns), and `submit.sh`, which submits both.
//!
//! The scripts travel: every path in them is relative to a root directory
//! (`--root`, by default the current one), and `submit.sh` finds that root
//! from its own location when it runs, so the tree can be copied to a
//! cluster and submitted from anywhere.

use std::path::{Component, Path, PathBuf};

use clap::Args;
use schoolscape::{Error, Result};

use super::out;
use super::output::write_atomic;
use super::sweep::load;

/// Options of `schoolscape slurm`.
#[derive(Debug, Args, Clone)]
pub struct SlurmArgs {
    /// The sweep file (TOML).
    pub sweep: PathBuf,
    /// Directory for the scripts, logs, shard results and the merged result.
    #[arg(long)]
    pub out: PathBuf,
    /// Array tasks: the number of shards.
    #[arg(long)]
    pub tasks: u32,
    /// The directory the scripts' paths are relative to, where jobs start
    /// (default: the current directory); it must hold the sweep file and DIR.
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// The schoolscape command on the cluster (default: this binary's path
    /// relative to the root if it lies under it, else `schoolscape` on the
    /// PATH); `SCHOOLSCAPE=...` at submit time overrides it.
    #[arg(long)]
    pub exe: Option<String>,
    /// Slurm account to charge (default: the user's default).
    #[arg(long)]
    pub account: Option<String>,
    /// Slurm partition (default: the cluster's default).
    #[arg(long)]
    pub partition: Option<String>,
    /// Slurm quality of service (default: the cluster's default).
    #[arg(long)]
    pub qos: Option<String>,
    /// Time limit of each task: MINUTES, [HOURS:]MINUTES:SECONDS or
    /// DAYS-HOURS[:MINUTES[:SECONDS]], such as 2:00:00 (default: the partition's).
    #[arg(long)]
    pub time: Option<String>,
    /// Time limit of the merge job, in the same forms as --time.
    #[arg(long, default_value = "1:00:00")]
    pub merge_time: String,
    /// CPUs per task: worker threads of each shard.
    #[arg(long, default_value_t = 4)]
    pub cpus: u32,
    /// Memory per task: a whole number with an optional unit K, M, G or T,
    /// such as 4G (default: the partition's).
    #[arg(long)]
    pub mem: Option<String>,
    /// An extra `#SBATCH` option for both jobs, such as `--constraint=haswell` (repeat for more).
    #[arg(long = "sbatch", value_name = "OPTION", allow_hyphen_values = true)]
    pub extra: Vec<String>,
    /// A shell file whose lines both jobs run first, such as `module load` lines.
    #[arg(long, value_name = "FILE")]
    pub prelude: Option<PathBuf>,
}

/// Quote for a POSIX shell.
fn quote(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:=@%,".contains(c)) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A value safe on an `#SBATCH` line.
fn plain(key: &str, v: &str) -> Result<()> {
    if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c == '#' || c.is_control()) {
        return Err(Error::input(
            None,
            format!("--{key}"),
            format!("{v:?} cannot be passed to sbatch"),
            "a value without spaces",
        ));
    }
    Ok(())
}

/// An `#SBATCH --key=value` line.
fn directive(key: &str, v: &str) -> Result<String> {
    plain(key, v)?;
    Ok(format!("#SBATCH --{key}={v}\n"))
}

/// Whether `v` is a time limit sbatch accepts: `M`, `M:S`, `H:M:S`, `D-H`,
/// `D-H:M` or `D-H:M:S`, every part a number.
pub fn valid_time(v: &str) -> bool {
    let num = |s: &str| !s.is_empty() && s.len() <= 6 && s.chars().all(|c| c.is_ascii_digit());
    let (days, rest) = match v.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, v),
    };
    let parts: Vec<&str> = rest.split(':').collect();
    if !parts.iter().all(|p| num(p)) || days.is_some_and(|d| !num(d)) {
        return false;
    }
    (1..=3).contains(&parts.len())
}

/// Whether `v` is a memory size sbatch accepts: a whole number, optionally
/// followed by K, M, G or T.
pub fn valid_mem(v: &str) -> bool {
    let digits = v.trim_end_matches(['K', 'M', 'G', 'T', 'k', 'm', 'g', 't']);
    v.len() - digits.len() <= 1
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits.parse::<u64>().is_ok_and(|n| n > 0)
}

fn checked_time(key: &str, v: &str) -> Result<String> {
    if !valid_time(v) {
        return Err(Error::input(
            None,
            format!("--{key}"),
            format!("`{v}` is not a time limit sbatch accepts"),
            "MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS or DAYS-HOURS[:MINUTES[:SECONDS]], such as 2:00:00",
        ));
    }
    directive("time", v)
}

/// `path` made absolute against the current directory, with `.` and `..` resolved lexically.
fn absolute(p: &Path) -> Result<PathBuf> {
    let base = std::env::current_dir().map_err(|source| Error::Io { path: p.to_path_buf(), source })?;
    let mut out = PathBuf::new();
    for c in base.join(p).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            c => out.push(c),
        }
    }
    Ok(out)
}

/// `to` relative to `from` (both absolute and normalised), with `..` as needed.
pub fn relative(from: &Path, to: &Path) -> PathBuf {
    let (f, t): (Vec<Component>, Vec<Component>) = (from.components().collect(), to.components().collect());
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut rel = PathBuf::new();
    for _ in common..f.len() {
        rel.push("..");
    }
    for c in &t[common..] {
        rel.push(c);
    }
    if rel.as_os_str().is_empty() { PathBuf::from(".") } else { rel }
}

fn shell_path(p: &Path) -> String {
    quote(&p.to_string_lossy())
}

/// `schoolscape slurm`.
pub fn slurm(a: &SlurmArgs) -> Result<()> {
    // Every option is checked, and the sweep planned, before anything is written.
    let o = Directives::check(a)?;
    let l = load(&a.sweep)?;
    let n = a.tasks;
    if n as u64 > l.plan.len() {
        return Err(Error::input(
            None,
            "--tasks",
            format!("{n} tasks for {} runs would leave tasks with nothing to do", l.plan.len()),
            format!("at most {} tasks", l.plan.len()),
        ));
    }
    let p = Paths::of(a)?;
    let name = l.plan.name.chars().filter(|c| c.is_ascii_alphanumeric() || "_-".contains(*c)).collect::<String>();
    std::fs::create_dir_all(a.out.join("logs")).map_err(|source| Error::Io { path: a.out.clone(), source })?;
    let scripts = Scripts { name: &name, tasks: n, cpus: a.cpus, directives: &o, paths: &p };
    for (file, text) in
        [("sweep.sbatch", scripts.array()), ("merge.sbatch", scripts.merge()), ("submit.sh", scripts.submit())]
    {
        let path = a.out.join(file);
        write_atomic(&path, &text)?;
        set_executable(&path)?;
    }
    out(&format!(
        "Planned {} runs of sweep `{}` as {n} array tasks of {} CPU{} each.\n\
         Wrote {d}/sweep.sbatch, {d}/merge.sbatch and {d}/submit.sh, with paths relative to {r}.\n\
         Submit on the cluster (from any directory) with:\n  bash {d}/submit.sh\n\
         or by hand, from {r}:\n  sbatch --parsable {o}/sweep.sbatch      # prints the array's job id\n  \
         sbatch --dependency=afterok:JOBID {o}/merge.sbatch\n",
        l.plan.len(),
        l.plan.name,
        a.cpus,
        if a.cpus == 1 { "" } else { "s" },
        d = a.out.display(),
        r = p.root.display(),
        o = p.outdir_rel.display(),
    ));
    Ok(())
}

/// The checked options as lines of the scripts.
struct Directives {
    /// `#SBATCH` lines of both jobs (account, partition, qos, `--sbatch`).
    common: String,
    /// The array tasks' time limit, if given.
    task_time: Option<String>,
    /// The merge job's time limit.
    merge_time: String,
    /// The array tasks' memory, if given.
    mem: Option<String>,
    /// Lines run before each job (`--prelude`).
    prelude: String,
}

impl Directives {
    /// Check every option that becomes a line of a script.
    fn check(a: &SlurmArgs) -> Result<Directives> {
        if a.tasks == 0 || a.tasks > 100_000 {
            return Err(Error::input(None, "--tasks", format!("{} tasks", a.tasks), "1 to 100000 array tasks"));
        }
        if a.cpus == 0 || a.cpus > 4096 {
            return Err(Error::input(None, "--cpus", format!("{} CPUs", a.cpus), "1 to 4096 CPUs per task"));
        }
        let mut common = String::new();
        for (key, v) in [("account", &a.account), ("partition", &a.partition), ("qos", &a.qos)] {
            if let Some(v) = v {
                common.push_str(&directive(key, v)?);
            }
        }
        for x in &a.extra {
            let body = x.trim().strip_prefix("#SBATCH").map_or(x.trim(), str::trim);
            if !body.starts_with('-') || body.contains(['\n', '\r']) {
                return Err(Error::input(
                    None,
                    "--sbatch",
                    format!("`{x}` is not an sbatch option"),
                    "an option as sbatch takes it, such as --constraint=haswell or --gres=gpu:1",
                ));
            }
            common.push_str(&format!("#SBATCH {body}\n"));
        }
        let task_time = a.time.as_deref().map(|t| checked_time("time", t)).transpose()?;
        let merge_time = checked_time("merge-time", &a.merge_time)?;
        let mem = match &a.mem {
            Some(m) if !valid_mem(m) => {
                return Err(Error::input(
                    None,
                    "--mem",
                    format!("`{m}` is not a memory size sbatch accepts"),
                    "a whole number with an optional unit K, M, G or T, such as 4G or 16000M",
                ));
            }
            Some(m) => Some(directive("mem", m)?),
            None => None,
        };
        let prelude = match &a.prelude {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| Error::Io { path: p.clone(), source })?;
                format!("# From {}:\n{}\n", p.display(), text.trim_end())
            }
            None => String::new(),
        };
        Ok(Directives { common, task_time, merge_time, mem, prelude })
    }
}

/// Where things are, relative to the root the jobs start in.
struct Paths {
    root: PathBuf,
    /// The sweep file, quoted for the shell.
    sweep: String,
    outdir_rel: PathBuf,
    /// The output directory, quoted for the shell.
    outdir: String,
    /// The way back from the output directory to the root, quoted for the shell.
    back: String,
    /// The schoolscape command, quoted for the shell.
    exe: String,
}

impl Paths {
    fn of(a: &SlurmArgs) -> Result<Paths> {
        let root = absolute(a.root.as_deref().unwrap_or(Path::new(".")))?;
        if !root.is_dir() {
            return Err(Error::input(
                None,
                "--root",
                format!("{} is not a directory", root.display()),
                "the directory the scripts' paths are relative to",
            ));
        }
        let out_abs = absolute(&a.out)?;
        let sweep = shell_path(&relative(&root, &absolute(&a.sweep)?));
        let outdir_rel = relative(&root, &out_abs);
        let outdir = shell_path(&outdir_rel);
        let back = shell_path(&relative(&out_abs, &root));
        let exe = match &a.exe {
            Some(e) => quote(e),
            None => std::env::current_exe()
                .ok()
                .and_then(|e| absolute(&e).ok())
                .filter(|e| e.starts_with(&root))
                .map_or_else(|| "schoolscape".to_string(), |e| shell_path(&relative(&root, &e))),
        };
        Ok(Paths { root, sweep, outdir_rel, outdir, back, exe })
    }
}

/// The three scripts of a sweep on Slurm.
struct Scripts<'a> {
    name: &'a str,
    tasks: u32,
    cpus: u32,
    directives: &'a Directives,
    paths: &'a Paths,
}

impl Scripts<'_> {
    /// How a job's script starts: strict shell, the prelude, the command, a log line.
    fn start(&self, what: &str) -> String {
        let (prelude, exe) = (&self.directives.prelude, &self.paths.exe);
        format!(
            "set -euo pipefail\n\
             {prelude}\
             SCHOOLSCAPE=${{SCHOOLSCAPE:-{exe}}}\n\
             echo \"$(date '+%F %T') {what} on $(hostname) in $PWD with $(\"$SCHOOLSCAPE\" --version)\"\n"
        )
    }

    /// The job array: task K runs shard K.
    fn array(&self) -> String {
        let (name, n, o) = (self.name, self.tasks, self.directives);
        let (sweep, outdir) = (&self.paths.sweep, &self.paths.outdir);
        let mut array = format!(
            "#!/bin/bash\n\
             # Sweep `{name}` as a Slurm job array: task K (1 to {n}) runs shard K of {n}\n\
             # into {outdir}/shard-K, resuming it if the task is requeued.\n\
             # Written by `schoolscape slurm`. Paths are relative to the root directory,\n\
             # where submit.sh starts the jobs (sbatch --chdir); submit with submit.sh.\n\
             #SBATCH --job-name=schoolscape-{name}\n\
             #SBATCH --array=1-{n}\n\
             #SBATCH --cpus-per-task={cpus}\n\
             #SBATCH --output={outdir}/logs/shard-%a.out\n",
            cpus = self.cpus,
        );
        array.push_str(&o.common);
        array.push_str(o.task_time.as_deref().unwrap_or(""));
        array.push_str(o.mem.as_deref().unwrap_or(""));
        array.push_str(&self.start(&format!("shard $SLURM_ARRAY_TASK_ID of {n} started")));
        array.push_str(&format!(
            "K=$SLURM_ARRAY_TASK_ID\n\
             # One worker thread per CPU Slurm gave the task.\n\
             export RAYON_NUM_THREADS=${{SLURM_CPUS_PER_TASK:-1}}\n\
             \"$SCHOOLSCAPE\" sweep {sweep} --out {outdir}/shard-$K --shard $K/{n} --threads \"$RAYON_NUM_THREADS\" --resume --no-plots\n\
             echo \"$(date '+%F %T') shard $K of {n} finished\"\n"
        ));
        array
    }

    /// The merge job: merge, summarise, draw.
    fn merge(&self) -> String {
        let (name, n, o) = (self.name, self.tasks, self.directives);
        let outdir = &self.paths.outdir;
        let mut merge = format!(
            "#!/bin/bash\n\
             # Merge the {n} shards of sweep `{name}` into {outdir}/merged once the array has succeeded.\n\
             # Paths are relative to the root directory, where submit.sh starts the job.\n\
             #SBATCH --job-name=schoolscape-{name}-merge\n\
             #SBATCH --cpus-per-task=1\n\
             #SBATCH --output={outdir}/logs/merge.out\n"
        );
        merge.push_str(&o.common);
        merge.push_str(&o.merge_time);
        merge.push_str(&self.start("merge started"));
        merge.push_str(&format!(
            "shards=()\n\
             for k in $(seq 1 {n}); do shards+=({outdir}/shard-$k); done\n\
             \"$SCHOOLSCAPE\" merge \"${{shards[@]}}\" --out {outdir}/merged\n\
             \"$SCHOOLSCAPE\" sweep-summary {outdir}/merged\n\
             # The merged data are complete: a failure to draw is only a warning.\n\
             \"$SCHOOLSCAPE\" plot {outdir}/merged \\\n  \
             || echo \"warning: could not draw the charts; redraw with: schoolscape plot {outdir}/merged\" >&2\n\
             echo \"$(date '+%F %T') merge finished\"\n"
        ));
        merge
    }

    /// `submit.sh`: the array, then the merge after it.
    fn submit(&self) -> String {
        let (n, back) = (self.tasks, &self.paths.back);
        format!(
            "#!/bin/bash\n\
             # Submit the sweep's job array, then the merge job that runs after every task succeeded.\n\
             # Run it from anywhere: the root is found from this file's place ({back} from it),\n\
             # and the jobs start there. SCHOOLSCAPE=/path/to/schoolscape overrides the command.\n\
             set -euo pipefail\n\
             here=$(cd \"$(dirname \"${{BASH_SOURCE[0]}}\")\" && pwd)\n\
             root=$(cd \"$here\"/{back} && pwd)\n\
             array=$(sbatch --parsable --chdir=\"$root\" \"$here\"/sweep.sbatch)\n\
             array=${{array%%;*}}\n\
             merge=$(sbatch --parsable --chdir=\"$root\" --dependency=afterok:$array \"$here\"/merge.sbatch)\n\
             merge=${{merge%%;*}}\n\
             echo \"submitted job array $array ({n} tasks) and merge job $merge\"\n\
             echo \"logs: $here/logs; the merged result will be in $here/merged\"\n"
        )
    }
}

#[cfg(unix)]
fn set_executable(p: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755))
        .map_err(|source| Error::Io { path: p.to_path_buf(), source })
}

#[cfg(not(unix))]
fn set_executable(_p: &Path) -> Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_plain_paths_and_quotes_the_rest() {
        assert_eq!(quote("/a/b-c_d.toml"), "/a/b-c_d.toml");
        assert_eq!(quote("/a b/it's"), "'/a b/it'\\''s'");
        assert!(directive("partition", "debug").is_ok());
        assert!(directive("partition", "a b").is_err());
    }

    #[test]
    fn times_and_memory_are_checked_as_sbatch_reads_them() {
        for ok in ["30", "30:00", "2:00:00", "1-0", "1-12:00", "7-00:00:00"] {
            assert!(valid_time(ok), "{ok}");
        }
        for bad in ["", "2h", "1:2:3:4", "-1", "1-", "one", "1:00 ", "1--2"] {
            assert!(!valid_time(bad), "{bad}");
        }
        for ok in ["4G", "16000M", "512", "2t"] {
            assert!(valid_mem(ok), "{ok}");
        }
        for bad in ["lots", "4GB", "G", "0", "-4G", "4.5G", ""] {
            assert!(!valid_mem(bad), "{bad}");
        }
    }

    #[test]
    fn relative_paths_climb_and_descend() {
        let r = |a: &str, b: &str| relative(Path::new(a), Path::new(b)).to_string_lossy().into_owned();
        assert_eq!(r("/p", "/p/results/sw"), "results/sw");
        assert_eq!(r("/p/results/sw", "/p"), "../..");
        assert_eq!(r("/p/a", "/p/b/c.toml"), "../b/c.toml");
        assert_eq!(r("/p", "/p"), ".");
    }
}
