#![allow(dead_code)]
//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `--runs`, `--models` and `--presets` under `root`: what a test's training run writes stays
/// in its scratch folder.
pub fn destinations(root: &Path) -> Vec<String> {
    ["runs", "models", "presets"]
        .iter()
        .flat_map(|dir| [format!("--{dir}"), root.join(dir).display().to_string()])
        .collect()
}

pub fn lts(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_lts"))
        .args(args)
        // The project's own messages (where the generator runs, a resumed step), not the
        // graphics stack's.
        .env("RUST_LOG", "warn,learning_to_see=info")
        .output()
        .expect("run lts")
}

pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[derive(serde::Deserialize, Debug, Clone)]
pub struct ReferenceCase {
    pub name: String,
    pub kind: String,
    pub depth: usize,
    pub width: usize,
    pub input_nc: usize,
    pub output_nc: usize,
    pub norm: String,
    pub size: usize,
}

#[derive(serde::Deserialize)]
struct ReferenceCases {
    case: Vec<ReferenceCase>,
}

pub fn reference_cases() -> Vec<ReferenceCase> {
    let text = std::fs::read_to_string(fixtures().join("reference/cases.toml")).unwrap();
    toml::from_str::<ReferenceCases>(&text).unwrap().case
}

impl ReferenceCase {
    pub fn path(&self, suffix: &str) -> PathBuf {
        fixtures()
            .join("reference")
            .join(format!("{}{suffix}", self.name))
    }

    /// The `lts import` flags that describe this case's generator.
    pub fn arch_flag(&self) -> String {
        match self.kind.as_str() {
            "unet" => format!("unet_{}", 1usize << self.depth),
            "resnet" => format!("resnet_{}blocks", self.depth),
            other => panic!("no generator arch for {other}"),
        }
    }
}

/// `lts live` on the synthetic scene in lockstep with drawing (no overlay, no glide, an empty
/// presets directory under `root`) until killed; `extra` adds flags such as ports.
pub fn synthetic_show(root: &Path, size: &str, extra: &[&str]) -> Child {
    let presets = root.join("presets");
    std::fs::create_dir_all(&presets).unwrap();
    Command::new(env!("CARGO_BIN_EXE_lts"))
        .args([
            "live",
            "--source",
            "synthetic",
            "--sync",
            "--frames",
            "1000000",
        ])
        .args(["--size", size, "--no-overlay", "--glide", "0"])
        .arg("--presets")
        .arg(&presets)
        .arg("--models")
        .arg(root.join("models"))
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start lts live")
}
