//! What AWB and lens shading correction share: the AWB zone grid, and the colour each
//! lens-shading table set gives every zone.
//!
//! The LSC tables differ in colour as well as in falloff (for the PinePhone Pro modules,
//! the A table lifts red by ~13% against TL84 away from the centre). The table in use is
//! chosen from the white balance, so a wrong white balance picks a wrong table, which tints
//! the frame towards the wrong estimate: a self-consistent error. AWB breaks the loop by
//! taking zone colours back to before LSC and judging each candidate light with the table
//! that light would get.

use crate::abi::consts::{LSC_SAMPLES_MAX, LSC_SECTORS_TBL_SIZE as SECTORS};
use crate::abi::LSC_TABLE;
use crate::interpolate::Pwl;
use std::sync::Arc;

/// AWB zones: a GRID × GRID grid over the centre 7/8 of the frame (the margin of 1/16 on
/// each side avoids the most vignetted corners).
pub const GRID: usize = 6;
pub const ZONES: usize = GRID * GRID;
/// The measured window: offset 1/MARGIN_DIV, size WINDOW_NUM/WINDOW_DEN of each dimension.
const MARGIN_DIV: u32 = 16;
const WINDOW_NUM: u32 = 7;
const WINDOW_DEN: u32 = 8;

/// Zone `z` (or the whole window) in pixels of a `width` × `height` frame: (x, y, w, h).
pub fn zone_window(width: u32, height: u32, zone: Option<usize>) -> (u32, u32, u32, u32) {
    let (x0, y0) = (width / MARGIN_DIV, height / MARGIN_DIV);
    let (ww, hh) = (width * WINDOW_NUM / WINDOW_DEN, height * WINDOW_NUM / WINDOW_DEN);
    match zone {
        None => (x0, y0, ww, hh),
        Some(z) => {
            let (zx, zy) = ((z % GRID) as u32, (z / GRID) as u32);
            let (zw, zh) = (ww / GRID as u32, hh / GRID as u32);
            (x0 + zx * zw, y0 + zy * zh, zw, zh)
        }
    }
}

/// Zone `z` as fractions of the frame: (x0, y0, x1, y1).
pub fn zone_rect(z: usize) -> (f64, f64, f64, f64) {
    let (zx, zy) = ((z % GRID) as f64, (z / GRID) as f64);
    let margin = 1.0 / MARGIN_DIV as f64;
    let cell = WINDOW_NUM as f64 / WINDOW_DEN as f64 / GRID as f64;
    (margin + zx * cell, margin + zy * cell, margin + (zx + 1.0) * cell, margin + (zy + 1.0) * cell)
}

/// Which LSC sets are blended: (first, second, weight of the second).
pub type Blend = (usize, usize, f32);

/// One LSC set's gain tables (R, Gr, Gb, B; 17 × 17 samples, 1.0 = unity).
pub type Tables = [[f32; LSC_TABLE]; 4];

/// Per-set zone colours, the tables themselves, and the rule that picks sets.
#[derive(Debug, Clone)]
pub struct ZoneShading {
    /// Colour temperature of each set, sorted ascending.
    pub cts: Vec<f64>,
    /// ln of each set's white-balance gains (r, b), when every set gives them.
    pub log_gains: Option<Vec<(f64, f64)>>,
    /// ln of the mean table ratio (R/G, B/G) over each zone, per set.
    pub zone_colour: Vec<[(f64, f64); ZONES]>,
    tables: Vec<Tables>,
    /// Set index against colour temperature (for [`Self::choose`]).
    by_ct: Pwl<f64>,
    /// Position on the 16-sector table grid against position in the frame (fraction).
    x_grid: Pwl<f64>,
    y_grid: Pwl<f64>,
}

pub type SharedZoneShading = Arc<ZoneShading>;

impl ZoneShading {
    /// Sets sorted by colour temperature (`cts` and `tables` in the same order).
    pub fn new(cts: Vec<f64>, log_gains: Option<Vec<(f64, f64)>>, tables: Vec<Tables>, x_frac: [f64; SECTORS], y_frac: [f64; SECTORS]) -> Self {
        // LSC refuses unsorted or repeated colour temperatures; a constant stands in for them.
        let by_ct = Pwl::new(cts.iter().enumerate().map(|(i, ct)| (*ct, i as f64)).collect()).unwrap_or_else(|_| Pwl::constant(0.0));
        let (x_grid, y_grid) = (Self::sector_grid(&x_frac), Self::sector_grid(&y_frac));
        let mut z = ZoneShading { cts, log_gains, zone_colour: Vec::new(), tables, by_ct, x_grid, y_grid };
        z.zone_colour = (0..z.tables.len())
            .map(|set| {
                let mut colours = [(0.0, 0.0); ZONES];
                for (zone, c) in colours.iter_mut().enumerate() {
                    let [r, gr, gb, b] = z.mean_gains(set, zone_rect(zone), 8);
                    let g = (gr + gb) / 2.0;
                    *c = ((r / g).ln(), (b / g).ln());
                }
                colours
            })
            .collect();
        z
    }

