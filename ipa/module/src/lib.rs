//! The Rust side of `ipa_rkisp1_rs.so`: a cxx bridge that the C++ class implementing
//! libcamera's `IPARkISP1Interface` (cpp/ipa_rkisp1_rs.cpp) calls. Everything crossing the
//! bridge is plain data; libcamera types stay on the C++ side.
//!
//! No panic may reach C++ (cxx would abort the camera process): every entry point runs
//! under [`guard`], which logs the panic, marks the module broken and returns a safe
//! result. A broken module keeps answering (empty params, metadata without estimates) so
//! the pipeline's contract holds until the camera is stopped.

mod convert;
pub mod logger;

use rkisp1_ipa::abi::{HwRevision, ParamFormat};
use rkisp1_ipa::ipa::{empty_params, InitInfo, Ipa};
use rkisp1_ipa::SensorSettings;
use std::panic::{catch_unwind, AssertUnwindSafe};

#[cxx::bridge(namespace = "rkisp1_rs")]
pub mod ffi {
    /// The controls that cross the bridge; the C++ side maps them to libcamera's ids.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[repr(u32)]
    enum Ctrl {
        AeEnable,
        ExposureTimeMode,
        AnalogueGainMode,
        ExposureTime,
        AnalogueGain,
        ExposureValue,
        AeMeteringMode,
        AeConstraintMode,
        AeExposureMode,
        FrameDurationLimits,
        AeFlickerMode,
        AeFlickerPeriod,
        AwbEnable,
        AwbMode,
        ColourGains,
        ColourTemperature,
        ColourCorrectionMatrix,
        Gamma,
        FrameDuration,
        SensorBlackLevels,
        Lux,
        LensShadingCorrectionEnable,
        Brightness,
        Contrast,
        Saturation,
        Hue,
        NoiseReductionMode,
        Sharpness,
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    #[repr(u8)]
    enum Kind {
        Bool,
        Int32,
        Int64,
        Float,
    }

    /// One control value: `count` elements of `ints` (Bool, Int32, Int64) or `floats`.
    #[derive(Debug, Clone, Copy)]
    struct ControlEntry {
        id: Ctrl,
        kind: Kind,
        count: u32,
        ints: [i64; 4],
        floats: [f32; 9],
    }

    /// Advertised range of a control. `menu` lists the valid values of an enumerated
    /// control (then min/max are unused).
    #[derive(Debug, Clone)]
    struct ControlRange {
        id: Ctrl,
        kind: Kind,
        min: f64,
        max: f64,
        def: f64,
        menu: Vec<i32>,
    }

    /// `IPACameraSensorInfo`, reduced to what the IPA uses.
    #[derive(Debug, Clone)]
    struct SensorMode {
        model: String,
        bits_per_pixel: u32,
        width: u32,
        height: u32,
        pixel_rate: u64,
        line_length: u32,
    }

    /// (min, max, default) of the V4L2 controls EXPOSURE, ANALOGUE_GAIN and VBLANK;
    /// `present` is false when the sensor did not report one.
    #[derive(Debug, Clone, Copy)]
    struct V4l2Range {
        present: bool,
        min: i64,
        max: i64,
        def: i64,
    }

    #[derive(Debug, Clone, Copy)]
    struct SensorRanges {
        exposure: V4l2Range,
        analogue_gain: V4l2Range,
        vblank: V4l2Range,
    }

    /// V4L2 values: what applied to a frame (in) or what to apply next (out).
    #[derive(Debug, Clone, Copy, Default)]
    struct SensorValues {
        valid: bool,
        exposure: i32,
        analogue_gain: i32,
        vblank: i32,
    }

