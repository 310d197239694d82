//! The image-processing algorithms, one per file. Each one reads plain data (statistics,
//! request controls, the frame context) and writes plain data (ISP blocks, metadata,
//! typed statuses in the frame context, see [`crate::status`]). They run in tuning-file
//! order, which must respect their contracts ([`Algorithm::contract`]).

use crate::abi::HwRevision;
use crate::status::InitStatus;
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
pub mod interface;
pub mod lsc;
pub mod lux;

pub use interface::Algorithm;

/// Create an algorithm by its libcamera tuning name for an ISP of revision `hw`; what it
/// publishes at creation goes into `published`. `Ok(None)` for names we know about but do
/// not implement yet (logged), an error for unknown names.
pub fn create(name: &str, p: &Params, hw: HwRevision, published: &mut InitStatus) -> Result<Option<Box<dyn Algorithm>>, TuningError> {
    Ok(Some(match name {
        "Agc" => Box::new(agc::Agc::from_tuning(p, hw)?),
        "Awb" => Box::new(awb::Awb::from_tuning(p)?),
        "BlackLevelCorrection" => Box::new(blc::BlackLevelCorrection::from_tuning(p)?),
        "Ccm" => Box::new(ccm::Ccm::from_tuning(p)?),
        "GammaOutCorrection" => Box::new(goc::GammaOutCorrection::from_tuning(p)?),
        "LensShadingCorrection" => {
            let lsc = lsc::LensShadingCorrection::from_tuning(p)?;
            published.zone_shading = Some(lsc.zone_shading());
            Box::new(lsc)
        }
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
