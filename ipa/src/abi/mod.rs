//! The kernel ABI: statistics parsing and params writing in the UAPI byte layout.
//! Buffers are read and written through `#[repr(C)]` mirrors of the kernel structs
//! (`uapi.rs`) with `zerocopy`, whose derives check that every byte pattern is valid:
//! the layer needs no raw pointer casts of its own.

pub mod blocks;
pub mod consts;
pub mod layout;
pub mod params;
pub mod stats;
pub mod uapi;

pub use blocks::*;
pub use consts::HwRevision;
pub use layout::ExtBlockType;
pub use params::{ParamFormat, ParamsError, ParamsWriter};
pub use stats::{AeMeans, AwbMeans, Histogram, Stats, StatsError};
