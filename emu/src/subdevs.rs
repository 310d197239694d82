//! Pad formats and crop rectangles of the ISP, CSI receiver and resizer subdevices, with
//! the drivers' rules: accepted codes, size limits, crops aligned and kept inside their
//! bounds, and what each change propagates (sink format → sink crop → source crop →
//! source format on the ISP; sink → source code and colour space on the resizers).

use crate::formats::{self, Enc};
use crate::graph::Path;
use crate::profile::Kernel;
use crate::uapi::{self, errno::*, mbus, V4l2MbusFramefmt, V4l2Rect};

pub const MIN_W: u32 = 32;
pub const MIN_H: u32 = 32;
const DEFAULT_W: u32 = 800;
const DEFAULT_H: u32 = 600;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PadState {
    pub fmt: V4l2MbusFramefmt,
    pub crop: V4l2Rect,
}

fn full(w: u32, h: u32) -> V4l2Rect {
    V4l2Rect { left: 0, top: 0, width: w, height: h }
}

/// Keeps a crop at least 32x32 and inside `bounds`, moving it rather than shrinking it
/// where it fits.
pub fn adjust_crop(r: &mut V4l2Rect, bounds: V4l2Rect) {
    r.width = r.width.max(MIN_W).min(bounds.width);
    r.height = r.height.max(MIN_H).min(bounds.height);
    let fit = |pos: i32, size: u32, lo: i32, span: u32| -> i32 {
        if pos < lo {
            lo
        } else if pos as i64 + size as i64 > lo as i64 + span as i64 {
            lo + span as i32 - size as i32
        } else {
            pos
        }
    };
    r.left = fit(r.left, r.width, bounds.left, bounds.width);
    r.top = fit(r.top, r.height, bounds.top, bounds.height);
}

fn align2(r: &V4l2Rect) -> V4l2Rect {
    V4l2Rect { left: (r.left + 1) & !1, width: (r.width + 1) & !1, ..*r }
}

/// Colour space fields of a sink format as the rkisp1 subdevices fill them: Bayer is raw
/// colour, 601 and full range; YUV keeps what was asked (defaults sRGB, 601, limited).
fn sink_colorspace(f: &mut V4l2MbusFramefmt, req: &V4l2MbusFramefmt, yuv: bool) {
    f.colorspace = if req.colorspace != 0 {
        req.colorspace
    } else if yuv {
        uapi::V4L2_COLORSPACE_SRGB
    } else {
        uapi::V4L2_COLORSPACE_RAW
    };
    f.xfer_func = if req.xfer_func != 0 {
        req.xfer_func
    } else {
        match f.colorspace {
            uapi::V4L2_COLORSPACE_RAW => uapi::V4L2_XFER_FUNC_NONE,
            uapi::V4L2_COLORSPACE_REC709 | uapi::V4L2_COLORSPACE_SMPTE170M => uapi::V4L2_XFER_FUNC_709,
            _ => uapi::V4L2_XFER_FUNC_SRGB,
        }
    };
    if yuv {
        f.ycbcr_enc = if req.ycbcr_enc != 0 {
            req.ycbcr_enc
        } else if f.colorspace == uapi::V4L2_COLORSPACE_REC709 {
            uapi::V4L2_YCBCR_ENC_709
        } else {
            uapi::V4L2_YCBCR_ENC_601
        };
        f.quantization = if req.quantization != 0 {
            req.quantization
        } else if f.colorspace == uapi::V4L2_COLORSPACE_JPEG {
            uapi::V4L2_QUANTIZATION_FULL_RANGE
        } else {
            uapi::V4L2_QUANTIZATION_LIM_RANGE
        };
    } else {
        f.ycbcr_enc = uapi::V4L2_YCBCR_ENC_601;
        f.quantization = uapi::V4L2_QUANTIZATION_FULL_RANGE;
    }
}

// ---- ISP (pads: 0 sink video, 1 sink params, 2 source video, 3 source stats) ----

