//! `media-ctl -p` text parses into a consistent graph.
//!
//! The fixtures below are written for these tests in the two layouts real RK3399 dumps show
//! (5.x kernels: tabs, `Sink`/`Source`, sensor straight into the ISP; 6.x kernels:
//! `rkisp1_csi`, `[stream:0 …]`, `SINK,MUST_CONNECT`, brackets wrapped at column 0). The
//! real public dumps are not part of the repository; when the project's shared data sits
//! beside it (`../shared/data/topologies`), they are parsed too.

use rkisp1_pipeline::topology::{parse, Direction, ParseError, Topology};

/// PinePhone Pro rear camera on a 6.x kernel, complete.
const PPP_REAR_6X: &str = "Media controller API version 6.12.0

Media device information
------------------------
driver          rkisp1
model           rkisp1
serial
bus info        platform:rkisp1
hw revision     0xa
driver version  6.12.0

Device topology
- entity 1: rkisp1_isp (4 pads, 5 links, 0 routes)
            type V4L2 subdev subtype Unknown flags 0
            device node name /dev/v4l-subdev0
        pad0: SINK,MUST_CONNECT
                [stream:0 fmt:SRGGB10_1X10/4208x3120 field:none
colorspace:raw xfer:none ycbcr:601 quantization:full-range
                 crop.bounds:(0,0)/4208x3120
                 crop:(0,0)/4208x3120]
                <- \"rkisp1_csi\":1 [ENABLED]
        pad1: SINK
                [stream:0 fmt:unknown/0x0 field:none]
                <- \"rkisp1_params\":0 [ENABLED,IMMUTABLE]
        pad2: SOURCE
                [stream:0 fmt:YUYV8_2X8/4208x3120 field:none
                 crop.bounds:(0,0)/4208x3120
                 crop:(0,0)/4208x3120]
                -> \"rkisp1_resizer_mainpath\":0 [ENABLED]
                -> \"rkisp1_resizer_selfpath\":0 []
        pad3: SOURCE
                [stream:0 fmt:unknown/0x0 field:none]
                -> \"rkisp1_stats\":0 [ENABLED,IMMUTABLE]

- entity 6: rkisp1_resizer_mainpath (2 pads, 2 links, 0 routes)
            type V4L2 subdev subtype Unknown flags 0
            device node name /dev/v4l-subdev1
        pad0: SINK,MUST_CONNECT
                [stream:0 fmt:YUYV8_2X8/4208x3120 field:none]
                <- \"rkisp1_isp\":2 [ENABLED]
        pad1: SOURCE,MUST_CONNECT
                [stream:0 fmt:YUYV8_2X8/1920x1080 field:none]
                -> \"rkisp1_mainpath\":0 [ENABLED,IMMUTABLE]

- entity 9: rkisp1_resizer_selfpath (2 pads, 2 links, 0 routes)
            type V4L2 subdev subtype Unknown flags 0
            device node name /dev/v4l-subdev2
        pad0: SINK,MUST_CONNECT
                [stream:0 fmt:YUYV8_2X8/800x600 field:none]
                <- \"rkisp1_isp\":2 []
        pad1: SOURCE,MUST_CONNECT
                [stream:0 fmt:YUYV8_2X8/800x600 field:none]
                -> \"rkisp1_selfpath\":0 [ENABLED,IMMUTABLE]

- entity 12: rkisp1_mainpath (1 pad, 1 link)
             type Node subtype V4L flags 0
             device node name /dev/video0
        pad0: SINK
                <- \"rkisp1_resizer_mainpath\":1 [ENABLED,IMMUTABLE]

- entity 16: rkisp1_selfpath (1 pad, 1 link)
             type Node subtype V4L flags 0
             device node name /dev/video1
        pad0: SINK
                <- \"rkisp1_resizer_selfpath\":1 [ENABLED,IMMUTABLE]

- entity 20: rkisp1_stats (1 pad, 1 link)
             type Node subtype V4L flags 0
             device node name /dev/video2
        pad0: SINK
                <- \"rkisp1_isp\":3 [ENABLED,IMMUTABLE]

- entity 24: rkisp1_params (1 pad, 1 link)
             type Node subtype V4L flags 0
             device node name /dev/video3
        pad0: SOURCE
                -> \"rkisp1_isp\":1 [ENABLED,IMMUTABLE]

- entity 28: rkisp1_csi (2 pads, 2 links, 0 routes)
             type V4L2 subdev subtype Unknown flags 0
             device node name /dev/v4l-subdev3
        pad0: SINK,MUST_CONNECT
                [stream:0 fmt:SRGGB10_1X10/4208x3120 field:none]
                <- \"imx258 1-001a\":0 [ENABLED]
        pad1: SOURCE,MUST_CONNECT
                [stream:0 fmt:SRGGB10_1X10/4208x3120 field:none]
                -> \"rkisp1_isp\":0 [ENABLED]

- entity 45: imx258 1-001a (1 pad, 1 link, 0 routes)
             type V4L2 subdev subtype Sensor flags 0
             device node name /dev/v4l-subdev4
        pad0: SOURCE
                [stream:0 fmt:SRGGB10_1X10/4208x3120 field:none
                 crop.bounds:(8,8)/4208x3120
                 crop:(8,8)/4208x3120]
                -> \"rkisp1_csi\":0 [ENABLED]
