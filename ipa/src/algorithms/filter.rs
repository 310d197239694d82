//! Filter: the ISP's luminance sharpening/blurring filter (FLT), driven by the Sharpness
//! control.
//!
//! Upstream's Filter takes no tuning keys (it has built-in tables). Ours reads two
//! extensions, which upstream ignores:
//! * `levels`: register sets from weakest to strongest, each a mapping with the
//!   `rkisp1_cif_isp_flt_config` field names (`grn_stage1`, `chr_h_mode`, `chr_v_mode`,
//!   `thresh_bl0`, `thresh_bl1`, `thresh_sh0`, `thresh_sh1`, `fac_sh0`, `fac_sh1`,
//!   `fac_mid`, `fac_bl0`, `fac_bl1`; optional `lum_weight`, default 0x00022040 as
//!   upstream, and `mode`, default dynamic). Required, at least one.
//! * `gainLevels: {gains: [...], levels: [...]}`: the level used at Sharpness 1 for each
//!   analogue gain (the nearest lower gain applies), so that high gains, whose noise
//!   sharpening would amplify, get a gentler set. Default: level 0 at every gain.
//!
//! Sharpness (libcamera: 0 = none, 1 = normal, 10 = strongest): 0 turns the block off, 1 uses
//! the gain schedule's register set as tuned. Above 1 two things move linearly with
//! (Sharpness − 1)/9: the set index, from the schedule's towards the strongest one, and the
//! edge factors of the chosen set, from their tuned values towards the register's range
//! (fac_sh1 → 63, its 6-bit maximum; fac_sh0 → 48, so the weaker-edge class stays below the
//! strong one). The tables alone cannot provide a range: at low gain the schedule already
//! uses the strongest set, and a table may hold no set that sharpens at all. Thresholds and
//! the flat-area factors stay as tuned, so noise in flat areas is not amplified. Values are
//! rounded to whole steps, as upstream does.

