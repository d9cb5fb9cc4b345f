//! The charts, maps and report through the binary: `compare`, `run
//! --no-plots`, `plot DIR`, and a plotting failure that keeps the data; and
//! the charts of sweeps (a grid and a Latin hypercube), drawn by `sweep` and
//! by `plot DIR`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_schoolscape");
const SMALL: [&str; 6] = ["--scale", "0.2", "--years", "3", "--replicates", "2"];
const DATA: [&str; 7] = [
    "metrics.csv",
    "runs.csv",
    "schools.csv",
    "school_sites.csv",
    "neighbourhoods.csv",
    "scenario.toml",
    "manifest.json",
];
const TRENDS: [&str; 5] = ["school_gorard", "gap_index", "attainment_mean", "ses_gradient", "between_school_variance"];

fn run(args: &[&str]) -> Output {
    let out = Command::new(BIN).args(args).output().expect("the binary runs");
    assert!(out.status.success(), "schoolscape {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    out
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

/// Chart stems drawn for these scenarios over `years`.
fn expected_charts(scenarios: &[&str], map_year: u32) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    if scenarios.len() > 1 {
        v.push("differences-final-year".into());
        v.push("differences-over-time".into());
    }
    v.extend(TRENDS.iter().map(|m| format!("trend-{m}")));
    v.push("final-year".into());
    v.push("excellence-equity".into());
    for s in scenarios {
        v.push(format!("map-{s}-year-{map_year}"));
        v.push(format!("map-{s}-first-last"));
    }
    v
}

/// Every chart exists as SVG with text and shapes, and as a PNG that is not one flat colour.
fn check_charts(dir: &Path, stems: &[String]) {
    let charts = dir.join("charts");
    let svgs = std::fs::read_dir(&charts).unwrap().filter(|e| e.as_ref().unwrap().path().extension().unwrap() == "svg");
    assert_eq!(svgs.count(), stems.len(), "unexpected charts in {}", charts.display());
    for stem in stems {
        let svg = std::fs::read_to_string(charts.join(format!("{stem}.svg"))).unwrap();
        assert!(svg.matches("<text").count() >= 5, "{stem}.svg has almost no text");
        assert!(svg.contains("<circle") || svg.contains("<polyline"), "{stem}.svg draws nothing");
        let decoder = png::Decoder::new(std::io::BufReader::new(
            std::fs::File::open(charts.join(format!("{stem}.png"))).unwrap(),
        ));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        let px = &buf[..info.buffer_size()];
        let n = info.color_type.samples();
        let first = &px[..n];
        let differing = px.chunks(n).filter(|p| p != &first).count();
        assert!(differing > px.len() / n / 50, "{stem}.png is nearly blank");
    }
}

/// The report inlines every chart once, as SVG.
fn check_report(dir: &Path, stems: &[String]) -> String {
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    for stem in stems {
        let at = html
            .find(&format!("<figure class=\"chart\" id=\"chart-{stem}\"><svg"))
            .unwrap_or_else(|| panic!("report lacks {stem}"));
        let end = html[at..].find("</svg>").unwrap();
        assert!(html[at..at + end].contains("<text"), "{stem} is empty in the report");
    }
    assert_eq!(html.matches("<svg").count(), stems.len());
    // Self-contained: nothing fetched, no scripts.
    for bad in ["src=\"http", "href=\"http", "<script", "<link", "@import"] {
        assert!(!html.contains(bad), "the report has {bad}");
    }
    html
}

/// `(mean, low, high)` of each row of `differences.csv`, in file order, with its year.
fn difference_rows(csv: &str) -> Vec<(u32, [f64; 3])> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[4].parse().unwrap(), [f[6].parse().unwrap(), f[7].parse().unwrap(), f[8].parse().unwrap()])
        })
        .collect()
}

/// An SVG's `<text>` elements: (attributes, text).
fn svg_texts(svg: &str) -> Vec<(String, String)> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (tag, rest) = t.split_once('>')?;
            Some((tag.to_string(), rest.split('<').next()?.trim().to_string()))
        })
        .collect()
}

/// An attribute of an SVG tag.
fn attr(tag: &str, name: &str) -> String {
    tag.split_once(&format!(" {name}=\"")).and_then(|(_, r)| r.split('"').next()).unwrap_or("").to_string()
}

/// A polyline of an SVG: stroke, stroke width, points.
type Polyline = (String, String, Vec<(f64, f64)>);

