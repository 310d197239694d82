//! The robustness suite: closed-loop runs on random scenes under random light, on both
//! sensors and params formats, with and without module variation, each with at most one
//! event after convergence, and the figures that tell whether AWB and AE hold up.
//!
//! Every run is drawn from its own seed (derived from the suite's seed and the run's index)
//! and from nothing else but the options that pin a dimension (sensor, params format,
//! variation), so `sim robustness --only SEED --sensor S --format F --variation on|off`
//! repeats one run exactly.
//!
//! What a run draws: the sensor; the params format; module variation or not (see
//! [`crate::variation`]); a random scene ([`crate::random_scene`]); the light, half the
//! time one of the five named illuminants and otherwise a colour temperature on the
//! locus, uniform in mired; the scene brightness, 0.5 × 2^u with u uniform in [−7, 3] (ten
//! stops around the report's 0.5); and one of four cases for frame 30–45: nothing, a ±4 EV
//! brightness step, a change between two named illuminants (the run then starts under a
//! named one), or a coloured surface entering or leaving the frame.

use crate::metrics::{frames_to_neutral, neutral_deg_per_patch, step_response, stuck, worst, SettledExposure, CONVERGED_DEG, NEUTRAL_FRAMES};
use crate::random_scene::RandomScene;
use crate::run::{run, Event, FrameRecord, RunConfig, RunResult};
use crate::scenarios::{self, ILLUMINANTS};
use crate::sensor::SensorModel;
use crate::variation::Variation;
use anyhow::Result;
use rand::{rngs::StdRng, Rng, SeedableRng};
use rkisp1_ipa::abi::ParamFormat;
use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub const SENSORS: [&str; 2] = ["imx258", "ov8858"];
/// Frames per run: cold start, an event after frame 30–45, and time to settle again.
pub const FRAMES: usize = 90;
/// Frames in which the event happens: after the cold start has converged.
pub const EVENT_FRAMES: RangeInclusive<usize> = 30..=45;
/// A run is stuck when its neutral error exceeds this on each of the last
/// [`STUCK_FRAMES`] frames.
pub const STUCK_DEG: f64 = 5.0;
pub const STUCK_FRAMES: usize = 20;
/// Size of the suite's brightness steps (EV).
pub const STEP_EV: f64 = 4.0;

/// Dimensions of the suite pinned on the command line; the others are drawn per run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Every run on this sensor.
    pub sensor: Option<&'static str>,
    /// Every run with this params format.
    pub format: Option<ParamFormat>,
    /// Module variation on every run (`Some(true)`) or on none (`Some(false)`).
    pub variation: Option<bool>,
}

/// The event of a run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseEvent {
    Brightness {
        ev: f64,
    },
    /// From the run's (named) illuminant to another named one.
    Illuminant {
        to: String,
    },
    /// A coloured surface enters (or leaves) the frame.
    Surface {
        enters: bool,
    },
}

/// Everything one run of the suite uses.
#[derive(Debug, Clone)]
pub struct Case {
    pub seed: u64,
    pub sensor: &'static str,
    pub format: ParamFormat,
    pub variation: Option<Variation>,
    pub scene_seed: u64,
    /// The surface of a surface event.
    pub surface_seed: u64,
    pub illuminant: String,
    pub brightness: f64,
    pub event: Option<(usize, CaseEvent)>,
}

/// The seed of run `index` of the suite with seed `suite_seed`.
pub fn run_seed(suite_seed: u64, index: u64) -> u64 {
    StdRng::seed_from_u64(suite_seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15)).gen()
}

pub fn format_name(f: ParamFormat) -> &'static str {
    match f {
        ParamFormat::Fixed => "fixed",
        ParamFormat::Extensible => "ext",
    }
}

