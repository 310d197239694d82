//! libcamera controls as plain data: what a request may carry, the metadata we report and
//! the ranges we advertise. Names and semantics follow libcamera's control definitions.
//!
//! Every control is one row of the table in control_table.rs, from which [`ControlId`],
//! [`RequestControls`], [`Metadata`] and the conversions of their values to libcamera's
//! shape ([`RawValue`]) are generated here, and the C++ side's mapping to
//! `libcamera::controls` by ipa/module/build.rs.

/// `ExposureTimeMode` / `AnalogueGainMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoMode {
    Auto = 0,
    Manual = 1,
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

// The controls themselves: ControlId, RequestControls and Metadata are generated from the
// table in control_table.rs, the only place a control is listed.
macro_rules! control_table {
    (@present) => { false };
    (@present $field:ident) => { true };
    ($(
        $(#[$doc:meta])*
        $name:ident : $ty:ty = $libcamera:literal $(, request $request:ident)? $(, metadata $metadata:ident)? ;
    )*) => {
        /// The controls of the IPA, named as in libcamera, in the order of the table
        /// (ipa/src/control_table.rs); the bridge numbers them by that order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ControlId {
            $( $(#[$doc])* $name, )*
        }

        impl ControlId {
            /// Every control, in the order of the table.
            pub const ALL: &'static [ControlId] = &[$(ControlId::$name),*];

            /// The control at `index` in the table (the bridge's number for it).
            pub fn from_index(index: u32) -> Option<ControlId> {
                Self::ALL.get(index as usize).copied()
            }

            /// Its name under `libcamera::controls` (e.g. "draft::NoiseReductionMode").
            pub fn libcamera_name(self) -> &'static str {
                match self {
                    $( ControlId::$name => $libcamera, )*
                }
            }

            /// The type of its value as libcamera carries it.
            pub fn value_type(self) -> ValueType {
                match self {
                    $( ControlId::$name => <$ty as ControlType>::TYPE, )*
                }
            }

            /// Whether a request may carry it (a field of [`RequestControls`]).
            pub fn is_request(self) -> bool {
                match self {
                    $( ControlId::$name => control_table!(@present $($request)?), )*
                }
            }

            /// Whether the IPA reports it (a field of [`Metadata`]).
            pub fn is_metadata(self) -> bool {
                match self {
                    $( ControlId::$name => control_table!(@present $($metadata)?), )*
                }
            }
        }

        /// Controls carried by one request (only those present are `Some`).
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        pub struct RequestControls {
            $($(
                #[doc = concat!("[`ControlId::", stringify!($name), "`]")]
                pub $request: Option<$ty>,
            )?)*
        }

        impl RequestControls {
            /// Set control `id` from its value as libcamera carries it. A value of another
            /// type, or a control that is not a request control, is logged and ignored.
            pub fn set(&mut self, id: ControlId, value: &RawValue) {
                #[allow(unreachable_patterns)]
                match id {
                    $($(
                        ControlId::$name => {
                            if let Some(v) = request_value::<$ty>(id, value) {
                                self.$request = Some(v);
                            }
                            return;
                        }
                    )?)*
                    _ => {}
                }
                log::debug!("control {id:?} is not a request control; ignored");
            }
        }

        /// Metadata reported for one frame (only those known are `Some`).
        #[derive(Debug, Clone, Copy, Default, PartialEq)]
        pub struct Metadata {
            $($(
                #[doc = concat!("[`ControlId::", stringify!($name), "`]")]
                pub $metadata: Option<$ty>,
            )?)*
        }

        impl Metadata {
            /// Call `f` with every value present, as libcamera carries it, in table order.
            pub fn for_each(&self, mut f: impl FnMut(ControlId, RawValue)) {
                $($(
                    if let Some(v) = self.$metadata {
                        f(ControlId::$name, v.to_raw());
                    }
                )?)*
            }
        }
    };
}

include!("control_table.rs");

/// The element type of a control's value as libcamera carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarKind {
    Bool,
    Int32,
    Int64,
    Float,
}

/// A control's libcamera type: `count` elements (1: a scalar; more: a fixed-size array).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValueType {
    pub kind: ScalarKind,
    pub count: usize,
}

