//! What the algorithms tell each other: one typed status per publishing algorithm, carried
//! in the frame context, and the contract each algorithm declares over them (which
//! statuses it reads and writes, in which phase of a frame).
//!
//! A frame goes through the phases in order: queue_request, prepare (compute_params),
//! process (process_stats); within a phase the algorithms run in tuning-file order. A
//! status read in a phase must therefore be written either in an earlier phase, or in the
//! same phase by an algorithm listed earlier: [`check_order`] refuses tuning files that
//! break this. Reads of the previous frame's status ([`Access::ReadPrevious`]) and writes
//! of the template for frames queued later ([`Access::WriteNext`]) do not depend on order.

use crate::zones::{Blend, SharedZoneShading};
use nalgebra::Matrix3;
use std::fmt;

/// Exposure time, gain and vertical blanking: the sensor part of an AGC decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExposureDecision {
    pub exposure_lines: u32,
    /// Analogue gain (linear).
    pub gain: f64,
    pub vblank: u32,
}

/// AGC's status for one frame: its decision and the request state behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgcStatus {
    pub decision: ExposureDecision,
    pub auto_exposure: bool,
    pub auto_gain: bool,
    pub exposure_value: f64,
    pub metering_mode: i32,
    pub constraint_mode: i32,
    pub exposure_mode: i32,
    pub flicker_mode: i32,
}

/// AWB's status for one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AwbStatus {
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
    /// Automatic and not yet holding greys at its gains: the gains may still move.
    pub converging: bool,
}

/// Colour matrix programmed for one frame (after quantisation) and its offsets in the
/// 8-bit-normalised domain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CcmStatus {
    pub matrix: Matrix3<f64>,
    pub offsets: [f64; 3],
}

/// Black level subtraction of one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlcStatus {
    /// Largest black level subtracted by the ISP, in its 12-bit domain (0 without BLS).
    pub black_level_12bit: f64,
    /// Correction added to the tuned black levels (12-bit), when the ISP subtracts them.
    pub delta_12bit: Option<f64>,
    /// The black level is measured from the frames and still wants a pair of frames of a
    /// still scene a known exposure ratio apart: AGC may dip the exposure for one.
    pub wants_pair: bool,
}

/// Lens shading correction of one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LscStatus {
    pub enabled: bool,
    /// The table blend the hardware holds for this frame (None: LSC off).
    pub blend: Option<Blend>,
}

/// Scene illuminance measured on one frame.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LuxStatus {
    /// `None` when the frame gave no estimate (no statistics, no exposure known).
    pub lux: Option<f64>,
}

/// Colour processing (CPROC) settings of one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CprocStatus {
    pub brightness: f32,
    pub contrast: f32,
    pub saturation: f32,
    pub hue: f32,
}

impl Default for CprocStatus {
    fn default() -> Self {
        Self { brightness: 0.0, contrast: 1.0, saturation: 1.0, hue: 0.0 }
    }
}

/// What algorithms publish once, when they are created from the tuning file.
#[derive(Debug, Clone, Default)]
pub struct InitStatus {
    /// Lens-shading colours per AWB zone, from the LSC tables.
    pub zone_shading: Option<SharedZoneShading>,
}

/// The statuses, by name (for contracts and messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusId {
    Agc,
    Awb,
    Blc,
    Ccm,
    Cproc,
    Gamma,
    Lsc,
    Lux,
    NoiseReduction,
    Sharpness,
    /// [`InitStatus::zone_shading`].
    ZoneShading,
}

/// When in a frame's life (or the IPA's) an access happens, in execution order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Creation from the tuning file ([`InitStatus`]).
    Init,
    Configure,
    QueueRequest,
    Prepare,
    Process,
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            Phase::Init => "init",
            Phase::Configure => "configure",
            Phase::QueueRequest => "queue_request",
            Phase::Prepare => "prepare (compute_params)",
            Phase::Process => "process (process_stats)",
        })
    }
}

/// One entry of an algorithm's contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Writes this frame's status in the phase.
    Write(Phase, StatusId),
    /// Reads this frame's status in the phase: the writers must run before.
    Read(Phase, StatusId),
    /// Reads, while processing a frame, the status of the frame processed before it.
    ReadPrevious(StatusId),
    /// Writes the template for frames queued from now on (while processing a frame).
    WriteNext(StatusId),
}

