//! The CPU trainer against Burn's autodiff, the reference: the same weights and batch give the
//! same losses, every parameter's gradient, the same weights after Adam steps, the same loss
//! curve; and a run moves between the two without losing anything.

use burn::backend::{Autodiff, Flex};
use burn::module::{AutodiffModule, Param};
use burn::optim::{GradientsParams, Optimizer};
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use learning_to_see::model::norm::Norm;
use learning_to_see::model::patchgan::{PatchGan, PatchGanConfig};
use learning_to_see::model::state_dict::{to_values, StateDict, Walk};
use learning_to_see::model::{Arch, Generator, GeneratorConfig, NormKind, Upsample};
use learning_to_see::train::gan::{bce_with_logits, Losses, Pix2Pix};
use learning_to_see::train_cpu::Pix2PixCpu;
use std::sync::{Mutex, MutexGuard};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

type B = Autodiff<Flex>;

const SIZE: usize = 64;
const BATCH: usize = 3;
const LR: f64 = 2e-4;

/// Burn's random numbers are global: each test holds this while it runs, so its networks (and
/// Burn's dropout masks) come from its own seed.
static BURN_RNG: Mutex<()> = Mutex::new(());

fn seeded(seed: u64) -> MutexGuard<'static, ()> {
    let guard = BURN_RNG.lock().unwrap_or_else(|e| e.into_inner());
    <B as Backend>::seed(&Default::default(), seed);
    guard
}

fn networks(norm: NormKind, dropout: bool) -> Pix2Pix<B> {
    networks_with(norm, dropout, Upsample::Transpose)
}

fn networks_with(norm: NormKind, dropout: bool, upsample: Upsample) -> Pix2Pix<B> {
    let device = Default::default();
    let generator = GeneratorConfig {
        dropout,
        upsample,
        ..GeneratorConfig::new(Arch::unet_for(SIZE), 8, norm)
    }
    .init::<B>(&device);
    let discriminator = PatchGanConfig::new()
        .with_ndf(8)
        .with_norm(norm)
        .init::<B>(&device);
    Pix2Pix::from_networks(generator, discriminator, 100.0)
}

/// A batch in [-1, 1]: `[N, 1, S, S]` looks and `[N, 3, S, S]` targets, image-major.
fn batch(seed: u64) -> (Vec<f32>, Vec<f32>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let area = SIZE * SIZE;
    // Smooth enough that the networks see structure, not only noise.
    let mut value = |i: usize, c: usize| {
        let (y, x) = ((i / SIZE) as f32, (i % SIZE) as f32);
        ((x * 0.11 + c as f32).sin() * (y * 0.07).cos() + rng.random_range(-0.3..0.3f32))
            .clamp(-1.0, 1.0)
    };
    let input = (0..BATCH * area).map(|i| value(i % area, 0)).collect();
    let target = (0..BATCH * 3 * area)
        .map(|i| value(i % area, 1 + i / area % 3))
        .collect();
    (input, target)
}

fn tensors(input: &[f32], target: &[f32]) -> (Tensor<B, 4>, Tensor<B, 4>) {
    let device = Default::default();
    (
        Tensor::from_data(
            TensorData::new(input.to_vec(), [BATCH, 1, SIZE, SIZE]),
            &device,
        ),
        Tensor::from_data(
            TensorData::new(target.to_vec(), [BATCH, 3, SIZE, SIZE]),
            &device,
        ),
    )
}

/// A parameter of either rank the networks use, and whether it is dead: a bias right before an
/// instance norm, which removes any per-channel constant, so its true gradient is 0 and both
/// sides only carry rounding noise there (and Adam's first step turns noise into ±lr).
struct Entry<'a> {
    param: Either<'a>,
    dead: bool,
}

enum Either<'a> {
    One(&'a Param<Tensor<B, 1>>),
    Four(&'a Param<Tensor<B, 4>>),
}

type Grads = <B as AutodiffBackend>::Gradients;

impl Entry<'_> {
    fn values(&self) -> Vec<f32> {
        match self.param {
            Either::One(p) => to_values(p.val()),
            Either::Four(p) => to_values(p.val()),
        }
    }

    fn grad(&self, grads: &Grads) -> Vec<f32> {
        let missing = "a gradient for every parameter";
        match self.param {
            Either::One(p) => to_values(p.val().grad(grads).expect(missing)),
            Either::Four(p) => to_values(p.val().grad(grads).expect(missing)),
        }
    }
}

