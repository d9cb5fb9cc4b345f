//! Charts: time series with bands, final-year intervals and the
//! excellence-and-equity scatter, drawn once per backend (SVG and PNG) with
//! the embedded DejaVu Sans font.
//!
//! A [`Figure`] is plain data; [`render`] draws it to `STEM.svg` and
//! `STEM.png` and returns the SVG text for the report.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{SegmentValue, ValueFormatter};
use plotters::prelude::*;
use plotters::style::FontStyle;
use schoolscape::{Error, Result};

use super::diff_charts::Differences;
use super::map::MapFigure;
use super::sweep_charts::{Bars, Heatmap, Lines};
use crate::cli::output;

/// The font family every chart uses; [`register_fonts`] binds it to the embedded DejaVu Sans.
pub const FONT: &str = "sans-serif";

/// Neutral grey, for reference bands such as validation targets.
pub const GREY: RGBColor = RGBColor(120, 120, 120);

/// A drawing area of any backend.
pub type Area<DB> = DrawingArea<DB, Shift>;

/// What drawing returns: plotters' errors boxed.
pub type DrawResult<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Colours of scenarios: Okabe and Ito's palette (distinguishable with
/// colour-blindness; its yellow, too pale on white, left out), then a dark
/// purple, a wine red and a brown from Paul Tol's palettes, then Tol's
/// "muted" green, olive, indigo, rose and teal and a mid grey, so that each
/// bundled scenario has a colour of its own.
pub const PALETTE: [RGBColor; 16] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
    RGBColor(117, 112, 179),
    RGBColor(136, 34, 85),
    RGBColor(153, 102, 51),
    RGBColor(17, 119, 51),
    RGBColor(153, 153, 51),
    RGBColor(51, 34, 136),
    RGBColor(204, 102, 119),
    RGBColor(68, 170, 153),
    RGBColor(119, 119, 119),
];

/// The colour of the `i`th entry of the palette (for series that are not scenarios).
pub fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The bundled scenarios' fixed places in [`PALETTE`]: market is the same
/// blue in every report, whatever the order of the command line, and no two
/// bundled scenarios share a colour. Scenarios often shown beside `market`
/// (its variants, `voucher`, `catchment`) are kept away from its blue; the
/// sky blue goes to `national`, which is seldom compared with it.
const NAMED: [(&str, usize); 16] = [
    ("market", 0),
    ("catchment", 1),
    ("collaborative", 2),
    ("market-collaborative", 3),
    ("comprehensive", 4),
    ("national", 5),
    ("england", 6),
    ("city-challenge", 7),
    ("market-moves", 8),
    ("voucher", 9),
    ("market-openings", 10),
    ("market-pairing", 11),
    ("rezoning", 12),
    ("market-reform", 13),
    ("base", 14),
    ("trusts", 15),
];

/// The preferred palette place of a scenario name: fixed for the bundled
/// scenarios, a hash of the name (FNV-1a) for others, so a name has the same
/// colour in every report.
pub fn preferred_colour(name: &str) -> usize {
    if let Some(&(_, i)) = NAMED.iter().find(|(n, _)| *n == name) {
        return i;
    }
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (h % PALETTE.len() as u64) as usize
}

/// The colours of the scenarios of one report: each its name's preferred
/// colour; where two names prefer the same colour, the first in alphabetical
/// order keeps it and the other gets the next free one (so two scenarios of
/// one report never share a colour while the palette lasts, and the colours
/// do not depend on the order the scenarios were given in).
pub fn scenario_colours<S: AsRef<str>>(names: &[S]) -> Vec<RGBColor> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    // Bundled names (fixed places) first, so a hashed name never takes theirs.
    order.sort_by(|&a, &b| {
        let fixed = |k: usize| !NAMED.iter().any(|(n, _)| *n == names[k].as_ref());
        (fixed(a), names[a].as_ref(), a).cmp(&(fixed(b), names[b].as_ref(), b))
    });
    let mut taken = [false; PALETTE.len()];
    let mut out = vec![PALETTE[0]; names.len()];
    for k in order {
        let mut i = preferred_colour(names[k].as_ref());
        if taken.iter().all(|t| *t) {
            taken = [false; PALETTE.len()];
        }
        while taken[i] {
            i = (i + 1) % PALETTE.len();
        }
        taken[i] = true;
        out[k] = PALETTE[i];
    }
    out
}

