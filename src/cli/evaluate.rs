use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use learning_to_see::live::source::synthetic;
use learning_to_see::model::package::{Compared, Distribution, Evaluation, META_FILE};
use learning_to_see::model::ModelPackage;
use learning_to_see::train::data::{read_target, scan_images};
use learning_to_see::train::evaluate::{evaluate_with, mean_colour, EvaluationOptions, Everyday};
use learning_to_see::train::sheet::{sample_sheet, spread};

use super::checks;

#[derive(Args)]
pub struct EvaluateArgs {
    /// The model directory; its model.toml gets the figures.
    #[arg(long)]
    model: PathBuf,
    /// Held-out target images (never trained on).
    #[arg(long)]
    heldout: PathBuf,
    /// The training images, for the baseline's mean colour (default: the colour model.toml
    /// recorded at its last evaluation).
    #[arg(long)]
    train_data: Option<PathBuf>,
    /// Everyday photographs that are not of the subject (faces, cats, cups, streets), e.g.
    /// tests/fixtures/everyday: the outputs on them are compared with the held-out targets.
    #[arg(long)]
    everyday: Option<PathBuf>,
    /// Frames of the built-in synthetic scene (objects on a table) added to the everyday set.
    #[arg(long, default_value_t = 0)]
    synthetic_frames: usize,
    /// Square size to evaluate at (default: the model's resolution).
    #[arg(long, value_parser = checks::count)]
    size: Option<usize>,
    /// Print the figures without writing them into model.toml.
    #[arg(long)]
    dry_run: bool,
    /// Also write sample sheets into this folder: NAME-heldout.png (look | output | target) and,
    /// with an everyday set, NAME-everyday.png (look | output | photograph).
    #[arg(long)]
    sheets: Option<PathBuf>,
    /// Rows of the held-out sheet (spread over the held-out set).
    #[arg(long, default_value_t = 6, value_parser = checks::count)]
    sheet_rows: usize,
}

/// A lattice ratio above this, and well above the real targets', is a visible grid of dots.
const LATTICE_VISIBLE: f32 = 2.0;

fn everyday_set(args: &EvaluateArgs) -> Result<Option<Everyday>> {
    let mut set = Everyday::default();
    let mut sources = Vec::new();
    if let Some(dir) = &args.everyday {
        let paths = scan_images(dir).with_context(|| format!("cannot list {}", dir.display()))?;
        if paths.is_empty() {
            bail!("no images under {}", dir.display());
        }
        for path in &paths {
            set.images.push(read_target(path, 8)?);
        }
        sources.push(format!("{} ({} images)", dir.display(), paths.len()));
    }
    if args.synthetic_frames > 0 {
        // Seven seconds apart: the objects have moved and the light has changed.
        set.images
            .extend((0..args.synthetic_frames).map(|i| synthetic::frame(3.0 + 7.0 * i as f32)));
        sources.push(format!("{} synthetic table frames", args.synthetic_frames));
    }
    set.source = sources.join(" + ");
    Ok((!set.images.is_empty()).then_some(set))
}

pub fn run(args: EvaluateArgs) -> Result<()> {
    let started = Instant::now();
    let mut package = ModelPackage::open(&args.model)?;
    let mean = match (&args.train_data, &package.meta.evaluation) {
        (Some(data), _) => mean_colour(&scan_images(data)?, 300),
        (None, Some(recorded)) => recorded.mean_colour,
        (None, None) => bail!(
            "{} records no mean colour yet: give --train-data (the training images) for the baseline's tint",
            args.model.display()
        ),
    };
    let size = args.size.unwrap_or(package.meta.resolution);
    let options = EvaluationOptions {
        everyday: everyday_set(&args)?,
        ..Default::default()
    };
    let evaluation = evaluate_with(&package, &args.heldout, mean, size, &options)?;
    if let Some(dir) = &args.sheets {
        write_sheets(&args, &package, options.everyday.as_ref(), size, dir)?;
    }
    print_table(&package.meta.name, &evaluation);
    println!("evaluated in {:.1} s", started.elapsed().as_secs_f32());
    if args.dry_run {
        return Ok(());
    }
    package.meta.evaluation = Some(evaluation);
    let meta_path = package.dir.join(META_FILE);
    learning_to_see::atomic::write_atomic(
        &meta_path,
        toml::to_string_pretty(&package.meta)?.as_bytes(),
    )?;
    println!("recorded in {}", meta_path.display());
    Ok(())
}

