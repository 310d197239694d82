//! The camera sensor subdevices as their drivers present them on the PinePhone Pro
//! (kernel-rkisp1.md §4–6): modes, the bus code (following the flips on the reworked
//! imx258), selection rectangles, controls with the drivers' ranges and the side effects
//! of VBLANK and mode changes, and the frame from which each written control takes effect
//! (the sensors' exposure and gain delays of the `sim` sensor models).

use crate::controls::{Control, Controls};
use crate::graph::SensorKind;
use crate::profile::Kernel;
use crate::uapi::{self, cid, errno::*, mbus, V4l2MbusFramefmt, V4l2Rect};
use rkisp1_sim::sensor::SensorModel;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Mode {
    pub width: u32,
    pub height: u32,
    pub pixel_rate: u64,
    pub hblank: u32,
    pub vblank_min: u32,
    pub vblank_max: u32,
    /// Index in the LINK_FREQ menu.
    pub link: i64,
}

/// Sensor values in effect for one frame.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Applied {
    pub exposure: i64,
    pub gain_code: i64,
    pub vblank: i64,
}

pub struct Sensor {
    pub kind: SensorKind,
    pub kernel: Kernel,
    pub model: SensorModel,
    pub modes: Vec<Mode>,
    pub mode: usize,
    pub controls: Controls,
    /// Frame of the last frame start while streaming (-1: started, no frame yet).
    last_sof: Option<i64>,
    /// (first frame, control, value) of the delayed controls since streaming started.
    history: Vec<(i64, u32, i64)>,
    /// Fault injection: the control writes while streaming (counted from 1) that fail.
    pub fail_writes: Vec<u64>,
    streaming_writes: u64,
}

/// Controls whose writes take effect some frames later, with their delay.
fn delay(model: &SensorModel, id: u32) -> Option<i64> {
    match id {
        cid::EXPOSURE | cid::VBLANK => Some(model.delays.0 as i64),
        cid::ANALOGUE_GAIN => Some(model.delays.1 as i64),
        _ => None,
    }
}

