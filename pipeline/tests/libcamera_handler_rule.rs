//! The sensor mode `rkisp1-setup`'s planner picks against the one libcamera's rkisp1
//! pipeline handler picks once our patch series (pipeline/libcamera/) is applied, for every
//! PinePhone Pro sensor driver (imx258 before and from Linux 6.11, ov8858) × both ISP input
//! limits (4032x3024 before the per-SoC limits, RK3399's 4416x3312 after) × the requests
//! an application makes: the stream roles' defaults (StillCapture and Raw: the sensor's
//! resolution; Viewfinder: 1920x1080) and every sensor mode's own size, processed and raw,
//! on the main path.
//!
//! The handler's rule is modelled below from the patch (`HandlerModel`); the two must agree
//! except for the differences listed in `KNOWN_DIFFERENCES`, each with its reason, and those
//! must still differ (a list that no longer matches fails too). Prints the table with
//! `cargo test -p rkisp1-pipeline --test libcamera_handler_rule -- --nocapture`.

mod common;

use rkisp1_pipeline::graph::{Instance, Limits, Path, Size, ISP_MAX_OLD, ISP_MAX_RK3399};
use rkisp1_pipeline::plan::{self, OutputFormat, Request};
use rkisp1_pipeline::topology::parse;

/// The main path's output maximum (the handler's `maxResolution_` of the main path; the
/// kernel reports it through ENUM_FRAMESIZES, libcamera falls back to the same number).
const MAIN_MAX: Size = Size::new(4416, 3312);
/// The handler's default size for the Viewfinder and VideoRecording roles.
const PREVIEW: Size = Size::new(1920, 1080);
/// The main path's minimum output size.
const MAIN_MIN: Size = Size::new(32, 16);

/// libcamera's order of sizes (`operator<` on `Size`): smaller in both dimensions first,
/// larger in both last, otherwise by area, then by width.
fn libcamera_less(a: Size, b: Size) -> bool {
    if a.width < b.width && a.height < b.height {
        return true;
    }
    if a.width >= b.width && a.height >= b.height {
        return false;
    }
    if a.area() != b.area() {
        return a.area() < b.area();
    }
    a.width < b.width
}

fn bounded(a: Size, b: Size) -> Size {
    Size::new(a.width.min(b.width), a.height.min(b.height))
}

fn expanded(a: Size, b: Size) -> Size {
    Size::new(a.width.max(b.width), a.height.max(b.height))
}

/// `Size::boundedToAspectRatio`: the largest size within `a` with the aspect ratio of `r`.
fn bounded_to_aspect(a: Size, r: Size) -> Size {
    let w_from_h = a.height as u64 * r.width as u64 / r.height as u64;
    if w_from_h <= a.width as u64 {
        Size::new(w_from_h as u32, a.height)
    } else {
        Size::new(a.width, (a.width as u64 * r.height as u64 / r.width as u64) as u32)
    }
}

