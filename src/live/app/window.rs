//! The window's own business: full-screen, the cursor, the screen saver, and key codes.

use nannou::prelude::*;

use crate::show::Key;

pub(super) fn set_cursor_visible(app: &App, window: Entity, visible: bool) {
    app.command_scope(move |mut commands| {
        commands.queue(move |world: &mut World| {
            if let Some(mut cursor) = world.get_mut::<CursorOptions>(window) {
                cursor.visible = visible;
            }
        });
    });
}

/// Turns off the X screen saver and power saving for a gallery (where `xset` is installed);
/// says so in the log either way.
pub(super) fn keep_screen_awake() {
    if std::env::var_os("DISPLAY").is_none() {
        tracing::warn!("gallery: no X display, screen blanking left to the system");
        return;
    }
    let result = std::process::Command::new("xset")
        .args(["s", "off", "s", "noblank", "-dpms"])
        .status();
    match result {
        Ok(status) if status.success() => tracing::info!("gallery: screen blanking off (xset)"),
        Ok(status) => tracing::warn!("gallery: xset failed ({status}); the screen may blank"),
        Err(error) => tracing::warn!(
            "gallery: cannot run xset ({error}): install x11-xserver-utils or turn blanking off"
        ),
    }
}

pub(super) fn set_fullscreen(app: &App, window: Entity, fullscreen: bool) {
    app.command_scope(move |mut commands| {
        commands.queue(move |world: &mut World| {
            if let Some(mut window) = world.get_mut::<Window>(window) {
                window.mode = if fullscreen {
                    bevy::window::WindowMode::BorderlessFullscreen(MonitorSelection::Current)
                } else {
                    bevy::window::WindowMode::Windowed
                };
            }
        });
    });
    set_cursor_visible(app, window, !fullscreen);
}

/// nannou's key codes as the show's keys.
pub(super) fn show_key(key: KeyCode) -> Option<Key> {
    let digits = [
        KeyCode::Digit1,
        KeyCode::Digit2,
        KeyCode::Digit3,
        KeyCode::Digit4,
        KeyCode::Digit5,
        KeyCode::Digit6,
        KeyCode::Digit7,
        KeyCode::Digit8,
        KeyCode::Digit9,
    ];
    if let Some(i) = digits.iter().position(|k| *k == key) {
        return Some(Key::Digit(i as u8 + 1));
    }
    Some(match key {
        KeyCode::ArrowLeft => Key::Left,
        KeyCode::ArrowRight => Key::Right,
        KeyCode::Space => Key::Space,
        KeyCode::Escape => Key::Escape,
        KeyCode::BracketLeft => Key::Char('['),
        KeyCode::BracketRight => Key::Char(']'),
        KeyCode::Minus => Key::Char('-'),
        KeyCode::Equal => Key::Char('='),
        KeyCode::Comma => Key::Char(','),
        KeyCode::Period => Key::Char('.'),
        KeyCode::KeyB => Key::Char('b'),
        KeyCode::KeyF => Key::Char('f'),
        KeyCode::KeyH => Key::Char('h'),
        KeyCode::KeyL => Key::Char('l'),
        KeyCode::KeyO => Key::Char('o'),
        KeyCode::KeyQ => Key::Char('q'),
        KeyCode::KeyV => Key::Char('v'),
        _ => return None,
    })
}
