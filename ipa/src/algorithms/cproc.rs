//! Colour processing: Brightness, Contrast, Saturation and Hue applied by the CPROC block
//! to the YCbCr output. No tuning keys (as upstream); the defaults leave the image as is.
//! The block is written when a value changes and after every start().

use super::interface::Algorithm;
use crate::abi::{Block, CprocConfig, ParamsError, ParamsWriter};
use crate::context::{FrameContext, Session};
use crate::controls::{clamp_logged, ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use crate::status::{Access, CprocStatus, Phase, StatusId};
use crate::tuning::{Params, TuningError};

/// Control ranges follow the register formats: UQ1.7 for contrast and saturation, Q1.7
/// for brightness (as a fraction of full scale) and hue (as a fraction of −90°).
const BRIGHTNESS: (f32, f32) = (-1.0, 127.0 / 128.0);
const CONTRAST: (f32, f32) = (0.0, 255.0 / 128.0);
const SATURATION: (f32, f32) = (0.0, 255.0 / 128.0);
const HUE: (f32, f32) = (-90.0 * 127.0 / 128.0, 90.0);

pub struct ColorProcessing {
    current: CprocStatus,
    written: Option<CprocConfig>,
}

impl ColorProcessing {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&[]);
        Ok(Self { current: CprocStatus::default(), written: None })
    }

    /// Register values for the settings (clamped to what the registers hold).
    pub fn config(s: &CprocStatus) -> CprocConfig {
        let uq17 = |v: f32| (v * 128.0).round().clamp(0.0, 255.0) as u8;
        let q17 = |v: f32| ((v * 128.0).round().clamp(-128.0, 127.0) as i8) as u8;
        CprocConfig {
            // Full-range output as the rest of the pipeline produces (the driver narrows it
            // for limited-range streams).
            c_out_range: 1,
            y_in_range: 1,
            y_out_range: 1,
            contrast: uq17(s.contrast),
            brightness: q17(s.brightness),
            sat: uq17(s.saturation),
            hue: q17(-s.hue / 90.0),
        }
    }
}

impl Algorithm for ColorProcessing {
    fn name(&self) -> &'static str {
        "ColorProcessing"
    }

    fn contract(&self) -> &'static [Access] {
        use Access::*;
        &[Write(Phase::QueueRequest, StatusId::Cproc), Read(Phase::Prepare, StatusId::Cproc), Read(Phase::Process, StatusId::Cproc)]
    }

    fn controls(&self, _s: &Session, out: &mut Vec<ControlInfo>) {
        for (id, (lo, hi), def) in [
            (ControlId::Brightness, BRIGHTNESS, 0.0),
            (ControlId::Contrast, CONTRAST, 1.0),
            (ControlId::Saturation, SATURATION, 1.0),
            (ControlId::Hue, HUE, 0.0),
        ] {
            out.push(ControlInfo::new(id, ControlValue::F32(lo), ControlValue::F32(hi), ControlValue::F32(def)));
        }
    }

    fn start(&mut self) {
        self.written = None;
    }

    fn queue_request(&mut self, _s: &Session, fc: &mut FrameContext, c: &RequestControls) {
        let s = &mut self.current;
        if let Some(v) = c.brightness.and_then(|v| clamp_logged("Brightness", v, BRIGHTNESS)) {
            s.brightness = v;
        }
        if let Some(v) = c.contrast.and_then(|v| clamp_logged("Contrast", v, CONTRAST)) {
            s.contrast = v;
        }
        if let Some(v) = c.saturation.and_then(|v| clamp_logged("Saturation", v, SATURATION)) {
            s.saturation = v;
        }
        if let Some(v) = c.hue.and_then(|v| clamp_logged("Hue", v, HUE)) {
            s.hue = v;
        }
        fc.cproc = self.current;
    }

    fn prepare(&mut self, _s: &Session, fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        let cfg = Self::config(&fc.cproc);
        if self.written != Some(cfg) && p.write(&Block::Cproc(cfg), true)? {
            self.written = Some(cfg);
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
        // What the registers hold, in control units.
        let c = Self::config(&fc.cproc);
        md.brightness = Some(c.brightness as i8 as f32 / 128.0);
        md.contrast = Some(c.contrast as f32 / 128.0);
        md.saturation = Some(c.sat as f32 / 128.0);
        md.hue = Some(-(c.hue as i8 as f32) / 128.0 * 90.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_formats() {
        let c = ColorProcessing::config(&CprocStatus::default());
        assert_eq!((c.contrast, c.sat, c.brightness, c.hue), (0x80, 0x80, 0, 0));
        let c = ColorProcessing::config(&CprocStatus { brightness: -1.0, contrast: 2.0, saturation: 0.0, hue: 90.0 });
        assert_eq!((c.contrast, c.sat, c.brightness, c.hue), (0xFF, 0, 0x80, 0x80));
        let c = ColorProcessing::config(&CprocStatus { brightness: 0.5, contrast: 0.5, saturation: 1.5, hue: -45.0 });
        assert_eq!((c.contrast, c.sat, c.brightness, c.hue), (0x40, 0xC0, 0x40, 0x40));
    }
}
