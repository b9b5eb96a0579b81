//! One pix2pix step on the project's own kernels, the same step as
//! [`crate::train::gan::Pix2Pix::step`]: the PatchGAN learns real (look, target) pairs from
//! generated ones, then the generator learns to fool the updated PatchGAN while staying near
//! the target.

use rand::rngs::StdRng;
use rand::SeedableRng;

use super::conv::InputGrad;
use super::loss::{bce_with_logits, l1};
use super::param::Adam;
use super::patchgan::{PatchGanPass, PatchGanTrainer};
use super::unet::{UnetPass, UnetTrainer};
use crate::train::gan::Losses;

pub struct Pix2PixCpu {
    pub generator: UnetTrainer,
    pub discriminator: PatchGanTrainer,
    pub l1_weight: f32,
    adam: Adam,
    rng: StdRng,
    generator_pass: UnetPass,
    fake_pass: PatchGanPass,
    real_pass: PatchGanPass,
    input: Vec<f32>,
    target: Vec<f32>,
    g_logits: Vec<f32>,
    g_pair: Vec<f32>,
}

impl Pix2PixCpu {
    /// `seed` drives dropout.
    pub fn new(
        generator: UnetTrainer,
        discriminator: PatchGanTrainer,
        l1_weight: f32,
        seed: u64,
    ) -> Self {
        Self {
            generator,
            discriminator,
            l1_weight,
            adam: Adam::pix2pix(),
            rng: StdRng::seed_from_u64(seed),
            generator_pass: UnetPass::default(),
            fake_pass: PatchGanPass::default(),
            real_pass: PatchGanPass::default(),
            input: Vec::new(),
            target: Vec::new(),
            g_logits: Vec::new(),
            g_pair: Vec::new(),
        }
    }

    /// One step of D then G on a batch: `input` `[N, 1, S, S]` and `target` `[N, 3, S, S]`
    /// (image-major, as pairs arrive), values in [-1, 1].
    pub fn step(
        &mut self,
        input: &[f32],
        target: &[f32],
        batch: usize,
        size: usize,
        lr: f64,
    ) -> Losses {
        self.generate(input, target, batch, size);
        let (d_fake, d_real) = self.discriminator_gradients();
        self.update_discriminator(lr);
        let (g_gan, g_l1) = self.generator_gradients();
        self.update_generator(lr);
        Losses {
            g_gan,
            g_l1,
            d_real,
            d_fake,
        }
    }

    /// Takes the batch in and runs the generator on it (training mode).
    pub fn generate(&mut self, input: &[f32], target: &[f32], batch: usize, size: usize) {
        let area = size * size;
        let in_channels = self.generator.input_channels();
        let out_channels = self.generator.output_channels();
        assert_eq!(input.len(), batch * in_channels * area, "input size");
        assert_eq!(target.len(), batch * out_channels * area, "target size");
        self.input = channel_major(input, batch, in_channels, area);
        self.target = channel_major(target, batch, out_channels, area);
        self.generator.forward(
            &mut self.generator_pass,
            &self.input,
            batch,
            size,
            &mut self.rng,
        );
        self.fake_pass.prepare(&self.discriminator, batch, size);
        self.real_pass.prepare(&self.discriminator, batch, size);
    }

    /// D's gradients: real pairs → 1, generated pairs → 0, the loss halved. Returns the two
    /// BCE terms (fake, real).
    pub fn discriminator_gradients(&mut self) -> (f32, f32) {
        pair(
            &mut self.fake_pass.input,
            &self.input,
            &self.generator_pass.picture,
        );
        pair(&mut self.real_pass.input, &self.input, &self.target);
        self.discriminator.forward(&mut self.fake_pass);
        self.discriminator.forward(&mut self.real_pass);
        for param in self.discriminator.params_mut() {
            param.zero_grad();
        }
        self.g_logits.resize(self.fake_pass.logits().len(), 0.0);
        let d_fake = bce_with_logits(self.fake_pass.logits(), false, 0.5, &mut self.g_logits);
        self.discriminator
            .backward(&mut self.fake_pass, &self.g_logits, true, None);
        let d_real = bce_with_logits(self.real_pass.logits(), true, 0.5, &mut self.g_logits);
        self.discriminator
            .backward(&mut self.real_pass, &self.g_logits, true, None);
        (d_fake, d_real)
    }

    pub fn update_discriminator(&mut self, lr: f64) {
        for param in self.discriminator.params_mut() {
            self.adam.step(param, lr);
        }
    }

    /// G's gradients: fool the (updated) D, whose weights get none, and stay near the target.
    /// Returns (GAN term, L1 term).
    pub fn generator_gradients(&mut self) -> (f32, f32) {
        pair(
            &mut self.fake_pass.input,
            &self.input,
            &self.generator_pass.picture,
        );
        self.discriminator.forward(&mut self.fake_pass);
        self.g_logits.resize(self.fake_pass.logits().len(), 0.0);
        let g_gan = bce_with_logits(self.fake_pass.logits(), true, 1.0, &mut self.g_logits);
        self.g_pair.clear();
        self.g_pair.resize(self.fake_pass.input.len(), 0.0);
        let in_channels = self.generator.input_channels();
        self.discriminator.backward(
            &mut self.fake_pass,
            &self.g_logits,
            false,
            Some(InputGrad {
                grad: &mut self.g_pair,
                from_channel: in_channels,
            }),
        );
        let g_picture = &mut self.g_pair[self.input.len()..];
        let g_l1 = l1(
            &self.generator_pass.picture,
            &self.target,
            self.l1_weight,
            g_picture,
        );
        for param in self.generator.params_mut() {
            param.zero_grad();
        }
        self.generator
            .backward(&mut self.generator_pass, &self.g_pair[self.input.len()..]);
        (g_gan, g_l1)
    }

    pub fn update_generator(&mut self, lr: f64) {
        for param in self.generator.params_mut() {
            self.adam.step(param, lr);
        }
    }
}

/// `[image][channel][pixel]` → `[channel][image][pixel]`.
fn channel_major(values: &[f32], batch: usize, channels: usize, area: usize) -> Vec<f32> {
    let mut out = vec![0.0; values.len()];
    for n in 0..batch {
        for c in 0..channels {
            out[(c * batch + n) * area..][..area]
                .copy_from_slice(&values[(n * channels + c) * area..][..area]);
        }
    }
    out
}

/// The discriminator's input: concat(input, image) along channels (both channel-major).
fn pair(out: &mut [f32], input: &[f32], image: &[f32]) {
    out[..input.len()].copy_from_slice(input);
    out[input.len()..].copy_from_slice(image);
}
