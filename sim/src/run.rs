//! The closed loop: scene → sensor → ISP model → statistics → IPA → params and sensor
//! controls, with libcamera's request pipelining and the sensor's control delays.
//!
//! Timing model (per frame n):
//! * the params of frame n were computed when request n was queued: at start for the
//!   first four requests, afterwards right after the statistics of frame n−4 (four
//!   requests in flight, as the rkisp1 pipeline handler allows);
//! * the statistics of frame n reach the IPA after frame n ends (one frame of latency);
//!   the sensor controls it returns are written like libcamera's DelayedControls does
//!   (exposure at the next frame start, gain one frame later) so that both take effect
//!   together on frame n + 1 + max(delay) = n + 3 with delays exposure 2 / gain 1.

use crate::isp::{IspState, Quad};
use crate::scene::Scene;
use crate::sensor::{Mode, SensorModel, WhitePoint};
use anyhow::{anyhow, bail, Result};
use rand::{rngs::StdRng, Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use rkisp1_ipa::abi::{HwRevision, ParamFormat};
use rkisp1_ipa::controls::RequestControls;
use rkisp1_ipa::sensor::{Range, SensorControls, SensorInfo};
use rkisp1_ipa::{InitInfo, Ipa, SensorSettings};

/// A change of the scene at a given frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// Multiply the scene brightness.
    Brightness(f64),
    /// Switch the light: a name or a colour temperature such as "4700K" (see
    /// [`SensorModel::white_point`]).
    Illuminant(String),
    /// Replace the scene's pixels, e.g. a coloured surface entering or leaving the frame.
    /// Its neutral patches must be those of the run's scene so that the figures continue.
    Scene(Scene),
}

