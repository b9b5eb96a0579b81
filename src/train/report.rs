//! What a user watches while training: a losses CSV, a loss chart and sample grids.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use image::RgbImage;

use super::gan::Losses;
use super::plot::{loss_chart, read_losses};
use crate::look::cpu::to_rgb_image;

pub struct Report {
    dir: PathBuf,
    csv: std::io::BufWriter<std::fs::File>,
}

impl Report {
    /// Opens (appending, when resuming) `losses.csv` in the run directory.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join("losses.csv");
        let fresh = !path.exists();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("opening {}", path.display()))?;
        let mut csv = std::io::BufWriter::new(file);
        if fresh {
            writeln!(csv, "step,lr,g_gan,g_l1,d_real,d_fake,images_per_s")?;
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
        self.csv.flush()?;
        Ok(())
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
