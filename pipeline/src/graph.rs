//! One rkisp1 instance (one media device): which entity plays which role, the sensors on
//! it with their modes, and the size limits of each stage. Built from a `Topology` (a dump
//! or what discovery read from the hardware). Roles are found by the driver's fixed entity
//! names and by links, never by order or device-node numbers.
//!
//! A dump cut off part-way (`Topology::truncated`) is completed from the mainline driver's
//! fixed layout (kernel-rkisp1.md §2.1); the completed entities are listed in `inferred`.

use crate::sensors::{self, SensorInfo, SensorMode};
use crate::topology::{Direction, Entity, Link, Pad, PadFormat, Topology};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

impl Size {
    pub const fn new(width: u32, height: u32) -> Self {
        Self { width, height }
    }

    pub fn fits(self, max: Size) -> bool {
        self.width <= max.width && self.height <= max.height
    }

    pub fn covers(self, other: Size) -> bool {
        other.fits(self)
    }

    pub fn area(self) -> u64 {
        self.width as u64 * self.height as u64
    }
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

impl std::str::FromStr for Size {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (w, h) = s.split_once(['x', 'X']).ok_or_else(|| format!("`{s}`: expected WIDTHxHEIGHT"))?;
        let n = |v: &str| v.trim().parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| format!("`{s}`: expected WIDTHxHEIGHT with positive numbers"));
        Ok(Size::new(n(w)?, n(h)?))
    }
}

/// Size limits of the stages (kernel-rkisp1.md §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Limits {
    pub isp_min: Size,
    pub isp_max: Size,
    /// Where `isp_max` came from: "hardware", "--isp-max" or "kernel version".
    pub isp_max_source: &'static str,
    pub resizer_min: Size,
    pub main_max: Size,
    pub self_max: Size,
}

/// The ISP input maximum before the per-SoC limits (Linux ≤ 6.11: `RKISP1_ISP_MAX_*`).
pub const ISP_MAX_OLD: Size = Size::new(4032, 3024);
/// RK3399's input maximum once the driver has per-SoC limits (≈6.12 onwards).
pub const ISP_MAX_RK3399: Size = Size::new(4416, 3312);

impl Limits {
    pub fn with_isp_max(isp_max: Size, source: &'static str) -> Self {
        Limits {
            isp_min: Size::new(32, 32),
            isp_max,
            isp_max_source: source,
            resizer_min: Size::new(32, 16),
            main_max: Size::new(4416, 3312),
            self_max: Size::new(1920, 1920),
        }
    }

    /// What a kernel of this version allows when nothing better is known. The exact release
    /// of the per-SoC limit is uncertain (6.11 or 6.12); 6.12 is the first where it was seen.
    pub fn for_kernel(version: Option<(u32, u32)>) -> Self {
        match version {
            Some(v) if v >= (6, 12) => Self::with_isp_max(ISP_MAX_RK3399, "kernel version (>= 6.12: RK3399 4416x3312)"),
            _ => Self::with_isp_max(ISP_MAX_OLD, "kernel version (< 6.12: 4032x3024)"),
        }
    }
}

/// Fixed entity names of the mainline driver and the 2019 pre-mainline series.
pub const ISP_NAMES: [&str; 2] = ["rkisp1_isp", "rkisp1-isp-subdev"];
pub const CSI: &str = "rkisp1_csi";
pub const RESIZERS: [&str; 2] = ["rkisp1_resizer_mainpath", "rkisp1_resizer_selfpath"];
pub const CAPTURES: [&str; 2] = ["rkisp1_mainpath", "rkisp1_selfpath"];
pub const STATS_NAMES: [&str; 2] = ["rkisp1_stats", "rkisp1-statistics"];
pub const PARAMS_NAMES: [&str; 2] = ["rkisp1_params", "rkisp1-input-params"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Path {
    Main,
    #[serde(rename = "self")]
    SelfPath,
}

impl Path {
    pub fn index(self) -> usize {
        match self {
            Path::Main => 0,
            Path::SelfPath => 1,
        }
    }

    pub fn name(self) -> &'static str {
        ["main", "self"][self.index()]
    }
}

#[derive(Debug, Clone)]
pub struct Sensor {
    pub entity: String,
    pub info: SensorInfo,
}

