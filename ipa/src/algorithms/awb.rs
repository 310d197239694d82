//! Automatic white balance from the single hardware AWB mean.
//!
//! The hardware gives one mean per frame: Y, Cb, Cr of the pixels inside a window that
//! pass luma limits and a chroma limit |Cb−128| + |Cr−128| < max_csum, measured after the
//! AWB gains and the colour matrix. The measurement configuration can change every frame
//! without touching the picture, so we use it two ways:
//!
//! * **Zone scan.** Frame by frame the window walks over a 6×6 grid with the chroma gate
//!   open, building zone means (like a zone-statistics ISP, one zone per frame). After
//!   undoing each frame's gains and matrix, every zone is a camera-space colour. Candidate
//!   illuminants along the tuning's colour-temperature curve (and a band across it) are
//!   scored by how many well-exposed zones sit at their white point; saturated colours sit
//!   far from every candidate and get no say, however large they are. This finds the
//!   light from any starting point and cannot lock onto a dominant colour.
//! * **Near-grey gate.** On the other frames the whole window is measured with a narrow
//!   chroma gate around neutral, relative to a luma floor (chroma grows with brightness,
//!   so the floor keeps dark colours from passing). Once the zone scan has put the gains
//!   close, only grey pixels pass, which refines the estimate to the greys themselves. It
//!   is trusted only while it agrees with the zone scan, so it cannot drift to a
//!   self-consistent colour.
//!
//! * **Wide gate.** Until the zones first give an estimate (most zones saturated, so the
//!   colour matrix clips their means), the near-grey frames open the chroma gate wide:
//!   greys tinted by far-off gains pass, saturated surfaces do not, and the mean moves the
//!   gains until greys are neutral enough for the zones and the narrow gate to take over.
//!   When it passes nothing either (a change of light tinted every grey beyond it), the gains
//!   hunt: they try a few lights along the locus, once each, until greys pass.
//!
//! Every estimate is held to a band around the colour-temperature curve, wider on its
//! green side (fluorescent tubes) than on its magenta side.
//!
//! Updates are dead-beat on the absolute estimate (no overshoot despite the 4-frame params
//! pipeline) and smoothed once close.

use super::interface::Algorithm;
use crate::abi::{consts, AwbGainConfig, AwbMeasConfig, Block, ParamsError, ParamsWriter, Stats, Window};
use crate::context::{FrameContext, Session};
use crate::controls::{enums, ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use crate::fixed_point::to_unsigned_q;
use crate::interpolate::{Pwl, PwlError};
use crate::status::{Access, Phase, StatusId};
use crate::tuning::{Params, TuningError};
use crate::zones::{self, ZoneShading, ZONES};
use nalgebra::{Matrix3, Vector3};

/// Steps of the dense search for the point of the curve nearest to a colour.
const PROJECT_STEPS: usize = 400;

/// Colour-temperature curve: white points (r/g, b/g of a grey in camera RGB) against CT.
#[derive(Debug, Clone, PartialEq)]
pub struct CtCurve {
    /// (r/g, b/g) against CT.
    white: Pwl<(f64, f64)>,
}

impl CtCurve {
    /// The curve through (ct, r/g, b/g) points sorted by strictly increasing CT.
    fn new(points: Vec<(f64, f64, f64)>) -> Result<Self, PwlError> {
        Ok(Self { white: Pwl::new(points.into_iter().map(|(ct, r, b)| (ct, (r, b))).collect())? })
    }

    /// White point (r/g, b/g) at a colour temperature, clamped at the ends.
    pub fn white_point(&self, ct: f64) -> (f64, f64) {
        self.white.eval(ct)
    }

    /// Closest point of the curve (within [ct_lo, ct_hi]) to (r, b): returns (ct, r, b).
    fn project(&self, r: f64, b: f64, ct_lo: f64, ct_hi: f64) -> (f64, f64, f64) {
        Self::nearest_sample(self.samples(ct_lo, ct_hi), r, b)
    }

    /// The curve's white points at PROJECT_STEPS + 1 even steps over [ct_lo, ct_hi]:
    /// (ct, r/g, b/g). A dense search over them handles any curve shape.
    fn samples(&self, ct_lo: f64, ct_hi: f64) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        (0..=PROJECT_STEPS).map(move |i| {
            let ct = ct_lo + (ct_hi - ct_lo) * i as f64 / PROJECT_STEPS as f64;
            let (wr, wb) = self.white_point(ct);
            (ct, wr, wb)
        })
    }

    /// The sample nearest to (r, b).
    fn nearest_sample(samples: impl IntoIterator<Item = (f64, f64, f64)>, r: f64, b: f64) -> (f64, f64, f64) {
        let mut best = (f64::MAX, 0.0, 0.0, 0.0);
        for (ct, wr, wb) in samples {
            let d = (wr - r).powi(2) + (wb - b).powi(2);
            if d < best.0 {
                best = (d, ct, wr, wb);
            }
        }
        (best.1, best.2, best.3)
    }

    /// Unit normal of the curve at `ct`, pointing to its green side (towards lower r/g and
    /// b/g: the curve runs to lower r/g and higher b/g as CT rises).
    fn green_normal(&self, ct: f64) -> (f64, f64) {
        let (ar, ab) = self.white_point(ct * 1.02);
        let (br, bb) = self.white_point(ct / 1.02);
        let (tr, tb) = (ar - br, ab - bb);
        let n = (tr * tr + tb * tb).sqrt().max(1e-9);
        (-tb / n, tr / n)
    }

    pub fn range(&self) -> (f64, f64) {
        self.white.domain()
    }
}

/// How far a light may lie off the colour-temperature curve (camera r/g, b/g units), on
/// the green side (fluorescent tubes: both ratios below the curve) and on the magenta side
/// (few real lights; only module variation puts a light there).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Transverse {
    green: f64,
    magenta: f64,
}

impl Transverse {
    /// The allowance on the side of the unit normal's multiple `f` (positive: green).
    fn towards(&self, f: f64) -> f64 {
        if f >= 0.0 {
            self.green
        } else {
            self.magenta
        }
    }
}

pub struct Awb {
    curve: Option<CtCurve>,
    /// Largest distance (in r/g, b/g) allowed off the curve on each side, so that off-locus
    /// lights (fluorescents, on the green side) are still followed while colourful scenes
    /// are not.
    transverse: Transverse,
    modes: Vec<(i32, f64, f64)>,
    speed: f64,
    // Request state.
    auto: bool,
    mode: i32,
    manual_gains: Option<[f64; 2]>,
    // Algorithm state: gains as (r, b) with g = 1.
    gains: [f64; 2],
    ct: f64,
    zones: [Zone; ZONES],
    /// Zone frames scheduled since start (the scan position).
    scan: usize,
    /// Latest zone-scan estimate (camera r/g, b/g), once enough zones are known.
    zone_estimate: Option<(f64, f64)>,
    /// The zones have given an estimate since the scene was last forgotten; until then the
    /// near-grey frames use the wide gate.
    estimated: bool,
    /// The gains come from an estimate of the zones (made since configure), not from the
    /// starting point: a re-acquisition forgets the zones but keeps these gains, which
    /// too-dark frames then leave alone.
    gains_estimated: bool,
    /// Lower luma bound above the +16 offset for the near-grey gate (8-bit, linear).
    luma_floor: f64,
    /// Fraction of pixels the near-grey gate passed at each floor step while trusted. A gate
    /// centred on the estimate passes *some* grey-looking pixels under any light, so it
    /// agrees with itself; a pass rate far below the one it had shows that the greys left.
    locked_pass: [f64; FLOOR_STEPS],
    /// Whether the latest near-grey estimate was trusted; zone frames then leave the
    /// gains to it (the gate averages many more grey pixels than the zones).
    grey_trusted: bool,
    /// The latest grey population the trusted gate found. A floor well below its level,
    /// scaled by the exposure since, must pass those greys again.
    grey_population: Option<GreyPopulation>,
    /// Consecutive near-grey frames that found no greys where the zone scan expects them.
    suspect: u8,
    /// Consecutive re-measured zones that moved without a change of gains.
    zone_changes: u8,
    /// The greys left the gate: zones are taken even where the matrix clips them (the
    /// gains may be far off), until the gate holds greys again.
    reacquiring: bool,
    /// The near-grey gate collapsed: zone frames still to come before the zones are
    /// forgotten. The next re-measured zone tells whether the light changed (it moved to a
    /// light on the locus: every zone moves with it at once) or not (re-acquire).
    collapse_pending: u8,
    /// Frame of that collapse.
    collapse_frame: u32,
    /// Fraction of the window the gate still passed at that collapse.
    collapse_pass: f64,
    /// The last re-measured zone that moved, and by how much (ln r/g, b/g).
    moved: Option<(u8, (f64, f64))>,
    /// Frames left in which the gains follow a zone table just moved with a change of
    /// light without rescanning.
    shifted: u8,
    /// The latest move of the zone table with a change of light, until a gate frame under
    /// the gains from before it tells whether the greys moved too.
    last_shift: Option<LightShift>,
    /// The light (camera r/g, b/g) of a move the greys did not follow, and the frame until
    /// which the gate may not lead there: greys that fill a gate wherever it is centred (a
    /// noisy, weakly coloured background) would lead it straight back.
    refuted: Option<((f64, f64), u32)>,
    /// The vote's candidate lights (the first `n_candidates`).
    candidates: [Candidate; CANDIDATES],
    /// Per candidate, the frame until which it is ruled out: the near-grey gate, centred on
    /// it at low floors in a well-exposed frame, found no greys there.
    ruled_out_until: [u32; CANDIDATES],
    /// The latest of those frames: no ruling is in force past it (most frames), and the
    /// vote then skips them.
    rulings_until: u32,
    /// Frame of the latest statistics processed (what the vote's rulings are compared with).
    now_frame: u32,
    n_candidates: usize,
    /// The curve's samples over the AWB mode's range ([`CtCurve::samples`]), built with the
    /// candidates, and that range: the nearest light is searched among them per frame.
    locus: Vec<(f64, f64, f64)>,
    locus_range: (f64, f64),
    /// Changes whenever the candidates are rebuilt (it keys [`KernelCache`]).
    candidates_generation: u32,
    /// The vote's kernel of each zone at each candidate, kept while the zone's colour is.
    kernel_cache: KernelCache,
    /// A zone measurement that cannot have come from its zone was reported.
    mismatch_warned: bool,
    /// Frames processed since the last (re)scan started.
    since_rescan: u32,
    /// The hunt's position among its lights ([`HUNT_STEPS`]), how many it tried since the
    /// wide gate last passed greys, and the gains and CT it started from.
    hunt: u32,
    hunt_tries: u32,
    hunt_from: ([f64; 2], f64),
    /// The previous frame's AE level (mean of the AE cells + 1; 0 before the first).
    last_level: f64,
    /// Frame of the latest jump of that level (a change of brightness).
    level_jump_frame: u32,
    /// Until this frame, near-grey estimates refine a zone table just moved with the light.
    refine_until: u32,
    epoch: u32,
}

