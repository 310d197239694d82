//! Every struct layout, ioctl number and constant of the hardware layer (`hw`), the media
//! bus codes (`mbus`) and control ids (`device::cid`) against the kernel's UAPI headers,
//! through a C probe: the build machine's /usr/include and the cached Debian 6.12 / newest
//! headers (`scripts/fetch-kernel-headers`).

use rkisp1_pipeline::{device::cid, hw::*, mbus};
use std::mem::{offset_of, size_of};
use std::path::{Path, PathBuf};
use std::process::Command;

macro_rules! size {
    ($t:ty, $c:literal) => {
        (concat!("sizeof(struct ", $c, ")").to_string(), size_of::<$t>() as u64)
    };
}
macro_rules! off {
    ($t:ty, $c:literal, $($f:tt).+) => {
        (concat!("offsetof(struct ", $c, ", ", stringify!($($f).+), ")").replace(' ', "").replace("offsetof(struct", "offsetof(struct "), offset_of!($t, $($f).+) as u64)
    };
}

fn entries() -> Vec<(String, u64)> {
    let mut v = vec![
        size!(MediaDeviceInfo, "media_device_info"),
        off!(MediaDeviceInfo, "media_device_info", bus_info),
        off!(MediaDeviceInfo, "media_device_info", hw_revision),
        off!(MediaDeviceInfo, "media_device_info", driver_version),
        size!(MediaV2Topology, "media_v2_topology"),
        off!(MediaV2Topology, "media_v2_topology", ptr_entities),
        off!(MediaV2Topology, "media_v2_topology", num_interfaces),
        off!(MediaV2Topology, "media_v2_topology", ptr_interfaces),
        off!(MediaV2Topology, "media_v2_topology", num_pads),
        off!(MediaV2Topology, "media_v2_topology", ptr_pads),
        off!(MediaV2Topology, "media_v2_topology", num_links),
        off!(MediaV2Topology, "media_v2_topology", ptr_links),
        size!(MediaV2Entity, "media_v2_entity"),
        off!(MediaV2Entity, "media_v2_entity", name),
        off!(MediaV2Entity, "media_v2_entity", function),
        off!(MediaV2Entity, "media_v2_entity", flags),
        size!(MediaV2Interface, "media_v2_interface"),
        off!(MediaV2Interface, "media_v2_interface", intf_type),
        off!(MediaV2Interface, "media_v2_interface", devnode),
        off!(MediaV2Interface, "media_v2_interface", devnode.minor),
        size!(MediaV2Pad, "media_v2_pad"),
        off!(MediaV2Pad, "media_v2_pad", entity_id),
        off!(MediaV2Pad, "media_v2_pad", flags),
        off!(MediaV2Pad, "media_v2_pad", index),
        size!(MediaV2Link, "media_v2_link"),
        off!(MediaV2Link, "media_v2_link", source_id),
        off!(MediaV2Link, "media_v2_link", sink_id),
        off!(MediaV2Link, "media_v2_link", flags),
        size!(MediaPadDesc, "media_pad_desc"),
        off!(MediaPadDesc, "media_pad_desc", index),
        off!(MediaPadDesc, "media_pad_desc", flags),
        size!(MediaLinkDesc, "media_link_desc"),
        off!(MediaLinkDesc, "media_link_desc", sink),
        off!(MediaLinkDesc, "media_link_desc", flags),
        size!(V4l2MbusFramefmt, "v4l2_mbus_framefmt"),
        off!(V4l2MbusFramefmt, "v4l2_mbus_framefmt", code),
        off!(V4l2MbusFramefmt, "v4l2_mbus_framefmt", field),
        off!(V4l2MbusFramefmt, "v4l2_mbus_framefmt", ycbcr_enc),
        off!(V4l2MbusFramefmt, "v4l2_mbus_framefmt", quantization),
        off!(V4l2MbusFramefmt, "v4l2_mbus_framefmt", xfer_func),
        off!(V4l2MbusFramefmt, "v4l2_mbus_framefmt", flags),
        size!(V4l2SubdevFormat, "v4l2_subdev_format"),
        off!(V4l2SubdevFormat, "v4l2_subdev_format", pad),
        off!(V4l2SubdevFormat, "v4l2_subdev_format", format),
        off!(V4l2SubdevFormat, "v4l2_subdev_format", stream),
        size!(V4l2SubdevSelection, "v4l2_subdev_selection"),
        off!(V4l2SubdevSelection, "v4l2_subdev_selection", target),
        off!(V4l2SubdevSelection, "v4l2_subdev_selection", r),
        off!(V4l2SubdevSelection, "v4l2_subdev_selection", r.width),
        off!(V4l2SubdevSelection, "v4l2_subdev_selection", stream),
        size!(V4l2SubdevMbusCodeEnum, "v4l2_subdev_mbus_code_enum"),
        off!(V4l2SubdevMbusCodeEnum, "v4l2_subdev_mbus_code_enum", code),
        off!(V4l2SubdevMbusCodeEnum, "v4l2_subdev_mbus_code_enum", which),
        off!(V4l2SubdevMbusCodeEnum, "v4l2_subdev_mbus_code_enum", flags),
        size!(V4l2SubdevFrameSizeEnum, "v4l2_subdev_frame_size_enum"),
        off!(V4l2SubdevFrameSizeEnum, "v4l2_subdev_frame_size_enum", code),
        off!(V4l2SubdevFrameSizeEnum, "v4l2_subdev_frame_size_enum", max_width),
        off!(V4l2SubdevFrameSizeEnum, "v4l2_subdev_frame_size_enum", max_height),
        off!(V4l2SubdevFrameSizeEnum, "v4l2_subdev_frame_size_enum", which),
        size!(V4l2Queryctrl, "v4l2_queryctrl"),
        off!(V4l2Queryctrl, "v4l2_queryctrl", minimum),
        off!(V4l2Queryctrl, "v4l2_queryctrl", default_value),
        off!(V4l2Queryctrl, "v4l2_queryctrl", flags),
        size!(V4l2Control, "v4l2_control"),
        size!(V4l2Frmsizeenum, "v4l2_frmsizeenum"),
        // C names: `type`, and the union member `stepwise`.
        ("offsetof(struct v4l2_frmsizeenum, type)".into(), offset_of!(V4l2Frmsizeenum, type_) as u64),
        ("offsetof(struct v4l2_frmsizeenum, stepwise.min_width)".into(), offset_of!(V4l2Frmsizeenum, min_width) as u64),
        ("offsetof(struct v4l2_frmsizeenum, stepwise.max_height)".into(), offset_of!(V4l2Frmsizeenum, max_height) as u64),
        ("offsetof(struct v4l2_frmsizeenum, discrete.width)".into(), offset_of!(V4l2Frmsizeenum, min_width) as u64),
        off!(V4l2Frmsizeenum, "v4l2_frmsizeenum", reserved),
        size!(V4l2PlanePixFormat, "v4l2_plane_pix_format"),
        size!(V4l2PixFormatMplane, "v4l2_pix_format_mplane"),
        off!(V4l2PixFormatMplane, "v4l2_pix_format_mplane", pixelformat),
        off!(V4l2PixFormatMplane, "v4l2_pix_format_mplane", plane_fmt),
        off!(V4l2PixFormatMplane, "v4l2_pix_format_mplane", num_planes),
        size!(V4l2Format, "v4l2_format"),
        off!(V4l2Format, "v4l2_format", fmt),
    ];
    for (name, value) in ioctl_numbers() {
        v.push((format!("(unsigned long){name}"), value));
    }
    for (c, value) in [
        ("MEDIA_LNK_FL_ENABLED", MEDIA_LNK_FL_ENABLED),
        ("MEDIA_LNK_FL_IMMUTABLE", MEDIA_LNK_FL_IMMUTABLE),
        ("MEDIA_LNK_FL_LINK_TYPE", MEDIA_LNK_FL_LINK_TYPE),
        ("MEDIA_LNK_FL_DATA_LINK", MEDIA_LNK_FL_DATA_LINK),
        ("MEDIA_LNK_FL_INTERFACE_LINK", MEDIA_LNK_FL_INTERFACE_LINK),
        ("MEDIA_PAD_FL_SINK", MEDIA_PAD_FL_SINK),
        ("MEDIA_PAD_FL_SOURCE", MEDIA_PAD_FL_SOURCE),
        ("MEDIA_PAD_FL_MUST_CONNECT", MEDIA_PAD_FL_MUST_CONNECT),
        ("MEDIA_ENT_F_CAM_SENSOR", MEDIA_ENT_F_CAM_SENSOR),
        ("MEDIA_INTF_T_V4L_VIDEO", MEDIA_INTF_T_V4L_VIDEO),
        ("MEDIA_INTF_T_V4L_SUBDEV", MEDIA_INTF_T_V4L_SUBDEV),
        ("V4L2_SUBDEV_FORMAT_ACTIVE", V4L2_SUBDEV_FORMAT_ACTIVE),
        ("V4L2_SEL_TGT_CROP", V4L2_SEL_TGT_CROP),
        ("V4L2_SEL_TGT_CROP_BOUNDS", V4L2_SEL_TGT_CROP_BOUNDS),
        ("V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE", V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE),
        ("V4L2_FIELD_NONE", V4L2_FIELD_NONE),
        ("V4L2_FRMSIZE_TYPE_DISCRETE", V4L2_FRMSIZE_TYPE_DISCRETE),
        ("V4L2_CID_HFLIP", cid::HFLIP),
        ("V4L2_CID_VFLIP", cid::VFLIP),
        ("V4L2_CID_DIGITAL_GAIN", cid::DIGITAL_GAIN),
        ("V4L2_CID_CAMERA_ORIENTATION", cid::CAMERA_ORIENTATION),
        ("V4L2_PIX_FMT_NV12", fourcc("NV12")),
        ("V4L2_PIX_FMT_YUYV", fourcc("YUYV")),
        ("V4L2_PIX_FMT_SBGGR10", fourcc("BG10")),
        ("V4L2_PIX_FMT_SGRBG10", fourcc("BA10")),
        ("V4L2_PIX_FMT_SRGGB10", fourcc("RG10")),
        ("V4L2_PIX_FMT_SGBRG10", fourcc("GB10")),
    ] {
        // Through unsigned int: `0xf << 28` is a negative int in C.
        v.push((format!("(unsigned int)({c})"), value as u64));
    }
    for (name, value) in mbus::CODES {
        v.push((format!("(unsigned int)MEDIA_BUS_FMT_{name}"), *value as u64));
    }
    v
}

