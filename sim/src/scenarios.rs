//! The standard scenarios of the report: AE steps, neutrality under the five illuminants,
//! dominant colours, changes of light, a backlit window and low light, for a sensor.

use crate::metrics::{colour_gain_jitter, final_neutral_deg, frames_to_neutral, step_response, SettledExposure, StepResponse, CONVERGED_DEG, NEUTRAL_FRAMES};
use crate::run::{run, Event, RunConfig, RunResult};
use crate::scene;
use crate::sensor::SensorModel;
use anyhow::Result;
use rkisp1_ipa::abi::{HwRevision, ParamFormat};

pub const ILLUMINANTS: [&str; 5] = ["A", "TL84", "CWF", "D50", "D65"];
pub const STEP_AT: usize = 60;
/// Frame of the light change in [`illuminant_change`].
pub const CHANGE_AT: usize = 30;
/// Brightness of the [`low_light`] scenario: about 8 stops below the report's default.
pub const LOW_LIGHT_BRIGHTNESS: f64 = 0.002;

pub fn base(sensor: &str, scene_name: &str, illuminant: &str, frames: usize) -> Result<RunConfig> {
    let s = SensorModel::by_name(sensor).ok_or_else(|| anyhow::anyhow!("unknown sensor '{sensor}' (imx258, ov8858)"))?;
    let (file, text) = crate::builtin_tuning(sensor).unwrap();
    Ok(RunConfig {
        sensor: s,
        mode: 0,
        scene: scene::builtin(scene_name)?,
        illuminant: illuminant.into(),
        brightness: 0.5,
        frames,
        format: ParamFormat::Extensible,
        hw: HwRevision::V10,
        tuning_file: file.into(),
        tuning_text: text.into(),
        events: vec![],
        controls: vec![],
        seed: 1,
        noise: true,
    })
}

pub fn ae_step(sensor: &str, ev: f64) -> Result<(StepResponse, RunResult)> {
    let mut c = base(sensor, "chart", "D65", STEP_AT + 40)?;
    c.events.push((STEP_AT, Event::Brightness(2f64.powf(ev))));
    let r = run(&c, |_| {})?;
    Ok((step_response(&r.records, STEP_AT), r))
}

/// Steady-state neutral error (degrees) and colour-gain jitter (fraction) after 60 frames.
pub fn neutrality(sensor: &str, scene_name: &str, illuminant: &str) -> Result<(f64, f64, RunResult)> {
    let c = base(sensor, scene_name, illuminant, 60)?;
    let r = run(&c, |_| {})?;
    Ok((final_neutral_deg(&r.records, NEUTRAL_FRAMES), colour_gain_jitter(&r.records, NEUTRAL_FRAMES), r))
}

/// The chart while the light changes from `from` to `to` at frame [`CHANGE_AT`]: frames
/// after the change until the greys are within [`CONVERGED_DEG`] and stay there (`None`:
/// not within the 50 frames that follow), and the final neutral error.
pub fn illuminant_change(sensor: &str, from: &str, to: &str) -> Result<(Option<usize>, f64)> {
    let mut c = base(sensor, "chart", from, CHANGE_AT + 50)?;
    c.events.push((CHANGE_AT, Event::Illuminant(to.into())));
    let r = run(&c, |_| {})?;
    Ok((frames_to_neutral(&r.records, CHANGE_AT..r.records.len(), CONVERGED_DEG), final_neutral_deg(&r.records, NEUTRAL_FRAMES)))
}

/// White balance on the `backlit` scene (the chart small in a corner, a bright window):
/// neutral error after 50 frames.
pub fn backlit_neutrality(sensor: &str, illuminant: &str) -> Result<f64> {
    let r = run(&base(sensor, "backlit", illuminant, 50)?, |_| {})?;
    Ok(final_neutral_deg(&r.records, NEUTRAL_FRAMES))
}

/// The chart under A at [`LOW_LIGHT_BRIGHTNESS`], with `controls` from the first request
/// (e.g. an exposure mode or FrameDurationLimits): where AE ends after 60 frames.
pub fn low_light(sensor: &str, controls: rkisp1_ipa::controls::RequestControls) -> Result<SettledExposure> {
    let mut c = base(sensor, "chart", "A", 60)?;
    c.brightness = LOW_LIGHT_BRIGHTNESS;
    c.controls.push((0, controls));
    let r = run(&c, |_| {})?;
    Ok(SettledExposure::of(&r.records, c.sensor.gain(c.sensor.gain_code.1)))
}

/// Subject luminance (linear) and clipped fraction outside the window, with our backlight
/// handling and with it disabled.
pub fn backlit(sensor: &str) -> Result<[(f64, f64); 2]> {
    let mut out = [(0.0, 0.0); 2];
    for (i, ratio) in [None, Some(0.0)].into_iter().enumerate() {
        let mut c = base(sensor, "backlit", "D50", 50)?;
        if let Some(r) = ratio {
            c.tuning_text = c.tuning_text.replacen("  - Agc:\n", &format!("  - Agc:\n      backlightRatio: {r}\n"), 1);
        }
        let res = run(&c, |_| {})?;
        let last = res.records.last().unwrap();
        out[i] = (last.subject_luminance.unwrap_or(0.0), last.clipped_outside_highlight);
    }
    Ok(out)
}

