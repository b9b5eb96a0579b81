//! The look on any wgpu device (`shaders/preprocess.wgsl`): it writes straight into an f32
//! buffer, typically the generator's input tensor.

use bytemuck::{Pod, Zeroable};
use image::RgbImage;
use wgpu::util::DeviceExt;

use super::timer::GpuTimer;
use crate::look::{Look, LookError};

const SHADER: &str = include_str!("../../shaders/preprocess.wgsl");

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    frame_w: u32,
    frame_h: u32,
    crop_x: u32,
    crop_y: u32,
    crop_side: u32,
    size: u32,
    low: u32,
    out_offset: u32,
    flip_h: u32,
    flip_v: u32,
    invert: u32,
    _pad0: u32,
    brightness: f32,
    contrast: f32,
    _pad1: [f32; 2],
}

/// Compute pipelines and scratch buffers for one device. Buffers grow as frames do.
pub struct GpuLook {
    layout: wgpu::BindGroupLayout,
    frame_to_size: wgpu::ComputePipeline,
    shrink: wgpu::ComputePipeline,
    finish: wgpu::ComputePipeline,
    params: wgpu::Buffer,
    frame: Option<wgpu::Buffer>,
    scratch: Option<(usize, wgpu::Buffer, wgpu::Buffer)>,
    timer: Option<GpuTimer>,
}

/// A buffer binding of a compute shader.
pub(crate) fn buffer_entry(
    binding: u32,
    ty: wgpu::BufferBindingType,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    buffer_entry(binding, wgpu::BufferBindingType::Storage { read_only })
}

/// `len` bytes of `buffer` from `offset` (a multiple of 4) as a storage binding that starts at
/// an offset the device accepts, and the f32 index of `offset` within that binding. Burn's
/// tensors live at arbitrary offsets in pooled buffers larger than one binding may be.
pub(crate) struct BufferWindow<'a> {
    pub binding: wgpu::BindingResource<'a>,
    pub first_float: u32,
}

pub(crate) fn storage_window<'a>(
    device: &wgpu::Device,
    buffer: &'a wgpu::Buffer,
    offset: u64,
    len: u64,
) -> BufferWindow<'a> {
    let alignment = device.limits().min_storage_buffer_offset_alignment as u64;
    let start = offset / alignment * alignment;
    BufferWindow {
        binding: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
            buffer,
            offset: start,
            size: std::num::NonZeroU64::new(offset - start + len),
        }),
        first_float: ((offset - start) / 4) as u32,
    }
}

/// A bind group whose entries are `resources` in binding order 0, 1, 2…
pub(crate) fn bind_in_order(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::BindGroupLayout,
    resources: Vec<wgpu::BindingResource>,
) -> wgpu::BindGroup {
    let entries: Vec<wgpu::BindGroupEntry> = resources
        .into_iter()
        .enumerate()
        .map(|(binding, resource)| wgpu::BindGroupEntry {
            binding: binding as u32,
            resource,
        })
        .collect();
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout,
        entries: &entries,
    })
}

/// A WGSL module and the layout of its one bind group.
pub(crate) fn module_and_layout(
    device: &wgpu::Device,
    label: &str,
    source: &str,
    entries: &[wgpu::BindGroupLayoutEntry],
) -> (wgpu::ShaderModule, wgpu::BindGroupLayout) {
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(label),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    });
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries,
    });
    (module, layout)
}

/// A compute pipeline for `entry` in `module`, with one bind group of `layout`.
pub(crate) fn compute_pipeline(
    device: &wgpu::Device,
    layout: &wgpu::BindGroupLayout,
    module: &wgpu::ShaderModule,
    entry: &str,
) -> wgpu::ComputePipeline {
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(entry),
        bind_group_layouts: &[Some(layout)],
        immediate_size: 0,
    });
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(entry),
        layout: Some(&pipeline_layout),
        module,
        entry_point: Some(entry),
        compilation_options: Default::default(),
        cache: None,
    })
}

impl GpuLook {
    pub fn new(device: &wgpu::Device) -> Self {
        let (module, layout) = module_and_layout(
            device,
            "lts preprocess",
            SHADER,
            &[
                buffer_entry(0, wgpu::BufferBindingType::Uniform),
                storage_entry(1, true),
                storage_entry(2, false),
                storage_entry(3, false),
                storage_entry(4, false),
            ],
        );
        let pipeline = |entry: &str| compute_pipeline(device, &layout, &module, entry);
        Self {
            frame_to_size: pipeline("frame_to_size"),
            shrink: pipeline("shrink"),
            finish: pipeline("finish"),
            params: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("lts look params"),
                size: std::mem::size_of::<Params>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            layout,
            frame: None,
            scratch: None,
            timer: None,
        }
    }

    /// Times every pass from now on with GPU timestamps; false where the device cannot.
    pub fn enable_timing(&mut self, device: &wgpu::Device, queue: &wgpu::Queue) -> bool {
        self.timer = GpuTimer::new(device, queue);
        self.timer.is_some()
    }

    /// GPU milliseconds of the last pass (after `enable_timing`; waits for the GPU).
    pub fn last_gpu_ms(&self, device: &wgpu::Device) -> Option<f64> {
        self.timer.as_ref()?.read_ms(device)
    }

