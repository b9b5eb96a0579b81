//! `lts train`: a tiny dataset trains and exports; kills and Ctrl-C never lose the checkpoint;
//! bad files are skipped and counted.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{destinations, fixtures, lts, scratch, text};
use image::{Rgb, RgbImage};
use learning_to_see::model::ModelPackage;
use learning_to_see::train::checkpoint;

/// Smooth colourful blobs: learnable in a few steps at 32².
fn make_dataset(dir: &Path, count: usize) {
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    for i in 0..count {
        let (cx, cy) = ((i * 13 % 40) as f32 + 12.0, (i * 7 % 40) as f32 + 12.0);
        let image = RgbImage::from_fn(64, 64, |x, y| {
            let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
            let glow = (1.0 - d / 40.0).clamp(0.0, 1.0);
            Rgb([
                (255.0 * glow) as u8,
                (180.0 * glow * glow) as u8,
                (40.0 + 60.0 * (1.0 - glow)) as u8,
            ])
        });
        let sub = if i % 2 == 0 {
            dir.to_path_buf()
        } else {
            dir.join("nested")
        };
        image.save(sub.join(format!("fire{i:02}.png"))).unwrap();
    }
}

fn train_args(data: &Path, root: &Path, name: &str, steps: u64) -> Vec<String> {
    [
        "train",
        "--data",
        data.to_str().unwrap(),
        "--name",
        name,
        "--size",
        "32",
        "--ngf",
        "8",
        "--ndf",
        "8",
        "--batch",
        "2",
        "--downscale",
        "4",
        "--steps",
        &steps.to_string(),
        "--lr",
        "5e-4",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(destinations(root))
    .collect()
}

fn run(args: &[String]) -> std::process::Output {
    lts(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Runs `args` with `--resume`; it must succeed and say it continued from step `from`.
fn resume(mut args: Vec<String>, from: u64) {
    args.push("--resume".into());
    let out = run(&args);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains(&format!("from step {from}")), "{log}");
}

fn spawn(args: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lts"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn l1_column(csv: &Path) -> Vec<f32> {
    std::fs::read_to_string(csv)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.split(',').nth(3).unwrap().parse().unwrap())
        .collect()
}

fn wait_for_checkpoint(path: &Path, min_step: u64, child: &mut Child) -> u64 {
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        assert!(
            child.try_wait().unwrap().is_none(),
            "training ended before the checkpoint"
        );
        if let Ok(resumed) = checkpoint::peek(path) {
            if resumed.step >= min_step {
                return resumed.step;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no checkpoint at {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_tiny_dataset_trains_l1_falls_and_the_export_plays() {
    let root = scratch("train_tiny");
    let data = root.join("data");
    make_dataset(&data, 10);
    std::fs::write(
        data.join("CREDITS.txt"),
        "Glowing blobs.\nDrawn by tests/train.rs.\n\nNothing else.\n",
    )
    .unwrap();
    let out = run(&train_args(&data, &root, "blobs", 60));
    assert!(out.status.success(), "{}", text(&out));
    let l1 = l1_column(&root.join("runs/blobs/losses.csv"));
    assert_eq!(l1.len(), 60);
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    let (first, last) = (mean(&l1[..10]), mean(&l1[50..]));
    assert!(
        last < 0.8 * first,
        "L1 should fall: first 10 steps {first}, last 10 {last}"
    );
    for file in ["samples_latest.png", "losses.svg", "checkpoint.lts"] {
        assert!(root.join("runs/blobs").join(file).exists(), "{file}");
    }
    let model = root.join("models/blobs");
    let meta = std::fs::read_to_string(model.join("model.toml")).unwrap();
    assert!(
        meta.contains("precision = \"f16\"") && meta.contains("steps = 60") && meta.contains("lts"),
        "{meta}"
    );
    assert!(
        meta.contains("on data: Glowing blobs. Drawn by tests/train.rs.\""),
        "the dataset's own credits describe the model: {meta}"
    );
    let preset = std::fs::read_to_string(root.join("presets/blobs.toml")).unwrap();
    assert!(preset.contains("model = \"blobs\""), "{preset}");
    let results = root.join("out");
    let out = lts(&[
        "infer",
        "--model",
        model.to_str().unwrap(),
        data.join("fire00.png").to_str().unwrap(),
        "--out",
        results.to_str().unwrap(),
        "--size",
        "32",
        "--raw",
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let (_, values) = learning_to_see::npy::read_f32(&results.join("fire00.npy")).unwrap();
    let spread = values.iter().cloned().fold(f32::MIN, f32::max)
        - values.iter().cloned().fold(f32::MAX, f32::min);
    assert!(
        spread > 0.2,
        "the trained model paints something, spread {spread}"
    );
}

#[test]
fn killed_training_resumes_from_a_loadable_checkpoint() {
    let root = scratch("train_kill");
    let data = root.join("data");
    make_dataset(&data, 6);
    let mut args = train_args(&data, &root, "killed", 100_000);
    args.extend(["--checkpoint-every".into(), "3".into()]);
    let mut child = spawn(&args);
    let checkpoint_path = root.join("runs/killed/checkpoint.lts");
    wait_for_checkpoint(&checkpoint_path, 6, &mut child);
    child.kill().unwrap(); // SIGKILL, mid-step or mid-write
    child.wait().unwrap();
    let at_kill = checkpoint::peek(&checkpoint_path)
        .expect("the checkpoint survives a kill")
        .step;
    assert!(at_kill >= 6);

    resume(train_args(&data, &root, "killed", at_kill + 4), at_kill);
    assert_eq!(
        checkpoint::peek(&checkpoint_path).unwrap().step,
        at_kill + 4
    );
    assert!(root.join("models/killed/weights.safetensors").exists());

    // Without --resume an existing run is not overwritten.
    let out = run(&train_args(&data, &root, "killed", 10));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("--resume"), "{}", text(&out));
}

#[test]
fn a_run_starts_from_a_trained_model_and_keeps_its_history() {
    let root = scratch("train_init_from");
    let data = root.join("data");
    make_dataset(&data, 10);
    let out = run(&train_args(&data, &root, "first", 60));
    assert!(out.status.success(), "{}", text(&out));
    let first = root.join("models/first");

    // No generator flags: the networks are the model's.
    let continued: Vec<String> = [
        "train",
        "--data",
        data.to_str().unwrap(),
        "--name",
        "second",
        "--init-from",
        first.to_str().unwrap(),
        "--ndf",
        "8",
        "--batch",
        "2",
        "--downscale",
        "4",
        "--steps",
        "20",
        "--lr",
        "5e-4",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(destinations(&root))
    .collect();
    let out = run(&continued);
    assert!(out.status.success(), "{}", text(&out));

    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    let first_l1 = l1_column(&root.join("runs/first/losses.csv"));
    let second_l1 = l1_column(&root.join("runs/second/losses.csv"));
    assert!(
        mean(&second_l1[..5]) < 0.85 * mean(&first_l1[..5]),
        "the run continues the trained generator: its first L1s {:?}, a fresh run's {:?}",
        &second_l1[..5],
        &first_l1[..5]
    );
    let before = ModelPackage::open(&first).unwrap().meta;
    let after = ModelPackage::open(&root.join("models/second"))
        .unwrap()
        .meta;
    assert_eq!(after.generator, before.generator);
    let training = after.training.unwrap();
    assert_eq!(training.steps, 80, "all the generator's steps");
    assert_eq!(training.earlier.len(), 1);
    assert_eq!(training.earlier[0].steps, 60);
    assert!(
        training.earlier[0].made_by.contains("--name first"),
        "{:?}",
        training.earlier
    );

    let mut other: Vec<String> = continued
        .iter()
        .map(|arg| {
            if arg == "second" {
                "third".into()
            } else {
                arg.clone()
            }
        })
        .collect();
    other.extend(["--ngf".into(), "16".into()]);
    let out = run(&other);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("ngf 8") && text(&out).contains("ngf 16"),
        "{}",
        text(&out)
    );
}

fn csv_steps(csv: &Path) -> Vec<u64> {
    std::fs::read_to_string(csv)
        .unwrap()
        .lines()
        .skip(1)
        .map(|line| line.split(',').next().unwrap().parse().unwrap())
        .collect()
}

/// Twenty SIGKILLs at random moments (mid-step, mid-checkpoint, mid-CSV): every time the run
/// resumes from a loadable checkpoint, and at the end the CSV holds each step exactly once.
#[test]
fn twenty_kills_at_random_moments_lose_no_step() {
    use rand::{Rng, SeedableRng};
    let root = scratch("train_kills");
    let data = root.join("data");
    make_dataset(&data, 6);
    let checkpoint_path = root.join("runs/kills/checkpoint.lts");
    let mut rng = rand::rngs::StdRng::seed_from_u64(20);
    let mut resumed_from = Vec::new();
    for kill in 0..20 {
        let mut args = train_args(&data, &root, "kills", 100_000);
        args.extend(["--checkpoint-every".into(), "2".into()]);
        if kill > 0 {
            args.push("--resume".into());
        }
        let mut child = spawn(&args);
        if kill == 0 {
            wait_for_checkpoint(&checkpoint_path, 2, &mut child);
        }
        std::thread::sleep(Duration::from_millis(rng.random_range(20..400)));
        child.kill().unwrap();
        let output = child.wait_with_output().unwrap();
        let log = String::from_utf8_lossy(&output.stderr);
        assert!(!log.contains("panicked") && !log.contains("error"), "{log}");
        resumed_from.push(
            checkpoint::peek(&checkpoint_path)
                .expect("a loadable checkpoint")
                .step,
        );
    }
    let last = *resumed_from.last().unwrap();
    resume(train_args(&data, &root, "kills", last + 3), last);
    let steps = csv_steps(&root.join("runs/kills/losses.csv"));
    assert_eq!(
        steps,
        (1..=last + 3).collect::<Vec<_>>(),
        "each step once, in order (checkpoints after the kills: {resumed_from:?})"
    );
    assert!(
        resumed_from.windows(2).any(|w| w[1] > w[0]),
        "the run made progress between kills: {resumed_from:?}"
    );
}

#[test]
fn ctrl_c_saves_a_checkpoint_and_stops() {
    let root = scratch("train_sigint");
    let data = root.join("data");
    make_dataset(&data, 6);
    let mut args = train_args(&data, &root, "stopped", 100_000);
    args.extend(["--checkpoint-every".into(), "1000".into()]);
    let child = spawn(&args);
    let csv = root.join("runs/stopped/losses.csv");
    let deadline = Instant::now() + Duration::from_secs(300);
    while !csv.exists() || std::fs::metadata(&csv).unwrap().len() == 0 {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let saved = checkpoint::peek(&root.join("runs/stopped/checkpoint.lts")).unwrap();
    assert!(
        saved.step >= 1,
        "the checkpoint holds the steps done before Ctrl-C"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("--resume"));
}

#[test]
fn unusable_files_are_skipped_and_counted() {
    let root = scratch("train_bad_files");
    let data = root.join("data");
    make_dataset(&data, 4);
    std::fs::write(
        data.join("corrupt.jpg"),
        b"\xff\xd8\xff\xe0 not really a jpeg",
    )
    .unwrap();
    std::fs::write(data.join("empty.png"), b"").unwrap();
    RgbImage::new(4, 4).save(data.join("tiny.png")).unwrap();
    let photo = image::open(fixtures().join("images/portrait.jpg")).unwrap();
    photo.to_luma8().save(data.join("grey.png")).unwrap();
    photo.to_rgb16().save(data.join("deep16.png")).unwrap();
    std::fs::copy(fixtures().join("formats/cmyk.jpg"), data.join("cmyk.jpg")).unwrap();
    std::fs::write(data.join("notes.txt"), "not an image, not even looked at").unwrap();

    let out = run(&train_args(&data, &root, "mixed", 12));
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("3 skipped"), "{log}");
    assert!(log.contains("7 images used"), "{log}");
    for bad in ["corrupt.jpg", "empty.png", "tiny.png"] {
        assert_eq!(log.matches(bad).count(), 1, "one warning for {bad}: {log}");
    }
}

#[test]
fn a_folder_without_images_is_a_clear_error() {
    let root = scratch("train_empty");
    let data: PathBuf = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let out = run(&train_args(&data, &root, "none", 5));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("no images"), "{}", text(&out));
}

/// A run started on Burn's autodiff (`--backend flex`) continues on the CPU trainer: the
/// checkpoint carries weights and Adam's moments in Burn's format, and L1 keeps falling.
#[test]
fn a_run_moves_between_burn_and_the_cpu_trainer() {
    let root = scratch("train_switch");
    let data = root.join("data");
    make_dataset(&data, 10);
    let mut args = train_args(&data, &root, "switch", 30);
    args.extend(["--backend".to_string(), "flex".to_string()]);
    let out = run(&args);
    assert!(out.status.success(), "{}", text(&out));
    let mut args = train_args(&data, &root, "switch", 60);
    args.extend([
        "--resume".to_string(),
        "--backend".to_string(),
        "cpu".to_string(),
    ]);
    let out = run(&args);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("resuming switch from step 30"),
        "{}",
        text(&out)
    );
    let l1 = l1_column(&root.join("runs/switch/losses.csv"));
    assert_eq!(l1.len(), 60, "one row per step across both runs");
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len() as f32;
    assert!(
        mean(&l1[50..]) < mean(&l1[20..30]),
        "L1 keeps falling after the switch: {:?}",
        l1
    );
    assert!(root.join("models/switch/weights.safetensors").exists());
}

/// Runs `lts` with `args` while `dir` is a tmpfs of `bytes` (in a private mount namespace, so
/// no root and no mount left behind), then copies what it left there into `kept`.
fn run_on_small_disk(dir: &Path, bytes: u64, kept: &Path, args: &[String]) -> std::process::Output {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::create_dir_all(kept).unwrap();
    let script = r#"mount -t tmpfs -o size="$1" tmpfs "$2" || exit 90
disk="$2"; kept="$3"; shift 3
"$@"; code=$?
cp -a "$disk/." "$kept/"
exit $code"#;
    let output = Command::new("unshare")
        .args([
            "--user",
            "--map-root-user",
            "--mount",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .arg(bytes.to_string())
        .arg(dir)
        .arg(kept)
        .arg(env!("CARGO_BIN_EXE_lts"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("unshare (util-linux) runs");
    assert_ne!(
        output.status.code(),
        Some(90),
        "could not mount a tmpfs in a user namespace: {}",
        text(&output)
    );
    output
}

/// A disk that fills mid-run: the run stops with a message that says so, the last good
/// checkpoint is intact and loadable, and `--resume` continues from it with each step once.
#[test]
fn a_full_disk_stops_training_clearly_and_keeps_the_last_checkpoint() {
    let root = scratch("train_full_disk");
    let data = root.join("data");
    make_dataset(&data, 8);
    let with_every = |mut args: Vec<String>| {
        args.extend(["--checkpoint-every".into(), "2".into()]);
        args
    };
    // One checkpoint's size, from a run on a roomy disk.
    let out = run(&with_every(train_args(
        &data,
        &root.join("roomy"),
        "full",
        2,
    )));
    assert!(out.status.success(), "{}", text(&out));
    let checkpoint_bytes = std::fs::metadata(root.join("roomy/runs/full/checkpoint.lts"))
        .unwrap()
        .len();
    // Room for one checkpoint and the CSV, not for a second checkpoint beside it: the atomic
    // write of step 4 fails (batch 2, 8 images: an epoch is 4 steps).
    let disk = root.join("disk");
    let kept = root.join("runs");
    let mut args = with_every(train_args(&data, &root, "full", 8));
    let runs_at = args.iter().position(|a| a == "--runs").unwrap();
    args[runs_at + 1] = disk.display().to_string();
    let out = run_on_small_disk(&disk, checkpoint_bytes * 3 / 2 + 16 * 1024, &kept, &args);
    let log = text(&out);
    assert!(!out.status.success(), "the run cannot finish: {log}");
    assert!(!log.contains("panicked"), "{log}");
    assert!(log.contains("the disk is full"), "{log}");
    assert!(log.contains("--resume"), "{log}");
    let checkpoint_path = kept.join("full/checkpoint.lts");
    let last = checkpoint::peek(&checkpoint_path)
        .expect("the last good checkpoint is intact")
        .step;
    assert!(log.contains(&format!("step {last}")), "{log}");
    assert!((2..8).contains(&last), "{last}");
    let leftovers: Vec<_> = std::fs::read_dir(kept.join("full"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|name| name.ends_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "a failed write cleans up: {leftovers:?}"
    );

    resume(with_every(train_args(&data, &root, "full", 8)), last);
    assert_eq!(
        csv_steps(&kept.join("full/losses.csv")),
        (1..=8).collect::<Vec<_>>()
    );
}
