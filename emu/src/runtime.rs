//! The emulator inside a process: created on the first look-up of an emulated path
//! (settings from the environment, the /sys and /dev tree, the frame thread), and the table
//! of the application's descriptors that are emulated device handles.

use crate::config::Config;
use crate::device::{self, Node, Shared};
use crate::render::Light;
use crate::sysfs::{self, Target};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

pub struct Runtime {
    pub shared: Arc<Shared>,
    /// The emulator's directory, canonical (realpath results are mapped back from it).
    pub root: PathBuf,
    pub device_names: Vec<String>,
    /// Application descriptor → handle. A leaf lock: nothing else is taken while held.
    fds: Mutex<HashMap<i32, u64>>,
}

static RUNTIME: OnceLock<Option<Runtime>> = OnceLock::new();

/// Logging to stderr, filtered by `RKISP1_EMU_LOG` (default: warnings).
pub fn init_logging() {
    let env = env_logger::Env::new().filter_or("RKISP1_EMU_LOG", "warn");
    let _ = env_logger::Builder::from_env(env).format_timestamp_millis().try_init();
}

/// The emulator, created on first use; `None` if its settings are invalid (it then stays
/// out of the way and says why once).
pub fn get() -> Option<&'static Runtime> {
    RUNTIME
        .get_or_init(|| match create() {
            Ok(r) => Some(r),
            Err(e) => {
                log::error!("rkisp1 emulator disabled: {e:#}");
                None
            }
        })
        .as_ref()
}

/// Only paths under /dev and /sys can be the emulator's: anything else never creates it.
pub fn maybe_ours(path: &str) -> bool {
    path.starts_with("/dev/") || path.starts_with("/sys/")
}

fn create() -> anyhow::Result<Runtime> {
    init_logging();
    let cfg = Config::from_env()?;
    let dir = cfg.dir.clone();
    let scene = Arc::new(cfg.scene.pixels.clone());
    let lights = {
        let mut v = vec![];
        for kind in [crate::graph::SensorKind::Imx258, crate::graph::SensorKind::Ov8858] {
            let model = match kind {
                crate::graph::SensorKind::Imx258 => rkisp1_sim::sensor::SensorModel::imx258(),
                crate::graph::SensorKind::Ov8858 => rkisp1_sim::sensor::SensorModel::ov8858(),
            };
            v.push(Arc::new(Light::new(&model, &cfg.illuminant, cfg.scene.width, cfg.scene.height)?));
        }
        v
    };
    log::info!(
        "emulating a PinePhone Pro on Linux {} (scene {}, illuminant {}, brightness {}, speed {})",
        cfg.kernel.name(),
        cfg.scene.name,
        cfg.illuminant,
        cfg.brightness,
        cfg.speed
    );
    let state = cfg.state.clone();
    let shared = device::shared(cfg)?;
    let device_names;
    {
        let mut emu = shared.emu.lock().unwrap();
        if let Some(p) = &state {
            crate::state::load(&mut emu, p)?;
        }
        sysfs::build(&emu, &dir)?;
        device_names = emu
            .medias
            .iter()
            .flat_map(|m| std::iter::once(m.node.name.clone()).chain(m.graph.entities.iter().filter_map(|e| e.devnode.as_ref().map(|d| d.name.clone()))))
            .collect();
    }
    let root = std::fs::canonicalize(&dir)?;
    let s = shared.clone();
    std::thread::Builder::new().name("rkisp1-emu-frames".into()).spawn(move || {
        // A fault in the model stops the frames, never the application.
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| crate::engine::run(s, scene, lights)));
        if r.is_err() {
            log::error!("the frame thread failed; no more frames will be produced");
        }
    })?;
    Ok(Runtime { shared, root, device_names, fds: Mutex::new(HashMap::new()) })
}

impl Runtime {
    pub fn resolve(&self, path: &str) -> Target {
        // udev's /dev/char/MAJ:MIN links (v4l2-ctl opens an entity's node through them).
        if let Some(num) = path.strip_prefix("/dev/char/") {
            if let Some(name) = self.device_names.iter().find(|n| self.devnum(n).is_some_and(|(a, b)| format!("{a}:{b}") == num)) {
                return sysfs::resolve(&format!("/dev/{name}"), &self.root, |_| true);
            }
        }
        sysfs::resolve(path, &self.root, |n| self.device_names.iter().any(|d| d == n))
    }

    pub fn handle(&self, fd: i32) -> Option<u64> {
        self.fds.lock().unwrap_or_else(|p| p.into_inner()).get(&fd).copied()
    }

    pub fn any_handles(&self) -> bool {
        !self.fds.lock().unwrap_or_else(|p| p.into_inner()).is_empty()
    }

    /// Opens an emulated device node; returns the application's descriptor.
    pub fn open(&self, name: &str, flags: i32) -> Result<i32, i32> {
        let (fh, fd) = {
            let mut emu = self.shared.emu.lock().unwrap_or_else(|p| p.into_inner());
            let (media, node) = emu.lookup(name).ok_or(libc::ENOENT)?;
            emu.open(media, node, flags)?
        };
        self.fds.lock().unwrap_or_else(|p| p.into_inner()).insert(fd, fh);
        Ok(fd)
    }

