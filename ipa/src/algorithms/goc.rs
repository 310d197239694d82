//! Gamma-out correction. The tuning's `gamma` (default 2.2, libcamera's key) gives a
//! power curve; `gamma: srgb` (our extension) gives the sRGB transfer curve. V10 takes 17
//! samples on logarithmic x segments with 10-bit outputs; V12 takes 34 values, here 33
//! equidistant samples (128 apart) plus a repeat, with 12-bit outputs.

use super::interface::Algorithm;
use crate::abi::{consts, Block, GocConfig, HwRevision, ParamsError, ParamsWriter};
use crate::context::{FrameContext, Session};
use crate::controls::{ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use crate::status::{Access, Phase, StatusId};
use crate::tuning::{Params, TuningError};

/// x segment widths of the V10 logarithmic mode (sum 4096).
pub const LOG_SEGMENTS: [u32; 16] = [64, 64, 64, 64, 128, 128, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Curve {
    Power(f64),
    Srgb,
}

impl Curve {
    fn eval(self, x: f64) -> f64 {
        let x = x.clamp(0.0, 1.0);
        match self {
            Curve::Power(g) => x.powf(1.0 / g),
            Curve::Srgb => {
                if x <= 0.0031308 {
                    12.92 * x
                } else {
                    1.055 * x.powf(1.0 / 2.4) - 0.055
                }
            }
        }
    }
}

pub struct GammaOutCorrection {
    default: Curve,
    curve: Curve,
    written: Option<Curve>,
}

impl GammaOutCorrection {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&["gamma"]);
        let default = match p.get("gamma") {
            None => Curve::Power(2.2),
            Some(v) if v.as_str() == Some("srgb") => Curve::Srgb,
            Some(v) => Curve::Power(p.value_f64("gamma", v, 0.1, 10.0)?),
        };
        Ok(Self { default, curve: default, written: None })
    }

    /// The curve's register values for this ISP revision.
    pub fn samples(&self, hw: HwRevision) -> GocConfig {
        goc_config(self.curve, hw)
    }
}

fn goc_config(curve: Curve, hw: HwRevision) -> GocConfig {
    let mut gamma_y = [0u16; 34];
    if hw.gamma_samples() == consts::GAMMA_OUT_MAX_SAMPLES_V10 {
        let mut x = 0u32;
        for i in 0..17 {
            gamma_y[i] = (curve.eval(x as f64 / 4096.0) * 1023.0).round() as u16;
            if i < 16 {
                x += LOG_SEGMENTS[i];
            }
        }
        GocConfig { mode: consts::GOC_MODE_LOGARITHMIC, gamma_y }
    } else {
        for (i, y) in gamma_y.iter_mut().take(33).enumerate() {
            *y = (curve.eval(i as f64 * 128.0 / 4096.0) * 4095.0).round() as u16;
        }
        gamma_y[33] = gamma_y[32];
        GocConfig { mode: consts::GOC_MODE_EQUIDISTANT, gamma_y }
    }
}

impl Algorithm for GammaOutCorrection {
    fn name(&self) -> &'static str {
        "GammaOutCorrection"
    }

    fn contract(&self) -> &'static [Access] {
        use Access::*;
        &[Write(Phase::Prepare, StatusId::Gamma), Read(Phase::Process, StatusId::Gamma)]
    }

    fn controls(&self, _s: &Session, out: &mut Vec<ControlInfo>) {
        let def = match self.default {
            Curve::Power(g) => g,
            Curve::Srgb => 2.2,
        };
        out.push(ControlInfo::new(ControlId::Gamma, ControlValue::F32(0.1), ControlValue::F32(10.0), ControlValue::F32(def as f32)));
    }

    fn start(&mut self) {
        self.written = None;
    }

    fn queue_request(&mut self, _s: &Session, _fc: &mut FrameContext, c: &RequestControls) {
        if let Some(g) = c.gamma {
            if g.is_finite() && (0.1..=10.0).contains(&g) {
                self.curve = Curve::Power(g as f64);
            } else {
                log::warn!("Gamma {g} outside [0.1, 10], ignored");
            }
        }
    }

    fn prepare(&mut self, s: &Session, fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        fc.gamma = match self.curve {
            Curve::Power(g) => g,
            Curve::Srgb => 2.2,
        };
        if self.written != Some(self.curve) {
            // Erratum E2: the writer always sends GOC with its enable.
            p.write(&Block::Goc(goc_config(self.curve, s.hw)), true)?;
            self.written = Some(self.curve);
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
        md.gamma = Some(fc.gamma as f32);
    }
}
