//! Byte layout of the rkisp1 UAPI structs (offsets and sizes in bytes, identical on x86_64
//! and aarch64). `tests/abi_layout.rs` compiles a C probe against the kernel headers and
//! compares every entry of [`LAYOUT`] with `offsetof`/`sizeof`.

/// `struct rkisp1_stat_buffer`.
pub mod stat {
    pub const SIZE: usize = 260;
    pub const MEAS_TYPE: usize = 0;
    pub const FRAME_ID: usize = 4;
    pub const AWB_CNT: usize = 8;
    pub const AWB_MEAN_Y_OR_G: usize = 12;
    pub const AWB_MEAN_CB_OR_B: usize = 13;
    pub const AWB_MEAN_CR_OR_R: usize = 14;
    pub const AE_EXP_MEAN: usize = 16;
    pub const AE_BLS_VAL: usize = 98;
    pub const AF_WINDOW: usize = 108;
    pub const HIST_BINS: usize = 132;
}

/// `struct rkisp1_params_cfg` (fixed format, 'RK1P').
pub mod fixed {
    pub const SIZE: usize = 3048;
    pub const MODULE_EN_UPDATE: usize = 0;
    pub const MODULE_ENS: usize = 4;
    pub const MODULE_CFG_UPDATE: usize = 8;
    pub const AWB_MEAS: usize = 12;
    pub const HST: usize = 32;
    pub const AEC: usize = 128;
    pub const AFC: usize = 144;
    pub const DPCC: usize = 180;
    pub const BLS: usize = 272;
    pub const SDG: usize = 300;
    pub const LSC: usize = 412;
    pub const AWB_GAIN: usize = 2792;
    pub const FLT: usize = 2800;
    pub const BDM: usize = 2848;
    pub const CTK: usize = 2850;
    pub const GOC: usize = 2876;
    pub const DPF: usize = 2948;
    pub const DPF_STRENGTH: usize = 3020;
    pub const CPROC: usize = 3023;
    pub const IE: usize = 3030;
}

/// Sizes of the per-module config structs.
pub mod size {
    pub const WINDOW: usize = 8;
    pub const BLS: usize = 28;
    pub const DPCC: usize = 92;
    pub const SDG: usize = 112;
    pub const LSC: usize = 2380;
    pub const AWB_GAIN: usize = 8;
    pub const FLT: usize = 48;
    pub const BDM: usize = 1;
    pub const CTK: usize = 24;
    pub const GOC: usize = 72;
    pub const DPF: usize = 72;
    pub const DPF_STRENGTH: usize = 3;
    pub const CPROC: usize = 7;
    pub const IE: usize = 16;
    pub const AWB_MEAS: usize = 20;
    pub const HST: usize = 96;
    pub const AEC: usize = 16;
    pub const AFC: usize = 36;
    pub const COMPAND_BLS: usize = 16;
    pub const COMPAND_CURVE: usize = 576;
    pub const WDR: usize = 100;
}

