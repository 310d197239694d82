//! `#[repr(C)]` mirrors of the rkisp1 UAPI structs (`linux/rkisp1-config.h`), field for
//! field and with the kernel's names, so that buffers are read and written with `zerocopy`
//! instead of hand-kept byte offsets. Implicit C padding is spelled out as `_pad*` fields
//! (zeroed, as the kernel expects). The layout of every struct and field listed here is
//! compared with the real kernel headers by `tests/abi_layout.rs` through [`STRUCTS`].

use super::consts::*;
use core::mem::{offset_of, size_of};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

// The structs use native integers: both the host and the phone are little-endian, which
// is the byte order the kernel's buffers have on the targets we build for.
#[cfg(not(target_endian = "little"))]
compile_error!("the rkisp1 UAPI mirrors assume a little-endian target");

/// Which kernel headers declare a struct (they are checked against those that do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// Every header we support (Linux 6.1): the fixed params format and the statistics.
    Fixed,
    /// Headers with the extensible params format and its compand blocks (Linux 6.12).
    Ext,
    /// Headers with the WDR block (the newest).
    Wdr,
}

/// Layout of one field as Rust computes it.
#[derive(Debug, Clone, Copy)]
pub struct FieldLayout {
    pub name: &'static str,
    pub offset: usize,
    pub size: usize,
}

/// Layout of one mirrored struct as Rust computes it, with the C struct it mirrors.
#[derive(Debug, Clone, Copy)]
pub struct StructLayout {
    pub c_name: &'static str,
    pub since: Since,
    pub size: usize,
    pub fields: &'static [FieldLayout],
}

/// The C struct a Rust mirror stands for.
pub trait CStruct {
    const C_NAME: &'static str;
}

