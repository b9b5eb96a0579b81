//! The gallery: a systemd user unit that restarts the show forever, and `--gallery` running.

mod common;

use std::path::Path;
use std::process::Command;

use common::scratch;

fn verify(unit: &Path) -> std::process::Output {
    Command::new("systemd-analyze")
        .arg("verify")
        .arg(unit)
        .output()
        .expect("systemd-analyze (Debian's systemd package; scripts/setup.sh installs it)")
}

#[test]
fn the_gallery_unit_verifies_and_restarts_the_show_forever() {
    let dir = scratch("gallery_unit");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new(root.join("scripts/gallery/install.sh"))
        .arg("--unit-only")
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    let unit_path = dir.join("learning-to-see.service");
    let unit = std::fs::read_to_string(&unit_path).unwrap();
    let exec = format!(
        "ExecStart={}/scripts/live.sh --gallery --playlist day",
        root.display()
    );
    for line in [exec.as_str(), "Restart=always", "StartLimitIntervalSec=0"] {
        assert!(unit.lines().any(|l| l == line), "no `{line}` in\n{unit}");
    }
    let checked = verify(&unit_path);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    // The check can fail: a unit that cannot start is refused.
    let broken = dir.join("broken.service");
    std::fs::write(
        &broken,
        unit.replace(&root.display().to_string(), "/nowhere"),
    )
    .unwrap();
    assert!(!verify(&broken).status.success());
}

#[test]
fn a_gallery_show_plays_its_playlist_and_ends_only_when_told() {
    let output = Command::new(env!("CARGO_BIN_EXE_lts"))
        .args([
            "live",
            "--gallery",
            "--source",
            "synthetic",
            "--sync",
            "--frames",
            "60",
        ])
        .args(["--playlist", "day", "--osc-port", "0", "--midi", "off"])
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&output.stdout);
    let logged = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{printed}\n{logged}");
    assert!(printed.contains("frames drawn: 60"), "{printed}");
    assert!(
        logged.contains("gallery:"),
        "blanking is dealt with: {logged}"
    );
    assert!(logged.contains("playlist day from"), "{logged}");
}
