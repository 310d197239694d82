//! The ioctls of the emulated nodes: media controller, subdevices (ISP, CSI, resizers,
//! sensor, lens) and video nodes (capture, stats, params), answering as the 6.1 / 6.12
//! drivers do, with their errnos. User memory is reached through [`UserMem`] so that this
//! layer has no `unsafe`; the syscall layer implements it on raw pointers.

use crate::controls::Controls;
use crate::device::{check, Emu, Node};
use crate::formats;
use crate::graph::{Path, Role, ISP_SINK_VIDEO, ISP_SOURCE_VIDEO};
use crate::queue::{mem_offset, Memory, PlaneIn};
use crate::subdevs::{self, PadState};
use crate::uapi::{self, errno::*, *};
use bytemuck::{Pod, Zeroable};
use rkisp1_ipa::abi::ParamFormat;

/// Access to the calling process' memory.
pub trait UserMem {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), i32>;
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), i32>;
}

fn get<T: Pod>(u: &dyn UserMem, addr: u64) -> Result<T, i32> {
    let mut b = vec![0u8; std::mem::size_of::<T>()];
    u.read(addr, &mut b)?;
    Ok(bytemuck::pod_read_unaligned(&b))
}

fn put<T: Pod>(u: &dyn UserMem, addr: u64, v: &T) -> Result<(), i32> {
    u.write(addr, bytemuck::bytes_of(v))
}

/// Reads the argument, runs `f`, writes it back on success.
fn rw<T: Pod>(u: &dyn UserMem, arg: u64, f: impl FnOnce(&mut T) -> Result<i32, i32>) -> Result<i32, i32> {
    let mut v: T = get(u, arg)?;
    let r = f(&mut v)?;
    put(u, arg, &v)?;
    Ok(r)
}

fn ioctl_name(req: u64) -> String {
    match uapi::ioctl_name(req) {
        Some(n) => n.to_string(),
        None => format!("ioctl 0x{req:08x} ('{}', {})", ((req >> 8) & 0xff) as u8 as char, req & 0xff),
    }
}

impl Emu {
    /// One ioctl on an open handle. EAGAIN from DQBUF on a blocking handle is left to the
    /// caller, who waits for the frame thread.
    pub fn ioctl(&mut self, fh: u64, req: u64, arg: u64, u: &dyn UserMem) -> Result<i32, i32> {
        let h = self.fhs.get(&fh).ok_or(EBADF)?;
        let (media, node) = (h.media, h.node);
        if arg == 0 && req != VIDIOC_STREAMON && req != VIDIOC_STREAMOFF {
            log::error!("{} on {}: NULL argument", ioctl_name(req), self.node_name(media, node));
            return Err(EFAULT);
        }
        let r = match node {
            Node::Media => self.media_ioctl(media, req, arg, u),
            Node::Entity(e) => match self.medias[media].role(e) {
                Role::Capture(_) | Role::Stats | Role::Params => self.video_ioctl(fh, media, e, req, arg, u),
                _ => self.subdev_ioctl(fh, media, e, req, arg, u),
            },
        };
        log::trace!("{} on {}: {:?}", ioctl_name(req), self.node_name(media, node), r);
        match r {
            Err(ENOTTY) => log::debug!("{} on {}: not supported (ENOTTY)", ioctl_name(req), self.node_name(media, node)),
            Err(e) if e != libc::EAGAIN => log::debug!("{} on {}: errno {e}", ioctl_name(req), self.node_name(media, node)),
            _ => {}
        }
        r
    }

    // ---- media controller ----

    fn media_ioctl(&mut self, media: usize, req: u64, arg: u64, u: &dyn UserMem) -> Result<i32, i32> {
        let version = self.medias[media].kernel.version_code();
        match req {
            MEDIA_IOC_DEVICE_INFO => rw(u, arg, |i: &mut MediaDeviceInfo| {
                *i = Zeroable::zeroed();
                put_name(&mut i.driver, "rkisp1");
                put_name(&mut i.model, "rkisp1");
                put_name(&mut i.bus_info, "platform:rkisp1");
                i.media_version = version;
                i.hw_revision = 10;
                i.driver_version = version;
                Ok(0)
            }),
            MEDIA_IOC_G_TOPOLOGY => {
                let mut t: MediaV2Topology = get(u, arg)?;
                self.topology(media, &mut t, u)?;
                put(u, arg, &t)?;
                Ok(0)
            }
            MEDIA_IOC_SETUP_LINK => rw(u, arg, |d: &mut MediaLinkDesc| {
                let m = &mut self.medias[media];
                if m.engine.running {
                    return Err(EBUSY);
                }
                m.graph.setup_link(d)?;
                Ok(0)
            }),
            MEDIA_IOC_ENUM_ENTITIES => rw(u, arg, |d: &mut MediaEntityDesc| self.enum_entity(media, d)),
            MEDIA_IOC_ENUM_LINKS => {
                let l: MediaLinksEnum = get(u, arg)?;
                self.enum_links(media, &l, u)?;
                Ok(0)
            }
            _ => Err(ENOTTY),
        }
    }