/// A colour as `#rrggbb` (as the SVG backend writes it).
pub fn hex(c: RGBColor) -> String {
    format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
}

/// Register the embedded fonts with plotters (once per process). The build
/// uses plotters' `ab_glyph` text rendering only, which never looks for
/// system fonts: text draws the same on a machine with none.
pub fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Font of chart titles.
pub fn title_font() -> FontDesc<'static> {
    FontDesc::new(FontFamily::SansSerif, 28.0, FontStyle::Bold)
}

/// Font of axis descriptions and legends.
pub fn label_font() -> FontDesc<'static> {
    FontDesc::new(FontFamily::SansSerif, 20.0, FontStyle::Normal)
}

/// Font of tick labels and notes.
pub fn small_font() -> FontDesc<'static> {
    FontDesc::new(FontFamily::SansSerif, 16.0, FontStyle::Normal)
}

/// A figure to draw.
#[derive(Debug, Clone)]
pub enum Figure {
    /// Lines over the years with shaded bands.
    Trend(Trend),
    /// Final-year values with intervals, a panel per measure.
    Intervals(Intervals),
    /// Points in two measures.
    Scatter(Scatter),
    /// A map of the region.
    Map(MapFigure),
    /// A measure over two parameters, one coloured cell per combination or bin.
    Heatmap(Heatmap),
    /// A measure over each parameter: lines with bands, a panel per parameter.
    Lines(Lines),
    /// Horizontal bars, coloured by sign.
    Bars(Bars),
    /// Paired differences from a baseline, a panel per measure.
    Differences(Differences),
}

impl Figure {
    /// The title.
    pub fn title(&self) -> &str {
        match self {
            Figure::Trend(f) => &f.title,
            Figure::Intervals(f) => &f.title,
            Figure::Scatter(f) => &f.title,
            Figure::Map(f) => &f.title,
            Figure::Heatmap(f) => &f.title,
            Figure::Lines(f) => &f.title,
            Figure::Bars(f) => &f.title,
            Figure::Differences(f) => &f.title,
        }
    }

    /// Size in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Figure::Trend(_) | Figure::Scatter(_) => (960, 640),
            Figure::Intervals(f) => (1320, 130 + 400 * f.panels.len().div_ceil(3) as u32),
            Figure::Map(f) => f.size(),
            Figure::Heatmap(_) => (1040, 760),
            Figure::Lines(f) => f.size(),
            Figure::Bars(f) => f.size(),
            Figure::Differences(f) => f.size(),
        }
    }

    /// Draw on a drawing area of any backend.
    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        match self {
            Figure::Trend(f) => f.draw(root),
            Figure::Intervals(f) => f.draw(root),
            Figure::Scatter(f) => f.draw(root),
            Figure::Map(f) => f.draw(root),
            Figure::Heatmap(f) => f.draw(root),
            Figure::Lines(f) => f.draw(root),
            Figure::Bars(f) => f.draw(root),
            Figure::Differences(f) => f.draw(root),
        }
    }
}

/// Draw a figure to `DIR/STEM.svg` and `DIR/STEM.png`; return the SVG text.
pub fn render(fig: &Figure, dir: &Path, stem: &str) -> Result<String> {
    register_fonts();
    let size = fig.size();
    let svg_path = dir.join(format!("{stem}.svg"));
    let svg = svg_string(fig).map_err(|e| draw_error(&svg_path, e))?;
    output::write_atomic(&svg_path, &svg)?;
    let png_path = dir.join(format!("{stem}.png"));
    // Drawn under a temporary name (ending .png, so the encoder knows the
    // format) and renamed when whole: a full disk leaves no cut chart.
    let tmp_path = dir.join(format!(".{stem}.partial.png"));
    let png = || -> DrawResult {
        let root = BitMapBackend::new(&tmp_path, size).into_drawing_area();
        fig.draw(&root)?;
        root.present()?;
        Ok(())
    };
    png().map_err(|e| draw_error(&png_path, e))?;
    std::fs::File::open(&tmp_path)
        .and_then(|f| f.sync_all())
        .and_then(|()| std::fs::rename(&tmp_path, &png_path))
        .map_err(|source| Error::Io { path: png_path.clone(), source })?;
    Ok(svg)
}

