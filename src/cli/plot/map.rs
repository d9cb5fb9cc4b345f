//! Maps of the region: neighbourhoods shaded by deprivation, schools as
//! circles sized by roll and coloured by effectiveness or disadvantaged
//! share. Drawn from replicate 0's written files.

use std::collections::{BTreeMap, HashMap};

use plotters::prelude::*;
use plotters::style::FontStyle;

use super::charts::{Area, DrawResult, label_font, small_font, tick, titled};
use super::data::RunData;

/// At most this many neighbourhood cells are drawn; larger regions are drawn on a coarser grid.
const MAX_CELLS: usize = 6_000;

/// Height of the legend strip under the maps, pixels.
const LEGEND_H: u32 = 150;

/// Plot width of one map panel, pixels.
const PANEL_W: u32 = 540;

/// What the colour of a school shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchoolColour {
    /// Share of pupils on roll who are disadvantaged.
    Disadvantaged,
    /// Effectiveness (value added a year, SD).
    Effectiveness,
}

impl SchoolColour {
    fn legend(self) -> &'static str {
        match self {
            SchoolColour::Disadvantaged => "School: share of pupils disadvantaged",
            SchoolColour::Effectiveness => "School: effectiveness (SD of value added a year)",
        }
    }
}

/// A neighbourhood cell: centre (km) and disadvantaged share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    /// Centre, km.
    pub x: f64,
    /// Centre, km.
    pub y: f64,
    /// Share of households disadvantaged.
    pub share: f64,
}

/// A school on a map.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SchoolMark {
    /// Position, km.
    pub x: f64,
    /// Position, km.
    pub y: f64,
    /// Pupils on roll.
    pub roll: f64,
    /// Effectiveness.
    pub effectiveness: f64,
    /// Disadvantaged share.
    pub disadvantaged: f64,
    /// Open this year.
    pub open: bool,
    /// Opened during the run.
    pub new: bool,
}

/// One panel: a year of the map.
#[derive(Debug, Clone)]
pub struct MapPanel {
    /// Panel title.
    pub title: String,
    /// Neighbourhood cells.
    pub cells: Vec<Cell>,
    /// Side of a cell, km.
    pub cell_km: f64,
    /// Schools.
    pub schools: Vec<SchoolMark>,
    /// What school colour shows.
    pub colour_by: SchoolColour,
}

/// A map figure: panels side by side, sharing their scales.
#[derive(Debug, Clone)]
pub struct MapFigure {
    /// Title.
    pub title: String,
    /// Note under the legend.
    pub note: String,
    /// Panels.
    pub panels: Vec<MapPanel>,
    /// (x0, x1, y0, y1), km.
    pub extent: (f64, f64, f64, f64),
    /// Colour and size scales shared with other maps of one report (see
    /// [`share_scales`]); `None` fits them to this map alone.
    pub shared: Option<Scales>,
}

impl MapFigure {
    fn plot_height(&self) -> u32 {
        let (x0, x1, y0, y1) = self.extent;
        let aspect = ((y1 - y0) / (x1 - x0).max(1e-9)).clamp(0.3, 2.0);
        (f64::from(PANEL_W) * aspect) as u32
    }

    /// Size in pixels.
    pub fn size(&self) -> (u32, u32) {
        let n = self.panels.len().max(1) as u32;
        (n * (PANEL_W + 100) + 20, 60 + 40 + self.plot_height() + 50 + LEGEND_H)
    }

    fn scales(&self) -> Scales {
        self.shared.unwrap_or_else(|| self.own_scales())
    }

    /// The scales that fit this map alone.
    pub fn own_scales(&self) -> Scales {
        let all = || self.panels.iter().flat_map(|p| p.schools.iter());
        let max = |v: &mut dyn Iterator<Item = f64>| v.filter(|x| x.is_finite()).fold(0.0f64, f64::max);
        let dep = max(&mut self.panels.iter().flat_map(|p| p.cells.iter().map(|c| c.share)));
        let roll = max(&mut all().map(|s| s.roll)).max(1.0);
        let eff = max(&mut all().map(|s| s.effectiveness.abs())).max(1e-6);
        let dis = max(&mut all().map(|s| s.disadvantaged));
        // The largest circle shrinks as schools crowd the panel.
        let n = self.panels.iter().map(|p| p.schools.len()).max().unwrap_or(1).max(1) as f64;
        let r_max = (0.45 * f64::from(PANEL_W) / n.sqrt()).clamp(4.0, 16.0);
        Scales { r_max, dep: nice_ceiling(dep), roll, eff: nice_ceiling(eff), dis: nice_ceiling(dis) }
    }