/// Flat-field vignetting and colour-shading residuals (last frame) with lens shading
/// correction and with it turned off through LensShadingCorrectionEnable.
pub fn flat_field(sensor: &str, illuminant: &str) -> Result<[(f64, f64); 2]> {
    let mut out = [(0.0, 0.0); 2];
    for (i, enable) in [true, false].into_iter().enumerate() {
        let mut c = base(sensor, "flat", illuminant, 40)?;
        c.controls.push((0, rkisp1_ipa::controls::RequestControls { lens_shading_enable: Some(enable), ..Default::default() }));
        let r = run(&c, |_| {})?;
        let last = r.records.last().unwrap();
        out[i] = (last.flat_residual, last.flat_colour_residual);
    }
    Ok(out)
}

/// Denoising: (noise of the mid-grey patch, worst neutral angle) on the chart under
/// `illuminant`, with NoiseReductionMode Fast (the default) and Off.
pub fn denoise(sensor: &str, illuminant: &str) -> Result<[(f64, f64); 2]> {
    use rkisp1_ipa::controls::{enums, RequestControls};
    let mut out = [(0.0, 0.0); 2];
    for (i, mode) in [enums::NR_FAST, enums::NR_OFF].into_iter().enumerate() {
        let mut c = base(sensor, "chart", illuminant, 40)?;
        c.controls.push((0, RequestControls { noise_reduction_mode: Some(mode), ..Default::default() }));
        let r = run(&c, |_| {})?;
        // Patch 3 of the neutral row: sRGB 122, the classic mid grey.
        let noise = r.records.iter().rev().take(NEUTRAL_FRAMES).map(|f| f.neutral_noise[3]).sum::<f64>() / NEUTRAL_FRAMES as f64;
        out[i] = (noise, final_neutral_deg(&r.records, NEUTRAL_FRAMES));
    }
    Ok(out)
}

/// Edge rendering of the `edge` scene's step (final 8-bit output, rows averaged):
/// overshoot past the light side as a fraction of the step, and the 10–90 % rise width in
/// pixels. One entry per Sharpness value.
pub fn sharpness(sensor: &str, values: &[f32]) -> Result<Vec<(f64, usize)>> {
    let mut out = Vec::new();
    for &v in values {
        let mut c = base(sensor, "edge", "D65", 30)?;
        c.controls.push((0, rkisp1_ipa::controls::RequestControls { sharpness: Some(v), ..Default::default() }));
        let r = run(&c, |_| {})?;
        out.push(edge_profile(&r.final_image, r.width, r.height));
    }
    Ok(out)
}

/// (overshoot fraction, 10–90 % width) of a dark-to-light vertical step in an image.
pub fn edge_profile(img: &[[u8; 3]], w: usize, h: usize) -> (f64, usize) {
    let col: Vec<f64> = (0..w).map(|x| (0..h).map(|y| img[y * w + x].iter().map(|v| *v as f64).sum::<f64>() / 3.0).sum::<f64>() / h as f64).collect();
    let dark = col[..w / 4].iter().sum::<f64>() / (w / 4) as f64;
    let light = col[w * 3 / 4..].iter().sum::<f64>() / (w - w * 3 / 4) as f64;
    let step = (light - dark).max(1e-9);
    let peak = col.iter().cloned().fold(f64::MIN, f64::max);
    let lo = col.iter().position(|v| *v > dark + 0.1 * step).unwrap_or(0);
    let hi = col.iter().position(|v| *v > dark + 0.9 * step).unwrap_or(w);
    (((peak - light) / step).max(0.0), hi.saturating_sub(lo) + 1)
}

/// Visible defect pixels (output pixels more than 40 levels from the median of their 3×3
/// neighbourhood in any channel) on the flat field, with the tuning's
/// DefectPixelClusterCorrection and without it.
pub fn defects(sensor: &str) -> Result<[usize; 2]> {
    let mut out = [0; 2];
    for (i, keep) in [true, false].into_iter().enumerate() {
        let mut c = base(sensor, "flat", "D65", 20)?;
        if !keep {
            c.tuning_text = without_algorithm(&c.tuning_text, "DefectPixelClusterCorrection");
        }
        let r = run(&c, |_| {})?;
        out[i] = outliers(&r.final_image, r.width, r.height, 40);
    }
    Ok(out)
}

/// The tuning text with one algorithm's entry removed.
pub fn without_algorithm(text: &str, name: &str) -> String {
    let head = format!("  - {name}:");
    let Some(a) = text.find(&head) else { return text.to_string() };
    let rest = &text[a + head.len()..];
    let end = [rest.find("\n  - "), rest.find("\n  #"), rest.find("\n...")].into_iter().flatten().min().map_or(text.len(), |e| a + head.len() + e + 1);
    format!("{}{}", &text[..a], &text[end..])
}

/// Pixels differing from their 3×3 median by more than `t` in any channel.
pub fn outliers(img: &[[u8; 3]], w: usize, h: usize, t: i32) -> usize {
    let mut n = 0;
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let bad = (0..3).any(|k| {
                let mut v: [i32; 9] = std::array::from_fn(|j| img[(y + j / 3 - 1) * w + x + j % 3 - 1][k] as i32);
                v.sort_unstable();
                (img[y * w + x][k] as i32 - v[4]).abs() > t
            });
            n += bad as usize;
        }
    }
    n
}
