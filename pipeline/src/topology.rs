//! The media graph as `media-ctl -p` prints it: device information, entities with their
//! pads, formats, crops and links. Parsing is tolerant of what real dumps contain: tabs or
//! spaces, `Sink`/`SINK,MUST_CONNECT` pad flags, `[stream:0 …]` prefixes of newer kernels,
//! format brackets wrapped over several lines (also at column 0 by mail clients), and dumps
//! cut off in the middle (the last, incomplete entity is kept and the graph is marked
//! truncated).

use std::fmt;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    #[error("line {line}: {reason}")]
    Syntax { line: usize, reason: String },
    #[error("no `Device topology` section: not `media-ctl -p` output")]
    NoTopology,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Rect {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

impl fmt::Display for Rect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({},{})/{}x{}", self.x, self.y, self.width, self.height)
    }
}

/// A pad's active format (media bus code as media-ctl names it) and selections.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PadFormat {
    pub code: String,
    pub width: u32,
    pub height: u32,
    pub field: Option<String>,
    pub crop_bounds: Option<Rect>,
    pub crop: Option<Rect>,
    pub compose: Option<Rect>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Sink,
    Source,
}

/// A link as seen from one of its pads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// `Source`: this pad feeds `remote`; `Sink`: `remote` feeds this pad.
    pub direction: Direction,
    pub remote_entity: String,
    pub remote_pad: u32,
    pub enabled: bool,
    pub immutable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pad {
    pub index: u32,
    pub direction: Direction,
    pub must_connect: bool,
    pub format: Option<PadFormat>,
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub id: u32,
    pub name: String,
    /// "V4L2 subdev", "Node", …
    pub kind: String,
    /// "Sensor", "Unknown", "V4L", …
    pub subtype: String,
    pub devnode: Option<String>,
    pub pads: Vec<Pad>,
}

impl Entity {
    pub fn pad(&self, index: u32) -> Option<&Pad> {
        self.pads.iter().find(|p| p.index == index)
    }

    pub fn is_sensor(&self) -> bool {
        self.subtype.eq_ignore_ascii_case("sensor")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceInfo {
    pub driver: String,
    pub model: String,
    pub bus_info: String,
    pub hw_revision: Option<u32>,
    pub driver_version: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    pub device: DeviceInfo,
    pub entities: Vec<Entity>,
    /// The dump stopped before its end (fewer pads or links than the headers announce, or
    /// links to entities that are not in it).
    pub truncated: bool,
}

impl Topology {
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.name == name)
    }

    /// Entities whose subtype is Sensor, or (older dumps without subtypes) that have a
    /// single source pad and no sink.
    pub fn sensors(&self) -> impl Iterator<Item = &Entity> {
        self.entities.iter().filter(|e| {
            e.is_sensor()
                || (e.kind == "V4L2 subdev" && !e.pads.is_empty() && e.pads.iter().all(|p| p.direction == Direction::Source) && !e.name.starts_with("rkisp1"))
        })
    }
}