/// A convolution's weight and bias (dead when an instance norm follows).
fn conv_entries<'a>(
    weight: &'a Param<Tensor<B, 4>>,
    bias: Option<&'a Param<Tensor<B, 1>>>,
    norm_after: Option<&Norm<B>>,
) -> Vec<Entry<'a>> {
    let mut out = vec![Entry {
        param: Either::Four(weight),
        dead: false,
    }];
    out.extend(bias.map(|b| Entry {
        param: Either::One(b),
        dead: matches!(norm_after, Some(Norm::Instance(_))),
    }));
    out
}

/// A batch norm's γ and β (an instance norm has none).
fn norm_entries(norm: Option<&Norm<B>>) -> Vec<Entry<'_>> {
    match norm {
        Some(Norm::Batch(norm)) => [&norm.gamma, &norm.beta]
            .map(|p| Entry {
                param: Either::One(p),
                dead: false,
            })
            .into(),
        _ => Vec::new(),
    }
}

/// The generator's parameters in the CPU trainer's order (see its `params_mut`).
fn generator_params(gan: &Pix2Pix<B>) -> Vec<Entry<'_>> {
    let Generator::Unet(unet) = &gan.generator else {
        unreachable!()
    };
    let mut out = Vec::new();
    for (down, up) in unet.downs.iter().zip(&unet.ups) {
        out.extend(conv_entries(
            &down.conv.weight,
            down.conv.bias.as_ref(),
            down.norm.as_ref(),
        ));
        out.extend(norm_entries(down.norm.as_ref()));
        out.extend(conv_entries(
            &up.conv.weight,
            up.conv.bias.as_ref(),
            up.norm.as_ref(),
        ));
        out.extend(norm_entries(up.norm.as_ref()));
    }
    out
}

/// The discriminator's: every convolution, then every norm.
fn discriminator_params(net: &PatchGan<B>) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    for (i, conv) in net.convs.iter().enumerate() {
        let norm_after = i.checked_sub(1).and_then(|n| net.norms.get(n));
        out.extend(conv_entries(&conv.weight, conv.bias.as_ref(), norm_after));
    }
    for norm in &net.norms {
        out.extend(norm_entries(Some(norm)));
    }
    out
}

/// Burn's step (as `Pix2Pix::step`), keeping each network's gradients.
fn burn_step(
    gan: &mut Pix2Pix<B>,
    input: &[f32],
    target: &[f32],
) -> (Losses, Vec<Vec<f32>>, Vec<Vec<f32>>) {
    let (input, target) = tensors(input, target);
    let fake = gan.generator.forward(input.clone());
    let pred_fake = gan
        .discriminator
        .forward(Tensor::cat(vec![input.clone(), fake.clone().detach()], 1));
    let pred_real = gan
        .discriminator
        .forward(Tensor::cat(vec![input.clone(), target.clone()], 1));
    let d_fake = bce_with_logits(pred_fake, false);
    let d_real = bce_with_logits(pred_real, true);
    let grads = (d_fake.clone() + d_real.clone()).mul_scalar(0.5).backward();
    let d_grads = discriminator_params(&gan.discriminator)
        .iter()
        .map(|e| e.grad(&grads))
        .collect();
    let grads = GradientsParams::from_grads(grads, &gan.discriminator);
    gan.discriminator = gan.opt_d.step(LR, gan.discriminator.clone(), grads);

    let pred = gan
        .discriminator
        .forward(Tensor::cat(vec![input, fake.clone()], 1));
    let g_gan = bce_with_logits(pred, true);
    let g_l1 = (fake - target).abs().mean();
    let grads = (g_gan.clone() + g_l1.clone().mul_scalar(100.0)).backward();
    let g_grads = generator_params(gan)
        .iter()
        .map(|e| e.grad(&grads))
        .collect();
    let grads = GradientsParams::from_grads(grads, &gan.generator);
    gan.generator = gan.opt_g.step(LR, gan.generator.clone(), grads);
    let scalar = |t: Tensor<B, 1>| t.into_scalar().elem::<f32>();
    let losses = Losses {
        g_gan: scalar(g_gan),
        g_l1: scalar(g_l1),
        d_real: scalar(d_real),
        d_fake: scalar(d_fake),
    };
    (losses, d_grads, g_grads)
}