/// A figure as SVG text.
pub fn svg_string(fig: &Figure) -> DrawResult<String> {
    register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, fig.size()).into_drawing_area();
        fig.draw(&root)?;
        root.present()?;
    }
    Ok(svg)
}

/// A figure as RGB pixels (3 bytes a pixel, row by row).
#[cfg(test)]
pub fn pixels(fig: &Figure) -> DrawResult<Vec<u8>> {
    register_fonts();
    let (w, h) = fig.size();
    let mut buf = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        fig.draw(&root)?;
        root.present()?;
    }
    Ok(buf)
}

/// The `<text>` elements of an SVG as plotters writes them: (x, y, text).
#[cfg(test)]
pub fn svg_texts(svg: &str) -> Vec<(f64, f64, String)> {
    let attr = |tag: &str, name: &str| {
        tag.split_once(&format!(" {name}=\"")).and_then(|(_, r)| r.split('"').next()?.parse().ok()).unwrap_or(f64::NAN)
    };
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let (tag, rest) = t.split_once('>')?;
            Some((attr(tag, "x"), attr(tag, "y"), rest.split('<').next()?.trim().to_string()))
        })
        .collect()
}

fn draw_error(path: &Path, e: Box<dyn std::error::Error>) -> Error {
    Error::Io { path: path.to_path_buf(), source: std::io::Error::other(format!("cannot draw: {e}")) }
}

/// How a legend entry is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A line over a shaded band.
    Line,
    /// A dot.
    Dot,
    /// A filled square (bars).
    Square,
}

/// A legend entry.
#[derive(Debug, Clone)]
pub struct Key {
    /// Label.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
    /// Mark.
    pub mark: Mark,
}

/// Keys for scenarios, with their colours.
pub fn scenario_keys(names: &[String], colours: &[RGBColor], mark: Mark) -> Vec<Key> {
    names.iter().zip(colours).map(|(n, &colour)| Key { label: n.clone(), colour, mark }).collect()
}

/// Height of a legend strip holding `keys` and `note`, for a figure `width` wide.
fn legend_height(keys: &[Key], note: &str, width: u32) -> u32 {
    let est: u32 = keys.iter().map(|k| 64 + 10 * k.label.chars().count() as u32).sum();
    let lines = est.div_ceil(width.saturating_sub(40).max(1)).max(1);
    16 + 30 * lines + 24 * wrap(note, width).len().max(1) as u32 + 4
}

