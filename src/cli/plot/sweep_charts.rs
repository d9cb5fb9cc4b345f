//! Charts of parameter sweeps: a measure over two parameters ([`Heatmap`]),
//! over each parameter in turn ([`Lines`]), and the parameters ranked by
//! their influence ([`Bars`]). Drawn in the house style of [`super::charts`]
//! (its frame, mesh, fonts, palette and bands).

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{
    Area, DrawResult, Key, Mark, builder, colour, draw_bands, fixed, frame, label_font, mesh, padded, small_font, tick,
};
use super::map::viridis;

/// Width of a heatmap's colour bar strip, with its labels, in pixels.
const BAR_STRIP: u32 = 200;

/// Steps drawn in a colour bar.
const BAR_STEPS: usize = 64;

/// About `n` round tick values (steps of 1, 2 or 5 times a power of ten) within `[lo, hi]`.
pub fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return vec![lo];
    }
    let raw = span / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let mult = [1.0, 2.0, 5.0, 10.0].into_iter().find(|m| m * mag >= raw).unwrap_or(10.0);
    let step = mult * mag;
    // k × mult / 10^d rather than k × step: 3 × 0.2 is not 0.6 in floating point.
    let at = |k: i64| if mag < 1.0 { k as f64 * mult / (1.0 / mag).round() } else { k as f64 * step };
    ((lo / step).ceil() as i64..=(hi / step).floor() as i64).map(at).map(|v| if v == 0.0 { 0.0 } else { v }).collect()
}

/// A tick label with the decimals the step between `ticks` needs (none for whole steps).
pub fn step_label(v: f64, ticks: &[f64]) -> String {
    let step = match ticks {
        [a, b, ..] => b - a,
        _ => return tick(v, 1.0),
    };
    fixed(v, (-step.log10()).ceil().clamp(0.0, 6.0) as usize)
}

/// A numeric axis with its ticks exactly where given (and no light lines).
#[derive(Debug, Clone)]
pub struct Ticked {
    range: Range<f64>,
    ticks: Vec<f64>,
}

impl Ticked {
    /// An axis over `range` with ticks at `ticks`.
    pub fn new(range: Range<f64>, ticks: Vec<f64>) -> Ticked {
        Ticked { range, ticks }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let t = if span.abs() > 0.0 { (v - self.range.start) / span } else { 0.5 };
        limit.0 + (t * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() { Vec::new() } else { self.ticks.clone() }
    }

    fn range(&self) -> Range<f64> {
        self.range.clone()
    }
}

/// The label of the tick at `v`, from labelled positions.
fn label_at(ticks: &[(f64, String)], v: f64) -> String {
    ticks.iter().find(|t| (t.0 - v).abs() < 1e-9).map(|t| t.1.clone()).unwrap_or_default()
}

/// One axis of a [`Heatmap`]: a parameter cut into cells.
#[derive(Debug, Clone)]
pub struct HeatAxis {
    /// Axis label: the parameter's path.
    pub label: String,
    /// Number of cells.
    pub cells: usize,
    /// Labelled positions in cell units (cell `i` spans `i` to `i + 1`): cell
    /// centres for distinct values, cell edges for bins.
    pub ticks: Vec<(f64, String)>,
}

/// A measure over two parameters: one coloured cell per combination of
/// values (or of bins), with a colour bar.
#[derive(Debug, Clone)]
pub struct Heatmap {
    /// Title.
    pub title: String,
    /// Note under the chart (what a cell is).
    pub note: String,
    /// Horizontal axis.
    pub x: HeatAxis,
    /// Vertical axis.
    pub y: HeatAxis,
    /// Cell values, row by row from the bottom (`values[y][x]`); NaN: no runs, left blank.
    pub values: Vec<Vec<f64>>,
    /// Half-widths of the cells' 95% t-intervals, like `values` (NaN: fewer than two runs).
    pub halves: Vec<Vec<f64>>,
    /// Colour bar label: the measure, with its unit.
    pub scale_label: String,
}

impl Heatmap {
    /// The colour scale: from the smallest to the largest cell (padded if they are equal).
    pub fn range(&self) -> (f64, f64) {
        let cells = || self.values.iter().flatten().copied().filter(|v| v.is_finite());
        let lo = cells().fold(f64::INFINITY, f64::min);
        let hi = cells().fold(f64::NEG_INFINITY, f64::max);
        if lo > hi {
            (0.0, 1.0)
        } else if hi - lo < 1e-12 {
            padded([lo])
        } else {
            (lo, hi)
        }
    }

