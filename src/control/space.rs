//! The OSC address space, described once: OSCQuery serves it, the controller layout and the
//! README follow it, and a test checks every entry against the parser.

use super::{Param, SWITCHES};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// Native value; readable.
    Param(Param),
    /// The same parameter on 0..1.
    Norm(Param),
    /// 0/1 (no argument toggles); readable.
    Switch,
    /// 0 output, 1 look + output, 2 camera + look + output; readable.
    View,
    /// Index or name (or `next`/`prev`); reads back the current name.
    Choice,
    /// No argument.
    Trigger,
    /// A name to write (preset/save, midi/learn).
    Text,
    /// Optional reply port.
    State,
    /// Read-only figures (frames drawn, fps).
    Reading,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Address {
    pub path: String,
    pub kind: Kind,
    pub description: String,
}

/// Every address the app accepts.
pub fn addresses() -> Vec<Address> {
    let mut all = Vec::new();
    let mut add = |path: &str, kind: Kind, description: &str| {
        all.push(Address {
            path: format!("/lts/{path}"),
            kind,
            description: description.to_string(),
        })
    };
    for param in Param::ALL {
        add(param.name(), Kind::Param(param), param.spec().description);
        add(
            &format!("{}/norm", param.name()),
            Kind::Norm(param),
            &format!("{} on 0..1", param.name()),
        );
    }
    for switch in SWITCHES {
        let description = match switch {
            "freeze" => "Hold the current frame",
            "blackout" => "Black screen",
            "flip/h" => "Mirror the camera left-right",
            "flip/v" => "Flip the camera upside down",
            _ => "Invert the grey look",
        };
        add(switch, Kind::Switch, description);
    }
    add(
        "view",
        Kind::View,
        "0 output, 1 look + output, 2 camera + look + output",
    );
    add(
        "preset",
        Kind::Choice,
        "Preset by index (from 0) or name, or next / prev",
    );
    add(
        "model",
        Kind::Choice,
        "Switch to the preset playing this model",
    );
    add("preset/next", Kind::Trigger, "Next preset");
    add("preset/prev", Kind::Trigger, "Previous preset");
    add(
        "preset/save",
        Kind::Text,
        "Save the current state as presets/NAME.toml",
    );
    add(
        "midi/learn",
        Kind::Text,
        "MIDI learn: the next knob or pad touched drives this address (no argument: what changed last)",
    );
    add("midi/learn/cancel", Kind::Trigger, "Leave MIDI learn");
    add(
        "playlist",
        Kind::Text,
        "Play presets/playlists/NAME.toml; 0 stops it, 1 goes on; reads back the one playing",
    );
    add(
        "playlist/next",
        Kind::Trigger,
        "The playlist's next preset now",
    );
    add(
        "frames",
        Kind::Reading,
        "Frames drawn since the show started",
    );
    add("fps", Kind::Reading, "Frames per second");
    add(
        "frame/longest",
        Kind::Reading,
        "The longest time between two frames over the last 5–10 s, in ms",
    );
    add(
        "notice",
        Kind::Reading,
        "What the overlay says is wrong or changed (a restart, a bad file), or empty",
    );
    add(
        "state",
        Kind::State,
        "Reply with every current value (to the sender, or to the port given)",
    );
    all
}
