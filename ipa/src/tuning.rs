//! Tuning files in libcamera's schema: `version: 1` and an `algorithms:` list of one-key
//! maps. Errors name the file, algorithm, key and reason; unknown keys are logged at debug
//! level and ignored so that upstream files load unchanged.

use crate::interpolate::Pwl;
use serde_norway::{Mapping, Value};

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("{file}: {algorithm}: {key}: {reason}")]
pub struct TuningError {
    pub file: String,
    pub algorithm: String,
    pub key: String,
    pub reason: String,
}

/// A parsed tuning file: algorithm blocks in file order.
#[derive(Debug, Clone)]
pub struct Tuning {
    pub file: String,
    pub algorithms: Vec<(String, Value)>,
}

impl Tuning {
    /// Parse tuning text; `file` is used in messages.
    pub fn parse(file: &str, text: &str) -> Result<Tuning, TuningError> {
        let err = |key: &str, reason: String| TuningError { file: file.into(), algorithm: "-".into(), key: key.into(), reason };
        let root: Value = serde_norway::from_str(text).map_err(|e| err("-", format!("invalid YAML: {e}")))?;
        let map = root.as_mapping().ok_or_else(|| err("-", "top level is not a mapping".into()))?;
        match map.get("version") {
            Some(v) if v.as_u64() == Some(1) => {}
            Some(v) => return Err(err("version", format!("unsupported version {v:?}, expected 1"))),
            None => return Err(err("version", "missing".into())),
        }
        let list =
            map.get("algorithms").ok_or_else(|| err("algorithms", "missing".into()))?.as_sequence().ok_or_else(|| err("algorithms", "not a list".into()))?;
        let mut algorithms = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            let m = item.as_mapping().filter(|m| m.len() == 1).ok_or_else(|| err(&format!("algorithms[{i}]"), "each entry must be a one-key map".into()))?;
            let (k, v) = m.iter().next().unwrap();
            let name = k.as_str().ok_or_else(|| err(&format!("algorithms[{i}]"), "name is not a string".into()))?;
            algorithms.push((name.to_string(), v.clone()));
        }
        for key in map.keys() {
            if let Some(k) = key.as_str() {
                if k != "version" && k != "algorithms" {
                    log::debug!("{file}: top-level key '{k}' ignored");
                }
            }
        }
        Ok(Tuning { file: file.into(), algorithms })
    }
}

/// Typed access to one algorithm's parameters, producing [`TuningError`]s.
pub struct Params<'a> {
    file: &'a str,
    algorithm: &'a str,
    map: Option<&'a Mapping>,
}

static EMPTY: std::sync::OnceLock<Mapping> = std::sync::OnceLock::new();

impl<'a> Params<'a> {
    pub fn new(file: &'a str, algorithm: &'a str, value: &'a Value) -> Result<Self, TuningError> {
        let map = match value {
            Value::Null => None,
            Value::Mapping(m) => Some(m),
            _ => return Err(TuningError { file: file.into(), algorithm: algorithm.into(), key: "-".into(), reason: "parameters must be a mapping".into() }),
        };
        Ok(Self { file, algorithm, map })
    }

    pub fn error(&self, key: &str, reason: impl Into<String>) -> TuningError {
        TuningError { file: self.file.into(), algorithm: self.algorithm.into(), key: key.into(), reason: reason.into() }
    }

    pub fn map(&self) -> &'a Mapping {
        self.map.unwrap_or_else(|| EMPTY.get_or_init(Mapping::new))
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.and_then(|m| m.get(key))
    }

    /// `enabled: false` disables an algorithm (libcamera semantics).
    pub fn enabled(&self) -> Result<bool, TuningError> {
        match self.get("enabled") {
            None => Ok(true),
            Some(v) => v.as_bool().ok_or_else(|| self.error("enabled", "not a boolean")),
        }
    }

    /// Log keys this algorithm does not know.
    pub fn warn_unknown(&self, known: &[&str]) {
        for k in self.map().keys() {
            match k.as_str() {
                Some(k) if known.contains(&k) || k == "enabled" => {}
                Some(k) => log::debug!("{}: {}: unknown key '{k}' ignored", self.file, self.algorithm),
                None => log::debug!("{}: {}: non-string key ignored", self.file, self.algorithm),
            }
        }
    }

    pub fn f64_in(&self, key: &str, default: f64, min: f64, max: f64) -> Result<f64, TuningError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => self.value_f64(key, v, min, max),
        }
    }

    pub fn value_f64(&self, key: &str, v: &Value, min: f64, max: f64) -> Result<f64, TuningError> {
        let x = v.as_f64().ok_or_else(|| self.error(key, format!("expected a number, got {}", describe(v))))?;
        if !(min..=max).contains(&x) || !x.is_finite() {
            return Err(self.error(key, format!("{x} is outside [{min}, {max}]")));
        }
        Ok(x)
    }

    /// A list of numbers, each in [min, max], with `len` entries if given.
    pub fn list_f64(&self, key: &str, v: &Value, len: Option<usize>, min: f64, max: f64) -> Result<Vec<f64>, TuningError> {
        let seq = v.as_sequence().ok_or_else(|| self.error(key, format!("expected a list, got {}", describe(v))))?;
        if let Some(n) = len {
            if seq.len() != n {
                return Err(self.error(key, format!("expected {n} values, got {}", seq.len())));
            }
        }
        seq.iter().enumerate().map(|(i, x)| self.value_f64(&format!("{key}[{i}]"), x, min, max)).collect()
    }
}

pub fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// A tuned piecewise-linear curve: a flat list `[x0, y0, x1, y1, ...]` with increasing x,
/// or a single number (a constant), each y in [min_y, max_y].
pub fn parse_pwl(p: &Params, key: &str, v: &Value, min_y: f64, max_y: f64) -> Result<Pwl<f64>, TuningError> {
    if v.as_f64().is_some() {
        return Ok(Pwl::constant(p.value_f64(key, v, min_y, max_y)?));
    }
    let flat = p.list_f64(key, v, None, f64::MIN, f64::MAX)?;
    if flat.is_empty() || flat.len() % 2 != 0 {
        return Err(p.error(key, "a PWL needs an even, non-zero number of values"));
    }
    let points: Vec<(f64, f64)> = flat.chunks(2).map(|c| (c[0], c[1])).collect();
    if let Some((_, y)) = points.iter().find(|(_, y)| !(min_y..=max_y).contains(y)) {
        return Err(p.error(key, format!("PWL value {y} is outside [{min_y}, {max_y}]")));
    }
    Pwl::new(points).map_err(|e| p.error(key, format!("PWL {e}")))
}
