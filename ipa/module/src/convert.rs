//! Plain-data conversions between the bridge types and the IPA library's types.

use crate::ffi::{ControlEntry, ControlRange, Kind, SensorMode, SensorRanges, V4l2Range};
use rkisp1_ipa::controls::{ControlId, ControlInfo, ControlValue, Metadata, RawValue, RequestControls, ScalarKind, ValueType};
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
        out.push(ControlRange { id: c.id as u32, kind, min, max, def, menu });
    }
}

/// The bridge's name for an element type.
pub fn bridge_kind(k: ScalarKind) -> Kind {
    match k {
        ScalarKind::Bool => Kind::Bool,
        ScalarKind::Int32 => Kind::Int32,
        ScalarKind::Int64 => Kind::Int64,
        ScalarKind::Float => Kind::Float,
    }
}

fn scalar_kind(k: Kind) -> Option<ScalarKind> {
    Some(match k {
        Kind::Bool => ScalarKind::Bool,
        Kind::Int32 => ScalarKind::Int32,
        Kind::Int64 => ScalarKind::Int64,
        Kind::Float => ScalarKind::Float,
        _ => return None,
    })
}

/// The request's controls. Entries of the wrong kind or size, or of a control that is not
/// a request control, are logged and skipped.
pub fn request_controls(entries: &[ControlEntry]) -> RequestControls {
    let mut c = RequestControls::default();
    for e in entries {
        let Some(id) = ControlId::from_index(e.id) else {
            log::debug!("unknown control {} ignored", e.id);
            continue;
        };
        let Some(kind) = scalar_kind(e.kind) else {
            log::warn!("request control {id:?} has an unknown kind; ignored");
            continue;
        };
        let raw = RawValue { ty: ValueType { kind, count: e.count as usize }, ints: e.ints, floats: e.floats };
        c.set(id, &raw);
    }
    c
}

/// The frame's metadata as bridge entries (appended to `out`, which the caller cleared).
pub fn metadata(md: &Metadata, out: &mut Vec<ControlEntry>) {
    md.for_each(|id, v| {
        out.push(ControlEntry { id: id as u32, kind: bridge_kind(v.ty.kind), count: v.ty.count as u32, ints: v.ints, floats: v.floats });
    });
}
