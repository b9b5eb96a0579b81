//! MIDI on raw messages (this machine has no ALSA sequencer for a virtual port): the mapping,
//! learn mode, soft takeover, channels, and the reconnect decisions.

mod common;

use learning_to_see::control::midi::device::{choose_port, next_action, Action};
use learning_to_see::control::midi::map::{Arg, CcBinding};
use learning_to_see::control::midi::{LearnTarget, MidiControl, MidiEvent, MidiMap, MidiMessage};
use learning_to_see::control::{Command, Param, Selector};

fn cc(channel: u8, controller: u8, value: u8) -> [u8; 3] {
    [0xb0 | (channel - 1), controller, value]
}

fn note_on(channel: u8, note: u8) -> [u8; 3] {
    [0x90 | (channel - 1), note, 100]
}

const MAP: &str = r#"
device = "nanoKONTROL"
cc = [
  { cc = 0, to = "brightness" },
  { cc = 1, to = "downscale", channel = 2 },
  { cc = 45, to = "blackout" },
]
note = [
  { note = 36, to = "preset", arg = 2 },
  { note = 37, to = "preset", arg = "fire" },
  { note = 38, to = "preset/next" },
  { note = 39, to = "freeze" },
]
"#;

fn control() -> MidiControl {
    let map: MidiMap = toml::from_str(MAP).unwrap();
    map.validate().unwrap();
    MidiControl::new(map)
}

fn command(event: MidiEvent) -> Command {
    match event {
        MidiEvent::Command(command) => command,
        other => panic!("expected a command, got {other:?}"),
    }
}

#[test]
fn raw_bytes_parse_into_what_controllers_send() {
    assert_eq!(
        MidiMessage::parse(&[0xb3, 7, 100]),
        Some(MidiMessage::ControlChange {
            channel: 4,
            controller: 7,
            value: 100
        })
    );
    assert_eq!(
        MidiMessage::parse(&[0x90, 60, 0]),
        Some(MidiMessage::NoteOff {
            channel: 1,
            note: 60
        }),
        "note-on with velocity 0 is a note-off"
    );
    for junk in [
        &[][..],
        &[0xb0, 7],
        &[0x07, 1, 2],
        &[0xf8],
        &[0xe0, 0, 64],
        &[0xb0, 200, 1],
    ] {
        assert_eq!(MidiMessage::parse(junk), None, "{junk:?}");
    }
}

#[test]
fn mapped_knobs_and_pads_become_commands_and_channels_are_respected() {
    let mut midi = control();
    let unset = |_: Param| 0.5;
    // Brightness sits at 0.5 on 0..1 (value 0): a fader at 64 is close enough to pick it up.
    assert_eq!(
        command(midi.handle(&cc(1, 0, 64), unset)),
        Command::Set(Param::Brightness, Param::Brightness.from_norm(64.0 / 127.0))
    );
    assert_eq!(
        command(midi.handle(&cc(2, 1, 64), |_| 64.0 / 127.0)),
        Command::Set(Param::Downscale, Param::Downscale.from_norm(64.0 / 127.0))
    );
    assert_eq!(
        midi.handle(&cc(3, 1, 64), |_| 64.0 / 127.0),
        MidiEvent::Ignored,
        "cc 1 is bound on channel 2 only"
    );
    assert_eq!(
        command(midi.handle(&cc(1, 45, 127), unset)),
        Command::Blackout(Some(true))
    );
    assert_eq!(
        command(midi.handle(&cc(1, 45, 0), unset)),
        Command::Blackout(Some(false))
    );
    assert_eq!(
        command(midi.handle(&note_on(10, 36), unset)),
        Command::Preset(Selector::Index(2))
    );
    assert_eq!(
        command(midi.handle(&note_on(1, 37), unset)),
        Command::Preset(Selector::Name("fire".into()))
    );
    assert_eq!(
        command(midi.handle(&note_on(1, 38), unset)),
        Command::Preset(Selector::Next)
    );
    assert_eq!(
        command(midi.handle(&note_on(1, 39), unset)),
        Command::Freeze(None)
    );
    assert_eq!(
        midi.handle(&[0x80, 36, 0], unset),
        MidiEvent::Ignored,
        "note-off does nothing"
    );
    assert_eq!(midi.handle(&cc(1, 99, 10), unset), MidiEvent::Ignored);
}

#[test]
fn soft_takeover_waits_for_the_fader_to_reach_the_value() {
    let mut midi = control();
    // The show's brightness is at 0.8 (norm), e.g. after a preset change; the fader is at 0.
    let mut current = 0.8_f32;
    let mut moves = 0;
    for value in (0..=127u8).step_by(4) {
        let event = midi.handle(&cc(1, 0, value), |_| current);
        let norm = value as f32 / 127.0;
        match event {
            MidiEvent::Command(Command::Set(Param::Brightness, v)) => {
                assert!(
                    norm >= 0.8 - 2.0 / 127.0,
                    "the fader at {norm} jumped the value"
                );
                current = Param::Brightness.to_norm(v);
                moves += 1;
            }
            MidiEvent::Ignored => assert!(norm < 0.8, "the fader at {norm} was not picked up"),
            other => panic!("{other:?}"),
        }
    }
    assert!(moves > 0);
    // Attached now: it follows in both directions.
    let event = midi.handle(&cc(1, 0, 20), |_| current);
    assert!(matches!(event, MidiEvent::Command(_)));
    current = 20.0 / 127.0;
    // Something else (OSC, a key, a preset) moves the value: the fader lets go again.
    current = (current + 0.5).min(1.0);
    assert_eq!(midi.handle(&cc(1, 0, 24), |_| current), MidiEvent::Ignored);
    // A fast fader that jumps over the value is picked up when it crosses.
    let event = midi.handle(&cc(1, 0, 127), |_| current);
    assert!(
        matches!(
            event,
            MidiEvent::Command(Command::Set(Param::Brightness, _))
        ),
        "{event:?}"
    );
    // Without soft takeover, every move applies.
    let mut map: MidiMap = toml::from_str(MAP).unwrap();
    map.soft_takeover = false;
    let mut direct = MidiControl::new(map);
    assert!(matches!(
        direct.handle(&cc(1, 0, 0), |_| 0.9),
        MidiEvent::Command(_)
    ));
}

