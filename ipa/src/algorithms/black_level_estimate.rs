//! The sensor's black level, measured from the frames themselves: when the exposure changes
//! and the scene does not, every AE cell's signal scales by the exposure ratio while the
//! black level left after subtraction does not. A module whose black level differs from
//! its tuning (real modules spread by tens of percent) leaves an offset that the white
//! balance gains tint, most visibly in dark greys; this finds it.
//!
//! Model of one AE cell mean `m` (8-bit, the ISP's `(R + G + B) × 85/256` of 12-bit values
//! truncated to 8 bits) for a frame with black level residual `δ_true − δ_applied` (12-bit,
//! the same on every Bayer channel):
//!
//! ```text
//! m = S + k · (δ_true − δ_applied) + offsets − truncation
//! k = 85/4096 · Σ_c colsum_c(CCM) · wb_gain_c · lsc_gain_c(cell)
//! ```
//!
//! `S`, the cell's signal, is proportional to exposure × gain as long as the scene, the
//! white balance and the shading tables stay put. Two such frames give, per cell,
//! `y₂ − λ·y₁ = (k₂ − λ·k₁) · δ_true` with `y = m − offsets + truncation + k·δ_applied` and
//! `λ` the exposure ratio: a least-squares line through the cells. A pair is used only if
//! its cells agree with one common offset (a moving scene does not); accepted pairs are
//! combined by their precision.
//!
//! Plain data in, plain data out: the caller turns the frame context into an
//! [`Observation`]; [`BlackLevelEstimator::observe`] never allocates.

use crate::abi::consts::AE_MEAN_MAX;

/// One frame's AE means and the processing between the sensor and them.
#[derive(Debug, Clone, Copy)]
pub struct Observation<'a> {
    /// AE cell means in raster order.
    pub means: &'a [u8],
    /// Exposure time × analogue gain that applied to the frame (any unit, fixed per session).
    pub exposure: f64,
    /// Black level added to the tuned one in this frame's BLS (12-bit).
    pub applied_delta: f64,
    /// Per CCM input channel (R, G, B): the sum of the CCM's column times the white-balance
    /// gain.
    pub channel_weight: [f64; 3],
    /// Sum of the CCM's three output offsets, in 8-bit units.
    pub offset_sum_8bit: f64,
    /// Lens-shading gain (R, G, B) over each cell, or `None` without LSC.
    pub shading: Option<&'a [[f64; 3]]>,
    /// Fraction of the histogram's samples in its top bin: clipped pixels do not follow
    /// the exposure, and a cell mean cannot tell that some of its pixels clipped.
    pub top_bin_fraction: f64,
}