/// `Size::expandedToAspectRatio`: the smallest size around `a` with the aspect ratio of `r`.
fn expanded_to_aspect(a: Size, r: Size) -> Size {
    let w_from_h = a.height as u64 * r.width as u64 / r.height as u64;
    if w_from_h >= a.width as u64 {
        Size::new(w_from_h as u32, a.height)
    } else {
        Size::new(a.width, (a.width as u64 * r.height as u64 / r.width as u64) as u32)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    StillCapture,
    Raw,
    Viewfinder,
    /// A processed stream of this size.
    Processed(Size),
    /// A raw stream of this size.
    RawSize(Size),
}

impl Role {
    fn label(self) -> String {
        match self {
            Role::StillCapture => "role=still".into(),
            Role::Raw => "role=raw".into(),
            Role::Viewfinder => "role=viewfinder".into(),
            Role::Processed(s) => format!("NV12 {s}"),
            Role::RawSize(s) => format!("raw {s}"),
        }
    }
    fn is_raw(self) -> bool {
        matches!(self, Role::Raw | Role::RawSize(_))
    }
}

/// What the patched handler does for one stream on the main path, in the patch's terms
/// (src/libcamera/pipeline/rkisp1/ after pipeline/libcamera/0002):
/// * `maxSensorSize` = the main path maximum bounded by the ISP input limit read from the
///   kernel;
/// * `filterSensorResolution()` = the largest sensor size (libcamera's `Size` order) within
///   it; none = the path is rejected;
/// * `generateConfiguration()`: StillCapture and Raw ask for the sensor resolution,
///   Viewfinder for 1920x1080; a processed stream is bounded by the main path maximum cut
///   to the resolution's aspect ratio and by the resolution; a raw one by the resolution;
/// * `validate()`: a raw stream becomes the size `CameraSensor::getFormat()` finds for it;
///   the sensor format is `getFormat()` of the (largest) stream size with `maxSensorSize`,
///   falling back to the resolution only when it fits, else the configuration is invalid.
///
/// `CameraSensor::getFormat(size, maxSize)`: among the sensor sizes within `maxSize` and
/// at least `size` in both dimensions, the one whose aspect ratio is closest to the
/// request's (as f32, as libcamera computes it), ties going to the smallest area.
struct HandlerModel<'a> {
    modes: &'a [Size],
    max_sensor: Size,
}

impl<'a> HandlerModel<'a> {
    fn new(modes: &'a [Size], isp_limit: Size) -> Self {
        HandlerModel { modes, max_sensor: bounded(MAIN_MAX, isp_limit) }
    }

    fn resolution(&self) -> Option<Size> {
        self.modes.iter().copied().filter(|m| m.fits(self.max_sensor)).reduce(|a, b| if libcamera_less(a, b) { b } else { a })
    }

    fn get_format(&self, size: Size) -> Option<Size> {
        let want = size.width as f32 / size.height as f32;
        let mut best: Option<(f32, u64, Size)> = None;
        for &m in self.modes {
            if !m.fits(self.max_sensor) || !m.covers(size) {
                continue;
            }
            let diff = (m.width as f32 / m.height as f32 - want).abs();
            let area = m.area() - size.area();
            match best {
                Some((d, _, _)) if diff > d => {}
                Some((d, a, _)) if diff == d && area >= a => {}
                _ => best = Some((diff, area, m)),
            }
        }
        best.map(|b| b.2)
    }

    /// The sensor mode the handler configures, or why the configuration is rejected.
    fn choose(&self, role: Role) -> Result<Size, String> {
        let resolution = self.resolution().ok_or("no sensor size fits the ISP input")?;
        let full = self.modes.iter().copied().reduce(|a, b| if libcamera_less(a, b) { b } else { a }).unwrap();
        let asked = match role {
            Role::StillCapture | Role::Raw => full,
            Role::Viewfinder => PREVIEW,
            Role::Processed(s) | Role::RawSize(s) => s,
        };
        let stream = if role.is_raw() {
            self.get_format(bounded(asked, resolution)).ok_or("no raw size")?
        } else {
            let max = bounded(bounded_to_aspect(MAIN_MAX, resolution), resolution);
            expanded(bounded(asked, max), expanded_to_aspect(MAIN_MIN, resolution))
        };
        match self.get_format(stream) {
            Some(m) => Ok(m),
            None if full.fits(self.max_sensor) => Ok(full),
            None => Err(format!("Invalid: nothing within {}", self.max_sensor)),
        }
    }
}

