//! Colour correction matrix, interpolated linearly over colour temperature from the
//! tuning's `ccms` list ({ct, ccm: 9 values, offsets: 3 optional}); identity without one.
//! Manual ColourCorrectionMatrix overrides it.

use super::interface::Algorithm;
use crate::abi::{Block, CtkConfig, ParamsError, ParamsWriter};
use crate::context::{FrameContext, Session};
use crate::controls::{ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use crate::fixed_point::{from_signed_q, to_signed_q};
use crate::interpolate::Pwl;
use crate::status::{Access, Phase, StatusId};
use crate::tuning::{Params, TuningError};
use nalgebra::Matrix3;

pub struct Ccm {
    /// Matrix and offsets (12-bit register scale) against CT; `None` without `ccms`.
    table: Option<Pwl<(Matrix3<f64>, [f64; 3])>>,
    manual: Option<Matrix3<f64>>,
    last: Option<CtkConfig>,
}

impl Ccm {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&["ccms"]);
        let mut table = None;
        if let Some(v) = p.get("ccms") {
            let mut points = Vec::new();
            let list = v.as_sequence().ok_or_else(|| p.error("ccms", "expected a list"))?;
            for (i, e) in list.iter().enumerate() {
                let key = format!("ccms[{i}]");
                let m = e.as_mapping().ok_or_else(|| p.error(&key, "expected {ct, ccm, offsets}"))?;
                let ct = m.get("ct").ok_or_else(|| p.error(&format!("{key}.ct"), "missing"))?;
                let ct = p.value_f64(&format!("{key}.ct"), ct, 1000.0, 40000.0)?;
                let c = m.get("ccm").ok_or_else(|| p.error(&format!("{key}.ccm"), "missing"))?;
                let c = p.list_f64(&format!("{key}.ccm"), c, Some(9), -8.0, 7.9921875)?;
                let offsets = match m.get("offsets") {
                    Some(o) => {
                        let o = p.list_f64(&format!("{key}.offsets"), o, Some(3), -2048.0, 2047.0)?;
                        [o[0], o[1], o[2]]
                    }
                    None => [0.0; 3],
                };
                points.push((ct, (Matrix3::from_row_slice(&c), offsets)));
            }
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let n = points.len();
            points.dedup_by(|b, a| a.0 == b.0);
            if points.len() < n {
                log::warn!("{}", p.error("ccms", "repeated colour temperatures: the first matrix of each is used"));
            }
            if !points.is_empty() {
                table = Some(Pwl::new(points).map_err(|e| p.error("ccms", e.to_string()))?);
            }
        }
        Ok(Self { table, manual: None, last: None })
    }

    fn at(&self, ct: f64) -> (Matrix3<f64>, [f64; 3]) {
        match &self.table {
            Some(t) => t.eval(ct),
            None => (Matrix3::identity(), [0.0; 3]),
        }
    }
}

/// Quantise one matrix row to Q4.7 keeping its sum: rounding each coefficient on its own
/// can move the row sum by up to 1.5/128, which tints greys (about 0.5°); the rounding
/// error of the sum is put on the diagonal-most (largest) coefficient instead.
fn quantize_row(row: [f64; 3]) -> [u16; 3] {
    let target: i64 = (row.iter().sum::<f64>() * 128.0).round() as i64;
    let mut q: [i64; 3] = row.map(|v| (v * 128.0).round() as i64);
    let err = target - q.iter().sum::<i64>();
    let big = (0..3).max_by(|a, b| row[*a].abs().total_cmp(&row[*b].abs())).unwrap();
    q[big] += err;
    q.map(|v| to_signed_q(v as f64 / 128.0, 4, 7))
}

impl Algorithm for Ccm {
    fn name(&self) -> &'static str {
        "Ccm"
    }

    fn contract(&self) -> &'static [Access] {
        use Access::*;
        &[Read(Phase::Prepare, StatusId::Awb), Write(Phase::Prepare, StatusId::Ccm), Read(Phase::Process, StatusId::Ccm)]
    }

    fn controls(&self, _s: &Session, out: &mut Vec<ControlInfo>) {
        out.push(ControlInfo::new(ControlId::ColourCorrectionMatrix, ControlValue::F32(-8.0), ControlValue::F32(7.992), ControlValue::F32(0.0)));
    }

    fn start(&mut self) {
        self.last = None;
    }

    fn queue_request(&mut self, _s: &Session, _fc: &mut FrameContext, c: &RequestControls) {
        if let Some(m) = c.colour_correction_matrix {
            if m.iter().all(|x| x.is_finite()) {
                self.manual = Some(Matrix3::from_row_slice(&m.map(|x| x as f64)));
            }
        }
        if c.awb_enable == Some(true) {
            self.manual = None;
        }
    }

    fn prepare(&mut self, _s: &Session, fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        let (m, off) = match self.manual {
            Some(m) => (m, [0.0; 3]),
            None => self.at(fc.awb.temperature_k),
        };
        let mut cfg = CtkConfig::default();
        for r in 0..3 {
            let row = [m[(r, 0)], m[(r, 1)], m[(r, 2)]];
            let q = quantize_row(row);
            cfg.coeff[r * 3..r * 3 + 3].copy_from_slice(&q);
        }
        for (dst, o) in cfg.offset.iter_mut().zip(off) {
            *dst = (o.round() as i32 as u32 & 0xFFF) as u16;
        }
        // What the hardware will really apply, for AWB's inversion and the metadata.
        fc.ccm.matrix = Matrix3::from_fn(|r, c| from_signed_q(cfg.coeff[r * 3 + c], 4, 7));
        // Offsets are 12-bit register units; the AWB statistics are 8-bit.
        fc.ccm.offsets = off.map(|o| o / 16.0);
        if self.last != Some(cfg) {
            p.write(&Block::Ctk(cfg), true)?;
            self.last = Some(cfg);
        }
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
        let m = fc.ccm.matrix;
        md.colour_correction_matrix = Some([0, 1, 2, 3, 4, 5, 6, 7, 8].map(|i| m[(i / 3, i % 3)] as f32));
    }
}
