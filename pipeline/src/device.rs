//! Access to a media device, behind a trait so `apply`, `doctor` and
//! `fix-sensor-defaults` run the same against the hardware (`hw::V4l2Media`) and against
//! `FakeDevice`, which holds a graph (e.g. from a dump) and answers like the kernel would
//! (`model`'s rules).

use crate::graph::{Instance, Path, Size};
use crate::model::{self, VideoFormat};
use crate::plan::Plan;
use crate::sensors;
use crate::topology::{Direction, PadFormat, Rect};
use anyhow::{anyhow, bail, Result};
use std::collections::BTreeMap;

/// A V4L2 control's range and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Control {
    pub min: i64,
    pub max: i64,
    pub default: i64,
    pub value: i64,
}

/// V4L2 control ids used here (videodev2.h / v4l2-controls.h; checked by the probe test).
pub mod cid {
    pub const HFLIP: u32 = 0x0098_0914;
    pub const VFLIP: u32 = 0x0098_0915;
    pub const DIGITAL_GAIN: u32 = 0x009f_0905;
    pub const CAMERA_ORIENTATION: u32 = 0x009a_0922;
}

pub trait MediaDevice {
    /// The graph as it is now: roles, formats, crops, link states.
    fn instance(&mut self) -> Result<Instance>;
    fn setup_link(&mut self, source: (&str, u32), sink: (&str, u32), enabled: bool) -> Result<()>;
    /// Set a pad's format; returns what the driver made of it.
    fn set_format(&mut self, entity: &str, pad: u32, code: &str, size: Size) -> Result<PadFormat>;
    /// Set a pad's crop rectangle; returns what the driver made of it.
    fn set_crop(&mut self, entity: &str, pad: u32, rect: Rect) -> Result<Rect>;
    fn set_video_format(&mut self, entity: &str, f: &VideoFormat) -> Result<VideoFormat>;
    fn video_format(&mut self, entity: &str) -> Result<Option<VideoFormat>>;
    /// None: the entity has no such control.
    fn control(&mut self, entity: &str, id: u32) -> Result<Option<Control>>;
    fn set_control(&mut self, entity: &str, id: u32, value: i64) -> Result<i64>;
}

/// A media device simulated from a graph, following the kernel's format rules.
pub struct FakeDevice {
    inst: Instance,
    video: BTreeMap<String, VideoFormat>,
    controls: BTreeMap<(String, u32), Control>,
}

impl FakeDevice {
    /// Controls start at the drivers' defaults (kernel-rkisp1.md §4.3, §5.3).
    pub fn new(inst: Instance) -> Self {
        let mut controls = BTreeMap::new();
        for s in &inst.sensors {
            let c = |min, max, default| Control { min, max, default, value: default };
            match s.info.driver {
                Some(sensors::Driver::Imx258New) => {
                    controls.insert((s.entity.clone(), cid::DIGITAL_GAIN), c(0, 4096, 1024));
                    controls.insert((s.entity.clone(), cid::HFLIP), c(0, 1, 1));
                    controls.insert((s.entity.clone(), cid::VFLIP), c(0, 1, 1));
                }
                Some(sensors::Driver::Imx258Old) => {
                    controls.insert((s.entity.clone(), cid::DIGITAL_GAIN), c(0, 4096, 1024));
                }
                Some(sensors::Driver::Ov8858) => {
                    controls.insert((s.entity.clone(), cid::DIGITAL_GAIN), c(0, 0x3fff, 0x200));
                }
                _ => {}
            }
            if let Some(f) = s.info.facing {
                let v = if f == sensors::Facing::Rear { 1 } else { 0 };
                controls.insert((s.entity.clone(), cid::CAMERA_ORIENTATION), c(v, v, v));
            }
        }
        // A dump does not show the video nodes' formats: assume each matches what its link
        // delivers (YUYV for 4:2:2, NV12 for 4:2:0, the raw format for Bayer).
        let mut video = BTreeMap::new();
        for p in [Path::Main, Path::SelfPath] {
            let Some(c) = inst.captures[p.index()].clone() else {
                continue;
            };
            let src = inst
                .entity(&c)
                .and_then(|e| e.pad(0))
                .and_then(|pad| pad.links.first())
                .and_then(|l| inst.entity(&l.remote_entity).and_then(|e| e.pad(l.remote_pad)).and_then(|pad| pad.format.clone()));
            let (fourcc, w, h) = match src {
                Some(f) if f.code == "YUYV8_1_5X8" => ("NV12", f.width, f.height),
                Some(f) if crate::mbus::is_bayer(&f.code) => (model::raw_fourcc(&f.code).unwrap_or("YUYV"), f.width, f.height),
                Some(f) => ("YUYV", f.width, f.height),
                None => ("YUYV", 800, 600),
            };
            video.insert(c, VideoFormat { fourcc: fourcc.into(), width: w, height: h });
        }
        FakeDevice { inst, video, controls }
    }

