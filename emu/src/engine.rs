//! The frame clock of a streaming ISP, on its own thread. Each frame of the sensor mode's
//! timing (pixel rate, line length, frame length = height + VBLANK in effect, divided by
//! `RKISP1_EMU_SPEED`) has:
//! * a frame start (V_START): the sequence advances, FRAME_SYNC is queued on the ISP
//!   subdevice, and control writes from then on count from this frame for their delays;
//! * a frame end (after the readout): the first queued capture buffer of each streaming
//!   path and the first queued stats buffer are taken, the frame is rendered with the
//!   sensor values and ISP registers in effect for it, the stats complete with the frame's
//!   sequence, and the first queued params buffer is programmed for the next frame and
//!   completes with sequence + 1 (kernel-rkisp1.md §2.6). With nothing queued the frame's
//!   output or statistics are lost, as on the hardware.
//!
//! Rendering runs outside the lock, on buffers taken from their queues.

use crate::device::{Emu, Shared};
use crate::formats::{self, YcbcrCoding};
use crate::graph::{Path, Role};
use crate::render::{self, Geometry, Light};
use crate::sys::mem::SharedMem;
use crate::uapi::errno::*;
use rand::{rngs::StdRng, SeedableRng};
use rkisp1_ipa::abi::{HwRevision, ParamFormat};
use rkisp1_sim::isp::IspState;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub fn monotonic_ns() -> u64 {
    crate::sys::time::monotonic_ns()
}

/// Capture STREAMON (validates and starts the ISP on the first path), or the stats and
/// params queues' STREAMON.
pub fn streamon(emu: &mut Emu, fh: u64, media: usize, role: Role) -> Result<(), i32> {
    let m = &mut emu.medias[media];
    match role {
        Role::Capture(p) => {
            let q = &mut m.capture[p.index()].queue;
            q.check_owner(fh)?;
            if q.streaming {
                return Ok(());
            }
            if q.bufs.is_empty() {
                return Err(EINVAL);
            }
            if let Err((e, why)) = crate::ioctl::validate_pipeline(m, p) {
                log::error!("STREAMON on rkisp1_{} of media{media}: {why}: errno {e} ({})", p.name(), if e == EPIPE { "EPIPE" } else { "ENOLINK" });
                return Err(e);
            }
            m.capture[p.index()].queue.streamon(fh)?;
            maybe_start(emu, media);
            report_stream(emu, media, p);
            Ok(())
        }
        Role::Stats => m.stats.streamon(fh),
        _ => m.params.queue.streamon(fh),
    }
}

pub fn streamoff(emu: &mut Emu, fh: u64, media: usize, role: Role) -> Result<(), i32> {
    let m = &mut emu.medias[media];
    let q = crate::ioctl::queue_of(m, role);
    q.check_owner(fh)?;
    let was = q.streaming;
    q.cancel();
    if let Role::Capture(_) = role {
        if was && m.streaming_paths().next().is_none() {
            stop(emu, media);
        }
    }
    Ok(())
}

/// Capture buffers a streaming path must have queued before videobuf2 calls the driver's
/// start_streaming, which starts the ISP and programs the first queued params buffer for
/// frame 0 (rkisp1-capture's `min_queued_buffers`: 3 up to Linux 6.12, 1 from 6.13).
/// libcamera queues each request's params before its image buffers, so its params for
/// frame N are the ones frame N gets.
pub const CAPTURE_MIN_QUEUED: usize = 3;

/// Start the ISP once a streaming capture path has enough buffers queued (at its STREAMON
/// or at the QBUF that completes the count), as videobuf2 defers start_streaming.
pub fn maybe_start(emu: &mut Emu, media: usize) {
    let m = &emu.medias[media];
    if m.engine.running {
        return;
    }
    if m.streaming_paths().any(|p| m.capture[p.index()].queue.queued.len() >= CAPTURE_MIN_QUEUED) {
        start(emu, media);
    }
}

fn start(emu: &mut Emu, media: usize) {
    let speed = emu.cfg.speed;
    let m = &mut emu.medias[media];
    let raw = m.raw_output();
    let e = &mut m.engine;
    e.running = true;
    e.generation += 1;
    e.sequence = -1;
    e.eof = None;
    e.isp = IspState::default();
    if !raw {
        // pre_configure: the driver's defaults, then the first queued params buffer.
        e.isp.apply_params(&crate::params::driver_defaults(), ParamFormat::Extensible, HwRevision::V10).expect("valid defaults");
        if m.params.queue.streaming {
            program_params(m, 0);
        }
    }
    m.sensor.stream_on();
    let (_, period) = m.sensor.timing(m.sensor.applied(0).vblank);
    m.engine.next_sof = Instant::now() + Duration::from_secs_f64(period / speed);
    log::info!(
        "media{media}: ISP started ({}x{} from {}, {})",
        m.sensor.current_mode().width,
        m.sensor.current_mode().height,
        m.graph.entities[m.entity(Role::Sensor)].name,
        if raw { "raw" } else { "processed" }
    );
}