/// A note cut into lines that fit a figure `width` pixels wide (at the small font).
pub fn wrap(note: &str, width: u32) -> Vec<String> {
    let max = (width.saturating_sub(48) / 9).max(20) as usize;
    let mut lines: Vec<String> = Vec::new();
    for word in note.split_whitespace() {
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= max => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// White background, title on top and a legend strip at the bottom; returns the area left for the plot.
pub fn frame<DB: DrawingBackend>(root: &Area<DB>, title: &str, keys: &[Key], note: &str) -> DrawResult<Area<DB>>
where
    DB::ErrorType: 'static,
{
    let area = titled(root, title)?;
    let (w, h) = area.dim_in_pixel();
    let lh = legend_height(keys, note, w);
    let (plot, legend) = area.split_vertically(h.saturating_sub(lh));
    draw_legend(&legend, keys, note)?;
    Ok(plot)
}

/// A white background with a title on top; returns the area under the title.
pub fn titled<DB: DrawingBackend>(root: &Area<DB>, title: &str) -> DrawResult<Area<DB>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    Ok(root.margin(10, 0, 0, 0).titled(title, title_font().color(&BLACK))?)
}

/// Keys left to right (wrapping), then a note line.
fn draw_legend<DB: DrawingBackend>(area: &Area<DB>, keys: &[Key], note: &str) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let (w, _) = area.dim_in_pixel();
    let font = label_font().color(&BLACK);
    let (mut x, mut y) = (24i32, 14i32);
    for k in keys {
        let (tw, _) = area.estimate_text_size(&k.label, &font)?;
        if x > 24 && x + 40 + tw as i32 > w as i32 - 16 {
            x = 24;
            y += 30;
        }
        match k.mark {
            Mark::Line => {
                area.draw(&Rectangle::new([(x, y), (x + 30, y + 18)], k.colour.mix(0.2).filled()))?;
                area.draw(&PathElement::new(vec![(x, y + 9), (x + 30, y + 9)], k.colour.stroke_width(3)))?;
            }
            Mark::Dot => {
                area.draw(&Circle::new((x + 15, y + 9), 7, k.colour.filled()))?;
            }
            Mark::Square => {
                area.draw(&Rectangle::new([(x + 6, y), (x + 24, y + 18)], k.colour.filled()))?;
            }
        }
        area.draw(&Text::new(k.label.clone(), (x + 38, y), font.clone()))?;
        x += 38 + tw as i32 + 30;
    }
    let y0 = if keys.is_empty() { 14 } else { y + 32 };
    for (k, line) in wrap(note, w).into_iter().enumerate() {
        area.draw(&Text::new(line, (24, y0 + 24 * k as i32), small_font().color(&RGBColor(70, 70, 70))))?;
    }
    Ok(())
}

/// A chart builder with the margins and label areas of full-size charts.
pub fn builder<DB: DrawingBackend>(plot: &Area<DB>) -> ChartBuilder<'_, '_, DB> {
    let mut b = ChartBuilder::on(plot);
    b.margin_left(16).margin_right(32).margin_top(12).x_label_area_size(56).y_label_area_size(92);
    b
}

/// The mesh of a chart in the house style: embedded fonts, light grid of major lines only.
pub fn mesh<'a, 'b, DB, X, Y, XT, YT>(
    chart: &'b mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
) -> plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
{
    let mut m = chart.configure_mesh();
    m.axis_desc_style(label_font())
        .label_style(small_font())
        .light_line_style(TRANSPARENT)
        .bold_line_style(RGBColor(215, 215, 215));
    m
}

/// The range of finite values, padded for drawing (never empty).
pub fn padded(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    let pad = if hi - lo < 1e-12 { (hi.abs() * 0.1).max(0.05) } else { (hi - lo) * 0.08 };
    (lo - pad, hi + pad)
}

/// The words added to a chart's note when an axis does not start at zero.
pub const ZOOMED: &str = "Axis zoomed to the data: it does not start at 0.";

/// `note`, with [`ZOOMED`] added if any of the axis ranges leaves out zero.
pub fn with_zero_note(note: &str, ranges: impl IntoIterator<Item = (f64, f64)>) -> String {
    if ranges.into_iter().any(|(lo, hi)| lo > 0.0 || hi < 0.0) {
        if note.is_empty() { ZOOMED.to_string() } else { format!("{note} {ZOOMED}") }
    } else {
        note.to_string()
    }
}

/// A tick label with as many decimals as the axis span needs.
pub fn tick(v: f64, span: f64) -> String {
    let d = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else if span >= 0.2 {
        2
    } else {
        3
    };
    fixed(v, d)
}

