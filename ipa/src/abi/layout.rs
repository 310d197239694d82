//! Where things are in the rkisp1 UAPI structs, all derived from the `#[repr(C)]` mirrors
//! in [`super::uapi`], and the one table of params block types. `tests/abi_layout.rs`
//! compiles a C probe against the kernel headers and compares every entry of
//! [`probe_entries`] (each mirrored struct's size, each field's offset and size, each block
//! type's id, sizes and fixed-format place, and the constants) with what C computes.

use super::consts::{self, module};
use super::uapi::{self, CStruct, ExtBlock, ExtParamsCfgHeader, ParamsCfg, Since};
use core::mem::{offset_of, size_of};

/// Byte offsets in `struct rkisp1_stat_buffer`.
pub mod stat {
    use crate::abi::uapi::{self, StatBuffer};
    use core::mem::{offset_of, size_of};
    pub const SIZE: usize = size_of::<StatBuffer>();
    pub const MEAS_TYPE: usize = offset_of!(StatBuffer, meas_type);
    pub const FRAME_ID: usize = offset_of!(StatBuffer, frame_id);
    pub const AWB_CNT: usize = offset_of!(StatBuffer, params.awb.awb_mean) + offset_of!(uapi::AwbMeas, cnt);
    pub const AWB_MEAN_Y_OR_G: usize = offset_of!(StatBuffer, params.awb.awb_mean) + offset_of!(uapi::AwbMeas, mean_y_or_g);
    pub const AWB_MEAN_CB_OR_B: usize = offset_of!(StatBuffer, params.awb.awb_mean) + offset_of!(uapi::AwbMeas, mean_cb_or_b);
    pub const AWB_MEAN_CR_OR_R: usize = offset_of!(StatBuffer, params.awb.awb_mean) + offset_of!(uapi::AwbMeas, mean_cr_or_r);
    pub const AE_EXP_MEAN: usize = offset_of!(StatBuffer, params.ae.exp_mean);
    pub const AE_BLS_VAL: usize = offset_of!(StatBuffer, params.ae.bls_val);
    pub const AF_WINDOW: usize = offset_of!(StatBuffer, params.af.window);
    pub const HIST_BINS: usize = offset_of!(StatBuffer, params.hist.hist_bins);
}

/// Byte offsets in `struct rkisp1_params_cfg` (fixed format, 'RK1P').
pub mod fixed {
    use crate::abi::uapi::ParamsCfg;
    use core::mem::{offset_of, size_of};
    pub const SIZE: usize = size_of::<ParamsCfg>();
    pub const MODULE_EN_UPDATE: usize = offset_of!(ParamsCfg, module_en_update);
    pub const MODULE_ENS: usize = offset_of!(ParamsCfg, module_ens);
    pub const MODULE_CFG_UPDATE: usize = offset_of!(ParamsCfg, module_cfg_update);
    pub const AWB_MEAS: usize = offset_of!(ParamsCfg, meas.awb_meas_config);
    pub const HST: usize = offset_of!(ParamsCfg, meas.hst_config);
    pub const AEC: usize = offset_of!(ParamsCfg, meas.aec_config);
    pub const AFC: usize = offset_of!(ParamsCfg, meas.afc_config);
    pub const DPCC: usize = offset_of!(ParamsCfg, others.dpcc_config);
    pub const BLS: usize = offset_of!(ParamsCfg, others.bls_config);
    pub const SDG: usize = offset_of!(ParamsCfg, others.sdg_config);
    pub const LSC: usize = offset_of!(ParamsCfg, others.lsc_config);
    pub const AWB_GAIN: usize = offset_of!(ParamsCfg, others.awb_gain_config);
    pub const FLT: usize = offset_of!(ParamsCfg, others.flt_config);
    pub const BDM: usize = offset_of!(ParamsCfg, others.bdm_config);
    pub const CTK: usize = offset_of!(ParamsCfg, others.ctk_config);
    pub const GOC: usize = offset_of!(ParamsCfg, others.goc_config);
    pub const DPF: usize = offset_of!(ParamsCfg, others.dpf_config);
    pub const DPF_STRENGTH: usize = offset_of!(ParamsCfg, others.dpf_strength_config);
    pub const CPROC: usize = offset_of!(ParamsCfg, others.cproc_config);
    pub const IE: usize = offset_of!(ParamsCfg, others.ie_config);
}

