//! The zone table: camera-space colours of the AWB zones measured one per frame, and the
//! vote that turns them into a light.
//!
//! Each zone is kept as it was before the AWB gains, the colour matrix and lens shading,
//! so the table does not depend on the gains in use when it was filled. Candidate lights
//! along the locus (and across its band) are scored by how much zone weight sits at
//! their white point; saturated colours sit far from every candidate and get no say.
//! A uniform surface covering many zones would still outvote the rest if it happened to
//! look like some white point, so zones that share one colour and brightness share one
//! vote (weight divided by a power of their number). One extra entry holds the brightest
//! unsaturated surfaces of the whole window: the brightest object that is not strongly
//! coloured is most often white, and it votes with the weight of several zones.

use super::super::zones::{Blend, ZoneShading, ZONES};
use super::curve::Locus;

/// One zone: its camera-space mean colour and how much it should count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Zone {
    /// ln(r/g), ln(b/g) of the zone mean in camera space, before lens shading correction.
    pub log_r: f64,
    pub log_b: f64,
    /// ln of the zone's luminance relative to the exposure (scene brightness).
    pub log_y: f64,
    pub weight: f64,
    pub valid: bool,
    /// Table epoch the zone was measured in; zones from before a rescan count less.
    pub epoch: u32,
    /// ln of the (r, b) gains the zone was measured under: the colour matrix clips
    /// strongly mis-balanced colours, so zones taken far from the current gains count less.
    pub log_gains: (f64, f64),
}

/// Zones, and their total weight, needed before the table gives an estimate (the first
/// zones of a cold start are taken before AE has settled, dark and coarse).
pub const MIN_ZONES: usize = 6;
const MIN_WEIGHT: f64 = 1.0;
/// Weight of zones measured before a rescan, so that fresh ones take over quickly.
const STALE_WEIGHT: f64 = 0.2;
/// Zones measured under gains this far (ln) from the current ones lose most of their weight.
const GAINS_TRUST: f64 = 0.4;
/// Width of a zone's vote around a candidate white point (ln r/g, ln b/g).
const VOTE_SIGMA: f64 = 0.05;
/// Zones this close in colour (ln) and brightness (ln) count as one surface.
const SAME_COLOUR: f64 = 0.04;
const SAME_BRIGHTNESS: f64 = 0.15;
/// A surface of n look-alike zones weighs n^(1 − CROWD_POWER).
const CROWD_POWER: f64 = 0.75;
/// Candidate lights: steps along the locus (even in mired) and positions across the band.
const CT_STEPS: usize = 48;
const ACROSS: [f64; 5] = [-1.0, -0.5, 0.0, 0.5, 1.0];

/// Entries of the table: the zones, then the brightest surfaces ([`BRIGHT`]).
const ENTRIES: usize = ZONES + 1;
/// Index of the brightest-surfaces entry (its lens shading is the window's mean).
pub const BRIGHT: usize = ZONES;

#[derive(Debug, Clone)]
pub struct ZoneTable {
    zones: [Zone; ENTRIES],
    pub epoch: u32,
}

impl Default for ZoneTable {
    fn default() -> Self {
        Self { zones: [Zone::default(); ENTRIES], epoch: 0 }
    }
}

impl ZoneTable {
    /// Forget every zone.
    pub fn clear(&mut self) {
        self.zones = [Zone::default(); ENTRIES];
        self.epoch = self.epoch.wrapping_add(1);
    }

    /// Start a new epoch: the zones stay, at low weight, until fresh ones replace them.
    pub fn age(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
    }

    /// Whether any entry, of any epoch, holds a usable measurement.
    pub fn any_valid(&self) -> bool {
        self.zones.iter().any(|z| z.valid)
    }

    pub fn get(&self, z: usize) -> Zone {
        self.zones[z]
    }

    pub fn set(&mut self, z: usize, zone: Zone) {
        self.zones[z] = zone;
    }

    /// The light changed by `(d_r, d_b)` (ln): every zone's camera colour moves with it.
    /// The shifted zones stand until re-measured; they are marked as taken under
    /// `log_gains`, the gains that now match them.
    pub fn shift(&mut self, d: (f64, f64), log_gains: (f64, f64)) {
        for z in self.zones.iter_mut().filter(|z| z.valid) {
            z.log_r += d.0;
            z.log_b += d.1;
            z.log_gains = log_gains;
        }
    }