impl Case {
    pub fn draw(seed: u64, opts: &Options) -> Case {
        let mut rng = StdRng::seed_from_u64(seed);
        // Every value is drawn whatever the options, so that pinning the sensor or the
        // variation leaves the rest of the run as it was.
        let sensor = opts.sensor.unwrap_or(SENSORS[rng.gen_range(0..SENSORS.len())]);
        let nominal = SensorModel::by_name(sensor).expect("known sensor");
        let format = opts.format.unwrap_or(if rng.gen_bool(0.5) { ParamFormat::Fixed } else { ParamFormat::Extensible });
        let varied = opts.variation.unwrap_or(rng.gen_bool(0.5));
        let (variation_seed, scene_seed, surface_seed) = (rng.gen(), rng.gen(), rng.gen());
        let brightness = 0.5 * 2f64.powf(rng.gen_range(-7.0..=3.0));
        let first = rng.gen_range(0..ILLUMINANTS.len());
        let second = (first + rng.gen_range(1..ILLUMINANTS.len())) % ILLUMINANTS.len();
        let (warmest, coolest) = nominal.locus_range();
        let mired: f64 = rng.gen_range(1e6 / coolest..=1e6 / warmest);
        let ct = (1e6 / mired).round().clamp(warmest.ceil(), coolest.floor());
        let light = if rng.gen_bool(0.5) { ILLUMINANTS[first].to_string() } else { format!("{ct}K") };
        let frame = rng.gen_range(EVENT_FRAMES);
        let (kind, up) = (rng.gen_range(0..4), rng.gen_bool(0.5));
        let (illuminant, event) = match kind {
            0 => (light, None),
            1 => (light, Some(CaseEvent::Brightness { ev: if up { STEP_EV } else { -STEP_EV } })),
            2 => (ILLUMINANTS[first].to_string(), Some(CaseEvent::Illuminant { to: ILLUMINANTS[second].into() })),
            _ => (light, Some(CaseEvent::Surface { enters: up })),
        };
        Case {
            seed,
            sensor,
            format,
            variation: varied.then(|| Variation::draw(variation_seed, &nominal)),
            scene_seed,
            surface_seed,
            illuminant,
            brightness,
            event: event.map(|e| (frame, e)),
        }
    }

    pub fn config(&self) -> Result<RunConfig> {
        let mut c = scenarios::base(self.sensor, "chart", &self.illuminant, FRAMES)?;
        if let Some(v) = &self.variation {
            c.sensor = v.apply(&c.sensor);
        }
        c.format = self.format;
        c.brightness = self.brightness;
        c.seed = self.seed;
        let scene = RandomScene::generate(self.scene_seed);
        c.scene = scene.render();
        if let Some((f, e)) = &self.event {
            let event = match e {
                CaseEvent::Brightness { ev } => Event::Brightness(2f64.powf(*ev)),
                CaseEvent::Illuminant { to } => Event::Illuminant(to.clone()),
                CaseEvent::Surface { enters } => {
                    let (without, with) = scene.surface_pair(self.surface_seed);
                    let (before, after) = if *enters { (without, with) } else { (with, without) };
                    c.scene = before;
                    Event::Scene(after)
                }
            };
            c.events.push((*f, event));
        }
        Ok(c)
    }

    /// The command line that repeats this run alone.
    pub fn repro(&self) -> String {
        let variation = if self.variation.is_some() { "on" } else { "off" };
        format!("sim robustness --only {} --sensor {} --format {} --variation {variation}", self.seed, self.sensor, format_name(self.format))
    }

    pub fn event_text(&self) -> String {
        match &self.event {
            None => "none".into(),
            Some((f, CaseEvent::Brightness { ev })) => format!("{ev:+} EV at {f}"),
            Some((f, CaseEvent::Illuminant { to })) => format!("{} → {to} at {f}", self.illuminant),
            Some((f, CaseEvent::Surface { enters })) => format!("surface {} at {f}", if *enters { "enters" } else { "leaves" }),
        }
    }
}

/// How the run went after its event.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventOutcome {
    /// A brightness step: frames until the mean luminance is within ±5% of its settled
    /// value and stays there, and the overshoot past it (fraction).
    Brightness { settle_frames: usize, overshoot: f64 },
    /// An illuminant change or a surface event: frames until the neutral error is within
    /// [`CONVERGED_DEG`] and stays there (`None`: not by the end of the run).
    Neutral { frames_to_converged: Option<usize> },
}

