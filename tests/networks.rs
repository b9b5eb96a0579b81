//! The networks have the reference's shapes and sizes, and match its outputs.

mod common;

use burn::module::Module;
use burn::prelude::*;
use common::{max_abs_diff, reference_cases};
use learning_to_see::infer::{Cpu, Inference};
use learning_to_see::model::patchgan::PatchGanConfig;
use learning_to_see::model::resnet::ResnetConfig;
use learning_to_see::model::unet::UnetConfig;
use learning_to_see::model::weights::load_pth;
use learning_to_see::model::{Arch, GeneratorConfig, NormKind, Upsample};
use learning_to_see::npy;

fn device() -> Device<Cpu> {
    Default::default()
}

#[test]
fn parameter_counts_match_the_reference() {
    let unet = GeneratorConfig {
        input_nc: 3,
        ..GeneratorConfig::new(Arch::unet_for(256), 64, NormKind::Batch)
    }
    .init::<Cpu>(&device());
    assert_eq!(unet.state_dict().parameter_count(), 54_413_955);
    let resnet = ResnetConfig::new()
        .with_input_nc(3)
        .with_ngf(64)
        .with_blocks(9)
        .with_norm(NormKind::Instance)
        .init::<Cpu>(&device());
    assert_eq!(
        resnet.num_params(),
        11_378_179,
        "instance norm has no buffers"
    );
    // Burn counts BatchNorm's running statistics too: 4,928 channels × 2 in this U-Net.
    let unet = UnetConfig::new().with_input_nc(3).init::<Cpu>(&device());
    assert_eq!(unet.num_params(), 54_413_955 + 2 * 4_928);
    let patchgan = PatchGanConfig::new()
        .with_input_nc(6)
        .init::<Cpu>(&device());
    // 70×70 PatchGAN, 6 input channels, batch norm: the reference prints 2.769 M; plus buffers.
    assert_eq!(patchgan.num_params(), 2_768_705 + 2 * (128 + 256 + 512));
}

#[test]
fn generators_keep_the_input_size_and_make_colour_from_grey() {
    for size in [128usize, 256, 512] {
        for arch in [Arch::unet_for(size), Arch::Resnet { blocks: 2 }] {
            let config = GeneratorConfig::new(arch, 2, NormKind::Instance);
            let generator = config.init::<Cpu>(&device());
            let input = Tensor::<Cpu, 4>::zeros([1, 1, size, size], &device());
            let output = generator.forward(input);
            assert_eq!(output.dims(), [1, 3, size, size], "{arch} at {size}");
            let max = output.abs().max().into_scalar();
            assert!(max <= 1.0, "tanh output must stay in [-1, 1], got {max}");
        }
    }
}

#[test]
fn patchgan_scores_patches() {
    let d = PatchGanConfig::new().with_ndf(4).init::<Cpu>(&device());
    let scores = d.forward(Tensor::zeros([2, 4, 256, 256], &device()));
    assert_eq!(scores.dims(), [2, 1, 30, 30]);
}

#[test]
fn imported_reference_weights_reproduce_pytorch_outputs() {
    let cases = reference_cases();
    assert!(cases.len() >= 5, "the fixtures list the reference cases");
    for case in cases {
        let weights = load_pth(&case.path(".pth")).unwrap();
        let norm: NormKind = case.norm.parse().unwrap();
        let (input_shape, input) = npy::read_f32(&case.path(".input.npy")).unwrap();
        let (output_shape, expected) = npy::read_f32(&case.path(".output.npy")).unwrap();
        let x = Tensor::<Cpu, 4>::from_data(TensorData::new(input, input_shape), &device());
        let y = match case.kind.as_str() {
            "patchgan" => {
                let mut weights = weights;
                weights.drop_bookkeeping();
                let mut walk = learning_to_see::model::state_dict::Walk::Load(&mut weights);
                let d = PatchGanConfig::new()
                    .with_input_nc(case.input_nc)
                    .with_ndf(case.width)
                    .with_layers(case.depth)
                    .with_norm(norm)
                    .init::<Cpu>(&device())
                    .walk(&mut walk)
                    .unwrap();
                weights.ensure_consumed().unwrap();
                d.forward(x)
            }
            _ => {
                let arch: Arch = case.arch_flag().parse().unwrap();
                let mut config = GeneratorConfig::new(arch, case.width, norm);
                config.input_nc = case.input_nc;
                config.output_nc = case.output_nc;
                config.load::<Cpu>(weights, &device()).unwrap().forward(x)
            }
        };
        assert_eq!(y.dims().to_vec(), output_shape, "{}", case.name);
        let got = y.into_data().into_vec::<f32>().unwrap();
        let diff = max_abs_diff(&got, &expected);
        assert!(diff < 1e-4, "{}: max abs difference {diff}", case.name);
    }
}

