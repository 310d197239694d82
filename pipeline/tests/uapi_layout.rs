//! Every struct layout, ioctl number and constant of the kernel ABI layer (`uapi`), the media
//! bus codes (`mbus`) and control ids (`device::cid`) against the kernel's UAPI headers,
//! through a C probe: the build machine's /usr/include and the cached Debian 6.12 / newest
//! headers (`scripts/fetch-kernel-headers`).

use rkisp1_pipeline::{device::cid, mbus, uapi::*};
use std::mem::{offset_of, size_of};
use std::path::{Path, PathBuf};
use std::process::Command;

/// C expressions only headers newer than Linux 6.1 answer as we do: the `stream` fields
/// (6.1 has them as the first reserved word, so the struct sizes are checked either way)
/// and the line-based metadata fields of `v4l2_meta_format` (6.1's is 8 bytes; ours is the
/// 20-byte union member).
const NEWER_THAN_6_1: [&str; 6] = [
    ",stream)",
    "v4l2_subdev_format,reserved)",
    "v4l2_subdev_selection,reserved)",
    "v4l2_subdev_mbus_code_enum,reserved)",
    "v4l2_subdev_frame_size_enum,reserved)",
    "v4l2_meta_format",
];

macro_rules! size {
    ($t:ty, $c:literal) => {
        (concat!("sizeof(struct ", $c, ")").to_string(), size_of::<$t>() as u64)
    };
}
/// `offsetof` of a field, by the Rust path and (when it differs) the C member designator.
macro_rules! off {
    ($t:ty, $c:literal, $($f:ident).+) => {
        off!($t, $c, $($f).+ => stringify!($($f).+).replace(' ', ""))
    };
    ($t:ty, $c:literal, $($f:ident).+ => $cf:expr) => {
        (format!("offsetof(struct {},{})", $c, $cf), offset_of!($t, $($f).+) as u64)
    };
}
/// The size and every field's offset of a struct whose fields carry the C names.
macro_rules! layout {
    ($v:ident, $t:ty, $c:literal, $($f:ident),+) => {
        $v.push(size!($t, $c));
        $($v.push(off!($t, $c, $f));)+
    };
}

