//! The hardware: the rkisp1 media devices of this machine, read and configured through the
//! media controller, V4L2 subdevice and video node ioctls (the safe calls of `uapi`).

use crate::device::{Control, MediaDevice};
use crate::graph::{Instance, Limits, Size};
use crate::mbus;
use crate::model::VideoFormat;
use crate::sensors::SensorMode;
use crate::topology::{DeviceInfo, Direction, Entity, Link, Pad, PadFormat, Rect, Topology};
use crate::uapi::*;
use anyhow::{anyhow, bail, Context, Result};
use bytemuck::Zeroable;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::os::fd::AsFd;

fn rect_of(r: V4l2Rect) -> Rect {
    Rect { x: r.left, y: r.top, width: r.width, height: r.height }
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// `/dev/…` name of a character device, from sysfs.
fn devnode_path(major: u32, minor: u32) -> Option<String> {
    let uevent = std::fs::read_to_string(format!("/sys/dev/char/{major}:{minor}/uevent")).ok()?;
    uevent.lines().find_map(|l| l.strip_prefix("DEVNAME=")).map(|n| format!("/dev/{n}"))
}

/// The rkisp1 media devices of this machine: (`/dev/mediaN`, device).
pub fn discover() -> Result<Vec<V4l2Media>> {
    let mut out = Vec::new();
    let mut nodes: Vec<_> = std::fs::read_dir("/dev")
        .context("reading /dev")?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("media") && n[5..].parse::<u32>().is_ok()))
        .collect();
    nodes.sort();
    for p in nodes {
        let path = p.display().to_string();
        match V4l2Media::open(&path) {
            Ok(m) if m.driver == "rkisp1" => out.push(m),
            Ok(_) => {}
            Err(e) => eprintln!("skipping {path}: {e:#}"),
        }
    }
    Ok(out)
}

/// One media device on the hardware.
pub struct V4l2Media {
    pub path: String,
    pub driver: String,
    media: File,
    /// Opened subdev and video nodes by entity name.
    nodes: BTreeMap<String, File>,
    /// Entity name → id, and (entity id, pad index) → pad id, from the last topology read.
    entity_ids: BTreeMap<String, u32>,
    devnodes: BTreeMap<String, String>,
    pad_limits: Option<Limits>,
}

impl V4l2Media {
    pub fn open(path: &str) -> Result<Self> {
        let media = OpenOptions::new().read(true).write(true).open(path).with_context(|| format!("opening {path}"))?;
        let info = media_device_info(media.as_fd()).with_context(|| format!("{path}: MEDIA_IOC_DEVICE_INFO (not a media device?)"))?;
        Ok(V4l2Media {
            path: path.into(),
            driver: cstr(&info.driver),
            media,
            nodes: BTreeMap::new(),
            entity_ids: BTreeMap::new(),
            devnodes: BTreeMap::new(),
            pad_limits: None,
        })
    }

    /// Use this ISP input maximum instead of asking the driver (rkisp1-setup --isp-max).
    pub fn override_isp_max(&mut self, max: Size) {
        self.pad_limits = Some(Limits::with_isp_max(max, "--isp-max"));
    }

    /// Read the graph once before the first operation needs entity ids or device nodes
    /// (read_topology sets the ids before it opens any node, so this cannot recurse).
    fn ensure_topology(&mut self) -> Result<()> {
        if self.entity_ids.is_empty() {
            self.read_topology()?;
        }
        Ok(())
    }

    fn node(&mut self, entity: &str) -> Result<&File> {
        self.ensure_topology()?;
        if !self.nodes.contains_key(entity) {
            let dev = self.devnodes.get(entity).ok_or_else(|| anyhow!("`{entity}` has no device node"))?.clone();
            let f = OpenOptions::new().read(true).write(true).open(&dev).with_context(|| format!("opening {dev} (`{entity}`)"))?;
            self.nodes.insert(entity.into(), f);
        }
        Ok(&self.nodes[entity])
    }