/// A move of the zone table with a change of light, kept so that it can be undone.
#[derive(Debug, Clone, Copy)]
struct LightShift {
    /// The move (ln r/g, ln b/g) and the frame it was made on.
    d: (f64, f64),
    frame: u32,
    /// The two zones that moved: their new values are measurements, not moved ones.
    zones: (u8, u8),
    /// ln of the colour gains (relative to green) in force before the move.
    log_gains_before: (f64, f64),
}

/// A grey population the trusted near-grey gate found.
#[derive(Debug, Clone, Copy)]
struct GreyPopulation {
    /// Its mean level (8-bit, above the offset).
    level: f64,
    /// The fraction of the gate's window it filled.
    fraction: f64,
    /// The frame's AE level plus one (the `brightness` of [`Awb::process`]).
    brightness: f64,
}

/// Candidate lights of the vote: CT steps (even in mired) × positions across the curve.
const CT_STEPS: usize = 48;
const ACROSS: [f64; 5] = [-1.0, -0.5, 0.0, 0.5, 1.0];
const CANDIDATES: usize = (CT_STEPS + 1) * ACROSS.len();

/// One candidate light of the vote. They depend only on the tuning, the AWB mode's range
/// and the session's lens-shading tables, so they are built once per change of those.
#[derive(Debug, Clone, Copy, Default)]
struct Candidate {
    ct: f64,
    /// White point (r/g, b/g) and its logarithms.
    r: f64,
    b: f64,
    lr: f64,
    lb: f64,
    /// Preference for the curve itself over lights across it.
    prior: f64,
    /// The lens-shading tables this light would get.
    blend: Option<zones::Blend>,
}

/// What a zone's column of vote kernels was computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KernelKey {
    log_r: u64,
    log_b: u64,
    shaded: bool,
    generation: u32,
}

/// The vote's Gaussian kernel of each zone at each candidate light, with the span of
/// candidates where it is non-zero (it is cut at 3σ). Allocated once, at construction.
#[derive(Debug, Clone)]
struct KernelCache {
    kernels: Vec<f64>,
    spans: [(usize, usize); ZONES],
    keys: [Option<KernelKey>; ZONES],
}

impl KernelCache {
    fn new() -> Self {
        KernelCache { kernels: vec![0.0; ZONES * CANDIDATES], spans: [(0, 0); ZONES], keys: [None; ZONES] }
    }

    /// Store zone `zone`'s kernels, in candidate order.
    fn fill(&mut self, zone: usize, kernels: impl Iterator<Item = f64>) {
        let column = &mut self.kernels[zone * CANDIDATES..(zone + 1) * CANDIDATES];
        let (mut lo, mut hi) = (CANDIDATES, 0);
        for (j, (slot, k)) in column.iter_mut().zip(kernels).enumerate() {
            *slot = k;
            if k != 0.0 {
                lo = lo.min(j);
                hi = j + 1;
            }
        }
        self.spans[zone] = if hi > 0 { (lo, hi) } else { (0, 0) };
    }

    fn column(&self, zone: usize, lo: usize, hi: usize) -> &[f64] {
        &self.kernels[zone * CANDIDATES + lo..zone * CANDIDATES + hi]
    }
}

/// One zone of the scan: its camera-space mean colour and how much it should count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Zone {
    /// ln(r/g), ln(b/g) of the zone mean in camera space.
    log_r: f64,
    log_b: f64,
    weight: f64,
    /// How far (ln) the zone's colour moves with one 8-bit code of its mean's chroma: the
    /// means are 8-bit, so a saturated or dark zone, with a small output channel, reads
    /// differently from frame to frame in a still scene.
    jitter: f64,
    /// ln of the zone's mean level (8-bit Y above the offset) when measured.
    log_level: f64,
    valid: bool,
    /// Scan epoch the zone was measured in; zones from before a rescan count less.
    epoch: u32,
    /// Frame the zone was measured in.
    frame: u32,
    /// ln of the (r, b) gains the zone was measured under: the colour matrix clips
    /// strongly mis-balanced colours, so zones taken far from the current gains count less.
    log_gains: (f64, f64),
}

/// Zones needed before the scan's estimate is used; once the whole grid has been scanned,
/// fewer do (a scene mostly covered by saturated surfaces has few usable zones, and
/// waiting for more would keep the starting gains forever).
const MIN_ZONES: usize = 6;
const MIN_ZONES_SCANNED: usize = 3;
/// Zones scanned on consecutive frames before the near-grey gate starts (a strided third
/// of the frame, enough for a first estimate).
const FIRST_SCAN: usize = 12;
/// Scan order: zone = (i × STRIDE) mod ZONES, so that any run of the scan covers the whole
/// frame evenly (coprime with ZONES).
const STRIDE: usize = 13;
/// Near-grey frames in a row that must miss before the light is taken to have changed.
const SUSPECT_FRAMES: u8 = 3;
/// A gains change (ln) that makes the zones stale enough to scan them all again.
const RESCAN_CHANGE: f64 = 0.12;
/// Frames a (re)scan is given before the near-grey gate may call for another.
const RESCAN_COOLDOWN: u32 = 24;
/// Frames after a (re)scan before a collapse of the near-grey gate may call another.
const COLLAPSE_COOLDOWN: u32 = 8;
/// Zone frames after a collapse that may show the light moving before re-acquiring.
const COLLAPSE_ZONES: u8 = 2;
/// Frames after the zone table moved with the light in which the gains follow it without
/// a rescan (the frames in flight still show the old gains).
const SHIFT_HOLD: u8 = 6;
/// Frames after a collapse by which a zone must have been compared (the params of the
/// frames in flight were written before it).
const COLLAPSE_WAIT: u32 = 8;
/// Zones re-measured under gains this close (ln) are compared with their stored colour,
/// with a saturation test that refuses only means the matrix clipped to nothing.
const SAME_GAINS: f64 = 0.06;
const ROUGH_SATURATED: f64 = 0.01;
/// After a collapse of the gate, zones measured under gains this close (ln) are compared:
/// the stored zones may date from while the gains were still settling, and the move a
/// change of light makes is several times larger than what the matrix's clipping changes.
const COLLAPSE_SAME_GAINS: f64 = 0.2;
/// A zone must move by more than this many 8-bit codes' worth of its colour jitter (old
/// and new reading) to count as moved.
const JITTER_CODES: f64 = 1.5;
/// Zones re-measured at a level this close (ln) to the stored one are compared.
const SAME_LEVEL: f64 = 0.5;
/// Two zones that moved by ratios this close (ln) moved with the light.
const SAME_SHIFT: f64 = 0.1;
/// Weight of zones measured before a rescan, so that fresh ones take over quickly.
const STALE_WEIGHT: f64 = 0.2;
/// Zones measured under gains this far (ln) from the current ones lose most of their weight
/// (the matrix clips saturated colours differently under other gains). Kept wide: a
/// narrower trust (0.4) made the zones measured last win the vote, and the gains swung
/// between a grey background and a large skin-coloured surface every few frames.
const GAINS_TRUST: f64 = 1.2;
/// A re-measured zone that moved this far (ln) without a change of gains: the scene or the
/// light changed.
const ZONE_CHANGED: f64 = 0.15;
const PENDING_ZONE_CHANGED: f64 = 0.05;
/// Width of a zone's vote around a candidate white point (log r/g, log b/g).
const VOTE_SIGMA: f64 = 0.05;
/// Near-grey gate: chroma tolerance relative to the luma floor.
const GATE_TOLERANCE: f64 = 0.15;
/// The wide gate used while the zones give no estimate yet (most of the scene saturated,
/// or too dark): greys tinted by gains far off pass, saturated surfaces do not. Its mean,
/// projected onto the locus band, moves the gains, which brings the greys to neutral.
const WIDE_GATE_MIN_Y: u8 = 28;
const WIDE_GATE_CSUM: u8 = 40;
/// When even the wide gate passes nothing under the gains (a large change of light before
/// the zones gave an estimate tints every grey beyond it), the gains hunt: they try lights
/// this many steps (even in mired) along the AWB mode's range of the locus in turn, once:
/// a scene without greys (a wall of one colour) then gets its starting gains back instead
/// of cycling through the lights for as long as it is in view.
const HUNT_STEPS: u32 = 5;
/// Only a frame whose AE level (8-bit linear) is this far above the wide gate's floor says
/// that the greys are tinted, not too dark to pass.
const HUNT_LEVEL: f64 = 2.0 * (WIDE_GATE_MIN_Y as f64 - 16.0);
/// The near-grey estimate must agree with the zone scan this closely (log units).
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
/// Steps of the floor sweep (LUMA_FLOOR_MIN × LUMA_FLOOR_UP^k up to LUMA_FLOOR_MAX), and
/// the fraction of its trusted pass rate a floor must keep for its greys to count.
const FLOOR_STEPS: usize = 10;
const PASS_KEPT: f64 = 0.4;
/// Floors up to this are low enough that an empty near-grey gate means the greys are gone.
const LUMA_FLOOR_EMPTY: f64 = 40.0;
/// Floor the gate restarts from after the zone table moved with the light.
const LUMA_FLOOR_REFINE: f64 = 24.0;
/// A mean whose smallest output channel is below this fraction of the largest is a
/// saturated colour (and likely clipped at zero by the matrix): never a grey.
const SATURATED: f64 = 0.08;
/// A zone measurement passing more pixels than this fraction of the zone's window was not
/// measured in that window (rounding lets a full zone count a little over 1).
const WINDOW_OVERFLOW: f64 = 1.1;
/// Zone pixels darker than this (Y, with the +16 offset) carry mostly noise.
const ZONE_MIN_Y: u8 = 20;
/// Skip clipped highlights: white clips at Y 235 (16 + 219), and a clipped pixel reads as
/// neutral under any gains, so it would confirm whatever estimate the gate is centred on.
/// 220 keeps channels up to about 93% of full scale.
const MAX_Y: u8 = 220;
/// Deep low light, where the AWB holds its estimate: the sensor gain at this fraction of its
/// maximum or above, and the mean AE level (8-bit linear) below this, about a third of the
/// AE's usual target.
const DARK_GAIN_FRACTION: f64 = 0.95;
const DARK_AE_MEAN: f64 = 14.0;
/// A change of the AE level by more than this factor from one frame to the next is a change
/// of brightness (a light switched, the camera turned to a window), not of colour.
const LEVEL_JUMP: f64 = 1.8;
/// The near-grey gate leads when it passes at least this fraction of the frame at a
/// plausible light off the zones' estimate; while it holds the greys, zone estimates
/// closer than GATE_HOLDS (log gain) to its estimate leave the gains to it, and so do all
/// zone estimates once it passed that fraction at some floor.
const GATE_LEADS_FRACTION: f64 = 0.02;
const GATE_HOLDS: f64 = 0.25;
/// A collapsed gate still passing this fraction of the window kept greys at its centre: a
/// change of scene (a surface covering part of them), not of light, which leaves next to
/// none in the gate.
const PARTIAL_PASS: f64 = 0.01;
/// Frames after the zone table moved with the light in which near-grey estimates are
/// followed without smoothing (the first gate frames come 3-4 frames after the move).
const REFINE_FRAMES: u32 = 12;
/// The near-grey gate's chroma window is this much wider while it refines.
const REFINE_WIDEN: f64 = 2.0;
/// Frames after a jump of the scene's level in which an empty near-grey gate may be the
/// AE still settling rather than the greys leaving.
const LEVEL_SETTLE_FRAMES: u32 = 8;
/// A light whose greys the gate did not find (see [`Awb::rule_out`]): the candidates this
/// close (ln) to it keep this fraction of their score for this many frames. The frame must
/// be exposed well enough for greys to pass the floor: its AE level at least this many
/// times the floor.
const RULING_RADIUS: f64 = 0.06;
const RULED_OUT_WEIGHT: f64 = 0.05;
const RULING_FRAMES: u32 = 120;
const RULING_LEVEL: f64 = 1.5;
/// Estimates closer than this (log gain) to the applied gains count as agreeing.
const AGREE: f64 = 0.03;

