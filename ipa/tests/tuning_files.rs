//! Tuning files: upstream libcamera's files and ours load; errors name file, algorithm,
//! key and reason.

use rkisp1_ipa::abi::HwRevision;
use rkisp1_ipa::sensor::{Range, SensorControls, SensorInfo};
use rkisp1_ipa::{InitInfo, Ipa, IpaError};
use std::path::Path;

fn init(model: &str) -> InitInfo {
    InitInfo {
        hw_revision: 10,
        hw: HwRevision::V10,
        supported_blocks: 0xFFFFF,
        sensor: SensorInfo { model: model.into(), bits_per_sample: 10, width: 4208, height: 3120, pixel_rate: 508_800_000, line_length: 5352 },
        sensor_controls: SensorControls { exposure: Range::new(4, 3142, 1600), analogue_gain: Range::new(0, 480, 0), vblank: Range::new(32, 62405, 32) },
    }
}

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn upstream_files_load_unchanged() {
    let dir = repo().join("ipa/tests/data/upstream");
    for (file, model) in [("imx258.yaml", "imx258"), ("ov8858.yaml", "ov8858"), ("uncalibrated.yaml", "imx258")] {
        let p = dir.join(file);
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        Ipa::init(init(model), file, &text).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}

#[test]
fn our_files_load() {
    for model in ["imx258", "ov8858"] {
        let p = repo().join(format!("tuning/{model}.yaml"));
        let text = std::fs::read_to_string(&p).unwrap();
        let mut ipa = Ipa::init(init(model), &p.display().to_string(), &text).unwrap();
        let controls = ipa.configure(init(model).sensor, init(model).sensor_controls, rkisp1_ipa::abi::ParamFormat::Fixed).unwrap();
        use rkisp1_ipa::controls::ControlId::*;
        for id in [ExposureTime, AnalogueGain, ColourGains, ColourTemperature, ColourCorrectionMatrix, Gamma, AeMeteringMode, FrameDurationLimits] {
            assert!(controls.iter().any(|c| c.id == id), "{model}: {id:?} missing");
        }
    }
}

fn err(text: &str) -> String {
    match Ipa::init(init("imx258"), "bad.yaml", text) {
        Err(IpaError::Tuning(e)) => e.to_string(),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("accepted: {text}"),
    }
}

#[test]
fn bad_files_are_explained() {
    assert_eq!(err("version: 2\nalgorithms: []\n"), "bad.yaml: -: version: unsupported version Number(2), expected 1");
    assert!(err("algorithms: []\n").contains("version: missing"));
    assert!(err("version: 1\n").contains("algorithms: missing"));
    assert!(err("version: 1\nalgorithms:\n  - Nope:\n").contains("unknown algorithm 'Nope'"));
    let e = err("version: 1\nalgorithms:\n  - Agc:\n      relativeLuminanceTarget: 3\n");
    assert_eq!(e, "bad.yaml: Agc: relativeLuminanceTarget: 3 is outside [0, 1]");
    let e = err("version: 1\nalgorithms:\n  - Ccm:\n      ccms:\n        - ct: 5000\n          ccm: [1, 0, 0]\n");
    assert_eq!(e, "bad.yaml: Ccm: ccms[0].ccm: expected 9 values, got 3");
    let e = err("version: 1\nalgorithms:\n  - Awb:\n      colourGains:\n        - ct: 5000\n          gains: [1, x]\n");
    assert!(e.starts_with("bad.yaml: Awb: colourGains[0].gains[1]: expected a number"), "{e}");
    assert!(err("version: 1\nalgorithms:\n  - BlackLevelCorrection:\n      R: 4096\n").contains("all four"));
    assert!(err(": : :").contains("invalid YAML"));
}

#[test]
fn unknown_keys_are_ignored_and_disabled_algorithms_skipped() {
    let t = "version: 1\nalgorithms:\n  - Agc:\n      someFutureKey: 3\n  - Awb:\n      enabled: false\n";
    let ipa = Ipa::init(init("imx258"), "t.yaml", t).unwrap();
    assert_eq!(ipa.algorithm_names().collect::<Vec<_>>(), ["Agc"]);
    // A disabled algorithm is not even created: its parameters may be anything.
    let t = "version: 1\nalgorithms:\n  - Awb:\n      enabled: false\n      colourGains: 3\n";
    assert_eq!(Ipa::init(init("imx258"), "t.yaml", t).unwrap().algorithm_names().count(), 0);
}

#[test]
fn an_order_that_reads_a_status_before_it_is_written_is_refused() {
    // CCM picks its matrix from the colour temperature AWB decides for the same frame.
    let e = err("version: 1\nalgorithms:\n  - Ccm:\n  - Awb:\n");
    assert_eq!(e, "bad.yaml: Ccm: -: Ccm reads the Awb status in prepare (compute_params) before Awb writes it: list Awb before Ccm");
    // Our file with AWB moved to the end: LSC is the first to read its status too early.
    let text = std::fs::read_to_string(repo().join("tuning/imx258.yaml")).unwrap();
    let mut v: serde_norway::Value = serde_norway::from_str(&text).unwrap();
    let list = v.get_mut("algorithms").and_then(|a| a.as_sequence_mut()).unwrap();
    let awb = list.iter().position(|a| a.get("Awb").is_some()).unwrap();
    let entry = list.remove(awb);
    list.push(entry);
    let e = err(&serde_norway::to_string(&v).unwrap());
    assert!(e.starts_with("bad.yaml: LensShadingCorrection: -: LensShadingCorrection reads the Awb status in prepare"), "{e}");
    Ipa::init(init("imx258"), "t.yaml", "version: 1\nalgorithms:\n  - Awb:\n  - Ccm:\n").unwrap();
}

#[test]
fn reads_of_earlier_phases_and_of_the_previous_frame_allow_any_order() {
    // The black level is decided at queue_request, so AWB's prepare may run before BLC's
    // (libcamera's files list Awb first); AGC reads the previous frame's lux.
    for algorithms in [["BlackLevelCorrection", "Awb", "Agc", "Lux"], ["Awb", "BlackLevelCorrection", "Lux", "Agc"]] {
        let mut t = String::from("version: 1\nalgorithms:\n");
        for a in algorithms {
            t += &format!("  - {a}:\n");
            if a == "Lux" {
                t += "      referenceExposureTime: 10000\n      referenceAnalogueGain: 1\n      referenceDigitalGain: 1\n      referenceY: 0.2\n      referenceLux: 1000\n";
            }
        }
        Ipa::init(init("imx258"), "t.yaml", &t).unwrap_or_else(|e| panic!("{algorithms:?}: {e}"));
    }
}
