//! `rkisp1-setup`: plan, apply and diagnose the rkisp1 media graph of the PinePhone Pro
//! cameras; fix sensor defaults libcamera leaves wrong. See README.md ("Pipeline setup").

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use rkisp1_pipeline::device::{self, FakeDevice, MediaDevice};
use rkisp1_pipeline::graph::{Instance, Limits, Path, Size};
use rkisp1_pipeline::plan::{self, OutputFormat, Request};
use rkisp1_pipeline::sensors::SensorMode;
use rkisp1_pipeline::{defaults, doctor, hw, topology};

/// Print to stdout; a closed pipe (`rkisp1-setup … | head`) ends the program quietly
/// instead of panicking.
macro_rules! say_raw {
    ($($t:tt)*) => {{
        use std::io::Write;
        if let Err(e) = write!(std::io::stdout(), $($t)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}
macro_rules! say {
    ($($t:tt)*) => {{
        say_raw!($($t)*);
        say_raw!("\n");
    }};
}

#[derive(Parser)]
#[command(name = "rkisp1-setup", version, about = "Plan, apply and diagnose the rkisp1 camera graph (PinePhone Pro: rear imx258, front ov8858)")]
struct Cli {
    /// Work offline on `media-ctl -p` output instead of the hardware (apply then runs on a
    /// simulated device).
    #[arg(long, global = true, value_name = "FILE")]
    topology: Option<String>,
    /// The ISP input maximum, which a dump cannot show (Linux 6.1: 4032x3024; >= 6.12 on
    /// RK3399: 4416x3312). Default: from the hardware, or from the dump's kernel version.
    #[arg(long, global = true, value_name = "WxH")]
    isp_max: Option<Size>,
    /// The media device to use (default: the one holding the requested camera).
    #[arg(long, global = true, value_name = "/dev/mediaN")]
    device: Option<String>,
    /// Modes of a sensor this tool does not know, offline (repeatable), e.g. SBGGR10_1X10/1920x1080.
    #[arg(long, global = true, value_name = "CODE/WxH")]
    sensor_mode: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Want {
    /// rear, front, a sensor entity name ("imx258 1-001a") or chip name ("ov8858").
    #[arg(long)]
    camera: Option<String>,
    /// Output size.
    #[arg(long, value_name = "WxH")]
    size: Size,
    /// NV12, YUYV or raw (Bayer, main path only).
    #[arg(long, default_value = "NV12")]
    format: OutputFormat,
    #[arg(long, default_value = "main", value_parser = parse_path)]
    path: Path,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Show the rkisp1 media devices, their sensors, modes and limits.
    List,
    /// Print the links, pad formats and crops for a camera and output (and the equivalent
    /// media-ctl / v4l2-ctl commands).
    Plan(Want),
    /// Configure the graph as planned, then read every pad back and verify it.
    Apply(Want),
    /// Explain everything in the current graph that would make STREAMON fail.
    Doctor {
        #[arg(long)]
        json: bool,
    },
    /// Set sensor controls libcamera leaves at harmful driver defaults (imx258 digital
    /// gain to unity).
    FixSensorDefaults {
        /// Only this sensor subdev (what the udev rule passes).
        #[arg(long, value_name = "/dev/v4l-subdevN")]
        subdev: Option<String>,
        /// Show what would change without changing it.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the udev rule that runs fix-sensor-defaults whenever a sensor appears.
    UdevRule,
}

fn parse_path(s: &str) -> Result<Path, String> {
    match s {
        "main" => Ok(Path::Main),
        "self" => Ok(Path::SelfPath),
        _ => Err(format!("`{s}`: expected main or self")),
    }
}

fn parse_mode(s: &str) -> Result<SensorMode> {
    let (code, size) = s.rsplit_once('/').context("expected CODE/WxH")?;
    if !rkisp1_pipeline::mbus::is_bayer(code) {
        bail!("`{code}` is not a Bayer media bus code");
    }
    let size: Size = size.parse().map_err(anyhow::Error::msg)?;
    Ok(SensorMode { code: code.into(), width: size.width, height: size.height, bad_bottom_rows: 0 })
}

/// The devices to work on: one fake device from a dump, or the hardware's rkisp1 devices.
fn devices(cli: &Cli) -> Result<Vec<Box<dyn MediaDevice>>> {
    if let Some(file) = &cli.topology {
        let text = std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?;
        let t = topology::parse(&text).with_context(|| format!("{file}: not usable `media-ctl -p` output"))?;
        let modes = cli.sensor_mode.iter().map(|m| parse_mode(m)).collect::<Result<Vec<_>>>()?;
        let limits = cli.isp_max.map(|m| Limits::with_isp_max(m, "--isp-max"));
        let inst = Instance::from_topology(t, limits, &modes)?;
        return Ok(vec![Box::new(FakeDevice::new(inst))]);
    }
    let mut found: Vec<hw::V4l2Media> = match &cli.device {
        Some(d) => vec![hw::V4l2Media::open(d)?],
        None => hw::discover()?,
    };
    if let Some(m) = cli.isp_max {
        found.iter_mut().for_each(|d| d.override_isp_max(m));
    }
    if found.is_empty() {
        bail!("no rkisp1 media device found (is this an RK3399 with the rkisp1 driver loaded? offline: --topology FILE)");
    }
    Ok(found.into_iter().map(|d| Box::new(d) as Box<dyn MediaDevice>).collect())
}

/// The device holding the requested camera, with its instance (the ISP limit overridden
/// by --isp-max if given).
fn pick(cli: &Cli, camera: Option<&str>) -> Result<(Box<dyn MediaDevice>, Instance)> {
    let mut errors = Vec::new();
    for mut d in devices(cli)? {
        let inst = d.instance()?;
        match inst.sensor(camera) {
            Ok(_) => return Ok((d, inst)),
            Err(e) => errors.push(format!("{}: {e}", inst.media_node.as_deref().unwrap_or("topology"))),
        }
    }
    bail!("camera {} not found:\n  {}", camera.unwrap_or("(default)"), errors.join("\n  "))
}

fn request(w: &Want) -> Request {
    Request { camera: w.camera.clone(), size: w.size, format: w.format, path: w.path }
}

fn run(cli: &Cli) -> Result<i32> {
    match &cli.command {
        Command::List => {
            for mut d in devices(cli)? {
                let inst = d.instance()?;
                say!(
                    "{} (driver {}, kernel {}, hw revision {:?})",
                    inst.media_node.as_deref().unwrap_or("topology"),
                    inst.topology.device.driver,
                    inst.topology.device.driver_version,
                    inst.topology.device.hw_revision
                );
                say!(
                    "  ISP {} (input max {} from {}), CSI {}",
                    inst.isp,
                    inst.limits.isp_max,
                    inst.limits.isp_max_source,
                    inst.csi.as_deref().unwrap_or("none")
                );
                for s in &inst.sensors {
                    let modes: Vec<String> = s.info.modes.iter().map(|m| format!("{}/{}x{}", m.code, m.width, m.height)).collect();
                    say!(
                        "  sensor {} ({}): {} [{}]",
                        s.entity,
                        s.info.facing.map(|f| format!("{f:?}").to_lowercase()).unwrap_or_else(|| "facing unknown".into()),
                        modes.join(", "),
                        s.info.source
                    );
                }
                if !inst.inferred.is_empty() {
                    say!("  completed from the driver layout (dump cut off): {}", inst.inferred.join(", "));
                }
            }
            Ok(0)
        }
        Command::Plan(w) => {
            let (_, inst) = pick(cli, w.camera.as_deref())?;
            let p = plan::plan(&inst, &request(w))?;
            if w.json {
                say!("{}", serde_json::to_string_pretty(&p)?);
            } else {
                say_raw!("{}", p.describe());
                say!("commands:");
                for c in p.commands() {
                    say!("  {c}");
                }
            }
            Ok(0)
        }
        Command::Apply(w) => {
            let (mut d, inst) = pick(cli, w.camera.as_deref())?;
            let p = plan::plan(&inst, &request(w))?;
            if !w.json {
                say_raw!("{}", p.describe());
            }
            let mismatches = device::apply(d.as_mut(), &p)?;
            if w.json {
                say!("{}", serde_json::json!({"plan": p, "mismatches": mismatches}));
            } else if mismatches.is_empty() {
                say!("applied and verified: every pad, link and the video node read back as planned");
            } else {
                say!("applied, but the device differs from the plan:");
                for m in &mismatches {
                    say!("  {m}");
                }
            }
            Ok(if mismatches.is_empty() { 0 } else { 1 })
        }
        Command::Doctor { json } => {
            let mut errors = 0;
            for mut d in devices(cli)? {
                let inst = d.instance()?;
                let name = inst.media_node.clone().unwrap_or_else(|| "topology".into());
                let problems = doctor::doctor(d.as_mut())?;
                errors += problems.iter().filter(|p| p.severity == "error").count();
                if *json {
                    say!("{}", serde_json::json!({"device": name, "problems": problems}));
                } else {
                    say!("{name}: ISP input maximum {} ({})", inst.limits.isp_max, inst.limits.isp_max_source);
                    say_raw!("{}", doctor::describe(&problems));
                }
            }
            Ok(if errors > 0 { 1 } else { 0 })
        }
        Command::FixSensorDefaults { subdev, dry_run } => {
            let verb = if *dry_run || cli.topology.is_some() { "would set" } else { "set" };
            if let Some(path) = subdev {
                let s = hw::Subdev::open(path)?;
                let mut any = false;
                for id in defaults::controls_of(&s.entity) {
                    if let Some(f) = defaults::wanted(&s.entity, id, s.control(id)?) {
                        let to = if *dry_run { f.to } else { s.set_control(id, f.to)? };
                        say!("{verb} {} {} {} -> {to}", f.entity, f.control, f.from);
                        any = true;
                    }
                }
                if !any {
                    say!("{}: nothing to fix", s.entity);
                }
                return Ok(0);
            }
            for mut d in devices(cli)? {
                let fixes = if *dry_run || cli.topology.is_some() { defaults::needed(d.as_mut())? } else { defaults::fix(d.as_mut())? };
                if fixes.is_empty() {
                    say!("nothing to fix");
                }
                for f in fixes {
                    say!("{verb} {} {} {} -> {}", f.entity, f.control, f.from, f.to);
                }
            }
            Ok(0)
        }
        Command::UdevRule => {
            say_raw!("{}", include_str!("../../udev/90-rkisp1-setup.rules"));
            Ok(0)
        }
    }
}

fn main() {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("rkisp1-setup: {e:#}");
            std::process::exit(2);
        }
    }
}
