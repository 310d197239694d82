//! Writing pictures, the convergence plot and the JSON summary.

use crate::run::FrameRecord;
use anyhow::{Context, Result};
use std::path::Path;

pub fn write_png(path: &Path, w: usize, h: usize, px: &[[u8; 3]]) -> Result<()> {
    let f = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(f), w as u32, h as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut wr = enc.write_header()?;
    let data: Vec<u8> = px.iter().flatten().copied().collect();
    wr.write_image_data(&data)?;
    Ok(())
}

/// An SVG plot of mean luminance (relative to the settled value), exposure × gain and the
/// neutral-patch error over the frames.
pub fn write_convergence_svg(path: &Path, title: &str, recs: &[FrameRecord]) -> Result<()> {
    let (w, h, m) = (800.0, 420.0, 50.0);
    let n = recs.len().max(2) as f64;
    let settled = settled_luminance(recs).max(1e-9);
    let x = |i: usize| m + (w - 2.0 * m) * i as f64 / (n - 1.0);
    let line = |vals: Vec<f64>, max: f64, colour: &str| -> String {
        let pts: Vec<String> = vals.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), h - m - (h - 2.0 * m) * (v / max).clamp(0.0, 1.0))).collect();
        format!("<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>\n", pts.join(" "))
    };
    let lum: Vec<f64> = recs.iter().map(|r| r.mean_luminance / settled).collect();
    let exp_total: Vec<f64> = recs.iter().map(|r| r.exposure_us * r.gain).collect();
    let exp_max = exp_total.iter().cloned().fold(1e-9, f64::max);
    let neutral: Vec<f64> = recs.iter().map(|r| r.neutral_max_deg).collect();
    let mut s = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    s += &format!("<text x=\"{m}\" y=\"25\" font-size=\"15\">{}</text>\n", xml_escape(title));
    // ±5% band around the settled luminance (plotted on a 0..2 scale).
    let band = |v: f64| h - m - (h - 2.0 * m) * (v / 2.0);
    s += &format!("<rect x=\"{m}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#dfd\"/>\n", band(1.05), w - 2.0 * m, band(0.95) - band(1.05));
    s += &format!("<rect x=\"{m}\" y=\"{m}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"none\" stroke=\"#888\"/>\n", w - 2.0 * m, h - 2.0 * m);
    s += &line(lum, 2.0, "#1060d0");
    s += &line(exp_total.iter().map(|v| v / exp_max).collect(), 1.0, "#d07010");
    s += &line(neutral, 10.0, "#c02020");
    s += &format!("<text x=\"{m}\" y=\"{}\" fill=\"#1060d0\">mean luminance / settled (0–2, green band ±5%)</text>\n", h - 28.0);
    s += &format!("<text x=\"{}\" y=\"{}\" fill=\"#d07010\">exposure × gain (relative)</text>\n", m + 330.0, h - 28.0);
    s += &format!("<text x=\"{}\" y=\"{}\" fill=\"#c02020\">neutral error (0–10°)</text>\n", m + 520.0, h - 28.0);
    s += &format!(
        "<text x=\"{m}\" y=\"{}\">frame 0</text><text x=\"{}\" y=\"{}\">frame {}</text>\n",
        h - 10.0,
        w - m - 60.0,
        h - 10.0,
        recs.len().saturating_sub(1)
    );
    s += "</svg>\n";
    std::fs::write(path, s).with_context(|| format!("writing {}", path.display()))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Mean luminance of the last 10 frames.
pub fn settled_luminance(recs: &[FrameRecord]) -> f64 {
    let tail = &recs[recs.len().saturating_sub(10)..];
    tail.iter().map(|r| r.mean_luminance).sum::<f64>() / tail.len().max(1) as f64
}
