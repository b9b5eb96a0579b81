//! The pipeline for any nannou 0.20 sketch: feed it frames (a camera's, or shapes the sketch
//! makes), draw what the model makes of them. The `lts live` show is built from the same parts.
//!
//! ```no_run
//! use learning_to_see::live::sketch::Show;
//! use nannou::prelude::*;
//!
//! fn main() {
//!     nannou::app(model).update(update).add_plugin(Show::plugin()).run();
//! }
//! # struct Model { show: Show }
//! # fn model(app: &App) -> Model { todo!() }
//! # fn update(app: &App, model: &mut Model) { model.show.update(app); }
//! ```

use std::path::Path;

use image::RgbImage;
use nannou::prelude::*;

use super::clustering::CpuClusteringPlugin;
use super::composite::{Composite, CompositePlugin};
pub use super::engine::DeviceChoice;
use super::engine::{Engine, Output, Settings, Timings};
use super::gpu_link::{GpuBridge, GpuLink, GpuLinkPlugin, Slot};
use super::source::SourceHandle;
use super::view::{square_side, Fill};
use crate::look::Look;

/// A black RGBA image the renderer can sample and the GPU engine can write into.
pub fn blank(app: &App, width: u32, height: u32) -> Handle<Image> {
    let black = [0, 0, 0, 255].repeat((width * height) as usize);
    rgba_image(app, width, height, black)
}

/// An image from RGBA8 bytes (sRGB, as a camera or a PNG has them).
pub fn rgba_image(app: &App, width: u32, height: u32, rgba: Vec<u8>) -> Handle<Image> {
    let image = Image::new(
        Extent3d {
            width,
            height,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        rgba,
        TextureFormat::Rgba8UnormSrgb,
        bevy::asset::RenderAssetUsages::default(),
    );
    app.asset_server().add(image)
}

/// The images the generator's output and its look are shown from; resized with the model.
pub struct ModelTextures {
    pub output: Handle<Image>,
    pub look: Handle<Image>,
    pub size: u32,
    link: GpuLink,
}

impl ModelTextures {
    pub fn new(app: &App, size: u32) -> Self {
        let textures = Self {
            output: blank(app, size, size),
            look: blank(app, size, size),
            size,
            link: GpuLink::new(&GpuBridge::process()),
        };
        textures.publish();
        textures
    }

    /// The link a GPU engine writes these images through.
    pub fn link(&self) -> GpuLink {
        self.link.clone()
    }

    /// Asks the renderer to hand these images' textures to a GPU engine.
    fn publish(&self) {
        self.link.want(Slot::Output, self.output.id());
        self.link.want(Slot::Look, self.look.id());
    }

    /// Puts an engine output on screen: on the GPU path it is there already (only a change of
    /// size needs new images); on the CPU path its bytes are uploaded. A new image is made with
    /// its pixels: one added this frame cannot be modified until the asset system has it.
    pub fn show(&mut self, app: &App, output: &mut Output, with_look: bool) {
        let size = output.size as u32;
        let output_rgba = std::mem::take(&mut output.output_rgba);
        let look_rgba = std::mem::take(&mut output.look_rgba);
        if self.size != size {
            let image = |rgba: Vec<u8>| match rgba.is_empty() {
                true => blank(app, size, size),
                false => rgba_image(app, size, size, rgba),
            };
            *self = Self {
                output: image(output_rgba),
                look: image(look_rgba),
                size,
                link: self.link.clone(),
            };
            self.publish();
            return;
        }
        if output.on_gpu {
            return;
        }
        app.modify_image(&self.output, move |image| image.data = Some(output_rgba));
        if with_look {
            app.modify_image(&self.look, move |image| image.data = Some(look_rgba));
        }
    }
}

/// What a sketch adds to use a [`Show`]: the bridge to nannou's GPU, the composite shader and
/// light clustering on the CPU (see [`super::clustering`]).
pub struct ShowPlugin;

impl bevy::prelude::Plugin for ShowPlugin {
    fn build(&self, app: &mut bevy::prelude::App) {
        app.add_plugins((
            GpuLinkPlugin(GpuBridge::process()),
            CompositePlugin,
            CpuClusteringPlugin,
        ));
    }
}

/// A model playing on frames the sketch feeds.
pub struct Show {
    engine: Engine,
    input: SourceHandle,
    settings: Settings,
    textures: ModelTextures,
    last: Option<Timings>,
}

impl Show {
    /// Add to the app builder (`.add_plugin(Show::plugin())`): it hands the engine nannou's GPU
    /// and registers the composite shader.
    pub fn plugin() -> ShowPlugin {
        ShowPlugin
    }

    /// Starts the engine with the model in `model_dir` (a directory under `models/`), loading
    /// on a worker thread; until it is loaded the look itself is shown.
    pub fn start(app: &App, model_dir: &Path, look: Look, device: DeviceChoice) -> Self {
        let input = SourceHandle::external("frames from the sketch");
        let settings = Settings {
            look,
            ..Settings::default()
        };
        let textures = ModelTextures::new(app, 256);
        let engine = Engine::start_on(input.clone(), settings, 256, device, textures.link());
        engine.load(model_dir.to_path_buf(), 0.0);
        Self {
            engine,
            input,
            settings,
            textures,
            last: None,
        }
    }

    /// The newest frame wins; nothing queues.
    pub fn feed(&self, frame: RgbImage) {
        self.input.put(frame);
    }

    pub fn settings(&self) -> Settings {
        self.settings
    }

    pub fn set_settings(&mut self, settings: Settings) {
        self.settings = settings;
        self.engine.set_settings(settings);
    }

    /// Call from the sketch's `update`: brings the newest output to the textures.
    pub fn update(&mut self, app: &App) {
        if let Some(mut output) = self.engine.outputs.take() {
            self.textures.show(app, &mut output, true);
            self.last = Some(output.timings);
        }
    }

    pub fn output(&self) -> &Handle<Image> {
        &self.textures.output
    }

    pub fn look(&self) -> &Handle<Image> {
        &self.textures.look
    }

    /// Draws the output filling `rect` (cropped to cover it, or fitted inside) through the
    /// composite shader.
    pub fn draw(&self, draw: &Draw, rect: geom::Rect<f32>, fill: Fill) {
        let side = square_side(rect.w(), rect.h(), fill);
        draw.shader_model(Composite::at_level(1.0))
            .rect()
            .xy(rect.xy())
            .w_h(side, side)
            .texture(&self.textures.output);
    }

    /// Where the generator runs, once decided; the last frame's timings; the last problem.
    pub fn device(&self) -> Option<&str> {
        self.engine.device.get().map(String::as_str)
    }

    pub fn timings(&self) -> Option<Timings> {
        self.last
    }

    pub fn notice(&self) -> Option<String> {
        self.engine.notice()
    }
}