    fn read_topology(&mut self) -> Result<Topology> {
        let info = media_device_info(self.media.as_fd()).context("MEDIA_IOC_DEVICE_INFO")?;
        // Once for the counts, once for the elements (ENOSPC if the graph grew between).
        let counts = media_g_topology(self.media.as_fd(), TopologyArrays::default()).context("MEDIA_IOC_G_TOPOLOGY")?;
        let mut ents = vec![MediaV2Entity::zeroed(); counts.num_entities as usize];
        let mut intfs = vec![MediaV2Interface::zeroed(); counts.num_interfaces as usize];
        let mut pads = vec![MediaV2Pad::default(); counts.num_pads as usize];
        let mut links = vec![MediaV2Link::default(); counts.num_links as usize];
        let arrays = TopologyArrays { entities: &mut ents, interfaces: &mut intfs, pads: &mut pads, links: &mut links };
        let t = media_g_topology(self.media.as_fd(), arrays).context("MEDIA_IOC_G_TOPOLOGY (arrays)")?;
        // The graph may have shrunk between the calls: only the elements the kernel wrote.
        ents.truncate(t.num_entities as usize);
        intfs.truncate(t.num_interfaces as usize);
        pads.truncate(t.num_pads as usize);
        links.truncate(t.num_links as usize);
        let v = info.driver_version;
        let device = DeviceInfo {
            driver: cstr(&info.driver),
            model: cstr(&info.model),
            bus_info: cstr(&info.bus_info),
            hw_revision: Some(info.hw_revision),
            driver_version: format!("{}.{}.{}", v >> 16, (v >> 8) & 0xff, v & 0xff),
        };
        let mut entities: Vec<Entity> = ents
            .iter()
            .map(|e| Entity {
                id: e.id,
                name: cstr(&e.name),
                kind: String::new(),
                subtype: if e.function == MEDIA_ENT_F_CAM_SENSOR { "Sensor".into() } else { "Unknown".into() },
                devnode: None,
                pads: Vec::new(),
            })
            .collect();
        self.entity_ids = entities.iter().map(|e| (e.name.clone(), e.id)).collect();
        for l in links.iter().filter(|l| l.flags & MEDIA_LNK_FL_LINK_TYPE == MEDIA_LNK_FL_INTERFACE_LINK) {
            let Some(i) = intfs.iter().find(|i| i.id == l.source_id) else {
                continue;
            };
            let Some(e) = entities.iter_mut().find(|e| e.id == l.sink_id) else {
                continue;
            };
            e.kind = if i.intf_type == MEDIA_INTF_T_V4L_SUBDEV { "V4L2 subdev".into() } else { "Node".into() };
            if i.intf_type == MEDIA_INTF_T_V4L_VIDEO {
                e.subtype = "V4L".into();
            }
            e.devnode = devnode_path(i.devnode_major, i.devnode_minor);
        }
        for p in &pads {
            let Some(e) = entities.iter_mut().find(|e| e.id == p.entity_id) else {
                continue;
            };
            let direction = if p.flags & MEDIA_PAD_FL_SINK != 0 { Direction::Sink } else { Direction::Source };
            e.pads.push(Pad { index: p.index, direction, must_connect: p.flags & MEDIA_PAD_FL_MUST_CONNECT != 0, format: None, links: Vec::new() });
        }
        let pad_of = |id: u32| pads.iter().find(|p| p.id == id).map(|p| (p.entity_id, p.index));
        for l in links.iter().filter(|l| l.flags & MEDIA_LNK_FL_LINK_TYPE == MEDIA_LNK_FL_DATA_LINK) {
            let (Some((se, si)), Some((de, di))) = (pad_of(l.source_id), pad_of(l.sink_id)) else {
                continue;
            };
            let name = |id: u32| entities.iter().find(|e| e.id == id).map(|e| e.name.clone()).unwrap_or_default();
            let (sn, dn) = (name(se), name(de));
            let (enabled, immutable) = (l.flags & MEDIA_LNK_FL_ENABLED != 0, l.flags & MEDIA_LNK_FL_IMMUTABLE != 0);
            for (ent, idx, dir, remote, rpad) in [(se, si, Direction::Source, &dn, di), (de, di, Direction::Sink, &sn, si)] {
                if let Some(p) = entities.iter_mut().find(|e| e.id == ent).and_then(|e| e.pads.iter_mut().find(|p| p.index == idx)) {
                    p.links.push(Link { direction: dir, remote_entity: remote.clone(), remote_pad: rpad, enabled, immutable });
                }
            }
        }
        self.devnodes = entities.iter().filter_map(|e| e.devnode.clone().map(|d| (e.name.clone(), d))).collect();
        for e in &mut entities {
            e.pads.sort_by_key(|p| p.index);
            if e.kind != "V4L2 subdev" {
                continue;
            }
            for p in &mut e.pads {
                p.format = self.pad_format(&e.name, p.index).ok();
            }
        }
        Ok(Topology { device, entities, truncated: false })
    }