use super::interface::Algorithm;
use crate::abi::{consts, Block, ExtBlockType, FltConfig, ParamsError, ParamsWriter};
use crate::context::{FrameContext, Session};
use crate::controls::{clamp_logged, ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use crate::status::{Access, Phase, StatusId};
use crate::tuning::{Params, TuningError};

const SHARPNESS_MAX: f64 = 10.0;
const DEFAULT_SHARPNESS: f64 = 1.0;
/// libcamera's and the kernel's reset value of the luminance weight register.
const LUM_WEIGHT_DEFAULT: u32 = 0x0002_2040;
/// Edge factors reached at Sharpness 10 (see the module comment).
const FAC_SH1_SHARPEST: u32 = 63;
const FAC_SH0_SHARPEST: u32 = 48;

pub struct Filter {
    levels: Vec<FltConfig>,
    /// (analogue gain, level index) sorted by gain.
    schedule: Vec<(f64, usize)>,
    sharpness: f64,
    /// What the hardware holds: None = unknown, Some(None) = off, Some(Some(c)) = registers c.
    written: Option<Option<FltConfig>>,
}

impl Filter {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&["levels", "gainLevels"]);
        let list = p.get("levels").and_then(|l| l.as_sequence()).ok_or_else(|| p.error("levels", "missing: a list of FLT register sets"))?;
        if list.is_empty() {
            return Err(p.error("levels", "needs at least one register set"));
        }
        let mut levels = Vec::new();
        for (i, l) in list.iter().enumerate() {
            let key = |k: &str| format!("levels[{i}].{k}");
            let num = |k: &str, max: f64, default: Option<f64>| -> Result<u32, TuningError> {
                match (l.get(k), default) {
                    (Some(v), _) => Ok(p.value_f64(&key(k), v, 0.0, max)? as u32),
                    (None, Some(d)) => Ok(d as u32),
                    (None, None) => Err(p.error(&key(k), "missing")),
                }
            };
            // Field widths from the UAPI: thresholds 10 bits, factors 6 bits, stage-1 0..8.
            levels.push(FltConfig {
                mode: num("mode", 1.0, Some(consts::FLT_DYNAMIC_MODE as f64))?,
                grn_stage1: num("grn_stage1", 8.0, None)? as u8,
                chr_h_mode: num("chr_h_mode", 3.0, None)? as u8,
                chr_v_mode: num("chr_v_mode", 3.0, None)? as u8,
                thresh_bl0: num("thresh_bl0", 1023.0, None)?,
                thresh_bl1: num("thresh_bl1", 1023.0, None)?,
                thresh_sh0: num("thresh_sh0", 1023.0, None)?,
                thresh_sh1: num("thresh_sh1", 1023.0, None)?,
                lum_weight: num("lum_weight", u32::MAX as f64, Some(LUM_WEIGHT_DEFAULT as f64))?,
                fac_sh1: num("fac_sh1", 63.0, None)?,
                fac_sh0: num("fac_sh0", 63.0, None)?,
                fac_mid: num("fac_mid", 63.0, None)?,
                fac_bl0: num("fac_bl0", 63.0, None)?,
                fac_bl1: num("fac_bl1", 63.0, None)?,
            });
        }
        let mut schedule = vec![(0.0, 0)];
        if let Some(g) = p.get("gainLevels") {
            let gains = g.get("gains").ok_or_else(|| p.error("gainLevels.gains", "missing"))?;
            let gains = p.list_f64("gainLevels.gains", gains, None, 1.0, 1024.0)?;
            let lv = g.get("levels").ok_or_else(|| p.error("gainLevels.levels", "missing"))?;
            let lv = p.list_f64("gainLevels.levels", lv, Some(gains.len()), 0.0, (levels.len() - 1) as f64)?;
            if gains.is_empty() || gains.windows(2).any(|w| w[1] <= w[0]) {
                return Err(p.error("gainLevels.gains", "needs increasing gains"));
            }
            schedule = gains.into_iter().zip(lv.into_iter().map(|l| l as usize)).collect();
        }
        Ok(Self { levels, schedule, sharpness: DEFAULT_SHARPNESS, written: None })
    }

    /// The level for a sharpness and analogue gain, or None for "off".
    pub fn level(&self, sharpness: f64, gain: f64) -> Option<usize> {
        let s = sharpness.round();
        if s <= 0.0 {
            return None;
        }
        let base = self.schedule.iter().rev().find(|(g, _)| gain >= *g).unwrap_or(&self.schedule[0]).1;
        let top = self.levels.len() - 1;
        Some(base + ((s - 1.0) / (SHARPNESS_MAX - 1.0) * (top - base) as f64).round() as usize)
    }

    /// The registers for a sharpness and analogue gain, or None for "off".
    pub fn config(&self, sharpness: f64, gain: f64) -> Option<FltConfig> {
        let mut c = self.levels[self.level(sharpness, gain)?];
        let t = ((sharpness.round() - 1.0) / (SHARPNESS_MAX - 1.0)).clamp(0.0, 1.0);
        // Never weaker than tuned, even when a tuned factor exceeds the target.
        let toward = |tuned: u32, target: u32| tuned.max((tuned as f64 + t * (target as f64 - tuned as f64)).round() as u32);
        c.fac_sh1 = toward(c.fac_sh1, FAC_SH1_SHARPEST);
        c.fac_sh0 = toward(c.fac_sh0, FAC_SH0_SHARPEST);
        Some(c)
    }
}

