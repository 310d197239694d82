//! The kernel ABI: media controller, V4L2 subdevice and video node structs as
//! `linux/media.h`, `linux/v4l2-subdev.h` and `linux/videodev2.h` lay them out on 64-bit
//! Linux, their ioctl request numbers, and one safe function per ioctl. This is the crate's
//! only module with `unsafe`; every size, offset and number here is compared with the
//! kernel headers by `tests/uapi_layout.rs`.
//!
//! The structs are plain old data (`bytemuck::Pod`): unions are byte arrays with typed
//! accessors and the padding a C compiler inserts is an explicit field, so a struct is
//! zeroed, copied and read without `unsafe`. The emulator (`rkisp1-emu`) serves the same
//! structs and request numbers from here.

use bytemuck::{Pod, Zeroable};
use std::mem::size_of;
use std::os::fd::{AsRawFd, BorrowedFd};

// ---- linux/media.h ----

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
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
#[derive(Clone, Copy, Pod, Zeroable, Default)]
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
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct MediaV2Entity {
    pub id: u32,
    pub name: [u8; 64],
    pub function: u32,
    pub flags: u32,
    pub reserved: [u32; 5],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct MediaV2Interface {
    pub id: u32,
    pub intf_type: u32,
    pub flags: u32,
    pub reserved: [u32; 9],
    /// The union of `devnode { major, minor }` and `raw[16]`.
    pub devnode_major: u32,
    pub devnode_minor: u32,
    pub raw_rest: [u32; 14],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct MediaV2Pad {
    pub id: u32,
    pub entity_id: u32,
    pub flags: u32,
    pub index: u32,
    pub reserved: [u32; 4],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct MediaV2Link {
    pub id: u32,
    pub source_id: u32,
    pub sink_id: u32,
    pub flags: u32,
    pub reserved: [u32; 6],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default, Debug)]
pub struct MediaPadDesc {
    pub entity: u32,
    pub index: u16,
    pub _pad: u16,
    pub flags: u32,
    pub reserved: [u32; 2],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default, Debug)]
pub struct MediaLinkDesc {
    pub source: MediaPadDesc,
    pub sink: MediaPadDesc,
    pub flags: u32,
    pub reserved: [u32; 2],
}

pub const MEDIA_ENT_F_CAM_SENSOR: u32 = 0x0002_0001;
pub const MEDIA_PAD_FL_SINK: u32 = 1;
pub const MEDIA_PAD_FL_SOURCE: u32 = 2;
pub const MEDIA_PAD_FL_MUST_CONNECT: u32 = 4;
pub const MEDIA_LNK_FL_ENABLED: u32 = 1;
pub const MEDIA_LNK_FL_IMMUTABLE: u32 = 2;
pub const MEDIA_LNK_FL_LINK_TYPE: u32 = 0xf << 28;
pub const MEDIA_LNK_FL_DATA_LINK: u32 = 0;
pub const MEDIA_LNK_FL_INTERFACE_LINK: u32 = 1 << 28;
pub const MEDIA_INTF_T_V4L_VIDEO: u32 = 0x200;
pub const MEDIA_INTF_T_V4L_SUBDEV: u32 = 0x203;

// ---- linux/v4l2-subdev.h ----

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default, Debug, PartialEq, Eq)]
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
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2SubdevFormat {
    pub which: u32,
    pub pad: u32,
    pub format: V4l2MbusFramefmt,
    pub stream: u32,
    pub reserved: [u32; 7],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default, Debug, PartialEq, Eq, serde::Serialize)]
pub struct V4l2Rect {
    pub left: i32,
    pub top: i32,
    pub width: u32,
    pub height: u32,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
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
#[derive(Clone, Copy, Pod, Zeroable, Default)]
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
#[derive(Clone, Copy, Pod, Zeroable, Default)]
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

pub const V4L2_SUBDEV_FORMAT_ACTIVE: u32 = 1;
pub const V4L2_SEL_TGT_CROP: u32 = 0;
pub const V4L2_SEL_TGT_CROP_BOUNDS: u32 = 2;

// ---- linux/videodev2.h: formats, frame sizes, controls ----

/// `struct v4l2_plane_pix_format` (packed in C; `repr(C)` gives the same layout).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default, Debug)]
pub struct V4l2PlanePixFormat {
    pub sizeimage: u32,
    pub bytesperline: u32,
    pub reserved: [u16; 6],
}

/// `struct v4l2_pix_format_mplane` (packed in C; `repr(C)` gives the same layout).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default, Debug)]
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

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default, Debug)]
pub struct V4l2MetaFormat {
    pub dataformat: u32,
    pub buffersize: u32,
    pub width: u32,
    pub height: u32,
    pub bytesperline: u32,
}

