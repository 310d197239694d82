//! Kernel ABI: the media controller, V4L2 subdevice and video node structs and ioctl
//! numbers the emulator serves, laid out as `linux/media.h`, `linux/v4l2-subdev.h` and
//! `linux/videodev2.h` define them on 64-bit Linux. Those `rkisp1-setup` also calls come
//! from its kernel-ABI module (`rkisp1_pipeline::uapi`, re-exported here); this file holds
//! the rest. Unions are byte arrays (read with `bytemuck`), padding the C compiler inserts
//! is an explicit field. Every size, offset and number is compared with the real headers by
//! `tests/uapi_layout.rs`.

use bytemuck::{Pod, Zeroable};

pub use rkisp1_pipeline::uapi::{
    fourcc_str, MediaDeviceInfo, MediaLinkDesc, MediaPadDesc, MediaV2Entity, MediaV2Interface, MediaV2Link, MediaV2Pad, MediaV2Topology, V4l2Control,
    V4l2Format, V4l2Frmsizeenum, V4l2MbusFramefmt, V4l2MetaFormat, V4l2PixFormatMplane, V4l2PlanePixFormat, V4l2Queryctrl, V4l2Rect, V4l2SubdevFormat,
    V4l2SubdevFrameSizeEnum, V4l2SubdevMbusCodeEnum, V4l2SubdevSelection, MEDIA_ENT_F_CAM_SENSOR, MEDIA_INTF_T_V4L_SUBDEV, MEDIA_INTF_T_V4L_VIDEO,
    MEDIA_IOC_DEVICE_INFO, MEDIA_IOC_G_TOPOLOGY, MEDIA_IOC_SETUP_LINK, MEDIA_LNK_FL_DATA_LINK, MEDIA_LNK_FL_ENABLED, MEDIA_LNK_FL_IMMUTABLE,
    MEDIA_LNK_FL_INTERFACE_LINK, MEDIA_LNK_FL_LINK_TYPE, MEDIA_PAD_FL_MUST_CONNECT, MEDIA_PAD_FL_SINK, MEDIA_PAD_FL_SOURCE, V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
    V4L2_FIELD_NONE, V4L2_SEL_TGT_CROP, V4L2_SEL_TGT_CROP_BOUNDS, V4L2_SUBDEV_FORMAT_ACTIVE, VIDIOC_ENUM_FRAMESIZES, VIDIOC_G_CTRL, VIDIOC_G_FMT,
    VIDIOC_QUERYCTRL, VIDIOC_SUBDEV_ENUM_FRAME_SIZE, VIDIOC_SUBDEV_ENUM_MBUS_CODE, VIDIOC_SUBDEV_G_FMT, VIDIOC_SUBDEV_G_SELECTION, VIDIOC_SUBDEV_S_FMT,
    VIDIOC_SUBDEV_S_SELECTION, VIDIOC_S_CTRL, VIDIOC_S_FMT,
};

// ---- ioctl request encoding (asm-generic, used by x86_64 and aarch64) ----

const IOC_WRITE: u64 = 1;
const IOC_READ: u64 = 2;

const fn ioc(dir: u64, ty: u8, nr: u8, size: usize) -> u64 {
    (dir << 30) | ((size as u64) << 16) | ((ty as u64) << 8) | nr as u64
}
const fn ior<T>(ty: u8, nr: u8) -> u64 {
    ioc(IOC_READ, ty, nr, std::mem::size_of::<T>())
}
const fn iow<T>(ty: u8, nr: u8) -> u64 {
    ioc(IOC_WRITE, ty, nr, std::mem::size_of::<T>())
}
const fn iowr<T>(ty: u8, nr: u8) -> u64 {
    ioc(IOC_READ | IOC_WRITE, ty, nr, std::mem::size_of::<T>())
}

/// Copies a NUL-terminated name into a fixed kernel char array (truncating, always
/// terminated).
pub fn put_name<const N: usize>(dst: &mut [u8; N], s: &str) {
    *dst = [0; N];
    let n = s.len().min(N - 1);
    dst[..n].copy_from_slice(&s.as_bytes()[..n]);
}

// ---- linux/media.h ----

