//! The image-processing algorithms, one per file. Each one reads plain data (statistics,
//! request controls, the frame context) and writes plain data (ISP blocks, metadata,
//! frame-context decisions). They run in tuning-file order.

use crate::abi::{ParamsError, ParamsWriter, Stats};
use crate::context::{FrameContext, Session};
use crate::controls::{ControlInfo, Metadata, RequestControls};
use crate::tuning::{Params, TuningError};

pub mod agc;
pub mod awb;
pub mod black_level_estimate;
pub mod blc;
pub mod ccm;
pub mod cproc;
pub mod dpcc;
pub mod dpf;
pub mod filter;
pub mod goc;
pub mod lsc;
pub mod lux;
pub mod zones;

pub trait Algorithm: Send {
    fn name(&self) -> &'static str;
    /// Called at every `configure()` with the new sensor mode.
    fn configure(&mut self, _s: &Session) {}
    /// Controls this algorithm adds to the camera's control map.
    fn controls(&self, _s: &Session, _out: &mut Vec<ControlInfo>) {}
    /// Called at `start()`: the hardware state is unknown again.
    fn start(&mut self) {}
    fn queue_request(&mut self, _s: &Session, _fc: &mut FrameContext, _c: &RequestControls) {}
    fn prepare(&mut self, _s: &Session, _fc: &mut FrameContext, _p: &mut ParamsWriter) -> Result<(), ParamsError> {
        Ok(())
    }
    /// Process the statistics of the frame `fc` describes. New decisions go into `latest`,
    /// the template for frames queued from now on.
    fn process(&mut self, _s: &Session, _fc: &mut FrameContext, _stats: Option<&Stats>, _md: &mut Metadata, _latest: &mut FrameContext) {}
    /// Lens-shading colours per AWB zone, from the algorithm that owns the LSC tables.
    fn zone_shading(&self) -> Option<zones::SharedZoneShading> {
        None
    }
}

/// Create an algorithm by its libcamera tuning name. `Ok(None)` for names we know about
/// but do not implement yet (logged), an error for unknown names.
pub fn create(name: &str, p: &Params, s: &crate::ipa::InitInfo) -> Result<Option<Box<dyn Algorithm>>, TuningError> {
    Ok(Some(match name {
        "Agc" => Box::new(agc::Agc::from_tuning(p, s)?),
        "Awb" => Box::new(awb::Awb::from_tuning(p)?),
        "BlackLevelCorrection" => Box::new(blc::BlackLevelCorrection::from_tuning(p)?),
        "Ccm" => Box::new(ccm::Ccm::from_tuning(p)?),
        "GammaOutCorrection" => Box::new(goc::GammaOutCorrection::from_tuning(p, s)?),
        "LensShadingCorrection" => Box::new(lsc::LensShadingCorrection::from_tuning(p)?),
        "ColorProcessing" => Box::new(cproc::ColorProcessing::from_tuning(p)?),
        "Lux" => Box::new(lux::Lux::from_tuning(p)?),
        "Dpf" => Box::new(dpf::Dpf::from_tuning(p)?),
        "Filter" => Box::new(filter::Filter::from_tuning(p)?),
        "DefectPixelClusterCorrection" => Box::new(dpcc::DefectPixelClusterCorrection::from_tuning(p)?),
        // Upstream algorithms that later issues implement; accepted so that upstream
        // tuning files load unchanged.
        "GammaSensorLinearization" | "Compress" | "WideDynamicRange" => {
            log::info!("{}: algorithm '{name}' is not implemented yet and is skipped", p.error("", "").file);
            return Ok(None);
        }
        _ => return Err(p.error("-", format!("unknown algorithm '{name}'"))),
    }))
}
