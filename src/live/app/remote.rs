//! The show's remote controls: OSC in and state feedback out, OSCQuery, and MIDI.

use std::net::SocketAddr;
use std::path::PathBuf;

use super::LiveOptions;
use crate::control::midi::{MidiInputThread, MidiMap};
use crate::control::osc::OscServer;
use crate::control::oscquery::{OscQueryServer, Snapshot};
use crate::control::Command;
use crate::show::{state_messages, ShowState};

pub(super) struct Remote {
    pub osc: Option<OscServer>,
    pub oscquery: Option<OscQueryServer>,
    pub midi_input: Option<MidiInputThread>,
    /// The MIDI mapping file learn mode saves to.
    pub midi_map: PathBuf,
}

impl Remote {
    /// Starts what the options ask for, and reads the MIDI mapping file; what cannot start is
    /// reported in `notices`.
    pub fn start(options: &LiveOptions, notices: &mut Vec<String>) -> (Self, MidiMap) {
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
        let remote = Self {
            osc,
            oscquery,
            midi_input,
            midi_map: options.midi_map.clone(),
        };
        (remote, map)
    }

    /// Everything that arrived from OSC and MIDI since the last frame, in order.
    pub fn poll(&self) -> Vec<Command> {
        let osc = self.osc.as_ref().map(OscServer::drain).unwrap_or_default();
        let midi = self
            .midi_input
            .as_ref()
            .map(MidiInputThread::drain)
            .unwrap_or_default();
        osc.into_iter()
            .map(|(command, _)| command)
            .chain(midi.into_iter().map(Command::Midi))
            .collect()
    }

    /// Publishes the state to OSCQuery and pushes it to the OSC clients heard from lately
    /// (and to `--osc-out`).
    pub fn push_state(&self, state: &ShowState, osc_out: Option<SocketAddr>) {
        let messages = state_messages(state);
        if let Some(oscquery) = &self.oscquery {
            let presets = state.presets();
            let names = (0..presets.entries.len())
                .map(|i| presets.label(i))
                .collect();
            oscquery.publish(Snapshot::new(&messages, names).with_models(state.models().to_vec()));
        }
        if let Some(osc) = &self.osc {
            let mut targets = osc.clients();
            targets.extend(osc_out);
            for target in targets {
                osc.send(target, messages.clone());
            }
        }
    }

    /// Replies to `/lts/state`.
    pub fn reply_state(&self, state: &ShowState, to: SocketAddr) {
        if let Some(osc) = &self.osc {
            osc.send(to, state_messages(state));
        }
    }
}
