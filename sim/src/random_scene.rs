//! Random scenes for the robustness suite, each named by a seed: a grey background, the
//! ColorChecker patches (as a chart somewhere in the frame, or scattered), one to three
//! saturated or skin-coloured surfaces covering together 0–85% of the frame, and sometimes
//! a bright highlight (a window or lamp, 4–16× the scene's light). The brightness of the
//! light is the run's business, not the scene's.
//!
//! Surfaces and the highlight are drawn over the patches where they overlap, as a wall or
//! a person in front of a chart would be, except for two to six of the neutral patches,
//! drawn last so that every scene keeps at least two greys to measure. `neutral_patches`
//! lists the neutral patches that nothing covers (measured in their centre, as for the
//! built-in scenes), white to black.

use crate::scene::{chart_patches, lin, measured_part, Rect, Scene, COLORCHECKER_SRGB, HEIGHT, WIDTH};
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};

/// Largest fraction of the frame the coloured surfaces cover together.
pub const MAX_SURFACE_COVERAGE: f64 = 0.85;
/// Fewest neutral patches drawn over everything else.
pub const MIN_KEPT_NEUTRALS: usize = 2;
/// Index of the white patch in [`COLORCHECKER_SRGB`]; the neutral series follows it.
const FIRST_NEUTRAL: usize = 18;
/// Side of a scattered patch, in pixels: large enough that its measured centre stays clear
/// of the pixels its neighbours bleed into.
const SCATTERED_SIDE: std::ops::RangeInclusive<usize> = 16..=36;

/// Skin tones (sRGB 8-bit), light to dark.
const SKIN_SRGB: [[u8; 3]; 6] = [[255, 219, 172], [241, 194, 125], [224, 172, 105], [194, 150, 130], [141, 85, 36], [115, 82, 68]];

/// A flat-coloured rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Element {
    rect: Rect,
    colour: [f32; 3],
}

/// What a pixel shows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Owner {
    Background,
    /// A ColorChecker patch, by its index in [`COLORCHECKER_SRGB`].
    Patch(usize),
    Highlight,
    Surface,
}

#[derive(Debug, Clone)]
pub struct RandomScene {
    pub seed: u64,
    background: [f32; 3],
    /// ColorChecker patches with their chart index (a scattered patch that found no free
    /// place is left out; the neutral ones always have one).
    patches: Vec<(usize, Element)>,
    /// Chart indices of the neutral patches drawn over everything else.
    kept: Vec<usize>,
    highlight: Option<Element>,
    surfaces: Vec<Element>,
    /// Patches laid out as a chart rather than scattered.
    chart: bool,
}

impl RandomScene {
    pub fn generate(seed: u64) -> RandomScene {
        let mut rng = StdRng::seed_from_u64(seed);
        // A grey card or wall of random lightness. (The hue and saturation draws are kept so that
        // the rest of a seed's scene stays the same; a tinted wall filling most of the frame
        // is a change of light to any white balance and is not part of this suite's scenes.)
        let (_hue, _saturation): (f64, f64) = (rng.gen(), rng.gen_range(0.0..0.25));
        let background = lin(hsv(0.0, 0.0, rng.gen_range(0.2..0.7)));
        let chart = rng.gen_bool(0.6);
        let patches = if chart { chart_layout(&mut rng) } else { scattered_layout(&mut rng) };
        let mut neutral: Vec<usize> = (FIRST_NEUTRAL..24).collect();
        neutral.shuffle(&mut rng);
        let mut kept = neutral[..rng.gen_range(MIN_KEPT_NEUTRALS..=6)].to_vec();
        kept.sort_unstable();
        let highlight = rng.gen_bool(0.25).then(|| {
            let tint = hsv(rng.gen(), rng.gen_range(0.0..0.1), 0.95);
            let (k, fraction) = (rng.gen_range(4.0..16.0), rng.gen_range(0.03..0.15));
            Element { rect: random_rect(&mut rng, fraction), colour: lin(tint).map(|v| v * k) }
        });
        let coverage = rng.gen_range(0.0..=MAX_SURFACE_COVERAGE);
        let n = rng.gen_range(1..=3);
        let weights: Vec<f64> = (0..n).map(|_| rng.gen_range(0.2..1.2)).collect();
        let total: f64 = weights.iter().sum();
        let surfaces = weights.iter().map(|w| Element { rect: random_rect(&mut rng, coverage * w / total), colour: surface_colour(&mut rng) }).collect();
        RandomScene { seed, background, patches, kept, highlight, surfaces, chart }
    }

