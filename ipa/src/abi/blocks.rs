//! Plain-data configurations of the ISP blocks and their encoding into the UAPI byte
//! layout. Algorithms fill these structs; `params.rs` places them in a params buffer.

use super::consts::{self, module};
use super::layout::{field, size, ExtBlockType};

/// A measurement window in ISP input coordinates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Window {
    pub h_offs: u16,
    pub v_offs: u16,
    pub h_size: u16,
    pub v_size: u16,
}

impl Window {
    fn encode(&self, out: &mut [u8]) {
        put_u16(out, 0, self.h_offs);
        put_u16(out, 2, self.v_offs);
        put_u16(out, 4, self.h_size);
        put_u16(out, 6, self.v_size);
    }
    pub fn decode(b: &[u8]) -> Self {
        Self { h_offs: get_u16(b, 0), v_offs: get_u16(b, 2), h_size: get_u16(b, 4), v_size: get_u16(b, 6) }
    }
}

/// Black level subtraction with fixed values (12-bit domain, r/gr/gb/b).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BlsConfig {
    pub fixed: [i16; 4],
}

/// AWB gains in Q2.8 (0x100 = 1.0), [r, gr, gb, b].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AwbGainConfig {
    pub gains: [u16; 4],
}

/// Cross-talk (colour correction) matrix in Q4.7 and 12-bit offsets.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CtkConfig {
    pub coeff: [u16; 9],
    pub offset: [u16; 3],
}

/// Gamma-out curve; only the first `samples` entries are meaningful.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GocConfig {
    pub mode: u32,
    pub gamma_y: [u16; 34],
}

/// AWB measurement setup.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AwbMeasConfig {
    pub window: Window,
    pub mode: u32,
    pub max_y: u8,
    pub min_y: u8,
    pub max_csum: u8,
    pub min_c: u8,
    pub frames: u8,
    pub ref_cr: u8,
    pub ref_cb: u8,
    pub enable_ymax_cmp: bool,
}

/// Histogram measurement setup.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HstConfig {
    pub mode: u32,
    pub predivider: u8,
    pub window: Window,
    pub weights: [u8; 81],
}

/// AE measurement setup.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AecConfig {
    pub mode: u32,
    pub autostop: u32,
    pub window: Window,
}

/// Number of samples of one LSC table (17 × 17).
pub const LSC_TABLE: usize = consts::LSC_SAMPLES_MAX * consts::LSC_SAMPLES_MAX;

/// Lens shading correction: gain tables (1.0 = 1024) per Bayer channel over a 17 × 17
/// grid, and the 8 sector sizes/gradients that cover half of the image in each direction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LscConfig {
    /// R, Gr, Gb, B tables, each row-major 17 × 17.
    pub tables: [[u16; LSC_TABLE]; 4],
    pub x_size: [u16; consts::LSC_SECTORS_TBL_SIZE],
    pub y_size: [u16; consts::LSC_SECTORS_TBL_SIZE],
    pub x_grad: [u16; consts::LSC_SECTORS_TBL_SIZE],
    pub y_grad: [u16; consts::LSC_SECTORS_TBL_SIZE],
}

/// Colour processing in the YCbCr output: contrast and saturation are UQ1.7 (0x80 = 1.0),
/// brightness a signed offset, hue a signed Q1.7 fraction of −90°.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CprocConfig {
    pub c_out_range: u8,
    pub y_in_range: u8,
    pub y_out_range: u8,
    pub contrast: u8,
    pub brightness: u8,
    pub sat: u8,
    pub hue: u8,
}

/// One method set of the defect pixel cluster correction (register values, each packing
/// a green part in bits 0..7 and a red/blue part in bits 8..15 where it has two).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DpccMethods {
    pub method: u32,
    pub line_thresh: u32,
    pub line_mad_fac: u32,
    pub pg_fac: u32,
    pub rnd_thresh: u32,
    pub rg_fac: u32,
}

/// Defect pixel cluster correction (register values).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DpccConfig {
    pub mode: u32,
    pub output_mode: u32,
    pub set_use: u32,
    pub methods: [DpccMethods; consts::DPCC_METHODS_MAX],
    pub ro_limits: u32,
    pub rnd_offs: u32,
}

