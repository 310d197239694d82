//! Layout bindings for the ISP model's params decoder (`src/isp/decode.rs`), generated
//! from the kernel's UAPI header: a C probe including `linux/rkisp1-config.h` is compiled
//! with the host C compiler and prints, for each struct member the decoder reads, its
//! offset, element size and element count, plus the block type ids, block sizes, flags and
//! module bits. The decoder thus owes nothing to the IPA's own struct mirrors (`rkisp1_ipa::abi`):
//! a layout or field-order mistake there shows up as a mismatch in the simulator.
//!
//! The header must declare the extensible params format (Linux 6.12 and later). It is the
//! first of: `$RKISP1_UAPI_INCLUDE/linux/rkisp1-config.h`, the system's
//! `/usr/include/linux/rkisp1-config.h`, and the copies `scripts/fetch-kernel-headers`
//! caches under `.cache/kernel-headers/` (Debian 12's system header is Linux 6.1, which
//! has the fixed format only).
//!
//! The probe runs on the build machine; the UAPI structs use fixed-width types with
//! natural alignment, so their layout is the same on every 64-bit little-endian target we
//! build for (x86_64, aarch64).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A member path, with `[]` for an array (its elements are read) and `[][]` for a
/// two-dimensional one (read as its flattened elements, row-major like C).
type Members = &'static [&'static str];

/// (Rust module, C struct, members the decoder reads).
const STRUCTS: &[(&str, &str, Members)] = &[
    (
        "params_cfg",
        "rkisp1_params_cfg",
        &[
            "module_en_update",
            "module_ens",
            "module_cfg_update",
            "meas.awb_meas_config",
            "meas.hst_config",
            "meas.aec_config",
            "meas.afc_config",
            "others.dpcc_config",
            "others.bls_config",
            "others.sdg_config",
            "others.lsc_config",
            "others.awb_gain_config",
            "others.flt_config",
            "others.bdm_config",
            "others.ctk_config",
            "others.goc_config",
            "others.dpf_config",
            "others.dpf_strength_config",
            "others.cproc_config",
            "others.ie_config",
        ],
    ),
    ("ext_params_cfg", "rkisp1_ext_params_cfg", &["version", "data_size", "data[]"]),
    ("ext_block_header", "rkisp1_ext_params_block_header", &["type", "flags", "size"]),
    ("window", "rkisp1_cif_isp_window", &["h_offs", "v_offs", "h_size", "v_size"]),
    ("bls", "rkisp1_cif_isp_bls_config", &["enable_auto", "en_windows", "fixed_val.r", "fixed_val.gr", "fixed_val.gb", "fixed_val.b"]),
    ("awb_gain", "rkisp1_cif_isp_awb_gain_config", &["gain_red", "gain_green_r", "gain_blue", "gain_green_b"]),
    ("ctk", "rkisp1_cif_isp_ctk_config", &["coeff[][]", "ct_offset[]"]),
    ("goc", "rkisp1_cif_isp_goc_config", &["mode", "gamma_y[]"]),
    (
        "awb_meas",
        "rkisp1_cif_isp_awb_meas_config",
        &["awb_wnd", "awb_mode", "max_y", "min_y", "max_csum", "min_c", "frames", "awb_ref_cr", "awb_ref_cb", "enable_ymax_cmp"],
    ),
    ("hst", "rkisp1_cif_isp_hst_config", &["mode", "histogram_predivider", "meas_window", "hist_weight[]"]),
    ("aec", "rkisp1_cif_isp_aec_config", &["mode", "autostop", "meas_window"]),
    ("cproc", "rkisp1_cif_isp_cproc_config", &["c_out_range", "y_in_range", "y_out_range", "contrast", "brightness", "sat", "hue"]),
    (
        "lsc",
        "rkisp1_cif_isp_lsc_config",
        &["r_data_tbl[][]", "gr_data_tbl[][]", "gb_data_tbl[][]", "b_data_tbl[][]", "x_grad_tbl[]", "y_grad_tbl[]", "x_size_tbl[]", "y_size_tbl[]"],
    ),
    ("dpcc", "rkisp1_cif_isp_dpcc_config", &["mode", "output_mode", "set_use", "methods[]", "ro_limits", "rnd_offs"]),
    ("dpcc_methods", "rkisp1_cif_isp_dpcc_methods_config", &["method", "line_thresh", "line_mad_fac", "pg_fac", "rnd_thresh", "rg_fac"]),
    (
        "flt",
        "rkisp1_cif_isp_flt_config",
        &[
            "mode",
            "grn_stage1",
            "chr_h_mode",
            "chr_v_mode",
            "thresh_bl0",
            "thresh_bl1",
            "thresh_sh0",
            "thresh_sh1",
            "lum_weight",
            "fac_sh1",
            "fac_sh0",
            "fac_mid",
            "fac_bl0",
            "fac_bl1",
        ],
    ),
    (
        "dpf",
        "rkisp1_cif_isp_dpf_config",
        &[
            "gain.mode",
            "gain.nf_r_gain",
            "gain.nf_b_gain",
            "gain.nf_gr_gain",
            "gain.nf_gb_gain",
            "g_flt.spatial_coeff[]",
            "g_flt.gr_enable",
            "g_flt.gb_enable",
            "rb_flt.fltsize",
            "rb_flt.spatial_coeff[]",
            "rb_flt.r_enable",
            "rb_flt.b_enable",
            "nll.coeff[]",
            "nll.scale_mode",
        ],
    ),
    ("dpf_strength", "rkisp1_cif_isp_dpf_strength_config", &["r", "g", "b"]),
];