#[derive(Debug, Clone)]
pub struct Instance {
    /// `/dev/mediaN` when read from the hardware.
    pub media_node: Option<String>,
    pub topology: Topology,
    pub isp: String,
    pub csi: Option<String>,
    /// Per path (main, self); None on the pre-mainline driver, whose capture nodes scale.
    pub resizers: [Option<String>; 2],
    pub captures: [Option<String>; 2],
    pub stats: Option<String>,
    pub params: Option<String>,
    pub sensors: Vec<Sensor>,
    pub limits: Limits,
    /// Entities added from the driver layout because the dump was cut off before them.
    pub inferred: Vec<String>,
    pub kernel: Option<(u32, u32)>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum GraphError {
    #[error("not an rkisp1 media device: no `rkisp1_isp` entity (driver `{0}`)")]
    NoIsp(String),
    #[error("no sensor is linked to the ISP on this media device{0}")]
    NoSensor(String),
    #[error("camera `{want}` is not on this media device; its sensors: {have}")]
    UnknownCamera { want: String, have: String },
    #[error("sensor `{0}`: its modes are unknown (not in the dump and not a sensor this tool knows); pass --sensor-mode CODE/WxH")]
    UnknownModes(String),
}

/// "6.12.0" → (6, 12).
pub fn kernel_version(text: &str) -> Option<(u32, u32)> {
    let mut it = text.trim().split(['.', '-']);
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

fn find<'a>(t: &'a Topology, names: &[&str]) -> Option<&'a Entity> {
    names.iter().find_map(|n| t.entity(n))
}

impl Instance {
    /// Identify the roles in a topology. `limits` None: derived from the kernel version.
    /// `extra_modes`: modes given by the user for sensors the tool does not know.
    pub fn from_topology(mut topology: Topology, limits: Option<Limits>, extra_modes: &[SensorMode]) -> Result<Self, GraphError> {
        let kernel = kernel_version(&topology.device.driver_version);
        let isp = find(&topology, &ISP_NAMES).ok_or_else(|| GraphError::NoIsp(topology.device.driver.clone()))?.name.clone();
        let mut inferred = Vec::new();
        if topology.truncated && isp == ISP_NAMES[0] {
            inferred = complete_mainline(&mut topology);
        }
        let csi = topology.entity(CSI).map(|e| e.name.clone());
        let resizers = RESIZERS.map(|n| topology.entity(n).map(|e| e.name.clone()));
        let captures = CAPTURES.map(|n| topology.entity(n).map(|e| e.name.clone()));
        let stats = find(&topology, &STATS_NAMES).map(|e| e.name.clone());
        let params = find(&topology, &PARAMS_NAMES).map(|e| e.name.clone());
        // Sensors: whatever feeds the ISP sink, directly or through the CSI receiver.
        let feeder = csi.clone().unwrap_or_else(|| isp.clone());
        let mut sensors = Vec::new();
        if let Some(pad) = topology.entity(&feeder).and_then(|e| e.pad(0)) {
            for l in pad.links.iter().filter(|l| l.direction == Direction::Sink) {
                let current = topology
                    .entity(&l.remote_entity)
                    .and_then(|e| e.pad(l.remote_pad))
                    .and_then(|p| p.format.as_ref())
                    .map(|f| (f.code.clone(), f.width, f.height));
                let cur = current.as_ref().map(|(c, w, h)| (c.as_str(), *w, *h));
                let info = match sensors::known(&l.remote_entity, cur, kernel) {
                    Some(i) => i,
                    None if !extra_modes.is_empty() => {
                        SensorInfo { driver: None, modes: extra_modes.to_vec(), has_flips: false, facing: None, source: "--sensor-mode".into() }
                    }
                    None => match current {
                        // Unknown sensor: its current format is the one mode we can rely on.
                        Some((code, w, h)) if crate::mbus::is_bayer(&code) => SensorInfo {
                            driver: None,
                            modes: vec![SensorMode { code, width: w, height: h, bad_bottom_rows: 0 }],
                            has_flips: false,
                            facing: None,
                            source: "the sensor's current format (its other modes are not in the dump)".into(),
                        },
                        _ => SensorInfo { driver: None, modes: vec![], has_flips: false, facing: None, source: "unknown".into() },
                    },
                };
                sensors.push(Sensor { entity: l.remote_entity.clone(), info });
            }
        }
        let limits = limits.unwrap_or_else(|| Limits::for_kernel(kernel));
        Ok(Instance { media_node: None, topology, isp, csi, resizers, captures, stats, params, sensors, limits, inferred, kernel })
    }

    /// The sensor for `rear`, `front` or an entity name (exact, or its chip name such as
    /// `imx258`). With no selector, the only sensor there is.
    pub fn sensor(&self, want: Option<&str>) -> Result<&Sensor, GraphError> {
        let have = || self.sensors.iter().map(|s| s.entity.as_str()).collect::<Vec<_>>().join(", ");
        if self.sensors.is_empty() {
            return Err(GraphError::NoSensor(String::new()));
        }
        let found = match want {
            None if self.sensors.len() == 1 => self.sensors.first(),
            None => None,
            Some("rear") => self.sensors.iter().find(|s| s.info.facing == Some(sensors::Facing::Rear)),
            Some("front") => self.sensors.iter().find(|s| s.info.facing == Some(sensors::Facing::Front)),
            Some(w) => self.sensors.iter().find(|s| s.entity == w || sensors::chip(&s.entity) == w.to_ascii_lowercase()),
        };
        found.ok_or_else(|| GraphError::UnknownCamera { want: want.unwrap_or("(none given, several present)").into(), have: have() })
    }

    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.topology.entity(name)
    }
}

