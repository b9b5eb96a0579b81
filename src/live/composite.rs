//! `shaders/composite.wgsl` as a nannou shader model: draws a picture (a texture of the show)
//! over a rectangle, scaled by the master level.

use bevy::asset::{uuid_handle, Asset, Assets, Handle};
use bevy::prelude::{App, Image, Plugin, TypePath, Vec4};
use bevy::render::render_resource::AsBindGroup;
use bevy::shader::{Shader, ShaderRef};
use nannou::prelude::render::ShaderModel;
use nannou::prelude::NannouShaderModelPlugin;

const SHADER: Handle<Shader> = uuid_handle!("5d6f0a52-8a3e-4d0b-9a57-3c1e2f64b7a1");

#[derive(Asset, TypePath, AsBindGroup, Debug, Clone, Default)]
pub struct Composite {
    /// x: master level, 0 (black) to 1.
    #[uniform(0)]
    pub level: Vec4,
    #[texture(1)]
    #[sampler(2)]
    pub picture: Handle<Image>,
}

impl Composite {
    pub fn at_level(level: f32) -> Self {
        Self {
            level: Vec4::new(level, 0.0, 0.0, 0.0),
            ..Self::default()
        }
    }
}

impl ShaderModel for Composite {
    fn fragment_shader() -> ShaderRef {
        ShaderRef::Handle(SHADER)
    }

    fn set_texture(&mut self, texture: Handle<Image>) {
        self.picture = texture;
    }
}

/// How long blackout takes to fade out, and the picture to fade back in.
pub const BLACKOUT_FADE_SECONDS: f32 = 0.25;

/// The master level `dt` seconds on: linearly towards 0 in blackout, else towards 1.
pub fn fade_level(level: f32, blackout: bool, dt: f32) -> f32 {
    let step = dt.max(0.0) / BLACKOUT_FADE_SECONDS;
    if blackout {
        (level - step).max(0.0)
    } else {
        (level + step).min(1.0)
    }
}

/// Registers the shader (compiled into the binary, so no asset folder is needed) and the model.
pub struct CompositePlugin;

impl Plugin for CompositePlugin {
    fn build(&self, app: &mut App) {
        if let Some(mut shaders) = app.world_mut().get_resource_mut::<Assets<Shader>>() {
            let source = include_str!("../../shaders/composite.wgsl");
            let _ = shaders.insert(
                SHADER.id(),
                Shader::from_wgsl(source, "shaders/composite.wgsl"),
            );
        }
        app.add_plugins(NannouShaderModelPlugin::<Composite>::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blackout_fades_out_and_back_in_within_the_fade_time() {
        let frame = 1.0 / 60.0;
        let mut level = 1.0;
        let mut frames = 0;
        while level > 0.0 {
            level = fade_level(level, true, frame);
            frames += 1;
            assert!(frames < 100, "never reached black");
        }
        let seconds = frames as f32 * frame;
        assert!(
            (0.2..=0.3).contains(&seconds),
            "faded out in {seconds} s, not a cut and not a slow dissolve"
        );
        let halfway = fade_level(0.0, false, BLACKOUT_FADE_SECONDS / 2.0);
        assert!((halfway - 0.5).abs() < 1e-6, "{halfway}");
        assert_eq!(fade_level(0.9, false, 1.0), 1.0);
        assert_eq!(
            fade_level(0.5, true, -1.0),
            0.5,
            "time never runs backwards"
        );
    }
}