/// `struct media_entity_desc` (the legacy MEDIA_IOC_ENUM_ENTITIES, used by media-ctl): the
/// union holds `dev { major, minor }` first.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct MediaEntityDesc {
    pub id: u32,
    pub name: [u8; 32],
    pub type_: u32,
    pub revision: u32,
    pub flags: u32,
    pub group_id: u32,
    pub pads: u16,
    pub links: u16,
    pub reserved: [u32; 4],
    pub dev_major: u32,
    pub dev_minor: u32,
    pub raw_rest: [u8; 176],
}

/// `struct media_links_enum` (MEDIA_IOC_ENUM_LINKS).
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct MediaLinksEnum {
    pub entity: u32,
    pub _pad: u32,
    pub pads: u64,
    pub links: u64,
    pub reserved: [u32; 4],
}

pub const MEDIA_IOC_ENUM_ENTITIES: u64 = iowr::<MediaEntityDesc>(b'|', 0x01);
pub const MEDIA_IOC_ENUM_LINKS: u64 = iowr::<MediaLinksEnum>(b'|', 0x02);
pub const MEDIA_IOC_REQUEST_ALLOC: u64 = ior::<i32>(b'|', 0x05);

pub const MEDIA_ENT_ID_FLAG_NEXT: u32 = 1 << 31;
pub const MEDIA_ENT_F_IO_V4L: u32 = 0x0001_0001;
pub const MEDIA_ENT_F_LENS: u32 = 0x0002_0003;
pub const MEDIA_ENT_F_PROC_VIDEO_PIXEL_FORMATTER: u32 = 0x4002;
pub const MEDIA_ENT_F_PROC_VIDEO_SCALER: u32 = 0x4005;
pub const MEDIA_ENT_F_VID_IF_BRIDGE: u32 = 0x5002;
pub const MEDIA_ENT_FL_DEFAULT: u32 = 1;
pub const MEDIA_LNK_FL_DYNAMIC: u32 = 4;
pub const MEDIA_LNK_FL_ANCILLARY_LINK: u32 = 2 << 28;

