//! One-way dependencies: no import cycle between the modules (files) of the crate.
//!
//! The graph has one node per source file. A module depends on the submodules it declares
//! (`mod x;`) and on every module it names through a `crate::…`, `super::…` or `self::…`
//! path (in `use` lines or inline), resolved to the longest path that is a module; names
//! inside braces are resolved one by one. Test modules (from `#[cfg(test)]` on) are left
//! out: they may look at anything. `super::` is resolved from the file's module, so inline
//! modules (`mod x { … }`) name their imports from `crate::`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            source_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `crate::a::b` for `src/a/b.rs` and `src/a/b/mod.rs`; `crate` for `src/lib.rs`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    std::iter::once("crate".to_string()).chain(parts).collect::<Vec<_>>().join("::")
}

fn parent(module: &str) -> &str {
    module.rsplit_once("::").map_or("crate", |(p, _)| p)
}

/// The code of a file without comments, string literals and test modules.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut out = String::new();
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("");
        let mut in_str = false;
        for c in line.chars() {
            match c {
                '"' => in_str = !in_str,
                _ if in_str => {}
                _ => out.push(c),
            }
        }
        out.push('\n');
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The paths named by a use tree such as `a::b::{c, d::{self, e}}`, after `base`.
fn expand(base: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
    let mut path = base.to_vec();
    let mut s = tree.trim_start();
    loop {
        let n = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
        let seg = &s[..n];
        if !seg.is_empty() && seg != "self" {
            path.push(seg.to_string());
        }
        s = &s[n..];
        match s.strip_prefix("::") {
            Some(t) if t.starts_with('{') => {
                let inner = &t[1..];
                let mut depth = 0;
                let mut start = 0;
                for (k, c) in inner.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            expand(&path, &inner[start..k], out);
                            return;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            expand(&path, &inner[start..k], out);
                            start = k + 1;
                        }
                        _ => {}
                    }
                }
                expand(&path, &inner[start..], out);
                return;
            }
            Some(t) => s = t,
            None => break,
        }
    }
    out.push(path);
}

/// Paths (`a::b::c`) named after `prefix` in `code`, with use-tree braces expanded.
fn paths_after(code: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before_ok = rest[..i].chars().last().is_none_or(|c| !is_ident(c) && c != ':');
        rest = &rest[i + prefix.len()..];
        if before_ok {
            expand(&[], rest, &mut found);
        }
    }
    found
}

/// The longest prefix of `path` (under `base`) that is a module.
fn resolve(modules: &BTreeSet<String>, base: &str, path: &[String]) -> String {
    let mut best = base.to_string();
    let mut cur = base.to_string();
    for seg in path {
        cur = format!("{cur}::{seg}");
        if modules.contains(&cur) {
            best = cur.clone();
        }
    }
    best
}

fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    source_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut g = Graph::new();
    for f in &files {
        let me = module_of(src, f);
        let text = code(&std::fs::read_to_string(f).unwrap());
        let mut deps = BTreeSet::new();
        for line in text.lines() {
            let l = line.trim_start().trim_start_matches("pub ").trim_start_matches("pub(crate) ");
            if let Some(name) = l.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) {
                deps.insert(format!("{me}::{}", name.trim()));
            }
        }
        for (prefix, base) in [("crate::", "crate".to_string()), ("super::", parent(&me).to_string()), ("self::", me.clone())] {
            for p in paths_after(&text, prefix) {
                deps.insert(resolve(&modules, &base, &p));
            }
        }
        deps.remove(&me);
        g.insert(me, deps);
    }
    g
}

/// A cycle of the graph, as the modules along it, if there is one.
fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(g: &Graph, n: &str, stack: &mut Vec<String>, done: &mut BTreeSet<String>) -> Option<Vec<String>> {
        if let Some(i) = stack.iter().position(|m| m == n) {
            let mut cycle = stack[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(g, d, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    g.keys().find_map(|n| visit(g, n, &mut Vec::new(), &mut done))
}

#[test]
fn the_crate_has_no_import_cycle() {
    let g = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(g.len() > 20, "found only {} modules", g.len());
    assert!(g["crate::algorithms::agc"].contains("crate::status"));
    if let Some(c) = find_cycle(&g) {
        panic!("import cycle: {}", c.join(" -> "));
    }
}

#[test]
fn the_checker_sees_cycles() {
    let g = |edges: &[(&str, &str)]| {
        let mut g = Graph::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert_eq!(find_cycle(&g(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
    assert_eq!(find_cycle(&g(&[("a", "b"), ("b", "c"), ("c", "a")])), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
}

#[test]
fn paths_are_resolved_to_modules() {
    let modules: BTreeSet<String> =
        ["crate", "crate::abi", "crate::abi::consts", "crate::algorithms", "crate::algorithms::zones"].iter().map(|s| s.to_string()).collect();
    let text = "use crate::abi::{consts::{self, X}, Block};\nuse super::zones::Blend;\nlet x = crate::algorithms::Y;\n";
    let deps: BTreeSet<String> = paths_after(text, "crate::").iter().map(|p| resolve(&modules, "crate", p)).collect();
    assert_eq!(deps, ["crate::abi", "crate::abi::consts", "crate::algorithms"].iter().map(|s| s.to_string()).collect());
    let sup = paths_after(text, "super::");
    assert_eq!(resolve(&modules, "crate::algorithms", &sup[0]), "crate::algorithms::zones");
}
