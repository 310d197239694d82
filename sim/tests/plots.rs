//! The convergence plot of a short run comes out as a readable PNG and SVG.

use rkisp1_sim::output::convergence_plot::{self, Marker};
use rkisp1_sim::run::{run, Event};
use rkisp1_sim::scenarios::base;

#[test]
fn convergence_plot_writes_png_and_svg() {
    let mut c = base("imx258", "chart", "D65", 8).unwrap();
    c.events.push((4, Event::Illuminant("A".into())));
    let r = run(&c, |_| {}).unwrap();
    let markers: Vec<Marker> = c.events.iter().map(|(f, e)| Marker::from_event(*f, e)).collect();
    let dir = std::env::temp_dir().join(format!("rkisp1-sim-plots-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (svg, png) = (dir.join("convergence.svg"), dir.join("convergence.png"));
    convergence_plot::write(&svg, &png, "test run", &r.records, &markers).unwrap();

    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"), "not an SVG document");
    for label in ["time (ms)", "gain (×)", "angle to the grey axis (°)", "colour temperature (K)", "light → A at frame 4", "test run"] {
        assert!(text.contains(label), "SVG lacks '{label}'");
    }

    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.color_type, info.bit_depth), (png::ColorType::Rgb, png::BitDepth::Eight));
    assert!(info.width >= 800 && info.height >= 600, "{}×{}", info.width, info.height);
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(3).collect();
    let white = pixels.iter().filter(|p| p.iter().all(|&c| c == 255)).count();
    let dark = pixels.iter().filter(|p| p.iter().all(|&c| c < 80)).count();
    let bluish = pixels.iter().filter(|p| p[2] > 150 && p[0] < 80).count();
    assert!(white > pixels.len() / 2, "a white background");
    assert!(dark > 5000, "axes and text drawn: {dark} dark pixels");
    assert!(bluish > 1000, "the series drawn: {bluish} blue pixels");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_font_is_an_error_that_says_what_to_install() {
    let e = convergence_plot::read_font(std::path::Path::new("/nonexistent/DejaVuSans.ttf")).unwrap_err();
    assert!(e.contains("/nonexistent/DejaVuSans.ttf") && e.contains("fonts-dejavu-core"), "{e}");
}
