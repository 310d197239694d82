//! Checks every entry of `abi::layout::probe_entries()` (the size of each `#[repr(C)]`
//! mirror in `abi::uapi`, the offset and size of each of its fields, the block table and the
//! constants) against real kernel headers by compiling a C probe with the system C compiler:
//! * the build machine's `/usr/include` (Debian 12: Linux 6.1 UAPI, fixed format only);
//! * `.cache/kernel-headers/debian-6.12` (RK1E with compand blocks);
//! * `.cache/kernel-headers/debian-newest` (RK1E with WDR, on v4l2-isp).
//!
//! The cached headers come from `scripts/fetch-kernel-headers` (run by `.ci/run`).

use rkisp1_ipa::abi::layout::probe_entries;
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Compile and run a probe printing each expression's value; returns (name, value) pairs.
fn probe(label: &str, include: Option<&Path>, want: impl Fn(&str) -> Option<&str>) -> Vec<(String, usize, usize)> {
    let dir = std::env::temp_dir().join(format!("rkisp1-probe-{}-{label}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut src = String::from("#include <stddef.h>\n#include <stdio.h>\n#include <linux/videodev2.h>\n#include <linux/rkisp1-config.h>\nint main(void) {\n");
    let mut expected = Vec::new();
    for (name, value) in probe_entries() {
        if let Some(expr) = want(&name) {
            src += &format!("    printf(\"%zu\\n\", (size_t)({expr}));\n");
            expected.push((name.clone(), value));
        }
    }
    src += "    return 0;\n}\n";
    let c = dir.join("probe.c");
    std::fs::write(&c, src).unwrap();
    let exe = dir.join("probe");
    let mut cmd = Command::new("cc");
    if let Some(inc) = include {
        cmd.arg(format!("-I{}", inc.display()));
    }
    let out = cmd.arg("-o").arg(&exe).arg(&c).output().expect("run cc");
    assert!(out.status.success(), "probe failed to compile:\n{}", String::from_utf8_lossy(&out.stderr));
    let run = Command::new(&exe).output().unwrap();
    let text = String::from_utf8(run.stdout).unwrap();
    let got: Vec<usize> = text.lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(got.len(), expected.len());
    expected.into_iter().zip(got).map(|((n, e), g)| (n, e, g)).collect()
}

fn check(results: Vec<(String, usize, usize)>) -> usize {
    let bad: Vec<_> = results.iter().filter(|(_, e, g)| e != g).collect();
    assert!(bad.is_empty(), "layout mismatches (name, ours, kernel): {bad:#?}");
    eprintln!("{} entries match", results.len());
    results.len()
}

fn cached(name: &str) -> PathBuf {
    let p = repo().join(".cache/kernel-headers").join(name);
    assert!(p.join("linux/rkisp1-config.h").exists(), "{} missing: run scripts/fetch-kernel-headers", p.display());
    p
}

#[test]
fn fixed_format_and_stats_match_debian_6_1_header() {
    let n = check(probe("debian-6.1", None, |n| (!n.contains(':')).then_some(n)));
    assert!(n >= 500, "only {n} entries checked");
}

#[test]
fn extensible_format_matches_6_12_header() {
    let inc = cached("debian-6.12");
    let n = check(probe("debian-6.12", Some(&inc), |n| if n.starts_with("wdr:") { None } else { Some(n.trim_start_matches("ext:")) }));
    assert!(n >= 630, "only {n} entries checked");
}

#[test]
fn extensible_format_matches_newest_header() {
    let inc = cached("debian-newest");
    let n = check(probe("debian-newest", Some(&inc), |n| Some(n.trim_start_matches("ext:").trim_start_matches("wdr:"))));
    assert!(n >= 670, "only {n} entries checked");
}
