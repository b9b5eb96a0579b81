//! What a user watches while training: a losses CSV, a loss chart and sample grids.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use image::RgbImage;

use super::gan::Losses;
use super::plot::{loss_chart, read_losses};
use crate::atomic::write_atomic;
use crate::look::cpu::to_rgb_image;

const HEADER: &str = "step,lr,g_gan,g_l1,d_real,d_fake,images_per_s";

/// Rewrites the CSV (atomically) with its header and the complete rows of steps ≤ `step`;
/// removes it when none are left.
fn keep_rows_up_to(path: &Path, step: u64) -> Result<()> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let complete = &text[..text.rfind('\n').map_or(0, |end| end + 1)];
    let rows: Vec<&str> = complete
        .lines()
        .filter(|line| {
            line.split(',')
                .next()
                .and_then(|s| s.parse::<u64>().ok())
                .is_some_and(|row| row <= step)
        })
        .collect();
    if rows.is_empty() {
        return std::fs::remove_file(path).with_context(|| format!("removing {}", path.display()));
    }
    let kept = format!("{HEADER}\n{}\n", rows.join("\n"));
    if kept != text {
        write_atomic(path, kept.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

pub struct Report {
    dir: PathBuf,
    csv: std::io::BufWriter<std::fs::File>,
}

impl Report {
    /// Opens `losses.csv` in the run directory to append the rows after `step` (0 for a new
    /// run). Rows a killed run wrote past its last checkpoint, and a torn last line, are dropped
    /// first, so that every step appears once.
    pub fn open(dir: &Path, step: u64) -> Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join("losses.csv");
        if path.exists() {
            keep_rows_up_to(&path, step)?;
        }
        let fresh = !path.exists();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        let mut csv = std::io::BufWriter::new(file);
        if fresh {
            writeln!(csv, "{HEADER}")?;
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            csv,
        })
    }

    pub fn record(&mut self, step: u64, lr: f64, losses: Losses, images_per_s: f64) -> Result<()> {
        writeln!(
            self.csv,
            "{step},{lr:.3e},{:.5},{:.5},{:.5},{:.5},{images_per_s:.2}",
            losses.g_gan, losses.g_l1, losses.d_real, losses.d_fake
        )?;
        Ok(())
    }

    pub fn flush(&mut self) -> Result<()> {
        self.csv
            .flush()
            .with_context(|| format!("writing {}", self.dir.join("losses.csv").display()))
    }

    /// Rows of look | output | target, and `samples_latest.png` beside it.
    pub fn samples(
        &self,
        name: &str,
        rows: &[(Vec<f32>, Vec<f32>, Vec<f32>)],
        size: usize,
    ) -> Result<PathBuf> {
        let mut sheet = RgbImage::new((size * 3) as u32, (size * rows.len()) as u32);
        for (row, (look, output, target)) in rows.iter().enumerate() {
            let y = (row * size) as i64;
            image::imageops::replace(&mut sheet, &to_rgb_image(look, size, size), 0, y);
            image::imageops::replace(
                &mut sheet,
                &to_rgb_image(output, size, size),
                size as i64,
                y,
            );
            image::imageops::replace(
                &mut sheet,
                &to_rgb_image(target, size, size),
                2 * size as i64,
                y,
            );
        }
        let path = self.dir.join(name);
        sheet
            .save(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        let _ = std::fs::copy(&path, self.dir.join("samples_latest.png"));
        Ok(path)
    }

    /// The loss chart of the whole run (resumed parts included) in `losses.svg`.
    pub fn plot(&mut self, title: &str) -> Result<()> {
        self.flush()?;
        let rows = read_losses(&self.dir.join("losses.csv"))?;
        if rows.len() < 2 {
            return Ok(());
        }
        let path = self.dir.join("losses.svg");
        crate::atomic::write_atomic(&path, loss_chart(title, &rows).as_bytes())
            .with_context(|| format!("writing {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(path: &Path) -> Vec<u64> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect()
    }

    #[test]
    fn resuming_drops_rows_past_the_checkpoint_and_a_torn_line() {
        let dir = std::env::temp_dir().join(format!("lts-report-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("losses.csv");
        let mut text = format!("{HEADER}\n");
        for step in 1..=9 {
            text += &format!("{step},2.000e-4,1,1,1,1,3.0\n");
        }
        text += "10,2.000e-4,1,1";
        std::fs::write(&path, text).unwrap();

        let mut report = Report::open(&dir, 6).unwrap();
        assert_eq!(steps(&path), (1..=6).collect::<Vec<_>>());
        let losses = Losses {
            g_gan: 1.0,
            g_l1: 1.0,
            d_real: 1.0,
            d_fake: 1.0,
        };
        report.record(7, 2e-4, losses, 3.0).unwrap();
        report.flush().unwrap();
        assert_eq!(steps(&path), (1..=7).collect::<Vec<_>>());

        drop(report);
        Report::open(&dir, 0).unwrap();
        assert_eq!(
            steps(&path),
            Vec::<u64>::new(),
            "a new run starts a new table"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