    fn pad_format(&mut self, entity: &str, pad: u32) -> Result<PadFormat> {
        let fd = self.node(entity)?.as_fd();
        let mut f = V4l2SubdevFormat { which: V4L2_SUBDEV_FORMAT_ACTIVE, pad, ..Default::default() };
        subdev_g_fmt(fd, &mut f).with_context(|| format!("VIDIOC_SUBDEV_G_FMT '{entity}':{pad}"))?;
        let sel = |target| {
            let mut s = V4l2SubdevSelection { which: V4L2_SUBDEV_FORMAT_ACTIVE, pad, target, ..Default::default() };
            // Pads without selections fail, which is fine.
            subdev_g_selection(fd, &mut s).ok().map(|_| rect_of(s.r))
        };
        Ok(PadFormat {
            code: mbus::display(f.format.code),
            width: f.format.width,
            height: f.format.height,
            field: Some("none".into()),
            crop_bounds: sel(V4L2_SEL_TGT_CROP_BOUNDS),
            crop: sel(V4L2_SEL_TGT_CROP),
            compose: None,
        })
    }

    /// Every (code, size) the sensor offers on pad 0.
    fn sensor_modes(&mut self, entity: &str) -> Result<Vec<(u32, Size)>> {
        let fd = self.node(entity)?.as_fd();
        let mut out = Vec::new();
        // Each enumeration ends with EINVAL; 64 bounds a driver that never says so.
        for index in 0..64 {
            let mut c = V4l2SubdevMbusCodeEnum { pad: 0, index, which: V4L2_SUBDEV_FORMAT_ACTIVE, ..Default::default() };
            if subdev_enum_mbus_code(fd, &mut c).is_err() {
                break;
            }
            for i in 0..64 {
                let mut s = V4l2SubdevFrameSizeEnum { index: i, pad: 0, code: c.code, which: V4L2_SUBDEV_FORMAT_ACTIVE, ..Default::default() };
                if subdev_enum_frame_size(fd, &mut s).is_err() {
                    break;
                }
                out.push((c.code, Size::new(s.max_width, s.max_height)));
            }
        }
        Ok(out)
    }

    /// The ISP sink's real size range (a Bayer code's ENUM_FRAME_SIZE).
    fn isp_sink_max(&mut self, isp: &str) -> Result<Size> {
        let fd = self.node(isp)?.as_fd();
        let code = mbus::value("SRGGB10_1X10").ok_or_else(|| anyhow!("SRGGB10_1X10 missing from the media bus code table"))?;
        let mut s = V4l2SubdevFrameSizeEnum { index: 0, pad: 0, code, which: V4L2_SUBDEV_FORMAT_ACTIVE, ..Default::default() };
        subdev_enum_frame_size(fd, &mut s).context("VIDIOC_SUBDEV_ENUM_FRAME_SIZE on the ISP sink")?;
        Ok(Size::new(s.max_width, s.max_height))
    }

    /// A capture node's size range (kernels >= 6.4 enumerate it; None before).
    fn capture_range(&mut self, entity: &str) -> Option<(Size, Size)> {
        let fd = self.node(entity).ok()?.as_fd();
        let mut f = V4l2Frmsizeenum { index: 0, pixel_format: fourcc("YUYV"), ..Default::default() };
        // ENOTTY/EINVAL on kernels without the ioctl here.
        video_enum_framesizes(fd, &mut f).ok()?;
        if f.type_ == V4L2_FRMSIZE_TYPE_DISCRETE {
            return None;
        }
        Some((Size::new(f.min_width, f.min_height), Size::new(f.max_width, f.max_height)))
    }

    fn pad_id_desc(&self, entity: &str, pad: u32) -> Result<MediaPadDesc> {
        let id = *self.entity_ids.get(entity).ok_or_else(|| anyhow!("no entity `{entity}`"))?;
        Ok(MediaPadDesc { entity: id, index: pad as u16, ..Default::default() })
    }
}

