//! Our tuning files must also load in upstream libcamera's own rkisp1 IPA, so users can
//! switch IPAs without switching tuning. Upstream fails on unknown algorithm names and on
//! keys it parses with the wrong shape; it ignores keys it does not know (our extensions).
//! This test checks every algorithm name and every key upstream parses against upstream's
//! schema (libcamera-ipa.md §4–5), on our files and, as a control, on upstream's own.

use serde_norway::Value;

const UPSTREAM_ALGORITHMS: &[&str] = &[
    "Agc",
    "Awb",
    "BlackLevelCorrection",
    "Ccm",
    "ColorProcessing",
    "DefectPixelClusterCorrection",
    "Dpf",
    "Filter",
    "GammaOutCorrection",
    "GammaSensorLinearization",
    "LensShadingCorrection",
    "Lux",
    "Compress",
    "WideDynamicRange",
];

fn numbers(v: &Value) -> Option<Vec<f64>> {
    v.as_sequence()?.iter().map(|x| x.as_f64()).collect()
}

fn check_algorithm(name: &str, p: &Value) -> Result<(), String> {
    let get = |k: &str| p.get(k);
    match name {
        "Agc" => {
            if let Some(m) = get("AeMeteringMode") {
                for (k, v) in m.as_mapping().ok_or("AeMeteringMode: not a mapping")? {
                    let w = numbers(v).ok_or(format!("AeMeteringMode.{k:?}: not a list of numbers"))?;
                    // 25 weights on RK3399 (V10): upstream rejects other lengths there.
                    if w.len() != 25 || w.iter().any(|x| *x < 0.0 || x.fract() != 0.0) {
                        return Err(format!("AeMeteringMode.{k:?}: needs 25 non-negative integers"));
                    }
                }
            }
            if let Some(m) = get("AeConstraintMode") {
                for (k, v) in m.as_mapping().ok_or("AeConstraintMode: not a mapping")? {
                    let mm = v.as_mapping().ok_or(format!("AeConstraintMode.{k:?}: not a mapping"))?;
                    for (bound, c) in mm {
                        if c.get("yTarget").is_none() {
                            return Err(format!("AeConstraintMode.{k:?}.{bound:?}: yTarget is required"));
                        }
                    }
                }
            }
            if let Some(m) = get("AeExposureMode") {
                for (k, v) in m.as_mapping().ok_or("AeExposureMode: not a mapping")? {
                    let t = v.get("exposureTime").and_then(numbers).ok_or(format!("AeExposureMode.{k:?}: exposureTime list"))?;
                    let g = v.get("gain").and_then(numbers).ok_or(format!("AeExposureMode.{k:?}: gain list"))?;
                    if t.len() != g.len() || t.is_empty() {
                        return Err(format!("AeExposureMode.{k:?}: exposureTime and gain lengths differ"));
                    }
                }
            }
        }
        "Awb" => {
            let bayes = match get("algorithm").map(|a| a.as_str()) {
                None | Some(Some("grey")) => false,
                Some(Some("bayes")) => true,
                _ => return Err("algorithm: grey or bayes".into()),
            };
            if let Some(cg) = get("colourGains") {
                for e in cg.as_sequence().ok_or("colourGains: not a list")? {
                    e.get("ct").and_then(|c| c.as_f64()).ok_or("colourGains: ct")?;
                    let g = e.get("gains").and_then(numbers).ok_or("colourGains: gains")?;
                    if g.len() != 2 {
                        return Err("colourGains: gains needs [r, b]".into());
                    }
                }
            }
            if bayes && (get("AwbMode").and_then(|m| m.get("AwbAuto")).is_none() || get("priors").is_none()) {
                return Err("bayes needs AwbMode.AwbAuto and priors".into());
            }
        }
        "BlackLevelCorrection" => {
            for k in ["R", "Gr", "Gb", "B"] {
                if let Some(v) = get(k) {
                    let x = v.as_i64().ok_or(format!("{k}: not an integer"))?;
                    if !(i16::MIN as i64..=i16::MAX as i64).contains(&x) {
                        return Err(format!("{k}: out of int16 range"));
                    }
                }
            }
        }
        "Ccm" => {
            for e in get("ccms").and_then(|c| c.as_sequence()).ok_or("ccms: list required")? {
                e.get("ct").and_then(|c| c.as_f64()).ok_or("ccms: ct")?;
                if e.get("ccm").and_then(numbers).map(|m| m.len()) != Some(9) {
                    return Err("ccms: ccm needs 9 numbers".into());
                }
                if let Some(o) = e.get("offsets") {
                    if o.as_sequence().map(|s| s.len()) != Some(3) || o.as_sequence().unwrap().iter().any(|x| x.as_i64().is_none()) {
                        return Err("ccms: offsets needs 3 integers".into());
                    }
                }
            }
        }
        "GammaOutCorrection" => {
            if let Some(g) = get("gamma") {
                g.as_f64().ok_or("gamma: not a number")?;
            }
        }
        "LensShadingCorrection" => {
            if !matches!(get("type").map(|t| t.as_str()), None | Some(Some("table"))) {
                return Err("type: only table is used by our files".into());
            }
            for k in ["x-size", "y-size"] {
                let s = get(k).and_then(numbers).ok_or(format!("{k}: list required"))?;
                let sum: f64 = s.iter().sum();
                if s.len() != 8 || (sum - 0.5).abs() > 0.005 {
                    return Err(format!("{k}: 8 fractions summing to 0.5"));
                }
            }
            for e in get("sets").and_then(|s| s.as_sequence()).ok_or("sets: list required")? {
                e.get("ct").and_then(|c| c.as_u64()).ok_or("sets: ct must be an integer")?;
                for ch in ["r", "gr", "gb", "b"] {
                    let t = e.get(ch).and_then(numbers).ok_or(format!("sets: {ch}"))?;
                    if t.len() != 289 || t.iter().any(|x| *x < 0.0 || *x > 4095.0 || x.fract() != 0.0) {
                        return Err(format!("sets: {ch} needs 289 integers 0..4095"));
                    }
                }
            }
        }
        "Dpf" => {
            let d = get("DomainFilter").ok_or("DomainFilter: required")?;
            if d.get("g").and_then(numbers).map(|g| g.len()) != Some(6) {
                return Err("DomainFilter.g needs 6 numbers".into());
            }
            if !matches!(d.get("rb").and_then(numbers).map(|g| g.len()), Some(5 | 6)) {
                return Err("DomainFilter.rb needs 5 or 6 numbers".into());
            }
            let n = get("NoiseLevelFunction").ok_or("NoiseLevelFunction: required")?;
            if n.get("coeff").and_then(numbers).map(|c| c.len()) != Some(17) {
                return Err("NoiseLevelFunction.coeff needs 17 numbers".into());
            }
            if !matches!(n.get("scale-mode").map(|m| m.as_str()), None | Some(Some("linear" | "logarithmic"))) {
                return Err("NoiseLevelFunction.scale-mode: linear or logarithmic".into());
            }
            if let Some(fs) = get("FilterStrength") {
                for k in ["r", "g", "b"] {
                    if let Some(v) = fs.get(k) {
                        v.as_u64().filter(|x| *x <= 255).ok_or(format!("FilterStrength.{k}: 0..255"))?;
                    }
                }
            }
        }
        "DefectPixelClusterCorrection" => {
            if let Some(f) = get("fixed-set") {
                f.as_bool().ok_or("fixed-set: boolean")?;
            }
            let sets = get("sets").and_then(|s| s.as_sequence()).ok_or("sets: list required")?;
            if sets.len() > 3 {
                return Err("sets: at most 3".into());
            }
            for set in sets {
                for k in ["pg-factor", "ro-limits", "rg-factor", "rnd-offsets", "rnd-threshold", "line-threshold", "line-mad-factor"] {
                    if let Some(m) = set.get(k) {
                        for part in ["green", "red-blue"] {
                            if let Some(v) = m.get(part) {
                                v.as_u64().ok_or(format!("sets: {k}.{part}: unsigned integer"))?;
                            }
                        }
                    }
                }
            }
        }
        "Lux" => {
            for k in ["referenceExposureTime", "referenceAnalogueGain", "referenceDigitalGain", "referenceY", "referenceLux"] {
                get(k).and_then(|v| v.as_f64()).ok_or(format!("{k}: required"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_file(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut errors = Vec::new();
    if doc.get("version").and_then(|v| v.as_u64()) != Some(1) {
        errors.push(format!("{path}: version must be 1"));
    }
    for entry in doc.get("algorithms").and_then(|a| a.as_sequence()).expect("algorithms list") {
        let m = entry.as_mapping().expect("one-key mapping");
        assert_eq!(m.len(), 1, "{path}: each algorithm entry is a one-key mapping");
        let (k, v) = m.iter().next().unwrap();
        let name = k.as_str().unwrap();
        if !UPSTREAM_ALGORITHMS.contains(&name) {
            errors.push(format!("{path}: upstream does not know algorithm '{name}'"));
            continue;
        }
        if let Err(e) = check_algorithm(name, v) {
            errors.push(format!("{path}: {name}: {e}"));
        }
    }
    errors
}

#[test]
fn our_tuning_files_follow_upstreams_schema() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tuning");
    let mut errors = Vec::new();
    for f in ["imx258.yaml", "ov8858.yaml", "uncalibrated.yaml"] {
        errors.extend(check_file(&format!("{root}/{f}")));
    }
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn the_schema_check_accepts_upstreams_files_and_rejects_bad_ones() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/upstream");
    for f in ["imx258.yaml", "ov8858.yaml", "uncalibrated.yaml"] {
        let e = check_file(&format!("{dir}/{f}"));
        assert!(e.is_empty(), "upstream {f}: {e:#?}");
    }
    let bad = |yaml: &str| {
        let doc: Value = serde_norway::from_str(yaml).unwrap();
        let (k, v) = doc.as_mapping().unwrap().iter().next().unwrap();
        check_algorithm(k.as_str().unwrap(), v)
    };
    assert!(bad("Agc: {AeMeteringMode: {MeteringSpot: [1, 2, 3]}}").is_err());
    assert!(bad("Awb: {algorithm: bayes, colourGains: [{ct: 5000, gains: [1, 1]}]}").is_err());
    assert!(bad("LensShadingCorrection: {x-size: [0.1], y-size: [0.1], sets: []}").is_err());
    assert!(bad("Lux: {referenceY: 0.2}").is_err());
    assert!(bad("Dpf: {DomainFilter: {g: [1, 2, 3, 4, 5, 6], rb: [1, 2, 3]}, NoiseLevelFunction: {coeff: [1]}}").is_err());
    assert!(bad("DefectPixelClusterCorrection: {sets: [{}, {}, {}, {}]}").is_err());
    assert!(bad("Ccm: {ccms: [{ct: 5000, ccm: [1, 0, 0]}]}").is_err());
}