    /// The cells whose 95% interval is at least as wide as the colour range: (x, y).
    pub fn uncertain(&self) -> Vec<(usize, usize)> {
        let (lo, hi) = self.range();
        self.cells()
            .into_iter()
            .filter(|&(i, j, _)| {
                let h = self.halves.get(j).and_then(|r| r.get(i)).copied().unwrap_or(f64::NAN);
                h.is_finite() && 2.0 * h >= hi - lo
            })
            .map(|(i, j, _)| (i, j))
            .collect()
    }

    /// The cells with a value: (x, y, value).
    pub fn cells(&self) -> Vec<(usize, usize, f64)> {
        let mut out = Vec::new();
        for (j, row) in self.values.iter().enumerate() {
            for (i, &v) in row.iter().enumerate() {
                if v.is_finite() {
                    out.push((i, j, v));
                }
            }
        }
        out
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let plot = frame(root, &self.title, &[], &self.note)?;
        let (w, _) = plot.dim_in_pixel();
        let (main, bar) = plot.split_horizontally(w.saturating_sub(BAR_STRIP));
        let (nx, ny) = (self.x.cells.max(1) as f64, self.y.cells.max(1) as f64);
        let at = |a: &HeatAxis| a.ticks.iter().map(|t| t.0).collect::<Vec<f64>>();
        let mut chart =
            builder(&main).build_cartesian_2d(Ticked::new(0.0..nx, at(&self.x)), Ticked::new(0.0..ny, at(&self.y)))?;
        mesh(&mut chart)
            .disable_mesh()
            .x_desc(self.x.label.as_str())
            .y_desc(self.y.label.as_str())
            .x_label_formatter(&|v| label_at(&self.x.ticks, *v))
            .y_label_formatter(&|v| label_at(&self.y.ticks, *v))
            .draw()?;
        let (lo, hi) = self.range();
        let span = hi - lo;
        let shade = |v: f64| viridis((v - lo) / span);
        let cells = self.cells();
        let rect = |i: usize, j: usize| [(i as f64, j as f64), (i as f64 + 1.0, j as f64 + 1.0)];
        chart.draw_series(cells.iter().map(|&(i, j, v)| Rectangle::new(rect(i, j), shade(v).filled())))?;
        chart.draw_series(cells.iter().map(|&(i, j, _)| Rectangle::new(rect(i, j), WHITE.stroke_width(2))))?;
        // The values in the cells, where they fit.
        let (x0, y0) = chart.backend_coord(&(0.0, 0.0));
        let (x1, y1) = chart.backend_coord(&(1.0, 1.0));
        let ink = |v: f64| if (v - lo) / span < 0.6 { WHITE } else { BLACK };
        if x1 - x0 >= 60 && y0 - y1 >= 26 {
            let centre = Pos::new(HPos::Center, VPos::Center);
            chart.draw_series(cells.iter().map(|&(i, j, v)| {
                Text::new(tick(v, span), (i as f64 + 0.5, j as f64 + 0.5), small_font().color(&ink(v)).pos(centre))
            }))?;
        }
        // A ring in each cell whose own 95% interval is at least as wide as the colour range:
        // its colour says nothing its neighbours' does not.
        let r = ((x1 - x0).min(y0 - y1) / 6).clamp(3, 9);
        chart.draw_series(self.uncertain().into_iter().map(|(i, j)| {
            let v = self.values[j][i];
            EmptyElement::at((i as f64 + 0.5, j as f64 + 1.0)) + Circle::new((0, r + 3), r, ink(v).stroke_width(2))
        }))?;
        // The colour bar, level with the cells, labelled at its ends and quarters.
        let ticks: Vec<f64> = (0..=4).map(|k| lo + span * k as f64 / 4.0).collect();
        let mut cb = ChartBuilder::on(&bar)
            .margin_top(12)
            .margin_bottom(56)
            .margin_left(28)
            .margin_right(20)
            .right_y_label_area_size(92)
            .build_cartesian_2d(Ticked::new(0.0..1.0, Vec::new()), Ticked::new(lo..hi, ticks))?;
        mesh(&mut cb)
            .disable_mesh()
            .axis_desc_style(small_font())
            .y_desc(self.scale_label.as_str())
            .y_label_formatter(&|v| tick(*v, span))
            .draw()?;
        cb.draw_series((0..BAR_STEPS).map(|k| {
            let (a, b) = (k as f64 / BAR_STEPS as f64, (k + 1) as f64 / BAR_STEPS as f64);
            Rectangle::new([(0.0, lo + span * a), (1.0, lo + span * b)], viridis((a + b) / 2.0).filled())
        }))?;
        Ok(())
    }
}

/// One parameter's panel of [`Lines`].
#[derive(Debug, Clone)]
pub struct LinePanel {
    /// Horizontal axis label: the parameter's path.
    pub x_label: String,
    /// (x, mean, band low, band high), in order of x.
    pub points: Vec<(f64, f64, f64, f64)>,
    /// Labels of the values at x = 0, 1, ... if the parameter is not a
    /// number; empty if x is the parameter's value.
    pub categories: Vec<String>,
}

/// A measure over each varied parameter in turn: a line with a band, one panel per parameter.
#[derive(Debug, Clone)]
pub struct Lines {
    /// Title.
    pub title: String,
    /// Note under the legend (what the line and band are).
    pub note: String,
    /// Vertical axis label: the measure, with its unit.
    pub y_label: String,
    /// One panel per parameter.
    pub panels: Vec<LinePanel>,
}

impl Lines {
    fn columns(&self) -> usize {
        self.panels.len().clamp(1, 3)
    }