/// `struct v4l2_format`: the union `fmt` is 200 bytes, 8-aligned (it holds pointers).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct V4l2Format {
    pub type_: u32,
    pub _pad: u32,
    pub fmt: [u8; 200],
}

impl V4l2Format {
    /// A zeroed format of this buffer type.
    pub fn of_type(type_: u32) -> Self {
        V4l2Format { type_, ..Zeroable::zeroed() }
    }
    pub fn pix_mp(&self) -> V4l2PixFormatMplane {
        bytemuck::pod_read_unaligned(&self.fmt[..size_of::<V4l2PixFormatMplane>()])
    }
    pub fn set_pix_mp(&mut self, p: &V4l2PixFormatMplane) {
        self.fmt = [0; 200];
        self.fmt[..size_of::<V4l2PixFormatMplane>()].copy_from_slice(bytemuck::bytes_of(p));
    }
    pub fn meta(&self) -> V4l2MetaFormat {
        bytemuck::pod_read_unaligned(&self.fmt[..size_of::<V4l2MetaFormat>()])
    }
    pub fn set_meta(&mut self, m: &V4l2MetaFormat) {
        self.fmt = [0; 200];
        self.fmt[..size_of::<V4l2MetaFormat>()].copy_from_slice(bytemuck::bytes_of(m));
    }
}

/// `struct v4l2_frmsizeenum` with its union as `stepwise` (the discrete size overlays
/// `min_width`/`max_width`).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
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

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
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
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2Control {
    pub id: u32,
    pub value: i32,
}

pub const V4L2_FRMSIZE_TYPE_DISCRETE: u32 = 1;
pub const V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE: u32 = 9;
pub const V4L2_FIELD_NONE: u32 = 1;

/// A V4L2 fourcc from its (up to) four characters, space-padded ("NV12").
pub fn fourcc(s: &str) -> u32 {
    let mut b = [b' '; 4];
    for (i, c) in s.bytes().take(4).enumerate() {
        b[i] = c;
    }
    u32::from_le_bytes(b)
}

/// A fourcc as text ("NV12").
pub fn fourcc_str(v: u32) -> String {
    v.to_le_bytes().iter().map(|b| *b as char).collect::<String>().trim_end().to_string()
}

// ---- ioctl request numbers ----

/// `_IOWR(ty, nr, T)`, encoded by `nix` (asm-generic: x86_64, aarch64). Request numbers
/// are 32 bits; going through u32 keeps them right where `nix` computes them as a C int.
const fn iowr<T>(ty: u8, nr: u8) -> u64 {
    nix::request_code_readwrite!(ty, nr, size_of::<T>()) as u32 as u64
}

pub const MEDIA_IOC_DEVICE_INFO: u64 = iowr::<MediaDeviceInfo>(b'|', 0x00);
pub const MEDIA_IOC_SETUP_LINK: u64 = iowr::<MediaLinkDesc>(b'|', 0x03);
pub const MEDIA_IOC_G_TOPOLOGY: u64 = iowr::<MediaV2Topology>(b'|', 0x04);
pub const VIDIOC_SUBDEV_ENUM_MBUS_CODE: u64 = iowr::<V4l2SubdevMbusCodeEnum>(b'V', 2);
pub const VIDIOC_SUBDEV_G_FMT: u64 = iowr::<V4l2SubdevFormat>(b'V', 4);
pub const VIDIOC_SUBDEV_S_FMT: u64 = iowr::<V4l2SubdevFormat>(b'V', 5);
pub const VIDIOC_SUBDEV_G_SELECTION: u64 = iowr::<V4l2SubdevSelection>(b'V', 61);
pub const VIDIOC_SUBDEV_S_SELECTION: u64 = iowr::<V4l2SubdevSelection>(b'V', 62);
pub const VIDIOC_SUBDEV_ENUM_FRAME_SIZE: u64 = iowr::<V4l2SubdevFrameSizeEnum>(b'V', 74);
pub const VIDIOC_G_FMT: u64 = iowr::<V4l2Format>(b'V', 4);
pub const VIDIOC_S_FMT: u64 = iowr::<V4l2Format>(b'V', 5);
pub const VIDIOC_G_CTRL: u64 = iowr::<V4l2Control>(b'V', 27);
pub const VIDIOC_S_CTRL: u64 = iowr::<V4l2Control>(b'V', 28);
pub const VIDIOC_QUERYCTRL: u64 = iowr::<V4l2Queryctrl>(b'V', 36);
pub const VIDIOC_ENUM_FRAMESIZES: u64 = iowr::<V4l2Frmsizeenum>(b'V', 74);