    fn topology(&self, media: usize, t: &mut MediaV2Topology, u: &dyn UserMem) -> Result<(), i32> {
        let g = &self.medias[media].graph;
        let entities: Vec<MediaV2Entity> = g
            .entities
            .iter()
            .map(|e| {
                let mut v = MediaV2Entity { id: e.id, name: [0; 64], function: e.function, flags: 0, reserved: [0; 5] };
                put_name(&mut v.name, &e.name);
                v
            })
            .collect();
        let mut intfs = vec![];
        let mut pads = vec![];
        let mut links = vec![];
        for e in &g.entities {
            for (i, (id, flags)) in e.pads.iter().enumerate() {
                pads.push(MediaV2Pad { id: *id, entity_id: e.id, flags: *flags, index: i as u32, reserved: [0; 4] });
            }
            if let (Some(d), Some((iid, lid))) = (&e.devnode, e.intf) {
                let mut i: MediaV2Interface = Zeroable::zeroed();
                i.id = iid;
                i.intf_type = if e.role.is_video() { MEDIA_INTF_T_V4L_VIDEO } else { MEDIA_INTF_T_V4L_SUBDEV };
                i.devnode_major = d.major;
                i.devnode_minor = d.minor;
                intfs.push(i);
                links.push(MediaV2Link {
                    id: lid,
                    source_id: iid,
                    sink_id: e.id,
                    flags: MEDIA_LNK_FL_ENABLED | MEDIA_LNK_FL_IMMUTABLE | MEDIA_LNK_FL_INTERFACE_LINK,
                    reserved: [0; 6],
                });
            }
        }
        for l in &g.links {
            let sid = g.entities[l.source.0].pads[l.source.1 as usize].0;
            let kid = g.entities[l.sink.0].pads[l.sink.1 as usize].0;
            links.push(MediaV2Link { id: l.id, source_id: sid, sink_id: kid, flags: l.flags | MEDIA_LNK_FL_DATA_LINK, reserved: [0; 6] });
        }
        for (id, s, l) in &g.ancillary {
            links.push(MediaV2Link {
                id: *id,
                source_id: g.entities[*s].id,
                sink_id: g.entities[*l].id,
                flags: MEDIA_LNK_FL_ENABLED | MEDIA_LNK_FL_IMMUTABLE | MEDIA_LNK_FL_ANCILLARY_LINK,
                reserved: [0; 6],
            });
        }
        intfs.sort_by_key(|i| i.id);
        links.sort_by_key(|l| l.id & 0x00ff_ffff);
        fn copy<T: Pod>(u: &dyn UserMem, ptr: u64, num: &mut u32, items: &[T]) -> Result<(), i32> {
            if ptr != 0 {
                if (*num as usize) < items.len() {
                    *num = items.len() as u32;
                    return Err(ENOSPC);
                }
                u.write(ptr, bytemuck::cast_slice(items))?;
            }
            *num = items.len() as u32;
            Ok(())
        }
        t.topology_version = g.topology_version;
        copy(u, t.ptr_entities, &mut t.num_entities, &entities)?;
        copy(u, t.ptr_interfaces, &mut t.num_interfaces, &intfs)?;
        copy(u, t.ptr_pads, &mut t.num_pads, &pads)?;
        copy(u, t.ptr_links, &mut t.num_links, &links)?;
        Ok(())
    }

    fn enum_entity(&self, media: usize, d: &mut MediaEntityDesc) -> Result<i32, i32> {
        let g = &self.medias[media].graph;
        let e = if d.id & MEDIA_ENT_ID_FLAG_NEXT != 0 {
            let after = d.id & !MEDIA_ENT_ID_FLAG_NEXT;
            g.entities.iter().filter(|e| e.id > after).min_by_key(|e| e.id)
        } else {
            g.entities.iter().find(|e| e.id == d.id)
        }
        .ok_or(EINVAL)?;
        *d = Zeroable::zeroed();
        d.id = e.id;
        let n = e.name.as_bytes();
        d.name[..n.len().min(31)].copy_from_slice(&n[..n.len().min(31)]);
        // Legacy types: subdevices with a new-style function are "V4L2 subdev unknown".
        d.type_ = match e.function {
            MEDIA_ENT_F_IO_V4L | MEDIA_ENT_F_CAM_SENSOR | MEDIA_ENT_F_LENS => e.function,
            _ => 0x0002_0000,
        };
        d.pads = e.pads.len() as u16;
        let idx = g.entities.iter().position(|x| x.id == e.id).unwrap();
        d.links = g.links.iter().filter(|l| l.source.0 == idx).count() as u16;
        if let Some(dn) = &e.devnode {
            d.dev_major = dn.major;
            d.dev_minor = dn.minor;
        }
        Ok(0)
    }

    fn enum_links(&self, media: usize, l: &MediaLinksEnum, u: &dyn UserMem) -> Result<(), i32> {
        let g = &self.medias[media].graph;
        let idx = g.entity_by_id(l.entity).ok_or(EINVAL)?;
        let e = &g.entities[idx];
        let pad_desc = |ent: usize, pad: u16| MediaPadDesc {
            entity: g.entities[ent].id,
            index: pad,
            _pad: 0,
            flags: g.entities[ent].pads[pad as usize].1,
            reserved: [0; 2],
        };
        if l.pads != 0 {
            let pads: Vec<MediaPadDesc> = (0..e.pads.len()).map(|p| pad_desc(idx, p as u16)).collect();
            u.write(l.pads, bytemuck::cast_slice(&pads))?;
        }
        if l.links != 0 {
            let links: Vec<MediaLinkDesc> = g
                .links
                .iter()
                .filter(|k| k.source.0 == idx)
                .map(|k| MediaLinkDesc { source: pad_desc(k.source.0, k.source.1), sink: pad_desc(k.sink.0, k.sink.1), flags: k.flags, reserved: [0; 2] })
                .collect();
            u.write(l.links, bytemuck::cast_slice(&links))?;
        }
        Ok(())
    }

    // ---- subdevices ----

