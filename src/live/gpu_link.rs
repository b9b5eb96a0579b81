//! The bridge between nannou's renderer and the engine: a Bevy plugin that hands the engine the
//! wgpu device nannou renders with, and the wgpu textures behind the images the sketch draws,
//! so that the look and the generator's output are written into them on the GPU.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use bevy::asset::AssetId;
use bevy::image::Image;
use bevy::prelude::*;
use bevy::render::render_asset::RenderAssets;
use bevy::render::renderer::{
    RenderAdapter, RenderAdapterInfo, RenderDevice, RenderInstance, RenderQueue,
};
use bevy::render::texture::GpuImage;
use bevy::render::{Render, RenderApp, RenderSystems};

use crate::look::gpu_tensor::SharedGpu;

/// The images the engine writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    Output,
    Look,
}

#[derive(Default)]
struct LinkState {
    gpu: Option<Arc<SharedGpu>>,
    wanted: HashMap<Slot, AssetId<Image>>,
    textures: HashMap<Slot, (AssetId<Image>, wgpu::Texture)>,
}

/// Shared by the main world, the render world and the engine thread.
#[derive(Clone, Default, Resource)]
pub struct GpuLink(Arc<Mutex<LinkState>>);

impl GpuLink {
    /// The process's link: what a sketch's plugin fills and its engines read.
    pub fn shared() -> Self {
        static SHARED: std::sync::OnceLock<GpuLink> = std::sync::OnceLock::new();
        SHARED.get_or_init(GpuLink::default).clone()
    }

    fn state(&self) -> MutexGuard<'_, LinkState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A link to a device of one's own, with no renderer behind it (tools and tests: the engine
    /// runs on `gpu` and writes into whatever textures are `provide`d).
    pub fn headless(gpu: Arc<SharedGpu>) -> Self {
        let link = Self::default();
        link.state().gpu = Some(gpu);
        link
    }

    /// Hands over a texture directly (what the render world does for the sketch's images).
    pub fn provide(&self, slot: Slot, texture: wgpu::Texture) {
        let mut state = self.state();
        state.wanted.remove(&slot);
        state.textures.insert(slot, (AssetId::invalid(), texture));
    }

    /// nannou's device, once the renderer has started.
    pub fn gpu(&self) -> Option<Arc<SharedGpu>> {
        self.state().gpu.clone()
    }

    /// Asks for the texture behind `image` to be published for `slot`.
    pub fn want(&self, slot: Slot, image: AssetId<Image>) {
        let mut state = self.state();
        state.wanted.insert(slot, image);
        if state
            .textures
            .get(&slot)
            .is_some_and(|(id, _)| *id != image)
        {
            state.textures.remove(&slot);
        }
    }

    /// The texture for `slot`, once the renderer has created it.
    pub fn texture(&self, slot: Slot) -> Option<wgpu::Texture> {
        self.state().textures.get(&slot).map(|(_, t)| t.clone())
    }
}

/// Add to a nannou app (`.add_plugin(GpuLinkPlugin(link.clone()))`) to fill `link`.
pub struct GpuLinkPlugin(pub GpuLink);

impl Plugin for GpuLinkPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.0.clone());
        if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
            render_app
                .insert_resource(self.0.clone())
                .add_systems(Render, publish.in_set(RenderSystems::PrepareResources));
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn publish(
    link: Res<GpuLink>,
    device: Option<Res<RenderDevice>>,
    queue: Option<Res<RenderQueue>>,
    adapter: Option<Res<RenderAdapter>>,
    instance: Option<Res<RenderInstance>>,
    info: Option<Res<RenderAdapterInfo>>,
    images: Option<Res<RenderAssets<GpuImage>>>,
) {
    let mut state = link.state();
    if state.gpu.is_none() {
        if let (Some(device), Some(queue), Some(adapter), Some(instance), Some(info)) =
            (device, queue, adapter, instance, info)
        {
            state.gpu = Some(Arc::new(SharedGpu::from_parts(
                (**instance.0).clone(),
                (**adapter.0).clone(),
                device.wgpu_device().clone(),
                (**queue.0).clone(),
                (*info.0).clone(),
            )));
        }
    }
    let Some(images) = images else { return };
    let LinkState {
        wanted, textures, ..
    } = &mut *state;
    for (slot, id) in wanted.iter() {
        let published = textures.get(slot).is_some_and(|(have, _)| have == id);
        if !published {
            if let Some(image) = images.get(*id) {
                let texture: &wgpu::Texture = &image.texture;
                textures.insert(*slot, (*id, texture.clone()));
            }
        }
    }
}
