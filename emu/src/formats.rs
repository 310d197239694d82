//! Media bus codes the ISP and resizers accept, the capture nodes' pixel formats (their
//! memory layout and the bus code each needs on the resizer source), and the YCbCr
//! encodings the ISP's colour space converter applies.

use crate::graph::Path;
use crate::uapi::{self, mbus, pix};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enc {
    Bayer,
    Yuv,
}

/// The ISP's bus formats, in the driver's table order: (code, encoding, sink, source).
pub const ISP_CODES: [(u32, Enc, bool, bool); 17] = [
    (mbus::YUYV8_2X8, Enc::Yuv, false, true),
    (mbus::SRGGB10, Enc::Bayer, true, true),
    (mbus::SBGGR10, Enc::Bayer, true, true),
    (mbus::SGBRG10, Enc::Bayer, true, true),
    (mbus::SGRBG10, Enc::Bayer, true, true),
    (mbus::SRGGB12, Enc::Bayer, true, true),
    (mbus::SBGGR12, Enc::Bayer, true, true),
    (mbus::SGBRG12, Enc::Bayer, true, true),
    (mbus::SGRBG12, Enc::Bayer, true, true),
    (mbus::SRGGB8, Enc::Bayer, true, true),
    (mbus::SBGGR8, Enc::Bayer, true, true),
    (mbus::SGBRG8, Enc::Bayer, true, true),
    (mbus::SGRBG8, Enc::Bayer, true, true),
    (mbus::YUYV8_1X16, Enc::Yuv, true, false),
    (mbus::YVYU8_1X16, Enc::Yuv, true, false),
    (mbus::UYVY8_1X16, Enc::Yuv, true, false),
    (mbus::VYUY8_1X16, Enc::Yuv, true, false),
];

pub fn isp_code(code: u32) -> Option<(Enc, bool, bool)> {
    ISP_CODES.iter().find(|c| c.0 == code).map(|c| (c.1, c.2, c.3))
}

pub fn is_bayer(code: u32) -> bool {
    isp_code(code).is_some_and(|c| c.0 == Enc::Bayer)
}

/// Bits per sample of a Bayer bus code.
pub fn bayer_bits(code: u32) -> u32 {
    match code {
        mbus::SRGGB8 | mbus::SBGGR8 | mbus::SGBRG8 | mbus::SGRBG8 => 8,
        mbus::SRGGB12 | mbus::SBGGR12 | mbus::SGBRG12 | mbus::SGRBG12 => 12,
        _ => 10,
    }
}

