//! Step-response and neutrality figures computed from a run's frame records.

use crate::run::FrameRecord;

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

/// Steady-state neutral error: the largest angle to the grey axis over the neutral
/// patches, each patch's colour being its mean over the last `n` frames. A simulated patch
/// has a few hundred pixels where the real sensor has tens of thousands, so a single
/// frame's patch mean carries about ten times the real noise; averaging frames (as one
/// does when measuring a chart) brings the measurement's own noise well below the
/// 1° target. AWB jitter is reported separately by [`colour_gain_jitter`].
pub fn final_neutral_deg(recs: &[FrameRecord], n: usize) -> f64 {
    let tail = &recs[recs.len().saturating_sub(n)..];
    let Some(first) = tail.first() else { return 0.0 };
    (0..first.neutral_rgb.len())
        .map(|i| {
            let mut m = [0.0; 3];
            for r in tail {
                for k in 0..3 {
                    m[k] += r.neutral_rgb[i][k] / tail.len() as f64;
                }
            }
            crate::run::grey_angle_deg(m)
        })
        .fold(0.0, f64::max)
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
            if mean > 0.0 { (hi - lo) / mean } else { 0.0 }
        })
        .fold(0.0, f64::max)
}