/// Extensible format ('RK1E') block types, in UAPI enum order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
pub enum ExtBlockType {
    Bls = 0,
    Dpcc = 1,
    Sdg = 2,
    AwbGain = 3,
    Flt = 4,
    Bdm = 5,
    Ctk = 6,
    Goc = 7,
    Dpf = 8,
    DpfStrength = 9,
    Cproc = 10,
    Ie = 11,
    Lsc = 12,
    AwbMeas = 13,
    HstMeas = 14,
    AecMeas = 15,
    AfcMeas = 16,
    CompandBls = 17,
    CompandExpand = 18,
    CompandCompress = 19,
    Wdr = 20,
}

/// Where a block's config sits in the fixed format.
#[derive(Debug, Clone, Copy)]
pub struct FixedPlace {
    pub offset: usize,
    /// The member of `struct rkisp1_params_cfg`, for the layout probe.
    pub c_member: &'static str,
}

/// Everything the ABI layer needs to know about one params block type.
#[derive(Debug, Clone, Copy)]
pub struct BlockInfo {
    pub ty: ExtBlockType,
    /// Size of the block's config struct.
    pub config_size: usize,
    /// Size of the whole extensible-format block (header + config, 8-byte aligned).
    pub ext_size: usize,
    /// Offset of the config inside the extensible-format block.
    pub ext_config_offset: usize,
    /// Place in `struct rkisp1_params_cfg`; `None` for blocks only the extensible format has.
    pub fixed: Option<FixedPlace>,
    /// Bit of the fixed format's module masks (0 for blocks the fixed format lacks).
    pub module_bit: u32,
    /// Headers that declare the block's extensible-format struct.
    pub since: Since,
    /// C names: the enum suffix (`RKISP1_EXT_PARAMS_BLOCK_TYPE_<..>`), the extensible
    /// block struct (`rkisp1_ext_params_<..>_config`) and the config struct.
    pub c_enum: &'static str,
    pub c_block: &'static str,
    pub c_config: &'static str,
}

const fn info<T: CStruct>(
    ty: ExtBlockType,
    since: Since,
    c_enum: &'static str,
    c_block: &'static str,
    fixed: Option<FixedPlace>,
    module_bit: u32,
) -> BlockInfo {
    BlockInfo {
        ty,
        config_size: size_of::<T>(),
        ext_size: size_of::<ExtBlock<T>>(),
        ext_config_offset: offset_of!(ExtBlock<T>, config),
        fixed,
        module_bit,
        since,
        c_enum,
        c_block,
        c_config: T::C_NAME,
    }
}

/// The place of a member of `struct rkisp1_params_cfg`.
macro_rules! fixed {
    ($($member:ident).+) => {
        Some(FixedPlace { offset: offset_of!(ParamsCfg, $($member).+), c_member: stringify!($($member).+) })
    };
}

