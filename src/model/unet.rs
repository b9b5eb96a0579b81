//! The pix2pix U-Net generator: `num_downs` stride-2 convolutions down, as many transposed ones up
//! (or resize-convolutions, see [`super::upsample`]), each level's encoder output concatenated to
//! the decoder input.
//!
//! The reference nests `UnetSkipConnectionBlock`s; here the levels are flat lists, and
//! [`Unet::walk`] rebuilds the nested PyTorch key names.

use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::nn::{Dropout, DropoutConfig, LeakyRelu, LeakyReluConfig, Relu};
use burn::prelude::*;
use burn::tensor::activation::tanh;

use super::conv::{conv, walk_conv, walk_conv_transpose};
use super::norm::{Norm, NormKind};
use super::state_dict::{Walk, WeightsError};
use super::upsample::{up_conv, up_forward, Upsample};

#[derive(Config, Debug)]
pub struct UnetConfig {
    #[config(default = 1)]
    pub input_nc: usize,
    #[config(default = 3)]
    pub output_nc: usize,
    /// Stride-2 levels: 8 for 256² inputs (1×1 bottleneck), 7 for 128².
    #[config(default = 8)]
    pub num_downs: usize,
    #[config(default = 64)]
    pub ngf: usize,
    #[config(default = "NormKind::Batch")]
    pub norm: NormKind,
    /// Dropout 0.5 on the `num_downs - 5` innermost non-bottleneck decoder levels.
    #[config(default = true)]
    pub dropout: bool,
    #[config(default = "Upsample::Transpose")]
    pub upsample: Upsample,
}

/// One level's channel widths, outermost first, as the reference stacks them.
struct Level {
    outer: usize,
    inner: usize,
    dropout: bool,
}

impl UnetConfig {
    fn levels(&self) -> Vec<Level> {
        assert!(self.num_downs >= 5, "a U-Net needs at least 5 levels");
        let ngf = self.ngf;
        let mut levels = vec![
            Level {
                outer: self.output_nc,
                inner: ngf,
                dropout: false,
            },
            Level {
                outer: ngf,
                inner: ngf * 2,
                dropout: false,
            },
            Level {
                outer: ngf * 2,
                inner: ngf * 4,
                dropout: false,
            },
            Level {
                outer: ngf * 4,
                inner: ngf * 8,
                dropout: false,
            },
        ];
        for _ in 0..self.num_downs - 5 {
            levels.push(Level {
                outer: ngf * 8,
                inner: ngf * 8,
                dropout: self.dropout,
            });
        }
        levels.push(Level {
            outer: ngf * 8,
            inner: ngf * 8,
            dropout: false,
        });
        levels
    }

    pub fn init<B: Backend>(&self, device: &B::Device) -> Unet<B> {
        let levels = self.levels();
        let innermost = levels.len() - 1;
        let bias = self.norm.conv_bias();
        let mut downs = Vec::new();
        let mut ups = Vec::new();
        for (index, level) in levels.iter().enumerate() {
            let outermost = index == 0;
            let input = if outermost {
                self.input_nc
            } else {
                level.outer
            };
            let has_down_norm = !outermost && index != innermost;
            downs.push(UnetDown {
                conv: conv([input, level.inner], 4, 2, 1, bias, device),
                norm: has_down_norm.then(|| self.norm.init(level.inner, device)),
            });
            let up_in = if index == innermost {
                level.inner
            } else {
                level.inner * 2
            };
            ups.push(UnetUp {
                conv: up_conv(
                    self.upsample,
                    [up_in, level.outer],
                    [4, 1, 0],
                    bias || outermost,
                    device,
                ),
                norm: (!outermost).then(|| self.norm.init(level.outer, device)),
                dropout: level.dropout.then(|| DropoutConfig::new(0.5).init()),
            });
        }
        Unet {
            downs,
            ups,
            leaky: LeakyReluConfig::new().with_negative_slope(0.2).init(),
            relu: Relu::new(),
        }
    }
}

#[derive(Module, Debug)]
pub struct UnetDown<B: Backend> {
    pub conv: Conv2d<B>,
    pub norm: Option<Norm<B>>,
}

#[derive(Module, Debug)]
pub struct UnetUp<B: Backend> {
    pub conv: ConvTranspose2d<B>,
    pub norm: Option<Norm<B>>,
    pub dropout: Option<Dropout>,
}

#[derive(Module, Debug)]
pub struct Unet<B: Backend> {
    pub downs: Vec<UnetDown<B>>,
    pub ups: Vec<UnetUp<B>>,
    leaky: LeakyRelu,
    relu: Relu,
}

impl<B: Backend> Unet<B> {
    pub fn forward(&self, input: Tensor<B, 4>) -> Tensor<B, 4> {
        let mut features = Vec::with_capacity(self.downs.len());
        let mut x = input;
        for (index, down) in self.downs.iter().enumerate() {
            if index > 0 {
                x = self.leaky.forward(x);
            }
            x = down.conv.forward(x);
            if let Some(norm) = &down.norm {
                x = norm.forward(x);
            }
            features.push(x.clone());
        }
        let innermost = self.ups.len() - 1;
        let mut y = features.pop().expect("at least one level");
        for index in (0..=innermost).rev() {
            let up = &self.ups[index];
            if index != innermost {
                let skip = features.pop().expect("one skip per level");
                y = Tensor::cat(vec![skip, y], 1);
            }
            y = up_forward(&up.conv, self.relu.forward(y));
            match &up.norm {
                Some(norm) => y = norm.forward(y),
                None => y = tanh(y),
            }
            if let Some(dropout) = &up.dropout {
                y = dropout.forward(y);
            }
        }
        y
    }

    pub fn input_channels(&self) -> usize {
        self.downs[0].conv.weight.dims()[1]
    }

    /// Visits every tensor under the reference's nested `UnetSkipConnectionBlock` key names.
    pub fn walk(mut self, walk: &mut Walk) -> Result<Self, WeightsError> {
        let innermost = self.downs.len() - 1;
        let mut prefix = String::from("model");
        let downs = std::mem::take(&mut self.downs);
        let ups = std::mem::take(&mut self.ups);
        for (index, (mut down, mut up)) in downs.into_iter().zip(ups).enumerate() {
            let seq = format!("{prefix}.model");
            // Indices inside each block's nn.Sequential: [downrelu?, downconv, downnorm?,
            // submodule?, uprelu, upconv, upnorm | tanh, dropout?].
            let (down_conv, down_norm, up_conv, up_norm, submodule) = if index == 0 {
                (0, None, 3, None, Some(1))
            } else if index == innermost {
                (1, None, 3, Some(4), None)
            } else {
                (1, Some(2), 5, Some(6), Some(3))
            };
            down.conv = walk_conv(down.conv, &format!("{seq}.{down_conv}"), walk)?;
            if let (Some(norm), Some(at)) = (down.norm.take(), down_norm) {
                down.norm = Some(norm.walk(&format!("{seq}.{at}"), walk)?);
            }
            up.conv = walk_conv_transpose(up.conv, &format!("{seq}.{up_conv}"), walk)?;
            if let (Some(norm), Some(at)) = (up.norm.take(), up_norm) {
                up.norm = Some(norm.walk(&format!("{seq}.{at}"), walk)?);
            }
            self.downs.push(down);
            self.ups.push(up);
            if let Some(at) = submodule {
                prefix = format!("{seq}.{at}");
            }
        }
        Ok(self)
    }
}
