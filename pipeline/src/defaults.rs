//! `fix-sensor-defaults`: sensor controls libcamera leaves at harmful driver defaults.
//!
//! imx258: DIGITAL_GAIN defaults to 1024 and is written to the sensor at every STREAMON,
//! while the driver's own register table (and the sensor's register format) make 256 =
//! 1.0x, so every libcamera app gets 4x digital gain and highlights clipped at a quarter of
//! full scale (kernel-rkisp1.md §4.3). Setting the control's value to 256 once makes every
//! later STREAMON write unity; a udev rule (`pipeline/udev/`) does it when the sensor
//! appears. ov8858's digital gain unit is undocumented, so it is left alone.

use crate::device::{cid, Control, MediaDevice};
use crate::sensors;
use anyhow::Result;

pub const IMX258_DIGITAL_GAIN_UNITY: i64 = 256;

/// The one place that says which controls to fix: (chip, control id, name, wanted value).
const WANTED: &[(&str, u32, &str, i64)] = &[("imx258", cid::DIGITAL_GAIN, "DIGITAL_GAIN", IMX258_DIGITAL_GAIN_UNITY)];

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fix {
    pub entity: String,
    #[serde(skip)]
    pub id: u32,
    pub control: &'static str,
    pub from: i64,
    pub to: i64,
}

/// The control ids to look at on a sensor.
pub fn controls_of(entity: &str) -> impl Iterator<Item = u32> {
    let chip = sensors::chip(entity);
    WANTED.iter().filter(move |w| w.0 == chip).map(|w| w.1)
}

/// The fix one control needs, given its current state (None: the sensor lacks it).
pub fn wanted(entity: &str, id: u32, c: Option<Control>) -> Option<Fix> {
    let c = c?;
    let chip = sensors::chip(entity);
    let &(_, _, name, want) = WANTED.iter().find(|w| w.0 == chip && w.1 == id)?;
    (c.value != want && (c.min..=c.max).contains(&want)).then(|| Fix { entity: entity.into(), id, control: name, from: c.value, to: want })
}

/// The fixes a device needs: (sensor, control, current → wanted).
pub fn needed(dev: &mut dyn MediaDevice) -> Result<Vec<Fix>> {
    let inst = dev.instance()?;
    let mut out = Vec::new();
    for s in &inst.sensors {
        for id in controls_of(&s.entity) {
            out.extend(wanted(&s.entity, id, dev.control(&s.entity, id)?));
        }
    }
    Ok(out)
}

/// Apply the fixes; returns them with the values the driver kept.
pub fn fix(dev: &mut dyn MediaDevice) -> Result<Vec<Fix>> {
    let mut done = Vec::new();
    for mut f in needed(dev)? {
        f.to = dev.set_control(&f.entity, f.id, f.to)?;
        done.push(f);
    }
    Ok(done)
}
