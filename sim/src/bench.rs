//! Per-frame cost of the IPA's real-time path (`compute_params` + `process_stats`), fed with
//! statistics buffers from a converged closed-loop run. Only the IPA calls are timed.

use crate::run::{run, sensor_info, RunConfig};
use anyhow::{anyhow, Result};
use rkisp1_ipa::abi::ParamFormat;
use rkisp1_ipa::ipa::{InitInfo, Ipa};
use std::time::Instant;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Cost {
    pub frames: usize,
    /// Nanoseconds per frame.
    pub compute_params_mean_ns: f64,
    pub process_stats_mean_ns: f64,
    pub total_p50_ns: f64,
    pub total_p99_ns: f64,
    pub total_max_ns: f64,
}

/// Run `frames` frames of queue_request → compute_params → process_stats.
pub fn per_frame_cost(cfg: &RunConfig, frames: usize) -> Result<Cost> {
    let warm = run(&RunConfig { frames: 60, ..cfg.clone() }, |_| {})?;
    if warm.last_stats.is_empty() {
        return Err(anyhow!("the warm-up run kept no statistics"));
    }
    let s = &cfg.sensor;
    let mode = s.modes.get(cfg.mode).ok_or_else(|| anyhow!("sensor {} has no mode {}", s.name, cfg.mode))?;
    let (info, controls) = sensor_info(s, mode);
    let init = InitInfo { hw_revision: 10, hw: cfg.hw, supported_blocks: 0xFFFFF, sensor: info.clone(), sensor_controls: controls };
    let mut ipa = Ipa::init(init, &cfg.tuning_file, &cfg.tuning_text)?;
    ipa.configure(info, controls, cfg.format)?;
    ipa.start();
    let mut buf = vec![0u8; if cfg.format == ParamFormat::Fixed { 3048 } else { 4512 }];
    let controls = Default::default();
    let mut totals = Vec::with_capacity(frames);
    let (mut t_params, mut t_stats) = (0u128, 0u128);
    // Keep the pipeline's 4 requests in flight, as in the closed loop.
    for n in 0..4u32 {
        ipa.queue_request(n, &controls);
        ipa.compute_params(n, &mut buf);
    }
    for n in 0..frames as u32 {
        let (stats, applied) = &warm.last_stats[n as usize % warm.last_stats.len()];
        let t0 = Instant::now();
        let (md, _cmd) = ipa.process_stats(n, Some(stats), *applied);
        let t1 = Instant::now();
        ipa.queue_request(n + 4, &controls);
        let used = ipa.compute_params(n + 4, &mut buf);
        let t2 = Instant::now();
        std::hint::black_box((md, used));
        t_stats += (t1 - t0).as_nanos();
        t_params += (t2 - t1).as_nanos();
        totals.push((t2 - t0).as_nanos() as f64);
    }
    ipa.stop();
    totals.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| totals[((totals.len() - 1) as f64 * p).round() as usize];
    Ok(Cost {
        frames,
        compute_params_mean_ns: t_params as f64 / frames as f64,
        process_stats_mean_ns: t_stats as f64 / frames as f64,
        total_p50_ns: pct(0.5),
        total_p99_ns: pct(0.99),
        total_max_ns: pct(1.0),
    })
}
