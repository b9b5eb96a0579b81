//! Weights by PyTorch key name: the one format shared by `.pth` import, model packages and export.

use std::collections::BTreeMap;

use burn::module::{Param, RunningState};
use burn::prelude::*;

/// A tensor as stored on disk: shape plus f32 values.
#[derive(Clone, Debug)]
pub struct StoredTensor {
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    #[error("the weights have no tensor `{key}` (expected shape {expected:?}); is --arch/--ngf/--input-nc/--norm right for this file?")]
    Missing { key: String, expected: Vec<usize> },
    #[error("tensor `{key}` has shape {found:?} but this architecture expects {expected:?}; check --arch, --ngf, --input-nc and --norm")]
    Shape {
        key: String,
        expected: Vec<usize>,
        found: Vec<usize>,
    },
    #[error("the weights hold {count} tensor(s) this architecture does not use, first `{first}`; check --arch and --norm")]
    Unused { count: usize, first: String },
}

/// An ordered map from PyTorch state_dict keys to tensors.
#[derive(Clone, Debug, Default)]
pub struct StateDict {
    pub tensors: BTreeMap<String, StoredTensor>,
}

impl StateDict {
    pub fn insert(&mut self, key: impl Into<String>, shape: Vec<usize>, values: Vec<f32>) {
        self.tensors
            .insert(key.into(), StoredTensor { shape, values });
    }

    pub fn len(&self) -> usize {
        self.tensors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tensors.is_empty()
    }

    /// Trainable parameters, as PyTorch counts them (running statistics are buffers, not
    /// parameters).
    pub fn parameter_count(&self) -> usize {
        self.tensors
            .iter()
            .filter(|(key, _)| !key.contains("running_"))
            .map(|(_, tensor)| tensor.values.len())
            .sum()
    }

    /// Bookkeeping entries PyTorch writes that carry no weights.
    pub fn drop_bookkeeping(&mut self) {
        self.tensors
            .retain(|key, _| !key.ends_with("num_batches_tracked"));
    }

    fn take(&mut self, key: &str, expected: &[usize]) -> Result<StoredTensor, WeightsError> {
        let tensor = self
            .tensors
            .remove(key)
            .ok_or_else(|| WeightsError::Missing {
                key: key.to_string(),
                expected: expected.to_vec(),
            })?;
        if tensor.shape != expected {
            return Err(WeightsError::Shape {
                key: key.to_string(),
                expected: expected.to_vec(),
                found: tensor.shape,
            });
        }
        Ok(tensor)
    }

    /// Fails when keys are left over after a load: the file is a different architecture.
    pub fn ensure_consumed(&self) -> Result<(), WeightsError> {
        match self.tensors.keys().next() {
            None => Ok(()),
            Some(first) => Err(WeightsError::Unused {
                count: self.tensors.len(),
                first: first.clone(),
            }),
        }
    }
}

/// Walks a module's tensors under their PyTorch names, either saving them or loading them.
pub enum Walk<'a> {
    Save(&'a mut StateDict),
    Load(&'a mut StateDict),
}

impl Walk<'_> {
    pub fn param<B: Backend, const D: usize>(
        &mut self,
        key: &str,
        param: Param<Tensor<B, D>>,
    ) -> Result<Param<Tensor<B, D>>, WeightsError> {
        match self {
            Walk::Save(dict) => {
                let tensor = param.val();
                dict.insert(key, tensor.dims().to_vec(), to_values(tensor));
                Ok(param)
            }
            Walk::Load(dict) => {
                let device = param.device();
                let dims = param.shape().to_vec();
                let stored = dict.take(key, &dims)?;
                let tensor = from_values::<B, D>(stored, &device);
                Ok(Param::initialized(param.id, tensor))
            }
        }
    }

    pub fn running<B: Backend, const D: usize>(
        &mut self,
        key: &str,
        state: RunningState<Tensor<B, D>>,
    ) -> Result<RunningState<Tensor<B, D>>, WeightsError> {
        match self {
            Walk::Save(dict) => {
                let tensor = state.value();
                dict.insert(key, tensor.dims().to_vec(), to_values(tensor));
                Ok(state)
            }
            Walk::Load(dict) => {
                let tensor = state.value();
                let device = tensor.device();
                let stored = dict.take(key, &tensor.dims())?;
                Ok(RunningState::new(from_values::<B, D>(stored, &device)))
            }
        }
    }
}

/// A tensor's values as f32, in its row-major order.
pub fn to_values<B: Backend, const D: usize>(tensor: Tensor<B, D>) -> Vec<f32> {
    tensor
        .into_data()
        .convert::<f32>()
        .into_vec::<f32>()
        .expect("float tensor data")
}

fn from_values<B: Backend, const D: usize>(
    stored: StoredTensor,
    device: &B::Device,
) -> Tensor<B, D> {
    Tensor::from_data(TensorData::new(stored.values, stored.shape), device)
}
