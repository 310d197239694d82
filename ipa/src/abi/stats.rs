//! Parsing `struct rkisp1_stat_buffer` ('RK1S'). Only blocks whose `meas_type` bit is set
//! are returned; `frame_id` is ignored because the kernel never writes it.

use super::consts::*;
use super::uapi::StatBuffer;
use core::mem::size_of;
use zerocopy::FromBytes;

/// Global AWB mean as measured by the hardware (after AWB gains and CCM).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AwbMeans {
    /// Number of pixels that passed the thresholds.
    pub count: u32,
    /// Y (YCbCr mode) or G (RGB mode).
    pub y_or_g: u8,
    pub cb_or_b: u8,
    pub cr_or_r: u8,
}

/// AE grid means (8 bits each, raster order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AeMeans {
    pub cells: [u8; AE_MEAN_MAX],
    pub len: usize,
    pub grid: usize,
    /// Measured black level per Bayer position.
    pub bls: [u16; 4],
}

impl AeMeans {
    pub fn cells(&self) -> &[u8] {
        &self.cells[..self.len]
    }
}

/// Histogram bins with the fractional bits removed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Histogram {
    pub bins: [u32; HIST_BIN_N_MAX],
    pub len: usize,
}

impl Histogram {
    pub fn bins(&self) -> &[u32] {
        &self.bins[..self.len]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Stats {
    pub awb: Option<AwbMeans>,
    pub ae: Option<AeMeans>,
    pub hist: Option<Histogram>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StatsError {
    #[error("statistics buffer truncated: {len} bytes, {need} needed")]
    Truncated { len: usize, need: usize },
    #[error("statistics buffer has no valid measurement (meas_type {0:#x})")]
    NoMeasurement(u32),
}

/// Histogram bins are 20-bit hardware counters with 4 fractional bits (libcamera's reading;
/// the UAPI text says 5, see kernel-rkisp1.md E5).
pub const HIST_FRACTIONAL_BITS: u32 = 4;
const HIST_COUNTER_MASK: u32 = 0xF_FFFF;
/// The AWB pixel counter is 26 bits wide.
const AWB_COUNT_MAX: u32 = (1 << 26) - 1;

impl Stats {
    pub fn parse(buf: &[u8], hw: HwRevision) -> Result<Stats, StatsError> {
        let Ok((sb, _)) = StatBuffer::read_from_prefix(buf) else {
            return Err(StatsError::Truncated { len: buf.len(), need: size_of::<StatBuffer>() });
        };
        let meas_type = sb.meas_type;
        let known = STAT_AWB | STAT_AUTOEXP | STAT_AFM | STAT_HIST;
        if meas_type & !known != 0 {
            log::warn!("stats: unknown meas_type bits {:#x} ignored", meas_type & !known);
        }
        let mut out = Stats::default();
        if meas_type & STAT_AWB != 0 {
            let m = sb.params.awb.awb_mean[0];
            if m.cnt > AWB_COUNT_MAX {
                log::warn!("stats: AWB pixel count {} exceeds the 26-bit counter, AWB block dropped", m.cnt);
            } else {
                out.awb = Some(AwbMeans { count: m.cnt, y_or_g: m.mean_y_or_g, cb_or_b: m.mean_cb_or_b, cr_or_r: m.mean_cr_or_r });
            }
        }
        if meas_type & STAT_AUTOEXP != 0 {
            let ae = &sb.params.ae;
            let len = hw.ae_cells();
            let mut cells = [0u8; AE_MEAN_MAX];
            cells[..len].copy_from_slice(&ae.exp_mean[..len]);
            let b = ae.bls_val;
            out.ae = Some(AeMeans { cells, len, grid: hw.ae_grid(), bls: [b.meas_r, b.meas_gr, b.meas_gb, b.meas_b] });
        }
        if meas_type & STAT_HIST != 0 {
            let len = hw.hist_bins();
            let mut bins = [0u32; HIST_BIN_N_MAX];
            let mut garbage = false;
            for (b, &raw) in bins[..len].iter_mut().zip(&sb.params.hist.hist_bins) {
                garbage |= raw & !HIST_COUNTER_MASK != 0;
                *b = (raw & HIST_COUNTER_MASK) >> HIST_FRACTIONAL_BITS;
            }
            if garbage {
                log::warn!("stats: histogram bins exceed the 20-bit counters, histogram dropped");
            } else {
                out.hist = Some(Histogram { bins, len });
            }
        }
        if out.awb.is_none() && out.ae.is_none() && out.hist.is_none() {
            return Err(StatsError::NoMeasurement(meas_type));
        }
        Ok(out)
    }
}
