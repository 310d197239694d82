//! Dpf: the ISP's de-noising pre-filter on the Bayer data (an edge-preserving filter whose
//! range weights follow a noise level lookup over intensity).
//!
//! Tuning keys (libcamera's schema):
//! * `DomainFilter: {g: [6], rb: [6 or 5]}` — spatial weights per distance class; 6 red/blue
//!   weights select the 13×9 red/blue window, 5 the 9×9 one. Required.
//! * `NoiseLevelFunction: {coeff: [17], scale-mode: linear|logarithmic}` — the noise level
//!   lookup over the 12-bit input (logarithmic: GOC-like x segments). Required.
//! * `FilterStrength: {r, g, b}` — default 64 each.
//!
//! Control `draft::NoiseReductionMode`: Off disables the block; Minimal halves the strength;
//! Fast, HighQuality and ZSL use the tuned strength. Unlike upstream (default Off) we
//! default to Fast: a phone camera is expected to denoise, and without it the sensor noise
//! clipped at zero after the colour matrix tints dark greys.
//!
//! The NLL describes the sensor's noise at unity analogue gain. At analogue gain G the noise
//! at a given output level grows by about √G (shot noise dominates), so the strength
//! written for a frame is the tuned strength × √G (saturating at 255). The AWB and LSC gains
//! are applied by the hardware itself (gain usage AWB_LSC_GAINS), as the noise was measured
//! before them.

use super::interface::Algorithm;
use crate::abi::{consts, Block, DpfConfig, DpfStrengthConfig, ExtBlockType, ParamsError, ParamsWriter};
use crate::context::{FrameContext, Session};
use crate::controls::{enums, ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use crate::status::{Access, Phase, StatusId};
use crate::tuning::{Params, TuningError};

const MODES: [i32; 5] = [enums::NR_OFF, enums::NR_FAST, enums::NR_HIGH_QUALITY, enums::NR_MINIMAL, enums::NR_ZSL];
/// Largest NLL coefficient accepted. The register width is not documented; Rockchip's own
/// calibration of the PinePhone Pro's imx258 uses 1500, so at least 11 bits exist. We
/// accept 12 bits.
const NLL_MAX: f64 = 4095.0;

pub struct Dpf {
    base: DpfConfig,
    strength: [f64; 3],
    mode: i32,
    /// What the hardware holds (None: unknown, so it is written).
    written_enable: Option<bool>,
    written_strength: Option<DpfStrengthConfig>,
}

impl Dpf {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&["DomainFilter", "NoiseLevelFunction", "FilterStrength"]);
        let domain = p.get("DomainFilter").ok_or_else(|| p.error("DomainFilter", "missing (needs g and rb)"))?;
        let g = domain.get("g").ok_or_else(|| p.error("DomainFilter.g", "missing"))?;
        let g = p.list_f64("DomainFilter.g", g, Some(6), 0.0, 255.0)?;
        let rb_v = domain.get("rb").ok_or_else(|| p.error("DomainFilter.rb", "missing"))?;
        let rb = p.list_f64("DomainFilter.rb", rb_v, None, 0.0, 255.0)?;
        if rb.len() != 6 && rb.len() != 5 {
            return Err(p.error("DomainFilter.rb", format!("expected 5 (9×9 window) or 6 (13×9) values, got {}", rb.len())));
        }
        let nlf = p.get("NoiseLevelFunction").ok_or_else(|| p.error("NoiseLevelFunction", "missing (needs coeff)"))?;
        let coeff = nlf.get("coeff").ok_or_else(|| p.error("NoiseLevelFunction.coeff", "missing"))?;
        let coeff = p.list_f64("NoiseLevelFunction.coeff", coeff, Some(consts::DPF_MAX_NLF_COEFFS), 0.0, NLL_MAX)?;
        let scale_mode = match nlf.get("scale-mode") {
            None => consts::NLL_SCALE_LINEAR,
            Some(v) => match v.as_str() {
                Some("linear") => consts::NLL_SCALE_LINEAR,
                Some("logarithmic") => consts::NLL_SCALE_LOGARITHMIC,
                _ => return Err(p.error("NoiseLevelFunction.scale-mode", "expected 'linear' or 'logarithmic'")),
            },
        };
        let mut strength = [64.0; 3];
        if let Some(fs) = p.get("FilterStrength") {
            for (i, k) in ["r", "g", "b"].iter().enumerate() {
                if let Some(v) = fs.get(*k) {
                    strength[i] = p.value_f64(&format!("FilterStrength.{k}"), v, 0.0, 255.0)?;
                }
            }
        }
        let mut base = DpfConfig {
            gain_mode: consts::dpf_gain::AWB_LSC_GAINS,
            nf_gains: [256; 4],
            gr_enable: true,
            gb_enable: true,
            r_enable: true,
            b_enable: true,
            rb_fltsize: if rb.len() == 6 { consts::DPF_RB_FILTERSIZE_13X9 } else { consts::DPF_RB_FILTERSIZE_9X9 },
            nll_scale_mode: scale_mode,
            ..Default::default()
        };
        for (i, v) in g.iter().enumerate() {
            base.g_spatial[i] = v.round() as u8;
        }
        for (i, v) in rb.iter().enumerate() {
            base.rb_spatial[i] = v.round() as u8;
        }
        for (i, v) in coeff.iter().enumerate() {
            base.nll[i] = v.round() as u16;
        }
        Ok(Self { base, strength, mode: enums::NR_FAST, written_enable: None, written_strength: None })
    }

    /// The strength registers for a noise-reduction mode and analogue gain.
    pub fn strength_for(&self, mode: i32, gain: f64) -> DpfStrengthConfig {
        let factor = if mode == enums::NR_MINIMAL { 0.5 } else { 1.0 } * gain.max(1.0).sqrt();
        let q = |s: f64| (s * factor).round().clamp(0.0, 255.0) as u8;
        DpfStrengthConfig { r: q(self.strength[0]), g: q(self.strength[1]), b: q(self.strength[2]) }
    }
}