/// `v` with `d` decimals, without the sign of a value that rounds to zero.
pub fn fixed(v: f64, d: usize) -> String {
    let s = format!("{v:.d$}");
    if s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// One line with its band.
#[derive(Debug, Clone)]
pub struct BandSeries {
    /// Legend label.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
    /// (year, median, low, high).
    pub points: Vec<(u32, f64, f64, f64)>,
}

/// A time series chart: one line per scenario with a shaded band.
#[derive(Debug, Clone)]
pub struct Trend {
    /// Title.
    pub title: String,
    /// Vertical axis label, with unit.
    pub y_label: String,
    /// A note under the legend (what the band is).
    pub note: String,
    /// The lines.
    pub series: Vec<BandSeries>,
}

impl Trend {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let keys: Vec<Key> =
            self.series.iter().map(|s| Key { label: s.label.clone(), colour: s.colour, mark: Mark::Line }).collect();
        let years: Vec<u32> = self.series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).collect();
        let (first, last) = (years.iter().min().copied().unwrap_or(1), years.iter().max().copied().unwrap_or(1));
        let (x0, x1) = if first == last { (first as i32 - 1, last as i32 + 1) } else { (first as i32, last as i32) };
        let (y0, y1) = padded(self.series.iter().flat_map(|s| s.points.iter().flat_map(|p| [p.1, p.2, p.3])));
        let note = with_zero_note(&self.note, [(y0, y1)]);
        let plot = frame(root, &self.title, &keys, &note)?;
        let mut chart = builder(&plot).build_cartesian_2d(x0..x1, y0..y1)?;
        let span = y1 - y0;
        mesh(&mut chart)
            .x_desc("Year (simulated)")
            .y_desc(self.y_label.as_str())
            .x_labels((x1 - x0 + 1).min(11) as usize)
            .y_label_formatter(&|y| tick(*y, span))
            .draw()?;
        let bands: Vec<Band<i32>> = self
            .series
            .iter()
            .map(|s| (s.colour, s.points.iter().map(|&(y, m, lo, hi)| (y as i32, m, lo, hi)).collect()))
            .collect();
        draw_bands(&mut chart, &bands)
    }
}

/// A line with its band: colour, and points (x, line, band low, band high).
pub type Band<X> = (RGBColor, Vec<(X, f64, f64, f64)>);

/// Lines with shaded bands: per series its colour and its points (x, line,
/// band low, band high). Bands go under every line; a point with a missing
/// band bound breaks the band, one with a missing value is left out of the line.
pub fn draw_bands<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    series: &[Band<X::ValueType>],
) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
    X: Ranged,
    X::ValueType: Clone + 'static,
    Y: Ranged<ValueType = f64>,
{
    // Many overlapping fills blend into one grey: the more series, the
    // fainter each fill (the edges keep every band's own colour).
    let fill = if series.len() <= 2 { 0.18 } else { 0.36 / series.len() as f64 };
    for (c, points) in series {
        // One polygon per stretch of points with both bounds: a band is never
        // drawn across a point without one.
        for pts in points.split(|p| !(p.2.is_finite() && p.3.is_finite())) {
            if pts.len() > 1 && pts.iter().any(|p| p.3 > p.2) {
                let mut poly: Vec<(X::ValueType, f64)> = pts.iter().map(|p| (p.0.clone(), p.3)).collect();
                poly.extend(pts.iter().rev().map(|p| (p.0.clone(), p.2)));
                chart.draw_series(std::iter::once(Polygon::new(poly, c.mix(fill).filled())))?;
                // Thin edges in the series' colour keep overlapping bands apart.
                for edge in [
                    pts.iter().map(|p| (p.0.clone(), p.2)).collect::<Vec<_>>(),
                    pts.iter().map(|p| (p.0.clone(), p.3)).collect(),
                ] {
                    chart.draw_series(std::iter::once(PathElement::new(edge, c.mix(0.6).stroke_width(1))))?;
                }
            }
        }
    }
    for (c, points) in series {
        let line: Vec<(X::ValueType, f64)> =
            points.iter().filter(|p| p.1.is_finite()).map(|p| (p.0.clone(), p.1)).collect();
        chart.draw_series(LineSeries::new(line.iter().cloned(), c.stroke_width(3)))?;
        chart.draw_series(line.iter().map(|p| Circle::new(p.clone(), 4, c.filled())))?;
    }
    Ok(())
}

