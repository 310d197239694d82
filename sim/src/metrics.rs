//! Step-response and neutrality figures computed from a run's frame records.

use crate::run::FrameRecord;
use std::ops::Range;

#[derive(Debug, Clone, serde::Serialize)]
pub struct StepResponse {
    /// Frames after the step until the mean luminance is within ±5% of its settled value
    /// and stays there (0 = the first frame after the step is already within).
    pub settle_frames: usize,
    /// Largest excursion past the settled value, opposite to the initial error (fraction).
    pub overshoot: f64,
    /// Sign changes of the luminance error beyond ±2% after the step.
    pub oscillations: usize,
    pub settled_luminance: f64,
}

pub fn step_response(recs: &[FrameRecord], step: usize) -> StepResponse {
    let settled = crate::output::settled_luminance(recs).max(1e-9);
    let err: Vec<f64> = recs[step..].iter().map(|r| r.mean_luminance / settled - 1.0).collect();
    let mut settle_frames = err.len();
    for j in (0..err.len()).rev() {
        if err[j].abs() > 0.05 {
            break;
        }
        settle_frames = j;
    }
    let dir = err.first().map(|e| e.signum()).unwrap_or(0.0);
    let overshoot = err.iter().map(|e| -dir * e).fold(0.0, f64::max);
    let mut oscillations = 0;
    let mut last = 0.0;
    for e in &err {
        if e.abs() > 0.02 {
            if last != 0.0 && e.signum() != last {
                oscillations += 1;
            }
            last = e.signum();
        }
    }
    StepResponse { settle_frames, overshoot, oscillations, settled_luminance: settled }
}

/// Frames averaged for the steady-state neutrality figure.
pub const NEUTRAL_FRAMES: usize = 10;

/// Neutral error (degrees) under which white balance counts as converged.
pub const CONVERGED_DEG: f64 = 2.0;

/// The longest frame (µs, 15 fps) worth taking while analogue gain is left; a scene that
/// needs a longer exposure at unity gain is a low-light scene.
pub const LOW_LIGHT_FRAME_US: f64 = 66_700.0;

/// The AGC's relative luminance target (its default; the tuning files set none), against
/// which output levels are shown.
pub const AE_TARGET: f64 = 0.16;

/// Steady-state neutral error: the largest angle to the grey axis over the neutral
/// patches, each patch's colour being its mean over the last `n` frames. A simulated patch
/// has a few hundred pixels where the real sensor has tens of thousands, so a single
/// frame's patch mean carries about ten times the real noise; averaging frames (as one
/// does when measuring a chart) brings the measurement's own noise well below the
/// 1° target. AWB jitter is reported separately by [`colour_gain_jitter`].
pub fn final_neutral_deg(recs: &[FrameRecord], n: usize) -> f64 {
    worst(&neutral_deg_per_patch(&recs[recs.len().saturating_sub(n)..]))
}

/// Mean linear output luminance below which a neutral patch is not measured: it carries
/// too little signal to have a colour. The black patch of a chart exposed to the AE's
/// target sits at about 3%; frames the AE cannot bring up to its target (no gain left)
/// darken the patches until their means are noise clipped at black and 8-bit steps, whose
/// angle to the grey axis says nothing about white balance.
pub const MEASURABLE_LUMINANCE: f64 = 0.02;

/// Angle to the grey axis of each neutral patch's mean colour over `frames`, white to
/// black; `None` for a patch darker than [`MEASURABLE_LUMINANCE`].
pub fn neutral_deg_per_patch(frames: &[FrameRecord]) -> Vec<Option<f64>> {
    deg_per_patch(frames, |r| &r.neutral_rgb)
}

/// The same from the frames rendered without noise ([`FrameRecord::neutral_rgb_noiseless`]).
pub fn noiseless_deg_per_patch(frames: &[FrameRecord]) -> Vec<Option<f64>> {
    deg_per_patch(frames, |r| &r.neutral_rgb_noiseless)
}

fn deg_per_patch(frames: &[FrameRecord], rgb: impl Fn(&FrameRecord) -> &[[f64; 3]]) -> Vec<Option<f64>> {
    let Some(first) = frames.first() else { return vec![] };
    (0..rgb(first).len())
        .map(|i| {
            let mut m = [0.0; 3];
            for r in frames {
                for (acc, v) in m.iter_mut().zip(rgb(r)[i]) {
                    *acc += v / frames.len() as f64;
                }
            }
            let luminance = 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2];
            (luminance >= MEASURABLE_LUMINANCE).then(|| crate::run::grey_angle_deg(m))
        })
        .collect()
}

