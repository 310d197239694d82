//! Planning: from "this camera, this size, this format, this path" to every link state,
//! pad format and crop of the rkisp1 graph, in the order they must be set.
//!
//! Choices, and why:
//! * Sensor mode: only modes whose valid area fits the ISP input maximum (a larger one is
//!   clamped by the ISP sink and STREAMON fails with EPIPE); among them the smallest that
//!   covers the request once cropped to its aspect ratio (less bandwidth, more frame rate),
//!   else the largest (the resizer then scales up).
//! * ISP sink crop: the mode's valid area (old imx258 modes: without their bad bottom rows).
//!   Crops start at even offsets so the Bayer order the ISP is told stays right.
//! * Processed output: the ISP keeps the whole valid area (statistics see the whole frame);
//!   the resizer crops to the requested aspect ratio, centred, then scales.
//! * Raw output (main path only): the resizer cannot scale Bayer, so the ISP source crop
//!   cuts the requested size out of the centre.
//! * The other path's link and other sensors' links are disabled: an enabled link with
//!   stale formats would be validated too.

use crate::graph::{GraphError, Instance, Path, Size};
use crate::model::{self, VideoFormat};
use crate::sensors::SensorMode;
use crate::topology::Rect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Nv12,
    Yuyv,
    Raw,
}