    fn subdev_ioctl(&mut self, fh: u64, media: usize, e: usize, req: u64, arg: u64, u: &dyn UserMem) -> Result<i32, i32> {
        let kernel = self.medias[media].kernel;
        let role = self.medias[media].role(e);
        match req {
            VIDIOC_SUBDEV_QUERYCAP => rw(u, arg, |c: &mut V4l2SubdevCapability| {
                *c = Zeroable::zeroed();
                c.version = kernel.version_code();
                Ok(0)
            }),
            VIDIOC_SUBDEV_G_CLIENT_CAP => rw(u, arg, |c: &mut V4l2SubdevClientCapability| {
                c.capabilities = self.fhs[&fh].client_caps;
                Ok(0)
            }),
            VIDIOC_SUBDEV_S_CLIENT_CAP => rw(u, arg, |c: &mut V4l2SubdevClientCapability| {
                // Streams need a routing-capable driver; none of these subdevices is.
                c.capabilities &= 0;
                self.fhs.get_mut(&fh).unwrap().client_caps = c.capabilities;
                Ok(0)
            }),
            VIDIOC_SUBDEV_G_FMT | VIDIOC_SUBDEV_S_FMT => rw(u, arg, |f: &mut V4l2SubdevFormat| {
                self.subdev_fmt(fh, media, e, f, req == VIDIOC_SUBDEV_S_FMT)?;
                Ok(0)
            }),
            VIDIOC_SUBDEV_ENUM_MBUS_CODE => rw(u, arg, |c: &mut V4l2SubdevMbusCodeEnum| {
                check(c.stream == 0)?;
                let m = &self.medias[media];
                let (code, flags) = match role {
                    Role::Isp => subdevs::isp_enum_code(c.pad, c.index)?,
                    Role::Csi => (subdevs::csi_enum_code(&m.pads[e], c.pad, c.index)?, 0),
                    Role::Resizer(p) => (subdevs::rsz_enum_code(p, c.pad, c.index)?, 0),
                    Role::Sensor if c.pad == 0 && c.index == 0 => (m.sensor.code(), 0),
                    Role::Sensor => return Err(EINVAL),
                    _ => return Err(ENOTTY),
                };
                c.code = code;
                c.flags = flags;
                Ok(0)
            }),
            VIDIOC_SUBDEV_ENUM_FRAME_SIZE => rw(u, arg, |s: &mut V4l2SubdevFrameSizeEnum| {
                check(s.stream == 0)?;
                let m = &self.medias[media];
                let ((minw, minh), (maxw, maxh)) = match role {
                    Role::Isp => subdevs::isp_enum_size(kernel, s.pad, s.code, s.index)?,
                    Role::Csi => {
                        check(s.pad < 2 && s.index == 0 && formats::isp_code(s.code).is_some_and(|c| c.1))?;
                        ((subdevs::MIN_W, subdevs::MIN_H), kernel.isp_max())
                    }
                    Role::Sensor => {
                        check(s.pad == 0 && s.code == m.sensor.code())?;
                        let md = m.sensor.modes.get(s.index as usize).ok_or(EINVAL)?;
                        ((md.width, md.height), (md.width, md.height))
                    }
                    _ => return Err(ENOTTY),
                };
                (s.min_width, s.min_height, s.max_width, s.max_height) = (minw, minh, maxw, maxh);
                Ok(0)
            }),
            VIDIOC_SUBDEV_G_SELECTION | VIDIOC_SUBDEV_S_SELECTION => rw(u, arg, |s: &mut V4l2SubdevSelection| {
                check(s.stream == 0)?;
                let set = req == VIDIOC_SUBDEV_S_SELECTION;
                if role == Role::Sensor {
                    if set {
                        return Err(ENOTTY);
                    }
                    check(s.pad == 0)?;
                    s.r = self.medias[media].sensor.selection(s.target)?;
                    return Ok(0);
                }
                if set && s.which == V4L2_SUBDEV_FORMAT_ACTIVE && self.medias[media].engine.running {
                    return Err(EBUSY);
                }
                let pads = self.pads_for(fh, media, e, s.which)?;
                match (role, set) {
                    (Role::Isp, false) => s.r = subdevs::isp_get_selection(pads, s.pad, s.target)?,
                    (Role::Isp, true) => subdevs::isp_set_selection(pads, s.pad, s.target, &mut s.r)?,
                    (Role::Resizer(_), false) => s.r = subdevs::rsz_get_selection(pads, s.pad, s.target)?,
                    (Role::Resizer(p), true) => subdevs::rsz_set_selection(p, pads, s.pad, s.target, &mut s.r)?,
                    _ => return Err(ENOTTY),
                }
                Ok(0)
            }),
            VIDIOC_SUBSCRIBE_EVENT | VIDIOC_UNSUBSCRIBE_EVENT => {
                let s: V4l2EventSubscription = get(u, arg)?;
                if role != Role::Isp {
                    return Err(ENOTTY);
                }
                let h = self.fhs.get_mut(&fh).unwrap();
                if req == VIDIOC_SUBSCRIBE_EVENT {
                    check(s.type_ == V4L2_EVENT_FRAME_SYNC && s.id == 0)?;
                    h.frame_sync = true;
                } else {
                    if s.type_ == V4L2_EVENT_ALL || s.type_ == V4L2_EVENT_FRAME_SYNC {
                        h.frame_sync = false;
                        h.pending.clear();
                    }
                }
                Ok(0)
            }
            VIDIOC_DQEVENT => {
                if role != Role::Isp {
                    return Err(ENOTTY);
                }
                let h = self.fhs.get_mut(&fh).unwrap();
                let mut ev = h.pending.pop_front().ok_or(ENOENT)?;
                ev.pending = h.pending.len() as u32;
                put(u, arg, &ev)?;
                Ok(0)
            }
            _ => {
                let streaming = self.medias[media].sensor.streaming();
                let m = &mut self.medias[media];
                match role {
                    Role::Sensor => control_ioctl(req, arg, u, &mut m.sensor.controls.clone(), |vals| m.sensor.write_controls(vals, streaming)),
                    Role::Lens => {
                        let lens = m.lens.as_mut().unwrap();
                        let snapshot = lens.clone();
                        control_ioctl(req, arg, u, &mut snapshot.clone(), |vals| {
                            for (i, (id, v)) in vals.iter().enumerate() {
                                lens.check_write(*id, *v).map_err(|e| (i, e))?;
                            }
                            for (id, v) in vals {
                                let v = lens.check_write(*id, *v).unwrap();
                                lens.store(*id, v);
                            }
                            Ok(())
                        })
                    }
                    _ => Err(ENOTTY),
                }
            }
        }
    }

