//! The shipped models: small, f16, described, and clearly better than a trivial baseline on
//! targets they never saw. The default preset plays one of them.

mod common;

use std::path::Path;

use common::{fixtures, lts, text};
use learning_to_see::model::weights::Precision;
use learning_to_see::model::ModelPackage;
use learning_to_see::preset::Preset;
use learning_to_see::train::evaluate::evaluate;

const SHIPPED: [&str; 2] = ["fire", "cosmos"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn shipped_models_are_small_described_and_beat_the_baseline_on_held_out_targets() {
    for name in SHIPPED {
        let package = ModelPackage::open(&root().join("models").join(name)).unwrap();
        let meta = &package.meta;
        assert_eq!(meta.precision, Precision::F16, "{name}");
        let bytes = std::fs::metadata(package.weights_path()).unwrap().len();
        assert!(
            bytes < 8_000_000,
            "{name}: {bytes} bytes, more than a few MB"
        );
        assert!(
            meta.made_by.contains("lts train"),
            "{name}: how it was made: {}",
            meta.made_by
        );
        assert!(meta.credits.contains("Memo Akten"), "{name}");
        let dataset = meta.dataset.as_ref().expect("dataset recorded");
        assert!(dataset.images > 0);
        let recorded = meta
            .evaluation
            .as_ref()
            .expect("held-out figures in model.toml");
        assert!(
            recorded.model_l1 < 0.9 * recorded.baseline_l1,
            "{name}: recorded L1 {} vs baseline {}",
            recorded.model_l1,
            recorded.baseline_l1
        );
        // Recomputed here on committed held-out targets.
        let heldout = fixtures().join("heldout").join(name);
        let now = evaluate(&package, &heldout, recorded.mean_colour, recorded.size).unwrap();
        assert!(now.images >= 10);
        assert!(
            now.model_l1 < 0.9 * now.baseline_l1,
            "{name}: L1 {} vs baseline {} on {}",
            now.model_l1,
            now.baseline_l1,
            heldout.display()
        );
        assert!(
            root()
                .join("docs/samples")
                .join(format!("{name}.png"))
                .exists(),
            "{name}: sample grid"
        );
    }
}

#[test]
fn the_default_preset_plays_a_shipped_model() {
    let preset = Preset::load(&root().join("presets/default.toml")).unwrap();
    assert!(SHIPPED.contains(&preset.model.as_str()), "{}", preset.model);
    let out = lts(&[
        "presets",
        "--dir",
        root().join("presets").to_str().unwrap(),
        "--models",
        root().join("models").to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
}
