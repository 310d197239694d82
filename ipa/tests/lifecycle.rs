//! The IPA life cycle with synthetic statistics: sensor commands, metadata, bad input,
//! and no heap allocation per frame in steady state.

use rkisp1_ipa::abi::consts::{HwRevision, STAT_AUTOEXP, STAT_AWB, STAT_HIST};
use rkisp1_ipa::abi::layout::stat;
use rkisp1_ipa::abi::ParamFormat;
use rkisp1_ipa::controls::{AutoMode, RequestControls};
use rkisp1_ipa::sensor::{Range, SensorControls, SensorInfo};
use rkisp1_ipa::{InitInfo, Ipa, SensorSettings};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

// Counts allocations made by the thread that asked for it: the test harness runs the
// other tests of this file in parallel threads, and their allocations must not count.
struct Counting;
static ALLOCS: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static COUNT_THIS_THREAD: Cell<bool> = const { Cell::new(false) };
}
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if COUNT_THIS_THREAD.try_with(Cell::get).unwrap_or(false) {
            ALLOCS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
}
#[global_allocator]
static A: Counting = Counting;

fn sensor(model: &str, height: u32) -> (InitInfo, SensorInfo, SensorControls) {
    let info = SensorInfo { model: model.into(), bits_per_sample: 10, width: height * 4 / 3, height, pixel_rate: 256_800_000, line_length: 5352 };
    let ctrls =
        SensorControls { exposure: Range::new(4, (height + 32 - 10) as i64, 1600), analogue_gain: Range::new(0, 480, 0), vblank: Range::new(32, 62000, 32) };
    (InitInfo { hw_revision: 10, hw: HwRevision::V10, supported_blocks: 0xFFFFF, sensor: info.clone(), sensor_controls: ctrls }, info, ctrls)
}

fn tuning() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../tuning/imx258.yaml")).unwrap()
}

fn stats(ae: u8) -> Vec<u8> {
    let mut b = vec![0u8; stat::SIZE];
    b[0..4].copy_from_slice(&(STAT_AWB | STAT_AUTOEXP | STAT_HIST).to_le_bytes());
    b[stat::AWB_CNT..stat::AWB_CNT + 4].copy_from_slice(&5_000_000u32.to_le_bytes());
    b[stat::AWB_MEAN_Y_OR_G] = 100;
    b[stat::AWB_MEAN_CB_OR_B] = 128;
    b[stat::AWB_MEAN_CR_OR_R] = 128;
    for i in 0..25 {
        b[stat::AE_EXP_MEAN + i] = ae;
    }
    let o = stat::HIST_BINS + 4 * 3;
    b[o..o + 4].copy_from_slice(&(1000u32 << 4).to_le_bytes());
    b
}

#[test]
fn dark_frames_raise_exposure_and_metadata_is_reported() {
    let (init, info, ctrls) = sensor("imx258", 1560);
    let mut ipa = Ipa::init(init, "imx258.yaml", &tuning()).unwrap();
    ipa.configure(info, ctrls, ParamFormat::Extensible).unwrap();
    ipa.start();
    let mut buf = vec![0u8; 4512];
    ipa.queue_request(0, &RequestControls::default());
    let used = ipa.compute_params(0, &mut buf);
    assert!(used > 8 && used <= buf.len());
    let applied = SensorSettings { exposure_lines: 400, gain_code: 0, vblank: 32 };
    let (md, cmd) = ipa.process_stats(0, Some(&stats(10)), applied);
    let cmd = cmd.unwrap();
    assert!(cmd.exposure_lines as u64 * 4 > 400 * 4 || cmd.gain_code > 0, "darker than target must raise exposure: {cmd:?}");
    assert_eq!(md.exposure_time, Some((400.0 * 5352.0 / 256.8) as i32));
    assert_eq!(md.analogue_gain, Some(1.0));
    assert_eq!(md.sensor_black_levels, Some([4096; 4]));
    assert!(md.colour_gains.is_some() && md.colour_temperature.is_some() && md.colour_correction_matrix.is_some());
    assert!(cmd.vblank >= 32, "never below the sensor minimum");
    // VBLANK follows the configured 1560-line mode: frame length covers the exposure.
    assert!(1560 + cmd.vblank >= cmd.exposure_lines + 10);
}