/// The CPU trainer's step, keeping each network's gradients.
fn cpu_step(
    gan: &mut Pix2PixCpu,
    input: &[f32],
    target: &[f32],
) -> (Losses, Vec<Vec<f32>>, Vec<Vec<f32>>) {
    gan.generate(input, target, BATCH, SIZE);
    let (d_fake, d_real) = gan.discriminator_gradients();
    let d_grads = gan
        .discriminator
        .params_mut()
        .iter()
        .map(|p| p.grad.clone())
        .collect();
    gan.update_discriminator(LR);
    let (g_gan, g_l1) = gan.generator_gradients();
    let g_grads = gan
        .generator
        .params_mut()
        .iter()
        .map(|p| p.grad.clone())
        .collect();
    gan.update_generator(LR);
    let losses = Losses {
        g_gan,
        g_l1,
        d_real,
        d_fake,
    };
    (losses, d_grads, g_grads)
}

/// The largest relative error of any live tensor, and which one; dead tensors (see [`Entry`])
/// must only be negligible next to the largest one.
fn worst_error(ours: &[Vec<f32>], reference: &[Vec<f32>], dead: &[bool]) -> (f64, usize) {
    assert_eq!(ours.len(), reference.len(), "tensor count");
    let norm = |v: &[f32]| v.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>().sqrt();
    let largest = reference.iter().map(|r| norm(r)).fold(0.0, f64::max);
    let mut worst = (0.0, 0);
    for (i, ((a, b), &dead)) in ours.iter().zip(reference).zip(dead).enumerate() {
        assert_eq!(a.len(), b.len(), "#{i}: sizes");
        if dead {
            assert!(norm(a) < 1e-4 * largest, "#{i}: dead but {}", norm(a));
            continue;
        }
        let diff: Vec<f32> = a.iter().zip(b).map(|(x, y)| x - y).collect();
        let error = norm(&diff) / norm(b).max(1e-30);
        if error > worst.0 {
            worst = (error, i);
        }
    }
    worst
}

fn assert_losses_close(ours: Losses, reference: Losses) {
    for (name, a, b) in [
        ("g_gan", ours.g_gan, reference.g_gan),
        ("g_l1", ours.g_l1, reference.g_l1),
        ("d_real", ours.d_real, reference.d_real),
        ("d_fake", ours.d_fake, reference.d_fake),
    ] {
        assert!(
            (a - b).abs() <= 1e-5 * b.abs().max(1.0),
            "{name}: {a} vs Burn's {b}"
        );
    }
}

/// Both networks' parameters (live ones; dead biases drift by Adam's sign of noise), then
/// their running statistics.
fn weights(gan: &Pix2Pix<B>) -> Vec<Vec<f32>> {
    let live = |entries: Vec<Entry>| -> Vec<Vec<f32>> {
        entries
            .iter()
            .filter(|e| !e.dead)
            .map(Entry::values)
            .collect()
    };
    let mut out = live(generator_params(gan));
    out.extend(live(discriminator_params(&gan.discriminator)));
    // `valid()` brings the running statistics up to date first.
    let dict = gan.generator.valid().state_dict();
    let mut walk = StateDict::default();
    let _ = gan.discriminator.valid().walk(&mut Walk::Save(&mut walk));
    for (name, tensor) in dict.tensors.into_iter().chain(walk.tensors) {
        if name.contains("running_") {
            out.push(tensor.values);
        }
    }
    out
}

fn dead_flags(gan: &Pix2Pix<B>) -> (Vec<bool>, Vec<bool>) {
    let flags = |entries: Vec<Entry>| entries.iter().map(|e| e.dead).collect();
    (
        flags(generator_params(gan)),
        flags(discriminator_params(&gan.discriminator)),
    )
}