    /// Sector edges (fractions of the frame) against table grid positions 0..=16, from the
    /// sector sizes of one half of the frame (the other half mirrors them).
    fn sector_grid(frac: &[f64; SECTORS]) -> Pwl<f64> {
        let mut points = vec![(0.0, 0.0)];
        let mut edge = 0.0;
        for i in 0..2 * SECTORS {
            edge += frac[if i < SECTORS { i } else { 2 * SECTORS - 1 - i }];
            points.push((edge, (i + 1) as f64));
        }
        // Sector sizes are at least 0.001 (LSC checks them), so the edges increase.
        Pwl::new(points).unwrap_or_else(|_| Pwl::constant(0.0))
    }

    /// Mean gain of `set`'s tables per Bayer channel (R, Gr, Gb, B) over `rect` (x0, y0,
    /// x1, y1 as fractions of the frame), sampled `steps` × `steps` times.
    pub fn mean_gains(&self, set: usize, rect: (f64, f64, f64, f64), steps: usize) -> [f64; 4] {
        let n = LSC_SAMPLES_MAX;
        let t = &self.tables[set];
        let sample = |ch: usize, gx: f64, gy: f64| {
            let (i, j) = ((gx.floor() as usize).min(n - 2), (gy.floor() as usize).min(n - 2));
            let (fx, fy) = (gx - i as f64, gy - j as f64);
            let s = |r: usize, c: usize| t[ch][r * n + c] as f64;
            (s(j, i) * (1.0 - fx) + s(j, i + 1) * fx) * (1.0 - fy) + (s(j + 1, i) * (1.0 - fx) + s(j + 1, i + 1) * fx) * fy
        };
        let (x0, y0, x1, y1) = rect;
        let mut acc = [0.0; 4];
        for a in 0..steps {
            for b in 0..steps {
                let u = x0 + (x1 - x0) * (b as f64 + 0.5) / steps as f64;
                let v = y0 + (y1 - y0) * (a as f64 + 0.5) / steps as f64;
                let (gx, gy) = (self.x_grid.eval(u), self.y_grid.eval(v));
                for (ch, acc) in acc.iter_mut().enumerate() {
                    *acc += sample(ch, gx, gy) / (steps * steps) as f64;
                }
            }
        }
        acc
    }

    /// [`Self::mean_gains`] of a blend of two sets.
    pub fn blend_mean_gains(&self, blend: Blend, rect: (f64, f64, f64, f64), steps: usize) -> [f64; 4] {
        let (a, b, f) = blend;
        let (ga, gb) = (self.mean_gains(a, rect, steps), self.mean_gains(b, rect, steps));
        [0, 1, 2, 3].map(|c| ga[c] * (1.0 - f as f64) + gb[c] * f as f64)
    }

    /// The two sets to blend for a frame with colour temperature `ct` and gains of ln
    /// (r, b) = `gains`: by white point when the sets carry gains, else by temperature.
    pub fn choose(&self, ct: f64, gains: (f64, f64)) -> Blend {
        let n = self.cts.len();
        if n == 1 {
            return (0, 0, 0.0);
        }
        if let Some(sg) = &self.log_gains {
            let d = |i: usize| ((sg[i].0 - gains.0).powi(2) + (sg[i].1 - gains.1).powi(2)).sqrt();
            let (mut a, mut b) = (0, 1);
            if d(b) < d(a) {
                std::mem::swap(&mut a, &mut b);
            }
            for i in 2..n {
                if d(i) < d(a) {
                    b = a;
                    a = i;
                } else if d(i) < d(b) {
                    b = i;
                }
            }
            let (da, db) = (d(a), d(b));
            return (a, b, if da + db > 0.0 { (da / (da + db)) as f32 } else { 0.0 });
        }
        let seg = self.by_ct.segment(ct);
        (seg.lo, seg.hi, seg.f as f32)
    }

    /// ln (R/G, B/G) the blend gives zone `z`.
    pub fn colour(&self, blend: Blend, z: usize) -> (f64, f64) {
        let (a, b, f) = blend;
        let (ca, cb) = (self.zone_colour[a][z], self.zone_colour[b][z]);
        let f = f as f64;
        (ca.0 * (1.0 - f) + cb.0 * f, ca.1 * (1.0 - f) + cb.1 * f)
    }
}
