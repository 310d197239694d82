//! Kernel objects the emulator builds its devices from: shared memory (memfd, the stand-in
//! for vb2 buffers and their dmabufs; an fd passed to another process maps the same
//! pages) and eventfds (the descriptors applications poll). Safe wrappers; the `unsafe`
//! calls are confined here.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// A shared mapping of a memfd or of an imported buffer descriptor.
pub struct SharedMem {
    fd: OwnedFd,
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the mapping is plain shared memory owned by this value; access goes through
// &self / &mut self borrows.
unsafe impl Send for SharedMem {}
unsafe impl Sync for SharedMem {}

fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

impl SharedMem {
    /// A new zeroed memfd of `len` bytes, mapped.
    pub fn create(name: &str, len: usize) -> Result<SharedMem, i32> {
        let cname = std::ffi::CString::new(name).map_err(|_| libc::EINVAL)?;
        // SAFETY: valid C string; the returned fd is owned below.
        let fd = unsafe { libc::memfd_create(cname.as_ptr(), libc::MFD_CLOEXEC) };
        if fd < 0 {
            return Err(last_errno());
        }
        // SAFETY: fd is a fresh descriptor we own.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        // SAFETY: plain syscall on our descriptor.
        if unsafe { libc::ftruncate(fd.as_raw_fd(), len as libc::off_t) } < 0 {
            return Err(last_errno());
        }
        Self::map(fd, len)
    }

    /// Maps another process' (or our own exported) buffer descriptor: a duplicate of `fd`
    /// is kept, so the caller may close its own.
    pub fn import(fd: RawFd) -> Result<(SharedMem, (u64, u64)), i32> {
        // SAFETY: fstat/lseek/dup on a descriptor number; failures are reported.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        if unsafe { libc::fstat(fd, &mut st) } < 0 {
            return Err(last_errno());
        }
        let len = unsafe { libc::lseek(fd, 0, libc::SEEK_END) };
        if len <= 0 {
            return Err(libc::EINVAL);
        }
        let dup = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
        if dup < 0 {
            return Err(last_errno());
        }
        // SAFETY: dup is a fresh descriptor we own.
        let owned = unsafe { OwnedFd::from_raw_fd(dup) };
        Ok((Self::map(owned, len as usize)?, (st.st_dev as u64, st.st_ino as u64)))
    }

    fn map(fd: OwnedFd, len: usize) -> Result<SharedMem, i32> {
        // SAFETY: shared mapping of a descriptor we own; the result is checked.
        let p = unsafe { libc::mmap(std::ptr::null_mut(), len.max(1), libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, fd.as_raw_fd(), 0) };
        if p == libc::MAP_FAILED {
            return Err(last_errno());
        }
        Ok(SharedMem { fd, ptr: p as *mut u8, len })
    }

    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// A new descriptor for the same memory (VIDIOC_EXPBUF), with `flags` (O_CLOEXEC,
    /// O_RDWR...).
    pub fn export(&self, flags: i32) -> Result<RawFd, i32> {
        let cmd = if flags & libc::O_CLOEXEC != 0 { libc::F_DUPFD_CLOEXEC } else { libc::F_DUPFD };
        // SAFETY: duplicating our own descriptor; the caller owns the result.
        let fd = unsafe { libc::fcntl(self.fd.as_raw_fd(), cmd, 0) };
        if fd < 0 {
            Err(last_errno())
        } else {
            Ok(fd)
        }
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping is len bytes long and lives as long as self.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above, exclusively borrowed. Another process may write the same pages
        // concurrently (as with real dmabufs); the data is plain bytes.
        unsafe { std::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for SharedMem {
    fn drop(&mut self) {
        // SAFETY: unmapping our own mapping once.
        unsafe { libc::munmap(self.ptr as *mut libc::c_void, self.len.max(1)) };
    }
}

/// A level-triggered readiness flag that poll() sees as POLLIN.
pub struct EventFd {
    fd: OwnedFd,
    high: bool,
}

impl EventFd {
    pub fn new() -> Result<EventFd, i32> {
        // SAFETY: plain syscall; the descriptor is owned below.
        let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if fd < 0 {
            return Err(last_errno());
        }
        // SAFETY: fresh descriptor.
        Ok(EventFd { fd: unsafe { OwnedFd::from_raw_fd(fd) }, high: false })
    }

    /// A second descriptor for the same eventfd, without close-on-exec unless asked (the
    /// application's device descriptor).
    pub fn dup(&self, cloexec: bool) -> Result<RawFd, i32> {
        let cmd = if cloexec { libc::F_DUPFD_CLOEXEC } else { libc::F_DUPFD };
        // SAFETY: duplicating our own descriptor; the caller owns the result.
        let fd = unsafe { libc::fcntl(self.fd.as_raw_fd(), cmd, 0) };
        if fd < 0 {
            Err(last_errno())
        } else {
            Ok(fd)
        }
    }

    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    pub fn set(&mut self, on: bool) {
        if on == self.high {
            return;
        }
        let mut v: u64 = 1;
        // SAFETY: 8-byte read/write on our own non-blocking eventfd.
        unsafe {
            if on {
                libc::write(self.fd.as_raw_fd(), &v as *const u64 as *const libc::c_void, 8);
            } else {
                libc::read(self.fd.as_raw_fd(), &mut v as *mut u64 as *mut libc::c_void, 8);
            }
        }
        self.high = on;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_memory_is_shared() {
        let mut a = SharedMem::create("t", 4096).unwrap();
        let fd = a.export(libc::O_CLOEXEC).unwrap();
        let (b, key) = SharedMem::import(fd).unwrap();
        // SAFETY: closing the exported descriptor we own.
        unsafe { libc::close(fd) };
        a.bytes_mut()[10] = 42;
        assert_eq!((b.bytes()[10], b.len()), (42, 4096));
        assert_eq!(SharedMem::import(a.raw_fd()).unwrap().1, key, "same inode");
    }
}