/// Where the planner and the handler differ by design: (sensor, ISP limit, request, reason).
/// The planner crops the old imx258 driver's two bad bottom rows at the ISP sink, so a
/// binned mode yields only 2 rows less than its size and a request for exactly that size
/// is taken from the next larger mode (or, when there is none within the ISP input, scaled
/// up from the largest); the patched handler leaves the rows in (pipeline/libcamera/README.md
/// explains why). And the handler ranks sensor sizes by aspect ratio first
/// (`CameraSensor::getFormat()`), where the planner takes the smallest mode that covers the
/// request once cropped to its aspect ratio: with the old driver's 4208x3118 within the
/// limit, a 16:9 viewfinder gets it from the handler (1.34958 is closer to 16:9 than
/// 2104x1560's 1.34872). The 4416x3312 limit with the old driver is not a real kernel (the
/// old driver ends with 6.10, the per-SoC limits start at ≈6.12) but is part of the matrix.
const KNOWN_DIFFERENCES: &[(&str, Size, &str, &str)] = &[
    ("imx258 old", ISP_MAX_RK3399, "role=viewfinder", "aspect ratio first: the handler takes 4208x3118 for 16:9"),
    ("imx258 old", ISP_MAX_OLD, "NV12 1048x780", "bad rows: 1048x778 valid, planner takes 2104x1560"),
    ("imx258 old", ISP_MAX_OLD, "raw 1048x780", "bad rows: 1048x778 valid, planner takes 2104x1560"),
    ("imx258 old", ISP_MAX_RK3399, "NV12 1048x780", "bad rows: 1048x778 valid, planner takes 2104x1560"),
    ("imx258 old", ISP_MAX_RK3399, "raw 1048x780", "bad rows: 1048x778 valid, planner takes 2104x1560"),
    ("imx258 old", ISP_MAX_RK3399, "NV12 2104x1560", "bad rows: 2104x1558 valid, planner takes 4208x3118"),
    ("imx258 old", ISP_MAX_RK3399, "raw 2104x1560", "bad rows: 2104x1558 valid, planner takes 4208x3118"),
];

/// The old imx258 driver (GRBG, 4208x3118 full mode): the 5.x layout with the sensor name.
fn ppp_rear_old() -> String {
    common::PPP_FRONT_5X_CUT.replace("ov8858 1-0036", "imx258 1-001a").replace("SBGGR10", "SGRBG10")
}

#[test]
fn planner_and_patched_handler_agree_on_the_sensor_mode() {
    let sensors = [("imx258 old", ppp_rear_old()), ("imx258 new", common::PPP_REAR_6X.to_string()), ("ov8858", common::PPP_FRONT_5X_CUT.to_string())];
    let limits = [ISP_MAX_OLD, ISP_MAX_RK3399];
    let mut rows = Vec::new();
    let mut unexpected = Vec::new();
    let mut seen_known = Vec::new();
    for (name, text) in &sensors {
        for &limit in &limits {
            let inst = Instance::from_topology(parse(text).unwrap(), Some(Limits::with_isp_max(limit, "test")), &[]).unwrap();
            let sensor = inst.sensor(None).unwrap();
            let modes: Vec<Size> = sensor.info.modes.iter().map(plan::mode_size).collect();
            let expected_full = match *name {
                "imx258 old" => Size::new(4208, 3118),
                "imx258 new" => Size::new(4208, 3120),
                _ => Size::new(3264, 2448),
            };
            assert!(modes.contains(&expected_full), "{name}: the planner's modes {modes:?} lack {expected_full}");
            let handler = HandlerModel::new(&modes, limit);
            let full = modes.iter().copied().max_by_key(|m| m.area()).unwrap();
            let mut requests = vec![Role::StillCapture, Role::Raw, Role::Viewfinder];
            for &m in &modes {
                requests.push(Role::Processed(m));
                requests.push(Role::RawSize(m));
            }
            for role in requests {
                let (size, format) = match role {
                    Role::StillCapture => (full, OutputFormat::Nv12),
                    Role::Raw => (full, OutputFormat::Raw),
                    Role::Viewfinder => (PREVIEW, OutputFormat::Nv12),
                    Role::Processed(s) => (s, OutputFormat::Nv12),
                    Role::RawSize(s) => (s, OutputFormat::Raw),
                };
                let req = Request { camera: None, size, format, path: Path::Main };
                let planned = plan::plan(&inst, &req).map(|p| plan::mode_size(&p.mode)).map_err(|e| e.to_string());
                let chosen = handler.choose(role);
                let label = role.label();
                let known = KNOWN_DIFFERENCES.iter().find(|k| k.0 == *name && k.1 == limit && k.2 == label);
                let verdict = match (&planned, &chosen, known) {
                    (Ok(p), Ok(h), None) if p == h => "same".to_string(),
                    (Ok(p), Ok(h), Some(k)) if p != h => {
                        seen_known.push((k.0, k.1, k.2));
                        format!("differs, known: {}", k.3)
                    }
                    _ => {
                        unexpected
                            .push(format!("{name}, ISP input {limit}, {label}: planner {planned:?}, handler {chosen:?}, listed as known: {}", known.is_some()));
                        "UNEXPECTED".to_string()
                    }
                };
                let show = |r: &Result<Size, String>| match r {
                    Ok(s) => s.to_string(),
                    Err(e) => format!("error: {e}"),
                };
                rows.push(format!("{name:<11} {:<10} {label:<16} {:<11} {:<11} {verdict}", limit.to_string(), show(&planned), show(&chosen)));
            }
            // The handler's own properties the fix is about: nothing chosen exceeds the
            // ISP input, and the still and raw roles get the largest mode that fits.
            let largest_fit = modes.iter().copied().filter(|m| m.fits(limit)).max_by_key(|m| m.area()).unwrap();
            for role in [Role::StillCapture, Role::Raw] {
                assert_eq!(handler.choose(role), Ok(largest_fit), "{name}, ISP input {limit}, {}", role.label());
            }
        }
    }
    println!("sensor      ISP input  request          planner     handler     verdict");
    for r in &rows {
        println!("{r}");
    }
    assert!(unexpected.is_empty(), "the planner and the patched handler disagree:\n{}", unexpected.join("\n"));
    let stale: Vec<_> = KNOWN_DIFFERENCES.iter().filter(|k| !seen_known.contains(&(k.0, k.1, k.2))).collect();
    assert!(stale.is_empty(), "listed differences that no longer occur: {stale:?}");
}

