//! libcamera controls as plain data: what a request may carry, the metadata we report and
//! the ranges we advertise. Names and semantics follow libcamera's control definitions;
//! the C++ bridge maps them to `libcamera::controls`.

/// `ExposureTimeMode` / `AnalogueGainMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoMode {
    Auto = 0,
    Manual = 1,
}

/// Controls carried by one request (only those present are `Some`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RequestControls {
    pub ae_enable: Option<bool>,
    pub exposure_time_mode: Option<AutoMode>,
    pub analogue_gain_mode: Option<AutoMode>,
    /// µs.
    pub exposure_time: Option<i32>,
    pub analogue_gain: Option<f32>,
    pub exposure_value: Option<f32>,
    pub ae_metering_mode: Option<i32>,
    pub ae_constraint_mode: Option<i32>,
    pub ae_exposure_mode: Option<i32>,
    /// [min, max] µs.
    pub frame_duration_limits: Option<[i64; 2]>,
    /// 0 off, 1 manual (AeFlickerPeriod).
    pub ae_flicker_mode: Option<i32>,
    /// µs, e.g. 10000 for 50 Hz mains.
    pub ae_flicker_period: Option<i32>,
    pub awb_enable: Option<bool>,
    pub awb_mode: Option<i32>,
    /// [red, blue].
    pub colour_gains: Option<[f32; 2]>,
    pub colour_temperature: Option<i32>,
    pub colour_correction_matrix: Option<[f32; 9]>,
    pub gamma: Option<f32>,
    pub lens_shading_enable: Option<bool>,
    pub brightness: Option<f32>,
    pub contrast: Option<f32>,
    pub saturation: Option<f32>,
    /// Degrees.
    pub hue: Option<f32>,
    /// `draft::NoiseReductionMode` (see [`enums`]).
    pub noise_reduction_mode: Option<i32>,
    /// 0 (none) … 10 (strongest).
    pub sharpness: Option<f32>,
}

/// Metadata reported for one frame (only those known are `Some`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metadata {
    pub exposure_time: Option<i32>,
    pub analogue_gain: Option<f32>,
    pub frame_duration: Option<i64>,
    pub exposure_time_mode: Option<AutoMode>,
    pub analogue_gain_mode: Option<AutoMode>,
    pub exposure_value: Option<f32>,
    pub ae_metering_mode: Option<i32>,
    pub ae_constraint_mode: Option<i32>,
    pub ae_exposure_mode: Option<i32>,
    pub ae_flicker_mode: Option<i32>,
    pub awb_enable: Option<bool>,
    pub awb_mode: Option<i32>,
    pub colour_gains: Option<[f32; 2]>,
    pub colour_temperature: Option<i32>,
    pub colour_correction_matrix: Option<[f32; 9]>,
    pub sensor_black_levels: Option<[i32; 4]>,
    pub gamma: Option<f32>,
    pub lux: Option<f32>,
    pub lens_shading_enable: Option<bool>,
    pub brightness: Option<f32>,
    pub contrast: Option<f32>,
    pub saturation: Option<f32>,
    /// Degrees.
    pub hue: Option<f32>,
    pub noise_reduction_mode: Option<i32>,
    pub sharpness: Option<f32>,
}

/// A float control's value clamped to its range (logged when it was outside), or None
/// (logged) when it is not a finite number.
pub fn clamp_logged(name: &str, v: f32, (lo, hi): (f32, f32)) -> Option<f32> {
    if !v.is_finite() {
        log::warn!("{name} {v} ignored");
        return None;
    }
    if v < lo || v > hi {
        log::warn!("{name} {v} clamped to [{lo}, {hi}]");
    }
    Some(v.clamp(lo, hi))
}

/// Identifiers of the controls we advertise, named as in libcamera.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlId {
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
    LensShadingCorrectionEnable,
    Brightness,
    Contrast,
    Saturation,
    Hue,
    NoiseReductionMode,
    Sharpness,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ControlValue {
    Bool(bool),
    I32(i32),
    I64(i64),
    F32(f32),
    /// Enumerated values (menu controls): the list of valid values.
    Menu(Vec<i32>),
}

