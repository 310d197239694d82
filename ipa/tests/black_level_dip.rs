//! The exposure dip that measures a module's black level when the AE settles without a
//! step: driven through the IPA's interface by a still scene whose AE cells follow the
//! applied exposure, on a module whose black level lies off its tuning.

use rkisp1_ipa::abi::consts::{HwRevision, STAT_AUTOEXP, STAT_HIST};
use rkisp1_ipa::abi::layout::stat;
use rkisp1_ipa::abi::{Block, ExtBlockType, ParamFormat};
use rkisp1_ipa::controls::{AutoMode, RequestControls};
use rkisp1_ipa::sensor::{Range, SensorControls, SensorInfo};
use rkisp1_ipa::{InitInfo, Ipa, SensorSettings};

/// Frames between a command and the frame it applies to (the sensor's delay).
const DELAY: usize = 2;
/// 12-bit codes of black level the module has beyond its tuned 64 (10-bit).
const MODULE_OFFSET: f64 = 40.0;
/// One 12-bit code in the 8-bit AE means, through a unity colour path: (R + G + B) × 85/4096.
const CODE_IN_AE: f64 = 3.0 * 85.0 / 4096.0;

fn tuning(estimate: bool) -> String {
    format!(
        "version: 1\nalgorithms:
  - BlackLevelCorrection:
      R: 4096\n      Gr: 4096\n      Gb: 4096\n      B: 4096
      estimate: {estimate}
  - Agc:
      relativeLuminanceTarget: 0.16
"
    )
}

/// The BLS level (R, 12-bit) of an extensible params buffer, if it holds the block:
/// header (version, data size), then blocks of (type u16, flags u16, size u32, config).
fn bls_level(buf: &[u8]) -> Option<i16> {
    let data_size = u32::from_le_bytes(buf[4..8].try_into().unwrap()) as usize;
    let mut o = 8;
    while o + 8 <= 8 + data_size {
        let ty = u16::from_le_bytes([buf[o], buf[o + 1]]);
        let size = u32::from_le_bytes(buf[o + 4..o + 8].try_into().unwrap()) as usize;
        if ty == ExtBlockType::Bls as u16 {
            if let Some(Block::Bls(b)) = Block::decode(ExtBlockType::Bls, &buf[o + 8..o + size]) {
                return Some(b.fixed[0]);
            }
        }
        o += size.max(8);
    }
    None
}

/// The AE means of a still scene (25 cells of different reflectance) at `exposure_us`
/// (unity gain), with the module's residual black level, and the histogram of those cells.
fn stats(exposure_us: f64, residual_12bit: f64) -> Vec<u8> {
    let mut b = vec![0u8; stat::SIZE];
    b[0..4].copy_from_slice(&(STAT_AUTOEXP | STAT_HIST).to_le_bytes());
    let mut hist = [0u32; 16];
    for i in 0..25 {
        // Cells from 0.5 to 1.5 times the mean, with fractional parts.
        let signal = 78.5 * (0.5 + 0.0413 * i as f64) * exposure_us / 10_000.0;
        let mean = (signal + residual_12bit * CODE_IN_AE - 0.5 * 3.0 * 85.0 / 256.0).round().clamp(0.0, 255.0) as u8;
        b[stat::AE_EXP_MEAN + i] = mean;
        // The histogram (16 bins on this ISP) holds the cells' pixels.
        hist[mean as usize / 16] += 1000;
    }
    for (i, h) in hist.iter().enumerate() {
        let o = stat::HIST_BINS + 4 * i;
        b[o..o + 4].copy_from_slice(&(h << 4).to_le_bytes());
    }
    b
}

struct Run {
    /// The exposure × gain (µs) of every frame.
    exposures: Vec<f64>,
    /// The black level reported on the last frame (16-bit scale, R).
    black_level: i32,
}

