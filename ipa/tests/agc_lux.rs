//! AGC reads its tuned luminance target at the scene's lux, as the Lux algorithm measured
//! it on the previous frame.

use rkisp1_ipa::abi::consts::{HwRevision, STAT_AUTOEXP, STAT_HIST};
use rkisp1_ipa::abi::layout::stat;
use rkisp1_ipa::abi::ParamFormat;
use rkisp1_ipa::controls::RequestControls;
use rkisp1_ipa::sensor::{Range, SensorControls, SensorInfo};
use rkisp1_ipa::{InitInfo, Ipa, SensorSettings};

const LUX: &str = "  - Lux:
      referenceExposureTime: 10000
      referenceAnalogueGain: 1
      referenceDigitalGain: 1
      referenceY: 0.16
      referenceLux: 100
";

/// A frame whose AE cells all read `ae` and whose histogram sits in a low bin.
fn stats(ae: u8) -> Vec<u8> {
    let mut b = vec![0u8; stat::SIZE];
    b[0..4].copy_from_slice(&(STAT_AUTOEXP | STAT_HIST).to_le_bytes());
    for i in 0..25 {
        b[stat::AE_EXP_MEAN + i] = ae;
    }
    let o = stat::HIST_BINS + 4 * 3;
    b[o..o + 4].copy_from_slice(&(1000u32 << 4).to_le_bytes());
    b
}

/// Exposure lines asked for after two frames at `lines` reading AE level 40.
fn command_after(tuning: &str, lines: u32) -> u32 {
    let info = SensorInfo { model: "imx258".into(), bits_per_sample: 10, width: 2080, height: 1560, pixel_rate: 256_800_000, line_length: 5352 };
    let ctrls = SensorControls { exposure: Range::new(4, 1582, 1600), analogue_gain: Range::new(0, 480, 0), vblank: Range::new(32, 62000, 32) };
    let init = InitInfo { hw_revision: 10, hw: HwRevision::V10, supported_blocks: 0xFFFFF, sensor: info.clone(), sensor_controls: ctrls };
    let mut ipa = Ipa::init(init, "t.yaml", tuning).unwrap();
    ipa.configure(info, ctrls, ParamFormat::Extensible).unwrap();
    ipa.start();
    let mut buf = vec![0u8; 8192];
    let mut cmd = None;
    for f in 0..2 {
        ipa.queue_request(f, &RequestControls::default());
        ipa.compute_params(f, &mut buf);
        cmd = ipa.process_stats(f, Some(&stats(40)), SensorSettings { exposure_lines: lines, gain_code: 0, vblank: 32 }).1;
    }
    cmd.unwrap().exposure_lines
}

#[test]
fn the_luminance_target_follows_the_scene_lux() {
    // Upper bound only, out of reach: the constraint does not interfere.
    let agc = |target: &str| {
        format!(
            "version: 1\nalgorithms:\n  - Agc:\n      relativeLuminanceTarget: {target}
      AeConstraintMode:
        ConstraintNormal:
          upper: {{ qLo: 0.98, qHi: 1.0, yTarget: 1.0 }}
"
        )
    };
    // At level 40, 30 lines (625 µs) read about 1570 lux, 400 lines (8.3 ms) about 118 lux.
    // (Both commands stay below 10 ms, the first exposure stage, so that time alone moves.)
    let (bright, dark) = (30, 400);
    let ratio = |t: &str| {
        let b = command_after(t, bright) as f64 / bright as f64;
        let d = command_after(t, dark) as f64 / dark as f64;
        b / d
    };
    // Lux listed after Agc (libcamera's order): the previous frame's lux is used.
    let tuned = ratio(&(agc("[ 150, 0.1, 1500, 0.3 ]") + LUX));
    let flat = ratio(&(agc("0.15") + LUX));
    // The bright scene gets three times the dark one's target (less the half-code
    // rounding AGC allows on either side, and whole lines).
    assert!((2.7..3.2).contains(&tuned), "tuned curve: ratio {tuned}");
    assert!((0.85..1.15).contains(&flat), "flat curve: ratio {flat}");
    // Without Lux the curve is read at one level for both scenes.
    let no_lux = ratio(&agc("[ 150, 0.1, 1500, 0.3 ]"));
    assert!((0.85..1.15).contains(&no_lux), "no Lux: ratio {no_lux}");
}