    /// Valid zones with their effective weights (on the stack: no allocation per frame).
    fn effective(&self, now: (f64, f64)) -> ([(usize, Zone); ENTRIES], usize) {
        let mut eff = [(0usize, Zone::default()); ENTRIES];
        let mut n = 0;
        for (i, z) in self.zones.iter().enumerate().filter(|(_, z)| z.valid && z.weight > 0.0) {
            let d = (z.log_gains.0 - now.0).abs().max((z.log_gains.1 - now.1).abs()) / GAINS_TRUST;
            let stale = if z.epoch == self.epoch { 1.0 } else { STALE_WEIGHT };
            eff[n] = (i, Zone { weight: z.weight * stale * (-d * d).exp(), ..*z });
            n += 1;
        }
        // One surface, about one vote: divide by a power of the zones that look the same.
        let same = |a: &Zone, b: &Zone| {
            let c = ((a.log_r - b.log_r).powi(2) + (a.log_b - b.log_b).powi(2)) / (2.0 * SAME_COLOUR * SAME_COLOUR);
            let y = (a.log_y - b.log_y).powi(2) / (2.0 * SAME_BRIGHTNESS * SAME_BRIGHTNESS);
            (-(c + y)).exp()
        };
        let mut crowd = [0.0; ENTRIES];
        for i in 0..n {
            crowd[i] = (0..n).map(|j| same(&eff[i].1, &eff[j].1)).sum::<f64>();
        }
        for i in 0..n {
            eff[i].1.weight /= crowd[i].max(1.0).powf(CROWD_POWER);
        }
        (eff, n)
    }

