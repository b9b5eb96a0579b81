//! The state as OSC messages: what `/lts/state` replies, what clients and OSCQuery are sent.

use rosc::{OscMessage, OscType};

use super::ShowState;
use crate::control::Param;

/// Every current value, as the messages that would set it.
pub fn state_messages(state: &ShowState) -> Vec<OscMessage> {
    let message = |addr: &str, arg: OscType| OscMessage {
        addr: addr.to_string(),
        args: vec![arg],
    };
    let mut messages = Vec::new();
    for param in Param::ALL {
        let value = state.target(param);
        messages.push(message(
            &format!("/lts/{}", param.name()),
            OscType::Float(value),
        ));
        messages.push(message(
            &format!("/lts/{}/norm", param.name()),
            OscType::Float(param.to_norm(value)),
        ));
    }
    let settings = state.settings();
    let look = &settings.look;
    let flag = |on: bool| OscType::Int(on as i32);
    messages.push(message("/lts/freeze", flag(settings.frozen)));
    messages.push(message("/lts/blackout", flag(state.blackout())));
    messages.push(message("/lts/flip/h", flag(look.flip_h)));
    messages.push(message("/lts/flip/v", flag(look.flip_v)));
    messages.push(message("/lts/invert", flag(look.invert)));
    messages.push(message(
        "/lts/view",
        OscType::Int(state.view().index() as i32),
    ));
    let preset = state.preset().map(|(_, label)| label).unwrap_or_default();
    messages.push(message("/lts/preset", OscType::String(preset)));
    let model = state.model().unwrap_or_default().to_string();
    messages.push(message("/lts/model", OscType::String(model)));
    let playlist = state.playlist_name().unwrap_or_default().to_string();
    messages.push(message("/lts/playlist", OscType::String(playlist)));
    let readings = state.readings();
    messages.push(message(
        "/lts/frames",
        OscType::Long(readings.frames as i64),
    ));
    messages.push(message("/lts/fps", OscType::Float(readings.fps)));
    messages.push(message(
        "/lts/frame/longest",
        OscType::Float(readings.longest_frame_ms),
    ));
    let notice = state.notice().unwrap_or_default().to_string();
    messages.push(message("/lts/notice", OscType::String(notice)));
    messages
}
