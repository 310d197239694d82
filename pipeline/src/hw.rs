//! The hardware: media controller, V4L2 subdevice and video node ioctls (through `nix`).
//! This is the crate's ABI layer and the only place with `unsafe`; every struct layout and
//! ioctl number here is checked against the kernel headers by `tests/uapi_layout.rs`.

use crate::device::{Control, MediaDevice};
use crate::graph::{Instance, Limits, Size};
use crate::mbus;
use crate::model::VideoFormat;
use crate::sensors::SensorMode;
use crate::topology::{DeviceInfo, Direction, Entity, Link, Pad, PadFormat, Rect, Topology};
use anyhow::{anyhow, bail, Context, Result};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;

// ---- linux/media.h ----

#[repr(C)]
#[derive(Clone, Copy)]
pub struct MediaDeviceInfo {
    pub driver: [u8; 16],
    pub model: [u8; 32],
    pub serial: [u8; 40],
    pub bus_info: [u8; 32],
    pub media_version: u32,
    pub hw_revision: u32,
    pub driver_version: u32,
    pub reserved: [u32; 31],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MediaV2Topology {
    pub topology_version: u64,
    pub num_entities: u32,
    pub reserved1: u32,
    pub ptr_entities: u64,
    pub num_interfaces: u32,
    pub reserved2: u32,
    pub ptr_interfaces: u64,
    pub num_pads: u32,
    pub reserved3: u32,
    pub ptr_pads: u64,
    pub num_links: u32,
    pub reserved4: u32,
    pub ptr_links: u64,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct MediaV2Entity {
    pub id: u32,
    pub name: [u8; 64],
    pub function: u32,
    pub flags: u32,
    pub reserved: [u32; 5],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MediaV2IntfDevnode {
    pub major: u32,
    pub minor: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct MediaV2Interface {
    pub id: u32,
    pub intf_type: u32,
    pub flags: u32,
    pub reserved: [u32; 9],
    /// The kernel's union of `devnode` and `raw[16]`.
    pub devnode: MediaV2IntfDevnode,
    pub raw_rest: [u32; 14],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MediaV2Pad {
    pub id: u32,
    pub entity_id: u32,
    pub flags: u32,
    pub index: u32,
    pub reserved: [u32; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MediaV2Link {
    pub id: u32,
    pub source_id: u32,
    pub sink_id: u32,
    pub flags: u32,
    pub reserved: [u32; 6],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MediaPadDesc {
    pub entity: u32,
    pub index: u16,
    pub flags: u32,
    pub reserved: [u32; 2],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct MediaLinkDesc {
    pub source: MediaPadDesc,
    pub sink: MediaPadDesc,
    pub flags: u32,
    pub reserved: [u32; 2],
}

pub const MEDIA_LNK_FL_ENABLED: u32 = 1;
pub const MEDIA_LNK_FL_IMMUTABLE: u32 = 2;
pub const MEDIA_LNK_FL_LINK_TYPE: u32 = 0xf << 28;
pub const MEDIA_LNK_FL_DATA_LINK: u32 = 0;
pub const MEDIA_LNK_FL_INTERFACE_LINK: u32 = 1 << 28;
pub const MEDIA_PAD_FL_SINK: u32 = 1;
pub const MEDIA_PAD_FL_SOURCE: u32 = 2;
pub const MEDIA_PAD_FL_MUST_CONNECT: u32 = 4;
pub const MEDIA_ENT_F_CAM_SENSOR: u32 = 0x0002_0001;
pub const MEDIA_INTF_T_V4L_VIDEO: u32 = 0x200;
pub const MEDIA_INTF_T_V4L_SUBDEV: u32 = 0x203;

// ---- linux/v4l2-subdev.h, linux/videodev2.h ----

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct V4l2MbusFramefmt {
    pub width: u32,
    pub height: u32,
    pub code: u32,
    pub field: u32,
    pub colorspace: u32,
    pub ycbcr_enc: u16,
    pub quantization: u16,
    pub xfer_func: u16,
    pub flags: u16,
    pub reserved: [u16; 10],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct V4l2SubdevFormat {
    pub which: u32,
    pub pad: u32,
    pub format: V4l2MbusFramefmt,
    pub stream: u32,
    pub reserved: [u32; 7],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct V4l2Rect {
    pub left: i32,
    pub top: i32,
    pub width: u32,
    pub height: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct V4l2SubdevSelection {
    pub which: u32,
    pub pad: u32,
    pub target: u32,
    pub flags: u32,
    pub r: V4l2Rect,
    pub stream: u32,
    pub reserved: [u32; 7],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct V4l2SubdevMbusCodeEnum {
    pub pad: u32,
    pub index: u32,
    pub code: u32,
    pub which: u32,
    pub flags: u32,
    pub stream: u32,
    pub reserved: [u32; 6],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct V4l2SubdevFrameSizeEnum {
    pub index: u32,
    pub pad: u32,
    pub code: u32,
    pub min_width: u32,
    pub max_width: u32,
    pub min_height: u32,
    pub max_height: u32,
    pub which: u32,
    pub stream: u32,
    pub reserved: [u32; 7],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct V4l2Queryctrl {
    pub id: u32,
    pub type_: u32,
    pub name: [u8; 32],
    pub minimum: i32,
    pub maximum: i32,
    pub step: i32,
    pub default_value: i32,
    pub flags: u32,
    pub reserved: [u32; 2],
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct V4l2Control {
    pub id: u32,
    pub value: i32,
}

#[repr(C, packed)]
#[derive(Clone, Copy, Default)]
pub struct V4l2PlanePixFormat {
    pub sizeimage: u32,
    pub bytesperline: u32,
    pub reserved: [u16; 6],
}

#[repr(C, packed)]
#[derive(Clone, Copy, Default)]
pub struct V4l2PixFormatMplane {
    pub width: u32,
    pub height: u32,
    pub pixelformat: u32,
    pub field: u32,
    pub colorspace: u32,
    pub plane_fmt: [V4l2PlanePixFormat; 8],
    pub num_planes: u8,
    pub flags: u8,
    pub ycbcr_enc: u8,
    pub quantization: u8,
    pub xfer_func: u8,
    pub reserved: [u8; 7],
}

/// The kernel's `fmt` union: 200 bytes, pointer-aligned (it holds `struct v4l2_window`).
#[repr(C)]
#[derive(Clone, Copy)]
pub union V4l2FormatUnion {
    pub pix_mp: V4l2PixFormatMplane,
    pub raw_data: [u8; 200],
    _align: *mut std::ffi::c_void,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub struct V4l2Format {
    pub type_: u32,
    pub fmt: V4l2FormatUnion,
}

/// `struct v4l2_frmsizeenum` with its union as the stepwise member (the larger one).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct V4l2Frmsizeenum {
    pub index: u32,
    pub pixel_format: u32,
    pub type_: u32,
    pub min_width: u32,
    pub max_width: u32,
    pub step_width: u32,
    pub min_height: u32,
    pub max_height: u32,
    pub step_height: u32,
    pub reserved: [u32; 2],
}

pub const V4L2_FRMSIZE_TYPE_DISCRETE: u32 = 1;
pub const V4L2_SUBDEV_FORMAT_ACTIVE: u32 = 1;
pub const V4L2_SEL_TGT_CROP: u32 = 0;
pub const V4L2_SEL_TGT_CROP_BOUNDS: u32 = 2;
pub const V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE: u32 = 9;
pub const V4L2_FIELD_NONE: u32 = 1;

nix::ioctl_readwrite!(media_ioc_device_info, b'|', 0x00, MediaDeviceInfo);
nix::ioctl_readwrite!(media_ioc_setup_link, b'|', 0x03, MediaLinkDesc);
nix::ioctl_readwrite!(media_ioc_g_topology, b'|', 0x04, MediaV2Topology);
nix::ioctl_readwrite!(vidioc_subdev_enum_mbus_code, b'V', 2, V4l2SubdevMbusCodeEnum);
nix::ioctl_readwrite!(vidioc_subdev_g_fmt, b'V', 4, V4l2SubdevFormat);
nix::ioctl_readwrite!(vidioc_subdev_s_fmt, b'V', 5, V4l2SubdevFormat);
nix::ioctl_readwrite!(vidioc_subdev_g_selection, b'V', 61, V4l2SubdevSelection);
nix::ioctl_readwrite!(vidioc_subdev_s_selection, b'V', 62, V4l2SubdevSelection);
nix::ioctl_readwrite!(vidioc_subdev_enum_frame_size, b'V', 74, V4l2SubdevFrameSizeEnum);
nix::ioctl_readwrite!(vidioc_g_fmt, b'V', 4, V4l2Format);
nix::ioctl_readwrite!(vidioc_s_fmt, b'V', 5, V4l2Format);
nix::ioctl_readwrite!(vidioc_queryctrl, b'V', 36, V4l2Queryctrl);
nix::ioctl_readwrite!(vidioc_enum_framesizes, b'V', 74, V4l2Frmsizeenum);
nix::ioctl_readwrite!(vidioc_g_ctrl, b'V', 27, V4l2Control);
nix::ioctl_readwrite!(vidioc_s_ctrl, b'V', 28, V4l2Control);

/// (name, request number) of every ioctl used, for the header check.
pub fn ioctl_numbers() -> Vec<(&'static str, u64)> {
    use nix::request_code_readwrite as rw;
    vec![
        ("MEDIA_IOC_DEVICE_INFO", rw!(b'|', 0x00, std::mem::size_of::<MediaDeviceInfo>()) as u64),
        ("MEDIA_IOC_SETUP_LINK", rw!(b'|', 0x03, std::mem::size_of::<MediaLinkDesc>()) as u64),
        ("MEDIA_IOC_G_TOPOLOGY", rw!(b'|', 0x04, std::mem::size_of::<MediaV2Topology>()) as u64),
        ("VIDIOC_SUBDEV_ENUM_MBUS_CODE", rw!(b'V', 2, std::mem::size_of::<V4l2SubdevMbusCodeEnum>()) as u64),
        ("VIDIOC_SUBDEV_G_FMT", rw!(b'V', 4, std::mem::size_of::<V4l2SubdevFormat>()) as u64),
        ("VIDIOC_SUBDEV_S_FMT", rw!(b'V', 5, std::mem::size_of::<V4l2SubdevFormat>()) as u64),
        ("VIDIOC_SUBDEV_G_SELECTION", rw!(b'V', 61, std::mem::size_of::<V4l2SubdevSelection>()) as u64),
        ("VIDIOC_SUBDEV_S_SELECTION", rw!(b'V', 62, std::mem::size_of::<V4l2SubdevSelection>()) as u64),
        ("VIDIOC_SUBDEV_ENUM_FRAME_SIZE", rw!(b'V', 74, std::mem::size_of::<V4l2SubdevFrameSizeEnum>()) as u64),
        ("VIDIOC_G_FMT", rw!(b'V', 4, std::mem::size_of::<V4l2Format>()) as u64),
        ("VIDIOC_S_FMT", rw!(b'V', 5, std::mem::size_of::<V4l2Format>()) as u64),
        ("VIDIOC_QUERYCTRL", rw!(b'V', 36, std::mem::size_of::<V4l2Queryctrl>()) as u64),
        ("VIDIOC_ENUM_FRAMESIZES", rw!(b'V', 74, std::mem::size_of::<V4l2Frmsizeenum>()) as u64),
        ("VIDIOC_G_CTRL", rw!(b'V', 27, std::mem::size_of::<V4l2Control>()) as u64),
        ("VIDIOC_S_CTRL", rw!(b'V', 28, std::mem::size_of::<V4l2Control>()) as u64),
    ]
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

pub fn fourcc_str(v: u32) -> String {
    v.to_le_bytes().iter().map(|b| *b as char).collect::<String>().trim_end().to_string()
}

pub fn fourcc(s: &str) -> u32 {
    let mut b = [b' '; 4];
    for (i, c) in s.bytes().take(4).enumerate() {
        b[i] = c;
    }
    u32::from_le_bytes(b)
}

fn device_info(f: &File) -> Result<MediaDeviceInfo> {
    // SAFETY: the struct matches the kernel's (checked by the layout test) and lives
    // across the call.
    let mut info: MediaDeviceInfo = unsafe { std::mem::zeroed() };
    unsafe { media_ioc_device_info(f.as_raw_fd(), &mut info) }?;
    Ok(info)
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
        let info = device_info(&media).with_context(|| format!("{path}: MEDIA_IOC_DEVICE_INFO (not a media device?)"))?;
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
        let info = device_info(&self.media)?;
        let mut t = MediaV2Topology::default();
        // SAFETY: first call with null pointers only fills in the counts.
        unsafe { media_ioc_g_topology(self.media.as_raw_fd(), &mut t) }.context("MEDIA_IOC_G_TOPOLOGY")?;
        let mut ents = vec![MediaV2Entity { id: 0, name: [0; 64], function: 0, flags: 0, reserved: [0; 5] }; t.num_entities as usize];
        let mut intfs = vec![
            MediaV2Interface { id: 0, intf_type: 0, flags: 0, reserved: [0; 9], devnode: Default::default(), raw_rest: [0; 14] };
            t.num_interfaces as usize
        ];
        let mut pads = vec![MediaV2Pad::default(); t.num_pads as usize];
        let mut links = vec![MediaV2Link::default(); t.num_links as usize];
        t.ptr_entities = ents.as_mut_ptr() as u64;
        t.ptr_interfaces = intfs.as_mut_ptr() as u64;
        t.ptr_pads = pads.as_mut_ptr() as u64;
        t.ptr_links = links.as_mut_ptr() as u64;
        // SAFETY: each array holds as many kernel-layout elements as the counts say; the
        // kernel writes at most that many (it fails with ENOSPC if the graph grew).
        unsafe { media_ioc_g_topology(self.media.as_raw_fd(), &mut t) }.context("MEDIA_IOC_G_TOPOLOGY (arrays)")?;
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
            e.devnode = devnode_path(i.devnode.major, i.devnode.minor);
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
        let fd = self.node(entity)?.as_raw_fd();
        let mut f = V4l2SubdevFormat { which: V4L2_SUBDEV_FORMAT_ACTIVE, pad, ..Default::default() };
        // SAFETY: kernel-layout struct, valid for the call.
        unsafe { vidioc_subdev_g_fmt(fd, &mut f) }.with_context(|| format!("VIDIOC_SUBDEV_G_FMT '{entity}':{pad}"))?;
        let sel = |target| {
            let mut s = V4l2SubdevSelection { which: V4L2_SUBDEV_FORMAT_ACTIVE, pad, target, ..Default::default() };
            // SAFETY: as above; pads without selections fail, which is fine.
            unsafe { vidioc_subdev_g_selection(fd, &mut s) }.ok().map(|_| Rect { x: s.r.left, y: s.r.top, width: s.r.width, height: s.r.height })
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
        let fd = self.node(entity)?.as_raw_fd();
        let mut out = Vec::new();
        for index in 0..64 {
            let mut c = V4l2SubdevMbusCodeEnum { pad: 0, index, which: V4L2_SUBDEV_FORMAT_ACTIVE, ..Default::default() };
            // SAFETY: kernel-layout struct; the enumeration ends with EINVAL.
            if unsafe { vidioc_subdev_enum_mbus_code(fd, &mut c) }.is_err() {
                break;
            }
            for i in 0..64 {
                let mut s = V4l2SubdevFrameSizeEnum { index: i, pad: 0, code: c.code, which: V4L2_SUBDEV_FORMAT_ACTIVE, ..Default::default() };
                // SAFETY: as above.
                if unsafe { vidioc_subdev_enum_frame_size(fd, &mut s) }.is_err() {
                    break;
                }
                out.push((c.code, Size::new(s.max_width, s.max_height)));
            }
        }
        Ok(out)
    }

    /// The ISP sink's real size range (a Bayer code's ENUM_FRAME_SIZE).
    fn isp_sink_max(&mut self, isp: &str) -> Result<Size> {
        let fd = self.node(isp)?.as_raw_fd();
        let mut s =
            V4l2SubdevFrameSizeEnum { index: 0, pad: 0, code: mbus::value("SRGGB10_1X10").unwrap(), which: V4L2_SUBDEV_FORMAT_ACTIVE, ..Default::default() };
        // SAFETY: kernel-layout struct.
        unsafe { vidioc_subdev_enum_frame_size(fd, &mut s) }.context("VIDIOC_SUBDEV_ENUM_FRAME_SIZE on the ISP sink")?;
        Ok(Size::new(s.max_width, s.max_height))
    }

    /// A capture node's size range (kernels >= 6.4 enumerate it; None before).
    fn capture_range(&mut self, entity: &str) -> Option<(Size, Size)> {
        let fd = self.node(entity).ok()?.as_raw_fd();
        let mut f = V4l2Frmsizeenum { index: 0, pixel_format: fourcc("YUYV"), ..Default::default() };
        // SAFETY: kernel-layout struct; ENOTTY/EINVAL on kernels without the ioctl here.
        unsafe { vidioc_enum_framesizes(fd, &mut f) }.ok()?;
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
        // SAFETY: kernel-layout struct.
        unsafe { media_ioc_setup_link(self.media.as_raw_fd(), &mut l) }
            .with_context(|| format!("MEDIA_IOC_SETUP_LINK '{}':{} -> '{}':{} [{}]", source.0, source.1, sink.0, sink.1, enabled as u8))?;
        Ok(())
    }

    fn set_format(&mut self, entity: &str, pad: u32, code: &str, size: Size) -> Result<PadFormat> {
        let code_v = mbus::value(code).ok_or_else(|| anyhow!("unknown media bus code {code}"))?;
        let fd = self.node(entity)?.as_raw_fd();
        let mut f = V4l2SubdevFormat { which: V4L2_SUBDEV_FORMAT_ACTIVE, pad, ..Default::default() };
        f.format = V4l2MbusFramefmt { width: size.width, height: size.height, code: code_v, field: V4L2_FIELD_NONE, ..Default::default() };
        // SAFETY: kernel-layout struct.
        unsafe { vidioc_subdev_s_fmt(fd, &mut f) }.with_context(|| format!("VIDIOC_SUBDEV_S_FMT '{entity}':{pad}"))?;
        self.pad_format(entity, pad)
    }

    fn set_crop(&mut self, entity: &str, pad: u32, rect: Rect) -> Result<Rect> {
        let fd = self.node(entity)?.as_raw_fd();
        let mut s = V4l2SubdevSelection {
            which: V4L2_SUBDEV_FORMAT_ACTIVE,
            pad,
            target: V4L2_SEL_TGT_CROP,
            r: V4l2Rect { left: rect.x, top: rect.y, width: rect.width, height: rect.height },
            ..Default::default()
        };
        // SAFETY: kernel-layout struct.
        unsafe { vidioc_subdev_s_selection(fd, &mut s) }.with_context(|| format!("VIDIOC_SUBDEV_S_SELECTION '{entity}':{pad}"))?;
        Ok(Rect { x: s.r.left, y: s.r.top, width: s.r.width, height: s.r.height })
    }

    fn set_video_format(&mut self, entity: &str, f: &VideoFormat) -> Result<VideoFormat> {
        let fd = self.node(entity)?.as_raw_fd();
        let mut v = V4l2Format { type_: V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE, fmt: V4l2FormatUnion { raw_data: [0; 200] } };
        v.fmt.pix_mp = V4l2PixFormatMplane { width: f.width, height: f.height, pixelformat: fourcc(&f.fourcc), field: V4L2_FIELD_NONE, ..Default::default() };
        // SAFETY: kernel-layout struct; the union member read back is the one the type selects.
        unsafe { vidioc_s_fmt(fd, &mut v) }.with_context(|| format!("VIDIOC_S_FMT on `{entity}`"))?;
        let p = unsafe { v.fmt.pix_mp };
        Ok(VideoFormat { fourcc: fourcc_str(p.pixelformat), width: p.width, height: p.height })
    }

    fn video_format(&mut self, entity: &str) -> Result<Option<VideoFormat>> {
        let fd = self.node(entity)?.as_raw_fd();
        let mut v = V4l2Format { type_: V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE, fmt: V4l2FormatUnion { raw_data: [0; 200] } };
        // SAFETY: as in set_video_format.
        if unsafe { vidioc_g_fmt(fd, &mut v) }.is_err() {
            return Ok(None);
        }
        let p = unsafe { v.fmt.pix_mp };
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
    let fd = f.as_raw_fd();
    let mut q = V4l2Queryctrl { id, ..Default::default() };
    // SAFETY: kernel-layout struct; EINVAL means "no such control".
    if unsafe { vidioc_queryctrl(fd, &mut q) }.is_err() {
        return Ok(None);
    }
    let mut c = V4l2Control { id, value: 0 };
    // SAFETY: as above.
    unsafe { vidioc_g_ctrl(fd, &mut c) }.with_context(|| format!("VIDIOC_G_CTRL 0x{id:08x} on `{entity}`"))?;
    Ok(Some(Control { min: q.minimum as i64, max: q.maximum as i64, default: q.default_value as i64, value: c.value as i64 }))
}

fn set_control_on(f: &File, entity: &str, id: u32, value: i64) -> Result<i64> {
    let v = i32::try_from(value).map_err(|_| anyhow!("control value {value} out of range"))?;
    let mut c = V4l2Control { id, value: v };
    // SAFETY: kernel-layout struct.
    unsafe { vidioc_s_ctrl(f.as_raw_fd(), &mut c) }.with_context(|| format!("VIDIOC_S_CTRL 0x{id:08x}={value} on `{entity}`"))?;
    if c.value as i64 != value {
        bail!("`{entity}` kept 0x{id:08x} at {} instead of {value}", c.value);
    }
    Ok(c.value as i64)
}