pub fn stop(emu: &mut Emu, media: usize) {
    let m = &mut emu.medias[media];
    if !m.engine.running {
        return;
    }
    m.engine.running = false;
    m.engine.generation += 1;
    m.engine.eof = None;
    m.sensor.stream_off();
    log::info!("media{media}: ISP stopped after frame {}", m.engine.sequence);
}

/// Programs the first queued params buffer into the ISP and returns it with `sequence`.
fn program_params(m: &mut crate::device::Media, sequence: i64) -> Option<i64> {
    if !m.params.queue.streaming {
        return None;
    }
    let i = m.params.queue.take()?;
    let format = m.params.format;
    if let Some(p) = m.params.payloads.get_mut(i).and_then(|p| p.take()) {
        if let Err(e) = m.engine.isp.apply_params(&p, format, HwRevision::V10) {
            // Validated at QBUF, so this is an emulator fault, not the application's.
            log::error!("params buffer {i} failed to apply after validation: {e}");
        }
    }
    m.params.queue.complete(i, sequence as u32, monotonic_ns(), false);
    Some(sequence)
}

fn geometry(m: &crate::device::Media, p: Path) -> Geometry {
    let isp = m.isp_pads();
    let rsz = &m.pads[m.entity(Role::Resizer(p))];
    let s = m.sensor.format();
    let c = &m.capture[p.index()].fmt;
    Geometry { sensor: (s.width, s.height), isp_in: isp[0].crop.into(), isp_out: isp[2].crop.into(), rsz_crop: rsz[0].crop.into(), out: (c.width, c.height) }
}

fn coding(m: &crate::device::Media) -> YcbcrCoding {
    let f = m.isp_pads()[2].fmt;
    YcbcrCoding::new(f.ycbcr_enc, f.quantization)
}

fn report_stream(emu: &mut Emu, media: usize, p: Path) {
    let m = &emu.medias[media];
    let c = &m.capture[p.index()].fmt;
    let line = serde_json::json!({
        "event": "stream",
        "media": media,
        "camera": m.graph.entities[m.entity(Role::Sensor)].name,
        "kernel": m.kernel.name(),
        "path": p.name(),
        "fourcc": crate::uapi::fourcc_str(c.pixelformat),
        "width": c.width,
        "height": c.height,
        "geometry": geometry(m, p),
        "coding": coding(m),
        "scene": emu.cfg.scene.name,
        "illuminant": emu.cfg.illuminant,
    });
    if let Some(r) = &mut emu.report {
        r.line(&line);
    }
}

struct Target {
    path: Path,
    index: usize,
    epochs: (u64, u64),
    planes: Vec<SharedMem>,
    fmt: &'static formats::PixFmt,
    geo: Geometry,
}

struct Job {
    media: usize,
    generation: u64,
    frame: i64,
    model: rkisp1_sim::sensor::SensorModel,
    light: Arc<Light>,
    scene: Arc<Vec<[f32; 3]>>,
    scene_size: (usize, usize),
    exposure: f64,
    gain: f64,
    seed: Option<u64>,
    isp: IspState,
    window: (u32, u32),
    raw_code: Option<u32>,
    coding: YcbcrCoding,
    targets: Vec<Target>,
    stats: Option<(usize, (u64, u64), SharedMem)>,
    record: serde_json::Value,
}

/// The frame thread: runs frame starts and ends when due, sleeps otherwise.
pub fn run(shared: Arc<Shared>, scene: Arc<Vec<[f32; 3]>>, lights: Vec<Arc<Light>>) {
    let mut emu = shared.emu.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let now = Instant::now();
        let mut wake: Option<Instant> = None;
        let mut job = None;
        for (media, light) in lights.iter().enumerate().take(emu.medias.len()) {
            let m = &emu.medias[media];
            if !m.engine.running {
                continue;
            }
            if let Some((frame, t)) = m.engine.eof {
                if t <= now {
                    job = Some(frame_end(&mut emu, media, frame, &scene, light));
                    break;
                }
                wake = Some(wake.map_or(t, |w| w.min(t)));
            }
            let m = &emu.medias[media];
            if m.engine.eof.is_none() {
                if m.engine.next_sof <= now {
                    frame_start(&mut emu, media, now);
                    shared.cond.notify_all();
                    wake = Some(now);
                } else {
                    wake = Some(wake.map_or(m.engine.next_sof, |w| w.min(m.engine.next_sof)));
                }
            }
        }
        if let Some(job) = job {
            emu.medias[job.media].engine.rendering = true;
            drop(emu);
            let done = render_job(job);
            emu = shared.emu.lock().unwrap_or_else(|p| p.into_inner());
            finish(&mut emu, done);
            shared.cond.notify_all();
            continue;
        }
        let timeout = wake.map(|w| w.saturating_duration_since(now)).unwrap_or(Duration::from_secs(1));
        if timeout.is_zero() {
            continue;
        }
        emu = shared.cond.wait_timeout(emu, timeout).unwrap_or_else(|p| p.into_inner()).0;
    }
}