/// One scenario's values in one panel of [`Intervals`].
#[derive(Debug, Clone)]
pub struct IntervalGroup {
    /// Replicates' values.
    pub values: Vec<f64>,
    /// Mean.
    pub mean: f64,
    /// 95% half-width (NaN with one replicate).
    pub half: f64,
}

/// One measure in [`Intervals`].
#[derive(Debug, Clone)]
pub struct IntervalPanel {
    /// Panel title.
    pub title: String,
    /// Vertical axis label, with unit.
    pub y_label: String,
    /// One group per scenario, in scenario order.
    pub groups: Vec<IntervalGroup>,
}

/// Final-year values: per measure a panel, per scenario the replicates as
/// dots and the mean with its 95% interval.
#[derive(Debug, Clone)]
pub struct Intervals {
    /// Title.
    pub title: String,
    /// Note under the legend.
    pub note: String,
    /// Scenario names, in order.
    pub scenarios: Vec<String>,
    /// Their colours.
    pub colours: Vec<RGBColor>,
    /// Panels.
    pub panels: Vec<IntervalPanel>,
}

impl Intervals {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let keys = scenario_keys(&self.scenarios, &self.colours, Mark::Dot);
        let range = |panel: &IntervalPanel| {
            padded(panel.groups.iter().flat_map(|g| g.values.iter().copied().chain([g.mean - g.half, g.mean + g.half])))
        };
        let note = with_zero_note(&self.note, self.panels.iter().map(range));
        let plot = frame(root, &self.title, &keys, &note)?;
        let rows = self.panels.len().div_ceil(3).max(1);
        let cells = plot.split_evenly((rows, 3));
        let n = self.scenarios.len().max(1) as i32;
        for (panel, cell) in self.panels.iter().zip(&cells) {
            let (y0, y1) = range(panel);
            let mut chart = ChartBuilder::on(cell)
                .caption(&panel.title, label_font().style(FontStyle::Bold))
                .margin(10)
                .x_label_area_size(34)
                .y_label_area_size(84)
                .build_cartesian_2d((0..n - 1).into_segmented(), y0..y1)?;
            let span = y1 - y0;
            let names = &self.scenarios;
            mesh(&mut chart)
                .disable_x_mesh()
                .y_desc(panel.y_label.as_str())
                .axis_desc_style(small_font())
                .x_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) => names.get(*i as usize).cloned().unwrap_or_default(),
                    _ => String::new(),
                })
                .y_label_formatter(&|y| tick(*y, span))
                .draw()?;
            for (i, g) in panel.groups.iter().enumerate() {
                let c = self.colours.get(i).copied().unwrap_or(BLACK);
                let at = |v: f64| (SegmentValue::CenterOf(i as i32), v);
                chart.draw_series(g.values.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(r, &v)| {
                    let dx = (r % 9) as i32 * 4 - 16 - 22;
                    EmptyElement::at(at(v)) + Circle::new((dx, 0), 4, c.mix(0.55).filled())
                }))?;
                if g.mean.is_finite() {
                    if g.half.is_finite() {
                        let cap = |v: f64| {
                            EmptyElement::at(at(v)) + PathElement::new(vec![(2, 0), (26, 0)], c.stroke_width(3))
                        };
                        chart.draw_series([cap(g.mean - g.half), cap(g.mean + g.half)])?;
                        let top = chart.backend_coord(&at(g.mean + g.half));
                        let bottom = chart.backend_coord(&at(g.mean - g.half));
                        chart.draw_series(std::iter::once(
                            EmptyElement::at(at(g.mean + g.half))
                                + PathElement::new(vec![(14, 0), (14, bottom.1 - top.1)], c.stroke_width(3)),
                        ))?;
                    }
                    chart.draw_series(std::iter::once(
                        EmptyElement::at(at(g.mean)) + Circle::new((14, 0), 7, c.filled()),
                    ))?;
                }
            }
        }
        Ok(())
    }
}

/// One scenario's points in a [`Scatter`].
#[derive(Debug, Clone)]
pub struct ScatterGroup {
    /// Legend label.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
    /// (x, y) points.
    pub points: Vec<(f64, f64)>,
}

