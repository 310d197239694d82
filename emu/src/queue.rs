//! A videobuf2 queue: REQBUFS / QUERYBUF / QBUF / DQBUF / EXPBUF / STREAMON / STREAMOFF
//! with MMAP buffers (memfd-backed, exported as dmabufs) and DMABUF import, the owner rule
//! (only the file handle that allocated may use the queue) and vb2's errnos.

use crate::sys::mem::SharedMem;
use crate::uapi::{self, errno::*};
use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Memory {
    Mmap,
    Dmabuf,
}

impl Memory {
    pub fn from_raw(m: u32) -> Result<Memory, i32> {
        match m {
            uapi::V4L2_MEMORY_MMAP => Ok(Memory::Mmap),
            uapi::V4L2_MEMORY_DMABUF => Ok(Memory::Dmabuf),
            _ => Err(EINVAL),
        }
    }
    pub fn raw(self) -> u32 {
        match self {
            Memory::Mmap => uapi::V4L2_MEMORY_MMAP,
            Memory::Dmabuf => uapi::V4L2_MEMORY_DMABUF,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Dequeued,
    Queued,
    Done,
}

pub struct Plane {
    pub mem: Option<SharedMem>,
    /// Identity of an imported dmabuf, to keep its mapping while the same one is queued.
    pub dmabuf: Option<(u64, u64)>,
    pub length: u32,
    pub bytesused: u32,
    pub data_offset: u32,
}

pub struct Buffer {
    pub planes: Vec<Plane>,
    pub state: State,
    pub error: bool,
    pub sequence: u32,
    pub timestamp_ns: u64,
}

impl Buffer {
    /// Buffer `index` of a queue, dequeued, with one plane per size (MMAP: memory of its
    /// own, named after the queue; DMABUF: imported at QBUF).
    fn new(index: usize, memory: Memory, plane_sizes: &[u32], name: &str) -> Result<Buffer, i32> {
        let mut planes = vec![];
        for (p, size) in plane_sizes.iter().enumerate() {
            let mem = match memory {
                Memory::Mmap => Some(SharedMem::create(&format!("{name}-{index}.{p}"), (*size as usize).div_ceil(PAGE) * PAGE).map_err(|_| ENOMEM)?),
                Memory::Dmabuf => None,
            };
            planes.push(Plane { mem, dmabuf: None, length: *size, bytesused: 0, data_offset: 0 });
        }
        Ok(Buffer { planes, state: State::Dequeued, error: false, sequence: 0, timestamp_ns: 0 })
    }
}

/// What QBUF carries for one plane.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlaneIn {
    pub fd: i32,
    pub length: u32,
    pub bytesused: u32,
    pub data_offset: u32,
}

pub struct Queue {
    pub type_: u32,
    pub memory: Option<Memory>,
    pub bufs: Vec<Buffer>,
    pub queued: VecDeque<usize>,
    pub done: VecDeque<usize>,
    pub streaming: bool,
    pub owner: Option<u64>,
    /// Buffer count limits of the driver's queue_setup.
    pub min_count: u32,
    pub max_count: u32,
    /// Bumped when buffers are (re)allocated: memory taken out for rendering goes back
    /// only into the buffers it came from.
    pub alloc_epoch: u64,
    /// Bumped when the queue is cancelled: a frame rendered across a STREAMOFF is not
    /// completed.
    pub epoch: u64,
}

/// mmap offset of a plane, as vb2 hands them out (one page per plane).
pub fn mem_offset(index: usize, plane: usize, planes: usize) -> u32 {
    ((index * planes + plane) as u32) << 12
}

pub const PAGE: usize = 4096;

impl Queue {
    pub fn new(type_: u32, min_count: u32, max_count: u32) -> Queue {
        Queue {
            type_,
            memory: None,
            bufs: vec![],
            queued: VecDeque::new(),
            done: VecDeque::new(),
            streaming: false,
            owner: None,
            min_count,
            max_count,
            alloc_epoch: 0,
            epoch: 0,
        }
    }

    pub fn is_output(&self) -> bool {
        self.type_ == uapi::V4L2_BUF_TYPE_META_OUTPUT
    }

    /// The queue may be used by `fh` (no owner, or the owner).
    pub fn check_owner(&self, fh: u64) -> Result<(), i32> {
        match self.owner {
            Some(o) if o != fh => Err(EBUSY),
            _ => Ok(()),
        }
    }

    pub fn busy(&self) -> bool {
        !self.bufs.is_empty()
    }

