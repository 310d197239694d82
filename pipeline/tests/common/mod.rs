//! Fixtures shared by the tests, written for them in the two layouts real RK3399 dumps
//! show (5.x kernels: tabs, `Sink`/`Source`, sensor straight into the ISP; 6.x kernels:
//! `rkisp1_csi`, `[stream:0 …]`, `SINK,MUST_CONNECT`, brackets wrapped at column 0), and
//! the real public dumps of the project's shared data beside the repository (read at test
//! time, never copied into it; their absence fails the tests unless RKISP1_SKIP_SHARED=1).
#![allow(dead_code)]

/// PinePhone Pro rear camera on a 6.x kernel, complete.
pub const PPP_REAR_6X: &str = include_str!("../data/ppp-rear-6x.txt");

/// PinePhone Pro front camera on a 5.x kernel (tabs, no CSI entity), cut off after the
/// main-path resizer as a pasted dump may be.
pub const PPP_FRONT_5X_CUT: &str = "Media controller API version 5.19.6

Media device information
------------------------
driver          rkisp1
model           rkisp1
serial          
bus info        platform:rkisp1
hw revision     0xa
driver version  5.19.6

Device topology
- entity 1: rkisp1_isp (4 pads, 5 links)
            type V4L2 subdev subtype Unknown flags 0
            device node name /dev/v4l-subdev0
\tpad0: Sink
\t\t[fmt:SBGGR10_1X10/800x600 field:none
\t\t crop.bounds:(0,0)/800x600
\t\t crop:(0,0)/800x600]
\t\t<- \"ov8858 1-0036\":0 [ENABLED]
\tpad1: Sink
\t\t[fmt:unknown/0x0 field:none]
\t\t<- \"rkisp1_params\":0 [ENABLED,IMMUTABLE]
\tpad2: Source
\t\t[fmt:YUYV8_2X8/800x600 field:none]
\t\t-> \"rkisp1_resizer_mainpath\":0 [ENABLED]
\t\t-> \"rkisp1_resizer_selfpath\":0 [ENABLED]
\tpad3: Source
\t\t[fmt:unknown/0x0 field:none]
\t\t-> \"rkisp1_stats\":0 [ENABLED,IMMUTABLE]

- entity 6: rkisp1_resizer_mainpath (2 pads, 2 links)
            type V4L2 subdev subtype Unknown flags 0
            device node name /dev/v4l-subdev1
\tpad0: Sink
\t\t[fmt:YUYV8_2X8/800x600 field:none]
\t\t<- \"rkisp1_isp\":2 [ENABLED]
";

/// The 6.x rear fixture with the new imx258 driver's default flips (BGGR).
pub fn ppp_rear_6x_default_flips() -> String {
    PPP_REAR_6X.replace("SRGGB10_1X10", "SBGGR10_1X10")
}

/// The project's shared data beside the repository. Its dumps carry no licence note (they
/// are posts to mailing lists and issue trackers), so they are read from there, never
/// copied into the repository.
pub const DUMPS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/topologies");

/// The real dumps the tests need (more may sit beside them; all are read).
pub const REQUIRED_DUMPS: [&str; 5] = [
    "nanopi-m4-ov4689-linux-5.11.15-nanopi-m4-issue32.partial.txt",
    "nanopi-neo4-ov4689-linux-6.18.0-linux-media-2025-11-24.txt",
    "ppp-imx258-linux-5.19.6-megapixels-issue1.partial.txt",
    "ppp-ov8858-m00_f-linux-5.19.6-megapixels-issue1.partial.txt",
    "scarlet-chromebook-ov5695-ov2685-linux-5.2.0-rkisp1-v7-series-linux-media-2019-07-04.txt",
];

/// Set to 1 to run without the shared data (the real dumps are then skipped, loudly).
pub const SKIP_SHARED: &str = "RKISP1_SKIP_SHARED";

/// (file name, text) of every real dump beside the repository, sorted. Without them the
/// tests that use them would check nothing and still pass, so their absence is a failure
/// unless `RKISP1_SKIP_SHARED=1` says to go without.
pub fn real_dumps() -> Vec<(String, String)> {
    if std::env::var(SKIP_SHARED).as_deref() == Ok("1") {
        eprintln!("{SKIP_SHARED}=1: the real dumps in {DUMPS_DIR} are NOT checked, only the built-in fixtures");
        return Vec::new();
    }
    let entries = std::fs::read_dir(DUMPS_DIR).unwrap_or_else(|e| {
        panic!(
            "{DUMPS_DIR}: {e}. The real `media-ctl -p` dumps live in the project's shared data beside the repository; set {SKIP_SHARED}=1 to run without them"
        )
    });
    let mut out: Vec<(String, String)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("txt"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))))
        .collect();
    out.sort();
    let missing: Vec<_> = REQUIRED_DUMPS.iter().filter(|n| !out.iter().any(|(name, _)| name == *n)).collect();
    assert!(missing.is_empty(), "{DUMPS_DIR} lacks {missing:?} (set {SKIP_SHARED}=1 to run without the real dumps)");
    out
}