/// Two steps from seeded networks; per step, the worst relative error of the gradients and of
/// the weights (with running statistics) after it. The losses must agree to 1e-5.
fn step_errors(norm: NormKind, seed: u64) -> Vec<(String, f64)> {
    step_errors_with(norm, Upsample::Transpose, seed)
}

fn step_errors_with(norm: NormKind, upsample: Upsample, seed: u64) -> Vec<(String, f64)> {
    let _rng = seeded(seed);
    let networks = |norm, dropout| networks_with(norm, dropout, upsample);
    let mut reference = networks(norm, false);
    let mut gan_cpu = Pix2PixCpu::from_burn(&reference, 1).unwrap();
    let mut errors = Vec::new();
    for step in 0..2 {
        let (input, target) = batch(step);
        let (losses, d_grads, g_grads) = burn_step(&mut reference, &input, &target);
        let (our_losses, our_d, our_g) = cpu_step(&mut gan_cpu, &input, &target);
        assert_losses_close(our_losses, losses);
        let (g_dead, d_dead) = dead_flags(&reference);
        let after = gan_cpu.to_burn(networks(norm, false)).unwrap();
        let (ours, theirs) = (weights(&after), weights(&reference));
        for (what, (error, at)) in [
            (
                "discriminator gradient",
                worst_error(&our_d, &d_grads, &d_dead),
            ),
            ("generator gradient", worst_error(&our_g, &g_grads, &g_dead)),
            (
                "weights",
                worst_error(&ours, &theirs, &vec![false; theirs.len()]),
            ),
        ] {
            errors.push((format!("step {}: {what} #{at}", step + 1), error));
        }
        // Continue from Burn's state, Adam's moments included (they come across by parameter
        // id), so the second step checks Adam past its first step on the same weights.
        gan_cpu = Pix2PixCpu::from_burn(&reference, 1).unwrap();
    }
    errors
}

fn assert_step_matches(norm: NormKind, seed: u64) {
    for (what, error) in step_errors(norm, seed) {
        assert!(
            error <= 1e-4,
            "{norm} seed {seed}, {what}: relative error {error:.2e}"
        );
    }
}

#[test]
fn batch_norm_step_matches_burn_autodiff() {
    assert_step_matches(NormKind::Batch, 0);
}

#[test]
fn instance_norm_step_matches_burn_autodiff() {
    assert_step_matches(NormKind::Instance, 0);
}

/// The resize-convolution trains its 3×3 kernel through the equivalent 4×4 transposed one.
/// With instance norm only the gradients are compared: at the 1×1 bottleneck the doubled map is
/// flat, so the kernel's centre tap adds the same to all four outputs and the norm removes it;
/// its true gradient is 0 and Adam's first step turns either side's rounding noise into ±lr.
#[test]
fn resize_upsampling_step_matches_burn_autodiff() {
    for norm in [NormKind::Batch, NormKind::Instance] {
        for (what, error) in step_errors_with(norm, Upsample::Resize, 0) {
            if norm == NormKind::Instance && what.contains("weights") {
                continue;
            }
            assert!(
                error <= 1e-4,
                "{norm}, resize: {what}: relative error {error:.2e}"
            );
        }
    }
}

/// Over many initialisations the gradients typically agree to 1e-6. A ReLU gate or the L1 term's
/// sign at a value within rounding of zero can flip between two correct f32 computations
/// summed in different orders, and a flip moves the generator's gradients by ~1e-3: allowed
/// in a few runs, never more.
#[test]
fn agreement_holds_across_initialisations() {
    let mut worst = Vec::new();
    for seed in 1..=6 {
        for norm in [NormKind::Batch, NormKind::Instance] {
            let errors = step_errors(norm, seed);
            // Gradients only: Adam's first step is lr·sign(g), so a weight that starts at zero
            // (β) flips with the sign of any gradient element that is itself within noise of 0.
            let (what, error) = errors
                .into_iter()
                .filter(|(what, _)| what.contains("gradient"))
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap();
            assert!(
                error <= 1e-2,
                "{norm} seed {seed}, {what}: relative error {error:.2e}"
            );
            worst.push(error);
        }
    }
    worst.sort_by(f64::total_cmp);
    let median = worst[worst.len() / 2];
    assert!(
        median <= 1e-4,
        "median worst error {median:.2e} over {} runs",
        worst.len()
    );
}