    /// Draw the map.
    pub fn draw<DB: DrawingBackend>(&self, root: &Area<DB>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let area = titled(root, &self.title)?;
        let (_, h) = area.dim_in_pixel();
        let (maps, legend) = area.split_vertically(h.saturating_sub(LEGEND_H));
        let sc = self.scales();
        let (x0, x1, y0, y1) = self.extent;
        for (panel, cell) in self.panels.iter().zip(maps.split_evenly((1, self.panels.len().max(1)))) {
            let mut chart = ChartBuilder::on(&cell)
                .caption(&panel.title, label_font().style(FontStyle::Bold))
                .margin(10)
                .x_label_area_size(44)
                .y_label_area_size(56)
                .build_cartesian_2d(x0..x1, y0..y1)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc("km east")
                .y_desc("km north")
                .axis_desc_style(small_font())
                .label_style(small_font())
                .x_label_formatter(&|x| format!("{x:.0}"))
                .y_label_formatter(&|y| format!("{y:.0}"))
                .draw()?;
            let half = panel.cell_km / 2.0;
            chart.draw_series(panel.cells.iter().map(|c| {
                Rectangle::new([(c.x - half, c.y - half), (c.x + half, c.y + half)], greys(c.share / sc.dep).filled())
            }))?;
            chart.draw_series(
                panel
                    .schools
                    .iter()
                    .filter(|s| !s.open)
                    .map(|s| Cross::new((s.x, s.y), 5, RGBColor(60, 60, 60).stroke_width(2))),
            )?;
            let mut open: Vec<&SchoolMark> = panel.schools.iter().filter(|s| s.open).collect();
            open.sort_by(|a, b| b.roll.total_cmp(&a.roll)); // small schools on top
            chart.draw_series(open.into_iter().map(|s| {
                let fill = match panel.colour_by {
                    SchoolColour::Disadvantaged => viridis(s.disadvantaged / sc.dis),
                    SchoolColour::Effectiveness => diverging(s.effectiveness / sc.eff),
                };
                let r = radius(s.roll, sc.roll, sc.r_max);
                EmptyElement::at((s.x, s.y))
                    + Circle::new((0, 0), r, fill.filled())
                    + Circle::new((0, 0), r, BLACK.stroke_width(1))
            }))?;
            // Schools opened during the run: a red ring around the circle.
            chart.draw_series(panel.schools.iter().filter(|s| s.open && s.new).map(|s| {
                let r = radius(s.roll, sc.roll, sc.r_max) + 3;
                EmptyElement::at((s.x, s.y)) + Circle::new((0, 0), r, RGBColor(200, 30, 30).stroke_width(2))
            }))?;
        }
        self.draw_legend(&legend, &sc)
    }

    fn draw_legend<DB: DrawingBackend>(&self, area: &Area<DB>, sc: &Scales) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let mut kinds: Vec<SchoolColour> = self.panels.iter().map(|p| p.colour_by).collect();
        kinds.dedup();
        let mut x = 24;
        x += colour_bar(area, x, "Neighbourhood: share of households disadvantaged", sc.dep, &|t| greys(t), false)?;
        for k in kinds {
            x += match k {
                SchoolColour::Disadvantaged => colour_bar(area, x, k.legend(), sc.dis, &|t| viridis(t), false)?,
                SchoolColour::Effectiveness => colour_bar(area, x, k.legend(), sc.eff, &|t| diverging(t), true)?,
            };
        }
        let font = small_font().color(&BLACK);
        let (y, mut cx) = (84, 24);
        area.draw(&Text::new("Circle area: pupils on roll", (cx, y + 8), font.clone()))?;
        cx += area.estimate_text_size("Circle area: pupils on roll", &font)?.0 as i32 + 16;
        for roll in [sc.roll / 4.0, sc.roll] {
            let r = radius(roll, sc.roll, sc.r_max);
            area.draw(&Circle::new((cx + r, y + 16), r, BLACK.stroke_width(1)))?;
            area.draw(&Text::new(format!("{roll:.0}"), (cx + 2 * r + 6, y + 8), font.clone()))?;
            cx += 2 * r + 60;
        }
        area.draw(&Cross::new((cx + 6, y + 16), 5, RGBColor(60, 60, 60).stroke_width(2)))?;
        area.draw(&Text::new("closed school", (cx + 18, y + 8), font.clone()))?;
        if self.panels.iter().any(|p| p.schools.iter().any(|s| s.new)) {
            cx += 18 + area.estimate_text_size("closed school", &font)?.0 as i32 + 30;
            area.draw(&Circle::new((cx + 6, y + 16), 7, RGBColor(200, 30, 30).stroke_width(2)))?;
            area.draw(&Text::new("opened during the run", (cx + 18, y + 8), font))?;
        }
        if !self.note.is_empty() {
            area.draw(&Text::new(self.note.clone(), (24, 126), small_font().color(&RGBColor(70, 70, 70))))?;
        }
        Ok(())
    }
}