    /// A new descriptor for an emulated handle (dup, fcntl F_DUPFD).
    pub fn duplicated(&self, new_fd: i32, fh: u64) {
        self.fds.lock().unwrap_or_else(|p| p.into_inner()).insert(new_fd, fh);
    }

    /// A descriptor is going away; releases its handle if it was the last one.
    pub fn closed(&self, fd: i32) {
        let last = {
            let mut fds = self.fds.lock().unwrap_or_else(|p| p.into_inner());
            match fds.remove(&fd) {
                Some(fh) => (!fds.values().any(|h| *h == fh)).then_some(fh),
                None => None,
            }
        };
        if let Some(fh) = last {
            let mut emu = self.shared.emu.lock().unwrap_or_else(|p| p.into_inner());
            emu.release(fh);
            self.shared.cond.notify_all();
        }
    }

    /// (major, minor) of an emulated device node name.
    pub fn devnum(&self, name: &str) -> Option<(u32, u32)> {
        self.shared.emu.lock().unwrap_or_else(|p| p.into_inner()).devnum(name)
    }

    pub fn devnum_of_handle(&self, fh: u64) -> Option<(String, u32, u32)> {
        let emu = self.shared.emu.lock().unwrap_or_else(|p| p.into_inner());
        let h = emu.fhs.get(&fh)?;
        let m = &emu.medias[h.media];
        match h.node {
            Node::Media => Some((m.node.name.clone(), m.node.major, m.node.minor)),
            Node::Entity(e) => m.graph.entities[e].devnode.as_ref().map(|d| (d.name.clone(), d.major, d.minor)),
        }
    }

    /// An ioctl on a handle; a blocking DQBUF waits for the frame thread.
    pub fn ioctl(&self, fh: u64, req: u64, arg: u64, user: &dyn crate::ioctl::UserMem) -> Result<i32, i32> {
        let mut emu = self.shared.emu.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let r = emu.ioctl(fh, req, arg, user);
            let blocking = emu.fhs.get(&fh).is_some_and(|h| !h.nonblock);
            emu.refresh();
            self.shared.cond.notify_all();
            match r {
                Err(libc::EAGAIN) if blocking && req == crate::uapi::VIDIOC_DQBUF => {
                    emu = self.shared.cond.wait(emu).unwrap_or_else(|p| p.into_inner());
                }
                r => return r,
            }
        }
    }

    /// mmap of a buffer plane of a video node: `map` gets the plane's memfd and length,
    /// under the lock (the buffer cannot be freed meanwhile).
    pub fn mmap<R>(&self, fh: u64, offset: u64, map: impl FnOnce(i32, usize) -> R) -> Result<R, i32> {
        let mut emu = self.shared.emu.lock().unwrap_or_else(|p| p.into_inner());
        let (fd, len) = emu.mmap_target(fh, offset)?;
        Ok(map(fd, len))
    }

    pub fn set_nonblock(&self, fh: u64, on: bool) {
        let mut emu = self.shared.emu.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(h) = emu.fhs.get_mut(&fh) {
            h.nonblock = on;
        }
    }

    /// For poll: the readiness descriptors of a handle and the events they stand for.
    pub fn poll_map(&self, fh: u64) -> Option<(i32, i16, i32)> {
        self.shared.emu.lock().unwrap_or_else(|p| p.into_inner()).poll_map(fh)
    }

    /// Removes the emulator's directory (at process exit).
    pub fn cleanup(&self) {
        let emu = self.shared.emu.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = emu.cfg.state.clone() {
            if let Err(e) = crate::state::save(&emu, &p) {
                log::error!("saving the emulator's state: {e:#}");
            }
        }
        drop(emu);
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

impl device::Emu {
    fn mmap_target(&mut self, fh: u64, offset: u64) -> Result<(i32, usize), i32> {
        let h = self.fhs.get(&fh).ok_or(libc::EBADF)?;
        let Node::Entity(e) = h.node else { return Err(libc::ENODEV) };
        let m = &mut self.medias[h.media];
        let role = m.role(e);
        if !role.is_video() {
            return Err(libc::ENODEV);
        }
        let q = crate::ioctl::queue_of(m, role);
        if q.memory != Some(crate::queue::Memory::Mmap) {
            return Err(libc::EINVAL);
        }
        for (i, b) in q.bufs.iter().enumerate() {
            for (p, pl) in b.planes.iter().enumerate() {
                if crate::queue::mem_offset(i, p, b.planes.len()) as u64 == offset {
                    let mem = pl.mem.as_ref().ok_or(libc::EINVAL)?;
                    return Ok((mem.raw_fd(), mem.len()));
                }
            }
        }
        Err(libc::EINVAL)
    }
}

/// The emulator if it was created in this process.
pub fn peek() -> Option<&'static Runtime> {
    RUNTIME.get().and_then(|r| r.as_ref())
}
