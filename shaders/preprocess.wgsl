// The look on the GPU. Same definition as src/look/cpu.rs (the test suite holds them equal):
// square crop → area (shrink) or cubic (enlarge) to `size` in Rec. 601 grey → flips →
// area downscale to `low` → cubic upscale to `size` → invert, contrast, brightness, clamp → [-1, 1].

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
    _pad1: f32,
    _pad2: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
// The frame's RGB bytes, four to a word.
@group(0) @binding(1) var<storage, read> frame: array<u32>;
@group(0) @binding(2) var<storage, read_write> framed: array<f32>;
@group(0) @binding(3) var<storage, read_write> small: array<f32>;
// The generator's input tensor (or any f32 buffer); written from `out_offset` on.
@group(0) @binding(4) var<storage, read_write> look_out: array<f32>;

fn byte_at(i: u32) -> f32 {
    return f32((frame[i / 4u] >> ((i % 4u) * 8u)) & 255u);
}

fn grey(x: u32, y: u32) -> f32 {
    let i = ((p.crop_y + y) * p.frame_w + p.crop_x + x) * 3u;
    return (0.299 * byte_at(i) + 0.587 * byte_at(i + 1u) + 0.114 * byte_at(i + 2u)) / 255.0;
}

// Keys cubic, a = -0.75, as OpenCV's INTER_CUBIC.
fn cubic_weights(t: f32) -> vec4<f32> {
    let a = -0.75;
    let w0 = ((a * (t + 1.0) - 5.0 * a) * (t + 1.0) + 8.0 * a) * (t + 1.0) - 4.0 * a;
    let w1 = ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0;
    let u = 1.0 - t;
    let w2 = ((a + 2.0) * u - (a + 3.0)) * u * u + 1.0;
    return vec4<f32>(w0, w1, w2, 1.0 - w0 - w1 - w2);
}

// Source span [start, end) of output sample `d` when shrinking `src` samples to `dst`.
fn area_span(d: u32, src: u32, dst: u32) -> vec2<f32> {
    let scale = f32(src) / f32(dst);
    let start = f32(d) * scale;
    return vec2<f32>(start, min(start + scale, f32(src)));
}

fn overlap(span: vec2<f32>, s: u32) -> f32 {
    return max(min(span.y, f32(s) + 1.0) - max(span.x, f32(s)), 0.0);
}

@compute @workgroup_size(8, 8)
fn frame_to_size(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x >= p.size || id.y >= p.size) {
        return;
    }
    let side = p.crop_side;
    var value = 0.0;
    if (side >= p.size) {
        let sx = area_span(id.x, side, p.size);
        let sy = area_span(id.y, side, p.size);
        var acc = 0.0;
        for (var y = u32(floor(sy.x)); f32(y) < sy.y && y < side; y++) {
            let wy = overlap(sy, y);
            if (wy <= 1e-3) {
                continue;
            }
            for (var x = u32(floor(sx.x)); f32(x) < sx.y && x < side; x++) {
                let wx = overlap(sx, x);
                if (wx > 1e-3) {
                    acc += wy * wx * grey(x, y);
                }
            }
        }
        value = acc / ((sx.y - sx.x) * (sy.y - sy.x));
    } else {
        let scale = f32(side) / f32(p.size);
        let fx = (f32(id.x) + 0.5) * scale - 0.5;
        let fy = (f32(id.y) + 0.5) * scale - 0.5;
        let bx = floor(fx);
        let by = floor(fy);
        let wx = cubic_weights(fx - bx);
        let wy = cubic_weights(fy - by);
        let last = i32(side) - 1;
        for (var j = 0; j < 4; j++) {
            let y = u32(clamp(i32(by) - 1 + j, 0, last));
            var row = 0.0;
            for (var i = 0; i < 4; i++) {
                let x = u32(clamp(i32(bx) - 1 + i, 0, last));
                row += wx[i] * grey(x, y);
            }
            value += wy[j] * row;
        }
    }
    var ox = id.x;
    var oy = id.y;
    if (p.flip_h == 1u) {
        ox = p.size - 1u - id.x;
    }
    if (p.flip_v == 1u) {
        oy = p.size - 1u - id.y;
    }
    framed[oy * p.size + ox] = value;
}

@compute @workgroup_size(8, 8)
fn shrink(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x >= p.low || id.y >= p.low) {
        return;
    }
    let sx = area_span(id.x, p.size, p.low);
    let sy = area_span(id.y, p.size, p.low);
    var acc = 0.0;
    for (var y = u32(floor(sy.x)); f32(y) < sy.y && y < p.size; y++) {
        let wy = overlap(sy, y);
        if (wy <= 1e-3) {
            continue;
        }
        for (var x = u32(floor(sx.x)); f32(x) < sx.y && x < p.size; x++) {
            let wx = overlap(sx, x);
            if (wx > 1e-3) {
                acc += wy * wx * framed[y * p.size + x];
            }
        }
    }
    small[id.y * p.low + id.x] = acc / ((sx.y - sx.x) * (sy.y - sy.x));
}

@compute @workgroup_size(8, 8)
fn finish(@builtin(global_invocation_id) id: vec3<u32>) {
    if (id.x >= p.size || id.y >= p.size) {
        return;
    }
    var g = 0.0;
    if (p.low < p.size) {
        let scale = f32(p.low) / f32(p.size);
        let fx = (f32(id.x) + 0.5) * scale - 0.5;
        let fy = (f32(id.y) + 0.5) * scale - 0.5;
        let bx = floor(fx);
        let by = floor(fy);
        let wx = cubic_weights(fx - bx);
        let wy = cubic_weights(fy - by);
        let last = i32(p.low) - 1;
        for (var j = 0; j < 4; j++) {
            let y = u32(clamp(i32(by) - 1 + j, 0, last));
            var row = 0.0;
            for (var i = 0; i < 4; i++) {
                let x = u32(clamp(i32(bx) - 1 + i, 0, last));
                row += wx[i] * small[y * p.low + x];
            }
            g += wy[j] * row;
        }
    } else {
        g = framed[id.y * p.size + id.x];
    }
    if (p.invert == 1u) {
        g = 1.0 - g;
    }
    g = clamp((g - 0.5) * p.contrast + 0.5 + p.brightness, 0.0, 1.0);
    look_out[p.out_offset + id.y * p.size + id.x] = g * 2.0 - 1.0;
}
