//! Automatic white balance from the single hardware AWB mean.
//!
//! The hardware averages, in YCbCr, the pixels whose chroma lies within `max_csum` of the
//! reference point after the AWB gains and the colour matrix. Programming that window
//! narrow around neutral turns the single mean into a "near-grey pixels" mean: once the
//! gains are roughly right, saturated colours fall outside and only greys are averaged.
//! Each frame we undo the matrix and gains that applied to the measured frame to get the
//! camera-space colour of those pixels, constrain it to the colour-temperature curve of the
//! tuning (when there is one), and move the gains towards it. When too few pixels pass,
//! the window widens (towards plain grey world) and narrows again as the estimate improves.

use super::Algorithm;
use crate::abi::{consts, AwbGainConfig, AwbMeasConfig, Block, ParamsError, ParamsWriter, Stats, Window};
use crate::context::{FrameContext, Session};
use crate::controls::{enums, ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use crate::fixed_point::to_unsigned_q;
use crate::tuning::{Params, TuningError};
use nalgebra::{Matrix3, Vector3};

/// Colour-temperature curve: white points (r/g, b/g of a grey in camera RGB) against CT.
#[derive(Debug, Clone, PartialEq)]
pub struct CtCurve {
    /// (ct, r/g, b/g), sorted by CT.
    points: Vec<(f64, f64, f64)>,
}

impl CtCurve {
    /// White point (r/g, b/g) at a colour temperature, clamped at the ends.
    pub fn white_point(&self, ct: f64) -> (f64, f64) {
        let p = &self.points;
        if ct <= p[0].0 {
            return (p[0].1, p[0].2);
        }
        for w in p.windows(2) {
            if ct <= w[1].0 {
                let f = (ct - w[0].0) / (w[1].0 - w[0].0);
                return (w[0].1 + f * (w[1].1 - w[0].1), w[0].2 + f * (w[1].2 - w[0].2));
            }
        }
        let l = p[p.len() - 1];
        (l.1, l.2)
    }

    /// Closest point of the curve (within [ct_lo, ct_hi]) to (r, b): returns (ct, r, b).
    fn project(&self, r: f64, b: f64, ct_lo: f64, ct_hi: f64) -> (f64, f64, f64) {
        let mut best = (f64::MAX, 0.0, 0.0, 0.0);
        // Dense search is cheap (a few hundred evaluations) and handles any curve shape.
        let steps = 400;
        for i in 0..=steps {
            let ct = ct_lo + (ct_hi - ct_lo) * i as f64 / steps as f64;
            let (wr, wb) = self.white_point(ct);
            let d = (wr - r).powi(2) + (wb - b).powi(2);
            if d < best.0 {
                best = (d, ct, wr, wb);
            }
        }
        (best.1, best.2, best.3)
    }

    pub fn range(&self) -> (f64, f64) {
        (self.points[0].0, self.points[self.points.len() - 1].0)
    }
}

pub struct Awb {
    curve: Option<CtCurve>,
    /// Largest distance (in r/g, b/g) allowed off the curve, so that off-locus lights
    /// (fluorescents) are still followed while colourful scenes are not.
    transverse: f64,
    modes: Vec<(i32, f64, f64)>,
    speed: f64,
    // Request state.
    auto: bool,
    mode: i32,
    manual_gains: Option<[f64; 2]>,
    // Algorithm state: gains as (r, b) with g = 1, and the window half-width.
    gains: [f64; 2],
    ct: f64,
    csum: f64,
    meas_written: bool,
    last_gate: u8,
}

/// Chroma window limits (sum of |Cb−128| + |Cr−128| in 8-bit units).
const CSUM_NARROW: f64 = 14.0;
const CSUM_WIDE: f64 = 40.0;
/// Fraction of the window's pixels that must pass for a trustworthy mean.
const MIN_PASS_FRACTION: f64 = 0.03;
/// Luma limits: skip noise-dominated darks and clipped highlights.
const MIN_Y: u8 = 24;
const MAX_Y: u8 = 235;

/// BT.601-style conversion the AWB unit uses (kernel-rkisp1.md §1.2), rows Y, Cb, Cr.
fn rgb_to_ycbcr() -> Matrix3<f64> {
    Matrix3::new(0.25, 0.5, 0.1094, -0.1406, -0.2969, 0.4375, 0.4375, -0.375, -0.0625)
}

impl Awb {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&["algorithm", "colourGains", "AwbMode", "priors", "transversePos", "transverseNeg", "speed", "transverse"]);
        if let Some(a) = p.get("algorithm") {
            match a.as_str() {
                Some("grey") | Some("bayes") => {}
                _ => return Err(p.error("algorithm", "expected 'grey' or 'bayes'")),
            }
        }
        let mut curve = None;
        if let Some(v) = p.get("colourGains") {
            let list = v.as_sequence().ok_or_else(|| p.error("colourGains", "expected a list"))?;
            let mut pts = Vec::new();
            for (i, e) in list.iter().enumerate() {
                let key = format!("colourGains[{i}]");
                let m = e.as_mapping().ok_or_else(|| p.error(&key, "expected {ct, gains}"))?;
                let ct = m.get("ct").ok_or_else(|| p.error(&format!("{key}.ct"), "missing"))?;
                let ct = p.value_f64(&format!("{key}.ct"), ct, 1000.0, 40000.0)?;
                let g = m.get("gains").ok_or_else(|| p.error(&format!("{key}.gains"), "missing"))?;
                let g = p.list_f64(&format!("{key}.gains"), g, Some(2), 0.01, 16.0)?;
                pts.push((ct, 1.0 / g[0], 1.0 / g[1]));
            }
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            if pts.windows(2).any(|w| w[0].0 == w[1].0) {
                return Err(p.error("colourGains", "duplicate colour temperature"));
            }
            if pts.len() < 2 {
                return Err(p.error("colourGains", "need at least two points"));
            }
            curve = Some(CtCurve { points: pts });
        }
        // libcamera's bayes keys: transversePos/Neg; we use their larger value as the
        // symmetric off-curve allowance. Our default admits fluorescent lights.
        let tp = p.f64_in("transversePos", 0.0, 0.0, 1.0)?;
        let tn = p.f64_in("transverseNeg", 0.0, 0.0, 1.0)?;
        let transverse = p.f64_in("transverse", tp.max(tn).max(0.12), 0.0, 1.0)?;
        let mut modes = vec![
            (enums::AWB_AUTO, 2000.0, 10000.0),
            (enums::AWB_INCANDESCENT, 2000.0, 3300.0),
            (enums::AWB_TUNGSTEN, 2500.0, 3500.0),
            (enums::AWB_FLUORESCENT, 3500.0, 4500.0),
            (enums::AWB_INDOOR, 2500.0, 5000.0),
            (enums::AWB_DAYLIGHT, 5000.0, 6500.0),
            (enums::AWB_CLOUDY, 6500.0, 8000.0),
        ];
        if let Some(v) = p.get("AwbMode") {
            let m = v.as_mapping().ok_or_else(|| p.error("AwbMode", "expected a mapping"))?;
            for (k, v) in m {
                let name = k.as_str().unwrap_or("");
                let Some(id) = enums::awb_mode(name) else {
                    log::warn!("{}", p.error("AwbMode", format!("unknown mode '{name}' skipped")));
                    continue;
                };
                let key = format!("AwbMode.{name}");
                let mm = v.as_mapping().ok_or_else(|| p.error(&key, "expected {lo, hi}"))?;
                let lo = mm.get("lo").ok_or_else(|| p.error(&format!("{key}.lo"), "missing"))?;
                let hi = mm.get("hi").ok_or_else(|| p.error(&format!("{key}.hi"), "missing"))?;
                let lo = p.value_f64(&format!("{key}.lo"), lo, 1000.0, 40000.0)?;
                let hi = p.value_f64(&format!("{key}.hi"), hi, lo, 40000.0)?;
                modes.retain(|(i, _, _)| *i != id);
                modes.push((id, lo, hi));
            }
        }
        // Our extension: fraction of the way to the new estimate per frame.
        let speed = p.f64_in("speed", 0.5, 0.01, 1.0)?;
        let mut awb = Awb {
            curve,
            transverse,
            modes,
            speed,
            auto: true,
            mode: enums::AWB_AUTO,
            manual_gains: None,
            gains: [1.0, 1.0],
            ct: 5000.0,
            csum: CSUM_WIDE,
            meas_written: false,
            last_gate: 0,
        };
        awb.reset_state();
        Ok(awb)
    }

    fn reset_state(&mut self) {
        self.ct = 5000.0;
        self.gains = match &self.curve {
            Some(c) => {
                let (r, b) = c.white_point(self.ct);
                [1.0 / r, 1.0 / b]
            }
            None => [1.0, 1.0],
        };
        self.csum = CSUM_WIDE;
        self.meas_written = false;
    }

    fn ct_range(&self) -> (f64, f64) {
        let (lo, hi) = self.modes.iter().find(|m| m.0 == self.mode).map(|m| (m.1, m.2)).unwrap_or((2000.0, 10000.0));
        match &self.curve {
            Some(c) => {
                let (clo, chi) = c.range();
                (lo.max(clo).min(chi), hi.min(chi).max(clo))
            }
            None => (lo, hi),
        }
    }

    /// Correlated colour temperature of a camera-space white point without a curve:
    /// a rough estimate from the blue/red ratio (for metadata only).
    fn ct_without_curve(r: f64, b: f64) -> f64 {
        (5000.0 * (b / r.max(1e-3)).powf(0.9)).clamp(2000.0, 12000.0)
    }

    /// Turn an estimated camera-space grey (r/g, b/g) into gains and CT.
    fn target_from(&self, r: f64, b: f64) -> ([f64; 2], f64) {
        match &self.curve {
            Some(c) => {
                let (lo, hi) = self.ct_range();
                let (ct, cr, cb) = c.project(r, b, lo, hi);
                let (dr, db) = (r - cr, b - cb);
                let d = (dr * dr + db * db).sqrt();
                let f = if d > self.transverse { self.transverse / d } else { 1.0 };
                let (r, b) = (cr + dr * f, cb + db * f);
                ([1.0 / r, 1.0 / b], ct)
            }
            None => ([1.0 / r, 1.0 / b], Self::ct_without_curve(r, b)),
        }
    }
}