/// Distance between two colours (or two pairs of gains) as the larger of their ln ratios.
/// The colour temperature the fraction `t` of the way from `hi` down to `lo` in mired:
/// steps even in mired are perceptually even along the locus.
fn ct_at_mired_fraction(lo: f64, hi: f64, t: f64) -> f64 {
    let (m_lo, m_hi) = (1e6 / hi, 1e6 / lo);
    1e6 / (m_lo + (m_hi - m_lo) * t)
}

fn log_distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 / b.0).ln().abs().max((a.1 / b.1).ln().abs())
}

/// The same distance between two points already in ln space.
fn ln_distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).abs().max((a.1 - b.1).abs())
}

/// BT.601-style conversion the AWB unit uses (kernel-rkisp1.md §1.2), rows Y, Cb, Cr.
fn rgb_to_ycbcr() -> Matrix3<f64> {
    Matrix3::new(0.25, 0.5, 0.1094, -0.1406, -0.2969, 0.4375, 0.4375, -0.375, -0.0625)
}

impl Awb {
    pub fn from_tuning(p: &Params) -> Result<Self, TuningError> {
        p.warn_unknown(&[
            "algorithm",
            "colourGains",
            "AwbMode",
            "priors",
            "transversePos",
            "transverseNeg",
            "speed",
            "transverse",
            "transverseGreen",
            "transverseMagenta",
        ]);
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
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
            if pts.windows(2).any(|w| w[0].0 == w[1].0) {
                return Err(p.error("colourGains", "duplicate colour temperature"));
            }
            if pts.len() < 2 {
                return Err(p.error("colourGains", "need at least two points"));
            }
            curve = Some(CtCurve::new(pts).map_err(|e| p.error("colourGains", e.to_string()))?);
        }
        // libcamera's bayes keys transversePos/Neg (their sign convention is not ours) set a
        // floor on both sides. Our keys: `transverse` (both sides), `transverseGreen` and
        // `transverseMagenta` (one side each, in camera r/g, b/g units). The defaults admit
        // fluorescent tubes (CWF lies ~0.10 to the green side on both PPP sensors) and
        // module variation (±6% white points: ~0.05 either way), not colourful scenes.
        let tp = p.f64_in("transversePos", 0.0, 0.0, 1.0)?;
        let tn = p.f64_in("transverseNeg", 0.0, 0.0, 1.0)?;
        let floor = tp.max(tn);
        let both = p.get("transverse").map(|_| p.f64_in("transverse", 0.0, 0.0, 1.0)).transpose()?;
        let transverse = Transverse {
            green: p.f64_in("transverseGreen", both.unwrap_or(0.12), 0.0, 1.0)?.max(floor),
            magenta: p.f64_in("transverseMagenta", both.unwrap_or(0.05), 0.0, 1.0)?.max(floor),
        };
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
            zones: [Zone::default(); ZONES],
            scan: 0,
            zone_estimate: None,
            estimated: false,
            gains_estimated: false,
            luma_floor: 40.0,
            locked_pass: [0.0; FLOOR_STEPS],
            grey_trusted: false,
            suspect: 0,
            grey_population: None,
            zone_changes: 0,
            reacquiring: false,
            collapse_pending: 0,
            collapse_frame: 0,
            collapse_pass: 0.0,
            moved: None,
            shifted: 0,
            last_shift: None,
            refuted: None,
            since_rescan: 0,
            hunt: 0,
            hunt_tries: 0,
            hunt_from: ([1.0, 1.0], 5000.0),
            last_level: 0.0,
            level_jump_frame: 0,
            refine_until: 0,
            mismatch_warned: false,
            candidates: [Candidate::default(); CANDIDATES],
            ruled_out_until: [0; CANDIDATES],
            rulings_until: 0,
            now_frame: 0,
            n_candidates: 0,
            locus: Vec::with_capacity(PROJECT_STEPS + 1),
            locus_range: (0.0, 0.0),
            candidates_generation: 0,
            kernel_cache: KernelCache::new(),
            epoch: 0,
        };
        awb.reset_state();
        Ok(awb)
    }

    fn reset_state(&mut self) {
        self.ct = 5000.0;
        self.gains = match &self.curve {
            Some(c) => {
                let (r, b) = c.white_point(self.ct);
                [1.0 / r, 1.0 / b]
            }
            None => [1.0, 1.0],
        };
        self.gains_estimated = false;
        self.restart_scan();
    }

    /// Forget the scene: after start() or a mode change the zones are stale.
    fn restart_scan(&mut self) {
        self.zones = [Zone::default(); ZONES];
        self.ruled_out_until = [0; CANDIDATES];
        self.rulings_until = 0;
        self.zone_estimate = None;
        self.estimated = false;
        self.hunt_tries = 0;
        self.rescan();
    }

    /// The light or the scene changed: scan again, keeping the old zones at low weight
    /// until fresh ones replace them.
    fn rescan(&mut self) {
        self.since_rescan = 0;
        self.epoch = self.epoch.wrapping_add(1);
        self.scan = 0;
        self.grey_trusted = false;
        self.suspect = 0;
        self.locked_pass = [0.0; FLOOR_STEPS];
        self.collapse_pending = 0;
    }

    /// Rule out the candidate lights that gains `log_gains` (ln r, ln b) balance.
    fn rule_out(&mut self, log_gains: (f64, f64), frame: u32) {
        let mut n = 0;
        for (c, until) in self.candidates[..self.n_candidates].iter().zip(self.ruled_out_until.iter_mut()) {
            if ln_distance((c.lr, c.lb), (-log_gains.0, -log_gains.1)) < RULING_RADIUS {
                *until = frame + RULING_FRAMES;
                self.rulings_until = *until;
                n += 1;
            }
        }
        log::debug!("frame {frame}: no greys in the gate at the gains' light: {n} candidate lights ruled out for {RULING_FRAMES} frames");
    }

    /// Whether `frame` is past the settling after the latest jump of the scene's level.
    fn level_settled(&self, frame: u32) -> bool {
        frame > self.level_jump_frame + LEVEL_SETTLE_FRAMES
    }

    /// Fold a trusted pass rate of the near-grey gate at floor step `step` into its memory.
    fn remember_pass(&mut self, step: usize, passed: f64) {
        let m = &mut self.locked_pass[step];
        *m = if *m > 0.0 { 0.5 * (*m + passed) } else { passed };
    }

    /// Whether the frame being prepared measures a zone (and which) or the grey gate.
    /// The first part of the scan runs on every frame; then zone and gate frames alternate.
    fn schedule(&mut self, frame: u32) -> Option<u8> {
        if self.collapse_pending > 0 {
            // Re-measure the best zone known from before the collapse: whether it moved
            // tells a change of light from a change of scene.
            let before = self.collapse_frame.saturating_sub(2);
            let known = self.zones.iter().enumerate().filter(|(_, z)| z.valid && z.epoch == self.epoch && z.frame < before);
            if let Some((i, _)) = known.max_by(|a, b| a.1.weight.total_cmp(&b.1.weight)) {
                return Some(i as u8);
            }
        }
        if self.scan < FIRST_SCAN || frame % 2 == 0 {
            let z = (self.scan * STRIDE % ZONES) as u8;
            self.scan += 1;
            Some(z)
        } else {
            None
        }
    }

    /// Window of zone `z` (or the whole measured area) in sensor-mode pixels.
    fn window(s: &Session, zone: Option<u8>) -> Window {
        let (x, y, w, h) = zones::zone_window(s.info.width, s.info.height, zone.map(usize::from));
        Window { h_offs: x as u16, v_offs: y as u16, h_size: w as u16, v_size: h as u16 }
    }

    /// Score candidate white points by the zones sitting at them; returns the refined
    /// camera-space grey (r/g, b/g): the weighted mean of the zones that voted for the
    /// winner. Without a curve, the weighted mean of all zones (grey world).
    ///
    /// Zones are stored as they were before lens shading correction; with `shading`, each
    /// candidate light judges them with the LSC tables that light would select.
    fn vote(&mut self, shading: Option<&ZoneShading>) -> Option<(f64, f64)> {
        // Effective weights once per vote (on the stack: no allocation per frame).
        let now = (self.gains[0].ln(), self.gains[1].ln());
        let mut eff = [(0usize, Zone::default()); ZONES];
        let mut n = 0;
        for (i, z) in self.zones.iter().enumerate().filter(|(_, z)| z.valid && z.weight > 0.0) {
            let d = ln_distance(z.log_gains, now) / GAINS_TRUST;
            let stale = if z.epoch == self.epoch { 1.0 } else { STALE_WEIGHT };
            eff[n] = (i, Zone { weight: z.weight * stale * (-d * d).exp(), ..*z });
            n += 1;
        }
        if n < if self.scan >= ZONES { MIN_ZONES_SCANNED } else { MIN_ZONES } {
            return None;
        }
        let eff = &eff[..n];
        let zones = || eff.iter().copied();
        // The LSC tables that light (ct, ln r, ln b) would get.
        let blend_for = |ct: f64, lr: f64, lb: f64| shading.map(|sh| (sh, sh.choose(ct, (-lr, -lb))));
        // Zone colour as the image shows it with those tables.
        let seen = |i: usize, z: &Zone, blend: Option<(&ZoneShading, zones::Blend)>| match blend {
            Some((sh, bl)) => {
                let c = sh.colour(bl, i);
                (z.log_r + c.0, z.log_b + c.1)
            }
            None => (z.log_r, z.log_b),
        };
        if self.curve.is_none() {
            let (mut sr, mut sb, mut sw) = (0.0, 0.0, 0.0);
            let blend = blend_for(self.ct, -self.gains[0].ln(), -self.gains[1].ln());
            for (i, z) in zones() {
                let (zr, zb) = seen(i, &z, blend);
                sr += z.weight * zr;
                sb += z.weight * zb;
                sw += z.weight;
            }
            return Some(((sr / sw).exp(), (sb / sw).exp()));
        }
        // Gaussian vote in log chromaticity, cut at 3σ (saves most of the exp() calls).
        let kernel = |(zr, zb): (f64, f64), r: f64, b: f64| {
            let d2 = (zr - r).powi(2) + (zb - b).powi(2);
            let x = d2 / (2.0 * VOTE_SIGMA * VOTE_SIGMA);
            if x > 4.5 {
                0.0
            } else {
                (-x).exp()
            }
        };
        // A zone's kernel at every candidate depends only on its colour (and the candidates):
        // one zone is re-measured per zone frame, so one column is computed per vote.
        let candidates = &self.candidates[..self.n_candidates];
        let cache = &mut self.kernel_cache;
        for (i, z) in zones() {
            let key = KernelKey { log_r: z.log_r.to_bits(), log_b: z.log_b.to_bits(), shaded: shading.is_some(), generation: self.candidates_generation };
            if cache.keys[i] != Some(key) {
                cache.fill(i, candidates.iter().map(|c| kernel(seen(i, &z, shading.zip(c.blend)), c.lr, c.lb)));
                cache.keys[i] = Some(key);
            }
        }
        // The same sums as over every zone at every candidate: the terms left out are zeros.
        let mut scores = [0.0; CANDIDATES];
        for (i, z) in zones() {
            let (lo, hi) = cache.spans[i];
            for (score, k) in scores[lo..hi].iter_mut().zip(cache.column(i, lo, hi)) {
                *score += z.weight * k;
            }
        }
        let mut best = (0.0, 0.0, 0.0, 0.0);
        let now_frame = self.now_frame;
        let rulings = self.rulings_until > now_frame;
        for ((c, sum), until) in candidates.iter().zip(scores).zip(self.ruled_out_until.iter()) {
            let ruled_out = if rulings && *until > now_frame { RULED_OUT_WEIGHT } else { 1.0 };
            let score = c.prior * sum * ruled_out;
            if score > best.0 {
                best = (score, c.r, c.b, c.ct);
            }
        }
        if best.0 <= 0.0 {
            if !self.reacquiring {
                return None;
            }
            // Re-acquiring under far-off gains, no zone sits at any light yet: the grey
            // world of the zones (projected onto the locus band by the caller) moves the
            // gains towards the light, which brings the zones in.
            let (mut sr, mut sb, mut sw) = (0.0, 0.0, 0.0);
            for (_, z) in zones() {
                sr += z.weight * z.log_r;
                sb += z.weight * z.log_b;
                sw += z.weight;
            }
            return (sw > 0.0).then(|| ((sr / sw).exp(), (sb / sw).exp()));
        }
        let (blr, blb) = (best.1.ln(), best.2.ln());
        let blend = blend_for(best.3, blr, blb);
        let (mut sr, mut sb, mut sw) = (0.0, 0.0, 0.0);
        for (i, z) in zones() {
            let c = seen(i, &z, blend);
            let k = z.weight * kernel(c, blr, blb);
            sr += k * c.0;
            sb += k * c.1;
            sw += k;
        }
        if sw < 1e-9 {
            return Some((best.1, best.2));
        }
        let refined = (sr / sw, sb / sw);
        // The zones around the winner may pull its refinement back onto a light the gate
        // ruled out (the surface's zones sit just beside it): then the winner itself.
        let ruled_out = self.rulings_until > self.now_frame
            && self.candidates[..self.n_candidates]
                .iter()
                .zip(self.ruled_out_until.iter())
                .any(|(c, until)| *until > self.now_frame && ln_distance((c.lr, c.lb), refined) < RULING_RADIUS / 2.0);
        if ruled_out {
            return Some((best.1, best.2));
        }
        Some((refined.0.exp(), refined.1.exp()))
    }

    /// Whether moving the current estimate by `d` (ln r/g, b/g) lands on a light in the locus
    /// band (a change of light does; a surface entering the frame usually does not).
    fn light_plausible(&self, d: (f64, f64)) -> bool {
        let Some(c) = &self.curve else { return true };
        let (r, b) = ((1.0 / self.gains[0]) * d.0.exp(), (1.0 / self.gains[1]) * d.1.exp());
        let (ct, cr, cb) = self.nearest_light(c, r, b);
        ((r - cr).powi(2) + (b - cb).powi(2)).sqrt() <= 1.5 * self.allowance(c, ct, r - cr, b - cb)
    }

    /// The off-curve allowance on the side of the curve point at `ct` where the offset
    /// (dr, db) points.
    fn allowance(&self, curve: &CtCurve, ct: f64, dr: f64, db: f64) -> f64 {
        let (nr, nb) = curve.green_normal(ct);
        self.transverse.towards(dr * nr + db * nb)
    }

    /// Build the vote's candidate lights for the AWB mode's range and the session's
    /// lens-shading tables.
    fn build_candidates(&mut self, shading: Option<&ZoneShading>) {
        self.n_candidates = 0;
        self.ruled_out_until = [0; CANDIDATES];
        self.rulings_until = 0;
        self.candidates_generation = self.candidates_generation.wrapping_add(1);
        let Some(curve) = &self.curve else { return };
        let (lo, hi) = self.ct_range();
        self.locus.clear();
        self.locus.extend(curve.samples(lo, hi));
        self.locus_range = (lo, hi);
        // Candidates evenly spaced in mired (perceptually even along the locus).
        for i in 0..=CT_STEPS {
            let ct = ct_at_mired_fraction(lo, hi, i as f64 / CT_STEPS as f64);
            let (wr, wb) = curve.white_point(ct);
            // Normal to the locus, from its local direction.
            let (ar, ab) = curve.white_point(ct * 1.02);
            let (tr, tb) = (ar - wr, ab - wb);
            let n = (tr * tr + tb * tb).sqrt().max(1e-9);
            let (nr, nb) = (-tb / n, tr / n);
            for f in ACROSS {
                let t = self.transverse.towards(f);
                let (r, b) = (wr + nr * f * t, wb + nb * f * t);
                if r <= 0.0 || b <= 0.0 {
                    continue;
                }
                let (lr, lb) = (r.ln(), b.ln());
                let blend = shading.map(|sh| sh.choose(ct, (-lr, -lb)));
                self.candidates[self.n_candidates] = Candidate { ct, r, b, lr, lb, prior: 1.0 - 0.3 * f.abs(), blend };
                self.n_candidates += 1;
            }
        }
    }

    /// The point of the locus, within the AWB mode's range, nearest to the camera-space
    /// grey (r, b): (ct, r/g, b/g).
    fn nearest_light(&self, curve: &CtCurve, r: f64, b: f64) -> (f64, f64, f64) {
        let (lo, hi) = self.ct_range();
        if self.locus_range == (lo, hi) && !self.locus.is_empty() {
            CtCurve::nearest_sample(self.locus.iter().copied(), r, b)
        } else {
            curve.project(r, b, lo, hi)
        }
    }

    /// Camera-space colour (r/g, b/g) of an AWB mean, undoing the frame's matrix and gains,
    /// with the mean's saturation as the ratio of its smallest to its largest output
    /// channel, and the ln change of its colour per 8-bit code ([`Zone::jitter`]). `None`
    /// when the mean cannot be undone at all: a channel at zero (the matrix pushed it below
    /// zero and the ISP clipped it), below [`ROUGH_SATURATED`] of the largest, or a singular
    /// matrix. Callers reject more saturated means as they need.
    fn camera_colour(fc: &FrameContext, y: u8, cb: u8, cr: u8) -> Option<((f64, f64), f64, f64)> {
        // The hardware's Y carries a +16 offset (kernel-rkisp1.md §1.2).
        let ycc = Vector3::new(y as f64 - 16.0, cb as f64 - 128.0, cr as f64 - 128.0);
        let rgb_out = rgb_to_ycbcr().try_inverse()? * ycc;
        if rgb_out.min() < (ROUGH_SATURATED * rgb_out.max()).max(1.0) {
            return None;
        }
        let off = Vector3::new(fc.ccm.offsets[0], fc.ccm.offsets[1], fc.ccm.offsets[2]);
        let rgb = fc.ccm.matrix.try_inverse()? * (rgb_out - off);
        let cam = [rgb[0] / fc.awb.gains[0].max(0.01), rgb[1] / fc.awb.gains[1].max(0.01), rgb[2] / fc.awb.gains[2].max(0.01)];
        if cam.iter().any(|c| !c.is_finite() || *c <= 0.05) {
            return None;
        }
        Some(((cam[0] / cam[1], cam[2] / cam[1]), rgb_out.min() / rgb_out.max(), 1.0 / rgb_out.min()))
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

    /// Whether the frame is too dark for colour evidence: the sensor at (nearly) its
    /// maximum analogue gain and the frame's AE level ([`Self::ae_level`]) below
    /// [`DARK_AE_MEAN`].
    fn too_dark(s: &Session, fc: &FrameContext, ae_level: Option<f64>) -> bool {
        fc.sensor.gain >= DARK_GAIN_FRACTION * s.max_gain && ae_level.is_some_and(|l| l < DARK_AE_MEAN)
    }

    /// Mean of the AE cells (8-bit linear, measuring mode 1), the frame's overall level.
    fn ae_level(stats: Option<&Stats>) -> Option<f64> {
        let cells = stats.and_then(|st| st.ae.as_ref())?.cells();
        (!cells.is_empty()).then(|| cells.iter().map(|&c| c as f64).sum::<f64>() / cells.len() as f64)
    }

    /// Move the gains the fraction `sp` of the way to `target` (and the CT to `ct`).
    fn set_gains(&mut self, target: [f64; 2], ct: f64, sp: f64, latest: &mut FrameContext) {
        self.gains = [
            (self.gains[0] * (1.0 - sp) + target[0] * sp).clamp(1.0 / 256.0, 1023.0 / 256.0),
            (self.gains[1] * (1.0 - sp) + target[1] * sp).clamp(1.0 / 256.0, 1023.0 / 256.0),
        ];
        self.ct = self.ct * (1.0 - sp) + ct * sp;
        latest.awb.temperature_k = self.ct;
        // The template for frames queued from now on (what a frame never prepared reports).
        latest.awb.gains = [self.gains[0], 1.0, self.gains[1]];
    }

    /// Move the zone table back from a change of light the greys did not follow: every zone
    /// measured before the move gets its old colour back, and the vote is taken again.
    fn undo_shift(&mut self, shift: LightShift, frame: u32, shading: Option<&ZoneShading>) {
        log::debug!("frame {frame}: the greys stayed under the gains from before the move of frame {}: the zone table moves back", shift.frame);
        self.shift_zones((-shift.d.0, -shift.d.1), shift.zones, shift.frame);
        self.refuted = Some(((1.0 / self.gains[0], 1.0 / self.gains[1]), frame + RULING_FRAMES));
        self.last_shift = None;
        self.shifted = 0;
        self.refine_until = frame;
        self.zone_estimate = self.vote(shading);
    }

    /// Move the colours of the valid zones measured up to frame `measured_up_to` by `d`
    /// (ln r, ln b), as if measured under the gains that balance the moved light; the zones
    /// `kept` are left as measured.
    fn shift_zones(&mut self, d: (f64, f64), kept: (u8, u8), measured_up_to: u32) {
        for (i, zone) in self.zones.iter_mut().enumerate() {
            if zone.valid && i != kept.0 as usize && i != kept.1 as usize && zone.frame <= measured_up_to {
                zone.log_r += d.0;
                zone.log_b += d.1;
                zone.log_gains = (zone.log_gains.0 - d.0, zone.log_gains.1 - d.1);
            }
        }
    }

    /// Try the next light of the hunt: the steps along the AWB mode's range, skipping the
    /// one the gains already balance. After every step was tried, the gains go back to
    /// where the hunt started and stay there until the wide gate passes greys again or the
    /// scene is forgotten.
    fn hunt_next(&mut self, latest: &mut FrameContext) {
        let Some(curve) = &self.curve else { return };
        if self.hunt_tries == 0 {
            self.hunt_from = (self.gains, self.ct);
        }
        self.hunt_tries += 1;
        if self.hunt_tries >= HUNT_STEPS {
            if self.hunt_tries == HUNT_STEPS {
                log::debug!("frame {}: no light of the hunt put greys in the wide gate: back to the gains it started from", self.now_frame);
                let (gains, ct) = self.hunt_from;
                self.set_gains(gains, ct, 1.0, latest);
            }
            self.hunt_tries = HUNT_STEPS + 1;
            return;
        }
        let (lo, hi) = self.ct_range();
        for _ in 0..HUNT_STEPS {
            self.hunt = (self.hunt + 1) % HUNT_STEPS;
            let ct = ct_at_mired_fraction(lo, hi, self.hunt as f64 / (HUNT_STEPS - 1) as f64);
            let (r, b) = curve.white_point(ct);
            if log_distance((1.0 / r, 1.0 / b), (self.gains[0], self.gains[1])) > 4.0 * AGREE {
                log::debug!("frame {}: the wide gate passed nothing: trying {ct:.0} K", self.now_frame);
                self.set_gains([1.0 / r, 1.0 / b], ct, 1.0, latest);
                return;
            }
        }
    }

    /// Turn an estimated camera-space grey (r/g, b/g) into gains and CT.
    fn target_from(&self, r: f64, b: f64) -> ([f64; 2], f64) {
        match &self.curve {
            Some(c) => {
                let (ct, cr, cb) = self.nearest_light(c, r, b);
                let (dr, db) = (r - cr, b - cb);
                let d = (dr * dr + db * db).sqrt();
                let limit = self.allowance(c, ct, dr, db);
                let f = if d > limit { limit / d } else { 1.0 };
                let (r, b) = (cr + dr * f, cb + db * f);
                ([1.0 / r, 1.0 / b], ct)
            }
            None => ([1.0 / r, 1.0 / b], Self::ct_without_curve(r, b)),
        }
    }
}

