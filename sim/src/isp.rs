//! A model of the RK3399 ISP (rkisp1 V10): reads params buffers the way the driver does
//! (validation, module masks, errata) and produces the output image and a statistics
//! buffer in the kernel's byte layout.
//!
//! Pipeline (12-bit domain): DPCC (`dpcc.rs`, on the raw samples) → BLS → LSC → AWB gains (Q2.8) → DPF (`dpf.rs`) → demosaic →
//! FLT (`flt.rs`) → CTK (Q4.7 + offsets) → measurements (AE, AWB, histogram on 8-bit values) → gamma out
//! → CPROC.
//! The AWB YCbCr window counts a pixel when min_y < Y (< max_y if enabled) and
//! |Cb − ref_cb| + |Cr − ref_cr| < max_csum; the hardware's exact rule is undocumented
//! (kernel-rkisp1.md §2.7), this is the interpretation the simulator makes.

pub mod decode;

use anyhow::Result;
use decode::{Action, Config, Module};
use rkisp1_ipa::abi::consts::{self, HwRevision};
use rkisp1_ipa::abi::layout::stat;
use rkisp1_ipa::abi::params::ParamFormat;
use rkisp1_ipa::abi::{
    AecConfig, AwbMeasConfig, CprocConfig, CtkConfig, DpccConfig, DpfConfig, DpfStrengthConfig, FltConfig, GocConfig, HstConfig, LscConfig, Window,
};
use rkisp1_ipa::algorithms::goc::LOG_SEGMENTS;
use rkisp1_ipa::fixed_point::from_signed_q;

/// The LSC hardware's view of a frame: for each simulator column and row, the grid
/// interval it falls in and the position inside it (16 sectors per direction, the 8
/// programmed sizes mirrored about the centre), for bilinear interpolation of the tables.
struct LscGrid<'a> {
    cfg: &'a LscConfig,
    cols: Vec<(usize, f32)>,
    rows: Vec<(usize, f32)>,
}

impl<'a> LscGrid<'a> {
    fn new(cfg: &'a LscConfig, w: usize, h: usize, mode: (u32, u32)) -> Self {
        fn axis(sizes: &[u16; 8], n: usize, full: u32) -> Vec<(usize, f32)> {
            let mut edges = vec![0f64];
            for i in 0..16 {
                let s = sizes[if i < 8 { i } else { 15 - i }] as f64;
                edges.push(edges[i] + s);
            }
            (0..n)
                .map(|k| {
                    let x = (k as f64 + 0.5) * full as f64 / n as f64;
                    let i = (0..16).find(|&i| x < edges[i + 1]).unwrap_or(15);
                    let f = ((x - edges[i]) / (edges[i + 1] - edges[i]).max(1.0)).clamp(0.0, 1.0);
                    (i, f as f32)
                })
                .collect()
        }
        Self { cfg, cols: axis(&cfg.x_size, w, mode.0), rows: axis(&cfg.y_size, h, mode.1) }
    }

    /// Gains for [R, Gr, Gb, B] at a simulator pixel.
    fn gains(&self, x: usize, y: usize) -> [f32; 4] {
        let (i, fx) = self.cols[x];
        let (j, fy) = self.rows[y];
        let n = rkisp1_ipa::abi::consts::LSC_SAMPLES_MAX;
        [0, 1, 2, 3].map(|t| {
            let s = |r: usize, c: usize| self.cfg.tables[t][r * n + c] as f32 / 1024.0;
            let top = s(j, i) * (1.0 - fx) + s(j, i + 1) * fx;
            let bottom = s(j + 1, i) * (1.0 - fx) + s(j + 1, i + 1) * fx;
            top * (1.0 - fy) + bottom * fy
        })
    }
}