impl MediaDevice for V4l2Media {
    fn instance(&mut self) -> Result<Instance> {
        let t = self.read_topology()?;
        let isp = crate::graph::ISP_NAMES.iter().find(|n| t.entity(n).is_some()).map(|s| s.to_string());
        let limits = match (&self.pad_limits, isp) {
            (Some(l), _) => *l,
            (None, Some(isp)) => {
                let mut l = Limits::with_isp_max(self.isp_sink_max(&isp)?, "hardware (ISP sink ENUM_FRAME_SIZE)");
                // The capture nodes' ranges where the kernel tells them (the path limits
                // otherwise keep the driver's documented values).
                for (i, name) in crate::graph::CAPTURES.iter().enumerate() {
                    if t.entity(name).is_none() {
                        continue;
                    }
                    if let Some((min, max)) = self.capture_range(name) {
                        l.resizer_min = min;
                        if i == 0 {
                            l.main_max = max
                        } else {
                            l.self_max = max
                        }
                    }
                }
                self.pad_limits = Some(l);
                l
            }
            (None, None) => Limits::for_kernel(None),
        };
        let mut inst = Instance::from_topology(t, Some(limits), &[])?;
        inst.media_node = Some(self.path.clone());
        for i in 0..inst.sensors.len() {
            let entity = inst.sensors[i].entity.clone();
            let known = inst.sensors[i].info.modes.clone();
            let modes = self.sensor_modes(&entity)?;
            if !modes.is_empty() {
                inst.sensors[i].info.modes = modes
                    .into_iter()
                    .map(|(code, s)| {
                        let bad = known.iter().find(|m| m.width == s.width && m.height == s.height).map_or(0, |m| m.bad_bottom_rows);
                        SensorMode { code: mbus::display(code), width: s.width, height: s.height, bad_bottom_rows: bad }
                    })
                    .collect();
                inst.sensors[i].info.source = "the driver (ENUM_MBUS_CODE / ENUM_FRAME_SIZE)".into();
            }
            inst.sensors[i].info.has_flips = self.control(&entity, crate::device::cid::HFLIP)?.is_some();
            if let Some(o) = self.control(&entity, crate::device::cid::CAMERA_ORIENTATION)? {
                inst.sensors[i].info.facing = match o.value {
                    0 => Some(crate::sensors::Facing::Front),
                    1 => Some(crate::sensors::Facing::Rear),
                    _ => None,
                };
            }
        }
        Ok(inst)
    }

    fn setup_link(&mut self, source: (&str, u32), sink: (&str, u32), enabled: bool) -> Result<()> {
        self.ensure_topology()?;
        let mut l = MediaLinkDesc {
            source: self.pad_id_desc(source.0, source.1)?,
            sink: self.pad_id_desc(sink.0, sink.1)?,
            flags: if enabled { MEDIA_LNK_FL_ENABLED } else { 0 },
            ..Default::default()
        };
        media_setup_link(self.media.as_fd(), &mut l)
            .with_context(|| format!("MEDIA_IOC_SETUP_LINK '{}':{} -> '{}':{} [{}]", source.0, source.1, sink.0, sink.1, enabled as u8))?;
        Ok(())
    }

    fn set_format(&mut self, entity: &str, pad: u32, code: &str, size: Size) -> Result<PadFormat> {
        let code_v = mbus::value(code).ok_or_else(|| anyhow!("unknown media bus code {code}"))?;
        let fd = self.node(entity)?.as_fd();
        let mut f = V4l2SubdevFormat { which: V4L2_SUBDEV_FORMAT_ACTIVE, pad, ..Default::default() };
        f.format = V4l2MbusFramefmt { width: size.width, height: size.height, code: code_v, field: V4L2_FIELD_NONE, ..Default::default() };
        subdev_s_fmt(fd, &mut f).with_context(|| format!("VIDIOC_SUBDEV_S_FMT '{entity}':{pad}"))?;
        self.pad_format(entity, pad)
    }