/// `streams`: the header has the `stream` fields (added after Linux 6.1; 6.1 has them as
/// reserved words, so the struct sizes are checked either way).
fn probe(label: &str, include: Option<&Path>, streams: bool) -> usize {
    let want: Vec<_> = entries().into_iter().filter(|(e, _)| streams || !e.contains(",stream)")).collect();
    let dir = std::env::temp_dir().join(format!("rkisp1-setup-probe-{}-{label}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut src = String::from("#include <stddef.h>\n#include <stdio.h>\n#include <linux/media.h>\n#include <linux/v4l2-subdev.h>\n#include <linux/videodev2.h>\n#include <linux/media-bus-format.h>\nint main(void) {\n");
    for (expr, _) in &want {
        src += &format!("    printf(\"%llu\\n\", (unsigned long long)({expr}));\n");
    }
    src += "    return 0;\n}\n";
    std::fs::write(dir.join("probe.c"), src).unwrap();
    let mut cc = Command::new("cc");
    if let Some(inc) = include {
        cc.arg(format!("-I{}", inc.display()));
    }
    let out = cc.arg("-o").arg(dir.join("probe")).arg(dir.join("probe.c")).output().expect("run cc");
    assert!(out.status.success(), "{label}: probe failed to compile:\n{}", String::from_utf8_lossy(&out.stderr));
    let got = String::from_utf8(Command::new(dir.join("probe")).output().unwrap().stdout).unwrap();
    let got: Vec<u64> = got.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(got.len(), want.len());
    let bad: Vec<_> = want.iter().zip(&got).filter(|((_, ours), kernel)| ours != *kernel).map(|((e, o), k)| format!("{e}: ours {o}, kernel {k}")).collect();
    assert!(bad.is_empty(), "{label}: mismatches:\n{}", bad.join("\n"));
    want.len()
}

fn cached(name: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.cache/kernel-headers").join(name);
    assert!(p.join("linux/media.h").exists(), "{} missing: run scripts/fetch-kernel-headers", p.display());
    p
}

#[test]
fn layouts_and_numbers_match_the_system_headers() {
    assert!(probe("system", None, false) > 120);
}

#[test]
fn layouts_and_numbers_match_the_6_12_and_newest_headers() {
    probe("6.12", Some(&cached("debian-6.12")), true);
    probe("newest", Some(&cached("debian-newest")), true);
}