// ---- linux/v4l2-subdev.h ----

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2SubdevCapability {
    pub version: u32,
    pub capabilities: u32,
    pub reserved: [u32; 14],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2SubdevClientCapability {
    pub capabilities: u64,
}

pub const VIDIOC_SUBDEV_QUERYCAP: u64 = ior::<V4l2SubdevCapability>(b'V', 0);
pub const VIDIOC_SUBDEV_G_CLIENT_CAP: u64 = ior::<V4l2SubdevClientCapability>(b'V', 101);
pub const VIDIOC_SUBDEV_S_CLIENT_CAP: u64 = iowr::<V4l2SubdevClientCapability>(b'V', 102);

pub const V4L2_SUBDEV_FORMAT_TRY: u32 = 0;
pub const V4L2_SUBDEV_CAP_RO_SUBDEV: u32 = 1;
pub const V4L2_SEL_TGT_CROP_DEFAULT: u32 = 1;
pub const V4L2_SEL_TGT_NATIVE_SIZE: u32 = 3;
pub const V4L2_MBUS_FRAMEFMT_SET_CSC: u16 = 1;
pub const V4L2_SUBDEV_MBUS_CODE_CSC_QUANTIZATION: u32 = 1 << 3;

// ---- linux/videodev2.h: capabilities, formats ----

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct V4l2Capability {
    pub driver: [u8; 16],
    pub card: [u8; 32],
    pub bus_info: [u8; 32],
    pub version: u32,
    pub capabilities: u32,
    pub device_caps: u32,
    pub reserved: [u32; 3],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct V4l2Fmtdesc {
    pub index: u32,
    pub type_: u32,
    pub flags: u32,
    pub description: [u8; 32],
    pub pixelformat: u32,
    pub mbus_code: u32,
    pub reserved: [u32; 3],
}

pub const VIDIOC_QUERYCAP: u64 = ior::<V4l2Capability>(b'V', 0);
pub const VIDIOC_ENUM_FMT: u64 = iowr::<V4l2Fmtdesc>(b'V', 2);
pub const VIDIOC_TRY_FMT: u64 = iowr::<V4l2Format>(b'V', 64);

pub const V4L2_CAP_VIDEO_CAPTURE_MPLANE: u32 = 0x0000_1000;
pub const V4L2_CAP_META_CAPTURE: u32 = 0x0080_0000;
pub const V4L2_CAP_META_OUTPUT: u32 = 0x0800_0000;
pub const V4L2_CAP_STREAMING: u32 = 0x0400_0000;
pub const V4L2_CAP_IO_MC: u32 = 0x2000_0000;
pub const V4L2_CAP_DEVICE_CAPS: u32 = 0x8000_0000;
pub const V4L2_FMT_FLAG_CSC_QUANTIZATION: u32 = 0x0100;
pub const V4L2_FRMSIZE_TYPE_STEPWISE: u32 = 3;

pub const V4L2_BUF_TYPE_META_CAPTURE: u32 = 13;
pub const V4L2_BUF_TYPE_META_OUTPUT: u32 = 14;
pub const V4L2_FIELD_ANY: u32 = 0;

pub const V4L2_COLORSPACE_DEFAULT: u32 = 0;
pub const V4L2_COLORSPACE_SMPTE170M: u32 = 1;
pub const V4L2_COLORSPACE_REC709: u32 = 3;
pub const V4L2_COLORSPACE_JPEG: u32 = 7;
pub const V4L2_COLORSPACE_SRGB: u32 = 8;
pub const V4L2_COLORSPACE_RAW: u32 = 11;
pub const V4L2_XFER_FUNC_DEFAULT: u16 = 0;
pub const V4L2_XFER_FUNC_709: u16 = 1;
pub const V4L2_XFER_FUNC_SRGB: u16 = 2;
pub const V4L2_XFER_FUNC_NONE: u16 = 5;
pub const V4L2_YCBCR_ENC_DEFAULT: u16 = 0;
pub const V4L2_YCBCR_ENC_601: u16 = 1;
pub const V4L2_YCBCR_ENC_709: u16 = 2;
pub const V4L2_QUANTIZATION_DEFAULT: u16 = 0;
pub const V4L2_QUANTIZATION_FULL_RANGE: u16 = 1;
pub const V4L2_QUANTIZATION_LIM_RANGE: u16 = 2;

// ---- buffers ----

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct V4l2CreateBuffers {
    pub index: u32,
    pub count: u32,
    pub memory: u32,
    /// struct v4l2_format is 8-byte aligned in C (its union holds pointers).
    pub _pad: u32,
    pub format: V4l2Format,
    pub capabilities: u32,
    pub flags: u32,
    pub max_num_buffers: u32,
    pub reserved: [u32; 5],
}
// struct v4l2_create_buffers is 256 bytes on 64-bit (VIDIOC_CREATE_BUFS encodes the size).
const _: () = assert!(std::mem::size_of::<V4l2CreateBuffers>() == 256);

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2Requestbuffers {
    pub count: u32,
    pub type_: u32,
    pub memory: u32,
    pub capabilities: u32,
    pub flags: u8,
    pub reserved: [u8; 3],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2Timecode {
    pub type_: u32,
    pub flags: u32,
    pub frames: u8,
    pub seconds: u8,
    pub minutes: u8,
    pub hours: u8,
    pub userbits: [u8; 4],
}

/// `struct v4l2_buffer`; `m` is the union of `offset`, `userptr`, `planes` and `fd`.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2Buffer {
    pub index: u32,
    pub type_: u32,
    pub bytesused: u32,
    pub flags: u32,
    pub field: u32,
    pub _pad0: u32,
    /// `struct timeval`: seconds, microseconds.
    pub timestamp: [i64; 2],
    pub timecode: V4l2Timecode,
    pub sequence: u32,
    pub memory: u32,
    pub m: u64,
    pub length: u32,
    pub reserved2: u32,
    pub request_fd: i32,
    pub _pad1: u32,
}

/// `struct v4l2_plane`; `m` is the union of `mem_offset`, `userptr` and `fd`.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2Plane {
    pub bytesused: u32,
    pub length: u32,
    pub m: u64,
    pub data_offset: u32,
    pub reserved: [u32; 11],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2Exportbuffer {
    pub type_: u32,
    pub index: u32,
    pub plane: u32,
    pub flags: u32,
    pub fd: i32,
    pub reserved: [u32; 11],
}

pub const VIDIOC_REQBUFS: u64 = iowr::<V4l2Requestbuffers>(b'V', 8);
pub const VIDIOC_QUERYBUF: u64 = iowr::<V4l2Buffer>(b'V', 9);
pub const VIDIOC_CREATE_BUFS: u64 = iowr::<V4l2CreateBuffers>(b'V', 92);
pub const VIDIOC_QBUF: u64 = iowr::<V4l2Buffer>(b'V', 15);
pub const VIDIOC_EXPBUF: u64 = iowr::<V4l2Exportbuffer>(b'V', 16);
pub const VIDIOC_DQBUF: u64 = iowr::<V4l2Buffer>(b'V', 17);
pub const VIDIOC_STREAMON: u64 = iow::<i32>(b'V', 18);
pub const VIDIOC_STREAMOFF: u64 = iow::<i32>(b'V', 19);

pub const V4L2_MEMORY_MMAP: u32 = 1;
pub const V4L2_MEMORY_USERPTR: u32 = 2;
pub const V4L2_MEMORY_DMABUF: u32 = 4;
pub const V4L2_BUF_CAP_SUPPORTS_MMAP: u32 = 1 << 0;
pub const V4L2_BUF_CAP_SUPPORTS_DMABUF: u32 = 1 << 2;
pub const V4L2_BUF_CAP_SUPPORTS_ORPHANED_BUFS: u32 = 1 << 4;
pub const V4L2_BUF_CAP_SUPPORTS_MMAP_CACHE_HINTS: u32 = 1 << 6;
pub const V4L2_BUF_FLAG_MAPPED: u32 = 0x0000_0001;
pub const V4L2_BUF_FLAG_QUEUED: u32 = 0x0000_0002;
pub const V4L2_BUF_FLAG_DONE: u32 = 0x0000_0004;
pub const V4L2_BUF_FLAG_ERROR: u32 = 0x0000_0040;
pub const V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC: u32 = 0x0000_2000;
pub const V4L2_BUF_FLAG_TSTAMP_SRC_EOF: u32 = 0x0000_0000;
pub const V4L2_BUF_FLAG_REQUEST_FD: u32 = 0x0080_0000;

// ---- controls ----

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct V4l2QueryExtCtrl {
    pub id: u32,
    pub type_: u32,
    pub name: [u8; 32],
    pub minimum: i64,
    pub maximum: i64,
    pub step: u64,
    pub default_value: i64,
    pub flags: u32,
    pub elem_size: u32,
    pub elems: u32,
    pub nr_of_dims: u32,
    pub dims: [u32; 4],
    pub reserved: [u32; 32],
}

/// `struct v4l2_querymenu` (packed in C): the union of `name[32]` and `__s64 value`.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct V4l2Querymenu {
    pub id: u32,
    pub index: u32,
    pub name_or_value: [u8; 32],
    pub reserved: u32,
}

/// `struct v4l2_ext_controls`; `which` overlays the legacy `ctrl_class`.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2ExtControls {
    pub which: u32,
    pub count: u32,
    pub error_idx: u32,
    pub request_fd: i32,
    pub reserved: u32,
    pub _pad: u32,
    pub controls: u64,
}

