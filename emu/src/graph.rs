//! The media graph of one PinePhone Pro ISP as the rkisp1 driver registers it
//! (kernel-rkisp1.md §2.1, the 6.18 RK3399 dump in ../shared/data/topologies): entities,
//! pads, data links, the lens' ancillary link, and the device node interfaces. Object ids
//! come from one counter per media device in registration order, with the object type in
//! bits 24+ as the kernel's media_gobj ids (entity 0, pad 1, link 2, interface 3); a data
//! link takes two ids (the link and its back-link), so the sensor entity of a 6.12 graph
//! gets id 45 as in the dump.

use crate::profile::Kernel;
use crate::uapi::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Path {
    Main,
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
        match self {
            Path::Main => "mainpath",
            Path::SelfPath => "selfpath",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum SensorKind {
    Imx258,
    Ov8858,
}

/// The camera properties of a sensor's device-tree node (rk3399-pinephone-pro.dts):
/// `orientation` (0 front, 1 back, 2 external: the same numbers as the
/// V4L2_CID_CAMERA_ORIENTATION menu) and `rotation` in degrees. The drivers turn them into
/// the read-only controls with `v4l2_ctrl_new_fwnode_properties()`; the emulated
/// `/sys/firmware/devicetree` holds them as property files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DtCameraProperties {
    pub orientation: u32,
    pub rotation: u32,
}

impl SensorKind {
    pub fn dt_properties(self) -> DtCameraProperties {
        match self {
            // Rear: `orientation = <1>; rotation = <270>;`
            SensorKind::Imx258 => DtCameraProperties { orientation: 1, rotation: 270 },
            // Front: `orientation = <0>; rotation = <90>;`
            SensorKind::Ov8858 => DtCameraProperties { orientation: 0, rotation: 90 },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Isp,
    Csi,
    Resizer(Path),
    Capture(Path),
    Stats,
    Params,
    Sensor,
    Lens,
}

impl Role {
    pub fn is_video(self) -> bool {
        matches!(self, Role::Capture(_) | Role::Stats | Role::Params)
    }
}

pub const ISP_SINK_VIDEO: u16 = 0;
pub const ISP_SINK_PARAMS: u16 = 1;
pub const ISP_SOURCE_VIDEO: u16 = 2;
pub const ISP_SOURCE_STATS: u16 = 3;

/// A character device node: `/dev/NAME`, major:minor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Devnode {
    pub name: String,
    pub major: u32,
    pub minor: u32,
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub id: u32,
    pub name: String,
    pub function: u32,
    pub role: Role,
    /// Pad ids and flags, by pad index.
    pub pads: Vec<(u32, u32)>,
    pub devnode: Option<Devnode>,
    /// Interface id and the interface link's id.
    pub intf: Option<(u32, u32)>,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub id: u32,
    /// (entity index, pad index) of both ends.
    pub source: (usize, u16),
    pub sink: (usize, u16),
    pub flags: u32,
}

#[derive(Debug, Clone)]
pub struct Graph {
    pub entities: Vec<Entity>,
    pub links: Vec<Link>,
    /// Ancillary links: (id, sensor entity index, lens entity index).
    pub ancillary: Vec<(u32, usize, usize)>,
    pub topology_version: u64,
}

/// Device numbers handed out across both media devices, in probe order.
pub struct Numbering {
    pub video: u32,
    pub subdev: u32,
    pub minor: u32,
}

/// Major number of the media controller nodes. The kernel allocates it dynamically; this is
/// what an arm64 Debian kernel typically gets.
pub const MEDIA_MAJOR: u32 = 237;
/// The fixed video4linux major.
pub const V4L_MAJOR: u32 = 81;

struct Ids(u32);

impl Ids {
    fn next(&mut self, kind: u32) -> u32 {
        self.0 += 1;
        (kind << 24) | self.0
    }
}

impl Graph {
    /// The graph of the ISP that `sensor` is wired to. Video nodes get their numbers here
    /// (the driver registers them at probe); subdevice nodes are numbered later, by
    /// [`Graph::number_subdevs`], once every sensor has been bound, as on the phone.
    pub fn build(kernel: Kernel, sensor: SensorKind, num: &mut Numbering) -> Graph {
        let mut ids = Ids(0);
        let mut g = Graph { entities: vec![], links: vec![], ancillary: vec![], topology_version: 0 };
        let mut add = |g: &mut Graph, ids: &mut Ids, name: &str, function: u32, role: Role, pad_flags: &[u32]| -> usize {
            let id = ids.next(0);
            let pads = pad_flags.iter().map(|f| (ids.next(1), *f)).collect();
            let (devnode, intf) = if role.is_video() {
                let d = Devnode { name: format!("video{}", num.video), major: V4L_MAJOR, minor: num.minor };
                num.video += 1;
                num.minor += 1;
                let i = ids.next(3);
                (Some(d), Some((i, ids.next(2))))
            } else {
                (None, None)
            };
            g.entities.push(Entity { id, name: name.into(), function, role, pads, devnode, intf });
            g.entities.len() - 1
        };
        let sink_mc = MEDIA_PAD_FL_SINK | MEDIA_PAD_FL_MUST_CONNECT;
        let src_mc = MEDIA_PAD_FL_SOURCE | MEDIA_PAD_FL_MUST_CONNECT;
        let isp = add(
            &mut g,
            &mut ids,
            "rkisp1_isp",
            MEDIA_ENT_F_PROC_VIDEO_PIXEL_FORMATTER,
            Role::Isp,
            &[sink_mc, MEDIA_PAD_FL_SINK, MEDIA_PAD_FL_SOURCE, MEDIA_PAD_FL_SOURCE],
        );
        let rsz = [Path::Main, Path::SelfPath]
            .map(|p| add(&mut g, &mut ids, &format!("rkisp1_resizer_{}", p.name()), MEDIA_ENT_F_PROC_VIDEO_SCALER, Role::Resizer(p), &[sink_mc, src_mc]));
        let cap = [Path::Main, Path::SelfPath]
            .map(|p| add(&mut g, &mut ids, &format!("rkisp1_{}", p.name()), MEDIA_ENT_F_IO_V4L, Role::Capture(p), &[MEDIA_PAD_FL_SINK]));
        let stats = add(&mut g, &mut ids, "rkisp1_stats", MEDIA_ENT_F_IO_V4L, Role::Stats, &[MEDIA_PAD_FL_SINK]);
        let params = add(&mut g, &mut ids, "rkisp1_params", MEDIA_ENT_F_IO_V4L, Role::Params, &[MEDIA_PAD_FL_SOURCE]);
        let csi = kernel.has_csi().then(|| add(&mut g, &mut ids, "rkisp1_csi", MEDIA_ENT_F_VID_IF_BRIDGE, Role::Csi, &[sink_mc, src_mc]));
        let link = |g: &mut Graph, ids: &mut Ids, source: (usize, u16), sink: (usize, u16), flags: u32| {
            let id = ids.next(2);
            ids.next(2); // the back-link
            g.links.push(Link { id, source, sink, flags });
        };
        let fixed = MEDIA_LNK_FL_ENABLED | MEDIA_LNK_FL_IMMUTABLE;
        if let Some(csi) = csi {
            link(&mut g, &mut ids, (csi, 1), (isp, ISP_SINK_VIDEO), MEDIA_LNK_FL_ENABLED);
        }
        for r in rsz {
            link(&mut g, &mut ids, (isp, ISP_SOURCE_VIDEO), (r, 0), MEDIA_LNK_FL_ENABLED);
        }
        for (r, c) in rsz.into_iter().zip(cap) {
            link(&mut g, &mut ids, (r, 1), (c, 0), fixed);
        }
        link(&mut g, &mut ids, (params, 0), (isp, ISP_SINK_PARAMS), fixed);
        link(&mut g, &mut ids, (isp, ISP_SOURCE_STATS), (stats, 0), fixed);
        let (sname, lens) = match sensor {
            SensorKind::Imx258 => ("imx258 1-001a", true),
            SensorKind::Ov8858 => ("ov8858 1-0036", false),
        };
        let s = add(&mut g, &mut ids, sname, MEDIA_ENT_F_CAM_SENSOR, Role::Sensor, &[MEDIA_PAD_FL_SOURCE]);
        link(&mut g, &mut ids, (s, 0), (csi.unwrap_or(isp), 0), MEDIA_LNK_FL_ENABLED);
        if lens {
            let l = add(&mut g, &mut ids, "dw9714 1-000c", MEDIA_ENT_F_LENS, Role::Lens, &[]);
            let id = ids.next(2);
            g.ancillary.push((id, s, l));
        }
        // Ids of the subdev interfaces come last; remember the counter in the version.
        g.topology_version = ids.0 as u64;
        g
    }

    /// Give the subdevices their `/dev/v4l-subdevN` nodes and interfaces (registered by
    /// the driver once the sensors are bound: ISP, resizers, CSI, then sensor and lens).
    pub fn number_subdevs(&mut self, num: &mut Numbering) {
        let mut ids = Ids(self.topology_version as u32);
        let order = [Role::Isp, Role::Resizer(Path::Main), Role::Resizer(Path::SelfPath), Role::Csi, Role::Sensor, Role::Lens];
        for role in order {
            if let Some(e) = self.entities.iter_mut().find(|e| e.role == role) {
                e.devnode = Some(Devnode { name: format!("v4l-subdev{}", num.subdev), major: V4L_MAJOR, minor: num.minor });
                num.subdev += 1;
                num.minor += 1;
                let i = ids.next(3);
                e.intf = Some((i, ids.next(2)));
            }
        }
        self.topology_version = ids.0 as u64;
    }

    pub fn find(&self, role: Role) -> Option<usize> {
        self.entities.iter().position(|e| e.role == role)
    }

    pub fn entity_by_id(&self, id: u32) -> Option<usize> {
        self.entities.iter().position(|e| e.id == id)
    }

    /// The enabled link whose sink is (entity, pad), if any.
    pub fn source_of(&self, entity: usize, pad: u16) -> Option<&Link> {
        self.links.iter().find(|l| l.sink == (entity, pad) && l.flags & MEDIA_LNK_FL_ENABLED != 0)
    }

    /// MEDIA_IOC_SETUP_LINK: only the ENABLED flag of a mutable link may change.
    pub fn setup_link(&mut self, d: &MediaLinkDesc) -> Result<(), i32> {
        let src = self.entity_by_id(d.source.entity).ok_or(errno::EINVAL)?;
        let sink = self.entity_by_id(d.sink.entity).ok_or(errno::EINVAL)?;
        let l = self.links.iter_mut().find(|l| l.source == (src, d.source.index) && l.sink == (sink, d.sink.index)).ok_or(errno::EINVAL)?;
        let want = d.flags & MEDIA_LNK_FL_ENABLED;
        if l.flags & MEDIA_LNK_FL_IMMUTABLE != 0 {
            return if want == l.flags & MEDIA_LNK_FL_ENABLED { Ok(()) } else { Err(errno::EINVAL) };
        }
        l.flags = (l.flags & !MEDIA_LNK_FL_ENABLED) | want;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_the_kernels_registration_order() {
        let mut num = Numbering { video: 0, subdev: 0, minor: 0 };
        let mut g = Graph::build(Kernel::V6_12, SensorKind::Ov8858, &mut num);
        g.number_subdevs(&mut num);
        let id = |n: &str| g.entities.iter().find(|e| e.name == n).unwrap().id;
        // The 6.18 NanoPi NEO4 dump: isp 1, resizers 6 and 9, capture 12 and 16, stats 20,
        // params 24, csi 28, sensor 45.
        assert_eq!(
            [
                id("rkisp1_isp"),
                id("rkisp1_resizer_mainpath"),
                id("rkisp1_resizer_selfpath"),
                id("rkisp1_mainpath"),
                id("rkisp1_selfpath"),
                id("rkisp1_stats"),
                id("rkisp1_params"),
                id("rkisp1_csi"),
                id("ov8858 1-0036")
            ],
            [1, 6, 9, 12, 16, 20, 24, 28, 45]
        );
        assert_eq!(g.entities[0].pads[0].0, (1 << 24) | 2);
        let names: Vec<_> = g.entities.iter().map(|e| e.devnode.as_ref().unwrap().name.clone()).collect();
        assert_eq!(&names[..4], ["v4l-subdev0", "v4l-subdev1", "v4l-subdev2", "video0"]);
    }

    #[test]
    fn only_mutable_links_change() {
        let mut num = Numbering { video: 0, subdev: 0, minor: 0 };
        let mut g = Graph::build(Kernel::V6_1, SensorKind::Imx258, &mut num);
        assert!(g.find(Role::Csi).is_none());
        let isp = g.entities[g.find(Role::Isp).unwrap()].id;
        let rsz = g.entities[g.find(Role::Resizer(Path::SelfPath)).unwrap()].id;
        let stats = g.entities[g.find(Role::Stats).unwrap()].id;
        let desc = |s: u32, sp: u16, k: u32, kp: u16, flags: u32| MediaLinkDesc {
            source: MediaPadDesc { entity: s, index: sp, ..Default::default() },
            sink: MediaPadDesc { entity: k, index: kp, ..Default::default() },
            flags,
            reserved: [0; 2],
        };
        g.setup_link(&desc(isp, 2, rsz, 0, 0)).unwrap();
        assert!(g.source_of(g.find(Role::Resizer(Path::SelfPath)).unwrap(), 0).is_none());
        assert_eq!(g.setup_link(&desc(isp, 3, stats, 0, 0)), Err(errno::EINVAL));
        assert_eq!(g.setup_link(&desc(isp, 0, stats, 0, 1)), Err(errno::EINVAL));
    }
}