pub fn isp_init() -> Vec<PadState> {
    let sink = V4l2MbusFramefmt {
        width: DEFAULT_W,
        height: DEFAULT_H,
        code: mbus::SRGGB10,
        field: uapi::V4L2_FIELD_NONE,
        colorspace: uapi::V4L2_COLORSPACE_RAW,
        xfer_func: uapi::V4L2_XFER_FUNC_NONE,
        ycbcr_enc: uapi::V4L2_YCBCR_ENC_601,
        quantization: uapi::V4L2_QUANTIZATION_FULL_RANGE,
        ..Default::default()
    };
    let src = V4l2MbusFramefmt {
        code: mbus::YUYV8_2X8,
        colorspace: uapi::V4L2_COLORSPACE_SRGB,
        xfer_func: uapi::V4L2_XFER_FUNC_SRGB,
        quantization: uapi::V4L2_QUANTIZATION_LIM_RANGE,
        ..sink
    };
    let meta = V4l2MbusFramefmt { code: mbus::METADATA_FIXED, field: uapi::V4L2_FIELD_NONE, ..Default::default() };
    let crop = full(DEFAULT_W, DEFAULT_H);
    vec![
        PadState { fmt: sink, crop },
        PadState { fmt: meta, crop: Default::default() },
        PadState { fmt: src, crop },
        PadState { fmt: meta, crop: Default::default() },
    ]
}

pub fn isp_enum_code(pad: u32, index: u32) -> Result<(u32, u32), i32> {
    match pad {
        0 | 2 => {
            let src = pad == 2;
            let c = formats::ISP_CODES.iter().filter(|c| if src { c.3 } else { c.2 }).nth(index as usize).ok_or(EINVAL)?;
            let flags = if src && c.1 == Enc::Yuv { uapi::V4L2_SUBDEV_MBUS_CODE_CSC_QUANTIZATION } else { 0 };
            Ok((c.0, flags))
        }
        1 | 3 if index == 0 => Ok((mbus::METADATA_FIXED, 0)),
        1 | 3 => Err(EINVAL),
        _ => Err(EINVAL),
    }
}

/// (minimum, maximum) width and height.
pub type SizeRange = ((u32, u32), (u32, u32));

pub fn isp_enum_size(kernel: Kernel, pad: u32, code: u32, index: u32) -> Result<SizeRange, i32> {
    if pad == 1 || pad == 3 {
        return Err(ENOTTY);
    }
    if pad > 3 || index > 0 {
        return Err(EINVAL);
    }
    let (_, sink, src) = formats::isp_code(code).ok_or(EINVAL)?;
    if (pad == 0 && !sink) || (pad == 2 && !src) {
        return Err(EINVAL);
    }
    Ok(((MIN_W, MIN_H), kernel.isp_max()))
}

fn isp_set_src_fmt(p: &mut [PadState], req: &V4l2MbusFramefmt) -> V4l2MbusFramefmt {
    let sink = p[0].fmt;
    let sink_enc = formats::isp_code(sink.code).map(|c| c.0).unwrap_or(Enc::Bayer);
    let mut code = req.code;
    let mut enc = match formats::isp_code(code) {
        Some((e, _, true)) => e,
        _ => {
            code = mbus::YUYV8_2X8;
            Enc::Yuv
        }
    };
    if sink_enc == Enc::Yuv && enc == Enc::Bayer {
        code = sink.code;
        enc = sink_enc;
    }
    let src = &mut p[2];
    src.fmt.code = code;
    src.fmt.width = src.crop.width;
    src.fmt.height = src.crop.height;
    src.fmt.field = uapi::V4L2_FIELD_NONE;
    src.fmt.colorspace = sink.colorspace;
    src.fmt.xfer_func = sink.xfer_func;
    src.fmt.ycbcr_enc = sink.ycbcr_enc;
    src.fmt.quantization = if sink_enc == Enc::Bayer && enc == Enc::Yuv { uapi::V4L2_QUANTIZATION_LIM_RANGE } else { sink.quantization };
    let set_csc = req.flags & uapi::V4L2_MBUS_FRAMEFMT_SET_CSC != 0;
    if set_csc && enc == Enc::Yuv {
        if sink_enc == Enc::Bayer {
            if req.colorspace != 0 {
                src.fmt.colorspace = req.colorspace;
            }
            if req.xfer_func != 0 {
                src.fmt.xfer_func = req.xfer_func;
            }
            if req.ycbcr_enc != 0 {
                src.fmt.ycbcr_enc = req.ycbcr_enc;
            }
        }
        if req.quantization != 0 {
            src.fmt.quantization = req.quantization;
        }
    }
    let mut out = src.fmt;
    if set_csc {
        out.flags |= uapi::V4L2_MBUS_FRAMEFMT_SET_CSC;
    }
    out
}