    fn pad_mut(&mut self, entity: &str, pad: u32) -> Result<&mut crate::topology::Pad> {
        self.inst
            .topology
            .entities
            .iter_mut()
            .find(|e| e.name == entity)
            .ok_or_else(|| anyhow!("no entity `{entity}`"))?
            .pads
            .iter_mut()
            .find(|p| p.index == pad)
            .ok_or_else(|| anyhow!("`{entity}` has no pad {pad}"))
    }

    fn format(&self, entity: &str, pad: u32) -> Option<PadFormat> {
        self.inst.entity(entity).and_then(|e| e.pad(pad)).and_then(|p| p.format.clone())
    }

    fn path_of(&self, entity: &str) -> Option<Path> {
        [Path::Main, Path::SelfPath].into_iter().find(|p| self.inst.resizers[p.index()].as_deref() == Some(entity))
    }

    /// After the ISP sink crop changed: the source crop stays inside it, the source size
    /// follows its crop.
    fn refresh_isp_source(&mut self) -> Result<()> {
        let isp = self.inst.isp.clone();
        let (Some(sink), Some(src)) = (self.format(&isp, 0), self.format(&isp, 2)) else {
            return Ok(());
        };
        let crop = src.crop.unwrap_or(Rect { x: 0, y: 0, width: src.width, height: src.height });
        let f = model::isp_source(&sink, &src.code, crop);
        self.pad_mut(&isp, 2)?.format = Some(f);
        Ok(())
    }
}

impl MediaDevice for FakeDevice {
    fn instance(&mut self) -> Result<Instance> {
        Ok(self.inst.clone())
    }

    fn setup_link(&mut self, source: (&str, u32), sink: (&str, u32), enabled: bool) -> Result<()> {
        let find = |dev: &FakeDevice, a: (&str, u32), b: (&str, u32)| -> Result<crate::topology::Link> {
            dev.inst
                .entity(a.0)
                .and_then(|e| e.pad(a.1))
                .and_then(|p| p.links.iter().find(|l| l.remote_entity == b.0 && l.remote_pad == b.1))
                .cloned()
                .ok_or_else(|| anyhow!("no link '{}':{} -> '{}':{}", a.0, a.1, b.0, b.1))
        };
        let l = find(self, source, sink)?;
        if l.immutable {
            if l.enabled != enabled {
                bail!("link '{}':{} -> '{}':{} is immutable", source.0, source.1, sink.0, sink.1);
            }
            return Ok(());
        }
        if enabled {
            // The ISP (or CSI) sink takes one source at a time (EBUSY from the driver).
            let busy = self.inst.entity(sink.0).and_then(|e| e.pad(sink.1)).is_some_and(|p| {
                p.direction == Direction::Sink
                    && p.links.iter().any(|k| k.enabled && (k.remote_entity != source.0 || k.remote_pad != source.1))
                    && self.inst.sensors.iter().any(|s| s.entity == source.0)
            });
            if busy {
                bail!("'{}':{} already has an enabled source link (EBUSY): disable it first", sink.0, sink.1);
            }
        }
        for (a, b) in [(source, sink), (sink, source)] {
            let p = self.pad_mut(a.0, a.1)?;
            if let Some(l) = p.links.iter_mut().find(|l| l.remote_entity == b.0 && l.remote_pad == b.1) {
                l.enabled = enabled;
            }
        }
        Ok(())
    }

