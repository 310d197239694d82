//! The emulator's record of what it did, for tests and people: one JSON object per line
//! (`RKISP1_EMU_REPORT`): a `stream` line when a capture path starts (format, crops, YCbCr
//! coding: everything needed to find the scene in the output) and a `frame` line per
//! frame (sensor values in effect, buffers completed or lost, render time).

use anyhow::{Context, Result};
use std::io::Write;
use std::path::Path;

pub struct Report {
    file: std::fs::File,
}

impl Report {
    pub fn create(path: &Path) -> Result<Report> {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path).with_context(|| format!("opening the report {}", path.display()))?;
        Ok(Report { file })
    }

    pub fn line(&mut self, v: &serde_json::Value) {
        if let Err(e) = writeln!(self.file, "{v}") {
            log::warn!("report: {e}");
        }
    }
}
