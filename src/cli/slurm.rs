//! `schoolscape slurm SWEEP.toml --out DIR --tasks N`: write the scripts that
//! run a sweep on a Slurm cluster: a job array of N tasks, each running one
//! shard into `DIR/shard-K` (resuming it if the task is requeued), a merge
//! job that waits for the whole array (`--dependency=afterok:`), merges,
//! summarises and draws the charts (a drawing failure only warns), and
//! `submit.sh`, which submits both.

use std::path::{Path, PathBuf};

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
    /// Slurm partition (default: the cluster's default).
    #[arg(long)]
    pub partition: Option<String>,
    /// Time limit of each task, in a form sbatch accepts, such as 2:00:00 (default: the partition's).
    #[arg(long)]
    pub time: Option<String>,
    /// CPUs per task: worker threads of each shard.
    #[arg(long, default_value_t = 4)]
    pub cpus: u32,
    /// Memory per task, in a form sbatch accepts, such as 4G (default: the partition's).
    #[arg(long)]
    pub mem: Option<String>,
}

/// A path as an absolute, shell-quoted string.
fn abs(p: &Path) -> Result<String> {
    let a = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map_err(|source| Error::Io { path: p.to_path_buf(), source })?.join(p)
    };
    Ok(quote(&a.to_string_lossy()))
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
fn directive(key: &str, v: &str) -> Result<String> {
    if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c == '#' || c.is_control()) {
        return Err(Error::input(
            None,
            format!("--{key}"),
            format!("{v:?} cannot be passed to sbatch"),
            "a value without spaces",
        ));
    }
    Ok(format!("#SBATCH --{key}={v}\n"))
}

/// `schoolscape slurm`.
pub fn slurm(a: &SlurmArgs) -> Result<()> {
    if a.tasks == 0 || a.tasks > 100_000 {
        return Err(Error::input(None, "--tasks", format!("{} tasks", a.tasks), "1 to 100000 array tasks"));
    }
    if a.cpus == 0 || a.cpus > 4096 {
        return Err(Error::input(None, "--cpus", format!("{} CPUs", a.cpus), "1 to 4096 CPUs per task"));
    }
    // Plan now, so that a bad sweep file fails here and not on the cluster.
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
    std::fs::create_dir_all(a.out.join("logs")).map_err(|source| Error::Io { path: a.out.clone(), source })?;
    let exe = std::env::current_exe().map_err(|source| Error::Io { path: PathBuf::from("schoolscape"), source })?;
    let exe = quote(&exe.to_string_lossy());
    let sweep = abs(&a.sweep)?;
    let outdir = abs(&a.out)?;
    let name = l.plan.name.chars().filter(|c| c.is_ascii_alphanumeric() || "_-".contains(*c)).collect::<String>();

    let mut common = String::new();
    if let Some(p) = &a.partition {
        common.push_str(&directive("partition", p)?);
    }
    let mut array = format!(
        "#!/bin/bash\n\
         # Sweep `{name}` as a Slurm job array: task K (from 0) runs shard K+1 of {n}\n\
         # into {outdir}/shard-(K+1), resuming it if the task is requeued.\n\
         # Written by `schoolscape slurm`; submit with submit.sh beside it.\n\
         #SBATCH --job-name=schoolscape-{name}\n\
         #SBATCH --array=0-{last}\n\
         #SBATCH --cpus-per-task={cpus}\n\
         #SBATCH --output={outdir}/logs/shard-%a.out\n",
        last = n - 1,
        cpus = a.cpus,
    );
    array.push_str(&common);
    if let Some(t) = &a.time {
        array.push_str(&directive("time", t)?);
    }
    if let Some(m) = &a.mem {
        array.push_str(&directive("mem", m)?);
    }
    array.push_str(&format!(
        "set -euo pipefail\n\
         SCHOOLSCAPE=${{SCHOOLSCAPE:-{exe}}}\n\
         K=$((SLURM_ARRAY_TASK_ID + 1))\n\
         # One worker thread per CPU Slurm gave the task.\n\
         export RAYON_NUM_THREADS=${{SLURM_CPUS_PER_TASK:-1}}\n\
         exec \"$SCHOOLSCAPE\" sweep {sweep} --out {outdir}/shard-$K --shard $K/{n} --threads \"$RAYON_NUM_THREADS\" --resume --quiet\n"
    ));

    let mut merge = format!(
        "#!/bin/bash\n\
         # Merge the {n} shards of sweep `{name}` into {outdir}/merged once the array has succeeded.\n\
         #SBATCH --job-name=schoolscape-{name}-merge\n\
         #SBATCH --cpus-per-task=1\n\
         #SBATCH --output={outdir}/logs/merge.out\n"
    );
    merge.push_str(&common);
    merge.push_str(&format!(
        "set -euo pipefail\n\
         SCHOOLSCAPE=${{SCHOOLSCAPE:-{exe}}}\n\
         shards=()\n\
         for k in $(seq 1 {n}); do shards+=({outdir}/shard-$k); done\n\
         \"$SCHOOLSCAPE\" merge \"${{shards[@]}}\" --out {outdir}/merged\n\
         \"$SCHOOLSCAPE\" sweep-summary {outdir}/merged\n\
         # The merged data are complete: a failure to draw is only a warning.\n\
         \"$SCHOOLSCAPE\" plot {outdir}/merged \\\n  \
         || echo \"warning: could not draw the charts; redraw with: schoolscape plot {outdir}/merged\" >&2\n"
    ));

    let submit = format!(
        "#!/bin/bash\n\
         # Submit the sweep's job array, then the merge job that runs after every task succeeded.\n\
         set -euo pipefail\n\
         array=$(sbatch --parsable {outdir}/sweep.sbatch)\n\
         array=${{array%%;*}}\n\
         merge=$(sbatch --parsable --dependency=afterok:$array {outdir}/merge.sbatch)\n\
         merge=${{merge%%;*}}\n\
         echo \"submitted job array $array ({n} tasks) and merge job $merge\"\n\
         echo \"the merged result will be in {outdir}/merged\"\n"
    );
    for (file, text) in [("sweep.sbatch", &array), ("merge.sbatch", &merge), ("submit.sh", &submit)] {
        let p = a.out.join(file);
        write_atomic(&p, text)?;
        set_executable(&p)?;
    }
    out(&format!(
        "Planned {} runs of sweep `{}` as {n} array tasks of {} CPU{} each.\n\
         Wrote {d}/sweep.sbatch, {d}/merge.sbatch and {d}/submit.sh.\n\
         Submit on the cluster with:\n  bash {d}/submit.sh\n\
         or by hand:\n  sbatch --parsable {d}/sweep.sbatch      # prints the array's job id\n  \
         sbatch --dependency=afterok:JOBID {d}/merge.sbatch\n",
        l.plan.len(),
        l.plan.name,
        a.cpus,
        if a.cpus == 1 { "" } else { "s" },
        d = a.out.display()
    ));
    Ok(())
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
        assert!(directive("time", "1:00:00").is_ok());
        assert!(directive("partition", "a b").is_err());
    }
}
