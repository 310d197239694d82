//! Plans for every graph (fixtures and the real dumps), both ISP input limits, every sensor
//! and every requested size from 320x240 to full resolution, pushed through the kernel
//! model by applying them to a fake device: every link must carry equal formats, every pad
//! stay within its stage's limits, and the read-back must equal the plan. Plus doctor on
//! the seed's 4208 -> 4032 mismatch, fix-sensor-defaults and the JSON output.

mod common;

use rkisp1_pipeline::device::{self, cid, FakeDevice, MediaDevice};
use rkisp1_pipeline::graph::{Instance, Limits, Path, Size, ISP_MAX_OLD, ISP_MAX_RK3399};
use rkisp1_pipeline::plan::{self, OutputFormat, PlanError, Request};
use rkisp1_pipeline::topology::{parse, Direction};
use rkisp1_pipeline::{defaults, doctor, mbus, model};

/// The old imx258 driver (5.x kernel): GRBG, 4208x3118 full mode.
fn ppp_rear_5x_cut() -> String {
    common::PPP_FRONT_5X_CUT.replace("ov8858 1-0036", "imx258 1-001a").replace("SBGGR10", "SGRBG10")
}

fn graphs() -> Vec<(String, String)> {
    let mut g = vec![
        ("fixture rear 6.x flips off".to_string(), common::PPP_REAR_6X.to_string()),
        ("fixture rear 6.x default flips".to_string(), common::ppp_rear_6x_default_flips()),
        ("fixture front 5.x cut".to_string(), common::PPP_FRONT_5X_CUT.to_string()),
        ("fixture rear 5.x cut (old imx258)".to_string(), ppp_rear_5x_cut()),
    ];
    g.extend(common::real_dumps());
    g
}

fn instance(text: &str, isp_max: Size) -> Instance {
    Instance::from_topology(parse(text).unwrap(), Some(Limits::with_isp_max(isp_max, "test")), &[]).unwrap()
}

/// 320x240 up to `full`: common sizes, a sweep in 4:3 and 16:9, and `full` itself.
fn sizes(full: Size) -> Vec<Size> {
    let mut v: Vec<Size> = [
        (320, 240),
        (352, 288),
        (640, 360),
        (640, 480),
        (800, 600),
        (1024, 768),
        (1280, 720),
        (1280, 960),
        (1600, 1200),
        (1920, 1080),
        (1920, 1440),
        (2104, 1560),
        (2560, 1440),
        (2688, 1520),
        (3264, 2448),
        (3840, 2160),
        (4032, 3024),
        (4208, 3118),
        (4208, 3120),
    ]
    .into_iter()
    .map(|(w, h)| Size::new(w, h))
    .collect();
    let mut w = 320;
    while w <= full.width {
        v.push(Size::new(w, (w * 3 / 4) & !1));
        v.push(Size::new(w, (w * 9 / 16) & !1));
        w += 96;
    }
    v.push(full);
    v.retain(|s| s.width >= 320 && s.height >= 180 && s.fits(full));
    v.sort_by_key(|s| (s.width, s.height));
    v.dedup();
    v
}