#[test]
fn saved_weights_load_back_identically() {
    let config = GeneratorConfig::new(Arch::unet_for(64), 4, NormKind::Batch);
    let generator = config.init::<Cpu>(&device());
    let input = Tensor::<Cpu, 4>::random(
        [1, 1, 64, 64],
        burn::tensor::Distribution::Uniform(-1.0, 1.0),
        &device(),
    );
    let before = generator
        .forward(input.clone())
        .into_data()
        .into_vec::<f32>()
        .unwrap();
    let reloaded = config
        .load::<Cpu>(generator.state_dict(), &device())
        .unwrap();
    let after = reloaded
        .forward(input)
        .into_data()
        .into_vec::<f32>()
        .unwrap();
    assert_eq!(before, after);
}

/// The CPU's own U-Net kernels (what `lts live`, `infer` and `render` run) against the PyTorch
/// reference outputs, through the same `Inference` the app uses.
#[test]
fn the_fast_cpu_unet_reproduces_pytorch_outputs() {
    let mut checked = 0;
    for case in reference_cases().iter().filter(|c| c.kind == "unet") {
        let weights = load_pth(&case.path(".pth")).unwrap();
        let arch: Arch = case.arch_flag().parse().unwrap();
        let mut config = GeneratorConfig::new(arch, case.width, case.norm.parse().unwrap());
        config.input_nc = case.input_nc;
        config.output_nc = case.output_nc;
        let generator = config.load::<Cpu>(weights, &device()).unwrap();
        let inference = Inference::new(generator, device(), arch.granularity());
        assert_eq!(
            inference.path(),
            "cpu",
            "a U-Net on the CPU takes the fast path"
        );
        let (input_shape, input) = npy::read_f32(&case.path(".input.npy")).unwrap();
        let (_, expected) = npy::read_f32(&case.path(".output.npy")).unwrap();
        let got = inference.run(&input, input_shape[3]).unwrap();
        let diff = max_abs_diff(&got, &expected);
        assert!(diff < 1e-4, "{}: max abs difference {diff}", case.name);
        checked += 1;
    }
    assert!(checked >= 2, "the fixtures hold U-Net cases");
}

/// Batch norm with running statistics far from (0, 1), folded into the convolutions, and
/// instance norm, which cannot be: the fast path gives Burn's numbers either way, for one grey
/// channel in and for a model that takes three, with transposed or resize-convolutions.
#[test]
fn the_fast_cpu_unet_matches_burn_with_any_norm_and_input() {
    for (norm, input_nc, size, upsample) in [
        (NormKind::Batch, 1, 64, Upsample::Transpose),
        (NormKind::Batch, 3, 128, Upsample::Transpose),
        (NormKind::Instance, 1, 64, Upsample::Transpose),
        (NormKind::Batch, 1, 64, Upsample::Resize),
        (NormKind::Instance, 1, 128, Upsample::Resize),
    ] {
        let mut config = GeneratorConfig::new(Arch::unet_for(64), 8, norm);
        config.input_nc = input_nc;
        config.upsample = upsample;
        let mut weights = config.init::<Cpu>(&device()).state_dict();
        for (key, tensor) in weights.tensors.iter_mut() {
            // Convolution weights five times the reference's N(0, 0.02), so that activations
            // are O(1) as in a trained network and the comparison below is not trivially passed.
            let gain = if tensor.shape.len() == 4 { 5.0 } else { 1.0 };
            for (i, v) in tensor.values.iter_mut().enumerate() {
                *v *= gain;
                let wave = ((i * 37 + key.len()) % 17) as f32 / 17.0;
                if key.ends_with("running_mean") {
                    *v = wave - 0.5;
                } else if key.ends_with("running_var") {
                    *v = 0.3 + 2.0 * wave;
                } else if key.ends_with(".bias") {
                    *v = 0.2 * (wave - 0.5);
                }
            }
        }
        let load = || config.load::<Cpu>(weights.clone(), &device()).unwrap();
        let granularity = config.arch.granularity();
        let fast = Inference::new(load(), device(), granularity);
        let burn = Inference::through_burn(load(), device(), granularity);
        assert_eq!((fast.path(), burn.path()), ("cpu", "flex"));
        let input: Vec<f32> = (0..size * size)
            .map(|i| ((i % size) as f32 / size as f32 * 6.0).sin() * 0.8)
            .collect();
        let want = burn.run(&input, size).unwrap();
        let spread = want.iter().map(|v| v.abs()).sum::<f32>() / want.len() as f32;
        assert!(spread > 0.1, "{norm}: the output is not flat ({spread})");
        // The kernels share work out by thread count: with a few threads they take cache-sized
        // bands; with many, every layer is one shared product instead.
        for threads in [2, 48] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let got = pool.install(|| fast.run(&input, size)).unwrap();
            let diff = max_abs_diff(&got, &want);
            assert!(
                diff < 1e-4,
                "{norm}, {upsample}, {input_nc} channel(s), {size}², {threads} threads: {diff}"
            );
        }
        assert!(
            fast.run(&input[..100], size).is_err(),
            "a short input is refused"
        );
    }
}
