//! The look written straight into the Burn tensor the generator reads: one wgpu device shared
//! by our shaders and burn-wgpu, no copy through the CPU.

use std::sync::OnceLock;

use anyhow::{anyhow, Result};
use burn::backend::wgpu::{init_device, RuntimeOptions, WgpuDevice, WgpuSetup};
use burn::prelude::*;
use image::RgbImage;

use super::look::GpuLook;
use crate::look::Look;

/// burn-wgpu without the fusion wrapper: its tensors expose their wgpu buffers.
pub type GpuDirect = crate::infer::Gpu;

/// One wgpu device for everything (prefers a real GPU; lavapipe otherwise), created with the
/// adapter's features and limits because burn-wgpu plans its kernels from them.
pub struct SharedGpu {
    pub instance: wgpu::Instance,
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    burn: OnceLock<WgpuDevice>,
}

impl SharedGpu {
    pub fn new() -> Option<Self> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter =
            pollster::block_on(instance.request_adapter(&wgpu::RequestAdapterOptions::default()))
                .ok()?;
        let info = adapter.get_info();
        let descriptor = wgpu::DeviceDescriptor {
            label: Some("learning-to-see"),
            required_features: adapter.features(),
            required_limits: adapter.limits(),
            ..Default::default()
        };
        let (device, queue) = pollster::block_on(adapter.request_device(&descriptor)).ok()?;
        Some(Self::from_parts(instance, adapter, device, queue, info))
    }

    /// A device someone else made (nannou's renderer); it should have the adapter's features
    /// and limits, as Bevy requests by default.
    pub fn from_parts(
        instance: wgpu::Instance,
        adapter: wgpu::Adapter,
        device: wgpu::Device,
        queue: wgpu::Queue,
        info: wgpu::AdapterInfo,
    ) -> Self {
        Self {
            instance,
            adapter,
            device,
            queue,
            info,
            burn: OnceLock::new(),
        }
    }

    /// A software rasteriser (lavapipe, llvmpipe): the CPU backend is faster there.
    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }

    /// The same device as a burn-wgpu device (registered with Burn on first use).
    pub fn burn_device(&self) -> WgpuDevice {
        self.burn
            .get_or_init(|| {
                let setup = WgpuSetup {
                    instance: self.instance.clone(),
                    adapter: self.adapter.clone(),
                    device: self.device.clone(),
                    queue: self.queue.clone(),
                    backend: self.info.backend,
                };
                init_device(setup, RuntimeOptions::default())
            })
            .clone()
    }
}

/// Runs the look of `frame` on the GPU into a new `[1, 1, size, size]` Burn tensor.
pub fn look_tensor(
    gpu: &SharedGpu,
    shader: &mut GpuLook,
    look: &Look,
    frame: &RgbImage,
    size: usize,
) -> Result<Tensor<GpuDirect, 4>> {
    let tensor = Tensor::<GpuDirect, 4>::empty([1, 1, size, size], &gpu.burn_device());
    let target = TensorBuffer::of(&tensor)?;
    shader.run(
        &gpu.device,
        &gpu.queue,
        look,
        frame,
        size,
        &target.buffer,
        target.offset,
    )?;
    Ok(tensor)
}

/// The wgpu buffer and byte offset holding a tensor's values, contiguous, once Burn has
/// submitted what it still owes: work queued after this sees the values, and nothing Burn
/// queued before can land after it.
pub struct TensorBuffer {
    /// Keeps a contiguous copy alive when the tensor was a strided view.
    _values: Tensor<GpuDirect, 4>,
    pub buffer: wgpu::Buffer,
    pub offset: u64,
}

impl TensorBuffer {
    pub fn of(tensor: &Tensor<GpuDirect, 4>) -> Result<Self> {
        let mut values = tensor.clone();
        if !values.clone().into_primitive().tensor().is_contiguous() {
            values = values.add_scalar(0.0);
        }
        let primitive = values.clone().into_primitive().tensor();
        primitive
            .client
            .flush()
            .map_err(|e| anyhow!("burn-wgpu: {e:?}"))?;
        let resource = primitive
            .client
            .get_resource(primitive.handle.clone())
            .map_err(|e| anyhow!("burn-wgpu: {e:?}"))?;
        let binding = resource.resource();
        Ok(Self {
            buffer: binding.buffer.clone(),
            offset: binding.offset,
            _values: values,
        })
    }
}

/// A tensor's values on the CPU.
pub fn read_floats(tensor: Tensor<GpuDirect, 4>) -> Result<Vec<f32>> {
    tensor
        .into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .map_err(|e| anyhow!("reading the output: {e:?}"))
}
