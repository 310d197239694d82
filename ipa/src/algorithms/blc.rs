//! Black level subtraction with fixed values. Levels come from the tuning file (`R`, `Gr`,
//! `Gb`, `B` in libcamera's 16-bit scale) or else from the sensor helper; the BLS block
//! works in the ISP's 12-bit domain.

use super::Algorithm;
use crate::abi::{Block, BlsConfig, ExtBlockType, ParamsError, ParamsWriter};
use crate::context::{FrameContext, Session};
use crate::controls::Metadata;
use crate::tuning::{Params, TuningError};

pub struct BlackLevelCorrection {
    tuning: Option<[u32; 4]>,
    levels: [u32; 4],
    written: bool,
}

/// libcamera's fallback when nothing is known: 64 at 10 bits.
const FALLBACK_16BIT: u32 = 4096;

impl BlackLevelCorrection {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&["R", "Gr", "Gb", "B"]);
        let keys = ["R", "Gr", "Gb", "B"];
        let present = keys.iter().filter(|k| p.get(k).is_some()).count();
        let tuning = match present {
            0 => None,
            4 => {
                let mut v = [0u32; 4];
                for (i, k) in keys.iter().enumerate() {
                    v[i] = p.f64_in(k, 0.0, 0.0, 65535.0)? as u32;
                }
                Some(v)
            }
            _ => return Err(p.error("R/Gr/Gb/B", "give all four black levels or none")),
        };
        Ok(Self { tuning, levels: [FALLBACK_16BIT; 4], written: false })
    }

    pub fn levels_16bit(&self) -> [u32; 4] {
        self.levels
    }
}

impl Algorithm for BlackLevelCorrection {
    fn name(&self) -> &'static str {
        "BlackLevelCorrection"
    }

    fn configure(&mut self, s: &Session) {
        self.levels = match (self.tuning, s.helper.black_level_16bit()) {
            (Some(t), _) => t,
            (None, Some(h)) => [h; 4],
            (None, None) => {
                log::warn!("no black level known for '{}', assuming {FALLBACK_16BIT} (16-bit scale)", s.helper.model);
                [FALLBACK_16BIT; 4]
            }
        };
        self.written = false;
    }

    fn start(&mut self) {
        self.written = false;
    }

    fn queue_request(&mut self, _s: &Session, fc: &mut FrameContext, _c: &crate::controls::RequestControls) {
        // Runs before any prepare(): the AWB gains need the white-level headroom.
        fc.black_level_12bit = self.levels.iter().map(|l| (l >> 4).min(4095)).max().unwrap_or(0) as f64;
    }

    fn prepare(&mut self, _s: &Session, fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        if !p.supports(ExtBlockType::Bls) {
            fc.black_level_12bit = 0.0;
        }
        if self.written {
            return Ok(());
        }
        if !p.supports(ExtBlockType::Bls) {
            log::warn!("kernel does not accept the BLS block; black level not subtracted");
            self.written = true;
            return Ok(());
        }
        let fixed = self.levels.map(|l| (l >> 4).min(4095) as i16);
        p.write(&Block::Bls(BlsConfig { fixed }), true)?;
        self.written = true;
        Ok(())
    }

    fn process(&mut self, _s: &Session, _fc: &mut FrameContext, _st: Option<&crate::abi::Stats>, md: &mut Metadata, _l: &mut FrameContext) {
        md.sensor_black_levels = Some(self.levels.map(|l| l as i32));
    }
}
