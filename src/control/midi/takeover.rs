//! Soft takeover: a fader that disagrees with the show's value does nothing until it reaches
//! (or crosses) that value, so touching a controller after a preset change never makes a jump.

use std::collections::HashMap;

use crate::control::Param;

/// How close, on 0..1, a fader must come to the current value to pick it up (two MIDI steps).
const PICKUP: f32 = 2.0 / 127.0;

#[derive(Default, Debug)]
struct Fader {
    /// The last value this fader moved the parameter to; if the parameter is elsewhere now,
    /// something else (a preset, OSC, a key) moved it and the fader must pick it up again.
    sent: Option<f32>,
    /// The fader's last position, to notice it passing over the current value.
    last: Option<f32>,
}

#[derive(Default, Debug)]
pub struct SoftTakeover {
    faders: HashMap<Param, Fader>,
}

impl SoftTakeover {
    /// Whether a fader at `incoming` (0..1) may set `param`, whose value is `current` (0..1).
    pub fn admit(&mut self, param: Param, incoming: f32, current: f32) -> bool {
        let fader = self.faders.entry(param).or_default();
        let attached = fader
            .sent
            .is_some_and(|sent| (sent - current).abs() <= PICKUP / 2.0);
        let close = (incoming - current).abs() <= PICKUP;
        let crossed = fader
            .last
            .is_some_and(|last| (last - current).signum() != (incoming - current).signum());
        fader.last = Some(incoming);
        if attached || close || crossed {
            fader.sent = Some(incoming);
            true
        } else {
            fader.sent = None;
            false
        }
    }
}
