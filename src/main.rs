//! `lts`: the learning-to-see command line.

mod cli;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new(
                    "info,wgpu_core=warn,wgpu_hal=warn,naga=warn,cubecl=warn",
                )
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(error) = cli.run() {
        eprintln!("error: {error:#}");
        std::process::exit(1);
    }
}
