//! A key as the show knows it; the window adapter turns its key codes into these, and
//! `show::keys` says what each does.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// 1–9.
    Digit(u8),
    /// Letters (lower case) and punctuation.
    Char(char),
    Left,
    Right,
    Space,
    Escape,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Modifiers {
    pub shift: bool,
    pub ctrl: bool,
    pub alt: bool,
}

impl Modifiers {
    /// Ctrl+Alt: the deliberate chords that still work when a gallery locks the keyboard.
    pub fn chord(self) -> bool {
        self.ctrl && self.alt
    }
}
