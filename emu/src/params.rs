//! Params buffer validation at QBUF (the driver's buf_prepare): the fixed format must be
//! exactly `struct rkisp1_params_cfg`; an extensible buffer is walked by the `sim` ISP
//! model's parser (version, sizes, flags, no trailing bytes) after the checks that depend
//! on the kernel: known block types and the buffer size. A rejected buffer is never
//! queued (EINVAL).

use crate::profile::Kernel;
use anyhow::{bail, Result};
use rkisp1_ipa::abi::{HwRevision, ParamFormat};
use rkisp1_sim::isp::IspState;

pub fn validate(kernel: Kernel, format: ParamFormat, payload: &[u8]) -> Result<()> {
    if format == ParamFormat::Extensible {
        let max = kernel.ext_params_size() as usize;
        if payload.len() > max {
            bail!("payload {} exceeds the buffer size {max}", payload.len());
        }
        let known = kernel.ext_block_types().unwrap_or(0) as usize;
        let mut off = 8;
        while off + 8 <= payload.len() {
            let ty = u16::from_le_bytes([payload[off], payload[off + 1]]) as usize;
            let size = u32::from_le_bytes(payload[off + 4..off + 8].try_into().unwrap()) as usize;
            if ty >= known {
                bail!("block type {ty} unknown to Linux {} ({known} types)", kernel.name());
            }
            if size == 0 {
                break;
            }
            off += size;
        }
    }
    // The model's parser rejects whole buffers as the driver does; applying it to a
    // scratch state only validates.
    let mut scratch = IspState::default();
    scratch.apply_params(payload, format, HwRevision::V10)
}

/// The configuration the driver programs when the ISP starts (kernel-rkisp1.md §2.8):
/// AWB measurement in YCbCr mode with its gains at 1.0, AE and histogram measurement on the
/// centre of its default 800x600 window. Encoded as an extensible params buffer for the
/// ISP model.
pub fn driver_defaults() -> Vec<u8> {
    use rkisp1_ipa::abi::blocks::*;
    use rkisp1_ipa::abi::consts;
    use rkisp1_ipa::abi::params::ParamsWriter;
    let mut buf = vec![0u8; 8 + 4504];
    let mut w = ParamsWriter::new(&mut buf, ParamFormat::Extensible, u64::MAX).expect("buffer large enough");
    let full = Window { h_offs: 0, v_offs: 0, h_size: 800, v_size: 600 };
    let centre = Window { h_offs: 200, v_offs: 150, h_size: 400, v_size: 300 };
    let blocks = [
        Block::AwbGain(AwbGainConfig { gains: [256; 4] }),
        Block::AwbMeas(AwbMeasConfig {
            window: full,
            mode: consts::AWB_MODE_YCBCR,
            max_y: 200,
            min_y: 30,
            max_csum: 20,
            min_c: 20,
            frames: 0,
            ref_cr: 128,
            ref_cb: 128,
            enable_ymax_cmp: false,
        }),
        Block::Aec(AecConfig { mode: consts::EXP_MEASURING_MODE_0, autostop: 0, window: centre }),
        Block::Hst(HstConfig { mode: consts::HISTOGRAM_MODE_RGB_COMBINED, predivider: 3, window: centre, weights: [1; 81] }),
    ];
    for b in &blocks {
        w.write(b, true).expect("default block fits");
    }
    let n = w.finish();
    buf.truncate(n);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ext(blocks: &[(u16, u16, usize)]) -> Vec<u8> {
        let mut b = vec![0u8; 8];
        for (ty, flags, size) in blocks {
            let mut blk = vec![0u8; *size];
            blk[0..2].copy_from_slice(&ty.to_le_bytes());
            blk[2..4].copy_from_slice(&flags.to_le_bytes());
            blk[4..8].copy_from_slice(&(*size as u32).to_le_bytes());
            b.extend(blk);
        }
        let ds = (b.len() - 8) as u32;
        b[0..4].copy_from_slice(&1u32.to_le_bytes());
        b[4..8].copy_from_slice(&ds.to_le_bytes());
        b
    }

    #[test]
    fn malformed_buffers_are_rejected() {
        let k = Kernel::V6_12;
        assert!(validate(k, ParamFormat::Extensible, &ext(&[(3, 2, 16)])).is_ok(), "AWB gain, enabled");
        assert!(validate(k, ParamFormat::Extensible, &ext(&[(3, 3, 16)])).is_err(), "both ENABLE and DISABLE");
        assert!(validate(k, ParamFormat::Extensible, &ext(&[(3, 2, 24)])).is_err(), "wrong block size");
        assert!(validate(k, ParamFormat::Extensible, &ext(&[(20, 2, 112)])).is_err(), "WDR is unknown to 6.12");
        let mut b = ext(&[(3, 2, 16)]);
        b[0] = 2;
        assert!(validate(k, ParamFormat::Extensible, &b).is_err(), "version");
        let mut b = ext(&[(3, 2, 16)]);
        b.extend([0; 4]);
        assert!(validate(k, ParamFormat::Extensible, &b).is_err(), "trailing bytes");
        assert!(validate(k, ParamFormat::Fixed, &[0u8; 3048]).is_ok());
        assert!(validate(k, ParamFormat::Fixed, &[0u8; 3040]).is_err());
        assert!(validate(k, ParamFormat::Extensible, &driver_defaults()).is_ok());
    }
}