#[test]
fn learn_binds_the_next_control_and_the_map_round_trips() {
    let root = common::scratch("midi_learn");
    let mut midi = MidiControl::new(MidiMap::default());
    midi.learn(Some(LearnTarget::new("contrast", None)))
        .unwrap();
    // A pad cannot drive a fader's parameter: learn keeps waiting.
    assert_eq!(midi.handle(&note_on(1, 50), |_| 0.0), MidiEvent::Ignored);
    match midi.handle(&cc(5, 21, 3), |_| 0.0) {
        MidiEvent::Learned(text) => assert!(text.contains("21") && text.contains("contrast")),
        other => panic!("{other:?}"),
    }
    assert!(midi.learning().is_none());
    // The learned knob works (after pickup) and only on its channel.
    assert!(matches!(
        midi.handle(&cc(5, 21, 0), |_| 0.0),
        MidiEvent::Command(Command::Set(Param::Contrast, _))
    ));
    assert_eq!(midi.handle(&cc(6, 21, 0), |_| 0.0), MidiEvent::Ignored);

    midi.learn(Some(LearnTarget::new("preset", Some(Arg::Int(4)))))
        .unwrap();
    assert_eq!(
        midi.handle(&cc(1, 1, 1), |_| 0.0),
        MidiEvent::Ignored,
        "a knob cannot pick a preset"
    );
    assert!(matches!(
        midi.handle(&note_on(1, 60), |_| 0.0),
        MidiEvent::Learned(_)
    ));
    assert_eq!(
        command(midi.handle(&note_on(1, 60), |_| 0.0)),
        Command::Preset(Selector::Index(4))
    );
    // Relearning a knob replaces its old binding.
    midi.learn(Some(LearnTarget::new("brightness", None)))
        .unwrap();
    midi.handle(&cc(5, 21, 0), |_| 0.0);
    assert_eq!(
        midi.map.cc,
        vec![CcBinding {
            cc: 21,
            channel: Some(5),
            to: "brightness".into()
        }]
    );
    assert!(midi
        .learn(Some(LearnTarget::new("nonsense", None)))
        .is_err());

    let path = root.join("controllers/midi.toml");
    midi.map.save(&path).unwrap();
    assert_eq!(MidiMap::load(&path).unwrap(), midi.map);
}

#[test]
fn bad_mapping_files_say_what_is_wrong() {
    let root = common::scratch("midi_bad");
    for (text, expected) in [
        ("cc = [{ cc = 1, to = \"loudness\" }]", "loudness"),
        ("cc = [{ cc = 200, to = \"contrast\" }]", "cc"),
        ("note = [{ note = 1, to = \"preset\" }]", "preset"),
        (
            "cc = [{ cc = 1, to = \"contrast\", channel = 17 }]",
            "channel",
        ),
        ("cc = 3", "invalid"),
    ] {
        let path = root.join("map.toml");
        std::fs::write(&path, text).unwrap();
        let error = format!("{:#}", MidiMap::load(&path).unwrap_err());
        assert!(error.contains(expected), "{text}: {error}");
    }
}

#[test]
fn the_input_finds_its_device_by_name_and_reconnects_when_it_returns() {
    let ports = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let present = ports(&[
        "Midi Through:Midi Through Port-0 14:0",
        "nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0",
    ]);
    assert_eq!(choose_port(&present, ""), Some(1), "not the loop-back port");
    assert_eq!(choose_port(&present, "nanokontrol"), Some(1));
    assert_eq!(choose_port(&present, "launchpad"), None);
    let name = present[1].clone();
    assert_eq!(next_action(None, &present, "nano"), Action::Connect(1));
    assert_eq!(next_action(Some(&name), &present, "nano"), Action::Stay);
    let unplugged = ports(&["Midi Through:Midi Through Port-0 14:0"]);
    assert_eq!(
        next_action(Some(&name), &unplugged, "nano"),
        Action::Disconnect
    );
    assert_eq!(next_action(None, &unplugged, "nano"), Action::Stay);
    // Plugged into another USB socket, the client number changes; the name still matches.
    let back = ports(&[
        "Midi Through:Midi Through Port-0 14:0",
        "nanoKONTROL2:nanoKONTROL2 MIDI 1 24:0",
    ]);
    assert_eq!(next_action(None, &back, "nano"), Action::Connect(1));
}

#[test]
fn the_shipped_mapping_file_is_valid() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("presets/controllers/midi.toml");
    let map = MidiMap::load(&path).unwrap();
    assert!(!map.cc.is_empty() && !map.note.is_empty());
}
