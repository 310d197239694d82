//! The robustness suite's report: figures for the runs without module variation, with it,
//! and all together, beside the targets the IPA must reach (PASS/FAIL per group), then the
//! runs worth a look, each with the command line that repeats it.
//!
//! Frame counts are judged on their 95th percentile (a run that never gets there counts
//! as infinitely slow), like the neutral error; overshoot and stuck runs on every run.

use crate::metrics::{AE_TARGET, CONVERGED_DEG, LOW_LIGHT_FRAME_US, MEASURABLE_LUMINANCE};
use crate::robustness::{CaseEvent, EventOutcome, Outcome, STUCK_DEG, STUCK_FRAMES};
use std::fmt::Write;

/// The report as Markdown, and the description of every failed target.
pub struct Report {
    pub text: String,
    pub failures: Vec<String>,
}

/// A target, by group: (without variation, with variation).
#[derive(Clone, Copy)]
struct Limit(f64, f64);

/// A group's figure: the cell's text and the value its target is judged on (`None`: the
/// group has no run it applies to).
type Figure<'a> = dyn Fn(&[&Outcome]) -> Option<(String, f64)> + 'a;

/// One figure for one group.
struct Cell {
    text: String,
    pass: Option<bool>,
}

impl Cell {
    fn plain(text: String) -> Cell {
        Cell { text, pass: None }
    }
    fn none() -> Cell {
        Cell::plain("–".into())
    }
}

/// Median, 95th percentile and maximum (nearest rank); `None` values ("never") sort last.
fn stats(values: impl Iterator<Item = Option<f64>>) -> Option<[f64; 3]> {
    let mut v: Vec<f64> = values.map(|x| x.unwrap_or(f64::INFINITY)).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Some([rank(0.5), rank(0.95), rank(1.0)])
}

fn frames(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.0}")
    } else {
        "never".into()
    }
}

fn deg(v: f64) -> String {
    format!("{v:.2}°")
}

