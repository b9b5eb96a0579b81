//! The loss chart a training run keeps beside its CSV (`losses.svg`): the generator's L1 term
//! in one panel, the three GAN terms in another, over the whole run (resumed parts included),
//! with axes, ticks, labels and a legend. SVG: text and lines, readable in any browser.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::gan::Losses;

/// Every row of a run's `losses.csv`.
pub fn read_losses(csv: &Path) -> Result<Vec<(u64, Losses)>> {
    let text =
        std::fs::read_to_string(csv).with_context(|| format!("reading {}", csv.display()))?;
    let mut rows = Vec::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let number = |i: usize| fields.get(i).and_then(|v| v.parse::<f32>().ok());
        // A row cut short by a kill mid-write is skipped.
        let (Some(step), Some(g_gan), Some(g_l1), Some(d_real), Some(d_fake)) = (
            fields.first().and_then(|v| v.parse::<u64>().ok()),
            number(2),
            number(3),
            number(4),
            number(5),
        ) else {
            continue;
        };
        let losses = Losses {
            g_gan,
            g_l1,
            d_real,
            d_fake,
        };
        rows.push((step, losses));
    }
    Ok(rows)
}

const WIDTH: f32 = 720.0;
const PANEL: f32 = 200.0;
const LEFT: f32 = 64.0;
const RIGHT: f32 = 150.0;
const TOP: f32 = 30.0;
const GAP: f32 = 56.0;

struct Series {
    label: &'static str,
    colour: &'static str,
    value: fn(&Losses) -> f32,
}

/// The chart for `rows` (step, losses), each series smoothed (exponential moving average over
/// ~20 steps) and drawn over its raw values, faint.
pub fn loss_chart(title: &str, rows: &[(u64, Losses)]) -> String {
    let height = TOP + 2.0 * PANEL + GAP + 40.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/><text x="{LEFT}" y="18" font-size="14" font-weight="bold">{}</text>"#,
        escape(title)
    );
    let panels: [(&str, Vec<Series>); 2] = [
        (
            "L1 (generator output vs target)",
            vec![Series {
                label: "G: L1",
                colour: "#c81e1e",
                value: |l| l.g_l1,
            }],
        ),
        (
            "GAN losses (BCE with logits)",
            vec![
                Series {
                    label: "G: fool D",
                    colour: "#1e3cc8",
                    value: |l| l.g_gan,
                },
                Series {
                    label: "D: real pairs",
                    colour: "#1e9650",
                    value: |l| l.d_real,
                },
                Series {
                    label: "D: generated pairs",
                    colour: "#d28c00",
                    value: |l| l.d_fake,
                },
            ],
        ),
    ];
    let (first, last) = match (rows.first(), rows.last()) {
        (Some(first), Some(last)) => (first.0 as f32, last.0.max(first.0 + 1) as f32),
        _ => (0.0, 1.0),
    };
    for (index, (name, series)) in panels.iter().enumerate() {
        let top = TOP + index as f32 * (PANEL + GAP);
        let values = || {
            series
                .iter()
                .flat_map(|s| rows.iter().map(move |(_, l)| (s.value)(l)))
        };
        let max = values()
            .filter(|v| v.is_finite())
            .fold(0.0f32, f32::max)
            .max(1e-3);
        let y_max = nice_ceiling(max);
        let x = |step: f32| LEFT + (step - first) / (last - first) * (WIDTH - LEFT - RIGHT);
        let y = |v: f32| top + PANEL * (1.0 - (v / y_max).clamp(0.0, 1.0));
        panel_frame(&mut svg, name, top, y_max, first, last, index == 1);
        for (i, s) in series.iter().enumerate() {
            let raw: Vec<(f32, f32)> = rows
                .iter()
                .map(|(step, l)| (*step as f32, (s.value)(l)))
                .collect();
            polyline(
                &mut svg,
                raw.iter().map(|&(a, b)| (x(a), y(b))),
                s.colour,
                0.25,
                1.0,
            );
            let mut ema: Option<f32> = None;
            let smooth = raw.iter().map(|&(step, v)| {
                let next = ema.map_or(v, |e| 0.95 * e + 0.05 * v);
                ema = Some(next);
                (x(step), y(next))
            });
            polyline(&mut svg, smooth, s.colour, 1.0, 2.0);
            let ly = top + 14.0 + 18.0 * i as f32;
            let lx = WIDTH - RIGHT + 12.0;
            let _ = write!(
                svg,
                r#"<line x1="{lx}" y1="{ly}" x2="{}" y2="{ly}" stroke="{}" stroke-width="3"/><text x="{}" y="{}">{}</text>"#,
                lx + 18.0,
                s.colour,
                lx + 24.0,
                ly + 4.0,
                s.label
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// Axes, ticks and labels of one panel.
fn panel_frame(
    svg: &mut String,
    name: &str,
    top: f32,
    y_max: f32,
    first: f32,
    last: f32,
    steps_label: bool,
) {
    let right = WIDTH - RIGHT;
    let bottom = top + PANEL;
    let _ = write!(
        svg,
        r##"<text x="{LEFT}" y="{}" font-weight="bold">{}</text><line x1="{LEFT}" y1="{top}" x2="{LEFT}" y2="{bottom}" stroke="black"/><line x1="{LEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="black"/>"##,
        top - 6.0,
        escape(name)
    );
    for i in 0..=4 {
        let v = y_max * i as f32 / 4.0;
        let ty = bottom - PANEL * i as f32 / 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{}" y1="{ty}" x2="{right}" y2="{ty}" stroke="#e4e4e4"/><text x="{}" y="{}" text-anchor="end">{}</text>"##,
            LEFT,
            LEFT - 6.0,
            ty + 4.0,
            format_value(v)
        );
        let step = first + (last - first) * i as f32 / 4.0;
        let tx = LEFT + (right - LEFT) * i as f32 / 4.0;
        let _ = write!(
            svg,
            r#"<line x1="{tx}" y1="{bottom}" x2="{tx}" y2="{}" stroke="black"/><text x="{tx}" y="{}" text-anchor="middle">{}</text>"#,
            bottom + 4.0,
            bottom + 17.0,
            step.round()
        );
    }
    if steps_label {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle">optimiser step</text>"#,
            (LEFT + right) / 2.0,
            bottom + 34.0
        );
    }
}

fn polyline(
    svg: &mut String,
    points: impl Iterator<Item = (f32, f32)>,
    colour: &str,
    opacity: f32,
    width: f32,
) {
    let points: Vec<String> = points
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect();
    let _ = write!(
        svg,
        r#"<polyline fill="none" stroke="{colour}" stroke-opacity="{opacity}" stroke-width="{width}" points="{}"/>"#,
        points.join(" ")
    );
}

/// 1, 2 or 5 times a power of ten, at least `v`.
fn nice_ceiling(v: f32) -> f32 {
    let power = 10f32.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&c| c >= v)
        .unwrap_or(10.0 * power)
}

