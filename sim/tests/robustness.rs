//! The robustness suite in small: seeded runs on random scenes over both sensors, both
//! params formats, with and without module variation (see `sim robustness` for the full
//! suite and its targets).

use rkisp1_ipa::abi::ParamFormat;
use rkisp1_sim::robustness::{run_case, run_seed, run_suite, Case, CaseEvent, EventOutcome, Options, SENSORS};

const SUITE_SEED: u64 = 10;
const RUNS: u64 = 12;

/// Run i: sensor, variation and format alternate with bits 0, 1 and 2 of i, so the first
/// eight runs cover every combination; scene, light, brightness and event are drawn.
fn cases() -> Vec<Case> {
    (0..RUNS)
        .map(|i| {
            let opts = Options {
                sensor: Some(SENSORS[(i % 2) as usize]),
                variation: Some(i / 2 % 2 == 1),
                format: Some(if i / 4 % 2 == 0 { ParamFormat::Fixed } else { ParamFormat::Extensible }),
            };
            Case::draw(run_seed(SUITE_SEED, i), &opts)
        })
        .collect()
}

#[test]
#[ignore = "issue 10 is open: AWB still settles on large surfaces that look like a light on the locus (see the closing note); run with --ignored"]
fn no_run_gets_stuck() {
    let outcomes = run_suite(&cases(), |_| {}).unwrap();
    let stuck: Vec<String> = outcomes
        .iter()
        .filter(|o| o.stuck)
        .map(|o| format!("{:.1}° {} ({}, {}, {}): {}", o.final_deg, o.scene, o.illuminant, o.event_text, o.brightness, o.repro))
        .collect();
    assert!(stuck.is_empty(), "stuck runs:\n{}", stuck.join("\n"));
}

/// The first `count` of `draws` runs of the suite with seed `seed` that `wanted` accepts:
/// sensors alternating with run i, module variation where `varied(i)`, extensible params.
fn drawn_cases(seed: u64, draws: u64, count: usize, varied: impl Fn(u64) -> bool, wanted: impl Fn(&Case) -> bool) -> Vec<Case> {
    let cases: Vec<Case> = (0..draws).map(|i| Case::draw(run_seed(seed, i), &extensible(i, varied(i)))).filter(|c| wanted(c)).take(count).collect();
    assert_eq!(cases.len(), count);
    cases
}

/// Options of run i of [`drawn_cases`].
fn extensible(i: u64, varied: bool) -> Options {
    Options { sensor: Some(SENSORS[(i % 2) as usize]), variation: Some(varied), format: Some(ParamFormat::Extensible) }
}

/// [`drawn_cases`]: the first eight whose event `wanted` accepts.
fn event_cases(seed: u64, draws: u64, varied: impl Fn(u64) -> bool, wanted: impl Fn(&CaseEvent) -> bool) -> Vec<Case> {
    drawn_cases(seed, draws, 8, varied, |c| c.event.as_ref().is_some_and(|(_, e)| wanted(e)))
}

#[test]
fn a_run_repeats_exactly() {
    // With module variation and an event, so that every drawn part takes part.
    let case = cases().into_iter().find(|c| c.variation.is_some() && c.event.is_some()).expect("such a case among the runs");
    let ((oa, a), (ob, b)) = std::thread::scope(|s| {
        let first = s.spawn(|| run_case(&case).unwrap());
        let second = run_case(&case).unwrap();
        (first.join().unwrap(), second)
    });
    assert!(a.records == b.records, "{}: the records differ", case.repro());
    assert_eq!(oa.final_deg, ob.final_deg);
    // Drawing the case again from its seed and its pinned dimensions gives the same run.
    let opts = Options { sensor: Some(case.sensor), variation: Some(case.variation.is_some()), format: Some(case.format) };
    let again = Case::draw(case.seed, &opts);
    assert_eq!(again.config().unwrap().scene, case.config().unwrap().scene);
    assert_eq!((&again.illuminant, again.brightness, &again.event, &again.variation), (&case.illuminant, case.brightness, &case.event, &case.variation));
}