    /// The pad states a `which` refers to: the device's, or the handle's TRY states
    /// (initialised to the driver defaults).
    fn pads_for(&mut self, fh: u64, media: usize, e: usize, which: u32) -> Result<&mut Vec<PadState>, i32> {
        match which {
            V4L2_SUBDEV_FORMAT_ACTIVE => Ok(&mut self.medias[media].pads[e]),
            V4L2_SUBDEV_FORMAT_TRY => {
                let role = self.medias[media].role(e);
                let h = self.fhs.get_mut(&fh).unwrap();
                Ok(h.try_pads.entry(e).or_insert_with(|| match role {
                    Role::Isp => subdevs::isp_init(),
                    Role::Csi => subdevs::csi_init(),
                    Role::Resizer(_) => subdevs::rsz_init(),
                    _ => vec![],
                }))
            }
            _ => Err(EINVAL),
        }
    }

    fn subdev_fmt(&mut self, fh: u64, media: usize, e: usize, f: &mut V4l2SubdevFormat, set: bool) -> Result<(), i32> {
        check(f.stream == 0)?;
        let m = &self.medias[media];
        let kernel = m.kernel;
        let role = m.role(e);
        let running = m.engine.running;
        let npads = m.graph.entities[e].pads.len() as u32;
        check(f.pad < npads)?;
        if role == Role::Sensor {
            check(f.which <= V4L2_SUBDEV_FORMAT_ACTIVE)?;
            let active = f.which == V4L2_SUBDEV_FORMAT_ACTIVE;
            if set {
                let streaming = self.medias[media].sensor.streaming();
                self.medias[media].sensor.set_format(&mut f.format, active, streaming)?;
                if !active {
                    let h = self.fhs.get_mut(&fh).unwrap();
                    h.try_pads.insert(e, vec![PadState { fmt: f.format, crop: Default::default() }]);
                }
            } else if active {
                f.format = self.medias[media].sensor.format();
            } else {
                let def = self.medias[media].sensor.format();
                let h = self.fhs.get_mut(&fh).unwrap();
                f.format = h.try_pads.get(&e).map(|p| p[0].fmt).unwrap_or(def);
            }
            return Ok(());
        }
        if set && f.which == V4L2_SUBDEV_FORMAT_ACTIVE && running {
            return Err(EBUSY);
        }
        let pads = self.pads_for(fh, media, e, f.which)?;
        if !set {
            f.format = pads[f.pad as usize].fmt;
            return Ok(());
        }
        match role {
            Role::Isp => subdevs::isp_set_fmt(kernel, pads, f.pad, &mut f.format),
            Role::Csi => subdevs::csi_set_fmt(kernel, pads, f.pad, &mut f.format),
            Role::Resizer(p) => subdevs::rsz_set_fmt(kernel, p, pads, f.pad, &mut f.format),
            _ => return Err(ENOTTY),
        }
        Ok(())
    }

    // ---- video nodes ----

