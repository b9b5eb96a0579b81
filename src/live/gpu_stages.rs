//! The frame on the GPU nannou renders with: upload → look (WGSL) into the generator's input
//! tensor → generator (burn-wgpu) → smoothing and crossfade as tensor ops → output and look
//! packed into the sketch's textures. Only the camera frame crosses from the CPU.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, Result};
use burn::prelude::*;
use image::RgbImage;

use super::engine::{Settings, Timings};
use super::gpu_link::{GpuLink, Slot};
use super::post::{Blend, Post};
use crate::gpu::look::GpuLook;
use crate::gpu::tensor::{look_tensor, SharedGpu, TensorBuffer};
use crate::gpu::texture::{Planes, PlanesToTexture};
use crate::infer::Gpu;
use crate::model::Generator;

impl Blend for Tensor<Gpu, 4> {
    fn same_shape(&self, other: &Self) -> bool {
        self.dims() == other.dims()
    }

    fn mix(self, other: &Self, t: f32) -> Self {
        self.mul_scalar(1.0 - t).add(other.clone().mul_scalar(t))
    }
}

pub struct GpuStages {
    gpu: Arc<SharedGpu>,
    link: GpuLink,
    shader: GpuLook,
    output_texture: PlanesToTexture,
    look_texture: PlanesToTexture,
    /// Smoothing and crossfade, the same stage the CPU path runs.
    pub post: Post<Tensor<Gpu, 4>>,
    /// The texture the last output went into (the sketch may have replaced it since).
    shown_in: Option<wgpu::Texture>,
}

impl GpuStages {
    pub fn new(gpu: Arc<SharedGpu>, link: GpuLink) -> Self {
        Self {
            shader: GpuLook::new(&gpu.device),
            output_texture: PlanesToTexture::new(&gpu.device),
            look_texture: PlanesToTexture::new(&gpu.device),
            gpu,
            link,
            post: Post::default(),
            shown_in: None,
        }
    }

    /// A crossfade is running, smoothing has not reached a still picture, or the last output
    /// has not reached the sketch's current texture (it may not have existed yet): either way
    /// another pass is due even on a still frame.
    pub fn unsettled(&self) -> bool {
        self.post.unsettled()
            || self.shown_in.is_none()
            || self.link.texture(Slot::Output) != self.shown_in
    }

    /// One frame into the textures. Waits for the device after each stage, so the timings are
    /// the GPU's and no frame queues up behind another.
    pub fn process(
        &mut self,
        generator: &Generator<Gpu>,
        frame: &RgbImage,
        settings: &Settings,
        size: usize,
    ) -> Result<Timings> {
        let started = Instant::now();
        let input = look_tensor(&self.gpu, &mut self.shader, &settings.look, frame, size)?;
        self.wait();
        let look_done = Instant::now();
        let channels = generator.input_channels();
        let raw = generator.forward(if channels == 1 {
            input.clone()
        } else {
            input.clone().repeat_dim(1, channels)
        });
        let shown = self.post.process(raw, settings.smoothing);
        // Submits what Burn still owes, so the wait below times the generator.
        let shown = Shown::of(&shown)?;
        self.wait();
        let generator_done = Instant::now();
        let output_texture = self.link.texture(Slot::Output);
        let look_texture = self.link.texture(Slot::Look);
        self.shown_in = write_planes(&self.gpu, &mut self.output_texture, &shown, output_texture)?;
        let input = Shown::of(&input)?;
        write_planes(&self.gpu, &mut self.look_texture, &input, look_texture)?;
        self.wait();
        Ok(Timings {
            look_ms: (look_done - started).as_secs_f32() * 1e3,
            generator_ms: (generator_done - look_done).as_secs_f32() * 1e3,
            total_ms: started.elapsed().as_secs_f32() * 1e3,
        })
    }

    fn wait(&self) {
        let _ = self.gpu.device.poll(wgpu::PollType::wait_indefinitely());
    }
}

/// A tensor's values in their wgpu buffer, with the shape needed to show them.
struct Shown {
    values: TensorBuffer,
    channels: u32,
    size: u32,
}

impl Shown {
    fn of(tensor: &Tensor<Gpu, 4>) -> Result<Self> {
        let [_, channels, size, _] = tensor.dims();
        Ok(Self {
            values: TensorBuffer::of(tensor)?,
            channels: channels as u32,
            size: size as u32,
        })
    }
}

/// Packs `shown` into `texture` when there is one of its size; returns the texture written.
fn write_planes(
    gpu: &SharedGpu,
    writer: &mut PlanesToTexture,
    shown: &Shown,
    texture: Option<wgpu::Texture>,
) -> Result<Option<wgpu::Texture>> {
    let Some(texture) = texture.filter(|t| t.width() == shown.size) else {
        return Ok(None);
    };
    let planes = Planes {
        buffer: &shown.values.buffer,
        offset_bytes: shown.values.offset,
        channels: shown.channels,
        size: shown.size,
    };
    writer
        .run(&gpu.device, &gpu.queue, &planes, &texture)
        .map_err(|e| anyhow!("showing the frame: {e}"))?;
    Ok(Some(texture))
}
