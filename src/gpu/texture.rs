//! Planar floats on the GPU (the look, the generator's output) into an RGBA8 texture for
//! display, without leaving the device: a small compute pass packs the pixels, then a copy.

use bytemuck::{Pod, Zeroable};

use super::look::{
    bind_in_order, buffer_entry, compute_pipeline, module_and_layout, storage_window,
};

const SHADER: &str = include_str!("../../shaders/planes_to_rgba.wgsl");

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    size: u32,
    channels: u32,
    in_offset: u32,
    row_words: u32,
}

/// Where the planes are: `channels × size²` f32 values from `offset_bytes` in `buffer`.
pub struct Planes<'a> {
    pub buffer: &'a wgpu::Buffer,
    pub offset_bytes: u64,
    pub channels: u32,
    pub size: u32,
}

/// Packs planes into RGBA8 and copies them into a texture (one or three channels; grey is
/// repeated). The texture must be `size × size`, RGBA8 (sRGB or not) with `COPY_DST`.
pub struct PlanesToTexture {
    layout: wgpu::BindGroupLayout,
    pipeline: wgpu::ComputePipeline,
    params: wgpu::Buffer,
    packed: Option<wgpu::Buffer>,
}

impl PlanesToTexture {
    pub fn new(device: &wgpu::Device) -> Self {
        let (module, layout) = module_and_layout(
            device,
            "lts planes to rgba",
            SHADER,
            &[
                buffer_entry(0, wgpu::BufferBindingType::Uniform),
                buffer_entry(1, wgpu::BufferBindingType::Storage { read_only: true }),
                buffer_entry(2, wgpu::BufferBindingType::Storage { read_only: false }),
            ],
        );
        let pipeline = compute_pipeline(device, &layout, &module, "main");
        Self {
            layout,
            pipeline,
            params: device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("lts planes to rgba params"),
                size: std::mem::size_of::<Params>() as u64,
                usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            }),
            packed: None,
        }
    }

    /// Submits the packing and the copy on `queue`; later submissions see the texture updated.
    pub fn run(
        &mut self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        planes: &Planes,
        texture: &wgpu::Texture,
    ) -> Result<(), String> {
        let size = planes.size;
        if texture.width() != size || texture.height() != size {
            return Err(format!(
                "texture is {}×{}, the planes {size}²",
                texture.width(),
                texture.height()
            ));
        }
        if !(1..=3).contains(&planes.channels) {
            return Err(format!(
                "{} channels (1 to 3 can be shown)",
                planes.channels
            ));
        }
        let floats = (planes.channels * size * size) as u64;
        if !planes.offset_bytes.is_multiple_of(4)
            || planes.offset_bytes + floats * 4 > planes.buffer.size()
        {
            return Err(format!(
                "{floats} floats from byte {} do not fit a buffer of {} bytes",
                planes.offset_bytes,
                planes.buffer.size()
            ));
        }
        let window = storage_window(device, planes.buffer, planes.offset_bytes, floats * 4);
        let row_bytes = (size * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
        let packed_bytes = (row_bytes * size) as u64;
        if self
            .packed
            .as_ref()
            .is_none_or(|b| b.size() != packed_bytes)
        {
            self.packed = Some(device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("lts packed rgba"),
                size: packed_bytes,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            }));
        }
        let packed = self.packed.as_ref().expect("allocated above");
        let params = Params {
            size,
            channels: planes.channels,
            in_offset: window.first_float,
            row_words: row_bytes / 4,
        };
        queue.write_buffer(&self.params, 0, bytemuck::bytes_of(&params));
        let bind_group = bind_in_order(
            device,
            "lts planes to rgba",
            &self.layout,
            vec![
                self.params.as_entire_binding(),
                window.binding,
                packed.as_entire_binding(),
            ],
        );
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("lts planes to rgba"),
        });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("lts planes to rgba"),
                timestamp_writes: None,
            });
            pass.set_bind_group(0, &bind_group, &[]);
            pass.set_pipeline(&self.pipeline);
            pass.dispatch_workgroups(size.div_ceil(8), size.div_ceil(8), 1);
        }
        encoder.copy_buffer_to_texture(
            wgpu::TexelCopyBufferInfo {
                buffer: packed,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(row_bytes),
                    rows_per_image: Some(size),
                },
            },
            texture.as_image_copy(),
            wgpu::Extent3d {
                width: size,
                height: size,
                depth_or_array_layers: 1,
            },
        );
        queue.submit([encoder.finish()]);
        Ok(())
    }
}

/// An RGBA8 (sRGB) texture like those a sketch draws from: the planes can be copied into it and
/// read back.
pub fn display_texture(device: &wgpu::Device, side: u32) -> wgpu::Texture {
    device.create_texture(&wgpu::TextureDescriptor {
        label: Some("lts display"),
        size: wgpu::Extent3d {
            width: side,
            height: side,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: wgpu::TextureFormat::Rgba8UnormSrgb,
        usage: wgpu::TextureUsages::COPY_DST
            | wgpu::TextureUsages::COPY_SRC
            | wgpu::TextureUsages::TEXTURE_BINDING,
        view_formats: &[],
    })
}

/// A texture's RGBA8 pixels back on the CPU (blocking; tests and screenshots).
pub fn read_texture(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    texture: &wgpu::Texture,
) -> Vec<u8> {
    let (width, height) = (texture.width(), texture.height());
    let row_bytes = (width * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT);
    let staging = device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("lts texture readback"),
        size: (row_bytes * height) as u64,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = device.create_command_encoder(&Default::default());
    encoder.copy_texture_to_buffer(
        texture.as_image_copy(),
        wgpu::TexelCopyBufferInfo {
            buffer: &staging,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(row_bytes),
                rows_per_image: Some(height),
            },
        },
        texture.size(),
    );
    queue.submit([encoder.finish()]);
    let slice = staging.slice(..);
    slice.map_async(wgpu::MapMode::Read, |_| {});
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .expect("device lost while reading back");
    let mapped = slice.get_mapped_range();
    let pixels = mapped
        .chunks(row_bytes as usize)
        .flat_map(|row| &row[..(width * 4) as usize])
        .copied()
        .collect();
    drop(mapped);
    staging.unmap();
    pixels
}
