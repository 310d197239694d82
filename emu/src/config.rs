//! The emulator's settings, from the environment of the process it is loaded into (the
//! preload library has no command line). `scripts/emulate` sets them from its options.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `RKISP1_EMU_KERNEL` | kernel profile, `6.12` or `6.1` | `6.12` |
//! | `RKISP1_EMU_SCENE` | a `sim` scene name or scene file | `chart` |
//! | `RKISP1_EMU_ILLUMINANT` | light: A, TL84, CWF, D50, D65 or e.g. `4700K` | `D65` |
//! | `RKISP1_EMU_BRIGHTNESS` | scene brightness (1: white at full scale at 10 ms, 1x) | `1` |
//! | `RKISP1_EMU_SPEED` | frame clock speed-up over the sensor's real timing | `1` |
//! | `RKISP1_EMU_NOISE` | sensor noise, `1` or `0` | `1` |
//! | `RKISP1_EMU_DIR` | where the emulated /sys and /dev nodes are created | `/tmp/rkisp1-emu.PID` |
//! | `RKISP1_EMU_REPORT` | file receiving one JSON line per stream start and frame | none |
//! | `RKISP1_EMU_STATE` | file keeping links, formats and controls between processes (`state.rs`) | none |
//! | `RKISP1_EMU_FAULT` | faults to inject, comma-separated: `stats-error@N` (frame N's stats buffer returned with V4L2_BUF_FLAG_ERROR), `drop@N` (frame N lost: the sequence skips N), `sensor-ctrl@N` (the N-th sensor control write while streaming fails with EIO) | none |
//! | `RKISP1_EMU_LOG` | log filter (`env_logger` syntax) | `warn` |

use crate::profile::Kernel;
use anyhow::{anyhow, bail, Context, Result};
use rkisp1_sim::scene::Scene;
use std::path::PathBuf;

/// Faults to inject (`RKISP1_EMU_FAULT`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Frames whose statistics buffer completes with V4L2_BUF_FLAG_ERROR.
    pub stats_error: Vec<i64>,
    /// Frames that are lost: no frame start, no buffer; the sequence goes on after them.
    pub drop: Vec<i64>,
    /// Sensor control writes (VIDIOC_S_EXT_CTRLS/S_CTRL while streaming, counted from 1)
    /// that fail with EIO, as a failed I2C transfer does.
    pub sensor_write: Vec<u64>,
}

impl Faults {
    pub fn parse(s: &str) -> Result<Faults> {
        let mut f = Faults::default();
        for item in s.split(',').map(str::trim).filter(|i| !i.is_empty()) {
            let (kind, n) = item.split_once('@').with_context(|| format!("RKISP1_EMU_FAULT: `{item}`: expected KIND@N"))?;
            let n: u64 = n.parse().with_context(|| format!("RKISP1_EMU_FAULT: `{item}`: N is not a number"))?;
            match kind {
                "stats-error" => f.stats_error.push(n as i64),
                "drop" => f.drop.push(n as i64),
                "sensor-ctrl" if n > 0 => f.sensor_write.push(n),
                _ => bail!("RKISP1_EMU_FAULT: `{item}`: kinds are stats-error@FRAME, drop@FRAME, sensor-ctrl@WRITE (from 1)"),
            }
        }
        Ok(f)
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub kernel: Kernel,
    pub scene: Scene,
    pub illuminant: String,
    pub brightness: f64,
    pub speed: f64,
    pub noise: bool,
    pub dir: PathBuf,
    pub report: Option<PathBuf>,
    pub state: Option<PathBuf>,
    pub faults: Faults,
}

impl Config {
    pub fn from_env() -> Result<Config> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let kernel = match get("RKISP1_EMU_KERNEL") {
            None => Kernel::V6_12,
            Some(k) => Kernel::parse(&k).ok_or_else(|| anyhow!("RKISP1_EMU_KERNEL={k}: give 6.12 or 6.1"))?,
        };
        let scene_name = get("RKISP1_EMU_SCENE").unwrap_or_else(|| "chart".into());
        let scene = if scene_name.ends_with(".yaml") || scene_name.contains('/') {
            rkisp1_sim::scene::from_file(std::path::Path::new(&scene_name))?
        } else {
            rkisp1_sim::scene::builtin(&scene_name)?
        };
        let illuminant = get("RKISP1_EMU_ILLUMINANT").unwrap_or_else(|| "D65".into());
        // Both sensors must know the light.
        for s in [rkisp1_sim::sensor::SensorModel::imx258(), rkisp1_sim::sensor::SensorModel::ov8858()] {
            s.white_point(&illuminant)?;
        }
        let num = |k: &str, def: f64| -> Result<f64> {
            match get(k) {
                None => Ok(def),
                Some(v) => {
                    let x: f64 = v.parse().with_context(|| format!("{k}={v} is not a number"))?;
                    if !(x.is_finite() && x > 0.0) {
                        bail!("{k}={v} must be positive");
                    }
                    Ok(x)
                }
            }
        };
        let noise = match get("RKISP1_EMU_NOISE").as_deref() {
            None | Some("1") => true,
            Some("0") => false,
            Some(v) => bail!("RKISP1_EMU_NOISE={v}: give 1 or 0"),
        };
        Ok(Config {
            kernel,
            scene,
            illuminant,
            brightness: num("RKISP1_EMU_BRIGHTNESS", 1.0)?,
            speed: num("RKISP1_EMU_SPEED", 1.0)?,
            noise,
            dir: get("RKISP1_EMU_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(format!("/tmp/rkisp1-emu.{}", std::process::id()))),
            report: get("RKISP1_EMU_REPORT").map(PathBuf::from),
            state: get("RKISP1_EMU_STATE").map(PathBuf::from),
            faults: get("RKISP1_EMU_FAULT").map(|s| Faults::parse(&s)).transpose()?.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn cfg(vars: &[(&str, &str)]) -> Result<Config> {
        let m: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|k| m.get(k).cloned())
    }

    #[test]
    fn defaults_and_errors() {
        let c = cfg(&[]).unwrap();
        assert_eq!((c.kernel, c.illuminant.as_str(), c.scene.name.as_str()), (Kernel::V6_12, "D65", "chart"));
        assert_eq!(cfg(&[("RKISP1_EMU_KERNEL", "6.1")]).unwrap().kernel, Kernel::V6_1);
        assert!(cfg(&[("RKISP1_EMU_KERNEL", "5.19")]).is_err());
        assert!(cfg(&[("RKISP1_EMU_ILLUMINANT", "D75")]).is_err());
        assert!(cfg(&[("RKISP1_EMU_SPEED", "0")]).is_err());
        assert!(cfg(&[("RKISP1_EMU_SCENE", "nothing")]).is_err());
        let f = cfg(&[("RKISP1_EMU_FAULT", "stats-error@10, drop@15,sensor-ctrl@3,drop@20")]).unwrap().faults;
        assert_eq!(f, Faults { stats_error: vec![10], drop: vec![15, 20], sensor_write: vec![3] });
        assert_eq!(c.faults, Faults::default());
        assert!(cfg(&[("RKISP1_EMU_FAULT", "stats-error")]).is_err());
        assert!(cfg(&[("RKISP1_EMU_FAULT", "sensor-ctrl@0")]).is_err());
        assert!(cfg(&[("RKISP1_EMU_FAULT", "hang@3")]).is_err());
    }
}
