//! Sensor helpers: gain models, black levels, control delays and the timing of the
//! configured mode. Facts: kernel-rkisp1.md §4–6.

/// Sensor format and timing of the **configured** mode (not the boot mode).
#[derive(Debug, Clone, PartialEq)]
pub struct SensorInfo {
    pub model: String,
    pub bits_per_sample: u32,
    /// Output size of the sensor mode.
    pub width: u32,
    pub height: u32,
    /// Pixels per second.
    pub pixel_rate: u64,
    /// Line length in pixels (width + HBLANK).
    pub line_length: u32,
}

/// Range of a V4L2 control: (min, max, default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Range {
    pub min: i64,
    pub max: i64,
    pub def: i64,
}

impl Range {
    pub const fn new(min: i64, max: i64, def: i64) -> Self {
        Self { min, max, def }
    }
}

/// The V4L2 controls of the sensor the IPA needs, as the pipeline reports them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SensorControls {
    pub exposure: Range,
    pub analogue_gain: Range,
    pub vblank: Range,
}

/// Frames between writing a control and the frame it affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ControlDelays {
    pub exposure: u32,
    pub gain: u32,
    pub vblank: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum GainModel {
    /// gain = (m0*c + c0) / (m1*c + c1), the SMIA/CCS "global" form.
    Linear { m0: f64, c0: f64, m1: f64, c1: f64 },
}

/// What we know about one sensor model.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorHelper {
    pub model: String,
    gain: GainModel,
    /// Pedestal at 10 bits, if the sensor's is known.
    black_level_10bit: Option<u16>,
    /// Lines between the frame length and the longest exposure.
    pub exposure_margin: u32,
    pub delays: ControlDelays,
    /// Smallest gain code we ever program (ov8858 codes below 128 are < 1x).
    min_gain_code: Option<i64>,
    /// Largest gain code the sensor takes, where the driver's control allows more (the
    /// Linux 6.1 imx258 driver's range ends at 0x1fff; the sensor's gain model ends at
    /// 480, and reaches infinity at 512).
    max_gain_code: Option<i64>,
    pub known: bool,
}

/// libcamera's defaults for sensors without measured delays (libcamera-ipa.md §3.5).
const DEFAULT_DELAYS: ControlDelays = ControlDelays { exposure: 2, gain: 1, vblank: 2 };

impl SensorHelper {
    /// The helper for `model`; unknown sensors get a generic linear model with a warning.
    /// `gain_range` is the sensor's V4L2 analogue gain range, used by the generic model
    /// (its default code is taken as unity gain).
    pub fn for_model(model: &str, gain_range: Range) -> SensorHelper {
        match model {
            // gain = 512 / (512 - code), codes 0..480; black level 0x40 at 10 bits.
            "imx258" => SensorHelper {
                model: model.into(),
                gain: GainModel::Linear { m0: 0.0, c0: 512.0, m1: -1.0, c1: 512.0 },
                black_level_10bit: Some(64),
                exposure_margin: 10,
                delays: DEFAULT_DELAYS,
                min_gain_code: None,
                max_gain_code: Some(480),
                known: true,
            },
            // gain = code / 128 ("real gain" mode); 0x4005 = 0x10 => 16 at 10 bits.
            "ov8858" => SensorHelper {
                model: model.into(),
                gain: GainModel::Linear { m0: 1.0, c0: 0.0, m1: 0.0, c1: 128.0 },
                black_level_10bit: Some(16),
                exposure_margin: 4,
                delays: DEFAULT_DELAYS,
                min_gain_code: Some(128),
                max_gain_code: None,
                known: true,
            },
            _ => {
                let unit = if gain_range.def > 0 { gain_range.def as f64 } else { gain_range.min.max(1) as f64 };
                log::warn!(
                    "sensor '{model}' is unknown: assuming linear gain (code {unit} = 1x), no black level, \
                     delays exposure {} gain {}; results will be approximate",
                    DEFAULT_DELAYS.exposure,
                    DEFAULT_DELAYS.gain
                );
                SensorHelper {
                    model: model.into(),
                    gain: GainModel::Linear { m0: 1.0, c0: 0.0, m1: 0.0, c1: unit },
                    black_level_10bit: None,
                    exposure_margin: 4,
                    delays: DEFAULT_DELAYS,
                    min_gain_code: Some(unit as i64),
                    max_gain_code: None,
                    known: false,
                }
            }
        }
    }

    pub fn gain(&self, code: i64) -> f64 {
        let GainModel::Linear { m0, c0, m1, c1 } = self.gain;
        let c = code as f64;
        let den = m1 * c + c1;
        if den <= 0.0 {
            f64::MAX
        } else {
            (m0 * c + c0) / den
        }
    }