/// Parse `media-ctl -p` text.
pub fn parse(text: &str) -> Result<Topology, ParseError> {
    let lines = logical_lines(text);
    let mut device = DeviceInfo::default();
    let mut entities: Vec<Entity> = Vec::new();
    let mut declared: Vec<(u32, u32)> = Vec::new();
    let mut in_topology = false;
    for (line_no, raw) in lines {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if !in_topology {
            if line == "Device topology" {
                in_topology = true;
                continue;
            }
            if let Some(v) = line.strip_prefix("driver version") {
                device.driver_version = v.trim().into();
                continue;
            }
            let (key, value) = match line.split_once(char::is_whitespace) {
                Some((k, v)) => (k, v.trim()),
                None => (line, ""),
            };
            match key {
                "driver" => device.driver = value.into(),
                "model" => device.model = value.into(),
                "bus" => device.bus_info = value.trim_start_matches("info").trim().into(),
                "hw" => {
                    let v = value.trim_start_matches("revision").trim();
                    device.hw_revision = u32::from_str_radix(v.trim_start_matches("0x"), 16).ok();
                }
                _ => {}
            }
            continue;
        }
        let syntax = |reason: &str| ParseError::Syntax { line: line_no, reason: reason.into() };
        if let Some(rest) = line.strip_prefix("- entity ") {
            let (id, rest) = rest.split_once(':').ok_or_else(|| syntax("entity header without ':'"))?;
            let id = id.trim().parse().map_err(|_| syntax("entity id is not a number"))?;
            let rest = rest.trim();
            let open = rest.rfind('(').ok_or_else(|| syntax("entity header without (pads, links)"))?;
            let name = rest[..open].trim().to_string();
            let counts = rest[open + 1..].trim_end_matches(')');
            let num = |what: &str| {
                counts.split(',').find(|s| s.contains(what)).and_then(|s| s.split_whitespace().next()).and_then(|n| n.parse::<u32>().ok()).unwrap_or(0)
            };
            declared.push((num("pad"), num("link")));
            entities.push(Entity { id, name, kind: String::new(), subtype: String::new(), devnode: None, pads: Vec::new() });
            continue;
        }
        let Some(entity) = entities.last_mut() else {
            return Err(syntax("content before the first entity"));
        };
        if let Some(rest) = line.strip_prefix("type ") {
            // "type V4L2 subdev subtype Sensor flags 0"
            let (kind, rest) = rest.split_once(" subtype ").unwrap_or((rest, ""));
            entity.kind = kind.trim().into();
            entity.subtype = rest.split(" flags").next().unwrap_or("").trim().into();
        } else if let Some(node) = line.strip_prefix("device node name ") {
            entity.devnode = Some(node.trim().into());
        } else if line.starts_with("pad") && line.contains(':') && !line.starts_with("pad:") {
            let (idx, flags) = line[3..].split_once(':').ok_or_else(|| syntax("pad line without ':'"))?;
            let index = idx.trim().parse().map_err(|_| syntax("pad index is not a number"))?;
            let flags: Vec<String> = flags.split(',').map(|f| f.trim().to_ascii_uppercase()).collect();
            let direction = if flags.iter().any(|f| f == "SINK") {
                Direction::Sink
            } else if flags.iter().any(|f| f == "SOURCE") {
                Direction::Source
            } else {
                return Err(syntax("pad is neither sink nor source"));
            };
            entity.pads.push(Pad { index, direction, must_connect: flags.iter().any(|f| f == "MUST_CONNECT"), format: None, links: Vec::new() });
        } else if line.starts_with('[') {
            let pad = entity.pads.last_mut().ok_or_else(|| syntax("format before any pad"))?;
            pad.format = parse_format(line).map_err(|r| syntax(&r))?;
        } else if line.starts_with("<-") || line.starts_with("->") {
            let pad = entity.pads.last_mut().ok_or_else(|| syntax("link before any pad"))?;
            pad.links.push(parse_link(line).map_err(|r| syntax(&r))?);
        }
    }
    if !in_topology {
        return Err(ParseError::NoTopology);
    }
    // Cut off: fewer pads or links than announced, or links to entities never printed.
    let truncated = entities
        .iter()
        .zip(&declared)
        .any(|(e, (pads, links))| e.pads.len() as u32 != *pads || e.pads.iter().map(|p| p.links.len() as u32).sum::<u32>() < *links)
        || entities.iter().flat_map(|e| e.pads.iter().flat_map(|p| p.links.iter())).any(|l| !entities.iter().any(|e| e.name == l.remote_entity));
    Ok(Topology { device, entities, truncated })
}

/// Join wrapped lines: a `[` … `]` format block becomes one line, whatever its wrapping.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    for (i, l) in text.lines().enumerate() {
        if open {
            let last = out.last_mut().unwrap();
            last.1.push(' ');
            last.1.push_str(l.trim());
        } else {
            out.push((i + 1, l.to_string()));
        }
        let cur = &out.last().unwrap().1;
        open = cur.matches('[').count() > cur.matches(']').count() && cur.trim_start().starts_with('[');
    }
    out
}

fn parse_rect(s: &str) -> Option<Rect> {
    // "(16,8)/2688x1520"
    let (pos, size) = s.split_once('/')?;
    let (x, y) = pos.trim_matches(|c| c == '(' || c == ')').split_once(',')?;
    let (w, h) = size.split_once('x')?;
    Some(Rect { x: x.trim().parse().ok()?, y: y.trim().parse().ok()?, width: w.trim().parse().ok()?, height: h.trim().parse().ok()? })
}

fn parse_format(line: &str) -> Result<Option<PadFormat>, String> {
    let body = line.trim().trim_start_matches('[').trim_end_matches(']');
    let mut f = PadFormat::default();
    let mut seen = false;
    for tok in body.split_whitespace() {
        let Some((k, v)) = tok.split_once(':') else {
            continue;
        };
        match k {
            "fmt" => {
                let (code, size) = v.rsplit_once('/').ok_or("fmt without size")?;
                let (w, h) = size.split_once('x').ok_or("fmt size without x")?;
                f.code = code.into();
                f.width = w.parse().map_err(|_| "fmt width")?;
                f.height = h.parse().map_err(|_| "fmt height")?;
                seen = true;
            }
            "field" => f.field = Some(v.into()),
            "crop.bounds" => f.crop_bounds = parse_rect(v),
            "crop" => f.crop = parse_rect(v),
            "compose" => f.compose = parse_rect(v),
            _ => {}
        }
    }
    Ok(seen.then_some(f))
}

fn parse_link(line: &str) -> Result<Link, String> {
    let direction = if line.starts_with("->") { Direction::Source } else { Direction::Sink };
    let rest = line[2..].trim();
    let rest = rest.strip_prefix('"').ok_or("link without quoted entity")?;
    let (name, rest) = rest.split_once('"').ok_or("unterminated entity name")?;
    let rest = rest.strip_prefix(':').ok_or("link without ':pad'")?;
    let (pad, flags) = rest.split_once(' ').unwrap_or((rest, ""));
    let flags = flags.to_ascii_uppercase();
    Ok(Link {
        direction,
        remote_entity: name.into(),
        remote_pad: pad.trim().parse().map_err(|_| "link pad is not a number")?,
        enabled: flags.contains("ENABLED"),
        immutable: flags.contains("IMMUTABLE"),
    })
}
