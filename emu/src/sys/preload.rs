//! The libc functions the preload library replaces. Each one hands emulated paths and
//! descriptors to the emulator and everything else to the next definition (libc's), found
//! with `dlsym(RTLD_NEXT)`. No panic crosses this boundary: every function runs under
//! `catch_unwind` and turns a fault into a logged error and EINVAL.
//!
//! What libcamera 0.7 calls (traced under qemu-aarch64 -strace, see emu/README.md):
//! `udev_new` (we fail it, so it enumerates through sysfs), `opendir`/`readdir` of
//! /sys/bus/media/devices, `stat64`, `open64`, `fopen` (ifstream of uevent files),
//! `realpath`, `ioctl`, `mmap64`, `ppoll`, `fcntl64`, `dup`, `close`, `lockf64` (on the
//! eventfd itself, no emulation needed).

use crate::runtime::{self, Runtime};
use crate::sysfs::{self, Target};
use libc::{c_char, c_int, c_uint, c_ulong, c_void, nfds_t, off_t, pollfd, size_t, ssize_t};
use std::ffi::{CStr, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

/// Set in a child after fork: the emulator belongs to the parent (its locks may be held
/// by threads that do not exist in the child).
static IN_CHILD: AtomicBool = AtomicBool::new(false);

extern "C" fn after_fork_in_child() {
    IN_CHILD.store(true, Ordering::Relaxed);
}

extern "C" fn at_exit() {
    if let Some(rt) = peek() {
        rt.cleanup();
    }
}

extern "C" fn preload_init() {
    // SAFETY: process start-up, single-threaded; plain libc calls.
    unsafe {
        // Children (the IPA proxy) run without the emulator.
        libc::unsetenv(c"LD_PRELOAD".as_ptr());
        libc::pthread_atfork(None, None, Some(after_fork_in_child));
        libc::atexit(at_exit);
    }
}

#[used]
#[link_section = ".init_array"]
static INIT: extern "C" fn() = preload_init;

/// The emulator if it exists in this process (never creates it).
fn peek() -> Option<&'static Runtime> {
    if IN_CHILD.load(Ordering::Relaxed) {
        return None;
    }
    runtime::peek()
}

/// The emulator for a path that may be its, created on first use.
fn for_path(path: &str) -> Option<&'static Runtime> {
    if IN_CHILD.load(Ordering::Relaxed) || !runtime::maybe_ours(path) {
        return None;
    }
    runtime::get()
}

fn set_errno(e: c_int) {
    // SAFETY: errno is thread-local and always valid.
    unsafe { *libc::__errno_location() = e };
}

/// Runs an interposed function: a panic is logged and becomes `fail` with EINVAL.
fn guard<T>(name: &str, fail: T, f: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(p) => {
            let msg = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default();
            log::error!("rkisp1 emulator fault in {name}: {msg}; returning EINVAL");
            set_errno(libc::EINVAL);
            fail
        }
    }
}

fn err<T>(e: c_int, v: T) -> T {
    set_errno(e);
    v
}

/// The next definition of a libc symbol.
macro_rules! real {
    ($name:literal, $ty:ty) => {{
        static P: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());
        let mut p = P.load(Ordering::Relaxed);
        if p.is_null() {
            // SAFETY: dlsym with a NUL-terminated name.
            p = unsafe { libc::dlsym(libc::RTLD_NEXT, concat!($name, "\0").as_ptr() as *const c_char) };
            P.store(p, Ordering::Relaxed);
        }
        if p.is_null() {
            None
        } else {
            // SAFETY: the symbol has this C signature (glibc's prototype).
            Some(unsafe { std::mem::transmute::<*mut c_void, $ty>(p) })
        }
    }};
}

/// Calls the next definition, or fails with ENOSYS if libc has none.
macro_rules! next {
    ($name:literal, $ty:ty, $fail:expr, $($arg:expr),*) => {
        match real!($name, $ty) {
            // SAFETY: forwarding the caller's own arguments to libc.
            Some(f) => unsafe { f($($arg),*) },
            None => err(libc::ENOSYS, $fail),
        }
    };
}

/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn path_of<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        None
    } else {
        CStr::from_ptr(p).to_str().ok()
    }
}

fn cpath(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap_or_default()
}

