//! The sensor's white-point locus: camera-space white points (r/g, b/g of a grey) against
//! colour temperature, from the tuning's `colourGains`, and the band around it in which
//! AWB looks for lights.

/// Colour-temperature curve: white points (r/g, b/g of a grey in camera RGB) against CT.
#[derive(Debug, Clone, PartialEq)]
pub struct CtCurve {
    /// (ct, r/g, b/g), sorted by CT, at least two points.
    points: Vec<(f64, f64, f64)>,
}

impl CtCurve {
    /// A curve through `(ct, r/g, b/g)` points; `None` with fewer than two distinct CTs.
    pub fn new(mut points: Vec<(f64, f64, f64)>) -> Option<Self> {
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        if points.len() < 2 || points.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        Some(Self { points })
    }

    /// White point (r/g, b/g) at a colour temperature, clamped at the ends.
    pub fn white_point(&self, ct: f64) -> (f64, f64) {
        let p = &self.points;
        let i = p.partition_point(|q| q.0 < ct);
        if i == 0 {
            return (p[0].1, p[0].2);
        }
        if i == p.len() {
            return (p[i - 1].1, p[i - 1].2);
        }
        let (a, b) = (p[i - 1], p[i]);
        let f = (ct - a.0) / (b.0 - a.0);
        (a.1 + f * (b.1 - a.1), a.2 + f * (b.2 - a.2))
    }

    /// Closest point of the curve within [ct_lo, ct_hi] to (r, b): (ct, r, b).
    pub fn project(&self, r: f64, b: f64, ct_lo: f64, ct_hi: f64) -> (f64, f64, f64) {
        let mut best = (f64::MAX, ct_lo, 0.0, 0.0);
        // A dense search (a few hundred evaluations) handles any curve shape.
        const STEPS: usize = 400;
        for i in 0..=STEPS {
            let ct = ct_lo + (ct_hi - ct_lo) * i as f64 / STEPS as f64;
            let (wr, wb) = self.white_point(ct);
            let d = (wr - r).powi(2) + (wb - b).powi(2);
            if d < best.0 {
                best = (d, ct, wr, wb);
            }
        }
        (best.1, best.2, best.3)
    }

    /// Unit normal to the locus at `ct` (in r/g, b/g), from its local direction.
    pub fn normal(&self, ct: f64) -> (f64, f64) {
        let (wr, wb) = self.white_point(ct);
        let (ar, ab) = self.white_point(ct * 1.02);
        let (tr, tb) = (ar - wr, ab - wb);
        let n = (tr * tr + tb * tb).sqrt().max(1e-9);
        (-tb / n, tr / n)
    }

    pub fn range(&self) -> (f64, f64) {
        (self.points[0].0, self.points[self.points.len() - 1].0)
    }
}

/// The part of the locus AWB may choose from: the curve between the AWB mode's CT limits
/// and a band of half-width `transverse` across it (fluorescent lights sit off the curve).
#[derive(Debug, Clone, Copy)]
pub struct Locus<'a> {
    pub curve: &'a CtCurve,
    pub ct_lo: f64,
    pub ct_hi: f64,
    pub transverse: f64,
}

impl Locus<'_> {
    /// The nearest light in the band to a camera-space grey (r/g, b/g): its white point,
    /// CT, and how far (r/g, b/g units) the grey lies outside the band.
    pub fn constrain(&self, r: f64, b: f64) -> ((f64, f64), f64, f64) {
        let (ct, cr, cb) = self.curve.project(r, b, self.ct_lo, self.ct_hi);
        let (dr, db) = (r - cr, b - cb);
        let d = (dr * dr + db * db).sqrt();
        let f = if d > self.transverse { self.transverse / d } else { 1.0 };
        ((cr + dr * f, cb + db * f), ct, (d - self.transverse).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve() -> CtCurve {
        CtCurve::new(vec![(6500.0, 0.51, 0.77), (2850.0, 0.84, 0.40), (5000.0, 0.54, 0.65)]).unwrap()
    }

    #[test]
    fn white_points_interpolate_and_clamp() {
        let c = curve();
        assert_eq!(c.white_point(2850.0), (0.84, 0.40));
        assert_eq!(c.white_point(1000.0), (0.84, 0.40));
        assert_eq!(c.white_point(9000.0), (0.51, 0.77));
        let (r, b) = c.white_point(5750.0);
        assert!((r - 0.525).abs() < 1e-9 && (b - 0.71).abs() < 1e-9);
        assert!(CtCurve::new(vec![(5000.0, 0.5, 0.5)]).is_none());
        assert!(CtCurve::new(vec![(5000.0, 0.5, 0.5), (5000.0, 0.6, 0.6)]).is_none());
    }

    #[test]
    fn projection_finds_the_nearest_point_within_the_range() {
        let c = curve();
        let (ct, r, b) = c.project(0.54, 0.65, 2850.0, 6500.0);
        assert!((ct - 5000.0).abs() < 20.0 && (r - 0.54).abs() < 1e-3 && (b - 0.65).abs() < 1e-3);
        // Limited range: the end of the range, not the true nearest point.
        let (ct, _, _) = c.project(0.84, 0.40, 4000.0, 6500.0);
        assert!((ct - 4000.0).abs() < 1e-6);
    }

    #[test]
    fn the_band_limits_off_curve_estimates() {
        let c = curve();
        let l = Locus { curve: &c, ct_lo: 2850.0, ct_hi: 6500.0, transverse: 0.05 };
        let on = l.constrain(0.54, 0.65);
        assert!(on.2 == 0.0 && (on.0 .0 - 0.54).abs() < 1e-3);
        // A green-looking grey far off the curve is pulled back to the band's edge.
        let (n_r, n_b) = c.normal(5000.0);
        let (wr, wb) = c.white_point(5000.0);
        let far = l.constrain(wr + 0.3 * n_r, wb + 0.3 * n_b);
        assert!((far.2 - 0.25).abs() < 0.01, "{far:?}");
        let d = ((far.0 .0 - wr).powi(2) + (far.0 .1 - wb).powi(2)).sqrt();
        assert!((d - 0.05).abs() < 0.01, "{d}");
    }
}