    /// The camera-space grey (r/g, b/g) the zones point to, judged against `now` (ln of
    /// the gains in use): the weighted mean of the zones that voted for the best light
    /// in the locus band. Without a locus, the weighted mean of all zones (grey world).
    /// `shading` gives each candidate light the lens-shading tables it would select.
    /// `None` with fewer than [`MIN_ZONES`] usable zones or no zone near any light.
    pub fn vote(&self, locus: Option<&Locus>, now: (f64, f64), shading: Option<&ZoneShading>) -> Option<(f64, f64)> {
        let (eff, n) = self.effective(now);
        // Enough zones, and enough precision among them (their own weights, fresh ones
        // counting fully, before the trust in the gains they were taken under).
        let own = self.zones.iter().filter(|z| z.valid).map(|z| z.weight * if z.epoch == self.epoch { 1.0 } else { STALE_WEIGHT });
        if n < MIN_ZONES || own.sum::<f64>() < MIN_WEIGHT {
            return None;
        }
        let zones = || eff[..n].iter().copied();
        let blend_for = |ct: f64, lr: f64, lb: f64| shading.map(|sh| (sh, sh.choose(ct, (-lr, -lb))));
        // Zone colour as the image shows it with the tables a light would select.
        let seen = |i: usize, z: &Zone, blend: Option<(&ZoneShading, Blend)>| match blend {
            Some((sh, bl)) => {
                let c = sh.colour(bl, i);
                (z.log_r + c.0, z.log_b + c.1)
            }
            None => (z.log_r, z.log_b),
        };
        let Some(locus) = locus else {
            let (mut sr, mut sb, mut sw) = (0.0, 0.0, 0.0);
            let blend = blend_for(5000.0, -now.0, -now.1);
            for (i, z) in zones() {
                let (zr, zb) = seen(i, &z, blend);
                sr += z.weight * zr;
                sb += z.weight * zb;
                sw += z.weight;
            }
            return (sw > 0.0).then(|| ((sr / sw).exp(), (sb / sw).exp()));
        };
        // Gaussian vote in log chromaticity, cut at 3σ (saves most of the exp() calls).
        let kernel = |(zr, zb): (f64, f64), r: f64, b: f64| {
            let x = ((zr - r).powi(2) + (zb - b).powi(2)) / (2.0 * VOTE_SIGMA * VOTE_SIGMA);
            if x > 4.5 {
                0.0
            } else {
                (-x).exp()
            }
        };
        let mut best = (0.0, 0.0, 0.0, 0.0);
        let (m_lo, m_hi) = (1e6 / locus.ct_hi, 1e6 / locus.ct_lo);
        for i in 0..=CT_STEPS {
            let ct = 1e6 / (m_lo + (m_hi - m_lo) * i as f64 / CT_STEPS as f64);
            let (wr, wb) = locus.curve.white_point(ct);
            let (nr, nb) = locus.curve.normal(ct);
            for f in ACROSS {
                let (r, b) = (wr + nr * f * locus.transverse, wb + nb * f * locus.transverse);
                if r <= 0.0 || b <= 0.0 {
                    continue;
                }
                // Prefer the locus itself over lights across it.
                let prior = 1.0 - 0.3 * f.abs();
                let (lr, lb) = (r.ln(), b.ln());
                let blend = blend_for(ct, lr, lb);
                let score: f64 = prior * zones().map(|(i, z)| z.weight * kernel(seen(i, &z, blend), lr, lb)).sum::<f64>();
                if score > best.0 {
                    best = (score, r, b, ct);
                }
            }
        }
        if best.0 <= 0.0 {
            return None;
        }
        let (blr, blb) = (best.1.ln(), best.2.ln());
        let blend = blend_for(best.3, blr, blb);
        let (mut sr, mut sb, mut sw) = (0.0, 0.0, 0.0);
        for (i, z) in zones() {
            let c = seen(i, &z, blend);
            let k = z.weight * kernel(c, blr, blb);
            sr += k * c.0;
            sb += k * c.1;
            sw += k;
        }
        if sw < 1e-9 {
            return Some((best.1, best.2));
        }
        Some(((sr / sw).exp(), (sb / sw).exp()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::curve::CtCurve;
    use super::*;

    fn zone(r: f64, b: f64, y: f64) -> Zone {
        Zone { log_r: r.ln(), log_b: b.ln(), log_y: y.ln(), weight: 1.0, valid: true, epoch: 0, log_gains: (0.0, 0.0) }
    }

    #[test]
    fn a_large_surface_that_looks_like_a_light_does_not_outvote_the_greys() {
        let curve = CtCurve::new(vec![(2850.0, 0.84, 0.40), (6500.0, 0.51, 0.77)]).unwrap();
        let locus = Locus { curve: &curve, ct_lo: 2850.0, ct_hi: 6500.0, transverse: 0.05 };
        let mut t = ZoneTable::default();
        // 24 zones of one uniform surface with A's white point, 8 greys under D65 at
        // different brightness, 4 saturated zones.
        for z in 0..24 {
            t.set(z, zone(0.84, 0.40, 0.3));
        }
        for z in 24..32 {
            t.set(z, zone(0.51, 0.77, 0.1 + 0.1 * (z - 24) as f64));
        }
        for z in 32..36 {
            t.set(z, zone(2.0, 0.2, 0.2));
        }
        let (r, b) = t.vote(Some(&locus), (0.0, 0.0), None).unwrap();
        assert!((r - 0.51).abs() < 0.02 && (b - 0.77).abs() < 0.02, "{r} {b}");
    }

    #[test]
    fn too_few_zones_give_no_estimate_and_a_shift_moves_the_vote() {
        let curve = CtCurve::new(vec![(2850.0, 0.84, 0.40), (6500.0, 0.51, 0.77)]).unwrap();
        let locus = Locus { curve: &curve, ct_lo: 2850.0, ct_hi: 6500.0, transverse: 0.05 };
        let mut t = ZoneTable::default();
        for z in 0..MIN_ZONES - 1 {
            t.set(z, zone(0.51, 0.77, 0.2 + 0.05 * z as f64));
        }
        assert!(t.vote(Some(&locus), (0.0, 0.0), None).is_none());
        t.set(MIN_ZONES - 1, zone(0.51, 0.77, 0.5));
        let (r, _) = t.vote(Some(&locus), (0.0, 0.0), None).unwrap();
        assert!((r - 0.51).abs() < 0.01);
        t.shift(((0.84f64 / 0.51).ln(), (0.40f64 / 0.77).ln()), (0.0, 0.0));
        let (r, b) = t.vote(Some(&locus), (0.0, 0.0), None).unwrap();
        assert!((r - 0.84).abs() < 0.01 && (b - 0.40).abs() < 0.01, "{r} {b}");
        t.clear();
        assert!(t.vote(Some(&locus), (0.0, 0.0), None).is_none());
    }
}