fn write_sheets(
    args: &EvaluateArgs,
    package: &ModelPackage,
    everyday: Option<&Everyday>,
    size: usize,
    dir: &std::path::Path,
) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let heldout = spread(&scan_images(&args.heldout)?, args.sheet_rows.max(1))
        .iter()
        .map(|path| read_target(path, 8))
        .collect::<Result<Vec<_>, _>>()?;
    let name = &package.meta.name;
    let mut sheets = vec![(format!("{name}-heldout.png"), heldout)];
    if let Some(everyday) = everyday {
        sheets.push((format!("{name}-everyday.png"), everyday.images.clone()));
    }
    for (file, images) in sheets {
        let path = dir.join(file);
        sample_sheet(package, &images, size)?
            .save(&path)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("sample sheet: {}", path.display());
    }
    Ok(())
}

fn row(label: &str, figure: &Compared, digits: usize) {
    println!(
        "  {label:<26} {:>9.digits$} {:>9.digits$} {:>9.digits$}",
        figure.model, figure.baseline, figure.real
    );
}

fn print_distribution(title: &str, d: &Distribution) {
    println!("{title}: {} inputs from {}", d.images, d.source);
    row("SWD ×1e3, mean of levels", &d.swd, 1);
    for (side, figure) in d.swd_level_sizes.iter().zip(&d.swd_levels) {
        row(&format!("  level {side}²"), figure, 1);
    }
    row("spectrum distance, dB", &d.spectrum_db, 2);
    row("lattice ratio, peak", &d.lattice, 2);
    for (period, figure) in d.lattice_periods.iter().zip(&d.lattice_by_period) {
        row(&format!("  period {period} px"), figure, 2);
    }
    let verdict = if d.swd.model < d.swd.baseline {
        let gap = d.swd.baseline - d.swd.real;
        let closed = if gap > 0.0 {
            100.0 * (d.swd.baseline - d.swd.model) / gap
        } else {
            0.0
        };
        format!("SWD closer to real than the baseline ({closed:.0}% of the way to the floor)")
    } else {
        "SWD NOT closer to real than the baseline".to_string()
    };
    println!("  → {verdict}");
    if d.lattice.model > LATTICE_VISIBLE && d.lattice.model > 2.0 * d.lattice.real {
        let (period, worst) = d
            .lattice_periods
            .iter()
            .zip(&d.lattice_by_period)
            .max_by(|a, b| a.1.model.total_cmp(&b.1.model))
            .map(|(p, f)| (*p, f.model))
            .unwrap_or((0, d.lattice.model));
        println!(
            "  → LATTICE: the outputs carry a grid of period {period} px ({worst:.1}× the power around it; real targets {:.2})",
            d.lattice.real
        );
    }
}

fn print_table(name: &str, e: &Evaluation) {
    println!(
        "{name} at {}²: {} held-out targets; real-vs-real = one half of them against the other",
        e.size, e.images
    );
    println!(
        "  {:<26} {:>9} {:>9} {:>9}",
        "", "model", "baseline", "real"
    );
    println!(
        "  {:<26} {:>9.4} {:>9.4} {:>9}",
        "held-out L1", e.model_l1, e.baseline_l1, "0"
    );
    println!(
        "  → L1 {}",
        if e.model_l1 < 0.9 * e.baseline_l1 {
            "clearly better than the baseline"
        } else {
            "NOT clearly better than the baseline"
        }
    );
    if let Some(heldout) = &e.heldout {
        print_distribution("held-out", heldout);
    }
    if let Some(everyday) = &e.everyday {
        print_distribution("everyday", everyday);
    }
}