    /// REQBUFS: frees the old buffers (cancelling streaming) and allocates `count` MMAP
    /// buffers of `plane_sizes`, or `count` empty DMABUF slots. Returns the count.
    pub fn reqbufs(&mut self, fh: u64, count: u32, memory: Memory, plane_sizes: &[u32], name: &str) -> Result<u32, i32> {
        self.check_owner(fh)?;
        self.cancel();
        self.bufs.clear();
        self.memory = None;
        self.alloc_epoch += 1;
        if count == 0 {
            self.owner = None;
            return Ok(0);
        }
        let n = count.clamp(self.min_count, self.max_count);
        for i in 0..n as usize {
            self.bufs.push(Buffer::new(i, memory, plane_sizes, name)?);
        }
        self.memory = Some(memory);
        self.owner = Some(fh);
        Ok(n)
    }

    /// CREATE_BUFS (vb2_core_create_bufs): adds up to `count` buffers of `plane_sizes` (at
    /// least the format's, checked by the caller as queue_setup does) after the existing
    /// ones, without touching them. Count 0 only reports where new buffers would start.
    /// Returns (first index, count allocated).
    pub fn create_bufs(&mut self, fh: u64, count: u32, memory: Memory, plane_sizes: &[u32], name: &str) -> Result<(u32, u32), i32> {
        self.check_owner(fh)?;
        let first = self.bufs.len() as u32;
        if self.memory.is_some_and(|m| m != memory) && !self.bufs.is_empty() {
            // "memory model mismatch"
            return Err(EINVAL);
        }
        if count == 0 {
            return Ok((first, 0));
        }
        if first >= self.max_count {
            return Err(ENOBUFS);
        }
        let n = count.min(self.max_count - first);
        for i in first as usize..(first + n) as usize {
            self.bufs.push(Buffer::new(i, memory, plane_sizes, name)?);
        }
        if first == 0 {
            self.alloc_epoch += 1;
        }
        self.memory = Some(memory);
        self.owner = Some(fh);
        Ok((first, n))
    }

    pub fn caps() -> u32 {
        uapi::V4L2_BUF_CAP_SUPPORTS_MMAP
            | uapi::V4L2_BUF_CAP_SUPPORTS_DMABUF
            | uapi::V4L2_BUF_CAP_SUPPORTS_ORPHANED_BUFS
            | uapi::V4L2_BUF_CAP_SUPPORTS_MMAP_CACHE_HINTS
    }

    pub fn buffer(&self, index: u32) -> Result<&Buffer, i32> {
        self.bufs.get(index as usize).ok_or(EINVAL)
    }

    pub fn flags(&self, index: usize) -> u32 {
        let b = &self.bufs[index];
        let mut f = uapi::V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | uapi::V4L2_BUF_FLAG_TSTAMP_SRC_EOF;
        match b.state {
            State::Queued => f |= uapi::V4L2_BUF_FLAG_QUEUED,
            State::Done => f |= uapi::V4L2_BUF_FLAG_DONE,
            State::Dequeued => {}
        }
        if b.error {
            f |= uapi::V4L2_BUF_FLAG_ERROR;
        }
        if self.memory == Some(Memory::Mmap) {
            f |= uapi::V4L2_BUF_FLAG_MAPPED;
        }
        f
    }

    /// QBUF. `planes` has one entry per plane (its fd used for DMABUF, bytesused for
    /// output queues).
    pub fn qbuf(&mut self, fh: u64, index: u32, memory: u32, planes: &[PlaneIn]) -> Result<(), i32> {
        self.check_owner(fh)?;
        let mem = self.memory.ok_or(EINVAL)?;
        if Memory::from_raw(memory)? != mem {
            return Err(EINVAL);
        }
        let output = self.is_output();
        let b = self.bufs.get_mut(index as usize).ok_or(EINVAL)?;
        if b.state != State::Dequeued {
            return Err(EINVAL);
        }
        if planes.len() != b.planes.len() {
            return Err(EINVAL);
        }
        for (p, pin) in b.planes.iter_mut().zip(planes) {
            if mem == Memory::Dmabuf {
                let (m, key) = SharedMem::import(pin.fd).map_err(|_| EINVAL)?;
                if m.len() < p.length as usize {
                    log::error!("QBUF: dmabuf of {} bytes is smaller than the plane's {}", m.len(), p.length);
                    return Err(EINVAL);
                }
                if p.dmabuf != Some(key) {
                    p.mem = Some(m);
                    p.dmabuf = Some(key);
                }
            }
            if output {
                if pin.bytesused > p.length {
                    return Err(EINVAL);
                }
                p.bytesused = pin.bytesused;
            }
        }
        b.state = State::Queued;
        b.error = false;
        self.queued.push_back(index as usize);
        Ok(())
    }

