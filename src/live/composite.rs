//! `shaders/composite.wgsl` as a nannou shader model: draws a picture (a texture of the show)
//! over a rectangle, scaled by the master level.

use bevy::asset::{uuid_handle, Asset, AssetEvent, AssetId, Assets, Handle};
use bevy::ecs::message::MessageWriter;
use bevy::prelude::{App, First, Image, Plugin, ResMut, TypePath, Vec4};
use bevy::render::render_resource::AsBindGroup;
use bevy::shader::{Shader, ShaderRef};
use nannou::prelude::render::{DefaultNannouShaderModel, ShaderModel};
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
        app.add_plugins(NannouShaderModelPlugin::<Composite>::default())
            .add_systems(
                First,
                (
                    drop_past_frames_models::<Composite>,
                    drop_past_frames_models::<DefaultNannouShaderModel>,
                ),
            );
    }
}

/// nannou 0.20 stores each frame's shader models (every `draw.shader_model(..)`, and each
/// frame's default model) as new assets under fresh ids and never removes them: a uniform
/// buffer and a bind group a frame, which a show running for days cannot afford. Before this
/// frame draws, those of past frames (already extracted for rendering) are dropped; the render
/// world lets go of its copy only on `Unused`, which assets without handles never send.
fn drop_past_frames_models<M: Asset>(
    mut models: ResMut<Assets<M>>,
    mut events: MessageWriter<AssetEvent<M>>,
) {
    let past: Vec<AssetId<M>> = models
        .ids()
        .filter(|id| matches!(id, AssetId::Uuid { .. }))
        .collect();
    for id in past {
        models.remove(id);
        events.write(AssetEvent::Unused { id });
    }
}