/// The CPROC stage on one output pixel (full-range BT.601 YCbCr): Y' = contrast·Y +
/// brightness, chroma rotated by the hue and scaled by the saturation. The hardware's exact
/// arithmetic is undocumented; this is the model the simulator makes.
fn cproc(c: &CprocConfig, p: [u8; 3]) -> [u8; 3] {
    let [r, g, b] = p.map(|v| v as f32);
    let y = 0.299 * r + 0.587 * g + 0.114 * b;
    let cb = -0.1687 * r - 0.3313 * g + 0.5 * b;
    let cr = 0.5 * r - 0.4187 * g - 0.0813 * b;
    let contrast = c.contrast as f32 / 128.0;
    let sat = c.sat as f32 / 128.0;
    let hue = -(c.hue as i8 as f32) / 128.0 * 90.0f32.to_radians();
    let y = contrast * y + c.brightness as i8 as f32;
    let (s, co) = hue.sin_cos();
    let (cb, cr) = (sat * (co * cb - s * cr), sat * (s * cb + co * cr));
    [y + 1.402 * cr, y - 0.3441 * cb - 0.7141 * cr, y + 1.772 * cb].map(|v| v.round().clamp(0.0, 255.0) as u8)
}

/// A config written while its block is enabled takes effect at once; otherwise it waits
/// in the stored config for the next enable.
fn update_if_enabled<T: Copy>(active: &mut Option<T>, c: T) {
    if active.is_some() {
        *active = Some(c);
    }
}

/// One simulator pixel: a Bayer quad [R, Gr, Gb, B] in 10-bit DN.
pub type Quad = [u16; 4];

#[derive(Debug, Clone, Default)]
pub struct IspState {
    pub bls: Option<[i16; 4]>,
    bls_cfg: [i16; 4],
    awb_gains: [u16; 4],
    /// Shared AWB enable (erratum E1): gains and measurement.
    awb_enabled: bool,
    awb_meas: AwbMeasConfig,
    ctk: Option<CtkConfig>,
    ctk_cfg: CtkConfig,
    goc: Option<GocConfig>,
    goc_cfg: Option<GocConfig>,
    hst: Option<HstConfig>,
    hst_cfg: Option<HstConfig>,
    aec: Option<AecConfig>,
    aec_cfg: AecConfig,
    lsc: Option<LscConfig>,
    lsc_cfg: Option<LscConfig>,
    cproc: Option<CprocConfig>,
    cproc_cfg: CprocConfig,
    dpf: Option<DpfConfig>,
    dpf_cfg: Option<DpfConfig>,
    dpf_strength: DpfStrengthConfig,
    flt: Option<FltConfig>,
    flt_cfg: Option<FltConfig>,
    dpcc: Option<DpccConfig>,
    dpcc_cfg: Option<DpccConfig>,
    pub rejected: usize,
}

pub struct IspOutput {
    /// 8-bit output RGB per pixel.
    pub image: Vec<[u8; 3]>,
    /// Linear RGB after the CCM (0..1 of the 12-bit range), before gamma.
    pub linear: Vec<[f32; 3]>,
    pub stats: [u8; stat::SIZE],
}

impl IspState {
    /// Apply a params buffer as the driver would; an invalid buffer is rejected whole.
    pub fn apply_params(&mut self, buf: &[u8], format: ParamFormat, _hw: HwRevision) -> Result<()> {
        let actions = decode::decode(buf, format).inspect_err(|_| self.rejected += 1)?;
        for action in actions {
            match action {
                Action::Configure(c) => self.configure(c),
                Action::Enable(m, on) => self.set_enable(m, on),
            }
        }
        Ok(())
    }

    fn configure(&mut self, c: Config) {
        match c {
            Config::Bls(fixed) => {
                self.bls_cfg = fixed;
                update_if_enabled(&mut self.bls, fixed);
            }
            Config::AwbGain(gains) => self.awb_gains = gains,
            Config::Ctk(c) => {
                self.ctk_cfg = c;
                update_if_enabled(&mut self.ctk, c);
            }
            Config::Goc(c) => {
                // Erratum E2: programming the curve clears the gamma enable.
                self.goc_cfg = Some(c);
                self.goc = None;
            }
            Config::AwbMeas(c) => self.awb_meas = c,
            Config::Hst(c) => {
                self.hst_cfg = Some(c);
                update_if_enabled(&mut self.hst, c);
            }
            Config::Aec(c) => {
                self.aec_cfg = c;
                update_if_enabled(&mut self.aec, c);
            }
            Config::Cproc(c) => {
                self.cproc_cfg = c;
                update_if_enabled(&mut self.cproc, c);
            }
            Config::Lsc(c) => {
                self.lsc_cfg = Some(c);
                update_if_enabled(&mut self.lsc, c);
            }
            Config::Dpf(c) => {
                self.dpf_cfg = Some(c);
                update_if_enabled(&mut self.dpf, c);
            }
            // The strength registers have no enable of their own.
            Config::DpfStrength(c) => self.dpf_strength = c,
            Config::Flt(c) => {
                self.flt_cfg = Some(c);
                update_if_enabled(&mut self.flt, c);
            }
            Config::Dpcc(c) => {
                self.dpcc_cfg = Some(c);
                update_if_enabled(&mut self.dpcc, c);
            }
        }
    }

