//! `lts import` and `lts infer`: PyTorch files become packages that reproduce PyTorch's outputs,
//! and bad files give errors that say what is wrong.

mod common;

use common::{lts, max_abs_diff, reference_cases, scratch, text};
use learning_to_see::npy;

fn import_flags(case: &common::ReferenceCase) -> Vec<String> {
    vec![
        "--arch".into(),
        case.arch_flag(),
        "--ngf".into(),
        case.width.to_string(),
        "--input-nc".into(),
        case.input_nc.to_string(),
        "--norm".into(),
        case.norm.clone(),
    ]
}

fn run(args: Vec<String>) -> std::process::Output {
    lts(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn imported_packages_infer_like_pytorch_in_f32_and_close_in_f16() {
    let dir = scratch("import_roundtrip");
    for case in reference_cases()
        .into_iter()
        .filter(|c| c.kind != "patchgan")
    {
        for half in [false, true] {
            let model = dir.join(format!("{}-{half}", case.name));
            let mut args = vec![
                "import".to_string(),
                case.path(".pth").display().to_string(),
            ];
            args.extend(import_flags(&case));
            args.extend(["--out".into(), model.display().to_string()]);
            if half {
                args.push("--half".into());
            }
            let out = run(args);
            assert!(out.status.success(), "{}", text(&out));

            let results = dir.join(format!("out-{}-{half}", case.name));
            let out = run(vec![
                "infer".into(),
                "--model".into(),
                model.display().to_string(),
                "--input-raw".into(),
                case.path(".input.npy").display().to_string(),
                "--raw".into(),
                "--out".into(),
                results.display().to_string(),
            ]);
            assert!(out.status.success(), "{}", text(&out));
            let (shape, got) = npy::read_f32(&results.join(format!("{}.npy", case.name))).unwrap();
            assert_eq!(shape, vec![3, case.size, case.size]);
            assert!(results.join(format!("{}.png", case.name)).exists());
            let (_, expected) = npy::read_f32(&case.path(".output.npy")).unwrap();
            let diff = max_abs_diff(&got, &expected);
            let tolerance = if half { 2e-2 } else { 1e-4 };
            assert!(
                diff < tolerance,
                "{} half={half}: max abs difference {diff}",
                case.name
            );
        }
    }
    let listing = lts(&["models", "--dir", dir.to_str().unwrap()]);
    assert!(listing.status.success());
    assert!(
        text(&listing).contains("unet6_ngf4_batch_in1-false"),
        "{}",
        text(&listing)
    );
}

#[test]
fn wrong_width_names_the_first_mismatching_key_and_both_shapes() {
    let case = &reference_cases()[0];
    let dir = scratch("import_wrong_ngf");
    let mut args = vec![
        "import".to_string(),
        case.path(".pth").display().to_string(),
    ];
    args.extend(import_flags(case));
    let ngf = args.iter().position(|a| a == "--ngf").unwrap() + 1;
    args[ngf] = (case.width * 2).to_string();
    args.extend(["--out".into(), dir.join("m").display().to_string()]);
    let out = run(args);
    let message = text(&out);
    assert_eq!(out.status.code(), Some(1), "{message}");
    assert!(message.contains("model.model.0.weight"), "{message}");
    assert!(
        message.contains(&format!("[{}, {}, 4, 4]", case.width, case.input_nc)),
        "{message}"
    );
    assert!(
        message.contains(&format!("[{}, {}, 4, 4]", case.width * 2, case.input_nc)),
        "{message}"
    );
    assert!(
        !dir.join("m").exists(),
        "nothing is written for a failed import"
    );
}

#[test]
fn wrong_architecture_is_reported_not_panicked() {
    let unet = &reference_cases()[0];
    let mut args = vec![
        "import".to_string(),
        unet.path(".pth").display().to_string(),
    ];
    args.extend(
        [
            "--arch",
            "resnet_9blocks",
            "--ngf",
            "4",
            "--input-nc",
            "1",
            "--norm",
            "batch",
        ]
        .map(String::from),
    );
    args.extend([
        "--out".into(),
        scratch("import_wrong_arch").join("m").display().to_string(),
    ]);
    let out = run(args);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("model.1.weight"), "{}", text(&out));
}

#[test]
fn truncated_and_foreign_files_give_clear_errors() {
    let case = &reference_cases()[0];
    let dir = scratch("import_bad_files");
    let bytes = std::fs::read(case.path(".pth")).unwrap();
    let truncated = dir.join("truncated.pth");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let text_file = dir.join("notes.pth");
    std::fs::write(&text_file, "this is not a checkpoint\n").unwrap();
    let empty = dir.join("empty.pth");
    std::fs::write(&empty, b"").unwrap();
    let missing = dir.join("missing.pth");
    for file in [&truncated, &text_file, &empty, &missing] {
        let mut args = vec!["import".to_string(), file.display().to_string()];
        args.extend(import_flags(case));
        args.extend(["--out".into(), dir.join("m").display().to_string()]);
        let out = run(args);
        let message = text(&out);
        assert_eq!(out.status.code(), Some(1), "{}: {message}", file.display());
        assert!(message.contains("error:"), "{message}");
        assert!(
            message.contains(file.file_name().unwrap().to_str().unwrap()),
            "{message}"
        );
        assert!(!message.contains("panicked"), "{message}");
    }
}
