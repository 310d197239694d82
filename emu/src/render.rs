//! Producing a frame: the sensor's raw samples of the scene, and the ISP model's output
//! image mapped through the crops and the resizer into a capture buffer's pixel format.
//!
//! The raw samples follow the `sim` sensor model (scene colour through the module's
//! cross-talk and the illuminant's white point, lens shading, exposure × gain, shot and
//! read noise, black level, fixed-pattern defects) — the same arithmetic as
//! `rkisp1_sim::run`'s private `render_raw`, which the emulator would call if `sim`
//! exported it.

use crate::formats::{Layout, PixFmt, YcbcrCoding};
use crate::uapi::{mbus, V4l2Rect};
use rand::{rngs::StdRng, Rng};
use rand_distr::{Distribution, Normal};
use rkisp1_sim::isp::Quad;
use rkisp1_sim::sensor::{SensorModel, WhitePoint};

/// The light on the scene and the module's lens shading under it, per scene pixel.
pub struct Light {
    pub wp: WhitePoint,
    pub shading: Option<Vec<[f64; 4]>>,
}

impl Light {
    pub fn new(model: &SensorModel, illuminant: &str, w: usize, h: usize) -> anyhow::Result<Light> {
        let wp = model.white_point(illuminant)?;
        let shading = model.shading(&wp).map(|sh| (0..w * h).map(|i| sh.at(((i % w) as f64 + 0.5) / w as f64, ((i / w) as f64 + 0.5) / h as f64)).collect());
        Ok(Light { wp, shading })
    }
}

/// One raw sample in `DEFECT_PERIOD / 2` is stuck high or low (the `sim` sensor's defects).
const DEFECT_PERIOD: u64 = rkisp1_sim::run::DEFECT_PERIOD;

