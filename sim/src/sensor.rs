//! Sensor models of the PinePhone Pro cameras: modes and controls from the kernel drivers
//! (kernel-rkisp1.md §4–6), colour response from Rockchip's IQ calibration of the same
//! modules, and a photon/read noise model.

use anyhow::{bail, Result};
use nalgebra::Matrix3;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mode {
    pub width: u32,
    pub height: u32,
    pub pixel_rate: u64,
    pub hblank: u32,
    pub vblank_min: u32,
    pub vblank_max: u32,
}

/// White point of an illuminant in camera RGB: (r/g, b/g) of a perfect white.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WhitePoint {
    /// The calibrated illuminant's name; `None` for a colour temperature on the locus.
    pub name: Option<&'static str>,
    pub ct: f64,
    pub r: f64,
    pub b: f64,
}

/// The named illuminants on the sensor's locus, by rising colour temperature; colour
/// temperatures given in kelvin are interpolated along it. CWF lies off the locus (greener)
/// and is only available by name.
pub const LOCUS: [&str; 4] = ["A", "TL84", "D50", "D65"];

#[derive(Debug, Clone)]
pub struct SensorModel {
    pub name: &'static str,
    pub modes: Vec<Mode>,
    pub exposure_min: i64,
    pub exposure_margin: u32,
    pub gain_code: (i64, i64, i64),
    pub black_level_10bit: f64,
    pub white_points: Vec<WhitePoint>,
    /// Camera RGB from linear sRGB scene colour (rows sum to 1: greys stay grey).
    pub crosstalk: Matrix3<f64>,
    /// Electrons per DN at unity gain (shot noise).
    pub electrons_per_dn: f64,
    /// Read noise in DN at unity gain.
    pub read_noise_dn: f64,
    pub delays: (u32, u32),
}

fn ccm_inverse(rows: [f64; 9]) -> Matrix3<f64> {
    Matrix3::from_row_slice(&rows).try_inverse().expect("invertible CCM")
}

impl SensorModel {
    pub fn by_name(name: &str) -> Option<SensorModel> {
        match name {
            "imx258" => Some(Self::imx258()),
            "ov8858" => Some(Self::ov8858()),
            _ => None,
        }
    }

    /// Rear camera. Modes: imx258 driver ≥ 6.11 with the PPP's 24 MHz clock.
    pub fn imx258() -> SensorModel {
        SensorModel {
            name: "imx258",
            modes: vec![
                Mode { width: 4208, height: 3120, pixel_rate: 508_800_000, hblank: 1144, vblank_min: 32, vblank_max: 62405 },
                Mode { width: 2104, height: 1560, pixel_rate: 256_800_000, hblank: 3248, vblank_min: 32, vblank_max: 63965 },
                Mode { width: 1048, height: 780, pixel_rate: 256_800_000, hblank: 4304, vblank_min: 64, vblank_max: 64745 },
            ],
            exposure_min: 4,
            exposure_margin: 10,
            gain_code: (0, 480, 0),
            black_level_10bit: 64.0,
            // White points from the IQ referenceWBgain (R/G = 1/gainR, B/G = 1/gainB):
            // rockchip-linux/camera_engine_rkisp@66874dce iqfiles/imx258_GEIR180089_LG500627G.xml, sensor/AWB.
            white_points: vec![
                WhitePoint { name: Some("A"), ct: 2856.0, r: 0.837, b: 0.396 },
                WhitePoint { name: Some("TL84"), ct: 4000.0, r: 0.734, b: 0.528 },
                WhitePoint { name: Some("CWF"), ct: 4230.0, r: 0.620, b: 0.477 },
                WhitePoint { name: Some("D50"), ct: 5003.0, r: 0.542, b: 0.649 },
                WhitePoint { name: Some("D65"), ct: 6504.0, r: 0.513, b: 0.765 },
            ],
            // Inverse of the IQ's D65_100 colour matrix (same file, sensor/CC).
            crosstalk: ccm_inverse([1.8783, -0.5481, -0.3302, -0.3588, 1.8006, -0.4418, -0.1134, -0.4247, 1.5380]),
            electrons_per_dn: 4.0,
            read_noise_dn: 1.2,
            delays: (2, 1),
        }
    }

