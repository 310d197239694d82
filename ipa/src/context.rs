//! Session configuration and per-frame contexts. A frame context is allocated when a
//! request is queued and carries what the algorithms decided for that frame, so that the
//! request's controls, the params and the statistics of the same frame meet.

use crate::abi::{HwRevision, ParamFormat};
use crate::sensor::{SensorControls, SensorHelper, SensorInfo, SensorTiming};
use crate::status::{AgcStatus, AwbStatus, BlcStatus, CcmStatus, CprocStatus, ExposureDecision, LscStatus, LuxStatus};
use crate::zones::SharedZoneShading;
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
    /// Lens-shading colours per AWB zone, when the tuning has LSC tables (published by
    /// LSC at init: [`InitStatus`](crate::status::InitStatus)).
    pub zone_shading: Option<SharedZoneShading>,
}

/// Sensor values that actually applied to the frame (from the pipeline's DelayedControls).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SensorFrame {
    pub exposure_lines: u32,
    pub gain: f64,
    pub vblank: u32,
}

/// One frame's statuses (see [`crate::status`] for who writes and reads them, and when).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameContext {
    pub frame: u32,
    pub initialised: bool,
    pub agc: AgcStatus,
    pub awb: AwbStatus,
    pub ccm: CcmStatus,
    pub blc: BlcStatus,
    pub lsc: LscStatus,
    pub lux: LuxStatus,
    pub cproc: CprocStatus,
    /// Set by the IPA from the pipeline's report before the algorithms process the frame.
    pub sensor: SensorFrame,
    /// Gamma of the output curve.
    pub gamma: f64,
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
            agc: AgcStatus {
                decision: ExposureDecision { exposure_lines: 0, gain: 1.0, vblank: 0 },
                auto_exposure: true,
                auto_gain: true,
                exposure_value: 0.0,
                metering_mode: 0,
                constraint_mode: 0,
                exposure_mode: 0,
                flicker_mode: 0,
            },
            awb: AwbStatus { auto: true, mode: 0, gains: [1.0; 3], temperature_k: 5000.0, zone: None, luma_floor: 0.0, wide_gate: false, converging: false },
            ccm: CcmStatus { matrix: Matrix3::identity(), offsets: [0.0; 3] },
            blc: BlcStatus { black_level_12bit: 0.0, delta_12bit: None, wants_pair: false },
            lsc: LscStatus { enabled: false, blend: None },
            lux: LuxStatus::default(),
            cproc: CprocStatus::default(),
            sensor: SensorFrame::default(),
            gamma: 1.0,
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