fn isp_set_src_crop(p: &mut [PadState], r: &V4l2Rect) -> V4l2Rect {
    let mut c = align2(r);
    adjust_crop(&mut c, p[0].crop);
    p[2].crop = c;
    let f = p[2].fmt;
    isp_set_src_fmt(p, &f);
    c
}

fn isp_set_sink_crop(p: &mut [PadState], r: &V4l2Rect) -> V4l2Rect {
    let mut c = align2(r);
    adjust_crop(&mut c, full(p[0].fmt.width, p[0].fmt.height));
    p[0].crop = c;
    let src = p[2].crop;
    isp_set_src_crop(p, &src);
    c
}

pub fn isp_set_fmt(kernel: Kernel, p: &mut [PadState], pad: u32, f: &mut V4l2MbusFramefmt) {
    match pad {
        0 => {
            let req = *f;
            let (code, yuv) = match formats::isp_code(req.code) {
                Some((e, true, _)) => (req.code, e == Enc::Yuv),
                _ => (mbus::SRGGB10, false),
            };
            let (maxw, maxh) = kernel.isp_max();
            let s = &mut p[0].fmt;
            s.code = code;
            s.width = req.width.clamp(MIN_W, maxw);
            s.height = req.height.clamp(MIN_H, maxh);
            s.field = uapi::V4L2_FIELD_NONE;
            sink_colorspace(s, &req, yuv);
            *f = *s;
            let crop = p[0].crop;
            isp_set_sink_crop(p, &crop);
        }
        2 => *f = isp_set_src_fmt(p, f),
        _ => *f = p[pad as usize].fmt,
    }
}

pub fn isp_get_selection(p: &[PadState], pad: u32, target: u32) -> Result<V4l2Rect, i32> {
    if pad != 0 && pad != 2 {
        return Err(EINVAL);
    }
    match target {
        uapi::V4L2_SEL_TGT_CROP_BOUNDS if pad == 0 => Ok(full(p[0].fmt.width, p[0].fmt.height)),
        uapi::V4L2_SEL_TGT_CROP_BOUNDS => Ok(p[0].crop),
        uapi::V4L2_SEL_TGT_CROP => Ok(p[pad as usize].crop),
        _ => Err(EINVAL),
    }
}

pub fn isp_set_selection(p: &mut [PadState], pad: u32, target: u32, r: &mut V4l2Rect) -> Result<(), i32> {
    if target != uapi::V4L2_SEL_TGT_CROP {
        return Err(EINVAL);
    }
    *r = match pad {
        0 => isp_set_sink_crop(p, r),
        2 => isp_set_src_crop(p, r),
        _ => return Err(EINVAL),
    };
    Ok(())
}

// ---- CSI receiver (pads: 0 sink, 1 source; the source mirrors the sink) ----

pub fn csi_init() -> Vec<PadState> {
    let f = V4l2MbusFramefmt { width: DEFAULT_W, height: DEFAULT_H, code: mbus::SRGGB10, field: uapi::V4L2_FIELD_NONE, ..Default::default() };
    vec![PadState { fmt: f, crop: Default::default() }; 2]
}

pub fn csi_enum_code(p: &[PadState], pad: u32, index: u32) -> Result<u32, i32> {
    match pad {
        0 => formats::ISP_CODES.iter().filter(|c| c.2).nth(index as usize).map(|c| c.0).ok_or(EINVAL),
        1 if index == 0 => Ok(p[0].fmt.code),
        _ => Err(EINVAL),
    }
}

pub fn csi_set_fmt(kernel: Kernel, p: &mut [PadState], pad: u32, f: &mut V4l2MbusFramefmt) {
    if pad == 0 {
        let code = if formats::isp_code(f.code).is_some_and(|c| c.1) { f.code } else { mbus::SRGGB10 };
        let (maxw, maxh) = kernel.isp_max();
        let s = V4l2MbusFramefmt { width: f.width.clamp(MIN_W, maxw), height: f.height.clamp(MIN_H, maxh), code, field: uapi::V4L2_FIELD_NONE, ..*f };
        p[0].fmt = s;
        p[1].fmt = s;
    }
    *f = p[pad.min(1) as usize].fmt;
}

// ---- resizers (pads: 0 sink, 1 source) ----

