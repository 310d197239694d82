//! Behaviour of the statistics parser and the params writer on byte buffers.

use rkisp1_ipa::abi::consts::{module, HwRevision, EXT_FL_BLOCK_DISABLE, EXT_FL_BLOCK_ENABLE, STAT_AUTOEXP, STAT_AWB, STAT_HIST};
use rkisp1_ipa::abi::layout::{fixed, stat, ExtBlockType};
use rkisp1_ipa::abi::*;

fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap())
}
fn u16_at(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes(b[o..o + 2].try_into().unwrap())
}

fn stats_buffer(meas: u32) -> Vec<u8> {
    let mut b = vec![0u8; stat::SIZE];
    b[0..4].copy_from_slice(&meas.to_le_bytes());
    b[4..8].copy_from_slice(&0xdead_beefu32.to_le_bytes()); // frame_id: never trusted
    b[stat::AWB_CNT..stat::AWB_CNT + 4].copy_from_slice(&1234u32.to_le_bytes());
    b[stat::AWB_MEAN_Y_OR_G] = 100;
    b[stat::AWB_MEAN_CB_OR_B] = 120;
    b[stat::AWB_MEAN_CR_OR_R] = 130;
    for i in 0..81 {
        b[stat::AE_EXP_MEAN + i] = i as u8;
    }
    for i in 0..32 {
        let o = stat::HIST_BINS + 4 * i;
        b[o..o + 4].copy_from_slice(&(((i as u32) + 1) << 4 | 0xF).to_le_bytes());
    }
    b
}

#[test]
fn stats_v10_and_v12_sizes() {
    let b = stats_buffer(STAT_AWB | STAT_AUTOEXP | STAT_HIST);
    let s = Stats::parse(&b, HwRevision::V10).unwrap();
    let ae = s.ae.unwrap();
    assert_eq!((ae.cells().len(), ae.grid), (25, 5));
    assert_eq!(ae.cells()[24], 24);
    let h = s.hist.unwrap();
    assert_eq!(h.bins().len(), 16);
    assert_eq!(h.bins()[0], 1, "4 fractional bits dropped");
    let awb = s.awb.unwrap();
    assert_eq!((awb.count, awb.y_or_g, awb.cb_or_b, awb.cr_or_r), (1234, 100, 120, 130));
    let s12 = Stats::parse(&b, HwRevision::V12).unwrap();
    assert_eq!(s12.ae.unwrap().cells().len(), 81);
    assert_eq!(s12.hist.unwrap().bins().len(), 32);
    let imx = Stats::parse(&b, HwRevision::Imx8mp).unwrap();
    assert_eq!(imx.ae.unwrap().cells().len(), 25);
}

#[test]
fn stats_blocks_without_meas_bit_are_ignored() {
    let b = stats_buffer(STAT_AUTOEXP);
    let s = Stats::parse(&b, HwRevision::V10).unwrap();
    assert!(s.ae.is_some() && s.awb.is_none() && s.hist.is_none());
    assert_eq!(Stats::parse(&stats_buffer(0), HwRevision::V10), Err(StatsError::NoMeasurement(0)));
}