/// The figures of one run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Outcome {
    pub seed: u64,
    pub sensor: &'static str,
    pub format: &'static str,
    /// Seed of the module variation, if any.
    pub variation: Option<u64>,
    pub scene: String,
    pub illuminant: String,
    pub brightness: f64,
    /// The event and its frame.
    pub event: Option<(usize, CaseEvent)>,
    pub event_text: String,
    pub repro: String,
    pub neutral_patches: usize,
    /// Those bright enough to measure at the end (see `metrics::MEASURABLE_LUMINANCE`); a
    /// run with none is left out of the neutral figures.
    pub measured_patches: usize,
    /// Neutral error at convergence: the largest angle over the measured neutral patches,
    /// each averaged over the last 10 frames (as `metrics::final_neutral_deg`).
    pub final_deg: f64,
    /// The patch with that error (0 = white, counting the visible neutral patches).
    pub worst_patch: usize,
    /// The same over the 10 frames before the event.
    pub before_event_deg: Option<f64>,
    /// Frames from the start until the per-frame neutral error is within
    /// [`CONVERGED_DEG`] and stays there until the event (`None`: it is not by then).
    pub cold_start_frames: Option<usize>,
    pub event_outcome: Option<EventOutcome>,
    pub stuck: bool,
    /// The exposure state at the end, for a run whose scene is then too dim for 15 fps at
    /// unity gain.
    pub low_light: Option<SettledExposure>,
}

/// Run one case; also returns the run itself (records, pictures).
pub fn run_case(case: &Case) -> Result<(Outcome, RunResult)> {
    let cfg = case.config()?;
    let r = run(&cfg, |_| {})?;
    Ok((evaluate(case, &cfg, &r.records), r))
}

fn evaluate(case: &Case, cfg: &RunConfig, recs: &[FrameRecord]) -> Outcome {
    let event_frame = case.event.as_ref().map(|(f, _)| *f);
    let quiet_end = event_frame.unwrap_or(recs.len());
    let per_patch = neutral_deg_per_patch(&recs[recs.len().saturating_sub(NEUTRAL_FRAMES)..]);
    let (worst_patch, final_deg) =
        per_patch.iter().enumerate().filter_map(|(i, d)| d.map(|d| (i, d))).fold((0, 0.0), |a, (i, d)| if d > a.1 { (i, d) } else { a });
    let event_outcome = case.event.as_ref().map(|(f, e)| match e {
        CaseEvent::Brightness { .. } => {
            let s = step_response(recs, *f);
            EventOutcome::Brightness { settle_frames: s.settle_frames, overshoot: s.overshoot }
        }
        _ => EventOutcome::Neutral { frames_to_converged: frames_to_neutral(recs, *f..recs.len(), CONVERGED_DEG) },
    });
    let settled = SettledExposure::of(recs, cfg.sensor.gain(cfg.sensor.gain_code.1));
    Outcome {
        seed: case.seed,
        sensor: case.sensor,
        format: format_name(case.format),
        variation: case.variation.as_ref().map(|v| v.seed),
        scene: RandomScene::generate(case.scene_seed).describe(),
        illuminant: case.illuminant.clone(),
        brightness: case.brightness,
        event: case.event.clone(),
        event_text: case.event_text(),
        repro: case.repro(),
        neutral_patches: per_patch.len(),
        measured_patches: per_patch.iter().flatten().count(),
        final_deg,
        worst_patch,
        before_event_deg: event_frame.map(|f| worst(&neutral_deg_per_patch(&recs[f - NEUTRAL_FRAMES..f]))),
        cold_start_frames: frames_to_neutral(recs, 0..quiet_end, CONVERGED_DEG),
        event_outcome,
        stuck: stuck(recs, STUCK_FRAMES, STUCK_DEG),
        low_light: settled.is_low_light().then_some(settled),
    }
}

/// Run the cases on every core; `progress` sees each outcome as it comes. The outcomes
/// are in the order of the cases.
pub fn run_suite(cases: &[Case], progress: impl Fn(&Outcome) + Sync) -> Result<Vec<Outcome>> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, Result<Outcome>)>> = Mutex::new(Vec::with_capacity(cases.len()));
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(cases.len().max(1));
    std::thread::scope(|sc| {
        for _ in 0..workers {
            sc.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = cases.get(i) else { break };
                let outcome = run_case(case).map(|(o, _)| o);
                if let Ok(o) = &outcome {
                    progress(o);
                }
                done.lock().unwrap().push((i, outcome));
            });
        }
    });
    // (A worker's panic has already been passed on by the scope.)
    let mut done = done.into_inner().unwrap();
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(i, o)| o.map_err(|e| e.context(format!("run {} (seed {})", i, cases[i].seed)))).collect()
}
