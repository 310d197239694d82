//! The IPA object with libcamera's life cycle:
//! init → configure → start → (queue_request → compute_params → process_stats)* → stop.

use crate::abi::{HwRevision, ParamFormat, ParamsWriter, Stats};
use crate::algorithms::{self, Algorithm};
use crate::context::{FrameContext, FrameContexts, SensorFrame, Session};
use crate::controls::{ControlId, ControlInfo, ControlValue, Metadata, RequestControls};
use crate::sensor::{SensorControls, SensorHelper, SensorInfo, SensorSettings, SensorTiming};
use crate::status::{check_order, InitStatus};
use crate::tuning::{Params, Tuning, TuningError};

#[derive(Debug, thiserror::Error)]
pub enum IpaError {
    #[error("unsupported ISP hardware revision {0}")]
    UnsupportedRevision(u32),
    #[error(transparent)]
    Tuning(#[from] TuningError),
    #[error("sensor control {0} is missing or has an empty range")]
    MissingSensorControl(&'static str),
    #[error("invalid sensor mode: {0}")]
    InvalidSensorMode(String),
    #[error("not configured")]
    NotConfigured,
}

/// What `init()` receives.
#[derive(Debug, Clone)]
pub struct InitInfo {
    pub hw_revision: u32,
    pub hw: HwRevision,
    /// Bit n set: ext block type n is supported by the kernel.
    pub supported_blocks: u64,
    pub sensor: SensorInfo,
    pub sensor_controls: SensorControls,
}

pub struct Ipa {
    init: InitInfo,
    helper: SensorHelper,
    algorithms: Vec<Box<dyn Algorithm>>,
    session: Option<Session>,
    contexts: FrameContexts,
    /// The latest decisions: the template for newly queued frames.
    latest: FrameContext,
    /// The frame processed last, as its processing left it.
    processed: FrameContext,
    /// What the algorithms published when they were created.
    published: InitStatus,
    command: Option<SensorSettings>,
}

impl Ipa {
    /// Create the IPA from the sensor description and a tuning file's text.
    pub fn init(info: InitInfo, tuning_file: &str, tuning_text: &str) -> Result<Ipa, IpaError> {
        let helper = SensorHelper::for_model(&info.sensor.model, info.sensor_controls.analogue_gain);
        let tuning = Tuning::parse(tuning_file, tuning_text)?;
        let mut algorithms: Vec<Box<dyn Algorithm>> = Vec::new();
        let mut published = InitStatus::default();
        for (name, value) in &tuning.algorithms {
            let p = Params::new(&tuning.file, name, value)?;
            if !p.enabled()? {
                log::debug!("{tuning_file}: {name} disabled by tuning");
                continue;
            }
            if let Some(a) = algorithms::create(name, &p, info.hw, &mut published)? {
                algorithms.push(a);
            }
        }
        let contracts: Vec<(&str, &[crate::status::Access])> = algorithms.iter().map(|a| (a.name(), a.contract())).collect();
        check_order(&contracts).map_err(|e| TuningError { file: tuning.file.clone(), algorithm: e.reader.clone(), key: "-".into(), reason: e.to_string() })?;
        log::info!(
            "IPA initialised for {} (ISP {:?}), algorithms: {}",
            info.sensor.model,
            info.hw,
            algorithms.iter().map(|a| a.name()).collect::<Vec<_>>().join(", ")
        );
        Ok(Ipa {
            init: info,
            helper,
            algorithms,
            session: None,
            contexts: FrameContexts::default(),
            latest: FrameContext::default(),
            processed: FrameContext::default(),
            published,
            command: None,
        })
    }

    /// The algorithms in the order they run.
    pub fn algorithm_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.algorithms.iter().map(|a| a.name())
    }

    pub fn helper(&self) -> &SensorHelper {
        &self.helper
    }

    /// The sensor controls last asked for, if any.
    pub fn last_command(&self) -> Option<SensorSettings> {
        self.command
    }

    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Configure for a sensor mode; returns the camera's control map.
    pub fn configure(&mut self, info: SensorInfo, controls: SensorControls, format: ParamFormat) -> Result<Vec<ControlInfo>, IpaError> {
        if info.width == 0 || info.height == 0 || info.pixel_rate == 0 || info.line_length < info.width {
            return Err(IpaError::InvalidSensorMode(format!(
                "{}x{}, pixel rate {}, line length {}",
                info.width, info.height, info.pixel_rate, info.line_length
            )));
        }
        for (name, r) in [("EXPOSURE", controls.exposure), ("ANALOGUE_GAIN", controls.analogue_gain), ("VBLANK", controls.vblank)] {
            if r.max < r.min || r.max <= 0 {
                return Err(IpaError::MissingSensorControl(name));
            }
        }
        let timing = SensorTiming::new(&info, &controls, &self.helper);
        let min_gain = self.helper.gain(self.helper.min_code(controls.analogue_gain));
        let max_gain = self.helper.gain(self.helper.max_code(controls.analogue_gain));
        let session = Session {
            hw: self.init.hw,
            supported_blocks: self.init.supported_blocks,
            helper: self.helper.clone(),
            info,
            controls,
            timing,
            format,
            min_gain,
            max_gain,
            zone_shading: self.published.zone_shading.clone(),
        };
        self.contexts.clear();
        self.latest = FrameContext::default();
        self.processed = FrameContext::default();
        self.command = None;
        for a in &mut self.algorithms {
            a.configure(&session);
        }
        let mut out = Vec::new();
        out.push(ControlInfo::new(
            ControlId::FrameDurationLimits,
            ControlValue::I64(session.timing.min_frame_duration_us().round() as i64),
            ControlValue::I64(session.timing.max_frame_duration_us().round() as i64),
            ControlValue::I64(session.timing.min_frame_duration_us().round() as i64),
        ));
        for a in &self.algorithms {
            a.controls(&session, &mut out);
        }
        self.session = Some(session);
        Ok(out)
    }

    pub fn start(&mut self) {
        self.contexts.clear();
        for a in &mut self.algorithms {
            a.start();
        }
    }

    pub fn stop(&mut self) {
        self.contexts.clear();
    }

    pub fn queue_request(&mut self, frame: u32, controls: &RequestControls) {
        let Some(s) = self.session.as_ref() else {
            log::error!("queue_request({frame}) before configure, ignored");
            return;
        };
        let fc = self.contexts.alloc(frame, &self.latest);
        for a in &mut self.algorithms {
            a.queue_request(s, fc, controls);
        }
        self.latest = *fc;
    }

    /// Fill the params buffer for `frame`; returns `bytesused`. On any failure a minimal
    /// valid buffer is produced (0 blocks / all masks clear) so the pipeline never stalls.
    pub fn compute_params(&mut self, frame: u32, buf: &mut [u8]) -> usize {
        let Some(s) = self.session.as_ref() else {
            log::error!("compute_params({frame}) before configure");
            return empty_params(buf, ParamFormat::Fixed);
        };
        if self.contexts.get(frame).is_none() {
            log::warn!("compute_params({frame}) without queue_request, using the latest state");
            self.contexts.alloc(frame, &self.latest);
        }
        let fc = self.contexts.get(frame).expect("allocated above");
        let mut writer = match ParamsWriter::new(buf, s.format, s.supported_blocks) {
            Ok(w) => w,
            Err(e) => {
                log::error!("frame {frame}: {e}");
                return 0;
            }
        };
        for a in &mut self.algorithms {
            if let Err(e) = a.prepare(s, fc, &mut writer) {
                log::error!("frame {frame}: {}: {e}", a.name());
            }
        }
        writer.finish()
    }

    /// Process the statistics of `frame` (`None` when missing or unreadable). Returns the
    /// frame's metadata and the sensor controls to apply next.
    pub fn process_stats(&mut self, frame: u32, stats: Option<&[u8]>, applied: SensorSettings) -> (Metadata, Option<SensorSettings>) {
        let mut md = Metadata::default();
        let Some(s) = self.session.as_ref() else {
            log::error!("process_stats({frame}) before configure");
            return (md, None);
        };
        let parsed = match stats.map(|b| Stats::parse(b, s.hw)) {
            Some(Ok(st)) => Some(st),
            Some(Err(e)) => {
                log::warn!("frame {frame}: {e}; statistics ignored");
                None
            }
            None => None,
        };
        if self.contexts.get(frame).is_none() {
            log::warn!("process_stats({frame}): frame context lost, using the latest state");
            self.contexts.alloc(frame, &self.latest);
        }
        let fc = self.contexts.get(frame).expect("allocated above");
        fc.sensor = SensorFrame { exposure_lines: applied.exposure_lines, gain: s.helper.gain(applied.gain_code), vblank: applied.vblank };
        for a in &mut self.algorithms {
            a.process(s, fc, parsed.as_ref(), &mut md, &mut self.latest, &self.processed);
        }
        self.processed = *fc;
        // The newest AGC decision drives the sensor (not the one prepared for this frame).
        let agc = self.latest.agc.decision;
        let cmd = SensorSettings { exposure_lines: agc.exposure_lines, gain_code: s.helper.gain_code(agc.gain, s.controls.analogue_gain), vblank: agc.vblank };
        self.command = Some(cmd);
        (md, Some(cmd))
    }
}

/// Produce an empty but valid params buffer (no block changes anything).
pub fn empty_params(buf: &mut [u8], format: ParamFormat) -> usize {
    match ParamsWriter::new(buf, format, 0) {
        Ok(w) => w.finish(),
        Err(_) => 0,
    }
}
