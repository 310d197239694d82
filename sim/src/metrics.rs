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

/// Largest neutral-patch error over the last `n` frames.
pub fn final_neutral_deg(recs: &[FrameRecord], n: usize) -> f64 {
    recs[recs.len().saturating_sub(n)..].iter().map(|r| r.neutral_max_deg).fold(0.0, f64::max)
}