    /// Size in pixels: up to three panels a row.
    pub fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(3).max(1) as u32;
        if self.columns() == 1 { (960, 640) } else { (1320, 130 + 420 * rows) }
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let keys = [Key { label: "mean".into(), colour: colour(0), mark: Mark::Line }];
        let ranges = self.panels.iter().map(|panel| padded(panel.points.iter().flat_map(|p| [p.1, p.2, p.3])));
        let note = super::charts::with_zero_note(&self.note, ranges);
        let plot = frame(root, &self.title, &keys, &note)?;
        let cols = self.columns();
        let cells = plot.split_evenly((self.panels.len().div_ceil(cols).max(1), cols));
        for (panel, cell) in self.panels.iter().zip(&cells) {
            let categories = &panel.categories;
            let (x0, x1, xt) = if categories.is_empty() {
                let (a, b) = padded(panel.points.iter().map(|p| p.0));
                (a, b, nice_ticks(a, b, if cols == 1 { 8 } else { 5 }))
            } else {
                let n = categories.len();
                (-0.5, n as f64 - 0.5, (0..n).map(|i| i as f64).collect())
            };
            let (y0, y1) = padded(panel.points.iter().flat_map(|p| [p.1, p.2, p.3]));
            let sy = y1 - y0;
            let steps = xt.clone();
            let mut chart = ChartBuilder::on(cell)
                .margin(10)
                .margin_right(24)
                .x_label_area_size(52)
                .y_label_area_size(84)
                .build_cartesian_2d(Ticked::new(x0..x1, xt), y0..y1)?;
            mesh(&mut chart)
                .x_desc(panel.x_label.as_str())
                .y_desc(self.y_label.as_str())
                .axis_desc_style(small_font())
                .x_label_formatter(&|x| {
                    if categories.is_empty() {
                        step_label(*x, &steps)
                    } else {
                        categories.get(x.round().max(0.0) as usize).cloned().unwrap_or_default()
                    }
                })
                .y_label_formatter(&|y| tick(*y, sy))
                .draw()?;
            draw_bands(&mut chart, &[(colour(0), panel.points.clone())])?;
        }
        Ok(())
    }
}

/// Horizontal bars from zero, top to bottom in the order given, coloured by
/// sign, each labelled with its value.
#[derive(Debug, Clone)]
pub struct Bars {
    /// Title.
    pub title: String,
    /// A line under the title.
    pub subtitle: String,
    /// Note under the legend.
    pub note: String,
    /// Horizontal axis label.
    pub x_label: String,
    /// Legend labels of positive and of negative bars.
    pub signs: [String; 2],
    /// Label and value of each bar, top to bottom; NaN: no bar, the label says why.
    pub bars: Vec<(String, f64)>,
}