/// Advertised range of one control.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlInfo {
    pub id: ControlId,
    pub min: ControlValue,
    pub max: ControlValue,
    pub def: ControlValue,
}

impl ControlInfo {
    pub fn new(id: ControlId, min: ControlValue, max: ControlValue, def: ControlValue) -> Self {
        Self { id, min, max, def }
    }
}

/// libcamera enumerator values used by the mode controls.
pub mod enums {
    pub const METERING_CENTRE_WEIGHTED: i32 = 0;
    pub const METERING_SPOT: i32 = 1;
    pub const METERING_MATRIX: i32 = 2;
    pub const METERING_CUSTOM: i32 = 3;
    pub const CONSTRAINT_NORMAL: i32 = 0;
    pub const CONSTRAINT_HIGHLIGHT: i32 = 1;
    pub const CONSTRAINT_SHADOWS: i32 = 2;
    pub const CONSTRAINT_CUSTOM: i32 = 3;
    pub const EXPOSURE_NORMAL: i32 = 0;
    pub const EXPOSURE_SHORT: i32 = 1;
    pub const EXPOSURE_LONG: i32 = 2;
    pub const EXPOSURE_CUSTOM: i32 = 3;
    pub const FLICKER_OFF: i32 = 0;
    pub const FLICKER_MANUAL: i32 = 1;
    pub const AWB_AUTO: i32 = 0;
    pub const AWB_INCANDESCENT: i32 = 1;
    pub const AWB_TUNGSTEN: i32 = 2;
    pub const AWB_FLUORESCENT: i32 = 3;
    pub const AWB_INDOOR: i32 = 4;
    pub const AWB_DAYLIGHT: i32 = 5;
    pub const AWB_CLOUDY: i32 = 6;
    pub const AWB_CUSTOM: i32 = 7;
    pub const NR_OFF: i32 = 0;
    pub const NR_FAST: i32 = 1;
    pub const NR_HIGH_QUALITY: i32 = 2;
    pub const NR_MINIMAL: i32 = 3;
    pub const NR_ZSL: i32 = 4;

    pub fn metering(name: &str) -> Option<i32> {
        Some(match name {
            "MeteringCentreWeighted" => METERING_CENTRE_WEIGHTED,
            "MeteringSpot" => METERING_SPOT,
            "MeteringMatrix" => METERING_MATRIX,
            "MeteringCustom" => METERING_CUSTOM,
            _ => return None,
        })
    }
    pub fn constraint(name: &str) -> Option<i32> {
        Some(match name {
            "ConstraintNormal" => CONSTRAINT_NORMAL,
            "ConstraintHighlight" => CONSTRAINT_HIGHLIGHT,
            "ConstraintShadows" => CONSTRAINT_SHADOWS,
            "ConstraintCustom" => CONSTRAINT_CUSTOM,
            _ => return None,
        })
    }
    pub fn exposure(name: &str) -> Option<i32> {
        Some(match name {
            "ExposureNormal" => EXPOSURE_NORMAL,
            "ExposureShort" => EXPOSURE_SHORT,
            "ExposureLong" => EXPOSURE_LONG,
            "ExposureCustom" => EXPOSURE_CUSTOM,
            _ => return None,
        })
    }
    pub fn awb_mode(name: &str) -> Option<i32> {
        Some(match name {
            "AwbAuto" => AWB_AUTO,
            "AwbIncandescent" => AWB_INCANDESCENT,
            "AwbTungsten" => AWB_TUNGSTEN,
            "AwbFluorescent" => AWB_FLUORESCENT,
            "AwbIndoor" => AWB_INDOOR,
            "AwbDaylight" => AWB_DAYLIGHT,
            "AwbCloudy" => AWB_CLOUDY,
            "AwbCustom" => AWB_CUSTOM,
            _ => return None,
        })
    }
}
