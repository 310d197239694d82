//! How the kernel treats formats along the rkisp1 graph: what each pad makes of a
//! requested format or crop (clamping, alignment, forced codes), and the checks STREAMON
//! runs on every link (kernel-rkisp1.md §2.2–2.5). The fake device applies these rules, the
//! propagation test pushes every plan through them, and `doctor` explains their failures.

use crate::graph::{Instance, Limits, Path, Size};
use crate::mbus;
use crate::topology::{Direction, PadFormat, Rect};

/// A capture node's format: V4L2 fourcc and size.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VideoFormat {
    pub fourcc: String,
    pub width: u32,
    pub height: u32,
}

/// The media bus code a capture pixel format needs on the link into the capture node
/// (`rkisp1-capture.c` link validation: YUYV8_2X8 for 4:2:2, YUYV8_1_5X8 for 4:2:0, the
/// Bayer code for raw). None: not a format of that path.
pub fn capture_code(path: Path, fourcc: &str) -> Option<String> {
    let yuv422 = ["YUYV", "422P", "NV16", "NV61", "YM61", "GREY"];
    let yuv420 = ["NV12", "NV21", "NM12", "NM21", "YU12", "YV12"];
    if yuv422.contains(&fourcc) || (path == Path::SelfPath && ["XR24", "RGBP"].contains(&fourcc)) {
        return Some("YUYV8_2X8".into());
    }
    if yuv420.contains(&fourcc) {
        return Some("YUYV8_1_5X8".into());
    }
    if path == Path::Main {
        return raw_fourccs().into_iter().find(|(f, _)| *f == fourcc).map(|(_, c)| c);
    }
    None
}

/// (fourcc, Bayer code) of the raw capture formats (10 and 12 bits land in 16-bit words).
pub fn raw_fourccs() -> Vec<(&'static str, String)> {
    use mbus::BayerOrder::*;
    let mut v = Vec::new();
    for (bits, names) in [(8, ["RGGB", "GRBG", "GBRG", "BA81"]), (10, ["RG10", "BA10", "GB10", "BG10"]), (12, ["RG12", "BA12", "GB12", "BG12"])] {
        for (o, f) in [Rggb, Grbg, Gbrg, Bggr].into_iter().zip(names) {
            v.push((f, mbus::bayer_code(o, bits)));
        }
    }
    v
}

/// The raw capture fourcc for a Bayer code.
pub fn raw_fourcc(code: &str) -> Option<&'static str> {
    raw_fourccs().into_iter().find(|(_, c)| c == code).map(|(f, _)| f)
}

fn clamp_size(s: Size, min: Size, max: Size) -> Size {
    Size::new(s.width.clamp(min.width, max.width), s.height.clamp(min.height, max.height))
}

fn fmt(code: &str, s: Size) -> PadFormat {
    PadFormat { code: code.into(), width: s.width, height: s.height, field: Some("none".into()), ..Default::default() }
}

/// A sink format whose crop (and crop bounds) is the whole frame, as after a set_fmt.
fn with_full_crop(mut f: PadFormat) -> PadFormat {
    let full = Rect { x: 0, y: 0, width: f.width, height: f.height };
    f.crop_bounds = Some(full);
    f.crop = Some(full);
    f
}

/// The CSI receiver (≥ 6.3) and the ISP sink: Bayer or YUV codes, size within the ISP
/// input limits. The sink crop resets to the whole frame.
pub fn isp_sink(limits: &Limits, code: &str, s: Size) -> PadFormat {
    let code = if mbus::is_bayer(code) || mbus::is_yuv_input(code) { code } else { "SRGGB10_1X10" };
    let size = clamp_size(s, limits.isp_min, limits.isp_max);
    with_full_crop(fmt(code, size))
}