fn frame_start(emu: &mut Emu, media: usize, now: Instant) {
    let speed = emu.cfg.speed;
    let drop = emu.cfg.faults.drop.contains(&(emu.medias[media].engine.sequence + 1));
    let m = &mut emu.medias[media];
    m.engine.sequence += 1;
    if drop {
        // Fault injected: the frame is lost before the ISP sees it (no frame start, no
        // buffer); the next one carries the following sequence number.
        log::warn!("fault injected: media{media} frame {} dropped (sequence gap)", m.engine.sequence);
        m.engine.sequence += 1;
    }
    let seq = m.engine.sequence;
    m.sensor.frame_start(seq);
    let a = m.sensor.applied(seq);
    let (line, period) = m.sensor.timing(a.vblank);
    let readout = line * m.sensor.current_mode().height as f64;
    m.engine.eof = Some((seq, now + Duration::from_secs_f64(readout / speed)));
    // The next frame follows this one's period, later if rendering made us late.
    let next = m.engine.next_sof + Duration::from_secs_f64(period / speed);
    m.engine.next_sof = next.max(now + Duration::from_secs_f64(period / speed * 0.5));
    emu.frame_sync(media, seq as u32);
    emu.refresh();
}

fn frame_end(emu: &mut Emu, media: usize, frame: i64, scene: &Arc<Vec<[f32; 3]>>, light: &Arc<Light>) -> Job {
    let (w, h) = (emu.cfg.scene.width, emu.cfg.scene.height);
    let brightness = emu.cfg.brightness;
    let noise = emu.cfg.noise;
    let m = &mut emu.medias[media];
    m.engine.eof = None;
    let a = m.sensor.applied(frame);
    let (line, _) = m.sensor.timing(a.vblank);
    let exposure_s = a.exposure as f64 * line;
    let gain = m.sensor.model.gain(a.gain_code);
    let raw = m.raw_output();
    let isp_code = m.isp_pads()[2].fmt.code;
    let mut targets = vec![];
    let mut dropped = vec![];
    for p in [Path::Main, Path::SelfPath] {
        if !m.capture[p.index()].queue.streaming {
            continue;
        }
        let geo = geometry(m, p);
        let fmt = formats::pix_fmt(p, m.capture[p.index()].fmt.pixelformat).expect("validated format");
        let q = &mut m.capture[p.index()].queue;
        match q.take() {
            Some(i) => {
                let planes: Option<Vec<SharedMem>> = q.bufs[i].planes.iter_mut().map(|pl| pl.mem.take()).collect();
                match planes {
                    Some(planes) => targets.push(Target { path: p, index: i, epochs: (q.alloc_epoch, q.epoch), planes, fmt, geo }),
                    None => log::error!("media{media}: {} buffer {i} has no memory; skipped", p.name()),
                }
            }
            None => dropped.push(p.name()),
        }
    }
    let stats = if m.stats.streaming && !raw {
        let epochs = (m.stats.alloc_epoch, m.stats.epoch);
        m.stats.take().and_then(|i| m.stats.bufs[i].planes[0].mem.take().map(|mem| (i, epochs, mem)))
    } else {
        None
    };
    let isp = if raw { IspState::default() } else { m.engine.isp.clone() };
    let window = (m.isp_pads()[0].crop.width, m.isp_pads()[0].crop.height);
    let params_seq = if raw { None } else { program_params(m, frame + 1) };
    if !dropped.is_empty() {
        log::debug!("media{media} frame {frame}: no buffer queued on {}: frame lost there", dropped.join(", "));
    }
    let record = serde_json::json!({
        "event": "frame",
        "media": media,
        "sequence": frame,
        "exposure_lines": a.exposure,
        "gain_code": a.gain_code,
        "vblank": a.vblank,
        "exposure_us": exposure_s * 1e6,
        "gain": gain,
        "params_programmed": params_seq.is_some(),
        "lost": dropped,
    });
    Job {
        media,
        generation: m.engine.generation,
        frame,
        model: m.sensor.model.clone(),
        light: light.clone(),
        scene: scene.clone(),
        scene_size: (w, h),
        exposure: brightness * exposure_s * 1e6 / 10_000.0,
        gain,
        seed: noise.then_some(0x5eed_0000 ^ ((media as u64) << 40) ^ frame as u64),
        isp,
        window,
        raw_code: raw.then_some(isp_code),
        coding: coding(m),
        targets,
        stats,
        record,
    }
}

