//! Black level subtraction. Levels come from the tuning file (`R`, `Gr`, `Gb`, `B` in
//! libcamera's 16-bit scale) or else from the sensor helper; the BLS block works in the
//! ISP's 12-bit domain.
//!
//! A module's black level can differ from the one it was tuned with; the difference is
//! measured from the frames (`black_level_estimate.rs`) and added to all four levels.
//! Tuning key of ours: `estimate` (boolean, default true) turns that measurement off.

use super::black_level_estimate::{BlackLevelEstimator, Observation};
use super::interface::Algorithm;
use crate::abi::consts::AE_MEAN_MAX;
use crate::abi::params::block_supported;
use crate::abi::{Block, BlsConfig, ExtBlockType, ParamsError, ParamsWriter};
use crate::context::{FrameContext, Session};
use crate::controls::Metadata;
use crate::status::{Access, BlcStatus, Phase, StatusId};
use crate::tuning::{Params, TuningError};
use crate::zones::Blend;

pub struct BlackLevelCorrection {
    tuning: Option<[u32; 4]>,
    /// The levels of the tuning or sensor (16-bit scale).
    levels: [u32; 4],
    /// Measure the module's black level from the frames.
    estimate: bool,
    estimator: BlackLevelEstimator,
    /// Correction added to every level (12-bit codes), from the next frame prepared on.
    delta: i32,
    /// The correction the hardware holds, once written.
    written: Option<i32>,
    /// The kernel takes the BLS block in the configured params format.
    bls_supported: bool,
    /// Lens-shading gains (R, G, B) over each AE cell for `shading_key`.
    shading: [[f64; 3]; AE_MEAN_MAX],
    shading_key: Option<(Blend, usize)>,
    /// Per LSC set, its mean gains (R, Gr, Gb, B) over each AE cell of a `set_cells_grid`
    /// grid, filled at configure: a new blend (the AWB moves it by a little on many frames)
    /// is then a weighted sum instead of sampling the tables again (24 µs on x86_64).
    set_cells: Vec<[[f64; 4]; AE_MEAN_MAX]>,
    set_cells_grid: usize,
}

/// libcamera's fallback when nothing is known: 64 at 10 bits.
const FALLBACK_16BIT: u32 = 4096;

