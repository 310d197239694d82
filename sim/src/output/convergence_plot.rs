//! The convergence plot: one panel per quantity the loop records (output level, exposure
//! time, analogue gain, neutral error, colour gains, colour temperature) against the frame,
//! with axes in their units, a legend and the run's events as vertical lines. Drawn once as
//! SVG and once as PNG from the same description.
//!
//! Text is laid out and rasterised with a TrueType font read at run time (Debian's
//! fonts-dejavu-core), so that no system font library is needed at build time.

use crate::metrics::{AE_TARGET, CONVERGED_DEG};
use crate::run::{Event, FrameRecord};
use anyhow::{anyhow, Context, Result};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The font the plots are drawn with (Debian's fonts-dejavu-core).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
/// Environment variable that names another TrueType or OpenType font.
pub const FONT_ENV: &str = "SIM_PLOT_FONT";

const FONT: &str = "sans-serif";
const SIZE: (u32, u32) = (1400, 1080);
const TITLE_HEIGHT: u32 = 44;
const COLUMNS: usize = 2;
/// Vertical pixels that a panel spends outside its plotting area (caption, frame labels,
/// margins), used to reserve room for the legend above the data.
const PANEL_CHROME: f64 = 95.0;
const LEGEND_ROW: f64 = 21.0;

/// A frame at which the scene changed, drawn as a vertical line.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    pub frame: usize,
    /// Legend text, e.g. "light → A at frame 30".
    pub label: String,
}

impl Marker {
    pub fn from_event(frame: usize, e: &Event) -> Self {
        let what = match e {
            Event::Brightness(factor) => format!("brightness {:+.1} EV", factor.log2()),
            Event::Illuminant(light) => format!("light → {light}"),
            Event::Scene(_) => "scene change".to_string(),
        };
        Marker { frame, label: format!("{what} at frame {frame}") }
    }
}

/// Where the font comes from: $SIM_PLOT_FONT or [`DEFAULT_FONT`].
pub fn font_path() -> PathBuf {
    std::env::var_os(FONT_ENV).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(DEFAULT_FONT))
}

/// Reads the plots' font once and registers it with plotters. A missing or unreadable font
/// is an error that says how to install one.
pub fn load_font() -> Result<()> {
    static LOADED: OnceLock<Result<(), String>> = OnceLock::new();
    LOADED.get_or_init(|| register(&font_path())).clone().map_err(|e| anyhow!(e))
}

fn register(path: &Path) -> Result<(), String> {
    let bytes = read_font(path)?;
    // plotters keeps fonts for the life of the program; this runs once.
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    plotters::style::register_font(FONT, FontStyle::Normal, bytes)
        .map_err(|_| format!("{} is not a TrueType or OpenType font (the plots need one; see {FONT_ENV})", path.display()))
}

/// The font file's bytes, or an error naming the file and how to get one.
pub fn read_font(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| {
        format!(
            "the plots need the font {} ({e}): install it with `apt-get install fonts-dejavu-core`, or set {FONT_ENV} to another TrueType font",
            path.display()
        )
    })
}

/// Writes the plot as SVG to `svg` and as PNG to `png`.
pub fn write(svg: &Path, png: &Path, title: &str, recs: &[FrameRecord], markers: &[Marker]) -> Result<()> {
    load_font()?;
    let panels = panels(recs);
    let frames = recs.len();

    let mut text = String::new();
    draw(SVGBackend::with_string(&mut text, SIZE).into_drawing_area(), title, &panels, markers, frames)?;
    std::fs::write(svg, text).with_context(|| format!("writing {}", svg.display()))?;

    let mut rgb = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    draw(BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area(), title, &panels, markers, frames)?;
    super::write_rgb_png(png, SIZE.0 as usize, SIZE.1 as usize, &rgb)
}

/// One line of a panel.
struct Series {
    label: String,
    colour: RGBColor,
    /// Line width in pixels.
    width: u32,
    /// A reference (target, threshold) rather than a measurement: drawn dashed.
    reference: bool,
    points: Vec<(f64, f64)>,
}

struct Panel {
    caption: &'static str,
    y_desc: &'static str,
    /// The y axis starts at 0 (levels, times, gains); otherwise it fits the data.
    from_zero: bool,
    /// A shaded horizontal band (low, high, legend text).
    band: Option<(f64, f64, String)>,
    series: Vec<Series>,
}

