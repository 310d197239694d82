//! An emulated PinePhone Pro camera kernel interface. Loaded with `LD_PRELOAD` into an
//! unmodified libcamera application (under qemu-aarch64, see `scripts/emulate`), it makes
//! the phone's two rkisp1 media devices appear as the Linux 6.12 (or 6.1) drivers present
//! them: imx258 with its dw9714 lens on one ISP, ov8858 on the other, with frames,
//! statistics and params handled by the `sim` crate's sensor and ISP models.
//!
//! Layers: `sys` (the only `unsafe`: libc interposers, user memory, memfd/eventfd),
//! `runtime` (the emulator in a process and its descriptor table), `device` and `ioctl`
//! (the device model and its ioctls), `engine` and `render` (frames).

pub mod config;
pub mod controls;
pub mod device;
pub mod engine;
pub mod formats;
pub mod graph;
pub mod ioctl;
pub mod params;
pub mod profile;
pub mod queue;
pub mod render;
pub mod report;
pub mod runtime;
pub mod sensor;
pub mod state;
pub mod subdevs;
pub mod sys;
pub mod sysfs;
pub mod uapi;
