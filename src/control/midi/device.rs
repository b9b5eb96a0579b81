//! The MIDI input: finds the device by name, and when it vanishes (unplugged, powered off)
//! waits for it and reconnects, without the show noticing more than a line in the overlay.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use midir::{MidiInput, MidiInputConnection};

/// How often the port list is checked.
const POLL: Duration = Duration::from_secs(2);
/// Raw messages waiting for the render thread; beyond this a flood is dropped, not queued.
const BACKLOG: usize = 4096;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Connect(usize),
    Disconnect,
    Stay,
}

/// The port to use: the first whose name contains `wanted` (case-insensitive), or with an
/// empty `wanted` the first that is not ALSA's loop-back "Midi Through".
pub fn choose_port(ports: &[String], wanted: &str) -> Option<usize> {
    let wanted = wanted.to_lowercase();
    ports.iter().position(|name| {
        let name = name.to_lowercase();
        if wanted.is_empty() {
            !name.contains("midi through")
        } else {
            name.contains(&wanted)
        }
    })
}

/// What to do, given the port we are connected to (if any) and the ports there are now.
pub fn next_action(connected: Option<&str>, ports: &[String], wanted: &str) -> Action {
    match connected {
        Some(name) if ports.iter().any(|p| p == name) => Action::Stay,
        Some(_) => Action::Disconnect,
        None => choose_port(ports, wanted).map_or(Action::Stay, Action::Connect),
    }
}

pub struct MidiInputThread {
    // Behind a mutex so the show's state can be shared with the render thread.
    messages: Mutex<Receiver<Vec<u8>>>,
    status: Arc<Mutex<String>>,
}

impl MidiInputThread {
    /// Starts watching for `wanted` (see [`choose_port`]).
    pub fn start(wanted: &str) -> Self {
        let (sender, messages) = sync_channel(BACKLOG);
        let status = Arc::new(Mutex::new(String::from("MIDI: starting")));
        let shared = Arc::clone(&status);
        let wanted = wanted.to_string();
        let spawned = std::thread::Builder::new()
            .name("lts midi".into())
            .spawn(move || watch(&wanted, &sender, &shared));
        if let Err(error) = spawned {
            *status.lock().unwrap_or_else(|e| e.into_inner()) = format!("MIDI: {error}");
        }
        Self {
            messages: Mutex::new(messages),
            status,
        }
    }

    pub fn drain(&self) -> Vec<Vec<u8>> {
        let messages = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        messages.try_iter().collect()
    }

    pub fn status(&self) -> String {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn set_status(shared: &Mutex<String>, text: String) {
    let mut status = shared.lock().unwrap_or_else(|e| e.into_inner());
    if *status != text {
        tracing::info!("{text}");
        *status = text;
    }
}

fn port_names(input: &MidiInput) -> Vec<String> {
    input
        .ports()
        .iter()
        .filter_map(|port| input.port_name(port).ok())
        .collect()
}

fn watch(wanted: &str, sender: &SyncSender<Vec<u8>>, status: &Mutex<String>) {
    let mut watcher: Option<MidiInput> = None;
    let mut connection: Option<(MidiInputConnection<()>, String)> = None;
    loop {
        if watcher.is_none() {
            // Without the ALSA sequencer every attempt makes ALSA print an error; wait quietly
            // for the device node instead (it appears when the snd-seq module loads).
            if cfg!(target_os = "linux") && !std::path::Path::new("/dev/snd/seq").exists() {
                set_status(
                    status,
                    "MIDI unavailable (no ALSA sequencer, /dev/snd/seq)".into(),
                );
                std::thread::sleep(POLL * 5);
                continue;
            }
            match MidiInput::new("learning-to-see watch") {
                Ok(input) => watcher = Some(input),
                Err(error) => {
                    set_status(status, format!("MIDI unavailable ({error}); retrying"));
                    std::thread::sleep(POLL * 5);
                    continue;
                }
            }
        }
        let ports = watcher.as_ref().map(port_names).unwrap_or_default();
        let connected = connection.as_ref().map(|(_, name)| name.as_str());
        match next_action(connected, &ports, wanted) {
            Action::Connect(index) => match connect(&ports[index], sender.clone()) {
                Ok(open) => {
                    set_status(status, format!("MIDI: {}", ports[index]));
                    connection = Some((open, ports[index].clone()));
                }
                Err(error) => set_status(status, format!("MIDI: {error}; retrying")),
            },
            Action::Disconnect => {
                if let Some((open, name)) = connection.take() {
                    open.close();
                    set_status(status, format!("MIDI: {name} is gone; waiting for it"));
                }
            }
            Action::Stay if connection.is_none() => set_status(
                status,
                if wanted.is_empty() {
                    "MIDI: no input device".to_string()
                } else {
                    format!("MIDI: waiting for `{wanted}`")
                },
            ),
            Action::Stay => {}
        }
        std::thread::sleep(POLL);
    }
}

fn connect(name: &str, sender: SyncSender<Vec<u8>>) -> Result<MidiInputConnection<()>, String> {
    let input = MidiInput::new("learning-to-see").map_err(|e| e.to_string())?;
    let port = input
        .ports()
        .into_iter()
        .find(|port| input.port_name(port).is_ok_and(|n| n == name))
        .ok_or_else(|| format!("{name} vanished"))?;
    input
        .connect(
            &port,
            "learning-to-see in",
            move |_, bytes, _| {
                let _ = sender.try_send(bytes.to_vec());
            },
            (),
        )
        .map_err(|e| format!("cannot open {name}: {e}"))
}
