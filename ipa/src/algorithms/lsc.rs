//! Lens shading correction from per-colour-temperature gain tables (libcamera's `table`
//! schema: `x-size`/`y-size` sector fractions and `sets` of 17 × 17 tables per Bayer
//! channel, 1.0 = 1024).
//!
//! The hardware grid has 16 sectors per direction whose sizes are given for one half and
//! mirrored, so the 8 fractions of each direction sum to 0.5. Sector sizes are derived
//! from the **configured** mode. Tables are blended from the two sets nearest to the
//! frame's white balance (by white point when the sets carry `gains`, else by colour
//! temperature) and rewritten only when the blend has moved (the block is 2.4 KiB and the
//! driver switches RAM banks to load it).

use super::interface::Algorithm;
use crate::abi::{consts, Block, ExtBlockType, HwRevision, LscConfig, ParamsError, ParamsWriter, LSC_TABLE};
use crate::context::{FrameContext, Session};
use crate::controls::{ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use crate::status::{Access, Phase, StatusId};
use crate::tuning::{Params, TuningError};
use crate::zones::{Blend, SharedZoneShading, ZoneShading};

const SECTORS: usize = consts::LSC_SECTORS_TBL_SIZE;
/// Change of a set's weight that triggers a new table.
const BLEND_STEP: f32 = 0.03;

pub struct LensShadingCorrection {
    x_frac: [f64; SECTORS],
    y_frac: [f64; SECTORS],
    /// (ct, tables as gains) sorted by ct.
    sets: Vec<(f64, [[f32; LSC_TABLE]; 4])>,
    /// Set selection and per-zone colours, shared with AWB.
    shading: SharedZoneShading,
    enabled: bool,
    config: LscConfig,
    max_sample: u16,
    /// What the hardware holds: enabled, and the blend (lo, hi, weight).
    written: Option<(bool, Blend)>,
}

impl LensShadingCorrection {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&["x-size", "y-size", "sets", "type"]);
        if let Some(t) = p.get("type") {
            match t.as_str() {
                Some("table") => {}
                Some("polynomial") => return Err(p.error("type", "polynomial shading models are not supported; give table sets")),
                _ => return Err(p.error("type", "expected 'table'")),
            }
        }
        let frac = |key: &str| -> Result<[f64; SECTORS], TuningError> {
            let v = p.get(key).ok_or_else(|| p.error(key, "missing"))?;
            let l = p.list_f64(key, v, Some(SECTORS), 0.001, 0.5)?;
            let sum: f64 = l.iter().sum();
            // The 8 sectors cover half of the image (the other half mirrors them).
            if (sum - 0.5).abs() > 0.005 {
                return Err(p.error(key, format!("fractions sum to {sum:.4}, expected 0.5")));
            }
            let mut a = [0.0; SECTORS];
            a.copy_from_slice(&l);
            Ok(a)
        };
        let x_frac = frac("x-size")?;
        let y_frac = frac("y-size")?;
        let sets_v = p.get("sets").ok_or_else(|| p.error("sets", "missing"))?;
        let list = sets_v.as_sequence().ok_or_else(|| p.error("sets", "expected a list"))?;
        let mut sets = Vec::new();
        for (i, e) in list.iter().enumerate() {
            let key = format!("sets[{i}]");
            let m = e.as_mapping().ok_or_else(|| p.error(&key, "expected {ct, r, gr, gb, b}"))?;
            // `resolution` appears in upstream files as a note of the calibration mode.
            for k in m.keys().filter_map(|k| k.as_str()) {
                if !["ct", "r", "gr", "gb", "b", "resolution", "gains"].contains(&k) {
                    log::debug!("{}", p.error(&format!("{key}.{k}"), "unknown key ignored"));
                }
            }
            let ct = m.get("ct").ok_or_else(|| p.error(&format!("{key}.ct"), "missing"))?;
            let ct = p.value_f64(&format!("{key}.ct"), ct, 1000.0, 40000.0)?;
            let mut tables = [[0f32; LSC_TABLE]; 4];
            for (t, name) in ["r", "gr", "gb", "b"].iter().enumerate() {
                let k = format!("{key}.{name}");
                let v = m.get(*name).ok_or_else(|| p.error(&k, "missing"))?;
                let l = p.list_f64(&k, v, Some(LSC_TABLE), 256.0, 8191.0)?;
                for (d, s) in tables[t].iter_mut().zip(&l) {
                    *d = (*s / 1024.0) as f32;
                }
            }
            // Our extension (upstream ignores it): the white-balance gains [r, b] of the
            // set's illuminant. Fluorescent lights sit close in colour temperature to other
            // lights but shade differently (TL84 vs CWF); with gains on every set the tables
            // are chosen by white point instead of temperature.
            let gains = match m.get("gains") {
                Some(g) => {
                    let g = p.list_f64(&format!("{key}.gains"), g, Some(2), 0.1, 16.0)?;
                    Some((g[0].ln(), g[1].ln()))
                }
                None => None,
            };
            sets.push((ct, tables, gains));
        }
        if sets.is_empty() {
            return Err(p.error("sets", "need at least one set"));
        }
        sets.sort_by(|a, b| a.0.total_cmp(&b.0));
        if sets.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(p.error("sets", "duplicate colour temperature"));
        }
        let set_gains = sets.iter().map(|s| s.2).collect::<Option<Vec<_>>>();
        if set_gains.is_none() && sets.iter().any(|s| s.2.is_some()) {
            log::warn!("{}", p.error("sets", "'gains' given for some sets only; choosing tables by colour temperature"));
        }
        let sets: Vec<(f64, [[f32; LSC_TABLE]; 4])> = sets.into_iter().map(|(ct, t, _)| (ct, t)).collect();
        let shading = std::sync::Arc::new(ZoneShading::new(sets.iter().map(|s| s.0).collect(), set_gains, sets.iter().map(|s| s.1).collect(), x_frac, y_frac));
        Ok(Self {
            x_frac,
            y_frac,
            sets,
            shading,
            enabled: true,
            config: LscConfig { tables: [[1024; LSC_TABLE]; 4], x_size: [0; SECTORS], y_size: [0; SECTORS], x_grad: [0; SECTORS], y_grad: [0; SECTORS] },
            max_sample: 4095,
            written: None,
        })
    }

    /// Sector sizes (pixels) summing to half of `length`, and their gradients.
    fn sectors(frac: &[f64; SECTORS], length: u32) -> ([u16; SECTORS], [u16; SECTORS]) {
        let half = (length / 2) as i64;
        let mut size = [0u16; SECTORS];
        let mut used = 0i64;
        for i in 0..SECTORS {
            let s = if i + 1 == SECTORS { half - used } else { (frac[i] * length as f64).round() as i64 };
            let s = s.clamp(1, 4095);
            size[i] = s as u16;
            used += s;
        }
        // grad = 2^15 / size: the hardware steps through a sector in 1/size increments.
        let grad = size.map(|s| ((32768.0 / s as f64).round() as u32).min(4095) as u16);
        (size, grad)
    }

    /// Position on the 17-point grid (0..16) of the normalised coordinate `u`, for the
    /// 8 sector fractions mirrored about the centre.
    /// Blend sets `lo` and `hi` (weight `f` on `hi`) into the block config.
    /// Lens-shading colours per AWB zone of the tuned sets (published at init).
    pub fn zone_shading(&self) -> SharedZoneShading {
        self.shading.clone()
    }

    fn fill_tables(&mut self, lo: usize, hi: usize, f: f32) {
        let s = &self.sets;
        let max = self.max_sample as f32;
        for t in 0..4 {
            for k in 0..LSC_TABLE {
                let g = s[lo].1[t][k] * (1.0 - f) + s[hi].1[t][k] * f;
                self.config.tables[t][k] = (g * 1024.0).round().clamp(0.0, max) as u16;
            }
        }
    }
}

