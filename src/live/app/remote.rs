//! The show's remote controls: OSC in and state feedback out, OSCQuery, and MIDI.

use std::path::PathBuf;
use std::time::Instant;

use rosc::{OscMessage, OscType};

use super::{preset_label, Live, LiveOptions};
use crate::control::midi::{MidiControl, MidiEvent, MidiInputThread, MidiMap};
use crate::control::osc::OscServer;
use crate::control::oscquery::{OscQueryServer, Snapshot};
use crate::control::Param;
use crate::live::view::ViewMode;

/// State feedback goes out at most this often.
const PUSH_INTERVAL: f32 = 0.05;

pub(super) struct Remote {
    pub osc: Option<OscServer>,
    pub oscquery: Option<OscQueryServer>,
    pub midi_input: Option<MidiInputThread>,
    pub midi: MidiControl,
    pub midi_map: PathBuf,
    last_push: Instant,
}

impl Remote {
    /// Starts what the options ask for; what cannot start is reported in `notices`.
    pub fn start(options: &LiveOptions, notices: &mut Vec<String>) -> Self {
        let osc = match options.osc_port {
            0 => None,
            port => match OscServer::start(port) {
                Ok(server) => {
                    tracing::info!("OSC on UDP port {}", server.port);
                    Some(server)
                }
                Err(error) => {
                    notices.push(format!("OSC port {port} unavailable: {error}"));
                    None
                }
            },
        };
        let oscquery = match (&osc, options.oscquery_port) {
            (Some(osc), port) if port != 0 => match OscQueryServer::start(port, osc.port) {
                Ok(server) => {
                    tracing::info!("OSCQuery on http://0.0.0.0:{}/", server.port);
                    Some(server)
                }
                Err(error) => {
                    notices.push(format!("{error:#}"));
                    None
                }
            },
            _ => None,
        };
        let map = if options.midi_map.exists() {
            MidiMap::load(&options.midi_map).unwrap_or_else(|error| {
                notices.push(format!("{error:#} (MIDI runs unmapped)"));
                MidiMap::default()
            })
        } else {
            MidiMap::default()
        };
        let midi_input = options.midi.as_deref().map(|wanted| {
            MidiInputThread::start(if wanted.is_empty() {
                &map.device
            } else {
                wanted
            })
        });
        Self {
            osc,
            oscquery,
            midi_input,
            midi: MidiControl::new(map),
            midi_map: options.midi_map.clone(),
            last_push: Instant::now(),
        }
    }
}

/// Applies everything that arrived from OSC and MIDI since the last frame, in order.
pub(super) fn poll(live: &mut Live) {
    let commands = live.remote.osc.as_ref().map(OscServer::drain);
    for (command, _) in commands.into_iter().flatten() {
        super::apply(live, command);
    }
    let messages = live
        .remote
        .midi_input
        .as_ref()
        .map(MidiInputThread::drain)
        .unwrap_or_default();
    for bytes in messages {
        let targets = live.targets;
        let crossfade = live.crossfade;
        let current = |param: Param| param.to_norm(targets.value(param, crossfade));
        match live.remote.midi.handle(&bytes, current) {
            MidiEvent::Command(command) => super::apply(live, command),
            MidiEvent::Learned(binding) => {
                live.notice = Some(match live.remote.midi.map.save(&live.remote.midi_map) {
                    Ok(()) => format!(
                        "MIDI learned {binding} (saved to {})",
                        live.remote.midi_map.display()
                    ),
                    Err(error) => format!("MIDI learned {binding}, not saved: {error:#}"),
                });
            }
            MidiEvent::Ignored => {}
        }
    }
}

/// Every current value, as the messages that would set it.
pub(super) fn state_messages(live: &Live) -> Vec<OscMessage> {
    let message = |addr: &str, arg: OscType| OscMessage {
        addr: addr.to_string(),
        args: vec![arg],
    };
    let mut messages = Vec::new();
    for param in Param::ALL {
        let value = live.targets.value(param, live.crossfade);
        messages.push(message(
            &format!("/lts/{}", param.name()),
            OscType::Float(value),
        ));
        messages.push(message(
            &format!("/lts/{}/norm", param.name()),
            OscType::Float(param.to_norm(value)),
        ));
    }
    let look = &live.settings.look;
    let flag = |on: bool| OscType::Int(on as i32);
    messages.push(message("/lts/freeze", flag(live.settings.frozen)));
    messages.push(message("/lts/blackout", flag(live.blackout)));
    messages.push(message("/lts/flip/h", flag(look.flip_h)));
    messages.push(message("/lts/flip/v", flag(look.flip_v)));
    messages.push(message("/lts/invert", flag(look.invert)));
    let view = match live.view {
        ViewMode::Output => 0,
        ViewMode::LookOutput => 1,
        ViewMode::All => 2,
    };
    messages.push(message("/lts/view", OscType::Int(view)));
    let preset = live
        .current
        .map(|i| preset_label(live, i))
        .unwrap_or_default();
    messages.push(message("/lts/preset", OscType::String(preset)));
    let model = live.last.as_ref().map(|l| l.1.clone()).unwrap_or_default();
    messages.push(message("/lts/model", OscType::String(model)));
    messages.push(message(
        "/lts/frames",
        OscType::Long(live.frames.drawn as i64),
    ));
    messages.push(message("/lts/fps", OscType::Float(live.frames.fps)));
    messages
}

/// Publishes state to OSCQuery and pushes it to every OSC client that has sent (and to
/// `--osc-out`), at most 20 times a second and only when something changed.
pub(super) fn push_state(live: &mut Live) {
    if !live.dirty || live.remote.last_push.elapsed().as_secs_f32() < PUSH_INTERVAL {
        return;
    }
    let messages = state_messages(live);
    if let Some(oscquery) = &live.remote.oscquery {
        let presets = (0..live.presets.entries.len())
            .map(|i| preset_label(live, i))
            .collect();
        oscquery.publish(Snapshot::new(&messages, presets));
    }
    if let Some(osc) = &live.remote.osc {
        let mut targets = osc.clients();
        targets.extend(live.options.osc_out);
        for target in targets {
            osc.send(target, messages.clone());
        }
    }
    live.dirty = false;
    live.remote.last_push = Instant::now();
}

/// Replies to `/lts/state`.
pub(super) fn reply_state(live: &Live, reply_to: std::net::SocketAddr) {
    if let Some(osc) = &live.remote.osc {
        osc.send(reply_to, state_messages(live));
    }
}