/// Sharpening/blurring filter on the demosaicked luminance (register values).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FltConfig {
    pub mode: u32,
    pub grn_stage1: u8,
    pub chr_h_mode: u8,
    pub chr_v_mode: u8,
    pub thresh_bl0: u32,
    pub thresh_bl1: u32,
    pub thresh_sh0: u32,
    pub thresh_sh1: u32,
    pub lum_weight: u32,
    pub fac_sh1: u32,
    pub fac_sh0: u32,
    pub fac_mid: u32,
    pub fac_bl0: u32,
    pub fac_bl1: u32,
}

/// De-noising pre-filter on the Bayer data: spatial weights per colour, the noise level
/// lookup and how the AWB/LSC gains scale it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DpfConfig {
    pub gain_mode: u32,
    /// Noise-function gains [r, b, gr, gb] used by the NF gain modes.
    pub nf_gains: [u16; 4],
    pub g_spatial: [u8; consts::DPF_MAX_SPATIAL_COEFFS],
    pub gr_enable: bool,
    pub gb_enable: bool,
    pub rb_fltsize: u32,
    pub rb_spatial: [u8; consts::DPF_MAX_SPATIAL_COEFFS],
    pub r_enable: bool,
    pub b_enable: bool,
    pub nll: [u16; consts::DPF_MAX_NLF_COEFFS],
    pub nll_scale_mode: u32,
}

/// DPF strength per colour (64 is the neutral setting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DpfStrengthConfig {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

/// One ISP block's configuration, as written to a params buffer.
// Blocks are built on the stack and written at once; boxing the large ones (LSC tables)
// would allocate on every frame.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Block {
    Bls(BlsConfig),
    AwbGain(AwbGainConfig),
    Ctk(CtkConfig),
    Goc(GocConfig),
    AwbMeas(AwbMeasConfig),
    Hst(HstConfig),
    Aec(AecConfig),
    Lsc(LscConfig),
    Cproc(CprocConfig),
    Dpcc(DpccConfig),
    Flt(FltConfig),
    Dpf(DpfConfig),
    DpfStrength(DpfStrengthConfig),
}

impl Block {
    pub fn ext_type(&self) -> ExtBlockType {
        match self {
            Block::Bls(_) => ExtBlockType::Bls,
            Block::AwbGain(_) => ExtBlockType::AwbGain,
            Block::Ctk(_) => ExtBlockType::Ctk,
            Block::Goc(_) => ExtBlockType::Goc,
            Block::AwbMeas(_) => ExtBlockType::AwbMeas,
            Block::Hst(_) => ExtBlockType::HstMeas,
            Block::Aec(_) => ExtBlockType::AecMeas,
            Block::Lsc(_) => ExtBlockType::Lsc,
            Block::Cproc(_) => ExtBlockType::Cproc,
            Block::Dpcc(_) => ExtBlockType::Dpcc,
            Block::Flt(_) => ExtBlockType::Flt,
            Block::Dpf(_) => ExtBlockType::Dpf,
            Block::DpfStrength(_) => ExtBlockType::DpfStrength,
        }
    }

    /// Bit of the fixed format's module masks.
    pub fn module_bit(&self) -> u32 {
        module_bit(self.ext_type())
    }

    pub fn config_size(&self) -> usize {
        match self {
            Block::Bls(_) => size::BLS,
            Block::AwbGain(_) => size::AWB_GAIN,
            Block::Ctk(_) => size::CTK,
            Block::Goc(_) => size::GOC,
            Block::AwbMeas(_) => size::AWB_MEAS,
            Block::Hst(_) => size::HST,
            Block::Aec(_) => size::AEC,
            Block::Lsc(_) => size::LSC,
            Block::Cproc(_) => size::CPROC,
            Block::Dpcc(_) => size::DPCC,
            Block::Flt(_) => size::FLT,
            Block::Dpf(_) => size::DPF,
            Block::DpfStrength(_) => size::DPF_STRENGTH,
        }
    }