    fn set_enable(&mut self, m: Module, on: bool) {
        match m {
            Module::Bls => self.bls = on.then_some(self.bls_cfg),
            Module::AwbGain | Module::AwbMeas => self.awb_enabled = on,
            Module::Ctk => self.ctk = on.then_some(self.ctk_cfg),
            Module::Goc => self.goc = if on { self.goc_cfg } else { None },
            Module::Hst => self.hst = if on { self.hst_cfg } else { None },
            Module::Aec => self.aec = on.then_some(self.aec_cfg),
            Module::Lsc => self.lsc = if on { self.lsc_cfg } else { None },
            Module::Cproc => self.cproc = on.then_some(self.cproc_cfg),
            Module::Dpf => self.dpf = if on { self.dpf_cfg } else { None },
            Module::Flt => self.flt = if on { self.flt_cfg } else { None },
            Module::Dpcc => self.dpcc = if on { self.dpcc_cfg } else { None },
            _ => {}
        }
    }

    /// Process one frame. `raw` has `w × h` quads; `mode` is the sensor output size the
    /// measurement windows refer to.
    pub fn process(&self, raw: &[Quad], w: usize, h: usize, mode: (u32, u32), hw: HwRevision) -> IspOutput {
        let n = w * h;
        let mut image = vec![[0u8; 3]; n];
        let mut linear = vec![[0f32; 3]; n];
        let gains = if self.awb_enabled { self.awb_gains.map(|g| g as f32 / 256.0) } else { [1.0; 4] };
        let bls = self.bls.unwrap_or([0; 4]).map(|v| v as f32);
        let m: [f32; 9] = match self.ctk {
            Some(c) => std::array::from_fn(|i| from_signed_q(c.coeff[i], 4, 7) as f32),
            None => [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0],
        };
        let off: [f32; 3] = match self.ctk {
            Some(c) => c.offset.map(|o| from_signed_q(o, 12, 0) as f32),
            None => [0.0; 3],
        };
        let goc = self.goc.map(|g| gamma_lut(&g, hw));
        let lsc = self.lsc.as_ref().map(|c| LscGrid::new(c, w, h, mode));
        // Stage 1: Bayer planes after BLS, LSC and the AWB gains (12-bit), and the gain each
        // sample received (the DPF scales its noise level by it).
        let corrected;
        let raw = match &self.dpcc {
            Some(c) => {
                corrected = crate::dpcc::correct(c, raw, w, h).0;
                &corrected[..]
            }
            None => raw,
        };
        let mut planes: [Vec<f32>; 4] = std::array::from_fn(|_| vec![0f32; n]);
        let mut sample_gains: Option<[Vec<f32>; 4]> = self.dpf.map(|_| std::array::from_fn(|_| vec![1f32; n]));
        for i in 0..n {
            let q = raw[i];
            let shading = lsc.as_ref().map_or([1.0; 4], |g| g.gains(i % w, i / w));
            for k in 0..4 {
                planes[k][i] = ((q[k] as f32 * 4.0 - bls[k]).max(0.0) * shading[k] * gains[k]).min(4095.0);
                if let Some(sg) = &mut sample_gains {
                    sg[k][i] = shading[k] * gains[k];
                }
            }
        }
        if let (Some(dpf), Some(sg)) = (&self.dpf, &sample_gains) {
            crate::dpf::filter(dpf, &self.dpf_strength, &mut planes, sg, w, h);
        }
        // Stage 2: demosaic, colour matrix, gamma, colour processing; 8-bit values for the
        // measurements.
        let mut demosaicked: Vec<[f32; 3]> = (0..n).map(|i| [planes[0][i], (planes[1][i] + planes[2][i]) * 0.5, planes[3][i]]).collect();
        if let Some(flt) = &self.flt {
            crate::flt::filter(flt, &mut demosaicked, w, h);
        }
        let mut rgb8 = vec![[0f32; 3]; n];
        for i in 0..n {
            let rgb = demosaicked[i];
            let mut o = [0f32; 3];
            for r in 0..3 {
                o[r] = (m[r * 3] * rgb[0] + m[r * 3 + 1] * rgb[1] + m[r * 3 + 2] * rgb[2] + off[r]).clamp(0.0, 4095.0);
            }
            linear[i] = o.map(|v| v / 4095.0);
            rgb8[i] = o.map(|v| (v / 16.0).floor());
            image[i] = match &goc {
                Some(lut) => o.map(|v| (lut(v) / 4.0).round().clamp(0.0, 255.0) as u8),
                None => o.map(|v| (v / 16.0) as u8),
            };
            if let Some(c) = &self.cproc {
                image[i] = cproc(c, image[i]);
            }
        }
        // Stage 3: measurements.
        let mut stats = [0u8; stat::SIZE];
        let mut meas_type = 0u32;
        let scale = |win: &Window| -> (usize, usize, usize, usize) {
            let sx = w as f64 / mode.0 as f64;
            let sy = h as f64 / mode.1 as f64;
            let x0 = ((win.h_offs as f64 * sx) as usize).min(w - 1);
            let y0 = ((win.v_offs as f64 * sy) as usize).min(h - 1);
            let x1 = (((win.h_offs as f64 + win.h_size as f64) * sx) as usize).clamp(x0 + 1, w);
            let y1 = (((win.v_offs as f64 + win.v_size as f64) * sy) as usize).clamp(y0 + 1, h);
            (x0, y0, x1, y1)
        };
        let full_scale = (mode.0 as f64 * mode.1 as f64) / n as f64;
        if let Some(aec) = self.aec {
            let (x0, y0, x1, y1) = scale(&aec.window);
            let g = hw.ae_grid();
            for cy in 0..g {
                for cx in 0..g {
                    let (ax, bx) = (x0 + (x1 - x0) * cx / g, x0 + (x1 - x0) * (cx + 1) / g);
                    let (ay, by) = (y0 + (y1 - y0) * cy / g, y0 + (y1 - y0) * (cy + 1) / g);
                    let mut sum = 0.0;
                    let mut cnt = 0.0;
                    for y in ay..by.max(ay + 1) {
                        for x in ax..bx.max(ax + 1) {
                            let p = rgb8[y * w + x];
                            sum += if aec.mode == consts::EXP_MEASURING_MODE_1 {
                                ((p[0] + p[1] + p[2]) * 85.0 / 256.0) as f64
                            } else {
                                (16.0 + 0.25 * p[0] + 0.5 * p[1] + 0.1094 * p[2]) as f64
                            };
                            cnt += 1.0;
                        }
                    }
                    stats[stat::AE_EXP_MEAN + cy * g + cx] = (sum / cnt).round().clamp(0.0, 255.0) as u8;
                }
            }
            meas_type |= consts::STAT_AUTOEXP;
        }
        if self.awb_enabled {
            let a = self.awb_meas;
            let (x0, y0, x1, y1) = scale(&a.window);
            let (mut sy, mut scb, mut scr, mut cnt) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
            for y in y0..y1 {
                for x in x0..x1 {
                    let p = rgb8[y * w + x];
                    let (yy, cb, cr) = if a.mode == consts::AWB_MODE_YCBCR {
                        (
                            16.0 + 0.25 * p[0] + 0.5 * p[1] + 0.1094 * p[2],
                            128.0 - 0.1406 * p[0] - 0.2969 * p[1] + 0.4375 * p[2],
                            128.0 + 0.4375 * p[0] - 0.375 * p[1] - 0.0625 * p[2],
                        )
                    } else {
                        (p[1], p[2], p[0])
                    };
                    let pass = if a.mode == consts::AWB_MODE_YCBCR {
                        yy > a.min_y as f32
                            && (!a.enable_ymax_cmp || yy < a.max_y as f32)
                            && (cb - a.ref_cb as f32).abs() + (cr - a.ref_cr as f32).abs() < a.max_csum as f32
                            && cb > a.min_c as f32
                            && cr > a.min_c as f32
                    } else {
                        p[0] < a.ref_cr as f32 && p[1] < a.min_y as f32 && p[2] < a.ref_cb as f32
                    };
                    if pass {
                        sy += yy as f64;
                        scb += cb as f64;
                        scr += cr as f64;
                        cnt += 1.0;
                    }
                }
            }
            let count = (cnt * full_scale).round() as u32;
            stats[stat::AWB_CNT..stat::AWB_CNT + 4].copy_from_slice(&count.min((1 << 26) - 1).to_le_bytes());
            if cnt > 0.0 {
                stats[stat::AWB_MEAN_Y_OR_G] = (sy / cnt).round().clamp(0.0, 255.0) as u8;
                stats[stat::AWB_MEAN_CB_OR_B] = (scb / cnt).round().clamp(0.0, 255.0) as u8;
                stats[stat::AWB_MEAN_CR_OR_R] = (scr / cnt).round().clamp(0.0, 255.0) as u8;
            }
            meas_type |= consts::STAT_AWB;
        }
        if let Some(hst) = self.hst {
            let (x0, y0, x1, y1) = scale(&hst.window);
            let bins_n = hw.hist_bins();
            let g = hw.ae_grid();
            let mut bins = vec![0f64; bins_n];
            let pd = hst.predivider.max(1) as f64;
            let samples_per_pixel = full_scale / (pd * pd);
            for y in y0..y1 {
                for x in x0..x1 {
                    let (cx, cy) = ((x - x0) * g / (x1 - x0), (y - y0) * g / (y1 - y0));
                    let wgt = hst.weights[cy * g + cx] as f64;
                    if wgt == 0.0 {
                        continue;
                    }
                    let p = rgb8[y * w + x];
                    let vals: &[f32] = match hst.mode {
                        consts::HISTOGRAM_MODE_RGB_COMBINED => &p,
                        consts::HISTOGRAM_MODE_Y => &[0.0],
                        2 => &p[0..1],
                        3 => &p[1..2],
                        4 => &p[2..3],
                        _ => &[],
                    };
                    for v in vals {
                        let b = ((*v as usize) * bins_n / 256).min(bins_n - 1);
                        bins[b] += wgt * samples_per_pixel;
                    }
                }
            }
            for (i, b) in bins.iter().enumerate() {
                // Each sample adds its 5-bit weight in units of 1/16 (4 fractional bits).
                let raw = (b.round() as u64).min(0xF_FFFF) as u32;
                let o = stat::HIST_BINS + 4 * i;
                stats[o..o + 4].copy_from_slice(&raw.to_le_bytes());
            }
            meas_type |= consts::STAT_HIST;
        }
        stats[0..4].copy_from_slice(&meas_type.to_le_bytes());
        IspOutput { image, linear, stats }
    }