#[test]
fn truncated_and_garbage_stats() {
    let b = stats_buffer(STAT_AWB | STAT_AUTOEXP | STAT_HIST);
    assert_eq!(Stats::parse(&b[..259], HwRevision::V10), Err(StatsError::Truncated { len: 259, need: 260 }));
    let mut g = b.clone();
    g[stat::AWB_CNT..stat::AWB_CNT + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    g[stat::HIST_BINS..stat::HIST_BINS + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let s = Stats::parse(&g, HwRevision::V10).unwrap();
    assert!(s.awb.is_none(), "impossible AWB count dropped");
    assert!(s.hist.is_none(), "histogram beyond 20-bit counters dropped");
    assert!(s.ae.is_some());
}

fn goc() -> Block {
    Block::Goc(GocConfig { mode: 0, gamma_y: [7; 34] })
}

#[test]
fn fixed_format_masks_and_goc_erratum() {
    let mut buf = vec![0xAAu8; 4000];
    let mut w = ParamsWriter::new(&mut buf, ParamFormat::Fixed, 0).unwrap();
    w.write(&Block::AwbGain(AwbGainConfig { gains: [0x1F0, 0x100, 0x100, 0x150] }), true).unwrap();
    w.write(&goc(), true).unwrap();
    w.disable(ExtBlockType::Ctk).unwrap();
    assert_eq!(w.finish(), 3048);
    let (en_upd, ens, cfg) = (u32_at(&buf, 0), u32_at(&buf, 4), u32_at(&buf, 8));
    assert_eq!(cfg, module::AWB_GAIN | module::GOC);
    assert_eq!(en_upd, module::AWB_GAIN | module::GOC | module::CTK);
    assert_eq!(ens, module::AWB_GAIN | module::GOC);
    assert_eq!(u16_at(&buf, fixed::AWB_GAIN), 0x1F0);
    assert_eq!(u16_at(&buf, fixed::AWB_GAIN + 4), 0x150, "blue at offset 4");
    assert_eq!(u16_at(&buf, fixed::GOC + 4), 7);
    assert_eq!(buf[3048], 0xAA, "nothing written past the struct");
    assert!(ParamsWriter::new(&mut vec![0u8; 3047], ParamFormat::Fixed, 0).is_err());
}

#[test]
fn awb_shared_enable_conflict_is_refused() {
    let mut buf = vec![0u8; 3048];
    let mut w = ParamsWriter::new(&mut buf, ParamFormat::Fixed, 0).unwrap();
    w.write(&Block::AwbGain(AwbGainConfig::default()), true).unwrap();
    assert_eq!(w.disable(ExtBlockType::AwbMeas), Err(ParamsError::ConflictingAwbEnable));
}

#[test]
fn extensible_format_blocks() {
    let mut buf = vec![0xAAu8; 200];
    let supported = (1 << ExtBlockType::Goc as u16) | (1 << ExtBlockType::Ctk as u16);
    let mut w = ParamsWriter::new(&mut buf, ParamFormat::Extensible, supported).unwrap();
    assert!(w.write(&goc(), true).unwrap());
    assert!(!w.write(&Block::Bls(BlsConfig::default()), true).unwrap(), "unsupported block skipped");
    assert!(w.disable(ExtBlockType::Ctk).unwrap());
    let used = w.finish();
    assert_eq!(used, 8 + 80 + 32);
    assert_eq!(u32_at(&buf, 0), 1, "version");
    assert_eq!(u32_at(&buf, 4) as usize, used - 8, "data_size");
    assert_eq!((u16_at(&buf, 8), u16_at(&buf, 10), u32_at(&buf, 12)), (7, EXT_FL_BLOCK_ENABLE, 80));
    assert_eq!(u16_at(&buf, 8 + 8 + 4), 7, "gamma_y[0] after the 4-byte mode");
    assert_eq!((u16_at(&buf, 88), u16_at(&buf, 90), u32_at(&buf, 92)), (6, EXT_FL_BLOCK_DISABLE, 32));
    assert_eq!(buf[used], 0xAA);
}

#[test]
fn extensible_format_is_bounded_by_the_mapped_buffer() {
    let mut buf = vec![0u8; 8 + 80 + 10];
    let mut w = ParamsWriter::new(&mut buf, ParamFormat::Extensible, u64::MAX).unwrap();
    w.write(&goc(), true).unwrap();
    let e = w.write(&Block::Ctk(CtkConfig::default()), true).unwrap_err();
    assert_eq!(e, ParamsError::BufferFull { block: ExtBlockType::Ctk, need: 32, left: 10 });
    assert_eq!(w.finish(), 88);
}

#[test]
fn block_encode_decode_round_trip() {
    let blocks = [
        Block::Bls(BlsConfig { fixed: [256, 257, -3, 4095] }),
        Block::AwbGain(AwbGainConfig { gains: [1, 2, 3, 4] }),
        Block::Ctk(CtkConfig { coeff: [1, 2, 3, 4, 5, 6, 7, 8, 9], offset: [10, 11, 0xFFF] }),
        goc(),
        Block::AwbMeas(AwbMeasConfig {
            window: Window { h_offs: 1, v_offs: 2, h_size: 3, v_size: 4 },
            mode: 2,
            max_y: 5,
            min_y: 6,
            max_csum: 7,
            min_c: 8,
            frames: 1,
            ref_cr: 9,
            ref_cb: 10,
            enable_ymax_cmp: true,
        }),
        Block::Hst(HstConfig { mode: 1, predivider: 25, window: Window { h_offs: 0, v_offs: 0, h_size: 4208, v_size: 3120 }, weights: [3; 81] }),
        Block::Aec(AecConfig { mode: 1, autostop: 0, window: Window { h_offs: 5, v_offs: 6, h_size: 7, v_size: 8 } }),
    ];
    for b in blocks {
        let mut bytes = vec![0u8; b.config_size()];
        b.encode(&mut bytes);
        assert_eq!(Block::decode(b.ext_type(), &bytes), Some(b));
    }
}