/// Every stage within its limits, every crop even and inside its frame, the Bayer order
/// kept, and every enabled subdev link carrying the same format on both ends.
fn check_state(name: &str, inst: &Instance, p: &plan::Plan) {
    let t = &inst.topology;
    let l = &inst.limits;
    let fmt = |e: &str, pad: u32| t.entity(e).unwrap().pad(pad).unwrap().format.clone().unwrap();
    let sensor = fmt(&p.sensor, 0);
    let s_info = inst.sensors.iter().find(|s| s.entity == p.sensor).unwrap();
    assert!(
        s_info.info.modes.iter().any(|m| m.code == sensor.code && m.width == sensor.width && m.height == sensor.height),
        "{name}: sensor format is one of its modes"
    );
    let isp_in = fmt(&inst.isp, 0);
    assert!(Size::new(isp_in.width, isp_in.height).fits(l.isp_max), "{name}: ISP sink {}x{} above {}", isp_in.width, isp_in.height, l.isp_max);
    assert_eq!(isp_in.code, sensor.code, "{name}: Bayer order kept into the ISP");
    let crop = isp_in.crop.unwrap();
    assert!(crop.x % 2 == 0 && crop.y % 2 == 0 && crop.width % 2 == 0, "{name}: ISP sink crop {crop} keeps the Bayer order");
    let mode = s_info.info.modes.iter().find(|m| m.width == sensor.width && m.height == sensor.height).unwrap();
    assert!(crop.y as u32 + crop.height <= mode.height - mode.bad_bottom_rows, "{name}: crop {crop} includes bad rows");
    let isp_out = fmt(&inst.isp, 2);
    let oc = isp_out.crop.unwrap();
    assert_eq!((isp_out.width, isp_out.height), (oc.width, oc.height), "{name}: ISP source size = its crop");
    assert!(
        oc.x >= crop.x && oc.y >= crop.y && oc.x as u32 + oc.width <= crop.x as u32 + crop.width && oc.y as u32 + oc.height <= crop.y as u32 + crop.height,
        "{name}: source crop inside sink crop"
    );
    if let Some(r) = &inst.resizers[p.path.index()] {
        let out = fmt(r, 1);
        assert!(
            Size::new(out.width, out.height).fits(model::path_max(l, p.path)) && l.resizer_min.fits(Size::new(out.width, out.height)),
            "{name}: resizer output within its path's range"
        );
    }
    // Every enabled link between subdevs: same code and size on both ends.
    for e in t.entities.iter().filter(|e| e.kind != "Node") {
        for pad in e.pads.iter().filter(|p| p.direction == Direction::Source) {
            for k in pad.links.iter().filter(|k| k.enabled) {
                let r = t.entity(&k.remote_entity).unwrap();
                if r.kind == "Node" {
                    continue;
                }
                let (a, b) = (pad.format.clone().unwrap(), r.pad(k.remote_pad).unwrap().format.clone().unwrap());
                assert_eq!(
                    (a.code.as_str(), a.width, a.height),
                    (b.code.as_str(), b.width, b.height),
                    "{name}: '{}':{} -> '{}':{}",
                    e.name,
                    pad.index,
                    r.name,
                    k.remote_pad
                );
            }
        }
    }
}

#[test]
fn every_graph_limit_sensor_and_size_plans_and_propagates_cleanly() {
    let mut planned = 0;
    let mut refused = 0;
    for (gname, text) in graphs() {
        for isp_max in [ISP_MAX_OLD, ISP_MAX_RK3399] {
            let inst = instance(&text, isp_max);
            for sensor in &inst.sensors {
                let full = sensor.info.modes.iter().map(|m| Size::new(m.width, m.height)).max_by_key(|s| s.area()).unwrap();
                for size in sizes(full) {
                    for (format, path) in [(OutputFormat::Nv12, Path::Main), (OutputFormat::Yuyv, Path::SelfPath), (OutputFormat::Raw, Path::Main)] {
                        if format == OutputFormat::Raw && inst.resizers[0].is_none() {
                            continue; // the pre-mainline driver's raw path is not modelled
                        }
                        let name = format!("{gname} / ISP max {isp_max} / {} / {size} {format:?} {}", sensor.entity, path.name());
                        let req = Request { camera: Some(sensor.entity.clone()), size, format, path };
                        let p = match plan::plan(&inst, &req) {
                            Ok(p) => p,
                            Err(PlanError::SizeOutOfRange { .. }) if path == Path::SelfPath && !size.fits(Size::new(1920, 1920)) => {
                                refused += 1;
                                continue;
                            }
                            Err(e) => panic!("{name}: {e}"),
                        };
                        let mut dev = FakeDevice::new(inst.clone());
                        let mismatches = device::apply(&mut dev, &p).unwrap();
                        assert!(mismatches.is_empty(), "{name}: {mismatches:#?}\n{}", p.describe());
                        let after = dev.instance().unwrap();
                        check_state(&name, &after, &p);
                        // What comes out is what was asked for (raw: at most the valid area).
                        let v = &p.video.format;
                        if format == OutputFormat::Raw {
                            assert!(Size::new(v.width, v.height).fits(size), "{name}");
                            assert_eq!(
                                model::capture_code(Path::Main, &v.fourcc).as_deref(),
                                Some(p.mode.code.as_str()),
                                "{name}: raw fourcc matches the sensor's order"
                            );
                        } else {
                            assert_eq!((v.width, v.height), (size.width, size.height), "{name}");
                        }
                        // Never a mode larger than the ISP input.
                        assert!(Size::new(p.mode.width, p.mode.height - p.mode.bad_bottom_rows).fits(isp_max), "{name}");
                        planned += 1;
                    }
                }
            }
        }
    }
    eprintln!("{planned} plans applied and verified, {refused} self-path requests above 1920x1920 refused");
    assert!(planned > 500, "only {planned} plans");
}

