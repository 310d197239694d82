//! Scene illuminance estimate: the frame's mean level scaled by the exposure that produced
//! it, against a reference measured at a known lux (libcamera's `Lux` keys, all required):
//!
//! lux = referenceLux · (Y / referenceY) · (refExposure · refAnalogueGain · refDigitalGain)
//!                                         / (exposure · analogueGain · digitalGain)
//!
//! Y is the mean of the AE grid (0..1), the exposure and gain those that applied to the
//! measured frame. The digital gain is 1: the pipeline applies none besides white balance.

use super::interface::Algorithm;
use crate::context::{FrameContext, Session};
use crate::controls::Metadata;
use crate::status::{Access, LuxStatus, Phase, StatusId};
use crate::tuning::{Params, TuningError};

pub struct Lux {
    reference_exposure_us: f64,
    reference_gain: f64,
    reference_y: f64,
    reference_lux: f64,
}

impl Lux {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&["referenceExposureTime", "referenceAnalogueGain", "referenceDigitalGain", "referenceY", "referenceLux"]);
        let required = |k: &str, lo: f64, hi: f64| -> Result<f64, TuningError> {
            let v = p.get(k).ok_or_else(|| p.error(k, "missing (all five references are required)"))?;
            p.value_f64(k, v, lo, hi)
        };
        let exposure = required("referenceExposureTime", 1.0, 10_000_000.0)?;
        let again = required("referenceAnalogueGain", 1.0, 256.0)?;
        let dgain = required("referenceDigitalGain", 0.01, 256.0)?;
        let y = required("referenceY", 0.001, 1.0)?;
        let lux = required("referenceLux", 0.001, 1_000_000.0)?;
        Ok(Self { reference_exposure_us: exposure, reference_gain: again * dgain, reference_y: y, reference_lux: lux })
    }

    /// Lux for a frame with mean level `y` (0..1) taken at `exposure_us` × `gain`.
    pub fn estimate(&self, y: f64, exposure_us: f64, gain: f64) -> f64 {
        let exposure = (exposure_us * gain).max(1e-6);
        self.reference_lux * (y / self.reference_y) * (self.reference_exposure_us * self.reference_gain) / exposure
    }
}

impl Algorithm for Lux {
    fn name(&self) -> &'static str {
        "Lux"
    }

    fn contract(&self) -> &'static [Access] {
        use Access::*;
        &[Write(Phase::Process, StatusId::Lux)]
    }

    fn process(
        &mut self,
        s: &Session,
        fc: &mut FrameContext,
        stats: Option<&crate::abi::Stats>,
        md: &mut Metadata,
        _l: &mut FrameContext,
        _previous: &FrameContext,
    ) {
        fc.lux = LuxStatus { lux: None };
        let Some(ae) = stats.and_then(|st| st.ae) else {
            return;
        };
        let cells = ae.cells();
        if cells.is_empty() || fc.sensor.exposure_lines == 0 {
            return;
        }
        let y = cells.iter().map(|&c| c as f64).sum::<f64>() / cells.len() as f64 / 255.0;
        let exposure_us = s.timing.lines_to_us(fc.sensor.exposure_lines);
        let lux = self.estimate(y, exposure_us, fc.sensor.gain.max(1e-3));
        fc.lux = LuxStatus { lux: Some(lux) };
        md.lux = Some(lux as f32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_with_level_and_inversely_with_exposure() {
        let l = Lux { reference_exposure_us: 10000.0, reference_gain: 1.0, reference_y: 0.2, reference_lux: 1000.0 };
        assert!((l.estimate(0.2, 10000.0, 1.0) - 1000.0).abs() < 1e-9);
        assert!((l.estimate(0.4, 10000.0, 1.0) - 2000.0).abs() < 1e-9);
        assert!((l.estimate(0.2, 20000.0, 2.0) - 250.0).abs() < 1e-9);
    }
}
