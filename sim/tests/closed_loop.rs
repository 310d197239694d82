//! Closed-loop behaviour through the simulated sensor and ISP (kernel byte formats).

use rkisp1_ipa::abi::ParamFormat;
use rkisp1_ipa::controls::RequestControls;
use rkisp1_sim::isp::IspState;
use rkisp1_sim::metrics::{final_neutral_deg, frames_to_neutral, neutral_deg_per_patch, step_response, CONVERGED_DEG, NEUTRAL_FRAMES};
use rkisp1_sim::run::{run, Event};
use rkisp1_sim::scenarios::{self, base};

#[test]
fn ae_recovers_from_brightness_steps_without_oscillating() {
    for ev in [4.0, -4.0] {
        let mut c = base("imx258", "chart", "D65", 80).unwrap();
        c.events.push((40, Event::Brightness(2f64.powf(ev))));
        let r = run(&c, |_| {}).unwrap();
        let s = step_response(&r.records, 40);
        // The targets: within ±5% in 6 frames, overshoot ≤ 10%, no oscillation.
        assert!(s.settle_frames <= 6, "{ev:+} EV: {s:?}");
        assert!(s.overshoot <= 0.10 && s.oscillations == 0, "{ev:+} EV: {s:?}");
        assert!((s.settled_luminance - 0.15).abs() < 0.04, "settles near the target: {s:?}");
        assert_eq!(r.rejected_params, 0);
    }
}

#[test]
fn greys_come_out_neutral_in_both_formats() {
    for (sensor, ill) in [("imx258", "A"), ("ov8858", "D65")] {
        for format in [ParamFormat::Fixed, ParamFormat::Extensible] {
            let mut c = base(sensor, "chart", ill, 50).unwrap();
            c.format = format;
            let r = run(&c, |_| {}).unwrap();
            let first = r.records[0].neutral_max_deg;
            let last = final_neutral_deg(&r.records, NEUTRAL_FRAMES);
            assert!(first > 5.0, "uncorrected frame should be tinted: {first}");
            assert!(last < 1.0, "{sensor} {ill} {format:?}: neutral error {last}");
            assert_eq!(r.rejected_params, 0);
        }
    }
}

#[test]
fn neutral_patches_are_also_measured_without_noise() {
    // A chart with the sensor's noise: the noiseless rendering of each frame agrees with
    // the noisy frames on average, and stays put from frame to frame where the noisy
    // measurement of the darkest patch swings.
    let c = base("ov8858", "chart", "TL84", 60).unwrap();
    assert!(c.noise);
    let r = run(&c, |_| {}).unwrap();
    let tail = &r.records[40..];
    let angle = |m: [f64; 3]| rkisp1_sim::run::grey_angle_deg(m);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let spread = |v: &[f64]| v.iter().map(|x| (x - mean(v)).abs()).fold(0.0, f64::max);
    let darkest = tail[0].neutral_rgb.len() - 1;
    let noisy_means = neutral_deg_per_patch(tail);
    assert_eq!(noisy_means.len(), darkest + 1);
    for (patch, noisy_mean) in noisy_means.into_iter().enumerate() {
        let noisy: Vec<f64> = tail.iter().map(|f| angle(f.neutral_rgb[patch])).collect();
        let noiseless: Vec<f64> = tail.iter().map(|f| angle(f.neutral_rgb_noiseless[patch])).collect();
        let noisy_mean = noisy_mean.expect("every grey of the chart is bright enough to measure");
        assert!((noisy_mean - mean(&noiseless)).abs() < 1.0, "patch {patch}: {noisy_mean:.2}° vs {noiseless:?}");
        assert!(spread(&noiseless) < 0.2, "patch {patch}: the noiseless measurement moves: {noiseless:?}");
        if patch == darkest {
            assert!(spread(&noisy) > 3.0 * spread(&noiseless), "patch {patch}: {noisy:?} vs {noiseless:?}");
        }
    }
}