";

/// PinePhone Pro front camera on a 5.x kernel (tabs, no CSI entity), cut off after the
/// main-path resizer as a pasted dump may be.
const PPP_FRONT_5X_CUT: &str = "Media controller API version 5.19.6

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

/// Both ends of every link are recorded, with opposite directions and the same state.
fn check_links(name: &str, t: &Topology) {
    for e in &t.entities {
        for p in &e.pads {
            for l in &p.links {
                let remote = t.entity(&l.remote_entity).unwrap_or_else(|| panic!("{name}: {} links to unknown {}", e.name, l.remote_entity));
                let rp = remote.pad(l.remote_pad).unwrap_or_else(|| panic!("{name}: no pad {} on {}", l.remote_pad, remote.name));
                assert_ne!(rp.direction, p.direction, "{name}: {}:{} -> {}:{}", e.name, p.index, remote.name, rp.index);
                assert!(rp.links.iter().any(|b| b.remote_entity == e.name && b.remote_pad == p.index && b.enabled == l.enabled), "{name}: one-sided link");
            }
        }
    }
}

#[test]
fn a_complete_6x_graph_with_the_csi_entity() {
    let t = parse(PPP_REAR_6X).unwrap();
    assert!(!t.truncated);
    check_links("rear 6.x", &t);
    assert_eq!(t.device.driver, "rkisp1");
    assert_eq!(t.device.bus_info, "platform:rkisp1");
    assert_eq!(t.device.driver_version, "6.12.0");
    assert_eq!(t.device.hw_revision, Some(10));
    let sensors: Vec<_> = t.sensors().map(|e| e.name.as_str()).collect();
    assert_eq!(sensors, ["imx258 1-001a"]);
    let f = t.entity("imx258 1-001a").unwrap().pad(0).unwrap().format.as_ref().unwrap();
    assert_eq!(f.crop.map(|c| (c.x, c.y, c.width, c.height)), Some((8, 8, 4208, 3120)));
    let isp_sink = t.entity("rkisp1_isp").unwrap().pad(0).unwrap();
    assert!(isp_sink.must_connect);
    assert_eq!(isp_sink.direction, Direction::Sink);
    assert_eq!(isp_sink.links[0].remote_entity, "rkisp1_csi");
    // The "colorspace:" continuation at column 0 did not lose the format or the crop.
    let f = isp_sink.format.as_ref().unwrap();
    assert_eq!((f.code.as_str(), f.width, f.height), ("SRGGB10_1X10", 4208, 3120));
    assert_eq!(f.crop.map(|c| c.width), Some(4208));
    let selfpath = t.entity("rkisp1_isp").unwrap().pad(2).unwrap().links.iter().find(|l| l.remote_entity == "rkisp1_resizer_selfpath").unwrap();
    assert!(!selfpath.enabled && !selfpath.immutable);
    assert_eq!(t.entity("rkisp1_mainpath").unwrap().devnode.as_deref(), Some("/dev/video0"));
}

#[test]
fn a_cut_off_5x_graph_is_flagged_and_still_read() {
    let t = parse(PPP_FRONT_5X_CUT).unwrap();
    assert!(t.truncated, "links to entities that are not in the dump");
    let isp = t.entity("rkisp1_isp").unwrap();
    let sink = isp.pad(0).unwrap();
    assert!(!sink.must_connect);
    let f = sink.format.as_ref().unwrap();
    assert_eq!((f.code.as_str(), f.width, f.height), ("SBGGR10_1X10", 800, 600));
    assert_eq!(sink.links[0].remote_entity, "ov8858 1-0036");
    assert!(sink.links[0].enabled);
    assert_eq!(isp.pad(3).unwrap().links[0].remote_entity, "rkisp1_stats");
}

#[test]
fn garbage_is_refused_with_a_line_number() {
    assert_eq!(parse("hello"), Err(ParseError::NoTopology));
    let bad = "Device topology\n- entity x: foo (1 pad, 0 links)\n";
    assert!(matches!(parse(bad), Err(ParseError::Syntax { line: 2, .. })));
    let orphan = "Device topology\n\tpad0: Sink\n";
    assert!(matches!(parse(orphan), Err(ParseError::Syntax { line: 2, .. })));
}

/// The real public dumps, when the project's shared data is checked out beside the
/// repository (they are not redistributed here).
#[test]
fn real_dumps_beside_the_repository_parse() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/topologies");
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!("{dir} not present: only the built-in fixtures were checked");
        return;
    };
    let mut seen = 0;
    for e in entries.flatten() {
        let path = e.path();
        if path.extension().and_then(|x| x.to_str()) != Some("txt") {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let t = parse(&std::fs::read_to_string(&path).unwrap()).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(t.truncated, name.contains("partial"), "{name}: truncated flag");
        if !t.truncated {
            check_links(&name, &t);
        }
        seen += 1;
    }
    assert!(seen > 0, "{dir} has no dumps");
}
