//! Measures frames an application captured on the emulated phone (`cam --file=...#.bin`):
//! decodes them with the format and YCbCr coding the emulator's report gives, finds the
//! scene's grey patches through the stream's crops, and prints per frame the mean level
//! and the neutral error (largest angle between a grey patch and the grey axis, on RGB
//! linearised with the tuning's 2.2 gamma), then the same over the last frames. Writes
//! PNGs of the first and last frame. Exits 1 when a `--max-neutral-deg` or `--level`
//! check fails.
//!
//! Usage: rkisp1-emu-frames --report R.jsonl --media N [--last 5] [--png-dir DIR]
//!        [--max-neutral-deg D] [--level MIN:MAX] FILE...

use anyhow::{anyhow, bail, Context, Result};
use rkisp1_emu::formats::YcbcrCoding;
use rkisp1_emu::render::Geometry;
use std::path::{Path, PathBuf};

struct Stream {
    fourcc: String,
    width: usize,
    height: usize,
    geometry: Geometry,
    coding: YcbcrCoding,
    scene: String,
}

fn stream_of(report: &Path, media: usize) -> Result<Stream> {
    let text = std::fs::read_to_string(report).with_context(|| format!("reading {}", report.display()))?;
    let mut found = None;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if v["event"] == "stream" && v["media"] == media {
            found = Some(v);
        }
    }
    let v = found.ok_or_else(|| anyhow!("no stream of media{media} in {}", report.display()))?;
    Ok(Stream {
        fourcc: v["fourcc"].as_str().unwrap_or("").to_string(),
        width: v["width"].as_u64().unwrap_or(0) as usize,
        height: v["height"].as_u64().unwrap_or(0) as usize,
        geometry: serde_json::from_value(v["geometry"].clone())?,
        coding: serde_json::from_value(v["coding"].clone())?,
        scene: v["scene"].as_str().unwrap_or("chart").to_string(),
    })
}

/// 8-bit RGB (not clipped) of every pixel.
fn decode(s: &Stream, data: &[u8]) -> Result<Vec<[f32; 3]>> {
    let (w, h) = (s.width, s.height);
    let y_at = |x: usize, y: usize| data[y * w + x];
    let mut out = Vec::with_capacity(w * h);
    match s.fourcc.as_str() {
        "NV12" | "NV21" | "NV16" | "NV61" => {
            let vsub = if s.fourcc.starts_with("NV1") && s.fourcc.ends_with('2') || s.fourcc == "NV21" { 2 } else { 1 };
            let vu = s.fourcc == "NV21" || s.fourcc == "NV61";
            let need = w * h + w * h.div_ceil(vsub);
            if data.len() < need {
                bail!("{} frame of {} bytes, expected {need}", s.fourcc, data.len());
            }
            let c = &data[w * h..];
            for y in 0..h {
                for x in 0..w {
                    let o = (y / vsub) * w + (x / 2) * 2;
                    let (a, b) = (c[o], c[o + 1]);
                    let (cb, cr) = if vu { (b, a) } else { (a, b) };
                    out.push(s.coding.decode([y_at(x, y), cb, cr]));
                }
            }
        }
        "YUYV" => {
            if data.len() < w * h * 2 {
                bail!("YUYV frame of {} bytes", data.len());
            }
            for y in 0..h {
                for x in 0..w {
                    let o = y * w * 2 + (x / 2) * 4;
                    out.push(s.coding.decode([data[y * w * 2 + x * 2], data[o + 1], data[o + 3]]));
                }
            }
        }
        f => bail!("cannot decode {f} frames"),
    }
    Ok(out)
}

fn linear(v: f32) -> f64 {
    ((v as f64 / 255.0).clamp(0.0, 1.0)).powf(2.2)
}

/// Per-frame figures: mean 8-bit luma, mean linear luminance, linear RGB of each patch.
fn measure(s: &Stream, px: &[[f32; 3]], patches: &[rkisp1_sim::scene::Rect], scene_size: (usize, usize)) -> (f64, f64, Vec<[f64; 3]>) {
    let n = px.len() as f64;
    let luma = |p: &[f32; 3]| 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64;
    let mean_y = px.iter().map(luma).sum::<f64>() / n;
    let mean_lin = px.iter().map(|p| 0.2126 * linear(p[0]) + 0.7152 * linear(p[1]) + 0.0722 * linear(p[2])).sum::<f64>() / n;
    let rgb = patches
        .iter()
        .map(|r| {
            let (sw, sh) = (scene_size.0 as f64, scene_size.1 as f64);
            let (x0, y0) = s.geometry.from_frame(r.x as f64 / sw, r.y as f64 / sh);
            let (x1, y1) = s.geometry.from_frame((r.x + r.w) as f64 / sw, (r.y + r.h) as f64 / sh);
            let (x0, x1) = (x0.ceil().max(0.0) as usize, (x1.floor() as usize).min(s.width));
            let (y0, y1) = (y0.ceil().max(0.0) as usize, (y1.floor() as usize).min(s.height));
            let mut acc = [0f64; 3];
            let mut c: f64 = 0.0;
            for y in y0..y1 {
                for x in x0..x1 {
                    let p = px[y * s.width + x];
                    for k in 0..3 {
                        acc[k] += linear(p[k]);
                    }
                    c += 1.0;
                }
            }
            acc.map(|v| v / c.max(1.0))
        })
        .collect();
    (mean_y, mean_lin, rgb)
}