impl BlackLevelCorrection {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&["R", "Gr", "Gb", "B", "estimate"]);
        let estimate = match p.get("estimate") {
            None => true,
            Some(v) => v.as_bool().ok_or_else(|| p.error("estimate", "expected a boolean"))?,
        };
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
        Ok(Self {
            tuning,
            levels: [FALLBACK_16BIT; 4],
            estimate,
            estimator: BlackLevelEstimator::new(),
            delta: 0,
            written: None,
            bls_supported: true,
            shading: [[1.0; 3]; AE_MEAN_MAX],
            shading_key: None,
            set_cells: Vec::new(),
            set_cells_grid: 0,
        })
    }

    /// The levels subtracted now (16-bit scale), the measured correction included.
    pub fn levels_16bit(&self) -> [u32; 4] {
        self.levels.map(|l| (l as i64 + self.delta as i64 * 16).clamp(0, 65535) as u32)
    }

    fn levels_12bit(&self, delta: i32) -> [i16; 4] {
        self.levels.map(|l| ((l >> 4) as i32 + delta).clamp(0, 4095) as i16)
    }

    /// Lens-shading gains over the AE cells of a `grid` × `grid` measurement of the whole
    /// frame (the AGC's window), for `blend`, into `self.shading`; cached until either
    /// changes. False without shading.
    fn update_cell_shading(&mut self, s: &Session, blend: Option<Blend>, grid: usize) -> bool {
        let (Some(shading), Some(blend)) = (s.zone_shading.as_deref(), blend) else { return false };
        let cells = grid * grid;
        if cells > AE_MEAN_MAX {
            return false;
        }
        if self.shading_key != Some((blend, grid)) {
            let (set_a, set_b, weight) = blend;
            let cached = self.set_cells_grid == grid && set_a.max(set_b) < self.set_cells.len();
            for (i, out) in self.shading[..cells].iter_mut().enumerate() {
                // The same sums as ZoneShading::blend_mean_gains, from the per-set cache.
                let [r, gr, gb, b] = if cached {
                    let (ga, gb) = (&self.set_cells[set_a][i], &self.set_cells[set_b][i]);
                    [0, 1, 2, 3].map(|c| ga[c] * (1.0 - weight as f64) + gb[c] * weight as f64)
                } else {
                    shading.blend_mean_gains(blend, Self::cell_rect(i, grid), 4)
                };
                *out = [r, (gr + gb) / 2.0, b];
            }
            self.shading_key = Some((blend, grid));
        }
        true
    }

    /// AE cell `i` of a `grid` × `grid` measurement of the whole frame, as fractions.
    fn cell_rect(i: usize, grid: usize) -> (f64, f64, f64, f64) {
        let (x, y) = ((i % grid) as f64, (i / grid) as f64);
        let g = grid as f64;
        (x / g, y / g, (x + 1.0) / g, (y + 1.0) / g)
    }

    /// Fill [`Self::set_cells`] for the session's tables and AE grid.
    fn cache_set_cells(&mut self, s: &Session) {
        self.set_cells.clear();
        self.set_cells_grid = 0;
        self.shading_key = None;
        let Some(shading) = s.zone_shading.as_deref() else { return };
        let grid = s.hw.ae_grid();
        if grid * grid > AE_MEAN_MAX {
            return;
        }
        for set in 0..shading.cts.len() {
            let mut cells = [[1.0; 4]; AE_MEAN_MAX];
            for (i, c) in cells[..grid * grid].iter_mut().enumerate() {
                *c = shading.mean_gains(set, Self::cell_rect(i, grid), 4);
            }
            self.set_cells.push(cells);
        }
        self.set_cells_grid = grid;
    }

    /// Largest correction accepted, as a fraction of the tuned level: real modules spread
    /// by tens of percent; more than this is a wrong tuning file, not a module.
    const MAX_CORRECTION: f64 = 0.4;
    /// Expected spread of a module's black level about the tuned one (one standard
    /// deviation, as a fraction of the level).
    const PRIOR_SPREAD: f64 = 0.12;
    /// Offset the pair method reads on a module that matches its tuning (8-bit AE means,
    /// exposure quantisation, a scene that moved between the two frames): measured +2..+8
    /// 12-bit codes on the simulator's calibrated modules, as a fraction of the level. A
    /// smaller correction is not made; a wrong one tints the dark greys.
    const METHOD_BIAS: f64 = 0.03;
    /// An estimate this many dead bands (one standard error plus METHOD_BIAS) away from zero
    /// is corrected in full; from one dead band up to it the correction ramps up.
    const FULL_CORRECTION: f64 = 3.0;
    /// An estimate beyond METHOD_BIAS by this many standard errors is clearly the module's
    /// and corrected in full, however close to the dead band: the ramp over the dead bands
    /// left clearly measured offsets mostly uncorrected (+11.9 ± 1.1 and +13.1 ± 1.3 got
    /// +2 and +3, 12-bit, and the dark greys stayed tinted). Fewer standard errors would
    /// not do: a scene's pairs share its bias, which more pairs do not average away (on
    /// calibrated modules, a dominant saturated blue under A read -6.4 and -8.8 ± 2.2, and
    /// frames of the AE settling under a dominant green +18.7 ± 4.2).
    const CLEAR_ERRORS: f64 = 3.0;
    /// Accepted pairs after which AGC's exposure dip is no longer asked for. One pair is
    /// usually all a dip gives (the white balance has moved a little by the frame out of
    /// it). Pairs from the AE's own steps keep being used.
    const WANTED_PAIRS: u32 = 1;
}