/// The ISP's crop rule (sink crop inside the sink format, source crop inside the sink
/// crop): left and width even, inside the bounds, at least 32x32.
pub fn isp_crop(bounds: Rect, want: Rect) -> Rect {
    let even = |v: i64| v & !1;
    let max_w = bounds.width as i64;
    let max_h = bounds.height as i64;
    let x = even((want.x as i64 - bounds.x as i64).clamp(0, (max_w - 32).max(0)));
    let y = (want.y as i64 - bounds.y as i64).clamp(0, (max_h - 32).max(0));
    let w = even((want.width as i64).clamp(32, max_w - x));
    let h = (want.height as i64).clamp(32, max_h - y);
    Rect { x: bounds.x + x as i32, y: bounds.y + y as i32, width: w as u32, height: h as u32 }
}

/// The ISP source: YUYV8_2X8 (processed) or the sink's Bayer code (raw bypass); its size is
/// always its crop.
pub fn isp_source(sink: &PadFormat, code: &str, crop: Rect) -> PadFormat {
    let sink_crop = sink.crop.unwrap_or(Rect { x: 0, y: 0, width: sink.width, height: sink.height });
    let crop = isp_crop(sink_crop, crop);
    let code = if mbus::is_bayer(&sink.code) && code == sink.code { code } else { "YUYV8_2X8" };
    let mut f = fmt(code, Size::new(crop.width, crop.height));
    f.crop_bounds = Some(sink_crop);
    f.crop = Some(crop);
    f
}

/// A resizer sink: the self path forces YUYV8_2X8; the main path also passes Bayer
/// through (then no crop). Size within the main path's limits.
pub fn resizer_sink(limits: &Limits, path: Path, code: &str, s: Size) -> PadFormat {
    let code = match (path, code) {
        (Path::Main, c) if mbus::is_bayer(c) => c,
        _ => "YUYV8_2X8",
    };
    let size = clamp_size(s, limits.resizer_min, limits.main_max);
    with_full_crop(fmt(code, size))
}

/// Resizer sink crop: inside the sink format; none for Bayer pass-through.
pub fn resizer_crop(sink: &PadFormat, want: Rect) -> Rect {
    let full = Rect { x: 0, y: 0, width: sink.width, height: sink.height };
    if mbus::is_bayer(&sink.code) {
        return full;
    }
    let x = want.x.clamp(0, sink.width.saturating_sub(32) as i32);
    let y = want.y.clamp(0, sink.height.saturating_sub(16) as i32);
    let w = want.width.clamp(32, sink.width - x as u32);
    let h = want.height.clamp(16, sink.height - y as u32);
    Rect { x, y, width: w, height: h }
}

/// A resizer source: YUYV8_2X8 or YUYV8_1_5X8 at any size within its path's limits;
/// Bayer passes through at the sink size.
pub fn resizer_source(limits: &Limits, path: Path, sink: &PadFormat, code: &str, s: Size) -> PadFormat {
    if mbus::is_bayer(&sink.code) {
        return fmt(&sink.code, Size::new(sink.width, sink.height));
    }
    let code = if code == "YUYV8_1_5X8" { code } else { "YUYV8_2X8" };
    fmt(code, clamp_size(s, limits.resizer_min, path_max(limits, path)))
}

pub fn path_max(limits: &Limits, path: Path) -> Size {
    [limits.main_max, limits.self_max][path.index()]
}

/// A capture node: a format of its path (else the path's default) within its limits.
pub fn capture(limits: &Limits, path: Path, f: &VideoFormat) -> VideoFormat {
    let fourcc = if capture_code(path, &f.fourcc).is_some() { f.fourcc.clone() } else { "YUYV".into() };
    let s = clamp_size(Size::new(f.width, f.height), limits.resizer_min, path_max(limits, path));
    VideoFormat { fourcc, width: s.width, height: s.height }
}

/// One reason STREAMON would fail (or the picture would be wrong), with the fix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// "error": STREAMON fails; "warning": it streams, but not as it should.
    pub severity: &'static str,
    /// The pad or link, in media-ctl syntax.
    pub place: String,
    pub what: String,
    pub why: String,
    pub fix: String,
}

fn link_name(a: &str, ap: u32, b: &str, bp: u32) -> String {
    format!("'{a}':{ap} -> '{b}':{bp}")
}