    /// Front camera. Modes: mainline ov8858 driver, 4 lanes.
    pub fn ov8858() -> SensorModel {
        SensorModel {
            name: "ov8858",
            modes: vec![
                Mode { width: 3264, height: 2448, pixel_rate: 288_000_000, hblank: 616, vblank_min: 24, vblank_max: 30319 },
                Mode { width: 1632, height: 1224, pixel_rate: 288_000_000, hblank: 2224, vblank_min: 20, vblank_max: 31543 },
            ],
            exposure_min: 4,
            exposure_margin: 4,
            gain_code: (0, 2047, 128),
            black_level_10bit: 16.0,
            // rockchip-linux/camera_engine_rkisp@66874dce iqfiles/ov8858_CameraKing_Largan-9569A2.xml, sensor/AWB.
            white_points: vec![
                WhitePoint { name: Some("A"), ct: 2856.0, r: 0.937, b: 0.431 },
                WhitePoint { name: Some("TL84"), ct: 4000.0, r: 0.781, b: 0.536 },
                WhitePoint { name: Some("CWF"), ct: 4230.0, r: 0.712, b: 0.483 },
                WhitePoint { name: Some("D50"), ct: 5003.0, r: 0.639, b: 0.617 },
                WhitePoint { name: Some("D65"), ct: 6504.0, r: 0.588, b: 0.726 },
            ],
            // Inverse of the IQ's D65_100 colour matrix (same file, sensor/CC).
            crosstalk: ccm_inverse([1.8953, -0.6939, -0.2014, -0.2960, 1.7042, -0.4082, -0.0265, -0.5745, 1.6011]),
            electrons_per_dn: 3.0,
            read_noise_dn: 1.5,
            delays: (2, 1),
        }
    }

    /// The white point of an illuminant given by name (A, TL84, CWF, D50, D65) or as a
    /// colour temperature on the sensor's locus ("4700K"). This is the one place where
    /// illuminant names are parsed.
    pub fn white_point(&self, illuminant: &str) -> Result<WhitePoint> {
        if let Some(w) = self.white_points.iter().find(|w| w.name.is_some_and(|n| n.eq_ignore_ascii_case(illuminant))) {
            return Ok(*w);
        }
        let Some(ct) = illuminant.strip_suffix(['K', 'k']).and_then(|v| v.trim().parse::<f64>().ok()).filter(|v| v.is_finite()) else {
            let names: Vec<&str> = self.white_points.iter().filter_map(|w| w.name).collect();
            bail!("unknown illuminant '{illuminant}': give one of {} or a colour temperature such as 4700K", names.join(", "));
        };
        let (lo, hi, t) = self.locus_segment(ct)?;
        Ok(WhitePoint { name: None, ct, r: (1.0 - t) * lo.r + t * hi.r, b: (1.0 - t) * lo.b + t * hi.b })
    }

    /// The two named points of the locus around `ct` and the position of `ct` between
    /// them (0 at the first, 1 at the second), linear in mired (1e6 / CT): white points
    /// move nearly linearly in mired, not in kelvin.
    fn locus_segment(&self, ct: f64) -> Result<(WhitePoint, WhitePoint, f64)> {
        let points = self.locus();
        let (first, last) = self.locus_range();
        if !(first..=last).contains(&ct) {
            bail!("colour temperature {ct}K is outside the {} locus ({first}K–{last}K)", self.name);
        }
        let seg = points.windows(2).find(|p| ct <= p[1].ct).expect("ct within the locus");
        let mired = |ct: f64| 1e6 / ct;
        let t = (mired(seg[0].ct) - mired(ct)) / (mired(seg[0].ct) - mired(seg[1].ct));
        Ok((seg[0], seg[1], t))
    }

    /// The colour temperatures (K) the locus spans.
    pub fn locus_range(&self) -> (f64, f64) {
        let points = self.locus();
        (points[0].ct, points[points.len() - 1].ct)
    }

    /// The named white points of the locus, by rising colour temperature.
    fn locus(&self) -> Vec<WhitePoint> {
        LOCUS.iter().filter_map(|n| self.white_points.iter().find(|w| w.name == Some(*n)).copied()).collect()
    }

    /// True lens shading under an illuminant: a named illuminant's own calibration set; a
    /// colour temperature on the locus blends its two neighbours' sets with the white
    /// point's weights (the nearest set alone would jump where the IPA blends smoothly).
    pub fn shading(&self, wp: &WhitePoint) -> Option<Shading> {
        if wp.name.is_some() {
            return Shading::for_sensor(self.name, wp.ct);
        }
        let (lo, hi, t) = self.locus_segment(wp.ct).ok()?;
        Some(Shading::for_sensor(self.name, lo.ct)?.blend(&Shading::for_sensor(self.name, hi.ct)?, t))
    }

    /// Analogue gain of a V4L2 code, the way the real sensor applies it.
    pub fn gain(&self, code: i64) -> f64 {
        match self.name {
            "imx258" => 512.0 / (512.0 - code.clamp(0, 480) as f64),
            _ => code.max(0) as f64 / 128.0,
        }
    }

    pub fn line_us(&self, m: &Mode) -> f64 {
        (m.width + m.hblank) as f64 * 1e6 / m.pixel_rate as f64
    }
}

/// Lens shading of the camera module: the fraction of the centre's signal reaching each
/// point, per Bayer channel. The truth comes from the module's calibration (upstream
/// libcamera's CC0 shading tables, the `LensShadingCorrection` sets of the repository's
/// tuning file for the sensor), taken at the illuminant's colour temperature and
/// interpolated smoothly (Catmull-Rom) where the ISP interpolates bilinearly.
#[derive(Debug, Clone)]
pub struct Shading {
    /// Per channel [R, Gr, Gb, B]: 17 × 17 attenuation samples over the frame.
    samples: [[f64; 289]; 4],
}