fn seq_of(p: &Path) -> u64 {
    let s = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let digits: String = s.chars().rev().take_while(|c| c.is_ascii_digit()).collect::<Vec<_>>().into_iter().rev().collect();
    digits.parse().unwrap_or(0)
}

fn main() {
    if let Err(e) = run() {
        eprintln!("rkisp1-emu-frames: {e:#}");
        std::process::exit(2);
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut report, mut media, mut last, mut png_dir, mut max_deg, mut level) = (None, 0usize, 5usize, None, None, None);
    let mut files = vec![];
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| anyhow!("{a} needs a value"));
        match a.as_str() {
            "--report" => report = Some(PathBuf::from(val()?)),
            "--media" => media = val()?.parse()?,
            "--last" => last = val()?.parse()?,
            "--png-dir" => png_dir = Some(PathBuf::from(val()?)),
            "--max-neutral-deg" => max_deg = Some(val()?.parse::<f64>()?),
            "--level" => {
                let v = val()?;
                let (a, b) = v.split_once(':').ok_or_else(|| anyhow!("--level MIN:MAX"))?;
                level = Some((a.parse::<f64>()?, b.parse::<f64>()?));
            }
            _ => files.push(PathBuf::from(a)),
        }
    }
    let report = report.ok_or_else(|| anyhow!("--report is required"))?;
    if files.is_empty() {
        bail!("no frames given");
    }
    files.sort_by_key(|f| seq_of(f));
    let s = stream_of(&report, media)?;
    let scene = if s.scene.ends_with(".yaml") || s.scene.contains('/') {
        rkisp1_sim::scene::from_file(Path::new(&s.scene))?
    } else {
        rkisp1_sim::scene::builtin(&s.scene)?
    };
    if scene.neutral_patches.is_empty() {
        bail!("scene {} has no chart", s.scene);
    }
    println!("media{media}: {} {}x{}, scene {}, {} frames", s.fourcc, s.width, s.height, s.scene, files.len());
    println!("{:>6} {:>8} {:>9} {:>10}", "seq", "mean Y'", "mean lin", "neutral°");
    let mut per_frame = vec![];
    for (i, f) in files.iter().enumerate() {
        let data = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        let px = decode(&s, &data).with_context(|| f.display().to_string())?;
        let (y, lin, rgb) = measure(&s, &px, &scene.neutral_patches, (scene.width, scene.height));
        let deg = rgb.iter().map(|m| rkisp1_sim::run::grey_angle_deg(*m)).fold(0.0, f64::max);
        println!("{:>6} {:>8.1} {:>9.3} {:>10.2}", seq_of(f), y, lin, deg);
        if let Some(dir) = &png_dir {
            if i == 0 || i + 1 == files.len() {
                std::fs::create_dir_all(dir)?;
                let img: Vec<[u8; 3]> = px.iter().map(|p| p.map(|v| v.round().clamp(0.0, 255.0) as u8)).collect();
                let name = if i == 0 { "first" } else { "last" };
                let out = dir.join(format!("media{media}-{name}.png"));
                rkisp1_sim::output::write_png(&out, s.width, s.height, &img)?;
            }
        }
        per_frame.push((y, lin, rgb));
    }
    // Over the last frames: each patch's mean colour, then its angle (as `sim` reports).
    let tail = &per_frame[per_frame.len().saturating_sub(last)..];
    let npatch = tail[0].2.len();
    let mut worst: f64 = 0.0;
    for p in 0..npatch {
        let mut m = [0f64; 3];
        for f in tail {
            for (acc, v) in m.iter_mut().zip(f.2[p]) {
                *acc += v / tail.len() as f64;
            }
        }
        let deg = rkisp1_sim::run::grey_angle_deg(m);
        println!("  grey patch {p}: linear RGB {:.4} {:.4} {:.4}, {deg:.2}°", m[0], m[1], m[2]);
        worst = worst.max(deg);
    }
    let y = tail.iter().map(|f| f.0).sum::<f64>() / tail.len() as f64;
    let lin = tail.iter().map(|f| f.1).sum::<f64>() / tail.len() as f64;
    println!("last {} frames: mean Y' {y:.1}, mean linear luminance {lin:.3}, neutral error {worst:.2}°", tail.len());
    let mut ok = true;
    if let Some(d) = max_deg {
        if worst > d {
            println!("FAIL: neutral error {worst:.2}° > {d}°");
            ok = false;
        }
    }
    if let Some((a, b)) = level {
        if !(a..=b).contains(&y) {
            println!("FAIL: mean Y' {y:.1} outside {a}..{b}");
            ok = false;
        }
    }
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