impl Sensor {
    pub fn new(kind: SensorKind, kernel: Kernel) -> Sensor {
        let model = match kind {
            SensorKind::Imx258 => SensorModel::imx258(),
            SensorKind::Ov8858 => SensorModel::ov8858(),
        };
        let mut modes: Vec<Mode> = model
            .modes
            .iter()
            .map(|m| Mode {
                width: m.width,
                height: m.height,
                pixel_rate: m.pixel_rate,
                hblank: m.hblank,
                vblank_min: m.vblank_min,
                vblank_max: m.vblank_max,
                link: (kind == SensorKind::Imx258 && m.pixel_rate < 500_000_000) as i64,
            })
            .collect();
        if kind == SensorKind::Imx258 && !kernel.new_imx258() {
            // The old driver: full mode 3118 lines (frame length 3152), 19.2 MHz-era link
            // frequencies 633.6 / 320 MHz.
            modes[0].height = 3118;
            modes[0].vblank_min = 3152 - 3118;
            modes[0].vblank_max = 65525 - 3118;
            modes[0].pixel_rate = 506_880_000;
            for m in &mut modes[1..] {
                m.pixel_rate = 256_000_000;
            }
        }
        let m0 = modes[0];
        let fl = (m0.height + m0.vblank_min) as i64;
        let controls = match kind {
            SensorKind::Imx258 => {
                let (links, gain_max) = if kernel.new_imx258() { (vec![636_000_000, 321_000_000], 480) } else { (vec![633_600_000, 320_000_000], 0x1fff) };
                let mut c = vec![
                    Control::int(cid::EXPOSURE, "Exposure", 4, 65515, 1600),
                    Control::int(cid::VBLANK, "Vertical Blanking", m0.vblank_min as i64, m0.vblank_max as i64, m0.vblank_min as i64),
                    Control::int(cid::HBLANK, "Horizontal Blanking", m0.hblank as i64, m0.hblank as i64, m0.hblank as i64).read_only(),
                    Control::int(cid::ANALOGUE_GAIN, "Analogue Gain", 0, gain_max, 0),
                    Control::int(cid::DIGITAL_GAIN, "Digital Gain", 0, 4096, 1024),
                    Control::int_menu(cid::LINK_FREQ, "Link Frequency", links, 0).read_only(),
                    Control::int64(cid::PIXEL_RATE, "Pixel Rate", m0.pixel_rate as i64),
                    Control::menu(
                        cid::TEST_PATTERN,
                        "Test Pattern",
                        vec!["Disabled", "Solid Colour", "Eight Vertical Colour Bars", "Colour Bars With Fade to Grey", "Pseudorandom Sequence (PN9)"],
                        0,
                    ),
                    orientation(kind),
                    rotation(kind),
                ];
                if kernel.new_imx258() {
                    c.push(Control::boolean(cid::HFLIP, "Horizontal Flip", true).with_flags(uapi::V4L2_CTRL_FLAG_MODIFY_LAYOUT));
                    c.push(Control::boolean(cid::VFLIP, "Vertical Flip", true).with_flags(uapi::V4L2_CTRL_FLAG_MODIFY_LAYOUT));
                    c.push(Control::boolean(cid::WIDE_DYNAMIC_RANGE, "Wide Dynamic Range", false));
                }
                c
            }
            SensorKind::Ov8858 => vec![
                Control::int(cid::EXPOSURE, "Exposure", 4, fl - 4, 2464),
                Control::int(cid::VBLANK, "Vertical Blanking", m0.vblank_min as i64, m0.vblank_max as i64, m0.vblank_min as i64),
                Control::int(cid::HBLANK, "Horizontal Blanking", m0.hblank as i64, m0.hblank as i64, m0.hblank as i64).read_only(),
                Control::int(cid::ANALOGUE_GAIN, "Analogue Gain", 0, 2047, 128),
                Control::int(cid::DIGITAL_GAIN, "Digital Gain", 0, 16383, 512),
                Control::int_menu(cid::LINK_FREQ, "Link Frequency", vec![360_000_000], 0).read_only(),
                Control { min: 0, ..Control::int64(cid::PIXEL_RATE, "Pixel Rate", 288_000_000) },
                Control::menu(
                    cid::TEST_PATTERN,
                    "Test Pattern",
                    vec!["Disabled", "Vertical Color Bar Type 1", "Vertical Color Bar Type 2", "Vertical Color Bar Type 3", "Vertical Color Bar Type 4"],
                    0,
                ),
                orientation(kind),
                rotation(kind),
            ],
        };
        Sensor {
            kind,
            kernel,
            model,
            modes,
            mode: 0,
            controls: Controls::new(controls),
            last_sof: None,
            history: vec![],
            fail_writes: vec![],
            streaming_writes: 0,
        }
    }

    pub fn current_mode(&self) -> Mode {
        self.modes[self.mode]
    }

    /// The bus code: fixed GRBG on the old imx258 and BGGR on the ov8858; on the reworked
    /// imx258 it follows the flips.
    pub fn code(&self) -> u32 {
        match (self.kind, self.kernel.new_imx258()) {
            (SensorKind::Ov8858, _) => mbus::SBGGR10,
            (SensorKind::Imx258, false) => mbus::SGRBG10,
            (SensorKind::Imx258, true) => {
                let h = self.controls.value(cid::HFLIP).unwrap_or(0) != 0;
                let v = self.controls.value(cid::VFLIP).unwrap_or(0) != 0;
                match (h, v) {
                    (false, false) => mbus::SRGGB10,
                    (true, false) => mbus::SGRBG10,
                    (false, true) => mbus::SGBRG10,
                    (true, true) => mbus::SBGGR10,
                }
            }
        }
    }

    fn fmt_of(&self, m: &Mode) -> V4l2MbusFramefmt {
        let raw = self.kind == SensorKind::Imx258;
        V4l2MbusFramefmt {
            width: m.width,
            height: m.height,
            code: self.code(),
            field: uapi::V4L2_FIELD_NONE,
            colorspace: if raw { uapi::V4L2_COLORSPACE_RAW } else { 0 },
            ycbcr_enc: if raw { uapi::V4L2_YCBCR_ENC_601 } else { 0 },
            quantization: if raw { uapi::V4L2_QUANTIZATION_FULL_RANGE } else { 0 },
            xfer_func: if raw { uapi::V4L2_XFER_FUNC_NONE } else { 0 },
            ..Default::default()
        }
    }

