//! The live show: the window draws the model's output and matches `lts render`; the engine
//! switches models (surviving a broken one); a source that fails and returns is recovered.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use common::{destinations, lts, scratch, text};
use image::{Rgb, RgbImage};
use learning_to_see::control::preset::Preset;
use learning_to_see::gpu::tensor::SharedGpu;
use learning_to_see::gpu::texture::{display_texture, read_texture};
use learning_to_see::live::engine::{DeviceChoice, Engine, Settings};
use learning_to_see::live::gpu_link::{GpuBridge, GpuLink, Slot};
use learning_to_see::live::source::{self, SourceSpec};
use learning_to_see::look::Look;

/// A small model trained for a few steps on warm blobs: its output is clearly coloured, while
/// the look it is fed is grey. Trained once per test binary.
fn stage() -> &'static PathBuf {
    static STAGE: OnceLock<PathBuf> = OnceLock::new();
    STAGE.get_or_init(|| {
        let root = scratch("live_stage");
        train_blobs(&root, "warm", |glow| {
            Rgb([
                (80.0 + 175.0 * glow) as u8,
                (40.0 + 120.0 * glow * glow) as u8,
                20,
            ])
        });
        let mut preset = Preset::load(&root.join("presets/warm.toml")).unwrap();
        preset.name = "default".into();
        preset.smoothing = 0.0;
        preset.save(&root.join("presets/default.toml")).unwrap();
        // A second model for switching, and a broken one.
        let copy = root.join("models/warm2");
        std::fs::create_dir_all(&copy).unwrap();
        for file in ["model.toml", "weights.safetensors"] {
            std::fs::copy(root.join("models/warm").join(file), copy.join(file)).unwrap();
        }
        let meta = std::fs::read_to_string(copy.join("model.toml"))
            .unwrap()
            .replace("name = \"warm\"", "name = \"warm2\"");
        std::fs::write(copy.join("model.toml"), meta).unwrap();
        let broken = root.join("models/broken");
        std::fs::create_dir_all(&broken).unwrap();
        std::fs::copy(
            root.join("models/warm/model.toml"),
            broken.join("model.toml"),
        )
        .unwrap();
        std::fs::write(
            broken.join("weights.safetensors"),
            b"\x10\x00\x00\x00 truncated",
        )
        .unwrap();
        root
    })
}

/// The warm model's opposite: trained the same way on blue blobs, so whatever it is shown its
/// picture is cool. Trained only by the test that needs it.
fn cool_model() -> PathBuf {
    let root = scratch("live_cool");
    train_blobs(&root, "cool", |glow| {
        Rgb([
            20,
            (40.0 + 120.0 * glow * glow) as u8,
            (80.0 + 175.0 * glow) as u8,
        ])
    });
    root.join("models/cool")
}

/// Trains `name` for 40 steps at 64² on six glowing blobs coloured by `colour` (of the glow,
/// 0–1), writing its model and preset under `root`.
fn train_blobs(root: &Path, name: &str, colour: fn(f32) -> Rgb<u8>) {
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for i in 0..6 {
        let image = RgbImage::from_fn(96, 96, |x, y| {
            let d =
                ((x as f32 - 20.0 - 10.0 * i as f32).powi(2) + (y as f32 - 48.0).powi(2)).sqrt();
            colour((1.0 - d / 60.0).clamp(0.0, 1.0))
        });
        image.save(data.join(format!("{name}{i}.png"))).unwrap();
    }
    let mut args = vec![
        "train",
        "--data",
        data.to_str().unwrap(),
        "--name",
        name,
        "--size",
        "64",
        "--ngf",
        "8",
        "--ndf",
        "8",
        "--batch",
        "2",
        "--steps",
        "40",
        "--lr",
        "1e-3",
        "--downscale",
        "8",
    ];
    let destinations = destinations(root);
    args.extend(destinations.iter().map(String::as_str));
    let out = lts(&args);
    assert!(out.status.success(), "{}", text(&out));
}

fn mean_abs(a: &RgbImage, b: &RgbImage) -> f32 {
    let total: u64 = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| (*x as i32 - *y as i32).unsigned_abs() as u64)
        .sum();
    total as f32 / a.as_raw().len() as f32
}

