//! The bridge between nannou's renderer and the engine: a Bevy plugin that hands the engine the
//! wgpu device nannou renders with, and the wgpu textures behind the images the sketch draws,
//! so that the look and the generator's output are written into them on the GPU.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use bevy::asset::AssetId;
use bevy::image::Image;
use bevy::prelude::*;
use bevy::render::render_asset::RenderAssets;
use bevy::render::renderer::{
    RenderAdapter, RenderAdapterInfo, RenderDevice, RenderInstance, RenderQueue,
};
use bevy::render::texture::GpuImage;
use bevy::render::{Render, RenderApp, RenderSystems};

use crate::gpu::tensor::SharedGpu;

/// The images the engine writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Slot {
    Output,
    Look,
}

/// One engine's images and the textures behind them.
#[derive(Default)]
struct Targets {
    wanted: HashMap<Slot, AssetId<Image>>,
    textures: HashMap<Slot, (AssetId<Image>, wgpu::Texture)>,
}

#[derive(Default)]
struct BridgeState {
    gpu: Option<Arc<SharedGpu>>,
    links: Vec<Weak<Mutex<Targets>>>,
}

/// The renderer's side, shared by the main world, the render world and every link: nannou's
/// device once the renderer has started, and the images each link wants.
#[derive(Clone, Default, Resource)]
pub struct GpuBridge(Arc<Mutex<BridgeState>>);

impl GpuBridge {
    /// The bridge a sketch's plugin fills. One per process: nannou hands a sketch's `model` an
    /// `App` with no access to resources, so this is how a `Show` finds the renderer.
    pub fn process() -> Self {
        static PROCESS: std::sync::OnceLock<GpuBridge> = std::sync::OnceLock::new();
        PROCESS.get_or_init(GpuBridge::default).clone()
    }

    /// A device of one's own, with no renderer behind it (tools and tests: engines run on
    /// `gpu` and write into whatever textures their links are `provide`d).
    pub fn headless(gpu: Arc<SharedGpu>) -> Self {
        let bridge = Self::default();
        bridge.state().gpu = Some(gpu);
        bridge
    }

    fn state(&self) -> MutexGuard<'_, BridgeState> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One engine's link to the renderer: its device, and the textures of its own images (two
/// shows in one sketch each get their own). The default links to no renderer (a CPU engine's).
#[derive(Clone, Default)]
pub struct GpuLink {
    bridge: GpuBridge,
    targets: Arc<Mutex<Targets>>,
}

impl GpuLink {
    pub fn new(bridge: &GpuBridge) -> Self {
        let targets = Arc::new(Mutex::new(Targets::default()));
        let mut state = bridge.state();
        state.links.retain(|link| link.strong_count() > 0);
        state.links.push(Arc::downgrade(&targets));
        Self {
            bridge: bridge.clone(),
            targets,
        }
    }

    /// A link on a device of one's own (see [`GpuBridge::headless`]).
    pub fn headless(gpu: Arc<SharedGpu>) -> Self {
        Self::new(&GpuBridge::headless(gpu))
    }

    fn targets(&self) -> MutexGuard<'_, Targets> {
        lock(&self.targets)
    }

    /// Hands over a texture directly (what the render world does for the sketch's images).
    pub fn provide(&self, slot: Slot, texture: wgpu::Texture) {
        let mut targets = self.targets();
        targets.wanted.remove(&slot);
        targets.textures.insert(slot, (AssetId::invalid(), texture));
    }

    /// nannou's device, once the renderer has started.
    pub fn gpu(&self) -> Option<Arc<SharedGpu>> {
        self.bridge.state().gpu.clone()
    }

    /// Asks for the texture behind `image` to be published for `slot`.
    pub fn want(&self, slot: Slot, image: AssetId<Image>) {
        let mut targets = self.targets();
        targets.wanted.insert(slot, image);
        if targets
            .textures
            .get(&slot)
            .is_some_and(|(id, _)| *id != image)
        {
            targets.textures.remove(&slot);
        }
    }

    /// The texture for `slot`, once the renderer has created it.
    pub fn texture(&self, slot: Slot) -> Option<wgpu::Texture> {
        self.targets().textures.get(&slot).map(|(_, t)| t.clone())
    }
}

fn lock(targets: &Mutex<Targets>) -> MutexGuard<'_, Targets> {
    targets.lock().unwrap_or_else(|e| e.into_inner())
}

/// Add to a nannou app (`.add_plugin(GpuLinkPlugin(GpuBridge::process()))`) to fill the
/// bridge and its links.
pub struct GpuLinkPlugin(pub GpuBridge);

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
    bridge: Res<GpuBridge>,
    device: Option<Res<RenderDevice>>,
    queue: Option<Res<RenderQueue>>,
    adapter: Option<Res<RenderAdapter>>,
    instance: Option<Res<RenderInstance>>,
    info: Option<Res<RenderAdapterInfo>>,
    images: Option<Res<RenderAssets<GpuImage>>>,
) {
    let mut state = bridge.state();
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
    state.links.retain(|link| link.strong_count() > 0);
    for link in state.links.iter().filter_map(Weak::upgrade) {
        let mut targets = lock(&link);
        let Targets { wanted, textures } = &mut *targets;
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
}
