//! Piecewise-linear interpolation over sorted breakpoints, clamped at both ends: the one
//! interpolator behind tuned curves (AGC targets), the AWB colour-temperature curve, the
//! colour matrices over colour temperature and the lens-shading sector grid.

/// A value that can be interpolated linearly: `a + (b − a) · f` for `f` in [0, 1].
pub trait Lerp: Copy {
    fn lerp(a: &Self, b: &Self, f: f64) -> Self;
}

impl Lerp for f64 {
    fn lerp(a: &Self, b: &Self, f: f64) -> Self {
        a + (b - a) * f
    }
}

impl<const N: usize> Lerp for [f64; N] {
    fn lerp(a: &Self, b: &Self, f: f64) -> Self {
        std::array::from_fn(|i| a[i] + (b[i] - a[i]) * f)
    }
}

impl Lerp for nalgebra::Matrix3<f64> {
    fn lerp(a: &Self, b: &Self, f: f64) -> Self {
        a + (b - a) * f
    }
}

impl<A: Lerp, B: Lerp> Lerp for (A, B) {
    fn lerp(a: &Self, b: &Self, f: f64) -> Self {
        (A::lerp(&a.0, &b.0, f), B::lerp(&a.1, &b.1, f))
    }
}

/// Where `x` falls among the breakpoints: the two neighbours and the weight of the second.
/// Outside the breakpoints both neighbours are the end point and the weight is 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub lo: usize,
    pub hi: usize,
    pub f: f64,
}

/// Why a list of breakpoints cannot make a curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PwlError {
    #[error("a curve needs at least one point")]
    Empty,
    #[error("x values must increase")]
    NotIncreasing,
}

/// A piecewise-linear function of `x` with values `T`, constant beyond its end points.
#[derive(Debug, Clone, PartialEq)]
pub struct Pwl<T> {
    points: Vec<(f64, T)>,
}

impl<T: Lerp> Pwl<T> {
    /// A curve through `points`, whose x values must strictly increase.
    pub fn new(points: Vec<(f64, T)>) -> Result<Self, PwlError> {
        if points.is_empty() {
            return Err(PwlError::Empty);
        }
        // NaN x values compare as unordered, and are refused too.
        if points.windows(2).any(|w| w[1].0.partial_cmp(&w[0].0) != Some(std::cmp::Ordering::Greater)) {
            return Err(PwlError::NotIncreasing);
        }
        Ok(Self { points })
    }

    /// The same value everywhere.
    pub fn constant(y: T) -> Self {
        Self { points: vec![(0.0, y)] }
    }

    pub fn points(&self) -> &[(f64, T)] {
        &self.points
    }

    /// First and last x.
    pub fn domain(&self) -> (f64, f64) {
        (self.points[0].0, self.points[self.points.len() - 1].0)
    }

    /// The segment `x` falls in (see [`Segment`]).
    pub fn segment(&self, x: f64) -> Segment {
        let p = &self.points;
        let last = p.len() - 1;
        if x <= p[0].0 {
            return Segment { lo: 0, hi: 0, f: 0.0 };
        }
        if x >= p[last].0 {
            return Segment { lo: last, hi: last, f: 0.0 };
        }
        let i = p.windows(2).position(|w| x <= w[1].0).unwrap_or(0);
        Segment { lo: i, hi: i + 1, f: (x - p[i].0) / (p[i + 1].0 - p[i].0) }
    }

    pub fn eval(&self, x: f64) -> T {
        let s = self.segment(x);
        if s.lo == s.hi {
            return self.points[s.lo].1;
        }
        T::lerp(&self.points[s.lo].1, &self.points[s.hi].1, s.f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_inside_and_clamps_outside() {
        let c = Pwl::new(vec![(0.0, 1.0), (10.0, 3.0), (20.0, 3.0), (30.0, 0.0)]).unwrap();
        assert_eq!(c.eval(-5.0), 1.0);
        assert_eq!(c.eval(0.0), 1.0);
        assert_eq!(c.eval(5.0), 2.0);
        assert_eq!(c.eval(15.0), 3.0);
        assert_eq!(c.eval(25.0), 1.5);
        assert_eq!(c.eval(30.0), 0.0);
        assert_eq!(c.eval(1e9), 0.0);
        assert_eq!(c.domain(), (0.0, 30.0));
    }

    #[test]
    fn segments_name_both_neighbours_and_the_weight() {
        let c = Pwl::new(vec![(2856.0, 0.0), (4000.0, 1.0), (6500.0, 2.0)]).unwrap();
        assert_eq!(c.segment(2000.0), Segment { lo: 0, hi: 0, f: 0.0 });
        assert_eq!(c.segment(4000.0), Segment { lo: 0, hi: 1, f: 1.0 });
        assert_eq!(c.segment(5250.0), Segment { lo: 1, hi: 2, f: 0.5 });
        assert_eq!(c.segment(7000.0), Segment { lo: 2, hi: 2, f: 0.0 });
    }

    #[test]
    fn a_single_point_is_constant() {
        let c = Pwl::constant([0.5, 2.0]);
        for x in [-1.0, 0.0, 1e6] {
            assert_eq!(c.eval(x), [0.5, 2.0]);
            assert_eq!(c.segment(x), Segment { lo: 0, hi: 0, f: 0.0 });
        }
    }

    #[test]
    fn vectors_matrices_and_pairs_interpolate_per_element() {
        let c = Pwl::new(vec![(0.0, [0.0, 10.0]), (1.0, [2.0, 20.0])]).unwrap();
        assert_eq!(c.eval(0.25), [0.5, 12.5]);
        let m = Pwl::new(vec![(0.0, (nalgebra::Matrix3::identity(), 0.0)), (2.0, (nalgebra::Matrix3::identity() * 3.0, 4.0))]).unwrap();
        let (mat, off) = m.eval(1.0);
        assert_eq!(mat, nalgebra::Matrix3::identity() * 2.0);
        assert_eq!(off, 2.0);
    }

    #[test]
    fn bad_breakpoints_are_refused() {
        assert_eq!(Pwl::<f64>::new(vec![]), Err(PwlError::Empty));
        assert_eq!(Pwl::new(vec![(1.0, 0.0), (1.0, 1.0)]), Err(PwlError::NotIncreasing));
        assert_eq!(Pwl::new(vec![(2.0, 0.0), (1.0, 1.0)]), Err(PwlError::NotIncreasing));
        assert_eq!(Pwl::new(vec![(0.0, 0.0), (f64::NAN, 1.0)]), Err(PwlError::NotIncreasing));
    }
}