#[test]
fn a_dominant_saturated_colour_does_not_pull_the_white_balance() {
    // Blue under tungsten locked the old single-window AWB onto the blue wall (36°).
    for (sensor, scene, ill) in [("imx258", "dominant-blue", "A"), ("ov8858", "dominant-yellow", "D65"), ("imx258", "dominant-green", "CWF")] {
        let c = base(sensor, scene, ill, 60).unwrap();
        let r = run(&c, |_| {}).unwrap();
        let err = final_neutral_deg(&r.records, NEUTRAL_FRAMES);
        assert!(err < 3.0, "{sensor} {scene} under {ill}: neutral error {err}°");
    }
}

#[test]
fn white_balance_follows_a_change_of_light() {
    // The light changes once the zone scan has been through the frame (70 frames).
    let mut c = base("imx258", "chart", "D65", 130).unwrap();
    c.events.push((70, Event::Illuminant("A".into())));
    let r = run(&c, |_| {}).unwrap();
    let err = final_neutral_deg(&r.records, NEUTRAL_FRAMES);
    assert!(err < 2.0, "after D65 -> A: neutral error {err}°");
    assert!(r.records[71].neutral_max_deg > 5.0, "the switch must be visible before AWB reacts");
}

#[test]
fn lens_shading_correction_flattens_a_flat_field() {
    for sensor in ["imx258", "ov8858"] {
        for ill in ["A", "TL84", "CWF", "D65"] {
            let c = base(sensor, "flat", ill, 50).unwrap();
            let r = run(&c, |_| {}).unwrap();
            let last = r.records.last().unwrap();
            assert!(last.flat_residual < 0.03, "{sensor} {ill}: vignetting residual {}", last.flat_residual);
            assert!(last.flat_colour_residual < 0.04, "{sensor} {ill}: colour shading residual {}", last.flat_colour_residual);
        }
        // Without correction the same sensor vignettes strongly.
        let mut c = base(sensor, "flat", "D65", 20).unwrap();
        c.controls.push((0, rkisp1_ipa::controls::RequestControls { lens_shading_enable: Some(false), ..Default::default() }));
        let r = run(&c, |_| {}).unwrap();
        let last = r.records.last().unwrap();
        assert!(last.flat_residual > 0.1, "{sensor}: uncorrected vignetting only {}", last.flat_residual);
    }
}

#[test]
fn colour_processing_controls_change_the_picture() {
    let chroma = |img: &[[u8; 3]]| img.iter().map(|p| (p[0] as f64 - p[1] as f64).abs() + (p[2] as f64 - p[1] as f64).abs()).sum::<f64>() / img.len() as f64;
    let luma = |img: &[[u8; 3]]| img.iter().map(|p| p[1] as f64).sum::<f64>() / img.len() as f64;
    let plain = run(&base("imx258", "chart", "D65", 12).unwrap(), |_| {}).unwrap();
    let mut c = base("imx258", "chart", "D65", 12).unwrap();
    c.controls.push((0, rkisp1_ipa::controls::RequestControls { saturation: Some(0.0), brightness: Some(0.25), ..Default::default() }));
    let grey = run(&c, |_| {}).unwrap();
    assert!(chroma(&plain.final_image) > 10.0, "the chart is colourful: {}", chroma(&plain.final_image));
    assert!(chroma(&grey.final_image) < 2.0, "Saturation 0 leaves grey: {}", chroma(&grey.final_image));
    assert!(luma(&grey.final_image) > luma(&plain.final_image) + 20.0, "Brightness lifts the picture");
}

#[test]
fn lux_follows_the_scene_not_the_exposure() {
    let lux_at = |brightness: f64| {
        let mut c = base("imx258", "chart", "D65", 40).unwrap();
        c.brightness = brightness;
        c.tuning_text = c.tuning_text.replacen(
            "  - Agc:\n",
            "  - Lux:\n      referenceExposureTime: 10000\n      referenceAnalogueGain: 1.0\n      referenceDigitalGain: 1.0\n      referenceY: 0.16\n      referenceLux: 500\n  - Agc:\n",
            1,
        );
        let r = run(&c, |_| {}).unwrap();
        r.records.last().unwrap().lux.expect("Lux in the metadata")
    };
    let (dim, bright) = (lux_at(0.25), lux_at(2.0));
    // 8× the light: AE brings the picture back to its target, Lux must still see 8×.
    assert!((bright / dim / 8.0 - 1.0).abs() < 0.1, "lux {dim} -> {bright}");
}