impl Shading {
    /// The set nearest to `ct` in the sensor's built-in tuning file, if it has one.
    pub fn for_sensor(sensor: &str, ct: f64) -> Option<Shading> {
        let (_, text) = crate::builtin_tuning(sensor)?;
        let doc: serde_norway::Value = serde_norway::from_str(text).ok()?;
        let algos = doc.get("algorithms")?.as_sequence()?;
        let lsc = algos.iter().find_map(|a| a.get("LensShadingCorrection"))?;
        let sets = lsc.get("sets")?.as_sequence()?;
        let set = sets.iter().min_by(|a, b| {
            let d = |s: &serde_norway::Value| (s.get("ct").and_then(|c| c.as_f64()).unwrap_or(0.0) - ct).abs();
            d(a).total_cmp(&d(b))
        })?;
        let mut samples = [[0.0; 289]; 4];
        for (t, name) in ["r", "gr", "gb", "b"].iter().enumerate() {
            let v = set.get(*name)?.as_sequence()?;
            if v.len() != 289 {
                return None;
            }
            for (k, x) in v.iter().enumerate() {
                samples[t][k] = 1024.0 / x.as_f64()?.max(1.0);
            }
        }
        Some(Shading { samples })
    }

    /// `self` and `other` mixed: weight `t` on `other`.
    pub fn blend(&self, other: &Shading, t: f64) -> Shading {
        let mut samples = self.samples;
        for (a, b) in samples.iter_mut().flatten().zip(other.samples.iter().flatten()) {
            *a = (1.0 - t) * *a + t * b;
        }
        Shading { samples }
    }

    /// Attenuation of each Bayer channel at normalised position (u, v) in [0, 1].
    pub fn at(&self, u: f64, v: f64) -> [f64; 4] {
        let (gx, gy) = (u.clamp(0.0, 1.0) * 16.0, v.clamp(0.0, 1.0) * 16.0);
        let (ix, iy) = ((gx.floor() as i64).min(15), (gy.floor() as i64).min(15));
        let (fx, fy) = (gx - ix as f64, gy - iy as f64);
        let w = |f: f64| {
            // Catmull-Rom weights for samples i-1, i, i+1, i+2.
            let (f2, f3) = (f * f, f * f * f);
            [-0.5 * f3 + f2 - 0.5 * f, 1.5 * f3 - 2.5 * f2 + 1.0, -1.5 * f3 + 2.0 * f2 + 0.5 * f, 0.5 * f3 - 0.5 * f2]
        };
        let (wx, wy) = (w(fx), w(fy));
        [0, 1, 2, 3].map(|t| {
            let mut acc = 0.0;
            for (a, wyv) in wy.iter().enumerate() {
                let r = (iy + a as i64 - 1).clamp(0, 16) as usize;
                for (b, wxv) in wx.iter().enumerate() {
                    let c = (ix + b as i64 - 1).clamp(0, 16) as usize;
                    acc += wyv * wxv * self.samples[t][r * 17 + c];
                }
            }
            acc
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_colour_temperatures_give_the_named_white_points() {
        for s in [SensorModel::imx258(), SensorModel::ov8858()] {
            for name in LOCUS {
                let named = s.white_point(name).unwrap();
                let by_ct = s.white_point(&format!("{}K", named.ct)).unwrap();
                assert_eq!((by_ct.r, by_ct.b), (named.r, named.b), "{} {name}", s.name);
            }
            assert_eq!(s.white_point("cwf").unwrap().name, Some("CWF"));
        }
    }

    #[test]
    fn the_locus_is_monotone_between_the_named_points() {
        for s in [SensorModel::imx258(), SensorModel::ov8858()] {
            let pts: Vec<WhitePoint> = (2856..=6504).step_by(8).map(|ct| s.white_point(&format!("{ct}K")).unwrap()).collect();
            for seg in LOCUS.windows(2) {
                let (a, b) = (s.white_point(seg[0]).unwrap(), s.white_point(seg[1]).unwrap());
                let inside: Vec<&WhitePoint> = pts.iter().filter(|p| p.ct >= a.ct && p.ct <= b.ct).collect();
                for w in inside.windows(2) {
                    // Each coordinate moves steadily from one named point towards the next.
                    assert!((w[1].r - w[0].r) * (b.r - a.r) >= 0.0 && (w[1].b - w[0].b) * (b.b - a.b) >= 0.0, "{}: {w:?}", s.name);
                }
                for p in inside {
                    assert!(p.r >= a.r.min(b.r) && p.r <= a.r.max(b.r) && p.b >= a.b.min(b.b) && p.b <= a.b.max(b.b), "{}: {p:?}", s.name);
                }
            }
        }
    }

    #[test]
    fn illuminants_outside_the_locus_or_unknown_are_errors() {
        let s = SensorModel::imx258();
        for bad in ["2000K", "7500K", "4700", "D75", "warm"] {
            assert!(s.white_point(bad).is_err(), "{bad}");
        }
    }
}
