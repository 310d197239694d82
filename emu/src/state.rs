//! What the kernel keeps between processes: a media graph's link states, the subdevices'
//! active formats and crops, the video nodes' formats, the sensor's mode and control values.
//! The emulator lives in one process, so a sequence of tools (`media-ctl` sets links and
//! formats, `v4l2-ctl` then streams) would each see a freshly probed device. With
//! `RKISP1_EMU_STATE=FILE` the emulator loads that state from FILE when it starts (if the
//! file exists) and writes it back when the process exits.

use crate::device::Emu;
use crate::subdevs::PadState;
use crate::uapi::{V4l2MbusFramefmt, V4l2PixFormatMplane, V4l2Rect};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct MediaState {
    links: Vec<u32>,
    /// Per entity, per pad: the format and the crop, as the UAPI structures' bytes.
    pads: Vec<Vec<(Vec<u8>, Vec<u8>)>>,
    captures: Vec<Vec<u8>>,
    sensor_mode: usize,
    /// (id, min, max, default, value): ranges move with the mode and VBLANK.
    sensor_controls: Vec<(u32, i64, i64, i64, i64)>,
    lens_controls: Vec<(u32, i64)>,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct State {
    kernel: String,
    medias: Vec<MediaState>,
}

fn capture(emu: &Emu) -> State {
    let medias = emu
        .medias
        .iter()
        .map(|m| MediaState {
            links: m.graph.links.iter().map(|l| l.flags).collect(),
            pads: m.pads.iter().map(|ps| ps.iter().map(|p| (bytemuck::bytes_of(&p.fmt).to_vec(), bytemuck::bytes_of(&p.crop).to_vec())).collect()).collect(),
            captures: m.capture.iter().map(|c| bytemuck::bytes_of(&c.fmt).to_vec()).collect(),
            sensor_mode: m.sensor.mode,
            sensor_controls: m.sensor.controls.iter().map(|c| (c.id, c.min, c.max, c.def, c.value)).collect(),
            lens_controls: m.lens.iter().flat_map(|l| l.iter().map(|c| (c.id, c.value))).collect(),
        })
        .collect();
    State { kernel: emu.cfg.kernel.name().to_string(), medias }
}

/// Writes the emulated devices' persistent state to `path`.
pub fn save(emu: &Emu, path: &Path) -> Result<()> {
    let text = serde_json::to_string(&capture(emu))?;
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Restores the state saved by `save` (nothing if `path` does not exist). Refuses a state
/// of the other kernel profile.
pub fn load(emu: &mut Emu, path: &Path) -> Result<()> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let s: State = serde_json::from_str(&text).with_context(|| format!("{}: not an emulator state", path.display()))?;
    if s.kernel != emu.cfg.kernel.name() || s.medias.len() != emu.medias.len() {
        bail!("{}: state of Linux {}, not of this profile (Linux {})", path.display(), s.kernel, emu.cfg.kernel.name());
    }
    for (m, st) in emu.medias.iter_mut().zip(&s.medias) {
        if st.links.len() != m.graph.links.len() || st.pads.len() != m.pads.len() || st.sensor_mode >= m.sensor.modes.len() {
            bail!("{}: the state does not match the emulated graph", path.display());
        }
        for (l, f) in m.graph.links.iter_mut().zip(&st.links) {
            l.flags = *f;
        }
        for (ps, sts) in m.pads.iter_mut().zip(&st.pads) {
            for (p, (f, c)) in ps.iter_mut().zip(sts) {
                *p = PadState {
                    fmt: bytemuck::try_pod_read_unaligned::<V4l2MbusFramefmt>(f).map_err(|e| anyhow::anyhow!("pad format: {e}"))?,
                    crop: bytemuck::try_pod_read_unaligned::<V4l2Rect>(c).map_err(|e| anyhow::anyhow!("pad crop: {e}"))?,
                };
            }
        }
        for (c, f) in m.capture.iter_mut().zip(&st.captures) {
            c.fmt = bytemuck::try_pod_read_unaligned::<V4l2PixFormatMplane>(f).map_err(|e| anyhow::anyhow!("capture format: {e}"))?;
        }
        m.sensor.mode = st.sensor_mode;
        for &(id, min, max, def, value) in &st.sensor_controls {
            if let Some(c) = m.sensor.controls.get_mut(id) {
                (c.min, c.max, c.def, c.value) = (min, max, def, value);
            }
        }
        if let Some(lens) = m.lens.as_mut() {
            for &(id, value) in &st.lens_controls {
                if let Some(c) = lens.get_mut(id) {
                    c.value = value;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn emu(kernel: &str) -> Emu {
        let k = kernel.to_string();
        Emu::new(Config::from_lookup(move |v| (v == "RKISP1_EMU_KERNEL").then(|| k.clone())).unwrap()).unwrap()
    }

    #[test]
    fn state_survives_a_new_process() {
        let path = std::env::temp_dir().join(format!("rkisp1-emu-state-{}.json", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let mut a = emu("6.1");
        // Nothing saved yet: a fresh device.
        load(&mut a, &path).unwrap();
        assert_eq!(capture(&a), capture(&emu("6.1")));
        // Change a link, a pad, the capture format, the sensor mode and a control.
        let m = &mut a.medias[0];
        let l = m.graph.links.iter().position(|l| l.flags & crate::uapi::MEDIA_LNK_FL_IMMUTABLE == 0).unwrap();
        m.graph.links[l].flags ^= crate::uapi::MEDIA_LNK_FL_ENABLED;
        m.pads[0][0].crop.width = 1048;
        m.capture[1].fmt.width = 1048;
        m.sensor.mode = m.sensor.modes.len() - 1;
        let id = m.sensor.controls.iter().find(|c| c.flags == 0 && c.max > c.min).unwrap().id;
        let c = m.sensor.controls.get_mut(id).unwrap();
        c.value = if c.value == c.min { c.max } else { c.min };
        save(&a, &path).unwrap();
        let mut b = emu("6.1");
        load(&mut b, &path).unwrap();
        assert_eq!(capture(&b), capture(&a));
        // Another profile's state is refused.
        assert!(load(&mut emu("6.12"), &path).is_err());
        std::fs::remove_file(&path).unwrap();
    }
}
