//! Damaged files never crash anything: 10,000 seeded mutations each of a `model.toml`, a preset,
//! a safetensors file (its header, where the parser works) and a PyTorch `.pth` either load or
//! are refused with a message.

mod common;

use std::path::Path;

use common::{fixtures, scratch};
use learning_to_see::control::preset::Preset;
use learning_to_see::infer::Cpu;
use learning_to_see::model::package::{META_FILE, WEIGHTS_FILE};
use learning_to_see::model::weights::{load_pth, load_safetensors};
use learning_to_see::model::{Arch, GeneratorConfig, ModelPackage, NormKind};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const CASES: usize = 10_000;

/// Values that break naive parsers and range checks.
const NASTY: &[&str] = &[
    "0",
    "-1",
    "1e309",
    "nan",
    "inf",
    "-inf",
    "18446744073709551616",
    "99999999",
    "\"\"",
    "[",
    "]]",
    "=",
    "\n[generator]\n",
    "\"unet_7\"",
    "\"resnet_999999999blocks\"",
    "true",
    "\u{0}",
    "é",
    "'''",
];

/// One to four random edits: a byte overwritten, a range deleted or repeated, a nasty value
/// put in place of a few bytes (in text, mostly where a value starts).
fn mutate(original: &[u8], rng: &mut StdRng, limit: usize) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let len = bytes.len().min(limit);
        if len == 0 {
            bytes.push(rng.random());
            continue;
        }
        let at = rng.random_range(0..len);
        match rng.random_range(0..4) {
            0 => bytes[at] = rng.random(),
            1 => {
                let end = (at + rng.random_range(1..32)).min(bytes.len());
                bytes.drain(at..end);
            }
            2 => {
                let end = (at + rng.random_range(1..64)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                bytes.splice(at..at, copy);
            }
            _ => {
                let start = bytes[..at]
                    .iter()
                    .rposition(|&b| b == b'=')
                    .map_or(at, |eq| eq + 2)
                    .min(bytes.len());
                let end = (start + rng.random_range(0..8)).min(bytes.len());
                let nasty = NASTY[rng.random_range(0..NASTY.len())].as_bytes();
                bytes.splice(start..end, nasty.iter().copied());
            }
        }
    }
    bytes
}

/// A small U-Net package (32², ngf 4) to damage.
fn tiny_package(dir: &Path) -> ModelPackage {
    let config = GeneratorConfig::new(Arch::unet_for(32), 4, NormKind::Batch);
    let weights = config.init::<Cpu>(&Default::default()).state_dict();
    let mut meta = ModelPackage::open(&Path::new(env!("CARGO_MANIFEST_DIR")).join("models/fire"))
        .unwrap()
        .meta;
    meta.generator = config;
    meta.resolution = 32;
    ModelPackage::write(dir, &meta, &weights).unwrap()
}

#[test]
fn damaged_model_toml_loads_or_is_refused() {
    let dir = scratch("fuzz-model-toml");
    let package = tiny_package(&dir);
    let original = std::fs::read(package.dir.join(META_FILE)).unwrap();
    let mut rng = StdRng::seed_from_u64(1);
    let mut loaded = 0;
    for _ in 0..CASES {
        std::fs::write(dir.join(META_FILE), mutate(&original, &mut rng, usize::MAX)).unwrap();
        match ModelPackage::open(&dir) {
            Ok(package) => {
                // Whatever parses must build, or say why not, without running out of memory.
                if package.load::<Cpu>(&Default::default()).is_ok() {
                    loaded += 1;
                }
            }
            Err(error) => assert!(!error.to_string().is_empty()),
        }
    }
    assert!(loaded > 0, "some harmless edits (a description) still load");
}

#[test]
fn damaged_presets_load_or_are_refused() {
    let original =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("presets/sea.toml")).unwrap();
    let dir = scratch("fuzz-preset");
    let path = dir.join("damaged.toml");
    let mut rng = StdRng::seed_from_u64(2);
    let mut refused = 0;
    for _ in 0..CASES {
        std::fs::write(&path, mutate(&original, &mut rng, usize::MAX)).unwrap();
        if let Err(error) = Preset::load(&path) {
            assert!(format!("{error:#}").contains("damaged.toml"), "{error:#}");
            refused += 1;
        }
    }
    assert!(refused > CASES / 10, "most damage is noticed ({refused})");
}

#[test]
fn damaged_safetensors_headers_load_or_are_refused() {
    let dir = scratch("fuzz-safetensors");
    let package = tiny_package(&dir);
    let path = package.weights_path();
    let original = std::fs::read(&path).unwrap();
    let header = 8 + u64::from_le_bytes(original[..8].try_into().unwrap()) as usize;
    let mut rng = StdRng::seed_from_u64(3);
    let mut refused = 0;
    for _ in 0..CASES {
        std::fs::write(&path, mutate(&original, &mut rng, header)).unwrap();
        match load_safetensors(&path) {
            Ok(_) => {
                if package.load::<Cpu>(&Default::default()).is_err() {
                    refused += 1;
                }
            }
            Err(_) => refused += 1,
        }
    }
    assert!(refused > CASES / 10, "most damage is noticed ({refused})");
    assert!(dir.join(WEIGHTS_FILE).exists());
}

#[test]
fn damaged_pth_files_load_or_are_refused() {
    let original =
        std::fs::read(fixtures().join("reference/resnet2_ngf4_instance_in1.pth")).unwrap();
    let dir = scratch("fuzz-pth");
    let path = dir.join("damaged.pth");
    let mut rng = StdRng::seed_from_u64(4);
    let mut refused = 0;
    for _ in 0..CASES {
        std::fs::write(&path, mutate(&original, &mut rng, usize::MAX)).unwrap();
        if let Err(error) = load_pth(&path) {
            assert!(format!("{error:#}").contains("damaged.pth"), "{error:#}");
            refused += 1;
        }
    }
    assert!(refused > 0, "damage is noticed ({refused})");
}