/// `struct v4l2_ext_control` (packed in C, 20 bytes): `value` is the union of `__s32
/// value`, `__s64 value64` and the payload pointers.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2ExtControl {
    pub id: u32,
    pub size: u32,
    pub reserved2: u32,
    pub value: [u8; 8],
}

impl V4l2ExtControl {
    pub fn value32(&self) -> i32 {
        i32::from_le_bytes(self.value[..4].try_into().unwrap())
    }
    pub fn value64(&self) -> i64 {
        i64::from_le_bytes(self.value)
    }
    pub fn set_value32(&mut self, v: i32) {
        self.value[..4].copy_from_slice(&v.to_le_bytes());
    }
    pub fn set_value64(&mut self, v: i64) {
        self.value = v.to_le_bytes();
    }
}

pub const VIDIOC_QUERYMENU: u64 = iowr::<V4l2Querymenu>(b'V', 37);
pub const VIDIOC_G_EXT_CTRLS: u64 = iowr::<V4l2ExtControls>(b'V', 71);
pub const VIDIOC_S_EXT_CTRLS: u64 = iowr::<V4l2ExtControls>(b'V', 72);
pub const VIDIOC_TRY_EXT_CTRLS: u64 = iowr::<V4l2ExtControls>(b'V', 73);
pub const VIDIOC_QUERY_EXT_CTRL: u64 = iowr::<V4l2QueryExtCtrl>(b'V', 103);