/// Cells darker than this (8-bit) have pixels clipped at black, brighter ones pixels clipped
/// at white: their means are not linear in the exposure.
const CELL_MIN: u8 = 12;
const CELL_MAX: u8 = 160;
/// The smallest exposure change a pair needs: the offset shows as `(1 − λ)·k·δ`.
const MIN_EXPOSURE_RATIO: f64 = 1.25;
/// Largest spread of the per-channel weight ratio between the two frames: a white balance
/// that moved scales coloured cells unequally.
const MAX_WEIGHT_SPREAD: f64 = 0.004;
/// Largest fraction of samples in the histogram's top bin (8-bit values 240 and up) of a
/// usable frame: a few highlights, not a clipped sky. Clipped pixels hide in cells whose
/// means stay low (a white patch on a dark ground; one channel of a colour cast): a chart
/// under a new light whose blue clipped on 4% of the samples, cells at 30-68, gave a
/// consistent +17 ± 4 (12-bit) where the truth was 0.
const MAX_TOP_BIN: f64 = 0.03;
/// A frame with more in its top bin is still used when the clipped pixels fit in a compact
/// highlight (a window, a lamp): the cells whose means clipped beyond [`CELL_MAX`] and their
/// neighbours on the AE grid, which may hold the highlight's edge, are left out, and they
/// must cover at least the clipped fraction of the frame. Without this, a scene with a
/// window never had its black level measured: after a -4 EV step, at the sensor's maximum
/// gain, a module 10.7 (10-bit) above its tuning left the greys 10.6 deg off (seed
/// 1947137080113800272; measured, 5.5 deg).
const MAX_HIGHLIGHT_TOP_BIN: f64 = 0.25;
/// A cell this many times brighter than the median cell holds part of a highlight.
const HIGHLIGHT_CELL: f64 = 2.5;
/// Largest relative change of the top bin between the frames of a pair with a highlight
/// for a positive estimate: a highlight clips in both frames alike; more or fewer pixels in
/// the top bin mean that some may have crossed full scale, which biases the estimate
/// upwards (a start-up ramp whose top bin went from 8.4% to 6.7% read -0.8 where the truth
/// was -12.4, seed 9319708230625354628). A negative estimate stands: its truth is lower.
const MAX_TOP_BIN_CHANGE: f64 = 0.1;
/// Fewest usable cells in a pair.
const MIN_CELLS: usize = 6;
/// Noise of one 8-bit cell mean: its rounding (1/√12) and the scene's noise.
const CELL_NOISE: f64 = 0.35;
/// A cell this many times its expected noise off the fitted line is an outlier (a
/// highlight that clipped in one frame, a moving object).
const OUTLIER: f64 = 3.0;
/// A pair whose cells scatter about the fitted line by more than this many times their
/// expected noise saw a changing scene, or a channel that clipped in some cells without
/// reaching the histogram's top bin: a chart whose red clipped in its bright cells on the
/// first frame under A (D65 gains) scattered 0.81 against 0.43 expected, and read +9.3 ±
/// 3.2 (12-bit) on a calibrated module; the dip's pair on a still chart scatters 0.38.
const MAX_SCATTER: f64 = 1.5;
/// Mean loss of truncating three 12-bit values to 8 bits, in the AE's units.
const TRUNCATION: f64 = 0.5 * 3.0 * 85.0 / 256.0;
/// At most one cell in this many is dropped as an outlier; more means the scene moved.
const MAX_OUTLIER_SHARE: usize = 5;
/// Accumulated precision (1/codes²) is capped so that the estimate keeps following new pairs.
const MAX_WEIGHT: f64 = 4.0;

#[derive(Debug, Clone, Copy)]
struct Frame {
    y: [f64; AE_MEAN_MAX],
    k: [f64; AE_MEAN_MAX],
    /// Per cell and channel, what multiplies the sensor's value: channel weight × shading.
    gain: [[f64; 3]; AE_MEAN_MAX],
    usable: [bool; AE_MEAN_MAX],
    len: usize,
    exposure: f64,
    /// Fraction of the histogram in its top bin.
    top_bin: f64,
}

/// What a pair of frames says about the offset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairEstimate {
    /// Black level to add to the tuned one (12-bit).
    pub delta: f64,
    /// Its standard error (12-bit codes).
    pub std_err: f64,
    pub cells: usize,
}

#[derive(Debug, Clone)]
pub struct BlackLevelEstimator {
    previous: Option<Frame>,
    /// Σ w·δ and Σ w over accepted pairs, w = 1/σ².
    weighted_sum: f64,
    weight: f64,
    pairs: u32,
}

impl Default for BlackLevelEstimator {
    fn default() -> Self {
        Self::new()
    }
}

impl BlackLevelEstimator {
    pub fn new() -> Self {
        Self { previous: None, weighted_sum: 0.0, weight: 0.0, pairs: 0 }
    }

    /// Forget the previous frame (a stream restart); accepted pairs are kept, the module
    /// has not changed.
    pub fn restart(&mut self) {
        self.previous = None;
    }

    /// The estimate so far: (delta in 12-bit codes, standard error), once a pair was accepted.
    pub fn estimate(&self) -> Option<(f64, f64)> {
        (self.weight > 0.0).then(|| (self.weighted_sum / self.weight, self.weight.sqrt().recip()))
    }

    pub fn pairs(&self) -> u32 {
        self.pairs
    }

    /// The last frame observed could be one of a pair (not clipped, enough cells in range).
    pub fn last_frame_usable(&self) -> bool {
        self.previous.is_some()
    }