#[test]
fn imx258_new_driver_full_resolution_depends_on_the_isp_limit() {
    let text = common::ppp_rear_6x_default_flips();
    let req = Request { camera: Some("rear".into()), size: Size::new(4208, 3120), format: OutputFormat::Nv12, path: Path::Main };
    let p = plan::plan(&instance(&text, ISP_MAX_RK3399), &req).unwrap();
    assert_eq!((p.mode.code.as_str(), p.mode.width, p.mode.height), ("SBGGR10_1X10", 4208, 3120));
    assert!(p.pads.iter().any(|x| x.entity == "rkisp1_csi" && x.pad == 1 && x.width == 4208));
    let p = plan::plan(&instance(&text, ISP_MAX_OLD), &req).unwrap();
    assert_eq!((p.mode.width, p.mode.height), (2104, 1560), "4208 does not pass a 4032-wide ISP");
    assert!(p.notes.iter().any(|n| n.contains("4208x3120 skipped")), "{:?}", p.notes);
    // Flips off: the RGGB order is kept, not replaced by the default BGGR.
    let p = plan::plan(&instance(common::PPP_REAR_6X, ISP_MAX_RK3399), &req).unwrap();
    assert_eq!(p.mode.code, "SRGGB10_1X10");
    assert!(p.pads.iter().filter(|x| x.entity != "rkisp1_isp" || x.pad == 0).all(|x| x.code == "SRGGB10_1X10" || x.code.starts_with("YUYV")));
}

#[test]
fn imx258_old_driver_modes_lose_their_bad_bottom_rows() {
    let inst = instance(&ppp_rear_5x_cut(), ISP_MAX_OLD);
    assert!(inst.inferred.contains(&"rkisp1_selfpath".to_string()), "{:?}", inst.inferred);
    // 1024x768 fits the 1048x780 mode's 1048x778 valid rows.
    let p =
        plan::plan(&inst, &Request { camera: Some("imx258".into()), size: Size::new(1024, 768), format: OutputFormat::Yuyv, path: Path::SelfPath }).unwrap();
    assert_eq!((p.mode.code.as_str(), p.mode.width, p.mode.height), ("SGRBG10_1X10", 1048, 780));
    let sink = p.pads.iter().find(|x| x.entity == "rkisp1_isp" && x.pad == 0).unwrap();
    assert_eq!(sink.crop.map(|c| (c.x, c.y, c.width, c.height)), Some((0, 0, 1048, 778)));
    // Asking for the old full mode's size gives the binned mode scaled up, on 4032x3024.
    let p = plan::plan(&inst, &Request { camera: None, size: Size::new(4208, 3118), format: OutputFormat::Nv12, path: Path::Main }).unwrap();
    assert_eq!((p.mode.width, p.mode.height), (2104, 1560));
    assert!(p.notes.iter().any(|n| n.contains("scaled up")), "{:?}", p.notes);
}

#[test]
fn doctor_explains_the_seeds_4208_to_4032_mismatch_and_apply_fixes_it() {
    let mut graphs = vec![("fixture".to_string(), ppp_rear_5x_cut())];
    graphs.extend(common::real_dumps().into_iter().filter(|(n, _)| n.contains("imx258")));
    for (name, text) in graphs {
        let mut dev = FakeDevice::new(instance(&text, ISP_MAX_OLD));
        // The seed's first attempt: full-size sensor, ISP sink asked for the same.
        dev.setup_link(("rkisp1_isp", 2), ("rkisp1_resizer_mainpath", 0), false).unwrap();
        dev.set_format("imx258 1-001a", 0, "SGRBG10_1X10", Size::new(4208, 3118)).unwrap();
        let got = dev.set_format("rkisp1_isp", 0, "SGRBG10_1X10", Size::new(4208, 3118)).unwrap();
        assert_eq!((got.width, got.height), (4032, 3024), "{name}: the ISP sink clamps like the 6.1 kernel");
        let problems = doctor::doctor(&mut dev).unwrap();
        eprintln!("{name}:\n{}", doctor::describe(&problems));
        let p = problems.iter().find(|p| p.place == "'imx258 1-001a':0 -> 'rkisp1_isp':0").unwrap_or_else(|| panic!("{name}: {problems:#?}"));
        assert_eq!(p.severity, "error");
        assert!(p.what.contains("4208x3118") && p.what.contains("4032x3024"), "{name}: {p:?}");
        assert!(p.why.contains("4032x3024") && p.why.contains("EPIPE"), "{name}: {p:?}");
        assert!(p.fix.contains("2104x1560") && p.fix.contains("4416x3312"), "{name}: {p:?}");
        assert!(problems.iter().any(|p| p.place.contains("DIGITAL_GAIN")), "{name}: default digital gain flagged");
        // The plan for the same request, applied, leaves nothing to complain about.
        let inst = dev.instance().unwrap();
        let plan =
            plan::plan(&inst, &Request { camera: Some("rear".into()), size: Size::new(4208, 3118), format: OutputFormat::Nv12, path: Path::Main }).unwrap();
        assert!(device::apply(&mut dev, &plan).unwrap().is_empty());
        defaults::fix(&mut dev).unwrap();
        let left = doctor::doctor(&mut dev).unwrap();
        assert!(left.is_empty(), "{name}: {left:#?}");
    }
}