    /// DQBUF: the oldest completed buffer.
    pub fn dqbuf(&mut self, fh: u64) -> Result<usize, i32> {
        self.check_owner(fh)?;
        if !self.streaming {
            return Err(EINVAL);
        }
        let i = self.done.pop_front().ok_or(libc::EAGAIN)?;
        self.bufs[i].state = State::Dequeued;
        Ok(i)
    }

    pub fn streamon(&mut self, fh: u64) -> Result<(), i32> {
        self.check_owner(fh)?;
        if self.bufs.is_empty() {
            return Err(EINVAL);
        }
        self.streaming = true;
        Ok(())
    }

    /// STREAMOFF (and queue release): every buffer back to the application, unfilled.
    pub fn cancel(&mut self) {
        self.streaming = false;
        self.epoch += 1;
        for b in &mut self.bufs {
            b.state = State::Dequeued;
        }
        self.queued.clear();
        self.done.clear();
    }

    /// Takes the next queued buffer for the hardware.
    pub fn take(&mut self) -> Option<usize> {
        self.queued.pop_front()
    }

    /// Returns a buffer to the application.
    pub fn complete(&mut self, index: usize, sequence: u32, timestamp_ns: u64, error: bool) {
        let b = &mut self.bufs[index];
        b.state = State::Done;
        b.sequence = sequence;
        b.timestamp_ns = timestamp_ns;
        b.error = error;
        self.done.push_back(index);
    }

    pub fn has_done(&self) -> bool {
        !self.done.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_and_errnos() {
        let mut q = Queue::new(uapi::V4L2_BUF_TYPE_META_CAPTURE, 2, 8);
        assert_eq!(q.streamon(1), Err(EINVAL), "no buffers");
        assert_eq!(q.reqbufs(1, 20, Memory::Mmap, &[260], "stats"), Ok(8));
        assert_eq!(q.reqbufs(2, 4, Memory::Mmap, &[260], "stats"), Err(EBUSY), "owned by fh 1");
        assert_eq!(q.qbuf(1, 0, uapi::V4L2_MEMORY_DMABUF, &[PlaneIn::default()]), Err(EINVAL), "memory type");
        q.qbuf(1, 0, uapi::V4L2_MEMORY_MMAP, &[PlaneIn::default()]).unwrap();
        assert_eq!(q.qbuf(1, 0, uapi::V4L2_MEMORY_MMAP, &[PlaneIn::default()]), Err(EINVAL), "already queued");
        assert_eq!(q.dqbuf(1), Err(EINVAL), "not streaming");
        q.streamon(1).unwrap();
        assert_eq!(q.dqbuf(1), Err(libc::EAGAIN));
        let i = q.take().unwrap();
        q.complete(i, 7, 1, false);
        assert_eq!(q.dqbuf(1), Ok(0));
        assert_eq!(q.bufs[0].sequence, 7);
        q.reqbufs(1, 0, Memory::Mmap, &[], "stats").unwrap();
        assert_eq!((q.owner, q.streaming, q.bufs.len()), (None, false, 0));
    }

    #[test]
    fn create_bufs_adds_after_the_existing_buffers() {
        let mut q = Queue::new(uapi::V4L2_BUF_TYPE_META_CAPTURE, 2, 8);
        // Count 0 reports the first free index and allocates nothing.
        assert_eq!(q.create_bufs(1, 0, Memory::Mmap, &[], "stats"), Ok((0, 0)));
        assert_eq!((q.owner, q.bufs.len()), (None, 0));
        assert_eq!(q.reqbufs(1, 3, Memory::Mmap, &[260], "stats"), Ok(3));
        assert_eq!(q.create_bufs(2, 1, Memory::Mmap, &[260], "stats"), Err(EBUSY), "owned by fh 1");
        assert_eq!(q.create_bufs(1, 1, Memory::Dmabuf, &[260], "stats"), Err(EINVAL), "memory model mismatch");
        assert_eq!(q.create_bufs(1, 0, Memory::Mmap, &[], "stats"), Ok((3, 0)));
        // Up to the queue's maximum, then ENOBUFS.
        assert_eq!(q.create_bufs(1, 10, Memory::Mmap, &[300], "stats"), Ok((3, 5)));
        assert_eq!((q.bufs.len(), q.bufs[7].planes[0].length), (8, 300));
        assert_eq!(q.create_bufs(1, 1, Memory::Mmap, &[300], "stats"), Err(ENOBUFS));
    }
}
