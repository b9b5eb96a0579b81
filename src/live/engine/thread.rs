//! The engine thread, supervised: newest frame → pipeline → latest output, with model loads on
//! a loader thread; panics and stalls are caught and the engine restarted.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Result;
use image::RgbImage;

use super::{load_model, DeviceChoice, LoadedModel, Output, Pipeline, Settings, MODEL_NOT_LOADED};
use crate::gpu::tensor::SharedGpu;
use crate::live::gpu_link::GpuLink;
use crate::live::gpu_stages::GpuStages;
use crate::live::latest::Latest;
use crate::live::source::SourceHandle;

/// The app's side of a running engine.
pub struct Engine {
    pub outputs: Latest<Output>,
    pub settings: Arc<Mutex<Settings>>,
    /// The last model error or restart (shown in the overlay), cleared by a successful load.
    pub notice: Arc<Mutex<Option<String>>>,
    loads: Sender<(PathBuf, f32)>,
    /// The model asked for last, reloaded after a restart.
    wanted: Arc<Mutex<Option<(PathBuf, f32)>>>,
    /// Where the generator runs, once the engine has decided (see [`DeviceChoice`]).
    pub device: Arc<OnceLock<String>>,
    /// Set on drop: the engine threads leave.
    stopped: Arc<AtomicBool>,
}

/// How long the engine waits for nannou's renderer to hand over its device.
const GPU_WAIT: Duration = Duration::from_secs(20);
/// A pass that takes longer than this (or than [`STALL_FACTOR`] times the slowest recent pass,
/// on a machine where passes are slow anyway) is a stalled generator: the engine restarts
/// without it.
pub const STALL: Duration = Duration::from_secs(2);
const STALL_FACTOR: u64 = 4;
/// The first passes after a model arrives may compile GPU kernels: they get longer.
const WARM_UP_STALL: Duration = Duration::from_secs(30);
const WARM_UP_PASSES: u32 = 3;
/// A software rasteriser (lavapipe) compiles every new GPU kernel on the CPU — on first use of
/// a shape or a crossfade, not only after a load — which takes tens of seconds on a busy
/// machine, so there only a pass this long counts as stalled.
const SOFTWARE_GPU_STALL: Duration = Duration::from_secs(180);
/// A model that takes the engine down this often within [`FAILURE_WINDOW`] is given up.
const MAX_FAILURES: usize = 3;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// Loads a model directory, onto the GPU when given one.
pub type Loader =
    dyn Fn(&std::path::Path, f32, Option<&SharedGpu>) -> Result<LoadedModel> + Send + Sync;

impl Engine {
    pub fn start(source: SourceHandle, settings: Settings, default_size: usize) -> Self {
        Self::start_on(
            source,
            settings,
            default_size,
            DeviceChoice::Cpu,
            GpuLink::default(),
        )
    }

    /// An engine on `device`; on a GPU it takes the device of `link`'s renderer and writes
    /// into the textures `link` publishes.
    pub fn start_on(
        source: SourceHandle,
        settings: Settings,
        default_size: usize,
        device: DeviceChoice,
        link: GpuLink,
    ) -> Self {
        Self::start_with_loader(
            source,
            settings,
            default_size,
            device,
            link,
            Arc::new(load_model),
        )
    }

    /// An engine whose models come from `loader` (tests inject generators that fail on cue).
    /// The engine runs supervised: a panic in a pass is caught and reported and the engine
    /// restarted with the model reloaded; a pass that stalls for [`STALL`] is abandoned the
    /// same way. Meanwhile the look itself is shown, so the picture never freezes.
    pub fn start_with_loader(
        source: SourceHandle,
        settings: Settings,
        default_size: usize,
        device_choice: DeviceChoice,
        link: GpuLink,
        loader: Arc<Loader>,
    ) -> Self {
        let outputs = Latest::default();
        let settings = Arc::new(Mutex::new(settings));
        let notice = Arc::new(Mutex::new(None));
        let device = Arc::new(OnceLock::new());
        let wanted = Arc::new(Mutex::new(None));
        // Set once by the engine thread: the GPU models load onto, or none for the CPU.
        let chosen: Arc<OnceLock<Option<Arc<SharedGpu>>>> = Arc::new(OnceLock::new());
        let (loads, load_requests) = channel::<(PathBuf, f32)>();
        let (loaded_tx, loaded_rx) = channel::<Loaded>();
        {
            let chosen = Arc::clone(&chosen);
            std::thread::Builder::new()
                .name("lts model loader".into())
                .spawn(move || {
                    for (dir, crossfade) in load_requests {
                        let gpu = wait_for_choice(&chosen);
                        let result =
                            loader(&dir, crossfade, gpu.as_deref()).map_err(|e| format!("{e:#}"));
                        if loaded_tx.send((dir, result)).is_err() {
                            return;
                        }
                    }
                })
                .expect("spawn loader");
        }
        let stopped = Arc::new(AtomicBool::new(false));
        let shared = Shared {
            source,
            outputs: outputs.clone(),
            settings: Arc::clone(&settings),
            notice: Arc::clone(&notice),
            loaded: Arc::new(Mutex::new(loaded_rx)),
            generation: Arc::new(AtomicU64::new(0)),
            stopped: Arc::clone(&stopped),
        };
        {
            let device = Arc::clone(&device);
            let wanted = Arc::clone(&wanted);
            let reload = loads.clone();
            std::thread::Builder::new()
                .name("lts engine supervisor".into())
                .spawn(move || {
                    supervise(
                        shared,
                        &Placement {
                            choice: device_choice,
                            link,
                        },
                        &chosen,
                        &device,
                        default_size,
                        &wanted,
                        &reload,
                    )
                })
                .expect("spawn engine supervisor");
        }
        Self {
            outputs,
            settings,
            notice,
            loads,
            wanted,
            device,
            stopped,
        }
    }