#[test]
fn doctor_flags_mismatched_capture_nodes_and_a_missing_sensor() {
    let mut dev = FakeDevice::new(instance(common::PPP_REAR_6X, ISP_MAX_RK3399));
    let p = plan::plan(&dev.instance().unwrap(), &Request { camera: None, size: Size::new(1920, 1080), format: OutputFormat::Nv12, path: Path::Main }).unwrap();
    assert!(device::apply(&mut dev, &p).unwrap().is_empty());
    dev.set_video_format("rkisp1_mainpath", &model::VideoFormat { fourcc: "YUYV".into(), width: 1920, height: 1080 }).unwrap();
    let problems = doctor::doctor(&mut dev).unwrap();
    assert!(problems.iter().any(|p| p.place == "'rkisp1_resizer_mainpath':1 -> 'rkisp1_mainpath':0" && p.what.contains("YUYV8_1_5X8")), "{problems:#?}");
    // No sensor on this ISP (the seed's "sensor on the other ISP").
    let lonely = common::PPP_REAR_6X.replace("<- \"imx258 1-001a\":0 [ENABLED]", "");
    let lonely = &lonely[..lonely.find("- entity 45").unwrap()];
    let mut dev = FakeDevice::new(Instance::from_topology(parse(lonely).unwrap(), None, &[]).unwrap());
    let problems = doctor::doctor(&mut dev).unwrap();
    assert!(problems.iter().any(|p| p.what == "no sensor is linked to this ISP"), "{problems:#?}");
}

#[test]
fn fix_sensor_defaults_sets_imx258_digital_gain_to_unity_only() {
    let mut dev = FakeDevice::new(instance(common::PPP_REAR_6X, ISP_MAX_RK3399));
    let fixes = defaults::fix(&mut dev).unwrap();
    assert_eq!(fixes.len(), 1);
    assert_eq!((fixes[0].from, fixes[0].to), (1024, 256));
    assert_eq!(dev.control("imx258 1-001a", cid::DIGITAL_GAIN).unwrap().unwrap().value, 256);
    assert!(defaults::fix(&mut dev).unwrap().is_empty(), "idempotent");
    let mut front = FakeDevice::new(instance(common::PPP_FRONT_5X_CUT, ISP_MAX_OLD));
    assert!(defaults::needed(&mut front).unwrap().is_empty(), "ov8858's digital gain unit is unknown: left alone");
}

#[test]
fn cameras_are_found_by_role_and_name_and_errors_say_what_exists() {
    let inst = instance(common::PPP_REAR_6X, ISP_MAX_RK3399);
    for sel in ["rear", "imx258", "imx258 1-001a"] {
        assert_eq!(inst.sensor(Some(sel)).unwrap().entity, "imx258 1-001a");
    }
    let e = inst.sensor(Some("front")).unwrap_err().to_string();
    assert!(e.contains("imx258 1-001a"), "{e}");
    let front = instance(common::PPP_FRONT_5X_CUT, ISP_MAX_OLD);
    assert_eq!(front.sensor(Some("front")).unwrap().entity, "ov8858 1-0036");
    let e =
        plan::plan(&inst, &Request { camera: None, size: Size::new(4208, 3120), format: OutputFormat::Nv12, path: Path::SelfPath }).unwrap_err().to_string();
    assert!(e.contains("1920x1920") && e.contains("--path main"), "{e}");
    let e = plan::plan(&inst, &Request { camera: None, size: Size::new(640, 480), format: OutputFormat::Raw, path: Path::SelfPath }).unwrap_err();
    assert_eq!(e, PlanError::RawOnSelfPath);
}