/// Extensible-format block types: (enum suffix, block struct suffix).
const BLOCK_TYPES: &[(&str, &str)] = &[
    ("BLS", "bls"),
    ("DPCC", "dpcc"),
    ("SDG", "sdg"),
    ("AWB_GAIN", "awb_gain"),
    ("FLT", "flt"),
    ("BDM", "bdm"),
    ("CTK", "ctk"),
    ("GOC", "goc"),
    ("DPF", "dpf"),
    ("DPF_STRENGTH", "dpf_strength"),
    ("CPROC", "cproc"),
    ("IE", "ie"),
    ("LSC", "lsc"),
    ("AWB_MEAS", "awb_meas"),
    ("HST_MEAS", "hst"),
    ("AEC_MEAS", "aec"),
    ("AFC_MEAS", "afc"),
    ("COMPAND_BLS", "compand_bls"),
    ("COMPAND_EXPAND", "compand_curve"),
    ("COMPAND_COMPRESS", "compand_curve"),
];

/// Macros and enum values the decoder uses, printed as `u32` constants.
const CONSTANTS: &[&str] = &[
    "RKISP1_EXT_PARAM_BUFFER_V1",
    "RKISP1_EXT_PARAMS_FL_BLOCK_DISABLE",
    "RKISP1_EXT_PARAMS_FL_BLOCK_ENABLE",
    "RKISP1_CIF_ISP_MODULE_DPCC",
    "RKISP1_CIF_ISP_MODULE_BLS",
    "RKISP1_CIF_ISP_MODULE_SDG",
    "RKISP1_CIF_ISP_MODULE_HST",
    "RKISP1_CIF_ISP_MODULE_LSC",
    "RKISP1_CIF_ISP_MODULE_AWB_GAIN",
    "RKISP1_CIF_ISP_MODULE_FLT",
    "RKISP1_CIF_ISP_MODULE_BDM",
    "RKISP1_CIF_ISP_MODULE_CTK",
    "RKISP1_CIF_ISP_MODULE_GOC",
    "RKISP1_CIF_ISP_MODULE_CPROC",
    "RKISP1_CIF_ISP_MODULE_AFC",
    "RKISP1_CIF_ISP_MODULE_AWB",
    "RKISP1_CIF_ISP_MODULE_IE",
    "RKISP1_CIF_ISP_MODULE_AEC",
    "RKISP1_CIF_ISP_MODULE_DPF",
    "RKISP1_CIF_ISP_MODULE_DPF_STRENGTH",
];