impl Algorithm for Awb {
    fn name(&self) -> &'static str {
        "Awb"
    }

    fn contract(&self) -> &'static [Access] {
        use Access::*;
        &[
            Read(Phase::Configure, StatusId::ZoneShading),
            Write(Phase::QueueRequest, StatusId::Awb),
            Read(Phase::Prepare, StatusId::Blc),
            Write(Phase::Prepare, StatusId::Awb),
            Read(Phase::Process, StatusId::Awb),
            Read(Phase::Process, StatusId::Ccm),
            Read(Phase::Process, StatusId::Lsc),
            WriteNext(StatusId::Awb),
        ]
    }

    fn configure(&mut self, s: &Session) {
        self.reset_state();
        self.build_candidates(s.zone_shading.as_deref());
    }

    fn controls(&self, _s: &Session, out: &mut Vec<ControlInfo>) {
        out.push(ControlInfo::new(ControlId::AwbEnable, ControlValue::Bool(false), ControlValue::Bool(true), ControlValue::Bool(true)));
        out.push(ControlInfo::new(ControlId::ColourGains, ControlValue::F32(0.0), ControlValue::F32(3.996), ControlValue::F32(1.0)));
        if let Some(curve) = &self.curve {
            let (lo, hi) = curve.range();
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
        self.restart_scan();
    }

    fn queue_request(&mut self, s: &Session, fc: &mut FrameContext, c: &RequestControls) {
        if let Some(on) = c.awb_enable {
            self.auto = on;
            if on {
                self.manual_gains = None;
            }
        }
        if let Some(m) = c.awb_mode {
            if self.modes.iter().any(|x| x.0 == m) {
                if m != self.mode {
                    self.mode = m;
                    self.build_candidates(s.zone_shading.as_deref());
                }
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
        let headroom = 4095.0 / (4095.0 - fc.blc.black_level_12bit.clamp(0.0, 2048.0));
        let q = |g: f64| to_unsigned_q(g * headroom, 8, 0x3FF);
        let (r, g, b) = (q(self.gains[0]), q(1.0), q(self.gains[1]));
        fc.awb.gains = [r as f64 / 256.0, g as f64 / 256.0, b as f64 / 256.0];
        fc.awb.temperature_k = self.ct;
        fc.awb.auto = self.auto;
        p.write(&Block::AwbGain(AwbGainConfig { gains: [r, g, g, b] }), true)?;
        // In manual mode there is nothing to measure for; keep the gate (AWB gains and
        // measurement share one enable, erratum E1, so the block stays on).
        let zone = if self.auto { self.schedule(fc.frame) } else { None };
        fc.awb.zone = zone;
        fc.awb.luma_floor = self.luma_floor;
        fc.awb.wide_gate = self.auto && zone.is_none() && !self.estimated;
        fc.awb.converging = self.auto && !self.grey_trusted;
        let (min_y, max_csum) = match zone {
            Some(_) => (ZONE_MIN_Y, 255),
            None if fc.awb.wide_gate => (WIDE_GATE_MIN_Y, WIDE_GATE_CSUM),
            None => {
                // While the gate refines a zone table just moved with the light, the greys
                // may still sit a few percent off the gains: a wider window finds them.
                let widen = if fc.frame <= self.refine_until { REFINE_WIDEN } else { 1.0 };
                let csum = (GATE_TOLERANCE * widen * self.luma_floor).round().clamp(2.0, 255.0) as u8;
                ((16.0 + self.luma_floor).round().clamp(17.0, MAX_Y as f64 - 10.0) as u8, csum)
            }
        };
        p.write(
            &Block::AwbMeas(AwbMeasConfig {
                window: Self::window(s, zone),
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

    fn process(&mut self, s: &Session, fc: &mut FrameContext, stats: Option<&Stats>, md: &mut Metadata, latest: &mut FrameContext, _previous: &FrameContext) {
        let g = fc.awb.gains[1].max(0.01);
        // The frame's colour gains relative to green (the headroom gain is common to all
        // three channels).
        let frame_gains = [fc.awb.gains[0] / g, fc.awb.gains[2] / g];
        md.awb_enable = Some(fc.awb.auto);
        md.awb_mode = Some(fc.awb.mode);
        md.colour_gains = Some(frame_gains.map(|v| v as f32));
        md.colour_temperature = Some(fc.awb.temperature_k.round() as i32);
        let Some(m) = stats.and_then(|st| st.awb) else { return };
        if !self.auto {
            return;
        }
        self.now_frame = fc.frame;
        // The frame's colour gains as logarithms, and the zone shading its lens-shading
        // tables apply.
        let frame_log_gains = (frame_gains[0].ln(), frame_gains[1].ln());
        let shading = s.zone_shading.as_deref().filter(|_| fc.lsc.blend.is_some());
        let ae_level = Self::ae_level(stats);
        // The AE level as a scale of brightness: one is added so that a ratio of two never
        // divides by zero (a black frame).
        let brightness = ae_level.map(|l| l + 1.0);
        if let Some(now) = brightness {
            // The gate's pass rate at a floor depends on how bright the scene is: after a
            // jump of the level (a change of brightness the AE has not caught up with yet)
            // the remembered rates would read as greys leaving the gate, a change of light.
            if self.last_level > 0.0 && (now / self.last_level).ln().abs() > LEVEL_JUMP.ln() {
                log::debug!("frame {}: the scene's level went from {:.0} to {now:.0}: the gate's pass rates are learnt again", fc.frame, self.last_level);
                self.locked_pass = [0.0; FLOOR_STEPS];
                self.level_jump_frame = fc.frame;
            }
            self.last_level = now;
        }
        if self.gains_estimated && Self::too_dark(s, fc, ae_level) {
            // The AE has no gain left and the frame is still far below its target: zone and
            // gate means are a few 8-bit codes, biased by noise clipped at black, and the
            // brightest coloured surface is the only zone left above the noise. Hold the
            // estimate made with better light instead of following them, also while
            // re-acquiring (a -4 EV step into the dark after a re-acquisition started
            // followed such a zone to 19 deg).
            return;
        }
        self.since_rescan = self.since_rescan.saturating_add(1);
        // Zone means the matrix clipped are refused, except while re-acquiring under gains
        // that may be far off (then they are the only evidence there is).
        let saturated = if self.reacquiring && fc.awb.zone.is_some() { ROUGH_SATURATED } else { SATURATED };
        let rough = Self::camera_colour(fc, m.y_or_g, m.cb_or_b, m.cr_or_r);
        let colour = rough.filter(|(_, s, _)| *s >= saturated).map(|(c, _, _)| c);
        let jitter = rough.map_or(0.0, |(_, _, j)| j);
        let window = Self::window(s, fc.awb.zone);
        let window_pixels = window.h_size as f64 * window.v_size as f64;
        let passed = m.count as f64 / window_pixels.max(1.0);
        let mut grey = None;
        // The near-grey gate's floor step and pass rate, when it found greys.
        let mut fc_step = None;
        match fc.awb.zone {
            Some(_) if passed > WINDOW_OVERFLOW => {
                // More pixels than the zone holds: these statistics were measured with
                // another frame's configuration (params applied to a different frame than
                // the one they were prepared for). Using them would scramble the zones.
                if !self.mismatch_warned {
                    log::warn!(
                        "frame {}: the AWB measurement counted {} pixels in a zone of {window_pixels:.0}: statistics and params are out of step, skipping such frames",
                        fc.frame,
                        m.count
                    );
                    self.mismatch_warned = true;
                }
                return;
            }
            Some(z) => {
                // Weight: how much of the zone is usable, times its exposure (8-bit means
                // of dark zones are coarse).
                let level = (m.y_or_g as f64 - 16.0).max(0.0);
                let log_level = level.max(1.0).ln();
                // Back to before lens shading correction (what the zone is without the
                // tables of this frame).
                let lsc = match (&s.zone_shading, fc.lsc.blend) {
                    (Some(sh), Some(bl)) => sh.colour(bl, z as usize),
                    _ => (0.0, 0.0),
                };
                let new = match colour {
                    Some((r, b)) if passed > 0.05 => Zone {
                        log_r: r.ln() - lsc.0,
                        log_b: b.ln() - lsc.1,
                        weight: passed * (level / 16.0).min(1.0),
                        jitter,
                        log_level,
                        valid: true,
                        epoch: self.epoch,
                        frame: fc.frame,
                        log_gains: frame_log_gains,
                    },
                    _ => Zone::default(),
                };
                // The same zone under about the same gains should read the same: if it
                // moved, the scene or the light changed. Two zones that moved by the same
                // ratio, to a light on the locus, are a change of light: every zone moves
                // with it at once (dead-beat re-acquisition, no rescan).
                let old = self.zones[z as usize];
                let mut light_change = None;
                // A zone the matrix now clips still tells roughly how far the light moved.
                let rough = rough.map(|(c, _, _)| c).filter(|_| passed > 0.05);
                // After a collapse of the gate any stored zone is compared, whatever scan it
                // came from: the zones measured on the frames already in flight then tell a
                // change of light without waiting for one scheduled after the collapse.
                let pending = self.collapse_pending > 0;
                let current = old.epoch == self.epoch || pending;
                if let (true, Some((r, b)), true) = (old.valid, rough, current) {
                    // Under another exposure (the AE still settling, a change of brightness)
                    // other channels clip, at black or at full scale: no comparison.
                    // After a collapse of the gate the level is not compared: a change of
                    // light changes the level of a coloured zone too (a blue one under
                    // daylight after tungsten), and the move must land on a light anyway.
                    let same_gains = if pending { COLLAPSE_SAME_GAINS } else { SAME_GAINS };
                    let comparable = ln_distance(old.log_gains, frame_log_gains) < same_gains && (pending || (old.log_level - log_level).abs() < SAME_LEVEL);
                    let d = (r.ln() - lsc.0 - old.log_r, b.ln() - lsc.1 - old.log_b);
                    // After a collapse of the gate, smaller moves count: the gate says the
                    // light moved, the zone says by how much.
                    let threshold = if self.collapse_pending > 0 { PENDING_ZONE_CHANGED } else { ZONE_CHANGED };
                    // A move within the 8-bit means' own jitter is no move.
                    let threshold = threshold.max(JITTER_CODES * (old.jitter + jitter));
                    log::trace!("frame {}: zone {z} moved ({:.3}, {:.3}), threshold {threshold:.3}, comparable {comparable}", fc.frame, d.0, d.1);
                    if comparable && d.0.abs().max(d.1.abs()) > threshold {
                        self.zone_changes = self.zone_changes.saturating_add(1);
                        match self.moved {
                            // After a collapse of the gate one zone is evidence enough.
                            _ if self.collapse_pending > 0 => light_change = Some((z, d)),
                            Some((i, p)) if i != z && ln_distance(d, p) < SAME_SHIFT => {
                                light_change = Some((i, ((d.0 + p.0) / 2.0, (d.1 + p.1) / 2.0)));
                            }
                            _ => self.moved = Some((z, d)),
                        }
                    } else {
                        self.zone_changes = 0;
                        self.moved = None;
                    }
                }
                self.zones[z as usize] = new;
                let light_change = light_change.filter(|(_, d)| self.light_plausible(*d));
                let compared = old.valid && current && rough.is_some();
                let waited = fc.frame > self.collapse_frame + COLLAPSE_WAIT;
                if self.collapse_pending > 0 && light_change.is_none() && (compared || waited) {
                    // The zone did not move with a light (or could not be compared): after
                    // a second such frame, forget the old light's zones and re-acquire.
                    self.collapse_pending = if waited { 0 } else { self.collapse_pending - 1 };
                    if self.collapse_pending == 0 && self.collapse_pass >= PARTIAL_PASS {
                        // Fewer greys, but greys still at the gate's centre: a surface covered
                        // part of them (a change of light leaves next to none). The gains
                        // stand; the zones are measured again for the new scene.
                        log::debug!("frame {}: fewer greys pass and no zone moved with a light: the scene changed, rescanning", fc.frame);
                        self.rescan();
                        self.zones[z as usize].epoch = self.epoch;
                    } else if self.collapse_pending == 0 {
                        log::debug!("frame {}: the greys left the gate and no zone moved with a light: re-acquiring", fc.frame);
                        self.restart_scan();
                        self.reacquiring = true;
                        self.zones[z as usize] = Zone { epoch: self.epoch, ..new };
                    }
                }
                if let Some((other, d)) = light_change {
                    self.last_shift = Some(LightShift { d, frame: fc.frame, zones: (other, z), log_gains_before: (self.gains[0].ln(), self.gains[1].ln()) });
                    self.collapse_pending = 0;
                    log::debug!("frame {}: zones {other} and {z} moved alike by ({:.3}, {:.3}): the light changed", fc.frame, d.0, d.1);
                    self.shift_zones(d, (other, z), u32::MAX);
                    self.zone_changes = 0;
                    self.moved = None;
                    self.grey_trusted = false;
                    self.suspect = 0;
                    self.shifted = SHIFT_HOLD;
                    // What the gate ruled out was judged under the old light.
                    self.ruled_out_until = [0; CANDIDATES];
                    self.rulings_until = 0;
                    self.refine_until = fc.frame + REFINE_FRAMES;
                    // The moved table is approximate (the matrix and the lens-shading tables
                    // change with the light): the near-grey gate refines it, from the low
                    // floors where the greys of any scene pass.
                    self.luma_floor = LUMA_FLOOR_REFINE;
                } else if self.zone_changes >= 2 {
                    log::debug!("frame {}: zones changed under the same gains: rescanning", fc.frame);
                    self.zone_changes = 0;
                    self.moved = None;
                    self.rescan();
                    self.zones[z as usize].epoch = self.epoch;
                }
                log::trace!("frame {}: zone {z}: {:?} YCbCr {} {} {} passed {passed:.2}", fc.frame, self.zones[z as usize], m.y_or_g, m.cb_or_b, m.cr_or_r);
                self.zone_estimate = self.vote(shading);
                self.estimated |= self.zone_estimate.is_some();
                self.gains_estimated |= self.estimated;
            }
            None if fc.awb.wide_gate => {
                if self.estimated {
                    return;
                }
                let Some((r, b)) = colour.filter(|_| passed >= MIN_PASS_FRACTION) else {
                    // Measured under the gains in force (not a frame still in flight from
                    // before the latest try) and exposed well: no grey is anywhere near them.
                    let exposed = ae_level.is_some_and(|l| l >= HUNT_LEVEL) && self.level_settled(fc.frame);
                    log::trace!("frame {}: the wide gate passed {passed:.4} at AE level {ae_level:?}", fc.frame);
                    if exposed && log_distance((frame_gains[0], frame_gains[1]), (self.gains[0], self.gains[1])) < AGREE {
                        self.hunt_next(latest);
                    }
                    return;
                };
                self.hunt_tries = 0;
                let (target, ct) = self.target_from(r, b);
                log::debug!(
                    "frame {}: wide gate {} px YCbCr {} {} {} -> camera r/g {r:.3} b/g {b:.3} -> gains {:.3} {:.3} at {ct:.0} K",
                    fc.frame,
                    m.count,
                    m.y_or_g,
                    m.cb_or_b,
                    m.cr_or_r,
                    target[0],
                    target[1]
                );
                self.set_gains(target, ct, 1.0, latest);
                return;
            }
            None => {
                let (f, level) = (fc.awb.luma_floor, m.y_or_g as f64 - 16.0);
                log::trace!("frame {}: near-grey gate at floor {f:.0}: {passed:.4} of the window, YCbCr {} {} {}", fc.frame, m.y_or_g, m.cb_or_b, m.cr_or_r);
                // The floor sweeps upwards through the grey populations of the scene and
                // wraps around: each level gives a sample when its greys lie well above it.
                // A high floor that passes nothing has no greys above it: wrapping at once
                // spends the gate frames where greys are (and where a change of light shows).
                let (empty, low_floor) = (passed < MIN_PASS_FRACTION, f <= LUMA_FLOOR_EMPTY);
                let above_greys = empty && !low_floor;
                self.luma_floor = if f * LUMA_FLOOR_UP <= LUMA_FLOOR_MAX && !above_greys { f * LUMA_FLOOR_UP } else { LUMA_FLOOR_MIN };
                if passed >= MIN_PASS_FRACTION {
                    if f <= LUMA_FLOOR_MARGIN * level {
                        grey = colour.map(|c| (c, level));
                    } else {
                        // The floor cuts through the population it found: selecting on Y
                        // keeps the pixels with high G noise and tints the mean.
                        log::trace!("frame {}: near-grey floor {f:.0} cuts the population at {level:.0}", fc.frame);
                    }
                }
                // At the lowest floors the greys of any scene pass; a gate that stays nearly
                // empty there means the greys are not where the gains put them (the light
                // changed): a miss, not a frame without evidence.
                let step = ((f / LUMA_FLOOR_MIN).ln() / LUMA_FLOOR_UP.ln()).round().clamp(0.0, (FLOOR_STEPS - 1) as f64) as usize;
                let remembered = self.locked_pass[step];
                // A gate at a low floor that empties under trusted gains, with no change of
                // brightness to explain it, collapsed too, even where no pass rate is
                // remembered yet (the sweep had not reached that floor since the last scan).
                // So does a gate at a floor well below the level of a large grey population it
                // found while trusted: after a change of light the sweep is often at a floor
                // where no pass rate is remembered yet, and it would take the frames in
                // flight and a wrap to the low floors to notice.
                let below_population = self.grey_population.is_some_and(|g| {
                    let now = brightness.unwrap_or(g.brightness);
                    g.fraction >= GATE_LEADS_FRACTION && f <= LUMA_FLOOR_MARGIN * g.level * now / g.brightness
                });
                let emptied = self.grey_trusted && empty && (low_floor || below_population) && self.level_settled(fc.frame);
                // Not trusted, the gate is empty at a low floor of a well-exposed frame: no
                // greys where the gains put them, so the vote's winner was a coloured surface
                // (or zones mixing several). Its light is ruled out for a while and the next
                // vote tries the runner-up, which the gate then tests in turn.
                let well_exposed = ae_level.is_some_and(|l| l >= RULING_LEVEL * f);
                if !self.grey_trusted && self.estimated && empty && low_floor && well_exposed && self.level_settled(fc.frame) && self.collapse_pending == 0 {
                    self.rule_out(frame_log_gains, fc.frame);
                }
                let collapsed = emptied || (remembered > 0.0 && passed < PASS_KEPT * remembered);
                if let Some(shift) = self.last_shift {
                    // A change of light moves the greys with the zones: under the gains
                    // from before the move, the gate then misses them. Two zones can also
                    // move alike when one surface came to cover both (their values were
                    // from an earlier pass of the scan); the greys then still fill the gate
                    // under the old gains, and the move is undone.
                    let before = ((-shift.log_gains_before.0).exp(), (-shift.log_gains_before.1).exp());
                    let under_old_gains = ln_distance(frame_log_gains, shift.log_gains_before) < SAME_GAINS;
                    let greys_stayed = grey.is_some_and(|(e, _)| log_distance(e, before) < TRUST) && passed >= GATE_LEADS_FRACTION && !collapsed;
                    if under_old_gains && greys_stayed {
                        self.undo_shift(shift, fc.frame, shading);
                    } else if fc.frame > shift.frame + REFINE_FRAMES {
                        self.last_shift = None;
                    }
                }
                if collapsed {
                    log::debug!("frame {}: near-grey gate at floor {f:.0} passed {passed:.4}, {remembered:.4} while trusted", fc.frame);
                    grey = None;
                    if self.since_rescan >= COLLAPSE_COOLDOWN && self.collapse_pending == 0 {
                        // The greys left the gate they filled: the light (or the scene)
                        // changed. The next re-measured zones tell which: one that moved to
                        // a light moves the whole table; otherwise the zones of the old light
                        // are forgotten and zones the matrix clips are accepted until the
                        // greys are back in the gate.
                        log::debug!("frame {}: the greys left the gate", fc.frame);
                        self.collapse_pending = COLLAPSE_ZONES;
                        self.collapse_frame = fc.frame;
                        self.collapse_pass = passed;
                        self.grey_trusted = false;
                        return;
                    }
                }
                if !collapsed && grey.is_none() && passed >= GATE_LEADS_FRACTION && self.grey_trusted {
                    // A floor that cuts through the greys gives no estimate, but how much it
                    // passes under trusted gains is remembered all the same: after a change
                    // of light that finds the sweep at such a floor, an empty gate there is
                    // the first sign (the sweep would otherwise wrap to the low floors first).
                    // Only a large population: the pass rate of a few highlights at the
                    // floor swings with every small change of exposure.
                    self.remember_pass(step, passed);
                }
                if grey.is_none() && !collapsed && !(empty && low_floor) {
                    return;
                }
                if grey.is_some() {
                    fc_step = Some((step, passed));
                }
            }
        }
        let Some((zr, zb)) = self.zone_estimate else { return };
        // The near-grey gate refines the zone scan when the two agree. Right after the zone
        // table moved with a change of light, the table is only as good as that move (a
        // dark zone read on a darker frame moved it 0.1 too far towards blue): greys anywhere
        // in the gate's widened window count.
        let trust = if fc.frame <= self.refine_until { TRUST * REFINE_WIDEN } else { TRUST };
        let agrees = |e: (f64, f64)| log_distance(e, (zr, zb)) < trust;
        // Zones mix a grey background with the coloured surfaces beside it (a large
        // surface leaves few pure grey zones), which tips the vote off the light; the gate
        // sees pixels. A large grey population it finds at a plausible light off the zones'
        // estimate is followed: centred there, the gate finds the same greys again.
        // Once leading, a smaller population at the gate's own centre (greys at the
        // level the floor sweeps through) confirms it.
        let balanced = (1.0 / self.gains[0], 1.0 / self.gains[1]);
        let at_centre = |e: (f64, f64)| log_distance(e, balanced) < TRUST;
        let gate_leads = grey.is_some_and(|(e, _)| {
            !agrees(e)
                && (passed >= GATE_LEADS_FRACTION || (self.grey_trusted && at_centre(e)))
                && self.light_plausible(((e.0 * self.gains[0]).ln(), (e.1 * self.gains[1]).ln()))
                && !self.refuted.is_some_and(|(light, until)| fc.frame < until && log_distance(e, light) < TRUST)
        });
        if gate_leads {
            log::debug!("frame {}: the near-grey gate leads: {passed:.3} of the frame off the zones' estimate", fc.frame);
        }
        let mut weight = 1.0;
        let (r, b) = match (fc.awb.zone, grey) {
            (None, Some((e, level))) if agrees(e) || gate_leads => {
                self.grey_trusted = true;
                self.suspect = 0;
                self.reacquiring = false;
                // While the gate holds greys at the gains, the lights it ruled out stay ruled
                // out: when a ruling lapsed the zones would vote the surface back.
                if self.rulings_until > fc.frame {
                    for until in self.ruled_out_until.iter_mut().filter(|u| **u > fc.frame) {
                        *until = fc.frame + RULING_FRAMES;
                    }
                    self.rulings_until = fc.frame + RULING_FRAMES;
                }
                if let Some((step, passed)) = fc_step {
                    self.remember_pass(step, passed);
                }
                self.grey_population = brightness.map(|brightness| GreyPopulation { level, fraction: passed, brightness });
                // Dark samples are coarse (8-bit means): they move the gains less.
                weight = (level / 64.0).clamp(0.25, 1.0);
                e
            }
            (None, _) => {
                log::debug!("frame {}: no near-grey estimate agreeing with the zone scan", fc.frame);
                self.grey_trusted = false;
                // Right after a change of brightness the gate misses because the AE has
                // not caught up (clipped or black frames), not because the light moved.
                if self.level_settled(fc.frame) {
                    self.suspect = self.suspect.saturating_add(1);
                }
                if self.suspect >= SUSPECT_FRAMES && self.scan >= FIRST_SCAN && self.since_rescan >= RESCAN_COOLDOWN {
                    log::debug!("frame {}: greys are not where the zones say: rescanning", fc.frame);
                    self.rescan();
                }
                return;
            }
            (Some(_), _) => {
                let near = log_distance(balanced, (zr, zb)) < GATE_HOLDS;
                // A gate that holds a large grey population at its centre keeps the gains
                // however far the zones vote: surfaces entering the frame fill zones with a
                // colour that looks like another light's grey (a surface entering voted 3905 K
                // under D65 while the gate held 17% of the frame in greys, seed
                // 7140563194879471879). A change of light empties the gate instead.
                let holds_many = self.locked_pass.iter().any(|&p| p >= GATE_LEADS_FRACTION);
                if self.grey_trusted && (near || holds_many) {
                    return;
                }
                (zr, zb)
            }
        };
        let (target, ct) = self.target_from(r, b);
        let change = log_distance((target[0], target[1]), (frame_gains[0], frame_gains[1]));
        log::debug!(
            "frame {}: AWB {:?} {} px (floor {:.0}) YCbCr {} {} {} -> camera r/g {r:.3} b/g {b:.3} -> gains {:.3} {:.3} at {ct:.0} K (change {change:.3})",
            fc.frame,
            fc.awb.zone,
            m.count,
            fc.awb.luma_floor,
            m.y_or_g,
            m.cb_or_b,
            m.cr_or_r,
            target[0],
            target[1]
        );
        // The estimate is absolute: follow it fully when far off, smooth noise when close.
        // Right after the zone table moved with a change of light the gains are only as
        // good as that move: the gate's first estimates of the greys are followed fully.
        let refining = fc.awb.zone.is_none() && fc.frame <= self.refine_until;
        let sp = if change > AGREE || refining { 1.0 } else { self.speed * weight };
        let shifted = self.shifted > 0;
        self.shifted = self.shifted.saturating_sub(1);
        if change > RESCAN_CHANGE && self.scan >= FIRST_SCAN && !shifted {
            // A large move changes how every zone looks (gains, colour matrix, lens-shading
            // tables): measure them all again on consecutive frames.
            log::debug!("frame {}: gains moved by {change:.2}: scanning the zones again", fc.frame);
            self.scan = 0;
        }
        self.set_gains(target, ct, sp, latest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The IMX258 curve of our tuning file.
    const CURVE: &str = "colourGains:
  - { ct: 2856, gains: [1.195, 2.523] }
  - { ct: 4000, gains: [1.363, 1.893] }
  - { ct: 5003, gains: [1.846, 1.540] }
  - { ct: 6504, gains: [1.950, 1.306] }
";

    fn awb(extra: &str) -> Awb {
        let v: serde_norway::Value = serde_norway::from_str(&format!("{CURVE}{extra}")).unwrap();
        Awb::from_tuning(&Params::new("test.yaml", "Awb", &v).unwrap()).unwrap()
    }

    /// Camera grey (r/g, b/g) that `awb` would balance at `ct` offset by `d` along the
    /// curve's green normal.
    fn off_curve(awb: &Awb, ct: f64, d: f64) -> (f64, f64) {
        let c = awb.curve.as_ref().unwrap();
        let (r, b) = c.white_point(ct);
        let (nr, nb) = c.green_normal(ct);
        (r + d * nr, b + d * nb)
    }

    /// Distance of the grey the gains balance from the curve point at `ct`.
    fn distance(gains: [f64; 2], (r, b): (f64, f64)) -> f64 {
        ((1.0 / gains[0] - r).powi(2) + (1.0 / gains[1] - b).powi(2)).sqrt()
    }

    /// An Awb whose zones sit at two lights of the curve: `surface` zones at the first
    /// (a large pale surface that looks grey under it), `grey` zones at the second.
    fn two_clusters(surface: (f64, usize), grey: (f64, usize)) -> Awb {
        let mut a = awb("");
        a.build_candidates(None);
        let c = a.curve.clone().unwrap();
        let mut i = 0;
        for (ct, n) in [surface, grey] {
            let (r, b) = c.white_point(ct);
            for _ in 0..n {
                a.zones[i] = Zone { log_r: r.ln(), log_b: b.ln(), weight: 1.0, valid: true, epoch: a.epoch, ..Zone::default() };
                i += 1;
            }
        }
        a
    }

    #[test]
    fn the_vote_follows_the_zone_majority() {
        let mut a = two_clusters((3000.0, 8), (6000.0, 5));
        let (r, b) = a.vote(None).unwrap();
        let (ct, _, _) = a.curve.as_ref().unwrap().project(r, b, 2856.0, 6504.0);
        assert!((ct - 3000.0).abs() < 100.0, "voted {ct:.0} K");
    }

    #[test]
    fn a_light_without_greys_in_the_gate_loses_the_vote_for_a_while() {
        let mut a = two_clusters((3000.0, 8), (6000.0, 5));
        let curve = a.curve.clone().unwrap();
        let (wr, wb) = curve.white_point(3000.0);
        // The gains balanced the surface's light and the gate found no greys there.
        a.now_frame = 40;
        a.rule_out((-wr.ln(), -wb.ln()), 40);
        let (r, b) = a.vote(None).unwrap();
        let (ct, _, _) = curve.project(r, b, 2856.0, 6504.0);
        assert!((ct - 6000.0).abs() < 150.0, "voted {ct:.0} K with 3000 K ruled out");
        // The ruling expires: the zones decide alone again.
        a.now_frame = 40 + RULING_FRAMES + 1;
        let (r, b) = a.vote(None).unwrap();
        let (ct, _, _) = curve.project(r, b, 2856.0, 6504.0);
        assert!((ct - 3000.0).abs() < 100.0, "voted {ct:.0} K after the ruling expired");
        // A forgotten scene forgets its rulings.
        a.rule_out((-wr.ln(), -wb.ln()), a.now_frame);
        a.restart_scan();
        assert!(a.ruled_out_until.iter().all(|u| *u == 0));
    }

    #[test]
    fn the_green_normal_points_to_lower_ratios() {
        let a = awb("");
        for ct in [3000.0, 4200.0, 5500.0, 6400.0] {
            let (nr, nb) = a.curve.as_ref().unwrap().green_normal(ct);
            assert!(nr < 0.0 && nb < 0.0, "{ct} K: normal ({nr}, {nb})");
            assert!(((nr * nr + nb * nb).sqrt() - 1.0).abs() < 1e-9);
        }
    }

    #[test]
    fn lights_are_followed_further_to_the_green_side_than_to_the_magenta_side() {
        let a = awb("");
        assert_eq!(a.transverse, Transverse { green: 0.12, magenta: 0.05 });
        let c = a.curve.as_ref().unwrap();
        // A fluorescent-like light 0.10 to the green side is followed as it is.
        let green = off_curve(&a, 4300.0, 0.10);
        let (gains, _) = a.target_from(green.0, green.1);
        assert!(distance(gains, green) < 1e-3, "green side moved: {gains:?}");
        // The same distance to the magenta side is pulled back to the magenta allowance.
        let magenta = off_curve(&a, 4300.0, -0.10);
        let (gains, ct) = a.target_from(magenta.0, magenta.1);
        let on_curve = c.white_point(ct);
        let d = distance(gains, on_curve);
        assert!((d - 0.05).abs() < 5e-3, "magenta side kept {d:.3} off the curve");
    }

    #[test]
    fn transverse_keys_set_each_side() {
        let a = awb("transverseGreen: 0.2\ntransverseMagenta: 0.01\n");
        assert_eq!(a.transverse, Transverse { green: 0.2, magenta: 0.01 });
        let a = awb("transverse: 0.08\n");
        assert_eq!(a.transverse, Transverse { green: 0.08, magenta: 0.08 });
        // libcamera's keys are a floor on both sides.
        let a = awb("transversePos: 0.07\ntransverseNeg: 0.02\n");
        assert_eq!(a.transverse, Transverse { green: 0.12, magenta: 0.07 });
        let bad: serde_norway::Value = serde_norway::from_str(&format!("{CURVE}transverseGreen: -1\n")).unwrap();
        assert!(Awb::from_tuning(&Params::new("test.yaml", "Awb", &bad).unwrap()).is_err());
    }

    #[test]
    fn projection_finds_the_nearest_curve_point_within_the_range() {
        let a = awb("");
        let c = a.curve.as_ref().unwrap();
        // A point on the curve projects onto itself (to the search's step of 400).
        let (r, b) = c.white_point(4500.0);
        let (ct, pr, pb) = c.project(r, b, 2856.0, 6504.0);
        assert!((ct - 4500.0).abs() <= (6504.0 - 2856.0) / 400.0, "ct {ct}");
        assert!((pr - r).abs() < 2e-3 && (pb - b).abs() < 2e-3);
        // Off the curve along its normal: back to the same point.
        let (nr, nb) = c.green_normal(4500.0);
        let (ct, _, _) = c.project(r + 0.05 * nr, b + 0.05 * nb, 2856.0, 6504.0);
        assert!((ct - 4500.0).abs() < 60.0, "ct {ct}");
        // Beyond the allowed range: the range's end.
        let (r, b) = c.white_point(6000.0);
        let (ct, pr, pb) = c.project(r, b, 3000.0, 5000.0);
        assert_eq!(ct, 5000.0);
        assert_eq!((pr, pb), c.white_point(5000.0));
    }
}
