//! Plain-data configurations of the ISP blocks and their conversion to the kernel's
//! structs ([`super::uapi`]). Algorithms fill these structs; `params.rs` places them in a
//! params buffer.

use super::consts;
use super::layout::ExtBlockType;
use super::uapi::{self, CStruct};
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

/// A measurement window in ISP input coordinates (the kernel's struct as it is).
pub use super::uapi::Window;

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

/// A plain-data block config: its block type, the kernel struct it is written as, and the
/// conversion both ways (the only place that knows which field goes where).
pub trait BlockConfig: Sized {
    const TYPE: ExtBlockType;
    type Uapi: CStruct + FromBytes + IntoBytes + KnownLayout + Immutable;
    fn to_uapi(&self) -> Self::Uapi;
    fn from_uapi(u: &Self::Uapi) -> Self;
}

/// Write a config's kernel struct at the start of `out` (which must be large enough).
fn encode_config<C: BlockConfig>(c: &C, out: &mut [u8]) {
    let u = c.to_uapi();
    let bytes = u.as_bytes();
    out[..bytes.len()].copy_from_slice(bytes);
}

fn decode_config<C: BlockConfig>(b: &[u8]) -> Option<C> {
    C::Uapi::read_from_prefix(b).ok().map(|(u, _)| C::from_uapi(&u))
}

/// Whether two C names are the same (usable in constants).
const fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Defines [`Block`] from one list of (variant, config type); everything per block type
/// comes from the config's [`BlockConfig`] impl and the block table (`layout::BLOCKS`).
macro_rules! blocks {
    ($($variant:ident($cfg:ident)),* $(,)?) => {
        /// One ISP block's configuration, as written to a params buffer.
        // Blocks are built on the stack and written at once; boxing the large ones (LSC
        // tables) would allocate on every frame.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum Block {
            $($variant($cfg),)*
        }

        impl Block {
            pub fn ext_type(&self) -> ExtBlockType {
                match self {
                    $(Block::$variant(_) => <$cfg as BlockConfig>::TYPE,)*
                }
            }

            /// Encode the config struct into the first `config_size()` bytes of `out`.
            pub fn encode(&self, out: &mut [u8]) {
                match self {
                    $(Block::$variant(c) => encode_config(c, out),)*
                }
            }

            /// Decode a config of the given type (tests use it to check round trips).
            pub fn decode(ty: ExtBlockType, b: &[u8]) -> Option<Block> {
                $(if ty == <$cfg as BlockConfig>::TYPE {
                    return decode_config::<$cfg>(b).map(Block::$variant);
                })*
                None
            }
        }

        // Each config converts to the kernel struct the block table names for its type.
        $(const _: () = assert!(same_name(
            <<$cfg as BlockConfig>::Uapi as CStruct>::C_NAME,
            <$cfg as BlockConfig>::TYPE.info().c_config,
        ));)*
    };
}

blocks! {
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
    /// Bit of the fixed format's module masks.
    pub fn module_bit(&self) -> u32 {
        self.ext_type().module_bit()
    }

    pub fn config_size(&self) -> usize {
        self.ext_type().config_size()
    }
}

impl BlockConfig for BlsConfig {
    const TYPE: ExtBlockType = ExtBlockType::Bls;
    type Uapi = uapi::BlsConfig;
    fn to_uapi(&self) -> uapi::BlsConfig {
        // Fixed subtraction, no measurement windows.
        let mut u = uapi::BlsConfig::new_zeroed();
        let [r, gr, gb, b] = self.fixed;
        u.fixed_val = uapi::BlsFixedVal { r, gr, gb, b };
        u
    }
    fn from_uapi(u: &uapi::BlsConfig) -> Self {
        let v = u.fixed_val;
        Self { fixed: [v.r, v.gr, v.gb, v.b] }
    }
}