#[test]
fn bare_hardware_is_green_and_the_ipa_fixes_it() {
    let c = base("imx258", "chart", "D65", 40).unwrap();
    let r = run(&c, |_| {}).unwrap();
    let mean = |img: &[[u8; 3]]| {
        let mut s = [0f64; 3];
        for p in img {
            for k in 0..3 {
                s[k] += p[k] as f64;
            }
        }
        s
    };
    let bare = mean(&r.bare_image);
    assert!(bare[1] > 1.2 * bare[0] && bare[1] > 1.2 * bare[2], "bare output is green: {bare:?}");
    let fin = mean(&r.final_image);
    assert!(fin[1] < 1.15 * fin[0] && fin[1] < 1.15 * fin[2], "corrected output is not green: {fin:?}");
}

#[test]
fn isp_model_rejects_malformed_ext_buffers() {
    let mut isp = IspState::default();
    let hw = rkisp1_ipa::abi::HwRevision::V10;
    let mut b = vec![0u8; 8 + 16];
    b[0] = 1;
    b[4] = 16;
    b[8] = 3; // AWB_GAIN
    b[10] = 3; // ENABLE | DISABLE
    b[12] = 16;
    assert!(isp.apply_params(&b, ParamFormat::Extensible, hw).is_err());
    b[10] = 2;
    b[12] = 24; // wrong size
    assert!(isp.apply_params(&b, ParamFormat::Extensible, hw).is_err());
    b[12] = 16;
    assert!(isp.apply_params(&b, ParamFormat::Extensible, hw).is_ok());
    assert!(isp.awb_enabled());
}

#[test]
fn denoise_lowers_noise_and_keeps_dark_greys_neutral() {
    // ov8858 under A: the strongest blue gain and colour matrix, where noise clipped at zero
    // after the matrix tinted the dark patches before the Dpf existed.
    let d = scenarios::denoise("ov8858", "A").unwrap();
    let (on, off) = (d[0], d[1]);
    assert!(on.0 < off.0 * 0.7, "mid-grey noise with denoise {:.4} vs off {:.4}", on.0, off.0);
    assert!(on.1 <= 1.0, "neutral error with denoise {:.2}°", on.1);
}

#[test]
fn sharpness_control_changes_the_edges() {
    for sensor in ["imx258", "ov8858"] {
        let s = scenarios::sharpness(sensor, &[0.0, 1.0, 5.0, 10.0]).unwrap();
        eprintln!("{sensor}: {s:?}");
        // Off: no overshoot. Above the default the edges get steadily sharper (more
        // overshoot, never a wider rise), at unity gain too, where the tuned gain schedule
        // already uses its strongest register set.
        assert!(s[0].0 < 0.01, "{sensor}: {s:?}");
        assert!(s[2].0 > s[1].0 + 0.02 && s[3].0 > s[2].0 + 0.02, "{sensor}: {s:?}");
        assert!(s[3].1 <= s[0].1, "{sensor}: {s:?}");
    }
    // imx258's tuned default sharpens by itself.
    let s = scenarios::sharpness("imx258", &[0.0, 1.0]).unwrap();
    assert!(s[1].0 > s[0].0 + 0.01, "{s:?}");
}

#[test]
fn defect_pixel_correction_hides_stuck_pixels() {
    let d = scenarios::defects("imx258").unwrap();
    assert!(d[1] >= 10, "the sensor model has visible defects without DPCC: {d:?}");
    assert!(d[0] * 10 <= d[1], "DPCC removes at least 90% of them: {d:?}");
}