impl Algorithm for Filter {
    fn name(&self) -> &'static str {
        "Filter"
    }

    fn contract(&self) -> &'static [Access] {
        use Access::*;
        &[
            Write(Phase::QueueRequest, StatusId::Sharpness),
            Read(Phase::Prepare, StatusId::Sharpness),
            Read(Phase::Prepare, StatusId::Agc),
            Read(Phase::Process, StatusId::Sharpness),
        ]
    }

    fn controls(&self, _s: &Session, out: &mut Vec<ControlInfo>) {
        out.push(ControlInfo::new(
            ControlId::Sharpness,
            ControlValue::F32(0.0),
            ControlValue::F32(SHARPNESS_MAX as f32),
            ControlValue::F32(DEFAULT_SHARPNESS as f32),
        ));
    }

    fn start(&mut self) {
        self.written = None;
    }

    fn queue_request(&mut self, _s: &Session, fc: &mut FrameContext, c: &RequestControls) {
        if let Some(v) = c.sharpness.and_then(|v| clamp_logged("Sharpness", v, (0.0, SHARPNESS_MAX as f32))) {
            self.sharpness = v as f64;
        }
        fc.sharpness = self.sharpness;
    }

    fn prepare(&mut self, _s: &Session, fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        let want = self.config(fc.sharpness, fc.agc.decision.gain);
        if self.written == Some(want) {
            return Ok(());
        }
        let done = match want {
            None => p.disable(ExtBlockType::Flt)?,
            Some(c) => p.write(&Block::Flt(c), true)?,
        };
        if done {
            self.written = Some(want);
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
        md.sharpness = Some(fc.sharpness.round() as f32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(yaml: &str) -> Result<Filter, TuningError> {
        let v: serde_norway::Value = serde_norway::from_str(yaml).unwrap();
        Filter::from_tuning(&Params::new("t.yaml", "Filter", &v)?)
    }

    const LEVEL: &str = "{grn_stage1: 7, chr_h_mode: 3, chr_v_mode: 3, thresh_bl0: 12, thresh_bl1: 8, thresh_sh0: 30, thresh_sh1: 45, fac_sh0: 20, fac_sh1: 24, fac_mid: 12, fac_bl0: 3, fac_bl1: 0}";

    #[test]
    fn sharpness_and_gain_pick_the_level() {
        let y = format!("levels: [{LEVEL}, {LEVEL}, {LEVEL}, {LEVEL}, {LEVEL}]\ngainLevels: {{gains: [1, 2, 4, 6, 8], levels: [4, 3, 2, 1, 0]}}\n");
        let f = filter(&y).unwrap();
        assert_eq!(f.levels[0].mode, consts::FLT_DYNAMIC_MODE);
        assert_eq!(f.levels[0].lum_weight, LUM_WEIGHT_DEFAULT);
        assert_eq!(f.level(0.0, 1.0), None);
        assert_eq!(f.level(0.4, 1.0), None);
        assert_eq!(f.level(1.0, 1.0), Some(4));
        assert_eq!(f.level(1.0, 3.0), Some(3));
        assert_eq!(f.level(1.0, 16.0), Some(0));
        assert_eq!(f.level(10.0, 16.0), Some(4));
        assert_eq!(f.level(5.5, 16.0), Some(2));
    }

    #[test]
    fn sharpness_above_one_raises_the_edge_factors_to_the_register_range() {
        let y = format!("levels: [{LEVEL}]\ngainLevels: {{gains: [1], levels: [0]}}\n");
        let f = filter(&y).unwrap();
        assert_eq!(f.config(0.0, 1.0), None);
        let tuned = f.config(1.0, 1.0).unwrap();
        assert_eq!(tuned, f.levels[0]);
        let mid = f.config(5.0, 1.0).unwrap();
        let top = f.config(10.0, 1.0).unwrap();
        assert!(tuned.fac_sh1 < mid.fac_sh1 && mid.fac_sh1 < top.fac_sh1, "{tuned:?} {mid:?} {top:?}");
        assert!(tuned.fac_sh0 < mid.fac_sh0 && mid.fac_sh0 < top.fac_sh0);
        assert_eq!((top.fac_sh1, top.fac_sh0), (FAC_SH1_SHARPEST, FAC_SH0_SHARPEST));
        // Flat-area factors and thresholds stay as tuned.
        assert_eq!((top.fac_mid, top.fac_bl0, top.thresh_sh0), (tuned.fac_mid, tuned.fac_bl0, tuned.thresh_sh0));
        // A tuned factor above the target is kept, not lowered.
        let f = filter(&format!("levels: [{}]", LEVEL.replace("fac_sh0: 20", "fac_sh0: 60"))).unwrap();
        assert_eq!(f.config(10.0, 1.0).unwrap().fac_sh0, 60);
    }

    #[test]
    fn bad_tuning_names_the_key() {
        assert!(filter("levels: []").err().unwrap().to_string().contains("levels"));
        let e = filter(&format!("levels: [{}]", LEVEL.replace("fac_sh1: 24", "fac_sh1: 64"))).err().unwrap();
        assert!(e.to_string().contains("levels[0].fac_sh1"), "{e}");
        let e = filter(&format!("levels: [{}]", LEVEL.replace("grn_stage1: 7, ", ""))).err().unwrap();
        assert!(e.to_string().contains("levels[0].grn_stage1"), "{e}");
        let e = filter(&format!("levels: [{LEVEL}]\ngainLevels: {{gains: [1, 2], levels: [0, 1]}}")).err().unwrap();
        assert!(e.to_string().contains("gainLevels.levels"), "{e}");
    }
}
