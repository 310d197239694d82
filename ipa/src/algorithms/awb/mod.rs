//! Automatic white balance from the single hardware AWB mean.
//!
//! The hardware gives one mean per frame: Y, Cb, Cr of the pixels inside a window that
//! pass luma limits and a chroma limit, measured after the AWB gains and the colour
//! matrix. The measurement configuration can change every frame without touching the
//! picture, so each frame measures one of three things (undoing that frame's gains and
//! matrix, every mean is a camera-space colour):
//!
//! * **Zone** (`zone_table.rs`): the window walks over a 6×6 grid with the chroma gate
//!   open. The zones vote for a light along the tuning's colour-temperature locus; this
//!   finds the light from any starting point and saturated surfaces get no say.
//! * **Grey**: the whole window through a narrow chroma gate around neutral, relative to a
//!   sweeping luma floor. Once the gains are close only grey pixels pass, which refines
//!   the estimate to the greys themselves. Trusted only while it agrees with the zones.
//! * **World**: the whole window with the gate open (grey world). It detects a change of
//!   light in one frame: for a still scene every camera-space mean scales with the light,
//!   so the ratio to the world mean taken while locked *is* the change of light.
//!
//! Lock and re-acquisition. When the world mean moves and the next grey frame no longer
//! finds greys under the old gains, the light changed: the estimate and the zone table
//! move by the measured ratio at once (dead-beat, no rescan). When the greys are still
//! there, the scene changed and the gains stay. When grey frames keep failing with no
//! such explanation, or the zones disagree among themselves, AWB forgets everything and
//! re-acquires from scratch; without usable zones it follows the grey world projected
//! onto the locus band, never a stale estimate.
//!
//! Updates are dead-beat on the absolute estimate (no overshoot despite the 4-frame params
//! pipeline) and smoothed once close.

mod curve;
mod zone_table;

pub use curve::{CtCurve, Locus};
use zone_table::{Zone, ZoneTable};

