//! The pipeline without a window: `lts render` (PNG frames or an mp4 through ffmpeg) and the
//! live show's fallback when there is no display.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use image::RgbImage;

use super::engine::{load_model, DeviceChoice, Pipeline, Settings, Timings};
use super::gpu_link::{GpuLink, Slot};
use super::gpu_stages::GpuStages;
use super::source::{self, SourceSpec};
use crate::control::preset::PresetList;
use crate::gpu::tensor::SharedGpu;
use crate::gpu::texture::{display_texture, read_texture};
use crate::look::cpu::to_rgb_image;
use crate::model::ModelPackage;

pub struct RenderOptions {
    pub preset: Option<String>,
    pub source: SourceSpec,
    pub frames: u64,
    /// A directory for PNG frames, or a `.mp4` file.
    pub out: PathBuf,
    pub presets: PathBuf,
    pub models: PathBuf,
    pub fps: f32,
    /// Overwrite `latest.png` instead of numbering frames (the no-display live fallback).
    pub latest_only: bool,
    /// Where the frames are made: on a GPU of its own the whole frame runs there (as the live
    /// show does on nannou's) and only the finished output is read back; `Auto` takes the GPU
    /// unless it is a software rasteriser.
    pub device: DeviceChoice,
}

/// The GPU side of a render: the device and the texture the output lands in.
struct GpuTarget {
    gpu: Arc<SharedGpu>,
    texture: wgpu::Texture,
}

impl GpuTarget {
    fn new(gpu: SharedGpu, size: usize) -> Self {
        let gpu = Arc::new(gpu);
        let texture = display_texture(&gpu.device, size as u32);
        Self { gpu, texture }
    }

    fn read(&self) -> RgbImage {
        let rgba = read_texture(&self.gpu.device, &self.gpu.queue, &self.texture);
        let rgb = rgba
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        RgbImage::from_raw(self.texture.width(), self.texture.height(), rgb)
            .expect("a whole texture")
    }
}

/// Preset look and model for a render; a missing or broken preset is an error here (a render
/// is prepared content, not a show that must go on).
fn prepare(options: &RenderOptions) -> Result<(Pipeline, Settings, String, Option<GpuTarget>)> {
    let presets = PresetList::load(&options.presets, &options.models);
    let index = match &options.preset {
        Some(name) => presets
            .find(name)
            .with_context(|| format!("no preset `{name}` in {}", options.presets.display()))?,
        None => presets
            .find("default")
            .or_else(|| presets.entries.iter().position(|e| e.preset.is_ok()))
            .with_context(|| format!("no presets in {}", options.presets.display()))?,
    };
    let preset = presets.entries[index]
        .preset
        .clone()
        .map_err(anyhow::Error::msg)?;
    let dir = presets.model_dir(&preset.model);
    let settings = Settings {
        look: preset.look,
        smoothing: preset.smoothing,
        frozen: false,
    };
    let gpu = match options.device {
        DeviceChoice::Cpu => None,
        DeviceChoice::Gpu => Some(SharedGpu::new().context("no GPU adapter (wgpu found none)")?),
        DeviceChoice::Auto => SharedGpu::new().filter(|gpu| !gpu.is_software()),
    };
    let Some(gpu) = gpu else {
        tracing::info!("generator on: CPU");
        let model = load_model(&dir, 0.0, None)?;
        return Ok((Pipeline::new(Some(model), 256), settings, preset.name, None));
    };
    tracing::info!(
        "generator on: GPU {} ({:?})",
        gpu.info.name,
        gpu.info.backend
    );
    let size = ModelPackage::open(&dir)?.meta.resolution;
    let target = GpuTarget::new(gpu, size);
    let link = GpuLink::headless(Arc::clone(&target.gpu));
    link.provide(Slot::Output, target.texture.clone());
    let model = load_model(&dir, 0.0, Some(&target.gpu))?;
    let mut pipeline = Pipeline::on_gpu(GpuStages::new(Arc::clone(&target.gpu), link), 256);
    pipeline.set_model(model);
    Ok((pipeline, settings, preset.name, Some(target)))
}

enum Sink {
    Frames(PathBuf),
    Latest(PathBuf),
    Video(Child),
}