/// The colour and size scales of a map: the top of each colour bar and the
/// largest circle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scales {
    /// Radius of the largest circle, pixels.
    pub r_max: f64,
    /// Top of the neighbourhood deprivation scale.
    pub dep: f64,
    /// Roll drawn as the largest circle.
    pub roll: f64,
    /// Effectiveness at either end of the diverging scale.
    pub eff: f64,
    /// Top of the schools' disadvantaged-share scale.
    pub dis: f64,
}

/// Give every map one set of scales, wide enough for all of them, so maps
/// shown side by side in one report compare colour for colour.
pub fn share_scales<'a>(maps: impl IntoIterator<Item = &'a mut MapFigure>) {
    let mut maps: Vec<&mut MapFigure> = maps.into_iter().collect();
    let own: Vec<Scales> = maps.iter().map(|m| m.own_scales()).collect();
    let Some(first) = own.first().copied() else { return };
    let all = own.iter().fold(first, |a, b| Scales {
        r_max: a.r_max.min(b.r_max),
        dep: a.dep.max(b.dep),
        roll: a.roll.max(b.roll),
        eff: a.eff.max(b.eff),
        dis: a.dis.max(b.dis),
    });
    for m in &mut maps {
        m.shared = Some(all);
    }
}

/// A colour bar with a label, drawn at `x` in a legend strip; `symmetric` bars run from `-max` to `max`.
/// Returns the width it took.
fn colour_bar<DB: DrawingBackend>(
    area: &Area<DB>,
    x: i32,
    label: &str,
    max: f64,
    ramp: &dyn Fn(f64) -> RGBColor,
    symmetric: bool,
) -> DrawResult<i32>
where
    DB::ErrorType: 'static,
{
    let font = small_font().color(&BLACK);
    area.draw(&Text::new(label.to_string(), (x, 8), font.clone()))?;
    let (w, y) = (240, 34);
    for i in 0..w {
        let t = f64::from(i) / f64::from(w - 1);
        let t = if symmetric { 2.0 * t - 1.0 } else { t };
        area.draw(&Rectangle::new([(x + i, y), (x + i + 1, y + 18)], ramp(t).filled()))?;
    }
    area.draw(&Rectangle::new([(x, y), (x + w, y + 18)], BLACK.stroke_width(1)))?;
    let lo = if symmetric { -max } else { 0.0 };
    let span = max - lo;
    for (t, v) in [(0.0, lo), (0.5, (lo + max) / 2.0), (1.0, max)] {
        let px = x + (t * f64::from(w)) as i32;
        let text = tick(v, span);
        let (tw, _) = area.estimate_text_size(&text, &font)?;
        area.draw(&Text::new(text, (px - tw as i32 / 2, y + 24), font.clone()))?;
    }
    let (lw, _) = area.estimate_text_size(label, &font)?;
    Ok(w.max(lw as i32) + 48)
}

/// A value rounded up to one or two significant steps (for scale maxima).
fn nice_ceiling(v: f64) -> f64 {
    if v.is_nan() || v <= 0.0 || !v.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor() - 1.0);
    (v / p).ceil() * p
}

/// Circle radius (pixels) for a roll: area proportional to pupils, `r_max` for the largest.
fn radius(roll: f64, max: f64, r_max: f64) -> i32 {
    (1.5 + (r_max - 1.5) * (roll.max(0.0) / max).sqrt()).round() as i32
}

