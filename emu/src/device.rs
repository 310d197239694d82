//! The emulated phone: both media devices with their subdevice pad states, sensors, video
//! queues and ISP state, the open file handles, and what makes each descriptor readable.
//! One mutex guards all of it (`Shared`); the frame thread (`engine.rs`) and the ioctl
//! handlers (`ioctl.rs`) take it.

use crate::config::Config;
use crate::controls::Controls;
use crate::formats;
use crate::graph::{Graph, Numbering, Path, Role, SensorKind};
use crate::profile::Kernel;
use crate::queue::Queue;
use crate::report::Report;
use crate::sensor::{self, Sensor};
use crate::subdevs::{self, PadState};
use crate::sys::mem::EventFd;
use crate::uapi::{self, errno::*, pix, V4l2PixFormatMplane};
use rkisp1_ipa::abi::ParamFormat;
use rkisp1_sim::isp::IspState;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

/// A capture video node (mainpath or selfpath).
pub struct Capture {
    pub path: Path,
    pub fmt: V4l2PixFormatMplane,
    pub queue: Queue,
}

/// The params video node: format and queue; queued payloads are copied at QBUF as the
/// driver does.
pub struct Params {
    pub format: ParamFormat,
    pub queue: Queue,
    pub payloads: Vec<Option<Vec<u8>>>,
}

/// Frame timing and ISP register state of a streaming ISP.
pub struct Engine {
    pub running: bool,
    /// Incremented at every start and stop, so that a frame rendered across a stop is
    /// dropped.
    pub generation: u64,
    /// Last frame started (-1 after start).
    pub sequence: i64,
    pub next_sof: Instant,
    pub eof: Option<(i64, Instant)>,
    pub isp: IspState,
    /// Set while a frame is being rendered outside the lock.
    pub rendering: bool,
}

pub struct Media {
    pub index: usize,
    pub kernel: Kernel,
    pub node: crate::graph::Devnode,
    /// Platform device name (sysfs), e.g. `ff920000.isp`.
    pub platform: String,
    pub graph: Graph,
    /// Pad states of the ISP, CSI and resizers, by entity index.
    pub pads: Vec<Vec<PadState>>,
    pub sensor: Sensor,
    pub lens: Option<Controls>,
    pub capture: [Capture; 2],
    pub stats: Queue,
    pub params: Params,
    pub engine: Engine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Media,
    Entity(usize),
}

/// An open file handle.
pub struct Fh {
    pub media: usize,
    pub node: Node,
    /// The application's descriptor is a duplicate of `data`: readable when buffers are
    /// done (writable, for the params node).
    pub data: EventFd,
    /// Readable when an event is pending (POLLPRI to the application).
    pub events: EventFd,
    pub nonblock: bool,
    pub frame_sync: bool,
    pub pending: VecDeque<uapi::V4l2Event>,
    pub event_seq: u32,
    /// TRY pad states of subdevices, by entity index.
    pub try_pads: HashMap<usize, Vec<PadState>>,
    pub client_caps: u64,
}

pub struct Emu {
    pub cfg: Config,
    pub medias: Vec<Media>,
    pub fhs: BTreeMap<u64, Fh>,
    next_fh: u64,
    pub report: Option<Report>,
    pub started: Instant,
}

pub struct Shared {
    pub emu: Mutex<Emu>,
    /// Signalled whenever the frame thread or a blocking DQBUF may have something to do.
    pub cond: Condvar,
}

fn default_pix(path: Path) -> V4l2PixFormatMplane {
    let mut p = V4l2PixFormatMplane { width: 800, height: 600, pixelformat: pix::YUYV, ..Default::default() };
    crate::ioctl::fill_pix(path, &mut p);
    p
}