/// The path libc should use for an application's path: its own, or the emulated tree's.
enum Routed {
    Host,
    Moved(CString),
    Device(&'static Runtime, String, CString),
}

/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn route(p: *const c_char) -> Routed {
    let Some(s) = path_of(p) else { return Routed::Host };
    let Some(rt) = for_path(s) else { return Routed::Host };
    match rt.resolve(s) {
        Target::Host => Routed::Host,
        Target::File(f) => Routed::Moved(cpath(&f)),
        Target::Device(name, f) => Routed::Device(rt, name, cpath(&f)),
    }
}

// ---- udev: make libcamera enumerate through sysfs ----

/// # Safety
/// Called by C code as `struct udev *udev_new(void)`.
#[no_mangle]
pub unsafe extern "C" fn udev_new() -> *mut c_void {
    guard("udev_new", std::ptr::null_mut(), || {
        if !IN_CHILD.load(Ordering::Relaxed) && runtime::get().is_some() {
            log::info!("udev_new: failing it, so that libcamera enumerates the emulated devices through sysfs");
            return std::ptr::null_mut();
        }
        next!("udev_new", unsafe extern "C" fn() -> *mut c_void, std::ptr::null_mut(),)
    })
}

// ---- open ----

unsafe fn open_common(name: &str, path: *const c_char, flags: c_int, mode: c_uint, next: impl FnOnce(*const c_char) -> c_int) -> c_int {
    guard(name, -1, || match route(path) {
        Routed::Host => next(path),
        Routed::Moved(p) => next(p.as_ptr()),
        Routed::Device(rt, dev, _) => {
            let _ = mode;
            match rt.open(&dev, flags) {
                Ok(fd) => fd,
                Err(e) => err(e, -1),
            }
        }
    })
}

type OpenFn = unsafe extern "C" fn(*const c_char, c_int, c_uint) -> c_int;
type OpenAtFn = unsafe extern "C" fn(c_int, *const c_char, c_int, c_uint) -> c_int;

/// # Safety
/// libc's `open`.
#[no_mangle]
pub unsafe extern "C" fn open(path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
    open_common("open", path, flags, mode, |p| next!("open", OpenFn, -1, p, flags, mode))
}

/// # Safety
/// libc's `open64`.
#[no_mangle]
pub unsafe extern "C" fn open64(path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
    open_common("open64", path, flags, mode, |p| next!("open64", OpenFn, -1, p, flags, mode))
}

/// # Safety
/// glibc's fortified `open`.
#[no_mangle]
pub unsafe extern "C" fn __open_2(path: *const c_char, flags: c_int) -> c_int {
    open_common("__open_2", path, flags, 0, |p| next!("__open_2", unsafe extern "C" fn(*const c_char, c_int) -> c_int, -1, p, flags))
}

/// # Safety
/// glibc's fortified `open64`.
#[no_mangle]
pub unsafe extern "C" fn __open64_2(path: *const c_char, flags: c_int) -> c_int {
    open_common("__open64_2", path, flags, 0, |p| next!("__open64_2", unsafe extern "C" fn(*const c_char, c_int) -> c_int, -1, p, flags))
}

/// # Safety
/// libc's `openat`: only absolute paths can be emulated ones.
#[no_mangle]
pub unsafe extern "C" fn openat(dirfd: c_int, path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
    open_common("openat", path, flags, mode, |p| next!("openat", OpenAtFn, -1, dirfd, p, flags, mode))
}

/// # Safety
/// libc's `openat64`.
#[no_mangle]
pub unsafe extern "C" fn openat64(dirfd: c_int, path: *const c_char, flags: c_int, mode: c_uint) -> c_int {
    open_common("openat64", path, flags, mode, |p| next!("openat64", OpenAtFn, -1, dirfd, p, flags, mode))
}

/// # Safety
/// glibc's fortified `openat`.
#[no_mangle]
pub unsafe extern "C" fn __openat_2(dirfd: c_int, path: *const c_char, flags: c_int) -> c_int {
    open_common("__openat_2", path, flags, 0, |p| next!("__openat_2", unsafe extern "C" fn(c_int, *const c_char, c_int) -> c_int, -1, dirfd, p, flags))
}

/// # Safety
/// glibc's fortified `openat64`.
#[no_mangle]
pub unsafe extern "C" fn __openat64_2(dirfd: c_int, path: *const c_char, flags: c_int) -> c_int {
    open_common("__openat64_2", path, flags, 0, |p| next!("__openat64_2", unsafe extern "C" fn(c_int, *const c_char, c_int) -> c_int, -1, dirfd, p, flags))
}

type FopenFn = unsafe extern "C" fn(*const c_char, *const c_char) -> *mut libc::FILE;

/// # Safety
/// libc's `fopen` (libstdc++'s ifstream).
#[no_mangle]
pub unsafe extern "C" fn fopen(path: *const c_char, mode: *const c_char) -> *mut libc::FILE {
    guard("fopen", std::ptr::null_mut(), || match route(path) {
        Routed::Moved(p) | Routed::Device(_, _, p) => next!("fopen", FopenFn, std::ptr::null_mut(), p.as_ptr(), mode),
        Routed::Host => next!("fopen", FopenFn, std::ptr::null_mut(), path, mode),
    })
}

/// # Safety
/// libc's `fopen64`.
#[no_mangle]
pub unsafe extern "C" fn fopen64(path: *const c_char, mode: *const c_char) -> *mut libc::FILE {
    guard("fopen64", std::ptr::null_mut(), || match route(path) {
        Routed::Moved(p) | Routed::Device(_, _, p) => next!("fopen64", FopenFn, std::ptr::null_mut(), p.as_ptr(), mode),
        Routed::Host => next!("fopen64", FopenFn, std::ptr::null_mut(), path, mode),
    })
}

/// Directories of the emulated tree being read: their entries in name order (the order
/// on disk depends on the host filesystem's hashing; sysfs' is fixed, and libcamera
/// numbers cameras in the order it reads /sys/bus/media/devices).
struct Listing {
    entries: Vec<libc::dirent64>,
    next: usize,
}

static LISTINGS: std::sync::Mutex<Vec<(usize, Listing)>> = std::sync::Mutex::new(Vec::new());

type Readdir64Fn = unsafe extern "C" fn(*mut libc::DIR) -> *mut libc::dirent64;

/// # Safety
/// libc's `opendir`.
#[no_mangle]
pub unsafe extern "C" fn opendir(path: *const c_char) -> *mut libc::DIR {
    type F = unsafe extern "C" fn(*const c_char) -> *mut libc::DIR;
    guard("opendir", std::ptr::null_mut(), || match route(path) {
        Routed::Moved(p) | Routed::Device(_, _, p) => {
            let d = next!("opendir", F, std::ptr::null_mut(), p.as_ptr());
            if !d.is_null() {
                keep_listing(d, read_entries(d));
            }
            d
        }
        Routed::Host if is_dev_dir(path) => {
            // /dev itself: the host's entries plus the emulated nodes (v4l-utils find a
            // media device by bus info, `media-ctl -d platform:rkisp1`, by listing /dev).
            let d = next!("opendir", F, std::ptr::null_mut(), path);
            if d.is_null() {
                return d;
            }
            let mut entries = read_entries(d);
            if let Some(rt) = runtime::get() {
                for name in rt.device_names.iter() {
                    // SAFETY: C strings inside the copied entries.
                    if entries.iter().any(|e| unsafe { CStr::from_ptr(e.d_name.as_ptr()) }.to_bytes() == name.as_bytes()) {
                        continue;
                    }
                    entries.push(dirent_for(name, libc::DT_CHR));
                }
            }
            keep_listing(d, entries);
            d
        }
        Routed::Host => next!("opendir", F, std::ptr::null_mut(), path),
    })
}

/// Every entry of the real directory `d`, read to its end.
fn read_entries(d: *mut libc::DIR) -> Vec<libc::dirent64> {
    let mut entries = vec![];
    loop {
        let e = next!("readdir64", Readdir64Fn, std::ptr::null_mut(), d);
        if e.is_null() {
            break;
        }
        // SAFETY: libc's entry, valid until the next readdir on d.
        entries.push(unsafe { *e });
    }
    entries
}

/// Serve `entries`, sorted by name, as the listing of `d`.
fn keep_listing(d: *mut libc::DIR, mut entries: Vec<libc::dirent64>) {
    // SAFETY: C strings inside the copied entries.
    entries.sort_by(|a, b| unsafe { CStr::from_ptr(a.d_name.as_ptr()).cmp(CStr::from_ptr(b.d_name.as_ptr())) });
    LISTINGS.lock().unwrap_or_else(|p| p.into_inner()).push((d as usize, Listing { entries, next: 0 }));
}

/// Whether an application's path is the /dev directory itself.
///
/// # Safety
/// `p` is NULL or a NUL-terminated string.
unsafe fn is_dev_dir(p: *const c_char) -> bool {
    !IN_CHILD.load(Ordering::Relaxed) && matches!(path_of(p), Some("/dev" | "/dev/"))
}

/// A directory entry for an emulated node (inode numbers are not looked at).
fn dirent_for(name: &str, kind: u8) -> libc::dirent64 {
    // SAFETY: dirent64 is plain data; all zeroes is a valid value.
    let mut e: libc::dirent64 = unsafe { std::mem::zeroed() };
    e.d_ino = 1;
    e.d_reclen = std::mem::size_of::<libc::dirent64>() as u16;
    e.d_type = kind;
    for (i, b) in name.bytes().take(e.d_name.len() - 1).enumerate() {
        e.d_name[i] = b as c_char;
    }
    e
}

unsafe fn readdir_common(name: &str, d: *mut libc::DIR) -> *mut libc::dirent64 {
    guard(name, std::ptr::null_mut(), || {
        {
            let mut l = LISTINGS.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((_, listing)) = l.iter_mut().find(|(k, _)| *k == d as usize) {
                let i = listing.next;
                listing.next += 1;
                // The entry stays in place until closedir, like libc's own buffer.
                return listing.entries.get_mut(i).map_or(std::ptr::null_mut(), |e| e as *mut libc::dirent64);
            }
        }
        next!("readdir64", Readdir64Fn, std::ptr::null_mut(), d)
    })
}

/// # Safety
/// libc's `readdir64`.
#[no_mangle]
pub unsafe extern "C" fn readdir64(d: *mut libc::DIR) -> *mut libc::dirent64 {
    readdir_common("readdir64", d)
}

/// # Safety
/// libc's `readdir` (the same structure on 64-bit).
#[no_mangle]
pub unsafe extern "C" fn readdir(d: *mut libc::DIR) -> *mut libc::dirent64 {
    readdir_common("readdir", d)
}

/// # Safety
/// libc's `closedir`.
#[no_mangle]
pub unsafe extern "C" fn closedir(d: *mut libc::DIR) -> c_int {
    guard("closedir", -1, || {
        LISTINGS.lock().unwrap_or_else(|p| p.into_inner()).retain(|(k, _)| *k != d as usize);
        next!("closedir", unsafe extern "C" fn(*mut libc::DIR) -> c_int, -1, d)
    })
}

// ---- descriptors ----

/// # Safety
/// libc's `close`.
#[no_mangle]
pub unsafe extern "C" fn close(fd: c_int) -> c_int {
    guard("close", -1, || {
        if let Some(rt) = peek() {
            if rt.handle(fd).is_some() {
                rt.closed(fd);
            }
        }
        next!("close", unsafe extern "C" fn(c_int) -> c_int, -1, fd)
    })
}

/// # Safety
/// libc's `ioctl` (variadic in C; the third argument is a pointer or an integer).
#[no_mangle]
pub unsafe extern "C" fn ioctl(fd: c_int, req: c_ulong, arg: *mut c_void) -> c_int {
    guard("ioctl", -1, || {
        if let Some(rt) = peek() {
            if let Some(fh) = rt.handle(fd) {
                return match rt.ioctl(fh, req, arg as usize as u64, &crate::sys::user::Process) {
                    Ok(v) => v,
                    Err(e) => err(e, -1),
                };
            }
        }
        next!("ioctl", unsafe extern "C" fn(c_int, c_ulong, *mut c_void) -> c_int, -1, fd, req, arg)
    })
}

type MmapFn = unsafe extern "C" fn(*mut c_void, size_t, c_int, c_int, c_int, off_t) -> *mut c_void;

unsafe fn mmap_common(name: &str, addr: *mut c_void, len: size_t, prot: c_int, flags: c_int, fd: c_int, off: off_t) -> *mut c_void {
    guard(name, libc::MAP_FAILED, || {
        if let Some(rt) = peek() {
            if let Some(fh) = rt.handle(fd) {
                let r = rt.mmap(fh, off as u64, |memfd, plen| {
                    if len == 0 || len > plen.div_ceil(4096) * 4096 {
                        return err(libc::EINVAL, libc::MAP_FAILED);
                    }
                    next!("mmap", MmapFn, libc::MAP_FAILED, addr, len, prot, flags, memfd, 0)
                });
                return r.unwrap_or_else(|e| err(e, libc::MAP_FAILED));
            }
        }
        next!("mmap", MmapFn, libc::MAP_FAILED, addr, len, prot, flags, fd, off)
    })
}

/// # Safety
/// libc's `mmap`.
#[no_mangle]
pub unsafe extern "C" fn mmap(addr: *mut c_void, len: size_t, prot: c_int, flags: c_int, fd: c_int, off: off_t) -> *mut c_void {
    mmap_common("mmap", addr, len, prot, flags, fd, off)
}

/// # Safety
/// libc's `mmap64` (the same function on 64-bit).
#[no_mangle]
pub unsafe extern "C" fn mmap64(addr: *mut c_void, len: size_t, prot: c_int, flags: c_int, fd: c_int, off: off_t) -> *mut c_void {
    mmap_common("mmap64", addr, len, prot, flags, fd, off)
}

/// # Safety
/// libc's `read`: the rkisp1 nodes have no read() I/O.
#[no_mangle]
pub unsafe extern "C" fn read(fd: c_int, buf: *mut c_void, n: size_t) -> ssize_t {
    guard("read", -1, || {
        if let Some(rt) = peek() {
            if rt.handle(fd).is_some() {
                return err(libc::EINVAL, -1);
            }
        }
        next!("read", unsafe extern "C" fn(c_int, *mut c_void, size_t) -> ssize_t, -1, fd, buf, n)
    })
}

fn after_dup(old: c_int, new: c_int) {
    if new < 0 {
        return;
    }
    if let Some(rt) = peek() {
        if let Some(fh) = rt.handle(old) {
            rt.duplicated(new, fh);
        }
    }
}

/// # Safety
/// libc's `dup`.
#[no_mangle]
pub unsafe extern "C" fn dup(fd: c_int) -> c_int {
    guard("dup", -1, || {
        let r = next!("dup", unsafe extern "C" fn(c_int) -> c_int, -1, fd);
        after_dup(fd, r);
        r
    })
}

unsafe fn dup2_common(name: &str, old: c_int, new: c_int, flags: Option<c_int>) -> c_int {
    guard(name, -1, || {
        let r = match flags {
            None => next!("dup2", unsafe extern "C" fn(c_int, c_int) -> c_int, -1, old, new),
            Some(f) => next!("dup3", unsafe extern "C" fn(c_int, c_int, c_int) -> c_int, -1, old, new, f),
        };
        if r >= 0 && old != new {
            if let Some(rt) = peek() {
                if rt.handle(new).is_some() {
                    rt.closed(new);
                }
            }
            after_dup(old, r);
        }
        r
    })
}

/// # Safety
/// libc's `dup2`.
#[no_mangle]
pub unsafe extern "C" fn dup2(old: c_int, new: c_int) -> c_int {
    dup2_common("dup2", old, new, None)
}

/// # Safety
/// libc's `dup3`.
#[no_mangle]
pub unsafe extern "C" fn dup3(old: c_int, new: c_int, flags: c_int) -> c_int {
    dup2_common("dup3", old, new, Some(flags))
}

unsafe fn fcntl_common(name: &'static str, fd: c_int, cmd: c_int, arg: c_ulong) -> c_int {
    guard(name, -1, || {
        let r = if name == "fcntl64" {
            next!("fcntl64", unsafe extern "C" fn(c_int, c_int, c_ulong) -> c_int, -1, fd, cmd, arg)
        } else {
            next!("fcntl", unsafe extern "C" fn(c_int, c_int, c_ulong) -> c_int, -1, fd, cmd, arg)
        };
        if r >= 0 {
            match cmd {
                libc::F_DUPFD | libc::F_DUPFD_CLOEXEC => after_dup(fd, r),
                libc::F_SETFL => {
                    if let Some(rt) = peek() {
                        if let Some(fh) = rt.handle(fd) {
                            rt.set_nonblock(fh, arg as c_int & libc::O_NONBLOCK != 0);
                        }
                    }
                }
                _ => {}
            }
        }
        r
    })
}

/// # Safety
/// libc's `fcntl` (variadic in C; the third argument is an integer or a pointer).
#[no_mangle]
pub unsafe extern "C" fn fcntl(fd: c_int, cmd: c_int, arg: c_ulong) -> c_int {
    fcntl_common("fcntl", fd, cmd, arg)
}

/// # Safety
/// libc's `fcntl64`.
#[no_mangle]
pub unsafe extern "C" fn fcntl64(fd: c_int, cmd: c_int, arg: c_ulong) -> c_int {
    fcntl_common("fcntl64", fd, cmd, arg)
}

// ---- poll ----

/// The descriptors libc should poll for an application's set: an emulated handle becomes
/// its data eventfd (for POLLIN/POLLOUT as the node means them) and its event eventfd (for
/// POLLPRI). Returns the new set and, per new entry, (original index, events it stands for).
fn expand(rt: &Runtime, fds: &[pollfd]) -> (Vec<pollfd>, Vec<(usize, i16)>) {
    let mut out = Vec::with_capacity(fds.len() + 4);
    let mut map = Vec::with_capacity(fds.len() + 4);
    for (i, p) in fds.iter().enumerate() {
        match rt.handle(p.fd).and_then(|fh| rt.poll_map(fh)) {
            Some((data, data_events, events)) => {
                let want = p.events & data_events;
                if want != 0 {
                    out.push(pollfd { fd: data, events: libc::POLLIN, revents: 0 });
                    map.push((i, want));
                }
                if p.events & libc::POLLPRI != 0 {
                    out.push(pollfd { fd: events, events: libc::POLLIN, revents: 0 });
                    map.push((i, libc::POLLPRI));
                }
            }
            None => {
                out.push(*p);
                map.push((i, 0));
            }
        }
    }
    (out, map)
}

fn fold(fds: &mut [pollfd], polled: &[pollfd], map: &[(usize, i16)]) -> c_int {
    for p in fds.iter_mut() {
        p.revents = 0;
    }
    for (p, (i, stands_for)) in polled.iter().zip(map) {
        if *stands_for == 0 {
            fds[*i].revents |= p.revents;
        } else if p.revents & libc::POLLIN != 0 {
            fds[*i].revents |= *stands_for;
        } else {
            fds[*i].revents |= p.revents & (libc::POLLERR | libc::POLLNVAL);
        }
    }
    fds.iter().filter(|p| p.revents != 0).count() as c_int
}

type PpollFn = unsafe extern "C" fn(*mut pollfd, nfds_t, *const libc::timespec, *const libc::sigset_t) -> c_int;
type PollFn = unsafe extern "C" fn(*mut pollfd, nfds_t, c_int) -> c_int;

unsafe fn poll_common(name: &str, fds: *mut pollfd, n: nfds_t, call: impl Fn(*mut pollfd, nfds_t) -> c_int) -> c_int {
    guard(name, -1, || {
        let Some(rt) = peek().filter(|rt| rt.any_handles() && !fds.is_null() && n > 0) else { return call(fds, n) };
        // SAFETY: the caller's array of n entries.
        let app = unsafe { std::slice::from_raw_parts_mut(fds, n as usize) };
        if !app.iter().any(|p| rt.handle(p.fd).is_some()) {
            return call(fds, n);
        }
        let (mut polled, map) = expand(rt, app);
        let r = call(polled.as_mut_ptr(), polled.len() as nfds_t);
        if r < 0 {
            return r;
        }
        fold(app, &polled, &map)
    })
}

/// # Safety
/// libc's `ppoll` (libcamera's event dispatcher).
#[no_mangle]
pub unsafe extern "C" fn ppoll(fds: *mut pollfd, n: nfds_t, timeout: *const libc::timespec, sigmask: *const libc::sigset_t) -> c_int {
    poll_common("ppoll", fds, n, |f, k| next!("ppoll", PpollFn, -1, f, k, timeout, sigmask))
}

/// # Safety
/// glibc's fortified `ppoll`.
#[no_mangle]
pub unsafe extern "C" fn __ppoll_chk(fds: *mut pollfd, n: nfds_t, timeout: *const libc::timespec, sigmask: *const libc::sigset_t, _fdslen: size_t) -> c_int {
    poll_common("__ppoll_chk", fds, n, |f, k| next!("ppoll", PpollFn, -1, f, k, timeout, sigmask))
}

/// # Safety
/// libc's `poll`.
#[no_mangle]
pub unsafe extern "C" fn poll(fds: *mut pollfd, n: nfds_t, timeout: c_int) -> c_int {
    poll_common("poll", fds, n, |f, k| next!("poll", PollFn, -1, f, k, timeout))
}

/// # Safety
/// glibc's fortified `poll`.
#[no_mangle]
pub unsafe extern "C" fn __poll_chk(fds: *mut pollfd, n: nfds_t, timeout: c_int, _fdslen: size_t) -> c_int {
    poll_common("__poll_chk", fds, n, |f, k| next!("poll", PollFn, -1, f, k, timeout))
}

// ---- stat family ----

/// glibc's dev_t encoding of major:minor.
fn makedev(major: u32, minor: u32) -> u64 {
    let (ma, mi) = (major as u64, minor as u64);
    ((ma & 0xffff_f000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffff_ff00) << 12) | (mi & 0xff)
}

/// Makes a stat result of a placeholder file describe the character device.
macro_rules! as_chardev {
    ($st:expr, $maj:expr, $min:expr) => {{
        $st.st_mode = libc::S_IFCHR | 0o660;
        $st.st_rdev = makedev($maj, $min) as _;
        $st.st_size = 0;
    }};
}

macro_rules! stat_fn {
    ($name:ident, $sym:literal, $st:ty) => {
        /// # Safety
        /// libc's function of the same name.
        #[no_mangle]
        pub unsafe extern "C" fn $name(path: *const c_char, buf: *mut $st) -> c_int {
            type F = unsafe extern "C" fn(*const c_char, *mut $st) -> c_int;
            guard($sym, -1, || match route(path) {
                Routed::Host => next!($sym, F, -1, path, buf),
                Routed::Moved(p) => next!($sym, F, -1, p.as_ptr(), buf),
                Routed::Device(rt, dev, p) => {
                    let r = next!($sym, F, -1, p.as_ptr(), buf);
                    if r == 0 && !buf.is_null() {
                        if let Some((maj, min)) = rt.devnum(&dev) {
                            // SAFETY: libc just filled the caller's buffer.
                            unsafe { as_chardev!(*buf, maj, min) };
                        }
                    }
                    r
                }
            })
        }
    };
}

stat_fn!(stat, "stat", libc::stat);
stat_fn!(stat64, "stat64", libc::stat64);
stat_fn!(lstat, "lstat", libc::stat);
stat_fn!(lstat64, "lstat64", libc::stat64);

macro_rules! fstatat_fn {
    ($name:ident, $sym:literal, $st:ty) => {
        /// # Safety
        /// libc's function of the same name.
        #[no_mangle]
        pub unsafe extern "C" fn $name(dirfd: c_int, path: *const c_char, buf: *mut $st, flags: c_int) -> c_int {
            type F = unsafe extern "C" fn(c_int, *const c_char, *mut $st, c_int) -> c_int;
            guard($sym, -1, || {
                // fstatat(fd, "", buf, AT_EMPTY_PATH) is fstat.
                // SAFETY: path is the caller's C string (or NULL).
                if flags & libc::AT_EMPTY_PATH != 0 && unsafe { path_of(path) } == Some("") {
                    if let Some((maj, min, p)) = handle_dev(dirfd) {
                        let r = next!($sym, F, -1, libc::AT_FDCWD, p.as_ptr(), buf, 0);
                        if r == 0 && !buf.is_null() {
                            // SAFETY: libc just filled the caller's buffer.
                            unsafe { as_chardev!(*buf, maj, min) };
                        }
                        return r;
                    }
                }
                match route(path) {
                    Routed::Host => next!($sym, F, -1, dirfd, path, buf, flags),
                    Routed::Moved(p) => next!($sym, F, -1, dirfd, p.as_ptr(), buf, flags),
                    Routed::Device(rt, dev, p) => {
                        let r = next!($sym, F, -1, dirfd, p.as_ptr(), buf, flags);
                        if r == 0 && !buf.is_null() {
                            if let Some((maj, min)) = rt.devnum(&dev) {
                                // SAFETY: as above.
                                unsafe { as_chardev!(*buf, maj, min) };
                            }
                        }
                        r
                    }
                }
            })
        }
    };
}

fstatat_fn!(fstatat, "fstatat", libc::stat);
fstatat_fn!(fstatat64, "fstatat64", libc::stat64);

/// The device numbers and placeholder path of an emulated descriptor.
fn handle_dev(fd: c_int) -> Option<(u32, u32, CString)> {
    let rt = peek()?;
    let fh = rt.handle(fd)?;
    let (name, maj, min) = rt.devnum_of_handle(fh)?;
    Some((maj, min, cpath(&sysfs::dev_dir(&rt.root).join(name))))
}

macro_rules! fstat_fn {
    ($name:ident, $sym:literal, $st:ty, $pathsym:literal) => {
        /// # Safety
        /// libc's function of the same name.
        #[no_mangle]
        pub unsafe extern "C" fn $name(fd: c_int, buf: *mut $st) -> c_int {
            guard($sym, -1, || {
                if let Some((maj, min, p)) = handle_dev(fd) {
                    let r = next!($pathsym, unsafe extern "C" fn(*const c_char, *mut $st) -> c_int, -1, p.as_ptr(), buf);
                    if r == 0 && !buf.is_null() {
                        // SAFETY: libc just filled the caller's buffer.
                        unsafe { as_chardev!(*buf, maj, min) };
                    }
                    return r;
                }
                next!($sym, unsafe extern "C" fn(c_int, *mut $st) -> c_int, -1, fd, buf)
            })
        }
    };
}

fstat_fn!(fstat, "fstat", libc::stat, "stat");
fstat_fn!(fstat64, "fstat64", libc::stat64, "stat64");

/// # Safety
/// libc's `statx` (what Rust's std and newer programs use).
#[no_mangle]
pub unsafe extern "C" fn statx(dirfd: c_int, path: *const c_char, flags: c_int, mask: c_uint, buf: *mut libc::statx) -> c_int {
    type F = unsafe extern "C" fn(c_int, *const c_char, c_int, c_uint, *mut libc::statx) -> c_int;
    guard("statx", -1, || {
        let fix = |r: c_int, maj: u32, min: u32| {
            if r == 0 && !buf.is_null() {
                // SAFETY: libc just filled the caller's buffer.
                unsafe {
                    (*buf).stx_mode = (libc::S_IFCHR | 0o660) as u16;
                    (*buf).stx_rdev_major = maj;
                    (*buf).stx_rdev_minor = min;
                    (*buf).stx_size = 0;
                }
            }
            r
        };
        // SAFETY: path is the caller's C string (or NULL).
        if flags & libc::AT_EMPTY_PATH != 0 && unsafe { path_of(path) } == Some("") {
            if let Some((maj, min, p)) = handle_dev(dirfd) {
                return fix(next!("statx", F, -1, libc::AT_FDCWD, p.as_ptr(), 0, mask, buf), maj, min);
            }
        }
        match route(path) {
            Routed::Host => next!("statx", F, -1, dirfd, path, flags, mask, buf),
            Routed::Moved(p) => next!("statx", F, -1, dirfd, p.as_ptr(), flags, mask, buf),
            Routed::Device(rt, dev, p) => {
                let r = next!("statx", F, -1, dirfd, p.as_ptr(), flags, mask, buf);
                match rt.devnum(&dev) {
                    Some((maj, min)) => fix(r, maj, min),
                    None => r,
                }
            }
        }
    })
}

// ---- other path functions ----

/// # Safety
/// libc's `access`.
#[no_mangle]
pub unsafe extern "C" fn access(path: *const c_char, mode: c_int) -> c_int {
    type F = unsafe extern "C" fn(*const c_char, c_int) -> c_int;
    guard("access", -1, || match route(path) {
        Routed::Moved(p) | Routed::Device(_, _, p) => next!("access", F, -1, p.as_ptr(), mode),
        Routed::Host => next!("access", F, -1, path, mode),
    })
}

/// # Safety
/// libc's `faccessat`.
#[no_mangle]
pub unsafe extern "C" fn faccessat(dirfd: c_int, path: *const c_char, mode: c_int, flags: c_int) -> c_int {
    type F = unsafe extern "C" fn(c_int, *const c_char, c_int, c_int) -> c_int;
    guard("faccessat", -1, || match route(path) {
        Routed::Moved(p) | Routed::Device(_, _, p) => next!("faccessat", F, -1, dirfd, p.as_ptr(), mode, flags),
        Routed::Host => next!("faccessat", F, -1, dirfd, path, mode, flags),
    })
}

/// # Safety
/// libc's `readlink`.
#[no_mangle]
pub unsafe extern "C" fn readlink(path: *const c_char, buf: *mut c_char, size: size_t) -> ssize_t {
    type F = unsafe extern "C" fn(*const c_char, *mut c_char, size_t) -> ssize_t;
    guard("readlink", -1, || match route(path) {
        Routed::Moved(p) | Routed::Device(_, _, p) => next!("readlink", F, -1, p.as_ptr(), buf, size),
        Routed::Host => next!("readlink", F, -1, path, buf, size),
    })
}

/// # Safety
/// libc's `readlinkat`.
#[no_mangle]
pub unsafe extern "C" fn readlinkat(dirfd: c_int, path: *const c_char, buf: *mut c_char, size: size_t) -> ssize_t {
    type F = unsafe extern "C" fn(c_int, *const c_char, *mut c_char, size_t) -> ssize_t;
    guard("readlinkat", -1, || match route(path) {
        Routed::Moved(p) | Routed::Device(_, _, p) => next!("readlinkat", F, -1, dirfd, p.as_ptr(), buf, size),
        Routed::Host => next!("readlinkat", F, -1, dirfd, path, buf, size),
    })
}

/// Maps a resolved path inside the emulator's directory back to what the application
/// asked about (in place: the result is never longer).
///
/// # Safety
/// `r` is a NUL-terminated buffer that may be written.
unsafe fn unmove(r: *mut c_char) {
    let Some(rt) = peek() else { return };
    let Some(s) = path_of(r) else { return };
    if let Some(app) = sysfs::unresolve(s, &rt.root) {
        let b = app.as_bytes();
        std::ptr::copy(b.as_ptr(), r as *mut u8, b.len());
        *r.add(b.len()) = 0;
    }
}

/// # Safety
/// libc's `realpath`.
#[no_mangle]
pub unsafe extern "C" fn realpath(path: *const c_char, resolved: *mut c_char) -> *mut c_char {
    type F = unsafe extern "C" fn(*const c_char, *mut c_char) -> *mut c_char;
    guard("realpath", std::ptr::null_mut(), || {
        let r = match route(path) {
            Routed::Moved(p) | Routed::Device(_, _, p) => next!("realpath", F, std::ptr::null_mut(), p.as_ptr(), resolved),
            Routed::Host => next!("realpath", F, std::ptr::null_mut(), path, resolved),
        };
        if !r.is_null() {
            unmove(r);
        }
        r
    })
}

/// # Safety
/// glibc's fortified `realpath`.
#[no_mangle]
pub unsafe extern "C" fn __realpath_chk(path: *const c_char, resolved: *mut c_char, _len: size_t) -> *mut c_char {
    realpath(path, resolved)
}

// ---- raw system calls ----

/// # Safety
/// libc's `syscall` (variadic in C: up to six integer arguments). libcamera opens V4L2
/// nodes with `syscall(SYS_openat, ...)` to stay clear of its own V4L2 compatibility
/// layer; those opens, and raw ioctl/close calls, are the emulator's like the libc ones.
#[no_mangle]
pub unsafe extern "C" fn syscall(
    n: libc::c_long,
    a1: libc::c_long,
    a2: libc::c_long,
    a3: libc::c_long,
    a4: libc::c_long,
    a5: libc::c_long,
    a6: libc::c_long,
) -> libc::c_long {
    type F = unsafe extern "C" fn(libc::c_long, ...) -> libc::c_long;
    let forward = || next!("syscall", F, -1, n, a1, a2, a3, a4, a5, a6);
    match n {
        libc::SYS_openat => {
            let path = a2 as usize as *const c_char;
            open_common("syscall(openat)", path, a3 as c_int, a4 as c_uint, |p| next!("syscall", F, -1, n, a1, p as usize as libc::c_long, a3, a4) as c_int)
                as libc::c_long
        }
        libc::SYS_ioctl => ioctl(a1 as c_int, a2 as c_ulong, a3 as usize as *mut c_void) as libc::c_long,
        libc::SYS_close => close(a1 as c_int) as libc::c_long,
        libc::SYS_clone3 => {
            let r = forward();
            // SAFETY: errno of this thread.
            if r == -1 && unsafe { *libc::__errno_location() } == libc::ENOSYS {
                guard("clone3", -1, || clone3_by_fork(a1 as usize as *const CloneArgs, a2 as usize))
            } else {
                r
            }
        }
        _ => forward(),
    }
}

/// `struct clone_args` (linux/sched.h).
#[repr(C)]
struct CloneArgs {
    flags: u64,
    pidfd: u64,
    child_tid: u64,
    parent_tid: u64,
    exit_signal: u64,
    stack: u64,
    stack_size: u64,
    tls: u64,
    set_tid: u64,
    set_tid_size: u64,
    cgroup: u64,
}

const CLONE_PIDFD: u64 = 0x1000;
const CLONE_NEWUSER: u64 = 0x1000_0000;
const CLONE_NEWNET: u64 = 0x4000_0000;
const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;

/// qemu-user has no clone3 (ENOSYS), and libcamera 0.7 starts its IPA proxy with
/// clone3(CLONE_PIDFD | CLONE_NEWUSER | CLONE_NEWNET) without a fallback. A
/// process-creating clone3 (no new stack, SIGCHLD) is fork() plus pidfd_open(), with the
/// network namespace unshared in the child. The user namespace is left out: the kernel
/// refuses one to a chrooted process (the sysroot), so on this machine the isolated proxy
/// runs in the caller's user namespace. Anything else stays ENOSYS.
fn clone3_by_fork(args: *const CloneArgs, size: usize) -> libc::c_long {
    if args.is_null() || size < std::mem::size_of::<u64>() * 8 {
        return err(libc::EINVAL, -1);
    }
    // SAFETY: the caller's clone_args of at least `size` bytes.
    let a = unsafe { std::ptr::read_unaligned(args) };
    let extra = if size >= std::mem::size_of::<CloneArgs>() { a.set_tid | a.set_tid_size | a.cgroup } else { 0 };
    if a.flags & !(CLONE_PIDFD | CLONE_CLEAR_SIGHAND | CLONE_NEWUSER | CLONE_NEWNET) != 0
        || a.stack != 0
        || a.tls != 0
        || extra != 0
        || a.exit_signal != libc::SIGCHLD as u64
    {
        log::error!("clone3 with flags 0x{:x} cannot be emulated under qemu; ENOSYS", a.flags);
        return err(libc::ENOSYS, -1);
    }
    // SAFETY: fork in a process that then execs (libcamera's Process::start).
    let pid = unsafe { libc::fork() };
    if pid < 0 {
        return -1;
    }
    if pid > 0 && a.flags & CLONE_NEWUSER != 0 {
        log::info!("clone3 emulated with fork (qemu-user lacks clone3); process {pid} runs without a user namespace (refused in a chroot)");
    }
    if pid == 0 {
        // SAFETY: plain syscall in the new child.
        if a.flags & CLONE_NEWNET != 0 && unsafe { libc::unshare(libc::CLONE_NEWNET) } != 0 {
            return err(libc::EPERM, -1);
        }
        if a.flags & CLONE_CLEAR_SIGHAND != 0 {
            for sig in 1..libc::SIGRTMAX() {
                // SAFETY: resetting handled signals to their default in the new child.
                unsafe {
                    let mut old: libc::sigaction = std::mem::zeroed();
                    if libc::sigaction(sig, std::ptr::null(), &mut old) == 0 && old.sa_sigaction != libc::SIG_IGN && old.sa_sigaction != libc::SIG_DFL {
                        libc::signal(sig, libc::SIG_DFL);
                    }
                }
            }
        }
        return 0;
    }
    if a.flags & CLONE_PIDFD != 0 && a.pidfd != 0 {
        // SAFETY: pidfd_open of our child; the caller's int for it.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if fd < 0 {
            log::error!("pidfd_open of the new process failed under qemu");
            return -1;
        }
        unsafe { *(a.pidfd as usize as *mut c_int) = fd as c_int };
    }
    pid as libc::c_long
}