struct Done {
    job: Job,
    stats_valid: bool,
    render_ms: f64,
}

fn render_job(mut job: Job) -> Done {
    let t0 = Instant::now();
    let (w, h) = job.scene_size;
    let mut rng = job.seed.map(StdRng::seed_from_u64);
    let raw = render::raw_frame(&job.scene, &job.model, &job.light, job.exposure, job.gain, rng.as_mut());
    let t_raw = t0.elapsed();
    let mut t_isp = t_raw;
    let mut stats_valid = false;
    if let Some(code) = job.raw_code {
        for t in &mut job.targets {
            if let formats::Layout::Bayer { bits } = t.fmt.layout {
                render::write_raw(&raw, w, h, &t.geo, code, bits, t.planes[0].bytes_mut());
            }
        }
    } else {
        let out = job.isp.process(&raw, w, h, job.window, HwRevision::V10);
        t_isp = t0.elapsed();
        if let Some((_, _, mem)) = &mut job.stats {
            let meas = u32::from_le_bytes(out.stats[0..4].try_into().unwrap());
            if meas != 0 {
                render::write_stats(mem.bytes_mut(), &out.stats);
                stats_valid = true;
            }
        }
        for t in &mut job.targets {
            let mut planes: Vec<&mut [u8]> = t.planes.iter_mut().map(|p| p.bytes_mut()).collect();
            render::write_image(&out.image, w, h, &t.geo, t.fmt, job.coding, &mut planes);
        }
    }
    let ms = |d: Duration| (d.as_secs_f64() * 1e4).round() / 10.0;
    if let serde_json::Value::Object(o) = &mut job.record {
        o.insert("sensor_ms".into(), serde_json::json!(ms(t_raw)));
        o.insert("isp_ms".into(), serde_json::json!(ms(t_isp - t_raw)));
    }
    Done { job, stats_valid, render_ms: t0.elapsed().as_secs_f64() * 1e3 }
}

fn finish(emu: &mut Emu, done: Done) {
    let Done { mut job, stats_valid, render_ms } = done;
    let ts = monotonic_ns();
    let stats_error = emu.cfg.faults.stats_error.contains(&job.frame);
    let m = &mut emu.medias[job.media];
    m.engine.rendering = false;
    let current = m.engine.generation == job.generation;
    let mut completed = vec![];
    for t in job.targets.drain(..) {
        let q = &mut m.capture[t.path.index()].queue;
        if q.alloc_epoch != t.epochs.0 {
            continue;
        }
        let same_stream = q.epoch == t.epochs.1;
        let Some(b) = q.bufs.get_mut(t.index) else { continue };
        let sizes: Vec<u32> = b.planes.iter().map(|p| p.length).collect();
        for (pl, mem) in b.planes.iter_mut().zip(t.planes) {
            pl.mem = Some(mem);
        }
        if current && same_stream && b.state == crate::queue::State::Queued {
            for (pl, s) in b.planes.iter_mut().zip(&sizes) {
                pl.bytesused = *s;
            }
            q.complete(t.index, job.frame as u32, ts, false);
            completed.push(t.path.name());
        }
    }
    let mut stats_done = false;
    if let Some((i, epochs, mem)) = job.stats.take() {
        let same_stream = m.stats.epoch == epochs.1;
        if let Some(b) = m.stats.bufs.get_mut(i).filter(|_| m.stats.alloc_epoch == epochs.0) {
            b.planes[0].mem = Some(mem);
            if current && same_stream && b.state == crate::queue::State::Queued {
                if stats_valid {
                    b.planes[0].bytesused = rkisp1_ipa::abi::layout::stat::SIZE as u32;
                    if stats_error {
                        log::warn!("fault injected: media{} frame {} stats buffer {i} returned with V4L2_BUF_FLAG_ERROR", job.media, job.frame);
                    }
                    m.stats.complete(i, job.frame as u32, ts, stats_error);
                    stats_done = !stats_error;
                } else {
                    // No measurement finished: the buffer stays first in line.
                    m.stats.queued.push_front(i);
                }
            }
        }
    }
    if let serde_json::Value::Object(o) = &mut job.record {
        o.insert("completed".into(), serde_json::json!(completed));
        o.insert("stats".into(), serde_json::json!(stats_done));
        o.insert("render_ms".into(), serde_json::json!((render_ms * 10.0).round() / 10.0));
    }
    if let Some(r) = &mut emu.report {
        r.line(&job.record);
    }
    emu.refresh();
}