    extern "Rust" {
        type Module;

        /// Create the module state and install the logger (once per process).
        fn new_module() -> Box<Module>;

        /// Log an error of the C++ side under our category.
        fn log_error(message: &str);

        /// 0, or a negative errno: -ENOENT (tuning file missing), -EINVAL (bad tuning file,
        /// sensor data or hardware revision).
        fn init(
            self: &mut Module,
            tuning_file: &str,
            hw_revision: u32,
            supported_blocks: u32,
            sensor: &SensorMode,
            ranges: &SensorRanges,
            controls: &mut Vec<ControlRange>,
        ) -> i32;

        /// `param_format` is the V4L2 fourcc of the params buffer ('RK1P' or 'RK1E').
        fn configure(self: &mut Module, sensor: &SensorMode, ranges: &SensorRanges, param_format: u32, controls: &mut Vec<ControlRange>) -> i32;

        fn start(self: &mut Module) -> i32;
        fn stop(self: &mut Module);
        fn queue_request(self: &mut Module, frame: u32, controls: &[ControlEntry]);

        /// Fill `buffer` (the whole mapped params buffer); returns bytesused.
        fn compute_params(self: &mut Module, frame: u32, buffer: &mut [u8]) -> u32;

        /// `stats` is empty when the statistics are missing. Fills `metadata` (cleared
        /// first; the vector is reused across frames) and `command`.
        fn process_stats(self: &mut Module, frame: u32, stats: &[u8], applied: &SensorValues, metadata: &mut Vec<ControlEntry>, command: &mut SensorValues);
    }
}

const ENOENT: i32 = 2;
const EINVAL: i32 = 22;

/// The IPA as the C++ class sees it.
pub struct Module {
    init: Option<InitInfo>,
    tuning: Option<(String, String)>,
    ipa: Option<Ipa>,
    format: ParamFormat,
    /// Set when a panic was caught: answer safely from now on.
    broken: bool,
}

pub fn new_module() -> Box<Module> {
    logger::install();
    Box::new(Module { init: None, tuning: None, ipa: None, format: ParamFormat::Extensible, broken: false })
}

pub fn log_error(message: &str) {
    log::error!("{message}");
}

/// Run `f`, turning a panic into a logged error and `fallback`.
fn guard<T>(module: &mut Module, what: &str, fallback: T, f: impl FnOnce(&mut Module) -> T) -> T {
    if module.broken {
        return fallback;
    }
    match catch_unwind(AssertUnwindSafe(|| f(module))) {
        Ok(v) => v,
        Err(p) => {
            let msg = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned());
            log::error!("{what}: internal error ({}); the IPA is disabled until reconfigured", msg.unwrap_or_default());
            module.broken = true;
            fallback
        }
    }
}

impl Module {
    fn init(
        &mut self,
        tuning_file: &str,
        hw_revision: u32,
        supported_blocks: u32,
        sensor: &ffi::SensorMode,
        ranges: &ffi::SensorRanges,
        controls: &mut Vec<ffi::ControlRange>,
    ) -> i32 {
        guard(self, "init", -EINVAL, |m| {
            let Some(hw) = HwRevision::from_raw(hw_revision) else {
                log::error!("unsupported ISP hardware revision {hw_revision}");
                return -EINVAL;
            };
            let text = match std::fs::read_to_string(tuning_file) {
                Ok(t) => t,
                Err(e) => {
                    log::error!("cannot read tuning file '{tuning_file}': {e}");
                    return if e.kind() == std::io::ErrorKind::NotFound { -ENOENT } else { -EINVAL };
                }
            };
            let info = InitInfo {
                hw_revision,
                hw,
                supported_blocks: supported_blocks as u64,
                sensor: convert::sensor_info(sensor),
                sensor_controls: convert::sensor_controls(ranges),
            };
            let mut ipa = match Ipa::init(info.clone(), tuning_file, &text) {
                Ok(i) => i,
                Err(e) => {
                    log::error!("{e}");
                    return -EINVAL;
                }
            };
            // Advertise the controls of the boot mode; configure() refreshes them.
            match ipa.configure(info.sensor.clone(), info.sensor_controls, m.format) {
                Ok(c) => convert::control_ranges(&c, controls),
                Err(e) => {
                    log::error!("sensor mode at init: {e}");
                    return -EINVAL;
                }
            }
            m.init = Some(info);
            m.tuning = Some((tuning_file.to_string(), text));
            m.ipa = Some(ipa);
            0
        })
    }