pub fn rsz_init() -> Vec<PadState> {
    let f = V4l2MbusFramefmt {
        width: DEFAULT_W,
        height: DEFAULT_H,
        code: mbus::YUYV8_2X8,
        field: uapi::V4L2_FIELD_NONE,
        colorspace: uapi::V4L2_COLORSPACE_SRGB,
        xfer_func: uapi::V4L2_XFER_FUNC_SRGB,
        ycbcr_enc: uapi::V4L2_YCBCR_ENC_601,
        quantization: uapi::V4L2_QUANTIZATION_LIM_RANGE,
        ..Default::default()
    };
    vec![PadState { fmt: f, crop: full(DEFAULT_W, DEFAULT_H) }, PadState { fmt: f, crop: Default::default() }]
}

/// Largest resizer source size of a path.
pub fn rsz_max(path: Path) -> (u32, u32) {
    match path {
        Path::Main => (4416, 3312),
        Path::SelfPath => (1920, 1920),
    }
}
pub const RSZ_MIN: (u32, u32) = (32, 16);

pub fn rsz_enum_code(path: Path, pad: u32, index: u32) -> Result<u32, i32> {
    match (pad, path) {
        (1, _) => {
            // The capture node's bus codes, each once.
            let mut codes: Vec<u32> = vec![];
            for f in formats::path_formats(path) {
                if !codes.contains(&f.mbus) {
                    codes.push(f.mbus);
                }
            }
            codes.get(index as usize).copied().ok_or(EINVAL)
        }
        (0, Path::SelfPath) if index == 0 => Ok(mbus::YUYV8_2X8),
        (0, Path::SelfPath) => Err(EINVAL),
        (0, Path::Main) => isp_enum_code(2, index).map(|c| c.0),
        _ => Err(EINVAL),
    }
}

fn rsz_set_sink_crop(path: Path, p: &mut [PadState], r: &V4l2Rect) -> V4l2Rect {
    let sink = p[0].fmt;
    if path == Path::Main && formats::is_bayer(sink.code) {
        // No cropping of raw data on the mainpath.
        p[0].crop = full(sink.width, sink.height);
        return p[0].crop;
    }
    let mut c = align2(r);
    adjust_crop(&mut c, full(sink.width, sink.height));
    p[0].crop = c;
    c
}

pub fn rsz_set_fmt(kernel: Kernel, path: Path, p: &mut [PadState], pad: u32, f: &mut V4l2MbusFramefmt) {
    if pad == 0 {
        let req = *f;
        let mut code = if path == Path::SelfPath { mbus::YUYV8_2X8 } else { req.code };
        if !formats::isp_code(code).is_some_and(|c| c.2) {
            code = mbus::YUYV8_2X8;
        }
        let yuv = !formats::is_bayer(code);
        let (maxw, maxh) = kernel.isp_max();
        let s = &mut p[0].fmt;
        s.code = code;
        s.width = req.width.clamp(MIN_W, maxw);
        s.height = req.height.clamp(MIN_H, maxh);
        s.field = uapi::V4L2_FIELD_NONE;
        sink_colorspace(s, &req, yuv);
        let s = *s;
        *f = s;
        let src = &mut p[1].fmt;
        src.code = s.code;
        src.colorspace = s.colorspace;
        src.xfer_func = s.xfer_func;
        src.ycbcr_enc = s.ycbcr_enc;
        src.quantization = s.quantization;
        let crop = p[0].crop;
        rsz_set_sink_crop(path, p, &crop);
    } else {
        let sink_yuv = !formats::is_bayer(p[0].fmt.code);
        let (minw, minh) = RSZ_MIN;
        let (maxw, maxh) = rsz_max(path);
        let src = &mut p[1].fmt;
        if sink_yuv && formats::RSZ_YUV_CODES.iter().any(|c| c.0 == f.code) {
            src.code = f.code;
        }
        src.width = f.width.clamp(minw, maxw);
        src.height = f.height.clamp(minh, maxh);
        src.field = uapi::V4L2_FIELD_NONE;
        *f = *src;
    }
}

pub fn rsz_get_selection(p: &[PadState], pad: u32, target: u32) -> Result<V4l2Rect, i32> {
    if pad != 0 {
        return Err(EINVAL);
    }
    match target {
        uapi::V4L2_SEL_TGT_CROP_BOUNDS => Ok(full(p[0].fmt.width, p[0].fmt.height)),
        uapi::V4L2_SEL_TGT_CROP => Ok(p[0].crop),
        _ => Err(EINVAL),
    }
}

