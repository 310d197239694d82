//! The kernel ABI: statistics parsing and params writing in the UAPI byte layout.
//! Everything is done on byte slices with explicit little-endian offsets (both the host
//! and the phone are little-endian), so this layer needs no `unsafe`.

pub mod blocks;
pub mod consts;
pub mod layout;
pub mod params;
pub mod stats;

pub use blocks::*;
pub use consts::HwRevision;
pub use layout::ExtBlockType;
pub use params::{ParamFormat, ParamsError, ParamsWriter};
pub use stats::{AeMeans, AwbMeans, Histogram, Stats, StatsError};
