//! Writing a params buffer in the fixed ('RK1P') or extensible ('RK1E') format.
//!
//! Errata honoured here (kernel-rkisp1.md §2.9):
//! * E2: programming GOC clears the gamma enable, so a GOC config is always sent with its
//!   enable (fixed: `module_en_update` + `module_ens`; ext: the ENABLE flag).
//! * E1: AWB measurement and AWB gains share one hardware enable; a buffer that enables one
//!   and disables the other is refused.
//! * Blocks the kernel did not list in its supported-blocks mask are skipped (ext only).

use super::blocks::Block;
use super::consts::{EXT_FL_BLOCK_DISABLE, EXT_FL_BLOCK_ENABLE, EXT_PARAM_BUFFER_V1};
use super::layout::ExtBlockType;
use super::uapi::{ExtBlockHeader, ExtParamsCfgHeader, ParamsCfg};
use core::mem::{offset_of, size_of};
use zerocopy::{Immutable, IntoBytes};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamFormat {
    /// `struct rkisp1_params_cfg` (3048 bytes).
    Fixed,
    /// Header + variable list of blocks.
    Extensible,
}

impl ParamFormat {
    pub fn from_fourcc(f: u32) -> Option<Self> {
        match f {
            super::consts::FOURCC_RK1P => Some(Self::Fixed),
            super::consts::FOURCC_RK1E => Some(Self::Extensible),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParamsError {
    #[error("params buffer of {len} bytes is smaller than the {need} bytes the format needs")]
    BufferTooSmall { len: usize, need: usize },
    #[error("params buffer full: {block:?} needs {need} bytes, {left} left of the mapped buffer")]
    BufferFull { block: ExtBlockType, need: usize, left: usize },
    #[error("AWB measurement and AWB gains share one enable; refusing to enable one and disable the other")]
    ConflictingAwbEnable,
    #[error("block {0:?} has no place in the fixed params format")]
    NotInFixedFormat(ExtBlockType),
}

/// Enable state requested for the AWB pair, to enforce erratum E1.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pair {
    Untouched,
    Enabled,
    Disabled,
}

/// The fixed format's three module masks, mirrored here and written through on change.
#[derive(Default)]
struct ModuleMasks {
    en_update: u32,
    ens: u32,
    cfg_update: u32,
}

pub struct ParamsWriter<'a> {
    buf: &'a mut [u8],
    format: ParamFormat,
    supported_blocks: u64,
    used: usize,
    masks: ModuleMasks,
    awb_meas: Pair,
    awb_gain: Pair,
}

/// Whether buffers of `format` can carry block `ty` for a kernel that reports
/// `supported_blocks` (bit n: extensible block type n).
pub fn block_supported(format: ParamFormat, supported_blocks: u64, ty: ExtBlockType) -> bool {
    match format {
        ParamFormat::Fixed => ty.module_bit() != 0,
        ParamFormat::Extensible => supported_blocks & (1u64 << ty as u16) != 0,
    }
}

/// Copy a kernel struct's bytes to `buf` at `at` (callers have checked the room).
fn put<T: IntoBytes + Immutable>(buf: &mut [u8], at: usize, v: &T) {
    buf[at..at + size_of::<T>()].copy_from_slice(v.as_bytes());
}

impl<'a> ParamsWriter<'a> {
    /// Start a new params buffer: zero what we own and write the header. `buf` is the whole
    /// mapped buffer; its length bounds what the extensible format may use.
    pub fn new(buf: &'a mut [u8], format: ParamFormat, supported_blocks: u64) -> Result<Self, ParamsError> {
        let need = match format {
            ParamFormat::Fixed => size_of::<ParamsCfg>(),
            ParamFormat::Extensible => size_of::<ExtParamsCfgHeader>(),
        };
        if buf.len() < need {
            return Err(ParamsError::BufferTooSmall { len: buf.len(), need });
        }
        buf[..need].fill(0);
        if format == ParamFormat::Extensible {
            put(buf, 0, &ExtParamsCfgHeader { version: EXT_PARAM_BUFFER_V1, data_size: 0 });
        }
        let masks = ModuleMasks::default();
        Ok(Self { buf, format, supported_blocks, used: need, masks, awb_meas: Pair::Untouched, awb_gain: Pair::Untouched })
    }