pub fn rsz_set_selection(path: Path, p: &mut [PadState], pad: u32, target: u32, r: &mut V4l2Rect) -> Result<(), i32> {
    if target != uapi::V4L2_SEL_TGT_CROP || pad != 0 {
        return Err(EINVAL);
    }
    *r = rsz_set_sink_crop(path, p, r);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isp_sink_is_clamped_per_kernel_and_crops_propagate() {
        let mut p = isp_init();
        let mut f = V4l2MbusFramefmt { width: 4208, height: 3118, code: mbus::SGRBG10, ..Default::default() };
        isp_set_fmt(Kernel::V6_1, &mut p, 0, &mut f);
        assert_eq!((f.width, f.height, f.code), (4032, 3024, mbus::SGRBG10));
        // The old 800x600 crop stays (it fits), and so does the source.
        assert_eq!(p[0].crop, full(800, 600));
        let mut r = full(4031, 3024);
        isp_set_selection(&mut p, 0, uapi::V4L2_SEL_TGT_CROP, &mut r).unwrap();
        assert_eq!(r, full(4032, 3024), "width aligned up to even, kept inside");
        assert_eq!(p[2].crop, full(800, 600));
        let mut r = full(5000, 5000);
        isp_set_selection(&mut p, 2, uapi::V4L2_SEL_TGT_CROP, &mut r).unwrap();
        assert_eq!((p[2].fmt.width, p[2].fmt.height), (4032, 3024), "source format = source crop");
        let mut f = V4l2MbusFramefmt { width: 4208, height: 3120, code: mbus::SBGGR10, ..Default::default() };
        isp_set_fmt(Kernel::V6_12, &mut p, 0, &mut f);
        assert_eq!((f.width, f.height), (4208, 3120));
    }

    #[test]
    fn isp_source_quantization_and_codes() {
        let mut p = isp_init();
        let mut f = V4l2MbusFramefmt {
            code: mbus::YUYV8_2X8,
            quantization: uapi::V4L2_QUANTIZATION_FULL_RANGE,
            flags: uapi::V4L2_MBUS_FRAMEFMT_SET_CSC,
            ..Default::default()
        };
        isp_set_fmt(Kernel::V6_12, &mut p, 2, &mut f);
        assert_eq!(f.quantization, uapi::V4L2_QUANTIZATION_FULL_RANGE);
        let mut f = V4l2MbusFramefmt { code: mbus::YUYV8_2X8, quantization: uapi::V4L2_QUANTIZATION_FULL_RANGE, ..Default::default() };
        isp_set_fmt(Kernel::V6_12, &mut p, 2, &mut f);
        assert_eq!(f.quantization, uapi::V4L2_QUANTIZATION_LIM_RANGE, "without SET_CSC");
        assert_eq!(isp_enum_code(0, 0).unwrap().0, mbus::SRGGB10);
        assert_eq!(isp_enum_code(2, 0).unwrap(), (mbus::YUYV8_2X8, uapi::V4L2_SUBDEV_MBUS_CODE_CSC_QUANTIZATION));
        assert_eq!(isp_enum_size(Kernel::V6_1, 1, mbus::SRGGB10, 0), Err(ENOTTY));
    }

    #[test]
    fn resizer_rules() {
        let mut p = rsz_init();
        let mut f = V4l2MbusFramefmt { width: 2104, height: 1560, code: mbus::YUYV8_2X8, ..Default::default() };
        rsz_set_fmt(Kernel::V6_12, Path::SelfPath, &mut p, 0, &mut f);
        let mut r = V4l2Rect { left: 1, top: 3, width: 2081, height: 1170 };
        rsz_set_selection(Path::SelfPath, &mut p, 0, uapi::V4L2_SEL_TGT_CROP, &mut r).unwrap();
        assert_eq!(r, V4l2Rect { left: 2, top: 3, width: 2082, height: 1170 });
        let mut f = V4l2MbusFramefmt { width: 4000, height: 3000, code: mbus::YUYV8_1_5X8, ..Default::default() };
        rsz_set_fmt(Kernel::V6_12, Path::SelfPath, &mut p, 1, &mut f);
        assert_eq!((f.width, f.height, f.code), (1920, 1920, mbus::YUYV8_1_5X8));
        let mut m = rsz_init();
        let mut f = V4l2MbusFramefmt { width: 2104, height: 1560, code: mbus::SBGGR10, ..Default::default() };
        rsz_set_fmt(Kernel::V6_12, Path::Main, &mut m, 0, &mut f);
        assert_eq!((m[1].fmt.code, m[0].crop), (mbus::SBGGR10, full(2104, 1560)), "raw passes through uncropped");
    }
}
