//! A camera through nokhwa. nokhwa reports no unplug event, so "lost" means errors or no frame
//! for a while; then the synthetic scene stands in and the camera is reopened on a timer.

use std::time::{Duration, Instant};

use image::RgbImage;
use nokhwa::pixel_format::RgbFormat;
use nokhwa::utils::{CameraIndex, RequestedFormat, RequestedFormatType};
use nokhwa::Camera;

use super::SourceHandle;

const RETRY: Duration = Duration::from_secs(3);
const MAX_ERRORS: u32 = 10;

pub fn run(index: u32, handle: &SourceHandle) {
    let mut reason = String::new();
    while !handle.stopped() {
        match open(index) {
            Ok(camera) => {
                handle.set_status(format!("camera {index}"));
                reason = stream(camera, handle);
            }
            Err(error) => {
                if reason.is_empty() {
                    reason = format!("no camera {index} ({error})");
                }
            }
        }
        if handle.stopped() {
            return;
        }
        handle.set_status(format!("{reason}: synthetic scene, retrying"));
        let until = Instant::now() + RETRY;
        let start = Instant::now();
        while Instant::now() < until && !handle.stopped() {
            handle.put(super::synthetic::frame(start.elapsed().as_secs_f32()));
            std::thread::sleep(Duration::from_millis(33));
        }
    }
}

fn open(index: u32) -> Result<Camera, nokhwa::NokhwaError> {
    let format = RequestedFormat::new::<RgbFormat>(RequestedFormatType::AbsoluteHighestFrameRate);
    let mut camera = Camera::new(CameraIndex::Index(index), format)?;
    camera.open_stream()?;
    Ok(camera)
}

/// Streams until the camera fails; returns why.
fn stream(mut camera: Camera, handle: &SourceHandle) -> String {
    let mut errors = 0;
    while !handle.stopped() {
        let decoded = camera
            .frame()
            .and_then(|frame| frame.decode_image::<RgbFormat>());
        match decoded {
            Ok(image) => {
                errors = 0;
                let (width, height) = (image.width(), image.height());
                if let Some(frame) = RgbImage::from_raw(width, height, image.into_raw()) {
                    handle.put(frame);
                }
            }
            Err(error) => {
                errors += 1;
                if errors >= MAX_ERRORS {
                    let _ = camera.stop_stream();
                    return format!("camera lost ({error})");
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    let _ = camera.stop_stream();
    String::new()
}