#[derive(Debug, Clone)]
pub struct RunConfig {
    pub sensor: SensorModel,
    pub mode: usize,
    pub scene: Scene,
    /// A name or a colour temperature on the sensor's locus, e.g. "4700K".
    pub illuminant: String,
    /// 1.0: a white reflector reaches full scale at 10 ms and unity gain.
    pub brightness: f64,
    pub frames: usize,
    pub format: ParamFormat,
    pub hw: HwRevision,
    pub tuning_file: String,
    pub tuning_text: String,
    pub events: Vec<(usize, Event)>,
    pub controls: Vec<(usize, RequestControls)>,
    pub seed: u64,
    /// Shot and read noise and the quantisation dither; off makes the raw frame the exact
    /// rounded signal (defect pixels stay).
    pub noise: bool,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FrameRecord {
    pub frame: usize,
    pub exposure_us: f64,
    pub gain: f64,
    /// Frame duration the IPA reports for this frame (FrameDuration metadata), if any.
    pub frame_duration_us: Option<f64>,
    pub colour_gains: [f64; 2],
    pub colour_temperature: f64,
    /// Lux reported by the IPA (when the tuning has a Lux reference).
    pub lux: Option<f64>,
    /// Black level the IPA subtracts (SensorBlackLevels metadata, mean of the four, at 10
    /// bits), if reported.
    pub black_level_10bit: Option<f64>,
    /// Mean linear luminance of the ISP output (0..1), before gamma.
    pub mean_luminance: f64,
    /// Largest and mean angle (degrees) between a neutral patch and the grey axis.
    pub neutral_max_deg: f64,
    pub neutral_mean_deg: f64,
    /// Angle per neutral patch, white to black.
    pub neutral_deg: Vec<f64>,
    /// Mean linear RGB per neutral patch, white to black.
    pub neutral_rgb: Vec<[f64; 3]>,
    /// The same, measured on the same frame rendered without sensor noise (through the same
    /// ISP settings): what the pipeline makes of each grey, free of the noise of a small
    /// patch in one frame. Per-frame convergence figures use it; with noise off it equals
    /// `neutral_rgb`.
    pub neutral_rgb_noiseless: Vec<[f64; 3]>,
    /// Noise per neutral patch: standard deviation of the pixels' linear luminance over
    /// its mean (what denoising lowers).
    pub neutral_noise: Vec<f64>,
    /// Mean linear luminance of the scene's subject region, if any.
    pub subject_luminance: Option<f64>,
    /// Flat-field vignetting: over an 8 × 8 grid of cells, the largest deviation of a cell's
    /// mean luminance from the centre's. Meaningful on a flat scene.
    pub flat_residual: f64,
    /// Flat-field colour shading: the largest deviation of a cell's R/G or B/G from the
    /// centre's (after the colour matrix, which amplifies per-channel errors).
    pub flat_colour_residual: f64,
    /// Fraction of pixels outside the scene's highlight region that clip.
    pub clipped_outside_highlight: f64,
    pub params_bytes: usize,
}

pub struct RunResult {
    pub records: Vec<FrameRecord>,
    /// What the bare hardware shows: ISP with reset state, initial exposure.
    pub bare_image: Vec<[u8; 3]>,
    pub first_image: Vec<[u8; 3]>,
    pub final_image: Vec<[u8; 3]>,
    pub rejected_params: usize,
    pub width: usize,
    pub height: usize,
    /// Statistics buffers ('RK1S' bytes) of the last frames, with the sensor values that
    /// applied to them: realistic input for the benchmark.
    pub last_stats: Vec<(Vec<u8>, SensorSettings)>,
}

/// How many statistics buffers a run keeps.
pub const KEPT_STATS: usize = 8;

pub fn sensor_info(s: &SensorModel, m: &Mode) -> (SensorInfo, SensorControls) {
    let info =
        SensorInfo { model: s.name.into(), bits_per_sample: 10, width: m.width, height: m.height, pixel_rate: m.pixel_rate, line_length: m.width + m.hblank };
    let fl = m.height + m.vblank_min;
    let controls = SensorControls {
        exposure: Range::new(s.exposure_min, (fl - s.exposure_margin) as i64, (fl - s.exposure_margin) as i64),
        analogue_gain: Range::new(s.gain_code.0, s.gain_code.1, s.gain_code.2),
        vblank: Range::new(m.vblank_min as i64, m.vblank_max as i64, m.vblank_min as i64),
    };
    (info, controls)
}

/// Sensor state that applies to a frame.
#[derive(Debug, Clone, Copy)]
struct Applied {
    lines: u32,
    code: i64,
    vblank: u32,
}

pub fn run(cfg: &RunConfig, mut progress: impl FnMut(usize)) -> Result<RunResult> {
    let s = &cfg.sensor;
    let mode = s.modes.get(cfg.mode).ok_or_else(|| anyhow!("sensor {} has no mode {}", s.name, cfg.mode))?;
    let (info, controls) = sensor_info(s, mode);
    let init = InitInfo { hw_revision: 10, hw: cfg.hw, supported_blocks: 0xFFFFF, sensor: info.clone(), sensor_controls: controls };
    let mut ipa = Ipa::init(init, &cfg.tuning_file, &cfg.tuning_text)?;
    ipa.configure(info, controls, cfg.format)?;
    ipa.start();

    let (w, h) = (cfg.scene.width, cfg.scene.height);
    s.white_point(&cfg.illuminant)?;
    for (f, e) in &cfg.events {
        match e {
            Event::Illuminant(i) => {
                s.white_point(i)?;
            }
            Event::Scene(sc) if (sc.width, sc.height) != (w, h) || sc.neutral_patches != cfg.scene.neutral_patches => {
                bail!("the scene of the event at frame {f} differs in size or neutral patches from the run's scene");
            }
            _ => {}
        }
    }
    let line_us = s.line_us(mode);
    let max_delay = s.delays.0.max(s.delays.1) as usize;
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut isp = IspState::default();
    let mut params: Vec<Option<(Vec<u8>, usize)>> = vec![None; cfg.frames + 8];
    let buf_len = match cfg.format {
        ParamFormat::Fixed => 3048,
        ParamFormat::Extensible => 4512,
    };
    let queue = |ipa: &mut Ipa, n: usize, params: &mut Vec<Option<(Vec<u8>, usize)>>| {
        let c = cfg.controls.iter().find(|(f, _)| *f == n).map(|(_, c)| *c).unwrap_or_default();
        ipa.queue_request(n as u32, &c);
        let mut buf = vec![0u8; buf_len];
        let used = ipa.compute_params(n as u32, &mut buf);
        params[n] = Some((buf, used));
    };
    for n in 0..4.min(cfg.frames) {
        queue(&mut ipa, n, &mut params);
    }
    // The sensor starts in its driver defaults: exposure default, unity gain.
    let mut pending: Vec<(usize, Applied)> =
        vec![(0, Applied { lines: controls.exposure.def as u32, code: controls.analogue_gain.def, vblank: mode.vblank_min })];
    let mut brightness = cfg.brightness;
    let mut illuminant = cfg.illuminant.clone();
    let mut scene = &cfg.scene;
    let mut records = Vec::with_capacity(cfg.frames);
    let mut bare_image = Vec::new();
    let mut first_image = Vec::new();
    let mut final_image = Vec::new();
    let mut raw = vec![[0u16; 4]; w * h];
    let mut raw_noiseless = if cfg.noise { vec![[0u16; 4]; w * h] } else { Vec::new() };
    let mut last_stats = Vec::with_capacity(KEPT_STATS);
    // Lens shading per pixel under the light in use, recomputed when the white point
    // changes (a colour temperature and a named light can share a white point).
    let mut shading: Option<(WhitePoint, Option<Vec<[f64; 4]>>)> = None;
    for n in 0..cfg.frames {
        for (f, e) in &cfg.events {
            if *f == n {
                match e {
                    Event::Brightness(k) => brightness *= k,
                    Event::Illuminant(i) => illuminant = i.clone(),
                    Event::Scene(sc) => scene = sc,
                }
            }
        }
        let wp = s.white_point(&illuminant)?;
        let applied = pending.iter().rev().find(|(f, _)| *f <= n).map(|(_, a)| *a).unwrap();
        let exposure_us = applied.lines as f64 * line_us;
        let gain = s.gain(applied.code);
        if shading.as_ref().is_none_or(|(cached, _)| *cached != wp) {
            let map = s.shading(&wp).map(|sh| (0..w * h).map(|i| sh.at(((i % w) as f64 + 0.5) / w as f64, ((i / w) as f64 + 0.5) / h as f64)).collect());
            shading = Some((wp, map));
        }
        let shading_map = shading.as_ref().and_then(|(_, m)| m.as_deref());
        let noise = cfg.noise.then_some(&mut rng);
        render_raw(&scene.pixels, s, &wp, shading_map, brightness * exposure_us / 10_000.0, gain, noise, &mut raw);
        if n == 0 {
            bare_image = IspState::default().process(&raw, w, h, (mode.width, mode.height), cfg.hw).image;
        }
        if let Some((buf, used)) = params[n].take() {
            if let Err(e) = isp.apply_params(&buf[..used], cfg.format, cfg.hw) {
                log::error!("frame {n}: the kernel would reject the params buffer: {e}");
            }
        }
        let out = isp.process(&raw, w, h, (mode.width, mode.height), cfg.hw);
        // The neutral patches are small: one frame's noise moves a dark patch's colour by
        // degrees. The per-frame convergence figures measure the same frame without noise.
        let noiseless = cfg.noise.then(|| {
            render_raw(&scene.pixels, s, &wp, shading_map, brightness * exposure_us / 10_000.0, gain, None, &mut raw_noiseless);
            isp.process(&raw_noiseless, w, h, (mode.width, mode.height), cfg.hw).linear
        });
        let applied_controls = SensorSettings { exposure_lines: applied.lines, gain_code: applied.code, vblank: applied.vblank };
        let (md, cmd) = ipa.process_stats(n as u32, Some(&out.stats), applied_controls);
        if n + KEPT_STATS >= cfg.frames {
            last_stats.push((out.stats.to_vec(), applied_controls));
        }
        if let Some(c) = cmd {
            let a = Applied { lines: c.exposure_lines, code: c.gain_code, vblank: c.vblank };
            pending.push((n + 1 + max_delay, a));
        }
        if n + 4 < cfg.frames {
            queue(&mut ipa, n + 4, &mut params);
        }
        records.push(measure(n, scene, &out.linear, noiseless.as_deref(), exposure_us, gain, &md));
        if n == 0 {
            first_image = out.image.clone();
        }
        if n + 1 == cfg.frames {
            final_image = out.image;
        }
        progress(n);
    }
    ipa.stop();
    Ok(RunResult { records, bare_image, first_image, final_image, rejected_params: isp.rejected, width: w, height: h, last_stats })
}

/// One raw sample in `DEFECT_PERIOD / 2` is a stuck (hot or dead) pixel.
pub const DEFECT_PERIOD: u64 = 3000;

/// The raw frame of `pixels`; `noise` is the generator for shot/read noise and dither, or
/// `None` for a noiseless frame.
#[allow(clippy::too_many_arguments)]
fn render_raw(
    pixels: &[[f32; 3]],
    s: &SensorModel,
    wp: &WhitePoint,
    shading: Option<&[[f64; 4]]>,
    exposure: f64,
    gain: f64,
    mut noise: Option<&mut StdRng>,
    raw: &mut [Quad],
) {
    let x = s.crosstalk;
    let ill = [wp.r, 1.0, wp.b];
    let bl = s.black_level_10bit;
    let full = 1023.0 - bl;
    let normal = Normal::new(0.0, 1.0).unwrap();
    for (i, px) in pixels.iter().enumerate() {
        let p = [px[0] as f64, px[1] as f64, px[2] as f64];
        let cam = [0, 1, 2].map(|r| (x[(r, 0)] * p[0] + x[(r, 1)] * p[1] + x[(r, 2)] * p[2]).max(0.0) * ill[r]);
        let mut chans = [cam[0], cam[1], cam[1], cam[2]];
        if let Some(sh) = shading {
            for k in 0..4 {
                chans[k] *= sh[i][k];
            }
        }
        raw[i] = chans.map(|c| {
            let signal = c * exposure * gain * full;
            let noise = noise.as_deref_mut().map_or(0.0, |rng| {
                let shot = (signal * gain / s.electrons_per_dn).max(0.0).sqrt();
                let read = s.read_noise_dn * gain.sqrt();
                (shot * shot + read * read).sqrt() * normal.sample(rng) + rng.gen::<f64>() - 0.5
            });
            (bl + signal + noise).round().clamp(0.0, 1023.0) as u16
        });
        // Fixed-pattern defects: about 1 sample in 1500 stuck high or low, at positions
        // that do not change from frame to frame.
        for (k, sample) in raw[i].iter_mut().enumerate() {
            let hash = ((i as u64 * 4 + k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % DEFECT_PERIOD;
            if hash == 0 {
                *sample = 1023;
            } else if hash == 1 {
                *sample = 0;
            }
        }
    }
}

/// The frame's figures from its linear output `lin` (and, for the neutral patches, the same
/// frame rendered without noise, when the run has noise).
fn measure(
    n: usize,
    scene: &Scene,
    lin: &[[f32; 3]],
    noiseless: Option<&[[f32; 3]]>,
    exposure_us: f64,
    gain: f64,
    md: &rkisp1_ipa::controls::Metadata,
) -> FrameRecord {
    let w = scene.width;
    let luma = |p: &[f32; 3]| 0.2126 * p[0] as f64 + 0.7152 * p[1] as f64 + 0.0722 * p[2] as f64;
    let mean_luminance = lin.iter().map(luma).sum::<f64>() / lin.len() as f64;
    let region_mean_of = |lin: &[[f32; 3]], r: &crate::scene::Rect| {
        let mut s = [0f64; 3];
        let mut c = 0.0;
        for y in r.y..r.y + r.h {
            for x in r.x..r.x + r.w {
                let p = lin[y * w + x];
                for k in 0..3 {
                    s[k] += p[k] as f64;
                }
                c += 1.0;
            }
        }
        s.map(|v| v / c)
    };
    let region_mean = |r: &crate::scene::Rect| region_mean_of(lin, r);
    let flat = flat_residual(lin, w, lin.len() / w);
    let neutral_rgb: Vec<[f64; 3]> = scene.neutral_patches.iter().map(&region_mean).collect();
    let neutral_rgb_noiseless = match noiseless {
        Some(clean) => scene.neutral_patches.iter().map(|r| region_mean_of(clean, r)).collect(),
        None => neutral_rgb.clone(),
    };
    let neutral_noise: Vec<f64> = scene
        .neutral_patches
        .iter()
        .map(|r| {
            let ys: Vec<f64> = (r.y..r.y + r.h).flat_map(|y| (r.x..r.x + r.w).map(move |x| (x, y))).map(|(x, y)| luma(&lin[y * w + x])).collect();
            let m = ys.iter().sum::<f64>() / ys.len().max(1) as f64;
            let var = ys.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / ys.len().max(1) as f64;
            if m > 0.0 {
                var.sqrt() / m
            } else {
                0.0
            }
        })
        .collect();
    let angles: Vec<f64> = neutral_rgb.iter().map(|m| grey_angle_deg(*m)).collect();
    let neutral_max_deg = angles.iter().cloned().fold(0.0, f64::max);
    let neutral_mean_deg = if angles.is_empty() { 0.0 } else { angles.iter().sum::<f64>() / angles.len() as f64 };
    let subject_luminance = scene.subject.as_ref().map(|r| {
        let m = region_mean(r);
        0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]
    });
    let mut clipped = 0usize;
    let mut total = 0usize;
    for (i, p) in lin.iter().enumerate() {
        let (x, y) = (i % w, i / w);
        if scene.highlight.map(|r| r.contains(x, y)).unwrap_or(false) {
            continue;
        }
        total += 1;
        if p.iter().any(|v| *v >= 0.999) {
            clipped += 1;
        }
    }
    FrameRecord {
        frame: n,
        exposure_us,
        gain,
        frame_duration_us: md.frame_duration.map(|d| d as f64),
        colour_gains: md.colour_gains.map(|g| [g[0] as f64, g[1] as f64]).unwrap_or([1.0, 1.0]),
        colour_temperature: md.colour_temperature.unwrap_or(0) as f64,
        lux: md.lux.map(f64::from),
        // libcamera's scale is 16 bits.
        black_level_10bit: md.sensor_black_levels.map(|l| l.iter().map(|v| *v as f64).sum::<f64>() / 4.0 / 64.0),
        mean_luminance,
        neutral_max_deg,
        neutral_mean_deg,
        neutral_deg: angles,
        neutral_rgb,
        neutral_rgb_noiseless,
        neutral_noise,
        flat_residual: flat.0,
        flat_colour_residual: flat.1,
        subject_luminance,
        clipped_outside_highlight: clipped as f64 / total.max(1) as f64,
        params_bytes: 0,
    }
}

fn flat_residual(lin: &[[f32; 3]], w: usize, h: usize) -> (f64, f64) {
    const N: usize = 8;
    let mut cells = [[[0f64; 3]; N]; N];
    let mut counts = [[0f64; N]; N];
    for (i, p) in lin.iter().enumerate() {
        let (cx, cy) = ((i % w) * N / w, (i / w) * N / h);
        for k in 0..3 {
            cells[cy][cx][k] += p[k] as f64;
        }
        counts[cy][cx] += 1.0;
    }
    let mean = |x: usize, y: usize| cells[y][x].map(|v| v / counts[y][x].max(1.0));
    let luma = |m: [f64; 3]| 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2];
    let centre = {
        let c = [mean(3, 3), mean(4, 3), mean(3, 4), mean(4, 4)];
        [0, 1, 2].map(|k| c.iter().map(|m| m[k]).sum::<f64>() / 4.0)
    };
    if luma(centre) <= 0.0 || centre[1] <= 0.0 {
        return (0.0, 0.0);
    }
    let (mut lum, mut col): (f64, f64) = (0.0, 0.0);
    for y in 0..N {
        for x in 0..N {
            let m = mean(x, y);
            lum = lum.max((luma(m) / luma(centre) - 1.0).abs());
            if m[1] > 0.0 {
                for k in [0, 2] {
                    col = col.max(((m[k] / m[1]) / (centre[k] / centre[1]) - 1.0).abs());
                }
            }
        }
    }
    (lum, col)
}

/// Angle between an RGB vector and the grey axis, in degrees.
pub fn grey_angle_deg(v: [f64; 3]) -> f64 {
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    if n <= 0.0 {
        return 0.0;
    }
    let c = (v[0] + v[1] + v[2]) / (n * 3f64.sqrt());
    c.clamp(-1.0, 1.0).acos().to_degrees()
}
