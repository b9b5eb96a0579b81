// The last step before the window: the picture (the generator's output, or the look) sampled
// over the rectangle nannou draws, scaled by the master level, so that blackout fades instead
// of cutting. Bound as a nannou shader model (src/live/composite.rs).

#import bevy_pbr::forward_io::VertexOutput

struct Composite {
    // x: master level, 0 (black) to 1; yzw unused.
    level: vec4<f32>,
};

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> composite: Composite;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var picture: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(2) var picture_sampler: sampler;

@fragment
fn fragment(mesh: VertexOutput) -> @location(0) vec4<f32> {
    let colour = textureSample(picture, picture_sampler, mesh.uv);
    return vec4<f32>(colour.rgb * clamp(composite.level.x, 0.0, 1.0), 1.0);
}
