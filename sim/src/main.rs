//! `sim`: run the PinePhone Pro camera simulator with the Rust rkisp1 IPA in the loop.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use rkisp1_ipa::abi::{HwRevision, ParamFormat};
use rkisp1_sim::metrics::{final_neutral_deg, frames_to_neutral, step_response, AE_TARGET, CONVERGED_DEG, NEUTRAL_FRAMES};
use rkisp1_sim::output::convergence_plot::{self, Marker};
use rkisp1_sim::random_scene::RandomScene;
use rkisp1_sim::robustness::{self, Case, Options};
use rkisp1_sim::run::{run, Event, RunResult};
use rkisp1_sim::variation::Variation;
use rkisp1_sim::{output, robustness_report, scenarios, scene};
use std::path::PathBuf;

#[derive(Parser)]
#[command(name = "sim", about = "PinePhone Pro camera + RK3399 ISP simulator driving the rkisp1 IPA")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run one scene through the closed loop and write pictures, a plot and a summary.
    Run(RunArgs),
    /// Run the standard scenarios on both sensors and print the convergence/neutrality table.
    Report {
        /// Also write the figures as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Run the robustness suite: random scenes, light, brightness, sensors, params formats
    /// and module variations, each with one event; prints the figures beside the IPA's
    /// targets.
    Robustness(RobustnessArgs),
    /// Measure the IPA's per-frame cost (compute_params + process_stats) on both sensors.
    Bench {
        #[arg(long, default_value_t = 20000)]
        frames: usize,
        /// Params format: fixed (RK1P) or ext (RK1E).
        #[arg(long, default_value = "ext")]
        format: String,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    #[arg(long, default_value = "imx258")]
    sensor: String,
    /// Built-in scene (chart, dominant[-green|-red|-blue|-yellow], backlit), random:SEED
    /// (a scene of the robustness suite) or a scene file.
    #[arg(long, default_value = "chart")]
    scene: String,
    /// A, TL84, CWF, D50, D65, or a colour temperature on the sensor's locus (2856K–6504K)
    /// such as 4700K.
    #[arg(long, default_value = "D65")]
    illuminant: String,
    /// Scene brightness (1.0: a white reflector reaches full scale at 10 ms, unity gain).
    #[arg(long, default_value_t = 0.5)]
    brightness: f64,
    #[arg(long, default_value_t = 60)]
    frames: usize,
    /// Index of the sensor mode (0 = full resolution).
    #[arg(long, default_value_t = 0)]
    mode: usize,
    /// Params format: fixed (RK1P) or ext (RK1E).
    #[arg(long, default_value = "ext")]
    format: String,
    /// ISP revision: v10 (RK3399) or v12.
    #[arg(long, default_value = "v10")]
    hw: String,
    /// Tuning file (default: the repository's file for the sensor).
    #[arg(long)]
    tuning: Option<PathBuf>,
    /// Brightness step in EV applied at --step-at.
    #[arg(long)]
    step_ev: Option<f64>,
    #[arg(long, default_value_t = 30)]
    step_at: usize,
    /// Illuminant to switch to at --step-at.
    #[arg(long)]
    step_illuminant: Option<String>,
    #[arg(long, default_value = "out")]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Render with the camera module of this seed instead of the calibrated one (the IPA
    /// keeps its tuning); prints the perturbed values.
    #[arg(long)]
    variation: Option<u64>,
    /// No shot/read noise and no dither.
    #[arg(long)]
    no_noise: bool,
}

#[derive(clap::Args)]
struct RobustnessArgs {
    #[arg(long, default_value_t = 400)]
    runs: usize,
    /// Seed of the suite; every run gets its own seed derived from it.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Module variation: both (drawn per run), on (every run) or off; `--variation` alone
    /// means on.
    #[arg(long, default_value = "both", num_args = 0..=1, default_missing_value = "on")]
    variation: String,
    /// imx258, ov8858 or both (drawn per run).
    #[arg(long, default_value = "both")]
    sensor: String,
    /// Params format: fixed (RK1P), ext (RK1E) or both (drawn per run).
    #[arg(long, default_value = "both")]
    format: String,
    /// Also write every run's figures (or, with --only, the run's records) as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Exit with status 1 if any target fails.
    #[arg(long)]
    check: bool,
    /// Repeat only the run with this seed (as listed in the report) and print its figures.
    #[arg(long)]
    only: Option<u64>,
    /// With --only: write that run's pictures and convergence plot here.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    if let Err(e) = real_main() {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn real_main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Run(a) => run_cmd(a),
        Cmd::Report { json } => report(json),
        Cmd::Robustness(a) => robustness_cmd(a),
        Cmd::Bench { frames, format } => bench(frames, &format),
    }
}

