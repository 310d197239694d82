//! Writing pictures and the convergence plot.

pub mod convergence_plot;

use crate::run::FrameRecord;
use anyhow::{Context, Result};
use std::path::Path;

pub fn write_png(path: &Path, w: usize, h: usize, px: &[[u8; 3]]) -> Result<()> {
    write_rgb_png(path, w, h, px.as_flattened())
}

/// An 8-bit RGB PNG from `w × h` pixels of three bytes each.
pub fn write_rgb_png(path: &Path, w: usize, h: usize, rgb: &[u8]) -> Result<()> {
    let f = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(f), w as u32, h as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut wr = enc.write_header().with_context(|| format!("writing {}", path.display()))?;
    wr.write_image_data(rgb).with_context(|| format!("writing {}", path.display()))?;
    wr.finish().with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Mean luminance of the last 10 frames.
pub fn settled_luminance(recs: &[FrameRecord]) -> f64 {
    let tail = &recs[recs.len().saturating_sub(10)..];
    tail.iter().map(|r| r.mean_luminance).sum::<f64>() / tail.len().max(1) as f64
}
