//! Weight files: safetensors (f16 or f32, PyTorch key names) for packages, `.pth` for import.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use serde::{Deserialize, Serialize};

use super::state_dict::StateDict;
use crate::atomic::write_atomic;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Half the size; what shipped models use. Inference still runs in f32.
    F16,
    #[default]
    F32,
}

pub fn save_safetensors(weights: &StateDict, path: &Path, precision: Precision) -> Result<()> {
    let buffers: Vec<(String, Vec<usize>, Vec<u8>)> = weights
        .tensors
        .iter()
        .map(|(key, tensor)| {
            let bytes = match precision {
                Precision::F32 => bytemuck::cast_slice(&tensor.values).to_vec(),
                Precision::F16 => tensor
                    .values
                    .iter()
                    .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
                    .collect(),
            };
            (key.clone(), tensor.shape.clone(), bytes)
        })
        .collect();
    let dtype = match precision {
        Precision::F16 => Dtype::F16,
        Precision::F32 => Dtype::F32,
    };
    let views = buffers
        .iter()
        .map(|(key, shape, bytes)| {
            Ok((key.as_str(), TensorView::new(dtype, shape.clone(), bytes)?))
        })
        .collect::<Result<Vec<_>, safetensors::SafeTensorError>>()?;
    let bytes = safetensors::serialize(views, None)?;
    write_atomic(path, &bytes).with_context(|| format!("writing {}", path.display()))
}

pub fn load_safetensors(path: &Path) -> Result<StateDict> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let tensors = SafeTensors::deserialize(&bytes)
        .with_context(|| format!("{} is not a valid safetensors file", path.display()))?;
    let mut dict = StateDict::default();
    for (key, view) in tensors.tensors() {
        // PyTorch's batch-norm step counters (int64) carry nothing inference or training needs.
        if key.ends_with("num_batches_tracked") {
            continue;
        }
        let data = view.data();
        let values: Vec<f32> = match view.dtype() {
            Dtype::F32 => data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            Dtype::F16 => data
                .chunks_exact(2)
                .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            Dtype::BF16 => data
                .chunks_exact(2)
                .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
                .collect(),
            other => bail!(
                "{}: tensor `{key}` has unsupported dtype {other:?}",
                path.display()
            ),
        };
        dict.insert(key, view.shape().to_vec(), values);
    }
    Ok(dict)
}

/// Reads a PyTorch `state_dict` file. Never panics: a truncated or foreign file is an error.
pub fn load_pth(path: &Path) -> Result<StateDict> {
    use burn_store::pytorch::PytorchReader;

    if !path.is_file() {
        bail!("{} does not exist or is not a file", path.display());
    }
    let owned = path.to_path_buf();
    let read = std::panic::catch_unwind(move || -> Result<StateDict> {
        let reader = PytorchReader::new(&owned).map_err(|e| anyhow::anyhow!("{e}"))?;
        let tensors: HashMap<_, _> = reader.into_tensors();
        let mut dict = StateDict::default();
        for (key, snapshot) in tensors {
            let shape = snapshot.shape.to_vec();
            let data = snapshot
                .to_data()
                .map_err(|e| anyhow::anyhow!("tensor `{key}`: {e:?}"))?;
            let values = data
                .convert::<f32>()
                .into_vec::<f32>()
                .map_err(|e| anyhow::anyhow!("tensor `{key}`: {e:?}"))?;
            dict.insert(key, shape, values);
        }
        Ok(dict)
    });
    let dict = match read {
        Ok(result) => result,
        Err(_) => bail!("the PyTorch reader crashed on this file"),
    }
    .with_context(|| {
        format!(
            "{} is not a readable PyTorch state_dict (truncated, or not a .pth checkpoint)",
            path.display()
        )
    })?;
    if dict.is_empty() {
        bail!("{} holds no tensors; is it a state_dict?", path.display());
    }
    Ok(dict)
}
