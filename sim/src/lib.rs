//! Simulator of the PinePhone Pro sensors and the RK3399 ISP, driving the rkisp1 IPA
//! through the kernel's byte formats.

pub mod bench;
pub mod dpcc;
pub mod dpf;
pub mod flt;
pub mod isp;
pub mod metrics;
pub mod output;
pub mod random_scene;
pub mod robustness;
pub mod robustness_report;
pub mod run;
pub mod scenarios;
pub mod scene;
pub mod sensor;
pub mod variation;

/// Tuning files shipped in the repository, built in so the simulator runs anywhere.
pub fn builtin_tuning(sensor: &str) -> Option<(&'static str, &'static str)> {
    match sensor {
        "imx258" => Some(("tuning/imx258.yaml", include_str!("../../tuning/imx258.yaml"))),
        "ov8858" => Some(("tuning/ov8858.yaml", include_str!("../../tuning/ov8858.yaml"))),
        _ => None,
    }
}
