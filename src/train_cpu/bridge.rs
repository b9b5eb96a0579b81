//! Moving a training run between Burn's modules and the CPU trainer: weights, running
//! statistics and Adam's moments, by parameter id, so checkpoints and exported packages keep
//! Burn's format and either path can continue the other's run.

use anyhow::{bail, ensure, Result};
use burn::module::{Module, Param as BurnParam, ParamId, RunningState};
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::optim::record::AdaptorRecord;
use burn::optim::{Adam as BurnAdam, AdamState, AdaptiveMomentumState, Optimizer};
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;

use super::conv::Conv;
use super::conv_transpose::ConvTranspose;
use super::norm::Norm;
use super::param::Param;
use super::patchgan::PatchGanTrainer;
use super::pix2pix::Pix2PixCpu;
use super::unet::{Level, UnetTrainer};
use crate::model::norm::Norm as BurnNorm;
use crate::model::patchgan::PatchGan;
use crate::model::state_dict::to_values;
use crate::model::unet::Unet;
use crate::model::upsample::{is_resize, resize_as_transpose};
use crate::model::Generator;
use crate::train::gan::Pix2Pix;

type Record<B> = AdaptorRecord<BurnAdam, B>;

/// Reads parameters with their Adam moments (when the optimiser has taken a step).
struct Reader<'a, B: AutodiffBackend> {
    moments: &'a dyn Fn(ParamId) -> Option<Record<B>>,
}

impl<B: AutodiffBackend> Reader<'_, B> {
    fn param<const D: usize>(&self, param: &BurnParam<Tensor<B, D>>) -> Param {
        let mut ours = Param::new(to_values(param.val()));
        if let Some(record) = (self.moments)(param.id) {
            let state: AdamState<B::InnerBackend, D> = record.into_state();
            ours.moment_1 = to_values(state.momentum.moment_1);
            ours.moment_2 = to_values(state.momentum.moment_2);
            ours.steps = state.momentum.time;
        }
        ours
    }

    fn conv(&self, conv: &Conv2d<B>) -> Result<Conv> {
        let [cout, cin, kh, kw] = conv.weight.dims();
        ensure!(
            [kh, kw] == [4, 4] && conv.stride[0] == conv.stride[1],
            "the CPU trainer takes 4×4 convolutions"
        );
        Ok(Conv {
            cin,
            cout,
            stride: conv.stride[0],
            weight: self.param(&conv.weight),
            bias: conv.bias.as_ref().map(|b| self.param(b)),
        })
    }

    fn conv_transpose(&self, conv: &ConvTranspose2d<B>) -> ConvTranspose {
        let [cin, cout, _, _] = conv.weight.dims();
        let bias = conv.bias.as_ref().map(|b| self.param(b));
        if is_resize(conv) {
            let resize = self.param(&conv.weight);
            let mut weight = vec![0.0; cin * cout * 16];
            resize_as_transpose(&resize.value, &mut weight);
            return ConvTranspose {
                cin,
                cout,
                weight: Param::new(weight),
                bias,
                resize: Some(resize),
            };
        }
        ConvTranspose {
            cin,
            cout,
            weight: self.param(&conv.weight),
            bias,
            resize: None,
        }
    }

    fn norm(&self, norm: &BurnNorm<B>) -> Norm {
        match norm {
            BurnNorm::Batch(norm) => Norm::Batch {
                gamma: self.param(&norm.gamma),
                beta: self.param(&norm.beta),
                running_mean: running_values(&norm.running_mean),
                running_var: running_values(&norm.running_var),
                momentum: norm.momentum as f32,
                epsilon: norm.epsilon as f32,
            },
            BurnNorm::Instance(norm) => Norm::Instance {
                epsilon: norm.epsilon as f32,
            },
        }
    }

    fn unet(&self, unet: &Unet<B>) -> Result<UnetTrainer> {
        let levels = unet
            .downs
            .iter()
            .zip(&unet.ups)
            .map(|(down, up)| {
                Ok(Level {
                    down: self.conv(&down.conv)?,
                    down_norm: down.norm.as_ref().map(|n| self.norm(n)),
                    up: self.conv_transpose(&up.conv),
                    up_norm: up.norm.as_ref().map(|n| self.norm(n)),
                    dropout: up.dropout.is_some(),
                })
            })
            .collect::<Result<_>>()?;
        Ok(UnetTrainer { levels })
    }

    fn patchgan(&self, net: &PatchGan<B>) -> Result<PatchGanTrainer> {
        Ok(PatchGanTrainer {
            convs: net
                .convs
                .iter()
                .map(|c| self.conv(c))
                .collect::<Result<_>>()?,
            norms: net.norms.iter().map(|n| self.norm(n)).collect(),
        })
    }
}

fn running_values<B: Backend>(state: &RunningState<Tensor<B, 1>>) -> Vec<f32> {
    to_values(state.clone().into_record().val())
}

/// Writes parameters back, collecting the optimiser's records under their ids.
struct Writer<B: AutodiffBackend> {
    records: Vec<(ParamId, Record<B>)>,
}

impl<B: AutodiffBackend> Writer<B> {
    fn param<const D: usize>(
        &mut self,
        param: BurnParam<Tensor<B, D>>,
        ours: &Param,
    ) -> BurnParam<Tensor<B, D>> {
        let id = param.id;
        let param = param.map(|old| {
            let tensor = Tensor::from_data(
                TensorData::new(ours.value.clone(), old.shape()),
                &old.device(),
            );
            tensor.set_require_grad(old.is_require_grad())
        });
        if ours.steps > 0 {
            let shape = param.shape();
            let device = param.device();
            let tensor = |values: &[f32]| {
                Tensor::<B::InnerBackend, D>::from_data(
                    TensorData::new(values.to_vec(), shape.clone()),
                    &device,
                )
            };
            let state = AdamState::new(AdaptiveMomentumState::new(
                ours.steps,
                tensor(&ours.moment_1),
                tensor(&ours.moment_2),
            ));
            self.records.push((id, AdaptorRecord::from_state(state)));
        }
        param
    }

