//! A sketch that draws its own shapes and lets a model re-imagine them, instead of a camera.
//!
//!     cargo run --release --example shapes -- [MODEL_DIR]      (default models/fire)
//!
//! The shapes are drawn into an image on the CPU each frame and fed to the show; the model's
//! output fills the window, with the look it was given in the corner.

use std::path::PathBuf;

use image::{Rgb, RgbImage};
use learning_to_see::live::sketch::{DeviceChoice, Show};
use learning_to_see::live::view::Fill;
use learning_to_see::look::Look;
use nannou::prelude::*;

struct Model {
    show: Show,
}

fn main() {
    nannou::app(model)
        .update(update)
        .add_plugin(Show::plugin())
        .run();
}

fn model(app: &App) -> Model {
    app.new_window::<Model>()
        .title("learning-to-see: shapes")
        .size(768, 768)
        .view(view)
        .build();
    let dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("models/fire"), PathBuf::from);
    let look = Look {
        downscale: 12.0,
        ..Look::default()
    };
    Model {
        show: Show::start(app, &dir, look, DeviceChoice::Auto),
    }
}

/// Bright discs and bars drifting over a dark ground.
fn shapes(t: f32) -> RgbImage {
    let (width, height) = (320u32, 320u32);
    let mut image = RgbImage::from_pixel(width, height, Rgb([12, 12, 16]));
    for i in 0..5 {
        let phase = t * (0.3 + 0.11 * i as f32) + i as f32 * 1.3;
        let cx = width as f32 * (0.5 + 0.35 * phase.sin());
        let cy = height as f32 * (0.5 + 0.35 * (phase * 1.7).cos());
        let radius = 18.0 + 14.0 * (i as f32 * 0.9 + t).sin().abs();
        let shade = 140 + 20 * i as u8;
        for y in 0..height {
            for x in 0..width {
                let (dx, dy) = (x as f32 - cx, y as f32 - cy);
                let disc = dx * dx + dy * dy < radius * radius;
                let bar = i % 2 == 0 && dx.abs() < radius * 2.0 && dy.abs() < radius * 0.25;
                if disc || bar {
                    image.put_pixel(x, y, Rgb([shade, shade, shade]));
                }
            }
        }
    }
    image
}

fn update(app: &App, model: &mut Model) {
    model.show.feed(shapes(app.time()));
    model.show.update(app);
}

fn view(app: &App, model: &Model) {
    let draw = app.draw();
    draw.background().color(BLACK);
    let window = app.window_rect();
    model.show.draw(&draw, window, Fill::Fit);
    let inset = window.w().min(window.h()) * 0.2;
    draw.rect()
        .x_y(window.left() + inset * 0.6, window.bottom() + inset * 0.6)
        .w_h(inset, inset)
        .texture(model.show.look());
    if let Some(notice) = model.show.notice() {
        draw.text(&notice).xy(window.xy()).color(WHITE);
    }
}