impl Bars {
    /// Size in pixels: taller with more bars.
    pub fn size(&self) -> (u32, u32) {
        (1040, (250 + 60 * self.bars.len() as u32).max(460))
    }

    /// The colour of a bar of this value.
    pub fn colour_of(v: f64) -> RGBColor {
        if v < 0.0 { colour(1) } else { colour(0) }
    }

    pub(super) fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let keys = [
            Key { label: self.signs[0].clone(), colour: Self::colour_of(1.0), mark: Mark::Square },
            Key { label: self.signs[1].clone(), colour: Self::colour_of(-1.0), mark: Mark::Square },
        ];
        let area = frame(root, &self.title, &keys, &self.note)?;
        let (w, _) = area.dim_in_pixel();
        let (sub, plot) = area.split_vertically(36);
        sub.draw(&Text::new(
            self.subtitle.clone(),
            (w as i32 / 2, 2),
            label_font().color(&RGBColor(60, 60, 60)).pos(Pos::new(HPos::Center, VPos::Top)),
        ))?;
        let n = self.bars.len().max(1);
        let m = self.bars.iter().map(|b| b.1.abs()).filter(|v| v.is_finite()).fold(1.0, f64::max) * 1.2;
        let widest = self.bars.iter().map(|b| b.0.chars().count()).max().unwrap_or(0) as u32;
        // Bar i (from the top) sits in the band n-1-i to n-i.
        let ticks: Vec<(f64, String)> =
            self.bars.iter().enumerate().map(|(i, b)| ((n - 1 - i) as f64 + 0.5, b.0.clone())).collect();
        let xt = nice_ticks(-m, m, 8);
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(16)
            .margin_right(40)
            .margin_top(8)
            .x_label_area_size(56)
            .y_label_area_size((widest * 10 + 30).clamp(120, 460))
            .build_cartesian_2d(
                Ticked::new(-m..m, xt.clone()),
                Ticked::new(0.0..n as f64, ticks.iter().map(|t| t.0).collect()),
            )?;
        mesh(&mut chart)
            .disable_y_mesh()
            .x_desc(self.x_label.as_str())
            .x_label_formatter(&|x| step_label(*x, &xt))
            .y_label_formatter(&|y| label_at(&ticks, *y))
            .draw()?;
        chart
            .draw_series(std::iter::once(PathElement::new(vec![(0.0, 0.0), (0.0, n as f64)], BLACK.stroke_width(1))))?;
        for (i, (_, v)) in self.bars.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            if v.is_finite() {
                let c = Self::colour_of(*v);
                chart.draw_series(std::iter::once(Rectangle::new([(0.0, y + 0.2), (*v, y + 0.8)], c.filled())))?;
                let (dx, h) = if *v < 0.0 { (-8, HPos::Right) } else { (8, HPos::Left) };
                chart.draw_series(std::iter::once(
                    EmptyElement::at((*v, y + 0.5))
                        + Text::new(
                            format!("{v:+.3}"),
                            (dx, 0),
                            TextStyle::from(label_font()).pos(Pos::new(h, VPos::Center)),
                        ),
                ))?;
            } else {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((0.0, y + 0.5))
                        + Text::new(
                            "not estimated: the parameter or the measure does not vary",
                            (8, 0),
                            small_font().color(&RGBColor(90, 90, 90)).pos(Pos::new(HPos::Left, VPos::Center)),
                        ),
                ))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_round_and_inside() {
        assert_eq!(nice_ticks(-0.1, 0.7, 5), vec![0.0, 0.2, 0.4, 0.6]);
        assert_eq!(nice_ticks(1.0, 6.0, 5), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(nice_ticks(2.0, 2.0, 5), vec![2.0]);
        assert_eq!(step_label(4.0, &[2.0, 4.0]), "4");
        assert_eq!(step_label(0.05, &[0.0, 0.05]), "0.05");
        assert_eq!(step_label(-0.0, &[0.0, 0.2]), "0.0");
    }
}