    fn video_ioctl(&mut self, fh: u64, media: usize, e: usize, req: u64, arg: u64, u: &dyn UserMem) -> Result<i32, i32> {
        let m = &self.medias[media];
        let role = m.role(e);
        let kernel = m.kernel;
        let buf_type = match role {
            Role::Capture(_) => V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE,
            Role::Stats => V4L2_BUF_TYPE_META_CAPTURE,
            _ => V4L2_BUF_TYPE_META_OUTPUT,
        };
        match req {
            VIDIOC_QUERYCAP => rw(u, arg, |c: &mut V4l2Capability| {
                *c = Zeroable::zeroed();
                put_name(&mut c.driver, "rkisp1");
                let ent = &self.medias[media].graph.entities[e];
                put_name(&mut c.card, if matches!(role, Role::Capture(_)) { "rkisp1" } else { &ent.name });
                put_name(&mut c.bus_info, "platform:rkisp1");
                c.version = kernel.version_code();
                c.device_caps = match role {
                    Role::Capture(_) => V4L2_CAP_VIDEO_CAPTURE_MPLANE | V4L2_CAP_STREAMING | V4L2_CAP_IO_MC,
                    Role::Stats => V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING,
                    _ => V4L2_CAP_META_OUTPUT | V4L2_CAP_STREAMING,
                };
                c.capabilities = c.device_caps | V4L2_CAP_DEVICE_CAPS;
                Ok(0)
            }),
            VIDIOC_ENUM_FMT => rw(u, arg, |d: &mut V4l2Fmtdesc| {
                check(d.type_ == buf_type)?;
                let (fourcc, name) = match role {
                    Role::Capture(p) => {
                        let f = formats::path_formats(p).filter(|f| d.mbus_code == 0 || f.mbus == d.mbus_code).nth(d.index as usize).ok_or(EINVAL)?;
                        (f.fourcc, f.name)
                    }
                    Role::Stats if d.index == 0 => (pix::RK_ISP1_STAT_3A, "Rockchip ISP1 3A Statistics"),
                    Role::Params if d.index == 0 => (pix::RK_ISP1_PARAMS, "Rockchip ISP1 3A Parameters"),
                    Role::Params if d.index == 1 && kernel.ext_block_types().is_some() => (pix::RK_ISP1_EXT_PARAMS, "Rockchip ISP1 Ext 3A Params"),
                    _ => return Err(EINVAL),
                };
                let (index, type_, mbus) = (d.index, d.type_, d.mbus_code);
                *d = Zeroable::zeroed();
                (d.index, d.type_, d.mbus_code, d.pixelformat) = (index, type_, mbus, fourcc);
                put_name(&mut d.description, name);
                Ok(0)
            }),
            VIDIOC_G_FMT | VIDIOC_S_FMT | VIDIOC_TRY_FMT => rw(u, arg, |f: &mut V4l2Format| {
                check(f.type_ == buf_type)?;
                self.video_fmt(media, role, f, req)?;
                Ok(0)
            }),
            VIDIOC_ENUM_FRAMESIZES => rw(u, arg, |s: &mut V4l2Frmsizeenum| {
                let Role::Capture(p) = role else { return Err(ENOTTY) };
                if !kernel.capture_framesizes() {
                    return Err(ENOTTY);
                }
                check(s.index == 0 && formats::pix_fmt(p, s.pixel_format).is_some())?;
                let (maxw, maxh) = subdevs::rsz_max(p);
                s.type_ = V4L2_FRMSIZE_TYPE_STEPWISE;
                (s.min_width, s.max_width, s.step_width) = (subdevs::RSZ_MIN.0, maxw, 8);
                (s.min_height, s.max_height, s.step_height) = (subdevs::RSZ_MIN.1, maxh, 8);
                Ok(0)
            }),
            VIDIOC_CREATE_BUFS => rw(u, arg, |c: &mut V4l2CreateBuffers| {
                // vb2_create_bufs: type and memory checked, count 0 only reports.
                check(c.format.type_ == buf_type)?;
                let memory = Memory::from_raw(c.memory)?;
                let m = &mut self.medias[media];
                let max = queue_of(m, role).max_count;
                (c.capabilities, c.flags, c.max_num_buffers) = (crate::queue::Queue::caps(), 0, max);
                let sizes: Vec<u32> = if c.count == 0 {
                    vec![]
                } else {
                    // The sizes asked for (none may be 0), then the driver's queue_setup:
                    // as many planes as the format has, each at least its size.
                    let (asked, needed): (Vec<u32>, Vec<u32>) = match role {
                        Role::Capture(p) => {
                            let pm = c.format.pix_mp();
                            check(pm.num_planes >= 1 && pm.num_planes as usize <= pm.plane_fmt.len())?;
                            let fmt = m.capture[p.index()].fmt;
                            (
                                pm.plane_fmt[..pm.num_planes as usize].iter().map(|pl| pl.sizeimage).collect(),
                                fmt.plane_fmt[..fmt.num_planes as usize].iter().map(|pl| pl.sizeimage).collect(),
                            )
                        }
                        Role::Stats => (vec![c.format.meta().buffersize], vec![rkisp1_ipa::abi::layout::stat::SIZE as u32]),
                        _ => (vec![c.format.meta().buffersize], vec![params_buffersize(kernel, m.params.format)]),
                    };
                    check(asked.iter().all(|s| *s > 0))?;
                    check(asked.len() == needed.len() && asked.iter().zip(&needed).all(|(a, n)| a >= n))?;
                    asked
                };
                let q = queue_of(m, role);
                let (first, n) = q.create_bufs(fh, c.count, memory, &sizes, &format!("rkisp1-{}", role_name(role)))?;
                (c.index, c.count) = (first, n);
                if role == Role::Params {
                    m.params.payloads.resize(m.params.queue.bufs.len(), None);
                }
                Ok(0)
            }),
            VIDIOC_REQBUFS => rw(u, arg, |r: &mut V4l2Requestbuffers| {
                check(r.type_ == buf_type)?;
                let memory = Memory::from_raw(r.memory)?;
                let m = &mut self.medias[media];
                let sizes: Vec<u32> = match role {
                    Role::Capture(p) => {
                        let fmt = m.capture[p.index()].fmt;
                        fmt.plane_fmt[..fmt.num_planes as usize].iter().map(|pl| pl.sizeimage).collect()
                    }
                    Role::Stats => vec![rkisp1_ipa::abi::layout::stat::SIZE as u32],
                    _ => vec![params_buffersize(kernel, m.params.format)],
                };
                let q = queue_of(m, role);
                let was_streaming = q.streaming;
                r.count = q.reqbufs(fh, r.count, memory, &sizes, &format!("rkisp1-{}", role_name(role)))?;
                r.capabilities = crate::queue::Queue::caps();
                r.flags = 0;
                if role == Role::Params {
                    m.params.payloads = vec![None; r.count as usize];
                }
                if was_streaming && matches!(role, Role::Capture(_)) && m.streaming_paths().next().is_none() {
                    crate::engine::stop(self, media);
                }
                Ok(0)
            }),
            VIDIOC_QUERYBUF | VIDIOC_QBUF | VIDIOC_DQBUF => {
                let mut b: V4l2Buffer = get(u, arg)?;
                check(b.type_ == buf_type)?;
                let mplane = buf_type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
                let mut planes_in: Vec<V4l2Plane> = vec![];
                if mplane && req != VIDIOC_DQBUF {
                    check(b.m != 0 && b.length > 0 && b.length <= 8)?;
                    let mut raw = vec![0u8; b.length as usize * std::mem::size_of::<V4l2Plane>()];
                    u.read(b.m, &mut raw)?;
                    planes_in = raw.chunks(std::mem::size_of::<V4l2Plane>()).map(bytemuck::pod_read_unaligned).collect();
                }
                let index = match req {
                    VIDIOC_QUERYBUF => {
                        let q = queue_of(&mut self.medias[media], role);
                        q.buffer(b.index)?;
                        b.index as usize
                    }
                    VIDIOC_QBUF => {
                        let index = self.qbuf(fh, media, role, &b, &planes_in)?;
                        if let Role::Capture(_) = role {
                            crate::engine::maybe_start(self, media);
                        }
                        index
                    }
                    _ => {
                        let q = queue_of(&mut self.medias[media], role);
                        check(q.memory.map(|m| m.raw()) == Some(b.memory) || q.memory.is_none())?;
                        q.dqbuf(fh)?
                    }
                };
                let q = queue_of(&mut self.medias[media], role);
                let buf = &q.bufs[index];
                let nplanes = buf.planes.len();
                b.index = index as u32;
                b.flags = q.flags(index);
                b.field = V4L2_FIELD_NONE;
                b.sequence = buf.sequence;
                b.timestamp = [(buf.timestamp_ns / 1_000_000_000) as i64, ((buf.timestamp_ns / 1000) % 1_000_000) as i64];
                b.memory = q.memory.map(|m| m.raw()).unwrap_or(V4L2_MEMORY_MMAP);
                let mem = q.memory;
                let plane_out = |i: usize| {
                    let p = &buf.planes[i];
                    let mut o: V4l2Plane = Zeroable::zeroed();
                    o.bytesused = p.bytesused;
                    o.length = p.length;
                    o.data_offset = p.data_offset;
                    o.m = match mem {
                        Some(Memory::Mmap) => mem_offset(index, i, nplanes) as u64,
                        _ => planes_in.get(i).map(|p| p.m).unwrap_or(0),
                    };
                    o
                };
                if mplane {
                    let outs: Vec<V4l2Plane> = (0..nplanes).map(plane_out).collect();
                    if req == VIDIOC_DQBUF {
                        check(b.m != 0 && b.length as usize >= nplanes)?;
                    }
                    u.write(b.m, bytemuck::cast_slice(&outs))?;
                    b.length = nplanes as u32;
                } else {
                    let o = plane_out(0);
                    b.bytesused = o.bytesused;
                    b.length = o.length;
                    if mem == Some(Memory::Mmap) {
                        b.m = o.m;
                    }
                }
                put(u, arg, &b)?;
                Ok(0)
            }
            VIDIOC_EXPBUF => rw(u, arg, |x: &mut V4l2Exportbuffer| {
                check(x.type_ == buf_type)?;
                let q = queue_of(&mut self.medias[media], role);
                q.check_owner(fh)?;
                check(q.memory == Some(Memory::Mmap))?;
                let b = q.buffer(x.index)?;
                let p = b.planes.get(x.plane as usize).ok_or(EINVAL)?;
                check(x.flags & !(libc::O_CLOEXEC | libc::O_ACCMODE) as u32 == 0)?;
                x.fd = p.mem.as_ref().ok_or(EINVAL)?.export(x.flags as i32)?;
                Ok(0)
            }),
            VIDIOC_STREAMON | VIDIOC_STREAMOFF => {
                let t: i32 = get(u, arg)?;
                check(t as u32 == buf_type)?;
                if req == VIDIOC_STREAMON {
                    crate::engine::streamon(self, fh, media, role)?;
                } else {
                    crate::engine::streamoff(self, fh, media, role)?;
                }
                Ok(0)
            }
            _ => Err(ENOTTY),
        }
    }