/// A scatter of points in two measures.
#[derive(Debug, Clone)]
pub struct Scatter {
    /// Title.
    pub title: String,
    /// Horizontal axis label, with unit.
    pub x_label: String,
    /// Vertical axis label, with unit.
    pub y_label: String,
    /// Note under the legend.
    pub note: String,
    /// Groups of points.
    pub groups: Vec<ScatterGroup>,
}

impl Scatter {
    fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let keys: Vec<Key> =
            self.groups.iter().map(|g| Key { label: g.label.clone(), colour: g.colour, mark: Mark::Dot }).collect();
        let pts = || self.groups.iter().flat_map(|g| g.points.iter());
        let (x0, x1) = padded(pts().map(|p| p.0));
        let (y0, y1) = padded(pts().map(|p| p.1));
        let note = with_zero_note(&self.note, [(x0, x1), (y0, y1)]);
        let plot = frame(root, &self.title, &keys, &note)?;
        let mut chart = builder(&plot).build_cartesian_2d(x0..x1, y0..y1)?;
        let (sx, sy) = (x1 - x0, y1 - y0);
        mesh(&mut chart)
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .x_label_formatter(&|x| tick(*x, sx))
            .y_label_formatter(&|y| tick(*y, sy))
            .draw()?;
        for g in &self.groups {
            let ok = g.points.iter().filter(|p| p.0.is_finite() && p.1.is_finite());
            chart.draw_series(ok.map(|&p| {
                EmptyElement::at(p)
                    + Circle::new((0, 0), 6, g.colour.mix(0.75).filled())
                    + Circle::new((0, 0), 6, g.colour.stroke_width(1))
            }))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_colours_do_not_depend_on_the_order_given() {
        let names = ["market-openings", "voucher", "rezoning", "market", "trusts", "my-own", "market-reform"];
        let colours = scenario_colours(&names);
        let mut distinct = colours.clone();
        distinct.sort_by_key(|c| (c.0, c.1, c.2));
        distinct.dedup();
        assert_eq!(distinct.len(), names.len(), "two scenarios of one report share a colour");
        assert_eq!(colours[3], PALETTE[0], "market keeps its blue");
        let mut reversed = names;
        reversed.reverse();
        let back = scenario_colours(&reversed);
        for (k, n) in names.iter().enumerate() {
            assert_eq!(colours[k], back[names.len() - 1 - k], "{n}");
        }
        // A bundled name keeps its place whatever the order, even beside a
        // name of the user's that hashes to the same place.
        let clash = (0..1000).map(|i| format!("mine-{i}")).find(|n| preferred_colour(n) == 9).unwrap();
        for pair in [[clash.as_str(), "voucher"], ["voucher", clash.as_str()]] {
            let c = scenario_colours(&pair);
            let voucher = pair.iter().position(|n| *n == "voucher").unwrap();
            assert_eq!(c[voucher], PALETTE[9], "voucher keeps its place whatever the order");
            assert_ne!(c[0], c[1]);
        }
    }

    #[test]
    fn every_bundled_scenario_has_a_colour_of_its_own() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok()?.path().file_stem()?.to_str().map(String::from))
            .filter(|n| dir.join(format!("{n}.toml")).is_file())
            .collect();
        names.sort();
        let mut places: Vec<usize> = names.iter().map(|n| preferred_colour(n)).collect();
        for n in &names {
            assert!(NAMED.iter().any(|(m, _)| m == n), "bundled scenario {n} has no fixed colour");
        }
        places.sort_unstable();
        places.dedup();
        assert_eq!(places.len(), names.len(), "two bundled scenarios share a colour: {names:?}");
    }

    fn trend() -> Figure {
        let pts = |base: f64| (1..=5).map(|y| (y, base + 0.01 * y as f64, base, base + 0.06)).collect();
        Figure::Trend(Trend {
            title: "Segregation of disadvantaged pupils".into(),
            y_label: "Gorard index (0 to 1)".into(),
            note: "Median across replicates; band 10th to 90th percentile".into(),
            series: vec![
                BandSeries { label: "market".into(), colour: colour(0), points: pts(0.20) },
                BandSeries { label: "catchment".into(), colour: colour(1), points: pts(0.30) },
            ],
        })
    }

    /// The contents of the `<text>` elements of an SVG.
    fn texts(svg: &str) -> Vec<String> {
        svg_texts(svg).into_iter().map(|t| t.2).collect()
    }

    #[test]
    fn trend_svg_has_series_labels_and_axis_range() {
        let svg = svg_string(&trend()).unwrap();
        for text in
            ["Segregation of disadvantaged pupils", "Gorard index (0 to 1)", "Year (simulated)", "market", "catchment"]
        {
            assert!(texts(&svg).iter().any(|t| t == text), "missing text {text}");
        }
        // One line per series in its colour, one band per series.
        for c in [colour(0), colour(1)] {
            assert!(svg.contains(&format!("<polyline fill=\"none\" opacity=\"1\" stroke=\"{}\"", hex(c))), "no line");
            assert!(svg.contains(&format!("<polygon opacity=\"0.18\" fill=\"{}\"", hex(c))), "no band");
        }
        let nums: Vec<f64> = texts(&svg).iter().filter_map(|t| t.parse().ok()).collect();
        // The x axis shows every year from 1 to 5.
        for y in 1..=5 {
            assert!(nums.contains(&f64::from(y)), "year {y} not on the axis");
        }
        // The y ticks lie within the padded data range [0.20, 0.36] and span most of it.
        let ticks: Vec<f64> = nums.into_iter().filter(|v| v.fract() != 0.0).collect();
        assert!(ticks.len() >= 4, "{ticks:?}");
        let (lo, hi) = (ticks.iter().copied().fold(f64::MAX, f64::min), ticks.iter().copied().fold(f64::MIN, f64::max));
        assert!((0.187..=0.22).contains(&lo), "lowest tick {lo}");
        assert!((0.34..=0.373).contains(&hi), "highest tick {hi}");
    }

    #[test]
    fn text_is_drawn_with_the_embedded_font() {
        // A family that was never registered cannot be drawn: nothing falls back to system fonts.
        register_fonts();
        let mut buf = vec![0u8; 200 * 50 * 3];
        let root = BitMapBackend::with_buffer(&mut buf, (200, 50)).into_drawing_area();
        let missing = FontDesc::new(FontFamily::Name("no-such-font"), 20.0, FontStyle::Normal);
        assert!(root.draw(&Text::new("x", (5, 5), missing)).is_err());
        drop(root);
        // The embedded font draws the title: dark pixels in the title band, none in the right margin.
        let fig = trend();
        let (w, _) = fig.size();
        let px = pixels(&fig).unwrap();
        let dark = |x0: usize, x1: usize, y0: usize, y1: usize| {
            (y0..y1)
                .flat_map(|y| (x0..x1).map(move |x| (y * w as usize + x) * 3))
                .filter(|&i| px[i] < 80 && px[i + 1] < 80 && px[i + 2] < 80)
                .count()
        };
        assert!(dark(200, 760, 4, 40) > 500, "the title has no ink");
        assert_eq!(dark(w as usize - 10, w as usize, 4, 40), 0);
    }

    #[test]
    fn no_system_font_lookup_is_built_in() {
        // plotters' `ttf` feature brings font-kit and fontconfig, which fail on a machine without them.
        let lock = include_str!("../../../Cargo.lock");
        for name in ["font-kit", "yeslogic-fontconfig-sys", "servo-fontconfig"] {
            assert!(!lock.contains(&format!("name = \"{name}\"")), "{name} is built: is plotters' ttf feature on?");
        }
    }

    #[test]
    fn padded_ranges_are_never_empty() {
        assert_eq!(padded([f64::NAN]), (0.0, 1.0));
        let (a, b) = padded([2.0, 2.0]);
        assert!(a < 2.0 && b > 2.0);
        assert_eq!(tick(-0.0001, 1.0), "0.00");
    }
}
