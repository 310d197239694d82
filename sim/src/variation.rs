//! Module-to-module variation: a camera module on a phone differs from the one its tuning
//! was calibrated on. A [`Variation`] perturbs the simulator's *truth* (the
//! [`SensorModel`] that renders raw frames), never the tuning file the IPA reads, so the IPA
//! meets a sensor it was not calibrated for. Every knob is drawn uniformly from a
//! `StdRng` seeded with the variation's seed: one seed names one module.
//!
//! * **White points**: R/G and B/G of every illuminant are scaled by one factor pair in
//!   [0.94, 1.06] (colour-filter spread between modules moves all illuminants alike), then
//!   each illuminant's pair by a further factor in [0.99, 1.01] (spread of the calibration
//!   measurement itself). Colour temperatures on the locus follow the varied named points.
//! * **Cross-talk**: each off-diagonal term of the camera-from-scene matrix gives up to
//!   ±0.03 to the diagonal term of its row. Rows keep their sums, so greys stay grey
//!   before the white point; saturated colours shift, and the IPA's colour matrix no
//!   longer inverts the sensor exactly.
//! * **Black level**: scaled by a factor in [0.75, 1.25]. The IPA keeps subtracting the
//!   level of its tuning, so dark greys get an offset that white balance gains tint.
//!
//! Noise is not a property of a module but a switch of the run (`RunConfig::noise`).

use crate::sensor::SensorModel;
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::fmt::Write;

/// Largest relative change of a white point's R/G or B/G common to all illuminants.
pub const WHITE_POINT_SPREAD: f64 = 0.06;
/// Largest further relative change per illuminant.
pub const WHITE_POINT_JITTER: f64 = 0.01;
/// Largest amount an off-diagonal cross-talk term gives to (or takes from) its diagonal.
pub const CROSSTALK_SHIFT: f64 = 0.03;
/// Largest relative change of the black level.
pub const BLACK_LEVEL_SPREAD: f64 = 0.25;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Variation {
    pub seed: u64,
    /// Factors on (R/G, B/G) of every white point.
    pub white_point_scale: [f64; 2],
    /// Further factors on (R/G, B/G), one pair per white point of the sensor, in its order.
    pub white_point_jitter: Vec<[f64; 2]>,
    /// Amount moved from each off-diagonal cross-talk term to its row's diagonal, by
    /// [row][column] (diagonal entries 0).
    pub crosstalk_shift: [[f64; 3]; 3],
    pub black_level_scale: f64,
}

impl Variation {
    /// The module of `seed` for a sensor (the sensor gives the number of white points).
    pub fn draw(seed: u64, sensor: &SensorModel) -> Variation {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut factor = |spread: f64| rng.gen_range(1.0 - spread..=1.0 + spread);
        let white_point_scale = [factor(WHITE_POINT_SPREAD), factor(WHITE_POINT_SPREAD)];
        let white_point_jitter = sensor.white_points.iter().map(|_| [factor(WHITE_POINT_JITTER), factor(WHITE_POINT_JITTER)]).collect();
        let black_level_scale = factor(BLACK_LEVEL_SPREAD);
        let mut crosstalk_shift = [[0.0; 3]; 3];
        for (r, row) in crosstalk_shift.iter_mut().enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                if r != c {
                    *v = rng.gen_range(-CROSSTALK_SHIFT..=CROSSTALK_SHIFT);
                }
            }
        }
        Variation { seed, white_point_scale, white_point_jitter, crosstalk_shift, black_level_scale }
    }

    /// The sensor as this module renders it.
    pub fn apply(&self, nominal: &SensorModel) -> SensorModel {
        let mut s = nominal.clone();
        for (w, j) in s.white_points.iter_mut().zip(&self.white_point_jitter) {
            w.r *= self.white_point_scale[0] * j[0];
            w.b *= self.white_point_scale[1] * j[1];
        }
        for r in 0..3 {
            for c in (0..3).filter(|c| *c != r) {
                let d = self.crosstalk_shift[r][c];
                s.crosstalk[(r, c)] -= d;
                s.crosstalk[(r, r)] += d;
            }
        }
        s.black_level_10bit *= self.black_level_scale;
        s
    }

    /// The perturbed values next to the nominal ones, for people.
    pub fn describe(&self, nominal: &SensorModel) -> String {
        let v = self.apply(nominal);
        let mut out = format!(
            "module variation {} of {}: white points R/G ×{:.3}, B/G ×{:.3} (then ±{:.0}% per illuminant), black level {:.1} → {:.1}\n",
            self.seed,
            nominal.name,
            self.white_point_scale[0],
            self.white_point_scale[1],
            WHITE_POINT_JITTER * 100.0,
            nominal.black_level_10bit,
            v.black_level_10bit
        );
        for (n, w) in nominal.white_points.iter().zip(&v.white_points) {
            let _ = writeln!(out, "  {:5} R/G {:.3} → {:.3}, B/G {:.3} → {:.3}", n.name.unwrap_or("?"), n.r, w.r, n.b, w.b);
        }
        for r in 0..3 {
            let row = |m: &nalgebra::Matrix3<f64>| format!("[{:+.3} {:+.3} {:+.3}]", m[(r, 0)], m[(r, 1)], m[(r, 2)]);
            let _ = writeln!(out, "  cross-talk row {r}: {} → {}", row(&nominal.crosstalk), row(&v.crosstalk));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_knob_stays_within_its_range() {
        for sensor in [SensorModel::imx258(), SensorModel::ov8858()] {
            for seed in 0..500 {
                let v = Variation::draw(seed, &sensor);
                assert_eq!(v, Variation::draw(seed, &sensor), "reproducible");
                let s = v.apply(&sensor);
                for (n, w) in sensor.white_points.iter().zip(&s.white_points) {
                    let lo = (1.0 - WHITE_POINT_SPREAD) * (1.0 - WHITE_POINT_JITTER) - 1e-12;
                    let hi = (1.0 + WHITE_POINT_SPREAD) * (1.0 + WHITE_POINT_JITTER) + 1e-12;
                    for ratio in [w.r / n.r, w.b / n.b] {
                        assert!((lo..=hi).contains(&ratio), "seed {seed}: white point factor {ratio}");
                    }
                    assert_eq!(w.ct, n.ct);
                }
                for k in v.white_point_scale {
                    assert!((k - 1.0).abs() <= WHITE_POINT_SPREAD);
                }
                for j in v.white_point_jitter.iter().flatten() {
                    assert!((j - 1.0).abs() <= WHITE_POINT_JITTER);
                }
                for r in 0..3 {
                    let sum = |m: &nalgebra::Matrix3<f64>| m[(r, 0)] + m[(r, 1)] + m[(r, 2)];
                    assert!((sum(&s.crosstalk) - sum(&sensor.crosstalk)).abs() < 1e-12, "seed {seed}: row {r} keeps its sum");
                    for c in 0..3 {
                        let d = (s.crosstalk[(r, c)] - sensor.crosstalk[(r, c)]).abs();
                        let limit = if r == c { 2.0 * CROSSTALK_SHIFT } else { CROSSTALK_SHIFT };
                        assert!(d <= limit + 1e-12, "seed {seed}: cross-talk ({r}, {c}) moved {d}");
                    }
                }
                let k = s.black_level_10bit / sensor.black_level_10bit;
                assert!((k - 1.0).abs() <= BLACK_LEVEL_SPREAD + 1e-12, "seed {seed}: black level factor {k}");
            }
        }
    }
}