impl Algorithm for LensShadingCorrection {
    fn name(&self) -> &'static str {
        "LensShadingCorrection"
    }

    fn contract(&self) -> &'static [Access] {
        use Access::*;
        &[
            Write(Phase::Init, StatusId::ZoneShading),
            Write(Phase::QueueRequest, StatusId::Lsc),
            Read(Phase::Prepare, StatusId::Awb),
            Write(Phase::Prepare, StatusId::Lsc),
            Read(Phase::Process, StatusId::Lsc),
        ]
    }

    fn configure(&mut self, s: &Session) {
        let (xs, xg) = Self::sectors(&self.x_frac, s.info.width);
        let (ys, yg) = Self::sectors(&self.y_frac, s.info.height);
        self.config.x_size = xs;
        self.config.x_grad = xg;
        self.config.y_size = ys;
        self.config.y_grad = yg;
        // Samples are 12 bits on V10 and 13 bits on V12-class ISPs.
        self.max_sample = match s.hw {
            HwRevision::V12 | HwRevision::V13 => 8191,
            _ => 4095,
        };
        self.written = None;
    }

    fn controls(&self, _s: &Session, out: &mut Vec<ControlInfo>) {
        out.push(ControlInfo::new(ControlId::LensShadingCorrectionEnable, ControlValue::Bool(false), ControlValue::Bool(true), ControlValue::Bool(true)));
    }

    fn start(&mut self) {
        self.written = None;
    }

    fn queue_request(&mut self, _s: &Session, fc: &mut FrameContext, c: &RequestControls) {
        if let Some(on) = c.lens_shading_enable {
            self.enabled = on;
        }
        fc.lsc.enabled = self.enabled;
    }

    fn prepare(&mut self, _s: &Session, fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        let ct = fc.awb.temperature_k.max(1.0);
        let g = fc.awb.gains[1].max(1e-3);
        let gains = ((fc.awb.gains[0] / g).max(1e-3).ln(), (fc.awb.gains[2] / g).max(1e-3).ln());
        let blend = self.shading.choose(ct, gains);
        fc.lsc.enabled = self.enabled;
        let same = |b: Blend| {
            // The same pair (either order) with a weight within BLEND_STEP.
            let w = |x: (usize, usize, f32), i: usize| {
                if x.0 == i {
                    1.0 - x.2
                } else if x.1 == i {
                    x.2
                } else {
                    0.0
                }
            };
            [b.0, b.1, blend.0, blend.1].iter().all(|&i| (w(b, i) - w(blend, i)).abs() < BLEND_STEP)
        };
        match (self.enabled, self.written) {
            (true, Some((true, last))) if same(last) => {}
            (true, _) => {
                self.fill_tables(blend.0, blend.1, blend.2);
                if p.write(&Block::Lsc(self.config), true)? {
                    self.written = Some((true, blend));
                }
            }
            (false, Some((false, _))) => {}
            (false, _) => {
                p.disable(ExtBlockType::Lsc)?;
                self.written = Some((false, blend));
            }
        }
        fc.lsc.blend = match self.written {
            Some((true, b)) => Some(b),
            _ => None,
        };
        Ok(())
    }

    fn process(
        &mut self,
        _s: &Session,
        fc: &mut FrameContext,
        _st: Option<&crate::abi::Stats>,
        md: &mut Metadata,
        _l: &mut FrameContext,
        _previous: &FrameContext,
    ) {
        md.lens_shading_enable = Some(fc.lsc.enabled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sectors_cover_half_the_configured_mode() {
        let frac = [0.0625; 8];
        for w in [4208u32, 2104, 1048, 3264, 1632] {
            let (size, grad) = LensShadingCorrection::sectors(&frac, w);
            assert_eq!(size.iter().map(|s| *s as u32).sum::<u32>(), w / 2, "width {w}");
            for (s, g) in size.iter().zip(grad) {
                assert!((g as f64 - 32768.0 / *s as f64).abs() <= 0.5);
            }
        }
    }
}