const BLUE_: RGBColor = RGBColor(31, 100, 190);
const ORANGE: RGBColor = RGBColor(220, 110, 20);
const GREEN_: RGBColor = RGBColor(30, 140, 60);
const RED_: RGBColor = RGBColor(200, 40, 40);
const PURPLE: RGBColor = RGBColor(120, 70, 170);
const PALE_ORANGE: RGBColor = RGBColor(245, 185, 120);
const GREY: RGBColor = RGBColor(110, 110, 110);
const BAND: RGBColor = RGBColor(205, 240, 205);

fn panels(recs: &[FrameRecord]) -> Vec<Panel> {
    let per_frame = |f: &dyn Fn(&FrameRecord) -> Option<f64>| -> Vec<(f64, f64)> {
        recs.iter().filter_map(|r| f(r).filter(|v| v.is_finite()).map(|v| (r.frame as f64, v))).collect()
    };
    let measured = |label: &str, colour, points| Series { label: label.into(), colour, width: 2, reference: false, points };
    let last_frame = recs.last().map_or(1.0, |r| r.frame as f64);
    let level = |label: &str, colour, y: f64| Series { label: label.into(), colour, width: 2, reference: true, points: vec![(0.0, y), (last_frame, y)] };

    let settled = super::settled_luminance(recs);
    let mut luminance = vec![measured("mean luminance", BLUE_, per_frame(&|r| Some(r.mean_luminance)))];
    let subject = per_frame(&|r| r.subject_luminance);
    if !subject.is_empty() {
        luminance.push(measured("subject luminance", PURPLE, subject));
    }
    luminance.push(level(&format!("AE target ({AE_TARGET})"), GREY, AE_TARGET));

    // The frame duration goes first, wide and pale, so that an exposure as long as the
    // frame stays visible on top of it.
    let durations = per_frame(&|r| r.frame_duration_us.map(|d| d / 1000.0));
    let mut times = Vec::new();
    if !durations.is_empty() {
        times.push(Series { width: 5, ..measured("frame duration", PALE_ORANGE, durations) });
    }
    times.push(measured("exposure time", BLUE_, per_frame(&|r| Some(r.exposure_us / 1000.0))));

    vec![
        Panel {
            caption: "Output level",
            y_desc: "linear luminance (0–1 = full scale)",
            from_zero: true,
            band: (settled > 0.0).then(|| (settled * 0.95, settled * 1.05, "settled level ±5%".to_string())),
            series: luminance,
        },
        Panel { caption: "Exposure", y_desc: "time (ms)", from_zero: true, band: None, series: times },
        Panel {
            caption: "Analogue gain",
            y_desc: "gain (×)",
            from_zero: true,
            band: None,
            series: vec![measured("analogue gain", BLUE_, per_frame(&|r| Some(r.gain)))],
        },
        Panel {
            caption: "Neutral error (grey patches)",
            y_desc: "angle to the grey axis (°)",
            from_zero: true,
            band: None,
            series: vec![
                measured("worst patch", RED_, per_frame(&|r| Some(r.neutral_max_deg))),
                measured("mean of patches", ORANGE, per_frame(&|r| Some(r.neutral_mean_deg))),
                level(&format!("converged ({CONVERGED_DEG}°)"), GREY, CONVERGED_DEG),
            ],
        },
        Panel {
            caption: "Colour gains",
            y_desc: "gain (×)",
            from_zero: true,
            band: None,
            series: vec![
                measured("red gain", RED_, per_frame(&|r| Some(r.colour_gains[0]))),
                measured("blue gain", BLUE_, per_frame(&|r| Some(r.colour_gains[1]))),
            ],
        },
        Panel {
            caption: "Colour temperature",
            y_desc: "colour temperature (K)",
            from_zero: false,
            band: None,
            series: vec![measured("estimated by AWB", GREEN_, per_frame(&|r| Some(r.colour_temperature)))],
        },
    ]
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, title: &str, panels: &[Panel], markers: &[Marker], frames: usize) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let (head, body) = root.split_vertically(TITLE_HEIGHT);
    head.draw_text(title, &(FONT, 22).into_text_style(&head), (20, 12))?;
    let rows = panels.len().div_ceil(COLUMNS);
    for (area, panel) in body.split_evenly((rows, COLUMNS)).iter().zip(panels) {
        draw_panel(area, panel, markers, frames)?;
    }
    root.present()?;
    Ok(())
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Panel, markers: &[Marker], frames: usize) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let last_frame = frames.saturating_sub(1).max(1) as f64;
    let legend_rows = p.series.len() + usize::from(p.band.is_some()) + markers.len();
    let plot_height = (area.dim_in_pixel().1 as f64 - PANEL_CHROME).max(40.0);
    let (low, high) = y_range(p, legend_rows as f64 * LEGEND_ROW + 12.0, plot_height);

    let mut chart = ChartBuilder::on(area)
        .caption(p.caption, (FONT, 18))
        .margin(8)
        .margin_right(20)
        .x_label_area_size(42)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..last_frame, low..high)?;
    chart
        .configure_mesh()
        .x_desc("frame")
        .y_desc(p.y_desc)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| tick_label(*v, high - low))
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 15))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.12))
        .draw()?;

    if let Some((b0, b1, label)) = &p.band {
        chart
            .draw_series(std::iter::once(Rectangle::new([(0.0, *b0), (last_frame, *b1)], BAND.filled())))?
            .label(label.as_str())
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 24, y + 6)], BAND.filled()));
    }
    for s in &p.series {
        let style = s.colour.stroke_width(s.width);
        if s.reference {
            chart
                .draw_series(DashedLineSeries::new(s.points.iter().copied(), 8, 5, style))?
                .label(s.label.as_str())
                .legend(move |(x, y)| DashedPathElement::new(vec![(x, y), (x + 24, y)], 8, 5, style));
        } else {
            chart
                .draw_series(LineSeries::new(s.points.iter().copied(), style))?
                .label(s.label.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
        }
    }
    for m in markers {
        let x = m.frame as f64;
        chart
            .draw_series(DashedLineSeries::new([(x, low), (x, high)], 6, 4, BLACK.mix(0.6).stroke_width(1)))?
            .label(m.label.as_str())
            .legend(|(x, y)| PathElement::new(vec![(x + 12, y - 7), (x + 12, y + 7)], BLACK.mix(0.6).stroke_width(1)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    Ok(())
}

/// The panel's y range: from 0 (or just below the data) to high enough that the data stay
/// below the top `legend_px` of a `plot_px` high plotting area, where the legend goes.
fn y_range(p: &Panel, legend_px: f64, plot_px: f64) -> (f64, f64) {
    let values = p.series.iter().flat_map(|s| s.points.iter().map(|&(_, y)| y)).chain(p.band.iter().flat_map(|b| [b.0, b.1]));
    let (min, max) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !min.is_finite() {
        return (0.0, 1.0);
    }
    let span = (max - min).max(max.abs() * 0.05).max(1e-3);
    let low = if p.from_zero { min.min(0.0) } else { min - 0.08 * span };
    let data_share = (1.0 - legend_px / plot_px).clamp(0.3, 0.95);
    let top = max + 0.03 * span;
    (low, low + (top - low) / data_share)
}

/// A tick value with as many decimals as the axis' span needs, without trailing zeros.
fn tick_label(v: f64, span: f64) -> String {
    let decimals = (-(span / 20.0).log10()).ceil().clamp(0.0, 4.0) as usize;
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { &text };
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_carry_the_decimals_the_axis_needs() {
        assert_eq!(tick_label(0.35, 0.4), "0.35");
        assert_eq!(tick_label(0.4, 1.2), "0.4");
        assert_eq!(tick_label(1.0, 1.2), "1");
        assert_eq!(tick_label(6500.0, 3000.0), "6500");
        assert_eq!(tick_label(-0.0001, 40.0), "0");
    }

    #[test]
    fn the_data_stay_below_the_legend() {
        let panel = |from_zero, ys: &[f64]| Panel {
            caption: "",
            y_desc: "",
            from_zero,
            band: None,
            series: vec![Series { label: String::new(), colour: BLUE_, width: 2, reference: false, points: ys.iter().map(|&y| (0.0, y)).collect() }],
        };
        for (from_zero, ys) in [(true, &[0.1, 0.3][..]), (false, &[2800.0, 6500.0][..]), (true, &[1.0, 1.0][..]), (true, &[][..])] {
            let (low, high) = y_range(&panel(from_zero, ys), 60.0, 240.0);
            let max = ys.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            assert!(low < high, "{ys:?}: {low}..{high}");
            if !ys.is_empty() {
                let top_share = (high - max) / (high - low);
                assert!(top_share >= 60.0 / 240.0, "{ys:?}: {low}..{high} leaves {top_share} for the legend");
                assert!(low <= ys[0] && (!from_zero || low == 0.0), "{ys:?}: {low}");
            }
        }
    }
}
