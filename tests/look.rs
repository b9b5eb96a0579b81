//! The look: the CPU implementation follows OpenCV's semantics, the WGSL one equals the CPU one,
//! training pairs are reproducible, and bad settings are errors.

mod common;

use common::{fixtures, max_abs_diff};
use image::RgbImage;
use learning_to_see::gpu::look::{headless_device, output_buffer, read_back, GpuLook};
use learning_to_see::look::random::{Flip, LookRandomizer};
use learning_to_see::look::{Look, LookError};
use learning_to_see::npy;
use rand::SeedableRng;

#[derive(serde::Deserialize)]
struct Case {
    image: String,
    size: usize,
    factor: f32,
    brightness: f32,
    contrast: f32,
    flip_h: bool,
    flip_v: bool,
    invert: bool,
    expected: String,
}

#[derive(serde::Deserialize)]
struct Image {
    name: String,
    decoded: String,
}

#[derive(serde::Deserialize)]
struct Cases {
    image: Vec<Image>,
    case: Vec<Case>,
}

fn cases() -> Cases {
    let text = std::fs::read_to_string(fixtures().join("look/cases.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

impl Case {
    fn look(&self) -> Look {
        Look {
            downscale: self.factor,
            brightness: self.brightness,
            contrast: self.contrast,
            flip_h: self.flip_h,
            flip_v: self.flip_v,
            invert: self.invert,
            ..Look::default()
        }
    }
}

fn open(path: std::path::PathBuf) -> RgbImage {
    image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8()
}

/// Differences in grey levels of [0, 1] (the look's values are in [-1, 1]).
fn grey_diff(a: &[f32], b: &[f32]) -> f32 {
    max_abs_diff(a, b) / 2.0
}

#[test]
fn cpu_look_matches_opencv_on_photographs() {
    let cases = cases();
    assert!(cases.case.len() >= 20);
    let mut worst_exact = 0.0f32;
    for case in &cases.case {
        let (shape, expected) =
            npy::read_f32(&fixtures().join("look").join(&case.expected)).unwrap();
        assert_eq!(shape, vec![case.size, case.size]);
        // The exact pixels OpenCV decoded: resampling semantics alone.
        let decoded = &cases
            .image
            .iter()
            .find(|i| i.name == case.image)
            .unwrap()
            .decoded;
        let exact = case
            .look()
            .apply(&open(fixtures().join("look").join(decoded)), case.size)
            .unwrap();
        let diff = grey_diff(&exact, &expected);
        worst_exact = worst_exact.max(diff);
        assert!(
            diff < 1e-4,
            "{}: {diff} from OpenCV on identical pixels",
            case.expected
        );
        // Our own JPEG decoder may differ by a level here and there: the 2/255 bound.
        let ours = case
            .look()
            .apply(
                &open(fixtures().join("images").join(&case.image)),
                case.size,
            )
            .unwrap();
        let diff = grey_diff(&ours, &expected);
        assert!(diff <= 2.0 / 255.0, "{}: {diff} from OpenCV", case.expected);
    }
    eprintln!("worst difference from OpenCV on identical pixels: {worst_exact:e}");
}

#[test]
fn wgsl_look_matches_the_cpu_look() {
    let Some((device, queue, info)) = headless_device() else {
        panic!("no wgpu adapter: install mesa-vulkan-drivers (lavapipe) or run on a GPU");
    };
    eprintln!("adapter: {} ({:?})", info.name, info.backend);
    let mut gpu = GpuLook::new(&device);
    let images = ["landscape.jpg", "portrait.jpg", "squareish.jpg", "wide.jpg"];
    let mut checked = 0;
    for (index, name) in images.iter().enumerate() {
        let frame = open(fixtures().join("images").join(name));
        for (size, factor) in [
            (256, 1.0),
            (128, 4.0),
            (256, 16.0),
            (128, 24.0),
            (256, 37.5),
            (96, 24.0),
        ] {
            let look = Look {
                downscale: factor,
                brightness: [0.0, 0.15, -0.2, 0.05][index],
                contrast: [1.0, 1.12, 0.85, 1.3][index],
                flip_h: index % 2 == 1,
                flip_v: index == 2,
                invert: index == 3,
                zoom: if index == 0 { 1.3 } else { 1.0 },
                pan_x: if index == 0 { 0.5 } else { 0.0 },
                ..Look::default()
            };
            let cpu = look.apply(&frame, size).unwrap();
            // Write at an offset, as into a pooled tensor buffer.
            let offset = 64;
            let buffer = output_buffer(&device, offset + size * size);
            gpu.run(
                &device,
                &queue,
                &look,
                &frame,
                size,
                &buffer,
                (offset * 4) as u64,
            )
            .unwrap();
            let values = read_back(&device, &queue, &buffer, offset + size * size);
            assert!(
                values[..offset].iter().all(|&v| v == 0.0),
                "wrote before the offset"
            );
            let diff = grey_diff(&values[offset..], &cpu);
            assert!(
                diff <= 2.0 / 255.0,
                "{name} size {size} factor {factor}: GPU differs by {diff}"
            );
            checked += 1;
        }
    }
    // A 1080p camera-shaped frame with real content: the photograph scaled up.
    let big = image::imageops::resize(
        &open(fixtures().join("images/wide.jpg")),
        1920,
        1080,
        image::imageops::FilterType::Triangle,
    );
    let look = Look::default();
    let cpu = look.apply(&big, 256).unwrap();
    let buffer = output_buffer(&device, 256 * 256);
    gpu.run(&device, &queue, &look, &big, 256, &buffer, 0)
        .unwrap();
    let diff = grey_diff(&read_back(&device, &queue, &buffer, 256 * 256), &cpu);
    assert!(diff <= 2.0 / 255.0, "1080p frame: GPU differs by {diff}");
    assert_eq!(checked, 24);
}

#[test]
fn bad_settings_and_images_are_errors_not_nans() {
    let frame = RgbImage::from_pixel(64, 48, image::Rgb([100, 150, 200]));
    for factor in [0.0, -3.0, 0.5, f32::NAN, f32::INFINITY] {
        let look = Look {
            downscale: factor,
            ..Look::default()
        };
        assert!(
            matches!(look.apply(&frame, 64), Err(LookError::Downscale(_))),
            "factor {factor}"
        );
    }
    let look = Look {
        contrast: f32::NAN,
        ..Look::default()
    };
    assert!(look.apply(&frame, 64).is_err());
    let look = Look {
        brightness: 3.0,
        ..Look::default()
    };
    assert!(look.apply(&frame, 64).is_err());
    let empty = RgbImage::new(0, 0);
    assert_eq!(
        Look::default().apply(&empty, 64),
        Err(LookError::EmptyImage(0, 0))
    );
    assert_eq!(Look::default().apply(&frame, 1), Err(LookError::Size(1)));
    // A 1×1 image is a flat field, not an error.
    let dot = RgbImage::from_pixel(1, 1, image::Rgb([255, 255, 255]));
    let out = Look::default().apply(&dot, 32).unwrap();
    assert!(
        out.iter().all(|v| (v - 1.0).abs() < 1e-5),
        "white stays white"
    );
    let message = Look {
        downscale: 0.0,
        ..Look::default()
    }
    .validate()
    .unwrap_err()
    .to_string();
    assert!(message.contains("downscale"), "{message}");
}

#[test]
fn training_pairs_are_seeded_and_within_the_documented_ranges() {
    let photo = open(fixtures().join("images/wide.jpg"));
    let randomizer = LookRandomizer::new(64, 8.0, Flip::Hv);
    let make = |seed| {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        (0..6)
            .map(|_| randomizer.pair(&photo, &mut rng))
            .collect::<Vec<_>>()
    };
    let a = make(7);
    let b = make(7);
    let c = make(8);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.input, y.input);
        assert_eq!(x.target, y.target);
    }
    assert!(
        a.iter().zip(&c).any(|(x, y)| x.target != y.target),
        "another seed gives other crops"
    );
    for pair in &a {
        assert_eq!(pair.input.len(), 64 * 64);
        assert_eq!(pair.target.len(), 3 * 64 * 64);
        assert!(pair
            .input
            .iter()
            .chain(&pair.target)
            .all(|v| (-1.0..=1.0).contains(v)));
        // The input is the target's grey, degraded: it must correlate with it strongly.
        let grey: Vec<f32> = (0..64 * 64)
            .map(|i| {
                0.299 * pair.target[i]
                    + 0.587 * pair.target[4096 + i]
                    + 0.114 * pair.target[8192 + i]
            })
            .collect();
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
        let (mg, mi) = (mean(&grey), mean(&pair.input));
        let cov: f32 = grey
            .iter()
            .zip(&pair.input)
            .map(|(g, i)| (g - mg) * (i - mi))
            .sum();
        let var_g: f32 = grey.iter().map(|g| (g - mg).powi(2)).sum();
        let var_i: f32 = pair.input.iter().map(|i| (i - mi).powi(2)).sum();
        let correlation = cov / (var_g * var_i).sqrt();
        assert!(
            correlation > 0.5,
            "input and target grey correlate ({correlation})"
        );
        // Brightness ±0.2 and contrast ±15% move the mean by well under 0.5 grey levels of [-1,1].
        assert!((mi - mg).abs() < 0.6, "mean moved too far: {mi} vs {mg}");
    }
}

#[test]
fn the_wgsl_look_lands_in_the_generators_tensor_and_the_generator_runs_on_it() {
    use learning_to_see::gpu::look::GpuLook;
    use learning_to_see::gpu::tensor::{look_tensor, read_floats, GpuDirect, SharedGpu};
    use learning_to_see::infer::{Cpu, Inference};
    use learning_to_see::model::{Arch, GeneratorConfig, NormKind};

    let gpu = SharedGpu::new().expect("a wgpu adapter (lavapipe or a GPU)");
    let config = GeneratorConfig::new(Arch::unet_for(64), 4, NormKind::Instance);
    let weights = config.init::<Cpu>(&Default::default()).state_dict();
    let on_cpu = Inference::new(
        config
            .load::<Cpu>(weights.clone(), &Default::default())
            .unwrap(),
        Default::default(),
        config.arch.granularity(),
    );
    let mut shader = GpuLook::new(&gpu.device);
    let on_gpu = config
        .load::<GpuDirect>(weights, &gpu.burn_device())
        .unwrap();
    let frame = open(fixtures().join("images/landscape.jpg"));
    let look = Look {
        downscale: 8.0,
        contrast: 1.1,
        ..Look::default()
    };
    let size = 64;
    let cpu_look = look.apply(&frame, size).unwrap();
    // Twice: the second tensor comes out of Burn's pool, at whatever offset it has.
    for _ in 0..2 {
        let input = look_tensor(&gpu, &mut shader, &look, &frame, size).unwrap();
        let diff = grey_diff(&read_floats(input).unwrap(), &cpu_look);
        assert!(
            diff <= 2.0 / 255.0,
            "tensor differs from the CPU look by {diff}"
        );
    }
    // The same weights on the CPU from the CPU look, and on the device from the WGSL look.
    let expected = on_cpu.run(&cpu_look, size).unwrap();
    let input = look_tensor(&gpu, &mut shader, &look, &frame, size).unwrap();
    let got = read_floats(on_gpu.forward(input)).unwrap();
    let diff = max_abs_diff(&got, &expected);
    assert!(diff < 0.03, "generator on the GPU tensor differs by {diff}");
    assert!(
        got.iter().any(|v| v.abs() > 1e-3),
        "the output is not blank"
    );
}

#[test]
fn planes_on_the_gpu_reach_a_display_texture_as_the_cpu_would_show_them() {
    use learning_to_see::gpu::tensor::SharedGpu;
    use learning_to_see::gpu::texture::{display_texture, read_texture, Planes, PlanesToTexture};
    use learning_to_see::live::view::planes_to_rgba;
    use wgpu::util::DeviceExt;

    let gpu = SharedGpu::new().expect("a wgpu adapter (lavapipe or a GPU)");
    let (device, queue) = (&gpu.device, &gpu.queue);
    let size = 72u32;
    let texture = |side: u32| display_texture(device, side);
    let display = texture(size);
    let mut writer = PlanesToTexture::new(device);
    let levels = |a: &[u8], b: &[u8]| a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)).max().unwrap();

    // The look, written by the WGSL look at an offset, shown as grey.
    let frame = open(fixtures().join("images/portrait.jpg"));
    let look = Look {
        downscale: 6.0,
        ..Look::default()
    };
    let area = (size * size) as usize;
    let offset = 64 * 4;
    let buffer = output_buffer(device, 64 + area);
    let mut shader = GpuLook::new(device);
    shader
        .run(device, queue, &look, &frame, size as usize, &buffer, offset)
        .unwrap();
    let planes = Planes {
        buffer: &buffer,
        offset_bytes: offset,
        channels: 1,
        size,
    };
    writer.run(device, queue, &planes, &display).unwrap();
    let shown = read_texture(device, queue, &display);
    let expected = planes_to_rgba(&look.apply(&frame, size as usize).unwrap(), size as usize);
    assert_eq!(shown.len(), expected.len());
    assert!(
        levels(&shown, &expected) <= 3,
        "look texture off by {}",
        levels(&shown, &expected)
    );

    // Three planes (a generator's output) from an offset that is not binding-aligned.
    let values: Vec<f32> = (0..7 + 3 * area)
        .map(|i| ((i * 37) % 255) as f32 / 127.0 - 1.0)
        .collect();
    let output = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("output planes"),
        contents: bytemuck::cast_slice(&values),
        usage: wgpu::BufferUsages::STORAGE,
    });
    let planes = Planes {
        buffer: &output,
        offset_bytes: 7 * 4,
        channels: 3,
        size,
    };
    writer.run(device, queue, &planes, &display).unwrap();
    let shown = read_texture(device, queue, &display);
    let expected = planes_to_rgba(&values[7..], size as usize);
    assert!(
        levels(&shown, &expected) <= 1,
        "output texture off by {}",
        levels(&shown, &expected)
    );

    // A texture of the wrong size, or planes past the buffer's end, are errors.
    assert!(writer.run(device, queue, &planes, &texture(64)).is_err());
    let past_end = Planes {
        offset_bytes: 64 * 4,
        ..planes
    };
    assert!(writer.run(device, queue, &past_end, &display).is_err());
}
