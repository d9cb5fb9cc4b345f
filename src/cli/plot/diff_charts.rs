//! The headline charts of a comparison: paired differences from the
//! baseline with their 95% intervals, per measure, in the final year and over
//! time. Common random numbers make these the quantities a comparison can
//! resolve; side-by-side intervals of each scenario cannot show them.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::charts::{
    Area, DrawResult, Mark, draw_bands, frame, label_font, mesh, padded, scenario_keys, small_font, tick,
};
use super::data::Difference;

/// Decimals a difference is labelled with: at least 3, and enough for the
/// first significant digit of its interval's half-width (at most 6).
pub fn decimals(half: f64) -> usize {
    if !(half.is_finite() && half > 0.0) {
        return 3;
    }
    (-half.log10().floor()).clamp(3.0, 6.0) as usize
}

/// A difference as a label: `+0.021 [0.014, 0.028]` (no interval with one pair).
pub fn label(mean: f64, half: f64) -> String {
    if !mean.is_finite() {
        return "–".to_string();
    }
    let d = decimals(half);
    let m = super::charts::fixed(mean, d);
    let m = if m.starts_with('-') || m.trim_start_matches(['0', '.']).is_empty() { m } else { format!("+{m}") };
    if half.is_finite() {
        format!("{m} [{}, {}]", super::charts::fixed(mean - half, d), super::charts::fixed(mean + half, d))
    } else {
        m
    }
}

/// One scenario's differences in one measure: (year, mean, low, high).
#[derive(Debug, Clone)]
pub struct DiffSeries {
    /// Scenario.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
    /// (year, mean, interval low, interval high).
    pub points: Vec<(u32, f64, f64, f64)>,
}

/// One measure's panel.
#[derive(Debug, Clone)]
pub struct DiffPanel {
    /// Measure title.
    pub title: String,
    /// Axis label: the difference and its unit.
    pub y_label: String,
    /// One series per scenario compared with the baseline.
    pub series: Vec<DiffSeries>,
}

/// Paired differences from the baseline: a panel per measure, a line with
/// its interval per scenario, and a line at zero ("no difference").
/// With `over_time` false only the last year is drawn, as a dot with its
/// interval and the value written beside it.
#[derive(Debug, Clone)]
pub struct Differences {
    /// Title.
    pub title: String,
    /// Note under the legend.
    pub note: String,
    /// Over the years (true) or the final year alone (false).
    pub over_time: bool,
    /// Panels.
    pub panels: Vec<DiffPanel>,
}

/// The panels of a set of differences (in the order [`super::data::differences`] gives).
pub fn panels(diffs: &[Difference], names: &[String], colours: &[RGBColor]) -> Vec<DiffPanel> {
    let mut out: Vec<DiffPanel> = Vec::new();
    for d in diffs {
        if out.last().is_none_or(|p| p.title != d.measure.title) {
            out.push(DiffPanel {
                title: d.measure.title.to_string(),
                y_label: format!("Difference: {}", d.measure.axis),
                series: Vec::new(),
            });
        }
        let Some(panel) = out.last_mut() else { continue };
        if panel.series.last().is_none_or(|s| s.label != d.scenario) {
            let colour = names.iter().position(|n| *n == d.scenario).and_then(|i| colours.get(i).copied());
            panel.series.push(DiffSeries {
                label: d.scenario.clone(),
                colour: colour.unwrap_or(BLACK),
                points: Vec::new(),
            });
        }
        if let Some(s) = panel.series.last_mut() {
            s.points.push((d.year, d.mean, d.mean - d.half, d.mean + d.half));
        }
    }
    out
}

impl Differences {
    /// Size in pixels.
    pub fn size(&self) -> (u32, u32) {
        if self.over_time {
            (1320, 170 + 400 * self.panels.len().div_ceil(3).max(1) as u32)
        } else {
            let n = self.panels.first().map_or(1, |p| p.series.len()).max(1) as u32;
            (1320, 170 + self.panels.len().max(1) as u32 * (112 + 40 * n))
        }
    }

    /// Draw on a drawing area of any backend.
    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (names, colours): (Vec<String>, Vec<RGBColor>) = self
            .panels
            .first()
            .map(|p| p.series.iter().map(|s| (s.label.clone(), s.colour)).unzip())
            .unwrap_or_default();
        let keys = scenario_keys(&names, &colours, if self.over_time { Mark::Line } else { Mark::Dot });
        let plot = frame(root, &self.title, &keys, &self.note)?;
        if self.over_time {
            let cells = plot.split_evenly((self.panels.len().div_ceil(3).max(1), 3));
            for (panel, cell) in self.panels.iter().zip(&cells) {
                draw_over_time(panel, cell)?;
            }
        } else {
            let cells = plot.split_evenly((self.panels.len().max(1), 1));
            for (panel, cell) in self.panels.iter().zip(&cells) {
                draw_final(panel, cell)?;
            }
        }
        Ok(())
    }
}