/// An algorithm list whose order breaks a contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderError {
    pub reader: String,
    pub writer: String,
    pub status: StatusId,
    pub phase: Phase,
    /// The writer runs in a later phase of the frame (rather than later in the same phase).
    pub later_phase: Option<Phase>,
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self.later_phase {
            None => write!(
                f,
                "{} reads the {:?} status in {} before {} writes it: list {} before {}",
                self.reader, self.status, self.phase, self.writer, self.writer, self.reader
            ),
            Some(w) => write!(
                f,
                "{} reads the {:?} status in {}, but {} writes it only later, in {} (a contract error: the read must be declared as one of the previous frame)",
                self.reader, self.status, self.phase, self.writer, w
            ),
        }
    }
}

/// Check that every same-frame read in `algorithms` (name and contract, in run order)
/// happens after all writes of that status in the same phase, and never before the phase
/// in which the status is written.
pub fn check_order(algorithms: &[(&str, &[Access])]) -> Result<(), OrderError> {
    for (i, (reader, contract)) in algorithms.iter().enumerate() {
        for access in contract.iter() {
            let Access::Read(phase, status) = *access else { continue };
            let writes_in_or_before = |c: &[Access]| c.iter().any(|a| matches!(*a, Access::Write(p, s) if s == status && p <= phase));
            for (j, (writer, wc)) in algorithms.iter().enumerate() {
                let error = |later_phase| OrderError { reader: reader.to_string(), writer: writer.to_string(), status, phase, later_phase };
                if j > i && wc.contains(&Access::Write(phase, status)) {
                    return Err(error(None));
                }
                if j != i && !writes_in_or_before(wc) {
                    if let Some(&Access::Write(p, _)) = wc.iter().find(|a| matches!(**a, Access::Write(p, s) if s == status && p > phase)) {
                        return Err(error(Some(p)));
                    }
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Access::*;
    use Phase::*;

    const WRITER: &[Access] = &[Write(Prepare, StatusId::Awb)];
    const READER: &[Access] = &[Read(Prepare, StatusId::Awb)];

    #[test]
    fn a_read_after_its_writer_passes() {
        assert_eq!(check_order(&[("Awb", WRITER), ("Ccm", READER)]), Ok(()));
    }

    #[test]
    fn a_read_before_its_writer_in_the_same_phase_names_both() {
        let e = check_order(&[("Ccm", READER), ("Awb", WRITER)]).unwrap_err();
        assert_eq!((e.reader.as_str(), e.writer.as_str(), e.status, e.phase), ("Ccm", "Awb", StatusId::Awb, Prepare));
        assert_eq!(e.to_string(), "Ccm reads the Awb status in prepare (compute_params) before Awb writes it: list Awb before Ccm");
    }

    #[test]
    fn reads_of_earlier_phases_and_of_the_previous_frame_pass_in_any_order() {
        let process_reader: &[Access] = &[Read(Process, StatusId::Awb), ReadPrevious(StatusId::Lux)];
        let lux: &[Access] = &[Write(Process, StatusId::Lux)];
        assert_eq!(check_order(&[("A", process_reader), ("Lux", lux), ("Awb", WRITER)]), Ok(()));
    }

    #[test]
    fn a_read_of_a_status_written_only_later_in_the_frame_is_a_contract_error() {
        let lux: &[Access] = &[Write(Process, StatusId::Lux)];
        let reader: &[Access] = &[Read(Prepare, StatusId::Lux)];
        let e = check_order(&[("Lux", lux), ("Agc", reader)]).unwrap_err();
        assert_eq!(e.later_phase, Some(Process));
    }

    #[test]
    fn a_status_also_written_in_an_earlier_phase_still_needs_the_same_phase_order() {
        let writer: &[Access] = &[Write(QueueRequest, StatusId::Blc), Write(Prepare, StatusId::Blc)];
        let reader: &[Access] = &[Read(Prepare, StatusId::Blc)];
        assert!(check_order(&[("Awb", reader), ("BlackLevelCorrection", writer)]).is_err());
        assert_eq!(check_order(&[("BlackLevelCorrection", writer), ("Awb", reader)]), Ok(()));
    }
}