    /// Add a frame; returns what it and the previous frame said, if they made a usable pair.
    pub fn observe(&mut self, o: &Observation) -> Option<PairEstimate> {
        // Pairs are consecutive frames: the longer apart, the likelier the scene moved.
        let frame = Self::frame(o);
        let pair = match (&self.previous, &frame) {
            (Some(p), Some(f)) => Self::pair(p, f),
            _ => None,
        };
        self.previous = frame;
        if let Some(p) = pair {
            let w = p.std_err.powi(-2);
            self.weighted_sum += w * p.delta;
            self.weight += w;
            if self.weight > MAX_WEIGHT {
                self.weighted_sum *= MAX_WEIGHT / self.weight;
                self.weight = MAX_WEIGHT;
            }
            self.pairs += 1;
        }
        pair
    }

    fn frame(o: &Observation) -> Option<Frame> {
        let len = o.means.len().min(AE_MEAN_MAX);
        let valid = o.exposure.is_finite() && o.exposure > 0.0 && o.channel_weight.iter().all(|w| w.is_finite() && *w > 0.0);
        if len == 0 || !valid || o.shading.is_some_and(|s| s.len() < len) {
            return None;
        }
        if o.top_bin_fraction.is_nan() || o.top_bin_fraction > MAX_HIGHLIGHT_TOP_BIN {
            log::trace!("black level: frame not used, {:.2}% of the histogram in its top bin", o.top_bin_fraction * 100.0);
            return None;
        }
        let mut f = Frame {
            y: [0.0; AE_MEAN_MAX],
            k: [0.0; AE_MEAN_MAX],
            gain: [[0.0; 3]; AE_MEAN_MAX],
            usable: [false; AE_MEAN_MAX],
            len,
            exposure: o.exposure,
            top_bin: o.top_bin_fraction,
        };
        for i in 0..len {
            let lsc = o.shading.map_or([1.0; 3], |s| s[i]);
            if !lsc.iter().all(|g| g.is_finite() && *g > 0.0) {
                return None;
            }
            f.gain[i] = [0, 1, 2].map(|c| o.channel_weight[c] * lsc[c]);
            let k = 85.0 / 4096.0 * f.gain[i].iter().sum::<f64>();
            let m = o.means[i];
            f.k[i] = k;
            f.y[i] = m as f64 - 85.0 / 256.0 * o.offset_sum_8bit + TRUNCATION + k * o.applied_delta;
            f.usable[i] = (CELL_MIN..=CELL_MAX).contains(&m);
        }
        if o.top_bin_fraction > MAX_TOP_BIN {
            let excluded = Self::leave_out_highlight(&mut f, &o.means[..len]);
            if o.top_bin_fraction > excluded {
                log::trace!(
                    "black level: frame not used, {:.2}% of the histogram in its top bin and {:.1}% of the frame in clipped cells and their neighbours",
                    o.top_bin_fraction * 100.0,
                    excluded * 100.0
                );
                return None;
            }
        }
        Some(f)
    }

    /// Mark the cells that hold a highlight, and their neighbours on the square AE grid, as
    /// unusable; returns the share of the frame they cover (0 when the grid is not square:
    /// the neighbours are unknown). A highlight cell is one beyond [`CELL_MAX`] or
    /// [`HIGHLIGHT_CELL`] times the median cell: a window half over a cell leaves its mean
    /// below `CELL_MAX` (119 against a median of 35 on seed 9389293539236195577).
    fn leave_out_highlight(f: &mut Frame, means: &[u8]) -> f64 {
        let side = (means.len() as f64).sqrt().round() as usize;
        if side * side != means.len() {
            return 0.0;
        }
        let mut sorted = [0u8; AE_MEAN_MAX];
        sorted[..means.len()].copy_from_slice(means);
        sorted[..means.len()].sort_unstable();
        let bright = (HIGHLIGHT_CELL * sorted[means.len() / 2] as f64).min(CELL_MAX as f64);
        let mut excluded = [false; AE_MEAN_MAX];
        for (i, _) in means.iter().enumerate().filter(|(_, m)| **m as f64 > bright) {
            let (row, col) = (i / side, i % side);
            for r in row.saturating_sub(1)..=(row + 1).min(side - 1) {
                for c in col.saturating_sub(1)..=(col + 1).min(side - 1) {
                    excluded[r * side + c] = true;
                }
            }
        }
        let mut n = 0;
        for (usable, _) in f.usable.iter_mut().zip(excluded.iter()).filter(|(_, e)| **e) {
            *usable = false;
            n += 1;
        }
        n as f64 / means.len() as f64
    }