/// Every request number above by its C name, for the header check.
pub const REQUESTS: [(&str, u64); 15] = [
    ("MEDIA_IOC_DEVICE_INFO", MEDIA_IOC_DEVICE_INFO),
    ("MEDIA_IOC_SETUP_LINK", MEDIA_IOC_SETUP_LINK),
    ("MEDIA_IOC_G_TOPOLOGY", MEDIA_IOC_G_TOPOLOGY),
    ("VIDIOC_SUBDEV_ENUM_MBUS_CODE", VIDIOC_SUBDEV_ENUM_MBUS_CODE),
    ("VIDIOC_SUBDEV_G_FMT", VIDIOC_SUBDEV_G_FMT),
    ("VIDIOC_SUBDEV_S_FMT", VIDIOC_SUBDEV_S_FMT),
    ("VIDIOC_SUBDEV_G_SELECTION", VIDIOC_SUBDEV_G_SELECTION),
    ("VIDIOC_SUBDEV_S_SELECTION", VIDIOC_SUBDEV_S_SELECTION),
    ("VIDIOC_SUBDEV_ENUM_FRAME_SIZE", VIDIOC_SUBDEV_ENUM_FRAME_SIZE),
    ("VIDIOC_G_FMT", VIDIOC_G_FMT),
    ("VIDIOC_S_FMT", VIDIOC_S_FMT),
    ("VIDIOC_G_CTRL", VIDIOC_G_CTRL),
    ("VIDIOC_S_CTRL", VIDIOC_S_CTRL),
    ("VIDIOC_QUERYCTRL", VIDIOC_QUERYCTRL),
    ("VIDIOC_ENUM_FRAMESIZES", VIDIOC_ENUM_FRAMESIZES),
];

/// The raw calls, generated by `nix` from the request numbers above.
mod raw {
    use super::*;
    nix::ioctl_readwrite_bad!(media_device_info, MEDIA_IOC_DEVICE_INFO, MediaDeviceInfo);
    nix::ioctl_readwrite_bad!(media_setup_link, MEDIA_IOC_SETUP_LINK, MediaLinkDesc);
    nix::ioctl_readwrite_bad!(media_g_topology, MEDIA_IOC_G_TOPOLOGY, MediaV2Topology);
    nix::ioctl_readwrite_bad!(subdev_enum_mbus_code, VIDIOC_SUBDEV_ENUM_MBUS_CODE, V4l2SubdevMbusCodeEnum);
    nix::ioctl_readwrite_bad!(subdev_g_fmt, VIDIOC_SUBDEV_G_FMT, V4l2SubdevFormat);
    nix::ioctl_readwrite_bad!(subdev_s_fmt, VIDIOC_SUBDEV_S_FMT, V4l2SubdevFormat);
    nix::ioctl_readwrite_bad!(subdev_g_selection, VIDIOC_SUBDEV_G_SELECTION, V4l2SubdevSelection);
    nix::ioctl_readwrite_bad!(subdev_s_selection, VIDIOC_SUBDEV_S_SELECTION, V4l2SubdevSelection);
    nix::ioctl_readwrite_bad!(subdev_enum_frame_size, VIDIOC_SUBDEV_ENUM_FRAME_SIZE, V4l2SubdevFrameSizeEnum);
    nix::ioctl_readwrite_bad!(g_fmt, VIDIOC_G_FMT, V4l2Format);
    nix::ioctl_readwrite_bad!(s_fmt, VIDIOC_S_FMT, V4l2Format);
    nix::ioctl_readwrite_bad!(g_ctrl, VIDIOC_G_CTRL, V4l2Control);
    nix::ioctl_readwrite_bad!(s_ctrl, VIDIOC_S_CTRL, V4l2Control);
    nix::ioctl_readwrite_bad!(queryctrl, VIDIOC_QUERYCTRL, V4l2Queryctrl);
    nix::ioctl_readwrite_bad!(enum_framesizes, VIDIOC_ENUM_FRAMESIZES, V4l2Frmsizeenum);
}