pub const V4L2_CTRL_FLAG_NEXT_CTRL: u32 = 0x8000_0000;
pub const V4L2_CTRL_FLAG_NEXT_COMPOUND: u32 = 0x4000_0000;
pub const V4L2_CTRL_ID_MASK: u32 = 0x0fff_ffff;
pub const V4L2_CTRL_WHICH_CUR_VAL: u32 = 0;
pub const V4L2_CTRL_WHICH_DEF_VAL: u32 = 0x0f00_0000;
pub const V4L2_CTRL_WHICH_REQUEST_VAL: u32 = 0x0f01_0000;
pub const V4L2_CTRL_FLAG_READ_ONLY: u32 = 0x0004;
pub const V4L2_CTRL_FLAG_WRITE_ONLY: u32 = 0x0040;
pub const V4L2_CTRL_FLAG_VOLATILE: u32 = 0x0080;
pub const V4L2_CTRL_FLAG_MODIFY_LAYOUT: u32 = 0x0400;
pub const V4L2_CTRL_TYPE_INTEGER: u32 = 1;
pub const V4L2_CTRL_TYPE_BOOLEAN: u32 = 2;
pub const V4L2_CTRL_TYPE_MENU: u32 = 3;
pub const V4L2_CTRL_TYPE_INTEGER64: u32 = 5;
pub const V4L2_CTRL_TYPE_CTRL_CLASS: u32 = 6;
pub const V4L2_CTRL_TYPE_BITMASK: u32 = 8;
pub const V4L2_CTRL_TYPE_INTEGER_MENU: u32 = 9;

// ---- events ----

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Default)]
pub struct V4l2EventSubscription {
    pub type_: u32,
    pub id: u32,
    pub flags: u32,
    pub reserved: [u32; 5],
}

/// `struct v4l2_event`: the union `u` is 64 bytes, 8-aligned.
#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
pub struct V4l2Event {
    pub type_: u32,
    pub _pad0: u32,
    pub u: [u8; 64],
    pub pending: u32,
    pub sequence: u32,
    /// `struct timespec`: seconds, nanoseconds.
    pub timestamp: [i64; 2],
    pub id: u32,
    pub reserved: [u32; 8],
    pub _pad1: u32,
}

pub const VIDIOC_DQEVENT: u64 = ior::<V4l2Event>(b'V', 89);
pub const VIDIOC_SUBSCRIBE_EVENT: u64 = iow::<V4l2EventSubscription>(b'V', 90);
pub const VIDIOC_UNSUBSCRIBE_EVENT: u64 = iow::<V4l2EventSubscription>(b'V', 91);
pub const V4L2_EVENT_ALL: u32 = 0;
pub const V4L2_EVENT_FRAME_SYNC: u32 = 4;

// ---- control ids (linux/v4l2-controls.h) ----

pub mod cid {
    pub const USER_CLASS: u32 = 0x0098_0001;
    pub const EXPOSURE: u32 = 0x0098_0911;
    pub const HFLIP: u32 = 0x0098_0914;
    pub const VFLIP: u32 = 0x0098_0915;
    pub const CAMERA_CLASS: u32 = 0x009a_0001;
    pub const FOCUS_ABSOLUTE: u32 = 0x009a_090a;
    pub const WIDE_DYNAMIC_RANGE: u32 = 0x009a_0915;
    pub const CAMERA_ORIENTATION: u32 = 0x009a_0922;
    pub const CAMERA_SENSOR_ROTATION: u32 = 0x009a_0923;
    pub const IMAGE_SOURCE_CLASS: u32 = 0x009e_0001;
    pub const VBLANK: u32 = 0x009e_0901;
    pub const HBLANK: u32 = 0x009e_0902;
    pub const ANALOGUE_GAIN: u32 = 0x009e_0903;
    pub const IMAGE_PROC_CLASS: u32 = 0x009f_0001;
    pub const LINK_FREQ: u32 = 0x009f_0901;
    pub const PIXEL_RATE: u32 = 0x009f_0902;
    pub const TEST_PATTERN: u32 = 0x009f_0903;
    pub const DIGITAL_GAIN: u32 = 0x009f_0905;
}