impl Algorithm for Dpf {
    fn name(&self) -> &'static str {
        "Dpf"
    }

    fn contract(&self) -> &'static [Access] {
        use Access::*;
        &[
            Write(Phase::QueueRequest, StatusId::NoiseReduction),
            Read(Phase::Prepare, StatusId::NoiseReduction),
            Read(Phase::Prepare, StatusId::Agc),
            Read(Phase::Process, StatusId::NoiseReduction),
        ]
    }

    fn controls(&self, _s: &Session, out: &mut Vec<ControlInfo>) {
        out.push(ControlInfo::new(
            ControlId::NoiseReductionMode,
            ControlValue::Menu(MODES.to_vec()),
            ControlValue::Menu(vec![]),
            ControlValue::I32(enums::NR_FAST),
        ));
    }

    fn start(&mut self) {
        self.written_enable = None;
        self.written_strength = None;
    }

    fn queue_request(&mut self, _s: &Session, fc: &mut FrameContext, c: &RequestControls) {
        if let Some(m) = c.noise_reduction_mode {
            if MODES.contains(&m) {
                self.mode = m;
            } else {
                log::warn!("NoiseReductionMode {m} is not a valid mode; ignored");
            }
        }
        fc.noise_reduction_mode = self.mode;
    }

    fn prepare(&mut self, _s: &Session, fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        if fc.noise_reduction_mode == enums::NR_OFF {
            if self.written_enable != Some(false) && p.disable(ExtBlockType::Dpf)? {
                self.written_enable = Some(false);
            }
            return Ok(());
        }
        if self.written_enable != Some(true) {
            if !p.write(&Block::Dpf(self.base), true)? {
                return Ok(());
            }
            self.written_enable = Some(true);
            // Re-enabling rewrites the strength too, as after start().
            self.written_strength = None;
        }
        let strength = self.strength_for(fc.noise_reduction_mode, fc.agc.decision.gain);
        if self.written_strength != Some(strength) && p.write(&Block::DpfStrength(strength), true)? {
            self.written_strength = Some(strength);
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
        md.noise_reduction_mode = Some(fc.noise_reduction_mode);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dpf(yaml: &str) -> Result<Dpf, TuningError> {
        let v: serde_norway::Value = serde_norway::from_str(yaml).unwrap();
        Dpf::from_tuning(&Params::new("t.yaml", "Dpf", &v)?)
    }

    const GOOD: &str = "DomainFilter: {g: [16, 16, 16, 16, 16, 16], rb: [16, 16, 16, 16, 16]}\n\
        NoiseLevelFunction: {coeff: [1023, 1023, 1023, 879, 625, 444, 363, 314, 281, 238, 210, 189, 162, 144, 131, 121, 113], scale-mode: logarithmic}\n\
        FilterStrength: {r: 60, g: 64, b: 80}\n";

    #[test]
    fn parses_the_schema() {
        let d = dpf(GOOD).unwrap();
        assert_eq!(d.base.rb_fltsize, consts::DPF_RB_FILTERSIZE_9X9);
        assert_eq!(d.base.nll_scale_mode, consts::NLL_SCALE_LOGARITHMIC);
        assert_eq!(d.base.nll[16], 113);
        assert_eq!(d.base.gain_mode, consts::dpf_gain::AWB_LSC_GAINS);
        assert_eq!(d.strength_for(enums::NR_FAST, 1.0), DpfStrengthConfig { r: 60, g: 64, b: 80 });
        assert_eq!(d.strength_for(enums::NR_MINIMAL, 1.0), DpfStrengthConfig { r: 30, g: 32, b: 40 });
        assert_eq!(d.strength_for(enums::NR_FAST, 4.0), DpfStrengthConfig { r: 120, g: 128, b: 160 });
        assert_eq!(d.strength_for(enums::NR_FAST, 16.0).b, 255);
    }

    #[test]
    fn bad_tuning_names_the_key() {
        let e = dpf("NoiseLevelFunction: {coeff: [1]}").err().unwrap();
        assert!(e.to_string().contains("DomainFilter"), "{e}");
        let e = dpf(&GOOD.replace("[16, 16, 16, 16, 16]", "[16, 16, 16, 16]")).err().unwrap();
        assert!(e.to_string().contains("DomainFilter.rb") && e.to_string().contains("got 4"), "{e}");
        let e = dpf(&GOOD.replace("1023, 1023, 1023, 879", "1023, 1023, 9999, 879")).err().unwrap();
        assert!(e.to_string().contains("coeff[2]"), "{e}");
        let e = dpf(&GOOD.replace("logarithmic", "cubic")).err().unwrap();
        assert!(e.to_string().contains("scale-mode"), "{e}");
    }
}