/// An SVG's polylines.
fn polylines(svg: &str) -> Vec<Polyline> {
    svg.split("<polyline")
        .skip(1)
        .map(|t| {
            let tag = t.split('>').next().unwrap();
            let pts = attr(tag, "points")
                .split_whitespace()
                .map(|p| {
                    let (x, y) = p.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect();
            (attr(tag, "stroke"), attr(tag, "stroke-width"), pts)
        })
        .collect()
}

/// The headline charts of a comparison show the values of `differences.csv`:
/// the final-year chart writes each difference and its interval, and the
/// over-time chart draws each year's mean where its axis puts that value.
fn check_difference_charts(dir: &Path, csv: &str) {
    let rows = difference_rows(csv);
    let last: Vec<[f64; 3]> = rows.iter().filter(|r| r.0 == 3).map(|r| r.1).collect();
    assert_eq!(last.len(), TRENDS.len());
    let svg = std::fs::read_to_string(dir.join("charts/differences-final-year.svg")).unwrap();
    let labels: Vec<Vec<f64>> = svg_texts(&svg)
        .into_iter()
        .filter(|(_, t)| t.contains(" ["))
        .map(|(_, t)| t.replace(['[', ']', ','], " ").split_whitespace().map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(labels.len(), TRENDS.len(), "one label per measure: {labels:?}");
    for (shown, want) in labels.iter().zip(&last) {
        for (s, w) in shown.iter().zip(want) {
            assert!((s - w).abs() <= 0.0005 + 1e-12, "the chart shows {shown:?}, differences.csv has {want:?}");
        }
    }

    // Over time: catchment's line in each panel, read back through its panel's tick labels.
    let svg = std::fs::read_to_string(dir.join("charts/differences-over-time.svg")).unwrap();
    let lines = polylines(&svg);
    let series: Vec<&Vec<(f64, f64)>> =
        lines.iter().filter(|l| l.0 == "#D55E00" && l.1 == "3" && l.2.len() == 3).map(|l| &l.2).collect();
    assert_eq!(series.len(), TRENDS.len(), "a line per measure");
    let ticks: Vec<(f64, f64, f64)> = svg_texts(&svg)
        .into_iter()
        .filter(|(tag, _)| attr(tag, "text-anchor") == "end")
        .filter_map(|(tag, t)| Some((attr(&tag, "x").parse().ok()?, attr(&tag, "y").parse().ok()?, t.parse().ok()?)))
        .collect();
    for (k, pts) in series.iter().enumerate() {
        let left = pts[0].0;
        // The panel's vertical axis: a black line at the series' left edge spanning its points.
        let axis = lines
            .iter()
            .find(|l| {
                let near = |x: f64| (left - 3.0..=left).contains(&x);
                l.0 == "#000000" && l.2.len() == 2 && near(l.2[0].0) && l.2[0].0 == l.2[1].0 && {
                    let (a, b) = (l.2[0].1.min(l.2[1].1), l.2[0].1.max(l.2[1].1));
                    pts.iter().all(|p| p.1 >= a && p.1 <= b)
                }
            })
            .unwrap_or_else(|| panic!("no axis for panel {k}"));
        let (a, b) = (axis.2[0].1.min(axis.2[1].1), axis.2[0].1.max(axis.2[1].1));
        let mine: Vec<&(f64, f64, f64)> =
            ticks.iter().filter(|t| t.0 < left && t.0 > left - 20.0 && t.1 >= a && t.1 <= b).collect();
        assert!(mine.len() >= 3, "panel {k} has too few ticks: {mine:?}");
        let (lo, hi) = (mine.first().unwrap(), mine.last().unwrap());
        let per_px = (hi.2 - lo.2) / (hi.1 - lo.1);
        let value = |y: f64| lo.2 + (y - lo.1) * per_px;
        let want: Vec<f64> = rows[k * 3..k * 3 + 3].iter().map(|r| r.1[0]).collect();
        for (p, w) in pts.iter().zip(&want) {
            assert!((value(p.1) - w).abs() <= per_px.abs() * 1.5, "panel {k}: drawn at {}, csv {w}", value(p.1));
        }
    }
}

/// Maps of one comparison share their colour scales: the same colour-bar ticks.
fn check_shared_map_scales(dir: &Path, scenarios: &[&str], year: u32) {
    let bars = |s: &str| -> Vec<String> {
        let svg = std::fs::read_to_string(dir.join(format!("charts/map-{s}-year-{year}.svg"))).unwrap();
        let texts: Vec<String> = svg_texts(&svg).into_iter().map(|t| t.1).collect();
        // The legend: the texts after the effectiveness label, up to the roll sizes.
        let at = texts.iter().position(|t| t.starts_with("Neighbourhood: share")).unwrap();
        texts[at..].iter().filter(|t| t.contains('.') && t.parse::<f64>().is_ok()).cloned().collect()
    };
    let first = bars(scenarios[0]);
    assert_eq!(first.len(), 9, "three colour bars of three ticks: {first:?}");
    for s in &scenarios[1..] {
        assert_eq!(bars(s), first, "the maps of {s} and {} use different scales", scenarios[0]);
    }
}

fn temp() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("schoolscape-plots-").tempdir().unwrap()
}

#[test]
fn compare_writes_data_charts_and_report() {
    let t = temp();
    let dir = t.path().join("cmp");
    let out = run(&[&["compare", "market", "catchment", "--out", path(&dir), "--seed", "7"][..], &SMALL].concat());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("difference from market"), "{stdout}");
    for s in ["market", "catchment"] {
        for f in DATA {
            assert!(dir.join(s).join(f).is_file(), "{s}/{f} missing");
        }
        // Common random numbers: both scenarios ran replicate r with the same seed.
        let seeds = std::fs::read_to_string(dir.join(s).join("runs.csv")).unwrap();
        let market = std::fs::read_to_string(dir.join("market/runs.csv")).unwrap();
        let col = |t: &str| t.lines().skip(1).map(|l| l.rsplit(',').next().unwrap().to_string()).collect::<Vec<_>>();
        assert_eq!(col(&seeds), col(&market));
    }
    assert!(dir.join("compare.json").is_file());
    // Tidy tables that join: run ids unique across the comparison, one combined
    // metrics.csv and runs.csv, which share no column but the key.
    let runs = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    let ids: Vec<(&str, &str, &str)> = runs
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0], f[1], f[2])
        })
        .collect();
    assert_eq!(
        ids,
        [("0", "market", "0"), ("1", "market", "1"), ("2", "catchment", "0"), ("3", "catchment", "1")],
        "{runs}"
    );
    let metrics = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let header = |t: &str| t.lines().next().unwrap().split(',').map(str::to_string).collect::<Vec<_>>();
    let shared: Vec<String> = header(&metrics).into_iter().filter(|c| header(&runs).contains(c)).collect();
    assert_eq!(shared, ["run_id"]);
    let per_scenario: usize = ["market", "catchment"]
        .iter()
        .map(|s| std::fs::read_to_string(dir.join(s).join("metrics.csv")).unwrap().lines().count() - 1)
        .sum();
    assert_eq!(metrics.lines().count() - 1, per_scenario);
    assert!(metrics.lines().skip(1).any(|l| l.starts_with("3,3,school_gorard,")), "catchment's replicate 1 is run 3");
    let diffs = std::fs::read_to_string(dir.join("differences.csv")).unwrap();
    assert_eq!(diffs.lines().count(), 1 + 3 * TRENDS.len(), "every year of every measure");
    for (k, l) in diffs.lines().skip(1).enumerate() {
        assert!(l.contains(&format!(",catchment,market,{},2,", k % 3 + 1)), "{diffs}");
    }
    let stems = expected_charts(&["market", "catchment"], 3);
    check_charts(&dir, &stems);
    check_difference_charts(&dir, &diffs);
    check_shared_map_scales(&dir, &["market", "catchment"], 3);
    // Other measures of a comparison: their differences and trends beside the headline
    // charts (which stay); differences.csv keeps the headline's.
    run(&["plot", path(&dir), "--measure", "distance_km/disadvantaged"]);
    let mut selected = stems.clone();
    selected.extend(
        [
            "differences-final-year-measures",
            "differences-over-time-measures",
            "trend-distance_km-disadvantaged",
            "final-year-measures",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    check_charts(&dir, &selected);
    assert_eq!(std::fs::read_to_string(dir.join("differences.csv")).unwrap(), diffs);
    run(&["plot", path(&dir)]);
    let html = check_report(&dir, &stems);
    for text in [
        "Open choice, autonomy",
        "No choice: every pupil attends",
        "Differences from market",
        "Resolved parameters",
        "<a href=\"market/scenario.toml\">market</a>",
        "What differs between the scenarios",
        "<tr><td><code>admissions.mechanism</code></td><td class=\"num\">&quot;deferred_acceptance&quot;</td><td class=\"num\">&quot;catchment&quot;</td>",
        "<h2 id=\"assumptions\">Assumptions</h2>",
        "Validation against published results",
    ] {
        assert!(html.contains(text), "report lacks {text:?}");
    }
}

#[test]
fn the_report_names_an_illustrative_assumption_the_scenario_changes() {
    let t = temp();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let file = t.path().join("clustered.toml");
    std::fs::write(
        &file,
        format!(
            "extends = \"{}\"\nname = \"clustered\"\n[region]\nresidential_clustering = 0.41\n",
            scenarios.join("catchment.toml").display()
        ),
    )
    .unwrap();
    let dir = t.path().join("run");
    run(&[&["run", path(&file), "-q", "--out", path(&dir)][..], &SMALL].concat());
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let at = html.find("<h2 id=\"assumptions\">").expect("an assumptions section");
    let section = &html[at..at + html[at..].find("</table>").expect("its table")];
    let row = section
        .split("<tr>")
        .find(|r| r.contains("<code>region.residential_clustering</code>"))
        .unwrap_or_else(|| panic!("the changed parameter is not listed:\n{section}"));
    assert!(row.contains(">0.41<") && row.contains(">illustrative<"), "{row}");
    assert!(!section.contains("<code>region.width_km</code>"), "--scale changes settings, not assumptions");
    // Validation status, with the failing checks named.
    assert!(html.contains(" pass</span>") && html.contains(" fail</span>"), "no validation status");
}

#[test]
fn repeated_scenario_names_are_refused_before_any_work() {
    let t = temp();
    let dir = t.path().join("cmp");
    let out = Command::new(BIN).args(["compare", "market", "market", "--out", path(&dir)]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("both named `market`"));
    assert!(!dir.exists());
}

#[test]
fn no_plots_writes_data_and_no_charts() {
    let t = temp();
    let dir = t.path().join("run");
    run(&[&["run", "market", "--no-plots", "-q", "--out", path(&dir)][..], &SMALL].concat());
    for f in DATA {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    assert!(!dir.join("charts").exists() && !dir.join("report.html").exists());
    let cmp = t.path().join("cmp");
    run(&[&["compare", "market", "catchment", "--no-plots", "-q", "--out", path(&cmp)][..], &SMALL].concat());
    assert!(cmp.join("differences.csv").is_file());
    assert!(!cmp.join("charts").exists() && !cmp.join("report.html").exists());
}

#[test]
fn run_draws_its_own_charts_and_plot_redraws_them_from_the_csv_files() {
    let t = temp();
    let dir = t.path().join("run");
    run(&[&["run", "catchment", "-q", "--out", path(&dir)][..], &SMALL].concat());
    let stems = expected_charts(&["catchment"], 3);
    check_charts(&dir, &stems);
    check_report(&dir, &stems);

    // Change the written data: the redrawn report must show the change.
    let metrics = dir.join("metrics.csv");
    let text = std::fs::read_to_string(&metrics).unwrap();
    let edited: String = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            if f[2] == "ses_gradient" && f[3] == "all" {
                format!("{},0.4321\n", f[..4].join(","))
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(&metrics, edited).unwrap();
    std::fs::remove_dir_all(dir.join("charts")).unwrap();
    std::fs::remove_file(dir.join("report.html")).unwrap();
    let out = Command::new(BIN).args(["plot", path(&dir), "--map-year", "9"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a map year the run does not have is refused");
    run(&["plot", path(&dir), "--map-year", "2"]);
    let stems = expected_charts(&["catchment"], 2);
    check_charts(&dir, &stems);
    let html = check_report(&dir, &stems);
    assert!(
        html.contains("<td class=\"num\">0.432 <span class=\"ci\">[0.432, 0.432]</span></td>"),
        "the report did not redraw from metrics.csv"
    );

    // Any measure and subgroup, on a run directory as on a sweep's, beside the headline charts.
    run(&["plot", path(&dir), "--map-year", "2", "--measure", "distance_km", "--measure", "school_gorard/band:1"]);
    let mut stems = stems;
    stems.extend(
        ["trend-distance_km-all", "trend-school_gorard-band_1", "final-year-measures"].iter().map(|s| s.to_string()),
    );
    check_charts(&dir, &stems);
    let html = check_report(&dir, &stems);
    assert!(html.contains("distance_km (all)") && html.contains("school_gorard (band:1)"), "{html}");
    let out = Command::new(BIN).args(["plot", path(&dir), "--measure", "no_such_measure"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an unknown measure is refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("distance_km"), "the error lists the measures there are");
}

#[test]
fn plot_of_a_directory_without_runs_is_an_input_error() {
    let t = temp();
    let out = Command::new(BIN).args(["plot", path(t.path())]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no run"));
}

#[test]
fn a_plotting_failure_warns_and_keeps_the_data() {
    let t = temp();
    let dir: PathBuf = t.path().join("run");
    std::fs::create_dir_all(&dir).unwrap();
    // A file where the charts folder should go: drawing cannot start.
    std::fs::write(dir.join("charts"), "in the way").unwrap();
    let out = run(&[&["run", "market", "-q", "--force", "--out", path(&dir)][..], &SMALL].concat());
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: could not draw the charts"));
    for f in DATA {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
}

/// A 3 × 2 grid, 2 replicates: 12 runs of 2 years on a small region.
const GRID: &str = r#"
base = "market"
description = "Cream-skimming by information, for the charts"
replicates = 2
years = 2
seed = 4
scale = 0.2

[grid]
"admissions.cream_skimming" = [0.0, 0.3, 0.6]
"families.disadvantaged.information" = [0.3, 0.8]
"#;

/// A 12-sample Latin hypercube over three parameters, one replicate each.
const LHS: &str = r#"
base = "market"
replicates = 1
years = 2
seed = 5
scale = 0.2

[lhs]
samples = 12

[lhs.ranges]
"admissions.cream_skimming" = { min = 0.0, max = 0.6 }
"families.disadvantaged.information" = { min = 0.2, max = 0.9 }
"choice.list_length" = { min = 1, max = 6 }
"#;

/// Chart stems of a sweep with two or more varied parameters.
fn sweep_charts(measures: &[&str]) -> Vec<String> {
    ["heatmap", "lines", "sensitivity"].iter().flat_map(|k| measures.iter().map(move |m| format!("{k}-{m}"))).collect()
}

/// Heatmap cells drawn (each is outlined once in white).
fn heatmap_cells(dir: &Path, measure: &str) -> usize {
    let svg = std::fs::read_to_string(dir.join(format!("charts/heatmap-{measure}.svg"))).unwrap();
    // Cells are outlined in white; rings marking noisy cells are circles, not counted.
    svg.split("<rect")
        .skip(1)
        .filter(|r| r.split('>').next().unwrap_or("").contains("fill=\"none\" stroke=\"#FFFFFF\""))
        .count()
}

/// Write a sweep file and run it with these extra arguments.
fn sweep(t: &Path, name: &str, text: &str, extra: &[&str]) -> (PathBuf, Output) {
    let file = t.join(format!("{name}.toml"));
    std::fs::write(&file, text).unwrap();
    let dir = t.join(name);
    let out = run(&[&["sweep", path(&file), "--out", path(&dir), "-q"][..], extra].concat());
    (dir, out)
}

#[test]
fn a_grid_sweep_draws_its_charts_and_report() {
    let t = temp();
    let (dir, _) = sweep(t.path(), "grid", GRID, &[]);
    let stems = sweep_charts(&TRENDS);
    check_charts(&dir, &stems);
    let html = check_report(&dir, &stems);
    for m in TRENDS {
        assert_eq!(heatmap_cells(&dir, m), 6, "one cell per combination");
    }
    for text in [
        "Cream-skimming by information, for the charts",
        "Design: a full grid, 6 points × 2 replicates = 12 runs of 2 years",
        "<td><code>admissions.cream_skimming</code></td><td>0, 0.3, 0.6</td><td>3 values</td>",
        "Over two parameters",
        "Over one parameter",
        "Sensitivity",
        "[grid]",
    ] {
        assert!(html.contains(text), "report lacks {text:?}");
    }
    // The sensitivity table shows sweep-summary's coefficients.
    run(&["sweep-summary", path(&dir), "-q"]);
    let csv = std::fs::read_to_string(dir.join("sensitivity.csv")).unwrap();
    let line = csv.lines().find(|l| l.starts_with("school_gorard,disadvantaged,admissions.cream_skimming,")).unwrap();
    let srrc: f64 = line.split(',').nth(3).unwrap().parse().unwrap();
    let row = html.split("<tr><td><code>admissions.cream_skimming</code></td><td class=\"num\">").nth(1).unwrap();
    assert!(row.starts_with(&format!("{srrc:+.3}</td>")), "{srrc} vs {}", &row[..40]);

    // Other axes and measures; bad ones are refused.
    run(&[
        "plot",
        path(&dir),
        "--x",
        "families.disadvantaged.information",
        "--measure",
        "distance_km",
        "--measure",
        "school_gorard/band:1",
    ]);
    let stems = sweep_charts(&["distance_km-all", "school_gorard-band_1"]);
    check_charts(&dir, &stems);
    check_report(&dir, &stems);
    let svg = std::fs::read_to_string(dir.join("charts/heatmap-distance_km-all.svg")).unwrap();
    let tag_of = |label: &str| {
        let at = svg.find(&format!(">\n{label}\n<")).unwrap_or_else(|| panic!("no axis title {label}"));
        svg[svg[..at].rfind("<text").unwrap()..at].to_string()
    };
    assert!(!tag_of("families.disadvantaged.information").contains("rotate"), "--x is not across");
    assert!(tag_of("admissions.cream_skimming").contains("rotate"), "the other parameter is not up");
    for (args, says) in [
        (&["--x", "choice.list_length"][..], "not a varied parameter"),
        (&["--measure", "no_such_measure"][..], "no measure `no_such_measure`"),
        (&["--map-year", "1"][..], "a sweep has no maps"),
    ] {
        let out = Command::new(BIN).args([&["plot", path(&dir)][..], args].concat()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_sampled_sweep_draws_binned_charts_with_plot_and_none_with_no_plots_or_as_a_shard() {
    let t = temp();
    let (dir, _) = sweep(t.path(), "lhs", LHS, &["--no-plots"]);
    assert!(dir.join("metrics.csv").is_file());
    assert!(!dir.join("charts").exists() && !dir.join("report.html").exists(), "--no-plots drew charts");
    let file = t.path().join("lhs.toml");
    let shard = t.path().join("shard");
    run(&["sweep", path(&file), "--out", path(&shard), "--shard", "1/2", "-q"]);
    assert!(!shard.join("charts").exists() && !shard.join("report.html").exists(), "a shard drew charts");

    let out = run(&["plot", path(&dir)]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Drew 15 charts"));
    let stems = sweep_charts(&TRENDS);
    check_charts(&dir, &stems);
    let html = check_report(&dir, &stems);
    assert!(html.contains("a Latin hypercube sample, 12 points"), "design not named");
    assert!(html.contains("<td>8 bins of equal width</td>"), "the ranges are not binned");
    assert!(html.contains("<td><code>choice.list_length</code></td><td>1, 2, 3, 4, 5, 6</td><td>6 values</td>"));
    // 12 points in an 8 × 8 grid of bins: at most 12 cells, blank elsewhere.
    let cells = heatmap_cells(&dir, "school_gorard");
    assert!((8..=12).contains(&cells), "{cells} cells");
    // The gap index's lines sit far from zero (about 3 to 4): the chart says its axis is zoomed.
    let lines = std::fs::read_to_string(dir.join("charts/lines-gap_index.svg")).unwrap();
    assert!(lines.contains("Axis zoomed to the data"), "the sweep's line chart does not say it is zoomed");
}

#[test]
fn a_sweep_plotting_failure_warns_and_keeps_the_data() {
    let t = temp();
    let (dir, _) = sweep(t.path(), "grid", GRID, &["--no-plots"]);
    let metrics = std::fs::read(dir.join("metrics.csv")).unwrap();
    std::fs::write(dir.join("charts"), "in the way").unwrap();
    // Resuming a finished sweep completes it again, and so draws.
    let file = t.path().join("grid.toml");
    let out = run(&["sweep", path(&file), "--out", path(&dir), "--resume", "-q"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: could not draw the charts"));
    assert_eq!(std::fs::read(dir.join("metrics.csv")).unwrap(), metrics);
    assert!(std::fs::read_to_string(dir.join("sweep.json")).unwrap().contains("\"status\": \"complete\""));
}