/// The block types, indexed by their UAPI value.
#[rustfmt::skip]
pub const BLOCKS: [BlockInfo; 21] = {
    use ExtBlockType as T;
    use Since::{Ext, Wdr};
    [
        info::<uapi::BlsConfig>(T::Bls, Ext, "BLS", "bls", fixed!(others.bls_config), module::BLS),
        info::<uapi::DpccConfig>(T::Dpcc, Ext, "DPCC", "dpcc", fixed!(others.dpcc_config), module::DPCC),
        info::<uapi::SdgConfig>(T::Sdg, Ext, "SDG", "sdg", fixed!(others.sdg_config), module::SDG),
        info::<uapi::AwbGainConfig>(T::AwbGain, Ext, "AWB_GAIN", "awb_gain", fixed!(others.awb_gain_config), module::AWB_GAIN),
        info::<uapi::FltConfig>(T::Flt, Ext, "FLT", "flt", fixed!(others.flt_config), module::FLT),
        info::<uapi::BdmConfig>(T::Bdm, Ext, "BDM", "bdm", fixed!(others.bdm_config), module::BDM),
        info::<uapi::CtkConfig>(T::Ctk, Ext, "CTK", "ctk", fixed!(others.ctk_config), module::CTK),
        info::<uapi::GocConfig>(T::Goc, Ext, "GOC", "goc", fixed!(others.goc_config), module::GOC),
        info::<uapi::DpfConfig>(T::Dpf, Ext, "DPF", "dpf", fixed!(others.dpf_config), module::DPF),
        info::<uapi::DpfStrengthConfig>(T::DpfStrength, Ext, "DPF_STRENGTH", "dpf_strength", fixed!(others.dpf_strength_config), module::DPF_STRENGTH),
        info::<uapi::CprocConfig>(T::Cproc, Ext, "CPROC", "cproc", fixed!(others.cproc_config), module::CPROC),
        info::<uapi::IeConfig>(T::Ie, Ext, "IE", "ie", fixed!(others.ie_config), module::IE),
        info::<uapi::LscConfig>(T::Lsc, Ext, "LSC", "lsc", fixed!(others.lsc_config), module::LSC),
        info::<uapi::AwbMeasConfig>(T::AwbMeas, Ext, "AWB_MEAS", "awb_meas", fixed!(meas.awb_meas_config), module::AWB),
        info::<uapi::HstConfig>(T::HstMeas, Ext, "HST_MEAS", "hst", fixed!(meas.hst_config), module::HST),
        info::<uapi::AecConfig>(T::AecMeas, Ext, "AEC_MEAS", "aec", fixed!(meas.aec_config), module::AEC),
        info::<uapi::AfcConfig>(T::AfcMeas, Ext, "AFC_MEAS", "afc", fixed!(meas.afc_config), module::AFC),
        info::<uapi::CompandBlsConfig>(T::CompandBls, Ext, "COMPAND_BLS", "compand_bls", None, 0),
        info::<uapi::CompandCurveConfig>(T::CompandExpand, Ext, "COMPAND_EXPAND", "compand_curve", None, 0),
        info::<uapi::CompandCurveConfig>(T::CompandCompress, Ext, "COMPAND_COMPRESS", "compand_curve", None, 0),
        info::<uapi::WdrConfig>(T::Wdr, Wdr, "WDR", "wdr", None, 0),
    ]
};

// The table is indexed by the type's value.
const _: () = {
    let mut i = 0;
    while i < BLOCKS.len() {
        assert!(BLOCKS[i].ty as usize == i);
        i += 1;
    }
};

impl ExtBlockType {
    pub const ALL: [ExtBlockType; 21] = {
        let mut all = [ExtBlockType::Bls; 21];
        let mut i = 0;
        while i < BLOCKS.len() {
            all[i] = BLOCKS[i].ty;
            i += 1;
        }
        all
    };

    pub const fn info(self) -> &'static BlockInfo {
        &BLOCKS[self as usize]
    }

    /// The block type with this UAPI value, if we know it.
    pub fn from_raw(v: u16) -> Option<Self> {
        BLOCKS.get(v as usize).map(|b| b.ty)
    }

    /// Size of the whole ext block (header + config, rounded up to 8 bytes).
    pub const fn block_size(self) -> usize {
        self.info().ext_size
    }

    pub const fn config_size(self) -> usize {
        self.info().config_size
    }

    /// Offset of the block's config inside `struct rkisp1_params_cfg`.
    pub const fn fixed_offset(self) -> Option<usize> {
        match self.info().fixed {
            Some(p) => Some(p.offset),
            None => None,
        }
    }

    /// Bit of the fixed format's module masks (0 for blocks the fixed format lacks).
    pub const fn module_bit(self) -> u32 {
        self.info().module_bit
    }
}

