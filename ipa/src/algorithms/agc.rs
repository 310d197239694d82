//! Automatic exposure and gain.
//!
//! Deadbeat control on the exposure that actually applied to the measured frame: the
//! sensor is linear, so `new = applied × target / measured` lands on target in one step
//! when nothing clips. Because the command is absolute (not an increment) and is computed
//! from the exposure of the frame it looks at, the frames still in flight with the old
//! exposure produce the same command again: no integral wind-up, no oscillation.
//!
//! Clipped frames under-report brightness. For them the histogram of a reference frame
//! (the last one not clipped beyond the scene's own highlights) is remembered and scaled
//! until its clipped fraction matches the one observed, which estimates how much
//! brighter the scene became (assuming the scene content did not change at the same
//! time; the estimate is bounded so a wrong guess cannot overshoot). Where some AE cells
//! stayed well below the clip, their ratio to the same cells of the reference frame
//! measures the change of brightness directly: one step lands on
//! target instead of the histogram's cautious steps (a +4 EV step took three 3-frame
//! rounds).
//!
//! Backlight: AE cells brighter than `backlightRatio` × the weighted median cell are
//! limited to that value, so a bright window cannot drag the subject into black.

use super::interface::Algorithm;
use crate::abi::{consts, AecConfig, Block, HstConfig, HwRevision, ParamsError, ParamsWriter, Stats, Window};
use crate::context::{FrameContext, Session};
use crate::controls::{enums, AutoMode, ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use crate::interpolate::Pwl;
use crate::status::{Access, AgcStatus, ExposureDecision, Phase, StatusId};
use crate::tuning::{parse_pwl, Params, TuningError};

/// A histogram constraint: the mean of the quantile range [q_lo, q_hi] must be at least
/// (`Lower`) or at most (`Upper`) `y_target`.
#[derive(Debug, Clone, PartialEq)]
struct Constraint {
    upper: bool,
    q_lo: f64,
    q_hi: f64,
    y_target: Pwl<f64>,
}

/// A frame kept for clipped-scene estimates: its histogram (how much of it a clip would
/// cut, what its constraints asked), its AE luminance and its AE cells.
#[derive(Debug, Clone, Copy)]
struct Reference {
    cdf: [f64; 33],
    bins: usize,
    luminance: f64,
    cells: [u8; consts::AE_MEAN_MAX],
    n_cells: usize,
}

impl Reference {
    fn new(cdf: [f64; 33], bins: usize, luminance: f64, cells: &[u8]) -> Self {
        let n_cells = cells.len().min(consts::AE_MEAN_MAX);
        let mut r = Reference { cdf, bins, luminance, cells: [0; consts::AE_MEAN_MAX], n_cells };
        r.cells[..n_cells].copy_from_slice(&cells[..n_cells]);
        r
    }

    fn cells(&self) -> &[u8] {
        &self.cells[..self.n_cells]
    }

    /// The fraction of the frame in the histogram's top bin (the scene's own highlights).
    fn top(&self) -> f64 {
        1.0 - self.cdf[self.bins - 1]
    }
}

pub struct Agc {
    metering: Vec<(i32, Vec<u8>)>,
    constraints: Vec<(i32, Vec<Constraint>)>,
    exposure_modes: Vec<(i32, Vec<(f64, f64)>)>,
    target: Pwl<f64>,
    backlight_ratio: f64,
    // Request state.
    metering_mode: i32,
    constraint_mode: i32,
    exposure_mode: i32,
    ev: f64,
    auto_exposure: bool,
    auto_gain: bool,
    manual_exposure_us: Option<f64>,
    manual_gain: Option<f64>,
    frame_duration_us: (f64, f64),
    flicker_period_us: Option<f64>,
    flicker_mode: i32,
    // Algorithm state: the newest decision, published by [`Agc::publish`].
    current: ExposureDecision,
    measurement_written: bool,
    /// The last frame that was not clipped beyond the scene's own highlights, for the
    /// estimates of a clipped frame ([`brightness_change`], [`clipped_correction`]).
    reference: Option<Reference>,
    /// The last reference whose lower constraints read no clipped highlights: how far above
    /// the target they hold the scene, which caps them on later frames
    /// ([`Agc::constraint_boost`]).
    boost_reference: Option<Reference>,
    /// Frames in a row whose command fell within the dead band.
    held_frames: u32,
    /// The exposure dip that gives the black-level measurement its pair of frames.
    dip: Option<Dip>,
    /// Dips made since the stream started, and the frame of the last one.
    dips: u32,
    /// The AE moved by a change of scene after its start-up: no dip from then on (a dip
    /// would flicker a settled picture).
    startup_over: bool,
    /// The AE has held since the stream started (its start-up is over once it then moves
    /// by a change of scene).
    held_once: bool,
    /// Frames the AE processed since the stream started.
    frames_processed: u32,
    last_dip_frame: Option<u32>,
    /// Direction of the last command, when a lower constraint set it by a small step
    /// (`true`: up): see [`CONSTRAINT_REVERSAL`].
    constraint_step_up: Option<bool>,
    /// Frames in a row that asked a small step back from it, and the least of their
    /// corrections.
    step_back: (u32, f64),
}

/// A dip of the exposure for the black-level measurement: decided while processing
/// `frame`, to `total` (µs × gain).
#[derive(Debug, Clone, Copy)]
struct Dip {
    frame: u32,
    total: f64,
    /// The decision held before the dip, restored after it.
    held: ExposureDecision,
    /// A frame exposed at the dip was processed.
    seen: bool,
}

/// Exposure modes used when the tuning has none: Normal keeps a live viewfinder (frames
/// of at most 1/15 s; gain up to the sensor's maximum instead of longer frames), Long
/// trades frame rate for noise in the dark (up to 1 s). Gains above the sensor's maximum
/// are clamped to it.
fn default_exposure_modes() -> Vec<(i32, Vec<(f64, f64)>)> {
    vec![
        (enums::EXPOSURE_NORMAL, vec![(10_000.0, 1.0), (33_333.0, 2.0), (66_666.0, 4.0)]),
        (enums::EXPOSURE_LONG, vec![(10_000.0, 1.0), (66_666.0, 2.0), (250_000.0, 4.0), (1_000_000.0, 8.0)]),
    ]
}

/// Scene illuminance at which the tuned targets are read when no Lux estimate exists (no
/// Lux algorithm, or no statistics yet): an ordinarily lit room.
const UNKNOWN_LUX: f64 = 400.0;

/// The scene's illuminance for this frame's targets: the Lux estimate of the frame
/// processed before it. The previous frame's rather than this frame's so that AGC does
/// not depend on being listed after Lux (libcamera's files list Agc first); the targets
/// vary slowly with lux, so a frame's lag does not matter.
fn scene_lux(previous: &FrameContext) -> f64 {
    previous.lux.lux.filter(|l| l.is_finite() && *l >= 0.0).unwrap_or(UNKNOWN_LUX)
}

/// Default relative luminance target (mean of the AE cells, 0..1).
const DEFAULT_TARGET: f64 = 0.16;
/// Commands within this ratio of 1 are not worth a sensor write (noise dead band).
const DEAD_BAND: f64 = 0.015;
/// A frame whose AE level is below this many times its uncertainty (one 8-bit code and
/// [`BLACK_LEVEL_ERROR`]) is stepped up cautiously.
const DEEP_FRAME: f64 = 2.0;
/// How far (fraction of the tuned level) a module's black level may lie from its tuning:
/// about two standard deviations of real modules' spread.
const BLACK_LEVEL_ERROR: f64 = 0.25;
/// Largest correction per step from unclipped statistics.
const MAX_STEP_UP: f64 = 64.0;
/// Initial exposure after configure.
const INITIAL_EXPOSURE_US: f64 = 10_000.0;
/// Histogram fraction in the top bin above which a frame counts as clipped.
const CLIPPED_FRACTION: f64 = 0.02;
/// Share of a lower constraint's quantile range in the top bin above which the range's
/// mean reads clipped highlights.
const RANGE_CLIPPED: f64 = 0.1;
/// Top-bin fraction up to which a frame can be the reference of the clipped estimates. A
/// scene with a lamp or a white wall has a few percent there on every frame; a frame only
/// counts as clipped against its reference when it has `CLIPPED_FRACTION` more (with a
/// reference kept only below `CLIPPED_FRACTION`, such a scene had none, and a +4 EV step
/// into clipping took three rounds instead of one).
const REFERENCE_TOP: f64 = 0.1;
/// Mean-based correction within which the AE holds a frame (the dead band, or a scene
/// too dark to reach the target at the longest exposure and highest gain allowed).
const REFERENCE_HELD: f64 = 0.1;
/// AE cells (8-bit means) that measure a change of brightness against the reference: at
/// most this bright now (a cell mean this far below the clip has next to no clipped
/// pixels) and at least this bright then (8-bit rounding within ±6%).
const CELL_UNCLIPPED: u8 = 200;
const CELL_MIN_REFERENCE: u8 = 8;
/// Relative noise of a cell's ratio beyond its 8-bit rounding (a cell averages thousands
/// of pixels).
const CELL_NOISE: f64 = 0.03;
/// Cells sharing the ratio needed, and the share of the measurable cells they must make
/// up; cells above it may make up at most `ABOVE_SHARE` (a scene whose content changed
/// scatters the ratios both ways; clipping only lowers them).
const MIN_AGREEING_CELLS: usize = 3;
const AGREEING_SHARE: f64 = 0.4;
const ABOVE_SHARE: f64 = 0.1;
/// The black-level dip. The sensor's black level is measured from two frames of a still
/// scene whose exposures differ by a known ratio (`black_level_estimate.rs`); a scene where
/// the AE settles without such a step (it came down from clipped frames, in small steps)
/// gives none, and an uncorrected module's dark greys stay tinted. Once the AE has held for
/// `DIP_HELD` frames and the white balance holds its greys, the exposure dips by
/// `DIP_RATIO` for the frames in flight (about −0.5 EV, a few frames); the first dip frame
/// brings the held exposure back. At most `DIP_TRIES` dips per stream,
/// `DIP_INTERVAL` frames apart, and only while the black level asks for a pair. Dips belong
/// to the stream's start-up, while the picture settles anyway: once the AE has held (or
/// `DIP_STARTUP_FRAMES` frames went by, a scene too dark for the AE's limits never holds)
/// and then made a correction beyond `DIP_SCENE_CHANGE` (the scene's brightness changed), a
/// dip would flicker a settled picture (a −4 EV step followed by a dip 20 frames later read
/// as a 27% overshoot), so none follows.
const DIP_RATIO: f64 = 0.7;
const DIP_HELD: u32 = 3;
const DIP_TRIES: u32 = 3;
const DIP_INTERVAL: u32 = 30;
/// The dip's exposure must differ from the held one by at least this ratio (the
/// measurement's own minimum is 1.25), or no dip is made (exposure at its minimum).
const DIP_MIN_STEP: f64 = 1.3;
/// A frame is one of the dip's when its exposure × gain is the dip's within this fraction,
/// and it is at most `DIP_FRAMES` frames after the decision.
const DIP_MATCH: f64 = 0.02;
const DIP_FRAMES: u32 = 6;
const DIP_SCENE_CHANGE: f64 = 0.5;
const DIP_STARTUP_FRAMES: u32 = 20;
/// A lower constraint reads the mean of a few percent of the histogram's top: from the
/// coarse histogram that mean moves by ±4% at one exposure as the white balance moves
/// (the highlights cross bin edges), and between exposures about twice as much as the
/// exposure. Answered dead-beat from every frame, a constraint that binds in steady state
/// flicked the exposure ×0.93 / ×1.06 for good. So after a small step that a constraint
/// set, a small step back (within this ratio) is held: the exposure rests within the
/// reading's noise of where the constraint holds. A step back asked by
/// `CONSTRAINT_PERSISTENCE` frames in a row is the scene's (the white balance moved the
/// highlights: held, ×0.94 was asked for 25 frames): the least of those steps is made. A
/// step of at least `CONSTRAINT_SMALL`, or one the mean decides, ends this.
const CONSTRAINT_REVERSAL: f64 = 0.1;
const CONSTRAINT_SMALL: f64 = 0.25;
const CONSTRAINT_PERSISTENCE: u32 = 6;

impl Agc {
    pub fn from_tuning(p: &Params, hw: HwRevision) -> Result<Self, TuningError> {
        p.warn_unknown(&["AeMeteringMode", "AeConstraintMode", "AeExposureMode", "relativeLuminanceTarget", "backlightRatio"]);
        let n_weights = hw.hist_weights();
        let mut metering = Vec::new();
        if let Some(v) = p.get("AeMeteringMode") {
            let m = v.as_mapping().ok_or_else(|| p.error("AeMeteringMode", "expected a mapping"))?;
            for (k, v) in m {
                let name = k.as_str().unwrap_or("");
                let Some(id) = enums::metering(name) else {
                    log::warn!("{}", p.error("AeMeteringMode", format!("unknown metering mode '{name}' skipped")));
                    continue;
                };
                let w = p.list_f64(&format!("AeMeteringMode.{name}"), v, None, 0.0, 63.0)?;
                if w.len() != n_weights {
                    // libcamera skips modes whose size does not fit this ISP revision.
                    log::warn!("{}", p.error(&format!("AeMeteringMode.{name}"), format!("{} weights, this ISP needs {n_weights}; mode skipped", w.len())));
                    continue;
                }
                metering.push((id, w.iter().map(|x| *x as u8).collect()));
            }
        }
        if metering.is_empty() {
            metering.push((enums::METERING_MATRIX, vec![1; n_weights]));
        }
        let mut constraints = Vec::new();
        if let Some(v) = p.get("AeConstraintMode") {
            let m = v.as_mapping().ok_or_else(|| p.error("AeConstraintMode", "expected a mapping"))?;
            for (k, v) in m {
                let name = k.as_str().unwrap_or("");
                let Some(id) = enums::constraint(name) else {
                    log::warn!("{}", p.error("AeConstraintMode", format!("unknown constraint mode '{name}' skipped")));
                    continue;
                };
                let mm = v.as_mapping().ok_or_else(|| p.error(&format!("AeConstraintMode.{name}"), "expected a mapping"))?;
                let mut list = Vec::new();
                for (bound, upper) in [("lower", false), ("upper", true)] {
                    let Some(c) = mm.get(bound) else { continue };
                    let key = format!("AeConstraintMode.{name}.{bound}");
                    let cm = c.as_mapping().ok_or_else(|| p.error(&key, "expected a mapping"))?;
                    let q_lo = cm.get("qLo").map(|v| p.value_f64(&format!("{key}.qLo"), v, 0.0, 1.0)).transpose()?.unwrap_or(0.98);
                    let q_hi = cm.get("qHi").map(|v| p.value_f64(&format!("{key}.qHi"), v, 0.0, 1.0)).transpose()?.unwrap_or(1.0);
                    if q_lo >= q_hi {
                        return Err(p.error(&key, format!("qLo {q_lo} must be below qHi {q_hi}")));
                    }
                    let yt = cm.get("yTarget").ok_or_else(|| p.error(&format!("{key}.yTarget"), "missing"))?;
                    let y_target = parse_pwl(p, &format!("{key}.yTarget"), yt, 0.0, 1.0)?;
                    list.push(Constraint { upper, q_lo, q_hi, y_target });
                }
                constraints.push((id, list));
            }
        }
        if constraints.is_empty() {
            constraints.push((enums::CONSTRAINT_NORMAL, vec![Constraint { upper: false, q_lo: 0.98, q_hi: 1.0, y_target: Pwl::constant(0.5) }]));
        }
        let mut exposure_modes = Vec::new();
        if let Some(v) = p.get("AeExposureMode") {
            let m = v.as_mapping().ok_or_else(|| p.error("AeExposureMode", "expected a mapping"))?;
            for (k, v) in m {
                let name = k.as_str().unwrap_or("");
                let Some(id) = enums::exposure(name) else {
                    log::warn!("{}", p.error("AeExposureMode", format!("unknown exposure mode '{name}' skipped")));
                    continue;
                };
                let key = format!("AeExposureMode.{name}");
                let mm = v.as_mapping().ok_or_else(|| p.error(&key, "expected a mapping"))?;
                let t = mm.get("exposureTime").ok_or_else(|| p.error(&format!("{key}.exposureTime"), "missing"))?;
                let g = mm.get("gain").ok_or_else(|| p.error(&format!("{key}.gain"), "missing"))?;
                let t = p.list_f64(&format!("{key}.exposureTime"), t, None, 1.0, 1e8)?;
                let g = p.list_f64(&format!("{key}.gain"), g, Some(t.len()), 1.0, 1024.0)?;
                if t.windows(2).any(|w| w[1] < w[0]) || g.windows(2).any(|w| w[1] < w[0]) {
                    return Err(p.error(&key, "exposureTime and gain stages must not decrease"));
                }
                exposure_modes.push((id, t.into_iter().zip(g).collect()));
            }
        }
        if exposure_modes.is_empty() {
            // Tuning files without exposure modes get a viewfinder-friendly default.
            exposure_modes = default_exposure_modes();
        }
        let target = match p.get("relativeLuminanceTarget") {
            Some(v) => parse_pwl(p, "relativeLuminanceTarget", v, 0.0, 1.0)?,
            None => Pwl::constant(DEFAULT_TARGET),
        };
        // Our extension: cells brighter than this multiple of the median cell are limited
        // to it (backlight compensation). 0 disables.
        let backlight_ratio = p.f64_in("backlightRatio", 4.0, 0.0, 1000.0)?;
        Ok(Agc {
            metering_mode: metering[0].0,
            constraint_mode: constraints[0].0,
            exposure_mode: exposure_modes[0].0,
            metering,
            constraints,
            exposure_modes,
            target,
            backlight_ratio,
            ev: 0.0,
            auto_exposure: true,
            auto_gain: true,
            manual_exposure_us: None,
            manual_gain: None,
            frame_duration_us: (0.0, f64::MAX),
            flicker_period_us: None,
            flicker_mode: enums::FLICKER_OFF,
            current: ExposureDecision { exposure_lines: 0, gain: 1.0, vblank: 0 },
            measurement_written: false,
            reference: None,
            boost_reference: None,
            held_frames: 0,
            dip: None,
            dips: 0,
            startup_over: false,
            held_once: false,
            frames_processed: 0,
            last_dip_frame: None,
            constraint_step_up: None,
            step_back: (0, 1.0),
        })
    }

    /// Publish the newest decision and the request state behind it: into the frame being
    /// prepared, and into the template for frames queued later.
    fn publish(&self, status: &mut AgcStatus) {
        *status = AgcStatus {
            decision: self.current,
            auto_exposure: self.auto_exposure,
            auto_gain: self.auto_gain,
            exposure_value: self.ev,
            metering_mode: self.metering_mode,
            constraint_mode: self.constraint_mode,
            exposure_mode: self.exposure_mode,
            flicker_mode: self.flicker_mode,
        };
    }

    /// The mean luminance (0..1) to aim for in a scene of `lux`, with the exposure value.
    fn luminance_target(&self, lux: f64) -> f64 {
        (self.target.eval(lux) * 2f64.powf(self.ev)).min(0.95)
    }

    fn weights(&self) -> &[u8] {
        self.metering.iter().find(|(id, _)| *id == self.metering_mode).map(|(_, w)| w.as_slice()).unwrap_or(&self.metering[0].1)
    }

    fn stages(&self) -> &[(f64, f64)] {
        self.exposure_modes.iter().find(|(id, _)| *id == self.exposure_mode).map(|(_, s)| s.as_slice()).unwrap_or(&[])
    }

    /// `k` held by the active constraints, in tuning order, for the distribution `cdf`:
    /// upper-bound ones lower it when `upper`, lower-bound ones raise it when `lower`.
    /// The constraints' targets are evaluated at the scene's `lux`.
    ///
    /// A lower-bound one whose quantile range is partly clipped reads too low a mean and
    /// asks too much: it raises `k` no further than `clipped_cap`.
    fn constrain(&self, k: f64, cdf: &[f64], upper: bool, lower: bool, lux: f64, clipped_cap: f64) -> f64 {
        let top = cdf.len().checked_sub(2).map_or(0.0, |i| 1.0 - cdf[i]);
        self.active_constraints().iter().fold(k, |k, con| {
            let kc = con.y_target.eval(lux) / inter_quantile_mean(cdf, con.q_lo, con.q_hi).max(1.0 / 255.0);
            match con.upper {
                true if upper => k.min(kc),
                false if lower && top > RANGE_CLIPPED * (con.q_hi - con.q_lo) => k.max(kc.min(clipped_cap)),
                false if lower => k.max(kc),
                _ => k,
            }
        })
    }

    fn active_constraints(&self) -> &[Constraint] {
        self.constraints.iter().find(|(id, _)| *id == self.constraint_mode).map(|(_, c)| c.as_slice()).unwrap_or(&[])
    }

    /// Exposure-time limits (µs) from the sensor and FrameDurationLimits.
    fn exposure_limits(&self, s: &Session) -> (f64, f64) {
        let t = &s.timing;
        let max_fd = self.frame_duration_us.1.clamp(t.min_frame_duration_us(), t.max_frame_duration_us());
        let vblank = t.vblank_for_frame_duration(max_fd);
        let max_lines = t.max_exposure_lines(vblank);
        (t.lines_to_us(t.exposure_min_lines), t.lines_to_us(max_lines))
    }

    /// Longest exposure time (µs) the exposure mode allows: its last stage, or longer when
    /// the application's FrameDurationLimits ask for longer frames; never beyond what the
    /// application's (or the sensor's) longest frame allows.
    fn exposure_cap(&self, s: &Session, t_max: f64) -> f64 {
        let Some(&(mode_cap, _)) = self.stages().last() else {
            return t_max;
        };
        let t = &s.timing;
        let app_min_frame = t.lines_to_us(t.max_exposure_lines(t.vblank_for_frame_duration(self.frame_duration_us.0)));
        // The mode's time is the longest *frame*: whole lines, less the exposure margin.
        let mode_lines = ((mode_cap / t.line_duration_us).floor() as u32).saturating_sub(t.exposure_margin);
        t.lines_to_us(mode_lines).max(app_min_frame).min(t_max)
    }

    /// Split a total exposure (µs × gain) into exposure time and gain.
    fn split(&self, s: &Session, total: f64) -> ExposureDecision {
        let (t_min, t_max) = self.exposure_limits(s);
        let t_max = self.exposure_cap(s, t_max).max(t_min);
        let (g_min, g_max) = (s.min_gain, s.max_gain);
        let fixed_t = (!self.auto_exposure).then(|| self.manual_exposure_us.unwrap_or(s.timing.lines_to_us(self.current.exposure_lines)));
        let fixed_g = (!self.auto_gain).then(|| self.manual_gain.unwrap_or(self.current.gain));
        let (mut t, mut g) = match (fixed_t, fixed_g) {
            (Some(t), Some(g)) => (t, g),
            (Some(t), None) => (t, total / t.max(1.0)),
            (None, Some(g)) => (total / g.max(1e-3), g),
            (None, None) => {
                // Walk the stages: raise time at the previous gain, then gain at this time.
                let mut t = t_min;
                let mut g = g_min;
                let mut done = false;
                for &(st, sg) in self.stages() {
                    let st = st.clamp(t_min, t_max);
                    let sg = sg.clamp(g_min, g_max);
                    if total <= st * g {
                        t = total / g;
                        done = true;
                        break;
                    }
                    t = st;
                    if total <= st * sg {
                        g = total / st;
                        done = true;
                        break;
                    }
                    g = sg;
                }
                if !done {
                    if self.stages().is_empty() {
                        // No stages: time first, up to the longest frame, then gain.
                        if total <= t_max * g {
                            t = (total / g).max(t);
                        } else {
                            t = t_max;
                            g = total / t_max;
                        }
                    } else if total <= t * g_max {
                        // Past the last stage: gain up to the sensor's maximum at the
                        // mode's longest exposure, then time (up to the cap).
                        g = total / t;
                    } else {
                        g = g_max;
                        t = (total / g_max).min(t_max);
                    }
                }
                (t, g)
            }
        };
        t = t.clamp(t_min, t_max);
        if let (Some(p), true) = (self.flicker_period_us, self.auto_exposure) {
            // Whole mains periods keep banding away; the remainder goes to gain.
            if t >= p {
                let whole = (t / p).floor() * p;
                if fixed_g.is_none() {
                    g *= t / whole;
                }
                t = whole;
            }
        }
        let lines = s.timing.us_to_lines(t).max(s.timing.exposure_min_lines);
        if fixed_g.is_none() {
            // The part lost to whole lines is made up by gain.
            g *= t / s.timing.lines_to_us(lines);
        }
        let g = g.clamp(g_min, g_max);
        let frame_us = (s.timing.lines_to_us(lines + s.timing.exposure_margin))
            .max(self.frame_duration_us.0)
            .min(self.frame_duration_us.1.max(s.timing.min_frame_duration_us()));
        let vblank = s.timing.vblank_for_frame_duration(frame_us);
        ExposureDecision { exposure_lines: lines, gain: g, vblank }
    }

    fn forget_dips(&mut self) {
        self.held_frames = 0;
        self.dip = None;
        self.dips = 0;
        self.startup_over = false;
        self.held_once = false;
        self.frames_processed = 0;
        self.last_dip_frame = None;
        self.constraint_step_up = None;
        self.step_back = (0, 1.0);
    }

    /// Exposure time × analogue gain of a decision (µs).
    fn total(s: &Session, d: &ExposureDecision) -> f64 {
        Self::exposure_product(s, d.exposure_lines, d.gain)
    }

    /// Exposure time × analogue gain (µs) of `lines` at `gain`.
    fn exposure_product(s: &Session, lines: u32, gain: f64) -> f64 {
        s.timing.lines_to_us(lines) * gain
    }

    /// Turn the correction `k` of a frame exposed at `applied` into the next decision, with
    /// the black-level dip. `constraint_bound`: the histogram (a constraint or the clipped
    /// estimates), not the mean, decided `k`.
    fn command(&mut self, s: &Session, fc: &FrameContext, applied: f64, k: f64, constraint_bound: bool) {
        let dip = self.dip.filter(|d| fc.frame <= d.frame + DIP_FRAMES);
        self.dip = dip;
        let in_dip = dip.is_some_and(|d| fc.frame > d.frame && (applied / d.total - 1.0).abs() <= DIP_MATCH);
        let pending = dip.is_some_and(|d| !d.seen);
        self.frames_processed = self.frames_processed.saturating_add(1);
        let started = self.held_once || self.frames_processed > DIP_STARTUP_FRAMES;
        if !in_dip && started && k.ln().abs() > (1.0 + DIP_SCENE_CHANGE).ln() {
            self.startup_over = true;
        }
        if let (true, Some(d)) = (in_dip, dip) {
            self.dip = Some(Dip { seen: true, ..d });
            self.held_frames = 0;
            // The frame is as dark as the dip made it: the held exposure comes back. (The
            // dead-beat answer to it fell short where cells clip at white, which do not
            // scale: three rounds to restore a scene with a bright sky; such cells make a
            // dip frame read up to 20% brighter than the exposure explains.) A frame other
            // than that is a changed scene, answered as any frame.
            let at_held = k * d.total / Self::total(s, &d.held);
            if (1.0 - 2.0 * REFERENCE_HELD..=1.0 + REFERENCE_HELD).contains(&at_held) {
                self.current = d.held;
            } else {
                self.current = self.split(s, applied * k);
            }
            return;
        }
        if pending {
            // Frames exposed before the dip: the dip stands unless the scene changed.
            if (k - 1.0).abs() > REFERENCE_HELD {
                log::debug!("frame {}: the scene changed, the exposure dip is given up", fc.frame);
                self.dip = None;
                self.held_frames = 0;
                self.current = self.split(s, applied * k);
            }
            return;
        }
        // Inside the dead band the latest decision stands. (Re-issuing the measured
        // frame's exposure instead would replay stale values through the sensor delay
        // and start a limit cycle.)
        let small = constraint_bound && k.ln().abs() < CONSTRAINT_SMALL.ln_1p();
        let up = k > 1.0;
        let mut k = k;
        let mut step_back = small && (k - 1.0).abs() > DEAD_BAND && self.constraint_step_up == Some(!up) && k.ln().abs() < CONSTRAINT_REVERSAL.ln_1p();
        if step_back {
            let (frames, least) = self.step_back;
            let least = if frames == 0 || k.ln().abs() < least.ln().abs() { k } else { least };
            self.step_back = (frames + 1, least);
            if frames + 1 >= CONSTRAINT_PERSISTENCE {
                k = least;
                step_back = false;
            }
        }
        if !step_back {
            self.step_back = (0, 1.0);
        }
        if (k - 1.0).abs() > DEAD_BAND && !step_back {
            self.held_frames = 0;
            self.constraint_step_up = small.then_some(up);
            self.current = self.split(s, applied * k);
            return;
        }
        self.held_frames = self.held_frames.saturating_add(1);
        self.held_once |= self.held_frames >= DIP_HELD;
        let due = self.last_dip_frame.is_none_or(|f| fc.frame >= f + DIP_INTERVAL);
        let wanted = fc.blc.wants_pair && !fc.awb.converging && self.auto_exposure && self.auto_gain;
        if !(wanted && due && self.held_frames >= DIP_HELD && !self.startup_over && self.dips < DIP_TRIES) {
            return;
        }
        let now = Self::total(s, &self.current);
        let dipped = self.split(s, now * DIP_RATIO);
        let total = Self::total(s, &dipped);
        self.dips += 1;
        self.last_dip_frame = Some(fc.frame);
        if total * DIP_MIN_STEP > now {
            return;
        }
        log::debug!("frame {}: exposure dip ×{:.2} for the black-level measurement", fc.frame, total / now);
        let held = self.current;
        self.current = dipped;
        self.dip = Some(Dip { frame: fc.frame, total, held, seen: false });
    }

    /// Whether a lower constraint's quantile range on the frame `r` is partly clipped.
    fn reads_clipped_highlights(&self, r: &Reference) -> bool {
        self.active_constraints().iter().any(|con| !con.upper && r.top() > RANGE_CLIPPED * (con.q_hi - con.q_lo))
    }

    /// How far above the target the lower constraints held the frame `r` (1 when they did
    /// not raise it).
    fn constraint_boost(&self, target: f64, r: &Reference, lux: f64) -> f64 {
        let k = target / r.luminance.max(1e-6);
        // A constraint that read the reference's clipped highlights did not tell how far
        // above the target it held the scene: no boost from it.
        self.constrain(k, &r.cdf[..=r.bins], false, true, lux, k) / k
    }

    /// Weighted mean of the AE cells (0..1), with bright outliers limited.
    fn luminance(&self, cells: &[u8]) -> f64 {
        let w = self.weights();
        let n = cells.len().min(w.len());
        let mut sorted = [(0u8, 0u8); 81];
        for i in 0..n {
            sorted[i] = (cells[i], w[i]);
        }
        let sorted = &mut sorted[..n];
        sorted.sort_unstable();
        let total_w: u32 = sorted.iter().map(|(_, w)| *w as u32).sum();
        if total_w == 0 {
            return 0.0;
        }
        let mut acc = 0;
        let mut median = 0.0;
        for (c, w) in sorted.iter() {
            acc += *w as u32;
            if 2 * acc >= total_w {
                median = *c as f64;
                break;
            }
        }
        let cap = if self.backlight_ratio > 0.0 { (median * self.backlight_ratio).max(1.0) } else { f64::MAX };
        let sum: f64 = (0..n).map(|i| (cells[i] as f64).min(cap) * w[i] as f64).sum();
        sum / total_w as f64 / 255.0
    }
}

/// Cumulative distribution of a histogram at the bin edges, normalised to 1.
fn cdf(bins: &[u32], out: &mut [f64; 33]) -> f64 {
    let total: f64 = bins.iter().map(|b| *b as f64).sum();
    out[0] = 0.0;
    let mut acc = 0.0;
    for (i, b) in bins.iter().enumerate() {
        acc += *b as f64;
        out[i + 1] = if total > 0.0 { acc / total } else { 0.0 };
    }
    total
}

/// Value (0..1) at which a CDF reaches `q`, interpolating linearly inside bins.
#[cfg(test)]
fn quantile(cdf: &[f64], q: f64) -> f64 {
    quantile_from(cdf, q, 0).0
}

/// [`quantile`], searching from bin `start`: the same result when no bin before `start`
/// reaches `q` (as for a larger q than the one that found `start`). Also returns the bin.
fn quantile_from(cdf: &[f64], q: f64, start: usize) -> (f64, usize) {
    let bins = cdf.len() - 1;
    for i in start..bins {
        if cdf[i + 1] >= q {
            let span = cdf[i + 1] - cdf[i];
            let frac = if span > 0.0 { (q - cdf[i]) / span } else { 0.0 };
            return ((i as f64 + frac.clamp(0.0, 1.0)) / bins as f64, i);
        }
    }
    (1.0, bins)
}

/// Mean value (0..1) of the samples between quantiles lo and hi.
fn inter_quantile_mean(cdf: &[f64], lo: f64, hi: f64) -> f64 {
    let steps = 16;
    let mut sum = 0.0;
    // The quantiles rise with i (for hi >= lo): each search goes on from the bin where the
    // previous one stopped, one pass over the CDF instead of one per quantile.
    let mut bin = 0;
    for i in 0..steps {
        let q = lo + (hi - lo) * (i as f64 + 0.5) / steps as f64;
        let (v, found) = quantile_from(cdf, q, if hi >= lo { bin } else { 0 });
        sum += v;
        bin = found;
    }
    sum / steps as f64
}

impl Algorithm for Agc {
    fn name(&self) -> &'static str {
        "Agc"
    }

    fn contract(&self) -> &'static [Access] {
        use Access::*;
        &[
            Write(Phase::Prepare, StatusId::Agc),
            Read(Phase::Process, StatusId::Agc),
            Read(Phase::Process, StatusId::Blc),
            Read(Phase::Process, StatusId::Awb),
            ReadPrevious(StatusId::Lux),
            WriteNext(StatusId::Agc),
        ]
    }

    fn configure(&mut self, s: &Session) {
        self.frame_duration_us = (s.timing.min_frame_duration_us(), s.timing.max_frame_duration_us());
        self.current = ExposureDecision { exposure_lines: 0, gain: s.min_gain, vblank: s.controls.vblank.min as u32 };
        self.current = self.split(s, INITIAL_EXPOSURE_US * s.min_gain);
        self.measurement_written = false;
        self.reference = None;
        self.boost_reference = None;
        self.forget_dips();
    }

    fn controls(&self, s: &Session, out: &mut Vec<ControlInfo>) {
        let (t_min, _) = self.exposure_limits(s);
        let t_max = s.timing.lines_to_us(s.timing.max_exposure_lines(s.controls.vblank.max as u32));
        let menu = |v: Vec<i32>| ControlValue::Menu(v);
        out.push(ControlInfo::new(ControlId::AeEnable, ControlValue::Bool(false), ControlValue::Bool(true), ControlValue::Bool(true)));
        out.push(ControlInfo::new(ControlId::ExposureTimeMode, ControlValue::I32(0), ControlValue::I32(1), ControlValue::I32(0)));
        out.push(ControlInfo::new(ControlId::AnalogueGainMode, ControlValue::I32(0), ControlValue::I32(1), ControlValue::I32(0)));
        out.push(ControlInfo::new(
            ControlId::ExposureTime,
            ControlValue::I32(t_min.round() as i32),
            ControlValue::I32(t_max.round() as i32),
            ControlValue::I32(INITIAL_EXPOSURE_US as i32),
        ));
        out.push(ControlInfo::new(
            ControlId::AnalogueGain,
            ControlValue::F32(s.min_gain as f32),
            ControlValue::F32(s.max_gain as f32),
            ControlValue::F32(s.min_gain as f32),
        ));
        out.push(ControlInfo::new(ControlId::ExposureValue, ControlValue::F32(-8.0), ControlValue::F32(8.0), ControlValue::F32(0.0)));
        fn ids<T>(v: &[(i32, T)]) -> Vec<i32> {
            v.iter().map(|(id, _)| *id).collect()
        }
        out.push(ControlInfo::new(ControlId::AeMeteringMode, menu(ids(&self.metering)), menu(vec![]), ControlValue::I32(self.metering[0].0)));
        out.push(ControlInfo::new(ControlId::AeConstraintMode, menu(ids(&self.constraints)), menu(vec![]), ControlValue::I32(self.constraints[0].0)));
        out.push(ControlInfo::new(ControlId::AeExposureMode, menu(ids(&self.exposure_modes)), menu(vec![]), ControlValue::I32(self.exposure_modes[0].0)));
        out.push(ControlInfo::new(
            ControlId::AeFlickerMode,
            menu(vec![enums::FLICKER_OFF, enums::FLICKER_MANUAL]),
            menu(vec![]),
            ControlValue::I32(enums::FLICKER_OFF),
        ));
        out.push(ControlInfo::new(ControlId::AeFlickerPeriod, ControlValue::I32(100), ControlValue::I32(1_000_000), ControlValue::I32(10_000)));
    }

    fn start(&mut self) {
        self.measurement_written = false;
        self.forget_dips();
    }

    fn queue_request(&mut self, s: &Session, _fc: &mut FrameContext, c: &RequestControls) {
        if let Some(on) = c.ae_enable {
            if c.exposure_time_mode.is_none() {
                self.auto_exposure = on;
            }
            if c.analogue_gain_mode.is_none() {
                self.auto_gain = on;
            }
        }
        if let Some(m) = c.exposure_time_mode {
            self.auto_exposure = m == AutoMode::Auto;
            if !self.auto_exposure && self.manual_exposure_us.is_none() {
                // Auto → manual without a value keeps the last auto value.
                self.manual_exposure_us = Some(s.timing.lines_to_us(self.current.exposure_lines));
            }
        }
        if let Some(m) = c.analogue_gain_mode {
            self.auto_gain = m == AutoMode::Auto;
            if !self.auto_gain && self.manual_gain.is_none() {
                self.manual_gain = Some(self.current.gain);
            }
        }
        if let Some(t) = c.exposure_time {
            if t > 0 {
                self.manual_exposure_us = Some(t as f64);
            } else {
                log::warn!("ExposureTime {t} ignored");
            }
        }
        if let Some(g) = c.analogue_gain {
            if g.is_finite() && g > 0.0 {
                self.manual_gain = Some((g as f64).clamp(s.min_gain, s.max_gain));
            } else {
                log::warn!("AnalogueGain {g} ignored");
            }
        }
        if let Some(ev) = c.exposure_value {
            if ev.is_finite() {
                self.ev = (ev as f64).clamp(-8.0, 8.0);
            }
        }
        if let Some(m) = c.ae_metering_mode {
            if self.metering.iter().any(|(id, _)| *id == m) {
                if m != self.metering_mode {
                    self.measurement_written = false;
                }
                self.metering_mode = m;
            } else {
                log::warn!("AeMeteringMode {m} not defined by the tuning, ignored");
            }
        }
        if let Some(m) = c.ae_constraint_mode {
            if self.constraints.iter().any(|(id, _)| *id == m) {
                self.constraint_mode = m;
            } else {
                log::warn!("AeConstraintMode {m} not defined by the tuning, ignored");
            }
        }
        if let Some(m) = c.ae_exposure_mode {
            if self.exposure_modes.iter().any(|(id, _)| *id == m) {
                self.exposure_mode = m;
            } else {
                log::warn!("AeExposureMode {m} not defined by the tuning, ignored");
            }
        }
        if let Some([lo, hi]) = c.frame_duration_limits {
            let (min, max) = (s.timing.min_frame_duration_us(), s.timing.max_frame_duration_us());
            let lo = (lo as f64).clamp(min, max);
            let hi = (hi as f64).clamp(lo, max);
            self.frame_duration_us = (lo, hi);
        }
        if let Some(m) = c.ae_flicker_mode {
            self.flicker_mode = m;
            if m == enums::FLICKER_OFF {
                self.flicker_period_us = None;
            }
        }
        if let Some(p) = c.ae_flicker_period {
            if p > 0 {
                self.flicker_period_us = Some(p as f64);
            }
        }
        if c.ae_flicker_mode == Some(enums::FLICKER_MANUAL) && self.flicker_period_us.is_none() {
            self.flicker_period_us = Some(10_000.0);
        }
        // Manual values take effect now; auto values come from process().
        if !self.auto_exposure || !self.auto_gain {
            let total = s.timing.lines_to_us(self.current.exposure_lines.max(1)) * self.current.gain;
            self.current = self.split(s, total);
        }
    }

    fn prepare(&mut self, s: &Session, fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        self.publish(&mut fc.agc);
        if self.measurement_written {
            return Ok(());
        }
        let window = Window { h_offs: 0, v_offs: 0, h_size: s.info.width as u16, v_size: s.info.height as u16 };
        p.write(&Block::Aec(AecConfig { mode: consts::EXP_MEASURING_MODE_1, autostop: 0, window }), true)?;
        let mut weights = [0u8; 81];
        let w = self.weights();
        weights[..w.len()].copy_from_slice(w);
        // About 65536 samples per colour channel over the window.
        let pixels = s.info.width as f64 * s.info.height as f64 * 3.0;
        let predivider = (pixels / 65536.0).sqrt().ceil().clamp(3.0, 127.0) as u8;
        p.write(&Block::Hst(HstConfig { mode: consts::HISTOGRAM_MODE_RGB_COMBINED, predivider, window, weights }), true)?;
        self.measurement_written = true;
        Ok(())
    }

    fn process(&mut self, s: &Session, fc: &mut FrameContext, stats: Option<&Stats>, md: &mut Metadata, latest: &mut FrameContext, previous: &FrameContext) {
        let prepared = fc.agc.decision;
        let applied_lines = if fc.sensor.exposure_lines > 0 { fc.sensor.exposure_lines } else { prepared.exposure_lines };
        let applied_gain = if fc.sensor.gain > 0.0 { fc.sensor.gain } else { prepared.gain };
        let vblank = if fc.sensor.vblank > 0 { fc.sensor.vblank } else { prepared.vblank };
        md.exposure_time = Some(s.timing.lines_to_us(applied_lines).round() as i32);
        md.analogue_gain = Some(applied_gain as f32);
        md.frame_duration = Some(s.timing.frame_duration_us(vblank).round() as i64);
        md.exposure_time_mode = Some(if fc.agc.auto_exposure { AutoMode::Auto } else { AutoMode::Manual });
        md.analogue_gain_mode = Some(if fc.agc.auto_gain { AutoMode::Auto } else { AutoMode::Manual });
        md.exposure_value = Some(fc.agc.exposure_value as f32);
        md.ae_metering_mode = Some(fc.agc.metering_mode);
        md.ae_constraint_mode = Some(fc.agc.constraint_mode);
        md.ae_exposure_mode = Some(fc.agc.exposure_mode);
        md.ae_flicker_mode = Some(if self.flicker_period_us.is_some() { enums::FLICKER_MANUAL } else { enums::FLICKER_OFF });

        let applied = Self::exposure_product(s, applied_lines, applied_gain);
        let ae = stats.and_then(|st| st.ae);
        if let (Some(ae), true) = (ae, self.auto_exposure || self.auto_gain) {
            let y = self.luminance(ae.cells());
            let lux = scene_lux(previous);
            let target = self.luminance_target(lux);
            // The cell means are rounded to 8 bits: take the end of the rounding interval
            // that shortens the step, so a dark (few-count) frame cannot cause overshoot.
            let half_lsb = 0.5 / 255.0;
            let y_cons = if target > y { y + half_lsb } else { (y - half_lsb).max(half_lsb) };
            let mut k = target / y_cons;
            // A frame only a few 8-bit codes deep is uncertain by a whole code of the cell
            // means and by the black level's error: a module whose black level lies 16
            // codes below the tuned one read a −4 EV frame at a third of its level, and the
            // step landed 2× too bright. From such a frame the step takes the end of that
            // interval that shortens it (the next frame finishes it). Brighter frames keep
            // the plain ratio: the uncertainty is small there, and a shorter step would
            // only slow the AE.
            let uncertainty = 1.0 / 255.0 + BLACK_LEVEL_ERROR * fc.blc.black_level_12bit.max(0.0) / 4095.0;
            if target > y && y < DEEP_FRAME * uncertainty {
                k = k.min(target / (y + uncertainty)).max(1.0);
            }
            let mean_k = k;
            // A frame the AE holds (near its target) shows the scene's own highlights.
            let held = (k - 1.0).abs() <= REFERENCE_HELD;
            if let Some(h) = stats.and_then(|st| st.hist) {
                let mut c = [0.0; 33];
                let bins = h.len;
                if cdf(h.bins(), &mut c) > 0.0 {
                    let top = 1.0 - c[bins - 1];
                    let clipped = top > CLIPPED_FRACTION;
                    let reference = self.reference.filter(|r| r.bins == bins);
                    // How far above the target the lower constraints held the reference.
                    let boost = reference.map(|r| self.constraint_boost(target, &r, lux));
                    // Lower constraints that read clipped highlights raise the step no
                    // further than they held the reference above the target (a +4 EV step
                    // landed 10% above the level it then settled at).
                    // The boost comes from the last reference whose own lower constraints read
                    // no clipped highlights: one that did would not tell how far above the
                    // target they hold the scene. (Capped at the mean's step, the frames after
                    // such a reference asked ×0.60 where the frame before them had asked the
                    // ×0.67 the AE then settled at: an 11% undershoot after a +4 EV step.)
                    let clipped_cap = self.boost_reference.filter(|r| r.bins == bins).map_or(f64::INFINITY, |r| k * self.constraint_boost(target, &r, lux));
                    // Clipped frames under-report the shadows' level too: only upper bounds.
                    k = self.constrain(k, &c[..=bins], true, !clipped, lux, clipped_cap);
                    // Clipped beyond the highlights the scene had on its reference frame.
                    let newly_clipped = clipped && reference.is_none_or(|r| top > r.top() + CLIPPED_FRACTION);
                    if newly_clipped {
                        // The level the lower constraints asked above the target on the
                        // reference frame is asked of this scene too: without it the step
                        // lands on the target and the constraints raise it again (a 20-30%
                        // undershoot after a +4 EV step into clipping). Cells left below the
                        // clip measure the change exactly against the reference; the
                        // histogram only bounds it.
                        let from_cells = reference.zip(boost).and_then(|(r, b)| {
                            let ratio = brightness_change(r.cells(), ae.cells())?;
                            let correction = (target / (r.luminance * ratio).max(1e-6)).min(target / y.max(1e-6));
                            Some(correction * b)
                        });
                        // The histogram's estimate is cautious by up to a bin; the clipped
                        // cells bound the change from below too, and the larger of two
                        // lower bounds is still one.
                        let from_histogram = || {
                            reference.zip(boost).map(|(r, b)| {
                                let mut correction = clipped_correction(&r, &c[..=bins], target, y);
                                if let Some(at_least) = clipped_brightness_bound(r.cells(), ae.cells()) {
                                    correction = correction.min(target / (r.luminance * at_least).max(1e-6));
                                }
                                correction * b
                            })
                        };
                        if let (Some(correction), Some(b)) = (from_cells.or_else(from_histogram), boost) {
                            // The mean's own step left the lower constraints out (they cannot be
                            // read from a clipped frame): it is bounded with the reference's
                            // boost too, else it would undercut the correction and land on the
                            // bare target (a 12% undershoot, then a second step). The upper
                            // constraints still hold.
                            let mean_step = k * b;
                            k = self.constrain(mean_step.min(correction), &c[..=bins], true, false, lux, f64::INFINITY);
                        }
                    }
                    // A scene whose own highlights clip has no frame below CLIPPED_FRACTION:
                    // its frames the AE holds are the reference (else the reference stayed
                    // the first dark frame after start-up, for good).
                    if top <= REFERENCE_TOP && (!newly_clipped || held) {
                        let r = Reference::new(c, bins, y, ae.cells());
                        if !self.reads_clipped_highlights(&r) {
                            self.boost_reference = Some(r);
                        }
                        self.reference = Some(r);
                    }
                }
            }
            // Constraints (or the clipped estimates) decided the step, not the mean.
            let constraint_bound = (k / mean_k - 1.0).abs() > 1e-9;
            k = k.clamp(1.0 / MAX_STEP_UP, MAX_STEP_UP);
            log::debug!(
                "frame {}: AGC applied {applied_lines} lines × {applied_gain:.3}, luminance {y:.4} (target {target:.3}) -> ×{k:.3}{}",
                fc.frame,
                if constraint_bound { " (constraint)" } else { "" }
            );
            self.command(s, fc, applied, k, constraint_bound);
        }
        self.publish(&mut latest.agc);
    }
}