// ---- media bus codes (linux/media-bus-format.h) and pixel formats ----

pub mod mbus {
    pub const YUYV8_2X8: u32 = 0x2008;
    pub const YVYU8_2X8: u32 = 0x2009;
    pub const YUYV8_1_5X8: u32 = 0x2004;
    pub const YUYV8_1X16: u32 = 0x2011;
    pub const YVYU8_1X16: u32 = 0x2012;
    pub const UYVY8_1X16: u32 = 0x200f;
    pub const VYUY8_1X16: u32 = 0x2010;
    pub const SBGGR8: u32 = 0x3001;
    pub const SGBRG8: u32 = 0x3013;
    pub const SGRBG8: u32 = 0x3002;
    pub const SRGGB8: u32 = 0x3014;
    pub const SBGGR10: u32 = 0x3007;
    pub const SGBRG10: u32 = 0x300e;
    pub const SGRBG10: u32 = 0x300a;
    pub const SRGGB10: u32 = 0x300f;
    pub const SBGGR12: u32 = 0x3008;
    pub const SGBRG12: u32 = 0x3010;
    pub const SGRBG12: u32 = 0x3011;
    pub const SRGGB12: u32 = 0x3012;
    pub const METADATA_FIXED: u32 = 0x7001;
}

pub const fn fourcc(s: &[u8; 4]) -> u32 {
    (s[0] as u32) | (s[1] as u32) << 8 | (s[2] as u32) << 16 | (s[3] as u32) << 24
}

pub mod pix {
    use super::fourcc;
    pub const YUYV: u32 = fourcc(b"YUYV");
    pub const YUV422P: u32 = fourcc(b"422P");
    pub const NV16: u32 = fourcc(b"NV16");
    pub const NV61: u32 = fourcc(b"NV61");
    pub const YVU422M: u32 = fourcc(b"YM61");
    pub const GREY: u32 = fourcc(b"GREY");
    pub const NV12: u32 = fourcc(b"NV12");
    pub const NV21: u32 = fourcc(b"NV21");
    pub const NV12M: u32 = fourcc(b"NM12");
    pub const NV21M: u32 = fourcc(b"NM21");
    pub const YUV420: u32 = fourcc(b"YU12");
    pub const YVU420: u32 = fourcc(b"YV12");
    pub const XBGR32: u32 = fourcc(b"XR24");
    pub const RGB565: u32 = fourcc(b"RGBP");
    pub const SRGGB8: u32 = fourcc(b"RGGB");
    pub const SGRBG8: u32 = fourcc(b"GRBG");
    pub const SGBRG8: u32 = fourcc(b"GBRG");
    pub const SBGGR8: u32 = fourcc(b"BA81");
    pub const SRGGB10: u32 = fourcc(b"RG10");
    pub const SGRBG10: u32 = fourcc(b"BA10");
    pub const SGBRG10: u32 = fourcc(b"GB10");
    pub const SBGGR10: u32 = fourcc(b"BG10");
    pub const SRGGB12: u32 = fourcc(b"RG12");
    pub const SGRBG12: u32 = fourcc(b"BA12");
    pub const SGBRG12: u32 = fourcc(b"GB12");
    pub const SBGGR12: u32 = fourcc(b"BG12");
    pub const RK_ISP1_PARAMS: u32 = fourcc(b"RK1P");
    pub const RK_ISP1_STAT_3A: u32 = fourcc(b"RK1S");
    pub const RK_ISP1_EXT_PARAMS: u32 = fourcc(b"RK1E");
}

// ---- errno values the kernel returns (asm-generic/errno-base.h) ----

pub mod errno {
    pub const ENOENT: i32 = 2;
    pub const ENOBUFS: i32 = 105;
    pub const EIO: i32 = 5;
    pub const EBADF: i32 = 9;
    pub const ENOMEM: i32 = 12;
    pub const EFAULT: i32 = 14;
    pub const EBUSY: i32 = 16;
    pub const ENODEV: i32 = 19;
    pub const EINVAL: i32 = 22;
    pub const ENOTTY: i32 = 25;
    pub const ENOSPC: i32 = 28;
    pub const EPIPE: i32 = 32;
    pub const ERANGE: i32 = 34;
    pub const EACCES: i32 = 13;
    pub const EPERM: i32 = 1;
}