    /// Uploads `frame` and writes its look (`size²` floats in [-1, 1]) into `output`, starting
    /// at `offset_bytes`. The work is submitted on `queue`; later submissions see the result.
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        look: &Look,
        frame: &RgbImage,
        size: usize,
        output: &wgpu::Buffer,
        offset_bytes: u64,
    ) -> Result<(), LookError> {
        look.validate()?;
        let (width, height) = frame.dimensions();
        if width == 0 || height == 0 {
            return Err(LookError::EmptyImage(width, height));
        }
        if size < 2 {
            return Err(LookError::Size(size));
        }
        let (crop_x, crop_y, crop_side) = look.crop(width, height);
        if !offset_bytes.is_multiple_of(4)
            || offset_bytes + (size * size * 4) as u64 > output.size()
        {
            return Err(LookError::Output(offset_bytes, output.size()));
        }
        let window = storage_window(device, output, offset_bytes, (size * size * 4) as u64);
        let params = Params {
            frame_w: width,
            frame_h: height,
            crop_x,
            crop_y,
            crop_side,
            size: size as u32,
            low: look.low_size(size) as u32,
            out_offset: window.first_float,
            flip_h: look.flip_h as u32,
            flip_v: look.flip_v as u32,
            invert: look.invert as u32,
            _pad0: 0,
            brightness: look.brightness,
            contrast: look.contrast,
            _pad1: [0.0; 2],
        };
        queue.write_buffer(&self.params, 0, bytemuck::bytes_of(&params));

        let bytes = frame.as_raw();
        let padded_len = bytes.len().div_ceil(4) * 4;
        if self
            .frame
            .as_ref()
            .is_none_or(|b| b.size() < padded_len as u64)
        {
            self.frame = Some(device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("lts frame"),
                size: padded_len as u64,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }));
        }
        let frame_buffer = self.frame.as_ref().expect("allocated above");
        let whole = bytes.len() / 4 * 4;
        queue.write_buffer(frame_buffer, 0, &bytes[..whole]);
        if whole < bytes.len() {
            let mut tail = [0u8; 4];
            tail[..bytes.len() - whole].copy_from_slice(&bytes[whole..]);
            queue.write_buffer(frame_buffer, whole as u64, &tail);
        }
        if self.scratch.as_ref().is_none_or(|(s, _, _)| *s != size) {
            let make = |label| {
                device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some(label),
                    size: (size * size * 4) as u64,
                    usage: wgpu::BufferUsages::STORAGE,
                    mapped_at_creation: false,
                })
            };
            self.scratch = Some((size, make("lts framed"), make("lts small")));
        }
        let (_, framed, small) = self.scratch.as_ref().expect("allocated above");
        let bind_group = bind_in_order(
            device,
            "lts preprocess",
            &self.layout,
            vec![
                self.params.as_entire_binding(),
                frame_buffer.as_entire_binding(),
                framed.as_entire_binding(),
                small.as_entire_binding(),
                window.binding,
            ],
        );
        let groups = |n: u32| n.div_ceil(8);
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("lts preprocess"),
        });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("lts preprocess"),
                timestamp_writes: self.timer.as_ref().map(GpuTimer::pass_writes),
            });
            pass.set_bind_group(0, &bind_group, &[]);
            pass.set_pipeline(&self.frame_to_size);
            pass.dispatch_workgroups(groups(params.size), groups(params.size), 1);
            if params.low < params.size {
                pass.set_pipeline(&self.shrink);
                pass.dispatch_workgroups(groups(params.low), groups(params.low), 1);
            }
            pass.set_pipeline(&self.finish);
            pass.dispatch_workgroups(groups(params.size), groups(params.size), 1);
        }
        if let Some(timer) = &self.timer {
            timer.resolve(&mut encoder);
        }
        queue.submit([encoder.finish()]);
        Ok(())
    }
}

/// A device of its own, for tools and tests (prefers a real GPU; lavapipe otherwise).
pub fn headless_device() -> Option<(wgpu::Device, wgpu::Queue, wgpu::AdapterInfo)> {
    let gpu = super::tensor::SharedGpu::new()?;
    Some((gpu.device, gpu.queue, gpu.info))
}

/// A storage buffer the look can write into and that can be read back.
pub fn output_buffer(device: &wgpu::Device, floats: usize) -> wgpu::Buffer {
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("lts look output"),
        contents: &vec![0u8; floats * 4],
        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
    })
}

/// Copies `floats` values from `buffer` back to the CPU (blocking).
pub fn read_back(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    buffer: &wgpu::Buffer,
    floats: usize,
) -> Vec<f32> {
    let size = (floats * 4) as u64;
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("lts readback"),
        size,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(buffer, 0, &staging, 0, size);
    queue.submit([encoder.finish()]);
    let slice = staging.slice(..);
    slice.map_async(wgpu::MapMode::Read, |_| {});
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .expect("device lost while reading back");
    let values = bytemuck::cast_slice(&slice.get_mapped_range()).to_vec();
    staging.unmap();
    values
}