/// Whether a cell, `then` in the reference and `now`, can measure a change of brightness:
/// bright enough then to be read to a few percent, far enough below the clip now.
fn measurable(then: u8, now: u8) -> bool {
    (CELL_MIN_REFERENCE..=CELL_UNCLIPPED).contains(&then) && (1..=CELL_UNCLIPPED).contains(&now)
}

/// How much brighter (ratio) the cells `now` are than the reference's `then`, when the
/// scene only changed its brightness. A cell whose mean stays well below the clip may
/// still hold clipped pixels (a bright patch on a dark ground), which lowers its ratio and
/// never raises it: the estimate is the highest ratio that enough cells share, each within
/// its rounding. `None` when too few cells can tell, or when cells above that ratio or too
/// few sharing it show that the content changed: the histogram's estimate is used instead.
fn brightness_change(then: &[u8], now: &[u8]) -> Option<f64> {
    /// One cell that can tell: its means then and now, their ratio and how far rounding
    /// and noise may move that ratio.
    #[derive(Clone, Copy, Default)]
    struct CellRatio {
        then: f64,
        now: f64,
        ratio: f64,
        tolerance: f64,
    }
    let mut cells = [CellRatio::default(); consts::AE_MEAN_MAX];
    let mut n = 0;
    for (&a, &b) in then.iter().zip(now) {
        if measurable(a, b) {
            let (then, now) = (a as f64, b as f64);
            cells[n] = CellRatio { then, now, ratio: now / then, tolerance: 0.5 / then + 0.5 / now + CELL_NOISE };
            n += 1;
        }
    }
    let cells = &mut cells[..n];
    if n < MIN_AGREEING_CELLS {
        return None;
    }
    cells.sort_unstable_by(|x, y| y.ratio.total_cmp(&x.ratio));
    for (i, candidate) in cells.iter().enumerate() {
        let shares = |c: &CellRatio| (c.ratio / candidate.ratio - 1.0).abs() <= c.tolerance;
        let (mut sum_then, mut sum_now, mut kept) = (0.0, 0.0, 0);
        for c in cells.iter().filter(|c| shares(c)) {
            sum_then += c.then;
            sum_now += c.now;
            kept += 1;
        }
        let above = cells[..i].iter().filter(|c| !shares(c)).count();
        if above as f64 > ABOVE_SHARE * n as f64 {
            break;
        }
        if kept >= MIN_AGREEING_CELLS && kept as f64 >= AGREEING_SHARE * n as f64 {
            log::debug!("{kept} of {n} measurable AE cells agree on a brightness change of {:.3}", sum_now / sum_then);
            return Some(sum_now / sum_then);
        }
    }
    log::debug!("the {n} measurable AE cells agree on no brightness change");
    None
}

