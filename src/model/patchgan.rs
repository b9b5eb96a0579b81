//! The 70×70 PatchGAN discriminator: it scores overlapping patches of concat(input, image).

use burn::nn::conv::Conv2d;
use burn::nn::{LeakyRelu, LeakyReluConfig};
use burn::prelude::*;

use super::conv::{conv, walk_conv};
use super::norm::{Norm, NormKind};
use super::state_dict::{Walk, WeightsError};

#[derive(Config, Debug)]
pub struct PatchGanConfig {
    /// Input plus output channels: 1 grey + 3 colour by default.
    #[config(default = 4)]
    pub input_nc: usize,
    #[config(default = 64)]
    pub ndf: usize,
    /// 3 layers give the 70×70 receptive field.
    #[config(default = 3)]
    pub layers: usize,
    #[config(default = "NormKind::Batch")]
    pub norm: NormKind,
}

impl PatchGanConfig {
    pub fn init<B: Backend>(&self, device: &B::Device) -> PatchGan<B> {
        let bias = self.norm.conv_bias();
        let mut convs = vec![conv([self.input_nc, self.ndf], 4, 2, 1, true, device)];
        let mut norms = Vec::new();
        let mut width = self.ndf;
        for layer in 1..=self.layers {
            let next = self.ndf * (1 << layer).min(8);
            let stride = if layer == self.layers { 1 } else { 2 };
            convs.push(conv([width, next], 4, stride, 1, bias, device));
            norms.push(self.norm.init(next, device));
            width = next;
        }
        convs.push(conv([width, 1], 4, 1, 1, true, device));
        PatchGan {
            convs,
            norms,
            leaky: LeakyReluConfig::new().with_negative_slope(0.2).init(),
        }
    }
}

#[derive(Module, Debug)]
pub struct PatchGan<B: Backend> {
    pub convs: Vec<Conv2d<B>>,
    pub norms: Vec<Norm<B>>,
    leaky: LeakyRelu,
}

impl<B: Backend> PatchGan<B> {
    /// Patch logits (no sigmoid: the loss is BCE-with-logits).
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let last = self.convs.len() - 1;
        let mut x = self.leaky.forward(self.convs[0].forward(x));
        for (conv, norm) in self.convs[1..last].iter().zip(&self.norms) {
            x = self.leaky.forward(norm.forward(conv.forward(x)));
        }
        self.convs[last].forward(x)
    }

    /// Visits every tensor under the reference `NLayerDiscriminator`'s key names.
    pub fn walk(mut self, walk: &mut Walk) -> Result<Self, WeightsError> {
        let convs = std::mem::take(&mut self.convs);
        let norms = std::mem::take(&mut self.norms);
        let count = convs.len();
        let mut norms = norms.into_iter();
        let mut index = 0;
        for (position, conv) in convs.into_iter().enumerate() {
            self.convs
                .push(walk_conv(conv, &format!("model.{index}"), walk)?);
            if position == 0 || position == count - 1 {
                index += 2;
            } else {
                let norm = norms.next().expect("one norm per inner conv");
                self.norms
                    .push(norm.walk(&format!("model.{}", index + 1), walk)?);
                index += 3;
            }
        }
        Ok(self)
    }
}