    /// The largest code whose gain does not exceed `gain`, clamped to `range`.
    pub fn gain_code(&self, gain: f64, range: Range) -> i64 {
        let GainModel::Linear { m0, c0, m1, c1 } = self.gain;
        // Solve (m0 c + c0) = g (m1 c + c1) for c.
        let den = m0 - gain * m1;
        let code = if den.abs() < 1e-12 { range.min as f64 } else { (gain * c1 - c0) / den };
        let code = (code + 1e-6).floor() as i64;
        code.clamp(self.min_code(range), self.max_code(range))
    }

    /// Largest code we program: the sensor's maximum, lowered to the end of the gain model
    /// where the driver allows more.
    pub fn max_code(&self, range: Range) -> i64 {
        range.max.min(self.max_gain_code.unwrap_or(range.max)).max(self.min_code(range))
    }

    /// Smallest code we program: the sensor's minimum, raised to unity gain where the
    /// sensor allows codes below 1x.
    pub fn min_code(&self, range: Range) -> i64 {
        range.min.max(self.min_gain_code.unwrap_or(range.min)).min(range.max)
    }

    /// Black level in the 16-bit scale libcamera uses for SensorBlackLevels.
    pub fn black_level_16bit(&self) -> Option<u32> {
        self.black_level_10bit.map(|b| (b as u32) << 6)
    }
}

/// Exposure and frame timing of the configured mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SensorTiming {
    pub line_duration_us: f64,
    pub height: u32,
    pub vblank: Range,
    pub exposure_min_lines: u32,
    pub exposure_margin: u32,
}

impl SensorTiming {
    pub fn new(info: &SensorInfo, controls: &SensorControls, helper: &SensorHelper) -> Self {
        let line_duration_us = info.line_length as f64 * 1e6 / info.pixel_rate.max(1) as f64;
        Self {
            line_duration_us,
            height: info.height,
            vblank: controls.vblank,
            exposure_min_lines: controls.exposure.min.max(1) as u32,
            exposure_margin: helper.exposure_margin,
        }
    }

    /// Longest exposure (lines) possible with this VBLANK.
    pub fn max_exposure_lines(&self, vblank: u32) -> u32 {
        (self.height + vblank).saturating_sub(self.exposure_margin).max(self.exposure_min_lines)
    }

    /// VBLANK giving the frame duration (µs), never below the sensor's minimum.
    pub fn vblank_for_frame_duration(&self, us: f64) -> u32 {
        let lines = (us / self.line_duration_us).ceil() as i64 - self.height as i64;
        lines.clamp(self.vblank.min, self.vblank.max) as u32
    }

    pub fn frame_duration_us(&self, vblank: u32) -> f64 {
        (self.height + vblank) as f64 * self.line_duration_us
    }

    pub fn lines_to_us(&self, lines: u32) -> f64 {
        lines as f64 * self.line_duration_us
    }

    pub fn us_to_lines(&self, us: f64) -> u32 {
        (us / self.line_duration_us).floor().max(0.0) as u32
    }

    pub fn min_frame_duration_us(&self) -> f64 {
        self.frame_duration_us(self.vblank.min as u32)
    }
    pub fn max_frame_duration_us(&self) -> f64 {
        self.frame_duration_us(self.vblank.max as u32)
    }
}

/// Sensor controls in V4L2 units: what the IPA asks the pipeline to apply, and what the
/// pipeline reports as applied to a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SensorSettings {
    pub exposure_lines: u32,
    pub gain_code: i64,
    pub vblank: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_imx258_gain_stops_at_480_where_the_old_driver_allows_more() {
        let h = SensorHelper::for_model("imx258", Range::new(0, 480, 0));
        // Linux 6.1's driver: codes 0..0x1fff (512 and above would be an infinite or
        // negative gain in the sensor's model).
        for range in [Range::new(0, 480, 0), Range::new(0, 0x1fff, 0)] {
            assert_eq!(h.max_code(range), 480);
            assert_eq!(h.gain(h.max_code(range)), 16.0);
            assert_eq!(h.gain_code(1000.0, range), 480);
            assert_eq!(h.gain_code(2.0, range), 256);
        }
        // A narrower driver range still wins.
        assert_eq!(h.max_code(Range::new(0, 448, 0)), 448);
        // Sensors without a model limit keep the driver's range.
        let ov = SensorHelper::for_model("ov8858", Range::new(0, 1984, 128));
        assert_eq!(ov.max_code(Range::new(0, 1984, 128)), 1984);
    }
}