    fn configure(&mut self, sensor: &ffi::SensorMode, ranges: &ffi::SensorRanges, param_format: u32, controls: &mut Vec<ffi::ControlRange>) -> i32 {
        // A new configuration gets a fresh IPA when an earlier call broke the old one.
        if self.broken {
            if let (Some(info), Some((file, text))) = (&self.init, &self.tuning) {
                match Ipa::init(info.clone(), file, text) {
                    Ok(i) => {
                        self.ipa = Some(i);
                        self.broken = false;
                        log::info!("IPA re-created after an internal error");
                    }
                    Err(e) => log::error!("cannot re-create the IPA: {e}"),
                }
            }
        }
        guard(self, "configure", -EINVAL, |m| {
            let Some(format) = ParamFormat::from_fourcc(param_format) else {
                log::error!("unknown params buffer format {param_format:#010x}");
                return -EINVAL;
            };
            let Some(ipa) = m.ipa.as_mut() else {
                log::error!("configure() before a successful init()");
                return -EINVAL;
            };
            match ipa.configure(convert::sensor_info(sensor), convert::sensor_controls(ranges), format) {
                Ok(c) => {
                    m.format = format;
                    convert::control_ranges(&c, controls);
                    0
                }
                Err(e) => {
                    log::error!("configure: {e}");
                    -EINVAL
                }
            }
        })
    }

    fn start(&mut self) -> i32 {
        guard(self, "start", -EINVAL, |m| match m.ipa.as_mut() {
            Some(ipa) => {
                ipa.start();
                0
            }
            None => {
                log::error!("start() before a successful init()");
                -EINVAL
            }
        })
    }

    fn stop(&mut self) {
        guard(self, "stop", (), |m| {
            if let Some(ipa) = m.ipa.as_mut() {
                ipa.stop();
            }
        })
    }

    fn queue_request(&mut self, frame: u32, controls: &[ffi::ControlEntry]) {
        guard(self, "queueRequest", (), |m| {
            if let Some(ipa) = m.ipa.as_mut() {
                ipa.queue_request(frame, &convert::request_controls(controls));
            }
        })
    }

    fn compute_params(&mut self, frame: u32, buffer: &mut [u8]) -> u32 {
        let format = self.format;
        // The fallback is computed up front: after a panic `buffer` may hold half a frame.
        let used = guard(self, "computeParams", None, |m| {
            Some(match m.ipa.as_mut() {
                Some(ipa) => ipa.compute_params(frame, buffer),
                None => {
                    log::error!("computeParams({frame}) before init()");
                    empty_params(buffer, format)
                }
            })
        });
        match used {
            Some(n) => n as u32,
            None => empty_params(buffer, format) as u32,
        }
    }