/// Raw Bayer quads [R, Gr, Gb, B] in 10-bit DN for a scene at `exposure` (1.0: white at
/// full scale) and analogue `gain`.
pub fn raw_frame(pixels: &[[f32; 3]], s: &SensorModel, light: &Light, exposure: f64, gain: f64, mut noise: Option<&mut StdRng>) -> Vec<Quad> {
    let x = s.crosstalk;
    let ill = [light.wp.r, 1.0, light.wp.b];
    let bl = s.black_level_10bit;
    let full = 1023.0 - bl;
    let normal = Normal::new(0.0, 1.0).unwrap();
    let mut raw = vec![[0u16; 4]; pixels.len()];
    for (i, px) in pixels.iter().enumerate() {
        let p = [px[0] as f64, px[1] as f64, px[2] as f64];
        let cam = [0, 1, 2].map(|r| (x[(r, 0)] * p[0] + x[(r, 1)] * p[1] + x[(r, 2)] * p[2]).max(0.0) * ill[r]);
        let mut chans = [cam[0], cam[1], cam[1], cam[2]];
        if let Some(sh) = &light.shading {
            for k in 0..4 {
                chans[k] *= sh[i][k];
            }
        }
        raw[i] = chans.map(|c| {
            let signal = c * exposure * gain * full;
            let n = noise.as_deref_mut().map_or(0.0, |rng| {
                let shot = (signal * gain / s.electrons_per_dn).max(0.0).sqrt();
                let read = s.read_noise_dn * gain.sqrt();
                (shot * shot + read * read).sqrt() * normal.sample(rng) + rng.gen::<f64>() - 0.5
            });
            (bl + signal + n).round().clamp(0.0, 1023.0) as u16
        });
        for (k, v) in raw[i].iter_mut().enumerate() {
            match ((i as u64 * 4 + k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % DEFECT_PERIOD {
                0 => *v = 1023,
                1 => *v = 0,
                _ => {}
            }
        }
    }
    raw
}

/// Where a capture path's pixels come from: the sensor frame, the ISP's input and output
/// crops (sensor frame coordinates), the resizer's crop (ISP output coordinates) and the
/// output size.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Geometry {
    pub sensor: (u32, u32),
    pub isp_in: Rect,
    pub isp_out: Rect,
    pub rsz_crop: Rect,
    pub out: (u32, u32),
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rect {
    pub left: i32,
    pub top: i32,
    pub width: u32,
    pub height: u32,
}

impl From<V4l2Rect> for Rect {
    fn from(r: V4l2Rect) -> Rect {
        Rect { left: r.left, top: r.top, width: r.width, height: r.height }
    }
}

impl Geometry {
    /// Scene position (0..1 across the sensor frame) of an output pixel centre.
    pub fn to_frame(&self, ox: f64, oy: f64) -> (f64, f64) {
        let rx = self.rsz_crop.left as f64 + ox * self.rsz_crop.width as f64 / self.out.0 as f64;
        let ry = self.rsz_crop.top as f64 + oy * self.rsz_crop.height as f64 / self.out.1 as f64;
        ((self.isp_out.left as f64 + rx) / self.sensor.0 as f64, (self.isp_out.top as f64 + ry) / self.sensor.1 as f64)
    }

    /// Output position of a frame position (inverse of [`to_frame`](Self::to_frame)).
    pub fn from_frame(&self, u: f64, v: f64) -> (f64, f64) {
        let rx = u * self.sensor.0 as f64 - self.isp_out.left as f64;
        let ry = v * self.sensor.1 as f64 - self.isp_out.top as f64;
        (
            (rx - self.rsz_crop.left as f64) * self.out.0 as f64 / self.rsz_crop.width as f64,
            (ry - self.rsz_crop.top as f64) * self.out.1 as f64 / self.rsz_crop.height as f64,
        )
    }
}

/// Bilinear resampling of an image over the sensor frame to an output grid: per output
/// column and row, the two source indices and the second one's weight in 1/256.
struct Sampler {
    xs: Vec<(usize, usize, u32)>,
    ys: Vec<(usize, usize, u32)>,
}

impl Sampler {
    /// `sub`: output pixels per sample (2 for 4:2:x chroma).
    fn new(geo: &Geometry, iw: usize, ih: usize, n: (usize, usize), sub: (u32, u32)) -> Sampler {
        let axis = |count: usize, src_n: usize, sub: u32, map: &dyn Fn(f64) -> f64| -> Vec<(usize, usize, u32)> {
            (0..count)
                .map(|o| {
                    let s = (map((o as f64 + 0.5) * sub as f64) * src_n as f64 - 0.5).clamp(0.0, (src_n - 1) as f64);
                    let i = s.floor() as usize;
                    (i, (i + 1).min(src_n - 1), ((s - i as f64) * 256.0).round() as u32)
                })
                .collect()
        };
        Sampler { xs: axis(n.0, iw, sub.0, &|x| geo.to_frame(x, 0.0).0), ys: axis(n.1, ih, sub.1, &|y| geo.to_frame(0.0, y).1) }
    }

    /// Channel `k` of the output sample (x, y) of `img`.
    #[inline]
    fn at(&self, img: &[[u8; 3]], iw: usize, x: usize, y: usize, k: usize) -> u8 {
        let (x0, x1, fx) = self.xs[x];
        let (y0, y1, fy) = self.ys[y];
        let (r0, r1) = (y0 * iw, y1 * iw);
        let top = img[r0 + x0][k] as u32 * (256 - fx) + img[r0 + x1][k] as u32 * fx;
        let bot = img[r1 + x0][k] as u32 * (256 - fx) + img[r1 + x1][k] as u32 * fx;
        ((top * (256 - fy) + bot * fy + 32768) >> 16) as u8
    }
}

/// Writes the ISP output image (`img`, `iw` × `ih` 8-bit RGB over the sensor frame) into
/// the planes of a capture buffer. YUV formats are converted once at the source
/// resolution, then luma and chroma are each resampled to their own grid.
pub fn write_image(img: &[[u8; 3]], iw: usize, ih: usize, geo: &Geometry, fmt: &PixFmt, coding: YcbcrCoding, planes: &mut [&mut [u8]]) {
    let (w, h) = (geo.out.0 as usize, geo.out.1 as usize);
    let comps = crate::formats::component_planes(fmt.layout, w as u32, h as u32);
    // Each component plane as a slice of its memory plane.
    let mut parts: Vec<&mut [u8]> = Vec::with_capacity(comps.len());
    if planes.len() == comps.len() {
        for (p, (bpl, lines)) in planes.iter_mut().zip(&comps) {
            let n = (*bpl * *lines) as usize;
            if p.len() < n {
                log::error!("capture buffer plane of {} bytes is smaller than the format's {n}", p.len());
                return;
            }
            parts.push(&mut p[..n]);
        }
    } else {
        let total: usize = comps.iter().map(|(b, l)| (*b * *l) as usize).sum();
        if planes.is_empty() || planes[0].len() < total {
            log::error!("capture buffer smaller than the format's {total} bytes");
            return;
        }
        let mut rest: &mut [u8] = &mut planes[0][..total];
        for (bpl, lines) in &comps {
            let (a, b) = rest.split_at_mut((*bpl * *lines) as usize);
            parts.push(a);
            rest = b;
        }
    }
    let full = Sampler::new(geo, iw, ih, (w, h), (1, 1));
    match fmt.layout {
        Layout::Yuyv | Layout::SemiPlanar { .. } | Layout::Planar { .. } | Layout::Grey => {
            let ycc: Vec<[u8; 3]> = img.iter().map(|p| coding.encode(p.map(|v| v as f32))).collect();
            let (hs, vs, vu) = match fmt.layout {
                Layout::SemiPlanar { hsub, vsub, vu } | Layout::Planar { hsub, vsub, vu } => (hsub as usize, vsub as usize, vu),
                _ => (2, 1, false),
            };
            let (cw, ch) = (w / hs, h.div_ceil(vs));
            let chroma = Sampler::new(geo, iw, ih, (cw, ch), (hs as u32, vs as u32));
            let (first, second) = if vu { (2, 1) } else { (1, 2) };
            match fmt.layout {
                Layout::Yuyv => {
                    let out = &mut parts[0];
                    for y in 0..h {
                        let row = &mut out[y * w * 2..(y + 1) * w * 2];
                        for cx in 0..cw {
                            let o = cx * 4;
                            row[o] = full.at(&ycc, iw, 2 * cx, y, 0);
                            row[o + 1] = chroma.at(&ycc, iw, cx, y, 1);
                            row[o + 2] = full.at(&ycc, iw, (2 * cx + 1).min(w - 1), y, 0);
                            row[o + 3] = chroma.at(&ycc, iw, cx, y, 2);
                        }
                    }
                }
                _ => {
                    for y in 0..h {
                        let row = &mut parts[0][y * w..(y + 1) * w];
                        for (x, v) in row.iter_mut().enumerate() {
                            *v = full.at(&ycc, iw, x, y, 0);
                        }
                    }
                    if let Layout::SemiPlanar { .. } = fmt.layout {
                        let c = &mut parts[1];
                        for cy in 0..ch {
                            let row = &mut c[cy * cw * 2..(cy + 1) * cw * 2];
                            for cx in 0..cw {
                                row[2 * cx] = chroma.at(&ycc, iw, cx, cy, first);
                                row[2 * cx + 1] = chroma.at(&ycc, iw, cx, cy, second);
                            }
                        }
                    } else if let Layout::Planar { .. } = fmt.layout {
                        for (part, k) in [(1, first), (2, second)] {
                            let c = &mut parts[part];
                            for cy in 0..ch {
                                for cx in 0..cw {
                                    c[cy * cw + cx] = chroma.at(&ycc, iw, cx, cy, k);
                                }
                            }
                        }
                    }
                }
            }
        }
        Layout::Xbgr32 => {
            let out = &mut parts[0];
            for y in 0..h {
                for x in 0..w {
                    let o = (y * w + x) * 4;
                    out[o] = full.at(img, iw, x, y, 2);
                    out[o + 1] = full.at(img, iw, x, y, 1);
                    out[o + 2] = full.at(img, iw, x, y, 0);
                    out[o + 3] = 0xff;
                }
            }
        }
        Layout::Rgb565 => {
            let out = &mut parts[0];
            for y in 0..h {
                for x in 0..w {
                    let p = [0, 1, 2].map(|k| full.at(img, iw, x, y, k) as u16);
                    let v = ((p[0] >> 3) << 11) | ((p[1] >> 2) << 5) | (p[2] >> 3);
                    out[(y * w + x) * 2..(y * w + x) * 2 + 2].copy_from_slice(&v.to_le_bytes());
                }
            }
        }
        Layout::Bayer { .. } => {}
    }
}

/// Index in a quad [R, Gr, Gb, B] of the sample at (x, y) for a Bayer bus code.
fn bayer_component(code: u32, x: u32, y: u32) -> usize {
    let (r, gr, gb, b) = (0, 1, 2, 3);
    let pattern = match code {
        mbus::SRGGB8 | mbus::SRGGB10 | mbus::SRGGB12 => [r, gr, gb, b],
        mbus::SGRBG8 | mbus::SGRBG10 | mbus::SGRBG12 => [gr, r, b, gb],
        mbus::SGBRG8 | mbus::SGBRG10 | mbus::SGBRG12 => [gb, b, r, gr],
        _ => [b, gb, gr, r],
    };
    pattern[((y & 1) * 2 + (x & 1)) as usize]
}

/// Raw capture (ISP in bypass): the sensor's samples in the output's Bayer order, 8 bits or
/// 16-bit little-endian containers.
pub fn write_raw(raw: &[Quad], rw: usize, rh: usize, geo: &Geometry, code: u32, bits: u32, plane: &mut [u8]) {
    let (w, h) = geo.out;
    for y in 0..h {
        for x in 0..w {
            let sx = (geo.isp_out.left as i64 + x as i64).max(0) as u32;
            let sy = (geo.isp_out.top as i64 + y as i64).max(0) as u32;
            let qx = ((sx as usize / 2) * rw / (geo.sensor.0 as usize / 2).max(1)).min(rw - 1);
            let qy = ((sy as usize / 2) * rh / (geo.sensor.1 as usize / 2).max(1)).min(rh - 1);
            let v = raw[qy * rw + qx][bayer_component(code, sx, sy)];
            let i = (y * w + x) as usize;
            match bits {
                8 => {
                    if let Some(b) = plane.get_mut(i) {
                        *b = (v >> 2) as u8;
                    }
                }
                _ => {
                    let v = if bits == 12 { v << 2 } else { v };
                    if let Some(b) = plane.get_mut(2 * i..2 * i + 2) {
                        b.copy_from_slice(&v.to_le_bytes());
                    }
                }
            }
        }
    }
}

/// Writes a statistics buffer as the driver does: `meas_type` gains the bits of the blocks
/// measured (it is never cleared) and only those blocks are written.
pub fn write_stats(dst: &mut [u8], stats: &[u8]) {
    use rkisp1_ipa::abi::consts::{STAT_AFM, STAT_AUTOEXP, STAT_AWB, STAT_HIST};
    use rkisp1_ipa::abi::layout::stat;
    let meas = u32::from_le_bytes(stats[0..4].try_into().unwrap());
    let old = u32::from_le_bytes(dst[0..4].try_into().unwrap());
    dst[0..4].copy_from_slice(&(old | meas).to_le_bytes());
    for (bit, range) in [
        (STAT_AWB, stat::AWB_CNT..stat::AE_EXP_MEAN),
        (STAT_AUTOEXP, stat::AE_EXP_MEAN..stat::AF_WINDOW),
        (STAT_AFM, stat::AF_WINDOW..stat::HIST_BINS),
        (STAT_HIST, stat::HIST_BINS..stat::SIZE),
    ] {
        if meas & bit != 0 {
            dst[range.clone()].copy_from_slice(&stats[range]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::pix_fmt;
    use crate::graph::Path;
    use crate::uapi::pix;

    fn geo(out: (u32, u32)) -> Geometry {
        let full = Rect { left: 0, top: 0, width: 2104, height: 1560 };
        // 16:9 out of 4:3, centred.
        let crop = Rect { left: 0, top: 188, width: 2104, height: 1184 };
        Geometry { sensor: (2104, 1560), isp_in: full, isp_out: full, rsz_crop: crop, out }
    }

    #[test]
    fn geometry_round_trips() {
        let g = geo((640, 360));
        let (u, v) = g.to_frame(320.0, 180.0);
        assert!((u - 0.5).abs() < 1e-9 && (v - 0.5).abs() < 1e-9);
        let (x, y) = g.from_frame(0.25, 0.3);
        let (u, v) = g.to_frame(x, y);
        assert!((u - 0.25).abs() < 1e-9 && (v - 0.3).abs() < 1e-9);
    }

    #[test]
    fn nv12_of_a_grey_image_is_neutral() {
        let img = vec![[120u8, 120, 120]; 320 * 240];
        let g = geo((64, 36));
        let f = pix_fmt(Path::Main, pix::NV12).unwrap();
        let mut buf = vec![0u8; 64 * 36 * 3 / 2];
        let coding = YcbcrCoding::new(crate::uapi::V4L2_YCBCR_ENC_601, crate::uapi::V4L2_QUANTIZATION_FULL_RANGE);
        write_image(&img, 320, 240, &g, f, coding, &mut [&mut buf]);
        assert!(buf[..64 * 36].iter().all(|v| *v == 120));
        assert!(buf[64 * 36..].iter().all(|v| *v == 128));
    }

    #[test]
    fn bayer_order_follows_the_code() {
        // BGGR: blue at (0,0), red at (1,1).
        assert_eq!((bayer_component(mbus::SBGGR10, 0, 0), bayer_component(mbus::SBGGR10, 1, 1)), (3, 0));
        assert_eq!((bayer_component(mbus::SGRBG10, 1, 0), bayer_component(mbus::SGRBG10, 0, 1)), (0, 3));
    }
}