/// The name of an ioctl request the emulator knows, for logs.
pub fn ioctl_name(req: u64) -> Option<&'static str> {
    Some(match req {
        MEDIA_IOC_DEVICE_INFO => "MEDIA_IOC_DEVICE_INFO",
        MEDIA_IOC_ENUM_ENTITIES => "MEDIA_IOC_ENUM_ENTITIES",
        MEDIA_IOC_ENUM_LINKS => "MEDIA_IOC_ENUM_LINKS",
        MEDIA_IOC_SETUP_LINK => "MEDIA_IOC_SETUP_LINK",
        MEDIA_IOC_G_TOPOLOGY => "MEDIA_IOC_G_TOPOLOGY",
        MEDIA_IOC_REQUEST_ALLOC => "MEDIA_IOC_REQUEST_ALLOC",
        VIDIOC_SUBDEV_QUERYCAP => "VIDIOC_SUBDEV_QUERYCAP",
        VIDIOC_SUBDEV_G_FMT => "VIDIOC_SUBDEV_G_FMT",
        VIDIOC_SUBDEV_S_FMT => "VIDIOC_SUBDEV_S_FMT",
        VIDIOC_SUBDEV_ENUM_MBUS_CODE => "VIDIOC_SUBDEV_ENUM_MBUS_CODE",
        VIDIOC_SUBDEV_ENUM_FRAME_SIZE => "VIDIOC_SUBDEV_ENUM_FRAME_SIZE",
        VIDIOC_SUBDEV_G_SELECTION => "VIDIOC_SUBDEV_G_SELECTION",
        VIDIOC_SUBDEV_S_SELECTION => "VIDIOC_SUBDEV_S_SELECTION",
        VIDIOC_SUBDEV_G_CLIENT_CAP => "VIDIOC_SUBDEV_G_CLIENT_CAP",
        VIDIOC_SUBDEV_S_CLIENT_CAP => "VIDIOC_SUBDEV_S_CLIENT_CAP",
        VIDIOC_QUERYCAP => "VIDIOC_QUERYCAP",
        VIDIOC_ENUM_FMT => "VIDIOC_ENUM_FMT",
        VIDIOC_G_FMT => "VIDIOC_G_FMT",
        VIDIOC_S_FMT => "VIDIOC_S_FMT",
        VIDIOC_TRY_FMT => "VIDIOC_TRY_FMT",
        VIDIOC_ENUM_FRAMESIZES => "VIDIOC_ENUM_FRAMESIZES",
        VIDIOC_REQBUFS => "VIDIOC_REQBUFS",
        VIDIOC_QUERYBUF => "VIDIOC_QUERYBUF",
        VIDIOC_CREATE_BUFS => "VIDIOC_CREATE_BUFS",
        VIDIOC_QBUF => "VIDIOC_QBUF",
        VIDIOC_EXPBUF => "VIDIOC_EXPBUF",
        VIDIOC_DQBUF => "VIDIOC_DQBUF",
        VIDIOC_STREAMON => "VIDIOC_STREAMON",
        VIDIOC_STREAMOFF => "VIDIOC_STREAMOFF",
        VIDIOC_G_CTRL => "VIDIOC_G_CTRL",
        VIDIOC_S_CTRL => "VIDIOC_S_CTRL",
        VIDIOC_QUERYCTRL => "VIDIOC_QUERYCTRL",
        VIDIOC_QUERYMENU => "VIDIOC_QUERYMENU",
        VIDIOC_G_EXT_CTRLS => "VIDIOC_G_EXT_CTRLS",
        VIDIOC_S_EXT_CTRLS => "VIDIOC_S_EXT_CTRLS",
        VIDIOC_TRY_EXT_CTRLS => "VIDIOC_TRY_EXT_CTRLS",
        VIDIOC_QUERY_EXT_CTRL => "VIDIOC_QUERY_EXT_CTRL",
        VIDIOC_DQEVENT => "VIDIOC_DQEVENT",
        VIDIOC_SUBSCRIBE_EVENT => "VIDIOC_SUBSCRIBE_EVENT",
        VIDIOC_UNSUBSCRIBE_EVENT => "VIDIOC_UNSUBSCRIBE_EVENT",
        _ => return None,
    })
}