/// How to get a sensor's output under the ISP input maximum.
fn mode_fix(inst: &Instance, sensor: &str) -> String {
    let s = inst.sensors.iter().find(|s| s.entity == sensor);
    let fitting =
        s.and_then(|s| s.info.modes.iter().filter(|m| Size::new(m.width, m.height).fits(inst.limits.isp_max)).max_by_key(|m| m.width as u64 * m.height as u64));
    match fitting {
        Some(m) => format!(
            "use a sensor mode that fits the ISP ({}/{}x{}), e.g. `rkisp1-setup apply --camera '{sensor}' --size {}x{}`; or run a kernel with the RK3399 limit of 4416x3312 (>= 6.12)",
            m.code, m.width, m.height, m.width, m.height - m.bad_bottom_rows
        ),
        None => "use a smaller sensor mode, or a kernel with the RK3399 limit of 4416x3312 (>= 6.12)".into(),
    }
}

/// The formats along the enabled chain into each enabled capture node, checked like the
/// kernel does at STREAMON. `video`: the capture nodes' formats, where known.
pub fn validate(inst: &Instance, video: &dyn Fn(&str) -> Option<VideoFormat>) -> Vec<Problem> {
    let t = &inst.topology;
    let mut out = Vec::new();
    let fmt_of = |e: &str, p: u32| t.entity(e).and_then(|e| e.pad(p)).and_then(|p| p.format.clone());
    // The ISP sink needs exactly one enabled source (the sensor or the CSI receiver).
    let sink_links: Vec<_> = t.entity(&inst.isp).and_then(|e| e.pad(0)).map(|p| p.links.iter().filter(|l| l.enabled).cloned().collect()).unwrap_or_default();
    if sink_links.is_empty() {
        out.push(Problem {
            severity: "error",
            place: format!("'{}':0", inst.isp),
            what: "no enabled link into the ISP sink".into(),
            why: "the ISP needs one source at STREAMON (EPIPE otherwise)".into(),
            fix: "enable the sensor's link (rkisp1-setup apply, or media-ctl -l)".into(),
        });
    }
    // A sink holding more than the ISP takes (a dump from another kernel, or --isp-max).
    for e in [Some(&inst.isp), inst.csi.as_ref()].into_iter().flatten() {
        let Some(f) = fmt_of(e, 0) else { continue };
        if !Size::new(f.width, f.height).fits(inst.limits.isp_max) {
            let sensor = inst.sensors.first().map(|s| s.entity.clone()).unwrap_or_default();
            out.push(Problem {
                severity: "error",
                place: format!("'{e}':0"),
                what: format!("{}/{}x{} is above the ISP input maximum {}", f.code, f.width, f.height, inst.limits.isp_max),
                why: format!(
                    "the ISP accepts at most {} ({}); the sink clamps larger formats and the sensor link then fails validation at STREAMON (EPIPE)",
                    inst.limits.isp_max, inst.limits.isp_max_source
                ),
                fix: mode_fix(inst, &sensor),
            });
        }
    }
    // Subdev links: sensor → [csi →] isp → resizer; each enabled one must agree on code and size.
    let mut subdev_links = Vec::new();
    for e in &t.entities {
        if e.kind == "Node" {
            continue;
        }
        for p in e.pads.iter().filter(|p| p.direction == Direction::Source) {
            for l in p.links.iter().filter(|l| l.enabled) {
                if t.entity(&l.remote_entity).is_some_and(|r| r.kind != "Node") {
                    subdev_links.push((e.name.clone(), p.index, l.remote_entity.clone(), l.remote_pad));
                }
            }
        }
    }
    for (a, ap, b, bp) in subdev_links {
        let (Some(src), Some(dst)) = (fmt_of(&a, ap), fmt_of(&b, bp)) else {
            continue;
        };
        if src.code != dst.code || src.width != dst.width || src.height != dst.height {
            let mut why = "link validation at STREAMON requires equal code, width and height on both ends (EPIPE)".to_string();
            let mut fix = format!("set '{b}':{bp} to {}/{}x{}, or choose a source format the sink accepts", src.code, src.width, src.height);
            let src_size = Size::new(src.width, src.height);
            if b == inst.isp || Some(&b) == inst.csi.as_ref() {
                if !src_size.fits(inst.limits.isp_max) {
                    why = format!(
                        "the ISP input maximum is {} ({}), so the sink clamped {}x{} to {}x{}; link validation then fails with EPIPE",
                        inst.limits.isp_max, inst.limits.isp_max_source, src.width, src.height, dst.width, dst.height
                    );
                    fix = mode_fix(inst, &a);
                } else if src.code != dst.code {
                    why = format!("{why}; the codes differ ({} vs {}), e.g. after a flip changed the Bayer order", src.code, dst.code);
                }
            }
            out.push(Problem {
                severity: "error",
                place: link_name(&a, ap, &b, bp),
                what: format!("source {}/{}x{}, sink {}/{}x{}", src.code, src.width, src.height, dst.code, dst.width, dst.height),
                why,
                fix,
            });
        }
    }
    // Capture nodes: their pixel format and size must match what the link delivers.
    for path in [Path::Main, Path::SelfPath] {
        let Some(cap) = &inst.captures[path.index()] else {
            continue;
        };
        let Some(link) = t.entity(cap).and_then(|e| e.pad(0)).and_then(|p| p.links.first()).cloned() else {
            continue;
        };
        // Only paths whose ISP link is enabled stream.
        let feeding = match &inst.resizers[path.index()] {
            Some(r) => t.entity(r).and_then(|e| e.pad(0)).is_some_and(|p| p.links.iter().any(|l| l.enabled)),
            None => link.enabled,
        };
        if !feeding {
            continue;
        }
        let Some(vf) = video(cap) else { continue };
        let Some(src) = fmt_of(&link.remote_entity, link.remote_pad) else {
            continue;
        };
        let want = capture_code(path, &vf.fourcc);
        let scales = inst.resizers[path.index()].is_none();
        let size_ok = scales || (src.width == vf.width && src.height == vf.height);
        let code_ok = if scales { src.code == "YUYV8_2X8" || mbus::is_bayer(&src.code) } else { want.as_deref() == Some(src.code.as_str()) };
        if !size_ok || !code_ok {
            out.push(Problem {
                severity: "error",
                place: link_name(&link.remote_entity, link.remote_pad, cap, 0),
                what: format!(
                    "'{}':{} gives {}/{}x{}, the video node is set to {} {}x{} (needs {})",
                    link.remote_entity,
                    link.remote_pad,
                    src.code,
                    src.width,
                    src.height,
                    vf.fourcc,
                    vf.width,
                    vf.height,
                    want.as_deref().unwrap_or("a format this path does not have")
                ),
                why: "the capture node's link validation requires the resizer output to match its width, height and the code of its pixel format (EPIPE)"
                    .into(),
                fix: format!("set the video node to {}x{} with a matching pixel format, or the resizer source to the node's format", src.width, src.height),
            });
        }
    }
    // Old imx258 driver: the last rows are not image (see sensors::Driver::Imx258Old).
    for s in &inst.sensors {
        let Some(f) = fmt_of(&inst.isp, 0) else {
            continue;
        };
        let Some(m) = s.info.modes.iter().find(|m| m.bad_bottom_rows > 0 && m.width == f.width && m.height == f.height) else {
            continue;
        };
        let crop = f.crop.unwrap_or(Rect { x: 0, y: 0, width: f.width, height: f.height });
        if crop.y as u32 + crop.height > m.height - m.bad_bottom_rows {
            out.push(Problem {
                severity: "warning",
                place: format!("'{}':0 crop", inst.isp),
                what: format!("crop {crop} includes the last {} rows of the {}x{} mode", m.bad_bottom_rows, m.width, m.height),
                why: "this imx258 driver generation's modes end in rows that are not image (garbage lines at the bottom)".into(),
                fix: format!("crop the ISP sink to (0,0)/{}x{}", m.width, m.height - m.bad_bottom_rows),
            });
        }
    }
    out
}
