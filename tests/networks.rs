//! The networks have the reference's shapes and sizes, and match its outputs.

mod common;

use burn::module::Module;
use burn::prelude::*;
use common::{max_abs_diff, reference_cases};
use learning_to_see::infer::Cpu;
use learning_to_see::model::patchgan::PatchGanConfig;
use learning_to_see::model::resnet::ResnetConfig;
use learning_to_see::model::unet::UnetConfig;
use learning_to_see::model::weights::load_pth;
use learning_to_see::model::{Arch, GeneratorConfig, NormKind};
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
