//! The interface every algorithm implements. Algorithms exchange data only through the
//! typed statuses of the frame context, and declare which ones they read and write
//! ([`Algorithm::contract`]) so that the IPA can refuse an order that breaks them.

use crate::abi::{ParamsError, ParamsWriter, Stats};
use crate::context::{FrameContext, Session};
use crate::controls::{ControlInfo, Metadata, RequestControls};
use crate::status::Access;

pub trait Algorithm: Send {
    fn name(&self) -> &'static str;
    /// The statuses this algorithm reads and writes, and when.
    fn contract(&self) -> &'static [Access];
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
    /// the template for frames queued from now on; `previous` is the frame processed
    /// before this one, as its processing left it.
    fn process(
        &mut self,
        _s: &Session,
        _fc: &mut FrameContext,
        _stats: Option<&Stats>,
        _md: &mut Metadata,
        _latest: &mut FrameContext,
        _previous: &FrameContext,
    ) {
    }
}
