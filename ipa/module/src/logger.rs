//! `log` backend that behaves like libcamera's logger for our category.
//!
//! libcamera does not install its logging header (`libcamera/base/log.h` is private, see
//! libcamera-ipa.md §2.1), so an out-of-tree module cannot register a `LogCategory`. We
//! read the same environment instead:
//!
//! * `LIBCAMERA_LOG_LEVELS` — comma-separated `category:level` pairs; `category` may use `*`
//!   as a wildcard; `level` is DEBUG, INFO, WARN, ERROR, FATAL or 0–4. The last matching
//!   pair wins. Our category is **`IPARkISP1Rs`** (so `IPA*:DEBUG` or `*:DEBUG` also match).
//!   Without a match the level is INFO, as in libcamera.
//! * `LIBCAMERA_LOG_FILE` — a file to append to; unset (or `syslog`, which we do not
//!   support) means standard error.
//!
//! Lines follow libcamera's layout: `[seconds] [pid] LEVEL Category source message`.

use log::{Level, LevelFilter, Log, Metadata, Record};
use std::fs::File;
use std::io::Write;
use std::sync::{Mutex, Once};

pub const CATEGORY: &str = "IPARkISP1Rs";

struct Logger {
    level: LevelFilter,
    file: Option<Mutex<File>>,
}

fn parse_level(s: &str) -> Option<LevelFilter> {
    Some(match s.trim().to_ascii_uppercase().as_str() {
        "DEBUG" | "0" => LevelFilter::Debug,
        "INFO" | "1" => LevelFilter::Info,
        "WARN" | "2" => LevelFilter::Warn,
        "ERROR" | "3" => LevelFilter::Error,
        // FATAL: only fatal messages, and we emit none.
        "FATAL" | "4" => LevelFilter::Off,
        _ => return None,
    })
}

/// Glob match with `*` only, as libcamera's category patterns.
fn matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.len() >= head.len()
                && name.starts_with(head)
                && (0..=name.len() - head.len()).any(|i| name.is_char_boundary(head.len() + i) && matches(tail, &name[head.len() + i..]))
        }
    }
}

/// The level for `category` from a `LIBCAMERA_LOG_LEVELS` value.
pub fn level_for(spec: &str, category: &str) -> LevelFilter {
    let mut level = LevelFilter::Info;
    for item in spec.split(',').filter(|s| !s.trim().is_empty()) {
        let (cat, lvl) = match item.rsplit_once(':') {
            Some((c, l)) => (c.trim(), l),
            // A bare level applies to every category.
            None => ("*", item),
        };
        if matches(cat, category) {
            if let Some(l) = parse_level(lvl) {
                level = l;
            }
        }
    }
    level
}

impl Log for Logger {
    fn enabled(&self, m: &Metadata) -> bool {
        m.level() <= self.level
    }

    fn log(&self, r: &Record) {
        if !self.enabled(r.metadata()) {
            return;
        }
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let sev = match r.level() {
            Level::Error => "ERROR",
            Level::Warn => " WARN",
            Level::Info => " INFO",
            Level::Debug | Level::Trace => "DEBUG",
        };
        let src = r.module_path().unwrap_or("").trim_start_matches("rkisp1_ipa::");
        let line = format!("[{}.{:09}] [{}] {sev} {CATEGORY} {src} {}\n", now.as_secs(), now.subsec_nanos(), std::process::id(), r.args());
        // Logging must never fail the camera: write errors are dropped.
        match &self.file {
            Some(f) => {
                if let Ok(mut f) = f.lock() {
                    let _ = f.write_all(line.as_bytes());
                }
            }
            None => {
                let _ = std::io::stderr().write_all(line.as_bytes());
            }
        }
    }

    fn flush(&self) {}
}

/// Install the logger once per process (later calls do nothing).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let level = level_for(&std::env::var("LIBCAMERA_LOG_LEVELS").unwrap_or_default(), CATEGORY);
        let file = match std::env::var("LIBCAMERA_LOG_FILE") {
            Ok(p) if !p.is_empty() && p != "syslog" => std::fs::OpenOptions::new().create(true).append(true).open(&p).ok().map(Mutex::new),
            _ => None,
        };
        if log::set_logger(Box::leak(Box::new(Logger { level, file }))).is_ok() {
            log::set_max_level(level);
        }
        // Panics are caught at the bridge; their message goes to the same log.
        std::panic::set_hook(Box::new(|info| log::error!("panic: {info}")));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_libcamera_syntax() {
        assert_eq!(level_for("", CATEGORY), LevelFilter::Info);
        assert_eq!(level_for("IPARkISP1Rs:DEBUG", CATEGORY), LevelFilter::Debug);
        assert_eq!(level_for("*:ERROR", CATEGORY), LevelFilter::Error);
        assert_eq!(level_for("IPA*:0,Camera:3", CATEGORY), LevelFilter::Debug);
        assert_eq!(level_for("*:WARN,IPARkISP1Rs:1", CATEGORY), LevelFilter::Info);
        assert_eq!(level_for("RkISP1:DEBUG", CATEGORY), LevelFilter::Info, "other categories do not apply");
        assert_eq!(level_for("IPARkISP1Rs:bogus", CATEGORY), LevelFilter::Info, "bad levels are ignored");
        assert_eq!(level_for("2", CATEGORY), LevelFilter::Warn);
    }
}