/// A lower bound of how much brighter (ratio) the cells `now` are than the reference's
/// `then`, when the scene only changed its brightness: clipping only lowers a cell's mean,
/// so each cell's ratio (less its rounding and noise) bounds the change from below, the
/// clipped cells included. The bound that `MIN_AGREEING_CELLS` cells reach, so that a cell
/// or two whose content changed (a lamp switched on) cannot set it; `None` when fewer cells
/// were bright enough then to tell.
fn clipped_brightness_bound(then: &[u8], now: &[u8]) -> Option<f64> {
    let mut bounds = [0.0; consts::AE_MEAN_MAX];
    let mut n = 0;
    for (&a, &b) in then.iter().zip(now) {
        if a >= CELL_MIN_REFERENCE {
            bounds[n] = (b as f64 - 0.5).max(0.0) / (a as f64 + 0.5) / (1.0 + CELL_NOISE);
            n += 1;
        }
    }
    if n < MIN_AGREEING_CELLS {
        return None;
    }
    let bounds = &mut bounds[..n];
    bounds.sort_unstable_by(|x, y| y.total_cmp(x));
    log::debug!("the AE cells bound the change of brightness from below at {:.3}", bounds[MIN_AGREEING_CELLS - 1]);
    Some(bounds[MIN_AGREEING_CELLS - 1])
}