/// A control's value as it crosses to libcamera: `ty.count` elements in `ints` (Bool,
/// Int32, Int64) or `floats` (Float). Fixed-size, so a frame's metadata needs no allocation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawValue {
    pub ty: ValueType,
    pub ints: [i64; RawValue::MAX_INTS],
    pub floats: [f32; RawValue::MAX_FLOATS],
}

impl RawValue {
    /// Capacity for integer (and bool) elements: the largest integer array control has 4.
    pub const MAX_INTS: usize = 4;
    /// Capacity for float elements: the colour correction matrix has 9.
    pub const MAX_FLOATS: usize = 9;

    fn empty(ty: ValueType) -> Self {
        RawValue { ty, ints: [0; Self::MAX_INTS], floats: [0.0; Self::MAX_FLOATS] }
    }
}

/// A Rust type a control's value may have in the table, and its libcamera shape.
pub trait ControlType: Copy {
    const TYPE: ValueType;
    fn to_raw(self) -> RawValue;
    /// The value of `raw`, already known to be of type `TYPE`; None (logged) when it is
    /// not a value of this type.
    fn from_raw(raw: &RawValue) -> Option<Self>;
}

/// One element of a control's value.
trait Scalar: Copy + Default {
    const KIND: ScalarKind;
    /// How many elements of this kind a [`RawValue`] holds.
    const CAPACITY: usize;
    fn put(self, raw: &mut RawValue, i: usize);
    fn get(raw: &RawValue, i: usize) -> Self;
}

impl Scalar for bool {
    const KIND: ScalarKind = ScalarKind::Bool;
    const CAPACITY: usize = RawValue::MAX_INTS;
    fn put(self, raw: &mut RawValue, i: usize) {
        raw.ints[i] = self as i64;
    }
    fn get(raw: &RawValue, i: usize) -> Self {
        raw.ints[i] != 0
    }
}

impl Scalar for i32 {
    const KIND: ScalarKind = ScalarKind::Int32;
    const CAPACITY: usize = RawValue::MAX_INTS;
    fn put(self, raw: &mut RawValue, i: usize) {
        raw.ints[i] = self as i64;
    }
    fn get(raw: &RawValue, i: usize) -> Self {
        raw.ints[i] as i32
    }
}

impl Scalar for i64 {
    const KIND: ScalarKind = ScalarKind::Int64;
    const CAPACITY: usize = RawValue::MAX_INTS;
    fn put(self, raw: &mut RawValue, i: usize) {
        raw.ints[i] = self;
    }
    fn get(raw: &RawValue, i: usize) -> Self {
        raw.ints[i]
    }
}

impl Scalar for f32 {
    const KIND: ScalarKind = ScalarKind::Float;
    const CAPACITY: usize = RawValue::MAX_FLOATS;
    fn put(self, raw: &mut RawValue, i: usize) {
        raw.floats[i] = self;
    }
    fn get(raw: &RawValue, i: usize) -> Self {
        raw.floats[i]
    }
}

impl<T: Scalar> ControlType for T {
    const TYPE: ValueType = ValueType { kind: T::KIND, count: 1 };
    fn to_raw(self) -> RawValue {
        let mut raw = RawValue::empty(Self::TYPE);
        self.put(&mut raw, 0);
        raw
    }
    fn from_raw(raw: &RawValue) -> Option<Self> {
        Some(T::get(raw, 0))
    }
}

impl<T: Scalar, const N: usize> ControlType for [T; N] {
    const TYPE: ValueType = {
        // A table row with a longer array fails to compile here.
        assert!(N >= 1 && N <= T::CAPACITY, "array control longer than RawValue holds");
        ValueType { kind: T::KIND, count: N }
    };
    fn to_raw(self) -> RawValue {
        let mut raw = RawValue::empty(Self::TYPE);
        for (i, v) in self.into_iter().enumerate() {
            v.put(&mut raw, i);
        }
        raw
    }
    fn from_raw(raw: &RawValue) -> Option<Self> {
        let mut out = [T::default(); N];
        for (i, v) in out.iter_mut().enumerate() {
            *v = T::get(raw, i);
        }
        Some(out)
    }
}

