//! Model of the ISP's sharpening/blurring filter (FLT) on the demosaicked RGB, before the
//! colour matrix.
//!
//! The UAPI documents the thresholds' roles but not the arithmetic; our model:
//! * A local gradient sum on green in 10-bit units, g = |G(x+1) − G(x−1)| + |G(y+1) − G(y−1)|,
//!   picks the factor: g < thresh_bl1 → fac_bl1 (most blur), < thresh_bl0 → fac_bl0,
//!   < thresh_sh0 → fac_mid, < thresh_sh1 → fac_sh0, otherwise fac_sh1 (static mode: fac_mid
//!   everywhere).
//! * Each channel becomes low + fac/16 · (x − low), where low is a 3×3 binomial blur: 16 keeps
//!   the pixel, less blurs, more sharpens.
//!
//! A simulator pixel stands for a block of sensor pixels, so the visible scale of the
//! effect differs from the phone's; the direction and the noise/edge trade-off do not.

use rkisp1_ipa::abi::{consts, FltConfig};

pub fn filter(cfg: &FltConfig, rgb: &mut [[f32; 3]], w: usize, h: usize) {
    let src = rgb.to_vec();
    let at = |x: isize, y: isize| src[(y.clamp(0, h as isize - 1) as usize) * w + x.clamp(0, w as isize - 1) as usize];
    for y in 0..h as isize {
        for x in 0..w as isize {
            let g = ((at(x + 1, y)[1] - at(x - 1, y)[1]).abs() + (at(x, y + 1)[1] - at(x, y - 1)[1]).abs()) / 4.0;
            let fac = if cfg.mode == consts::FLT_STATIC_MODE {
                cfg.fac_mid
            } else if g < cfg.thresh_bl1 as f32 {
                cfg.fac_bl1
            } else if g < cfg.thresh_bl0 as f32 {
                cfg.fac_bl0
            } else if g < cfg.thresh_sh0 as f32 {
                cfg.fac_mid
            } else if g < cfg.thresh_sh1 as f32 {
                cfg.fac_sh0
            } else {
                cfg.fac_sh1
            } as f32
                / 16.0;
            let mut low = [0f32; 3];
            for dy in -1..=1isize {
                for dx in -1..=1isize {
                    let wgt = ((2 - dx.abs()) * (2 - dy.abs())) as f32 / 16.0;
                    let p = at(x + dx, y + dy);
                    for k in 0..3 {
                        low[k] += wgt * p[k];
                    }
                }
            }
            let i = y as usize * w + x as usize;
            for k in 0..3 {
                rgb[i][k] = (low[k] + fac * (src[i][k] - low[k])).clamp(0.0, 4095.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(fac_bl: u32, fac_sh: u32) -> FltConfig {
        FltConfig {
            mode: consts::FLT_DYNAMIC_MODE,
            thresh_bl1: 5,
            thresh_bl0: 10,
            thresh_sh0: 30,
            thresh_sh1: 60,
            fac_bl1: fac_bl,
            fac_bl0: fac_bl,
            fac_mid: 16,
            fac_sh0: fac_sh,
            fac_sh1: fac_sh,
            ..Default::default()
        }
    }

    #[test]
    fn edges_get_sharper_and_flat_areas_smoother() {
        let (w, h) = (16, 4);
        let step: Vec<[f32; 3]> = (0..w * h).map(|i| if i % w < w / 2 { [1000.0; 3] } else { [3000.0; 3] }).collect();
        let mut s = step.clone();
        filter(&level(16, 32), &mut s, w, h);
        // Overshoot either side of the edge, the plateaus untouched.
        assert!(s[w / 2 - 1][1] < 1000.0 && s[w / 2][1] > 3000.0, "{:?}", &s[..w]);
        assert_eq!(s[1][1], 1000.0);
        let mut b = step.clone();
        filter(&level(16, 8), &mut b, w, h);
        assert!(b[w / 2 - 1][1] > 1000.0 && b[w / 2][1] < 3000.0, "blurred edge {:?}", &b[..w]);
        // A small ripple (noise) is smoothed with a low blur factor.
        let ripple: Vec<[f32; 3]> = (0..w * h).map(|i| [if (i % w + i / w) % 2 == 0 { 1004.0 } else { 996.0 }; 3]).collect();
        let mut r = ripple.clone();
        filter(&level(0, 32), &mut r, w, h);
        let dev = |v: &[[f32; 3]]| v.iter().map(|p| (p[1] - 1000.0).abs()).fold(0.0, f32::max);
        assert!(dev(&r) < dev(&ripple) / 2.0, "{} vs {}", dev(&r), dev(&ripple));
    }
}
