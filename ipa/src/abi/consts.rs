//! Constants of the rkisp1 UAPI (`linux/rkisp1-config.h`). Every value here is compared
//! against the real kernel headers by `tests/abi_layout.rs` (through `layout::CONSTANTS`).

/// ISP hardware revision as reported in the media device's `hw_revision`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HwRevision {
    /// RK3288, RK3399 (the PinePhone Pro).
    V10,
    /// Declared by the kernel, follows V10 sizes.
    V11,
    /// PX30 / RK3326.
    V12,
    /// RK1808, follows V12 sizes.
    V13,
    /// i.MX8MP, follows V10 sizes and has companding.
    Imx8mp,
}

impl HwRevision {
    pub fn from_raw(v: u32) -> Option<Self> {
        Some(match v {
            10 => Self::V10,
            11 => Self::V11,
            12 => Self::V12,
            13 => Self::V13,
            14 => Self::Imx8mp,
            _ => return None,
        })
    }
    fn is_v12_class(self) -> bool {
        matches!(self, Self::V12 | Self::V13)
    }
    /// Number of AE grid cells the hardware fills (5x5 or 9x9).
    pub fn ae_cells(self) -> usize {
        if self.is_v12_class() {
            AE_MEAN_MAX_V12
        } else {
            AE_MEAN_MAX_V10
        }
    }
    pub fn ae_grid(self) -> usize {
        if self.is_v12_class() {
            9
        } else {
            5
        }
    }
    pub fn hist_bins(self) -> usize {
        if self.is_v12_class() {
            HIST_BIN_N_MAX_V12
        } else {
            HIST_BIN_N_MAX_V10
        }
    }
    pub fn hist_weights(self) -> usize {
        if self.is_v12_class() {
            HISTOGRAM_WEIGHT_GRIDS_SIZE_V12
        } else {
            HISTOGRAM_WEIGHT_GRIDS_SIZE_V10
        }
    }
    pub fn gamma_samples(self) -> usize {
        if self.is_v12_class() {
            GAMMA_OUT_MAX_SAMPLES_V12
        } else {
            GAMMA_OUT_MAX_SAMPLES_V10
        }
    }
}

pub const AE_MEAN_MAX_V10: usize = 25;
pub const AE_MEAN_MAX_V12: usize = 81;
pub const AE_MEAN_MAX: usize = 81;
pub const HIST_BIN_N_MAX_V10: usize = 16;
pub const HIST_BIN_N_MAX_V12: usize = 32;
pub const HIST_BIN_N_MAX: usize = 32;
pub const HISTOGRAM_WEIGHT_GRIDS_SIZE_V10: usize = 25;
pub const HISTOGRAM_WEIGHT_GRIDS_SIZE_V12: usize = 81;
pub const HISTOGRAM_WEIGHT_GRIDS_SIZE: usize = 81;
pub const GAMMA_OUT_MAX_SAMPLES_V10: usize = 17;
pub const GAMMA_OUT_MAX_SAMPLES_V12: usize = 34;
pub const GAMMA_OUT_MAX_SAMPLES: usize = 34;
pub const LSC_SAMPLES_MAX: usize = 17;
pub const DEGAMMA_CURVE_SIZE: usize = 17;
pub const AFM_MAX_WINDOWS: usize = 3;
pub const AWB_MAX_GRID: usize = 1;
pub const COMPAND_NUM_POINTS: usize = 64;
pub const WDR_CURVE_NUM_DY_REGS: usize = 4;
pub const WDR_CURVE_NUM_COEFF: usize = 33;
pub const LSC_SECTORS_TBL_SIZE: usize = 8;
pub const DPCC_METHODS_MAX: usize = 3;
pub const DPF_MAX_NLF_COEFFS: usize = 17;
pub const DPF_MAX_SPATIAL_COEFFS: usize = 6;

