//! A libcamera-compatible IPA for the Rockchip ISP1 (rkisp1), in pure Rust.
//!
//! * [`abi`]: the kernel's statistics and params byte formats.
//! * [`sensor`]: sensor gain models, black levels, timing of the configured mode.
//! * [`tuning`]: libcamera-schema tuning files.
//! * [`algorithms`]: Agc, Awb, BlackLevelCorrection, Ccm, GammaOutCorrection.
//! * [`ipa::Ipa`]: the object with libcamera's life cycle.

pub mod abi;
pub mod algorithms;
pub mod context;
pub mod controls;
pub mod fixed_point;
pub mod ipa;
pub mod sensor;
pub mod tuning;

pub use ipa::{AppliedSensorControls, InitInfo, Ipa, IpaError, SensorCommand};