    /// Asks the loader thread for a model; frames keep coming meanwhile.
    pub fn load(&self, dir: PathBuf, crossfade: f32) {
        *self.wanted.lock().unwrap_or_else(|e| e.into_inner()) = Some((dir.clone(), crossfade));
        let _ = self.loads.send((dir, crossfade));
    }

    pub fn set_settings(&self, settings: Settings) {
        *self.settings.lock().unwrap_or_else(|e| e.into_inner()) = settings;
    }

    pub fn notice(&self) -> Option<String> {
        self.notice
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Dropping the engine stops its threads: the engine thread leaves after its current pass,
/// the supervisor with it (even from a stalled pass), and the loader once its queue is gone.
impl Drop for Engine {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
    }
}

/// A model directory and what loading it gave.
type Loaded = (PathBuf, Result<LoadedModel, String>);

/// What every generation of the engine thread shares.
#[derive(Clone)]
struct Shared {
    source: SourceHandle,
    outputs: Latest<Output>,
    settings: Arc<Mutex<Settings>>,
    notice: Arc<Mutex<Option<String>>>,
    loaded: Arc<Mutex<Receiver<Loaded>>>,
    /// The engine thread that may publish; an abandoned one sees a newer number and leaves.
    generation: Arc<AtomicU64>,
    /// The [`Engine`] is gone.
    stopped: Arc<AtomicBool>,
}

impl Shared {
    fn say(&self, notice: Option<String>) {
        *self.notice.lock().unwrap_or_else(|e| e.into_inner()) = notice;
    }