    pub fn render(&self) -> Scene {
        self.scene(None)
    }

    /// The scene without and with one more surface (15–40% of the frame, drawn from
    /// `seed`): the two ends of a surface entering or leaving the frame. Both list the
    /// neutral patches visible in both.
    pub fn surface_pair(&self, seed: u64) -> (Scene, Scene) {
        let mut rng = StdRng::seed_from_u64(seed);
        let fraction = rng.gen_range(0.15..0.4);
        let extra = Element { rect: random_rect(&mut rng, fraction), colour: surface_colour(&mut rng) };
        let (mut without, mut with) = (self.scene(None), self.scene(Some(extra)));
        without.neutral_patches.retain(|r| with.neutral_patches.contains(r));
        with.neutral_patches = without.neutral_patches.clone();
        (without, with)
    }

    /// Fraction of the frame the surfaces show in.
    pub fn surface_coverage(&self) -> f64 {
        let (_, owners) = self.paint(None);
        owners.iter().filter(|o| **o == Owner::Surface).count() as f64 / owners.len() as f64
    }

    pub fn describe(&self) -> String {
        format!(
            "random:{} ({}, {} surface(s) over {:.0}%{})",
            self.seed,
            if self.chart { "chart" } else { "scattered patches" },
            self.surfaces.len(),
            self.surface_coverage() * 100.0,
            if self.highlight.is_some() { ", highlight" } else { "" }
        )
    }

    fn scene(&self, extra: Option<Element>) -> Scene {
        let (pixels, owners) = self.paint(extra);
        let visible = |i: usize, r: &Rect| (r.y..r.y + r.h).all(|y| (r.x..r.x + r.w).all(|x| owners[y * WIDTH + x] == Owner::Patch(i)));
        let neutral_patches = self.patches.iter().filter(|(i, e)| *i >= FIRST_NEUTRAL && visible(*i, &e.rect)).map(|(_, e)| measured_part(e.rect)).collect();
        let name = format!("random:{}{}", self.seed, if extra.is_some() { "+surface" } else { "" });
        Scene { name, width: WIDTH, height: HEIGHT, pixels, neutral_patches, subject: None, highlight: self.highlight.map(|h| h.rect) }
    }

    /// Pixels and what each one shows, drawn back to front.
    fn paint(&self, extra: Option<Element>) -> (Vec<[f32; 3]>, Vec<Owner>) {
        let mut px = vec![self.background; WIDTH * HEIGHT];
        let mut owners = vec![Owner::Background; WIDTH * HEIGHT];
        let mut fill = |e: &Element, o: Owner| {
            for y in e.rect.y..(e.rect.y + e.rect.h).min(HEIGHT) {
                for x in e.rect.x..(e.rect.x + e.rect.w).min(WIDTH) {
                    px[y * WIDTH + x] = e.colour;
                    owners[y * WIDTH + x] = o;
                }
            }
        };
        for (i, e) in &self.patches {
            fill(e, Owner::Patch(*i));
        }
        if let Some(h) = &self.highlight {
            fill(h, Owner::Highlight);
        }
        for s in self.surfaces.iter().chain(extra.as_ref()) {
            fill(s, Owner::Surface);
        }
        for (i, e) in self.patches.iter().filter(|(i, _)| self.kept.contains(i)) {
            fill(e, Owner::Patch(*i));
        }
        (px, owners)
    }
}

/// The chart at a random place, 30–80% of the frame wide, with square patches.
fn chart_layout(rng: &mut StdRng) -> Vec<(usize, Element)> {
    let w = (rng.gen_range(0.3..0.8) * WIDTH as f64) as usize;
    let h = (w * 2 / 3).min(HEIGHT);
    let area = Rect { x: rng.gen_range(0..=WIDTH - w), y: rng.gen_range(0..=HEIGHT - h), w, h };
    chart_patches(area).into_iter().zip(COLORCHECKER_SRGB).enumerate().map(|(i, (rect, c))| (i, Element { rect, colour: lin(c) })).collect()
}

