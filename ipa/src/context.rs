//! Session configuration and per-frame contexts. A frame context is allocated when a
//! request is queued and carries what the algorithms decided for that frame, so that the
//! request's controls, the params and the statistics of the same frame meet.

use crate::abi::{HwRevision, ParamFormat};
use crate::sensor::{SensorControls, SensorHelper, SensorInfo, SensorTiming};
use nalgebra::Matrix3;

/// Everything fixed between `configure()` calls.
#[derive(Debug, Clone)]
pub struct Session {
    pub hw: HwRevision,
    pub supported_blocks: u64,
    pub helper: SensorHelper,
    pub info: SensorInfo,
    pub controls: SensorControls,
    pub timing: SensorTiming,
    pub format: ParamFormat,
    /// Analogue gain limits of the sensor (linear).
    pub min_gain: f64,
    pub max_gain: f64,
    /// Lens-shading colours per AWB zone, when the tuning has LSC tables.
    pub zone_shading: Option<crate::algorithms::zones::SharedZoneShading>,
}

/// AGC decisions for one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgcFrame {
    pub auto_exposure: bool,
    pub auto_gain: bool,
    pub exposure_lines: u32,
    pub gain: f64,
    pub vblank: u32,
    pub exposure_value: f64,
    pub metering_mode: i32,
    pub constraint_mode: i32,
    pub exposure_mode: i32,
    pub flicker_mode: i32,
}

/// AWB decisions for one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AwbFrame {
    pub auto: bool,
    pub mode: i32,
    /// [r, g, b] gains as programmed (after Q2.8 quantisation).
    pub gains: [f64; 3],
    pub temperature_k: f64,
    /// What the AWB measurement of this frame looked at: a zone index, or `None` for the
    /// whole-window near-grey gate.
    pub zone: Option<u8>,
    /// Luma floor (8-bit, above the +16 offset) of the near-grey gate used for this frame.
    pub luma_floor: f64,
    /// The near-grey gate of this frame was opened wide: AWB had no zone estimate yet.
    pub wide_gate: bool,
}

/// Colour matrix programmed for one frame (after quantisation) and its offsets in the
/// 8-bit-normalised domain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CcmFrame {
    pub matrix: Matrix3<f64>,
    pub offsets: [f64; 3],
}

/// Sensor values that actually applied to the frame (from the pipeline's DelayedControls).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SensorFrame {
    pub exposure_lines: u32,
    pub gain: f64,
    pub vblank: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameContext {
    pub frame: u32,
    pub initialised: bool,
    pub agc: AgcFrame,
    pub awb: AwbFrame,
    pub ccm: CcmFrame,
    pub sensor: SensorFrame,
    pub gamma: f64,
    /// Colour processing settings for this frame.
    pub cproc: crate::algorithms::cproc::Settings,
    /// Lens shading correction on for this frame.
    pub lsc_enabled: bool,
    /// The LSC table blend the hardware holds for this frame (None: LSC off).
    pub lsc_blend: Option<crate::algorithms::zones::Blend>,
    /// Largest black level subtracted by the ISP, in its 12-bit domain (0 without BLS).
    pub black_level_12bit: f64,
    /// Correction added to the tuned black levels by the BLS of this frame (12-bit), when
    /// the ISP subtracts them.
    pub black_level_delta_12bit: Option<f64>,
    /// `draft::NoiseReductionMode` for this frame.
    pub noise_reduction_mode: i32,
    /// Sharpness (0–10) for this frame.
    pub sharpness: f64,
}

impl Default for FrameContext {
    fn default() -> Self {
        Self {
            frame: 0,
            initialised: false,
            agc: AgcFrame {
                auto_exposure: true,
                auto_gain: true,
                exposure_lines: 0,
                gain: 1.0,
                vblank: 0,
                exposure_value: 0.0,
                metering_mode: 0,
                constraint_mode: 0,
                exposure_mode: 0,
                flicker_mode: 0,
            },
            awb: AwbFrame { auto: true, mode: 0, gains: [1.0; 3], temperature_k: 5000.0, zone: None, luma_floor: 0.0, wide_gate: false },
            ccm: CcmFrame { matrix: Matrix3::identity(), offsets: [0.0; 3] },
            sensor: SensorFrame::default(),
            gamma: 1.0,
            black_level_12bit: 0.0,
            black_level_delta_12bit: None,
            lsc_enabled: false,
            lsc_blend: None,
            cproc: Default::default(),
            noise_reduction_mode: crate::controls::enums::NR_FAST,
            sharpness: 0.0,
        }
    }
}

/// Number of frame contexts kept; more than the pipeline's requests in flight (4) plus
/// the statistics latency.
pub const FRAME_CONTEXTS: usize = 16;

/// Ring of frame contexts indexed by frame number.
pub struct FrameContexts {
    slots: [FrameContext; FRAME_CONTEXTS],
}

impl Default for FrameContexts {
    fn default() -> Self {
        Self { slots: [FrameContext::default(); FRAME_CONTEXTS] }
    }
}

impl FrameContexts {
    pub fn clear(&mut self) {
        self.slots = [FrameContext::default(); FRAME_CONTEXTS];
    }

    /// Initialise the context of `frame` from `template` (the latest decisions).
    pub fn alloc(&mut self, frame: u32, template: &FrameContext) -> &mut FrameContext {
        let slot = &mut self.slots[frame as usize % FRAME_CONTEXTS];
        if slot.initialised && slot.frame == frame {
            log::debug!("frame {frame}: context already initialised");
            return slot;
        }
        *slot = *template;
        slot.frame = frame;
        slot.initialised = true;
        slot
    }

    /// The context of `frame`, if it has not been overwritten by a newer frame.
    pub fn get(&mut self, frame: u32) -> Option<&mut FrameContext> {
        let slot = &mut self.slots[frame as usize % FRAME_CONTEXTS];
        (slot.initialised && slot.frame == frame).then_some(slot)
    }
}