#[test]
fn low_light_keeps_a_live_viewfinder_unless_long_frames_are_asked_for() {
    use rkisp1_ipa::controls::{enums, RequestControls};
    for sensor in ["imx258", "ov8858"] {
        // Default (ExposureNormal): 1/15 s at most, the gain goes to the sensor's maximum.
        let l = scenarios::low_light(sensor, RequestControls::default()).unwrap();
        let (fd, t, g) = (l.frame_duration_us, l.exposure_us, l.gain);
        assert!(fd <= 66_800.0 && t <= 66_700.0, "{sensor}: frame {fd} µs, exposure {t} µs");
        assert!(g > 15.0, "{sensor}: gain {g} should be at the maximum before longer frames");
        // ExposureLong: longer frames, brighter picture.
        let long = RequestControls { ae_exposure_mode: Some(enums::EXPOSURE_LONG), ..Default::default() };
        let l = scenarios::low_light(sensor, long).unwrap();
        let (fd_long, t_long, y_long) = (l.frame_duration_us, l.exposure_us, l.mean_luminance);
        assert!(t_long > 100_000.0 && fd_long > 100_000.0, "{sensor}: Long mode exposure {t_long} µs");
        assert!(y_long > 0.1, "{sensor}: Long mode reaches a usable level: {y_long}");
        // FrameDurationLimits from the application win over the mode.
        let limited = RequestControls { ae_exposure_mode: Some(enums::EXPOSURE_LONG), frame_duration_limits: Some([33_333, 33_333]), ..Default::default() };
        let l = scenarios::low_light(sensor, limited).unwrap();
        let (fd_lim, t_lim) = (l.frame_duration_us, l.exposure_us);
        assert!(fd_lim <= 33_500.0 && t_lim <= 33_400.0, "{sensor}: limited to 1/30 s: frame {fd_lim} µs, exposure {t_lim} µs");
    }
}

#[test]
fn white_balance_reacquires_after_any_change_of_light() {
    // The light changes at frame 30, before the zone scan has been through the frame (the
    // AWB used to keep the old gains forever: 36.7° for D65 -> A).
    for (sensor, from, to) in [("imx258", "D65", "A"), ("imx258", "A", "D65"), ("imx258", "TL84", "D50"), ("ov8858", "D65", "A"), ("ov8858", "CWF", "D65")] {
        let mut c = base(sensor, "chart", from, 90).unwrap();
        c.events.push((30, Event::Illuminant(to.into())));
        let r = run(&c, |_| {}).unwrap();
        let err = final_neutral_deg(&r.records, NEUTRAL_FRAMES);
        assert!(r.records[31].neutral_max_deg > 5.0, "{sensor} {from} -> {to}: the switch must be visible");
        assert!(err < 2.0, "{sensor} {from} -> {to}: neutral error {err}° 60 frames after the change");
        // A collapse of the near-grey gate and one re-measured zone move the gains at once
        // (10-16 frames measured; 17-21 with a fresh scan, forever before that).
        let frames = frames_to_neutral(&r.records, 30..90, CONVERGED_DEG);
        assert!(frames.is_some_and(|f| f <= 20), "{sensor} {from} -> {to}: {frames:?} frames to within 2°");
    }
}

#[test]
fn white_balance_reacquires_after_the_zone_scan_is_complete() {
    // Once every zone has been measured under the old light, the gains make the new light's
    // zones saturated: AWB must forget the old zones and follow the clipped ones back (it
    // used to stay at 44° after A -> D65 at frame 70).
    for (sensor, from, to) in [("imx258", "A", "D65"), ("ov8858", "D50", "CWF")] {
        let mut c = base(sensor, "chart", from, 120).unwrap();
        c.events.push((70, Event::Illuminant(to.into())));
        let r = run(&c, |_| {}).unwrap();
        let err = final_neutral_deg(&r.records, NEUTRAL_FRAMES);
        assert!(err < 2.0, "{sensor} {from} -> {to} at frame 70: neutral error {err}° 50 frames later");
    }
}

#[test]
fn an_awb_mode_limits_the_colour_temperature_it_may_choose() {
    // Under daylight, AwbIncandescent (2000–3300 K) must keep the estimate in its range,
    // and AwbAuto set later must let it go back to daylight.
    let mut c = base("imx258", "chart", "D65", 80).unwrap();
    let mode = |m: i32| RequestControls { awb_mode: Some(m), ..Default::default() };
    c.controls = vec![(0, mode(rkisp1_ipa::controls::enums::AWB_INCANDESCENT)), (40, mode(rkisp1_ipa::controls::enums::AWB_AUTO))];
    let r = run(&c, |_| {}).unwrap();
    let incandescent = r.records[30].colour_temperature;
    assert!(incandescent <= 3300.0, "AwbIncandescent chose {incandescent} K");
    let auto = r.records[79].colour_temperature;
    assert!(auto > 5500.0, "AwbAuto chose {auto} K under D65");
}