impl ControlType for AutoMode {
    const TYPE: ValueType = i32::TYPE;
    fn to_raw(self) -> RawValue {
        (self as i32).to_raw()
    }
    fn from_raw(raw: &RawValue) -> Option<Self> {
        match raw.ints[0] {
            0 => Some(AutoMode::Auto),
            1 => Some(AutoMode::Manual),
            v => {
                log::warn!("invalid auto/manual mode {v} ignored");
                None
            }
        }
    }
}

/// The value of request control `id`, or None (logged) when `raw` is not of its type.
fn request_value<T: ControlType>(id: ControlId, raw: &RawValue) -> Option<T> {
    let want = T::TYPE;
    if raw.ty != want {
        log::warn!("request control {id:?} has kind {:?} × {}, expected {:?} × {}; ignored", raw.ty.kind, raw.ty.count, want.kind, want.count);
        return None;
    }
    T::from_raw(raw)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_numbers_its_controls_in_order() {
        for (i, &id) in ControlId::ALL.iter().enumerate() {
            assert_eq!(id as usize, i);
            assert_eq!(ControlId::from_index(i as u32), Some(id));
            assert!(id.is_request() || id.is_metadata(), "{id:?} neither requested nor reported");
        }
        assert_eq!(ControlId::from_index(ControlId::ALL.len() as u32), None);
        assert_eq!(ControlId::NoiseReductionMode.libcamera_name(), "draft::NoiseReductionMode");
        assert_eq!(ControlId::SensorBlackLevels.value_type(), ValueType { kind: ScalarKind::Int32, count: 4 });
        assert!(ControlId::FrameDurationLimits.is_request() && !ControlId::FrameDurationLimits.is_metadata());
        assert!(!ControlId::Lux.is_request() && ControlId::Lux.is_metadata());
    }

    #[test]
    fn metadata_values_have_their_controls_types() {
        let md = Metadata {
            exposure_time: Some(1000),
            frame_duration: Some(33_333),
            exposure_time_mode: Some(AutoMode::Manual),
            awb_enable: Some(true),
            colour_gains: Some([1.5, 2.0]),
            colour_correction_matrix: Some([1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]),
            sensor_black_levels: Some([4096, 4097, 4098, 4099]),
            lux: Some(400.0),
            ..Default::default()
        };
        let mut seen = Vec::new();
        md.for_each(|id, raw| {
            assert!(id.is_metadata());
            assert_eq!(raw.ty, id.value_type(), "{id:?}");
            seen.push((id, raw));
        });
        assert_eq!(seen.len(), 8);
        let get = |id| seen.iter().find(|(i, _)| *i == id).map(|(_, raw)| *raw).unwrap();
        assert_eq!(get(ControlId::FrameDuration).ints[0], 33_333);
        assert_eq!(get(ControlId::ExposureTimeMode).ints[0], 1);
        assert_eq!(get(ControlId::AwbEnable).ints[0], 1);
        assert_eq!(&get(ControlId::ColourGains).floats[..2], &[1.5, 2.0]);
        assert_eq!(get(ControlId::SensorBlackLevels).ints, [4096, 4097, 4098, 4099]);
    }

    #[test]
    fn request_values_of_the_wrong_type_are_ignored() {
        let mut c = RequestControls::default();
        c.set(ControlId::Sharpness, &3.5f32.to_raw());
        c.set(ControlId::FrameDurationLimits, &[20_000i64, 40_000].to_raw());
        c.set(ControlId::AnalogueGainMode, &AutoMode::Manual.to_raw());
        c.set(ControlId::AwbEnable, &false.to_raw());
        assert_eq!(c.sharpness, Some(3.5));
        assert_eq!(c.frame_duration_limits, Some([20_000, 40_000]));
        assert_eq!(c.analogue_gain_mode, Some(AutoMode::Manual));
        assert_eq!(c.awb_enable, Some(false));

        let mut c = RequestControls::default();
        c.set(ControlId::Sharpness, &3i32.to_raw());
        c.set(ControlId::ColourGains, &1.0f32.to_raw());
        c.set(ControlId::ExposureTimeMode, &7i32.to_raw());
        c.set(ControlId::Lux, &400.0f32.to_raw());
        assert_eq!(c, RequestControls::default());
    }
}