impl Media {
    fn new(index: usize, kernel: Kernel, kind: SensorKind, num: &mut Numbering) -> Media {
        let graph = Graph::build(kernel, kind, num);
        let pads = graph
            .entities
            .iter()
            .map(|e| match e.role {
                Role::Isp => subdevs::isp_init(),
                Role::Csi => subdevs::csi_init(),
                Role::Resizer(_) => subdevs::rsz_init(),
                _ => vec![],
            })
            .collect();
        let capture = [Path::Main, Path::SelfPath].map(|p| Capture {
            path: p,
            fmt: default_pix(p),
            queue: Queue::new(uapi::V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE, crate::engine::CAPTURE_MIN_QUEUED as u32, 64),
        });
        Media {
            index,
            kernel,
            node: crate::graph::Devnode { name: format!("media{index}"), major: crate::graph::MEDIA_MAJOR, minor: index as u32 },
            platform: match kind {
                SensorKind::Imx258 => "ff920000.isp".into(),
                SensorKind::Ov8858 => "ff910000.isp".into(),
            },
            graph,
            pads,
            sensor: Sensor::new(kind, kernel),
            lens: (kind == SensorKind::Imx258).then(sensor::lens_controls),
            capture,
            stats: Queue::new(uapi::V4L2_BUF_TYPE_META_CAPTURE, 2, 8),
            params: Params { format: ParamFormat::Fixed, queue: Queue::new(uapi::V4L2_BUF_TYPE_META_OUTPUT, 2, 8), payloads: vec![] },
            engine: Engine { running: false, generation: 0, sequence: -1, next_sof: Instant::now(), eof: None, isp: IspState::default(), rendering: false },
        }
    }

    pub fn role(&self, entity: usize) -> Role {
        self.graph.entities[entity].role
    }

    pub fn entity(&self, role: Role) -> usize {
        self.graph.find(role).expect("entity of the rkisp1 graph")
    }

    pub fn isp_pads(&self) -> &[PadState] {
        &self.pads[self.entity(Role::Isp)]
    }

    pub fn streaming_paths(&self) -> impl Iterator<Item = Path> + '_ {
        [Path::Main, Path::SelfPath].into_iter().filter(|p| self.capture[p.index()].queue.streaming)
    }

    /// The ISP outputs raw Bayer (params are then not applied).
    pub fn raw_output(&self) -> bool {
        formats::is_bayer(self.isp_pads()[2].fmt.code)
    }
}

impl Emu {
    pub fn new(cfg: Config) -> anyhow::Result<Emu> {
        let mut num = Numbering { video: 0, subdev: 0, minor: 0 };
        // The rear camera's ISP first, so that `cam -c1` is the rear camera.
        let mut medias = vec![Media::new(0, cfg.kernel, SensorKind::Imx258, &mut num), Media::new(1, cfg.kernel, SensorKind::Ov8858, &mut num)];
        for m in &mut medias {
            m.graph.number_subdevs(&mut num);
            m.sensor.fail_writes = cfg.faults.sensor_write.clone();
        }
        let report = cfg.report.as_ref().map(|p| Report::create(p)).transpose()?;
        Ok(Emu { cfg, medias, fhs: BTreeMap::new(), next_fh: 1, report, started: Instant::now() })
    }

    /// The device node `/dev/NAME` of the emulated phone, as (media, node).
    pub fn lookup(&self, name: &str) -> Option<(usize, Node)> {
        for m in &self.medias {
            if m.node.name == name {
                return Some((m.index, Node::Media));
            }
            for (i, e) in m.graph.entities.iter().enumerate() {
                if e.devnode.as_ref().is_some_and(|d| d.name == name) {
                    return Some((m.index, Node::Entity(i)));
                }
            }
        }
        None
    }

    /// (major, minor) of a device node name.
    pub fn devnum(&self, name: &str) -> Option<(u32, u32)> {
        let (m, n) = self.lookup(name)?;
        let media = &self.medias[m];
        Some(match n {
            Node::Media => (media.node.major, media.node.minor),
            Node::Entity(e) => {
                let d = media.graph.entities[e].devnode.as_ref()?;
                (d.major, d.minor)
            }
        })
    }

    /// Opens a device node; returns the handle and the application's descriptor.
    pub fn open(&mut self, media: usize, node: Node, flags: i32) -> Result<(u64, i32), i32> {
        let data = EventFd::new()?;
        let events = EventFd::new()?;
        let fd = data.dup(flags & libc::O_CLOEXEC != 0)?;
        let id = self.next_fh;
        self.next_fh += 1;
        self.fhs.insert(
            id,
            Fh {
                media,
                node,
                data,
                events,
                nonblock: flags & libc::O_NONBLOCK != 0,
                frame_sync: false,
                pending: VecDeque::new(),
                event_seq: 0,
                try_pads: HashMap::new(),
                client_caps: 0,
            },
        );
        log::debug!("open {} -> fd {fd} (handle {id})", self.node_name(media, node));
        Ok((id, fd))
    }

