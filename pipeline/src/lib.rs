//! `rkisp1-setup`: plan, apply and diagnose the rkisp1 media graph of the PinePhone Pro
//! cameras (and other RK3399 boards), on the device or offline from `media-ctl -p` text.
//!
//! * `topology`: parse `media-ctl -p` output.
//! * `graph`: roles (sensor, CSI, ISP, resizers, capture nodes) and limits of one instance.
//! * `sensors`: known sensor modes when the hardware cannot be asked.
//! * `model`: the kernel's format rules and STREAMON checks.
//! * `plan`: choose mode, formats, crops and links for a request.
//! * `device`: the device trait, a fake device, apply + verify.
//! * `hw`: the real device: graph reading, formats, crops, links and controls.
//! * `uapi`: the kernel ABI: struct mirrors and one safe function per ioctl (the only
//!   `unsafe` of the crate).
//! * `doctor`, `defaults`: diagnosis and sensor-default fixes.

#![deny(unsafe_code)]

pub mod defaults;
pub mod device;
pub mod doctor;
pub mod graph;
pub mod hw;
pub mod mbus;
pub mod model;
pub mod plan;
pub mod sensors;
pub mod topology;
#[allow(unsafe_code)]
pub mod uapi;