/// The include directory whose `linux/rkisp1-config.h` has the extensible format.
fn include_dir() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("sim/ is inside the repository").to_path_buf();
    let mut candidates = Vec::new();
    if let Some(dir) = std::env::var_os("RKISP1_UAPI_INCLUDE") {
        candidates.push(PathBuf::from(dir));
    }
    candidates.push(PathBuf::from("/usr/include"));
    candidates.push(repo.join(".cache/kernel-headers/debian-6.12"));
    candidates.push(repo.join(".cache/kernel-headers/debian-newest"));
    for dir in &candidates {
        let header = dir.join("linux/rkisp1-config.h");
        if std::fs::read_to_string(&header).is_ok_and(|h| h.contains("RKISP1_EXT_PARAMS_BLOCK_TYPE_COMPAND_COMPRESS")) {
            return dir.clone();
        }
    }
    panic!(
        "no linux/rkisp1-config.h with the extensible params format (Linux >= 6.12) in {candidates:?}: \
         run scripts/fetch-kernel-headers, install a newer linux-libc-dev, or set RKISP1_UAPI_INCLUDE"
    );
}

/// `fixed_val.r` → `FIXED_VAL_R`.
fn const_name(member: &str) -> String {
    member.trim_end_matches("[]").replace('.', "_").to_uppercase()
}

fn probe_source() -> String {
    let mut c = String::from("#include <stddef.h>\n#include <stdio.h>\n#include <linux/rkisp1-config.h>\nint main(void) {\n");
    let mut line = |fmt: &str, args: &str| writeln!(c, "    printf(\"{fmt}\\n\"{args});").unwrap();
    for (module, st, members) in STRUCTS {
        line(&format!("pub mod {module} {{ use super::Field; pub const SIZEOF: usize = %zu;"), &format!(", sizeof(struct {st})"));
        for m in *members {
            let path = m.trim_end_matches("[]");
            let elem = format!("((struct {st} *)0)->{path}{}", &m[path.len()..].replace("[]", "[0]"));
            line(
                &format!("    pub const {}: Field<%zu, %zu> = Field::at(%zu);", const_name(m)),
                &format!(", sizeof({elem}), sizeof(((struct {st} *)0)->{path}) / sizeof({elem}), offsetof(struct {st}, {path})"),
            );
        }
        line("}", "");
    }
    for (ty, blk) in BLOCK_TYPES {
        line(&format!("pub const BLOCK_TYPE_{ty}: u32 = %u;"), &format!(", (unsigned)RKISP1_EXT_PARAMS_BLOCK_TYPE_{ty}"));
        line(&format!("pub const BLOCK_SIZE_{ty}: usize = %zu;"), &format!(", sizeof(struct rkisp1_ext_params_{blk}_config)"));
        line(&format!("pub const BLOCK_CONFIG_{ty}: usize = %zu;"), &format!(", offsetof(struct rkisp1_ext_params_{blk}_config, config)"));
    }
    for name in CONSTANTS {
        line(&format!("pub const {name}: u32 = %u;"), &format!(", (unsigned)({name})"));
    }
    c += "    return 0;\n}\n";
    c
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RKISP1_UAPI_INCLUDE");
    let include = include_dir();
    let header = include.join("linux/rkisp1-config.h");
    println!("cargo:rerun-if-changed={}", header.display());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let src = out.join("rkisp1_uapi_probe.c");
    let exe = out.join("rkisp1_uapi_probe");
    std::fs::write(&src, probe_source()).expect("write the probe");
    let cc = std::env::var("HOST_CC").unwrap_or_else(|_| "cc".into());
    let built = Command::new(&cc).arg(format!("-I{}", include.display())).arg("-o").arg(&exe).arg(&src).output();
    let built = built.unwrap_or_else(|e| panic!("running the C compiler `{cc}`: {e}"));
    assert!(built.status.success(), "the UAPI probe did not compile against {}:\n{}", header.display(), String::from_utf8_lossy(&built.stderr));
    let run = Command::new(&exe).output().expect("run the UAPI probe");
    assert!(run.status.success(), "the UAPI probe failed");
    let mut rust = format!("// Generated by sim/build.rs from {}.\n", header.display());
    rust += &String::from_utf8(run.stdout).expect("probe output is text");
    std::fs::write(out.join("rkisp1_uapi.rs"), rust).expect("write the bindings");
}
