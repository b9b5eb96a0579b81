// Planar floats in [-1, 1] (the look: one plane; the generator's output: three) → RGBA8 rows,
// packed four bytes to a word, ready for copy_buffer_to_texture. Same rounding as
// src/live/view.rs::planes_to_rgba, which the tests hold it to.

struct Params {
    size: u32,
    channels: u32,
    // Offset of the first plane in `planes`, in floats.
    in_offset: u32,
    // Words per output row (rows are padded to 256 bytes for the copy).
    row_words: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> planes: array<f32>;
@group(0) @binding(2) var<storage, read_write> rgba: array<u32>;

fn byte_of(v: f32) -> u32 {
    return u32((clamp(v, -1.0, 1.0) + 1.0) * 127.5 + 0.5);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x >= p.size || id.y >= p.size) {
        return;
    }
    let area = p.size * p.size;
    let i = p.in_offset + id.y * p.size + id.x;
    let last = p.channels - 1u;
    let r = byte_of(planes[i]);
    let g = byte_of(planes[i + min(1u, last) * area]);
    let b = byte_of(planes[i + min(2u, last) * area]);
    rgba[id.y * p.row_words + id.x] = r | (g << 8u) | (b << 16u) | (255u << 24u);
}
