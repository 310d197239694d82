//! Every struct size, field offset, ioctl number and constant of the emulator's kernel ABI
//! (`uapi.rs`) against the kernel headers, through a C probe compiled with the system
//! compiler: Debian's 6.12 and newest UAPI headers cached by `scripts/fetch-kernel-headers`
//! (the build machine's own 6.1 headers lack some structs and stream fields).

use rkisp1_emu::uapi::*;
use std::mem::{offset_of, size_of};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (C expression, our value).
fn entries() -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = vec![];
    macro_rules! size {
        ($t:ty, $c:literal) => {
            v.push((concat!("sizeof(struct ", $c, ")").into(), size_of::<$t>() as u64))
        };
    }
    macro_rules! off {
        ($t:ty, $c:literal, $rf:ident, $cf:literal) => {
            v.push((concat!("offsetof(struct ", $c, ", ", $cf, ")").into(), offset_of!($t, $rf) as u64))
        };
    }
    size!(MediaDeviceInfo, "media_device_info");
    off!(MediaDeviceInfo, "media_device_info", serial, "serial");
    off!(MediaDeviceInfo, "media_device_info", bus_info, "bus_info");
    off!(MediaDeviceInfo, "media_device_info", hw_revision, "hw_revision");
    off!(MediaDeviceInfo, "media_device_info", driver_version, "driver_version");
    size!(MediaV2Topology, "media_v2_topology");
    off!(MediaV2Topology, "media_v2_topology", ptr_entities, "ptr_entities");
    off!(MediaV2Topology, "media_v2_topology", ptr_interfaces, "ptr_interfaces");
    off!(MediaV2Topology, "media_v2_topology", num_pads, "num_pads");
    off!(MediaV2Topology, "media_v2_topology", ptr_links, "ptr_links");
    size!(MediaV2Entity, "media_v2_entity");
    off!(MediaV2Entity, "media_v2_entity", function, "function");
    off!(MediaV2Entity, "media_v2_entity", flags, "flags");
    size!(MediaV2Interface, "media_v2_interface");
    off!(MediaV2Interface, "media_v2_interface", devnode_major, "devnode.major");
    off!(MediaV2Interface, "media_v2_interface", devnode_minor, "devnode.minor");
    size!(MediaV2Pad, "media_v2_pad");
    off!(MediaV2Pad, "media_v2_pad", index, "index");
    size!(MediaV2Link, "media_v2_link");
    off!(MediaV2Link, "media_v2_link", flags, "flags");
    size!(MediaPadDesc, "media_pad_desc");
    off!(MediaPadDesc, "media_pad_desc", flags, "flags");
    size!(MediaLinkDesc, "media_link_desc");
    off!(MediaLinkDesc, "media_link_desc", sink, "sink");
    off!(MediaLinkDesc, "media_link_desc", flags, "flags");
    size!(MediaEntityDesc, "media_entity_desc");
    off!(MediaEntityDesc, "media_entity_desc", type_, "type");
    off!(MediaEntityDesc, "media_entity_desc", pads, "pads");
    off!(MediaEntityDesc, "media_entity_desc", links, "links");
    off!(MediaEntityDesc, "media_entity_desc", dev_major, "dev.major");
    off!(MediaEntityDesc, "media_entity_desc", dev_minor, "dev.minor");
    size!(MediaLinksEnum, "media_links_enum");
    off!(MediaLinksEnum, "media_links_enum", pads, "pads");
    off!(MediaLinksEnum, "media_links_enum", links, "links");
    size!(V4l2SubdevCapability, "v4l2_subdev_capability");
    size!(V4l2MbusFramefmt, "v4l2_mbus_framefmt");
    off!(V4l2MbusFramefmt, "v4l2_mbus_framefmt", ycbcr_enc, "ycbcr_enc");
    off!(V4l2MbusFramefmt, "v4l2_mbus_framefmt", flags, "flags");
    size!(V4l2SubdevFormat, "v4l2_subdev_format");
    off!(V4l2SubdevFormat, "v4l2_subdev_format", stream, "stream");
    size!(V4l2SubdevSelection, "v4l2_subdev_selection");
    off!(V4l2SubdevSelection, "v4l2_subdev_selection", r, "r");
    off!(V4l2SubdevSelection, "v4l2_subdev_selection", stream, "stream");
    size!(V4l2SubdevMbusCodeEnum, "v4l2_subdev_mbus_code_enum");
    off!(V4l2SubdevMbusCodeEnum, "v4l2_subdev_mbus_code_enum", flags, "flags");
    off!(V4l2SubdevMbusCodeEnum, "v4l2_subdev_mbus_code_enum", stream, "stream");
    size!(V4l2SubdevFrameSizeEnum, "v4l2_subdev_frame_size_enum");
    off!(V4l2SubdevFrameSizeEnum, "v4l2_subdev_frame_size_enum", which, "which");
    off!(V4l2SubdevFrameSizeEnum, "v4l2_subdev_frame_size_enum", stream, "stream");
    size!(V4l2SubdevClientCapability, "v4l2_subdev_client_capability");
    size!(V4l2Capability, "v4l2_capability");
    off!(V4l2Capability, "v4l2_capability", device_caps, "device_caps");
    size!(V4l2Fmtdesc, "v4l2_fmtdesc");
    off!(V4l2Fmtdesc, "v4l2_fmtdesc", pixelformat, "pixelformat");
    off!(V4l2Fmtdesc, "v4l2_fmtdesc", mbus_code, "mbus_code");
    size!(V4l2PlanePixFormat, "v4l2_plane_pix_format");
    size!(V4l2PixFormatMplane, "v4l2_pix_format_mplane");
    off!(V4l2PixFormatMplane, "v4l2_pix_format_mplane", plane_fmt, "plane_fmt");
    off!(V4l2PixFormatMplane, "v4l2_pix_format_mplane", num_planes, "num_planes");
    off!(V4l2PixFormatMplane, "v4l2_pix_format_mplane", quantization, "quantization");
    size!(V4l2MetaFormat, "v4l2_meta_format");
    size!(V4l2Format, "v4l2_format");
    off!(V4l2Format, "v4l2_format", fmt, "fmt");
    size!(V4l2Frmsizeenum, "v4l2_frmsizeenum");
    off!(V4l2Frmsizeenum, "v4l2_frmsizeenum", type_, "type");
    off!(V4l2Frmsizeenum, "v4l2_frmsizeenum", max_height, "stepwise.max_height");
    off!(V4l2Frmsizeenum, "v4l2_frmsizeenum", step_height, "stepwise.step_height");
    size!(V4l2Requestbuffers, "v4l2_requestbuffers");
    off!(V4l2Requestbuffers, "v4l2_requestbuffers", capabilities, "capabilities");
    off!(V4l2Requestbuffers, "v4l2_requestbuffers", flags, "flags");
    size!(V4l2Buffer, "v4l2_buffer");
    off!(V4l2Buffer, "v4l2_buffer", timestamp, "timestamp");
    off!(V4l2Buffer, "v4l2_buffer", timecode, "timecode");
    off!(V4l2Buffer, "v4l2_buffer", sequence, "sequence");
    off!(V4l2Buffer, "v4l2_buffer", memory, "memory");
    off!(V4l2Buffer, "v4l2_buffer", m, "m");
    off!(V4l2Buffer, "v4l2_buffer", length, "length");
    off!(V4l2Buffer, "v4l2_buffer", request_fd, "request_fd");
    size!(V4l2Plane, "v4l2_plane");
    off!(V4l2Plane, "v4l2_plane", m, "m");
    off!(V4l2Plane, "v4l2_plane", data_offset, "data_offset");
    size!(V4l2Exportbuffer, "v4l2_exportbuffer");
    off!(V4l2Exportbuffer, "v4l2_exportbuffer", fd, "fd");
    size!(V4l2QueryExtCtrl, "v4l2_query_ext_ctrl");
    off!(V4l2QueryExtCtrl, "v4l2_query_ext_ctrl", minimum, "minimum");
    off!(V4l2QueryExtCtrl, "v4l2_query_ext_ctrl", flags, "flags");
    off!(V4l2QueryExtCtrl, "v4l2_query_ext_ctrl", dims, "dims");
    size!(V4l2Queryctrl, "v4l2_queryctrl");
    off!(V4l2Queryctrl, "v4l2_queryctrl", default_value, "default_value");
    size!(V4l2Querymenu, "v4l2_querymenu");
    off!(V4l2Querymenu, "v4l2_querymenu", name_or_value, "name");
    off!(V4l2Querymenu, "v4l2_querymenu", name_or_value, "value");
    off!(V4l2Querymenu, "v4l2_querymenu", reserved, "reserved");
    size!(V4l2Control, "v4l2_control");
    size!(V4l2ExtControls, "v4l2_ext_controls");
    off!(V4l2ExtControls, "v4l2_ext_controls", which, "which");
    off!(V4l2ExtControls, "v4l2_ext_controls", error_idx, "error_idx");
    off!(V4l2ExtControls, "v4l2_ext_controls", controls, "controls");
    size!(V4l2ExtControl, "v4l2_ext_control");
    off!(V4l2ExtControl, "v4l2_ext_control", value, "value");
    off!(V4l2ExtControl, "v4l2_ext_control", value, "value64");
    size!(V4l2EventSubscription, "v4l2_event_subscription");
    size!(V4l2Event, "v4l2_event");
    off!(V4l2Event, "v4l2_event", u, "u");
    off!(V4l2Event, "v4l2_event", pending, "pending");
    off!(V4l2Event, "v4l2_event", sequence, "sequence");
    off!(V4l2Event, "v4l2_event", timestamp, "timestamp");
    off!(V4l2Event, "v4l2_event", id, "id");
    for (name, value) in [
        ("MEDIA_IOC_DEVICE_INFO", MEDIA_IOC_DEVICE_INFO),
        ("MEDIA_IOC_ENUM_ENTITIES", MEDIA_IOC_ENUM_ENTITIES),
        ("MEDIA_IOC_ENUM_LINKS", MEDIA_IOC_ENUM_LINKS),
        ("MEDIA_IOC_SETUP_LINK", MEDIA_IOC_SETUP_LINK),
        ("MEDIA_IOC_G_TOPOLOGY", MEDIA_IOC_G_TOPOLOGY),
        ("MEDIA_IOC_REQUEST_ALLOC", MEDIA_IOC_REQUEST_ALLOC),
        ("VIDIOC_SUBDEV_QUERYCAP", VIDIOC_SUBDEV_QUERYCAP),
        ("VIDIOC_SUBDEV_G_FMT", VIDIOC_SUBDEV_G_FMT),
        ("VIDIOC_SUBDEV_S_FMT", VIDIOC_SUBDEV_S_FMT),
        ("VIDIOC_SUBDEV_ENUM_MBUS_CODE", VIDIOC_SUBDEV_ENUM_MBUS_CODE),
        ("VIDIOC_SUBDEV_ENUM_FRAME_SIZE", VIDIOC_SUBDEV_ENUM_FRAME_SIZE),
        ("VIDIOC_SUBDEV_G_SELECTION", VIDIOC_SUBDEV_G_SELECTION),
        ("VIDIOC_SUBDEV_S_SELECTION", VIDIOC_SUBDEV_S_SELECTION),
        ("VIDIOC_SUBDEV_G_CLIENT_CAP", VIDIOC_SUBDEV_G_CLIENT_CAP),
        ("VIDIOC_SUBDEV_S_CLIENT_CAP", VIDIOC_SUBDEV_S_CLIENT_CAP),
        ("VIDIOC_QUERYCAP", VIDIOC_QUERYCAP),
        ("VIDIOC_ENUM_FMT", VIDIOC_ENUM_FMT),
        ("VIDIOC_G_FMT", VIDIOC_G_FMT),
        ("VIDIOC_S_FMT", VIDIOC_S_FMT),
        ("VIDIOC_TRY_FMT", VIDIOC_TRY_FMT),
        ("VIDIOC_ENUM_FRAMESIZES", VIDIOC_ENUM_FRAMESIZES),
        ("VIDIOC_REQBUFS", VIDIOC_REQBUFS),
        ("VIDIOC_QUERYBUF", VIDIOC_QUERYBUF),
        ("VIDIOC_QBUF", VIDIOC_QBUF),
        ("VIDIOC_EXPBUF", VIDIOC_EXPBUF),
        ("VIDIOC_DQBUF", VIDIOC_DQBUF),
        ("VIDIOC_STREAMON", VIDIOC_STREAMON),
        ("VIDIOC_STREAMOFF", VIDIOC_STREAMOFF),
        ("VIDIOC_G_CTRL", VIDIOC_G_CTRL),
        ("VIDIOC_S_CTRL", VIDIOC_S_CTRL),
        ("VIDIOC_QUERYCTRL", VIDIOC_QUERYCTRL),
        ("VIDIOC_QUERYMENU", VIDIOC_QUERYMENU),
        ("VIDIOC_G_EXT_CTRLS", VIDIOC_G_EXT_CTRLS),
        ("VIDIOC_S_EXT_CTRLS", VIDIOC_S_EXT_CTRLS),
        ("VIDIOC_TRY_EXT_CTRLS", VIDIOC_TRY_EXT_CTRLS),
        ("VIDIOC_QUERY_EXT_CTRL", VIDIOC_QUERY_EXT_CTRL),
        ("VIDIOC_DQEVENT", VIDIOC_DQEVENT),
        ("VIDIOC_SUBSCRIBE_EVENT", VIDIOC_SUBSCRIBE_EVENT),
        ("VIDIOC_UNSUBSCRIBE_EVENT", VIDIOC_UNSUBSCRIBE_EVENT),
    ] {
        v.push((format!("(unsigned long){name}"), value));
    }
    let consts: Vec<(&str, u64)> = vec![
        ("MEDIA_ENT_ID_FLAG_NEXT", MEDIA_ENT_ID_FLAG_NEXT as u64),
        ("MEDIA_ENT_F_IO_V4L", MEDIA_ENT_F_IO_V4L as u64),
        ("MEDIA_ENT_F_CAM_SENSOR", MEDIA_ENT_F_CAM_SENSOR as u64),
        ("MEDIA_ENT_F_LENS", MEDIA_ENT_F_LENS as u64),
        ("MEDIA_ENT_F_PROC_VIDEO_PIXEL_FORMATTER", MEDIA_ENT_F_PROC_VIDEO_PIXEL_FORMATTER as u64),
        ("MEDIA_ENT_F_PROC_VIDEO_SCALER", MEDIA_ENT_F_PROC_VIDEO_SCALER as u64),
        ("MEDIA_ENT_F_VID_IF_BRIDGE", MEDIA_ENT_F_VID_IF_BRIDGE as u64),
        ("MEDIA_PAD_FL_SINK", MEDIA_PAD_FL_SINK as u64),
        ("MEDIA_PAD_FL_SOURCE", MEDIA_PAD_FL_SOURCE as u64),
        ("MEDIA_PAD_FL_MUST_CONNECT", MEDIA_PAD_FL_MUST_CONNECT as u64),
        ("MEDIA_LNK_FL_ENABLED", MEDIA_LNK_FL_ENABLED as u64),
        ("MEDIA_LNK_FL_IMMUTABLE", MEDIA_LNK_FL_IMMUTABLE as u64),
        ("MEDIA_LNK_FL_INTERFACE_LINK", MEDIA_LNK_FL_INTERFACE_LINK as u64),
        ("MEDIA_LNK_FL_ANCILLARY_LINK", MEDIA_LNK_FL_ANCILLARY_LINK as u64),
        ("MEDIA_INTF_T_V4L_VIDEO", MEDIA_INTF_T_V4L_VIDEO as u64),
        ("MEDIA_INTF_T_V4L_SUBDEV", MEDIA_INTF_T_V4L_SUBDEV as u64),
        ("V4L2_SEL_TGT_CROP", V4L2_SEL_TGT_CROP as u64),
        ("V4L2_SEL_TGT_CROP_DEFAULT", V4L2_SEL_TGT_CROP_DEFAULT as u64),
        ("V4L2_SEL_TGT_CROP_BOUNDS", V4L2_SEL_TGT_CROP_BOUNDS as u64),
        ("V4L2_SEL_TGT_NATIVE_SIZE", V4L2_SEL_TGT_NATIVE_SIZE as u64),
        ("V4L2_MBUS_FRAMEFMT_SET_CSC", V4L2_MBUS_FRAMEFMT_SET_CSC as u64),
        ("V4L2_SUBDEV_MBUS_CODE_CSC_QUANTIZATION", V4L2_SUBDEV_MBUS_CODE_CSC_QUANTIZATION as u64),
        ("V4L2_CAP_VIDEO_CAPTURE_MPLANE", V4L2_CAP_VIDEO_CAPTURE_MPLANE as u64),
        ("V4L2_CAP_META_CAPTURE", V4L2_CAP_META_CAPTURE as u64),
        ("V4L2_CAP_META_OUTPUT", V4L2_CAP_META_OUTPUT as u64),
        ("V4L2_CAP_STREAMING", V4L2_CAP_STREAMING as u64),
        ("V4L2_CAP_IO_MC", V4L2_CAP_IO_MC as u64),
        ("V4L2_CAP_DEVICE_CAPS", V4L2_CAP_DEVICE_CAPS as u64),
        ("V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE", V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE as u64),
        ("V4L2_BUF_TYPE_META_CAPTURE", V4L2_BUF_TYPE_META_CAPTURE as u64),
        ("V4L2_BUF_TYPE_META_OUTPUT", V4L2_BUF_TYPE_META_OUTPUT as u64),
        ("V4L2_MEMORY_MMAP", V4L2_MEMORY_MMAP as u64),
        ("V4L2_MEMORY_DMABUF", V4L2_MEMORY_DMABUF as u64),
        ("V4L2_BUF_CAP_SUPPORTS_MMAP", V4L2_BUF_CAP_SUPPORTS_MMAP as u64),
        ("V4L2_BUF_CAP_SUPPORTS_DMABUF", V4L2_BUF_CAP_SUPPORTS_DMABUF as u64),
        ("V4L2_BUF_CAP_SUPPORTS_ORPHANED_BUFS", V4L2_BUF_CAP_SUPPORTS_ORPHANED_BUFS as u64),
        ("V4L2_BUF_CAP_SUPPORTS_MMAP_CACHE_HINTS", V4L2_BUF_CAP_SUPPORTS_MMAP_CACHE_HINTS as u64),
        ("V4L2_BUF_FLAG_MAPPED", V4L2_BUF_FLAG_MAPPED as u64),
        ("V4L2_BUF_FLAG_QUEUED", V4L2_BUF_FLAG_QUEUED as u64),
        ("V4L2_BUF_FLAG_DONE", V4L2_BUF_FLAG_DONE as u64),
        ("V4L2_BUF_FLAG_ERROR", V4L2_BUF_FLAG_ERROR as u64),
        ("V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC", V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC as u64),
        ("V4L2_FRMSIZE_TYPE_STEPWISE", V4L2_FRMSIZE_TYPE_STEPWISE as u64),
        ("V4L2_CTRL_FLAG_NEXT_CTRL", V4L2_CTRL_FLAG_NEXT_CTRL as u64),
        ("V4L2_CTRL_FLAG_NEXT_COMPOUND", V4L2_CTRL_FLAG_NEXT_COMPOUND as u64),
        ("V4L2_CTRL_WHICH_DEF_VAL", V4L2_CTRL_WHICH_DEF_VAL as u64),
        ("V4L2_CTRL_WHICH_REQUEST_VAL", V4L2_CTRL_WHICH_REQUEST_VAL as u64),
        ("V4L2_CTRL_FLAG_READ_ONLY", V4L2_CTRL_FLAG_READ_ONLY as u64),
        ("V4L2_CTRL_FLAG_WRITE_ONLY", V4L2_CTRL_FLAG_WRITE_ONLY as u64),
        ("V4L2_CTRL_FLAG_MODIFY_LAYOUT", V4L2_CTRL_FLAG_MODIFY_LAYOUT as u64),
        ("V4L2_CTRL_TYPE_INTEGER", V4L2_CTRL_TYPE_INTEGER as u64),
        ("V4L2_CTRL_TYPE_BOOLEAN", V4L2_CTRL_TYPE_BOOLEAN as u64),
        ("V4L2_CTRL_TYPE_MENU", V4L2_CTRL_TYPE_MENU as u64),
        ("V4L2_CTRL_TYPE_INTEGER64", V4L2_CTRL_TYPE_INTEGER64 as u64),
        ("V4L2_CTRL_TYPE_CTRL_CLASS", V4L2_CTRL_TYPE_CTRL_CLASS as u64),
        ("V4L2_CTRL_TYPE_INTEGER_MENU", V4L2_CTRL_TYPE_INTEGER_MENU as u64),
        ("V4L2_EVENT_FRAME_SYNC", V4L2_EVENT_FRAME_SYNC as u64),
        ("V4L2_COLORSPACE_SRGB", V4L2_COLORSPACE_SRGB as u64),
        ("V4L2_COLORSPACE_RAW", V4L2_COLORSPACE_RAW as u64),
        ("V4L2_XFER_FUNC_NONE", V4L2_XFER_FUNC_NONE as u64),
        ("V4L2_YCBCR_ENC_709", V4L2_YCBCR_ENC_709 as u64),
        ("V4L2_QUANTIZATION_LIM_RANGE", V4L2_QUANTIZATION_LIM_RANGE as u64),
        ("V4L2_CID_EXPOSURE", cid::EXPOSURE as u64),
        ("V4L2_CID_HFLIP", cid::HFLIP as u64),
        ("V4L2_CID_FOCUS_ABSOLUTE", cid::FOCUS_ABSOLUTE as u64),
        ("V4L2_CID_WIDE_DYNAMIC_RANGE", cid::WIDE_DYNAMIC_RANGE as u64),
        ("V4L2_CID_CAMERA_ORIENTATION", cid::CAMERA_ORIENTATION as u64),
        ("V4L2_CID_CAMERA_SENSOR_ROTATION", cid::CAMERA_SENSOR_ROTATION as u64),
        ("V4L2_CID_VBLANK", cid::VBLANK as u64),
        ("V4L2_CID_HBLANK", cid::HBLANK as u64),
        ("V4L2_CID_ANALOGUE_GAIN", cid::ANALOGUE_GAIN as u64),
        ("V4L2_CID_LINK_FREQ", cid::LINK_FREQ as u64),
        ("V4L2_CID_PIXEL_RATE", cid::PIXEL_RATE as u64),
        ("V4L2_CID_TEST_PATTERN", cid::TEST_PATTERN as u64),
        ("V4L2_CID_DIGITAL_GAIN", cid::DIGITAL_GAIN as u64),
        ("V4L2_CTRL_CLASS_USER | 1", cid::USER_CLASS as u64),
        ("V4L2_CTRL_CLASS_CAMERA | 1", cid::CAMERA_CLASS as u64),
        ("V4L2_CTRL_CLASS_IMAGE_SOURCE | 1", cid::IMAGE_SOURCE_CLASS as u64),
        ("V4L2_CTRL_CLASS_IMAGE_PROC | 1", cid::IMAGE_PROC_CLASS as u64),
        ("MEDIA_BUS_FMT_YUYV8_2X8", mbus::YUYV8_2X8 as u64),
        ("MEDIA_BUS_FMT_YUYV8_1_5X8", mbus::YUYV8_1_5X8 as u64),
        ("MEDIA_BUS_FMT_YUYV8_1X16", mbus::YUYV8_1X16 as u64),
        ("MEDIA_BUS_FMT_UYVY8_1X16", mbus::UYVY8_1X16 as u64),
        ("MEDIA_BUS_FMT_SBGGR8_1X8", mbus::SBGGR8 as u64),
        ("MEDIA_BUS_FMT_SGBRG8_1X8", mbus::SGBRG8 as u64),
        ("MEDIA_BUS_FMT_SRGGB8_1X8", mbus::SRGGB8 as u64),
        ("MEDIA_BUS_FMT_SBGGR10_1X10", mbus::SBGGR10 as u64),
        ("MEDIA_BUS_FMT_SGBRG10_1X10", mbus::SGBRG10 as u64),
        ("MEDIA_BUS_FMT_SGRBG10_1X10", mbus::SGRBG10 as u64),
        ("MEDIA_BUS_FMT_SRGGB10_1X10", mbus::SRGGB10 as u64),
        ("MEDIA_BUS_FMT_SBGGR12_1X12", mbus::SBGGR12 as u64),
        ("MEDIA_BUS_FMT_SGRBG12_1X12", mbus::SGRBG12 as u64),
        ("MEDIA_BUS_FMT_SRGGB12_1X12", mbus::SRGGB12 as u64),
        ("MEDIA_BUS_FMT_METADATA_FIXED", mbus::METADATA_FIXED as u64),
        ("V4L2_PIX_FMT_NV12", pix::NV12 as u64),
        ("V4L2_PIX_FMT_NV12M", pix::NV12M as u64),
        ("V4L2_PIX_FMT_YVU422M", pix::YVU422M as u64),
        ("V4L2_PIX_FMT_XBGR32", pix::XBGR32 as u64),
        ("V4L2_PIX_FMT_RGB565", pix::RGB565 as u64),
        ("V4L2_PIX_FMT_SGRBG10", pix::SGRBG10 as u64),
        ("V4L2_PIX_FMT_SBGGR8", pix::SBGGR8 as u64),
        ("V4L2_META_FMT_RK_ISP1_PARAMS", pix::RK_ISP1_PARAMS as u64),
        ("V4L2_META_FMT_RK_ISP1_STAT_3A", pix::RK_ISP1_STAT_3A as u64),
        ("V4L2_META_FMT_RK_ISP1_EXT_PARAMS", pix::RK_ISP1_EXT_PARAMS as u64),
    ];
    for (c, value) in consts {
        // Through unsigned: some of these are negative ints in C.
        v.push((format!("(unsigned int)({c})"), value));
    }
    v
}