    pub fn node_name(&self, media: usize, node: Node) -> String {
        let m = &self.medias[media];
        match node {
            Node::Media => format!("/dev/{}", m.node.name),
            Node::Entity(e) => {
                let ent = &m.graph.entities[e];
                format!("/dev/{} ({})", ent.devnode.as_ref().map(|d| d.name.as_str()).unwrap_or("?"), ent.name)
            }
        }
    }

    /// The last descriptor of a handle was closed: release its queues as the kernel does.
    pub fn release(&mut self, fh: u64) {
        let Some(h) = self.fhs.remove(&fh) else { return };
        let m = &mut self.medias[h.media];
        let mut stopped = false;
        for c in &mut m.capture {
            if c.queue.owner == Some(fh) {
                stopped |= c.queue.streaming;
                c.queue.cancel();
                c.queue.bufs.clear();
                c.queue.owner = None;
                c.queue.memory = None;
            }
        }
        for q in [&mut m.stats, &mut m.params.queue] {
            if q.owner == Some(fh) {
                q.cancel();
                q.bufs.clear();
                q.owner = None;
                q.memory = None;
            }
        }
        if stopped && m.streaming_paths().next().is_none() {
            crate::engine::stop(self, h.media);
        }
        self.refresh();
    }

    /// Sets every handle's readiness descriptors from the device state.
    pub fn refresh(&mut self) {
        for h in self.fhs.values_mut() {
            let m = &self.medias[h.media];
            let data = match h.node {
                Node::Entity(e) => match m.graph.entities[e].role {
                    Role::Capture(p) => m.capture[p.index()].queue.has_done(),
                    Role::Stats => m.stats.has_done(),
                    Role::Params => m.params.queue.has_done(),
                    _ => false,
                },
                Node::Media => false,
            };
            h.data.set(data);
            h.events.set(!h.pending.is_empty());
        }
    }

    /// Poll events the application's descriptor maps to: what readiness of `data` means,
    /// and the events descriptor (POLLPRI).
    pub fn poll_map(&self, fh: u64) -> Option<(i32, i16, i32)> {
        let h = self.fhs.get(&fh)?;
        let m = &self.medias[h.media];
        let data_events = match h.node {
            Node::Entity(e) => match m.graph.entities[e].role {
                Role::Capture(_) | Role::Stats => libc::POLLIN | libc::POLLRDNORM,
                Role::Params => libc::POLLOUT | libc::POLLWRNORM,
                _ => 0,
            },
            Node::Media => 0,
        };
        Some((h.data.raw_fd(), data_events, h.events.raw_fd()))
    }

    /// Queues a frame-start event on every handle of the ISP subdevice subscribed to it
    /// (one event deep: a newer one replaces an unread one, as v4l2_event_subscribe with
    /// no queue size does).
    pub fn frame_sync(&mut self, media: usize, seq: u32) {
        let isp = self.medias[media].entity(Role::Isp);
        let now = crate::engine::monotonic_ns();
        for h in self.fhs.values_mut() {
            if h.media == media && h.node == Node::Entity(isp) && h.frame_sync {
                let mut ev: uapi::V4l2Event = bytemuck::Zeroable::zeroed();
                ev.type_ = uapi::V4L2_EVENT_FRAME_SYNC;
                ev.u[..4].copy_from_slice(&seq.to_le_bytes());
                ev.sequence = h.event_seq;
                h.event_seq = h.event_seq.wrapping_add(1);
                ev.timestamp = [(now / 1_000_000_000) as i64, (now % 1_000_000_000) as i64];
                h.pending.clear();
                h.pending.push_back(ev);
            }
        }
    }
}

/// The process-wide emulator.
pub fn shared(cfg: Config) -> anyhow::Result<Arc<Shared>> {
    let emu = Emu::new(cfg)?;
    Ok(Arc::new(Shared { emu: Mutex::new(emu), cond: Condvar::new() }))
}

pub fn sensor_kind(m: &Media) -> SensorKind {
    m.sensor.kind
}

/// Devices of a media device, for the sysfs tree: (devnode, entity name, role).
pub fn devnodes(m: &Media) -> Vec<(crate::graph::Devnode, String, Role)> {
    m.graph.entities.iter().filter_map(|e| e.devnode.clone().map(|d| (d, e.name.clone(), e.role))).collect()
}

pub fn check(b: bool) -> Result<(), i32> {
    if b {
        Ok(())
    } else {
        Err(EINVAL)
    }
}