fn lerp(stops: &[(u8, u8, u8)], t: f64) -> RGBColor {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let n = stops.len() - 1;
    let f = t * n as f64;
    let i = (f.floor() as usize).min(n - 1);
    let u = f - i as f64;
    let (a, b) = (stops[i], stops[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + u * (f64::from(q) - f64::from(p))).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Light to dark grey, for neighbourhood deprivation (0..1).
fn greys(t: f64) -> RGBColor {
    lerp(&[(250, 250, 250), (190, 190, 190), (105, 105, 105)], t)
}

/// Viridis (0..1; van der Walt and Smith's colour map for matplotlib):
/// ordered in lightness, readable in grey and with colour-blindness. For the
/// disadvantaged share, and for sweeps' heatmaps.
pub fn viridis(t: f64) -> RGBColor {
    lerp(&[(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)], t)
}

/// Red (below 0) through white to blue (above 0), for effectiveness (-1..1).
fn diverging(t: f64) -> RGBColor {
    lerp(&[(178, 24, 43), (239, 138, 98), (247, 247, 247), (103, 169, 207), (33, 102, 172)], (t + 1.0) / 2.0)
}

/// The neighbourhood cells of the latest snapshot at or before `year`,
/// on a coarser grid if there are too many to draw.
fn cells(run: &RunData, year: u32) -> (Vec<Cell>, f64) {
    let snap = run.neighbourhoods.iter().map(|n| n.year).filter(|&y| y <= year).max();
    let rows: Vec<_> = run.neighbourhoods.iter().filter(|n| Some(n.year) == snap).collect();
    let cell = run.cell_km;
    if rows.len() <= MAX_CELLS {
        return (rows.iter().map(|n| Cell { x: n.x_km, y: n.y_km, share: n.disadvantaged_share }).collect(), cell);
    }
    let k = (rows.len() as f64 / MAX_CELLS as f64).sqrt().ceil();
    let big = cell * k;
    let mut bins: BTreeMap<(i64, i64), (f64, f64)> = BTreeMap::new();
    for n in rows {
        let key = ((n.x_km / big).floor() as i64, (n.y_km / big).floor() as i64);
        let e = bins.entry(key).or_default();
        e.0 += n.households * n.disadvantaged_share;
        e.1 += n.households;
    }
    let out = bins
        .into_iter()
        .filter(|(_, (_, h))| *h > 0.0)
        .map(|((i, j), (d, h))| Cell { x: (i as f64 + 0.5) * big, y: (j as f64 + 0.5) * big, share: d / h })
        .collect();
    (out, big)
}

/// The schools of replicate 0 in `year`.
fn schools(run: &RunData, year: u32) -> Vec<SchoolMark> {
    let sites: HashMap<u32, (f64, f64, u32)> =
        run.sites.iter().map(|s| (s.school, (s.x_km, s.y_km, s.opened))).collect();
    run.schools
        .iter()
        .filter(|s| s.year == year)
        .filter_map(|s| {
            let &(x, y, opened) = sites.get(&s.school)?;
            Some(SchoolMark {
                x,
                y,
                roll: f64::from(s.roll),
                effectiveness: s.effectiveness.unwrap_or(f64::NAN),
                disadvantaged: s.disadvantaged_share.unwrap_or(f64::NAN),
                open: s.open != 0,
                new: opened > 0,
            })
        })
        .collect()
}

fn extent(run: &RunData) -> (f64, f64, f64, f64) {
    let half = run.cell_km / 2.0;
    let xs = run.neighbourhoods.iter().map(|n| n.x_km).chain(run.sites.iter().map(|s| s.x_km));
    let ys = run.neighbourhoods.iter().map(|n| n.y_km).chain(run.sites.iter().map(|s| s.y_km));
    let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let (y0, y1) = ys.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    if x0 > x1 || y0 > y1 {
        return (0.0, 1.0, 0.0, 1.0);
    }
    ((x0 - half).min(0.0), x1 + half, (y0 - half).min(0.0), y1 + half)
}

fn panel(run: &RunData, year: u32, title: String, colour_by: SchoolColour) -> MapPanel {
    let (cells, cell_km) = cells(run, year);
    MapPanel { title, cells, cell_km, schools: schools(run, year), colour_by }
}

const NOTE: &str = "Replicate 0. Neighbourhoods shaded by deprivation; schools drawn at their sites.";

/// The first and last year side by side, schools coloured by disadvantaged share.
pub fn first_last(run: &RunData) -> Option<MapFigure> {
    let years = run.years();
    let (&first, &last) = (years.first()?, years.last()?);
    if run.sites.is_empty() {
        return None;
    }
    let c = SchoolColour::Disadvantaged;
    Some(MapFigure {
        title: format!("{}: the region in year {first} and year {last}", run.name),
        note: NOTE.to_string(),
        panels: vec![panel(run, first, format!("Year {first}"), c), panel(run, last, format!("Year {last}"), c)],
        extent: extent(run),
        shared: None,
    })
}

/// One year, schools coloured by disadvantaged share (left) and by effectiveness (right).
pub fn year(run: &RunData, year: u32) -> Option<MapFigure> {
    if run.sites.is_empty() || !run.schools.iter().any(|s| s.year == year) {
        return None;
    }
    Some(MapFigure {
        title: format!("{}: the region in year {year}", run.name),
        note: NOTE.to_string(),
        panels: vec![
            panel(run, year, format!("Year {year}: intake"), SchoolColour::Disadvantaged),
            panel(run, year, format!("Year {year}: effectiveness"), SchoolColour::Effectiveness),
        ],
        extent: extent(run),
        shared: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_and_scales() {
        assert_eq!(greys(0.0), RGBColor(250, 250, 250));
        assert_eq!(greys(1.0), RGBColor(105, 105, 105));
        assert_eq!(diverging(0.0), RGBColor(247, 247, 247));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
        assert!((nice_ceiling(0.432) - 0.44).abs() < 1e-12);
        assert_eq!(radius(400.0, 400.0, 16.0), 16);
        assert_eq!(radius(100.0, 400.0, 16.0), 9); // a quarter of the pupils: half the radius above the floor
        assert_eq!(radius(0.0, 400.0, 16.0), 2);
    }
}