/// Runs the window (256×256, no overlay, OSC and MIDI off, the stage's presets and models) with
/// `args` for `frames` frames; returns the screenshot taken near the end, and the log.
fn window_screenshot(name: &str, frames: u64, args: &[&str]) -> (RgbImage, String) {
    let root = stage();
    let shot = root.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&shot);
    let frames = frames.to_string();
    let mut all = vec![
        "live",
        "--frames",
        &frames,
        "--screenshot",
        shot.to_str().unwrap(),
    ];
    let presets = root.join("presets");
    let models = root.join("models");
    all.extend([
        "--size",
        "256x256",
        "--no-overlay",
        "--osc-port",
        "0",
        "--midi",
        "off",
        "--presets",
        presets.to_str().unwrap(),
        "--models",
        models.to_str().unwrap(),
    ]);
    all.extend(args);
    let out = lts(&all);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains(&format!("frames drawn: {frames}")), "{log}");
    // The screenshot is written asynchronously, so it may lag the exit.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !shot.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    let screenshot = image::open(&shot)
        .expect("a screenshot was saved")
        .to_rgb8();
    (screenshot, log)
}

/// Mean of (red − blue): the warm model's colour; zero for any grey image.
fn warmth(image: &RgbImage) -> f32 {
    let sum: i64 = image.pixels().map(|p| p.0[0] as i64 - p.0[2] as i64).sum();
    sum as f32 / (image.width() * image.height()) as f32
}