    pub fn format(&self) -> V4l2MbusFramefmt {
        self.fmt_of(&self.modes[self.mode])
    }

    /// The mode nearest to a requested size (least |dw| + |dh|, the first on a tie).
    pub fn nearest(&self, w: u32, h: u32) -> usize {
        let err = |m: &Mode| (m.width as i64 - w as i64).abs() + (m.height as i64 - h as i64).abs();
        (0..self.modes.len()).min_by_key(|&i| err(&self.modes[i])).unwrap()
    }

    /// SET_FMT: the nearest mode; `active` switches to it and updates the blanking, pixel
    /// rate, link frequency and exposure ranges.
    pub fn set_format(&mut self, f: &mut V4l2MbusFramefmt, active: bool, streaming: bool) -> Result<(), i32> {
        let i = self.nearest(f.width, f.height);
        *f = self.fmt_of(&self.modes[i]);
        if !active {
            return Ok(());
        }
        if streaming && i != self.mode {
            return Err(EBUSY);
        }
        self.mode = i;
        let m = self.modes[i];
        let c = &mut self.controls;
        c.get_mut(cid::HBLANK).unwrap().modify_range(m.hblank as i64, m.hblank as i64, m.hblank as i64);
        c.get_mut(cid::PIXEL_RATE).unwrap().modify_range(
            if self.kind == SensorKind::Ov8858 { 0 } else { m.pixel_rate as i64 },
            m.pixel_rate as i64,
            m.pixel_rate as i64,
        );
        c.store(cid::PIXEL_RATE, m.pixel_rate as i64);
        c.store(cid::LINK_FREQ, m.link);
        let vb = c.get_mut(cid::VBLANK).unwrap();
        vb.modify_range(m.vblank_min as i64, m.vblank_max as i64, m.vblank_min as i64);
        if self.kind == SensorKind::Imx258 {
            // The imx258 driver also resets VBLANK to the mode's default; the ov8858 only
            // moves the range.
            vb.value = m.vblank_min as i64;
            self.exposure_range();
        }
        Ok(())
    }

    /// The exposure range for the current mode and VBLANK (frame length minus the margin).
    fn exposure_range(&mut self) {
        let m = self.modes[self.mode];
        let vblank = self.controls.value(cid::VBLANK).unwrap();
        let max = m.height as i64 + vblank - self.model.exposure_margin as i64;
        let e = self.controls.get_mut(cid::EXPOSURE).unwrap();
        let def = e.def.min(max);
        e.modify_range(e.min, max, def);
    }

    /// Selection targets of pad 0 (only the reworked imx258 implements them).
    pub fn selection(&self, target: u32) -> Result<V4l2Rect, i32> {
        if self.kind != SensorKind::Imx258 || !self.kernel.new_imx258() {
            return Err(ENOTTY);
        }
        match target {
            uapi::V4L2_SEL_TGT_CROP | uapi::V4L2_SEL_TGT_CROP_DEFAULT | uapi::V4L2_SEL_TGT_CROP_BOUNDS => {
                Ok(V4l2Rect { left: 8, top: 16, width: 4208, height: 3120 })
            }
            uapi::V4L2_SEL_TGT_NATIVE_SIZE => Ok(V4l2Rect { left: 0, top: 0, width: 4224, height: 3192 }),
            _ => Err(EINVAL),
        }
    }