fn entries() -> Vec<(String, u64)> {
    let mut v = Vec::new();
    // Every mirrored struct, field by field. Fields that are not in C: `_pad` (padding the
    // C compiler inserts) and the union stand-ins, checked by their C designators below.
    layout!(v, MediaDeviceInfo, "media_device_info", driver, model, serial, bus_info, media_version, hw_revision, driver_version, reserved);
    layout!(
        v,
        MediaV2Topology,
        "media_v2_topology",
        topology_version,
        num_entities,
        reserved1,
        ptr_entities,
        num_interfaces,
        reserved2,
        ptr_interfaces,
        num_pads,
        reserved3,
        ptr_pads,
        num_links,
        reserved4,
        ptr_links
    );
    layout!(v, MediaV2Entity, "media_v2_entity", id, name, function, flags, reserved);
    layout!(v, MediaV2Interface, "media_v2_interface", id, intf_type, flags, reserved);
    v.push(off!(MediaV2Interface, "media_v2_interface", devnode_major => "devnode.major"));
    v.push(off!(MediaV2Interface, "media_v2_interface", devnode_minor => "devnode.minor"));
    v.push(off!(MediaV2Interface, "media_v2_interface", raw_rest => "raw[2]"));
    layout!(v, MediaV2Pad, "media_v2_pad", id, entity_id, flags, index, reserved);
    layout!(v, MediaV2Link, "media_v2_link", id, source_id, sink_id, flags, reserved);
    layout!(v, MediaPadDesc, "media_pad_desc", entity, index, flags, reserved);
    layout!(v, MediaLinkDesc, "media_link_desc", source, sink, flags, reserved);
    layout!(v, V4l2MbusFramefmt, "v4l2_mbus_framefmt", width, height, code, field, colorspace, ycbcr_enc, quantization, xfer_func, flags, reserved);
    layout!(v, V4l2SubdevFormat, "v4l2_subdev_format", which, pad, format, stream, reserved);
    layout!(v, V4l2Rect, "v4l2_rect", left, top, width, height);
    layout!(v, V4l2SubdevSelection, "v4l2_subdev_selection", which, pad, target, flags, r, stream, reserved);
    layout!(v, V4l2SubdevMbusCodeEnum, "v4l2_subdev_mbus_code_enum", pad, index, code, which, flags, stream, reserved);
    layout!(v, V4l2SubdevFrameSizeEnum, "v4l2_subdev_frame_size_enum", index, pad, code, min_width, max_width, min_height, max_height, which, stream, reserved);
    layout!(v, V4l2PlanePixFormat, "v4l2_plane_pix_format", sizeimage, bytesperline, reserved);
    layout!(
        v,
        V4l2PixFormatMplane,
        "v4l2_pix_format_mplane",
        width,
        height,
        pixelformat,
        field,
        colorspace,
        plane_fmt,
        num_planes,
        flags,
        ycbcr_enc,
        quantization,
        xfer_func,
        reserved
    );
    layout!(v, V4l2MetaFormat, "v4l2_meta_format", dataformat, buffersize, width, height, bytesperline);
    v.push(size!(V4l2Format, "v4l2_format"));
    v.push(off!(V4l2Format, "v4l2_format", type_ => "type"));
    v.push(off!(V4l2Format, "v4l2_format", fmt => "fmt.pix_mp"));
    v.push(off!(V4l2Format, "v4l2_format", fmt => "fmt.meta"));
    v.push(off!(V4l2Format, "v4l2_format", fmt => "fmt.raw_data"));
    v.push(("sizeof(((struct v4l2_format *)0)->fmt)".into(), 200));
    // The union `fmt` as the stepwise member; the discrete size overlays min/max width.
    v.push(size!(V4l2Frmsizeenum, "v4l2_frmsizeenum"));
    v.push(off!(V4l2Frmsizeenum, "v4l2_frmsizeenum", index));
    v.push(off!(V4l2Frmsizeenum, "v4l2_frmsizeenum", pixel_format));
    v.push(off!(V4l2Frmsizeenum, "v4l2_frmsizeenum", type_ => "type"));
    v.push(off!(V4l2Frmsizeenum, "v4l2_frmsizeenum", min_width => "discrete.width"));
    v.push(off!(V4l2Frmsizeenum, "v4l2_frmsizeenum", max_width => "discrete.height"));
    for (ours, c) in [
        (offset_of!(V4l2Frmsizeenum, min_width), "min_width"),
        (offset_of!(V4l2Frmsizeenum, max_width), "max_width"),
        (offset_of!(V4l2Frmsizeenum, step_width), "step_width"),
        (offset_of!(V4l2Frmsizeenum, min_height), "min_height"),
        (offset_of!(V4l2Frmsizeenum, max_height), "max_height"),
        (offset_of!(V4l2Frmsizeenum, step_height), "step_height"),
    ] {
        v.push((format!("offsetof(struct v4l2_frmsizeenum,stepwise.{c})"), ours as u64));
    }
    v.push(off!(V4l2Frmsizeenum, "v4l2_frmsizeenum", reserved));
    layout!(v, V4l2Queryctrl, "v4l2_queryctrl", id, name, minimum, maximum, step, default_value, flags, reserved);
    v.push(off!(V4l2Queryctrl, "v4l2_queryctrl", type_ => "type"));
    layout!(v, V4l2Control, "v4l2_control", id, value);
    for (name, value) in REQUESTS {
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

/// `newer`: the headers are newer than Linux 6.1 (`NEWER_THAN_6_1` applies).
fn probe(label: &str, include: Option<&Path>, newer: bool) -> usize {
    let want: Vec<_> = entries().into_iter().filter(|(e, _)| newer || !NEWER_THAN_6_1.iter().any(|n| e.contains(n))).collect();
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
