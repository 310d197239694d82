//! The device model through its ioctls, natively: topology, params formats per kernel, a
//! malformed params buffer, and the 6.1 EPIPE of the seed's full-resolution pipeline.

use bytemuck::{Pod, Zeroable};
use rkisp1_emu::config::Config;
use rkisp1_emu::device::{Emu, Node};
use rkisp1_emu::graph::{Path, Role};
use rkisp1_emu::ioctl::UserMem;
use rkisp1_emu::uapi::*;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// A fake address space: allocations at distinct base addresses.
#[derive(Default)]
struct Fake {
    mem: RefCell<BTreeMap<u64, Vec<u8>>>,
}

impl Fake {
    fn alloc(&self, bytes: &[u8]) -> u64 {
        let mut m = self.mem.borrow_mut();
        let base = 0x1000_0000 + (m.len() as u64) * 0x10_0000;
        m.insert(base, bytes.to_vec());
        base
    }
    fn obj<T: Pod>(&self, v: &T) -> u64 {
        self.alloc(bytemuck::bytes_of(v))
    }
    fn get<T: Pod>(&self, addr: u64) -> T {
        let mut b = vec![0u8; std::mem::size_of::<T>()];
        self.read(addr, &mut b).unwrap();
        bytemuck::pod_read_unaligned(&b)
    }
}

impl UserMem for Fake {
    fn read(&self, addr: u64, out: &mut [u8]) -> Result<(), i32> {
        let m = self.mem.borrow();
        let (base, v) = m.range(..=addr).next_back().ok_or(errno::EFAULT)?;
        let off = (addr - base) as usize;
        out.copy_from_slice(v.get(off..off + out.len()).ok_or(errno::EFAULT)?);
        Ok(())
    }
    fn write(&self, addr: u64, data: &[u8]) -> Result<(), i32> {
        let mut m = self.mem.borrow_mut();
        let (base, v) = m.range_mut(..=addr).next_back().ok_or(errno::EFAULT)?;
        let off = (addr - base) as usize;
        v.get_mut(off..off + data.len()).ok_or(errno::EFAULT)?.copy_from_slice(data);
        Ok(())
    }
}

fn emu(kernel: &str) -> Emu {
    Emu::new(Config::from_lookup(|k| (k == "RKISP1_EMU_KERNEL").then(|| kernel.to_string())).unwrap()).unwrap()
}

fn open(emu: &mut Emu, media: usize, role: Option<Role>) -> u64 {
    let node = match role {
        None => Node::Media,
        Some(r) => Node::Entity(emu.medias[media].entity(r)),
    };
    emu.open(media, node, libc::O_NONBLOCK).unwrap().0
}

/// Runs an ioctl on a struct; returns the result and the struct as the kernel left it.
fn call<T: Pod>(emu: &mut Emu, fh: u64, req: u64, v: T) -> (Result<i32, i32>, T) {
    let u = Fake::default();
    let a = u.obj(&v);
    let r = emu.ioctl(fh, req, a, &u);
    (r, u.get(a))
}

#[test]
fn topology_counts_and_enospc() {
    let mut e = emu("6.12");
    let fh = open(&mut e, 0, None);
    let (r, t) = call(&mut e, fh, MEDIA_IOC_G_TOPOLOGY, MediaV2Topology::default());
    r.unwrap();
    // Rear ISP: isp, 2 resizers, 2 capture, stats, params, csi, imx258, dw9714.
    assert_eq!((t.num_entities, t.num_interfaces, t.num_pads), (10, 10, 15));
    // 8 data links, 10 interface links, the lens' ancillary link.
    assert_eq!(t.num_links, 19);
    let u = Fake::default();
    let ents = u.alloc(&vec![0u8; 3 * std::mem::size_of::<MediaV2Entity>()]);
    let arg = u.obj(&MediaV2Topology { num_entities: 3, ptr_entities: ents, ..Default::default() });
    assert_eq!(e.ioctl(fh, MEDIA_IOC_G_TOPOLOGY, arg, &u), Err(errno::ENOSPC));
    // As the kernel, nothing is copied back on an error.
    assert_eq!(u.get::<MediaV2Topology>(arg).num_entities, 3);
    let (r, info) = call(&mut e, fh, MEDIA_IOC_DEVICE_INFO, MediaDeviceInfo::zeroed());
    r.unwrap();
    assert_eq!((&info.driver[..7], info.hw_revision), (&b"rkisp1\0"[..], 10));
}