    pub fn format(&self) -> ParamFormat {
        self.format
    }

    /// Whether the kernel accepts this block in the current format.
    pub fn supports(&self, ty: ExtBlockType) -> bool {
        block_supported(self.format, self.supported_blocks, ty)
    }

    /// Write a block's config. `enable` turns the block on (or keeps it on); GOC always
    /// carries its enable (erratum E2). Returns false when the kernel does not support the
    /// block and it was skipped.
    pub fn write(&mut self, block: &Block, enable: bool) -> Result<bool, ParamsError> {
        let ty = block.ext_type();
        self.track_awb(ty, if enable { Pair::Enabled } else { Pair::Disabled })?;
        if !self.supports(ty) {
            log::debug!("params: block {ty:?} not supported by the kernel, skipped");
            return Ok(false);
        }
        match self.format {
            ParamFormat::Fixed => {
                let off = ty.fixed_offset().ok_or(ParamsError::NotInFixedFormat(ty))?;
                block.encode(&mut self.buf[off..]);
                self.masks.cfg_update |= ty.module_bit();
                self.set_enable(ty.module_bit(), enable);
            }
            ParamFormat::Extensible => {
                let flags = if enable { EXT_FL_BLOCK_ENABLE } else { EXT_FL_BLOCK_DISABLE };
                let cfg = self.ext_block(ty, flags)?;
                block.encode(cfg);
            }
        }
        Ok(true)
    }

    /// Turn a block off without sending a config.
    pub fn disable(&mut self, ty: ExtBlockType) -> Result<bool, ParamsError> {
        self.track_awb(ty, Pair::Disabled)?;
        if !self.supports(ty) {
            return Ok(false);
        }
        match self.format {
            ParamFormat::Fixed => self.set_enable(ty.module_bit(), false),
            ParamFormat::Extensible => {
                // Older kernels need the full block size even for DISABLE; the config is zero.
                self.ext_block(ty, EXT_FL_BLOCK_DISABLE)?;
            }
        }
        Ok(true)
    }

    /// Finish the buffer and return `bytesused`.
    pub fn finish(self) -> usize {
        if self.format == ParamFormat::Extensible {
            let data_size = (self.used - size_of::<ExtParamsCfgHeader>()) as u32;
            put(self.buf, offset_of!(ExtParamsCfgHeader, data_size), &data_size);
        }
        self.used
    }

    fn track_awb(&mut self, ty: ExtBlockType, state: Pair) -> Result<(), ParamsError> {
        match ty {
            ExtBlockType::AwbMeas => self.awb_meas = state,
            ExtBlockType::AwbGain => self.awb_gain = state,
            _ => return Ok(()),
        }
        let conflict = matches!((self.awb_meas, self.awb_gain), (Pair::Enabled, Pair::Disabled) | (Pair::Disabled, Pair::Enabled));
        if conflict {
            return Err(ParamsError::ConflictingAwbEnable);
        }
        Ok(())
    }

    fn set_enable(&mut self, bit: u32, enable: bool) {
        let m = &mut self.masks;
        m.en_update |= bit;
        if enable {
            m.ens |= bit
        } else {
            m.ens &= !bit
        }
        // Written through at once, so the buffer is complete whenever the writer stops.
        put(self.buf, offset_of!(ParamsCfg, module_en_update), &m.en_update);
        put(self.buf, offset_of!(ParamsCfg, module_ens), &m.ens);
        put(self.buf, offset_of!(ParamsCfg, module_cfg_update), &m.cfg_update);
    }

    /// Reserve an ext block, write its header and return its (zeroed) config bytes.
    fn ext_block(&mut self, ty: ExtBlockType, flags: u16) -> Result<&mut [u8], ParamsError> {
        let info = ty.info();
        let size = info.ext_size;
        let left = self.buf.len() - self.used;
        if size > left {
            return Err(ParamsError::BufferFull { block: ty, need: size, left });
        }
        let start = self.used;
        self.buf[start..start + size].fill(0);
        put(self.buf, start, &ExtBlockHeader { r#type: ty as u16, flags, size: size as u32 });
        self.used += size;
        let config = start + info.ext_config_offset;
        Ok(&mut self.buf[config..config + info.config_size])
    }
}
