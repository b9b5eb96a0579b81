//! Checkpoints: generator, discriminator, both optimisers and the step, in one file written
//! atomically (temp + rename), so a kill at any moment leaves the previous one intact.

use std::path::Path;

use anyhow::{bail, Context, Result};
use burn::module::Module;
use burn::optim::Optimizer;
use burn::record::{BinBytesRecorder, FullPrecisionSettings, Recorder};
use burn::tensor::backend::AutodiffBackend;

use super::config::TrainConfig;
use super::gan::Pix2Pix;
use crate::atomic::write_atomic;

const MAGIC: &[u8; 8] = b"LTSCKPT1";

type Bytes = BinBytesRecorder<FullPrecisionSettings>;

pub struct Resumed {
    pub step: u64,
    pub config: TrainConfig,
}

fn push(out: &mut Vec<u8>, part: &[u8]) {
    out.extend_from_slice(&(part.len() as u64).to_le_bytes());
    out.extend_from_slice(part);
}

fn parts(bytes: &[u8]) -> Result<Vec<&[u8]>> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        bail!("not a learning-to-see checkpoint");
    }
    let mut rest = &bytes[MAGIC.len()..];
    let mut parts = Vec::new();
    while !rest.is_empty() {
        if rest.len() < 8 {
            bail!("checkpoint is truncated");
        }
        let len = u64::from_le_bytes(rest[..8].try_into().expect("8 bytes")) as usize;
        rest = &rest[8..];
        if rest.len() < len {
            bail!("checkpoint is truncated");
        }
        parts.push(&rest[..len]);
        rest = &rest[len..];
    }
    if parts.len() != 6 {
        bail!("checkpoint has {} parts, expected 6", parts.len());
    }
    Ok(parts)
}

pub fn save<B: AutodiffBackend>(
    path: &Path,
    gan: &Pix2Pix<B>,
    step: u64,
    config: &TrainConfig,
) -> Result<()> {
    let recorder = Bytes::default();
    let mut out = MAGIC.to_vec();
    push(&mut out, toml::to_string(config)?.as_bytes());
    push(&mut out, &step.to_le_bytes());
    push(
        &mut out,
        &recorder.record(gan.generator.clone().into_record(), ())?,
    );
    push(
        &mut out,
        &recorder.record(gan.discriminator.clone().into_record(), ())?,
    );
    push(&mut out, &recorder.record(gan.opt_g.to_record(), ())?);
    push(&mut out, &recorder.record(gan.opt_d.to_record(), ())?);
    write_atomic(path, &out).with_context(|| format!("writing checkpoint {}", path.display()))
}

/// Reads only the step and the run's config (cheap; for `--resume` decisions and tests).
pub fn peek(path: &Path) -> Result<Resumed> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let parts = parts(&bytes).with_context(|| path.display().to_string())?;
    Ok(Resumed {
        config: toml::from_str(std::str::from_utf8(parts[0])?)?,
        step: u64::from_le_bytes(parts[1].try_into().context("bad step")?),
    })
}

pub fn load<B: AutodiffBackend>(
    path: &Path,
    gan: Pix2Pix<B>,
    device: &B::Device,
) -> Result<(Pix2Pix<B>, Resumed)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let parts = parts(&bytes).with_context(|| path.display().to_string())?;
    let resumed = Resumed {
        config: toml::from_str(std::str::from_utf8(parts[0])?)?,
        step: u64::from_le_bytes(parts[1].try_into().context("bad step")?),
    };
    let recorder = Bytes::default();
    let load_err = |what: &str| format!("{}: the {what} does not fit this run", path.display());
    let Pix2Pix {
        generator,
        discriminator,
        opt_g,
        opt_d,
        l1_weight,
    } = gan;
    let generator = generator.load_record(
        recorder
            .load(parts[2].to_vec(), device)
            .with_context(|| load_err("generator"))?,
    );
    let discriminator = discriminator.load_record(
        recorder
            .load(parts[3].to_vec(), device)
            .with_context(|| load_err("discriminator"))?,
    );
    let opt_g = opt_g.load_record(
        recorder
            .load(parts[4].to_vec(), device)
            .with_context(|| load_err("optimiser"))?,
    );
    let opt_d = opt_d.load_record(
        recorder
            .load(parts[5].to_vec(), device)
            .with_context(|| load_err("optimiser"))?,
    );
    Ok((
        Pix2Pix {
            generator,
            discriminator,
            opt_g,
            opt_d,
            l1_weight,
        },
        resumed,
    ))
}
