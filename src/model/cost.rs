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