impl std::str::FromStr for OutputFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "nv12" => Ok(OutputFormat::Nv12),
            "yuyv" => Ok(OutputFormat::Yuyv),
            "raw" => Ok(OutputFormat::Raw),
            _ => Err(format!("`{s}`: expected NV12, YUYV or raw")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Request {
    /// `rear`, `front`, an entity name or a chip name; None = the only sensor.
    pub camera: Option<String>,
    pub size: Size,
    pub format: OutputFormat,
    pub path: Path,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PadSetting {
    pub entity: String,
    pub pad: u32,
    pub code: String,
    pub width: u32,
    pub height: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crop: Option<Rect>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkSetting {
    pub source: (String, u32),
    pub sink: (String, u32),
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VideoSetting {
    pub entity: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub devnode: Option<String>,
    #[serde(flatten)]
    pub format: VideoFormat,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Plan {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_device: Option<String>,
    pub sensor: String,
    pub mode: SensorMode,
    pub path: Path,
    pub isp_max: Size,
    /// Links in the order to set them (disabling first).
    pub links: Vec<LinkSetting>,
    /// Pad formats and crops in the order to set them (sensor first).
    pub pads: Vec<PadSetting>,
    pub video: VideoSetting,
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    #[error(transparent)]
    Graph(#[from] GraphError),
    #[error("the {path} path has no capture node on this device")]
    NoPath { path: &'static str },
    #[error("raw output only exists on the main path (the self path has no Bayer formats)")]
    RawOnSelfPath,
    #[error("{size} is outside the {path} path's output range {min}..{max}{hint}")]
    SizeOutOfRange { size: Size, path: &'static str, min: Size, max: Size, hint: &'static str },
    #[error("no mode of `{sensor}` fits the ISP input maximum {isp_max} ({source_}); its modes: {modes}")]
    NoModeFits { sensor: String, isp_max: Size, source_: &'static str, modes: String },
}

/// The largest centred region of `area` with the aspect ratio of `want`, with even size
/// and offsets.
pub fn aspect_crop(area: Size, want: Size) -> Rect {
    let (w, h) = if area.width as u64 * want.height as u64 > area.height as u64 * want.width as u64 {
        ((area.height as u64 * want.width as u64 / want.height as u64) as u32, area.height)
    } else {
        (area.width, (area.width as u64 * want.height as u64 / want.width as u64) as u32)
    };
    let (w, h) = (w & !1, h & !1);
    let x = ((area.width - w) / 2) & !1;
    let y = ((area.height - h) / 2) & !1;
    Rect { x: x as i32, y: y as i32, width: w, height: h }
}

/// The size a mode puts on the ISP sink.
pub fn mode_size(m: &SensorMode) -> Size {
    Size::new(m.width, m.height)
}

/// The part of a mode the ISP may use.
pub fn valid_area(m: &SensorMode) -> Size {
    Size::new(m.width & !1, m.height - m.bad_bottom_rows)
}

pub fn plan(inst: &Instance, req: &Request) -> Result<Plan, PlanError> {
    let sensor = inst.sensor(req.camera.as_deref())?;
    if sensor.info.modes.is_empty() {
        return Err(GraphError::UnknownModes(sensor.entity.clone()).into());
    }
    let path = req.path;
    let raw = req.format == OutputFormat::Raw;
    if raw && path == Path::SelfPath {
        return Err(PlanError::RawOnSelfPath);
    }
    let capture = inst.captures[path.index()].clone().ok_or(PlanError::NoPath { path: path.name() })?;
    let limits = &inst.limits;
    let mut notes = Vec::new();
    // 4:2:x output and Bayer cells need even sizes.
    let even = Size::new(req.size.width & !1, req.size.height & !1);
    if even != req.size {
        notes.push(format!("{} rounded down to the even size {even}", req.size));
    }
    let req = &Request { size: even, ..req.clone() };
    let max = model::path_max(limits, path);
    if !req.size.fits(max) || !limits.resizer_min.fits(req.size) {
        let hint = if path == Path::SelfPath && req.size.fits(limits.main_max) { "; use --path main" } else { "" };
        return Err(PlanError::SizeOutOfRange { size: req.size, path: path.name(), min: limits.resizer_min, max, hint });
    }
    // The ISP sink holds the whole mode (its format must equal the sensor's), bad rows
    // included; only its crop leaves them out.
    let usable: Vec<&SensorMode> = sensor.info.modes.iter().filter(|m| mode_size(m).fits(limits.isp_max) && limits.isp_min.fits(valid_area(m))).collect();
    if usable.is_empty() {
        let modes = sensor.info.modes.iter().map(|m| format!("{}x{}", m.width, m.height)).collect::<Vec<_>>().join(", ");
        return Err(PlanError::NoModeFits { sensor: sensor.entity.clone(), isp_max: limits.isp_max, source_: limits.isp_max_source, modes });
    }
    for m in sensor.info.modes.iter().filter(|m| !mode_size(m).fits(limits.isp_max)) {
        notes.push(format!("mode {}x{} skipped: larger than the ISP input maximum {} ({})", m.width, m.height, limits.isp_max, limits.isp_max_source));
    }
    // What each mode yields for this request: the aspect crop (processed) or the request
    // itself (raw); it covers the request when at least as large.
    let yield_of = |m: &SensorMode| -> Size {
        let v = valid_area(m);
        if raw {
            v
        } else {
            let c = aspect_crop(v, req.size);
            Size::new(c.width, c.height)
        }
    };
    let mode = usable
        .iter()
        .filter(|m| yield_of(m).covers(req.size))
        .min_by_key(|m| m.width as u64 * m.height as u64)
        .or_else(|| usable.iter().max_by_key(|m| m.width as u64 * m.height as u64))
        .copied()
        .unwrap()
        .clone();
    let valid = valid_area(&mode);
    if !yield_of(&mode).covers(req.size) && !raw {
        notes.push(format!("no usable mode covers {}: the {}x{} mode is scaled up", req.size, mode.width, mode.height));
    }
    if mode.bad_bottom_rows > 0 {
        notes.push(format!("the ISP sink crop leaves out the mode's last {} rows, which are not image", mode.bad_bottom_rows));
    }
    notes.push(format!("sensor modes from {}", sensor.info.source));
    if !inst.inferred.is_empty() {
        notes.push(format!("the dump was cut off; completed from the driver's layout: {}", inst.inferred.join(", ")));
    }

    // Links.
    let mut links = Vec::new();
    let feeder = inst.csi.clone().unwrap_or_else(|| inst.isp.clone());
    for other in inst.sensors.iter().filter(|s| s.entity != sensor.entity) {
        links.push(LinkSetting { source: (other.entity.clone(), 0), sink: (feeder.clone(), 0), enabled: false });
    }
    let (other_path, this_path) = (1 - path.index(), path.index());
    let path_entity = |i: usize| inst.resizers[i].clone().or_else(|| inst.captures[i].clone());
    if let Some(o) = path_entity(other_path) {
        links.push(LinkSetting { source: (inst.isp.clone(), 2), sink: (o, 0), enabled: false });
    }
    links.push(LinkSetting { source: (sensor.entity.clone(), 0), sink: (feeder.clone(), 0), enabled: true });
    if let Some(csi) = &inst.csi {
        links.push(LinkSetting { source: (csi.clone(), 1), sink: (inst.isp.clone(), 0), enabled: true });
    }
    links.push(LinkSetting { source: (inst.isp.clone(), 2), sink: (path_entity(this_path).unwrap(), 0), enabled: true });
    // Statistics and parameters (immutable on mainline, off by default before it).
    if let Some(s) = &inst.stats {
        links.push(LinkSetting { source: (inst.isp.clone(), 3), sink: (s.clone(), 0), enabled: true });
    }
    if let Some(p) = &inst.params {
        links.push(LinkSetting { source: (p.clone(), 0), sink: (inst.isp.clone(), 1), enabled: true });
    }
    links.retain(|l| !is_immutable(inst, l));

    // Pads, upstream first.
    let pad = |entity: &str, pad: u32, code: &str, s: Size, crop: Option<Rect>| PadSetting {
        entity: entity.into(),
        pad,
        code: code.into(),
        width: s.width,
        height: s.height,
        crop,
    };
    let mode_size = Size::new(mode.width, mode.height);
    let mut pads = vec![pad(&sensor.entity, 0, &mode.code, mode_size, None)];
    if let Some(csi) = &inst.csi {
        pads.push(pad(csi, 0, &mode.code, mode_size, None));
        pads.push(pad(csi, 1, &mode.code, mode_size, None));
    }
    let sink_crop = Rect { x: 0, y: 0, width: valid.width, height: valid.height };
    pads.push(pad(&inst.isp, 0, &mode.code, mode_size, Some(sink_crop)));
    let (isp_out, src_crop) = if raw {
        let want = Size::new(req.size.width.min(valid.width) & !1, req.size.height.min(valid.height) & !1);
        let c = Rect {
            x: (((valid.width - want.width) / 2) & !1) as i32,
            y: (((valid.height - want.height) / 2) & !1) as i32,
            width: want.width,
            height: want.height,
        };
        if want != req.size {
            notes.push(format!("raw output cannot be scaled: {} reduced to {} (the largest usable mode's valid area)", req.size, want));
        }
        (want, c)
    } else {
        (valid, sink_crop)
    };
    let isp_code = if raw { mode.code.clone() } else { "YUYV8_2X8".to_string() };
    pads.push(pad(&inst.isp, 2, &isp_code, isp_out, Some(src_crop)));
    let out_size = if raw { isp_out } else { req.size };
    let yuv_code = if req.format == OutputFormat::Nv12 { "YUYV8_1_5X8" } else { "YUYV8_2X8" };
    if let Some(r) = &inst.resizers[path.index()] {
        let crop = (!raw).then(|| aspect_crop(isp_out, req.size));
        pads.push(pad(r, 0, &isp_code, isp_out, crop));
        pads.push(pad(r, 1, if raw { &isp_code } else { yuv_code }, out_size, None));
    }
    let fourcc = match req.format {
        OutputFormat::Nv12 => "NV12".to_string(),
        OutputFormat::Yuyv => "YUYV".to_string(),
        OutputFormat::Raw => model::raw_fourcc(&mode.code).unwrap_or("RG10").to_string(),
    };
    let video = VideoSetting {
        entity: capture.clone(),
        devnode: inst.entity(&capture).and_then(|e| e.devnode.clone()),
        format: VideoFormat { fourcc, width: out_size.width, height: out_size.height },
    };
    Ok(Plan { media_device: inst.media_node.clone(), sensor: sensor.entity.clone(), mode, path, isp_max: limits.isp_max, links, pads, video, notes })
}

fn is_immutable(inst: &Instance, l: &LinkSetting) -> bool {
    inst.entity(&l.source.0)
        .and_then(|e| e.pad(l.source.1))
        .and_then(|p| p.links.iter().find(|k| k.remote_entity == l.sink.0 && k.remote_pad == l.sink.1))
        .is_some_and(|k| k.immutable)
}

impl Plan {
    /// The same plan as `media-ctl` / `v4l2-ctl` commands.
    pub fn commands(&self) -> Vec<String> {
        let dev = self.media_device.clone().unwrap_or_else(|| "$MEDIA".into());
        let mut out = Vec::new();
        if self.media_device.is_none() {
            out.push("MEDIA=/dev/mediaN   # the rkisp1 media device of this camera (both ISPs are named platform:rkisp1)".into());
        }
        for l in &self.links {
            out.push(format!("media-ctl -d {dev} -l \"'{}':{} -> '{}':{} [{}]\"", l.source.0, l.source.1, l.sink.0, l.sink.1, l.enabled as u8));
        }
        for p in &self.pads {
            let crop = p.crop.map(|c| format!(" crop:{c}")).unwrap_or_default();
            out.push(format!("media-ctl -d {dev} -V \"'{}':{} [fmt:{}/{}x{} field:none{crop}]\"", p.entity, p.pad, p.code, p.width, p.height));
        }
        let node = self.video.devnode.clone().unwrap_or_else(|| format!("$(media-ctl -d {dev} -e {})", self.video.entity));
        out.push(format!(
            "v4l2-ctl -d {node} -v width={},height={},pixelformat={}",
            self.video.format.width, self.video.format.height, self.video.format.fourcc
        ));
        out
    }

    /// A readable account of the plan.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "camera {}: sensor mode {}/{}x{}, {} path, output {} {}x{} on {}\n",
            self.sensor,
            self.mode.code,
            self.mode.width,
            self.mode.height,
            self.path.name(),
            self.video.format.fourcc,
            self.video.format.width,
            self.video.format.height,
            self.video.devnode.as_deref().unwrap_or(&self.video.entity)
        );
        s += &format!("ISP input maximum: {}\nlinks:\n", self.isp_max);
        for l in &self.links {
            s += &format!("  {} '{}':{} -> '{}':{}\n", if l.enabled { "enable " } else { "disable" }, l.source.0, l.source.1, l.sink.0, l.sink.1);
        }
        s += "pads:\n";
        for p in &self.pads {
            let crop = p.crop.map(|c| format!("  crop {c}")).unwrap_or_default();
            s += &format!("  '{}':{}  {}/{}x{}{crop}\n", p.entity, p.pad, p.code, p.width, p.height);
        }
        for n in &self.notes {
            s += &format!("note: {n}\n");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspect_crop_is_centred_even_and_keeps_the_ratio() {
        let c = aspect_crop(Size::new(4208, 3120), Size::new(1920, 1080));
        assert_eq!((c.width, c.height), (4208, 2366));
        assert_eq!((c.x, c.y), (0, 376));
        let c = aspect_crop(Size::new(4208, 3120), Size::new(1000, 1000));
        assert_eq!((c.width, c.height, c.x % 2), (3120, 3120, 0));
    }
}