#[test]
fn json_has_the_documented_shape() {
    let inst = instance(common::PPP_REAR_6X, ISP_MAX_RK3399);
    let p = plan::plan(&inst, &Request { camera: None, size: Size::new(1280, 720), format: OutputFormat::Nv12, path: Path::Main }).unwrap();
    let v = serde_json::to_value(&p).unwrap();
    let pad = &v["pads"][0];
    for k in ["entity", "pad", "code", "width", "height"] {
        assert!(!pad[k].is_null(), "pads[0].{k} in {v}");
    }
    assert_eq!(v["links"][0]["source"].as_array().unwrap().len(), 2);
    assert!(v["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["source"] == serde_json::json!(["imx258 1-001a", 0]) && l["sink"] == serde_json::json!(["rkisp1_csi", 0])));
    assert!(mbus::is_bayer(p.mode.code.as_str()));
}

/// The CLI on a dump file: plan --json parses, doctor's exit status says whether
/// STREAMON would fail, errors are one clear line with status 2.
#[test]
fn cli_offline() {
    let dir = std::env::temp_dir().join(format!("rkisp1-setup-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("rear.txt");
    std::fs::write(&good, common::PPP_REAR_6X).unwrap();
    let bin = env!("CARGO_BIN_EXE_rkisp1-setup");
    let run = |args: &[&str]| std::process::Command::new(bin).args(args).output().unwrap();
    let g = good.to_str().unwrap();
    let o = run(&["--topology", g, "plan", "--camera", "rear", "--size", "1920x1080", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["video"]["fourcc"], "NV12");
    let o = run(&["--topology", g, "plan", "--size", "1920x1080"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("media-ctl -d $MEDIA -V \"'rkisp1_isp':0 [fmt:SRGGB10_1X10/2104x1560 field:none crop:(0,0)/2104x1560]"), "{text}");
    assert!(text.contains("v4l2-ctl -d /dev/video0 -v width=1920,height=1080,pixelformat=NV12"), "{text}");
    // The fixture's graph is consistent: doctor only warns (digital gain), exit 0.
    let o = run(&["--topology", g, "doctor"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    // With the 6.1 limit the same graph (ISP sink 4208 wide) cannot stream: exit 1.
    let o = run(&["--topology", g, "--isp-max", "4032x3024", "doctor"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(1), "{out}");
    let o = run(&["--topology", g, "plan", "--size", "4208x3120", "--path", "self"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--path main"));
    let o = run(&["--topology", "/nonexistent", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent"));
    let o = run(&["--topology", g, "fix-sensor-defaults"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("would set imx258 1-001a DIGITAL_GAIN 1024 -> 256"));
    // The hardware path on a machine without an rkisp1: a clear error, no panic.
    let o = run(&["--device", "/dev/null", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a media device"), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(&["list"]);
    if o.status.code() == Some(2) {
        assert!(String::from_utf8_lossy(&o.stderr).contains("no rkisp1 media device"), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let o = run(&["udev-rule"]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("fix-sensor-defaults --subdev $devnode"));
}

#[test]
fn a_mode_fits_only_if_the_isp_sink_holds_all_of_it_bad_rows_included() {
    // The old imx258's full mode is 4208x3118, of which the last 2 rows are not image. The
    // ISP sink still takes all 3118 rows (its format must equal the sensor's), so an input
    // limit of 4208x3117 rules the mode out, however small its valid area is.
    let inst = instance(&ppp_rear_5x_cut(), Size::new(4208, 3117));
    let req = Request { camera: Some("imx258".into()), size: Size::new(2104, 1560), format: OutputFormat::Nv12, path: Path::Main };
    let p = plan::plan(&inst, &req).unwrap();
    assert_ne!((p.mode.width, p.mode.height), (4208, 3118), "{p:?}");
    assert!(p.notes.iter().any(|n| n.contains("4208x3118 skipped")), "{:?}", p.notes);
    // With room for the whole mode it is usable again.
    let inst = instance(&ppp_rear_5x_cut(), Size::new(4208, 3118));
    let req = Request { size: Size::new(4208, 3116), ..req };
    assert_eq!(plan::plan(&inst, &req).unwrap().mode.height, 3118);
}