    fn video_fmt(&mut self, media: usize, role: Role, f: &mut V4l2Format, req: u64) -> Result<(), i32> {
        let m = &mut self.medias[media];
        let kernel = m.kernel;
        match role {
            Role::Capture(p) => {
                let c = &mut m.capture[p.index()];
                if req == VIDIOC_G_FMT {
                    f.set_pix_mp(&c.fmt);
                    return Ok(());
                }
                let mut pm = f.pix_mp();
                fill_pix(p, &mut pm);
                if req == VIDIOC_S_FMT {
                    if c.queue.busy() {
                        return Err(EBUSY);
                    }
                    c.fmt = pm;
                }
                f.set_pix_mp(&pm);
            }
            Role::Stats => {
                f.set_meta(&V4l2MetaFormat { dataformat: pix::RK_ISP1_STAT_3A, buffersize: rkisp1_ipa::abi::layout::stat::SIZE as u32, ..Default::default() })
            }
            _ => {
                let want = if req == VIDIOC_G_FMT {
                    m.params.format
                } else if f.meta().dataformat == pix::RK_ISP1_EXT_PARAMS && kernel.ext_block_types().is_some() {
                    ParamFormat::Extensible
                } else {
                    ParamFormat::Fixed
                };
                if req == VIDIOC_S_FMT && want != m.params.format {
                    if m.params.queue.busy() {
                        return Err(EBUSY);
                    }
                    m.params.format = want;
                }
                let fourcc = if want == ParamFormat::Extensible { pix::RK_ISP1_EXT_PARAMS } else { pix::RK_ISP1_PARAMS };
                f.set_meta(&V4l2MetaFormat { dataformat: fourcc, buffersize: params_buffersize(kernel, want), ..Default::default() });
            }
        }
        Ok(())
    }

