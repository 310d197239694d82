//! The robustness suite in small: seeded runs on random scenes over both sensors, both
//! params formats, with and without module variation (see `sim robustness` for the full
//! suite and its targets).

use rkisp1_ipa::abi::ParamFormat;
use rkisp1_sim::robustness::{run_case, run_seed, run_suite, Case, Options, SENSORS};

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