/// The patches one by one at random free places, neutral ones first (so they always find
/// one); a colour patch that finds none in 50 tries is left out.
fn scattered_layout(rng: &mut StdRng) -> Vec<(usize, Element)> {
    let mut placed: Vec<(usize, Element)> = Vec::new();
    for i in (FIRST_NEUTRAL..24).chain(0..FIRST_NEUTRAL) {
        let tries = if i >= FIRST_NEUTRAL { 10_000 } else { 50 };
        for _ in 0..tries {
            let (w, h) = (rng.gen_range(SCATTERED_SIDE), rng.gen_range(SCATTERED_SIDE));
            let rect = Rect { x: rng.gen_range(0..=WIDTH - w), y: rng.gen_range(0..=HEIGHT - h), w, h };
            // Two pixels of background between patches, as on a chart.
            let apart = |o: &Rect| rect.x >= o.x + o.w + 2 || o.x >= rect.x + rect.w + 2 || rect.y >= o.y + o.h + 2 || o.y >= rect.y + rect.h + 2;
            if placed.iter().all(|(_, e)| apart(&e.rect)) {
                placed.push((i, Element { rect, colour: lin(COLORCHECKER_SRGB[i]) }));
                break;
            }
        }
    }
    placed
}

/// A rectangle of about `fraction` of the frame, aspect ratio 1:2 to 2:1 where it fits,
/// entirely inside the frame.
fn random_rect(rng: &mut StdRng, fraction: f64) -> Rect {
    let area = fraction * (WIDTH * HEIGHT) as f64;
    let w = (area * rng.gen_range(0.5..2.0)).sqrt().clamp(area / HEIGHT as f64, WIDTH as f64).round() as usize;
    let h = ((area / w.max(1) as f64).round() as usize).min(HEIGHT);
    Rect { x: rng.gen_range(0..=WIDTH - w), y: rng.gen_range(0..=HEIGHT - h), w, h }
}

/// A saturated colour (70%) or a skin tone (30%).
fn surface_colour(rng: &mut StdRng) -> [f32; 3] {
    if rng.gen_bool(0.7) {
        lin(hsv(rng.gen(), rng.gen_range(0.6..1.0), rng.gen_range(0.35..0.9)))
    } else {
        let k = rng.gen_range(0.8..1.1);
        lin(*SKIN_SRGB.choose(rng).unwrap()).map(|v| (v * k).min(1.0))
    }
}

/// 8-bit sRGB of a hue (0..1 around the circle), saturation and value.
fn hsv(h: f64, s: f64, v: f64) -> [u8; 3] {
    let c = v * s;
    let hp = h.rem_euclid(1.0) * 6.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    [r, g, b].map(|u| ((u + v - c) * 255.0).round().clamp(0.0, 255.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutral_patches_stay_visible_and_surfaces_cover_at_most_85_percent() {
        let mut highlights = 0;
        let mut coverage_range = (1.0f64, 0.0f64);
        for seed in 0..300 {
            let rs = RandomScene::generate(seed);
            let scene = rs.render();
            assert!(scene.neutral_patches.len() >= MIN_KEPT_NEUTRALS, "seed {seed}: {:?}", scene.neutral_patches);
            let (_, owners) = rs.paint(None);
            for r in &scene.neutral_patches {
                // Every measured pixel shows a neutral patch, and all of one patch.
                let first = owners[r.y * WIDTH + r.x];
                assert!(matches!(first, Owner::Patch(i) if i >= FIRST_NEUTRAL), "seed {seed}: {r:?} shows {first:?}");
                assert!((r.y..r.y + r.h).all(|y| (r.x..r.x + r.w).all(|x| owners[y * WIDTH + x] == first)), "seed {seed}: {r:?} is partly covered");
            }
            let c = rs.surface_coverage();
            assert!((0.0..=MAX_SURFACE_COVERAGE).contains(&c), "seed {seed}: coverage {c}");
            coverage_range = (coverage_range.0.min(c), coverage_range.1.max(c));
            highlights += scene.highlight.is_some() as usize;
            let (without, with) = rs.surface_pair(seed + 1);
            assert_eq!(without.neutral_patches, with.neutral_patches);
            assert!(with.neutral_patches.len() >= MIN_KEPT_NEUTRALS);
            assert_eq!(RandomScene::generate(seed).render(), scene, "seed {seed}: reproducible");
        }
        // The draws span the range: nearly empty to most of the frame, some highlights.
        assert!(coverage_range.0 < 0.05 && coverage_range.1 > 0.6, "coverage {coverage_range:?}");
        assert!((30..150).contains(&highlights), "{highlights} highlights in 300 scenes");
    }
}
