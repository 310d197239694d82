//! Model of the ISP's de-noising pre-filter (DPF) on the Bayer planes, after BLS, LSC and
//! the AWB gains.
//!
//! The UAPI gives the register layout but not the arithmetic, so this is our model,
//! stated so it can be checked against hardware:
//! * Each colour plane (R, Gr, Gb, B) is filtered on its own over a window of same-colour
//!   samples: 5×5 for green and for red/blue in the 9×9 size, 7×5 for red/blue in 13×9.
//!   (The hardware's green filter uses both greens in a diamond; filtering Gr and Gb apart
//!   is a simplification.)
//! * Spatial weight: the coefficient of the offset's distance class — squared sample
//!   distance 0, 1, 2, 4, 5 and ≥ 8 map to coefficients 0‥5 — divided by 16.
//! * Noise level: the NLL coefficient c at the sample's sensor-domain intensity (12-bit,
//!   i.e. the value divided by the AWB × LSC gains it received, in gain usage mode
//!   AWB_LSC) is read as an inverse standard deviation, σ = 4096 / c DN. With this reading
//!   Rockchip's full-resolution calibration of both PinePhone Pro modules and this
//!   simulator's independent noise model (read noise, electrons per DN) agree within a
//!   factor of 2 at every NLL point. σ is then multiplied back by the gains.
//!   x positions: 17 points 256 apart (linear) or at the GOC logarithmic segments.
//! * Range weight: Tukey's biweight (1 − u²/9)² for |u| < 3 with u = Δ / σ_r, where
//!   σ_r = 2σ · strength / 64: neighbours within a few noise levels are averaged, edges
//!   several times stronger than the noise are kept.

use rkisp1_ipa::abi::{consts, DpfConfig, DpfStrengthConfig};
use rkisp1_ipa::algorithms::goc::LOG_SEGMENTS;

/// The 17 x positions (12-bit) of the noise level lookup.
fn nll_x(scale_mode: u32) -> [f32; 17] {
    let mut x = [0f32; 17];
    let mut acc = 0u32;
    for i in 1..17 {
        acc += if scale_mode == consts::NLL_SCALE_LOGARITHMIC { LOG_SEGMENTS[i - 1] } else { 256 };
        x[i] = acc as f32;
    }
    x
}

/// Noise standard deviation (12-bit DN, sensor domain) at intensity `v`.
fn sigma(cfg: &DpfConfig, xs: &[f32; 17], v: f32) -> f32 {
    let c = |i: usize| (cfg.nll[i].max(1)) as f32;
    let v = v.clamp(0.0, 4095.0);
    let i = xs.iter().rposition(|x| *x <= v).unwrap_or(0).min(15);
    let t = ((v - xs[i]) / (xs[i + 1] - xs[i])).clamp(0.0, 1.0);
    4096.0 / (c(i) * (1.0 - t) + c(i + 1) * t)
}

fn class(d2: i32) -> usize {
    match d2 {
        0 => 0,
        1 => 1,
        2 => 2,
        4 => 3,
        5 => 4,
        _ => 5,
    }
}