    fn pair(a: &Frame, b: &Frame) -> Option<PairEstimate> {
        if a.len != b.len {
            return None;
        }
        let rho = b.exposure / a.exposure;
        if rho.ln().abs() < MIN_EXPOSURE_RATIO.ln() {
            return None;
        }
        let top = a.top_bin.max(b.top_bin);
        let crossed = top > MAX_TOP_BIN && (a.top_bin - b.top_bin).abs() > MAX_TOP_BIN_CHANGE * top;
        // Each cell's signal scales by the exposure ratio times the change of its channels'
        // gains, which must be nearly alike: the cell's colour is unknown.
        let mut lambda = [0.0; AE_MEAN_MAX];
        for (i, l) in lambda.iter_mut().enumerate().take(a.len) {
            let ratios = [0, 1, 2].map(|c| b.gain[i][c] / a.gain[i][c]);
            let (lo, hi) = ratios.iter().fold((f64::MAX, f64::MIN), |(l, h), r| (l.min(*r), h.max(*r)));
            if hi / lo - 1.0 > MAX_WEIGHT_SPREAD {
                log::trace!("black level: pair ×{rho:.3} rejected, white balance or shading moved (cell {i}: channel gains spread {:.4})", hi / lo - 1.0);
                return None;
            }
            *l = rho * (ratios[0] * ratios[1] * ratios[2]).cbrt();
        }
        let mut used = [false; AE_MEAN_MAX];
        for (i, u) in used.iter_mut().enumerate().take(a.len) {
            *u = a.usable[i] && b.usable[i];
        }
        // The fit, its residual scatter and its cells; then once more without the cells
        // far off the line (a highlight that clipped in one frame, a moving object).
        let expected = CELL_NOISE * (1.0 + rho * rho).sqrt();
        let fit = |used: &[bool; AE_MEAN_MAX]| {
            let (mut saa, mut sab, mut n) = (0.0, 0.0, 0usize);
            for i in (0..a.len).filter(|i| used[*i]) {
                let coef = b.k[i] - lambda[i] * a.k[i];
                saa += coef * coef;
                sab += coef * (b.y[i] - lambda[i] * a.y[i]);
                n += 1;
            }
            let delta = if saa > 0.0 { sab / saa } else { 0.0 };
            let residual = |i: usize| b.y[i] - lambda[i] * a.y[i] - (b.k[i] - lambda[i] * a.k[i]) * delta;
            let sum_sq = (0..a.len).filter(|i| used[*i]).map(|i| residual(i).powi(2)).sum::<f64>();
            (delta, saa, n, (sum_sq / n.saturating_sub(1).max(1) as f64).sqrt())
        };
        let (first, _, n0, _) = fit(&used);
        if n0 < MIN_CELLS {
            log::trace!("black level: pair ×{rho:.3} rejected, {n0} usable cells");
            return None;
        }
        let mut dropped = 0;
        for i in 0..a.len {
            let r = b.y[i] - lambda[i] * a.y[i] - (b.k[i] - lambda[i] * a.k[i]) * first;
            if used[i] && r.abs() > OUTLIER * expected && dropped < n0 / MAX_OUTLIER_SHARE {
                used[i] = false;
                dropped += 1;
            }
        }
        let (delta, saa, n, scatter) = fit(&used);
        if n < MIN_CELLS || saa <= 0.0 {
            log::trace!("black level: pair ×{rho:.3} rejected, {n} usable cells");
            return None;
        }
        if log::log_enabled!(log::Level::Trace) {
            for i in (0..a.len).filter(|i| used[*i]) {
                log::trace!("cell {i}: y1 {:.3} y2 {:.3} k1 {:.5} k2 {:.5}", a.y[i], b.y[i], a.k[i], b.k[i]);
            }
        }
        if scatter > MAX_SCATTER * expected {
            log::debug!("black level: pair ×{rho:.2} rejected, cells scatter {scatter:.2} (expected {expected:.2}): the scene moved");
            return None;
        }
        if crossed && delta > 0.0 {
            // Pixels that clip in the brighter frame (at white) or the darker one (at black)
            // fall short of the exposure ratio, which raises the estimate whichever frame
            // comes first: a level below the tuning is only underestimated, one above it
            // may be clipping alone.
            log::trace!(
                "black level: pair ×{rho:.3} rejected, {delta:+.1} with the top bin at {:.4} then {:.4}: pixels crossed full scale",
                a.top_bin,
                b.top_bin
            );
            return None;
        }
        let std_err = scatter.max(expected) / saa.sqrt();
        log::trace!("black level: pair ×{rho:.3} over {n} cells: {delta:+.1} ± {std_err:.1}, scatter {scatter:.2} (expected {expected:.2})");
        Some(PairEstimate { delta, std_err, cells: n })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    /// AE means of cells with signals `s` (8-bit at exposure 1) under residual `r` (12-bit).
    fn means(s: &[f64], exposure: f64, k: &[f64], r: f64, out: &mut Vec<u8>) {
        out.clear();
        out.extend(s.iter().zip(k).map(|(s, k)| (s * exposure + k * r - TRUNCATION).round().clamp(0.0, 255.0) as u8));
    }

    fn observation<'a>(m: &'a [u8], exposure: f64, applied: f64, w: [f64; 3], shading: &'a [[f64; 3]]) -> Observation<'a> {
        Observation { means: m, exposure, applied_delta: applied, channel_weight: w, offset_sum_8bit: 0.0, shading: Some(shading), top_bin_fraction: 0.0 }
    }

    fn k_of(w: [f64; 3], shading: &[[f64; 3]]) -> Vec<f64> {
        shading.iter().map(|l| 85.0 / 4096.0 * (0..3).map(|c| w[c] * l[c]).sum::<f64>()).collect()
    }

    /// A 5×5 grid of cells with signals 16..75 (fractional parts: integer ones would round
    /// alike in every cell), lens shading `lsc` on every cell and fixed white-balance
    /// weights: (signals, shading, weights, k).
    fn ramp_scene(lsc: f64) -> (Vec<f64>, Vec<[f64; 3]>, [f64; 3], Vec<f64>) {
        let s: Vec<f64> = (0..25).map(|i| 16.0 + 2.47 * i as f64).collect();
        let shading = vec![[lsc; 3]; 25];
        let w = [2.0, 1.0, 1.6];
        let k = k_of(w, &shading);
        (s, shading, w, k)
    }

    #[test]
    fn finds_the_offset_of_random_scenes_from_exposure_changes() {
        let mut rng = StdRng::seed_from_u64(0x51ac_1e7e1);
        for _ in 0..200 {
            let cells = 25;
            let s: Vec<f64> = (0..cells).map(|_| rng.gen_range(10.0..90.0)).collect();
            let shading: Vec<[f64; 3]> = (0..cells).map(|_| [rng.gen_range(1.0..2.0); 3]).collect();
            let w = [rng.gen_range(1.2..2.5), 1.0, rng.gen_range(1.2..2.5)];
            let truth = rng.gen_range(-64.0..64.0);
            let k = k_of(w, &shading);
            let mut est = BlackLevelEstimator::new();
            let mut m = Vec::new();
            means(&s, 1.0, &k, truth, &mut m);
            assert!(est.observe(&observation(&m, 1.0, 0.0, w, &shading)).is_none(), "one frame is no pair");
            let rho = rng.gen_range(1.5..2.5);
            means(&s, rho, &k, truth, &mut m);
            let p = est.observe(&observation(&m, rho, 0.0, w, &shading)).expect("pair accepted");
            assert!((p.delta - truth).abs() < 4.0 * p.std_err.max(1.0), "truth {truth:.1}, got {p:?}");
            assert!(p.std_err < 8.0, "{p:?}");
        }
    }

    #[test]
    fn an_offset_already_applied_is_accounted_for() {
        let (s, shading, w, k) = ramp_scene(1.0);
        let mut est = BlackLevelEstimator::new();
        let mut m = Vec::new();
        // True offset 40; the first frame already subtracts 30 of it, the second all of it.
        means(&s, 1.0, &k, 40.0 - 30.0, &mut m);
        est.observe(&observation(&m, 1.0, 30.0, w, &shading));
        means(&s, 2.0, &k, 0.0, &mut m);
        let p = est.observe(&observation(&m, 2.0, 40.0, w, &shading)).unwrap();
        assert!((p.delta - 40.0).abs() < 6.0, "{p:?}");
    }

    #[test]
    fn a_moving_scene_or_white_balance_gives_no_estimate() {
        let mut rng = StdRng::seed_from_u64(7);
        let s: Vec<f64> = (0..25).map(|_| rng.gen_range(15.0..90.0)).collect();
        let moved: Vec<f64> = s.iter().map(|v| v * rng.gen_range(0.6..1.4)).collect();
        let shading = vec![[1.2; 3]; 25];
        let w = [2.0, 1.0, 1.6];
        let k = k_of(w, &shading);
        let mut m = Vec::new();
        let mut est = BlackLevelEstimator::new();
        means(&s, 1.0, &k, 20.0, &mut m);
        est.observe(&observation(&m, 1.0, 0.0, w, &shading));
        means(&moved, 2.0, &k, 20.0, &mut m);
        assert_eq!(est.observe(&observation(&m, 2.0, 0.0, w, &shading)), None, "scene moved");
        // The white balance moves between the next two frames.
        means(&s, 1.0, &k, 20.0, &mut m);
        est.observe(&observation(&m, 1.0, 0.0, w, &shading));
        means(&s, 2.0, &k, 20.0, &mut m);
        assert_eq!(est.observe(&observation(&m, 2.0, 0.0, [2.1, 1.0, 1.6], &shading)), None, "white balance moved");
        // Same exposure: nothing to learn.
        assert_eq!(est.observe(&observation(&m, 2.0, 0.0, [2.1, 1.0, 1.6], &shading)), None, "same exposure");
        assert_eq!(est.estimate(), None);
    }

    #[test]
    fn a_cell_whose_highlight_clipped_is_left_out() {
        let (s, shading, w, k) = ramp_scene(1.1);
        let mut m = Vec::new();
        let mut est = BlackLevelEstimator::new();
        means(&s, 1.0, &k, -30.0, &mut m);
        est.observe(&observation(&m, 1.0, 0.0, w, &shading));
        means(&s, 2.0, &k, -30.0, &mut m);
        m[7] -= 12; // part of the cell clipped at white and did not double
        let p = est.observe(&observation(&m, 2.0, 0.0, w, &shading)).expect("pair accepted without the cell");
        assert!(p.cells >= 20, "{p:?}");
        assert!((p.delta + 30.0).abs() < 5.0, "{p:?}");
    }

    #[test]
    fn frames_with_clipped_pixels_are_not_used() {
        let (s, shading, w, k) = ramp_scene(1.0);
        let mut m = Vec::new();
        let mut est = BlackLevelEstimator::new();
        means(&s, 2.0, &k, 20.0, &mut m);
        est.observe(&Observation { top_bin_fraction: 0.3, ..observation(&m, 2.0, 0.0, w, &shading) });
        means(&s, 1.0, &k, 20.0, &mut m);
        assert_eq!(est.observe(&observation(&m, 1.0, 0.0, w, &shading)), None);
        means(&s, 2.0, &k, 20.0, &mut m);
        assert!(est.observe(&observation(&m, 2.0, 0.0, w, &shading)).is_some(), "the next pair is clean");
    }

    /// Cells of a 5×5 grid with signals in 16..75 and a clipped highlight over cell 8 and
    /// part of its neighbour 9 (a constant that does not follow the exposure).
    fn highlight_frame(s: &[f64], exposure: f64, k: &[f64], r: f64, out: &mut Vec<u8>) {
        means(s, exposure, k, r, out);
        out[8] = 240;
        out[9] = out[9].saturating_add(30);
    }

    /// A pair of highlight frames (exposures 1.4 then 1.0) for a module `truth` codes off
    /// its tuning, the top bin at 6% in the first frame and `top_after` in the second.
    fn highlight_pair(truth: f64, top_after: f64) -> Option<PairEstimate> {
        let (s, shading, w, k) = ramp_scene(1.1);
        let mut m = Vec::new();
        let mut est = BlackLevelEstimator::new();
        highlight_frame(&s, 1.4, &k, truth, &mut m);
        est.observe(&Observation { top_bin_fraction: 0.06, ..observation(&m, 1.4, 0.0, w, &shading) });
        assert!(est.last_frame_usable(), "a highlight frame can start a pair");
        highlight_frame(&s, 1.0, &k, truth, &mut m);
        est.observe(&Observation { top_bin_fraction: top_after, ..observation(&m, 1.0, 0.0, w, &shading) })
    }

    #[test]
    fn a_compact_highlight_is_left_out_with_its_neighbours() {
        for truth in [-40.0, 30.0] {
            let p = highlight_pair(truth, 0.06).expect("pair accepted without the highlight's cells");
            assert!(p.cells <= 16, "the highlight cell and its neighbours are left out: {p:?}");
            assert!((p.delta - truth).abs() < 8.0, "truth {truth}: {p:?}");
        }
    }

    #[test]
    fn a_negative_estimate_stands_when_pixels_may_have_crossed_full_scale() {
        // The top bin changed (6% then 4.5%): clipping only raises the estimate, so a level
        // below the tuning is still taken.
        let p = highlight_pair(-40.0, 0.045).expect("a negative estimate stands");
        assert!(p.delta < 0.0, "{p:?}");
    }

    #[test]
    fn a_positive_estimate_is_refused_when_pixels_may_have_crossed_full_scale() {
        let (s, shading, w, k) = ramp_scene(1.1);
        let mut m = Vec::new();
        let mut est = BlackLevelEstimator::new();
        highlight_frame(&s, 1.4, &k, 30.0, &mut m);
        est.observe(&Observation { top_bin_fraction: 0.08, ..observation(&m, 1.4, 0.0, w, &shading) });
        highlight_frame(&s, 1.0, &k, 30.0, &mut m);
        assert_eq!(est.observe(&Observation { top_bin_fraction: 0.05, ..observation(&m, 1.0, 0.0, w, &shading) }), None);
    }

    #[test]
    fn clipped_pixels_spread_over_the_frame_make_it_unusable() {
        // 6% of the histogram in its top bin and no cell much brighter than the others: the
        // clipped pixels (a channel of a colour cast) are anywhere.
        let s: Vec<f64> = (0..25).map(|i| 30.0 + 1.5 * i as f64).collect();
        let shading = vec![[1.0; 3]; 25];
        let w = [2.0, 1.0, 1.6];
        let k = k_of(w, &shading);
        let mut m = Vec::new();
        let mut est = BlackLevelEstimator::new();
        means(&s, 1.0, &k, 0.0, &mut m);
        est.observe(&Observation { top_bin_fraction: 0.06, ..observation(&m, 1.0, 0.0, w, &shading) });
        assert!(!est.last_frame_usable());
    }

    #[test]
    fn garbage_never_panics() {
        let mut est = BlackLevelEstimator::new();
        let shading = vec![[1.0; 3]; 3];
        for (m, e, w) in
            [(&[0u8; 0][..], 1.0, [1.0; 3]), (&[100u8; 25][..], f64::NAN, [1.0; 3]), (&[100u8; 25][..], 1.0, [0.0; 3]), (&[255u8; 25][..], 2.0, [1.0; 3])]
        {
            assert_eq!(est.observe(&observation(m, e, 0.0, w, &shading)), None);
        }
        let too_many = [50u8; AE_MEAN_MAX + 10];
        est.observe(&Observation {
            means: &too_many,
            exposure: 1.0,
            applied_delta: 0.0,
            channel_weight: [1.0; 3],
            offset_sum_8bit: 0.0,
            shading: None,
            top_bin_fraction: 0.0,
        });
        est.observe(&Observation {
            means: &too_many,
            exposure: 3.0,
            applied_delta: 0.0,
            channel_weight: [1.0; 3],
            offset_sum_8bit: 0.0,
            shading: None,
            top_bin_fraction: 0.0,
        });
    }
}