    fn clear_load_error(&self) {
        let mut notice = self.notice.lock().unwrap_or_else(|e| e.into_inner());
        if notice
            .as_deref()
            .is_some_and(|n| n.starts_with(MODEL_NOT_LOADED))
        {
            *notice = None;
        }
    }
}

/// Where the engine was asked to run, and its link to the renderer's device.
struct Placement {
    choice: DeviceChoice,
    link: GpuLink,
}

/// Runs engine threads one after another: each is watched for panics and stalls, and the
/// next starts with the wanted model reloaded (unless that model keeps failing).
fn supervise(
    shared: Shared,
    placement: &Placement,
    chosen: &OnceLock<Option<Arc<SharedGpu>>>,
    device: &OnceLock<String>,
    default_size: usize,
    wanted: &Mutex<Option<(PathBuf, f32)>>,
    reload: &Sender<(PathBuf, f32)>,
) {
    let mut failures: Vec<(PathBuf, Instant)> = Vec::new();
    let mut model_dir: Option<PathBuf> = None;
    loop {
        let (pipeline, software_gpu) =
            choose(placement, chosen, device, &shared.notice, default_size);
        let generation = shared.generation.fetch_add(1, Ordering::SeqCst) + 1;
        // Milliseconds since `epoch` at which the current pass began; 0 between passes.
        let busy_since = Arc::new(AtomicU64::new(0));
        let warming = Arc::new(AtomicU32::new(0));
        let slowest_ms = Arc::new(AtomicU64::new(0));
        let epoch = Instant::now();
        let playing = Arc::new(Mutex::new(model_dir.clone()));
        let worker = {
            let (shared, playing) = (shared.clone(), Arc::clone(&playing));
            let pass = Pass {
                busy_since: Arc::clone(&busy_since),
                warming: Arc::clone(&warming),
                slowest_ms: Arc::clone(&slowest_ms),
                epoch,
            };
            std::thread::Builder::new()
                .name("lts engine".into())
                .spawn(move || {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        run(pipeline, &shared, generation, &pass, &playing)
                    }))
                })
                .expect("spawn engine")
        };
        let reason = loop {
            std::thread::sleep(Duration::from_millis(50));
            if shared.stopped.load(Ordering::SeqCst) {
                return;
            }
            if worker.is_finished() {
                match worker.join() {
                    Ok(Err(panic)) => break format!("panicked ({})", panic_message(&panic)),
                    _ => return,
                }
            }
            let since = busy_since.load(Ordering::SeqCst);
            let now = epoch.elapsed().as_millis() as u64;
            let limit = if software_gpu {
                SOFTWARE_GPU_STALL
            } else if warming.load(Ordering::SeqCst) > 0 {
                WARM_UP_STALL
            } else {
                let usual = slowest_ms.load(Ordering::SeqCst) * STALL_FACTOR;
                STALL.max(Duration::from_millis(usual))
            };
            if since != 0 && now.saturating_sub(since) > limit.as_millis() as u64 {
                // The stuck thread sees the new generation when (if) it returns, and leaves.
                shared.generation.fetch_add(1, Ordering::SeqCst);
                break format!("stalled for {} s", limit.as_secs());
            }
        };
        model_dir = playing.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let wanted = wanted.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let culprit = model_dir.clone().or(wanted.as_ref().map(|w| w.0.clone()));
        failures.retain(|(_, at)| at.elapsed() < FAILURE_WINDOW);
        if let Some(dir) = &culprit {
            failures.push((dir.clone(), Instant::now()));
        }
        let repeated = failures
            .iter()
            .filter(|(d, _)| Some(d) == culprit.as_ref())
            .count();
        let name = culprit
            .as_ref()
            .and_then(|d| d.file_name())
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "the engine".into());
        let notice = if repeated >= MAX_FAILURES {
            model_dir = None;
            format!(
                "generator {name} {reason}, {repeated} times in a minute: showing the look \
                 (pick another preset)"
            )
        } else {
            if let Some(wanted) = wanted {
                let _ = reload.send(wanted);
            }
            model_dir = None;
            format!("generator {name} {reason}: restarted")
        };
        tracing::error!("{notice}");
        shared.say(Some(notice));
    }
}

/// What a caught panic said.
fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    crate::live::source::panic_message(panic)
}