fn run_cmd(a: RunArgs) -> Result<()> {
    // The plot needs a font: say so before the run rather than after it.
    convergence_plot::load_font()?;
    let mut c = scenarios::base(&a.sensor, "chart", &a.illuminant, a.frames)?;
    let path = PathBuf::from(&a.scene);
    c.scene = if let Some(seed) = a.scene.strip_prefix("random:") {
        RandomScene::generate(seed.parse().with_context(|| format!("--scene random:SEED needs a number, not '{seed}'"))?).render()
    } else if path.exists() {
        scene::from_file(&path)?
    } else {
        scene::builtin(&a.scene)?
    };
    if let Some(seed) = a.variation {
        let v = Variation::draw(seed, &c.sensor);
        print!("{}", v.describe(&c.sensor));
        c.sensor = v.apply(&c.sensor);
    }
    c.noise = !a.no_noise;
    c.brightness = a.brightness;
    c.mode = a.mode;
    c.seed = a.seed;
    c.format = parse_format(&a.format)?;
    c.hw = match a.hw.as_str() {
        "v10" => HwRevision::V10,
        "v12" => HwRevision::V12,
        h => bail!("--hw must be v10 or v12, not '{h}'"),
    };
    if let Some(t) = &a.tuning {
        c.tuning_text = std::fs::read_to_string(t).with_context(|| format!("reading {}", t.display()))?;
        c.tuning_file = t.display().to_string();
    }
    if let Some(ev) = a.step_ev {
        c.events.push((a.step_at, Event::Brightness(2f64.powf(ev))));
    }
    if let Some(i) = &a.step_illuminant {
        c.events.push((a.step_at, Event::Illuminant(i.clone())));
    }
    if a.frames < 2 {
        bail!("--frames must be at least 2");
    }
    let bar = indicatif::ProgressBar::new(a.frames as u64);
    bar.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} frames").unwrap());
    let r = run(&c, |_| bar.inc(1))?;
    bar.finish_and_clear();
    let title = format!("{} · {} · {} · {} frames", a.sensor, c.scene.name, a.illuminant, a.frames);
    let markers: Vec<Marker> = c.events.iter().map(|(f, e)| Marker::from_event(*f, e)).collect();
    write_pictures(&a.out, &title, &r, &markers)?;
    let last = r.records.last().unwrap();
    let step = (a.step_ev.is_some() || a.step_illuminant.is_some()).then(|| step_response(&r.records, a.step_at.min(a.frames - 1)));
    let summary = serde_json::json!({
        "sensor": a.sensor,
        "scene": c.scene.name,
        "illuminant": a.illuminant,
        "frames": a.frames,
        "format": a.format,
        "final": last,
        "neutral_max_deg_steady": final_neutral_deg(&r.records, NEUTRAL_FRAMES),
        "step": step,
        "rejected_params_buffers": r.rejected_params,
        "records": r.records,
    });
    std::fs::write(a.out.join("summary.json"), serde_json::to_string_pretty(&summary)?)?;
    println!(
        "{} {} under {}: exposure {:.0} µs, gain {:.2}, colour gains [{:.3}, {:.3}], CT {:.0} K, neutral error {:.2}°",
        a.sensor,
        c.scene.name,
        a.illuminant,
        last.exposure_us,
        last.gain,
        last.colour_gains[0],
        last.colour_gains[1],
        last.colour_temperature,
        final_neutral_deg(&r.records, NEUTRAL_FRAMES)
    );
    println!("wrote {}/{{bare,first,converged}}.png, convergence.{{svg,png}}, summary.json", a.out.display());
    if r.rejected_params > 0 {
        bail!("{} params buffers would have been rejected by the kernel", r.rejected_params);
    }
    Ok(())
}