fn probe(label: &str, include: &Path) -> usize {
    let want = entries();
    let dir = std::env::temp_dir().join(format!("rkisp1-emu-probe-{}-{label}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut src = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include <linux/media.h>\n#include <linux/v4l2-subdev.h>\n#include <linux/videodev2.h>\n#include <linux/media-bus-format.h>\nint main(void) {\n",
    );
    for (expr, _) in &want {
        src += &format!("    printf(\"%llu\\n\", (unsigned long long)({expr}));\n");
    }
    src += "    return 0;\n}\n";
    std::fs::write(dir.join("probe.c"), src).unwrap();
    let out = Command::new("cc").arg(format!("-I{}", include.display())).arg("-o").arg(dir.join("probe")).arg(dir.join("probe.c")).output().expect("run cc");
    assert!(out.status.success(), "{label}: probe failed to compile:\n{}", String::from_utf8_lossy(&out.stderr));
    let got = String::from_utf8(Command::new(dir.join("probe")).output().unwrap().stdout).unwrap();
    let got: Vec<u64> = got.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(got.len(), want.len());
    let bad: Vec<_> = want.iter().zip(&got).filter(|((_, ours), kernel)| ours != *kernel).map(|((e, o), k)| format!("{e}: ours {o}, kernel {k}")).collect();
    assert!(bad.is_empty(), "{label}: mismatches:\n{}", bad.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
    want.len()
}

fn cached(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.cache/kernel-headers").join(name);
    assert!(p.join("linux/media.h").exists(), "{} missing: run scripts/fetch-kernel-headers", p.display());
    p
}

#[test]
fn layouts_and_numbers_match_the_6_12_header() {
    assert!(probe("6.12", &cached("debian-6.12")) > 200);
}

#[test]
fn layouts_and_numbers_match_the_newest_header() {
    assert!(probe("newest", &cached("debian-newest")) > 200);
}