fn wait_for_choice(chosen: &OnceLock<Option<Arc<SharedGpu>>>) -> Option<Arc<SharedGpu>> {
    loop {
        if let Some(choice) = chosen.get() {
            return choice.clone();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Picks the device, tells the loader and the app, and builds the pipeline for it; says
/// whether that pipeline runs on a software rasteriser.
fn choose(
    placement: &Placement,
    chosen: &OnceLock<Option<Arc<SharedGpu>>>,
    device: &OnceLock<String>,
    notice: &Mutex<Option<String>>,
    default_size: usize,
) -> (Pipeline, bool) {
    let link = &placement.link;
    let (link, forced) = match placement.choice {
        DeviceChoice::Cpu => (None, false),
        DeviceChoice::Gpu => (Some(link.clone()), true),
        DeviceChoice::Auto => (Some(link.clone()), false),
    };
    let waited = Instant::now();
    let gpu = link.as_ref().and_then(|link| loop {
        if let Some(gpu) = link.gpu() {
            break Some(gpu);
        }
        if waited.elapsed() > GPU_WAIT {
            *notice.lock().unwrap_or_else(|e| e.into_inner()) =
                Some("the renderer's GPU never came: generator on the CPU".into());
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    });
    let name = |gpu: &SharedGpu| format!("{} ({:?})", gpu.info.name, gpu.info.backend);
    let (pipeline, description, gpu) = match (gpu, link) {
        (Some(gpu), Some(link)) if forced || !gpu.is_software() => {
            let description = format!("GPU, nannou's device: {}", name(&gpu));
            let stages = GpuStages::new(Arc::clone(&gpu), link);
            (
                Pipeline::on_gpu(stages, default_size),
                description,
                Some(gpu),
            )
        }
        (Some(gpu), _) => (
            Pipeline::new(None, default_size),
            format!(
                "CPU (faster here than the software rasteriser {})",
                name(&gpu)
            ),
            None,
        ),
        _ => (Pipeline::new(None, default_size), "CPU".to_string(), None),
    };
    if device.get().is_none() {
        tracing::info!("generator on: {description}");
    }
    let software = gpu.as_ref().is_some_and(|gpu| gpu.is_software());
    let _ = device.set(description);
    let _ = chosen.set(gpu);
    (pipeline, software)
}

/// When the current pass began (milliseconds since `epoch`, 0 between passes), how many
/// warm-up passes a new model has left, and how long the slowest recent pass after warm-up
/// took (decaying).
struct Pass {
    busy_since: Arc<AtomicU64>,
    warming: Arc<AtomicU32>,
    slowest_ms: Arc<AtomicU64>,
    epoch: Instant,
}

fn run(
    mut pipeline: Pipeline,
    shared: &Shared,
    generation: u64,
    pass: &Pass,
    playing: &Mutex<Option<PathBuf>>,
) {
    let mut frame: Option<Arc<RgbImage>> = None;
    let mut last_settings: Option<Settings> = None;
    let mut new_model = false;
    let current = || {
        shared.generation.load(Ordering::SeqCst) == generation
            && !shared.stopped.load(Ordering::SeqCst)
    };
    while current() {
        let received: Vec<Loaded> = shared
            .loaded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .try_iter()
            .collect();
        for (dir, result) in received {
            match result {
                Ok(model) => {
                    tracing::info!("model {} loaded", model.name);
                    shared.clear_load_error();
                    pipeline.set_model(model);
                    pass.warming.store(WARM_UP_PASSES, Ordering::SeqCst);
                    pass.slowest_ms.store(0, Ordering::SeqCst);
                    *playing.lock().unwrap_or_else(|e| e.into_inner()) = Some(dir);
                    new_model = true;
                }
                Err(error) => {
                    tracing::error!("model not loaded: {error}");
                    shared.say(Some(format!("{MODEL_NOT_LOADED}: {error}")));
                }
            }
        }
        let fresh = shared
            .source
            .frames
            .take()
            .map(|newest| frame = Some(Arc::new(newest)))
            .is_some();
        let current_settings = *shared.settings.lock().unwrap_or_else(|e| e.into_inner());
        let changed = last_settings != Some(current_settings);
        // Work only when something moved: a new frame, a knob, a model (a still frame must
        // show the new one), a crossfade in progress or smoothing still gliding.
        let Some(input) = frame
            .clone()
            .filter(|_| fresh || changed || new_model || pipeline.unsettled())
        else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        if fresh || changed || new_model {
            pipeline.input_changed();
        }
        last_settings = Some(current_settings);
        new_model = false;
        if current_settings.frozen {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        let began = pass.epoch.elapsed().as_millis().max(1) as u64;
        pass.busy_since.store(began, Ordering::SeqCst);
        let result = pipeline.process(input, &current_settings);
        pass.busy_since.store(0, Ordering::SeqCst);
        let took = pass.epoch.elapsed().as_millis() as u64 - began;
        let warming = pass.warming.load(Ordering::SeqCst);
        if warming > 0 {
            pass.warming.store(warming - 1, Ordering::SeqCst);
        } else {
            let slowest = pass.slowest_ms.load(Ordering::SeqCst);
            pass.slowest_ms
                .store(took.max(slowest * 15 / 16), Ordering::SeqCst);
        }
        match result {
            Ok(output) if current() => shared.outputs.put(output),
            Ok(_) => return,
            Err(error) => {
                shared.say(Some(format!("{error:#}")));
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::engine::{FrameGenerator, Runner, NO_MODEL};
    use crate::live::testing::wait_for;
    use std::sync::atomic::AtomicUsize;

    #[derive(Clone, Copy)]
    enum Fault {
        Panic,
        Stall,
    }

    /// A generator that negates the look, and fails at its fifth pass.
    struct OnCue {
        passes: usize,
        fault: Fault,
    }

    impl FrameGenerator for OnCue {
        fn generate(&mut self, look: &[f32], _size: usize) -> Result<Vec<f32>> {
            self.passes += 1;
            if self.passes == 5 {
                match self.fault {
                    Fault::Panic => panic!("the generator fell over"),
                    Fault::Stall => loop {
                        std::thread::sleep(Duration::from_millis(20));
                    },
                }
            }
            Ok(look.repeat(3).iter().map(|v| -v).collect())
        }
    }

    /// An external source fed a changing grey frame every 15 ms until it is stopped.
    fn fed_source() -> SourceHandle {
        let source = SourceHandle::external("test");
        let feeder = source.clone();
        std::thread::spawn(move || {
            let mut shade = 0u8;
            while !feeder.stopped() {
                shade = shade.wrapping_add(3);
                feeder.put(RgbImage::from_pixel(48, 48, image::Rgb([shade; 3])));
                std::thread::sleep(Duration::from_millis(15));
            }
        });
        source
    }

    /// An engine (no smoothing) on `source` playing model `name`, each load of which is a
    /// fresh `generator()`.
    fn engine_playing(
        source: &SourceHandle,
        name: &'static str,
        generator: impl Fn() -> Box<dyn FrameGenerator> + Send + Sync + 'static,
    ) -> Engine {
        let loader: Arc<Loader> = Arc::new(move |_dir: &std::path::Path, crossfade, _gpu| {
            Ok(LoadedModel {
                name: name.into(),
                runner: Runner::Cpu(generator()),
                size: 32,
                crossfade,
            })
        });
        let settings = Settings {
            smoothing: 0.0,
            ..Settings::default()
        };
        let engine = Engine::start_with_loader(
            source.clone(),
            settings,
            32,
            DeviceChoice::Cpu,
            GpuLink::default(),
            loader,
        );
        engine.load(PathBuf::from("models").join(name), 0.0);
        engine
    }

    /// An engine on a fed source whose every model fails on cue; counts the loads.
    fn faulty_engine(fault: Fault) -> (Engine, SourceHandle, Arc<AtomicUsize>) {
        let source = fed_source();
        let loads = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&loads);
        let engine = engine_playing(&source, "faulty", move || {
            counted.fetch_add(1, Ordering::SeqCst);
            Box::new(OnCue { passes: 0, fault })
        });
        (engine, source, loads)
    }

    /// A generator that negates the look and counts its passes.
    struct Counting(Arc<AtomicUsize>);

    impl FrameGenerator for Counting {
        fn generate(&mut self, look: &[f32], _size: usize) -> Result<Vec<f32>> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(look.repeat(3).iter().map(|v| -v).collect())
        }
    }

    #[test]
    fn a_dropped_engine_stops_its_threads() {
        let source = fed_source();
        let passes = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&passes);
        let engine = engine_playing(&source, "counting", move || {
            Box::new(Counting(Arc::clone(&counter)))
        });
        assert!(
            wait_for(10.0, || passes.load(Ordering::SeqCst) > 3),
            "the model never ran"
        );
        let outputs = engine.outputs.clone();
        drop(engine);
        // The pass under way when it was dropped may still finish.
        std::thread::sleep(Duration::from_millis(300));
        let after_drop = passes.load(Ordering::SeqCst);
        outputs.take();
        std::thread::sleep(Duration::from_millis(600));
        assert_eq!(
            passes.load(Ordering::SeqCst),
            after_drop,
            "the generator still runs after the engine was dropped"
        );
        assert!(outputs.take().is_none(), "outputs still arrive");
        source.stop();
    }

    #[test]
    fn a_panicking_generator_is_restarted_then_given_up_and_the_picture_goes_on() {
        let (engine, source, loads) = faulty_engine(Fault::Panic);
        let said = |text: &str| engine.notice().is_some_and(|n| n.contains(text));
        assert!(
            wait_for(10.0, || said("panicked (the generator fell over)")),
            "{:?}",
            engine.notice()
        );
        assert!(
            wait_for(10.0, || loads.load(Ordering::SeqCst) >= 2),
            "not reloaded"
        );
        assert!(
            wait_for(20.0, || said("showing the look")),
            "a model that keeps panicking is given up: {:?}",
            engine.notice()
        );
        let loads_then = loads.load(Ordering::SeqCst);
        engine.outputs.take();
        assert!(
            wait_for(2.0, || engine
                .outputs
                .take()
                .is_some_and(|output| output.model == NO_MODEL)),
            "the look must keep coming"
        );
        assert_eq!(
            loads.load(Ordering::SeqCst),
            loads_then,
            "given up: no reload"
        );
        source.stop();
    }

    #[test]
    fn a_stalled_generator_is_abandoned_and_the_look_shows_within_seconds() {
        let (engine, source, loads) = faulty_engine(Fault::Stall);
        assert!(wait_for(5.0, || engine
            .outputs
            .take()
            .is_some_and(|output| output.model == "faulty")));
        let stalled = Instant::now();
        assert!(
            wait_for(6.0, || engine
                .notice()
                .is_some_and(|n| n.contains("stalled for 2 s"))),
            "{:?}",
            engine.notice()
        );
        assert!(stalled.elapsed() < Duration::from_secs(4));
        assert!(
            wait_for(5.0, || loads.load(Ordering::SeqCst) >= 2),
            "not reloaded"
        );
        engine.outputs.take();
        assert!(
            wait_for(2.0, || engine.outputs.take().is_some()),
            "pictures keep coming after a stall"
        );
        source.stop();
    }
}