// ---- one safe function per ioctl ----
//
// The SAFETY argument shared by every call below, named "in/out struct" there: `fd` is a
// borrowed, open descriptor; the argument is an exclusive reference to a `Pod` struct whose
// size and layout the layout test checks against the kernel header (so any bytes the
// kernel writes are a valid value); the request number encodes that size, and the media
// and V4L2 cores copy at most that many bytes in and out (`media_device_ioctl`,
// `video_usercopy`), so the kernel touches nothing outside the struct. The numbers are
// registered to V4L2 and the media controller (ioctl-number.rst): other files refuse them.
// No struct here carries a user pointer except `media_v2_topology`, handled on its own.

/// MEDIA_IOC_DEVICE_INFO: the media device's driver, model, bus and versions.
pub fn media_device_info(fd: BorrowedFd<'_>) -> nix::Result<MediaDeviceInfo> {
    let mut info = MediaDeviceInfo::zeroed();
    // SAFETY: in/out struct (see above).
    unsafe { raw::media_device_info(fd.as_raw_fd(), &mut info) }?;
    Ok(info)
}

/// MEDIA_IOC_SETUP_LINK: enable or disable one data link.
pub fn media_setup_link(fd: BorrowedFd<'_>, link: &mut MediaLinkDesc) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::media_setup_link(fd.as_raw_fd(), link) }.map(drop)
}

/// The arrays MEDIA_IOC_G_TOPOLOGY fills. An empty array is passed as a null pointer (the
/// kernel then only counts); a longer one as its address and its length.
#[derive(Default)]
pub struct TopologyArrays<'a> {
    pub entities: &'a mut [MediaV2Entity],
    pub interfaces: &'a mut [MediaV2Interface],
    pub pads: &'a mut [MediaV2Pad],
    pub links: &'a mut [MediaV2Link],
}

/// MEDIA_IOC_G_TOPOLOGY: the graph's version and element counts, and as many elements as
/// `arrays` hold. Fails with ENOSPC when an array is shorter than the graph; the counts
/// returned are the graph's, so an array may be longer (its tail is left alone).
pub fn media_g_topology(fd: BorrowedFd<'_>, arrays: TopologyArrays<'_>) -> nix::Result<MediaV2Topology> {
    fn place<T>(a: &mut [T]) -> (u32, u64) {
        if a.is_empty() {
            (0, 0)
        } else {
            (u32::try_from(a.len()).unwrap_or(u32::MAX), a.as_mut_ptr() as u64)
        }
    }
    let mut t = MediaV2Topology::default();
    (t.num_entities, t.ptr_entities) = place(arrays.entities);
    (t.num_interfaces, t.ptr_interfaces) = place(arrays.interfaces);
    (t.num_pads, t.ptr_pads) = place(arrays.pads);
    (t.num_links, t.ptr_links) = place(arrays.links);
    // SAFETY: in/out struct (see above), plus four user pointers: each is null or the start
    // of a live, exclusively borrowed array of kernel-layout elements (checked by the layout
    // test) with its length as the count (never more: a length over u32::MAX is told as
    // u32::MAX). The kernel writes an array's elements only while its index is below that
    // count (ENOSPC otherwise), and nothing through a null pointer.
    unsafe { raw::media_g_topology(fd.as_raw_fd(), &mut t) }?;
    (t.ptr_entities, t.ptr_interfaces, t.ptr_pads, t.ptr_links) = (0, 0, 0, 0);
    Ok(t)
}

/// VIDIOC_SUBDEV_ENUM_MBUS_CODE: the `index`th media bus code of a pad (EINVAL past the last).
pub fn subdev_enum_mbus_code(fd: BorrowedFd<'_>, e: &mut V4l2SubdevMbusCodeEnum) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::subdev_enum_mbus_code(fd.as_raw_fd(), e) }.map(drop)
}

/// VIDIOC_SUBDEV_G_FMT: a pad's format.
pub fn subdev_g_fmt(fd: BorrowedFd<'_>, f: &mut V4l2SubdevFormat) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::subdev_g_fmt(fd.as_raw_fd(), f) }.map(drop)
}

/// VIDIOC_SUBDEV_S_FMT: set a pad's format; `f` comes back as the driver adjusted it.
pub fn subdev_s_fmt(fd: BorrowedFd<'_>, f: &mut V4l2SubdevFormat) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::subdev_s_fmt(fd.as_raw_fd(), f) }.map(drop)
}

/// VIDIOC_SUBDEV_G_SELECTION: a pad's crop, crop bounds or compose rectangle.
pub fn subdev_g_selection(fd: BorrowedFd<'_>, s: &mut V4l2SubdevSelection) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::subdev_g_selection(fd.as_raw_fd(), s) }.map(drop)
}