#[test]
fn the_window_shows_the_model_output_and_matches_render() {
    let root = stage();
    let frames = 40;
    let (screenshot, _) =
        window_screenshot("screenshot", frames, &["--source", "synthetic", "--sync"]);
    assert_eq!(screenshot.dimensions(), (256, 256));
    let small = image::imageops::resize(&screenshot, 64, 64, image::imageops::FilterType::Triangle);
    let brightness: f32 =
        small.as_raw().iter().map(|&v| v as f32).sum::<f32>() / small.as_raw().len() as f32;
    assert!(brightness > 20.0, "not black: mean {brightness}");
    assert!(
        warmth(&small) > 15.0,
        "the model's warm colours, not the grey look: {}",
        warmth(&small)
    );

    let rendered = root.join("rendered");
    let out = lts(&[
        "render",
        "--frames",
        &frames.to_string(),
        "--out",
        rendered.to_str().unwrap(),
        "--presets",
        root.join("presets").to_str().unwrap(),
        "--models",
        root.join("models").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    // The screenshot lands within a few frames of its request; compare with the nearest render.
    let best = (frames - 14..frames)
        .map(|i| {
            let frame = image::open(rendered.join(format!("frame_{i:05}.png")))
                .unwrap()
                .to_rgb8();
            (mean_abs(&small, &frame), i)
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap();
    assert!(
        best.0 < 8.0,
        "window and render differ by {} levels on average (frame {})",
        best.0,
        best.1
    );
}

/// Runs the window on a still image with the generator on `device`; returns the screenshot
/// and the log.
fn still_screenshot(device: &str, frames: u64) -> (RgbImage, String) {
    let root = stage();
    let still = root.join("still");
    std::fs::create_dir_all(&still).unwrap();
    source::synthetic::frame(1.0)
        .save(still.join("frame.png"))
        .unwrap();
    let source = format!("images:{}", still.display());
    window_screenshot(
        &format!("screenshot-{device}"),
        frames,
        &["--source", &source, "--device", device],
    )
}

#[test]
fn the_window_shows_the_same_picture_with_the_generator_on_the_gpu_or_the_cpu() {
    // A still image, so the picture settles whatever the timing. `--frames` counts from the
    // model's first picture, however long the GPU (lavapipe here) takes to compile its kernels.
    let (on_gpu, gpu_log) = still_screenshot("gpu", 900);
    assert!(
        gpu_log.contains("generator on: GPU, nannou's device"),
        "{gpu_log}"
    );
    let (on_cpu, log) = still_screenshot("auto", 300);
    assert!(log.contains("generator on: "), "{log}");
    assert!(
        warmth(&on_gpu) > 15.0,
        "the model's colours on the GPU path: warmth {}\n{gpu_log}",
        warmth(&on_gpu)
    );
    let diff = mean_abs(&on_gpu, &on_cpu);
    assert!(
        diff < 4.0,
        "GPU and CPU paths differ by {diff} levels on average"
    );
}

fn wait_for(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn switch_settings() -> Settings {
    Settings {
        look: Look {
            downscale: 8.0,
            ..Look::default()
        },
        smoothing: 0.0,
        frozen: false,
    }
}

#[test]
fn models_switch_mid_run_and_a_broken_one_keeps_the_current() {
    let source = source::start(&SourceSpec::Synthetic);
    let engine = Engine::start(source.clone(), switch_settings(), 64);
    switch_models(&engine, Duration::from_secs(60));
    source.stop();
}

/// Warm, then a broken model (the warm one keeps playing), then warm2. The first picture may
/// wait for kernels to compile (`first_within`); later switches reuse them.
fn switch_models(engine: &Engine, first_within: Duration) {
    let models = stage().join("models");
    let model_of = |engine: &Engine| engine.outputs.take().map(|o| o.model);
    engine.load(models.join("warm"), 0.0);
    wait_for("the first model", first_within, || {
        model_of(engine).as_deref() == Some("warm")
    });

    engine.load(models.join("broken"), 0.5);
    wait_for("the broken model's notice", Duration::from_secs(60), || {
        engine.notice().is_some()
    });
    let notice = engine.notice().unwrap();
    assert!(
        notice.contains("broken") || notice.contains("safetensors"),
        "{notice}"
    );
    // Frames keep coming from the current model.
    let mut seen = 0;
    wait_for(
        "frames after the failed load",
        Duration::from_secs(30),
        || {
            if model_of(engine).as_deref() == Some("warm") {
                seen += 1;
            }
            seen >= 3
        },
    );

    engine.load(models.join("warm2"), 0.5);
    wait_for("the second model", Duration::from_secs(60), || {
        model_of(engine).as_deref() == Some("warm2")
    });
    assert!(engine.notice().is_none(), "a good load clears the notice");
}

#[test]
fn on_the_gpu_the_engine_writes_the_sketchs_texture_and_switches_models() {
    let cool = cool_model();
    let gpu = Arc::new(SharedGpu::new().expect("a wgpu adapter (lavapipe or a GPU)"));
    let bridge = GpuBridge::headless(Arc::clone(&gpu));
    let texture = display_texture(&gpu.device, 64);
    let link = GpuLink::new(&bridge);
    link.provide(Slot::Output, texture.clone());
    let source = source::start(&SourceSpec::Synthetic);
    let engine = Engine::start_on(
        source.clone(),
        switch_settings(),
        64,
        DeviceChoice::Gpu,
        link,
    );
    // A second show on the same renderer playing the cool model: another picture, in its own
    // texture.
    let other_texture = display_texture(&gpu.device, 64);
    let other_link = GpuLink::new(&bridge);
    other_link.provide(Slot::Output, other_texture.clone());
    let other_source = source::start(&SourceSpec::Synthetic);
    let other = Engine::start_on(
        other_source.clone(),
        switch_settings(),
        64,
        DeviceChoice::Gpu,
        other_link,
    );
    // Lavapipe compiles Burn's kernels on first use: over a minute on 2 busy cores in CI.
    switch_models(&engine, Duration::from_secs(300));
    let device = engine.device.get().expect("the engine said where it runs");
    assert!(device.starts_with("GPU"), "{device}");
    let output = engine.outputs.take().or_else(|| {
        std::thread::sleep(Duration::from_millis(500));
        engine.outputs.take()
    });
    assert!(output.expect("frames keep coming").on_gpu);
    // What the sketch would draw: the model's warm colours, not the grey look or black.
    let shown = texture_image(&gpu, &texture);
    assert!(warmth(&shown) > 15.0, "warmth {}", warmth(&shown));

    other.load(cool, 0.0);
    wait_for("the other show's model", Duration::from_secs(120), || {
        other.outputs.take().is_some_and(|output| output.on_gpu)
    });
    // Each texture holds its own show's colours, whichever engine wrote last.
    let other_shown = texture_image(&gpu, &other_texture);
    let shown = texture_image(&gpu, &texture);
    assert!(
        warmth(&other_shown) < -15.0,
        "the other show's cool model: warmth {}",
        warmth(&other_shown)
    );
    assert!(
        warmth(&shown) > 15.0,
        "the first show stays warm beside the cool one: warmth {}",
        warmth(&shown)
    );
    source.stop();
    other_source.stop();
}

/// A 64² display texture's pixels.
fn texture_image(gpu: &SharedGpu, texture: &wgpu::Texture) -> RgbImage {
    let pixels = read_texture(&gpu.device, &gpu.queue, texture);
    RgbImage::from_fn(64, 64, |x, y| {
        let i = ((y * 64 + x) * 4) as usize;
        Rgb([pixels[i], pixels[i + 1], pixels[i + 2]])
    })
}

fn make_video(path: &Path) {
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x180:rate=30",
            "-t",
            "2",
        ])
        .arg(path)
        .status()
        .expect("ffmpeg is installed by scripts/setup.sh");
    assert!(status.success());
}

#[test]
fn a_source_that_fails_and_returns_is_recovered() {
    let dir = scratch("live_source_recovery");
    let video = dir.join("clip.mp4");
    let source = source::start(&SourceSpec::Video(video.clone()));
    // Missing file: the synthetic scene stands in, and says so.
    wait_for("the fallback", Duration::from_secs(10), || {
        source.status().contains("synthetic scene, retrying")
    });
    wait_for("a synthetic frame", Duration::from_secs(10), || {
        source.frames.take().is_some()
    });
    make_video(&video);
    wait_for("the video", Duration::from_secs(20), || {
        source.status() == format!("video {}", video.display())
    });
    // Frames now come from the video (320×180 scaled to the source's 640×360).
    let mut frame = None;
    wait_for("a video frame", Duration::from_secs(10), || {
        frame = source.frames.take();
        frame.is_some()
    });
    assert_eq!(frame.unwrap().dimensions(), (640, 360));
    source.stop();
}

#[test]
fn without_a_display_live_says_so_and_renders_headless() {
    let root = stage();
    let out_dir = root.join("headless");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lts"))
        .args([
            "live",
            "--source",
            "synthetic",
            "--frames",
            "5",
            "--headless-out",
            out_dir.to_str().unwrap(),
        ])
        .args([
            "--presets",
            root.join("presets").to_str().unwrap(),
            "--models",
            root.join("models").to_str().unwrap(),
        ])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    let log = text(&output);
    assert!(output.status.success(), "{log}");
    assert!(log.contains("no display"), "{log}");
    let latest = image::open(out_dir.join("latest.png")).unwrap().to_rgb8();
    assert!(
        warmth(&latest) > 15.0,
        "the headless frame is the model's output"
    );
}

#[test]
fn the_shapes_example_feeds_its_own_drawings_to_a_model() {
    // Cargo builds examples beside the test binaries' directory (target/release/examples).
    let example = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("examples/shapes");
    assert!(
        example.exists(),
        "built by `cargo build --all-targets`: {}",
        example.display()
    );
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/fire");
    let log = scratch("shapes_example").join("log.txt");
    let file = std::fs::File::create(&log).unwrap();
    let mut child = std::process::Command::new(&example)
        .arg(&model)
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .unwrap();
    let text = || std::fs::read_to_string(&log).unwrap_or_default();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !text().contains("model fire loaded") && Instant::now() < deadline {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sketch exited: {}",
            text()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // It keeps running with the model playing.
    std::thread::sleep(Duration::from_secs(2));
    let alive = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    let log = text();
    assert!(alive, "the sketch stopped: {log}");
    assert!(log.contains("generator on: "), "{log}");
    assert!(log.contains("model fire loaded"), "{log}");
}

#[test]
fn render_on_the_gpu_makes_the_frames_the_cpu_makes() {
    let root = stage();
    let frames = 6;
    let render = |device: &str| {
        let out = root.join(format!("render-{device}"));
        let _ = std::fs::remove_dir_all(&out);
        let result = lts(&[
            "render",
            "--device",
            device,
            "--frames",
            &frames.to_string(),
            "--out",
            out.to_str().unwrap(),
            "--presets",
            root.join("presets").to_str().unwrap(),
            "--models",
            root.join("models").to_str().unwrap(),
        ]);
        let log = text(&result);
        assert!(result.status.success(), "{log}");
        (out, log)
    };
    let (on_gpu, log) = render("gpu");
    assert!(log.contains("generator on: GPU"), "{log}");
    let (on_cpu, _) = render("cpu");
    for i in [0, frames - 1] {
        let name = format!("frame_{i:05}.png");
        let gpu = image::open(on_gpu.join(&name)).unwrap().to_rgb8();
        let cpu = image::open(on_cpu.join(&name)).unwrap().to_rgb8();
        assert_eq!(gpu.dimensions(), cpu.dimensions());
        assert!(warmth(&gpu) > 15.0, "{name}: the model's colours");
        let diff = mean_abs(&gpu, &cpu);
        assert!(
            diff < 3.0,
            "{name}: GPU and CPU renders differ by {diff} levels"
        );
    }
}