    pub fn awb_enabled(&self) -> bool {
        self.awb_enabled
    }
    pub fn gamma_enabled(&self) -> bool {
        self.goc.is_some()
    }
    pub fn bls_enabled(&self) -> bool {
        self.bls.is_some()
    }
    pub fn ctk_enabled(&self) -> bool {
        self.ctk.is_some()
    }
}

/// Gamma curve as a function of the 12-bit input, returning the 10-bit output.
fn gamma_lut(g: &GocConfig, hw: HwRevision) -> impl Fn(f32) -> f32 {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    if hw.gamma_samples() == 17 {
        let mut x = 0.0;
        for (i, &y) in g.gamma_y.iter().take(17).enumerate() {
            xs.push(x);
            ys.push(y as f32);
            if let Some(&segment) = LOG_SEGMENTS.get(i) {
                x += if g.mode == consts::GOC_MODE_LOGARITHMIC { segment as f32 } else { 256.0 };
            }
        }
    } else {
        for i in 0..33 {
            xs.push(i as f32 * 128.0);
            ys.push(g.gamma_y[i] as f32 / 4.0);
        }
    }
    move |v: f32| {
        let v = v.clamp(0.0, 4095.0);
        for i in 0..xs.len() - 1 {
            if v <= xs[i + 1] {
                let f = (v - xs[i]) / (xs[i + 1] - xs[i]);
                return ys[i] + f * (ys[i + 1] - ys[i]);
            }
        }
        *ys.last().unwrap()
    }
}
