//! The overlay: what is playing, how fast, and what went wrong, drawn over the picture.

use nannou::prelude::*;

use super::Live;
use crate::control::Param;

pub(super) fn draw_overlay(app: &App, live: &Live, draw: &Draw, window: geom::Rect<f32>) {
    let mut lines = vec![format!("{:.0} fps", app.fps())];
    if let Some((timings, model, size)) = &live.last {
        let device = live
            .engine
            .as_ref()
            .and_then(|engine| engine.device.get().cloned())
            .unwrap_or_else(|| "CPU".into());
        lines.push(format!(
            "look {:.1} ms · generator {:.1} ms · frame {:.1} ms · {size}² · {device}",
            timings.look_ms, timings.generator_ms, timings.total_ms
        ));
        lines.push(format!("model {model}"));
    }
    if let Some((i, label)) = live.state.preset() {
        lines.push(format!(
            "preset {label} ({}/{})",
            i + 1,
            live.state.presets().entries.len()
        ));
    }
    let settings = live.state.settings();
    let look = &settings.look;
    let mut parameters: Vec<String> = Param::ALL
        .iter()
        .map(|&param| {
            let spec = param.spec();
            format!("{} {:.2}{}", spec.name, live.state.value(param), spec.unit)
        })
        .collect();
    for (on, label) in [
        (look.flip_h, "flip h"),
        (look.flip_v, "flip v"),
        (look.invert, "invert"),
        (settings.frozen, "FROZEN"),
    ] {
        if on {
            parameters.push(label.to_string());
        }
    }
    lines.push(parameters.join(" · "));
    if let Some(playlist) = live.state.playlist_status() {
        lines.push(playlist);
    }
    if let Some(source) = &live.source {
        lines.push(format!("source {}", source.status()));
    }
    if let Some(midi) = &live.remote.midi_input {
        lines.push(midi.status());
    }
    if let Some(target) = live.state.midi_learning() {
        lines.push(format!(
            "MIDI learn: move a knob or hit a pad for {} (l cancels)",
            target.label()
        ));
    }
    if let Some(notice) = live.state.notice() {
        lines.push(format!("! {notice}"));
    }
    let text = lines.join("\n");
    let pad = 12.0;
    draw.text(&text)
        .font_size(14)
        .left_justify()
        .align_text_top()
        .color(WHITE)
        .x_y(
            window.left() + window.w() / 2.0 + pad,
            window.top() - window.h() / 2.0 - pad,
        )
        .w_h(window.w() - 2.0 * pad, window.h() - 2.0 * pad);
}
