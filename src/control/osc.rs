//! OSC over UDP (rosc): the `/lts/...` address space in, state feedback out.
//!
//! Every continuous parameter takes its native value at `/lts/<param>` and 0..1 at
//! `/lts/<param>/norm`; ints work where floats do; bundles are walked recursively. Unknown
//! addresses and wrong argument types are logged once each and ignored.

use std::collections::{HashMap, HashSet};
use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rosc::{OscMessage, OscPacket, OscType};

use super::command::{Command, Learn, Param, PlaylistCommand, Selector};
use super::midi::{Arg, LearnTarget};

#[derive(Debug, PartialEq, Eq)]
pub enum OscIssue {
    UnknownAddress(String),
    BadArguments(String),
}

fn number(arg: &OscType) -> Option<f32> {
    match *arg {
        OscType::Float(v) => Some(v),
        OscType::Double(v) => Some(v as f32),
        OscType::Int(v) => Some(v as f32),
        OscType::Long(v) => Some(v as f32),
        OscType::Bool(v) => Some(if v { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn switch(args: &[OscType]) -> Result<Option<bool>, ()> {
    match args.first() {
        None => Ok(None),
        Some(arg) => number(arg).map(|v| Some(v >= 0.5)).ok_or(()),
    }
}

fn selector(args: &[OscType]) -> Result<Selector, ()> {
    match args.first() {
        Some(OscType::String(s)) if s == "next" => Ok(Selector::Next),
        Some(OscType::String(s)) if s == "prev" => Ok(Selector::Prev),
        Some(OscType::String(s)) => match s.parse::<usize>() {
            Ok(index) => Ok(Selector::Index(index)),
            Err(_) => Ok(Selector::Name(s.clone())),
        },
        Some(arg) => number(arg)
            .filter(|v| *v >= 0.0 && v.is_finite())
            .map(|v| Selector::Index(v as usize))
            .ok_or(()),
        None => Err(()),
    }
}

fn midi_arg(arg: &OscType) -> Option<Arg> {
    match arg {
        OscType::Int(v) => Some(Arg::Int(*v)),
        OscType::Float(v) => Some(Arg::Float(*v)),
        OscType::String(v) => Some(Arg::Text(v.clone())),
        _ => None,
    }
}

/// One message → one command, or why not.
pub fn parse_message(message: &OscMessage, from: SocketAddr) -> Result<Command, OscIssue> {
    let address = message.addr.as_str();
    let args = message.args.as_slice();
    let bad = || OscIssue::BadArguments(address.to_string());
    let Some(path) = address.strip_prefix("/lts/") else {
        return Err(OscIssue::UnknownAddress(address.to_string()));
    };
    let (name, norm) = match path.strip_suffix("/norm") {
        Some(name) => (name, true),
        None => (path, false),
    };
    if let Some(param) = Param::from_name(name) {
        let value = args
            .first()
            .and_then(number)
            .filter(|v| v.is_finite())
            .ok_or_else(bad)?;
        let value = if norm {
            param.from_norm(value)
        } else {
            param.clamp(value)
        };
        return Ok(Command::Set(param, value));
    }
    if norm {
        return Err(OscIssue::UnknownAddress(address.to_string()));
    }
    let command = match path {
        "freeze" => Command::Freeze(switch(args).map_err(|_| bad())?),
        "blackout" => Command::Blackout(switch(args).map_err(|_| bad())?),
        "flip/h" => Command::FlipH(switch(args).map_err(|_| bad())?),
        "flip/v" => Command::FlipV(switch(args).map_err(|_| bad())?),
        "invert" => Command::Invert(switch(args).map_err(|_| bad())?),
        "view" => Command::View(match args.first() {
            None => None,
            Some(arg) => Some(
                number(arg)
                    .filter(|v| (0.0..3.0).contains(v))
                    .ok_or_else(bad)? as usize,
            ),
        }),
        "model" => Command::Model(selector(args).map_err(|_| bad())?),
        "preset" => Command::Preset(selector(args).map_err(|_| bad())?),
        "preset/next" => Command::Preset(Selector::Next),
        "preset/prev" => Command::Preset(Selector::Prev),
        "preset/save" => match args.first() {
            Some(OscType::String(name)) if valid_preset_name(name) => {
                Command::PresetSave(name.clone())
            }
            _ => return Err(bad()),
        },
        "midi/learn" => Command::MidiLearn(match args {
            [] => Learn::LastTouched,
            [OscType::String(to), rest @ ..] => {
                let arg = match rest.first() {
                    None => None,
                    Some(arg) => Some(midi_arg(arg).ok_or_else(bad)?),
                };
                Learn::Target(LearnTarget::new(to, arg))
            }
            _ => return Err(bad()),
        }),
        "midi/learn/cancel" => Command::MidiLearn(Learn::Cancel),
        "playlist" => Command::Playlist(match args.first() {
            Some(OscType::String(name)) if valid_preset_name(name) => {
                PlaylistCommand::Play(name.clone())
            }
            Some(arg) => match number(arg) {
                Some(v) if v >= 0.5 => PlaylistCommand::Resume,
                Some(_) => PlaylistCommand::Stop,
                None => return Err(bad()),
            },
            None => return Err(bad()),
        }),
        "playlist/next" => Command::Playlist(PlaylistCommand::Next),
        "state" => {
            // Optional port: reply there instead of to the sending port (for one-shot senders).
            let port = match args.first() {
                None => from.port(),
                Some(arg) => number(arg)
                    .filter(|p| (1.0..65536.0).contains(p))
                    .ok_or_else(bad)? as u16,
            };
            Command::State {
                reply_to: SocketAddr::new(from.ip(), port),
            }
        }
        _ => return Err(OscIssue::UnknownAddress(address.to_string())),
    };
    Ok(command)
}

/// Names that are safe as file names in `presets/`.
pub fn valid_preset_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Flattens a packet (bundles within bundles) into commands, collecting issues.
pub fn parse_packet(
    packet: &OscPacket,
    from: SocketAddr,
    commands: &mut Vec<Command>,
    issues: &mut Vec<OscIssue>,
) {
    match packet {
        OscPacket::Message(message) => match parse_message(message, from) {
            Ok(command) => commands.push(command),
            Err(issue) => issues.push(issue),
        },
        OscPacket::Bundle(bundle) => {
            for inner in &bundle.content {
                parse_packet(inner, from, commands, issues);
            }
        }
    }
}

/// A controller is sent feedback for this long after it last sent something.
pub const CLIENT_TTL: Duration = Duration::from_secs(600);
/// At most this many controllers get feedback (the ones heard from most recently).
pub const MAX_CLIENTS: usize = 32;

/// The controllers heard from lately: bounded and expiring, so a flood from many ports (or a
/// phone that left the network) never grows the list or the feedback traffic.
#[derive(Debug, Default)]
pub struct Clients {
    heard: HashMap<SocketAddr, Instant>,
}

impl Clients {
    pub fn heard(&mut self, from: SocketAddr, now: Instant) {
        self.heard.insert(from, now);
        if self.heard.len() > MAX_CLIENTS {
            let oldest = self
                .heard
                .iter()
                .min_by_key(|(_, at)| **at)
                .map(|(a, _)| *a);
            if let Some(oldest) = oldest {
                self.heard.remove(&oldest);
            }
        }
    }

    /// The clients to send feedback to at `now` (forgetting those gone quiet).
    pub fn current(&mut self, now: Instant) -> Vec<SocketAddr> {
        self.heard
            .retain(|_, at| now.saturating_duration_since(*at) < CLIENT_TTL);
        let mut clients: Vec<SocketAddr> = self.heard.keys().copied().collect();
        clients.sort();
        clients
    }
}

/// Waits after a failed receive, doubling up to a second, so a socket that keeps failing
/// costs no CPU; the first success resets it.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    pub fn failed(&mut self) -> Duration {
        self.failures = self.failures.saturating_add(1);
        Duration::from_millis(1u64 << self.failures.min(10)).min(Duration::from_secs(1))
    }

    pub fn succeeded(&mut self) {
        self.failures = 0;
    }
}

/// The running server: commands arrive on `commands`; `clients` are the controllers heard
/// from lately.
pub struct OscServer {
    pub commands: Mutex<Receiver<(Command, SocketAddr)>>,
    pub clients: Arc<Mutex<Clients>>,
    socket: UdpSocket,
    pub port: u16,
}

impl OscServer {
    pub fn start(port: u16) -> std::io::Result<Self> {
        let socket = UdpSocket::bind(("0.0.0.0", port))?;
        let port = socket.local_addr()?.port();
        let (sender, receiver) = channel();
        let clients = Arc::new(Mutex::new(Clients::default()));
        let listener = socket.try_clone()?;
        let known = Arc::clone(&clients);
        std::thread::Builder::new()
            .name("lts osc".into())
            .spawn(move || {
                let mut buffer = vec![0u8; rosc::decoder::MTU];
                let mut reported: HashSet<String> = HashSet::new();
                let mut report = |key: String, message: String| {
                    if reported.len() < 10_000 && reported.insert(key) {
                        tracing::warn!("osc: {message} (ignored; logged once)");
                    }
                };
                let mut backoff = Backoff::default();
                loop {
                    let (len, from) = match listener.recv_from(&mut buffer) {
                        Ok(received) => {
                            backoff.succeeded();
                            received
                        }
                        Err(error) => {
                            report(
                                format!("recv {:?}", error.kind()),
                                format!("receiving failed: {error}"),
                            );
                            std::thread::sleep(backoff.failed());
                            continue;
                        }
                    };
                    let packet = match rosc::decoder::decode_udp(&buffer[..len]) {
                        Ok((_, packet)) => packet,
                        Err(error) => {
                            report(
                                format!("decode {from}"),
                                format!("undecodable packet from {from}: {error:?}"),
                            );
                            continue;
                        }
                    };
                    known
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .heard(from, Instant::now());
                    let (mut commands, mut issues) = (Vec::new(), Vec::new());
                    parse_packet(&packet, from, &mut commands, &mut issues);
                    for issue in issues {
                        match issue {
                            OscIssue::UnknownAddress(a) => {
                                report(format!("unknown {a}"), format!("unknown address {a}"))
                            }
                            OscIssue::BadArguments(a) => {
                                report(format!("args {a}"), format!("wrong arguments for {a}"))
                            }
                        }
                    }
                    for command in commands {
                        if sender.send((command, from)).is_err() {
                            return;
                        }
                    }
                }
            })?;
        Ok(Self {
            commands: Mutex::new(receiver),
            clients,
            socket,
            port,
        })
    }

    /// Everything received since the last call.
    pub fn drain(&self) -> Vec<(Command, SocketAddr)> {
        let receiver = self.commands.lock().unwrap_or_else(|e| e.into_inner());
        receiver.try_iter().collect()
    }

    /// Sends one bundle of messages to `to`.
    pub fn send(&self, to: SocketAddr, messages: Vec<OscMessage>) {
        let bundle = OscPacket::Bundle(rosc::OscBundle {
            timetag: rosc::OscTime {
                seconds: 0,
                fractional: 1,
            },
            content: messages.into_iter().map(OscPacket::Message).collect(),
        });
        if let Ok(bytes) = rosc::encoder::encode(&bundle) {
            let _ = self.socket.send_to(&bytes, to);
        }
    }

    pub fn clients(&self) -> Vec<SocketAddr> {
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .current(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_list_is_bounded_and_forgets_the_quiet() {
        let start = Instant::now();
        let mut clients = Clients::default();
        for port in 0..1000u16 {
            let at = start + Duration::from_millis(port as u64);
            clients.heard(SocketAddr::from(([10, 0, 0, 1], 10_000 + port)), at);
        }
        let now = start + Duration::from_secs(1);
        let current = clients.current(now);
        assert_eq!(current.len(), MAX_CLIENTS);
        assert!(
            current
                .iter()
                .all(|a| a.port() >= 10_000 + 1000 - MAX_CLIENTS as u16),
            "the most recent senders are kept: {current:?}"
        );
        let phone = SocketAddr::from(([10, 0, 0, 2], 9000));
        clients.heard(phone, now);
        assert!(clients.current(now + CLIENT_TTL / 2).contains(&phone));
        assert!(clients.current(now + CLIENT_TTL * 2).is_empty());
    }

    #[test]
    fn a_failing_socket_backs_off_to_a_second() {
        let mut backoff = Backoff::default();
        let waits: Vec<Duration> = (0..20).map(|_| backoff.failed()).collect();
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(waits[19], Duration::from_secs(1));
        let total: Duration = waits.iter().sum();
        assert!(
            total > Duration::from_secs(5),
            "20 failures spin: {total:?}"
        );
        backoff.succeeded();
        assert_eq!(backoff.failed(), Duration::from_millis(2));
    }
}