impl Algorithm for BlackLevelCorrection {
    fn name(&self) -> &'static str {
        "BlackLevelCorrection"
    }

    fn contract(&self) -> &'static [Access] {
        use Access::*;
        &[
            Write(Phase::QueueRequest, StatusId::Blc),
            Read(Phase::Prepare, StatusId::Blc),
            Read(Phase::Process, StatusId::Blc),
            Read(Phase::Process, StatusId::Awb),
            Read(Phase::Process, StatusId::Ccm),
            Read(Phase::Process, StatusId::Lsc),
            Read(Phase::Process, StatusId::ZoneShading),
        ]
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
        self.written = None;
        self.estimator.restart();
        self.bls_supported = block_supported(s.format, s.supported_blocks, ExtBlockType::Bls);
        if !self.bls_supported {
            log::warn!("kernel does not accept the BLS block; black level not subtracted");
        }
        self.cache_set_cells(s);
    }

    fn start(&mut self) {
        self.written = None;
        self.estimator.restart();
    }

    fn queue_request(&mut self, _s: &Session, fc: &mut FrameContext, _c: &crate::controls::RequestControls) {
        // The frame's black level is decided when it is queued, so that every prepare()
        // (AWB's white-level headroom) reads the one programmed, whatever the order.
        fc.blc = match self.bls_supported {
            true => BlcStatus {
                black_level_12bit: self.levels_12bit(self.delta).into_iter().max().unwrap_or(0) as f64,
                delta_12bit: Some(self.delta as f64),
                // A scene whose frames cannot make a pair (a clipped sky) gets no dip.
                wants_pair: self.estimate && self.estimator.pairs() < Self::WANTED_PAIRS && self.estimator.last_frame_usable(),
            },
            false => BlcStatus { black_level_12bit: 0.0, delta_12bit: None, wants_pair: false },
        };
    }

    fn prepare(&mut self, _s: &Session, fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        let Some(delta) = fc.blc.delta_12bit.map(|d| d as i32) else { return Ok(()) };
        if self.written != Some(delta) && p.write(&Block::Bls(BlsConfig { fixed: self.levels_12bit(delta) }), true)? {
            self.written = Some(delta);
        }
        Ok(())
    }

    fn process(
        &mut self,
        s: &Session,
        fc: &mut FrameContext,
        st: Option<&crate::abi::Stats>,
        md: &mut Metadata,
        _l: &mut FrameContext,
        _previous: &FrameContext,
    ) {
        md.sensor_black_levels = Some(self.levels_16bit().map(|l| l as i32));
        let (Some(ae), Some(applied)) = (st.and_then(|st| st.ae.as_ref()), fc.blc.delta_12bit) else { return };
        if !self.estimate || fc.sensor.exposure_lines == 0 || fc.sensor.gain <= 0.0 {
            return;
        }
        let m = &fc.ccm.matrix;
        let channel_weight = [0, 1, 2].map(|c| (m[(0, c)] + m[(1, c)] + m[(2, c)]) * fc.awb.gains[c]);
        let offset_sum_8bit = fc.ccm.offsets.iter().sum();
        let exposure = s.timing.lines_to_us(fc.sensor.exposure_lines) * fc.sensor.gain;
        let blend = if fc.lsc.enabled { fc.lsc.blend } else { None };
        let shading = self.update_cell_shading(s, blend, ae.grid).then(|| &self.shading[..ae.grid * ae.grid]);
        let top_bin_fraction = match st.and_then(|st| st.hist.as_ref()) {
            Some(h) if h.bins().iter().any(|b| *b > 0) => *h.bins().last().unwrap_or(&0) as f64 / h.bins().iter().map(|b| *b as f64).sum::<f64>(),
            // Without a histogram the frame's clipping is unknown.
            _ => 1.0,
        };
        let o = Observation { means: ae.cells(), exposure, applied_delta: applied, channel_weight, offset_sum_8bit, shading, top_bin_fraction };
        let Some(pair) = self.estimator.observe(&o) else { return };
        let (estimate, std_err) = self.estimator.estimate().unwrap_or((pair.delta, pair.std_err));
        let base = self.levels.iter().map(|l| (l >> 4) as f64).sum::<f64>() / 4.0;
        let limit = (Self::MAX_CORRECTION * base).max(4.0);
        log::debug!(
            "frame {}: black level pair over {} cells: {:+.1} ± {:.1}; estimate {:+.1} ± {:.1} (12-bit, tuned {base:.0})",
            fc.frame,
            pair.cells,
            pair.delta,
            pair.std_err,
            estimate,
            std_err
        );
        // An estimate less than twice as precise as the modules' spread says little about this
        // module: a single weak pair (+22 ± 7 on the emulated ov8858, whose truth is the
        // tuning) tinted the dark greys of every later frame by 6°.
        if std_err > 0.5 * Self::PRIOR_SPREAD * base {
            return;
        }
        // The tuned level is the prior: an estimate counts by its precision against the
        // spread of modules.
        let prior_weight = (Self::PRIOR_SPREAD * base).max(1.0).powi(-2);
        let shrink = std_err.powi(-2) / (std_err.powi(-2) + prior_weight);
        // An offset the measurement cannot tell from zero (one standard error and the
        // method's own bias) is not worth moving the black level for; one FULL_CORRECTION
        // times that is made in full, and in between the correction ramps up. (Taking the dead
        // band off every correction left modules 8-10 codes short, which tinted their
        // black patch by 10 deg; a ramp ending at twice the dead band applied more of a
        // calibrated module's false +18.7 ± 4.2 from frames of the AE settling, and its
        // dark greys under a dominant green went from 2.0 to 3.7 deg.)
        let dead_band = std_err + Self::METHOD_BIAS * base;
        let magnitude = estimate.abs() * shrink;
        let partial = ((magnitude - dead_band) / ((Self::FULL_CORRECTION - 1.0) * dead_band).max(1e-9)).clamp(0.0, 1.0);
        // Clear of the bias by CLEAR_ERRORS standard errors, the correction is made in full
        // within one more standard error (a ramp, not a step: an estimate at the edge does
        // not flick the level on and off).
        let clear_band = Self::CLEAR_ERRORS * std_err + Self::METHOD_BIAS * base;
        let clear = ((magnitude - clear_band) / std_err.max(1e-9)).clamp(0.0, 1.0);
        let ramp = partial.max(clear);
        let delta = (estimate.signum() * magnitude * ramp).clamp(-limit, limit).round() as i32;
        if delta != self.delta {
            log::info!("black level: measured {:+} (12-bit) against the tuned {base:.0} after {} exposure changes", delta, self.estimator.pairs());
            self.delta = delta;
        }
    }
}
