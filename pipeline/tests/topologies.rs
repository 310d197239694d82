//! `media-ctl -p` text parses into a consistent graph: the fixtures of `common` and the real
//! public dumps of the project's shared data beside the repository.

mod common;

use common::{PPP_FRONT_5X_CUT, PPP_REAR_6X};
use rkisp1_pipeline::topology::{parse, Direction, ParseError, Topology};

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

/// The real public dumps beside the repository (`common::real_dumps`: missing ones fail
/// the test unless RKISP1_SKIP_SHARED=1). Complete graphs must have consistent links; the
/// partial ones must be flagged as cut off.
#[test]
fn real_dumps_beside_the_repository_parse() {
    let dumps = common::real_dumps();
    for (name, text) in &dumps {
        let t = parse(text).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(t.truncated, name.contains("partial"), "{name}: truncated flag");
        assert!(t.device.driver.starts_with("rkisp1") && !t.entities.is_empty(), "{name}: device information and entities read");
        if !t.truncated {
            check_links(name, &t);
        }
    }
}