    fn qbuf(&mut self, fh: u64, media: usize, role: Role, b: &V4l2Buffer, planes: &[V4l2Plane]) -> Result<usize, i32> {
        let m = &mut self.medias[media];
        let ins: Vec<PlaneIn> = if planes.is_empty() {
            vec![PlaneIn { fd: b.m as u32 as i32, length: b.length, bytesused: b.bytesused, data_offset: 0 }]
        } else {
            planes.iter().map(|p| PlaneIn { fd: p.m as u32 as i32, length: p.length, bytesused: p.bytesused, data_offset: p.data_offset }).collect()
        };
        let kernel = m.kernel;
        let format = m.params.format;
        let q = queue_of(m, role);
        let mut ins = ins;
        if q.is_output() {
            // vb2: an output buffer queued with no payload counts as full.
            if let (Some(i), Some(buf)) = (ins.first_mut(), q.bufs.get(b.index as usize)) {
                if i.bytesused == 0 {
                    i.bytesused = buf.planes[0].length;
                }
            }
        }
        q.qbuf(fh, b.index, b.memory, &ins)?;
        let index = b.index as usize;
        if role == Role::Params {
            // buf_prepare: validate and copy the payload; a bad buffer is not queued.
            let p = &q.bufs[index].planes[0];
            let payload = p.mem.as_ref().map(|mem| mem.bytes()[..p.bytesused as usize].to_vec()).unwrap_or_default();
            if let Err(e) = crate::params::validate(kernel, format, &payload) {
                log::error!("params buffer {index} rejected as the kernel would (EINVAL): {e}");
                q.queued.retain(|i| *i != index);
                q.bufs[index].state = crate::queue::State::Dequeued;
                return Err(EINVAL);
            }
            m.params.payloads[index] = Some(payload);
        }
        Ok(index)
    }
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Capture(Path::Main) => "mainpath",
        Role::Capture(Path::SelfPath) => "selfpath",
        Role::Stats => "stats",
        _ => "params",
    }
}

pub fn queue_of(m: &mut crate::device::Media, role: Role) -> &mut crate::queue::Queue {
    match role {
        Role::Capture(p) => &mut m.capture[p.index()].queue,
        Role::Stats => &mut m.stats,
        _ => &mut m.params.queue,
    }
}

pub fn params_buffersize(kernel: crate::profile::Kernel, f: ParamFormat) -> u32 {
    match f {
        ParamFormat::Fixed => rkisp1_ipa::abi::layout::fixed::SIZE as u32,
        ParamFormat::Extensible => kernel.ext_params_size(),
    }
}

/// TRY_FMT of a capture node: known format (else YUYV), size within the path's limits,
/// plane sizes, colour space fields completed.
pub fn fill_pix(p: Path, pm: &mut V4l2PixFormatMplane) {
    let f = formats::pix_fmt(p, pm.pixelformat).unwrap_or_else(|| formats::pix_fmt(p, pix::YUYV).unwrap());
    let (maxw, maxh) = subdevs::rsz_max(p);
    pm.pixelformat = f.fourcc;
    pm.width = pm.width.clamp(subdevs::RSZ_MIN.0, maxw);
    pm.height = pm.height.clamp(subdevs::RSZ_MIN.1, maxh);
    pm.field = V4L2_FIELD_NONE;
    let planes = formats::mem_planes(f, pm.width, pm.height);
    pm.num_planes = planes.len() as u8;
    pm.plane_fmt = Default::default();
    for (i, (bpl, size)) in planes.iter().enumerate() {
        pm.plane_fmt[i].bytesperline = *bpl;
        pm.plane_fmt[i].sizeimage = *size;
    }
    let raw = matches!(f.layout, formats::Layout::Bayer { .. });
    if raw {
        pm.colorspace = V4L2_COLORSPACE_RAW;
        pm.xfer_func = V4L2_XFER_FUNC_NONE as u8;
        pm.ycbcr_enc = V4L2_YCBCR_ENC_601 as u8;
        pm.quantization = V4L2_QUANTIZATION_FULL_RANGE as u8;
    } else {
        if pm.colorspace == V4L2_COLORSPACE_DEFAULT || pm.colorspace == V4L2_COLORSPACE_RAW {
            pm.colorspace = V4L2_COLORSPACE_SRGB;
        }
        if pm.xfer_func == 0 {
            pm.xfer_func = V4L2_XFER_FUNC_SRGB as u8;
        }
        if pm.ycbcr_enc == 0 {
            pm.ycbcr_enc = V4L2_YCBCR_ENC_601 as u8;
        }
        if pm.quantization == 0 {
            pm.quantization = V4L2_QUANTIZATION_LIM_RANGE as u8;
        }
    }
    pm.flags = 0;
    pm.reserved = [0; 7];
}