/// A run of the robustness suite, as `sim robustness --only SEED --sensor S --format F
/// --variation off` repeats it.
fn suite_run(seed: u64, sensor: &'static str, format: ParamFormat) -> (rkisp1_sim::robustness::Outcome, rkisp1_sim::run::RunResult) {
    suite_run_on_module(seed, sensor, format, false)
}

/// The same, with `variation` choosing between the calibrated module and the case's
/// perturbed one (`--variation on`).
fn suite_run_on_module(seed: u64, sensor: &'static str, format: ParamFormat, variation: bool) -> (rkisp1_sim::robustness::Outcome, rkisp1_sim::run::RunResult) {
    use rkisp1_sim::robustness::{run_case, Case, Options};
    let opts = Options { sensor: Some(sensor), format: Some(format), variation: Some(variation) };
    run_case(&Case::draw(seed, &opts)).unwrap()
}

#[test]
fn a_scene_without_greys_keeps_steady_gains() {
    // A wall of one saturated colour and nothing else: no zone sits at a light and the wide
    // gate passes nothing under any gains. The hunt for greys tries each of its lights once
    // and then goes back to the gains it started from; it must not cycle through them.
    let dir = std::env::temp_dir().join(format!("rkisp1-sim-wall-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, srgb) in [("red", [190, 40, 45]), ("green", [40, 150, 50])] {
        let path = dir.join(format!("{name}.yaml"));
        std::fs::write(&path, format!("background: {srgb:?}\n")).unwrap();
        let mut c = base("imx258", "chart", "A", 90).unwrap();
        c.scene = rkisp1_sim::scene::from_file(&path).unwrap();
        let r = run(&c, |_| {}).unwrap();
        let start = r.records[8].colour_gains;
        for rec in &r.records[60..] {
            let moved = (0..2).map(|k| (rec.colour_gains[k] / start[k]).ln().abs()).fold(0.0, f64::max);
            assert!(moved < 0.02, "{name} wall, frame {}: gains {:?}, {:?} at the start", rec.frame, rec.colour_gains, start);
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_change_of_light_before_any_zone_estimate_is_followed() {
    // A dark scene with one surface over 77% of it, where no zone sits at a light: the wide
    // gate balanced A from its few greys. After A -> D65 at frame 43 every grey was tinted
    // beyond the wide gate, which passed nothing, and the gains stayed at A (37.1° to the
    // end). Now the gains try lights along the locus until the wide gate finds greys again.
    let (o, _) = suite_run_on_module(5539414948125521197, "ov8858", ParamFormat::Fixed, true);
    let frames = match o.event_outcome {
        Some(rkisp1_sim::robustness::EventOutcome::Neutral { frames_to_converged }) => frames_to_converged,
        ref other => panic!("an illuminant change was drawn, not {other:?} ({})", o.repro),
    };
    assert!(!o.stuck && o.final_deg < 3.0 && frames.is_some(), "{:.1}°, {frames:?} frames after the change ({})", o.final_deg, o.repro);
}

#[test]
fn white_balance_holds_in_light_too_dark_for_colour() {
    // A chart under D65 at a quarter of the AE's reach, then 4 EV darker at frame 33: the
    // sensor is at its maximum gain and the zones are noise, where only a coloured surface
    // stays above it. The AWB followed that surface to 4133 K (39° off); it must hold.
    let (o, r) = suite_run(6011604004625908569, "imx258", ParamFormat::Extensible);
    let before = r.records[32].colour_gains;
    for rec in &r.records[33..] {
        let moved = (0..2).map(|k| (rec.colour_gains[k] / before[k]).ln().abs()).fold(0.0, f64::max);
        assert!(moved < 0.05, "frame {}: gains {:?}, {:?} before the step ({})", rec.frame, rec.colour_gains, before, o.repro);
    }
    assert!(o.final_deg < 5.0 && !o.stuck, "{:.1}° ({})", o.final_deg, o.repro);
}

#[test]
fn a_surface_entering_does_not_take_the_white_balance_off_the_greys() {
    // D65, greys balanced to 0.8° when a coloured surface enters at frame 36. The
    // near-grey gate still held the grey background (17% of the frame) at its centre, but
    // zones the surface now filled voted for 3905 K, 0.33 away, and the zone frame moved
    // the gains there (26° to the end). A gate holding that many greys keeps the gains.
    let (o, r) = suite_run(7140563194879471879, "ov8858", ParamFormat::Fixed);
    assert!(o.before_event_deg.is_some_and(|d| d < 2.0), "{:?}° before the surface entered ({})", o.before_event_deg, o.repro);
    let worst = r.records[36..].iter().map(|rec| rec.neutral_mean_deg).fold(0.0, f64::max);
    assert!(worst < 3.0 && !o.stuck, "{worst:.1}° after the surface entered, {:.1}° at the end ({})", o.final_deg, o.repro);
}

#[test]
fn a_move_of_light_the_greys_did_not_follow_is_undone() {
    // D65: a small surface entered at frame 32 and covered two zones, whose values were
    // from the scan's pass before. At frame 78 the two zones moved alike, which was taken
    // for a change of light (4352 K, 22° off). The gate under the old gains still held the
    // greys, but the moved zone table and the gate took turns leading until the end
    // (frame 87: 22°). The gate holding the greys under the old gains undoes the move.
    let (o, r) = suite_run(1737238766019827299, "ov8858", ParamFormat::Extensible);
    let after = &r.records[86..];
    let worst = after.iter().map(|rec| rec.neutral_mean_deg).fold(0.0, f64::max);
    assert!(worst < 3.0, "{worst:.1}° from frame 86 on ({})", o.repro);
}

#[test]
fn a_light_whose_greys_the_gate_cannot_find_is_left() {
    // Zones that mix a large surface with the grey background around it voted for a light
    // where the near-grey gate then found no greys, frame after frame; the gains stayed
    // there to the end (6.8°, 10.2°, 10.3°, 21.8° and 10.9° off). Now such a light is ruled
    // out and the vote's runner-up, where the gate does find the greys, takes over.
    for (seed, sensor, format) in [
        (15613933959831702271, "imx258", ParamFormat::Fixed),
        (13311332029431091587, "ov8858", ParamFormat::Extensible),
        (10671159870368358325, "ov8858", ParamFormat::Fixed),
        (16328997830202126747, "ov8858", ParamFormat::Extensible),
        (1902524621310651387, "ov8858", ParamFormat::Extensible),
    ] {
        let (o, _) = suite_run(seed, sensor, format);
        assert!(!o.stuck && o.final_deg < 5.0, "{:.1}° ({})", o.final_deg, o.repro);
    }
}

#[test]
fn a_clipped_highlight_does_not_confirm_a_wrong_white_balance() {
    // A brown surface over 28% of the frame and a clipped window: the near-grey gate,
    // centred on whatever the gains are, passed the clipped window as grey and kept the
    // gains at 2856 K under 4381 K (24° off). Without the window's confirmation the
    // estimate leaves 2856 K; it still ends about 13° off, on the brown surface (issue 10).
    let (o, _) = suite_run(9915197876745970981, "ov8858", ParamFormat::Fixed);
    assert!(o.final_deg < 15.0, "{:.1}° ({})", o.final_deg, o.repro);
}

#[test]
fn a_step_into_clipped_highlights_keeps_the_constraint_boost() {
    // +4 EV steps on scenes whose highlight constraint held the AE above its mean target.
    // From the first frame still clipped, the mean's step landed on the bare target and the
    // constraint raised it again (12% undershoot, 9 frames to settle: 3495373850953461317);
    // from a frame whose top 2% were partly clipped, the constraint asked too much and the
    // step landed 10% above (9 frames: 1813257206896418058).
    use rkisp1_sim::robustness::EventOutcome;
    for (seed, format, variation) in [(3495373850953461317, ParamFormat::Fixed, false), (1813257206896418058, ParamFormat::Extensible, true)] {
        let (o, _) = suite_run_on_module(seed, "imx258", format, variation);
        let Some(EventOutcome::Brightness { settle_frames, overshoot }) = o.event_outcome else {
            panic!("a brightness step: {:?} ({})", o.event_outcome, o.repro)
        };
        assert!(settle_frames <= 6 && overshoot <= 0.10, "{settle_frames} frames, {:.0}% overshoot ({})", overshoot * 100.0, o.repro);
    }
}

#[test]
fn a_change_of_brightness_is_not_taken_for_a_change_of_light() {
    // The report's AE steps (chart, D65, step at frame 60): the near-grey gate passed far
    // fewer pixels at its floors after -4 EV, the AWB took that for greys leaving the gate
    // (a change of light), re-acquired, and moved the gains by 7%; the luminance followed
    // and took 20 frames to settle within ±5%.
    for sensor in ["imx258", "ov8858"] {
        for ev in [4.0, -4.0] {
            let (s, r) = scenarios::ae_step(sensor, ev).unwrap();
            assert!(s.settle_frames <= 6, "{sensor} {ev:+} EV: {s:?}");
            let before = r.records[scenarios::STEP_AT - 1].colour_gains;
            for rec in &r.records[scenarios::STEP_AT..] {
                let moved = (0..2).map(|k| (rec.colour_gains[k] / before[k]).ln().abs()).fold(0.0, f64::max);
                assert!(moved < 0.02, "{sensor} {ev:+} EV, frame {}: gains {:?}, {:?} before", rec.frame, rec.colour_gains, before);
            }
        }
    }
}

/// Runs suite case `seed` on a varied imx258 module (extensible format) and returns its
/// outcome with the black level (10-bit) of the tuning, of the module and as measured at the end.
fn varied_imx258_black_level(seed: u64) -> (rkisp1_sim::robustness::Outcome, f64, f64, f64) {
    use rkisp1_sim::robustness::{run_case, Case, Options};
    use rkisp1_sim::sensor::SensorModel;
    let case = Case::draw(seed, &Options { sensor: Some("imx258"), format: Some(ParamFormat::Extensible), variation: Some(true) });
    let nominal = SensorModel::by_name(case.sensor).unwrap();
    let truth = case.variation.as_ref().unwrap().apply(&nominal).black_level_10bit;
    let (o, r) = run_case(&case).unwrap();
    let measured = r.records.last().unwrap().black_level_10bit.unwrap();
    (o, nominal.black_level_10bit, truth, measured)
}

#[test]
fn a_clearly_measured_black_level_offset_is_corrected_in_full() {
    // imx258 modules 17.2 and 11.2 codes (12-bit) above the tuned 256: their pairs read
    // +15.9 ± 1.3 and +11.9 ± 1.1, but a correction ramping over three dead bands applied
    // +6 and +2, and their dark greys ended 2.5° and 3.7° off.
    for seed in [1813257206896418058, 7508796650322753158] {
        let (o, tuned, truth, measured) = varied_imx258_black_level(seed);
        assert!((truth - tuned).abs() > 2.5, "the case's module must be off its tuning: {truth:.1} ({})", o.repro);
        assert!((measured - truth).abs() <= 1.0, "measured {measured:.2}, module {truth:.2} ({})", o.repro);
        assert!(!o.stuck && o.final_deg < 2.5, "{:.1}° at the end ({})", o.final_deg, o.repro);
    }
}

#[test]
fn a_black_level_off_the_tuning_is_measured_when_the_ae_settles_without_a_step() {
    // imx258 modules whose black level is 11 codes (10-bit) off the tuned 64 (74.8, 52.9): the
    // AE settled without a pair of frames to measure the level from, the level stayed at 64
    // and the second module's dark greys ended 7.3° off. A dip of the exposure gives the pair.
    for seed in [5179314941734227417, 6377404086083808856] {
        let (o, tuned, truth, measured) = varied_imx258_black_level(seed);
        assert!((truth - tuned).abs() > 8.0, "the case's module must be off its tuning: {truth:.1} ({})", o.repro);
        assert!((measured - truth).abs() <= 2.0, "measured {measured:.1}, module {truth:.1} ({})", o.repro);
        assert!(!o.stuck && o.final_deg < 3.0, "{:.1}° at the end ({})", o.final_deg, o.repro);
    }
}