/// Filter the Bayer planes in place. `planes[k]` holds channel k (R, Gr, Gb, B) of every
/// quad, `gains[k]` the per-quad AWB × LSC gain that channel received.
pub fn filter(cfg: &DpfConfig, strength: &DpfStrengthConfig, planes: &mut [Vec<f32>; 4], gains: &[Vec<f32>; 4], w: usize, h: usize) {
    let xs = nll_x(cfg.nll_scale_mode);
    let enabled = [cfg.r_enable, cfg.gr_enable, cfg.gb_enable, cfg.b_enable];
    let strengths = [strength.r, strength.g, strength.g, strength.b];
    for k in 0..4 {
        if !enabled[k] || strengths[k] == 0 {
            continue;
        }
        let green = k == 1 || k == 2;
        let spatial = if green { &cfg.g_spatial } else { &cfg.rb_spatial };
        let rx: i32 = if !green && cfg.rb_fltsize == consts::DPF_RB_FILTERSIZE_13X9 { 3 } else { 2 };
        let ry: i32 = 2;
        let scale = 2.0 * strengths[k] as f32 / 64.0;
        let src = planes[k].clone();
        let g = &gains[k];
        for y in 0..h as i32 {
            for x in 0..w as i32 {
                let i = y as usize * w + x as usize;
                let centre = src[i];
                let gain = g[i].max(1e-3);
                let sr = (sigma(cfg, &xs, centre / gain) * gain * scale).max(1e-3);
                let inv = 1.0 / (sr * sr);
                let (mut acc, mut wsum) = (0f32, 0f32);
                for dy in -ry..=ry {
                    let yy = y + dy;
                    if yy < 0 || yy >= h as i32 {
                        continue;
                    }
                    for dx in -rx..=rx {
                        let xx = x + dx;
                        if xx < 0 || xx >= w as i32 {
                            continue;
                        }
                        let ws = spatial[class(dx * dx + dy * dy)] as f32 / 16.0;
                        if ws == 0.0 {
                            continue;
                        }
                        let v = src[yy as usize * w + xx as usize];
                        let u2 = (v - centre) * (v - centre) * inv;
                        if u2 >= 9.0 {
                            continue;
                        }
                        let t = 1.0 - u2 / 9.0;
                        let wt = ws * t * t;
                        acc += wt * v;
                        wsum += wt;
                    }
                }
                if wsum > 0.0 {
                    planes[k][i] = acc / wsum;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    fn cfg() -> DpfConfig {
        DpfConfig {
            gain_mode: consts::dpf_gain::AWB_LSC_GAINS,
            g_spatial: [16, 14, 12, 10, 9, 6],
            rb_spatial: [16, 14, 12, 10, 9, 0],
            gr_enable: true,
            gb_enable: true,
            r_enable: true,
            b_enable: true,
            rb_fltsize: consts::DPF_RB_FILTERSIZE_9X9,
            nll: [256; 17],
            nll_scale_mode: consts::NLL_SCALE_LINEAR,
            ..Default::default()
        }
    }

    fn std(v: &[f32]) -> f32 {
        let m = v.iter().sum::<f32>() / v.len() as f32;
        (v.iter().map(|x| (x - m) * (x - m)).sum::<f32>() / v.len() as f32).sqrt()
    }

    #[test]
    fn flat_noise_drops_and_edges_stay() {
        let (w, h) = (64, 32);
        let mut rng = StdRng::seed_from_u64(3);
        // Noise σ = 16 DN (= 4096 / 256) on a step from 500 to 1500 DN.
        let plane: Vec<f32> = (0..w * h).map(|i| if i % w < w / 2 { 500.0 } else { 1500.0 } + 16.0 * (rng.gen::<f32>() * 2.0 - 1.0) * 1.732).collect();
        let mut planes = [plane.clone(), plane.clone(), plane.clone(), plane.clone()];
        let gains = [vec![1.0; w * h], vec![1.0; w * h], vec![1.0; w * h], vec![1.0; w * h]];
        filter(&cfg(), &DpfStrengthConfig { r: 64, g: 64, b: 64 }, &mut planes, &gains, w, h);
        let left = |p: &[f32]| p.iter().enumerate().filter(|(i, _)| i % w < w / 2 - 4).map(|(_, v)| *v).collect::<Vec<_>>();
        let before = std(&left(&plane));
        let after = std(&left(&planes[0]));
        assert!(after < before / 2.5, "noise {before} → {after}");
        // The step survives: columns either side of the edge keep their levels.
        let col = |p: &[f32], x: usize| (0..h).map(|y| p[y * w + x]).sum::<f32>() / h as f32;
        assert!(col(&planes[0], w / 2 - 1) < 560.0 && col(&planes[0], w / 2) > 1440.0);
        // Strength 0 leaves the plane alone.
        let mut planes2 = [plane.clone(), plane.clone(), plane.clone(), plane.clone()];
        filter(&cfg(), &DpfStrengthConfig { r: 0, g: 0, b: 0 }, &mut planes2, &gains, w, h);
        assert_eq!(planes2[0], plane);
    }
}
