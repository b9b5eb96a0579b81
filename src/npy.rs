//! float32 `.npy` arrays, for exact comparisons with other implementations.

use std::path::Path;

use anyhow::{bail, Context, Result};
use npyz::WriterBuilder;

pub fn read_f32(path: &Path) -> Result<(Vec<usize>, Vec<f32>)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let file = npyz::NpyFile::new(&bytes[..])
        .with_context(|| format!("{} is not a .npy file", path.display()))?;
    if file.order() != npyz::Order::C {
        bail!("{}: only C-ordered arrays are supported", path.display());
    }
    let shape = file.shape().iter().map(|&d| d as usize).collect();
    let values = file
        .into_vec::<f32>()
        .with_context(|| format!("{} does not hold float32 values", path.display()))?;
    Ok((shape, values))
}

pub fn write_f32(path: &Path, shape: &[usize], values: &[f32]) -> Result<()> {
    let mut bytes = Vec::new();
    let shape: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
    let mut writer = npyz::WriteOptions::new()
        .default_dtype()
        .shape(&shape)
        .writer(&mut bytes)
        .begin_nd()?;
    writer.extend(values.iter().copied())?;
    writer.finish()?;
    crate::atomic::write_atomic(path, &bytes).with_context(|| format!("writing {}", path.display()))
}