use super::zones::{self, ZONES};
use super::Algorithm;
use crate::abi::{consts, AwbGainConfig, AwbMeasConfig, Block, ParamsError, ParamsWriter, Stats, Window};
use crate::context::{AwbMeasure, FrameContext, Session};
use crate::controls::{enums, ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use crate::fixed_point::to_unsigned_q;
use crate::tuning::{Params, TuningError};
use nalgebra::{Matrix3, Vector3};

pub struct Awb {
    curve: Option<CtCurve>,
    /// Largest distance (in r/g, b/g) allowed off the curve, so that off-locus lights
    /// (fluorescents) are still followed while colourful scenes are not.
    transverse: f64,
    modes: Vec<(i32, f64, f64)>,
    speed: f64,
    // Request state.
    auto: bool,
    mode: i32,
    manual_gains: Option<[f64; 2]>,
    // Algorithm state: gains as (r, b) with g = 1.
    gains: [f64; 2],
    ct: f64,
    table: ZoneTable,
    /// Measurements scheduled since start (the position in the schedule).
    scheduled: usize,
    /// Zone frames scheduled since the last (re)scan; the first `FIRST_SCAN` run back to back.
    scan: usize,
    /// Latest zone-table estimate (camera r/g, b/g), once enough zones are known.
    zone_estimate: Option<(f64, f64)>,
    /// Latest world mean (ln camera r/g, b/g, lens shading undone).
    world: Option<(f64, f64)>,
    /// World mean taken while locked, with the estimate (ln) of that moment: what a change
    /// of light is measured against.
    reference: Option<((f64, f64), (f64, f64))>,
    /// Luma (8-bit, above the offset) of the reference world mean, and whether the latest
    /// world mean was near it: while AE moves, pixels enter and leave the measured range
    /// and the near-grey gate's pass rates change, which says nothing about the light.
    reference_level: f64,
    exposure_settled: bool,
    /// Following a change of light: every world mean gives the new light directly (the
    /// first one, taken under the old gains, is biased by colours the matrix clipped).
    /// Counts frames since the change; ends when the near-grey gate locks again.
    tracking: Option<u32>,
    /// A moved world mean (ln ratio) waiting for the next grey frame to tell light from scene.
    pending: Option<(f64, f64)>,
    /// Grey frames that looked at a pending change (the decision is forced after two).
    pending_age: u8,
    /// Lower luma bound above the +16 offset for the near-grey gate (8-bit, linear).
    luma_floor: f64,
    /// Fraction of pixels the near-grey gate passed at each floor step while locked: a
    /// gate centred on the estimate always finds *some* pixels that look grey, so greys
    /// count as found only when about as many pass as before.
    locked_pass: [f64; FLOOR_STEPS],
    /// Luma floor (8-bit) of the brightest-surfaces measurement, from the histogram.
    bright_floor: f64,
    /// Whether the latest near-grey estimate was trusted (the lock).
    grey_trusted: bool,
    /// Consecutive grey frames that found no greys where the estimate expects them.
    misses: u8,
    /// Consecutive re-measured zones that moved without a change of gains.
    zone_changes: u8,
    /// Frames processed since the last (re)scan started.
    since_rescan: u32,
    /// Frames in a row processed without a zone estimate.
    no_evidence: u32,
}

/// Zones scanned on consecutive frames after a (re)start, before the cycle begins.
const FIRST_SCAN: usize = 12;
/// The repeating measurement cycle after the first scan: the world mean every fourth frame
/// bounds the time to notice a change of light.
const CYCLE: [Slot; 8] = [Slot::World, Slot::Grey, Slot::Zone, Slot::Grey, Slot::World, Slot::Grey, Slot::Bright, Slot::Grey];
/// Frames of the first scan that measure the brightest surfaces instead of a zone (once AE
/// has had time to settle).
const FIRST_SCAN_BRIGHT: [usize; 2] = [5, 10];
/// Quantile of the histogram above which pixels count as the brightest surfaces, the
/// chroma tolerance (relative to the level) that keeps strongly coloured ones out, and
/// the weight of the measurement in the vote (in zones).
const BRIGHT_QUANTILE: f64 = 0.97;
const BRIGHT_TOLERANCE: f64 = 0.4;
const BRIGHT_WEIGHT: f64 = 4.0;
/// The cycle while following a change of light.
const TRACKING_CYCLE: [Slot; 2] = [Slot::World, Slot::Grey];
/// Frames a change of light may be followed before the near-grey gate must have locked.
const TRACKING_FRAMES: u32 = 24;
/// Scan order: zone = (i × STRIDE) mod ZONES, so that any run of the scan covers the whole
/// frame evenly (coprime with ZONES).
const STRIDE: usize = 13;
/// Frames without any zone estimate (and no valid zone at all) before the grey world takes over.
const NO_EVIDENCE_FRAMES: u32 = 24;
/// Grey frames in a row that must miss before the lock counts as lost.
const MISSES_TO_REACQUIRE: u8 = 3;
/// A gains change (ln) that makes the zones stale enough to scan them all again; zones
/// re-measured under gains closer than this should read the same.
const RESCAN_CHANGE: f64 = 0.12;
/// Frames a (re)scan is given before it may be called again.
const RESCAN_COOLDOWN: u32 = 24;
/// A world-mean luma this far (ln) from the reference's: exposure in transition.
const LEVEL_CHANGE: f64 = 0.3;
/// A world-mean change (ln) that signals a change of light or scene.
const WORLD_CHANGE: f64 = 0.07;
/// A re-measured zone that moved this far (ln) without a change of gains: the scene or the
/// light changed.
const ZONE_CHANGED: f64 = 0.15;
/// Near-grey gate: chroma tolerance relative to the luma floor.
const GATE_TOLERANCE: f64 = 0.15;
/// The near-grey estimate must agree with the zone estimate this closely (ln units).
const TRUST: f64 = 0.08;
/// Fraction of the window's pixels that must pass the near-grey gate.
const MIN_PASS_FRACTION: f64 = 0.005;
/// Luma floor limits (8-bit above the +16 offset) and its place relative to the scene mean.
/// The floor sweeps from MIN to MAX and wraps, sampling the grey populations of the scene
/// level by level: the means are 8-bit (a 1-LSB chroma step is 2.5% of colour at level 40
/// but 0.6% at level 160), and the chroma window scales with the floor.
const LUMA_FLOOR_MIN: f64 = 12.0;
const LUMA_FLOOR_MAX: f64 = 180.0;
const LUMA_FLOOR_UP: f64 = 1.4;
const LUMA_FLOOR_MARGIN: f64 = 0.75;
/// Steps of the floor sweep (LUMA_FLOOR_MIN × LUMA_FLOOR_UP^k up to LUMA_FLOOR_MAX).
const FLOOR_STEPS: usize = 10;
/// Greys count as found when at least this fraction of the locked pass rate passes.
const PASS_KEPT: f64 = 0.4;
/// A mean whose smallest output channel is below this fraction of the largest is a
/// saturated colour (and likely clipped at zero by the matrix): never a grey.
const SATURATED: f64 = 0.08;
/// Zone and world pixels darker than this (Y, with the +16 offset) carry mostly noise.
const ZONE_MIN_Y: u8 = 20;
/// Zone level (8-bit, above the offset) from which a zone gets its full weight.
const ZONE_FULL_WEIGHT_LEVEL: f64 = 32.0;
/// Skip clipped highlights.
const MAX_Y: u8 = 235;
/// Estimates closer than this (ln gain) to the applied gains count as agreeing.
const AGREE: f64 = 0.03;

/// What one frame's AWB measurement looks at (the schedule's unit).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    Bright,
    Zone,
    Grey,
    World,
}

/// BT.601-style conversion the AWB unit uses (kernel-rkisp1.md §1.2), rows Y, Cb, Cr.
fn rgb_to_ycbcr() -> Matrix3<f64> {
    Matrix3::new(0.25, 0.5, 0.1094, -0.1406, -0.2969, 0.4375, 0.4375, -0.375, -0.0625)
}

/// Largest absolute component of a (ln r, ln b) difference.
fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).abs().max((a.1 - b.1).abs())
}