/// YUV codes a resizer source can carry: (code, horizontal and vertical chroma divisors).
pub const RSZ_YUV_CODES: [(u32, u32, u32); 2] = [(mbus::YUYV8_2X8, 2, 1), (mbus::YUYV8_1_5X8, 2, 2)];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Y0 Cb Y1 Cr.
    Yuyv,
    /// Y plane, then interleaved chroma; `vu`: Cr first.
    SemiPlanar {
        hsub: u32,
        vsub: u32,
        vu: bool,
    },
    /// Y, Cb, Cr planes (`vu`: Cr before Cb).
    Planar {
        hsub: u32,
        vsub: u32,
        vu: bool,
    },
    Grey,
    /// B, G, R, X bytes.
    Xbgr32,
    /// Little-endian 5:6:5 R:G:B.
    Rgb565,
    /// Bayer samples, 8 bits or 16-bit containers.
    Bayer {
        bits: u32,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct PixFmt {
    pub fourcc: u32,
    pub name: &'static str,
    /// Bus code the resizer source must carry for this format.
    pub mbus: u32,
    pub layout: Layout,
    /// Memory planes (1, or one per component plane for the `M` formats).
    pub mem_planes: u32,
    pub main: bool,
    pub self_: bool,
}

const fn f(fourcc: u32, name: &'static str, mbus: u32, layout: Layout, mem_planes: u32, main: bool, self_: bool) -> PixFmt {
    PixFmt { fourcc, name, mbus, layout, mem_planes, main, self_ }
}

const S422: Layout = Layout::SemiPlanar { hsub: 2, vsub: 1, vu: false };
const S422VU: Layout = Layout::SemiPlanar { hsub: 2, vsub: 1, vu: true };
const S420: Layout = Layout::SemiPlanar { hsub: 2, vsub: 2, vu: false };
const S420VU: Layout = Layout::SemiPlanar { hsub: 2, vsub: 2, vu: true };

/// The capture formats in the driver's order (mainpath and selfpath tables merged).
pub const PIX_FMTS: [PixFmt; 28] = [
    f(pix::YUYV, "YUYV 4:2:2", mbus::YUYV8_2X8, Layout::Yuyv, 1, true, true),
    f(pix::YUV422P, "Planar YUV 4:2:2", mbus::YUYV8_2X8, Layout::Planar { hsub: 2, vsub: 1, vu: false }, 1, true, true),
    f(pix::NV16, "Y/UV 4:2:2", mbus::YUYV8_2X8, S422, 1, true, true),
    f(pix::NV61, "Y/VU 4:2:2", mbus::YUYV8_2X8, S422VU, 1, true, true),
    f(uapi::fourcc(b"NM16"), "Y/UV 4:2:2 (N-C)", mbus::YUYV8_2X8, S422, 2, true, true),
    f(uapi::fourcc(b"NM61"), "Y/VU 4:2:2 (N-C)", mbus::YUYV8_2X8, S422VU, 2, true, true),
    f(pix::YVU422M, "Planar YVU 4:2:2 (N-C)", mbus::YUYV8_2X8, Layout::Planar { hsub: 2, vsub: 1, vu: true }, 3, true, true),
    f(pix::GREY, "8-bit Greyscale", mbus::YUYV8_2X8, Layout::Grey, 1, true, true),
    f(pix::XBGR32, "32-bit BGRX 8-8-8-8", mbus::YUYV8_2X8, Layout::Xbgr32, 1, false, true),
    f(pix::RGB565, "16-bit RGB 5-6-5", mbus::YUYV8_2X8, Layout::Rgb565, 1, false, true),
    f(pix::NV12, "Y/UV 4:2:0", mbus::YUYV8_1_5X8, S420, 1, true, true),
    f(pix::NV21, "Y/VU 4:2:0", mbus::YUYV8_1_5X8, S420VU, 1, true, true),
    f(pix::NV12M, "Y/UV 4:2:0 (N-C)", mbus::YUYV8_1_5X8, S420, 2, true, true),
    f(pix::NV21M, "Y/VU 4:2:0 (N-C)", mbus::YUYV8_1_5X8, S420VU, 2, true, true),
    f(pix::YUV420, "Planar YUV 4:2:0", mbus::YUYV8_1_5X8, Layout::Planar { hsub: 2, vsub: 2, vu: false }, 1, true, true),
    f(pix::YVU420, "Planar YVU 4:2:0", mbus::YUYV8_1_5X8, Layout::Planar { hsub: 2, vsub: 2, vu: true }, 1, true, true),
    f(pix::SRGGB8, "8-bit Bayer RGRG/GBGB", mbus::SRGGB8, Layout::Bayer { bits: 8 }, 1, true, false),
    f(pix::SGRBG8, "8-bit Bayer GRGR/BGBG", mbus::SGRBG8, Layout::Bayer { bits: 8 }, 1, true, false),
    f(pix::SGBRG8, "8-bit Bayer GBGB/RGRG", mbus::SGBRG8, Layout::Bayer { bits: 8 }, 1, true, false),
    f(pix::SBGGR8, "8-bit Bayer BGBG/GRGR", mbus::SBGGR8, Layout::Bayer { bits: 8 }, 1, true, false),
    f(pix::SRGGB10, "10-bit Bayer RGRG/GBGB", mbus::SRGGB10, Layout::Bayer { bits: 10 }, 1, true, false),
    f(pix::SGRBG10, "10-bit Bayer GRGR/BGBG", mbus::SGRBG10, Layout::Bayer { bits: 10 }, 1, true, false),
    f(pix::SGBRG10, "10-bit Bayer GBGB/RGRG", mbus::SGBRG10, Layout::Bayer { bits: 10 }, 1, true, false),
    f(pix::SBGGR10, "10-bit Bayer BGBG/GRGR", mbus::SBGGR10, Layout::Bayer { bits: 10 }, 1, true, false),
    f(pix::SRGGB12, "12-bit Bayer RGRG/GBGB", mbus::SRGGB12, Layout::Bayer { bits: 12 }, 1, true, false),
    f(pix::SGRBG12, "12-bit Bayer GRGR/BGBG", mbus::SGRBG12, Layout::Bayer { bits: 12 }, 1, true, false),
    f(pix::SGBRG12, "12-bit Bayer GBGB/RGRG", mbus::SGBRG12, Layout::Bayer { bits: 12 }, 1, true, false),
    f(pix::SBGGR12, "12-bit Bayer BGBG/GRGR", mbus::SBGGR12, Layout::Bayer { bits: 12 }, 1, true, false),
];

/// The formats of one capture path, in enumeration order.
pub fn path_formats(p: Path) -> impl Iterator<Item = &'static PixFmt> {
    PIX_FMTS.iter().filter(move |f| if p == Path::Main { f.main } else { f.self_ })
}

pub fn pix_fmt(p: Path, fourcc: u32) -> Option<&'static PixFmt> {
    path_formats(p).find(|f| f.fourcc == fourcc)
}