impl BlockConfig for AwbGainConfig {
    const TYPE: ExtBlockType = ExtBlockType::AwbGain;
    type Uapi = uapi::AwbGainConfig;
    fn to_uapi(&self) -> uapi::AwbGainConfig {
        let [gain_red, gain_green_r, gain_green_b, gain_blue] = self.gains;
        uapi::AwbGainConfig { gain_red, gain_green_r, gain_blue, gain_green_b }
    }
    fn from_uapi(u: &uapi::AwbGainConfig) -> Self {
        Self { gains: [u.gain_red, u.gain_green_r, u.gain_green_b, u.gain_blue] }
    }
}

impl BlockConfig for CtkConfig {
    const TYPE: ExtBlockType = ExtBlockType::Ctk;
    type Uapi = uapi::CtkConfig;
    fn to_uapi(&self) -> uapi::CtkConfig {
        let c = &self.coeff;
        uapi::CtkConfig { coeff: [[c[0], c[1], c[2]], [c[3], c[4], c[5]], [c[6], c[7], c[8]]], ct_offset: self.offset }
    }
    fn from_uapi(u: &uapi::CtkConfig) -> Self {
        let [[a, b, c], [d, e, f], [g, h, i]] = u.coeff;
        Self { coeff: [a, b, c, d, e, f, g, h, i], offset: u.ct_offset }
    }
}

impl BlockConfig for GocConfig {
    const TYPE: ExtBlockType = ExtBlockType::Goc;
    type Uapi = uapi::GocConfig;
    fn to_uapi(&self) -> uapi::GocConfig {
        uapi::GocConfig { mode: self.mode, gamma_y: self.gamma_y }
    }
    fn from_uapi(u: &uapi::GocConfig) -> Self {
        Self { mode: u.mode, gamma_y: u.gamma_y }
    }
}

impl BlockConfig for AwbMeasConfig {
    const TYPE: ExtBlockType = ExtBlockType::AwbMeas;
    type Uapi = uapi::AwbMeasConfig;
    fn to_uapi(&self) -> uapi::AwbMeasConfig {
        uapi::AwbMeasConfig {
            awb_wnd: self.window,
            awb_mode: self.mode,
            max_y: self.max_y,
            min_y: self.min_y,
            max_csum: self.max_csum,
            min_c: self.min_c,
            frames: self.frames,
            awb_ref_cr: self.ref_cr,
            awb_ref_cb: self.ref_cb,
            enable_ymax_cmp: self.enable_ymax_cmp as u8,
        }
    }
    fn from_uapi(u: &uapi::AwbMeasConfig) -> Self {
        Self {
            window: u.awb_wnd,
            mode: u.awb_mode,
            max_y: u.max_y,
            min_y: u.min_y,
            max_csum: u.max_csum,
            min_c: u.min_c,
            frames: u.frames,
            ref_cr: u.awb_ref_cr,
            ref_cb: u.awb_ref_cb,
            enable_ymax_cmp: u.enable_ymax_cmp != 0,
        }
    }
}

impl BlockConfig for HstConfig {
    const TYPE: ExtBlockType = ExtBlockType::HstMeas;
    type Uapi = uapi::HstConfig;
    fn to_uapi(&self) -> uapi::HstConfig {
        let mut u = uapi::HstConfig::new_zeroed();
        u.mode = self.mode;
        u.histogram_predivider = self.predivider;
        u.meas_window = self.window;
        u.hist_weight = self.weights;
        u
    }
    fn from_uapi(u: &uapi::HstConfig) -> Self {
        Self { mode: u.mode, predivider: u.histogram_predivider, window: u.meas_window, weights: u.hist_weight }
    }
}

impl BlockConfig for AecConfig {
    const TYPE: ExtBlockType = ExtBlockType::AecMeas;
    type Uapi = uapi::AecConfig;
    fn to_uapi(&self) -> uapi::AecConfig {
        uapi::AecConfig { mode: self.mode, autostop: self.autostop, meas_window: self.window }
    }
    fn from_uapi(u: &uapi::AecConfig) -> Self {
        Self { mode: u.mode, autostop: u.autostop, window: u.meas_window }
    }
}