impl Algorithm for Awb {
    fn name(&self) -> &'static str {
        "Awb"
    }

    fn configure(&mut self, _s: &Session) {
        self.reset_state();
    }

    fn controls(&self, _s: &Session, out: &mut Vec<ControlInfo>) {
        out.push(ControlInfo::new(ControlId::AwbEnable, ControlValue::Bool(false), ControlValue::Bool(true), ControlValue::Bool(true)));
        out.push(ControlInfo::new(ControlId::ColourGains, ControlValue::F32(0.0), ControlValue::F32(3.996), ControlValue::F32(1.0)));
        if self.curve.is_some() {
            let (lo, hi) = self.curve.as_ref().unwrap().range();
            out.push(ControlInfo::new(ControlId::ColourTemperature, ControlValue::I32(lo as i32), ControlValue::I32(hi as i32), ControlValue::I32(5000)));
        }
        out.push(ControlInfo::new(
            ControlId::AwbMode,
            ControlValue::Menu(self.modes.iter().map(|m| m.0).collect()),
            ControlValue::Menu(vec![]),
            ControlValue::I32(enums::AWB_AUTO),
        ));
    }

    fn start(&mut self) {
        self.meas_written = false;
    }

    fn queue_request(&mut self, _s: &Session, fc: &mut FrameContext, c: &RequestControls) {
        if let Some(on) = c.awb_enable {
            self.auto = on;
            if on {
                self.manual_gains = None;
            }
        }
        if let Some(m) = c.awb_mode {
            if self.modes.iter().any(|x| x.0 == m) {
                self.mode = m;
            } else {
                log::warn!("AwbMode {m} is not available, ignored");
            }
        }
        if !self.auto {
            if let Some([r, b]) = c.colour_gains {
                if r.is_finite() && b.is_finite() && r > 0.0 && b > 0.0 {
                    self.manual_gains = Some([r as f64, b as f64]);
                } else {
                    log::warn!("ColourGains [{r}, {b}] ignored");
                }
            } else if let Some(ct) = c.colour_temperature {
                match &self.curve {
                    Some(curve) => {
                        let (r, b) = curve.white_point(ct as f64);
                        self.manual_gains = Some([1.0 / r, 1.0 / b]);
                        self.ct = ct as f64;
                    }
                    None => log::warn!("ColourTemperature needs colourGains in the tuning file, ignored"),
                }
            }
            if let Some(g) = self.manual_gains {
                self.gains = g;
            }
        } else if c.colour_gains.is_some() || c.colour_temperature.is_some() {
            log::warn!("ColourGains/ColourTemperature ignored while AWB is enabled");
        }
        fc.awb.auto = self.auto;
        fc.awb.mode = self.mode;
    }

    fn prepare(&mut self, s: &Session, fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        let q = |g: f64| to_unsigned_q(g, 8, 0x3FF);
        let (r, b) = (q(self.gains[0]), q(self.gains[1]));
        fc.awb.gains = [r as f64 / 256.0, 1.0, b as f64 / 256.0];
        fc.awb.temperature_k = self.ct;
        fc.awb.auto = self.auto;
        p.write(&Block::AwbGain(AwbGainConfig { gains: [r, 0x100, 0x100, b] }), true)?;
        let gate = self.csum.round().clamp(1.0, 255.0) as u8;
        if !self.meas_written || gate != self.last_gate {
            // Centre 7/8 of the frame: avoids the vignetted corners.
            let (w, h) = (s.info.width, s.info.height);
            let window = Window { h_offs: (w / 16) as u16, v_offs: (h / 16) as u16, h_size: (w * 7 / 8) as u16, v_size: (h * 7 / 8) as u16 };
            p.write(
                &Block::AwbMeas(AwbMeasConfig {
                    window,
                    mode: consts::AWB_MODE_YCBCR,
                    max_y: MAX_Y,
                    min_y: MIN_Y,
                    max_csum: gate,
                    min_c: 0,
                    frames: 0,
                    ref_cr: 128,
                    ref_cb: 128,
                    enable_ymax_cmp: true,
                }),
                true,
            )?;
            self.meas_written = true;
            self.last_gate = gate;
        }
        Ok(())
    }

    fn process(&mut self, s: &Session, fc: &mut FrameContext, stats: Option<&Stats>, md: &mut Metadata, latest: &mut FrameContext) {
        md.awb_enable = Some(fc.awb.auto);
        md.awb_mode = Some(fc.awb.mode);
        md.colour_gains = Some([fc.awb.gains[0] as f32, fc.awb.gains[2] as f32]);
        md.colour_temperature = Some(fc.awb.temperature_k.round() as i32);
        let Some(m) = stats.and_then(|st| st.awb) else { return };
        if !self.auto {
            return;
        }
        let window_pixels = s.info.width as f64 * 7.0 / 8.0 * s.info.height as f64 * 7.0 / 8.0;
        if (m.count as f64) < MIN_PASS_FRACTION * window_pixels {
            // Too few near-grey pixels: open the window and wait for better statistics.
            self.csum = (self.csum * 1.6).min(CSUM_WIDE);
            return;
        }
        // Mean of the counted pixels in the ISP's output RGB (8-bit).
        let ycc = Vector3::new(m.y_or_g as f64, m.cb_or_b as f64 - 128.0, m.cr_or_r as f64 - 128.0);
        let Some(to_rgb) = rgb_to_ycbcr().try_inverse() else { return };
        let rgb_out = to_rgb * ycc;
        // Undo the CCM (with its offsets) and the gains that applied to this frame.
        let off = Vector3::new(fc.ccm.offsets[0], fc.ccm.offsets[1], fc.ccm.offsets[2]);
        let Some(ccm_inv) = fc.ccm.matrix.try_inverse() else { return };
        let rgb = ccm_inv * (rgb_out - off);
        let cam = [rgb[0] / fc.awb.gains[0].max(0.01), rgb[1] / fc.awb.gains[1].max(0.01), rgb[2] / fc.awb.gains[2].max(0.01)];
        if cam.iter().any(|c| !c.is_finite() || *c <= 0.5) {
            return;
        }
        let (r, b) = (cam[0] / cam[1], cam[2] / cam[1]);
        let (target, ct) = self.target_from(r, b);
        let sp = self.speed;
        self.gains = [
            (self.gains[0] * (1.0 - sp) + target[0] * sp).clamp(1.0 / 256.0, 1023.0 / 256.0),
            (self.gains[1] * (1.0 - sp) + target[1] * sp).clamp(1.0 / 256.0, 1023.0 / 256.0),
        ];
        self.ct = self.ct * (1.0 - sp) + ct * sp;
        // Narrow the window as the estimate settles (the change of this step is small).
        let change = ((target[0] / fc.awb.gains[0]).ln().abs()).max((target[1] / fc.awb.gains[2]).ln().abs());
        self.csum = if change < 0.05 { (self.csum * 0.75).max(CSUM_NARROW) } else { (self.csum * 1.1).min(CSUM_WIDE) };
        latest.awb.temperature_k = self.ct;
    }
}
