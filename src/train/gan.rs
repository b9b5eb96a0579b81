//! One pix2pix step: the PatchGAN learns to tell real (look, target) pairs from generated ones;
//! the generator learns to fool it while staying close to the target (GAN + λ·L1).

use burn::module::AutodiffModule;
use burn::optim::adaptor::OptimizerAdaptor;
use burn::optim::{Adam, AdamConfig, GradientsParams, Optimizer};
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;

use crate::model::patchgan::{PatchGan, PatchGanConfig};
use crate::model::Generator;

use super::config::TrainConfig;

pub type GenOptimizer<B> = OptimizerAdaptor<Adam, Generator<B>, B>;
pub type DiscOptimizer<B> = OptimizerAdaptor<Adam, PatchGan<B>, B>;

/// Losses of one step (means over the batch).
#[derive(Clone, Copy, Debug, Default)]
pub struct Losses {
    pub g_gan: f32,
    pub g_l1: f32,
    pub d_real: f32,
    pub d_fake: f32,
}

pub struct Pix2Pix<B: AutodiffBackend> {
    pub generator: Generator<B>,
    pub discriminator: PatchGan<B>,
    pub opt_g: GenOptimizer<B>,
    pub opt_d: DiscOptimizer<B>,
    pub l1_weight: f32,
}

/// The reference's Adam: β1 0.5, β2 0.999, ε 1e-8.
fn adam() -> AdamConfig {
    AdamConfig::new()
        .with_beta_1(0.5)
        .with_beta_2(0.999)
        .with_epsilon(1e-8)
}

/// Binary cross-entropy with logits against a constant label, in the stable form
/// `max(x, 0) − x·y + log(1 + e^−|x|)`.
pub fn bce_with_logits<B: Backend>(logits: Tensor<B, 4>, real: bool) -> Tensor<B, 1> {
    let softplus = logits.clone().abs().neg().exp().add_scalar(1.0).log();
    let positive = logits.clone().clamp_min(0.0);
    let loss = if real {
        positive - logits + softplus
    } else {
        positive + softplus
    };
    loss.mean()
}

impl<B: AutodiffBackend> Pix2Pix<B> {
    pub fn new(config: &TrainConfig, device: &B::Device) -> Self {
        Self::with_generator(config, config.generator().init(device), device)
    }

    /// A trained (or fresh) generator beside a fresh discriminator.
    pub fn with_generator(
        config: &TrainConfig,
        generator: Generator<B>,
        device: &B::Device,
    ) -> Self {
        let generator_config = config.generator();
        Self::from_networks(
            generator,
            PatchGanConfig::new()
                .with_input_nc(generator_config.input_nc + generator_config.output_nc)
                .with_ndf(config.ndf)
                .with_norm(config.norm)
                .init(device),
            config.l1_weight,
        )
    }

    /// Two networks with fresh optimisers.
    pub fn from_networks(
        generator: Generator<B>,
        discriminator: PatchGan<B>,
        l1_weight: f32,
    ) -> Self {
        Self {
            generator,
            discriminator,
            opt_g: adam().init(),
            opt_d: adam().init(),
            l1_weight,
        }
    }

    /// One optimisation step of D then G on a batch (`input` [N,1,S,S], `target` [N,3,S,S]).
    pub fn step(&mut self, input: Tensor<B, 4>, target: Tensor<B, 4>, lr: f64) -> Losses {
        let fake = self.generator.forward(input.clone());

        // D: real pairs → 1, generated pairs (no gradient into G) → 0; the loss is halved.
        let pred_fake = self
            .discriminator
            .forward(Tensor::cat(vec![input.clone(), fake.clone().detach()], 1));
        let pred_real = self
            .discriminator
            .forward(Tensor::cat(vec![input.clone(), target.clone()], 1));
        let d_fake = bce_with_logits(pred_fake, false);
        let d_real = bce_with_logits(pred_real, true);
        let d_loss = (d_fake.clone() + d_real.clone()).mul_scalar(0.5);
        let grads = GradientsParams::from_grads(d_loss.backward(), &self.discriminator);
        // Modules move through the optimiser by value; clones share their tensors.
        self.discriminator = self.opt_d.step(lr, self.discriminator.clone(), grads);

        // G: fool the updated D, and stay near the target.
        let pred = self
            .discriminator
            .forward(Tensor::cat(vec![input, fake.clone()], 1));
        let g_gan = bce_with_logits(pred, true);
        let g_l1 = (fake - target).abs().mean();
        let g_loss = g_gan.clone() + g_l1.clone().mul_scalar(self.l1_weight);
        let grads = GradientsParams::from_grads(g_loss.backward(), &self.generator);
        self.generator = self.opt_g.step(lr, self.generator.clone(), grads);

        let scalar = |t: Tensor<B, 1>| t.into_scalar().elem::<f32>();
        Losses {
            g_gan: scalar(g_gan),
            g_l1: scalar(g_l1),
            d_real: scalar(d_real),
            d_fake: scalar(d_fake),
        }
    }

    /// The generator for inference (no autodiff, running statistics).
    pub fn inference_generator(&self) -> Generator<B::InnerBackend> {
        self.generator.valid()
    }
}