impl BlockConfig for CprocConfig {
    const TYPE: ExtBlockType = ExtBlockType::Cproc;
    type Uapi = uapi::CprocConfig;
    fn to_uapi(&self) -> uapi::CprocConfig {
        let Self { c_out_range, y_in_range, y_out_range, contrast, brightness, sat, hue } = *self;
        uapi::CprocConfig { c_out_range, y_in_range, y_out_range, contrast, brightness, sat, hue }
    }
    fn from_uapi(u: &uapi::CprocConfig) -> Self {
        let uapi::CprocConfig { c_out_range, y_in_range, y_out_range, contrast, brightness, sat, hue } = *u;
        Self { c_out_range, y_in_range, y_out_range, contrast, brightness, sat, hue }
    }
}

impl BlockConfig for DpccConfig {
    const TYPE: ExtBlockType = ExtBlockType::Dpcc;
    type Uapi = uapi::DpccConfig;
    fn to_uapi(&self) -> uapi::DpccConfig {
        uapi::DpccConfig {
            mode: self.mode,
            output_mode: self.output_mode,
            set_use: self.set_use,
            methods: self.methods.map(|m| {
                let DpccMethods { method, line_thresh, line_mad_fac, pg_fac, rnd_thresh, rg_fac } = m;
                uapi::DpccMethodsConfig { method, line_thresh, line_mad_fac, pg_fac, rnd_thresh, rg_fac }
            }),
            ro_limits: self.ro_limits,
            rnd_offs: self.rnd_offs,
        }
    }
    fn from_uapi(u: &uapi::DpccConfig) -> Self {
        Self {
            mode: u.mode,
            output_mode: u.output_mode,
            set_use: u.set_use,
            methods: u.methods.map(|m| {
                let uapi::DpccMethodsConfig { method, line_thresh, line_mad_fac, pg_fac, rnd_thresh, rg_fac } = m;
                DpccMethods { method, line_thresh, line_mad_fac, pg_fac, rnd_thresh, rg_fac }
            }),
            ro_limits: u.ro_limits,
            rnd_offs: u.rnd_offs,
        }
    }
}

impl BlockConfig for FltConfig {
    const TYPE: ExtBlockType = ExtBlockType::Flt;
    type Uapi = uapi::FltConfig;
    fn to_uapi(&self) -> uapi::FltConfig {
        uapi::FltConfig {
            mode: self.mode,
            grn_stage1: self.grn_stage1,
            chr_h_mode: self.chr_h_mode,
            chr_v_mode: self.chr_v_mode,
            _pad: 0,
            thresh_bl0: self.thresh_bl0,
            thresh_bl1: self.thresh_bl1,
            thresh_sh0: self.thresh_sh0,
            thresh_sh1: self.thresh_sh1,
            lum_weight: self.lum_weight,
            fac_sh1: self.fac_sh1,
            fac_sh0: self.fac_sh0,
            fac_mid: self.fac_mid,
            fac_bl0: self.fac_bl0,
            fac_bl1: self.fac_bl1,
        }
    }
    fn from_uapi(u: &uapi::FltConfig) -> Self {
        Self {
            mode: u.mode,
            grn_stage1: u.grn_stage1,
            chr_h_mode: u.chr_h_mode,
            chr_v_mode: u.chr_v_mode,
            thresh_bl0: u.thresh_bl0,
            thresh_bl1: u.thresh_bl1,
            thresh_sh0: u.thresh_sh0,
            thresh_sh1: u.thresh_sh1,
            lum_weight: u.lum_weight,
            fac_sh1: u.fac_sh1,
            fac_sh0: u.fac_sh0,
            fac_mid: u.fac_mid,
            fac_bl0: u.fac_bl0,
            fac_bl1: u.fac_bl1,
        }
    }
}