    fn set_crop(&mut self, entity: &str, pad: u32, rect: Rect) -> Result<Rect> {
        let fd = self.node(entity)?.as_fd();
        let mut s = V4l2SubdevSelection {
            which: V4L2_SUBDEV_FORMAT_ACTIVE,
            pad,
            target: V4L2_SEL_TGT_CROP,
            r: V4l2Rect { left: rect.x, top: rect.y, width: rect.width, height: rect.height },
            ..Default::default()
        };
        subdev_s_selection(fd, &mut s).with_context(|| format!("VIDIOC_SUBDEV_S_SELECTION '{entity}':{pad}"))?;
        Ok(rect_of(s.r))
    }

    fn set_video_format(&mut self, entity: &str, f: &VideoFormat) -> Result<VideoFormat> {
        let fd = self.node(entity)?.as_fd();
        let mut v = V4l2Format::of_type(V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE);
        v.set_pix_mp(&V4l2PixFormatMplane { width: f.width, height: f.height, pixelformat: fourcc(&f.fourcc), field: V4L2_FIELD_NONE, ..Default::default() });
        video_s_fmt(fd, &mut v).with_context(|| format!("VIDIOC_S_FMT on `{entity}`"))?;
        let p = v.pix_mp();
        Ok(VideoFormat { fourcc: fourcc_str(p.pixelformat), width: p.width, height: p.height })
    }

    fn video_format(&mut self, entity: &str) -> Result<Option<VideoFormat>> {
        let fd = self.node(entity)?.as_fd();
        let mut v = V4l2Format::of_type(V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE);
        if video_g_fmt(fd, &mut v).is_err() {
            return Ok(None);
        }
        let p = v.pix_mp();
        Ok(Some(VideoFormat { fourcc: fourcc_str(p.pixelformat), width: p.width, height: p.height }))
    }

    fn control(&mut self, entity: &str, id: u32) -> Result<Option<Control>> {
        control_on(self.node(entity)?, entity, id)
    }

    fn set_control(&mut self, entity: &str, id: u32, value: i64) -> Result<i64> {
        set_control_on(self.node(entity)?, entity, id, value)
    }
}

/// A sensor's subdev node on its own (the udev rule's way in: the media device may not
/// be complete yet when the sensor appears). The entity name comes from sysfs.
pub struct Subdev {
    pub entity: String,
    file: File,
}

impl Subdev {
    pub fn open(path: &str) -> Result<Self> {
        let node = std::path::Path::new(path).file_name().and_then(|n| n.to_str()).ok_or_else(|| anyhow!("{path}: not a device path"))?;
        let sys = format!("/sys/class/video4linux/{node}/name");
        let entity = std::fs::read_to_string(&sys).with_context(|| format!("reading {sys}"))?.trim().to_string();
        let file = OpenOptions::new().read(true).write(true).open(path).with_context(|| format!("opening {path}"))?;
        Ok(Subdev { entity, file })
    }

    pub fn control(&self, id: u32) -> Result<Option<Control>> {
        control_on(&self.file, &self.entity, id)
    }

    pub fn set_control(&self, id: u32, value: i64) -> Result<i64> {
        set_control_on(&self.file, &self.entity, id, value)
    }
}

fn control_on(f: &File, entity: &str, id: u32) -> Result<Option<Control>> {
    let mut q = V4l2Queryctrl { id, ..Default::default() };
    // EINVAL means "no such control".
    if queryctrl(f.as_fd(), &mut q).is_err() {
        return Ok(None);
    }
    let mut c = V4l2Control { id, value: 0 };
    g_ctrl(f.as_fd(), &mut c).with_context(|| format!("VIDIOC_G_CTRL 0x{id:08x} on `{entity}`"))?;
    Ok(Some(Control { min: q.minimum as i64, max: q.maximum as i64, default: q.default_value as i64, value: c.value as i64 }))
}

fn set_control_on(f: &File, entity: &str, id: u32, value: i64) -> Result<i64> {
    let v = i32::try_from(value).map_err(|_| anyhow!("control value {value} out of range"))?;
    let mut c = V4l2Control { id, value: v };
    s_ctrl(f.as_fd(), &mut c).with_context(|| format!("VIDIOC_S_CTRL 0x{id:08x}={value} on `{entity}`"))?;
    if c.value as i64 != value {
        bail!("`{entity}` kept 0x{id:08x} at {} instead of {value}", c.value);
    }
    Ok(c.value as i64)
}