    /// Encode the config struct into `out` (exactly `config_size()` bytes, zeroed first).
    pub fn encode(&self, out: &mut [u8]) {
        let out = &mut out[..self.config_size()];
        out.fill(0);
        match self {
            Block::Bls(c) => {
                // Fixed subtraction, no measurement windows.
                out[field::BLS_ENABLE_AUTO] = 0;
                out[field::BLS_EN_WINDOWS] = 0;
                for (i, v) in c.fixed.iter().enumerate() {
                    put_u16(out, field::BLS_FIXED_VAL + 2 * i, *v as u16);
                }
            }
            Block::AwbGain(c) => {
                put_u16(out, field::AWB_GAIN_RED, c.gains[0]);
                put_u16(out, field::AWB_GAIN_GREEN_R, c.gains[1]);
                put_u16(out, field::AWB_GAIN_GREEN_B, c.gains[2]);
                put_u16(out, field::AWB_GAIN_BLUE, c.gains[3]);
            }
            Block::Ctk(c) => {
                for (i, v) in c.coeff.iter().enumerate() {
                    put_u16(out, field::CTK_COEFF + 2 * i, *v);
                }
                for (i, v) in c.offset.iter().enumerate() {
                    put_u16(out, field::CTK_OFFSET + 2 * i, *v);
                }
            }
            Block::Goc(c) => {
                put_u32(out, field::GOC_MODE, c.mode);
                for (i, v) in c.gamma_y.iter().enumerate() {
                    put_u16(out, field::GOC_GAMMA_Y + 2 * i, *v);
                }
            }
            Block::AwbMeas(c) => {
                c.window.encode(&mut out[field::AWB_MEAS_WINDOW..]);
                put_u32(out, field::AWB_MEAS_MODE, c.mode);
                out[field::AWB_MEAS_MAX_Y] = c.max_y;
                out[field::AWB_MEAS_MIN_Y] = c.min_y;
                out[field::AWB_MEAS_MAX_CSUM] = c.max_csum;
                out[field::AWB_MEAS_MIN_C] = c.min_c;
                out[field::AWB_MEAS_FRAMES] = c.frames;
                out[field::AWB_MEAS_REF_CR] = c.ref_cr;
                out[field::AWB_MEAS_REF_CB] = c.ref_cb;
                out[field::AWB_MEAS_YMAX_CMP] = c.enable_ymax_cmp as u8;
            }
            Block::Hst(c) => {
                put_u32(out, field::HST_MODE, c.mode);
                out[field::HST_PREDIVIDER] = c.predivider;
                c.window.encode(&mut out[field::HST_WINDOW..]);
                out[field::HST_WEIGHT..field::HST_WEIGHT + 81].copy_from_slice(&c.weights);
            }
            Block::Aec(c) => {
                put_u32(out, field::AEC_MODE, c.mode);
                put_u32(out, field::AEC_AUTOSTOP, c.autostop);
                c.window.encode(&mut out[field::AEC_WINDOW..]);
            }
            Block::Cproc(c) => {
                out[field::CPROC_C_OUT_RANGE] = c.c_out_range;
                out[field::CPROC_Y_IN_RANGE] = c.y_in_range;
                out[field::CPROC_Y_OUT_RANGE] = c.y_out_range;
                out[field::CPROC_CONTRAST] = c.contrast;
                out[field::CPROC_BRIGHTNESS] = c.brightness;
                out[field::CPROC_SAT] = c.sat;
                out[field::CPROC_HUE] = c.hue;
            }
            Block::Dpcc(c) => {
                put_u32(out, field::DPCC_MODE, c.mode);
                put_u32(out, field::DPCC_OUTPUT_MODE, c.output_mode);
                put_u32(out, field::DPCC_SET_USE, c.set_use);
                for (i, m) in c.methods.iter().enumerate() {
                    let o = field::DPCC_METHODS + i * field::DPCC_METHODS_SIZE;
                    put_u32(out, o + field::DPCC_METHOD, m.method);
                    put_u32(out, o + field::DPCC_LINE_THRESH, m.line_thresh);
                    put_u32(out, o + field::DPCC_LINE_MAD_FAC, m.line_mad_fac);
                    put_u32(out, o + field::DPCC_PG_FAC, m.pg_fac);
                    put_u32(out, o + field::DPCC_RND_THRESH, m.rnd_thresh);
                    put_u32(out, o + field::DPCC_RG_FAC, m.rg_fac);
                }
                put_u32(out, field::DPCC_RO_LIMITS, c.ro_limits);
                put_u32(out, field::DPCC_RND_OFFS, c.rnd_offs);
            }
            Block::Flt(c) => {
                put_u32(out, field::FLT_MODE, c.mode);
                out[field::FLT_GRN_STAGE1] = c.grn_stage1;
                out[field::FLT_CHR_H_MODE] = c.chr_h_mode;
                out[field::FLT_CHR_V_MODE] = c.chr_v_mode;
                put_u32(out, field::FLT_THRESH_BL0, c.thresh_bl0);
                put_u32(out, field::FLT_THRESH_BL1, c.thresh_bl1);
                put_u32(out, field::FLT_THRESH_SH0, c.thresh_sh0);
                put_u32(out, field::FLT_THRESH_SH1, c.thresh_sh1);
                put_u32(out, field::FLT_LUM_WEIGHT, c.lum_weight);
                put_u32(out, field::FLT_FAC_SH1, c.fac_sh1);
                put_u32(out, field::FLT_FAC_SH0, c.fac_sh0);
                put_u32(out, field::FLT_FAC_MID, c.fac_mid);
                put_u32(out, field::FLT_FAC_BL0, c.fac_bl0);
                put_u32(out, field::FLT_FAC_BL1, c.fac_bl1);
            }
            Block::Dpf(c) => {
                put_u32(out, field::DPF_GAIN_MODE, c.gain_mode);
                for (i, o) in [field::DPF_NF_R_GAIN, field::DPF_NF_B_GAIN, field::DPF_NF_GR_GAIN, field::DPF_NF_GB_GAIN].into_iter().enumerate() {
                    put_u16(out, o, c.nf_gains[i]);
                }
                out[field::DPF_G_SPATIAL..field::DPF_G_SPATIAL + 6].copy_from_slice(&c.g_spatial);
                out[field::DPF_GR_ENABLE] = c.gr_enable as u8;
                out[field::DPF_GB_ENABLE] = c.gb_enable as u8;
                put_u32(out, field::DPF_RB_FLTSIZE, c.rb_fltsize);
                out[field::DPF_RB_SPATIAL..field::DPF_RB_SPATIAL + 6].copy_from_slice(&c.rb_spatial);
                out[field::DPF_R_ENABLE] = c.r_enable as u8;
                out[field::DPF_B_ENABLE] = c.b_enable as u8;
                for (i, v) in c.nll.iter().enumerate() {
                    put_u16(out, field::DPF_NLL_COEFF + 2 * i, *v);
                }
                put_u32(out, field::DPF_NLL_SCALE_MODE, c.nll_scale_mode);
            }
            Block::DpfStrength(c) => {
                out[field::DPF_STRENGTH_R] = c.r;
                out[field::DPF_STRENGTH_G] = c.g;
                out[field::DPF_STRENGTH_B] = c.b;
            }
            Block::Lsc(c) => {
                for (t, base) in [field::LSC_R, field::LSC_GR, field::LSC_GB, field::LSC_B].into_iter().enumerate() {
                    for (i, v) in c.tables[t].iter().enumerate() {
                        put_u16(out, base + 2 * i, *v);
                    }
                }
                for i in 0..consts::LSC_SECTORS_TBL_SIZE {
                    put_u16(out, field::LSC_X_GRAD + 2 * i, c.x_grad[i]);
                    put_u16(out, field::LSC_Y_GRAD + 2 * i, c.y_grad[i]);
                    put_u16(out, field::LSC_X_SIZE + 2 * i, c.x_size[i]);
                    put_u16(out, field::LSC_Y_SIZE + 2 * i, c.y_size[i]);
                }
            }
        }
    }