    /// Writes a set of controls as S_EXT_CTRLS does: all are checked first (and integers
    /// clamped to their ranges at that moment), then stored in order. Returns the index
    /// of the failing control with its errno.
    pub fn write_controls(&mut self, vals: &[(u32, i64)], streaming: bool) -> Result<(), (usize, i32)> {
        if streaming {
            self.streaming_writes += 1;
            if self.fail_writes.contains(&self.streaming_writes) {
                // A failed I2C transfer in the driver's s_ctrl: EIO, nothing applied,
                // error_idx = count (the failure is not in validation).
                log::warn!(
                    "fault injected: {:?} control write {} while streaming ({}) fails with EIO",
                    self.kind,
                    self.streaming_writes,
                    vals.iter().map(|(id, v)| format!("0x{id:08x}={v}")).collect::<Vec<_>>().join(" ")
                );
                return Err((vals.len(), EIO));
            }
        }
        let mut checked = Vec::with_capacity(vals.len());
        for (i, (id, v)) in vals.iter().enumerate() {
            checked.push((*id, self.controls.check_write(*id, *v).map_err(|e| (i, e))?));
        }
        log::debug!(
            "{:?}: write {:?} (streaming {streaming}, last frame start {:?})",
            self.kind,
            checked.iter().map(|(id, v)| format!("0x{id:08x}={v}")).collect::<Vec<_>>(),
            self.last_sof
        );
        let mut touched = vec![];
        for (id, v) in checked {
            self.controls.store(id, v);
            touched.push(id);
            if id == cid::VBLANK {
                // The driver moves the exposure range, which may clamp the exposure.
                self.exposure_range();
                touched.push(cid::EXPOSURE);
            }
        }
        if streaming {
            for id in [cid::EXPOSURE, cid::ANALOGUE_GAIN, cid::VBLANK] {
                if touched.contains(&id) {
                    let at = self.last_sof.unwrap_or(-1) + delay(&self.model, id).unwrap();
                    self.history.push((at.max(0), id, self.controls.value(id).unwrap()));
                }
            }
        }
        Ok(())
    }

    pub fn stream_on(&mut self) {
        self.last_sof = Some(-1);
        let now = |id| self.controls.value(id).unwrap();
        self.history = vec![(0, cid::EXPOSURE, now(cid::EXPOSURE)), (0, cid::ANALOGUE_GAIN, now(cid::ANALOGUE_GAIN)), (0, cid::VBLANK, now(cid::VBLANK))];
    }

    pub fn stream_off(&mut self) {
        self.last_sof = None;
    }

    pub fn streaming(&self) -> bool {
        self.last_sof.is_some()
    }

    pub fn frame_start(&mut self, frame: i64) {
        self.last_sof = Some(frame);
        // Entries superseded before this frame are no longer needed.
        for id in [cid::EXPOSURE, cid::ANALOGUE_GAIN, cid::VBLANK] {
            if let Some(keep) = self.history.iter().filter(|h| h.1 == id && h.0 <= frame).map(|h| h.0).max() {
                self.history.retain(|h| h.1 != id || h.0 >= keep);
            }
        }
    }

    /// The sensor values in effect for `frame`.
    pub fn applied(&self, frame: i64) -> Applied {
        let at = |id: u32| {
            self.history.iter().filter(|h| h.1 == id && h.0 <= frame).max_by_key(|h| h.0).map(|h| h.2).unwrap_or_else(|| self.controls.value(id).unwrap())
        };
        Applied { exposure: at(cid::EXPOSURE), gain_code: at(cid::ANALOGUE_GAIN), vblank: at(cid::VBLANK) }
    }

    /// Line time (s) and frame time (s) of the current mode with a VBLANK.
    pub fn timing(&self, vblank: i64) -> (f64, f64) {
        let m = self.current_mode();
        let line = (m.width + m.hblank) as f64 / m.pixel_rate as f64;
        (line, line * (m.height as i64 + vblank) as f64)
    }
}

/// V4L2_CID_CAMERA_ORIENTATION from the DT node, as `v4l2_ctrl_new_fwnode_properties()`
/// creates it: a read-only standard menu 0..EXTERNAL whose default is the DT value.
fn orientation(kind: SensorKind) -> Control {
    let v = kind.dt_properties().orientation as i64;
    Control::menu(cid::CAMERA_ORIENTATION, "Camera Orientation", vec!["Front", "Back", "External"], v).read_only()
}