/// VIDIOC_SUBDEV_S_SELECTION: set a pad's rectangle; `s` comes back as the driver adjusted it.
pub fn subdev_s_selection(fd: BorrowedFd<'_>, s: &mut V4l2SubdevSelection) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::subdev_s_selection(fd.as_raw_fd(), s) }.map(drop)
}

/// VIDIOC_SUBDEV_ENUM_FRAME_SIZE: the `index`th size range of a pad and code.
pub fn subdev_enum_frame_size(fd: BorrowedFd<'_>, e: &mut V4l2SubdevFrameSizeEnum) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::subdev_enum_frame_size(fd.as_raw_fd(), e) }.map(drop)
}

/// VIDIOC_G_FMT: a video node's format for `f.type_`.
pub fn video_g_fmt(fd: BorrowedFd<'_>, f: &mut V4l2Format) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::g_fmt(fd.as_raw_fd(), f) }.map(drop)
}

/// VIDIOC_S_FMT: set a video node's format; `f` comes back as the driver adjusted it.
pub fn video_s_fmt(fd: BorrowedFd<'_>, f: &mut V4l2Format) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::s_fmt(fd.as_raw_fd(), f) }.map(drop)
}

/// VIDIOC_ENUM_FRAMESIZES: the `index`th frame size (or the range) of a pixel format.
pub fn video_enum_framesizes(fd: BorrowedFd<'_>, f: &mut V4l2Frmsizeenum) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::enum_framesizes(fd.as_raw_fd(), f) }.map(drop)
}

/// VIDIOC_QUERYCTRL: a control's type and range (EINVAL: no such control).
pub fn queryctrl(fd: BorrowedFd<'_>, q: &mut V4l2Queryctrl) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::queryctrl(fd.as_raw_fd(), q) }.map(drop)
}

/// VIDIOC_G_CTRL: a control's value.
pub fn g_ctrl(fd: BorrowedFd<'_>, c: &mut V4l2Control) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::g_ctrl(fd.as_raw_fd(), c) }.map(drop)
}

/// VIDIOC_S_CTRL: set a control; `c.value` comes back as the driver kept it.
pub fn s_ctrl(fd: BorrowedFd<'_>, c: &mut V4l2Control) -> nix::Result<()> {
    // SAFETY: in/out struct (see above).
    unsafe { raw::s_ctrl(fd.as_raw_fd(), c) }.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::errno::Errno;
    use std::os::fd::AsFd;

    /// A descriptor of another kind of file refuses every request (the layouts and numbers
    /// themselves are checked against the headers by tests/uapi_layout.rs).
    #[test]
    fn a_file_that_is_no_media_or_v4l2_device_refuses_the_calls() {
        let f = std::fs::File::open("/dev/null").unwrap();
        let fd = f.as_fd();
        assert_eq!(media_device_info(fd).err(), Some(Errno::ENOTTY));
        assert_eq!(media_g_topology(fd, TopologyArrays::default()).err(), Some(Errno::ENOTTY));
        let mut entities = vec![MediaV2Entity::zeroed(); 4];
        assert_eq!(media_g_topology(fd, TopologyArrays { entities: &mut entities, ..Default::default() }).err(), Some(Errno::ENOTTY));
        assert_eq!(subdev_g_fmt(fd, &mut V4l2SubdevFormat::default()), Err(Errno::ENOTTY));
        assert_eq!(video_g_fmt(fd, &mut V4l2Format::of_type(V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE)), Err(Errno::ENOTTY));
        assert_eq!(queryctrl(fd, &mut V4l2Queryctrl::default()), Err(Errno::ENOTTY));
    }

    #[test]
    fn the_format_union_holds_one_member_at_a_time() {
        let mut f = V4l2Format::of_type(V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE);
        f.set_pix_mp(&V4l2PixFormatMplane { width: 1920, height: 1080, pixelformat: fourcc("NV12"), ..Default::default() });
        assert_eq!((f.pix_mp().width, f.pix_mp().height, fourcc_str(f.pix_mp().pixelformat).as_str()), (1920, 1080, "NV12"));
        f.set_meta(&V4l2MetaFormat { dataformat: fourcc("RK1S"), buffersize: 260, ..Default::default() });
        // The members overlap; setting one clears what the other left beyond it.
        assert_eq!((f.meta().dataformat, f.meta().buffersize, f.pix_mp().pixelformat), (fourcc("RK1S"), 260, 0));
    }
}
