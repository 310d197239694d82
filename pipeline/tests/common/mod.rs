//! Fixtures shared by the tests, written for them in the two layouts real RK3399 dumps
//! show (5.x kernels: tabs, `Sink`/`Source`, sensor straight into the ISP; 6.x kernels:
//! `rkisp1_csi`, `[stream:0 …]`, `SINK,MUST_CONNECT`, brackets wrapped at column 0), and
//! the real public dumps when the project's shared data sits beside the repository (they
//! are read at test time, never copied into it).
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

pub const DUMPS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/topologies");

/// (file name, text) of every real dump beside the repository; empty when absent.
pub fn real_dumps() -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(DUMPS_DIR) else {
        eprintln!("{DUMPS_DIR} not present: only the built-in fixtures are used");
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("txt"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    out.sort();
    out
}