    fn set_format(&mut self, entity: &str, pad: u32, code: &str, size: Size) -> Result<PadFormat> {
        let limits = self.inst.limits;
        let isp = self.inst.isp.clone();
        let f = if let Some(s) = self.inst.sensors.iter().find(|s| s.entity == entity) {
            // Sensor drivers pick the nearest size; the code is theirs (flips decide it).
            let m = s
                .info
                .modes
                .iter()
                .min_by_key(|m| (m.width as i64 - size.width as i64).abs() + (m.height as i64 - size.height as i64).abs())
                .ok_or_else(|| anyhow!("`{entity}` has no modes"))?;
            let code = if s.info.modes.iter().any(|x| x.code == code && x.width == m.width) { code } else { &m.code };
            PadFormat { code: code.into(), width: m.width, height: m.height, field: Some("none".into()), ..Default::default() }
        } else if Some(entity) == self.inst.csi.as_deref() {
            let f = model::isp_sink(&limits, code, size);
            let plain = PadFormat { crop_bounds: None, crop: None, ..f.clone() };
            // The receiver's source always carries its sink's format.
            self.pad_mut(entity, 0)?.format = Some(plain.clone());
            self.pad_mut(entity, 1)?.format = Some(plain.clone());
            return Ok(plain);
        } else if entity == isp && pad == 0 {
            let f = model::isp_sink(&limits, code, size);
            self.pad_mut(entity, 0)?.format = Some(f.clone());
            self.refresh_isp_source()?;
            return Ok(f);
        } else if entity == isp && pad == 2 {
            let sink = self.format(&isp, 0).ok_or_else(|| anyhow!("ISP sink has no format"))?;
            let crop = self.format(&isp, 2).and_then(|f| f.crop).unwrap_or(sink.crop.unwrap_or_default());
            model::isp_source(&sink, code, crop)
        } else if let Some(path) = self.path_of(entity) {
            if pad == 0 {
                let f = model::resizer_sink(&limits, path, code, size);
                self.pad_mut(entity, 0)?.format = Some(f.clone());
                if crate::mbus::is_bayer(&f.code) {
                    let out = model::resizer_source(&limits, path, &f, code, size);
                    self.pad_mut(entity, 1)?.format = Some(out);
                }
                return Ok(f);
            }
            let sink = self.format(entity, 0).ok_or_else(|| anyhow!("resizer sink has no format"))?;
            model::resizer_source(&limits, path, &sink, code, size)
        } else {
            bail!("`{entity}` pad {pad}: not a pad whose format can be set here");
        };
        self.pad_mut(entity, pad)?.format = Some(f.clone());
        Ok(f)
    }

    fn set_crop(&mut self, entity: &str, pad: u32, rect: Rect) -> Result<Rect> {
        let isp = self.inst.isp.clone();
        let mut f = self.format(entity, pad).ok_or_else(|| anyhow!("'{entity}':{pad} has no format"))?;
        let r = if entity == isp && pad == 0 {
            model::isp_crop(Rect { x: 0, y: 0, width: f.width, height: f.height }, rect)
        } else if entity == isp && pad == 2 {
            let sink = self.format(&isp, 0).ok_or_else(|| anyhow!("ISP sink has no format"))?;
            let g = model::isp_source(&sink, &f.code, rect);
            let r = g.crop.unwrap();
            self.pad_mut(entity, pad)?.format = Some(g);
            return Ok(r);
        } else if self.path_of(entity).is_some() && pad == 0 {
            model::resizer_crop(&f, rect)
        } else {
            bail!("'{entity}':{pad} has no crop");
        };
        f.crop = Some(r);
        self.pad_mut(entity, pad)?.format = Some(f);
        if entity == isp {
            self.refresh_isp_source()?;
        }
        Ok(r)
    }

    fn set_video_format(&mut self, entity: &str, f: &VideoFormat) -> Result<VideoFormat> {
        let path = [Path::Main, Path::SelfPath]
            .into_iter()
            .find(|p| self.inst.captures[p.index()].as_deref() == Some(entity))
            .ok_or_else(|| anyhow!("`{entity}` is not a capture node"))?;
        let v = model::capture(&self.inst.limits, path, f);
        self.video.insert(entity.into(), v.clone());
        Ok(v)
    }