    /// Decode a config of the given type (used by the simulator's ISP model and tests).
    pub fn decode(ty: ExtBlockType, b: &[u8]) -> Option<Block> {
        Some(match ty {
            ExtBlockType::Bls => {
                let mut fixed = [0i16; 4];
                for (i, f) in fixed.iter_mut().enumerate() {
                    *f = get_u16(b, field::BLS_FIXED_VAL + 2 * i) as i16;
                }
                Block::Bls(BlsConfig { fixed })
            }
            ExtBlockType::AwbGain => Block::AwbGain(AwbGainConfig {
                gains: [
                    get_u16(b, field::AWB_GAIN_RED),
                    get_u16(b, field::AWB_GAIN_GREEN_R),
                    get_u16(b, field::AWB_GAIN_GREEN_B),
                    get_u16(b, field::AWB_GAIN_BLUE),
                ],
            }),
            ExtBlockType::Ctk => {
                let mut c = CtkConfig::default();
                for i in 0..9 {
                    c.coeff[i] = get_u16(b, field::CTK_COEFF + 2 * i);
                }
                for i in 0..3 {
                    c.offset[i] = get_u16(b, field::CTK_OFFSET + 2 * i);
                }
                Block::Ctk(c)
            }
            ExtBlockType::Goc => {
                let mut gamma_y = [0u16; 34];
                for (i, g) in gamma_y.iter_mut().enumerate() {
                    *g = get_u16(b, field::GOC_GAMMA_Y + 2 * i);
                }
                Block::Goc(GocConfig { mode: get_u32(b, field::GOC_MODE), gamma_y })
            }
            ExtBlockType::AwbMeas => Block::AwbMeas(AwbMeasConfig {
                window: Window::decode(&b[field::AWB_MEAS_WINDOW..]),
                mode: get_u32(b, field::AWB_MEAS_MODE),
                max_y: b[field::AWB_MEAS_MAX_Y],
                min_y: b[field::AWB_MEAS_MIN_Y],
                max_csum: b[field::AWB_MEAS_MAX_CSUM],
                min_c: b[field::AWB_MEAS_MIN_C],
                frames: b[field::AWB_MEAS_FRAMES],
                ref_cr: b[field::AWB_MEAS_REF_CR],
                ref_cb: b[field::AWB_MEAS_REF_CB],
                enable_ymax_cmp: b[field::AWB_MEAS_YMAX_CMP] != 0,
            }),
            ExtBlockType::HstMeas => {
                let mut weights = [0u8; 81];
                weights.copy_from_slice(&b[field::HST_WEIGHT..field::HST_WEIGHT + 81]);
                Block::Hst(HstConfig {
                    mode: get_u32(b, field::HST_MODE),
                    predivider: b[field::HST_PREDIVIDER],
                    window: Window::decode(&b[field::HST_WINDOW..]),
                    weights,
                })
            }
            ExtBlockType::AecMeas => Block::Aec(AecConfig {
                mode: get_u32(b, field::AEC_MODE),
                autostop: get_u32(b, field::AEC_AUTOSTOP),
                window: Window::decode(&b[field::AEC_WINDOW..]),
            }),
            ExtBlockType::Cproc => Block::Cproc(CprocConfig {
                c_out_range: b[field::CPROC_C_OUT_RANGE],
                y_in_range: b[field::CPROC_Y_IN_RANGE],
                y_out_range: b[field::CPROC_Y_OUT_RANGE],
                contrast: b[field::CPROC_CONTRAST],
                brightness: b[field::CPROC_BRIGHTNESS],
                sat: b[field::CPROC_SAT],
                hue: b[field::CPROC_HUE],
            }),
            ExtBlockType::Dpcc => {
                let mut c = DpccConfig {
                    mode: get_u32(b, field::DPCC_MODE),
                    output_mode: get_u32(b, field::DPCC_OUTPUT_MODE),
                    set_use: get_u32(b, field::DPCC_SET_USE),
                    ro_limits: get_u32(b, field::DPCC_RO_LIMITS),
                    rnd_offs: get_u32(b, field::DPCC_RND_OFFS),
                    ..Default::default()
                };
                for (i, m) in c.methods.iter_mut().enumerate() {
                    let o = field::DPCC_METHODS + i * field::DPCC_METHODS_SIZE;
                    *m = DpccMethods {
                        method: get_u32(b, o + field::DPCC_METHOD),
                        line_thresh: get_u32(b, o + field::DPCC_LINE_THRESH),
                        line_mad_fac: get_u32(b, o + field::DPCC_LINE_MAD_FAC),
                        pg_fac: get_u32(b, o + field::DPCC_PG_FAC),
                        rnd_thresh: get_u32(b, o + field::DPCC_RND_THRESH),
                        rg_fac: get_u32(b, o + field::DPCC_RG_FAC),
                    };
                }
                Block::Dpcc(c)
            }
            ExtBlockType::Flt => Block::Flt(FltConfig {
                mode: get_u32(b, field::FLT_MODE),
                grn_stage1: b[field::FLT_GRN_STAGE1],
                chr_h_mode: b[field::FLT_CHR_H_MODE],
                chr_v_mode: b[field::FLT_CHR_V_MODE],
                thresh_bl0: get_u32(b, field::FLT_THRESH_BL0),
                thresh_bl1: get_u32(b, field::FLT_THRESH_BL1),
                thresh_sh0: get_u32(b, field::FLT_THRESH_SH0),
                thresh_sh1: get_u32(b, field::FLT_THRESH_SH1),
                lum_weight: get_u32(b, field::FLT_LUM_WEIGHT),
                fac_sh1: get_u32(b, field::FLT_FAC_SH1),
                fac_sh0: get_u32(b, field::FLT_FAC_SH0),
                fac_mid: get_u32(b, field::FLT_FAC_MID),
                fac_bl0: get_u32(b, field::FLT_FAC_BL0),
                fac_bl1: get_u32(b, field::FLT_FAC_BL1),
            }),
            ExtBlockType::Dpf => {
                let mut c = DpfConfig {
                    gain_mode: get_u32(b, field::DPF_GAIN_MODE),
                    nf_gains: [field::DPF_NF_R_GAIN, field::DPF_NF_B_GAIN, field::DPF_NF_GR_GAIN, field::DPF_NF_GB_GAIN].map(|o| get_u16(b, o)),
                    gr_enable: b[field::DPF_GR_ENABLE] != 0,
                    gb_enable: b[field::DPF_GB_ENABLE] != 0,
                    rb_fltsize: get_u32(b, field::DPF_RB_FLTSIZE),
                    r_enable: b[field::DPF_R_ENABLE] != 0,
                    b_enable: b[field::DPF_B_ENABLE] != 0,
                    nll_scale_mode: get_u32(b, field::DPF_NLL_SCALE_MODE),
                    ..Default::default()
                };
                c.g_spatial.copy_from_slice(&b[field::DPF_G_SPATIAL..field::DPF_G_SPATIAL + 6]);
                c.rb_spatial.copy_from_slice(&b[field::DPF_RB_SPATIAL..field::DPF_RB_SPATIAL + 6]);
                for (i, v) in c.nll.iter_mut().enumerate() {
                    *v = get_u16(b, field::DPF_NLL_COEFF + 2 * i);
                }
                Block::Dpf(c)
            }
            ExtBlockType::DpfStrength => {
                Block::DpfStrength(DpfStrengthConfig { r: b[field::DPF_STRENGTH_R], g: b[field::DPF_STRENGTH_G], b: b[field::DPF_STRENGTH_B] })
            }
            ExtBlockType::Lsc => {
                let mut c = LscConfig { tables: [[0; LSC_TABLE]; 4], x_size: [0; 8], y_size: [0; 8], x_grad: [0; 8], y_grad: [0; 8] };
                for (t, base) in [field::LSC_R, field::LSC_GR, field::LSC_GB, field::LSC_B].into_iter().enumerate() {
                    for i in 0..LSC_TABLE {
                        c.tables[t][i] = get_u16(b, base + 2 * i);
                    }
                }
                for i in 0..consts::LSC_SECTORS_TBL_SIZE {
                    c.x_grad[i] = get_u16(b, field::LSC_X_GRAD + 2 * i);
                    c.y_grad[i] = get_u16(b, field::LSC_Y_GRAD + 2 * i);
                    c.x_size[i] = get_u16(b, field::LSC_X_SIZE + 2 * i);
                    c.y_size[i] = get_u16(b, field::LSC_Y_SIZE + 2 * i);
                }
                Block::Lsc(c)
            }
            _ => return None,
        })
    }
}

