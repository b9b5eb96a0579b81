//! Raw MIDI bytes → the few messages a controller sends us.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MidiMessage {
    /// `channel` is 1..=16 as printed on hardware.
    ControlChange {
        channel: u8,
        controller: u8,
        value: u8,
    },
    NoteOn {
        channel: u8,
        note: u8,
        velocity: u8,
    },
    NoteOff {
        channel: u8,
        note: u8,
    },
}

impl MidiMessage {
    /// Channel-voice messages we use; anything else (clock, sysex, pitch bend, truncated or
    /// malformed bytes) is `None`. A note-on with velocity 0 is a note-off, as the spec says.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        let (&status, data) = bytes.split_first()?;
        if status < 0x80 || data.len() < 2 || data[..2].iter().any(|b| *b > 0x7f) {
            return None;
        }
        let channel = (status & 0x0f) + 1;
        let (a, b) = (data[0], data[1]);
        match status & 0xf0 {
            0xb0 => Some(Self::ControlChange {
                channel,
                controller: a,
                value: b,
            }),
            0x90 if b > 0 => Some(Self::NoteOn {
                channel,
                note: a,
                velocity: b,
            }),
            0x90 | 0x80 => Some(Self::NoteOff { channel, note: a }),
            _ => None,
        }
    }

    pub fn channel(self) -> u8 {
        match self {
            Self::ControlChange { channel, .. }
            | Self::NoteOn { channel, .. }
            | Self::NoteOff { channel, .. } => channel,
        }
    }
}
