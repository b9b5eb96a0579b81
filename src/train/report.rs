//! What a user watches while training: a losses CSV, a loss-curve PNG and sample grids.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use image::{Rgb, RgbImage};

use super::gan::Losses;
use crate::look::cpu::to_rgb_image;

/// Picks one loss out of a step's losses.
type LossOf = fn(&Losses) -> f32;

pub struct Report {
    dir: PathBuf,
    csv: std::io::BufWriter<std::fs::File>,
    history: Vec<(u64, Losses)>,
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
            history: Vec::new(),
        })
    }

    pub fn record(&mut self, step: u64, lr: f64, losses: Losses, images_per_s: f64) -> Result<()> {
        writeln!(
            self.csv,
            "{step},{lr:.3e},{:.5},{:.5},{:.5},{:.5},{images_per_s:.2}",
            losses.g_gan, losses.g_l1, losses.d_real, losses.d_fake
        )?;
        self.history.push((step, losses));
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

    /// L1 (red) and the G GAN loss (blue) against steps, smoothed, in `losses.png`.
    pub fn plot(&self) -> Result<()> {
        if self.history.len() < 2 {
            return Ok(());
        }
        let (width, height) = (640u32, 320u32);
        let mut plot = RgbImage::from_pixel(width, height, Rgb([255, 255, 255]));
        let series: [(LossOf, Rgb<u8>); 2] = [
            (|l| l.g_l1, Rgb([200, 30, 30])),
            (|l| l.g_gan, Rgb([30, 60, 200])),
        ];
        for (value, colour) in series {
            let smoothed: Vec<f32> = self
                .history
                .iter()
                .scan(None, |ema: &mut Option<f32>, (_, l)| {
                    let v = value(l);
                    let next = ema.map_or(v, |e| 0.9 * e + 0.1 * v);
                    *ema = Some(next);
                    Some(next)
                })
                .collect();
            let max = smoothed.iter().cloned().fold(f32::MIN, f32::max).max(1e-6);
            let n = smoothed.len();
            for (i, v) in smoothed.iter().enumerate() {
                let x = (i as u64 * (width as u64 - 1) / (n as u64 - 1).max(1)) as u32;
                let y =
                    ((1.0 - v / max) * (height - 1) as f32).clamp(0.0, (height - 1) as f32) as u32;
                for dy in 0..2 {
                    plot.put_pixel(x, (y + dy).min(height - 1), colour);
                }
            }
        }
        let path = self.dir.join("losses.png");
        plot.save(&path)
            .with_context(|| format!("writing {}", path.display()))
    }
}