/// (C expression, value) pairs for the layout probe. Names starting with `ext:` need a
/// header with the extensible format and `wdr:` one with the WDR block. Built on demand:
/// only the layout test calls it.
pub fn probe_entries() -> Vec<(String, usize)> {
    fn gate(s: Since) -> &'static str {
        match s {
            Since::Fixed => "",
            Since::Ext => "ext:",
            Since::Wdr => "wdr:",
        }
    }
    let mut out = Vec::new();
    for s in uapi::STRUCTS {
        let (g, c) = (gate(s.since), s.c_name);
        out.push((format!("{g}sizeof(struct {c})"), s.size));
        // Padding the mirrors spell out has no name in C.
        for f in s.fields.iter().filter(|f| !f.name.starts_with('_')) {
            let name = f.name.trim_start_matches("r#");
            out.push((format!("{g}offsetof(struct {c}, {name})"), f.offset));
            out.push((format!("{g}sizeof(((struct {c} *)0)->{name})"), f.size));
        }
    }
    out.push(("ext:offsetof(struct rkisp1_ext_params_cfg, version)".into(), offset_of!(ExtParamsCfgHeader, version)));
    out.push(("ext:offsetof(struct rkisp1_ext_params_cfg, data_size)".into(), offset_of!(ExtParamsCfgHeader, data_size)));
    out.push(("ext:offsetof(struct rkisp1_ext_params_cfg, data)".into(), size_of::<ExtParamsCfgHeader>()));
    for b in &BLOCKS {
        let (g, blk, cfg) = (gate(b.since), format!("struct rkisp1_ext_params_{}_config", b.c_block), b.c_config);
        out.push((format!("{g}RKISP1_EXT_PARAMS_BLOCK_TYPE_{}", b.c_enum), b.ty as usize));
        out.push((format!("{g}sizeof({blk})"), b.ext_size));
        out.push((format!("{g}offsetof({blk}, header)"), offset_of!(ExtBlock<uapi::BdmConfig>, header)));
        out.push((format!("{g}offsetof({blk}, config)"), b.ext_config_offset));
        // The config member is the very struct the table's Rust type mirrors.
        out.push((format!("{g}__builtin_types_compatible_p(__typeof__((({blk} *)0)->config), struct {cfg})"), 1));
        if let Some(p) = b.fixed {
            let m = p.c_member;
            out.push((format!("offsetof(struct rkisp1_params_cfg, {m})"), p.offset));
            out.push((format!("__builtin_types_compatible_p(__typeof__(((struct rkisp1_params_cfg *)0)->{m}), struct {cfg})"), 1));
            out.push((module_c_name(b.c_enum), b.module_bit as usize));
        }
    }
    out.extend(CONSTANTS.iter().map(|(n, v)| (n.to_string(), *v)));
    out
}

/// The fixed format's module bit macro for a block (`RKISP1_CIF_ISP_MODULE_<..>`).
fn module_c_name(c_enum: &str) -> String {
    let m = match c_enum {
        "AWB_MEAS" => "AWB",
        "HST_MEAS" => "HST",
        "AEC_MEAS" => "AEC",
        "AFC_MEAS" => "AFC",
        other => other,
    };
    format!("RKISP1_CIF_ISP_MODULE_{m}")
}

