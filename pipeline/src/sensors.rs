//! What we know about the sensors' drivers when the hardware cannot be asked (offline
//! plans from a `media-ctl -p` dump, which shows a sensor's current format but not its
//! modes). On the phone the modes are enumerated from the driver instead.
//!
//! Facts: ../shared/reference/kernel-rkisp1.md §4 (imx258), §5 (ov8858), §3 (which camera
//! faces where on the PinePhone Pro).

use crate::mbus::{self, BayerOrder};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SensorMode {
    pub code: String,
    pub width: u32,
    pub height: u32,
    /// Rows at the bottom of the frame that carry no valid image and must be cropped at the
    /// ISP sink (the old imx258 driver's geometry; see `Driver::Imx258Old`).
    pub bad_bottom_rows: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Facing {
    Front,
    Rear,
}

/// Driver generations whose modes we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Driver {
    /// imx258 up to Linux 6.10: full mode 4208x3118, SGRBG10 fixed, no flip controls. Its
    /// modes break the sensor's start/end rules; two bad rows at the bottom were seen in
    /// the seed's captures (an inference, kernel-rkisp1.md §4.6 and libcamera-ipa.md §6.5),
    /// so plans crop them away.
    Imx258Old,
    /// imx258 from Linux 6.11: full mode 4208x3120; HFLIP/VFLIP controls (default both on)
    /// set the Bayer order, SBGGR10 by default.
    Imx258New,
    /// ov8858: SBGGR10 only, no flip controls.
    Ov8858,
    /// ov4689 (mainline, one mode; as in the 6.18 NanoPi NEO4 dump).
    Ov4689,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SensorInfo {
    pub driver: Option<Driver>,
    /// All modes (every code the sensor offers at each size).
    pub modes: Vec<SensorMode>,
    pub has_flips: bool,
    pub facing: Option<Facing>,
    /// Where the modes came from, for the plan's explanation.
    pub source: String,
}

/// The chip part of an entity name: `imx258 1-001a` → `imx258`, `m00_f_ov8858 1-0036` →
/// `ov8858` (older megi kernels prefix the module position).
pub fn chip(entity: &str) -> String {
    let first = entity.split_whitespace().next().unwrap_or(entity);
    first.rsplit('_').next().unwrap_or(first).to_ascii_lowercase()
}

fn modes(code: &str, sizes: &[(u32, u32)], bad_bottom_rows: u32) -> Vec<SensorMode> {
    sizes.iter().map(|&(width, height)| SensorMode { code: code.into(), width, height, bad_bottom_rows }).collect()
}

/// Which imx258 driver a graph has: the current format tells when the sensor is in the
/// dump (3118 rows or GRBG = old), else the kernel version (the rework landed in 6.11).
pub fn imx258_generation(current: Option<(&str, u32, u32)>, kernel: Option<(u32, u32)>) -> Driver {
    if let Some((code, _, h)) = current {
        if h == 3118 || mbus::bayer(code).map(|(o, _)| o) == Some(BayerOrder::Grbg) {
            return Driver::Imx258Old;
        }
        if h == 3120 {
            return Driver::Imx258New;
        }
    }
    match kernel {
        Some(v) if v < (6, 11) => Driver::Imx258Old,
        _ => Driver::Imx258New,
    }
}

/// Known modes for a sensor entity, or None for a sensor we have no facts about.
/// `current_code` is the code the sensor reports now (new imx258: it follows the flips).
pub fn known(entity: &str, current: Option<(&str, u32, u32)>, kernel: Option<(u32, u32)>) -> Option<SensorInfo> {
    let (driver, modes, has_flips, facing) = match chip(entity).as_str() {
        "imx258" => match imx258_generation(current, kernel) {
            Driver::Imx258Old => (Driver::Imx258Old, modes("SGRBG10_1X10", &[(4208, 3118), (2104, 1560), (1048, 780)], 2), false, Facing::Rear),
            _ => {
                // The code follows the flips; keep whatever order the driver reports now.
                let code = current.map(|c| c.0).filter(|c| mbus::bayer(c).is_some()).unwrap_or("SBGGR10_1X10");
                (Driver::Imx258New, modes(code, &[(4208, 3120), (2104, 1560), (1048, 780)], 0), true, Facing::Rear)
            }
        },
        "ov8858" => (Driver::Ov8858, modes("SBGGR10_1X10", &[(3264, 2448), (1632, 1224)], 0), false, Facing::Front),
        "ov4689" => {
            // Not a PinePhone Pro sensor: no facing, the one mainline mode.
            return Some(SensorInfo {
                driver: Some(Driver::Ov4689),
                modes: modes("SBGGR10_1X10", &[(2688, 1520)], 0),
                has_flips: false,
                facing: None,
                source: "built-in table (mainline ov4689 driver)".into(),
            });
        }
        _ => return None,
    };
    let gen = match driver {
        Driver::Imx258Old => "imx258 driver up to Linux 6.10",
        Driver::Imx258New => "imx258 driver from Linux 6.11",
        _ => "ov8858 driver",
    };
    Some(SensorInfo { driver: Some(driver), modes, has_flips, facing: Some(facing), source: format!("built-in table ({gen})") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chip_names_and_generations() {
        assert_eq!(chip("imx258 1-001a"), "imx258");
        assert_eq!(chip("m00_f_ov8858 1-0036"), "ov8858");
        assert_eq!(imx258_generation(Some(("SGRBG10_1X10", 4208, 3118)), Some((6, 12))), Driver::Imx258Old);
        assert_eq!(imx258_generation(Some(("SBGGR10_1X10", 4208, 3120)), Some((6, 1))), Driver::Imx258New);
        assert_eq!(imx258_generation(None, Some((5, 19))), Driver::Imx258Old);
        assert_eq!(imx258_generation(None, Some((6, 12))), Driver::Imx258New);
        let new = known("imx258 1-001a", Some(("SRGGB10_1X10", 4208, 3120)), None).unwrap();
        assert_eq!(new.modes[0].code, "SRGGB10_1X10", "flipped sensor keeps its reported order");
        assert!(known("ov5695 7-0036", None, None).is_none());
    }
}
