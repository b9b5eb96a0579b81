//! Multiply-accumulates per frame, counted from the layer shapes.

use super::generator::{Arch, GeneratorConfig};

/// MACs for one `size × size` frame through the generator.
pub fn generator_macs(config: &GeneratorConfig, size: usize) -> u64 {
    let ngf = config.ngf as u64;
    let mut macs = 0u64;
    match config.arch {
        Arch::Unet { levels } => {
            let widths: Vec<(u64, u64)> = (0..levels)
                .map(|level| {
                    let inner = ngf * (1u64 << level.min(3));
                    let outer = if level == 0 {
                        config.output_nc as u64
                    } else {
                        ngf * (1u64 << (level - 1).min(3))
                    };
                    (outer, inner)
                })
                .collect();
            let mut side = size as u64;
            for (level, &(outer, inner)) in widths.iter().enumerate() {
                let input = if level == 0 {
                    config.input_nc as u64
                } else {
                    outer
                };
                side /= 2;
                // Down: k4 s2 into `side²` outputs; up: k4 s2 transposed from `side²` inputs.
                macs += side * side * inner * input * 16;
                let up_in = if level + 1 == levels {
                    inner
                } else {
                    inner * 2
                };
                macs += side * side * up_in * outer * 16;
            }
        }
        Arch::Resnet { blocks } => {
            let s = size as u64;
            macs += s * s * config.input_nc as u64 * ngf * 49;
            macs += (s / 2) * (s / 2) * ngf * ngf * 2 * 9;
            macs += (s / 4) * (s / 4) * ngf * 2 * ngf * 4 * 9;
            macs += blocks as u64 * 2 * (s / 4) * (s / 4) * (ngf * 4) * (ngf * 4) * 9;
            macs += (s / 4) * (s / 4) * ngf * 4 * ngf * 2 * 9;
            macs += (s / 2) * (s / 2) * ngf * 2 * ngf * 9;
            macs += s * s * ngf * config.output_nc as u64 * 49;
        }
    }
    macs
}

/// MACs for one `size × size` pair through the PatchGAN: `layers` + 2 convolutions 4×4 with
/// padding 1, strides 2 then 1 for the last two, widths `ndf·min(2^l, 8)`, one logit map out.
pub fn discriminator_macs(input_nc: usize, ndf: usize, layers: usize, size: usize) -> u64 {
    let out_side = |side: u64, stride: u64| (side + 2 - 4) / stride + 1;
    let mut side = size as u64;
    let mut width = input_nc as u64;
    let mut macs = 0;
    for layer in 0..=layers + 1 {
        let (next, stride) = match layer {
            0 => (ndf as u64, 2),
            l if l <= layers => (
                ndf as u64 * (1 << l).min(8),
                if l == layers { 1 } else { 2 },
            ),
            _ => (1, 1),
        };
        side = out_side(side, stride);
        macs += side * side * width * next * 16;
        width = next;
    }
    macs
}

/// FLOPs one training image costs (2 per MAC): the generator forward and backward (data and
/// weight gradients: 3× its MACs); the discriminator forward three times (generated and real
/// pairs for its own step, the generated pair again for the generator's), backward with weight
/// gradients twice (its step) and for the data alone once (the generator's step): 8× its MACs.
pub fn training_flops(generator_macs: u64, discriminator_macs: u64) -> u64 {
    2 * (3 * generator_macs + 8 * discriminator_macs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Arch, NormKind};

    #[test]
    fn counts_the_reference_networks() {
        // pix2pix's U-Net 256 at ngf 64 (1 grey channel in): about 6.05 GMAC.
        let unet = GeneratorConfig::new(Arch::unet_for(256), 64, NormKind::Batch);
        let g = generator_macs(&unet, 256);
        assert!((6.0e9..6.1e9).contains(&(g as f64)), "{g}");
        // The 70×70 PatchGAN at ndf 64 on 4 channels: 256² → 128², 64², 32², 31², 30².
        let d = discriminator_macs(4, 64, 3, 256);
        let expected = 16 * (128 * 128 * 4 * 64 + 64 * 64 * 64 * 128 + 32 * 32 * 128 * 256)
            + 16 * (31 * 31 * 256 * 512 + 30 * 30 * 512);
        assert_eq!(d, expected);
    }
}
