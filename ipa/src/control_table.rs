// The libcamera controls of this IPA, one row each: the only list of them.
//
// It is a single macro invocation, included (not a module) by
// - ipa/src/controls.rs: `ControlId`, `RequestControls`, `Metadata` and the conversions
//   of their values to and from libcamera's shape;
// - ipa/module/build.rs: the C++ table of ipa/module/cpp/ipa_rkisp1_rs.cpp, whose
//   compilation checks every name and value type against libcamera's control_ids.h.
//
// A row:
//     /// what the value means (documents the ControlId variant)
//     Name: RustType = "libcamera name", request field, metadata field;
// - Name: the `ControlId` variant. The bridge numbers the controls in the order of the rows.
// - RustType: the value's type in `RequestControls` and `Metadata`: bool, i32, i64, f32,
//   AutoMode (an int32_t control), or an array [i32|i64|f32; N] (a Span<const T, N>).
// - "libcamera name": the control in `libcamera::controls` ("draft::Name" for draft ones).
// - request field: applications may set it; it arrives in `RequestControls::field`.
// - metadata field: the IPA reports it from `Metadata::field`.
// The range (or menu) of a request control is advertised by the algorithm that serves it.
control_table! {
    AeEnable: bool = "AeEnable", request ae_enable;
    ExposureTimeMode: AutoMode = "ExposureTimeMode", request exposure_time_mode, metadata exposure_time_mode;
    AnalogueGainMode: AutoMode = "AnalogueGainMode", request analogue_gain_mode, metadata analogue_gain_mode;
    /// µs.
    ExposureTime: i32 = "ExposureTime", request exposure_time, metadata exposure_time;
    AnalogueGain: f32 = "AnalogueGain", request analogue_gain, metadata analogue_gain;
    ExposureValue: f32 = "ExposureValue", request exposure_value, metadata exposure_value;
    /// `enums::METERING_*`.
    AeMeteringMode: i32 = "AeMeteringMode", request ae_metering_mode, metadata ae_metering_mode;
    /// `enums::CONSTRAINT_*`.
    AeConstraintMode: i32 = "AeConstraintMode", request ae_constraint_mode, metadata ae_constraint_mode;
    /// `enums::EXPOSURE_*`.
    AeExposureMode: i32 = "AeExposureMode", request ae_exposure_mode, metadata ae_exposure_mode;
    /// [min, max] µs.
    FrameDurationLimits: [i64; 2] = "FrameDurationLimits", request frame_duration_limits;
    /// 0 off, 1 manual (AeFlickerPeriod).
    AeFlickerMode: i32 = "AeFlickerMode", request ae_flicker_mode, metadata ae_flicker_mode;
    /// µs, e.g. 10000 for 50 Hz mains.
    AeFlickerPeriod: i32 = "AeFlickerPeriod", request ae_flicker_period;
    AwbEnable: bool = "AwbEnable", request awb_enable, metadata awb_enable;
    /// `enums::AWB_*`.
    AwbMode: i32 = "AwbMode", request awb_mode, metadata awb_mode;
    /// [red, blue].
    ColourGains: [f32; 2] = "ColourGains", request colour_gains, metadata colour_gains;
    /// Kelvin.
    ColourTemperature: i32 = "ColourTemperature", request colour_temperature, metadata colour_temperature;
    /// Row-major 3×3.
    ColourCorrectionMatrix: [f32; 9] = "ColourCorrectionMatrix", request colour_correction_matrix, metadata colour_correction_matrix;
    Gamma: f32 = "Gamma", request gamma, metadata gamma;
    /// µs.
    FrameDuration: i64 = "FrameDuration", metadata frame_duration;
    /// R, Gr, Gb, B on a 16-bit scale.
    SensorBlackLevels: [i32; 4] = "SensorBlackLevels", metadata sensor_black_levels;
    Lux: f32 = "Lux", metadata lux;
    LensShadingCorrectionEnable: bool = "LensShadingCorrectionEnable", request lens_shading_enable, metadata lens_shading_enable;
    Brightness: f32 = "Brightness", request brightness, metadata brightness;
    Contrast: f32 = "Contrast", request contrast, metadata contrast;
    Saturation: f32 = "Saturation", request saturation, metadata saturation;
    /// Degrees.
    Hue: f32 = "Hue", request hue, metadata hue;
    /// `enums::NR_*`.
    NoiseReductionMode: i32 = "draft::NoiseReductionMode", request noise_reduction_mode, metadata noise_reduction_mode;
    /// 0 (none) … 10 (strongest).
    Sharpness: f32 = "Sharpness", request sharpness, metadata sharpness;
}
