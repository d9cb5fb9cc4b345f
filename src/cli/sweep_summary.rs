//! `schoolscape sweep-summary DIR`: summarise a sweep from its written
//! results, so that it can be redone without rerunning anything.
//!
//! Writes into DIR:
//! - `points.csv`: one row per point with its parameter values;
//! - `final_year.csv`: per point and measure, the final-year mean across the
//!   point's replicates with a 95% interval;
//! - `sensitivity.csv`: per measure and varied parameter, the standardized
//!   rank regression coefficient (SRRC) of the final-year value over all
//!   finished runs, and the rank regression's R².
//!
//! It prints the headline measures' parameters ranked by |SRRC|. Charts of
//! the same final-year values (heatmaps over two parameters, lines over each,
//! the sensitivity ranking with these coefficients) are drawn by
//! `schoolscape plot DIR` (see `plot::sweep`).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use schoolscape::Result;
use schoolscape::measures::HEADLINE;
use schoolscape::stats::mean_ci;
use schoolscape::sweep::sensitivity::srrc;

use super::out;
use super::output::{field, num, write_atomic};
use super::sweep_dir::{self as dir};

/// Options of `schoolscape sweep-summary`.
#[derive(Debug, Args, Clone)]
pub struct SummaryArgs {
    /// A sweep directory (a finished sweep, or a merge of its shards).
    pub dir: PathBuf,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `schoolscape sweep-summary`.
pub fn summary(a: &SummaryArgs) -> Result<()> {
    let d = &a.dir;
    let manifest = dir::read_manifest(d)?;
    let years = manifest["settings"]["years"].as_u64().unwrap_or(0);
    let replicates = manifest["settings"]["replicates"].as_u64().unwrap_or(1).max(1) as usize;
    let plan = dir::read_plan(&d.join(dir::PLAN))?;
    let finished = dir::read_finals(d, plan.runs(), years, |_, _| true)?;
    let finals = &finished.values;

    // points.csv
    let mut t = String::from("point");
    for p in &plan.parameters {
        t.push(',');
        t.push_str(&field(p));
    }
    t.push('\n');
    for (i, vals) in plan.point_values.iter().enumerate() {
        t.push_str(&i.to_string());
        for v in vals {
            t.push(',');
            t.push_str(&field(v));
        }
        t.push('\n');
    }
    write_atomic(&d.join("points.csv"), &t)?;

    // final_year.csv
    let mut t = String::from("point,measure,subgroup,replicates,mean,ci95_low,ci95_high\n");
    for ((measure, subgroup), values) in finals {
        for (p, chunk) in values.chunks(replicates).enumerate() {
            let n = chunk.iter().filter(|x| !x.is_nan()).count();
            if n == 0 {
                continue;
            }
            let (m, h) = mean_ci(chunk);
            let _ = writeln!(t, "{p},{measure},{},{n},{},{},{}", field(subgroup), num(m), num(m - h), num(m + h));
        }
    }
    write_atomic(&d.join("final_year.csv"), &t)?;

    // sensitivity.csv
    let mut t = String::from("measure,subgroup,parameter,srrc,r_squared,runs\n");
    let mut headline = vec![String::new(); HEADLINE.len()];
    for ((measure, subgroup), values) in finals {
        let n = values.iter().filter(|x| !x.is_nan()).count();
        let s = srrc(&plan.numeric, values);
        for (j, p) in plan.parameters.iter().enumerate() {
            let _ = writeln!(
                t,
                "{measure},{},{},{},{},{n}",
                field(subgroup),
                field(p),
                num(s.coefficients[j]),
                num(s.r_squared)
            );
        }
        if let Some(h) = HEADLINE.iter().position(|(m, g, _)| m == measure && g == subgroup) {
            let mut ranked: Vec<(usize, f64)> =
                s.coefficients.iter().copied().enumerate().filter(|(_, c)| !c.is_nan()).collect();
            ranked.sort_by(|x, y| y.1.abs().total_cmp(&x.1.abs()));
            let text = &mut headline[h];
            let _ = writeln!(text, "{} (R² = {:.2}, {n} runs)", HEADLINE[h].2, s.r_squared);
            for (j, c) in ranked {
                let _ = writeln!(text, "  {:>+7.3}  {}", c, plan.parameters[j]);
            }
        }
    }
    write_atomic(&d.join("sensitivity.csv"), &t)?;

    if !a.quiet {
        out(&format!(
            "Final year ({years}) of {} finished runs at {} points.\n\
             Parameters ranked by influence (standardized rank regression coefficients):\n{headline}\n\
             Wrote {}: points.csv, final_year.csv, sensitivity.csv\n",
            finished.finished,
            plan.point_values.len(),
            d.display(),
            headline = headline.concat(),
        ));
    }
    Ok(())
}
