//! The performer's keyboard: which key does what. The window adapter turns its key codes into
//! [`Key`]s; parameter keys come from the parameter table. In a gallery the keyboard is locked:
//! only deliberate chords work, so a visitor's key press changes nothing.

use crate::control::{Command, Key, Learn, Modifiers, Param, Selector};

/// What the key means now; `None` for keys that do nothing (or are locked).
pub(super) fn command_for(
    key: Key,
    modifiers: Modifiers,
    locked: bool,
    learning: bool,
    fullscreen: bool,
) -> Option<Command> {
    if modifiers.chord() {
        return match key {
            Key::Char('q') => Some(Command::Quit),
            Key::Char('o') => Some(Command::Overlay(None)),
            _ => None,
        };
    }
    if locked {
        return None;
    }
    if let Key::Char(c) = key {
        if let Some((param, up)) = Param::for_key(c) {
            return Some(Command::Nudge(param, up));
        }
    }
    Some(match key {
        Key::Digit(d @ 1..=9) => Command::Preset(Selector::Index(d as usize - 1)),
        Key::Right => Command::Preset(Selector::Next),
        Key::Left => Command::Preset(Selector::Prev),
        Key::Char('v') if modifiers.shift => Command::FlipV(None),
        Key::Char('v') => Command::View(None),
        Key::Char('h') => Command::FlipH(None),
        Key::Char('l') if learning => Command::MidiLearn(Learn::Cancel),
        Key::Char('l') => Command::MidiLearn(Learn::LastTouched),
        Key::Char('f') => Command::Fullscreen(None),
        Key::Space => Command::Freeze(None),
        Key::Char('b') => Command::Blackout(None),
        Key::Char('o') => Command::Overlay(None),
        Key::Escape if fullscreen => Command::Fullscreen(Some(false)),
        _ => return None,
    })
}
