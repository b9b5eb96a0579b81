//! Every bad value a user can type is refused by the real binary with a message that names the
//! problem and a non-zero exit, before any work starts: no panic, no endless run, no model
//! written.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{destinations, fixtures, lts, scratch, text};

/// Flags that make a training run tiny, and keep what it writes under `root`.
fn tiny_run(root: &Path) -> Vec<String> {
    let data = fixtures().join("heldout/sea");
    let mut args: Vec<String> = ["--data", data.to_str().unwrap(), "--ngf", "4", "--ndf", "4"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(destinations(root));
    args
}

fn assert_refused(args: &[String], wanted: &str) {
    let started = Instant::now();
    let output = lts(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let said = text(&output);
    assert!(
        !output.status.success(),
        "`lts {}` should fail, said: {said}",
        args.join(" ")
    );
    assert!(
        said.contains(wanted),
        "`lts {}` should say `{wanted}`, said: {said}",
        args.join(" ")
    );
    assert!(!said.contains("panicked"), "{said}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "refusing took {:?}",
        started.elapsed()
    );
}

#[test]
fn bad_values_are_refused_with_a_clear_message() {
    let root = scratch("bad-input");
    let out = root.join("out");
    let out = out.to_str().unwrap();
    let train = |extra: &[&str]| {
        let mut args = vec!["train".to_string()];
        args.extend(tiny_run(&root));
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    let plain = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            train(&["--name", "a", "--size", "96", "--steps", "1"]),
            "--size 96 does not fit",
        ),
        (
            train(&["--name", "a", "--size", "0", "--steps", "1"]),
            "at least 1",
        ),
        (
            train(&["--name", "a", "--levels", "3", "--steps", "1"]),
            "--levels must be 5 to 12",
        ),
        (
            train(&["--name", "a", "--downscale", "0", "--steps", "1"]),
            "between 1 and 4096",
        ),
        (
            train(&["--name", "a", "--downscale", "NaN", "--steps", "1"]),
            "not a finite number",
        ),
        (
            train(&["--name", "a", "--lr", "nan", "--steps", "1"]),
            "not a finite number",
        ),
        (
            train(&["--name", "a", "--lr=-1", "--steps", "1"]),
            "must be above 0",
        ),
        (train(&["--name", "a", "--epochs", "0"]), "must be above 0"),
        (train(&["--name", "a", "--steps", "0"]), "at least 1"),
        (
            train(&["--name", "a", "--batch", "0", "--steps", "1"]),
            "at least 1",
        ),
        (
            train(&["--name", "a", "--workers", "0", "--steps", "1"]),
            "at least 1",
        ),
        (
            train(&["--name", "a", "--checkpoint-every", "0", "--steps", "1"]),
            "at least 1",
        ),
        (
            train(&["--name", "../escape", "--steps", "1"]),
            "not a plain file name",
        ),
        (
            train(&["--name", "a/b", "--steps", "1"]),
            "not a plain file name",
        ),
        (
            train(&["--name", "..", "--steps", "1"]),
            "not a plain file name",
        ),
        (
            plain(&["render", "--frames", "0", "--out", out]),
            "at least 1",
        ),
        (
            plain(&["render", "--fps", "0", "--frames", "1", "--out", out]),
            "must be above 0",
        ),
        (
            plain(&["render", "--fps", "nan", "--frames", "1", "--out", out]),
            "not a finite number",
        ),
        (
            plain(&["live", "--size", "0x0", "--frames", "1"]),
            "each side is 1 to 16384",
        ),
        (
            plain(&["live", "--size", "640", "--frames", "1"]),
            "WIDTHxHEIGHT",
        ),
        (
            plain(&["live", "--glide", "nan", "--frames", "1"]),
            "not a finite number",
        ),
        (
            plain(&["live", "--glide=-1", "--frames", "1"]),
            "must be 0 or more",
        ),
        (plain(&["live", "--frames", "0"]), "at least 1"),
        (
            plain(&["preprocess", "--dataset", out, "--pairs", "0", "--out", out]),
            "at least 1",
        ),
        (
            plain(&["preprocess", "--dataset", out, "--size", "0", "--out", out]),
            "at least 1",
        ),
        (
            plain(&["import", "x.pth", "--out", out, "--downscale", "0"]),
            "between 1 and 4096",
        ),
        (
            plain(&["import", "x.pth", "--out", out, "--ngf", "0"]),
            "at least 1",
        ),
        (
            plain(&[
                "evaluate",
                "--model",
                out,
                "--heldout",
                out,
                "--sheet-rows",
                "0",
            ]),
            "at least 1",
        ),
        (plain(&["bench", "train", "--batch", "0"]), "at least 1"),
    ];
    for (args, wanted) in &cases {
        assert_refused(args, wanted);
    }
    assert!(
        !root.join("runs").exists() && !root.join("models").exists(),
        "a refused run writes nothing"
    );
}

#[test]
fn a_new_run_never_replaces_a_model_without_force() {
    let root = scratch("no-overwrite");
    let run = |name: &str, extra: &[&str]| {
        let mut args = vec!["train".to_string(), "--name".into(), name.into()];
        args.extend(tiny_run(&root));
        args.extend(["--size", "32"].map(String::from));
        if !extra.contains(&"--steps") {
            args.extend(["--steps", "1"].map(String::from));
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let output = lts(&args.iter().map(String::as_str).collect::<Vec<_>>());
        (output.status.success(), text(&output))
    };
    let (ok, said) = run("first", &[]);
    assert!(ok, "{said}");
    let model = root.join("models/first/model.toml");
    let before = std::fs::read(&model).unwrap();

    // Another run of the same name (its run folder gone, as after a clean-up) must not replace
    // the model, nor the preset of that name.
    std::fs::remove_dir_all(root.join("runs/first")).unwrap();
    let (ok, said) = run("first", &["--seed", "7"]);
    assert!(
        !ok && said.contains("already exists") && said.contains("--force"),
        "{said}"
    );
    assert_eq!(
        std::fs::read(&model).unwrap(),
        before,
        "the model is untouched"
    );
    std::fs::remove_dir_all(root.join("models/first")).unwrap();
    let (ok, said) = run("first", &[]);
    assert!(!ok && said.contains("presets/first.toml"), "{said}");

    // --resume continues its own run and may refresh its own model.
    let (ok, said) = run("first", &["--force"]);
    assert!(ok, "{said}");
    let (ok, said) = run("first", &["--resume", "--steps", "2"]);
    assert!(ok, "{said}");
}

#[test]
fn resume_refuses_networks_other_than_the_checkpoints() {
    let root = scratch("resume-mismatch");
    let mut args = vec!["train".to_string(), "--name".into(), "r".into()];
    args.extend(tiny_run(&root));
    args.extend(["--size", "32", "--steps", "1"].map(String::from));
    let output = lts(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(output.status.success(), "{}", text(&output));

    let mut again = args.clone();
    let ngf = again.iter().position(|a| a == "--ngf").unwrap();
    again[ngf + 1] = "8".into();
    again.extend(["--resume", "--upsample", "resize"].map(String::from));
    let output = lts(&again.iter().map(String::as_str).collect::<Vec<_>>());
    let said = text(&output);
    assert!(!output.status.success(), "{said}");
    assert!(
        said.contains("--ngf 8 (the run has 4)") && said.contains("--upsample resize"),
        "{said}"
    );
}