#[test]
fn the_black_level_of_a_varied_module_is_measured() {
    // Modules whose black level is off by up to ±25%: the IPA measures it from its own
    // exposure changes. Over the runs, what it ends with must be closer to each module's
    // level than the tuning's, and never much farther; a module that matches its tuning
    // keeps the tuned level (the measurement's own bias is a dead band, 3% of the level).
    // A clear offset is corrected in full: taking the dead band off every correction
    // left these modules 0.59 of the tuning's summed error, a ramp over two dead bands
    // 0.44, the ramp over one standard error 0.15.
    use rkisp1_sim::sensor::SensorModel;
    let cases: Vec<Case> = (0..12).map(|i| Case::draw(run_seed(SUITE_SEED + 1, i), &extensible(i, i < 8))).collect();
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = cases.iter().map(|c| s.spawn(move || run_case(c).unwrap())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (mut before, mut after, mut lines) = (0.0, 0.0, Vec::new());
    for (case, (o, r)) in cases.iter().zip(&results) {
        let nominal = SensorModel::by_name(case.sensor).unwrap();
        let truth = case.variation.as_ref().map_or(nominal.black_level_10bit, |v| v.apply(&nominal).black_level_10bit);
        let measured = r.records.last().unwrap().black_level_10bit.expect("SensorBlackLevels reported");
        let (e0, e1) = ((nominal.black_level_10bit - truth).abs(), (measured - truth).abs());
        lines.push(format!("{} truth {truth:.1}, tuned {:.1}, measured {measured:.2}: {}", case.sensor, nominal.black_level_10bit, o.repro));
        assert!(e1 <= e0 + 0.1 * nominal.black_level_10bit, "farther from the module's level than the tuning:\n{}", lines.join("\n"));
        if case.variation.is_none() {
            assert!(e1 <= 0.04 * nominal.black_level_10bit, "a calibrated module left its tuned level:\n{}", lines.join("\n"));
        }
        before += e0;
        after += e1;
    }
    println!("{}", lines.join("\n"));
    assert!(after <= 0.3 * before, "error {after:.1} against the tuning's {before:.1} (10-bit codes, summed):\n{}", lines.join("\n"));
}

#[test]
fn brightness_steps_do_not_overshoot() {
    // ±4 EV steps on random scenes, both sensors, with and without module variation. A
    // step into clipping must land where the AE's constraints settle (not on the bare
    // target, which they raise again), and a step out of a frame a few 8-bit codes deep
    // must allow for the module's black-level error (a −25% module once landed 2.2× too
    // bright).
    let cases = event_cases(SUITE_SEED + 2, 200, |i| i / 2 % 2 == 1, |e| matches!(e, CaseEvent::Brightness { .. }));
    let outcomes = run_suite(&cases, |_| {}).unwrap();
    let mut lines = Vec::new();
    for o in &outcomes {
        let Some(EventOutcome::Brightness { settle_frames, overshoot }) = o.event_outcome else {
            panic!("{}: no brightness outcome", o.repro);
        };
        lines.push(format!("{}: settled in {settle_frames} frames, overshoot {:.1}%: {}", o.event_text, overshoot * 100.0, o.repro));
        assert!(overshoot <= 0.10, "overshoot past 10%:\n{}", lines.join("\n"));
        // The target is 6 frames (reported by `sim robustness`, not met by every
        // run yet: up to 9 here, one 3-frame round more, since the AE cells measure a step
        // into clipping); this bound catches a step that needs a round more than that.
        // A run whose white balance was still wrong before the step may correct it later,
        // and the new gains move the luminance (6293828075088711507: 19.9° off until frame
        // 60, then 1.0°, and 7% darker): that is not the AE settling.
        let balanced_before = o.before_event_deg.is_some_and(|d| d <= 5.0);
        assert!(settle_frames <= 12 || !balanced_before, "slow to settle:\n{}", lines.join("\n"));
    }
    println!("{}", lines.join("\n"));
}

#[test]
fn a_step_into_clipping_is_corrected_in_one_round_when_highlights_clip_anyway() {
    // +4 EV steps from scenes whose highlights fill a few percent of the histogram's top
    // bin at the AE's target. No frame of them was "unclipped", so the AE kept no
    // reference to estimate a clipped frame from, or kept the first dark frame after
    // start-up: it divided the exposure by about 6 where 15 was needed and took 9 frames
    // to settle. Measured against a frame it held, the first step lands within 5%.
    let runs = [(9355360617402484287, ParamFormat::Fixed), (6571378299093297534, ParamFormat::Extensible)];
    let cases: Vec<Case> =
        runs.iter().map(|&(seed, format)| Case::draw(seed, &Options { sensor: Some("imx258"), variation: Some(false), format: Some(format) })).collect();
    for o in run_suite(&cases, |_| {}).unwrap() {
        let Some(EventOutcome::Brightness { settle_frames, overshoot }) = o.event_outcome else {
            panic!("{}: no brightness outcome", o.repro);
        };
        // The corrected exposure reaches the sensor 3 frames after the clipped frame.
        assert!(settle_frames <= 6 && overshoot <= 0.05, "{}: settled in {settle_frames} frames, overshoot {overshoot:.3}", o.repro);
    }
}

#[test]
#[ignore = "issue 10 is open: after TL84 -> D65, a surface that looks neutral under the old gains can hold the near-grey gate (--only 17764829409908597339 --sensor ov8858 --format ext --variation off); run with --ignored"]
fn a_change_of_light_is_re_acquired() {
    // Changes between the named illuminants on random scenes, both sensors, no module
    // variation, from a converged white balance: the greys leave the near-grey gate, a
    // re-measured zone shows how far the light moved, and the gains follow. Runs that had
    // not converged before the change (a large surface mistaken for the light) are issue
    // 10's open part and are left to `no_run_gets_stuck`.
    let cases = event_cases(SUITE_SEED + 3, 400, |_| false, |e| matches!(e, CaseEvent::Illuminant { .. }));
    let outcomes = run_suite(&cases, |_| {}).unwrap();
    let mut lines = Vec::new();
    for o in &outcomes {
        let Some(EventOutcome::Neutral { frames_to_converged }) = o.event_outcome else {
            panic!("{}: no neutral outcome", o.repro);
        };
        let before = o.before_event_deg.unwrap_or(f64::INFINITY);
        lines.push(format!(
            "{} ({:.1}° before): re-acquired in {frames_to_converged:?} frames, {:.1}° at the end: {}",
            o.event_text, before, o.final_deg, o.repro
        ));
        if before > 2.0 {
            continue;
        }
        // The targets (within 2° in 10 frames) are reported by `sim robustness`: the
        // gains move 9-12 frames after the change, but the narrow gate refines the last few
        // degrees slowly and the per-frame error of a dark patch in a small simulated frame
        // flickers about the 2° line. This catches what the issue saw: a change of light
        // never re-acquired (a D65 -> A change once stayed at 37° for good).
        assert!(!o.stuck && o.final_deg <= 5.0, "not re-acquired:\n{}", lines.join("\n"));
    }
    println!("{}", lines.join("\n"));
}

#[test]
fn white_balance_holds_when_a_step_leaves_the_frame_too_dark() {
    // −4 EV steps from dim scenes into the dark, where the AE runs out of gain: zone and gate
    // means are a few 8-bit codes, and the white balance must keep the gains it had (it once
    // followed the brightest coloured zone to 19° because a re-acquisition had started
    // just before the step).
    let mut cases =
        drawn_cases(SUITE_SEED + 3, 2000, 4, |_| false, |c| c.brightness < 0.03 && matches!(c.event, Some((_, CaseEvent::Brightness { ev })) if ev < 0.0));
    // The run of `sim robustness --seed 2` that showed it (a chart under D50 at 0.0186).
    cases.push(Case::draw(7746583568456853811, &extensible(0, false)));
    for case in &cases {
        let (_, r) = run_case(case).unwrap();
        let at = case.event.as_ref().unwrap().0;
        let before = r.records[at - 1].colour_gains;
        for rec in &r.records[at..] {
            let moved = (0..2).map(|c| (rec.colour_gains[c] / before[c]).ln().abs()).fold(0.0, f64::max);
            assert!(moved < 0.05, "{}: frame {}: gains {:?}, {:?} before the step", case.repro(), rec.frame, rec.colour_gains, before);
        }
    }
}

#[test]
fn a_gate_below_the_greys_it_just_found_tells_a_change_of_light() {
    // D50 -> A over scattered patches and three surfaces (ov8858). The trusted gate had just
    // found a grey population at level 108 from floor 56; the frames after the change swept
    // on to floor 78, where nothing passed and no pass rate was remembered, and the collapse
    // waited for the sweep to wrap to its low floors: 17 frames to within 2°. A floor below
    // the level of greys just found that passes nothing is a collapse: 10 frames.
    let case = Case::draw(14818491440408280871, &Options { sensor: Some("ov8858"), variation: Some(false), format: Some(ParamFormat::Fixed) });
    let (o, _) = run_case(&case).unwrap();
    let Some(EventOutcome::Neutral { frames_to_converged }) = o.event_outcome else {
        panic!("{}: no neutral outcome", o.repro);
    };
    assert!(frames_to_converged.is_some_and(|f| f <= 10), "{} ({}): within 2° after {frames_to_converged:?} frames", o.repro, o.event_text);
}

#[test]
fn a_settled_exposure_holds() {
    // Runs without an event, with and without module variation, and a run whose
    // histogram constraint (the top 2% at least at half scale) bound the AE in steady
    // state: read from a coarse histogram, its demand varies by ±4% at one exposure as
    // the white balance moves, and answered dead-beat it flicked the exposure ×0.93 /
    // ×1.06 for good (2571738411059193925, −4 EV at 40). Once settled, the exposure ×
    // gain may take small steps, but not back and forth. Steps of 20% and more are not
    // this limit cycle (the black-level dip is ×0.7 and back).
    let mut cases = drawn_cases(SUITE_SEED + 5, 60, 8, |i| i / 2 % 2 == 1, |c| c.event.is_none());
    cases.push(Case::draw(2571738411059193925, &Options { sensor: Some("ov8858"), variation: Some(true), format: Some(ParamFormat::Extensible) }));
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = cases.iter().map(|c| s.spawn(move || run_case(c).unwrap())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let (mut lines, mut worst) = (Vec::new(), 0);
    for (case, (o, r)) in cases.iter().zip(&results) {
        let settled_from = case.event.as_ref().map_or(30, |(at, _)| at + 20);
        let totals: Vec<f64> = r.records.iter().skip(settled_from).map(|f| f.exposure_us * f.gain).collect();
        let steps: Vec<f64> = totals.windows(2).map(|w| (w[1] / w[0]).ln()).filter(|s| s.abs() > 0.015f64.ln_1p()).collect();
        let small = |s: f64| s.abs() < 0.2f64.ln_1p();
        let reversals = steps.windows(2).filter(|w| small(w[0]) && small(w[1]) && w[0] * w[1] < 0.0).count();
        lines.push(format!("{reversals} reversals from frame {settled_from} on: {}", o.repro));
        worst = worst.max(reversals);
    }
    println!("{}", lines.join("\n"));
    assert!(worst <= 2, "the exposure flicks:\n{}", lines.join("\n"));
}