    fn conv(&mut self, mut conv: Conv2d<B>, ours: &Conv) -> Conv2d<B> {
        conv.weight = self.param(conv.weight, &ours.weight);
        if let (Some(bias), Some(theirs)) = (ours.bias.as_ref(), conv.bias.take()) {
            conv.bias = Some(self.param(theirs, bias));
        }
        conv
    }

    fn conv_transpose(
        &mut self,
        mut conv: ConvTranspose2d<B>,
        ours: &ConvTranspose,
    ) -> ConvTranspose2d<B> {
        conv.weight = self.param(conv.weight, ours.resize.as_ref().unwrap_or(&ours.weight));
        if let (Some(bias), Some(theirs)) = (ours.bias.as_ref(), conv.bias.take()) {
            conv.bias = Some(self.param(theirs, bias));
        }
        conv
    }

    fn norm(&mut self, norm: BurnNorm<B>, ours: &Norm) -> BurnNorm<B> {
        match (norm, ours) {
            (
                BurnNorm::Batch(mut norm),
                Norm::Batch {
                    gamma,
                    beta,
                    running_mean,
                    running_var,
                    ..
                },
            ) => {
                norm.gamma = self.param(norm.gamma, gamma);
                norm.beta = self.param(norm.beta, beta);
                norm.running_mean = with_running_values(norm.running_mean, running_mean);
                norm.running_var = with_running_values(norm.running_var, running_var);
                BurnNorm::Batch(norm)
            }
            (norm, _) => norm,
        }
    }

    fn unet(&mut self, mut unet: Unet<B>, ours: &UnetTrainer) -> Unet<B> {
        let downs = std::mem::take(&mut unet.downs);
        let ups = std::mem::take(&mut unet.ups);
        for ((mut down, mut up), level) in downs.into_iter().zip(ups).zip(&ours.levels) {
            down.conv = self.conv(down.conv, &level.down);
            if let (Some(norm), Some(theirs)) = (&level.down_norm, down.norm.take()) {
                down.norm = Some(self.norm(theirs, norm));
            }
            up.conv = self.conv_transpose(up.conv, &level.up);
            if let (Some(norm), Some(theirs)) = (&level.up_norm, up.norm.take()) {
                up.norm = Some(self.norm(theirs, norm));
            }
            unet.downs.push(down);
            unet.ups.push(up);
        }
        unet
    }

    fn patchgan(&mut self, mut net: PatchGan<B>, ours: &PatchGanTrainer) -> PatchGan<B> {
        let convs = std::mem::take(&mut net.convs);
        let norms = std::mem::take(&mut net.norms);
        net.convs = convs
            .into_iter()
            .zip(&ours.convs)
            .map(|(conv, ours)| self.conv(conv, ours))
            .collect();
        net.norms = norms
            .into_iter()
            .zip(&ours.norms)
            .map(|(norm, ours)| self.norm(norm, ours))
            .collect();
        net
    }
}

fn with_running_values<B: Backend>(
    state: RunningState<Tensor<B, 1>>,
    values: &[f32],
) -> RunningState<Tensor<B, 1>> {
    let record = state.clone().into_record();
    let tensor = Tensor::from_data(
        TensorData::new(values.to_vec(), record.shape()),
        &record.device(),
    );
    state.load_record(BurnParam::initialized(record.id, tensor))
}

impl Pix2PixCpu {
    /// The networks, running statistics and Adam moments of `gan` (U-Net generators only);
    /// `seed` drives dropout from here on.
    pub fn from_burn<B: AutodiffBackend>(gan: &Pix2Pix<B>, seed: u64) -> Result<Self> {
        let Generator::Unet(unet) = &gan.generator else {
            bail!("the CPU trainer takes U-Net generators; train ResNets with --backend flex");
        };
        let g_records = gan.opt_g.to_record();
        let d_records = gan.opt_d.to_record();
        let g_moments = |id: ParamId| g_records.get(&id).cloned();
        let d_moments = |id: ParamId| d_records.get(&id).cloned();
        let generator = Reader::<B> {
            moments: &g_moments,
        }
        .unet(unet)?;
        let discriminator = Reader::<B> {
            moments: &d_moments,
        }
        .patchgan(&gan.discriminator)?;
        Ok(Self::new(generator, discriminator, gan.l1_weight, seed))
    }

    /// This run's state written into `gan` (built with the same configuration), keeping its
    /// parameter ids so the optimisers' records find their parameters.
    pub fn to_burn<B: AutodiffBackend>(&self, gan: Pix2Pix<B>) -> Result<Pix2Pix<B>> {
        let Pix2Pix {
            generator,
            discriminator,
            opt_g,
            opt_d,
            l1_weight,
        } = gan;
        let Generator::Unet(unet) = generator else {
            bail!("the CPU trainer takes U-Net generators");
        };
        let mut writer = Writer::<B> {
            records: Vec::new(),
        };
        let unet = writer.unet(unet, &self.generator);
        let opt_g = opt_g.load_record(writer.records.drain(..).collect());
        let discriminator = writer.patchgan(discriminator, &self.discriminator);
        let opt_d = opt_d.load_record(writer.records.drain(..).collect());
        Ok(Pix2Pix {
            generator: Generator::Unet(unet),
            discriminator,
            opt_g,
            opt_d,
            l1_weight,
        })
    }
}
