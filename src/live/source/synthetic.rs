//! A scene that needs no files: objects drifting on a tabletop under slowly changing light,
//! like the installation's camera looking down at cloth, keys and cables.

use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};

use super::SourceHandle;

pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 360;
const FPS: f32 = 30.0;

/// The scene at `t` seconds; deterministic, so renders and tests can ask for exact frames.
pub fn frame(t: f32) -> RgbImage {
    let light = 0.75 + 0.25 * (t * 0.35).sin();
    let (lx, ly) = (0.5 + 0.3 * (t * 0.21).cos(), 0.4 + 0.2 * (t * 0.17).sin());
    // Objects: centre, radius (in frame heights), shade, squareness.
    let objects: Vec<(f32, f32, f32, f32, bool)> = (0..6)
        .map(|i| {
            let i = i as f32;
            let x = 0.5 + 0.35 * (t * (0.11 + 0.03 * i) + i * 1.7).sin();
            let y = 0.5 + 0.3 * (t * (0.13 + 0.02 * i) + i * 2.3).cos();
            (
                x * 16.0 / 9.0,
                y,
                0.07 + 0.025 * (i % 3.0),
                0.25 + 0.12 * i,
                (i as u32).is_multiple_of(2),
            )
        })
        .collect();
    RgbImage::from_fn(WIDTH, HEIGHT, |px, py| {
        let (u, v) = (px as f32 / HEIGHT as f32, py as f32 / HEIGHT as f32);
        // Wood-ish table: stripes and a soft light pool.
        let grain = 0.5 + 0.08 * ((u * 40.0 + (v * 3.0).sin() * 2.0).sin());
        let pool = (-((u / (16.0 / 9.0) - lx).powi(2) + (v - ly).powi(2)) * 4.0).exp();
        let mut shade = grain * (0.45 + 0.55 * pool);
        for &(cx, cy, r, tone, square) in &objects {
            let (dx, dy) = (u - cx, v - cy);
            let d = if square {
                dx.abs().max(dy.abs())
            } else {
                (dx * dx + dy * dy).sqrt()
            };
            // Shadow offset from the light, then the object itself with a highlight.
            let (sx, sy) = (dx - 0.02, dy - 0.03);
            let sd = if square {
                sx.abs().max(sy.abs())
            } else {
                (sx * sx + sy * sy).sqrt()
            };
            if sd < r {
                shade *= 0.7;
            }
            if d < r {
                shade = tone + 0.35 * (1.0 - d / r).powi(2);
            }
        }
        let g = (shade * light).clamp(0.0, 1.0);
        Rgb([(g * 255.0) as u8, (g * 235.0) as u8, (g * 210.0) as u8])
    })
}

pub fn run(handle: &SourceHandle) {
    handle.set_status("synthetic scene");
    run_with_status(handle);
}

/// Runs the scene without touching the status (a fallback keeps its own explanation).
pub fn run_with_status(handle: &SourceHandle) {
    let start = Instant::now();
    while !handle.stopped() {
        let t = start.elapsed().as_secs_f32();
        handle.put(frame(t));
        std::thread::sleep(Duration::from_secs_f32(1.0 / FPS));
    }
}
