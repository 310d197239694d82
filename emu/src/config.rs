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
//! | `RKISP1_EMU_LOG` | log filter (`env_logger` syntax) | `warn` |

use crate::profile::Kernel;
use anyhow::{anyhow, bail, Context, Result};
use rkisp1_sim::scene::Scene;
use std::path::PathBuf;

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
    }
}
