//! `doctor`: read the graph as it is and explain everything that would make STREAMON fail
//! (or give a wrong picture) — which pad or link, which values, why, and the fix.

use crate::defaults;
use crate::device::{self, MediaDevice};
use crate::model::Problem;
use anyhow::Result;

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
    out.extend(device::streamon_problems(dev, &inst)?);
    // Controls left at harmful defaults: the same list fix-sensor-defaults works from.
    for f in defaults::needed(dev)? {
        let ratio = f.from as f64 / f.to as f64;
        out.push(Problem {
            severity: "warning",
            place: format!("'{}' {}", f.entity, f.control),
            what: format!("digital gain {} (unity is {})", f.from, f.to),
            why: format!("{ratio:.1}x digital gain clips highlights at 1/{ratio:.0} of full scale, and libcamera never sets this control"),
            fix: "rkisp1-setup fix-sensor-defaults (and install its udev rule so it runs whenever the sensor appears)".into(),
        });
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
        s += &format!("{}: {}\n  {}\n  why: {}\n  fix: {}\n", p.severity, p.place, p.what, p.why, p.fix);
    }
    s
}