impl Awb {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&["algorithm", "colourGains", "AwbMode", "priors", "transversePos", "transverseNeg", "speed", "transverse"]);
        if let Some(a) = p.get("algorithm") {
            match a.as_str() {
                Some("grey") | Some("bayes") => {}
                _ => return Err(p.error("algorithm", "expected 'grey' or 'bayes'")),
            }
        }
        let mut curve = None;
        if let Some(v) = p.get("colourGains") {
            let list = v.as_sequence().ok_or_else(|| p.error("colourGains", "expected a list"))?;
            let mut pts = Vec::new();
            for (i, e) in list.iter().enumerate() {
                let key = format!("colourGains[{i}]");
                let m = e.as_mapping().ok_or_else(|| p.error(&key, "expected {ct, gains}"))?;
                let ct = m.get("ct").ok_or_else(|| p.error(&format!("{key}.ct"), "missing"))?;
                let ct = p.value_f64(&format!("{key}.ct"), ct, 1000.0, 40000.0)?;
                let g = m.get("gains").ok_or_else(|| p.error(&format!("{key}.gains"), "missing"))?;
                let g = p.list_f64(&format!("{key}.gains"), g, Some(2), 0.01, 16.0)?;
                pts.push((ct, 1.0 / g[0], 1.0 / g[1]));
            }
            curve = Some(CtCurve::new(pts).ok_or_else(|| p.error("colourGains", "need at least two points with distinct colour temperatures"))?);
        }
        // libcamera's bayes keys: transversePos/Neg; we use their larger value as the
        // symmetric off-curve allowance. Our default admits fluorescent lights.
        let tp = p.f64_in("transversePos", 0.0, 0.0, 1.0)?;
        let tn = p.f64_in("transverseNeg", 0.0, 0.0, 1.0)?;
        let transverse = p.f64_in("transverse", tp.max(tn).max(0.12), 0.0, 1.0)?;
        let mut modes = vec![
            (enums::AWB_AUTO, 2000.0, 10000.0),
            (enums::AWB_INCANDESCENT, 2000.0, 3300.0),
            (enums::AWB_TUNGSTEN, 2500.0, 3500.0),
            (enums::AWB_FLUORESCENT, 3500.0, 4500.0),
            (enums::AWB_INDOOR, 2500.0, 5000.0),
            (enums::AWB_DAYLIGHT, 5000.0, 6500.0),
            (enums::AWB_CLOUDY, 6500.0, 8000.0),
        ];
        if let Some(v) = p.get("AwbMode") {
            let m = v.as_mapping().ok_or_else(|| p.error("AwbMode", "expected a mapping"))?;
            for (k, v) in m {
                let name = k.as_str().unwrap_or("");
                let Some(id) = enums::awb_mode(name) else {
                    log::warn!("{}", p.error("AwbMode", format!("unknown mode '{name}' skipped")));
                    continue;
                };
                let key = format!("AwbMode.{name}");
                let mm = v.as_mapping().ok_or_else(|| p.error(&key, "expected {lo, hi}"))?;
                let lo = mm.get("lo").ok_or_else(|| p.error(&format!("{key}.lo"), "missing"))?;
                let hi = mm.get("hi").ok_or_else(|| p.error(&format!("{key}.hi"), "missing"))?;
                let lo = p.value_f64(&format!("{key}.lo"), lo, 1000.0, 40000.0)?;
                let hi = p.value_f64(&format!("{key}.hi"), hi, lo, 40000.0)?;
                modes.retain(|(i, _, _)| *i != id);
                modes.push((id, lo, hi));
            }
        }
        // Our extension: fraction of the way to the new estimate per frame.
        let speed = p.f64_in("speed", 0.5, 0.01, 1.0)?;
        let mut awb = Awb {
            curve,
            transverse,
            modes,
            speed,
            auto: true,
            mode: enums::AWB_AUTO,
            manual_gains: None,
            gains: [1.0, 1.0],
            ct: 5000.0,
            table: ZoneTable::default(),
            scheduled: 0,
            scan: 0,
            zone_estimate: None,
            world: None,
            reference: None,
            tracking: None,
            reference_level: 0.0,
            exposure_settled: true,
            pending: None,
            pending_age: 0,
            luma_floor: 40.0,
            locked_pass: [0.0; FLOOR_STEPS],
            bright_floor: 120.0,
            grey_trusted: false,
            misses: 0,
            zone_changes: 0,
            since_rescan: 0,
            no_evidence: 0,
        };
        awb.reset_state();
        Ok(awb)
    }

    /// Back to the initial guess (the middle of the usual range) with nothing known.
    fn reset_state(&mut self) {
        self.ct = 5000.0;
        self.gains = match &self.curve {
            Some(c) => {
                let (r, b) = c.white_point(self.ct);
                [1.0 / r, 1.0 / b]
            }
            None => [1.0, 1.0],
        };
        self.reacquire();
        self.scheduled = 0;
    }

    /// Forget the scene and the light: the zones, the references, the lock.
    fn reacquire(&mut self) {
        self.table.clear();
        self.zone_estimate = None;
        self.reference = None;
        self.world = None;
        self.tracking = None;
        self.locked_pass = [0.0; FLOOR_STEPS];
        self.rescan();
    }

    /// The scene changed: scan again, keeping the old zones at low weight until fresh
    /// ones replace them.
    fn rescan(&mut self) {
        self.table.age();
        self.since_rescan = 0;
        self.scan = 0;
        self.grey_trusted = false;
        self.misses = 0;
        self.pending = None;
        self.pending_age = 0;
    }

    fn locus(&self) -> Option<Locus<'_>> {
        let (lo, hi) = self.ct_range();
        self.curve.as_ref().map(|curve| Locus { curve, ct_lo: lo, ct_hi: hi, transverse: self.transverse })
    }

    /// The measurement of the frame being prepared: the first scan back to back (a world
    /// mean first, for a quick first guess), then the cycle.
    fn schedule(&mut self) -> AwbMeasure {
        let slot = if self.tracking.is_some() {
            TRACKING_CYCLE[self.scheduled % TRACKING_CYCLE.len()]
        } else if self.scan < FIRST_SCAN {
            match self.scheduled {
                0 => Slot::World,
                n if FIRST_SCAN_BRIGHT.contains(&n) => Slot::Bright,
                _ => Slot::Zone,
            }
        } else {
            CYCLE[self.scheduled % CYCLE.len()]
        };
        self.scheduled += 1;
        match slot {
            Slot::Zone => {
                let z = (self.scan * STRIDE % ZONES) as u8;
                self.scan += 1;
                AwbMeasure::Zone(z)
            }
            Slot::Grey => AwbMeasure::Grey,
            Slot::World => AwbMeasure::World,
            Slot::Bright => AwbMeasure::Bright,
        }
    }

    /// Window of a measurement in sensor-mode pixels.
    fn window(s: &Session, m: AwbMeasure) -> Window {
        let zone = match m {
            AwbMeasure::Zone(z) => Some(z as usize),
            _ => None,
        };
        let (x, y, w, h) = zones::zone_window(s.info.width, s.info.height, zone);
        Window { h_offs: x as u16, v_offs: y as u16, h_size: w as u16, v_size: h as u16 }
    }

    /// Camera-space colour (r/g, b/g) of an AWB mean, undoing the frame's matrix and gains.
    /// `None` when the mean is unusable: a channel near zero means the matrix pushed it
    /// below zero and the ISP clipped it (saturated colours), so it cannot be undone.
    fn camera_colour(fc: &FrameContext, y: u8, cb: u8, cr: u8) -> Option<(f64, f64)> {
        // The hardware's Y carries a +16 offset (kernel-rkisp1.md §1.2).
        let ycc = Vector3::new(y as f64 - 16.0, cb as f64 - 128.0, cr as f64 - 128.0);
        let rgb_out = rgb_to_ycbcr().try_inverse()? * ycc;
        if rgb_out.min() < (SATURATED * rgb_out.max()).max(1.0) {
            return None;
        }
        let off = Vector3::new(fc.ccm.offsets[0], fc.ccm.offsets[1], fc.ccm.offsets[2]);
        let rgb = fc.ccm.matrix.try_inverse()? * (rgb_out - off);
        let cam = [rgb[0] / fc.awb.gains[0].max(0.01), rgb[1] / fc.awb.gains[1].max(0.01), rgb[2] / fc.awb.gains[2].max(0.01)];
        if cam.iter().any(|c| !c.is_finite() || *c <= 0.05) {
            return None;
        }
        Some((cam[0] / cam[1], cam[2] / cam[1]))
    }

    fn ct_range(&self) -> (f64, f64) {
        let (lo, hi) = self.modes.iter().find(|m| m.0 == self.mode).map(|m| (m.1, m.2)).unwrap_or((2000.0, 10000.0));
        match &self.curve {
            Some(c) => {
                let (clo, chi) = c.range();
                (lo.max(clo).min(chi), hi.min(chi).max(clo))
            }
            None => (lo, hi),
        }
    }

    /// Correlated colour temperature of a camera-space white point without a curve:
    /// a rough estimate from the blue/red ratio (for metadata only).
    fn ct_without_curve(r: f64, b: f64) -> f64 {
        (5000.0 * (b / r.max(1e-3)).powf(0.9)).clamp(2000.0, 12000.0)
    }

    /// Turn an estimated camera-space grey (r/g, b/g) into gains and CT, keeping it in
    /// the locus band; also how far outside the band the grey was.
    fn target_from(&self, r: f64, b: f64) -> ([f64; 2], f64, f64) {
        match self.locus() {
            Some(l) => {
                let ((r, b), ct, outside) = l.constrain(r, b);
                ([1.0 / r, 1.0 / b], ct, outside)
            }
            None => ([1.0 / r, 1.0 / b], Self::ct_without_curve(r, b), 0.0),
        }
    }

    /// The camera-space grey the gains in use stand for, as ln (r/g, b/g).
    fn estimate_log(&self) -> (f64, f64) {
        (-self.gains[0].ln(), -self.gains[1].ln())
    }

    /// Mean lens-shading colour (ln) the blend gives the whole window.
    fn window_shading(s: &Session, fc: &FrameContext) -> (f64, f64) {
        match (&s.zone_shading, fc.lsc_blend) {
            (Some(sh), Some(bl)) => {
                let (mut r, mut b) = (0.0, 0.0);
                for z in 0..ZONES {
                    let c = sh.colour(bl, z);
                    r += c.0;
                    b += c.1;
                }
                (r / ZONES as f64, b / ZONES as f64)
            }
            _ => (0.0, 0.0),
        }
    }

    /// A zone measurement: store it, watch for zones that moved, vote.
    fn on_zone(&mut self, s: &Session, fc: &FrameContext, z: usize, colour: Option<(f64, f64)>, passed: f64, y: u8) {
        let g = fc.awb.gains[1].max(0.01);
        // Weight: how much of the zone is usable, times its precision: the means are 8-bit,
        // so a zone at level 20 carries 2.5% of quantisation in its colour.
        let level = (y as f64 - 16.0).max(0.0);
        let log_gains = ((fc.awb.gains[0] / g).ln(), (fc.awb.gains[2] / g).ln());
        // Back to before lens shading correction (what the zone is without this frame's tables).
        let lsc = match (&s.zone_shading, fc.lsc_blend) {
            (Some(sh), Some(bl)) => sh.colour(bl, z),
            _ => (0.0, 0.0),
        };
        // Scene brightness: the level relative to the exposure that produced it.
        let exposure = (fc.sensor.exposure_lines.max(1) as f64 * fc.sensor.gain.max(0.01)).max(1e-6);
        let new = match colour {
            Some((r, b)) if passed > 0.05 => Zone {
                log_r: r.ln() - lsc.0,
                log_b: b.ln() - lsc.1,
                log_y: (level.max(1.0) / exposure).ln(),
                weight: passed * (level / ZONE_FULL_WEIGHT_LEVEL).min(1.0).powi(2),
                valid: true,
                epoch: self.table.epoch,
                log_gains,
            },
            _ => Zone::default(),
        };
        // The same zone under about the same gains should read the same: if it moved, the
        // scene or the light changed.
        let old = self.table.get(z);
        if old.valid && new.valid && old.epoch == self.table.epoch {
            let same_gains = dist(old.log_gains, log_gains) < RESCAN_CHANGE;
            let moved = dist((old.log_r, old.log_b), (new.log_r, new.log_b)) > ZONE_CHANGED;
            if same_gains && moved {
                self.zone_changes = self.zone_changes.saturating_add(1);
            } else {
                self.zone_changes = 0;
            }
        }
        self.table.set(z, new);
        if self.zone_changes >= 2 {
            log::debug!("frame {}: zones changed under the same gains: rescanning", fc.frame);
            self.zone_changes = 0;
            self.rescan();
            self.table.set(z, Zone { epoch: self.table.epoch, ..new });
        }
        log::trace!("frame {}: zone {z}: {new:?} passed {passed:.2}", fc.frame);
        let shading = s.zone_shading.as_deref().filter(|_| fc.lsc_blend.is_some());
        let locus = self.locus();
        self.zone_estimate = self.table.vote(locus.as_ref(), (-self.estimate_log().0, -self.estimate_log().1), shading);
    }

    /// A brightest-surfaces measurement: one more voter in the zone table.
    fn on_bright(&mut self, s: &Session, fc: &FrameContext, colour: Option<(f64, f64)>, passed: f64, y: u8) {
        let level = (y as f64 - 16.0).max(0.0);
        let exposure = (fc.sensor.exposure_lines.max(1) as f64 * fc.sensor.gain.max(0.01)).max(1e-6);
        let lsc = Self::window_shading(s, fc);
        let g = fc.awb.gains[1].max(0.01);
        let entry = match colour {
            // A few hundred pixels are plenty: the mean is of the brightest surfaces only.
            Some((r, b)) if passed > 0.002 => Zone {
                log_r: r.ln() - lsc.0,
                log_b: b.ln() - lsc.1,
                log_y: (level.max(1.0) / exposure).ln(),
                weight: BRIGHT_WEIGHT * (level / ZONE_FULL_WEIGHT_LEVEL).min(1.0).powi(2),
                valid: true,
                epoch: self.table.epoch,
                log_gains: ((fc.awb.gains[0] / g).ln(), (fc.awb.gains[2] / g).ln()),
            },
            _ => Zone::default(),
        };
        log::trace!("frame {}: brightest surfaces (floor {:.0}): {entry:?} passed {passed:.4}", fc.frame, fc.awb.luma_floor);
        self.table.set(zone_table::BRIGHT, entry);
        let shading = s.zone_shading.as_deref().filter(|_| fc.lsc_blend.is_some());
        let locus = self.locus();
        let e = self.estimate_log();
        self.zone_estimate = self.table.vote(locus.as_ref(), (-e.0, -e.1), shading);
    }

    /// A world measurement: remember it; compare with the locked reference; while
    /// following a change of light, move to the light it shows.
    fn on_world(&mut self, s: &Session, fc: &FrameContext, colour: Option<(f64, f64)>, y: u8) {
        let level = (y as f64 - 16.0).max(1.0);
        let Some((r, b)) = colour else { return };
        let lsc = Self::window_shading(s, fc);
        let w = (r.ln() - lsc.0, b.ln() - lsc.1);
        self.world = Some(w);
        let Some((w_ref, e_ref)) = self.reference else {
            if self.grey_trusted {
                self.reference = Some((w, self.estimate_log()));
                self.reference_level = level;
            }
            self.exposure_settled = true;
            return;
        };
        self.exposure_settled = (level / self.reference_level).ln().abs() < LEVEL_CHANGE;
        if !self.exposure_settled {
            log::debug!("frame {}: world level {level:.0} vs {:.0}: exposure in transition", fc.frame, self.reference_level);
            self.misses = 0;
            return;
        }
        let d = (w.0 - w_ref.0, w.1 - w_ref.1);
        if self.tracking.is_some() {
            self.move_estimate(fc.frame, (e_ref.0 + d.0, e_ref.1 + d.1));
        } else if d.0.abs().max(d.1.abs()) > WORLD_CHANGE {
            log::debug!("frame {}: world mean moved by ({:.3}, {:.3}): light or scene changed?", fc.frame, d.0, d.1);
            self.pending = Some(d);
            self.pending_age = 0;
        } else if self.grey_trusted {
            self.reference = Some((w, self.estimate_log()));
            self.reference_level = level;
        }
    }

    /// Set the estimate to the camera-space grey `e` (ln) at once, constrained to the locus
    /// band, and move the zone table with it (the light changed, the scene did not).
    fn move_estimate(&mut self, frame: u32, e: (f64, f64)) {
        let (target, ct, _) = self.target_from(e.0.exp(), e.1.exp());
        let old = self.estimate_log();
        let new = (-target[0].ln(), -target[1].ln());
        log::debug!("frame {frame}: following the light: gains {:.3} {:.3} at {ct:.0} K", target[0], target[1]);
        self.table.shift((new.0 - old.0, new.1 - old.1), (-new.0, -new.1));
        self.zone_estimate = Some((new.0.exp(), new.1.exp()));
        self.gains = target;
        self.ct = ct;
    }

    /// The grey frame after a moved world mean: tell a change of light from a change of
    /// scene. Returns whether the estimate was moved.
    fn resolve_pending(&mut self, frame: u32, greys_found: Option<bool>) -> bool {
        let Some(d) = self.pending else { return false };
        self.pending_age += 1;
        match greys_found {
            Some(true) => {
                // The greys are still where the gains put them: the scene changed, not the light.
                log::debug!("frame {frame}: greys still neutral: the scene changed, the light did not");
                self.pending = None;
                self.reference = self.world.map(|w| (w, self.estimate_log()));
                false
            }
            // AE moved since the world mean was taken: no verdict yet.
            _ if !self.exposure_settled => false,
            None if self.pending_age < 2 => false,
            _ => {
                self.pending = None;
                let e_ref = self.reference.map(|r| r.1).unwrap_or(self.estimate_log());
                let moved = (e_ref.0 + d.0, e_ref.1 + d.1);
                let (_, ct, outside) = self.target_from(moved.0.exp(), moved.1.exp());
                if outside > self.transverse {
                    if greys_found.is_none() {
                        // No verdict from the gate and no light on the locus explains it.
                        log::debug!("frame {frame}: the world mean moved off the locus: the scene changed");
                        self.reference = self.world.map(|w| (w, self.estimate_log()));
                        return false;
                    }
                    // Greys lost and no light explains it: look again from scratch.
                    log::debug!("frame {frame}: the world mean moved off the locus ({outside:.3}): re-acquiring");
                    self.reacquire_from_world(frame);
                    return true;
                }
                log::debug!("frame {frame}: the light changed by ({:.3}, {:.3}) at {ct:.0} K", d.0, d.1);
                self.tracking = Some(0);
                self.move_estimate(frame, moved);
                self.grey_trusted = false;
                self.misses = 0;
                true
            }
        }
    }

    /// Lost lock: start again, from the grey world on the locus when there is one.
    fn reacquire_from_world(&mut self, frame: u32) {
        let world = self.world;
        self.reacquire();
        if let Some(w) = world {
            let (target, ct, _) = self.target_from(w.0.exp(), w.1.exp());
            log::debug!("frame {frame}: re-acquiring from the grey world: gains {:.3} {:.3} at {ct:.0} K", target[0], target[1]);
            self.gains = target;
            self.ct = ct;
        }
    }

    /// Move the gains towards the camera-space grey (r, b).
    fn follow(&mut self, fc: &FrameContext, (r, b): (f64, f64), weight: f64, rescan_on_jump: bool) {
        let g = fc.awb.gains[1].max(0.01);
        let (target, ct, _) = self.target_from(r, b);
        let applied = [fc.awb.gains[0] / g, fc.awb.gains[2] / g];
        let change = (target[0] / applied[0]).ln().abs().max((target[1] / applied[1]).ln().abs());
        log::debug!(
            "frame {}: AWB {:?} (floor {:.0}) camera r/g {r:.3} b/g {b:.3} -> gains {:.3} {:.3} at {ct:.0} K (change {change:.3})",
            fc.frame,
            fc.awb.measure,
            fc.awb.luma_floor,
            target[0],
            target[1]
        );
        // The estimate is absolute: follow it fully when far off, smooth noise when close.
        let sp = if change > AGREE { 1.0 } else { self.speed * weight };
        if rescan_on_jump && change > RESCAN_CHANGE && self.scan >= FIRST_SCAN {
            // A large move changes how every zone looks (gains, colour matrix, lens-shading
            // tables, clipping): measure them all again on consecutive frames.
            log::debug!("frame {}: gains moved by {change:.2}: scanning the zones again", fc.frame);
            self.scan = 0;
        }
        self.gains = [
            (self.gains[0] * (1.0 - sp) + target[0] * sp).clamp(1.0 / 256.0, 1023.0 / 256.0),
            (self.gains[1] * (1.0 - sp) + target[1] * sp).clamp(1.0 / 256.0, 1023.0 / 256.0),
        ];
        self.ct = self.ct * (1.0 - sp) + ct * sp;
    }
}