/// `steps` steps on both paths from the same networks; the losses of each step.
fn curves(
    norm: NormKind,
    dropout: bool,
    steps: u64,
) -> (Vec<Losses>, Vec<Losses>, Pix2Pix<B>, Pix2Pix<B>) {
    let _rng = seeded(11);
    let mut reference = networks(norm, dropout);
    let mut gan_cpu = Pix2PixCpu::from_burn(&reference, 7).unwrap();
    let (mut theirs, mut ours) = (Vec::new(), Vec::new());
    for step in 0..steps {
        let (input, target) = batch(step % 4);
        let (input_t, target_t) = tensors(&input, &target);
        theirs.push(reference.step(input_t, target_t, LR));
        ours.push(gan_cpu.step(&input, &target, BATCH, SIZE, LR));
    }
    let ours_as_burn = gan_cpu.to_burn(networks(norm, dropout)).unwrap();
    (ours, theirs, ours_as_burn, reference)
}

fn mean(losses: &[Losses], f: impl Fn(&Losses) -> f32) -> f32 {
    losses.iter().map(f).sum::<f32>() / losses.len() as f32
}

/// Without dropout both paths take the same steps: the curves agree step by step, and the
/// trained generators (as packages infer) give the same pictures.
#[test]
fn fifty_steps_follow_burns_loss_curve_and_infer_alike() {
    let (ours, theirs, ours_net, their_net) = curves(NormKind::Batch, false, 50);
    for (step, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        for (name, x, y) in [
            ("L1", a.g_l1, b.g_l1),
            ("G GAN", a.g_gan, b.g_gan),
            ("D real", a.d_real, b.d_real),
            ("D fake", a.d_fake, b.d_fake),
        ] {
            assert!(
                (x - y).abs() <= 1e-2 * y.abs().max(0.1),
                "step {step} {name}: {x} vs Burn's {y}"
            );
        }
    }
    assert!(
        mean(&ours[40..], |l| l.g_l1) < mean(&ours[..5], |l| l.g_l1),
        "L1 falls"
    );
    let device = Default::default();
    let (input, _) = batch(9);
    let one = &input[..SIZE * SIZE];
    let infer = |gan: &Pix2Pix<B>| {
        let inference = learning_to_see::infer::Inference::new(
            gan.inference_generator(),
            device,
            Arch::unet_for(SIZE).granularity(),
        );
        inference.run(one, SIZE).unwrap()
    };
    let (a, b) = (infer(&ours_net), infer(&their_net));
    let worst = a
        .iter()
        .zip(&b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max);
    let mean = a.iter().zip(&b).map(|(x, y)| (x - y).abs()).sum::<f32>() / a.len() as f32;
    eprintln!("pictures differ by {mean} on average, {worst} at most");
    // Pixel values span [-1, 1]: 1% of that at most, far below what an eye can tell.
    assert!(
        worst < 0.02 && mean < 2e-3,
        "pictures differ by {mean} on average, {worst} at most"
    );
}

/// With dropout the masks differ (each path draws its own), so the curves agree within noise.
#[test]
fn with_dropout_the_loss_curve_agrees_within_noise() {
    let (ours, theirs, _, _) = curves(NormKind::Batch, true, 50);
    for (name, f) in [
        ("L1", (|l: &Losses| l.g_l1) as fn(&Losses) -> f32),
        ("D real", |l: &Losses| l.d_real),
        ("D fake", |l: &Losses| l.d_fake),
    ] {
        let (a, b) = (mean(&ours[30..], f), mean(&theirs[30..], f));
        assert!(
            (a - b).abs() <= 0.1 * b.abs(),
            "{name}, steps 30–50: {a} vs Burn's {b}"
        );
    }
}