fn format_value(v: f32) -> String {
    if v == 0.0 {
        "0".into()
    } else if v < 0.1 {
        format!("{v:.3}")
    } else {
        format!("{v:.2}")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_has_both_panels_every_series_and_labelled_axes() {
        let rows: Vec<(u64, Losses)> = (1..=50)
            .map(|step| {
                let t = step as f32;
                let losses = Losses {
                    g_gan: 0.7 + 0.01 * t,
                    g_l1: 0.5 / t.sqrt(),
                    d_real: 0.6,
                    d_fake: 0.65,
                };
                (step, losses)
            })
            .collect();
        let svg = loss_chart("sea", &rows);
        for text in [
            "G: L1",
            "G: fool D",
            "D: real pairs",
            "D: generated pairs",
            "optimiser step",
            ">50<",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
        // Raw and smoothed line per series: 2 + 6.
        assert_eq!(svg.matches("<polyline").count(), 8);
        assert_eq!(nice_ceiling(0.37), 0.5);
        assert_eq!(nice_ceiling(3.0), 5.0);
    }

    #[test]
    fn rows_cut_short_are_skipped() {
        let dir = std::env::temp_dir().join(format!("lts-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let csv = dir.join("losses.csv");
        std::fs::write(
            &csv,
            "step,lr,g_gan,g_l1,d_real,d_fake,images_per_s\n1,2e-4,0.7,0.3,0.6,0.6,1.0\n2,2e-4,0.7",
        )
        .unwrap();
        let rows = read_losses(&csv).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, 1);
    }
}