#[test]
fn params_format_follows_the_kernel() {
    for (kernel, fourcc, size) in [("6.12", pix::RK_ISP1_EXT_PARAMS, 4400), ("6.1", pix::RK_ISP1_PARAMS, 3048)] {
        let mut e = emu(kernel);
        let fh = open(&mut e, 0, Some(Role::Params));
        let mut f = V4l2Format::zeroed();
        f.type_ = V4L2_BUF_TYPE_META_OUTPUT;
        f.set_meta(&V4l2MetaFormat { dataformat: pix::RK_ISP1_EXT_PARAMS, ..Default::default() });
        let (r, f) = call(&mut e, fh, VIDIOC_S_FMT, f);
        r.unwrap();
        assert_eq!((f.meta().dataformat, f.meta().buffersize), (fourcc, size), "Linux {kernel}");
    }
}

#[test]
fn a_malformed_params_buffer_is_refused_with_einval() {
    let mut e = emu("6.12");
    let fh = open(&mut e, 0, Some(Role::Params));
    let mut f = V4l2Format::zeroed();
    f.type_ = V4L2_BUF_TYPE_META_OUTPUT;
    f.set_meta(&V4l2MetaFormat { dataformat: pix::RK_ISP1_EXT_PARAMS, ..Default::default() });
    call(&mut e, fh, VIDIOC_S_FMT, f).0.unwrap();
    let rb = V4l2Requestbuffers { count: 4, type_: V4L2_BUF_TYPE_META_OUTPUT, memory: V4L2_MEMORY_MMAP, ..Default::default() };
    let (r, rb) = call(&mut e, fh, VIDIOC_REQBUFS, rb);
    r.unwrap();
    assert_eq!(rb.count, 4);
    // Version 1, one AWB gain block with both ENABLE and DISABLE set.
    let mut block = vec![0u8; 24];
    block[0..4].copy_from_slice(&1u32.to_le_bytes());
    block[4..8].copy_from_slice(&16u32.to_le_bytes());
    block[8..10].copy_from_slice(&3u16.to_le_bytes());
    block[10..12].copy_from_slice(&3u16.to_le_bytes());
    block[12..16].copy_from_slice(&16u32.to_le_bytes());
    let q = &mut e.medias[0].params.queue;
    q.bufs[0].planes[0].mem.as_mut().unwrap().bytes_mut()[..24].copy_from_slice(&block);
    let b = V4l2Buffer { index: 0, type_: V4L2_BUF_TYPE_META_OUTPUT, memory: V4L2_MEMORY_MMAP, bytesused: 24, ..Default::default() };
    assert_eq!(call(&mut e, fh, VIDIOC_QBUF, b).0, Err(errno::EINVAL));
    assert!(e.medias[0].params.queue.queued.is_empty(), "not queued");
    // The same block with ENABLE only is taken.
    e.medias[0].params.queue.bufs[0].planes[0].mem.as_mut().unwrap().bytes_mut()[10] = 2;
    call(&mut e, fh, VIDIOC_QBUF, b).0.unwrap();
    assert_eq!(e.medias[0].params.queue.queued.len(), 1);
}

fn subdev_fmt(e: &mut Emu, fh: u64, pad: u32, code: u32, w: u32, h: u32) -> V4l2MbusFramefmt {
    let f = V4l2SubdevFormat {
        which: V4L2_SUBDEV_FORMAT_ACTIVE,
        pad,
        format: V4l2MbusFramefmt { width: w, height: h, code, ..Default::default() },
        ..Default::default()
    };
    let (r, f) = call(e, fh, VIDIOC_SUBDEV_S_FMT, f);
    r.unwrap();
    f.format
}

#[test]
fn full_resolution_on_6_1_ends_in_epipe() {
    // The seed's manual pipeline: imx258 at 4208x3118 straight into the 6.1 ISP.
    let mut e = emu("6.1");
    let sensor = open(&mut e, 0, Some(Role::Sensor));
    let isp = open(&mut e, 0, Some(Role::Isp));
    let rsz = open(&mut e, 0, Some(Role::Resizer(Path::Main)));
    let cap = open(&mut e, 0, Some(Role::Capture(Path::Main)));
    let s = subdev_fmt(&mut e, sensor, 0, mbus::SGRBG10, 4208, 3118);
    assert_eq!((s.width, s.height, s.code), (4208, 3118, mbus::SGRBG10));
    let i = subdev_fmt(&mut e, isp, 0, s.code, s.width, s.height);
    assert_eq!((i.width, i.height), (4032, 3024), "clamped to the 6.1 ISP input");
    subdev_fmt(&mut e, rsz, 0, mbus::YUYV8_2X8, 800, 600);
    subdev_fmt(&mut e, rsz, 1, mbus::YUYV8_2X8, 800, 600);
    let rb = V4l2Requestbuffers { count: 2, type_: V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE, memory: V4L2_MEMORY_MMAP, ..Default::default() };
    call(&mut e, cap, VIDIOC_REQBUFS, rb).0.unwrap();
    let t = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE as i32;
    assert_eq!(call(&mut e, cap, VIDIOC_STREAMON, t).0, Err(errno::EPIPE));
    assert!(!e.medias[0].engine.running);
}