/// Defines the mirrors and, from the same text, their [`StructLayout`]s.
macro_rules! uapi_structs {
    ($(
        $(#[$attr:meta])*
        $since:ident $c_name:literal struct $name:ident { $($field:ident: $ty:ty),* $(,)? }
    )*) => {
        $(
            $(#[$attr])*
            #[repr(C)]
            #[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
            pub struct $name {
                $(pub $field: $ty,)*
            }

            impl CStruct for $name {
                const C_NAME: &'static str = $c_name;
            }
        )*

        /// Every mirrored struct, for the layout check against the kernel headers.
        pub const STRUCTS: &[StructLayout] = &[$(
            StructLayout {
                c_name: $c_name,
                since: Since::$since,
                size: size_of::<$name>(),
                fields: &[$(FieldLayout { name: stringify!($field), offset: offset_of!($name, $field), size: size_of::<$ty>() }),*],
            }
        ),*];
    };
}

uapi_structs! {
    /// A measurement window in ISP input coordinates.
    #[derive(Default)]
    Fixed "rkisp1_cif_isp_window" struct Window { h_offs: u16, v_offs: u16, h_size: u16, v_size: u16 }

    // Statistics ('RK1S').
    Fixed "rkisp1_cif_isp_awb_meas" struct AwbMeas { cnt: u32, mean_y_or_g: u8, mean_cb_or_b: u8, mean_cr_or_r: u8, _pad: u8 }
    Fixed "rkisp1_cif_isp_awb_stat" struct AwbStat { awb_mean: [AwbMeas; AWB_MAX_GRID] }
    Fixed "rkisp1_cif_isp_bls_meas_val" struct BlsMeasVal { meas_r: u16, meas_gr: u16, meas_gb: u16, meas_b: u16 }
    Fixed "rkisp1_cif_isp_ae_stat" struct AeStat { exp_mean: [u8; AE_MEAN_MAX], _pad: u8, bls_val: BlsMeasVal }
    Fixed "rkisp1_cif_isp_af_meas_val" struct AfMeasVal { sum: u32, lum: u32 }
    Fixed "rkisp1_cif_isp_af_stat" struct AfStat { window: [AfMeasVal; AFM_MAX_WINDOWS] }
    Fixed "rkisp1_cif_isp_hist_stat" struct HistStat { hist_bins: [u32; HIST_BIN_N_MAX] }
    Fixed "rkisp1_cif_isp_stat" struct Stat { awb: AwbStat, ae: AeStat, _pad: [u8; 2], af: AfStat, hist: HistStat }
    Fixed "rkisp1_stat_buffer" struct StatBuffer { meas_type: u32, frame_id: u32, params: Stat }

    // Per-module configs, shared by both params formats.
    Fixed "rkisp1_cif_isp_bls_fixed_val" struct BlsFixedVal { r: i16, gr: i16, gb: i16, b: i16 }
    Fixed "rkisp1_cif_isp_bls_config" struct BlsConfig {
        enable_auto: u8,
        en_windows: u8,
        bls_window1: Window,
        bls_window2: Window,
        bls_samples: u8,
        _pad: u8,
        fixed_val: BlsFixedVal,
    }
    Fixed "rkisp1_cif_isp_dpcc_methods_config" struct DpccMethodsConfig {
        method: u32,
        line_thresh: u32,
        line_mad_fac: u32,
        pg_fac: u32,
        rnd_thresh: u32,
        rg_fac: u32,
    }
    Fixed "rkisp1_cif_isp_dpcc_config" struct DpccConfig {
        mode: u32,
        output_mode: u32,
        set_use: u32,
        methods: [DpccMethodsConfig; DPCC_METHODS_MAX],
        ro_limits: u32,
        rnd_offs: u32,
    }
    Fixed "rkisp1_cif_isp_gamma_corr_curve" struct GammaCorrCurve { gamma_y: [u16; DEGAMMA_CURVE_SIZE] }
    Fixed "rkisp1_cif_isp_gamma_curve_x_axis_pnts" struct GammaCurveXAxisPnts { gamma_dx0: u32, gamma_dx1: u32 }
    Fixed "rkisp1_cif_isp_sdg_config" struct SdgConfig {
        curve_r: GammaCorrCurve,
        curve_g: GammaCorrCurve,
        curve_b: GammaCorrCurve,
        _pad: [u8; 2],
        xa_pnts: GammaCurveXAxisPnts,
    }
    Fixed "rkisp1_cif_isp_lsc_config" struct LscConfig {
        r_data_tbl: [[u16; LSC_SAMPLES_MAX]; LSC_SAMPLES_MAX],
        gr_data_tbl: [[u16; LSC_SAMPLES_MAX]; LSC_SAMPLES_MAX],
        gb_data_tbl: [[u16; LSC_SAMPLES_MAX]; LSC_SAMPLES_MAX],
        b_data_tbl: [[u16; LSC_SAMPLES_MAX]; LSC_SAMPLES_MAX],
        x_grad_tbl: [u16; LSC_SECTORS_TBL_SIZE],
        y_grad_tbl: [u16; LSC_SECTORS_TBL_SIZE],
        x_size_tbl: [u16; LSC_SECTORS_TBL_SIZE],
        y_size_tbl: [u16; LSC_SECTORS_TBL_SIZE],
        config_width: u16,
        config_height: u16,
    }
    Fixed "rkisp1_cif_isp_ie_config" struct IeConfig {
        effect: u16,
        color_sel: u16,
        eff_mat_1: u16,
        eff_mat_2: u16,
        eff_mat_3: u16,
        eff_mat_4: u16,
        eff_mat_5: u16,
        eff_tint: u16,
    }
    Fixed "rkisp1_cif_isp_cproc_config" struct CprocConfig {
        c_out_range: u8,
        y_in_range: u8,
        y_out_range: u8,
        contrast: u8,
        brightness: u8,
        sat: u8,
        hue: u8,
    }
    Fixed "rkisp1_cif_isp_awb_meas_config" struct AwbMeasConfig {
        awb_wnd: Window,
        awb_mode: u32,
        max_y: u8,
        min_y: u8,
        max_csum: u8,
        min_c: u8,
        frames: u8,
        awb_ref_cr: u8,
        awb_ref_cb: u8,
        enable_ymax_cmp: u8,
    }
    Fixed "rkisp1_cif_isp_awb_gain_config" struct AwbGainConfig { gain_red: u16, gain_green_r: u16, gain_blue: u16, gain_green_b: u16 }
    Fixed "rkisp1_cif_isp_flt_config" struct FltConfig {
        mode: u32,
        grn_stage1: u8,
        chr_h_mode: u8,
        chr_v_mode: u8,
        _pad: u8,
        thresh_bl0: u32,
        thresh_bl1: u32,
        thresh_sh0: u32,
        thresh_sh1: u32,
        lum_weight: u32,
        fac_sh1: u32,
        fac_sh0: u32,
        fac_mid: u32,
        fac_bl0: u32,
        fac_bl1: u32,
    }
    Fixed "rkisp1_cif_isp_bdm_config" struct BdmConfig { demosaic_th: u8 }
    Fixed "rkisp1_cif_isp_ctk_config" struct CtkConfig { coeff: [[u16; 3]; 3], ct_offset: [u16; 3] }
    Fixed "rkisp1_cif_isp_goc_config" struct GocConfig { mode: u32, gamma_y: [u16; GAMMA_OUT_MAX_SAMPLES] }
    Fixed "rkisp1_cif_isp_hst_config" struct HstConfig {
        mode: u32,
        histogram_predivider: u8,
        _pad: u8,
        meas_window: Window,
        hist_weight: [u8; HISTOGRAM_WEIGHT_GRIDS_SIZE],
        _pad_end: u8,
    }
    Fixed "rkisp1_cif_isp_aec_config" struct AecConfig { mode: u32, autostop: u32, meas_window: Window }
    Fixed "rkisp1_cif_isp_afc_config" struct AfcConfig {
        num_afm_win: u8,
        _pad: u8,
        afm_win: [Window; AFM_MAX_WINDOWS],
        _pad_end: [u8; 2],
        thres: u32,
        var_shift: u32,
    }
    Fixed "rkisp1_cif_isp_dpf_gain" struct DpfGain { mode: u32, nf_r_gain: u16, nf_b_gain: u16, nf_gr_gain: u16, nf_gb_gain: u16 }
    Fixed "rkisp1_cif_isp_dpf_g_flt" struct DpfGFlt { spatial_coeff: [u8; DPF_MAX_SPATIAL_COEFFS], gr_enable: u8, gb_enable: u8 }
    Fixed "rkisp1_cif_isp_dpf_rb_flt" struct DpfRbFlt { fltsize: u32, spatial_coeff: [u8; DPF_MAX_SPATIAL_COEFFS], r_enable: u8, b_enable: u8 }
    Fixed "rkisp1_cif_isp_dpf_nll" struct DpfNll { coeff: [u16; DPF_MAX_NLF_COEFFS], _pad: [u8; 2], scale_mode: u32 }
    Fixed "rkisp1_cif_isp_dpf_config" struct DpfConfig { gain: DpfGain, g_flt: DpfGFlt, rb_flt: DpfRbFlt, nll: DpfNll }
    Fixed "rkisp1_cif_isp_dpf_strength_config" struct DpfStrengthConfig { r: u8, g: u8, b: u8 }

    // The fixed params format ('RK1P').
    Fixed "rkisp1_cif_isp_isp_other_cfg" struct IspOtherCfg {
        dpcc_config: DpccConfig,
        bls_config: BlsConfig,
        sdg_config: SdgConfig,
        lsc_config: LscConfig,
        awb_gain_config: AwbGainConfig,
        flt_config: FltConfig,
        bdm_config: BdmConfig,
        _pad_bdm: u8,
        ctk_config: CtkConfig,
        _pad_ctk: [u8; 2],
        goc_config: GocConfig,
        dpf_config: DpfConfig,
        dpf_strength_config: DpfStrengthConfig,
        cproc_config: CprocConfig,
        ie_config: IeConfig,
        _pad_end: [u8; 2],
    }
    Fixed "rkisp1_cif_isp_isp_meas_cfg" struct IspMeasCfg {
        awb_meas_config: AwbMeasConfig,
        hst_config: HstConfig,
        aec_config: AecConfig,
        afc_config: AfcConfig,
    }
    Fixed "rkisp1_params_cfg" struct ParamsCfg {
        module_en_update: u32,
        module_ens: u32,
        module_cfg_update: u32,
        meas: IspMeasCfg,
        others: IspOtherCfg,
    }

    // Blocks only the extensible format ('RK1E') has.
    Ext "rkisp1_cif_isp_compand_bls_config" struct CompandBlsConfig { r: u32, gr: u32, gb: u32, b: u32 }
    Ext "rkisp1_cif_isp_compand_curve_config" struct CompandCurveConfig { px: [u8; COMPAND_NUM_POINTS], x: [u32; COMPAND_NUM_POINTS], y: [u32; COMPAND_NUM_POINTS] }
    #[allow(non_snake_case)]
    Wdr "rkisp1_cif_isp_wdr_tone_curve" struct WdrToneCurve { dY: [u32; WDR_CURVE_NUM_DY_REGS], ym: [u16; WDR_CURVE_NUM_COEFF], _pad: [u8; 2] }
    Wdr "rkisp1_cif_isp_wdr_iref_config" struct WdrIrefConfig { rgb_factor: u8, use_y9_8: u8, use_rgb7_8: u8, disable_transient: u8 }
    Wdr "rkisp1_cif_isp_wdr_config" struct WdrConfig {
        tone_curve: WdrToneCurve,
        iref_config: WdrIrefConfig,
        rgb_offset: u16,
        luma_offset: u16,
        dmin_thresh: u16,
        dmin_strength: u8,
        use_rgb_colorspace: u8,
        bypass_chroma_mapping: u8,
        use_iref: u8,
        _pad_end: [u8; 2],
    }

    // The extensible format's framing.
    Ext "rkisp1_ext_params_block_header" struct ExtBlockHeader { r#type: u16, flags: u16, size: u32 }
}

/// The fixed part of `struct rkisp1_ext_params_cfg`; the blocks follow it. (Not in
/// [`STRUCTS`]: the C struct also counts its data array; `abi::layout` checks the two
/// fields and where the data starts.)
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct ExtParamsCfgHeader {
    pub version: u32,
    pub data_size: u32,
}

/// `struct rkisp1_ext_params_<block>_config`: a block header and the block's config,
/// 8-byte aligned so that blocks follow each other without gaps.
#[repr(C, align(8))]
pub struct ExtBlock<T> {
    pub header: ExtBlockHeader,
    pub config: T,
}

/// Size of the whole extensible-format block carrying a `T`.
pub const fn ext_block_size<T>() -> usize {
    size_of::<ExtBlock<T>>()
}

/// Offset of the config inside an extensible-format block.
pub const fn ext_config_offset<T>() -> usize {
    offset_of!(ExtBlock<T>, config)
}
