//! Model of the ISP's defect pixel cluster correction (DPCC) on the raw Bayer planes,
//! before black level subtraction.
//!
//! Only the peak-gradient test is modelled (every method set of our tuning enables it, and
//! the other tests' arithmetic is undocumented): a sample is defective when it lies above
//! the largest of its 8 same-colour neighbours, or below the smallest, by more than
//! pg_fac / 4 times their range plus 4 DN (10-bit; keeps flat, noiseless areas from
//! triggering). Green uses the low byte of PG_FAC, red/blue the high byte; any used set that
//! flags the sample flags it. Defects are replaced by the median of the neighbours.

use rkisp1_ipa::abi::DpccConfig;

/// The corrected raw quads (10-bit samples; channel order R, Gr, Gb, B) and how many
/// samples were replaced.
pub fn correct(cfg: &DpccConfig, src: &[[u16; 4]], w: usize, h: usize) -> (Vec<[u16; 4]>, usize) {
    let used: Vec<usize> = (0..3).filter(|n| cfg.set_use & (1 << n) != 0).collect();
    let mut raw = src.to_vec();
    let mut replaced = 0;
    for k in 0..4 {
        let green = k == 1 || k == 2;
        let factors: Vec<f32> = used
            .iter()
            .filter(|n| cfg.methods[**n].method & if green { 1 } else { 1 << 8 } != 0)
            .map(|n| ((cfg.methods[*n].pg_fac >> if green { 0 } else { 8 }) & 0xFF) as f32 / 4.0)
            .collect();
        if factors.is_empty() {
            continue;
        }
        for y in 0..h {
            for x in 0..w {
                let mut nb = [0u16; 8];
                let mut c = 0;
                for dy in -1i32..=1 {
                    for dx in -1i32..=1 {
                        if dx == 0 && dy == 0 {
                            continue;
                        }
                        let xx = (x as i32 + dx).clamp(0, w as i32 - 1) as usize;
                        let yy = (y as i32 + dy).clamp(0, h as i32 - 1) as usize;
                        nb[c] = src[yy * w + xx][k];
                        c += 1;
                    }
                }
                nb.sort_unstable();
                let (lo, hi) = (nb[0] as f32, nb[7] as f32);
                let v = src[y * w + x][k] as f32;
                let defect = factors.iter().any(|f| {
                    let margin = f * (hi - lo) + 4.0;
                    v > hi + margin || v < lo - margin
                });
                if defect {
                    raw[y * w + x][k] = (nb[3] as u32 + nb[4] as u32).div_ceil(2) as u16;
                    replaced += 1;
                }
            }
        }
    }
    (raw, replaced)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rkisp1_ipa::abi::DpccMethods;

    #[test]
    fn hot_and_dead_pixels_are_replaced_and_texture_is_kept() {
        let cfg = DpccConfig {
            set_use: 1,
            methods: [DpccMethods { method: 0x0101, pg_fac: 0x0403, ..Default::default() }, Default::default(), Default::default()],
            ..Default::default()
        };
        let (w, h) = (8, 8);
        // A gentle ramp (texture) with one hot and one dead sample.
        let mut input: Vec<[u16; 4]> = (0..w * h).map(|i| [100 + (i % w) as u16 * 3; 4]).collect();
        input[3 * w + 3][1] = 1023;
        input[5 * w + 5][0] = 0;
        let (raw, n) = correct(&cfg, &input, w, h);
        assert_eq!(n, 2);
        assert_eq!(raw[3 * w + 3][1], 109);
        assert_eq!(raw[5 * w + 5][0], 115);
        assert_eq!(raw[2 * w + 6][2], 118, "texture untouched");
    }
}