/// One component plane: (bytes per line, lines).
pub fn component_planes(layout: Layout, w: u32, h: u32) -> Vec<(u32, u32)> {
    match layout {
        Layout::Yuyv => vec![(w * 2, h)],
        Layout::SemiPlanar { hsub, vsub, .. } => vec![(w, h), (w / hsub * 2, h.div_ceil(vsub))],
        Layout::Planar { hsub, vsub, .. } => {
            let c = (w / hsub, h.div_ceil(vsub));
            vec![(w, h), c, c]
        }
        Layout::Grey => vec![(w, h)],
        Layout::Xbgr32 => vec![(w * 4, h)],
        Layout::Rgb565 => vec![(w * 2, h)],
        Layout::Bayer { bits } => vec![(if bits == 8 { w } else { w * 2 }, h)],
    }
}

/// (bytesperline, sizeimage) of each memory plane.
pub fn mem_planes(fmt: &PixFmt, w: u32, h: u32) -> Vec<(u32, u32)> {
    let comps = component_planes(fmt.layout, w, h);
    if fmt.mem_planes as usize == comps.len() {
        comps.iter().map(|(bpl, lines)| (*bpl, bpl * lines)).collect()
    } else {
        vec![(comps[0].0, comps.iter().map(|(b, l)| b * l).sum())]
    }
}

/// RGB to YCbCr of the ISP's colour space converter for an encoding and range.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct YcbcrCoding {
    /// Luma weights of R and B (BT.601: 0.299, 0.114; BT.709: 0.2126, 0.0722).
    pub kr: f32,
    pub kb: f32,
    pub full_range: bool,
}

impl YcbcrCoding {
    pub fn new(ycbcr_enc: u16, quantization: u16) -> Self {
        let (kr, kb) = if ycbcr_enc == uapi::V4L2_YCBCR_ENC_709 { (0.2126, 0.0722) } else { (0.299, 0.114) };
        YcbcrCoding { kr, kb, full_range: quantization == uapi::V4L2_QUANTIZATION_FULL_RANGE }
    }

    pub fn encode(&self, p: [f32; 3]) -> [u8; 3] {
        let (kr, kb) = (self.kr, self.kb);
        let y = kr * p[0] + (1.0 - kr - kb) * p[1] + kb * p[2];
        let cb = (p[2] - y) / (2.0 * (1.0 - kb));
        let cr = (p[0] - y) / (2.0 * (1.0 - kr));
        let (ys, yo, cs) = if self.full_range { (1.0, 0.0, 1.0) } else { (219.0 / 255.0, 16.0, 224.0 / 255.0) };
        [(y * ys + yo), (cb * cs + 128.0), (cr * cs + 128.0)].map(|v| v.round().clamp(0.0, 255.0) as u8)
    }

    /// The inverse, to 8-bit-scale RGB (not clipped).
    pub fn decode(&self, ycc: [u8; 3]) -> [f32; 3] {
        let (kr, kb) = (self.kr, self.kb);
        let (ys, yo, cs) = if self.full_range { (1.0, 0.0, 1.0) } else { (219.0 / 255.0, 16.0, 224.0 / 255.0) };
        let y = (ycc[0] as f32 - yo) / ys;
        let cb = (ycc[1] as f32 - 128.0) / cs;
        let cr = (ycc[2] as f32 - 128.0) / cs;
        let r = y + 2.0 * (1.0 - kr) * cr;
        let b = y + 2.0 * (1.0 - kb) * cb;
        let g = (y - kr * r - kb * b) / (1.0 - kr - kb);
        [r, g, b]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nv12_layout_and_sizes() {
        let f = pix_fmt(Path::Main, pix::NV12).unwrap();
        assert_eq!(mem_planes(f, 640, 480), vec![(640, 640 * 480 * 3 / 2)]);
        let m = pix_fmt(Path::Main, pix::NV12M).unwrap();
        assert_eq!(mem_planes(m, 640, 480), vec![(640, 640 * 480), (640, 640 * 240)]);
        assert!(pix_fmt(Path::Main, pix::XBGR32).is_none() && pix_fmt(Path::SelfPath, pix::XBGR32).is_some());
        assert!(pix_fmt(Path::SelfPath, pix::SBGGR10).is_none());
    }

    #[test]
    fn ycbcr_round_trips() {
        for (enc, q) in [(uapi::V4L2_YCBCR_ENC_601, uapi::V4L2_QUANTIZATION_FULL_RANGE), (uapi::V4L2_YCBCR_ENC_709, uapi::V4L2_QUANTIZATION_LIM_RANGE)] {
            let c = YcbcrCoding::new(enc, q);
            for p in [[200.0, 120.0, 40.0], [128.0, 128.0, 128.0], [10.0, 250.0, 90.0]] {
                let back = c.decode(c.encode(p));
                for k in 0..3 {
                    assert!((back[k] - p[k]).abs() < 2.5, "{p:?} -> {back:?}");
                }
            }
            let grey = c.encode([100.0, 100.0, 100.0]);
            assert_eq!((grey[1], grey[2]), (128, 128));
        }
    }
}