impl Algorithm for Awb {
    fn name(&self) -> &'static str {
        "Awb"
    }

    fn configure(&mut self, _s: &Session) {
        self.reset_state();
    }

    fn controls(&self, _s: &Session, out: &mut Vec<ControlInfo>) {
        out.push(ControlInfo::new(ControlId::AwbEnable, ControlValue::Bool(false), ControlValue::Bool(true), ControlValue::Bool(true)));
        out.push(ControlInfo::new(ControlId::ColourGains, ControlValue::F32(0.0), ControlValue::F32(3.996), ControlValue::F32(1.0)));
        if self.curve.is_some() {
            let (lo, hi) = self.curve.as_ref().unwrap().range();
            out.push(ControlInfo::new(ControlId::ColourTemperature, ControlValue::I32(lo as i32), ControlValue::I32(hi as i32), ControlValue::I32(5000)));
        }
        out.push(ControlInfo::new(
            ControlId::AwbMode,
            ControlValue::Menu(self.modes.iter().map(|m| m.0).collect()),
            ControlValue::Menu(vec![]),
            ControlValue::I32(enums::AWB_AUTO),
        ));
    }

    fn start(&mut self) {
        // The hardware state is unknown again; keep the gains as the first guess.
        self.reacquire();
        self.scheduled = 0;
    }

    fn queue_request(&mut self, _s: &Session, fc: &mut FrameContext, c: &RequestControls) {
        if let Some(on) = c.awb_enable {
            self.auto = on;
            if on {
                self.manual_gains = None;
            }
        }
        if let Some(m) = c.awb_mode {
            if self.modes.iter().any(|x| x.0 == m) {
                self.mode = m;
            } else {
                log::warn!("AwbMode {m} is not available, ignored");
            }
        }
        if !self.auto {
            if let Some([r, b]) = c.colour_gains {
                if r.is_finite() && b.is_finite() && r > 0.0 && b > 0.0 {
                    self.manual_gains = Some([r as f64, b as f64]);
                } else {
                    log::warn!("ColourGains [{r}, {b}] ignored");
                }
            } else if let Some(ct) = c.colour_temperature {
                match &self.curve {
                    Some(curve) => {
                        let (r, b) = curve.white_point(ct as f64);
                        self.manual_gains = Some([1.0 / r, 1.0 / b]);
                        self.ct = ct as f64;
                    }
                    None => log::warn!("ColourTemperature needs colourGains in the tuning file, ignored"),
                }
            }
            if let Some(g) = self.manual_gains {
                self.gains = g;
            }
        } else if c.colour_gains.is_some() || c.colour_temperature.is_some() {
            log::warn!("ColourGains/ColourTemperature ignored while AWB is enabled");
        }
        fc.awb.auto = self.auto;
        fc.awb.mode = self.mode;
    }

    fn prepare(&mut self, s: &Session, fc: &mut FrameContext, p: &mut ParamsWriter) -> Result<(), ParamsError> {
        // A common digital gain maps the post-BLS white level back to full scale, so that
        // sensor-clipped pixels stay white instead of turning magenta (G clips at
        // 4095 − black level, R and B reach 4095 with their gains).
        let headroom = 4095.0 / (4095.0 - fc.black_level_12bit.clamp(0.0, 2048.0));
        let q = |g: f64| to_unsigned_q(g * headroom, 8, 0x3FF);
        let (r, g, b) = (q(self.gains[0]), q(1.0), q(self.gains[1]));
        fc.awb.gains = [r as f64 / 256.0, g as f64 / 256.0, b as f64 / 256.0];
        fc.awb.temperature_k = self.ct;
        fc.awb.auto = self.auto;
        p.write(&Block::AwbGain(AwbGainConfig { gains: [r, g, g, b] }), true)?;
        // In manual mode there is nothing to measure for; keep the gate (AWB gains and
        // measurement share one enable, erratum E1, so the block stays on).
        let measure = if self.auto { self.schedule() } else { AwbMeasure::Grey };
        fc.awb.measure = measure;
        fc.awb.luma_floor = if measure == AwbMeasure::Bright { self.bright_floor } else { self.luma_floor };
        let (min_y, max_csum) = match measure {
            AwbMeasure::Zone(_) | AwbMeasure::World => (ZONE_MIN_Y, 255),
            AwbMeasure::Bright => {
                let csum = (BRIGHT_TOLERANCE * self.bright_floor).round().clamp(8.0, 255.0) as u8;
                ((16.0 + self.bright_floor).round().clamp(17.0, MAX_Y as f64 - 10.0) as u8, csum)
            }
            AwbMeasure::Grey => {
                let csum = (GATE_TOLERANCE * self.luma_floor).round().clamp(2.0, 255.0) as u8;
                ((16.0 + self.luma_floor).round().clamp(17.0, MAX_Y as f64 - 10.0) as u8, csum)
            }
        };
        p.write(
            &Block::AwbMeas(AwbMeasConfig {
                window: Self::window(s, measure),
                mode: consts::AWB_MODE_YCBCR,
                max_y: MAX_Y,
                min_y,
                max_csum,
                min_c: 0,
                frames: 0,
                ref_cr: 128,
                ref_cb: 128,
                enable_ymax_cmp: true,
            }),
            true,
        )?;
        Ok(())
    }

    fn process(&mut self, s: &Session, fc: &mut FrameContext, stats: Option<&Stats>, md: &mut Metadata, latest: &mut FrameContext) {
        let g = fc.awb.gains[1].max(0.01);
        md.awb_enable = Some(fc.awb.auto);
        md.awb_mode = Some(fc.awb.mode);
        // Report the colour gains relative to green (the headroom gain is common).
        md.colour_gains = Some([(fc.awb.gains[0] / g) as f32, (fc.awb.gains[2] / g) as f32]);
        md.colour_temperature = Some(fc.awb.temperature_k.round() as i32);
        let Some(m) = stats.and_then(|st| st.awb) else {
            return;
        };
        if !self.auto {
            return;
        }
        self.since_rescan = self.since_rescan.saturating_add(1);
        self.no_evidence = if self.zone_estimate.is_some() { 0 } else { self.no_evidence.saturating_add(1) };
        if let Some(h) = stats.and_then(|st| st.hist) {
            if let Some(level) = histogram_level(h.bins(), BRIGHT_QUANTILE) {
                self.bright_floor = level.clamp(24.0, 200.0);
            }
        }
        if let Some(t) = self.tracking.as_mut() {
            *t += 1;
            if *t > TRACKING_FRAMES {
                log::debug!("frame {}: the new light did not lock: re-acquiring", fc.frame);
                self.reacquire_from_world(fc.frame);
            }
        }
        let colour = Self::camera_colour(fc, m.y_or_g, m.cb_or_b, m.cr_or_r);
        let window = Self::window(s, fc.awb.measure);
        let passed = m.count as f64 / (window.h_size as f64 * window.v_size as f64).max(1.0);
        match fc.awb.measure {
            AwbMeasure::Zone(z) => {
                self.on_zone(s, fc, z as usize, colour, passed, m.y_or_g);
                match self.zone_estimate {
                    // Zone frames steer only while the near-grey gate is not trusted (it
                    // averages many more grey pixels than the zones).
                    Some(e) if !(self.grey_trusted && dist((e.0.ln(), e.1.ln()), self.estimate_log()) < TRUST) => self.follow(fc, e, 1.0, true),
                    _ => {}
                }
            }
            AwbMeasure::Bright => {
                self.on_bright(s, fc, colour, passed, m.y_or_g);
                if let Some(e) = self.zone_estimate {
                    if !(self.grey_trusted && dist((e.0.ln(), e.1.ln()), self.estimate_log()) < TRUST) {
                        self.follow(fc, e, 1.0, true);
                    }
                }
            }
            AwbMeasure::World => {
                self.on_world(s, fc, colour, m.y_or_g);
                // Without a lock and without usable zones for a while (or for the very first
                // guess), the grey world on the locus band is the estimate.
                let starved = (self.no_evidence >= NO_EVIDENCE_FRAMES && !self.table.any_valid()) || fc.frame == 0;
                if let (Some(w), None, false, true) = (self.world, self.zone_estimate, self.grey_trusted, starved) {
                    self.follow(fc, (w.0.exp(), w.1.exp()), 1.0, false);
                }
            }
            AwbMeasure::Grey => {
                let (f, level) = (fc.awb.luma_floor, m.y_or_g as f64 - 16.0);
                // The floor sweeps upwards through the grey populations of the scene and
                // wraps around: each level gives a sample when its greys lie well above it.
                self.luma_floor = if f * LUMA_FLOOR_UP <= LUMA_FLOOR_MAX { f * LUMA_FLOOR_UP } else { LUMA_FLOOR_MIN };
                // Some(true): greys agreeing with the estimate; Some(false): none where
                // expected; None: this floor cut through the population (no verdict).
                let mut grey = None;
                let step = (((f / LUMA_FLOOR_MIN).ln() / LUMA_FLOOR_UP.ln()).round().max(0.0) as usize).min(FLOOR_STEPS - 1);
                log::trace!(
                    "frame {}: grey gate floor {f:.0} step {step}: passed {passed:.4} (locked {:.4}), YCbCr {} {} {}",
                    fc.frame,
                    self.locked_pass[step],
                    m.y_or_g,
                    m.cb_or_b,
                    m.cr_or_r
                );
                let verdict = if passed < PASS_KEPT * self.locked_pass[step] {
                    // Far fewer greys at this floor than while locked.
                    Some(false)
                } else if passed < MIN_PASS_FRACTION || f > LUMA_FLOOR_MARGIN * level {
                    // Nothing at this floor (it is above the scene's greys), or the floor
                    // cuts through the population: selecting on Y keeps the pixels with
                    // high G noise and tints the mean.
                    None
                } else {
                    let e = self.estimate_log();
                    let expected = if self.tracking.is_some() { Some((e.0.exp(), e.1.exp())) } else { self.zone_estimate };
                    match (colour, expected) {
                        (Some(c), Some(z)) if dist((c.0.ln(), c.1.ln()), (z.0.ln(), z.1.ln())) < TRUST => {
                            grey = Some(c);
                            Some(true)
                        }
                        (Some(_), None) => None,
                        _ => Some(false),
                    }
                };
                // A gate centred on the estimate finds some grey-looking pixels under any
                // light; only a pass rate known from the locked state tells greys apart.
                let known = self.locked_pass[step] > 0.0;
                let evidence = if verdict == Some(true) && !known { None } else { verdict };
                if self.resolve_pending(fc.frame, evidence) {
                    self.publish(latest);
                    return;
                }
                match verdict {
                    Some(true) => {
                        self.grey_trusted = true;
                        self.misses = 0;
                        if self.tracking.take().is_some() {
                            log::debug!("frame {}: locked on the new light", fc.frame);
                            self.reference = None;
                            // The zone table moved with the first, biased, estimates of the
                            // new light: measure it again (the gains stay, the gate holds them).
                            self.table.age();
                            self.scan = 0;
                            self.zone_estimate = None;
                        }
                        if self.pending.is_none() {
                            let m = &mut self.locked_pass[step];
                            *m = if *m > 0.0 { 0.5 * (*m + passed) } else { passed };
                        }
                        // Dark samples are coarse (8-bit means): they move the gains less.
                        let weight = (level / 64.0).clamp(0.25, 1.0);
                        if let Some(e) = grey {
                            self.follow(fc, e, weight, true);
                        }
                    }
                    Some(false) => {
                        log::debug!("frame {}: no near-grey estimate agreeing with the zones ({:.4} passed)", fc.frame, passed);
                        self.grey_trusted = false;
                        if self.exposure_settled {
                            self.misses = self.misses.saturating_add(1);
                        }
                        if self.misses >= MISSES_TO_REACQUIRE && self.since_rescan >= RESCAN_COOLDOWN && self.pending.is_none() {
                            log::debug!("frame {}: greys are not where the estimate says: lock lost", fc.frame);
                            self.reacquire_from_world(fc.frame);
                        }
                    }
                    None => {}
                }
            }
        }
        self.publish(latest);
    }
}

impl Awb {
    /// New decisions for algorithms that prepare before us (LSC picks tables by them).
    fn publish(&self, latest: &mut FrameContext) {
        latest.awb.temperature_k = self.ct;
        latest.awb.gains = [self.gains[0], 1.0, self.gains[1]];
    }
}

/// The 8-bit level below which a fraction `q` of a histogram's samples lie (linear inside
/// bins spread evenly over 0..256); `None` for an empty histogram.
fn histogram_level(bins: &[u32], q: f64) -> Option<f64> {
    let total: f64 = bins.iter().map(|b| *b as f64).sum();
    if total <= 0.0 || bins.is_empty() {
        return None;
    }
    let width = 256.0 / bins.len() as f64;
    let mut acc = 0.0;
    for (i, b) in bins.iter().enumerate() {
        let next = acc + *b as f64 / total;
        if next >= q && *b > 0 {
            let f = ((q - acc) / (next - acc)).clamp(0.0, 1.0);
            return Some((i as f64 + f) * width);
        }
        acc = next;
    }
    Some(256.0)
}