/// Estimate the correction for a clipped frame by scaling the reference (unclipped)
/// distribution until its clipped fraction matches the observed one: the reference value
/// that now lands on the clip level tells how much brighter the scene is. Never claims the
/// frame is darker than measured (clipped pixels are at least at the clip level).
/// Where that reference value lies inside its bin, or on a flat stretch of the CDF (a
/// scene of uniform patches leaves empty bins), is unknown; we take the largest value
/// consistent with the histograms: the first bin edge where the reference CDF rises past
/// the unclipped fraction. The step may then fall short (the next frame finishes it) but
/// never overshoots.
fn clipped_correction(r: &Reference, cdf_now: &[f64], target: f64, y_now: f64) -> f64 {
    let bins = r.bins;
    let clipped_now = 1.0 - cdf_now[bins - 1];
    let p = 1.0 - clipped_now;
    // The margin absorbs small changes of the distribution since the reference (noise,
    // AWB gains moving R and B).
    let edge = (1..=bins).find(|&i| r.cdf[i] > p + CLIPPED_FRACTION).unwrap_or(bins);
    let v_ref = edge as f64 / bins as f64;
    let clip_edge = (bins - 1) as f64 / bins as f64;
    // Luminance the present frame would show without clipping.
    let y_unclipped = r.luminance * (clip_edge / v_ref);
    log::debug!("clipped {clipped_now:.3}: reference value at the clip {v_ref:.3}, luminance {:.4} -> {y_unclipped:.4}", r.luminance);
    (target / y_unclipped.max(1e-6)).min(target / y_now.max(1e-6))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agc(yaml: &str) -> Agc {
        let v: serde_norway::Value = serde_norway::from_str(yaml).unwrap();
        Agc::from_tuning(&Params::new("test.yaml", "Agc", &v).unwrap(), HwRevision::V10).unwrap()
    }

    /// A seeded xorshift generator for the random scenes of these tests.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// CDF at the bin edges of a histogram.
    fn cdf_of(bins: &[u32]) -> [f64; 33] {
        let mut c = [0.0; 33];
        cdf(bins, &mut c);
        c
    }

    #[test]
    fn quantiles_interpolate_inside_bins() {
        let c = cdf_of(&[1, 1, 1, 1]);
        let c = &c[..=4];
        assert_eq!(quantile(c, 0.0), 0.0);
        assert_eq!(quantile(c, 0.5), 0.5);
        assert_eq!(quantile(c, 0.125), 0.125);
        assert_eq!(quantile(c, 1.0), 1.0);
        // All samples in the second of four bins: every quantile lies inside it.
        let c = cdf_of(&[0, 8, 0, 0]);
        let c = &c[..=4];
        assert_eq!(quantile(c, 0.5), 0.375);
        assert!((0.25..=0.5).contains(&quantile(c, 0.01)));
    }

    #[test]
    fn the_inter_quantile_mean_is_the_mean_of_that_part_of_the_distribution() {
        let c = cdf_of(&[1, 1, 1, 1]);
        let c = &c[..=4];
        // Uniform on [0, 1]: the mean between quantiles lo and hi is their midpoint.
        assert!((inter_quantile_mean(c, 0.0, 1.0) - 0.5).abs() < 1e-12);
        assert!((inter_quantile_mean(c, 0.98, 1.0) - 0.99).abs() < 1e-12);
        assert!((inter_quantile_mean(c, 0.2, 0.4) - 0.3).abs() < 1e-12);
    }

    #[test]
    fn a_clipped_frame_is_corrected_from_the_reference_distribution() {
        // Reference: uniform over the 16 bins, mean luminance 0.25.
        let mut bins = [0u32; 16];
        bins.fill(100);
        let r = Reference::new(cdf_of(&bins), 16, 0.25, &[]);
        // Now half the pixels sit in the top bin: about the reference's median reached the
        // clip, so the scene is about (15/16) / (9/16) brighter than the reference.
        let mut now = [0u32; 16];
        now[..8].fill(100);
        now[15] = 800;
        let c = cdf_of(&now);
        // The first reference edge past the unclipped half (with the margin) is 9/16.
        let k = clipped_correction(&r, &c[..=16], 0.16, 0.3);
        let y_unclipped = 0.25 * (15.0 / 16.0) / (9.0 / 16.0);
        assert!((k - 0.16 / y_unclipped).abs() < 1e-9, "k {k}");
        // Never brighter than the measured (clipped) frame says.
        assert_eq!(clipped_correction(&r, &c[..=16], 0.16, 0.6), 0.16 / 0.6);
        // A frame clipped by less than the margin is taken at its measured level.
        let mut now = bins;
        now[15] += 1;
        let c = cdf_of(&now);
        assert!((clipped_correction(&r, &c[..=16], 0.16, 0.3) - 0.16 / 0.3).abs() < 1e-9);
    }

    #[test]
    fn cells_below_the_clip_measure_a_change_of_brightness() {
        // A seeded random scene of 25 cells, 4.7x brighter now: the cells that clip or were
        // too dark to tell are left out, the others give the ratio within their rounding.
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        for _ in 0..50 {
            let scale = 1.5 + (next() % 1000) as f64 / 100.0;
            let then: Vec<u8> = (0..25).map(|_| (next() % 120) as u8).collect();
            let now: Vec<u8> = then.iter().map(|&c| (c as f64 * scale).round().min(255.0) as u8).collect();
            match brightness_change(&then, &now) {
                Some(r) => assert!((r / scale - 1.0).abs() < 0.04, "scale {scale}: {r}"),
                None => {
                    let n_measurable = then.iter().zip(&now).filter(|(&a, &b)| measurable(a, b)).count();
                    assert!(n_measurable < MIN_AGREEING_CELLS, "scale {scale}: {n_measurable} measurable cells gave no ratio");
                }
            }
            // Another scene (the content changed): the ratios scatter and give no estimate.
            let other: Vec<u8> = (0..25).map(|_| (next() % 200) as u8).collect();
            assert_eq!(brightness_change(&then, &other), None, "scale {scale}");
        }
        // All cells clipped: nothing to measure.
        assert_eq!(brightness_change(&[40; 25], &[255; 25]), None);
    }

    #[test]
    fn clipped_cells_bound_a_change_of_brightness_from_below() {
        // Seeded random scenes of 25 cells, each cell a spread of pixel levels, scaled by
        // 2-20x and clipped per pixel: the bound never exceeds the true change.
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let mean = |px: &[f64]| px.iter().sum::<f64>() / px.len() as f64;
        for _ in 0..200 {
            let scale = 2.0 + (next() % 1800) as f64 / 100.0;
            let cells: Vec<Vec<f64>> = (0..25).map(|_| (0..16).map(|_| (next() % 160) as f64 + 1.0).collect()).collect();
            let then: Vec<u8> = cells.iter().map(|c| mean(c).round() as u8).collect();
            let now: Vec<u8> = cells.iter().map(|c| mean(&c.iter().map(|p| (p * scale).min(255.0)).collect::<Vec<_>>()).round() as u8).collect();
            let bound = clipped_brightness_bound(&then, &now).expect("25 cells bright enough to tell");
            assert!(bound <= scale, "scale {scale}: bound {bound}");
        }
        // Two cells whose content changed (dark then, a lamp now) cannot set the bound.
        let mut then = [100u8; 25];
        then[0] = 10;
        then[1] = 10;
        let mut now = [255u8; 25];
        now[2..].fill(200);
        let bound = clipped_brightness_bound(&then, &now).unwrap();
        assert!(bound < 2.1, "bound {bound}");
        // Too few cells bright enough then: no bound.
        assert_eq!(clipped_brightness_bound(&[4, 4, 4, 20, 20], &[255; 5]), None);
    }

    #[test]
    fn a_lower_constraint_reading_clipped_highlights_is_capped() {
        let a = agc("AeConstraintMode:
  ConstraintNormal:
    lower: { qLo: 0.98, qHi: 1.0, yTarget: [ 100, 0.5, 1000, 0.5 ] }
");
        // 99% of the frame in the fourth bin, 1% clipped in the top one: half of the top 2%
        // read as 1.0 whatever they are, so the constraint's step is only an upper bound.
        let mut bins = [0u32; 16];
        bins[3] = 990;
        bins[15] = 10;
        let c = cdf_of(&bins);
        let asked = 0.5 / inter_quantile_mean(&c[..=16], 0.98, 1.0);
        assert!(asked > 0.6);
        assert!((a.constrain(0.5, &c[..=16], false, true, UNKNOWN_LUX, f64::INFINITY) - asked).abs() < 1e-12);
        assert_eq!(a.constrain(0.5, &c[..=16], false, true, UNKNOWN_LUX, 0.6), 0.6);
        // The cap never lowers the step below where it came in.
        assert_eq!(a.constrain(0.5, &c[..=16], false, true, UNKNOWN_LUX, 0.4), 0.5);
        // Highlights below the clip: the constraint reads them and is not capped.
        bins[15] = 0;
        bins[14] = 10;
        let c = cdf_of(&bins);
        let asked = 0.5 / inter_quantile_mean(&c[..=16], 0.98, 1.0);
        assert!((a.constrain(0.5, &c[..=16], false, true, UNKNOWN_LUX, 0.6) - asked).abs() < 1e-12);
    }

    #[test]
    fn the_targets_follow_a_tuned_lux_curve() {
        let a = agc("relativeLuminanceTarget: [ 100, 0.1, 1000, 0.3 ]
AeConstraintMode:
  ConstraintNormal:
    lower: { qLo: 0.98, qHi: 1.0, yTarget: [ 100, 0.2, 1000, 0.6 ] }
");
        let mut previous = FrameContext::default();
        for (lux, target, y_target) in [(10.0, 0.1, 0.2), (550.0, 0.2, 0.4), (5000.0, 0.3, 0.6)] {
            previous.lux.lux = Some(lux);
            let lux = scene_lux(&previous);
            assert!((a.luminance_target(lux) - target).abs() < 1e-12, "{lux} lux");
            // The constraint's target: a frame whose top 2% sit at 0.1 is raised to it.
            let mut bins = [0u32; 16];
            bins[1] = 100;
            let c = cdf_of(&bins);
            let k = a.constrain(1.0, &c[..=16], false, true, lux, f64::INFINITY);
            let top = inter_quantile_mean(&c[..=16], 0.98, 1.0);
            assert!((k - y_target / top).abs() < 1e-9, "{lux} lux: k {k}");
        }
        // Without a lux estimate the curves are read at an ordinarily lit room's level.
        previous.lux.lux = None;
        assert_eq!(scene_lux(&previous), UNKNOWN_LUX);
        assert!((a.luminance_target(scene_lux(&previous)) - (0.1 + 0.2 * 300.0 / 900.0)).abs() < 1e-12);
    }
}