/// The largest of the measured patches' errors (0 when none is measured).
pub fn worst(per_patch: &[Option<f64>]) -> f64 {
    per_patch.iter().flatten().copied().fold(0.0, f64::max)
}

/// Per-frame neutral error: for each frame of `frames`, the largest angle to the grey axis
/// over the measured neutral patches of that frame rendered without noise
/// ([`FrameRecord::neutral_rgb_noiseless`]). A small simulated patch carries about ten
/// times the real noise in one frame (a dark one swings by degrees with constant gains),
/// which would count a converged white balance as not converged; without noise the figure
/// is what the pipeline does to each grey in that very frame.
pub fn frame_neutral_deg(recs: &[FrameRecord], frames: Range<usize>) -> Vec<f64> {
    recs[frames].iter().map(|r| worst(&noiseless_deg_per_patch(std::slice::from_ref(r)))).collect()
}

/// Frames from `frames.start` until the per-frame neutral error (see
/// [`frame_neutral_deg`]) is within `limit_deg` and stays within up to `frames.end`
/// (0: within from the first frame); `None` if the last frame is not within.
pub fn frames_to_neutral(recs: &[FrameRecord], frames: Range<usize>, limit_deg: f64) -> Option<usize> {
    let err = frame_neutral_deg(recs, frames);
    match err.iter().rposition(|e| *e > limit_deg) {
        None => Some(0),
        Some(last_out) if last_out + 1 < err.len() => Some(last_out + 1),
        Some(_) => None,
    }
}

/// Whether the per-frame neutral error stays above `limit_deg` over each of the last `n`
/// frames: white balance locked onto something wrong instead of converging slowly.
pub fn stuck(recs: &[FrameRecord], n: usize, limit_deg: f64) -> bool {
    let start = recs.len().saturating_sub(n);
    frame_neutral_deg(recs, start..recs.len()).iter().all(|e| *e > limit_deg)
}

/// Largest relative change of either colour gain over the last `n` frames (peak to peak
/// divided by the mean): the frame-to-frame colour stability in steady state.
pub fn colour_gain_jitter(recs: &[FrameRecord], n: usize) -> f64 {
    let tail = &recs[recs.len().saturating_sub(n)..];
    (0..2)
        .map(|k| {
            let v: Vec<f64> = tail.iter().map(|r| r.colour_gains[k]).collect();
            let (lo, hi) = v.iter().fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
            let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
            if mean > 0.0 {
                (hi - lo) / mean
            } else {
                0.0
            }
        })
        .fold(0.0, f64::max)
}

/// Exposure state over the last [`NEUTRAL_FRAMES`] frames of a run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SettledExposure {
    /// Means of exposure time and analogue gain.
    pub exposure_us: f64,
    pub gain: f64,
    /// Longest FrameDuration the IPA reported.
    pub frame_duration_us: f64,
    /// Mean linear output luminance.
    pub mean_luminance: f64,
    /// A frame longer than [`LOW_LIGHT_FRAME_US`] while analogue gain was below
    /// `max_gain`: the IPA stretched the frame (and slowed the stream) before using gain.
    pub long_frame_with_gain_left: bool,
}

impl SettledExposure {
    pub fn of(recs: &[FrameRecord], max_gain: f64) -> SettledExposure {
        let tail = &recs[recs.len().saturating_sub(NEUTRAL_FRAMES)..];
        let mean = |f: fn(&FrameRecord) -> f64| tail.iter().map(f).sum::<f64>() / tail.len().max(1) as f64;
        SettledExposure {
            exposure_us: mean(|r| r.exposure_us),
            gain: mean(|r| r.gain),
            frame_duration_us: tail.iter().filter_map(|r| r.frame_duration_us).fold(0.0, f64::max),
            mean_luminance: mean(|r| r.mean_luminance),
            long_frame_with_gain_left: tail.iter().any(|r| r.frame_duration_us.unwrap_or(0.0) > LOW_LIGHT_FRAME_US && r.gain < max_gain * 0.99),
        }
    }