/// V4L2_CID_CAMERA_SENSOR_ROTATION from the DT node: `v4l2_ctrl_new_std(…, rotation,
/// rotation, 1, rotation)`, i.e. minimum = maximum = default, read-only.
fn rotation(kind: SensorKind) -> Control {
    let r = kind.dt_properties().rotation as i64;
    Control::int(cid::CAMERA_SENSOR_ROTATION, "Camera Sensor Rotation", r, r, r).read_only()
}

/// The lens (dw9714 voice coil) subdevice's controls.
pub fn lens_controls() -> Controls {
    Controls::new(vec![Control::int(cid::FOCUS_ABSOLUTE, "Focus, Absolute", 0, 1023, 0)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imx258_code_follows_the_flips_on_6_12_only() {
        let mut s = Sensor::new(SensorKind::Imx258, Kernel::V6_12);
        assert_eq!(s.code(), mbus::SBGGR10);
        s.write_controls(&[(cid::HFLIP, 0), (cid::VFLIP, 0)], false).unwrap();
        assert_eq!(s.code(), mbus::SRGGB10);
        let old = Sensor::new(SensorKind::Imx258, Kernel::V6_1);
        assert_eq!((old.code(), old.format().height), (mbus::SGRBG10, 3118));
        assert!(old.controls.get(cid::HFLIP).is_none());
        assert_eq!(old.selection(uapi::V4L2_SEL_TGT_CROP), Err(ENOTTY));
    }

    #[test]
    fn mode_changes_move_the_blanking_and_exposure_ranges() {
        let mut s = Sensor::new(SensorKind::Imx258, Kernel::V6_12);
        let mut f = V4l2MbusFramefmt { width: 1920, height: 1080, ..Default::default() };
        s.set_format(&mut f, true, false).unwrap();
        assert_eq!((f.width, f.height), (2104, 1560));
        assert_eq!(s.controls.value(cid::HBLANK), Some(3248));
        assert_eq!(s.controls.value(cid::PIXEL_RATE), Some(256_800_000));
        assert_eq!(s.controls.get(cid::EXPOSURE).unwrap().max, 1560 + 32 - 10);
        s.write_controls(&[(cid::VBLANK, 1000)], false).unwrap();
        assert_eq!(s.controls.get(cid::EXPOSURE).unwrap().max, 1560 + 1000 - 10);
        s.write_controls(&[(cid::EXPOSURE, 2500)], false).unwrap();
        s.write_controls(&[(cid::VBLANK, 32)], false).unwrap();
        assert_eq!(s.controls.value(cid::EXPOSURE), Some(1582), "VBLANK clamps the exposure");
    }

    #[test]
    fn writes_take_effect_after_the_sensor_delays() {
        let mut s = Sensor::new(SensorKind::Ov8858, Kernel::V6_12);
        s.stream_on();
        let e0 = s.applied(0).exposure;
        s.frame_start(0);
        s.frame_start(1);
        s.write_controls(&[(cid::EXPOSURE, 1000), (cid::ANALOGUE_GAIN, 256)], true).unwrap();
        assert_eq!(s.applied(2), Applied { exposure: e0, gain_code: 256, vblank: 24 }, "gain after one frame");
        assert_eq!(s.applied(3).exposure, 1000, "exposure after two");
        assert_eq!(s.applied(1).gain_code, 128);
    }

    #[test]
    fn injected_write_fault_fails_that_write_only() {
        let mut s = Sensor::new(SensorKind::Imx258, Kernel::V6_1);
        s.fail_writes = vec![2];
        // Writes before streaming are not counted.
        s.write_controls(&[(cid::EXPOSURE, 800)], false).unwrap();
        s.stream_on();
        s.write_controls(&[(cid::EXPOSURE, 1000)], true).unwrap();
        assert_eq!(s.write_controls(&[(cid::EXPOSURE, 900), (cid::ANALOGUE_GAIN, 100)], true), Err((2, EIO)));
        assert_eq!(s.controls.value(cid::EXPOSURE), Some(1000), "nothing applied");
        s.write_controls(&[(cid::EXPOSURE, 900)], true).unwrap();
        assert_eq!(s.controls.value(cid::EXPOSURE), Some(900));
    }
}