#[test]
fn manual_exposure_and_gain() {
    let (init, info, ctrls) = sensor("imx258", 1560);
    let mut ipa = Ipa::init(init, "imx258.yaml", &tuning()).unwrap();
    ipa.configure(info, ctrls, ParamFormat::Fixed).unwrap();
    ipa.start();
    let c = RequestControls {
        exposure_time_mode: Some(AutoMode::Manual),
        analogue_gain_mode: Some(AutoMode::Manual),
        exposure_time: Some(10_000),
        analogue_gain: Some(2.0),
        ..Default::default()
    };
    ipa.queue_request(0, &c);
    let mut buf = vec![0u8; 3048];
    assert_eq!(ipa.compute_params(0, &mut buf), 3048);
    let (_, cmd) = ipa.process_stats(0, Some(&stats(200)), SensorSettings { exposure_lines: 100, gain_code: 0, vblank: 32 });
    let cmd = cmd.unwrap();
    assert_eq!(cmd.exposure_lines, (10_000.0 / (5352.0 / 256.8)) as u32);
    assert_eq!(cmd.gain_code, 256, "2x on imx258 is code 256");
}

#[test]
fn bad_input_gives_safe_results() {
    let (init, info, ctrls) = sensor("imx258", 1560);
    let mut ipa = Ipa::init(init, "imx258.yaml", &tuning()).unwrap();
    let mut buf = vec![0u8; 3048];
    // Before configure: still a valid (empty) buffer, no panic.
    assert_eq!(ipa.compute_params(0, &mut buf), 3048);
    ipa.configure(info, ctrls, ParamFormat::Extensible).unwrap();
    ipa.start();
    let applied = SensorSettings { exposure_lines: 400, gain_code: 0, vblank: 32 };
    for (i, s) in [vec![], vec![0xFF; 10], vec![0xFF; stat::SIZE], vec![0; stat::SIZE]].iter().enumerate() {
        ipa.queue_request(i as u32, &RequestControls::default());
        ipa.compute_params(i as u32, &mut buf);
        let (md, cmd) = ipa.process_stats(i as u32, Some(s), applied);
        assert!(cmd.is_some() && md.exposure_time.is_some());
    }
    // Stats for a frame never queued, and missing stats.
    assert!(ipa.process_stats(999, None, applied).1.is_some());
    // A params buffer too small for the header.
    assert_eq!(ipa.compute_params(5, &mut [0u8; 4]), 0);
    // Unknown sensor: generic helper with a warning, still works.
    let (init, info, ctrls) = sensor("mystery", 1000);
    let mut ipa = Ipa::init(init, "x.yaml", "version: 1\nalgorithms:\n  - Agc:\n  - Awb:\n").unwrap();
    assert!(!ipa.helper().known);
    ipa.configure(info, ctrls, ParamFormat::Fixed).unwrap();
    // Invalid mode is refused with an error, not a panic.
    let (_, mut bad, ctrls) = sensor("imx258", 1560);
    bad.pixel_rate = 0;
    assert!(ipa.configure(bad, ctrls, ParamFormat::Fixed).is_err());
}

#[test]
fn no_heap_allocation_per_frame_in_steady_state() {
    let (init, info, ctrls) = sensor("imx258", 1560);
    let mut ipa = Ipa::init(init, "imx258.yaml", &tuning()).unwrap();
    ipa.configure(info, ctrls, ParamFormat::Extensible).unwrap();
    ipa.start();
    let mut buf = vec![0u8; 4512];
    let st = [stats(40), stats(45)];
    let req = RequestControls { exposure_value: Some(0.0), ..Default::default() };
    let mut run = |from: u32, to: u32| {
        for f in from..to {
            ipa.queue_request(f, &req);
            ipa.compute_params(f, &mut buf);
            ipa.process_stats(f, Some(&st[f as usize % 2]), SensorSettings { exposure_lines: 800, gain_code: 10, vblank: 32 });
        }
    };
    run(0, 50);
    let before = ALLOCS.load(Ordering::Relaxed);
    COUNT_THIS_THREAD.with(|c| c.set(true));
    run(50, 300);
    COUNT_THIS_THREAD.with(|c| c.set(false));
    assert_eq!(ALLOCS.load(Ordering::Relaxed) - before, 0, "allocations in 250 steady-state frames");
}