/// Field offsets inside the config structs we encode.
pub mod field {
    pub const BLS_ENABLE_AUTO: usize = 0;
    pub const BLS_EN_WINDOWS: usize = 1;
    pub const BLS_WINDOW1: usize = 2;
    pub const BLS_WINDOW2: usize = 10;
    pub const BLS_SAMPLES: usize = 18;
    pub const BLS_FIXED_VAL: usize = 20;
    pub const AWB_GAIN_RED: usize = 0;
    pub const AWB_GAIN_GREEN_R: usize = 2;
    pub const AWB_GAIN_BLUE: usize = 4;
    pub const AWB_GAIN_GREEN_B: usize = 6;
    pub const CTK_COEFF: usize = 0;
    pub const CTK_OFFSET: usize = 18;
    pub const GOC_MODE: usize = 0;
    pub const GOC_GAMMA_Y: usize = 4;
    pub const AWB_MEAS_WINDOW: usize = 0;
    pub const AWB_MEAS_MODE: usize = 8;
    pub const AWB_MEAS_MAX_Y: usize = 12;
    pub const AWB_MEAS_MIN_Y: usize = 13;
    pub const AWB_MEAS_MAX_CSUM: usize = 14;
    pub const AWB_MEAS_MIN_C: usize = 15;
    pub const AWB_MEAS_FRAMES: usize = 16;
    pub const AWB_MEAS_REF_CR: usize = 17;
    pub const AWB_MEAS_REF_CB: usize = 18;
    pub const AWB_MEAS_YMAX_CMP: usize = 19;
    pub const HST_MODE: usize = 0;
    pub const HST_PREDIVIDER: usize = 4;
    pub const HST_WINDOW: usize = 6;
    pub const HST_WEIGHT: usize = 14;
    pub const AEC_MODE: usize = 0;
    pub const AEC_AUTOSTOP: usize = 4;
    pub const AEC_WINDOW: usize = 8;
    pub const CPROC_C_OUT_RANGE: usize = 0;
    pub const CPROC_Y_IN_RANGE: usize = 1;
    pub const CPROC_Y_OUT_RANGE: usize = 2;
    pub const CPROC_CONTRAST: usize = 3;
    pub const CPROC_BRIGHTNESS: usize = 4;
    pub const CPROC_SAT: usize = 5;
    pub const CPROC_HUE: usize = 6;
    pub const LSC_R: usize = 0;
    pub const LSC_GR: usize = 578;
    pub const LSC_GB: usize = 1156;
    pub const LSC_B: usize = 1734;
    pub const LSC_X_GRAD: usize = 2312;
    pub const LSC_Y_GRAD: usize = 2328;
    pub const LSC_X_SIZE: usize = 2344;
    pub const LSC_Y_SIZE: usize = 2360;
    pub const DPCC_MODE: usize = 0;
    pub const DPCC_OUTPUT_MODE: usize = 4;
    pub const DPCC_SET_USE: usize = 8;
    pub const DPCC_METHODS: usize = 12;
    pub const DPCC_METHODS_SIZE: usize = 24;
    pub const DPCC_METHOD: usize = 0;
    pub const DPCC_LINE_THRESH: usize = 4;
    pub const DPCC_LINE_MAD_FAC: usize = 8;
    pub const DPCC_PG_FAC: usize = 12;
    pub const DPCC_RND_THRESH: usize = 16;
    pub const DPCC_RG_FAC: usize = 20;
    pub const DPCC_RO_LIMITS: usize = 84;
    pub const DPCC_RND_OFFS: usize = 88;
    pub const FLT_MODE: usize = 0;
    pub const FLT_GRN_STAGE1: usize = 4;
    pub const FLT_CHR_H_MODE: usize = 5;
    pub const FLT_CHR_V_MODE: usize = 6;
    pub const FLT_THRESH_BL0: usize = 8;
    pub const FLT_THRESH_BL1: usize = 12;
    pub const FLT_THRESH_SH0: usize = 16;
    pub const FLT_THRESH_SH1: usize = 20;
    pub const FLT_LUM_WEIGHT: usize = 24;
    pub const FLT_FAC_SH1: usize = 28;
    pub const FLT_FAC_SH0: usize = 32;
    pub const FLT_FAC_MID: usize = 36;
    pub const FLT_FAC_BL0: usize = 40;
    pub const FLT_FAC_BL1: usize = 44;
    pub const DPF_GAIN_MODE: usize = 0;
    pub const DPF_NF_R_GAIN: usize = 4;
    pub const DPF_NF_B_GAIN: usize = 6;
    pub const DPF_NF_GR_GAIN: usize = 8;
    pub const DPF_NF_GB_GAIN: usize = 10;
    pub const DPF_G_SPATIAL: usize = 12;
    pub const DPF_GR_ENABLE: usize = 18;
    pub const DPF_GB_ENABLE: usize = 19;
    pub const DPF_RB_FLTSIZE: usize = 20;
    pub const DPF_RB_SPATIAL: usize = 24;
    pub const DPF_R_ENABLE: usize = 30;
    pub const DPF_B_ENABLE: usize = 31;
    pub const DPF_NLL_COEFF: usize = 32;
    pub const DPF_NLL_SCALE_MODE: usize = 68;
    pub const DPF_STRENGTH_R: usize = 0;
    pub const DPF_STRENGTH_G: usize = 1;
    pub const DPF_STRENGTH_B: usize = 2;
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

impl ExtBlockType {
    /// Size of the whole ext block (header + config, rounded up to 8 bytes).
    pub const fn block_size(self) -> usize {
        let cfg = match self {
            Self::Bls => size::BLS,
            Self::Dpcc => size::DPCC,
            Self::Sdg => size::SDG,
            Self::AwbGain => size::AWB_GAIN,
            Self::Flt => size::FLT,
            Self::Bdm => size::BDM,
            Self::Ctk => size::CTK,
            Self::Goc => size::GOC,
            Self::Dpf => size::DPF,
            Self::DpfStrength => size::DPF_STRENGTH,
            Self::Cproc => size::CPROC,
            Self::Ie => size::IE,
            Self::Lsc => size::LSC,
            Self::AwbMeas => size::AWB_MEAS,
            Self::HstMeas => size::HST,
            Self::AecMeas => size::AEC,
            Self::AfcMeas => size::AFC,
            Self::CompandBls => size::COMPAND_BLS,
            Self::CompandExpand | Self::CompandCompress => size::COMPAND_CURVE,
            Self::Wdr => size::WDR,
        };
        (8 + cfg + 7) & !7
    }
}

/// (C expression, value) pairs checked against the kernel headers. The probe prints the
/// value of each C expression; names starting with `ext:` need a header with RK1E and
/// `wdr:` a header with the WDR block.
pub const LAYOUT: &[(&str, usize)] = &[
    ("sizeof(struct rkisp1_stat_buffer)", stat::SIZE),
    ("offsetof(struct rkisp1_stat_buffer, meas_type)", stat::MEAS_TYPE),
    ("offsetof(struct rkisp1_stat_buffer, frame_id)", stat::FRAME_ID),
    ("offsetof(struct rkisp1_stat_buffer, params.awb.awb_mean[0].cnt)", stat::AWB_CNT),
    ("offsetof(struct rkisp1_stat_buffer, params.awb.awb_mean[0].mean_y_or_g)", stat::AWB_MEAN_Y_OR_G),
    ("offsetof(struct rkisp1_stat_buffer, params.awb.awb_mean[0].mean_cb_or_b)", stat::AWB_MEAN_CB_OR_B),
    ("offsetof(struct rkisp1_stat_buffer, params.awb.awb_mean[0].mean_cr_or_r)", stat::AWB_MEAN_CR_OR_R),
    ("offsetof(struct rkisp1_stat_buffer, params.ae.exp_mean)", stat::AE_EXP_MEAN),
    ("offsetof(struct rkisp1_stat_buffer, params.ae.bls_val)", stat::AE_BLS_VAL),
    ("offsetof(struct rkisp1_stat_buffer, params.af.window)", stat::AF_WINDOW),
    ("offsetof(struct rkisp1_stat_buffer, params.hist.hist_bins)", stat::HIST_BINS),
    ("sizeof(struct rkisp1_params_cfg)", fixed::SIZE),
    ("offsetof(struct rkisp1_params_cfg, module_en_update)", fixed::MODULE_EN_UPDATE),
    ("offsetof(struct rkisp1_params_cfg, module_ens)", fixed::MODULE_ENS),
    ("offsetof(struct rkisp1_params_cfg, module_cfg_update)", fixed::MODULE_CFG_UPDATE),
    ("offsetof(struct rkisp1_params_cfg, meas.awb_meas_config)", fixed::AWB_MEAS),
    ("offsetof(struct rkisp1_params_cfg, meas.hst_config)", fixed::HST),
    ("offsetof(struct rkisp1_params_cfg, meas.aec_config)", fixed::AEC),
    ("offsetof(struct rkisp1_params_cfg, meas.afc_config)", fixed::AFC),
    ("offsetof(struct rkisp1_params_cfg, others.dpcc_config)", fixed::DPCC),
    ("offsetof(struct rkisp1_params_cfg, others.bls_config)", fixed::BLS),
    ("offsetof(struct rkisp1_params_cfg, others.sdg_config)", fixed::SDG),
    ("offsetof(struct rkisp1_params_cfg, others.lsc_config)", fixed::LSC),
    ("offsetof(struct rkisp1_params_cfg, others.awb_gain_config)", fixed::AWB_GAIN),
    ("offsetof(struct rkisp1_params_cfg, others.flt_config)", fixed::FLT),
    ("offsetof(struct rkisp1_params_cfg, others.bdm_config)", fixed::BDM),
    ("offsetof(struct rkisp1_params_cfg, others.ctk_config)", fixed::CTK),
    ("offsetof(struct rkisp1_params_cfg, others.goc_config)", fixed::GOC),
    ("offsetof(struct rkisp1_params_cfg, others.dpf_config)", fixed::DPF),
    ("offsetof(struct rkisp1_params_cfg, others.dpf_strength_config)", fixed::DPF_STRENGTH),
    ("offsetof(struct rkisp1_params_cfg, others.cproc_config)", fixed::CPROC),
    ("offsetof(struct rkisp1_params_cfg, others.ie_config)", fixed::IE),
    ("sizeof(struct rkisp1_cif_isp_window)", size::WINDOW),
    ("sizeof(struct rkisp1_cif_isp_bls_config)", size::BLS),
    ("sizeof(struct rkisp1_cif_isp_dpcc_config)", size::DPCC),
    ("sizeof(struct rkisp1_cif_isp_sdg_config)", size::SDG),
    ("sizeof(struct rkisp1_cif_isp_lsc_config)", size::LSC),
    ("sizeof(struct rkisp1_cif_isp_awb_gain_config)", size::AWB_GAIN),
    ("sizeof(struct rkisp1_cif_isp_flt_config)", size::FLT),
    ("sizeof(struct rkisp1_cif_isp_bdm_config)", size::BDM),
    ("sizeof(struct rkisp1_cif_isp_ctk_config)", size::CTK),
    ("sizeof(struct rkisp1_cif_isp_goc_config)", size::GOC),
    ("sizeof(struct rkisp1_cif_isp_dpf_config)", size::DPF),
    ("sizeof(struct rkisp1_cif_isp_dpf_strength_config)", size::DPF_STRENGTH),
    ("sizeof(struct rkisp1_cif_isp_cproc_config)", size::CPROC),
    ("sizeof(struct rkisp1_cif_isp_ie_config)", size::IE),
    ("sizeof(struct rkisp1_cif_isp_awb_meas_config)", size::AWB_MEAS),
    ("sizeof(struct rkisp1_cif_isp_hst_config)", size::HST),
    ("sizeof(struct rkisp1_cif_isp_aec_config)", size::AEC),
    ("sizeof(struct rkisp1_cif_isp_afc_config)", size::AFC),
    ("offsetof(struct rkisp1_cif_isp_bls_config, enable_auto)", field::BLS_ENABLE_AUTO),
    ("offsetof(struct rkisp1_cif_isp_bls_config, en_windows)", field::BLS_EN_WINDOWS),
    ("offsetof(struct rkisp1_cif_isp_bls_config, bls_window1)", field::BLS_WINDOW1),
    ("offsetof(struct rkisp1_cif_isp_bls_config, bls_window2)", field::BLS_WINDOW2),
    ("offsetof(struct rkisp1_cif_isp_bls_config, bls_samples)", field::BLS_SAMPLES),
    ("offsetof(struct rkisp1_cif_isp_bls_config, fixed_val)", field::BLS_FIXED_VAL),
    ("offsetof(struct rkisp1_cif_isp_awb_gain_config, gain_red)", field::AWB_GAIN_RED),
    ("offsetof(struct rkisp1_cif_isp_awb_gain_config, gain_green_r)", field::AWB_GAIN_GREEN_R),
    ("offsetof(struct rkisp1_cif_isp_awb_gain_config, gain_blue)", field::AWB_GAIN_BLUE),
    ("offsetof(struct rkisp1_cif_isp_awb_gain_config, gain_green_b)", field::AWB_GAIN_GREEN_B),
    ("offsetof(struct rkisp1_cif_isp_ctk_config, coeff)", field::CTK_COEFF),
    ("offsetof(struct rkisp1_cif_isp_ctk_config, ct_offset)", field::CTK_OFFSET),
    ("offsetof(struct rkisp1_cif_isp_goc_config, mode)", field::GOC_MODE),
    ("offsetof(struct rkisp1_cif_isp_goc_config, gamma_y)", field::GOC_GAMMA_Y),
    ("offsetof(struct rkisp1_cif_isp_awb_meas_config, awb_wnd)", field::AWB_MEAS_WINDOW),
    ("offsetof(struct rkisp1_cif_isp_awb_meas_config, awb_mode)", field::AWB_MEAS_MODE),
    ("offsetof(struct rkisp1_cif_isp_awb_meas_config, max_y)", field::AWB_MEAS_MAX_Y),
    ("offsetof(struct rkisp1_cif_isp_awb_meas_config, min_y)", field::AWB_MEAS_MIN_Y),
    ("offsetof(struct rkisp1_cif_isp_awb_meas_config, max_csum)", field::AWB_MEAS_MAX_CSUM),
    ("offsetof(struct rkisp1_cif_isp_awb_meas_config, min_c)", field::AWB_MEAS_MIN_C),
    ("offsetof(struct rkisp1_cif_isp_awb_meas_config, frames)", field::AWB_MEAS_FRAMES),
    ("offsetof(struct rkisp1_cif_isp_awb_meas_config, awb_ref_cr)", field::AWB_MEAS_REF_CR),
    ("offsetof(struct rkisp1_cif_isp_awb_meas_config, awb_ref_cb)", field::AWB_MEAS_REF_CB),
    ("offsetof(struct rkisp1_cif_isp_awb_meas_config, enable_ymax_cmp)", field::AWB_MEAS_YMAX_CMP),
    ("offsetof(struct rkisp1_cif_isp_hst_config, mode)", field::HST_MODE),
    ("offsetof(struct rkisp1_cif_isp_hst_config, histogram_predivider)", field::HST_PREDIVIDER),
    ("offsetof(struct rkisp1_cif_isp_hst_config, meas_window)", field::HST_WINDOW),
    ("offsetof(struct rkisp1_cif_isp_hst_config, hist_weight)", field::HST_WEIGHT),
    ("offsetof(struct rkisp1_cif_isp_aec_config, mode)", field::AEC_MODE),
    ("offsetof(struct rkisp1_cif_isp_aec_config, autostop)", field::AEC_AUTOSTOP),
    ("offsetof(struct rkisp1_cif_isp_aec_config, meas_window)", field::AEC_WINDOW),
    ("offsetof(struct rkisp1_cif_isp_cproc_config, c_out_range)", field::CPROC_C_OUT_RANGE),
    ("offsetof(struct rkisp1_cif_isp_cproc_config, y_in_range)", field::CPROC_Y_IN_RANGE),
    ("offsetof(struct rkisp1_cif_isp_cproc_config, y_out_range)", field::CPROC_Y_OUT_RANGE),
    ("offsetof(struct rkisp1_cif_isp_cproc_config, contrast)", field::CPROC_CONTRAST),
    ("offsetof(struct rkisp1_cif_isp_cproc_config, brightness)", field::CPROC_BRIGHTNESS),
    ("offsetof(struct rkisp1_cif_isp_cproc_config, sat)", field::CPROC_SAT),
    ("offsetof(struct rkisp1_cif_isp_cproc_config, hue)", field::CPROC_HUE),
    ("offsetof(struct rkisp1_cif_isp_lsc_config, r_data_tbl)", field::LSC_R),
    ("offsetof(struct rkisp1_cif_isp_lsc_config, gr_data_tbl)", field::LSC_GR),
    ("offsetof(struct rkisp1_cif_isp_lsc_config, gb_data_tbl)", field::LSC_GB),
    ("offsetof(struct rkisp1_cif_isp_lsc_config, b_data_tbl)", field::LSC_B),
    ("offsetof(struct rkisp1_cif_isp_lsc_config, x_grad_tbl)", field::LSC_X_GRAD),
    ("offsetof(struct rkisp1_cif_isp_lsc_config, y_grad_tbl)", field::LSC_Y_GRAD),
    ("offsetof(struct rkisp1_cif_isp_lsc_config, x_size_tbl)", field::LSC_X_SIZE),
    ("offsetof(struct rkisp1_cif_isp_lsc_config, y_size_tbl)", field::LSC_Y_SIZE),
    ("offsetof(struct rkisp1_cif_isp_dpcc_config, mode)", field::DPCC_MODE),
    ("offsetof(struct rkisp1_cif_isp_dpcc_config, output_mode)", field::DPCC_OUTPUT_MODE),
    ("offsetof(struct rkisp1_cif_isp_dpcc_config, set_use)", field::DPCC_SET_USE),
    ("offsetof(struct rkisp1_cif_isp_dpcc_config, methods)", field::DPCC_METHODS),
    ("sizeof(struct rkisp1_cif_isp_dpcc_methods_config)", field::DPCC_METHODS_SIZE),
    ("offsetof(struct rkisp1_cif_isp_dpcc_methods_config, method)", field::DPCC_METHOD),
    ("offsetof(struct rkisp1_cif_isp_dpcc_methods_config, line_thresh)", field::DPCC_LINE_THRESH),
    ("offsetof(struct rkisp1_cif_isp_dpcc_methods_config, line_mad_fac)", field::DPCC_LINE_MAD_FAC),
    ("offsetof(struct rkisp1_cif_isp_dpcc_methods_config, pg_fac)", field::DPCC_PG_FAC),
    ("offsetof(struct rkisp1_cif_isp_dpcc_methods_config, rnd_thresh)", field::DPCC_RND_THRESH),
    ("offsetof(struct rkisp1_cif_isp_dpcc_methods_config, rg_fac)", field::DPCC_RG_FAC),
    ("offsetof(struct rkisp1_cif_isp_dpcc_config, ro_limits)", field::DPCC_RO_LIMITS),
    ("offsetof(struct rkisp1_cif_isp_dpcc_config, rnd_offs)", field::DPCC_RND_OFFS),
    ("offsetof(struct rkisp1_cif_isp_flt_config, mode)", field::FLT_MODE),
    ("offsetof(struct rkisp1_cif_isp_flt_config, grn_stage1)", field::FLT_GRN_STAGE1),
    ("offsetof(struct rkisp1_cif_isp_flt_config, chr_h_mode)", field::FLT_CHR_H_MODE),
    ("offsetof(struct rkisp1_cif_isp_flt_config, chr_v_mode)", field::FLT_CHR_V_MODE),
    ("offsetof(struct rkisp1_cif_isp_flt_config, thresh_bl0)", field::FLT_THRESH_BL0),
    ("offsetof(struct rkisp1_cif_isp_flt_config, thresh_bl1)", field::FLT_THRESH_BL1),
    ("offsetof(struct rkisp1_cif_isp_flt_config, thresh_sh0)", field::FLT_THRESH_SH0),
    ("offsetof(struct rkisp1_cif_isp_flt_config, thresh_sh1)", field::FLT_THRESH_SH1),
    ("offsetof(struct rkisp1_cif_isp_flt_config, lum_weight)", field::FLT_LUM_WEIGHT),
    ("offsetof(struct rkisp1_cif_isp_flt_config, fac_sh1)", field::FLT_FAC_SH1),
    ("offsetof(struct rkisp1_cif_isp_flt_config, fac_sh0)", field::FLT_FAC_SH0),
    ("offsetof(struct rkisp1_cif_isp_flt_config, fac_mid)", field::FLT_FAC_MID),
    ("offsetof(struct rkisp1_cif_isp_flt_config, fac_bl0)", field::FLT_FAC_BL0),
    ("offsetof(struct rkisp1_cif_isp_flt_config, fac_bl1)", field::FLT_FAC_BL1),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, gain.mode)", field::DPF_GAIN_MODE),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, gain.nf_r_gain)", field::DPF_NF_R_GAIN),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, gain.nf_b_gain)", field::DPF_NF_B_GAIN),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, gain.nf_gr_gain)", field::DPF_NF_GR_GAIN),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, gain.nf_gb_gain)", field::DPF_NF_GB_GAIN),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, g_flt.spatial_coeff)", field::DPF_G_SPATIAL),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, g_flt.gr_enable)", field::DPF_GR_ENABLE),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, g_flt.gb_enable)", field::DPF_GB_ENABLE),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, rb_flt.fltsize)", field::DPF_RB_FLTSIZE),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, rb_flt.spatial_coeff)", field::DPF_RB_SPATIAL),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, rb_flt.r_enable)", field::DPF_R_ENABLE),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, rb_flt.b_enable)", field::DPF_B_ENABLE),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, nll.coeff)", field::DPF_NLL_COEFF),
    ("offsetof(struct rkisp1_cif_isp_dpf_config, nll.scale_mode)", field::DPF_NLL_SCALE_MODE),
    ("offsetof(struct rkisp1_cif_isp_dpf_strength_config, r)", field::DPF_STRENGTH_R),
    ("offsetof(struct rkisp1_cif_isp_dpf_strength_config, g)", field::DPF_STRENGTH_G),
    ("offsetof(struct rkisp1_cif_isp_dpf_strength_config, b)", field::DPF_STRENGTH_B),
    // Extensible format.
    ("ext:sizeof(struct rkisp1_ext_params_block_header)", super::consts::EXT_BLOCK_HEADER_SIZE),
    ("ext:offsetof(struct rkisp1_ext_params_cfg, data)", super::consts::EXT_HEADER_SIZE),
    ("ext:sizeof(struct rkisp1_ext_params_bls_config)", ExtBlockType::Bls.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_dpcc_config)", ExtBlockType::Dpcc.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_sdg_config)", ExtBlockType::Sdg.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_awb_gain_config)", ExtBlockType::AwbGain.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_flt_config)", ExtBlockType::Flt.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_bdm_config)", ExtBlockType::Bdm.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_ctk_config)", ExtBlockType::Ctk.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_goc_config)", ExtBlockType::Goc.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_dpf_config)", ExtBlockType::Dpf.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_dpf_strength_config)", ExtBlockType::DpfStrength.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_cproc_config)", ExtBlockType::Cproc.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_ie_config)", ExtBlockType::Ie.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_lsc_config)", ExtBlockType::Lsc.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_awb_meas_config)", ExtBlockType::AwbMeas.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_hst_config)", ExtBlockType::HstMeas.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_aec_config)", ExtBlockType::AecMeas.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_afc_config)", ExtBlockType::AfcMeas.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_compand_bls_config)", ExtBlockType::CompandBls.block_size()),
    ("ext:sizeof(struct rkisp1_ext_params_compand_curve_config)", ExtBlockType::CompandExpand.block_size()),
    ("ext:offsetof(struct rkisp1_ext_params_bls_config, config)", super::consts::EXT_BLOCK_HEADER_SIZE),
    ("ext:offsetof(struct rkisp1_ext_params_goc_config, config)", super::consts::EXT_BLOCK_HEADER_SIZE),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_BLS", ExtBlockType::Bls as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_DPCC", ExtBlockType::Dpcc as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_SDG", ExtBlockType::Sdg as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_AWB_GAIN", ExtBlockType::AwbGain as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_FLT", ExtBlockType::Flt as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_BDM", ExtBlockType::Bdm as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_CTK", ExtBlockType::Ctk as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_GOC", ExtBlockType::Goc as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_DPF", ExtBlockType::Dpf as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_DPF_STRENGTH", ExtBlockType::DpfStrength as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_CPROC", ExtBlockType::Cproc as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_IE", ExtBlockType::Ie as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_LSC", ExtBlockType::Lsc as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_AWB_MEAS", ExtBlockType::AwbMeas as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_HST_MEAS", ExtBlockType::HstMeas as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_AEC_MEAS", ExtBlockType::AecMeas as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_AFC_MEAS", ExtBlockType::AfcMeas as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_COMPAND_BLS", ExtBlockType::CompandBls as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_COMPAND_EXPAND", ExtBlockType::CompandExpand as usize),
    ("ext:RKISP1_EXT_PARAMS_BLOCK_TYPE_COMPAND_COMPRESS", ExtBlockType::CompandCompress as usize),
    ("ext:RKISP1_EXT_PARAMS_FL_BLOCK_DISABLE", super::consts::EXT_FL_BLOCK_DISABLE as usize),
    ("ext:RKISP1_EXT_PARAMS_FL_BLOCK_ENABLE", super::consts::EXT_FL_BLOCK_ENABLE as usize),
    ("ext:RKISP1_EXT_PARAM_BUFFER_V1", super::consts::EXT_PARAM_BUFFER_V1 as usize),
    ("wdr:RKISP1_EXT_PARAMS_BLOCK_TYPE_WDR", ExtBlockType::Wdr as usize),
    ("wdr:sizeof(struct rkisp1_ext_params_wdr_config)", ExtBlockType::Wdr.block_size()),
    ("wdr:RKISP1_CID_SUPPORTED_PARAMS_BLOCKS", super::consts::CID_SUPPORTED_PARAMS_BLOCKS as usize),
    // Constants.
    ("RKISP1_CIF_ISP_AE_MEAN_MAX_V10", super::consts::AE_MEAN_MAX_V10),
    ("RKISP1_CIF_ISP_AE_MEAN_MAX_V12", super::consts::AE_MEAN_MAX_V12),
    ("RKISP1_CIF_ISP_HIST_BIN_N_MAX_V10", super::consts::HIST_BIN_N_MAX_V10),
    ("RKISP1_CIF_ISP_HIST_BIN_N_MAX_V12", super::consts::HIST_BIN_N_MAX_V12),
    ("RKISP1_CIF_ISP_HISTOGRAM_WEIGHT_GRIDS_SIZE_V10", super::consts::HISTOGRAM_WEIGHT_GRIDS_SIZE_V10),
    ("RKISP1_CIF_ISP_HISTOGRAM_WEIGHT_GRIDS_SIZE_V12", super::consts::HISTOGRAM_WEIGHT_GRIDS_SIZE_V12),
    ("RKISP1_CIF_ISP_GAMMA_OUT_MAX_SAMPLES_V10", super::consts::GAMMA_OUT_MAX_SAMPLES_V10),
    ("RKISP1_CIF_ISP_GAMMA_OUT_MAX_SAMPLES_V12", super::consts::GAMMA_OUT_MAX_SAMPLES_V12),
    ("RKISP1_CIF_ISP_LSC_SAMPLES_MAX", super::consts::LSC_SAMPLES_MAX),
    ("RKISP1_CIF_ISP_DPCC_METHODS_MAX", super::consts::DPCC_METHODS_MAX),
    ("RKISP1_CIF_ISP_DPF_MAX_NLF_COEFFS", super::consts::DPF_MAX_NLF_COEFFS),
    ("RKISP1_CIF_ISP_DPF_MAX_SPATIAL_COEFFS", super::consts::DPF_MAX_SPATIAL_COEFFS),
    ("RKISP1_CIF_ISP_DPCC_MODE_STAGE1_ENABLE", super::consts::dpcc::MODE_STAGE1_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_OUTPUT_MODE_STAGE1_INCL_G_CENTER", super::consts::dpcc::OUTPUT_MODE_STAGE1_INCL_G_CENTER as usize),
    ("RKISP1_CIF_ISP_DPCC_OUTPUT_MODE_STAGE1_INCL_RB_CENTER", super::consts::dpcc::OUTPUT_MODE_STAGE1_INCL_RB_CENTER as usize),
    ("RKISP1_CIF_ISP_DPCC_OUTPUT_MODE_STAGE1_G_3X3", super::consts::dpcc::OUTPUT_MODE_STAGE1_G_3X3 as usize),
    ("RKISP1_CIF_ISP_DPCC_OUTPUT_MODE_STAGE1_RB_3X3", super::consts::dpcc::OUTPUT_MODE_STAGE1_RB_3X3 as usize),
    ("RKISP1_CIF_ISP_DPCC_SET_USE_STAGE1_USE_FIX_SET", super::consts::dpcc::SET_USE_STAGE1_USE_FIX_SET as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_PG_GREEN_ENABLE", super::consts::dpcc::METHODS_SET_PG_GREEN_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_LC_GREEN_ENABLE", super::consts::dpcc::METHODS_SET_LC_GREEN_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RO_GREEN_ENABLE", super::consts::dpcc::METHODS_SET_RO_GREEN_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RND_GREEN_ENABLE", super::consts::dpcc::METHODS_SET_RND_GREEN_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RG_GREEN_ENABLE", super::consts::dpcc::METHODS_SET_RG_GREEN_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_PG_RED_BLUE_ENABLE", super::consts::dpcc::METHODS_SET_PG_RED_BLUE_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_LC_RED_BLUE_ENABLE", super::consts::dpcc::METHODS_SET_LC_RED_BLUE_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RO_RED_BLUE_ENABLE", super::consts::dpcc::METHODS_SET_RO_RED_BLUE_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RND_RED_BLUE_ENABLE", super::consts::dpcc::METHODS_SET_RND_RED_BLUE_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPCC_METHODS_SET_RG_RED_BLUE_ENABLE", super::consts::dpcc::METHODS_SET_RG_RED_BLUE_ENABLE as usize),
    ("RKISP1_CIF_ISP_DPF_GAIN_USAGE_AWB_LSC_GAINS", super::consts::dpf_gain::AWB_LSC_GAINS as usize),
    ("RKISP1_CIF_ISP_DPF_GAIN_USAGE_NF_GAINS", super::consts::dpf_gain::NF_GAINS as usize),
    ("RKISP1_CIF_ISP_DPF_GAIN_USAGE_LSC_GAINS", super::consts::dpf_gain::LSC_GAINS as usize),
    ("RKISP1_CIF_ISP_DPF_GAIN_USAGE_AWB_GAINS", super::consts::dpf_gain::AWB_GAINS as usize),
    ("RKISP1_CIF_ISP_DPF_RB_FILTERSIZE_13x9", super::consts::DPF_RB_FILTERSIZE_13X9 as usize),
    ("RKISP1_CIF_ISP_DPF_RB_FILTERSIZE_9x9", super::consts::DPF_RB_FILTERSIZE_9X9 as usize),
    ("RKISP1_CIF_ISP_NLL_SCALE_LOGARITHMIC", super::consts::NLL_SCALE_LOGARITHMIC as usize),
    ("RKISP1_CIF_ISP_FLT_DYNAMIC_MODE", super::consts::FLT_DYNAMIC_MODE as usize),
    ("RKISP1_CIF_ISP_STAT_AWB", super::consts::STAT_AWB as usize),
    ("RKISP1_CIF_ISP_STAT_AUTOEXP", super::consts::STAT_AUTOEXP as usize),
    ("RKISP1_CIF_ISP_STAT_AFM", super::consts::STAT_AFM as usize),
    ("RKISP1_CIF_ISP_STAT_HIST", super::consts::STAT_HIST as usize),
    ("RKISP1_CIF_ISP_MODULE_DPCC", super::consts::module::DPCC as usize),
    ("RKISP1_CIF_ISP_MODULE_BLS", super::consts::module::BLS as usize),
    ("RKISP1_CIF_ISP_MODULE_SDG", super::consts::module::SDG as usize),
    ("RKISP1_CIF_ISP_MODULE_HST", super::consts::module::HST as usize),
    ("RKISP1_CIF_ISP_MODULE_LSC", super::consts::module::LSC as usize),
    ("RKISP1_CIF_ISP_MODULE_AWB_GAIN", super::consts::module::AWB_GAIN as usize),
    ("RKISP1_CIF_ISP_MODULE_FLT", super::consts::module::FLT as usize),
    ("RKISP1_CIF_ISP_MODULE_BDM", super::consts::module::BDM as usize),
    ("RKISP1_CIF_ISP_MODULE_CTK", super::consts::module::CTK as usize),
    ("RKISP1_CIF_ISP_MODULE_GOC", super::consts::module::GOC as usize),
    ("RKISP1_CIF_ISP_MODULE_CPROC", super::consts::module::CPROC as usize),
    ("RKISP1_CIF_ISP_MODULE_AFC", super::consts::module::AFC as usize),
    ("RKISP1_CIF_ISP_MODULE_AWB", super::consts::module::AWB as usize),
    ("RKISP1_CIF_ISP_MODULE_IE", super::consts::module::IE as usize),
    ("RKISP1_CIF_ISP_MODULE_AEC", super::consts::module::AEC as usize),
    ("RKISP1_CIF_ISP_MODULE_WDR", super::consts::module::WDR as usize),
    ("RKISP1_CIF_ISP_MODULE_DPF", super::consts::module::DPF as usize),
    ("RKISP1_CIF_ISP_MODULE_DPF_STRENGTH", super::consts::module::DPF_STRENGTH as usize),
    ("RKISP1_CIF_ISP_HISTOGRAM_MODE_RGB_COMBINED", super::consts::HISTOGRAM_MODE_RGB_COMBINED as usize),
    ("RKISP1_CIF_ISP_HISTOGRAM_MODE_Y_HISTOGRAM", super::consts::HISTOGRAM_MODE_Y as usize),
    ("RKISP1_CIF_ISP_AWB_MODE_YCBCR", super::consts::AWB_MODE_YCBCR as usize),
    ("RKISP1_CIF_ISP_AWB_MODE_RGB", super::consts::AWB_MODE_RGB as usize),
    ("RKISP1_CIF_ISP_EXP_MEASURING_MODE_1", super::consts::EXP_MEASURING_MODE_1 as usize),
    ("RKISP1_CIF_ISP_GOC_MODE_LOGARITHMIC", super::consts::GOC_MODE_LOGARITHMIC as usize),
    ("RKISP1_CIF_ISP_GOC_MODE_EQUIDISTANT", super::consts::GOC_MODE_EQUIDISTANT as usize),
    ("RKISP1_V10", 10),
    ("RKISP1_V12", 12),
    ("V4L2_META_FMT_RK_ISP1_PARAMS", super::consts::FOURCC_RK1P as usize),
    ("V4L2_META_FMT_RK_ISP1_STAT_3A", super::consts::FOURCC_RK1S as usize),
    ("ext:V4L2_META_FMT_RK_ISP1_EXT_PARAMS", super::consts::FOURCC_RK1E as usize),
];
