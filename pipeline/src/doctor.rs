//! `doctor`: read the graph as it is and explain everything that would make STREAMON fail
//! (or give a wrong picture) — which pad or link, which values, why, and the fix.

use crate::device::{cid, MediaDevice};
use crate::model::{self, Problem};
use crate::sensors;
use anyhow::Result;
use std::collections::BTreeMap;

pub fn doctor(dev: &mut dyn MediaDevice) -> Result<Vec<Problem>> {
    let inst = dev.instance()?;
    let mut out = Vec::new();
    if inst.sensors.is_empty() {
        out.push(Problem {
            severity: "error",
            place: format!("'{}':0", inst.isp),
            what: "no sensor is linked to this ISP".into(),
            why: "on the PinePhone Pro each camera sits on its own ISP (rear imx258 on isp1, front ov8858 on isp0); both media devices are called rkisp1 with the same bus info".into(),
            fix: "use the other rkisp1 media device (`rkisp1-setup list` shows which sensor is where)".into(),
        });
    }
    let mut formats = BTreeMap::new();
    for c in inst.captures.iter().flatten() {
        if let Some(v) = dev.video_format(c)? {
            formats.insert(c.clone(), v);
        }
    }
    out.extend(model::validate(&inst, &|e| formats.get(e).cloned()));
    for s in &inst.sensors {
        if sensors::chip(&s.entity) != "imx258" {
            continue;
        }
        if let Some(c) = dev.control(&s.entity, cid::DIGITAL_GAIN)? {
            if c.value != crate::defaults::IMX258_DIGITAL_GAIN_UNITY {
                out.push(Problem {
                    severity: "warning",
                    place: format!("'{}' DIGITAL_GAIN", s.entity),
                    what: format!("digital gain {} (unity is {})", c.value, crate::defaults::IMX258_DIGITAL_GAIN_UNITY),
                    why: format!("{:.1}x digital gain clips highlights at 1/{:.0} of full scale, and libcamera never sets this control", c.value as f64 / 256.0, c.value as f64 / 256.0),
                    fix: "rkisp1-setup fix-sensor-defaults (and install its udev rule so it runs whenever the sensor appears)".into(),
                });
            }
        }
    }
    Ok(out)
}

/// Problems as text, one block each.
pub fn describe(problems: &[Problem]) -> String {
    if problems.is_empty() {
        return "no problems found: the configured graph passes the STREAMON checks\n".into();
    }
    let mut s = String::new();
    for p in problems {
        s += &format!(
            "{}: {}\n  {}\n  why: {}\n  fix: {}\n",
            p.severity, p.place, p.what, p.why, p.fix
        );
    }
    s
}
