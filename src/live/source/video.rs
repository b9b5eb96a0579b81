//! A video file, looped, decoded by an `ffmpeg` child process into raw RGB frames.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use image::RgbImage;

use super::SourceHandle;

const WIDTH: u32 = 640;
const HEIGHT: u32 = 360;

pub fn run(path: &Path, handle: &SourceHandle) {
    while !handle.stopped() {
        let reason = play(path, handle);
        if handle.stopped() {
            return;
        }
        handle.set_status(format!(
            "video {}: {reason}; synthetic scene, retrying",
            path.display()
        ));
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_secs(3) && !handle.stopped() {
            handle.put(super::synthetic::frame(start.elapsed().as_secs_f32()));
            std::thread::sleep(Duration::from_millis(33));
        }
    }
}

fn play(path: &Path, handle: &SourceHandle) -> String {
    if !path.is_file() {
        return "file not found".into();
    }
    let filter = format!(
        "scale={WIDTH}:{HEIGHT}:force_original_aspect_ratio=increase,crop={WIDTH}:{HEIGHT}"
    );
    let child = Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-stream_loop",
            "-1",
            "-re",
            "-i",
        ])
        .arg(path)
        .args(["-vf", &filter, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => return format!("cannot run ffmpeg ({error}); install it with apt"),
    };
    handle.set_status(format!("video {}", path.display()));
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut buffer = vec![0u8; (WIDTH * HEIGHT * 3) as usize];
    let reason = loop {
        if handle.stopped() {
            break String::new();
        }
        if let Err(error) = stdout.read_exact(&mut buffer) {
            break format!("decoding stopped ({error})");
        }
        if let Some(frame) = RgbImage::from_raw(WIDTH, HEIGHT, buffer.clone()) {
            handle.put(frame);
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    reason
}