    fn video_format(&mut self, entity: &str) -> Result<Option<VideoFormat>> {
        Ok(self.video.get(entity).cloned())
    }

    fn control(&mut self, entity: &str, id: u32) -> Result<Option<Control>> {
        Ok(self.controls.get(&(entity.to_string(), id)).copied())
    }

    fn set_control(&mut self, entity: &str, id: u32, value: i64) -> Result<i64> {
        let c = self.controls.get_mut(&(entity.to_string(), id)).ok_or_else(|| anyhow!("`{entity}` has no control 0x{id:08x}"))?;
        c.value = value.clamp(c.min, c.max);
        Ok(c.value)
    }
}

/// A difference between the plan and what the device holds after `apply`.
pub type Mismatch = String;

/// Set every link, format and crop of a plan, then read everything back and compare.
/// Returns the differences (empty: verified) — the device's own adjustments included.
pub fn apply(dev: &mut dyn MediaDevice, plan: &Plan) -> Result<Vec<Mismatch>> {
    for l in &plan.links {
        dev.setup_link((&l.source.0, l.source.1), (&l.sink.0, l.sink.1), l.enabled)?;
    }
    for p in &plan.pads {
        dev.set_format(&p.entity, p.pad, &p.code, Size::new(p.width, p.height))?;
        if let Some(c) = p.crop {
            dev.set_crop(&p.entity, p.pad, c)?;
        }
    }
    dev.set_video_format(&plan.video.entity, &plan.video.format)?;
    verify(dev, plan)
}

/// The STREAMON checks (`model::validate`) on a device's graph, with its capture nodes'
/// current formats.
pub fn streamon_problems(dev: &mut dyn MediaDevice, inst: &Instance) -> Result<Vec<model::Problem>> {
    let mut formats = BTreeMap::new();
    for c in inst.captures.iter().flatten() {
        if let Some(v) = dev.video_format(c)? {
            formats.insert(c.clone(), v);
        }
    }
    Ok(model::validate(inst, &|e| formats.get(e).cloned()))
}

/// Compare the device's current state with a plan, and run the STREAMON checks.
pub fn verify(dev: &mut dyn MediaDevice, plan: &Plan) -> Result<Vec<Mismatch>> {
    let inst = dev.instance()?;
    let mut out = Vec::new();
    for l in &plan.links {
        let got = inst
            .entity(&l.source.0)
            .and_then(|e| e.pad(l.source.1))
            .and_then(|p| p.links.iter().find(|k| k.remote_entity == l.sink.0 && k.remote_pad == l.sink.1))
            .map(|k| k.enabled);
        if got != Some(l.enabled) {
            out.push(format!("link '{}':{} -> '{}':{}: want {}, device has {:?}", l.source.0, l.source.1, l.sink.0, l.sink.1, l.enabled, got));
        }
    }
    for p in &plan.pads {
        let got = inst.entity(&p.entity).and_then(|e| e.pad(p.pad)).and_then(|x| x.format.clone());
        match got {
            None => out.push(format!("'{}':{}: no format read back", p.entity, p.pad)),
            Some(f) => {
                if f.code != p.code || f.width != p.width || f.height != p.height {
                    out.push(format!("'{}':{}: want {}/{}x{}, device has {}/{}x{}", p.entity, p.pad, p.code, p.width, p.height, f.code, f.width, f.height));
                }
                if let Some(c) = p.crop.filter(|c| f.crop != Some(*c)) {
                    out.push(format!("'{}':{}: want crop {c}, device has {:?}", p.entity, p.pad, f.crop));
                }
            }
        }
    }
    let v = dev.video_format(&plan.video.entity)?;
    if v.as_ref() != Some(&plan.video.format) {
        out.push(format!("{}: want {:?}, device has {:?}", plan.video.entity, plan.video.format, v));
    }
    for p in streamon_problems(dev, &inst)? {
        out.push(format!("{} {}: {} ({})", p.severity, p.place, p.what, p.why));
    }
    Ok(out)
}