/// bare.png, first.png, converged.png and the convergence plot (convergence.svg and
/// convergence.png) of a run.
fn write_pictures(dir: &std::path::Path, title: &str, r: &RunResult, markers: &[Marker]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    output::write_png(&dir.join("bare.png"), r.width, r.height, &r.bare_image)?;
    output::write_png(&dir.join("first.png"), r.width, r.height, &r.first_image)?;
    output::write_png(&dir.join("converged.png"), r.width, r.height, &r.final_image)?;
    convergence_plot::write(&dir.join("convergence.svg"), &dir.join("convergence.png"), title, &r.records, markers)
}

fn robustness_cmd(a: RobustnessArgs) -> Result<()> {
    let opts = Options {
        sensor: match a.sensor.as_str() {
            "both" => None,
            s => Some(*robustness::SENSORS.iter().find(|n| **n == s).ok_or_else(|| anyhow::anyhow!("--sensor must be imx258, ov8858 or both, not '{s}'"))?),
        },
        format: match a.format.as_str() {
            "both" => None,
            f => Some(parse_format(f)?),
        },
        variation: match a.variation.as_str() {
            "both" => None,
            "on" => Some(true),
            "off" => Some(false),
            v => bail!("--variation must be both, on or off, not '{v}'"),
        },
    };
    if let Some(seed) = a.only {
        return robustness_one(&Case::draw(seed, &opts), a.json.as_deref(), a.out.as_deref());
    }
    let cases: Vec<Case> = (0..a.runs as u64).map(|i| Case::draw(robustness::run_seed(a.seed, i), &opts)).collect();
    let bar = indicatif::ProgressBar::new(cases.len() as u64);
    bar.set_style(indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {eta} left").unwrap());
    let outcomes = robustness::run_suite(&cases, |_| bar.inc(1))?;
    bar.finish_and_clear();
    let r = robustness_report::report(&outcomes);
    println!(
        "Robustness suite: {} runs of {} frames, seed {}, sensor {}, format {}, variation {}\n",
        a.runs,
        robustness::FRAMES,
        a.seed,
        a.sensor,
        a.format,
        a.variation
    );
    print!("{}", r.text);
    if let Some(p) = &a.json {
        let js = serde_json::json!({"seed": a.seed, "runs": outcomes, "failures": r.failures});
        std::fs::write(p, serde_json::to_string_pretty(&js)?).with_context(|| format!("writing {}", p.display()))?;
    }
    if a.check && !r.failures.is_empty() {
        bail!("{} target(s) failed:\n  {}", r.failures.len(), r.failures.join("\n  "));
    }
    Ok(())
}

/// One run of the suite, with everything it drew and all its figures.
fn robustness_one(case: &Case, json: Option<&std::path::Path>, out: Option<&std::path::Path>) -> Result<()> {
    let nominal = rkisp1_sim::sensor::SensorModel::by_name(case.sensor).unwrap();
    println!(
        "run {}: {} {}, {} at brightness {:.4}, event {}",
        case.seed,
        case.sensor,
        robustness::format_name(case.format),
        case.illuminant,
        case.brightness,
        case.event_text()
    );
    println!("scene {}", RandomScene::generate(case.scene_seed).describe());
    match &case.variation {
        Some(v) => print!("{}", v.describe(&nominal)),
        None => println!("no module variation"),
    }
    if out.is_some() {
        convergence_plot::load_font()?;
    }
    let (o, r) = robustness::run_case(case)?;
    println!("{}", serde_json::to_string_pretty(&o)?);
    if let Some(dir) = out {
        let markers: Vec<Marker> = case.event.iter().map(|(f, _)| Marker { frame: *f, label: case.event_text() }).collect();
        write_pictures(dir, &format!("robustness run {}", case.seed), &r, &markers)?;
        println!("wrote {}/{{bare,first,converged}}.png, convergence.{{svg,png}}", dir.display());
    }
    if let Some(p) = json {
        std::fs::write(p, serde_json::to_string_pretty(&serde_json::json!({"outcome": o, "records": r.records}))?)
            .with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}

fn parse_format(f: &str) -> Result<ParamFormat> {
    Ok(match f {
        "fixed" => ParamFormat::Fixed,
        "ext" => ParamFormat::Extensible,
        f => bail!("--format must be fixed or ext, not '{f}'"),
    })
}

fn bench(frames: usize, format: &str) -> Result<()> {
    if frames == 0 {
        bail!("--frames must be at least 1");
    }
    println!("| sensor | format | frames | compute_params mean | process_stats mean | total p50 | total p99 | total max |");
    println!("|---|---|---|---|---|---|---|---|");
    for sensor in ["imx258", "ov8858"] {
        let mut c = scenarios::base(sensor, "chart", "D65", 60)?;
        c.format = parse_format(format)?;
        let r = rkisp1_sim::bench::per_frame_cost(&c, frames)?;
        let us = |ns: f64| format!("{:.1} µs", ns / 1000.0);
        println!(
            "| {sensor} | {format} | {} | {} | {} | {} | {} | {} |",
            r.frames,
            us(r.compute_params_mean_ns),
            us(r.process_stats_mean_ns),
            us(r.total_p50_ns),
            us(r.total_p99_ns),
            us(r.total_max_ns)
        );
    }
    Ok(())
}

/// The report rows and JSON figures of one sensor.
fn sensor_report(sensor: &str) -> Result<(Vec<String>, serde_json::Map<String, serde_json::Value>)> {
    let mut rows = Vec::new();
    let mut js = serde_json::Map::new();
    for ev in [4.0, -4.0] {
        let (s, _) = scenarios::ae_step(sensor, ev)?;
        rows.push(format!(
            "| {sensor} | AE step {ev:+} EV | settles in {} frames, overshoot {:.1}%, {} oscillations |",
            s.settle_frames,
            s.overshoot * 100.0,
            s.oscillations
        ));
        js.insert(format!("ae_step_{ev:+}"), serde_json::to_value(&s)?);
    }
    let mut cold = Vec::new();
    for ill in scenarios::ILLUMINANTS {
        let (chart, chart_jitter, r) = scenarios::neutrality(sensor, "chart", ill)?;
        let frames = frames_to_neutral(&r.records, 0..r.records.len(), CONVERGED_DEG);
        cold.push(format!("{ill} {}", frames.map_or("never".into(), |f| f.to_string())));
        js.insert(format!("cold_start_{ill}"), serde_json::json!(frames));
        let mut dom = Vec::new();
        let mut jitter = chart_jitter;
        for colour in ["green", "red", "blue", "yellow"] {
            let (d, j, _) = scenarios::neutrality(sensor, &format!("dominant-{colour}"), ill)?;
            dom.push(d);
            jitter = jitter.max(j);
        }
        let worst = dom.iter().cloned().fold(0.0, f64::max);
        rows.push(format!(
            "| {sensor} | neutral {ill} | chart {chart:.2}°, dominant colour worst {worst:.2}° (green {:.2}, red {:.2}, blue {:.2}, yellow {:.2}); colour-gain jitter ≤ {:.1}% |",
            dom[0],
            dom[1],
            dom[2],
            dom[3],
            jitter * 100.0
        ));
        js.insert(format!("neutral_{ill}"), serde_json::json!({"chart": chart, "dominant": dom, "gain_jitter": jitter}));
    }
    rows.push(format!("| {sensor} | cold start on the chart: frames to within {CONVERGED_DEG}° (of 60) | {} |", cold.join(", ")));
    for (from, to) in [("D65", "A"), ("A", "D65")] {
        let (frames, fin) = scenarios::illuminant_change(sensor, from, to)?;
        let within = frames.map_or("never".into(), |f| f.to_string());
        rows.push(format!(
            "| {sensor} | light {from} → {to} at frame {} | frames to within {CONVERGED_DEG}°: {within}, final {fin:.2}° |",
            scenarios::CHANGE_AT
        ));
        js.insert(format!("change_{from}_{to}"), serde_json::json!({"frames_to_converged": frames, "final_deg": fin}));
    }
    let mut backlit = Vec::new();
    for ill in scenarios::ILLUMINANTS {
        let d = scenarios::backlit_neutrality(sensor, ill)?;
        backlit.push(format!("{ill} {d:.2}°"));
        js.insert(format!("backlit_neutral_{ill}"), serde_json::json!(d));
    }
    rows.push(format!("| {sensor} | AWB on the backlit scene: neutral error after 50 frames | {} |", backlit.join(", ")));
    let l = scenarios::low_light(sensor, Default::default())?;
    rows.push(format!(
        "| {sensor} | low light (chart, A, brightness {}) | exposure {:.1} ms, gain {:.2}, frame duration {:.1} ms, output mean luminance {:.3} ({:.2} × target {AE_TARGET}) |",
        scenarios::LOW_LIGHT_BRIGHTNESS,
        l.exposure_us / 1000.0,
        l.gain,
        l.frame_duration_us / 1000.0,
        l.mean_luminance,
        l.mean_luminance / AE_TARGET
    ));
    js.insert("low_light".into(), serde_json::to_value(&l)?);
    let mut flat = Vec::new();
    for ill in scenarios::ILLUMINANTS {
        let f = scenarios::flat_field(sensor, ill)?;
        flat.push(format!("{ill} {:.1}%/{:.1}% (off {:.1}%/{:.1}%)", f[0].0 * 100.0, f[0].1 * 100.0, f[1].0 * 100.0, f[1].1 * 100.0));
        js.insert(format!("flat_{ill}"), serde_json::json!({"vignetting": f[0].0, "colour": f[0].1, "vignetting_off": f[1].0, "colour_off": f[1].1}));
    }
    rows.push(format!("| {sensor} | flat field, LSC on: vignetting/colour residual | {} |", flat.join(", ")));
    let mut nr = Vec::new();
    for ill in ["A", "D65"] {
        let d = scenarios::denoise(sensor, ill)?;
        nr.push(format!("{ill} {:.1}%, {:.2}° (off {:.1}%, {:.2}°)", d[0].0 * 100.0, d[0].1, d[1].0 * 100.0, d[1].1));
        js.insert(
            format!("denoise_{ill}"),
            serde_json::json!({"mid_grey_noise": d[0].0, "neutral_deg": d[0].1, "mid_grey_noise_off": d[1].0, "neutral_deg_off": d[1].1}),
        );
    }
    let d = scenarios::defects(sensor)?;
    rows.push(format!("| {sensor} | defect pixels visible on a flat field (DPCC on / off) | {} / {} |", d[0], d[1]));
    js.insert("defects".into(), serde_json::json!({"on": d[0], "off": d[1]}));
    let sh = scenarios::sharpness(sensor, &[0.0, 1.0, 5.0, 10.0])?;
    let cells: Vec<String> = sh.iter().map(|(o, w)| format!("{:.1}% {w} px", o * 100.0)).collect();
    rows.push(format!("| {sensor} | Sharpness 0 / 1 (default) / 5 / 10: edge overshoot, 10-90% width | {} |", cells.join(" / ")));
    js.insert("sharpness".into(), serde_json::json!(sh));
    rows.push(format!("| {sensor} | denoise (Dpf, NoiseReductionMode Fast): mid-grey noise, chart neutral worst | {} |", nr.join(", ")));
    let b = scenarios::backlit(sensor)?;
    rows.push(format!(
        "| {sensor} | backlit window | subject {:.3} (clipped outside window {:.1}%); without backlight handling subject {:.3} ({:.1}%) |",
        b[0].0,
        b[0].1 * 100.0,
        b[1].0,
        b[1].1 * 100.0
    ));
    js.insert("backlit".into(), serde_json::json!({"subject": b[0].0, "clipped": b[0].1, "subject_plain": b[1].0, "clipped_plain": b[1].1}));
    Ok((rows, js))
}

fn report(json: Option<PathBuf>) -> Result<()> {
    let sensors = ["imx258", "ov8858"];
    // One thread per sensor: the runs are independent and the report is otherwise slow.
    let results: Vec<Result<_>> = std::thread::scope(|sc| {
        let handles: Vec<_> = sensors.iter().map(|s| sc.spawn(move || sensor_report(s))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("report thread panicked")))).collect()
    });
    let mut all = serde_json::Map::new();
    println!("| sensor | case | result |\n|---|---|---|");
    for (sensor, r) in sensors.iter().zip(results) {
        let (rows, js) = r?;
        for row in rows {
            println!("{row}");
        }
        all.insert(sensor.to_string(), serde_json::Value::Object(js));
    }
    if let Some(p) = json {
        std::fs::write(&p, serde_json::to_string_pretty(&all)?)?;
    }
    Ok(())
}
