//! `rkisp1-setup`: plan, apply and diagnose the rkisp1 media graph of the PinePhone Pro
//! cameras. This first part reads media graphs (`media-ctl -p` text); planning, applying
//! and the doctor build on it.

pub mod topology;