impl BlockConfig for DpfConfig {
    const TYPE: ExtBlockType = ExtBlockType::Dpf;
    type Uapi = uapi::DpfConfig;
    fn to_uapi(&self) -> uapi::DpfConfig {
        let [nf_r_gain, nf_b_gain, nf_gr_gain, nf_gb_gain] = self.nf_gains;
        uapi::DpfConfig {
            gain: uapi::DpfGain { mode: self.gain_mode, nf_r_gain, nf_b_gain, nf_gr_gain, nf_gb_gain },
            g_flt: uapi::DpfGFlt { spatial_coeff: self.g_spatial, gr_enable: self.gr_enable as u8, gb_enable: self.gb_enable as u8 },
            rb_flt: uapi::DpfRbFlt { fltsize: self.rb_fltsize, spatial_coeff: self.rb_spatial, r_enable: self.r_enable as u8, b_enable: self.b_enable as u8 },
            nll: uapi::DpfNll { coeff: self.nll, _pad: [0; 2], scale_mode: self.nll_scale_mode },
        }
    }
    fn from_uapi(u: &uapi::DpfConfig) -> Self {
        Self {
            gain_mode: u.gain.mode,
            nf_gains: [u.gain.nf_r_gain, u.gain.nf_b_gain, u.gain.nf_gr_gain, u.gain.nf_gb_gain],
            g_spatial: u.g_flt.spatial_coeff,
            gr_enable: u.g_flt.gr_enable != 0,
            gb_enable: u.g_flt.gb_enable != 0,
            rb_fltsize: u.rb_flt.fltsize,
            rb_spatial: u.rb_flt.spatial_coeff,
            r_enable: u.rb_flt.r_enable != 0,
            b_enable: u.rb_flt.b_enable != 0,
            nll: u.nll.coeff,
            nll_scale_mode: u.nll.scale_mode,
        }
    }
}

impl BlockConfig for DpfStrengthConfig {
    const TYPE: ExtBlockType = ExtBlockType::DpfStrength;
    type Uapi = uapi::DpfStrengthConfig;
    fn to_uapi(&self) -> uapi::DpfStrengthConfig {
        uapi::DpfStrengthConfig { r: self.r, g: self.g, b: self.b }
    }
    fn from_uapi(u: &uapi::DpfStrengthConfig) -> Self {
        Self { r: u.r, g: u.g, b: u.b }
    }
}

impl BlockConfig for LscConfig {
    const TYPE: ExtBlockType = ExtBlockType::Lsc;
    type Uapi = uapi::LscConfig;
    fn to_uapi(&self) -> uapi::LscConfig {
        let mut u = uapi::LscConfig::new_zeroed();
        let tables = [&mut u.r_data_tbl, &mut u.gr_data_tbl, &mut u.gb_data_tbl, &mut u.b_data_tbl];
        for (grid, table) in tables.into_iter().zip(&self.tables) {
            for (row, samples) in grid.iter_mut().zip(table.chunks_exact(consts::LSC_SAMPLES_MAX)) {
                row.copy_from_slice(samples);
            }
        }
        u.x_grad_tbl = self.x_grad;
        u.y_grad_tbl = self.y_grad;
        u.x_size_tbl = self.x_size;
        u.y_size_tbl = self.y_size;
        u
    }
    fn from_uapi(u: &uapi::LscConfig) -> Self {
        let flat = |grid: &[[u16; consts::LSC_SAMPLES_MAX]; consts::LSC_SAMPLES_MAX]| {
            let mut t = [0u16; LSC_TABLE];
            for (samples, row) in t.chunks_exact_mut(consts::LSC_SAMPLES_MAX).zip(grid) {
                samples.copy_from_slice(row);
            }
            t
        };
        Self {
            tables: [flat(&u.r_data_tbl), flat(&u.gr_data_tbl), flat(&u.gb_data_tbl), flat(&u.b_data_tbl)],
            x_size: u.x_size_tbl,
            y_size: u.y_size_tbl,
            x_grad: u.x_grad_tbl,
            y_grad: u.y_grad_tbl,
        }
    }
}