/// `frames` frames of the still scene; `controls` are queued with frame 0.
fn run(estimate: bool, frames: usize, controls: RequestControls) -> Run {
    let info = SensorInfo { model: "imx258".into(), bits_per_sample: 10, width: 2080, height: 1560, pixel_rate: 256_800_000, line_length: 5352 };
    let ctrls = SensorControls { exposure: Range::new(4, 3000, 1600), analogue_gain: Range::new(0, 480, 0), vblank: Range::new(32, 62000, 32) };
    let init = InitInfo { hw_revision: 10, hw: HwRevision::V10, supported_blocks: 0xFFFFF, sensor: info.clone(), sensor_controls: ctrls };
    let mut ipa = Ipa::init(init, "t.yaml", &tuning(estimate)).unwrap();
    ipa.configure(info, ctrls, ParamFormat::Extensible).unwrap();
    ipa.start();
    let line_us = 5352.0 / 256.8;
    let mut buf = vec![0u8; 8192];
    // The scene sits at the AE's target at the IPA's first exposure (10 ms): the AE holds
    // from the start and makes no step the black level could be measured from.
    let first = SensorSettings { exposure_lines: 480, gain_code: 0, vblank: 32 };
    let mut applied = vec![first; DELAY];
    let (mut exposures, mut black_level, mut bls) = (Vec::new(), 4096, 256i16);
    for f in 0..frames {
        let c = if f == 0 { controls } else { RequestControls::default() };
        ipa.queue_request(f as u32, &c);
        ipa.compute_params(f as u32, &mut buf);
        // The ISP keeps the BLS level last programmed.
        bls = bls_level(&buf).unwrap_or(bls);
        let now = applied[f];
        let exposure = now.exposure_lines as f64 * line_us * ipa.helper().gain(now.gain_code);
        exposures.push(exposure);
        // The BLS subtracts the tuned level plus what the IPA measured so far.
        let subtracted = bls as f64 - 256.0;
        let (md, cmd) = ipa.process_stats(f as u32, Some(&stats(exposure, MODULE_OFFSET - subtracted)), now);
        black_level = md.sensor_black_levels.map_or(black_level, |l| l[0]);
        applied.push(cmd.unwrap_or(now));
    }
    Run { exposures, black_level }
}

/// Frames whose exposure is at least 25% below the one the AE ends with.
fn dipped_frames(r: &Run) -> Vec<usize> {
    let settled = *r.exposures.last().unwrap();
    (DELAY..r.exposures.len()).filter(|f| r.exposures[*f] < settled / 1.25).collect()
}

#[test]
fn a_still_scene_gets_one_short_dip_that_measures_the_black_level() {
    let r = run(true, 90, RequestControls::default());
    let dipped = dipped_frames(&r);
    // One dip of the frames in flight, then back at the settled exposure.
    assert!(!dipped.is_empty() && dipped.len() <= 4, "dipped frames {dipped:?}, exposures {:?}", r.exposures);
    assert!(dipped.windows(2).all(|w| w[1] == w[0] + 1), "one dip: {dipped:?}");
    let (before, last) = (r.exposures[dipped[0] - 1], *r.exposures.last().unwrap());
    assert!((last / before - 1.0).abs() < 0.04, "exposure back: {last:.0} against {before:.0} before the dip");
    // The module's offset (40 codes, 12-bit) is found to within the method's bias.
    let measured = (r.black_level as f64 - 4096.0) / 16.0;
    assert!((measured - MODULE_OFFSET).abs() <= 6.0, "measured {measured:+.1} (12-bit), module {MODULE_OFFSET:+}");
}

#[test]
fn no_dip_without_the_measurement_or_under_manual_exposure() {
    let r = run(false, 90, RequestControls::default());
    assert_eq!(dipped_frames(&r), Vec::<usize>::new(), "estimate off: {:?}", r.exposures);
    assert_eq!(r.black_level, 4096);
    let manual = RequestControls {
        exposure_time_mode: Some(AutoMode::Manual),
        exposure_time: Some(8000),
        analogue_gain_mode: Some(AutoMode::Manual),
        analogue_gain: Some(1.0),
        ..Default::default()
    };
    let r = run(true, 90, manual);
    assert!(r.exposures[DELAY + 1..].iter().all(|e| (e / r.exposures[DELAY + 1] - 1.0).abs() < 0.01), "manual exposure moved: {:?}", r.exposures);
}