/// The model reproduces the bug it is meant to describe: without the ISP input limit
/// (stock libcamera, which bounds sensor sizes by the main path output only), the 6.1
/// profile's still and raw roles pick the full mode the ISP cannot take, and with the old
/// driver so does the 16:9 viewfinder; with the limit they do not.
#[test]
fn stock_rule_picks_the_mode_the_isp_cannot_take() {
    let old = [Size::new(4208, 3118), Size::new(2104, 1560), Size::new(1048, 780)];
    let new = [Size::new(4208, 3120), Size::new(2104, 1560), Size::new(1048, 780)];
    let stock = HandlerModel::new(&old, MAIN_MAX);
    assert_eq!(stock.choose(Role::StillCapture), Ok(Size::new(4208, 3118)));
    assert_eq!(stock.choose(Role::Raw), Ok(Size::new(4208, 3118)));
    assert_eq!(stock.choose(Role::Viewfinder), Ok(Size::new(4208, 3118)), "16:9 ranks 4208x3118 first");
    assert_eq!(stock.choose(Role::Processed(Size::new(640, 480))), Ok(Size::new(1048, 780)));
    let patched = HandlerModel::new(&old, ISP_MAX_OLD);
    for role in [Role::StillCapture, Role::Raw, Role::Viewfinder, Role::Processed(Size::new(1280, 720))] {
        assert_eq!(patched.choose(role), Ok(Size::new(2104, 1560)), "{}", role.label());
    }
    let new_stock = HandlerModel::new(&new, MAIN_MAX);
    assert_eq!(new_stock.choose(Role::StillCapture), Ok(Size::new(4208, 3120)));
    assert_eq!(new_stock.choose(Role::Viewfinder), Ok(Size::new(2104, 1560)));
    assert_eq!(HandlerModel::new(&new, ISP_MAX_RK3399).choose(Role::Raw), Ok(Size::new(4208, 3120)));
}