fn pad(index: u32, direction: Direction, must_connect: bool, format: Option<PadFormat>, links: Vec<Link>) -> Pad {
    Pad { index, direction, must_connect, format, links }
}

fn link(direction: Direction, remote: &str, remote_pad: u32, enabled: bool, immutable: bool) -> Link {
    Link { direction, remote_entity: remote.into(), remote_pad, enabled, immutable }
}

fn yuv(w: u32, h: u32) -> Option<PadFormat> {
    Some(PadFormat { code: "YUYV8_2X8".into(), width: w, height: h, ..Default::default() })
}

/// Add the mainline entities a cut-off dump lacks, with the driver's default formats and
/// link states (§2.1, §2.3: 800x600 defaults). Returns the names added.
fn complete_mainline(t: &mut Topology) -> Vec<String> {
    use Direction::{Sink, Source};
    let has_csi = t.entity(CSI).is_some() || t.entity(ISP_NAMES[0]).and_then(|e| e.pad(0)).is_some_and(|p| p.links.iter().any(|l| l.remote_entity == CSI));
    let isp = ISP_NAMES[0];
    let node = |name: &str, dir: Direction, remote: &str, rpad: u32| Entity {
        id: 0,
        name: name.into(),
        kind: "Node".into(),
        subtype: "V4L".into(),
        devnode: None,
        pads: vec![pad(0, dir, false, None, vec![link(if dir == Sink { Sink } else { Source }, remote, rpad, true, true)])],
    };
    let subdev = |name: &str, pads: Vec<Pad>| Entity { id: 0, name: name.into(), kind: "V4L2 subdev".into(), subtype: "Unknown".into(), devnode: None, pads };
    // A resizer as the driver creates it: ISP source → sink, source → its capture node.
    let resizer = |i: usize| {
        subdev(
            RESIZERS[i],
            vec![
                pad(0, Sink, true, yuv(800, 600), vec![link(Sink, isp, 2, true, false)]),
                pad(1, Source, true, yuv(800, 600), vec![link(Source, CAPTURES[i], 0, true, true)]),
            ],
        )
    };
    let mut template = vec![
        resizer(0),
        resizer(1),
        node(CAPTURES[0], Sink, RESIZERS[0], 1),
        node(CAPTURES[1], Sink, RESIZERS[1], 1),
        node(STATS_NAMES[0], Sink, isp, 3),
        node(PARAMS_NAMES[0], Source, isp, 1),
    ];
    // Sensors named by links in the dump but never printed: one source pad, format unknown.
    let feeder = if has_csi { CSI } else { isp };
    let sensor_names: Vec<String> =
        t.entity(feeder).and_then(|e| e.pad(0)).map(|p| p.links.iter().map(|l| l.remote_entity.clone()).collect()).unwrap_or_default();
    for (i, s) in sensor_names.iter().enumerate() {
        let mut e = subdev(s, vec![pad(0, Source, false, None, vec![link(Source, feeder, 0, i == 0, false)])]);
        e.subtype = "Sensor".into();
        template.push(e);
    }
    let mut added = Vec::new();
    for e in template {
        match t.entities.iter_mut().find(|x| x.name == e.name) {
            None => {
                added.push(e.name.clone());
                t.entities.push(e);
            }
            Some(have) => {
                // A partly printed entity: add the pads and links it is missing.
                for p in e.pads {
                    match have.pads.iter_mut().find(|q| q.index == p.index) {
                        None => have.pads.push(p),
                        Some(q) => {
                            if q.format.is_none() {
                                q.format = p.format;
                            }
                            for l in p.links {
                                if !q.links.iter().any(|m| m.remote_entity == l.remote_entity && m.remote_pad == l.remote_pad) {
                                    q.links.push(l);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // The other end of every link the dump printed from one side only.
    let all: Vec<(String, u32, Link)> =
        t.entities.iter().flat_map(|e| e.pads.iter().flat_map(move |p| p.links.iter().map(move |l| (e.name.clone(), p.index, l.clone())))).collect();
    for (name, index, l) in all {
        if let Some(rp) = t.entities.iter_mut().find(|e| e.name == l.remote_entity).and_then(|e| e.pads.iter_mut().find(|p| p.index == l.remote_pad)) {
            if !rp.links.iter().any(|m| m.remote_entity == name && m.remote_pad == index) {
                let dir = if l.direction == Direction::Sink { Direction::Source } else { Direction::Sink };
                rp.links.push(link(dir, &name, index, l.enabled, l.immutable));
            }
        }
    }
    t.truncated = false;
    added
}