/// The vertical range of a panel: its values and intervals, and always zero.
fn y_range(panel: &DiffPanel, last_only: bool) -> (f64, f64) {
    let pts = panel.series.iter().flat_map(|s| {
        let from = if last_only { s.points.len().saturating_sub(1) } else { 0 };
        s.points[from..].iter().flat_map(|p| [p.1, p.2, p.3])
    });
    padded(pts.chain([0.0]))
}

fn draw_over_time<DB: DrawingBackend>(panel: &DiffPanel, cell: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let years: Vec<u32> = panel.series.iter().flat_map(|s| s.points.iter().map(|p| p.0)).collect();
    let (first, last) = (years.iter().min().copied().unwrap_or(1), years.iter().max().copied().unwrap_or(1));
    let (x0, x1) = if first == last { (first as i32 - 1, last as i32 + 1) } else { (first as i32, last as i32) };
    let (y0, y1) = y_range(panel, false);
    let mut chart = ChartBuilder::on(cell)
        .caption(&panel.title, label_font().style(FontStyle::Bold))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(84)
        .build_cartesian_2d(x0..x1, y0..y1)?;
    let span = y1 - y0;
    mesh(&mut chart)
        .x_desc("Year")
        .y_desc(panel.y_label.as_str())
        .axis_desc_style(small_font())
        .x_labels((x1 - x0 + 1).min(8) as usize)
        .y_label_formatter(&|y| tick(*y, span))
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(vec![(x0, 0.0), (x1, 0.0)], BLACK.stroke_width(2))))?;
    let bands: Vec<_> = panel
        .series
        .iter()
        .map(|s| (s.colour, s.points.iter().map(|&(y, m, lo, hi)| (y as i32, m, lo, hi)).collect()))
        .collect();
    draw_bands(&mut chart, &bands)
}

/// A forest plot of one measure: a row per scenario, the difference across,
/// the value written at the right.
fn draw_final<DB: DrawingBackend>(panel: &DiffPanel, cell: &Area<DB>) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let n = panel.series.len().max(1) as i32;
    let (x0, x1) = y_range(panel, true);
    let (width, _) = cell.dim_in_pixel();
    let label_x = width as i32 - 300;
    // The title is centred over the plotting area, not over the whole cell
    // (whose right part holds the values), so it sits above its own panel.
    let (head, body) = cell.split_vertically(34);
    let mut chart = ChartBuilder::on(&body)
        .margin_left(10)
        .margin_right(310)
        .x_label_area_size(44)
        .y_label_area_size(220)
        .build_cartesian_2d(x0..x1, (0..n - 1).into_segmented())?;
    let span = x1 - x0;
    let names: Vec<String> = panel.series.iter().map(|s| s.label.clone()).collect();
    mesh(&mut chart)
        .disable_y_mesh()
        .x_desc(panel.y_label.as_str())
        .axis_desc_style(small_font())
        .x_label_formatter(&|x| tick(*x, span))
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) => names.get((n - 1 - *i) as usize).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Last)],
        BLACK.stroke_width(2),
    )))?;
    let (plot_x, _) = chart.plotting_area().get_pixel_range();
    let (head_x, _) = head.get_base_pixel();
    let title = label_font().style(FontStyle::Bold).color(&BLACK).pos(Pos::new(HPos::Center, VPos::Bottom));
    head.draw(&Text::new(panel.title.as_str(), ((plot_x.start + plot_x.end) / 2 - head_x, 30), title))?;
    let font = small_font().color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
    for (i, s) in panel.series.iter().enumerate() {
        let Some(&(_, mean, lo, hi)) = s.points.last() else { continue };
        if !mean.is_finite() {
            continue;
        }
        let c = s.colour;
        // The first scenario on top.
        let row = n - 1 - i as i32;
        let at = |v: f64| (v, SegmentValue::CenterOf(row));
        if lo.is_finite() && hi.is_finite() {
            let cap = |v: f64| EmptyElement::at(at(v)) + PathElement::new(vec![(0, -10), (0, 10)], c.stroke_width(3));
            chart.draw_series([cap(lo), cap(hi)])?;
            chart.draw_series(std::iter::once(PathElement::new(vec![at(lo), at(hi)], c.stroke_width(3))))?;
        }
        chart.draw_series(std::iter::once(EmptyElement::at(at(mean)) + Circle::new((0, 0), 7, c.filled())))?;
        let (_, y) = chart.backend_coord(&at(mean));
        let (_, top) = cell.get_base_pixel();
        cell.draw(&Text::new(label(mean, (hi - lo) / 2.0), (label_x, y - top), font.clone()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_carry_sign_and_enough_decimals() {
        assert_eq!(label(0.021, 0.007), "+0.021 [0.014, 0.028]");
        assert_eq!(label(-0.5, f64::NAN), "-0.500");
        assert_eq!(label(0.0, 0.1), "0.000 [-0.100, 0.100]");
        assert_eq!(label(0.00012, 0.00004), "+0.00012 [0.00008, 0.00016]");
        assert_eq!(decimals(0.0), 3);
    }
}