/// DPCC register bits.
pub mod dpcc {
    pub const MODE_STAGE1_ENABLE: u32 = 1 << 2;
    pub const OUTPUT_MODE_STAGE1_INCL_G_CENTER: u32 = 1 << 0;
    pub const OUTPUT_MODE_STAGE1_INCL_RB_CENTER: u32 = 1 << 1;
    pub const OUTPUT_MODE_STAGE1_G_3X3: u32 = 1 << 2;
    pub const OUTPUT_MODE_STAGE1_RB_3X3: u32 = 1 << 3;
    pub const SET_USE_STAGE1_USE_FIX_SET: u32 = 1 << 3;
    pub const METHODS_SET_PG_GREEN_ENABLE: u32 = 1 << 0;
    pub const METHODS_SET_LC_GREEN_ENABLE: u32 = 1 << 1;
    pub const METHODS_SET_RO_GREEN_ENABLE: u32 = 1 << 2;
    pub const METHODS_SET_RND_GREEN_ENABLE: u32 = 1 << 3;
    pub const METHODS_SET_RG_GREEN_ENABLE: u32 = 1 << 4;
    pub const METHODS_SET_PG_RED_BLUE_ENABLE: u32 = 1 << 8;
    pub const METHODS_SET_LC_RED_BLUE_ENABLE: u32 = 1 << 9;
    pub const METHODS_SET_RO_RED_BLUE_ENABLE: u32 = 1 << 10;
    pub const METHODS_SET_RND_RED_BLUE_ENABLE: u32 = 1 << 11;
    pub const METHODS_SET_RG_RED_BLUE_ENABLE: u32 = 1 << 12;
}

/// `enum rkisp1_cif_isp_dpf_gain_usage`.
pub mod dpf_gain {
    pub const DISABLED: u32 = 0;
    pub const NF_GAINS: u32 = 1;
    pub const LSC_GAINS: u32 = 2;
    pub const NF_LSC_GAINS: u32 = 3;
    pub const AWB_GAINS: u32 = 4;
    pub const AWB_LSC_GAINS: u32 = 5;
}
pub const DPF_RB_FILTERSIZE_13X9: u32 = 0;
pub const DPF_RB_FILTERSIZE_9X9: u32 = 1;
pub const NLL_SCALE_LINEAR: u32 = 0;
pub const NLL_SCALE_LOGARITHMIC: u32 = 1;
pub const FLT_STATIC_MODE: u32 = 0;
pub const FLT_DYNAMIC_MODE: u32 = 1;

/// `meas_type` bits of the statistics buffer.
pub const STAT_AWB: u32 = 1 << 0;
pub const STAT_AUTOEXP: u32 = 1 << 1;
pub const STAT_AFM: u32 = 1 << 2;
pub const STAT_HIST: u32 = 1 << 3;

/// Module bits used by the fixed format's three masks.
pub mod module {
    pub const DPCC: u32 = 1 << 0;
    pub const BLS: u32 = 1 << 1;
    pub const SDG: u32 = 1 << 2;
    pub const HST: u32 = 1 << 3;
    pub const LSC: u32 = 1 << 4;
    pub const AWB_GAIN: u32 = 1 << 5;
    pub const FLT: u32 = 1 << 6;
    pub const BDM: u32 = 1 << 7;
    pub const CTK: u32 = 1 << 8;
    pub const GOC: u32 = 1 << 9;
    pub const CPROC: u32 = 1 << 10;
    pub const AFC: u32 = 1 << 11;
    pub const AWB: u32 = 1 << 12;
    pub const IE: u32 = 1 << 13;
    pub const AEC: u32 = 1 << 14;
    pub const WDR: u32 = 1 << 15;
    pub const DPF: u32 = 1 << 16;
    pub const DPF_STRENGTH: u32 = 1 << 17;
}

/// Extensible-format block flags.
pub const EXT_FL_BLOCK_DISABLE: u16 = 1 << 0;
pub const EXT_FL_BLOCK_ENABLE: u16 = 1 << 1;
pub const EXT_PARAM_BUFFER_V1: u32 = 1;

/// V4L2 fourccs of the metadata formats.
pub const FOURCC_RK1P: u32 = 0x5031_4B52;
pub const FOURCC_RK1S: u32 = 0x5331_4B52;
pub const FOURCC_RK1E: u32 = 0x4531_4B52;

/// `RKISP1_CID_SUPPORTED_PARAMS_BLOCKS`.
pub const CID_SUPPORTED_PARAMS_BLOCKS: u32 = 0x0098_1B21;

/// Histogram modes.
pub const HISTOGRAM_MODE_DISABLE: u32 = 0;
pub const HISTOGRAM_MODE_RGB_COMBINED: u32 = 1;
pub const HISTOGRAM_MODE_Y: u32 = 5;
/// AWB measurement modes.
pub const AWB_MODE_MANUAL: u32 = 0;
pub const AWB_MODE_RGB: u32 = 1;
pub const AWB_MODE_YCBCR: u32 = 2;
/// AE measurement: Y = (R+G+B)*85/256.
pub const EXP_MEASURING_MODE_1: u32 = 1;
pub const EXP_MEASURING_MODE_0: u32 = 0;
/// Gamma-out x-axis segmentation.
pub const GOC_MODE_LOGARITHMIC: u32 = 0;
pub const GOC_MODE_EQUIDISTANT: u32 = 1;