impl Sink {
    fn open(out: &Path, latest_only: bool, size: usize, fps: f32) -> Result<Self> {
        if latest_only {
            std::fs::create_dir_all(out)?;
            return Ok(Self::Latest(out.join("latest.png")));
        }
        if out.extension().is_some_and(|e| e == "mp4") {
            if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)?;
            }
            let child = Command::new("ffmpeg")
                .args([
                    "-hide_banner",
                    "-loglevel",
                    "error",
                    "-y",
                    "-f",
                    "rawvideo",
                    "-pix_fmt",
                    "rgb24",
                    "-s",
                ])
                .arg(format!("{size}x{size}"))
                .args(["-r", &fps.to_string(), "-i", "-", "-pix_fmt", "yuv420p"])
                .arg(out)
                .stdin(Stdio::piped())
                .spawn()
                .context("cannot run ffmpeg to write the mp4 (apt install ffmpeg)")?;
            return Ok(Self::Video(child));
        }
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
        Ok(Self::Frames(out.to_path_buf()))
    }

    fn write(&mut self, index: u64, image: &RgbImage) -> Result<()> {
        match self {
            Self::Frames(dir) => image.save(dir.join(format!("frame_{index:05}.png")))?,
            Self::Latest(path) => {
                let mut bytes = Vec::new();
                image.write_to(
                    &mut std::io::Cursor::new(&mut bytes),
                    image::ImageFormat::Png,
                )?;
                crate::atomic::write_atomic(path, &bytes)?;
            }
            Self::Video(child) => child
                .stdin
                .as_mut()
                .expect("piped")
                .write_all(image.as_raw())
                .context("ffmpeg stopped accepting frames")?,
        }
        Ok(())
    }

    fn finish(self) -> Result<()> {
        if let Self::Video(mut child) = self {
            drop(child.stdin.take());
            if !child.wait()?.success() {
                bail!("ffmpeg failed to write the video");
            }
        }
        Ok(())
    }
}

/// What a render did: its frames, how long they took, and each stage's median.
pub struct Rendered {
    pub frames: u64,
    pub elapsed: Duration,
    pub stages: Vec<Timings>,
}

impl std::fmt::Display for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seconds = self.elapsed.as_secs_f32();
        writeln!(
            f,
            "{} frames in {seconds:.1} s ({:.1} frames/s)",
            self.frames,
            self.frames as f32 / seconds
        )?;
        write!(f, "{}", stage_medians(&self.stages))
    }
}

/// Renders `frames` frames. The synthetic source is stepped exactly (frame i is the scene at
/// i / fps), so renders are reproducible; other sources are sampled as their frames arrive.
pub fn render(options: &RenderOptions) -> Result<Rendered> {
    let (mut pipeline, settings, preset, gpu) = prepare(options)?;
    let mut sink = Sink::open(
        &options.out,
        options.latest_only,
        pipeline.size(),
        options.fps,
    )?;
    let live_source = match options.source {
        SourceSpec::Synthetic => None,
        ref spec => Some(source::start(spec)),
    };
    tracing::info!(
        "rendering preset {preset} from {} into {}",
        options.source,
        options.out.display()
    );
    let mut last_frame = None;
    let mut stages = Vec::new();
    let started = Instant::now();
    let mut index = 0;
    while options.frames == 0 || index < options.frames {
        let frame = match &live_source {
            None => Arc::new(source::synthetic::frame(index as f32 / options.fps)),
            Some(handle) => {
                let deadline = Instant::now() + Duration::from_secs(10);
                loop {
                    if let Some(frame) = handle.frames.take() {
                        last_frame = Some(Arc::new(frame));
                        break;
                    }
                    if Instant::now() > deadline && last_frame.is_some() {
                        break;
                    }
                    if Instant::now() > deadline {
                        bail!("no frames from {} ({})", options.source, handle.status());
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
                last_frame.clone().expect("set above")
            }
        };
        let output = pipeline.process(frame, &settings)?;
        let image = match &gpu {
            Some(target) if output.on_gpu => target.read(),
            _ => to_rgb_image(&output.output, output.size, output.size),
        };
        sink.write(index, &image)?;
        stages.push(output.timings);
        index += 1;
    }
    sink.finish()?;
    if let Some(handle) = live_source {
        handle.stop();
    }
    Ok(Rendered {
        frames: index,
        elapsed: started.elapsed(),
        stages,
    })
}

/// Medians of the pipeline's stages over a run (the first frames, which compile and tune
/// kernels, are left out).
pub fn stage_medians(timings: &[Timings]) -> String {
    let settled = &timings[timings.len().min(5)..];
    if settled.is_empty() {
        return "stages: not measured".into();
    }
    let median = |stage: fn(&Timings) -> f32| {
        let mut values: Vec<f32> = settled.iter().map(stage).collect();
        values.sort_by(f32::total_cmp);
        values[values.len() / 2]
    };
    format!(
        "stages (median of {} frames): look {:.1} ms, generator {:.1} ms, engine frame {:.1} ms",
        settled.len(),
        median(|t| t.look_ms),
        median(|t| t.generator_ms),
        median(|t| t.total_ms)
    )
}