    fn process_stats(&mut self, frame: u32, stats: &[u8], applied: &ffi::SensorValues, metadata: &mut Vec<ffi::ControlEntry>, command: &mut ffi::SensorValues) {
        metadata.clear();
        *command = ffi::SensorValues::default();
        guard(self, "processStats", (), |m| {
            let Some(ipa) = m.ipa.as_mut() else {
                log::error!("processStats({frame}) before init()");
                return;
            };
            let applied = if applied.valid {
                SensorSettings { exposure_lines: applied.exposure.max(0) as u32, gain_code: applied.analogue_gain as i64, vblank: applied.vblank.max(0) as u32 }
            } else {
                // Without the sensor's report, assume our last command applied.
                let c = ipa.last_command();
                SensorSettings { exposure_lines: c.map_or(0, |c| c.exposure_lines), gain_code: c.map_or(0, |c| c.gain_code), vblank: c.map_or(0, |c| c.vblank) }
            };
            let stats = (!stats.is_empty()).then_some(stats);
            let (md, cmd) = ipa.process_stats(frame, stats, applied);
            convert::metadata(&md, metadata);
            if let Some(c) = cmd {
                *command = ffi::SensorValues {
                    valid: true,
                    exposure: c.exposure_lines.min(i32::MAX as u32) as i32,
                    analogue_gain: c.gain_code.clamp(i32::MIN as i64, i32::MAX as i64) as i32,
                    vblank: c.vblank.min(i32::MAX as u32) as i32,
                };
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ffi::{ControlEntry, ControlRange, SensorMode, SensorRanges, SensorValues, V4l2Range};

    fn imx258() -> (SensorMode, SensorRanges) {
        let r = |min, max, def| V4l2Range { present: true, min, max, def };
        (
            SensorMode { model: "imx258".into(), bits_per_pixel: 10, width: 4208, height: 3120, pixel_rate: 508_800_000, line_length: 5352 },
            SensorRanges { exposure: r(4, 3142, 3142), analogue_gain: r(0, 480, 0), vblank: r(32, 62405, 32) },
        )
    }

    fn tuning() -> String {
        format!("{}/../../tuning/imx258.yaml", env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn init_reports_missing_and_bad_tuning_files() {
        let (m, r) = imx258();
        let mut c: Vec<ControlRange> = Vec::new();
        let mut module = new_module();
        assert_eq!(module.init("/nonexistent/imx258.yaml", 10, 0xfffff, &m, &r, &mut c), -ENOENT);
        let bad = std::env::temp_dir().join(format!("rkisp1-rs-bad-{}.yaml", std::process::id()));
        std::fs::write(&bad, "version: 1\nalgorithms:\n  - Agc:\n      AeMeteringMode: 3\n").unwrap();
        assert_eq!(module.init(bad.to_str().unwrap(), 10, 0xfffff, &m, &r, &mut c), -EINVAL);
        std::fs::remove_file(&bad).ok();
        assert_eq!(module.init(&tuning(), 99, 0xfffff, &m, &r, &mut c), -EINVAL, "unknown hardware revision");
        assert_eq!(module.init(&tuning(), 10, 0xfffff, &m, &r, &mut c), 0);
        assert!(c.iter().any(|x| x.id == ffi::Ctrl::ExposureTime));
    }

    #[test]
    fn a_missing_sensor_control_is_refused_by_name() {
        let (m, mut r) = imx258();
        r.vblank.present = false;
        let mut c = Vec::new();
        assert_eq!(new_module().init(&tuning(), 10, 0xfffff, &m, &r, &mut c), -EINVAL);
    }

    #[test]
    fn every_call_answers_even_without_statistics() {
        let (m, r) = imx258();
        let mut c = Vec::new();
        let mut module = new_module();
        assert_eq!(module.init(&tuning(), 10, 0xfffff, &m, &r, &mut c), 0);
        assert_eq!(module.configure(&m, &r, 0x4531_4B52, &mut c), 0);
        assert_eq!(module.configure(&m, &r, 0xdead_beef, &mut c), -EINVAL, "unknown params format");
        assert_eq!(module.start(), 0);
        let mut buf = vec![0u8; 3208];
        let mut md: Vec<ControlEntry> = Vec::new();
        let mut cmd = SensorValues::default();
        for frame in 0..10 {
            module.queue_request(frame, &[]);
            let used = module.compute_params(frame, &mut buf) as usize;
            assert!(used >= 8 && used <= buf.len());
            let applied = SensorValues { valid: frame % 2 == 0, exposure: 1000, analogue_gain: 0, vblank: 32 };
            module.process_stats(frame, &[], &applied, &mut md, &mut cmd);
            assert!(md.iter().any(|e| e.id == ffi::Ctrl::ExposureTime), "frame {frame}: metadata without ExposureTime");
            assert!(cmd.valid);
        }
        module.stop();
    }

    #[test]
    fn a_panic_is_contained_and_the_next_configure_recovers() {
        let (m, r) = imx258();
        let mut c = Vec::new();
        let mut module = new_module();
        assert_eq!(module.init(&tuning(), 10, 0xfffff, &m, &r, &mut c), 0);
        assert_eq!(module.configure(&m, &r, 0x5031_4B52, &mut c), 0);
        let v = guard(&mut module, "test", 7, |_| -> i32 { panic!("injected") });
        assert_eq!(v, 7);
        assert!(module.broken);
        // Broken: still a valid (empty) fixed-format buffer.
        let mut buf = vec![0xAAu8; 3048];
        assert_eq!(module.compute_params(0, &mut buf), 3048);
        assert_eq!(module.configure(&m, &r, 0x5031_4B52, &mut c), 0);
        assert!(!module.broken);
    }
}