/// The control ioctls of a control handler; `write` stores a checked set of values.
fn control_ioctl(req: u64, arg: u64, u: &dyn UserMem, ctrls: &mut Controls, write: impl FnOnce(&[(u32, i64)]) -> Result<(), (usize, i32)>) -> Result<i32, i32> {
    match req {
        VIDIOC_QUERY_EXT_CTRL => rw(u, arg, |q: &mut V4l2QueryExtCtrl| ctrls.query_ext(q).map(|_| 0)),
        VIDIOC_QUERYCTRL => rw(u, arg, |q: &mut V4l2Queryctrl| ctrls.query(q).map(|_| 0)),
        VIDIOC_QUERYMENU => rw(u, arg, |q: &mut V4l2Querymenu| ctrls.query_menu(q).map(|_| 0)),
        VIDIOC_G_CTRL => rw(u, arg, |c: &mut V4l2Control| {
            let ctl = ctrls.get(c.id).ok_or(EINVAL)?;
            check(ctl.type_ != V4L2_CTRL_TYPE_INTEGER64)?;
            c.value = ctrls.read(c.id, V4L2_CTRL_WHICH_CUR_VAL)? as i32;
            Ok(0)
        }),
        VIDIOC_S_CTRL => rw(u, arg, |c: &mut V4l2Control| {
            let v = ctrls.check_write(c.id, c.value as i64)?;
            write(&[(c.id, v)]).map_err(|(_, e)| e)?;
            c.value = v as i32;
            Ok(0)
        }),
        VIDIOC_G_EXT_CTRLS | VIDIOC_S_EXT_CTRLS | VIDIOC_TRY_EXT_CTRLS => {
            let mut x: V4l2ExtControls = get(u, arg)?;
            if x.which == V4L2_CTRL_WHICH_REQUEST_VAL {
                return Err(EACCES);
            }
            if x.count == 0 {
                return Ok(0);
            }
            if x.count > 1024 || x.controls == 0 {
                return Err(EINVAL);
            }
            let n = x.count as usize;
            let mut raw = vec![0u8; n * std::mem::size_of::<V4l2ExtControl>()];
            u.read(x.controls, &mut raw)?;
            let mut cs: Vec<V4l2ExtControl> = raw.chunks(std::mem::size_of::<V4l2ExtControl>()).map(bytemuck::pod_read_unaligned).collect();
            // A class in `which` restricts the ids to that class (legacy ctrl_class).
            let class = x.which & 0x0fff_0000;
            let fail = |x: &mut V4l2ExtControls, i: usize, e: i32| -> Result<i32, i32> {
                x.error_idx = i as u32;
                put(u, arg, x)?;
                Err(e)
            };
            for (i, c) in cs.iter().enumerate() {
                if ctrls.get(c.id).is_none() {
                    return fail(&mut x, if req == VIDIOC_G_EXT_CTRLS { i } else { n }, EINVAL);
                }
                if class != 0 && x.which != V4L2_CTRL_WHICH_DEF_VAL && c.id & 0x0fff_0000 != class {
                    return fail(&mut x, i, EINVAL);
                }
            }
            if req == VIDIOC_G_EXT_CTRLS {
                for (i, c) in cs.iter_mut().enumerate() {
                    let is64 = ctrls.get(c.id).unwrap().type_ == V4L2_CTRL_TYPE_INTEGER64;
                    match ctrls.read(c.id, x.which) {
                        Ok(v) if is64 => c.set_value64(v),
                        Ok(v) => c.set_value32(v as i32),
                        Err(e) => return fail(&mut x, i, e),
                    }
                }
                u.write(x.controls, bytemuck::cast_slice(&cs))?;
                put(u, arg, &x)?;
                return Ok(0);
            }
            let mut vals = Vec::with_capacity(n);
            for (i, c) in cs.iter_mut().enumerate() {
                let is64 = ctrls.get(c.id).unwrap().type_ == V4L2_CTRL_TYPE_INTEGER64;
                let v = if is64 { c.value64() } else { c.value32() as i64 };
                match ctrls.check_write(c.id, v) {
                    Ok(v) => {
                        if is64 {
                            c.set_value64(v)
                        } else {
                            c.set_value32(v as i32)
                        }
                        vals.push((c.id, v));
                    }
                    Err(e) => return fail(&mut x, if req == VIDIOC_S_EXT_CTRLS { n } else { i }, e),
                }
            }
            if req == VIDIOC_S_EXT_CTRLS {
                if let Err((i, e)) = write(&vals) {
                    return fail(&mut x, i, e);
                }
            }
            u.write(x.controls, bytemuck::cast_slice(&cs))?;
            put(u, arg, &x)?;
            Ok(0)
        }
        _ => Err(ENOTTY),
    }
}

/// The checks a capture STREAMON makes before the pipeline starts: MUST_CONNECT pads have
/// an enabled link, every link's two pad formats agree (size and code), the capture
/// format matches the resizer source, the ISP has exactly one enabled source.
pub fn validate_pipeline(m: &crate::device::Media, path: Path) -> Result<(), (i32, String)> {
    let g = &m.graph;
    let isp = m.entity(Role::Isp);
    let rsz = m.entity(Role::Resizer(path));
    let fmt_of = |e: usize, pad: u16| -> uapi::V4l2MbusFramefmt {
        match g.entities[e].role {
            Role::Sensor => m.sensor.format(),
            _ => m.pads[e][pad as usize].fmt,
        }
    };
    let mut links = vec![];
    let Some(l) = g.source_of(isp, ISP_SINK_VIDEO) else {
        return Err((libc::ENOLINK, "no enabled link into rkisp1_isp pad 0 (MUST_CONNECT)".into()));
    };
    links.push(l.clone());
    if let Some(csi) = g.find(Role::Csi) {
        let Some(l) = g.source_of(csi, 0) else {
            return Err((libc::ENOLINK, "no enabled link into rkisp1_csi pad 0 (MUST_CONNECT)".into()));
        };
        links.push(l.clone());
    }
    let Some(l) = g.source_of(rsz, 0) else {
        return Err((libc::ENOLINK, format!("no enabled link into {} pad 0 (MUST_CONNECT)", g.entities[rsz].name)));
    };
    check(l.source == (isp, ISP_SOURCE_VIDEO)).map_err(|e| (e, "resizer fed by something other than the ISP".into()))?;
    links.push(l.clone());
    for l in &links {
        let (a, b) = (fmt_of(l.source.0, l.source.1), fmt_of(l.sink.0, l.sink.1));
        if a.width != b.width || a.height != b.height || a.code != b.code {
            return Err((
                EPIPE,
                format!(
                    "link \"{}\":{} -> \"{}\":{}: {}x{} code 0x{:04x} vs {}x{} code 0x{:04x}",
                    g.entities[l.source.0].name, l.source.1, g.entities[l.sink.0].name, l.sink.1, a.width, a.height, a.code, b.width, b.height, b.code
                ),
            ));
        }
    }
    let src = m.pads[rsz][1].fmt;
    let cap = &m.capture[path.index()].fmt;
    let want = formats::pix_fmt(path, cap.pixelformat).map(|f| f.mbus).unwrap_or(0);
    if src.width != cap.width || src.height != cap.height || src.code != want {
        return Err((
            EPIPE,
            format!(
                "{} source {}x{} code 0x{:04x} vs capture {}x{} needing 0x{want:04x}",
                g.entities[rsz].name, src.width, src.height, src.code, cap.width, cap.height
            ),
        ));
    }
    Ok(())
}
