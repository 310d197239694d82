//! A libcamera-compatible IPA for the Rockchip ISP1 (rkisp1), in pure Rust.
//!
//! * [`abi`]: the kernel's statistics and params byte formats.
//! * [`sensor`]: sensor gain models, black levels, timing of the configured mode.
//! * [`tuning`]: libcamera-schema tuning files.
//! * [`algorithms`]: Agc, Awb, BlackLevelCorrection, Ccm, GammaOutCorrection, … one per file.
//! * [`status`]: what the algorithms publish for each other, and their contracts.
//! * [`interpolate`]: the piecewise-linear curve type.
//! * [`zones`]: the AWB zone grid and the lens-shading colour of each zone.
//! * [`ipa::Ipa`]: the object with libcamera's life cycle.

pub mod abi;
pub mod algorithms;
pub mod context;
pub mod controls;
pub mod fixed_point;
pub mod interpolate;
pub mod ipa;
pub mod sensor;
pub mod status;
pub mod tuning;
pub mod zones;

pub use ipa::{InitInfo, Ipa, IpaError};
pub use sensor::SensorSettings;