/// Fixed-format module bit of an ext block type (0 for blocks the fixed format lacks).
pub fn module_bit(ty: ExtBlockType) -> u32 {
    match ty {
        ExtBlockType::Bls => module::BLS,
        ExtBlockType::Dpcc => module::DPCC,
        ExtBlockType::Sdg => module::SDG,
        ExtBlockType::AwbGain => module::AWB_GAIN,
        ExtBlockType::Flt => module::FLT,
        ExtBlockType::Bdm => module::BDM,
        ExtBlockType::Ctk => module::CTK,
        ExtBlockType::Goc => module::GOC,
        ExtBlockType::Dpf => module::DPF,
        ExtBlockType::DpfStrength => module::DPF_STRENGTH,
        ExtBlockType::Cproc => module::CPROC,
        ExtBlockType::Ie => module::IE,
        ExtBlockType::Lsc => module::LSC,
        ExtBlockType::AwbMeas => module::AWB,
        ExtBlockType::HstMeas => module::HST,
        ExtBlockType::AecMeas => module::AEC,
        ExtBlockType::AfcMeas => module::AFC,
        _ => 0,
    }
}

pub(crate) fn put_u16(b: &mut [u8], off: usize, v: u16) {
    b[off..off + 2].copy_from_slice(&v.to_le_bytes());
}
pub(crate) fn put_u32(b: &mut [u8], off: usize, v: u32) {
    b[off..off + 4].copy_from_slice(&v.to_le_bytes());
}
pub(crate) fn get_u16(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}
pub(crate) fn get_u32(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}
