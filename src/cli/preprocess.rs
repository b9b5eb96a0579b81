use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;
use image::{GrayImage, RgbImage};
use learning_to_see::look::cpu::{to_grey_image, to_rgb_image};
use learning_to_see::look::random::{Flip, LookRandomizer};
use learning_to_see::look::Look;
use learning_to_see::train::data::{read_target, scan_images};
use rand::SeedableRng;

use super::args::{open_rgb, LookArgs};

use super::checks;

#[derive(Args)]
pub struct PreprocessArgs {
    /// An image to show the look of.
    image: Option<PathBuf>,
    /// Instead: a dataset folder to draw random training pairs from.
    #[arg(long, conflicts_with = "image")]
    dataset: Option<PathBuf>,
    /// How many pairs to write (with --dataset).
    #[arg(long, default_value_t = 8, value_parser = checks::count)]
    pairs: usize,
    /// Output PNG (single image) or directory (pairs).
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 256, value_parser = checks::count)]
    size: usize,
    /// Random flips for pairs: none | h | v | hv.
    #[arg(long, default_value = "none")]
    flip: Flip,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(flatten)]
    look: LookArgs,
}

pub fn run(args: PreprocessArgs) -> Result<()> {
    let look = args.look.over(Look::default())?;
    if let Some(dataset) = &args.dataset {
        let images =
            scan_images(dataset).with_context(|| format!("reading {}", dataset.display()))?;
        if images.is_empty() {
            bail!(
                "no images (jpg, png, webp, bmp, tiff) under {}",
                dataset.display()
            );
        }
        std::fs::create_dir_all(&args.out)?;
        let randomizer = LookRandomizer::new(args.size, look.downscale, args.flip);
        let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
        let mut written = 0;
        for (index, path) in images.iter().cycle().take(args.pairs * 4).enumerate() {
            if written == args.pairs {
                break;
            }
            let target = match read_target(path, 8) {
                Ok(target) => target,
                Err(error) => {
                    eprintln!("skipping: {error}");
                    continue;
                }
            };
            let pair = randomizer.pair(&target, &mut rng);
            let sheet = side_by_side(
                &to_grey_image(&pair.input, args.size),
                &to_rgb_image(&pair.target, args.size, args.size),
            );
            let out = args.out.join(format!("pair_{index:03}.png"));
            sheet.save(&out)?;
            println!("{}", out.display());
            written += 1;
        }
        return Ok(());
    }
    let Some(path) = &args.image else {
        bail!("give an IMAGE, or --dataset DIR");
    };
    let frame = open_rgb(path)?;
    let input = look.apply(&frame, args.size)?;
    to_grey_image(&input, args.size)
        .save(&args.out)
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!("{}", args.out.display());
    Ok(())
}

fn side_by_side(input: &GrayImage, target: &RgbImage) -> RgbImage {
    let (w, h) = input.dimensions();
    RgbImage::from_fn(w * 2, h, |x, y| {
        if x < w {
            let v = input.get_pixel(x, y).0[0];
            image::Rgb([v, v, v])
        } else {
            *target.get_pixel(x - w, y)
        }
    })
}
