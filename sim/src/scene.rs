//! Scenes: linear scene colour per simulator pixel (linear sRGB reflectance × local
//! brightness), plus the regions the report measures.

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// Rectangle in simulator pixels.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Rect {
    pub x: usize,
    pub y: usize,
    pub w: usize,
    pub h: usize,
}

impl Rect {
    fn from_frac(f: [f64; 4], w: usize, h: usize) -> Rect {
        Rect { x: (f[0] * w as f64) as usize, y: (f[1] * h as f64) as usize, w: ((f[2] * w as f64) as usize).max(1), h: ((f[3] * h as f64) as usize).max(1) }
    }
    /// The central part (fraction `f` of each side), to measure away from edges.
    pub fn inner(&self, f: f64) -> Rect {
        let (w, h) = (((self.w as f64) * f) as usize, ((self.h as f64) * f) as usize);
        Rect { x: self.x + (self.w - w) / 2, y: self.y + (self.h - h) / 2, w: w.max(1), h: h.max(1) }
    }
    pub fn contains(&self, x: usize, y: usize) -> bool {
        x >= self.x && x < self.x + self.w && y >= self.y && y < self.y + self.h
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scene {
    pub name: String,
    pub width: usize,
    pub height: usize,
    /// Linear scene colour per pixel (1.0 = white reflector at the scene's brightness).
    pub pixels: Vec<[f32; 3]>,
    pub neutral_patches: Vec<Rect>,
    pub subject: Option<Rect>,
    pub highlight: Option<Rect>,
}

/// Published sRGB (8-bit, D65) values of the 24 ColorChecker patches, row by row; the
/// last row is the neutral series white … black.
pub const COLORCHECKER_SRGB: [[u8; 3]; 24] = [
    [115, 82, 68],
    [194, 150, 130],
    [98, 122, 157],
    [87, 108, 67],
    [133, 128, 177],
    [103, 189, 170],
    [214, 126, 44],
    [80, 91, 166],
    [193, 90, 99],
    [94, 60, 108],
    [157, 188, 64],
    [224, 163, 46],
    [56, 61, 150],
    [70, 148, 73],
    [175, 54, 60],
    [231, 199, 31],
    [187, 86, 149],
    [8, 133, 161],
    [243, 243, 242],
    [200, 200, 200],
    [160, 160, 160],
    [122, 122, 121],
    [85, 85, 85],
    [52, 52, 52],
];

pub fn srgb_to_linear(v: u8) -> f32 {
    let c = v as f32 / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear colour of an 8-bit sRGB colour.
pub fn lin(c: [u8; 3]) -> [f32; 3] {
    c.map(srgb_to_linear)
}

pub const WIDTH: usize = 320;
pub const HEIGHT: usize = 240;

struct Canvas {
    w: usize,
    h: usize,
    px: Vec<[f32; 3]>,
}

impl Canvas {
    fn new(w: usize, h: usize, bg: [f32; 3]) -> Self {
        Self { w, h, px: vec![bg; w * h] }
    }
    fn fill(&mut self, r: Rect, c: [f32; 3]) {
        for y in r.y..(r.y + r.h).min(self.h) {
            for x in r.x..(r.x + r.w).min(self.w) {
                self.px[y * self.w + x] = c;
            }
        }
    }
}

/// The 24 patches of a 6×4 chart inside `area`, in the order of [`COLORCHECKER_SRGB`].
pub fn chart_patches(area: Rect) -> Vec<Rect> {
    let (pw, ph) = (area.w / 6, area.h / 4);
    let gap = (pw.min(ph) / 8).max(1);
    (0..24).map(|i| Rect { x: area.x + (i % 6) * pw + gap, y: area.y + (i / 6) * ph + gap, w: pw - 2 * gap, h: ph - 2 * gap }).collect()
}

/// Where a neutral patch is measured: its centre, away from the edges that demosaicing
/// and sharpening mix with the neighbours.
pub fn measured_part(patch: Rect) -> Rect {
    patch.inner(0.6)
}

/// Draw a 6×4 chart inside `area`; returns the neutral patch rectangles.
fn draw_chart(c: &mut Canvas, area: Rect) -> Vec<Rect> {
    let patches = chart_patches(area);
    for (r, rgb) in patches.iter().zip(COLORCHECKER_SRGB) {
        c.fill(*r, lin(rgb));
    }
    patches[18..].iter().map(|r| measured_part(*r)).collect()
}

/// A built-in scene by name.
pub fn builtin(name: &str) -> Result<Scene> {
    let (w, h) = (WIDTH, HEIGHT);
    let wall = lin([90, 90, 90]);
    Ok(match name {
        "chart" => {
            let mut c = Canvas::new(w, h, wall);
            let neutral = draw_chart(&mut c, Rect { x: w / 10, y: h / 8, w: w * 8 / 10, h: h * 3 / 4 });
            Scene { name: name.into(), width: w, height: h, pixels: c.px, neutral_patches: neutral, subject: None, highlight: None }
        }
        n if n.starts_with("dominant") => {
            // At least half the frame one saturated colour, the chart beside it.
            let colour = match n.trim_start_matches("dominant").trim_start_matches('-') {
                "" | "green" => [40, 150, 50],
                "red" => [190, 40, 45],
                "blue" => [40, 60, 170],
                "yellow" => [225, 195, 30],
                other => bail!("unknown dominant colour '{other}' (green, red, blue, yellow)"),
            };
            let mut c = Canvas::new(w, h, wall);
            c.fill(Rect { x: 0, y: 0, w: w * 6 / 10, h }, lin(colour));
            let neutral = draw_chart(&mut c, Rect { x: w * 6 / 10 + 4, y: h / 4, w: w * 4 / 10 - 8, h: h / 2 });
            Scene { name: name.into(), width: w, height: h, pixels: c.px, neutral_patches: neutral, subject: None, highlight: None }
        }
        "edge" => {
            // A vertical step from dark to light grey: shows sharpening (overshoot) and
            // blurring (edge width).
            let mut c = Canvas::new(w, h, lin([60, 60, 60]));
            c.fill(Rect { x: w / 2, y: 0, w: w - w / 2, h }, lin([200, 200, 200]));
            Scene { name: name.into(), width: w, height: h, pixels: c.px, neutral_patches: vec![], subject: None, highlight: None }
        }
        "flat" => {
            // A uniformly lit grey card filling the frame: shows lens shading.
            let c = Canvas::new(w, h, lin([160, 160, 160]));
            Scene { name: name.into(), width: w, height: h, pixels: c.px, neutral_patches: vec![], subject: None, highlight: None }
        }
        "backlit" => {
            // A dim room, a bright window (16× the room light) behind a person.
            let mut c = Canvas::new(w, h, lin([70, 66, 60]));
            let window = Rect { x: w / 5, y: h / 10, w: w * 3 / 5, h: h * 2 / 5 };
            let bright = lin([235, 235, 235]).map(|v| v * 16.0);
            c.fill(window, bright);
            let subject = Rect { x: w * 3 / 8, y: h * 2 / 5, w: w / 4, h: h * 3 / 5 };
            c.fill(subject, lin([194, 150, 130]));
            let neutral = draw_chart(&mut c, Rect { x: w / 40, y: h * 13 / 20, w: w / 4, h: h / 3 });
            Scene { name: name.into(), width: w, height: h, pixels: c.px, neutral_patches: neutral, subject: Some(subject.inner(0.8)), highlight: Some(window) }
        }
        _ => bail!("unknown scene '{name}' (chart, dominant[-green|-red|-blue|-yellow], backlit, flat, edge, or a scene file)"),
    })
}

/// A scene file (YAML):
/// ```yaml
/// background: [90, 90, 90]          # sRGB 8-bit
/// chart: [0.1, 0.125, 0.8, 0.75]    # optional ColorChecker, fractions x, y, w, h
/// regions:                          # drawn in order
///   - rect: [0.0, 0.0, 0.5, 1.0]
///     srgb: [40, 150, 50]
///     brightness: 1.0               # optional multiplier (e.g. 16 for a window)
///     role: subject                 # optional: subject | highlight
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SceneFile {
    background: [u8; 3],
    #[serde(default)]
    chart: Option<[f64; 4]>,
    #[serde(default)]
    regions: Vec<RegionFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionFile {
    rect: [f64; 4],
    srgb: [u8; 3],
    #[serde(default)]
    brightness: Option<f32>,
    #[serde(default)]
    role: Option<String>,
}

pub fn from_file(path: &std::path::Path) -> Result<Scene> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading scene {}", path.display()))?;
    let f: SceneFile = serde_norway::from_str(&text).with_context(|| format!("parsing scene {}", path.display()))?;
    let (w, h) = (WIDTH, HEIGHT);
    let mut c = Canvas::new(w, h, lin(f.background));
    let mut scene = Scene { name: path.display().to_string(), width: w, height: h, pixels: vec![], neutral_patches: vec![], subject: None, highlight: None };
    for (i, r) in f.regions.iter().enumerate() {
        if r.rect.iter().any(|v| !(0.0..=1.0).contains(v)) {
            bail!("{}: regions[{i}].rect values must be fractions in [0, 1]", path.display());
        }
        let rect = Rect::from_frac(r.rect, w, h);
        let b = r.brightness.unwrap_or(1.0);
        if !(b > 0.0 && b.is_finite()) {
            bail!("{}: regions[{i}].brightness must be positive", path.display());
        }
        c.fill(rect, lin(r.srgb).map(|v| v * b));
        match r.role.as_deref() {
            None => {}
            Some("subject") => scene.subject = Some(rect.inner(0.8)),
            Some("highlight") => scene.highlight = Some(rect),
            Some(o) => bail!("{}: regions[{i}].role '{o}' is not subject or highlight", path.display()),
        }
    }
    if let Some(a) = f.chart {
        scene.neutral_patches = draw_chart(&mut c, Rect::from_frac(a, w, h));
    }
    scene.pixels = c.px;
    Ok(scene)
}