pub fn report(outcomes: &[Outcome]) -> Report {
    let nominal: Vec<&Outcome> = outcomes.iter().filter(|o| o.variation.is_none()).collect();
    let varied: Vec<&Outcome> = outcomes.iter().filter(|o| o.variation.is_some()).collect();
    let all: Vec<&Outcome> = outcomes.iter().collect();
    let groups = [&nominal, &varied, &all];
    let mut text = String::new();
    let mut failures = Vec::new();
    let _ = writeln!(text, "| figure | target | no variation | variation | all |\n|---|---|---|---|---|");
    let mut row = |name: &str, target: &str, limit: Option<Limit>, figure: &Figure| {
        let cells: Vec<Cell> = groups
            .iter()
            .enumerate()
            .map(|(g, runs)| match figure(runs) {
                None => Cell::none(),
                Some((t, v)) => {
                    // Targets are judged per group; the "all" column only informs.
                    let pass = limit.filter(|_| g < 2).map(|l| v <= if g == 0 { l.0 } else { l.1 });
                    Cell { text: t, pass }
                }
            })
            .collect();
        let _ = write!(text, "| {name} | {target} |");
        for (g, c) in cells.iter().enumerate() {
            let verdict = match c.pass {
                Some(true) => " PASS",
                Some(false) => {
                    failures.push(format!("{name} ({}): {} (target {target})", ["no variation", "variation"][g], c.text));
                    " FAIL"
                }
                None => "",
            };
            let _ = write!(text, " {}{verdict} |", c.text);
        }
        text.push('\n');
    };
    row("runs", "", None, &|r| Some((r.len().to_string(), 0.0)));
    row(&format!("runs with no neutral patch bright enough to measure at the end (< {MEASURABLE_LUMINANCE} linear; left out below)"), "", None, &|r| {
        Some((r.iter().filter(|o| o.measured_patches == 0).count().to_string(), 0.0))
    });
    let final_stats = |r: &[&Outcome]| stats(r.iter().filter(|o| o.measured_patches > 0).map(|o| Some(o.final_deg)));
    row("final neutral error, median", "", None, &|r| final_stats(r).map(|s| (deg(s[0]), s[0])));
    row("final neutral error, p95", "≤ 1.5° / ≤ 2.0° with variation", Some(Limit(1.5, 2.0)), &|r| final_stats(r).map(|s| (deg(s[1]), s[1])));
    row("final neutral error, max", "≤ 3.0° / ≤ 4.0° with variation", Some(Limit(3.0, 4.0)), &|r| final_stats(r).map(|s| (deg(s[2]), s[2])));
    row("neutral error before the event, median / p95 / max", "", None, &|r| {
        stats(r.iter().filter_map(|o| o.before_event_deg).map(Some)).map(|s| (format!("{} / {} / {}", deg(s[0]), deg(s[1]), deg(s[2])), 0.0))
    });
    row(&format!("stuck runs (> {STUCK_DEG}° over the last {STUCK_FRAMES} frames)"), "0", Some(Limit(0.0, 0.0)), &|r| {
        let n = r.iter().filter(|o| o.stuck).count();
        Some((n.to_string(), n as f64))
    });
    let frame_row = |r: &[&Outcome], values: &dyn Fn(&Outcome) -> Option<Option<f64>>| {
        let n = r.iter().filter(|o| values(o).is_some()).count();
        stats(r.iter().filter_map(|o| values(o))).map(|s| (format!("{} / {} / {} (n={n})", frames(s[0]), frames(s[1]), frames(s[2])), s[1]))
    };
    // Frames to convergence after an event of the kind `is_kind` accepts.
    let neutral_event = |o: &Outcome, is_kind: fn(&CaseEvent) -> bool| match (&o.event, &o.event_outcome) {
        (Some((_, e)), Some(EventOutcome::Neutral { frames_to_converged })) if is_kind(e) => Some(frames_to_converged.map(|f| f as f64)),
        _ => None,
    };
    row(&format!("cold start: frames to ≤ {CONVERGED_DEG}°, median / p95 / max"), "p95 ≤ 20", Some(Limit(20.0, 20.0)), &|r| {
        frame_row(r, &|o| Some(o.cold_start_frames.map(|f| f as f64)))
    });
    row(&format!("illuminant change: frames to ≤ {CONVERGED_DEG}°"), "p95 ≤ 10", Some(Limit(10.0, 10.0)), &|r| {
        frame_row(r, &|o| neutral_event(o, |e| matches!(e, CaseEvent::Illuminant { .. })))
    });
    row(&format!("surface enters/leaves: frames to ≤ {CONVERGED_DEG}°"), "", None, &|r| {
        frame_row(r, &|o| neutral_event(o, |e| matches!(e, CaseEvent::Surface { .. })))
    });
    let step = |o: &Outcome| match o.event_outcome {
        Some(EventOutcome::Brightness { settle_frames, overshoot }) => Some((settle_frames as f64, overshoot)),
        _ => None,
    };
    row("±4 EV: frames to ±5% luminance", "p95 ≤ 6", Some(Limit(6.0, 6.0)), &|r| frame_row(r, &|o| step(o).map(|s| Some(s.0))));
    row("±4 EV: overshoot, median / p95 / max", "max ≤ 10%", Some(Limit(0.10, 0.10)), &|r| {
        stats(r.iter().filter_map(|o| step(o)).map(|s| Some(s.1)))
            .map(|s| (format!("{:.1}% / {:.1}% / {:.1}%", s[0] * 100.0, s[1] * 100.0, s[2] * 100.0), s[2]))
    });
    let low = |r: &[&Outcome]| r.iter().filter_map(|o| o.low_light.as_ref()).cloned().collect::<Vec<_>>();
    row(
        &format!(
            "low light (needs > {:.1} ms at unity gain): runs with a frame > {:.1} ms while gain is left",
            LOW_LIGHT_FRAME_US / 1000.0,
            LOW_LIGHT_FRAME_US / 1000.0
        ),
        "0",
        Some(Limit(0.0, 0.0)),
        &|r| {
            let l = low(r);
            let bad = l.iter().filter(|l| l.long_frame_with_gain_left).count();
            Some((format!("{bad} of {}", l.len()), bad as f64))
        },
    );
    row("low light: frame duration, median / max", "", None, &|r| {
        stats(low(r).iter().map(|l| Some(l.frame_duration_us / 1000.0))).map(|s| (format!("{:.1} / {:.1} ms", s[0], s[2]), 0.0))
    });
    row(&format!("low light: output mean luminance / {AE_TARGET} target, median / min"), "", None, &|r| {
        let l = low(r);
        let min = l.iter().map(|l| l.mean_luminance / AE_TARGET).fold(f64::INFINITY, f64::min);
        stats(l.iter().map(|l| Some(l.mean_luminance / AE_TARGET))).map(|s| (format!("{:.2} / {:.2}", s[0], min), 0.0))
    });

    let listing = |text: &mut String, title: &str, runs: &[&Outcome]| {
        let _ = writeln!(text, "\n{title}\n\n| seed | sensor | format | variation | scene | light | brightness | event | final | before event | cold start | repeat with |\n|---|---|---|---|---|---|---|---|---|---|---|---|");
        for o in runs {
            let _ = writeln!(
                text,
                "| {} | {} | {} | {} | {} | {} | {:.4} | {} | {} (patch {} of {}, {} measured) | {} | {} | `{}` |",
                o.seed,
                o.sensor,
                o.format,
                o.variation.map_or("–".into(), |v| v.to_string()),
                o.scene,
                o.illuminant,
                o.brightness,
                o.event_text,
                deg(o.final_deg),
                o.worst_patch,
                o.neutral_patches,
                o.measured_patches,
                o.before_event_deg.map_or("–".into(), deg),
                o.cold_start_frames.map_or("never".into(), |f| f.to_string()),
                o.repro
            );
        }
    };
    let stuck: Vec<&Outcome> = outcomes.iter().filter(|o| o.stuck).collect();
    if !stuck.is_empty() {
        listing(&mut text, &format!("Stuck runs ({})", stuck.len()), &stuck);
    }
    let mut worst: Vec<&Outcome> = outcomes.iter().collect();
    worst.sort_by(|a, b| b.final_deg.total_cmp(&a.final_deg));
    worst.truncate(10);
    listing(&mut text, "Worst 10 runs by final neutral error (patch: 0 = white among the visible neutral patches)", &worst);
    let mut long: Vec<&Outcome> = outcomes.iter().filter(|o| o.low_light.as_ref().is_some_and(|l| l.long_frame_with_gain_left)).collect();
    if !long.is_empty() {
        long.sort_by(|a, b| a.brightness.total_cmp(&b.brightness));
        let _ = writeln!(
            text,
            "\nLow-light runs with frames over {:.1} ms while gain is left ({}, dimmest 10)\n\n| seed | sensor | brightness | exposure | gain | frame duration | output / target | repeat with |\n|---|---|---|---|---|---|---|---|",
            LOW_LIGHT_FRAME_US / 1000.0,
            long.len()
        );
        for o in long.iter().take(10) {
            let l = o.low_light.as_ref().unwrap();
            let _ = writeln!(
                text,
                "| {} | {} | {:.4} | {:.1} ms | {:.2} | {:.1} ms | {:.2} | `{}` |",
                o.seed,
                o.sensor,
                o.brightness,
                l.exposure_us / 1000.0,
                l.gain,
                l.frame_duration_us / 1000.0,
                l.mean_luminance / AE_TARGET,
                o.repro
            );
        }
    }
    Report { text, failures }
}