/// Constants of the UAPI, checked by value.
pub const CONSTANTS: &[(&str, usize)] = &[
    ("ext:RKISP1_EXT_PARAMS_FL_BLOCK_DISABLE", consts::EXT_FL_BLOCK_DISABLE as usize),
    ("ext:RKISP1_EXT_PARAMS_FL_BLOCK_ENABLE", consts::EXT_FL_BLOCK_ENABLE as usize),
    ("ext:RKISP1_EXT_PARAM_BUFFER_V1", consts::EXT_PARAM_BUFFER_V1 as usize),
    ("wdr:RKISP1_CID_SUPPORTED_PARAMS_BLOCKS", consts::CID_SUPPORTED_PARAMS_BLOCKS as usize),
    ("RKISP1_CIF_ISP_AE_MEAN_MAX_V10", consts::AE_MEAN_MAX_V10),
    ("RKISP1_CIF_ISP_AE_MEAN_MAX_V12", consts::AE_MEAN_MAX_V12),
    ("RKISP1_CIF_ISP_HIST_BIN_N_MAX_V10", consts::HIST_BIN_N_MAX_V10),
    ("RKISP1_CIF_ISP_HIST_BIN_N_MAX_V12", consts::HIST_BIN_N_MAX_V12),
    ("RKISP1_CIF_ISP_HISTOGRAM_WEIGHT_GRIDS_SIZE_V10", consts::HISTOGRAM_WEIGHT_GRIDS_SIZE_V10),
    ("RKISP1_CIF_ISP_HISTOGRAM_WEIGHT_GRIDS_SIZE_V12", consts::HISTOGRAM_WEIGHT_GRIDS_SIZE_V12),
    ("RKISP1_CIF_ISP_GAMMA_OUT_MAX_SAMPLES_V10", consts::GAMMA_OUT_MAX_SAMPLES_V10),
    ("RKISP1_CIF_ISP_GAMMA_OUT_MAX_SAMPLES_V12", consts::GAMMA_OUT_MAX_SAMPLES_V12),
    ("RKISP1_CIF_ISP_LSC_SAMPLES_MAX", consts::LSC_SAMPLES_MAX),
    ("RKISP1_CIF_ISP_LSC_SECTORS_TBL_SIZE", consts::LSC_SECTORS_TBL_SIZE),
    ("RKISP1_CIF_ISP_AE_MEAN_MAX", consts::AE_MEAN_MAX),
    ("RKISP1_CIF_ISP_HIST_BIN_N_MAX", consts::HIST_BIN_N_MAX),
    ("RKISP1_CIF_ISP_HISTOGRAM_WEIGHT_GRIDS_SIZE", consts::HISTOGRAM_WEIGHT_GRIDS_SIZE),
    ("RKISP1_CIF_ISP_GAMMA_OUT_MAX_SAMPLES", consts::GAMMA_OUT_MAX_SAMPLES),
    ("RKISP1_CIF_ISP_DEGAMMA_CURVE_SIZE", consts::DEGAMMA_CURVE_SIZE),
    ("RKISP1_CIF_ISP_AFM_MAX_WINDOWS", consts::AFM_MAX_WINDOWS),
    ("RKISP1_CIF_ISP_AWB_MAX_GRID", consts::AWB_MAX_GRID),
    ("ext:RKISP1_CIF_ISP_COMPAND_NUM_POINTS", consts::COMPAND_NUM_POINTS),
    ("wdr:RKISP1_CIF_ISP_WDR_CURVE_NUM_DY_REGS", consts::WDR_CURVE_NUM_DY_REGS),
    ("wdr:RKISP1_CIF_ISP_WDR_CURVE_NUM_COEFF", consts::WDR_CURVE_NUM_COEFF),
    ("RKISP1_CIF_ISP_DPCC_METHODS_MAX", consts::DPCC_METHODS_MAX),
    ("RKISP1_CIF_ISP_DPF_MAX_NLF_COEFFS", consts::DPF_MAX_NLF_COEFFS),
    ("RKISP1_CIF_ISP_DPF_MAX_SPATIAL_COEFFS", consts::DPF_MAX_SPATIAL_COEFFS),
    ("RKISP1_CIF_ISP_DPCC_MODE_STAGE1_ENABLE", consts::dpcc::MODE_STAGE1_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_OUTPUT_MODE_STAGE1_INCL_G_CENTER", consts::dpcc::OUTPUT_MODE_STAGE1_INCL_G_CENTER as usize),
    ("RKISP1_CIF_ISP_DPCC_OUTPUT_MODE_STAGE1_INCL_RB_CENTER", consts::dpcc::OUTPUT_MODE_STAGE1_INCL_RB_CENTER as usize),
    ("RKISP1_CIF_ISP_DPCC_OUTPUT_MODE_STAGE1_G_3X3", consts::dpcc::OUTPUT_MODE_STAGE1_G_3X3 as usize),
    ("RKISP1_CIF_ISP_DPCC_OUTPUT_MODE_STAGE1_RB_3X3", consts::dpcc::OUTPUT_MODE_STAGE1_RB_3X3 as usize),
    ("RKISP1_CIF_ISP_DPCC_SET_USE_STAGE1_USE_FIX_SET", consts::dpcc::SET_USE_STAGE1_USE_FIX_SET as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_PG_GREEN_ENABLE", consts::dpcc::METHODS_SET_PG_GREEN_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_LC_GREEN_ENABLE", consts::dpcc::METHODS_SET_LC_GREEN_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RO_GREEN_ENABLE", consts::dpcc::METHODS_SET_RO_GREEN_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RND_GREEN_ENABLE", consts::dpcc::METHODS_SET_RND_GREEN_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RG_GREEN_ENABLE", consts::dpcc::METHODS_SET_RG_GREEN_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_PG_RED_BLUE_ENABLE", consts::dpcc::METHODS_SET_PG_RED_BLUE_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_LC_RED_BLUE_ENABLE", consts::dpcc::METHODS_SET_LC_RED_BLUE_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RO_RED_BLUE_ENABLE", consts::dpcc::METHODS_SET_RO_RED_BLUE_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RND_RED_BLUE_ENABLE", consts::dpcc::METHODS_SET_RND_RED_BLUE_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RG_RED_BLUE_ENABLE", consts::dpcc::METHODS_SET_RG_RED_BLUE_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPF_GAIN_USAGE_AWB_LSC_GAINS", consts::dpf_gain::AWB_LSC_GAINS as usize),
    ("RKISP1_CIF_ISP_DPF_GAIN_USAGE_NF_GAINS", consts::dpf_gain::NF_GAINS as usize),
    ("RKISP1_CIF_ISP_DPF_GAIN_USAGE_LSC_GAINS", consts::dpf_gain::LSC_GAINS as usize),
    ("RKISP1_CIF_ISP_DPF_GAIN_USAGE_AWB_GAINS", consts::dpf_gain::AWB_GAINS as usize),
    ("RKISP1_CIF_ISP_DPF_RB_FILTERSIZE_13x9", consts::DPF_RB_FILTERSIZE_13X9 as usize),
    ("RKISP1_CIF_ISP_DPF_RB_FILTERSIZE_9x9", consts::DPF_RB_FILTERSIZE_9X9 as usize),
    ("RKISP1_CIF_ISP_NLL_SCALE_LOGARITHMIC", consts::NLL_SCALE_LOGARITHMIC as usize),
    ("RKISP1_CIF_ISP_FLT_DYNAMIC_MODE", consts::FLT_DYNAMIC_MODE as usize),
    ("RKISP1_CIF_ISP_STAT_AWB", consts::STAT_AWB as usize),
    ("RKISP1_CIF_ISP_STAT_AUTOEXP", consts::STAT_AUTOEXP as usize),
    ("RKISP1_CIF_ISP_STAT_AFM", consts::STAT_AFM as usize),
    ("RKISP1_CIF_ISP_STAT_HIST", consts::STAT_HIST as usize),
    ("RKISP1_CIF_ISP_MODULE_DPCC", consts::module::DPCC as usize),
    ("RKISP1_CIF_ISP_MODULE_BLS", consts::module::BLS as usize),
    ("RKISP1_CIF_ISP_MODULE_SDG", consts::module::SDG as usize),
    ("RKISP1_CIF_ISP_MODULE_HST", consts::module::HST as usize),
    ("RKISP1_CIF_ISP_MODULE_LSC", consts::module::LSC as usize),
    ("RKISP1_CIF_ISP_MODULE_AWB_GAIN", consts::module::AWB_GAIN as usize),
    ("RKISP1_CIF_ISP_MODULE_FLT", consts::module::FLT as usize),
    ("RKISP1_CIF_ISP_MODULE_BDM", consts::module::BDM as usize),
    ("RKISP1_CIF_ISP_MODULE_CTK", consts::module::CTK as usize),
    ("RKISP1_CIF_ISP_MODULE_GOC", consts::module::GOC as usize),
    ("RKISP1_CIF_ISP_MODULE_CPROC", consts::module::CPROC as usize),
    ("RKISP1_CIF_ISP_MODULE_AFC", consts::module::AFC as usize),
    ("RKISP1_CIF_ISP_MODULE_AWB", consts::module::AWB as usize),
    ("RKISP1_CIF_ISP_MODULE_IE", consts::module::IE as usize),
    ("RKISP1_CIF_ISP_MODULE_AEC", consts::module::AEC as usize),
    ("RKISP1_CIF_ISP_MODULE_WDR", consts::module::WDR as usize),
    ("RKISP1_CIF_ISP_MODULE_DPF", consts::module::DPF as usize),
    ("RKISP1_CIF_ISP_MODULE_DPF_STRENGTH", consts::module::DPF_STRENGTH as usize),
    ("RKISP1_CIF_ISP_HISTOGRAM_MODE_RGB_COMBINED", consts::HISTOGRAM_MODE_RGB_COMBINED as usize),
    ("RKISP1_CIF_ISP_HISTOGRAM_MODE_Y_HISTOGRAM", consts::HISTOGRAM_MODE_Y as usize),
    ("RKISP1_CIF_ISP_AWB_MODE_YCBCR", consts::AWB_MODE_YCBCR as usize),
    ("RKISP1_CIF_ISP_AWB_MODE_RGB", consts::AWB_MODE_RGB as usize),
    ("RKISP1_CIF_ISP_EXP_MEASURING_MODE_1", consts::EXP_MEASURING_MODE_1 as usize),
    ("RKISP1_CIF_ISP_GOC_MODE_LOGARITHMIC", consts::GOC_MODE_LOGARITHMIC as usize),
    ("RKISP1_CIF_ISP_GOC_MODE_EQUIDISTANT", consts::GOC_MODE_EQUIDISTANT as usize),
    ("RKISP1_V10", 10),
    ("RKISP1_V12", 12),
    ("V4L2_META_FMT_RK_ISP1_PARAMS", consts::FOURCC_RK1P as usize),
    ("V4L2_META_FMT_RK_ISP1_STAT_3A", consts::FOURCC_RK1S as usize),
    ("ext:V4L2_META_FMT_RK_ISP1_EXT_PARAMS", consts::FOURCC_RK1E as usize),
];
