//! Plain-data conversions between the bridge types and the IPA library's types.

use crate::ffi::{ControlEntry, ControlRange, Ctrl, Kind, SensorMode, SensorRanges, V4l2Range};
use rkisp1_ipa::controls::{AutoMode, ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use rkisp1_ipa::sensor::{Range, SensorControls, SensorInfo};

pub fn sensor_info(m: &SensorMode) -> SensorInfo {
    SensorInfo {
        model: m.model.clone(),
        bits_per_sample: m.bits_per_pixel,
        width: m.width,
        height: m.height,
        pixel_rate: m.pixel_rate,
        line_length: m.line_length,
    }
}

/// A missing control becomes an empty range, which `configure` rejects with its name.
fn range(r: &V4l2Range) -> Range {
    if r.present {
        Range::new(r.min, r.max, r.def)
    } else {
        Range::new(0, 0, 0)
    }
}

pub fn sensor_controls(r: &SensorRanges) -> SensorControls {
    SensorControls { exposure: range(&r.exposure), analogue_gain: range(&r.analogue_gain), vblank: range(&r.vblank) }
}

fn ctrl(id: ControlId) -> Ctrl {
    match id {
        ControlId::AeEnable => Ctrl::AeEnable,
        ControlId::ExposureTimeMode => Ctrl::ExposureTimeMode,
        ControlId::AnalogueGainMode => Ctrl::AnalogueGainMode,
        ControlId::ExposureTime => Ctrl::ExposureTime,
        ControlId::AnalogueGain => Ctrl::AnalogueGain,
        ControlId::ExposureValue => Ctrl::ExposureValue,
        ControlId::AeMeteringMode => Ctrl::AeMeteringMode,
        ControlId::AeConstraintMode => Ctrl::AeConstraintMode,
        ControlId::AeExposureMode => Ctrl::AeExposureMode,
        ControlId::FrameDurationLimits => Ctrl::FrameDurationLimits,
        ControlId::AeFlickerMode => Ctrl::AeFlickerMode,
        ControlId::AeFlickerPeriod => Ctrl::AeFlickerPeriod,
        ControlId::AwbEnable => Ctrl::AwbEnable,
        ControlId::AwbMode => Ctrl::AwbMode,
        ControlId::ColourGains => Ctrl::ColourGains,
        ControlId::ColourTemperature => Ctrl::ColourTemperature,
        ControlId::ColourCorrectionMatrix => Ctrl::ColourCorrectionMatrix,
        ControlId::Gamma => Ctrl::Gamma,
        ControlId::LensShadingCorrectionEnable => Ctrl::LensShadingCorrectionEnable,
        ControlId::Brightness => Ctrl::Brightness,
        ControlId::Contrast => Ctrl::Contrast,
        ControlId::Saturation => Ctrl::Saturation,
        ControlId::Hue => Ctrl::Hue,
        ControlId::NoiseReductionMode => Ctrl::NoiseReductionMode,
        ControlId::Sharpness => Ctrl::Sharpness,
    }
}

fn scalar(v: &ControlValue) -> (Kind, f64) {
    match v {
        ControlValue::Bool(b) => (Kind::Bool, *b as i32 as f64),
        ControlValue::I32(i) => (Kind::Int32, *i as f64),
        ControlValue::I64(i) => (Kind::Int64, *i as f64),
        ControlValue::F32(f) => (Kind::Float, *f as f64),
        ControlValue::Menu(_) => (Kind::Int32, 0.0),
    }
}

/// The IPA's control map for libcamera (replaces `out`).
pub fn control_ranges(list: &[ControlInfo], out: &mut Vec<ControlRange>) {
    out.clear();
    for c in list {
        let (kind, min) = scalar(&c.min);
        let (_, max) = scalar(&c.max);
        let (def_kind, def) = scalar(&c.def);
        let menu = match &c.min {
            ControlValue::Menu(v) => v.clone(),
            _ => Vec::new(),
        };
        let kind = if menu.is_empty() { kind } else { def_kind };
        out.push(ControlRange { id: ctrl(c.id), kind, min, max, def, menu });
    }
}

fn entry(id: Ctrl, kind: Kind) -> ControlEntry {
    ControlEntry { id, kind, count: 1, ints: [0; 4], floats: [0.0; 9] }
}

fn int(id: Ctrl, kind: Kind, v: i64) -> ControlEntry {
    let mut e = entry(id, kind);
    e.ints[0] = v;
    e
}

fn floats(id: Ctrl, v: &[f32]) -> ControlEntry {
    let mut e = entry(id, Kind::Float);
    e.count = v.len().min(9) as u32;
    e.floats[..e.count as usize].copy_from_slice(&v[..e.count as usize]);
    e
}

fn mode(v: i64) -> Option<AutoMode> {
    match v {
        0 => Some(AutoMode::Auto),
        1 => Some(AutoMode::Manual),
        _ => {
            log::warn!("invalid auto/manual mode {v} ignored");
            None
        }
    }
}

/// The request's controls. Entries of the wrong kind or size are logged and skipped.
pub fn request_controls(entries: &[ControlEntry]) -> RequestControls {
    let mut c = RequestControls::default();
    for e in entries {
        let n = e.count as usize;
        let want = match e.id {
            Ctrl::AeEnable | Ctrl::AwbEnable | Ctrl::LensShadingCorrectionEnable => (Kind::Bool, 1),
            Ctrl::AnalogueGain | Ctrl::ExposureValue | Ctrl::Gamma | Ctrl::Brightness | Ctrl::Contrast | Ctrl::Saturation | Ctrl::Hue | Ctrl::Sharpness => {
                (Kind::Float, 1)
            }
            Ctrl::ColourGains => (Kind::Float, 2),
            Ctrl::ColourCorrectionMatrix => (Kind::Float, 9),
            Ctrl::FrameDurationLimits => (Kind::Int64, 2),
            _ => (Kind::Int32, 1),
        };
        if (e.kind, n) != want {
            log::warn!("request control {:?} has kind {:?} × {n}, expected {:?} × {}; ignored", e.id, e.kind, want.0, want.1);
            continue;
        }
        let i = e.ints[0];
        let f = e.floats[0];
        match e.id {
            Ctrl::AeEnable => c.ae_enable = Some(i != 0),
            Ctrl::ExposureTimeMode => c.exposure_time_mode = mode(i),
            Ctrl::AnalogueGainMode => c.analogue_gain_mode = mode(i),
            Ctrl::ExposureTime => c.exposure_time = Some(i as i32),
            Ctrl::AnalogueGain => c.analogue_gain = Some(f),
            Ctrl::ExposureValue => c.exposure_value = Some(f),
            Ctrl::AeMeteringMode => c.ae_metering_mode = Some(i as i32),
            Ctrl::AeConstraintMode => c.ae_constraint_mode = Some(i as i32),
            Ctrl::AeExposureMode => c.ae_exposure_mode = Some(i as i32),
            Ctrl::FrameDurationLimits => c.frame_duration_limits = Some([e.ints[0], e.ints[1]]),
            Ctrl::AeFlickerMode => c.ae_flicker_mode = Some(i as i32),
            Ctrl::AeFlickerPeriod => c.ae_flicker_period = Some(i as i32),
            Ctrl::AwbEnable => c.awb_enable = Some(i != 0),
            Ctrl::AwbMode => c.awb_mode = Some(i as i32),
            Ctrl::ColourGains => c.colour_gains = Some([e.floats[0], e.floats[1]]),
            Ctrl::ColourTemperature => c.colour_temperature = Some(i as i32),
            Ctrl::ColourCorrectionMatrix => {
                let mut m = [0.0; 9];
                m.copy_from_slice(&e.floats[..9]);
                c.colour_correction_matrix = Some(m);
            }
            Ctrl::Gamma => c.gamma = Some(f),
            Ctrl::LensShadingCorrectionEnable => c.lens_shading_enable = Some(i != 0),
            Ctrl::Brightness => c.brightness = Some(f),
            Ctrl::Contrast => c.contrast = Some(f),
            Ctrl::Saturation => c.saturation = Some(f),
            Ctrl::Hue => c.hue = Some(f),
            Ctrl::NoiseReductionMode => c.noise_reduction_mode = Some(i as i32),
            Ctrl::Sharpness => c.sharpness = Some(f),
            other => log::debug!("control {other:?} is not a request control; ignored"),
        }
    }
    c
}

/// The frame's metadata as bridge entries (appended to `out`, which the caller cleared).
pub fn metadata(md: &Metadata, out: &mut Vec<ControlEntry>) {
    let mut push_i = |id, kind, v: Option<i64>| {
        if let Some(v) = v {
            out.push(int(id, kind, v));
        }
    };
    push_i(Ctrl::ExposureTime, Kind::Int32, md.exposure_time.map(i64::from));
    push_i(Ctrl::FrameDuration, Kind::Int64, md.frame_duration);
    push_i(Ctrl::ExposureTimeMode, Kind::Int32, md.exposure_time_mode.map(|m| m as i64));
    push_i(Ctrl::AnalogueGainMode, Kind::Int32, md.analogue_gain_mode.map(|m| m as i64));
    push_i(Ctrl::AeMeteringMode, Kind::Int32, md.ae_metering_mode.map(i64::from));
    push_i(Ctrl::AeConstraintMode, Kind::Int32, md.ae_constraint_mode.map(i64::from));
    push_i(Ctrl::AeExposureMode, Kind::Int32, md.ae_exposure_mode.map(i64::from));
    push_i(Ctrl::AeFlickerMode, Kind::Int32, md.ae_flicker_mode.map(i64::from));
    push_i(Ctrl::AwbEnable, Kind::Bool, md.awb_enable.map(i64::from));
    push_i(Ctrl::LensShadingCorrectionEnable, Kind::Bool, md.lens_shading_enable.map(i64::from));
    push_i(Ctrl::AwbMode, Kind::Int32, md.awb_mode.map(i64::from));
    push_i(Ctrl::ColourTemperature, Kind::Int32, md.colour_temperature.map(i64::from));
    push_i(Ctrl::NoiseReductionMode, Kind::Int32, md.noise_reduction_mode.map(i64::from));
    if let Some(l) = md.sensor_black_levels {
        let mut e = entry(Ctrl::SensorBlackLevels, Kind::Int32);
        e.count = 4;
        for (dst, src) in e.ints.iter_mut().zip(l) {
            *dst = src as i64;
        }
        out.push(e);
    }
    for (id, v) in [
        (Ctrl::AnalogueGain, md.analogue_gain),
        (Ctrl::ExposureValue, md.exposure_value),
        (Ctrl::Gamma, md.gamma),
        (Ctrl::Lux, md.lux),
        (Ctrl::Brightness, md.brightness),
        (Ctrl::Contrast, md.contrast),
        (Ctrl::Saturation, md.saturation),
        (Ctrl::Hue, md.hue),
        (Ctrl::Sharpness, md.sharpness),
    ] {
        if let Some(v) = v {
            out.push(floats(id, &[v]));
        }
    }
    if let Some(g) = md.colour_gains {
        out.push(floats(Ctrl::ColourGains, &g));
    }
    if let Some(m) = md.colour_correction_matrix {
        out.push(floats(Ctrl::ColourCorrectionMatrix, &m));
    }
}
