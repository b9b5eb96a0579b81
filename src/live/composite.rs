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
