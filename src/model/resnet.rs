//! The pix2pix/CycleGAN ResNet generator: a 7×7 stem, two stride-2 convolutions, `blocks`
//! residual blocks with reflection padding, two transposed convolutions back up, a 7×7 head.

use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::nn::{Dropout, DropoutConfig, Relu};
use burn::prelude::*;
use burn::tensor::activation::tanh;
use burn::tensor::ops::PadMode;

use super::conv::{conv, walk_conv, walk_conv_transpose};
use super::norm::{Norm, NormKind};
use super::state_dict::{Walk, WeightsError};
use super::upsample::{up_conv, up_forward, Upsample};

#[derive(Config, Debug)]
pub struct ResnetConfig {
    #[config(default = 1)]
    pub input_nc: usize,
    #[config(default = 3)]
    pub output_nc: usize,
    /// Residual blocks: 9 for 256², 6 for 128² in the reference.
    #[config(default = 9)]
    pub blocks: usize,
    #[config(default = 64)]
    pub ngf: usize,
    #[config(default = "NormKind::Instance")]
    pub norm: NormKind,
    #[config(default = false)]
    pub dropout: bool,
    #[config(default = "Upsample::Transpose")]
    pub upsample: Upsample,
}

impl ResnetConfig {
    pub fn init<B: Backend>(&self, device: &B::Device) -> Resnet<B> {
        let ngf = self.ngf;
        let bias = self.norm.conv_bias();
        let norm = |channels| self.norm.init(channels, device);
        Resnet {
            stem: conv([self.input_nc, ngf], 7, 1, 0, bias, device),
            stem_norm: norm(ngf),
            down: vec![
                conv([ngf, ngf * 2], 3, 2, 1, bias, device),
                conv([ngf * 2, ngf * 4], 3, 2, 1, bias, device),
            ],
            down_norms: vec![norm(ngf * 2), norm(ngf * 4)],
            blocks: (0..self.blocks)
                .map(|_| ResnetBlock {
                    conv1: conv([ngf * 4, ngf * 4], 3, 1, 0, bias, device),
                    norm1: norm(ngf * 4),
                    dropout: self.dropout.then(|| DropoutConfig::new(0.5).init()),
                    conv2: conv([ngf * 4, ngf * 4], 3, 1, 0, bias, device),
                    norm2: norm(ngf * 4),
                })
                .collect(),
            up: vec![
                up_conv(self.upsample, [ngf * 4, ngf * 2], [3, 1, 1], bias, device),
                up_conv(self.upsample, [ngf * 2, ngf], [3, 1, 1], bias, device),
            ],
            up_norms: vec![norm(ngf * 2), norm(ngf)],
            head: conv([ngf, self.output_nc], 7, 1, 0, true, device),
            relu: Relu::new(),
        }
    }
}

#[derive(Module, Debug)]
pub struct ResnetBlock<B: Backend> {
    pub conv1: Conv2d<B>,
    pub norm1: Norm<B>,
    pub dropout: Option<Dropout>,
    pub conv2: Conv2d<B>,
    pub norm2: Norm<B>,
}

#[derive(Module, Debug)]
pub struct Resnet<B: Backend> {
    pub stem: Conv2d<B>,
    pub stem_norm: Norm<B>,
    pub down: Vec<Conv2d<B>>,
    pub down_norms: Vec<Norm<B>>,
    pub blocks: Vec<ResnetBlock<B>>,
    pub up: Vec<ConvTranspose2d<B>>,
    pub up_norms: Vec<Norm<B>>,
    pub head: Conv2d<B>,
    relu: Relu,
}

fn reflect<B: Backend>(x: Tensor<B, 4>, pad: usize) -> Tensor<B, 4> {
    x.pad((pad, pad, pad, pad), PadMode::Reflect)
}

impl<B: Backend> Resnet<B> {
    pub fn forward(&self, input: Tensor<B, 4>) -> Tensor<B, 4> {
        let mut x = self.stem.forward(reflect(input, 3));
        x = self.relu.forward(self.stem_norm.forward(x));
        for (conv, norm) in self.down.iter().zip(&self.down_norms) {
            x = self.relu.forward(norm.forward(conv.forward(x)));
        }
        for block in &self.blocks {
            let mut h = block.conv1.forward(reflect(x.clone(), 1));
            h = self.relu.forward(block.norm1.forward(h));
            if let Some(dropout) = &block.dropout {
                h = dropout.forward(h);
            }
            h = block.norm2.forward(block.conv2.forward(reflect(h, 1)));
            x = x + h;
        }
        for (conv, norm) in self.up.iter().zip(&self.up_norms) {
            x = self.relu.forward(norm.forward(up_forward(conv, x)));
        }
        tanh(self.head.forward(reflect(x, 3)))
    }

    pub fn input_channels(&self) -> usize {
        self.stem.weight.dims()[1]
    }

    /// Visits every tensor under the reference `ResnetGenerator`'s `model.N` key names.
    pub fn walk(mut self, walk: &mut Walk) -> Result<Self, WeightsError> {
        self.stem = walk_conv(self.stem, "model.1", walk)?;
        self.stem_norm = self.stem_norm.walk("model.2", walk)?;
        let mut index = 4;
        let downs = std::mem::take(&mut self.down);
        let down_norms = std::mem::take(&mut self.down_norms);
        for (conv, norm) in downs.into_iter().zip(down_norms) {
            self.down
                .push(walk_conv(conv, &format!("model.{index}"), walk)?);
            self.down_norms
                .push(norm.walk(&format!("model.{}", index + 1), walk)?);
            index += 3;
        }
        let blocks = std::mem::take(&mut self.blocks);
        for mut block in blocks {
            let seq = format!("model.{index}.conv_block");
            // With dropout the reference inserts nn.Dropout after the first ReLU.
            let second = if block.dropout.is_some() { 6 } else { 5 };
            block.conv1 = walk_conv(block.conv1, &format!("{seq}.1"), walk)?;
            block.norm1 = block.norm1.walk(&format!("{seq}.2"), walk)?;
            block.conv2 = walk_conv(block.conv2, &format!("{seq}.{second}"), walk)?;
            block.norm2 = block.norm2.walk(&format!("{seq}.{}", second + 1), walk)?;
            self.blocks.push(block);
            index += 1;
        }
        let ups = std::mem::take(&mut self.up);
        let up_norms = std::mem::take(&mut self.up_norms);
        for (conv, norm) in ups.into_iter().zip(up_norms) {
            self.up
                .push(walk_conv_transpose(conv, &format!("model.{index}"), walk)?);
            self.up_norms
                .push(norm.walk(&format!("model.{}", index + 1), walk)?);
            index += 3;
        }
        self.head = walk_conv(self.head, &format!("model.{}", index + 1), walk)?;
        Ok(self)
    }
}