    /// The scene needs more than the longest 15 fps exposure at unity gain.
    pub fn is_low_light(&self) -> bool {
        self.exposure_us * self.gain > LOW_LIGHT_FRAME_US
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(neutral_rgb: Vec<[f64; 3]>) -> FrameRecord {
        FrameRecord {
            frame: 0,
            exposure_us: 10_000.0,
            gain: 1.0,
            frame_duration_us: None,
            colour_gains: [1.0, 1.0],
            colour_temperature: 5000.0,
            lux: None,
            black_level_10bit: None,
            mean_luminance: 0.16,
            neutral_max_deg: 0.0,
            neutral_mean_deg: 0.0,
            neutral_deg: vec![],
            neutral_rgb_noiseless: neutral_rgb.clone(),
            neutral_rgb,
            neutral_noise: vec![],
            subject_luminance: None,
            flat_residual: 0.0,
            flat_colour_residual: 0.0,
            clipped_outside_highlight: 0.0,
            params_bytes: 0,
        }
    }

    #[test]
    fn patches_too_dark_to_carry_colour_are_not_measured() {
        // A bright patch 1° off grey, a dark one far off (noise clipped at black).
        let bright = [0.50, 0.50 * (1.0 - 0.0302), 0.50];
        let dark = [0.004, 0.012, 0.030];
        let recs = vec![record(vec![bright, dark]); 3];
        let per_patch = neutral_deg_per_patch(&recs);
        assert!(per_patch[1].is_none(), "{per_patch:?}");
        let deg = per_patch[0].expect("the bright patch is measured");
        assert!((0.5..1.5).contains(&deg), "{deg}");
        assert_eq!(worst(&per_patch), deg);
        assert_eq!(final_neutral_deg(&recs, 2), deg);
        // A dark patch just above the limit counts, with its whole error.
        let luminance = 0.2126 * dark[0] + 0.7152 * dark[1] + 0.0722 * dark[2];
        let lifted = dark.map(|v| v * 2.0 * MEASURABLE_LUMINANCE / luminance);
        let per_patch = neutral_deg_per_patch(&[record(vec![bright, lifted])]);
        assert!(per_patch[1].is_some_and(|d| d > 20.0), "{per_patch:?}");
        assert_eq!(worst(&[None, None]), 0.0);
    }

    /// A patch `deg` degrees off grey (green lowered), at level 0.3.
    fn off_grey(deg: f64) -> [f64; 3] {
        // For small steps s of green, the angle to the grey axis is about s·√2/3.
        let step = deg.to_radians() * 3.0 / 2f64.sqrt();
        [0.3, 0.3 * (1.0 - step), 0.3]
    }

    #[test]
    fn per_frame_convergence_is_measured_without_the_frames_noise() {
        // Noise swings the measured colour by ±3° from frame to frame while the pipeline
        // renders the grey exactly neutral: converged from the first frame, not stuck.
        let recs: Vec<FrameRecord> =
            (0..20).map(|n| FrameRecord { neutral_rgb_noiseless: vec![off_grey(0.0)], ..record(vec![off_grey(if n % 2 == 0 { 3.0 } else { 0.0 })]) }).collect();
        assert!(final_neutral_deg(&recs, 10) > 1.0, "the noisy frames' mean is off");
        assert_eq!(frames_to_neutral(&recs, 0..recs.len(), CONVERGED_DEG), Some(0));
        assert!(!stuck(&recs, 10, 5.0));
        // The pipeline renders it 6° off until frame 12, neutral after: converged at 12
        // whatever the noisy measurement says; 6° off to the end is stuck.
        let recs: Vec<FrameRecord> =
            (0..20).map(|n| FrameRecord { neutral_rgb_noiseless: vec![off_grey(if n < 12 { 6.0 } else { 0.5 })], ..record(vec![off_grey(0.0)]) }).collect();
        assert_eq!(frames_to_neutral(&recs, 0..recs.len(), CONVERGED_DEG), Some(12));
        assert_eq!(frame_neutral_deg(&recs, 10..12).len(), 2);
        assert!(frame_neutral_deg(&recs, 10..12).iter().all(|d| (5.5..6.5).contains(d)), "{:?}", frame_neutral_deg(&recs, 10..12));
        let stuck_recs: Vec<FrameRecord> = (0..20).map(|_| FrameRecord { neutral_rgb_noiseless: vec![off_grey(6.0)], ..record(vec![off_grey(0.0)]) }).collect();
        assert!(stuck(&stuck_recs, 10, 5.0));
    }
}
