//! The show's behaviour without a window: every parameter, presets, models, crossfade, hot
//! reload, MIDI learn and soft takeover, OSC, ranges and bad values.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};

use super::*;
use crate::control::midi::MidiMap;
use crate::control::osc::parse_packet;
use crate::control::preset::{Preset, PresetEntry, PresetList};
use crate::control::{Command, Learn, Param, Selector};
use crate::look::Look;

fn preset(name: &str, model: &str, downscale: f32, crossfade: f32) -> Preset {
    let look = Look {
        downscale,
        ..Look::default()
    };
    Preset {
        crossfade,
        ..Preset::new(name, model, look)
    }
}

fn list(presets: Vec<Result<Preset, String>>) -> PresetList {
    let dir = PathBuf::from("/show/presets");
    PresetList {
        entries: presets
            .into_iter()
            .enumerate()
            .map(|(i, preset)| PresetEntry {
                path: dir.join(format!("{i}.toml")),
                preset,
            })
            .collect(),
        dir,
        models: PathBuf::from("/show/models"),
    }
}

fn three_presets() -> PresetList {
    list(vec![
        Ok(preset("default", "nebula", 24.0, 1.0)),
        Ok(preset("sea", "sea", 12.0, 2.0)),
        Ok(preset("sky", "sky", 8.0, 0.5)),
    ])
}

fn show() -> ShowState {
    show_with(ShowConfig::default())
}

fn show_with(config: ShowConfig) -> ShowState {
    let models = ["nebula", "sea", "sky"].map(String::from).to_vec();
    ShowState::new(three_presets(), models, None, config).0
}

fn loads(effects: &[Effect]) -> Vec<(String, f32)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::LoadModel {
                name, crossfade, ..
            } => Some((name.clone(), *crossfade)),
            _ => None,
        })
        .collect()
}

/// Time passes until every glide has arrived.
fn settle(state: &mut ShowState) -> Vec<Effect> {
    (0..600).flat_map(|_| state.tick(1.0 / 60.0)).collect()
}

fn message(addr: &str, args: Vec<OscType>) -> OscPacket {
    OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    })
}

fn from() -> SocketAddr {
    "127.0.0.1:9001".parse().unwrap()
}

#[test]
fn the_show_starts_on_the_default_preset_and_loads_its_model() {
    let (state, effects) = ShowState::new(three_presets(), Vec::new(), None, ShowConfig::default());
    assert_eq!(loads(&effects), vec![("nebula".to_string(), 1.0)]);
    assert!(matches!(
        &effects[0],
        Effect::LoadModel { dir, .. } if dir == Path::new("/show/models/nebula")
    ));
    assert_eq!(state.preset(), Some((0, "default".into())));
    assert_eq!(state.settings().look.downscale, 24.0);
    assert_eq!(state.notice(), None);
}

#[test]
fn a_missing_preset_is_named_with_the_presets_folder_and_the_default_plays() {
    let (state, effects) = ShowState::new(
        three_presets(),
        Vec::new(),
        Some("waves"),
        ShowConfig::default(),
    );
    let notice = state.notice().unwrap();
    assert!(
        notice.contains("waves") && notice.contains("/show/presets"),
        "{notice}"
    );
    assert!(!notice.contains("/show/models"), "{notice}");
    assert_eq!(loads(&effects), vec![("nebula".to_string(), 1.0)]);
    let (empty, effects) = ShowState::new(list(vec![]), Vec::new(), None, ShowConfig::default());
    assert!(effects.is_empty());
    assert!(empty
        .notice()
        .unwrap()
        .contains("no presets in /show/presets"));
}

#[test]
fn every_parameter_glides_to_its_value_and_clamps_to_its_range() {
    for param in Param::ALL {
        let mut state = show();
        let (lo, hi) = param.range();
        let wanted = lo + (hi - lo) * 0.3;
        state.apply(Command::Set(param, wanted));
        assert_eq!(state.target(param), wanted, "{param:?}");
        settle(&mut state);
        let now = state.value(param);
        assert!((now - wanted).abs() < 1e-3, "{param:?}: {now} ≠ {wanted}");
        state.apply(Command::Set(param, hi * 10.0 + 10.0));
        assert_eq!(state.target(param), hi, "{param:?} above its range");
        state.apply(Command::Set(param, lo - 10.0));
        assert_eq!(state.target(param), lo, "{param:?} below its range");
        state.apply(Command::Set(param, f32::NAN));
        assert_eq!(state.target(param), lo, "{param:?} took NaN");
        assert!(state.notice().unwrap().contains(param.name()));
    }
}

#[test]
fn a_glide_takes_time_and_keys_step_through_the_table() {
    let mut state = show();
    state.apply(Command::Set(Param::Contrast, 3.0));
    state.tick(1.0 / 60.0);
    let first = state.settings().look.contrast;
    assert!(
        first > 1.0 && first < 2.0,
        "a fader jump glides, got {first} after one frame"
    );
    state.apply(Command::Nudge(Param::Downscale, true));
    assert!((state.target(Param::Downscale) - 24.0 * 1.1).abs() < 1e-4);
    state.apply(Command::Nudge(Param::Brightness, false));
    assert!((state.target(Param::Brightness) + 0.02).abs() < 1e-6);
}

#[test]
fn presets_switch_by_index_name_and_wrap_around() {
    let mut state = show();
    let effects = state.apply(Command::Preset(Selector::Name("sea".into())));
    assert_eq!(loads(&effects), vec![("sea".to_string(), 2.0)]);
    assert_eq!(state.settings().look.downscale, 12.0);
    assert_eq!(state.preset(), Some((1, "sea".into())));
    state.apply(Command::Preset(Selector::Next));
    assert_eq!(state.preset().unwrap().0, 2);
    state.apply(Command::Preset(Selector::Next));
    assert_eq!(state.preset().unwrap().0, 0, "next wraps to the first");
    state.apply(Command::Preset(Selector::Prev));
    assert_eq!(state.preset().unwrap().0, 2, "prev wraps to the last");
    let effects = state.apply(Command::Preset(Selector::Index(7)));
    assert!(effects.is_empty());
    assert_eq!(state.preset().unwrap().0, 2, "a bad index changes nothing");
    assert!(state.notice().unwrap().contains("no preset number 7"));
}

#[test]
fn the_performers_crossfade_governs_switches_once_set() {
    let mut state = show();
    let effects = state.apply(Command::Preset(Selector::Name("sea".into())));
    assert_eq!(loads(&effects)[0].1, 2.0, "untouched: the preset's own");
    assert_eq!(state.target(Param::Crossfade), 2.0);
    state.apply(Command::Set(Param::Crossfade, 5.0));
    let effects = state.apply(Command::Preset(Selector::Name("sky".into())));
    assert_eq!(loads(&effects), vec![("sky".to_string(), 5.0)]);
    assert_eq!(
        state.target(Param::Crossfade),
        5.0,
        "a preset switch must not overwrite the performer's crossfade"
    );
    let effects = state.apply(Command::Model(Selector::Name("sea".into())));
    assert_eq!(loads(&effects), vec![("sea".to_string(), 5.0)]);
}

#[test]
fn model_selects_models_and_keeps_the_preset_and_look() {
    let mut state = show();
    state.apply(Command::Set(Param::Contrast, 2.0));
    let effects = state.apply(Command::Model(Selector::Name("sky".into())));
    assert_eq!(loads(&effects), vec![("sky".to_string(), 1.0)]);
    assert!(matches!(
        &effects[0],
        Effect::LoadModel { dir, .. } if dir == Path::new("/show/models/sky")
    ));
    assert_eq!(state.preset(), Some((0, "default".into())));
    assert_eq!(state.target(Param::Contrast), 2.0);
    assert_eq!(state.model(), Some("sky"));
    let effects = state.apply(Command::Model(Selector::Next));
    assert_eq!(loads(&effects)[0].0, "nebula", "next after the last wraps");
    let effects = state.apply(Command::Model(Selector::Index(1)));
    assert_eq!(loads(&effects)[0].0, "sea");
    let effects = state.apply(Command::Model(Selector::Name("fire".into())));
    assert!(effects.is_empty());
    let notice = state.notice().unwrap();
    assert!(notice.contains("fire") && notice.contains("/show/models"));
}

#[test]
fn the_model_name_follows_the_engine_and_is_pushed_when_it_loads() {
    let mut state = show();
    settle(&mut state);
    state.apply(Command::ModelLoaded("nebula".into()));
    let pushed = state.tick(0.1);
    assert_eq!(
        pushed,
        vec![Effect::PushState],
        "an async load must be pushed"
    );
    let model = state_messages(&state)
        .into_iter()
        .find(|m| m.addr == "/lts/model")
        .unwrap();
    assert_eq!(model.args, vec![OscType::String("nebula".into())]);
}

#[test]
fn readings_go_out_once_a_second_even_when_nothing_changes() {
    let mut state = show();
    settle(&mut state);
    state.observe(Readings {
        frames: 600,
        fps: 59.5,
        longest_frame_ms: 40.0,
    });
    let pushes = (0..120)
        .flat_map(|_| state.tick(1.0 / 60.0))
        .filter(|e| *e == Effect::PushState)
        .count();
    assert_eq!(pushes, 2, "two seconds, two pushes of the readings");
    let frames = state_messages(&state)
        .into_iter()
        .find(|m| m.addr == "/lts/frames")
        .unwrap();
    assert_eq!(frames.args, vec![OscType::Long(600)]);
    let longest = state_messages(&state)
        .into_iter()
        .find(|m| m.addr == "/lts/frame/longest")
        .unwrap();
    assert_eq!(longest.args, vec![OscType::Float(40.0)]);
}

#[test]
fn pushes_are_rate_limited_and_only_when_something_changed() {
    let mut state = show();
    settle(&mut state);
    let mut pushes = 0;
    for i in 0..30 {
        state.apply(Command::Set(Param::Contrast, 1.0 + i as f32 * 0.01));
        pushes += state
            .tick(1.0 / 60.0)
            .iter()
            .filter(|e| **e == Effect::PushState)
            .count();
    }
    assert!(
        (9..=11).contains(&pushes),
        "half a second of fader moves: {pushes} pushes (20 a second)"
    );
}

#[test]
fn hot_reload_applies_the_current_preset_and_survives_a_broken_file() {
    let mut state = show();
    let mut edited = three_presets();
    edited.entries[0].preset = Ok(preset("default", "nebula", 6.0, 1.0));
    let effects = state.apply(Command::ReloadPresets(edited.clone()));
    assert!(loads(&effects).is_empty(), "same model: no reload");
    assert_eq!(state.settings().look.downscale, 6.0);
    let mut broken = edited.clone();
    broken.entries[0].preset = Err("preset 0.toml is invalid: expected `=`".into());
    let effects = state.apply(Command::ReloadPresets(broken));
    assert!(effects.is_empty());
    assert_eq!(state.settings().look.downscale, 6.0, "running state kept");
    assert!(state
        .notice()
        .unwrap()
        .contains("keeping the running state"));
    assert!(
        state.presets().entries[0].preset.is_ok(),
        "the last good version stays switchable"
    );
    let mut new_model = edited;
    new_model.entries[0].preset = Ok(preset("default", "sky", 6.0, 1.0));
    let effects = state.apply(Command::ReloadPresets(new_model));
    assert_eq!(loads(&effects), vec![("sky".to_string(), 1.0)]);
}

#[test]
fn a_saved_preset_holds_the_targets_and_becomes_current() {
    let mut state = show();
    state.apply(Command::Set(Param::Contrast, 1.5));
    state.apply(Command::Set(Param::Crossfade, 3.0));
    let effects = state.apply(Command::PresetSave("night".into()));
    let Some(Effect::SavePreset { path, preset }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(path, Path::new("/show/presets/night.toml"));
    assert_eq!(
        preset.look.contrast, 1.5,
        "the target, not a value mid-glide"
    );
    assert_eq!(preset.crossfade, 3.0);
    assert_eq!(preset.model, "nebula");
    preset.validate().unwrap();
    let mut saved = three_presets();
    saved.entries.push(PresetEntry {
        path: path.clone(),
        preset: Ok(preset.clone()),
    });
    state.apply(Command::ReloadPresets(saved));
    assert_eq!(state.preset(), Some((3, "night".into())));
    assert!(state.notice().unwrap().starts_with("saved"));
    let effects = state.apply(Command::PresetSave("../etc".into()));
    assert!(effects.is_empty());
    assert!(state.notice().unwrap().contains("letters, digits"));
}

#[test]
fn midi_learn_binds_what_was_touched_and_the_knob_then_drives_it() {
    let config = ShowConfig {
        midi_input: true,
        ..ShowConfig::default()
    };
    let mut state = show_with(config);
    state.apply(Command::MidiLearn(Learn::LastTouched));
    assert!(state.notice().unwrap().contains("change something first"));
    state.apply(Command::Set(Param::Contrast, 1.0));
    state.apply(Command::MidiLearn(Learn::LastTouched));
    assert_eq!(state.midi_learning().unwrap().to, "contrast");
    let effects = state.apply(Command::Midi(vec![0xB0, 21, 40]));
    let Some(Effect::SaveMidiMap { map, learned }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert!(learned.contains("cc 21"), "{learned}");
    assert_eq!(map.cc.len(), 1);
    assert!(state.midi_learning().is_none());
    // Contrast is at 1.0, i.e. 0.25 of its range; soft takeover ignores the knob at 0.9…
    state.apply(Command::Midi(vec![0xB0, 21, 115]));
    assert_eq!(state.target(Param::Contrast), 1.0, "soft takeover: no jump");
    // …until it reaches the value, then follows it.
    state.apply(Command::Midi(vec![0xB0, 21, 32]));
    state.apply(Command::Midi(vec![0xB0, 21, 64]));
    let expected = Param::Contrast.from_norm(64.0 / 127.0);
    assert!((state.target(Param::Contrast) - expected).abs() < 1e-5);
}

#[test]
fn midi_learn_says_when_midi_is_off_and_refuses_what_is_not_a_control() {
    let mut state = show();
    state.apply(Command::Blackout(Some(false)));
    state.apply(Command::MidiLearn(Learn::LastTouched));
    assert!(state.notice().unwrap().contains("MIDI input is off"));
    state.apply(Command::MidiLearn(Learn::Cancel));
    assert!(state.midi_learning().is_none());
    let target = crate::control::midi::LearnTarget::new("preset/save", None);
    state.apply(Command::MidiLearn(Learn::Target(target)));
    assert!(state.midi_learning().is_none());
    assert!(state.notice().unwrap().contains("not a control"));
}

#[test]
fn a_presets_midi_map_is_consulted_first() {
    let mut presets = three_presets();
    let map: MidiMap =
        toml::from_str("soft_takeover = false\ncc = [{ cc = 7, to = \"downscale\" }]").unwrap();
    if let Ok(p) = &mut presets.entries[1].preset {
        p.midi = Some(map);
    }
    let mut state = ShowState::new(presets, Vec::new(), None, ShowConfig::default()).0;
    state.apply(Command::Midi(vec![0xB0, 7, 127]));
    assert_eq!(state.target(Param::Downscale), 24.0, "unbound on default");
    state.apply(Command::Preset(Selector::Index(1)));
    state.apply(Command::Midi(vec![0xB0, 7, 127]));
    assert_eq!(state.target(Param::Downscale), 64.0);
}

#[test]
fn osc_bundles_reach_the_state_in_order() {
    let bundle = OscPacket::Bundle(OscBundle {
        timetag: OscTime {
            seconds: 0,
            fractional: 1,
        },
        content: vec![
            message("/lts/contrast", vec![OscType::Int(2)]),
            OscPacket::Bundle(OscBundle {
                timetag: OscTime {
                    seconds: 0,
                    fractional: 1,
                },
                content: vec![
                    message("/lts/downscale/norm", vec![OscType::Float(0.0)]),
                    message("/lts/preset", vec![OscType::String("sky".into())]),
                    message("/lts/crossfade", vec![OscType::Float(20.0)]),
                    message("/lts/nonsense", vec![]),
                ],
            }),
            message("/lts/blackout", vec![]),
            message("/lts/state", vec![OscType::Int(9100)]),
        ],
    });
    let (mut commands, mut issues) = (Vec::new(), Vec::new());
    parse_packet(&bundle, from(), &mut commands, &mut issues);
    assert_eq!(issues.len(), 1);
    let mut state = show();
    let effects: Vec<Effect> = commands.into_iter().flat_map(|c| state.apply(c)).collect();
    assert_eq!(state.preset().unwrap().1, "sky");
    assert_eq!(
        state.target(Param::Downscale),
        8.0,
        "the preset came after the fader: its look wins"
    );
    assert_eq!(state.target(Param::Crossfade), 20.0, "one range: 0..30 s");
    assert!(state.blackout());
    assert!(effects.contains(&Effect::ReplyState("127.0.0.1:9100".parse().unwrap())));
}

#[test]
fn preset_files_take_the_same_ranges_as_the_controls() {
    preset("long", "sea", 24.0, 20.0).validate().unwrap();
    let too_coarse = preset("coarse", "sea", 100.0, 1.0);
    let error = too_coarse.validate().unwrap_err().to_string();
    assert!(
        error.contains("downscale") && error.contains("64"),
        "{error}"
    );
    assert!(preset("slow", "sea", 24.0, 31.0).validate().is_err());
}

#[test]
fn blackout_fades_switches_toggle_and_view_cycles() {
    let mut state = show();
    state.apply(Command::Blackout(None));
    settle(&mut state);
    assert_eq!(state.level(), 0.0);
    state.apply(Command::Blackout(None));
    state.tick(BLACKOUT_FADE_SECONDS / 2.0);
    assert!((state.level() - 0.5).abs() < 1e-3);
    for (command, read) in [
        (
            Command::Freeze(None),
            (|s: &ShowState| s.settings().frozen) as fn(&ShowState) -> bool,
        ),
        (Command::FlipH(None), |s| s.settings().look.flip_h),
        (Command::FlipV(None), |s| s.settings().look.flip_v),
        (Command::Invert(None), |s| s.settings().look.invert),
        (Command::Overlay(None), |s| !s.overlay()),
    ] {
        state.apply(command.clone());
        assert!(read(&state), "{command:?} on");
        state.apply(command.clone());
        assert!(!read(&state), "{command:?} off");
    }
    assert_eq!(state.view(), ViewMode::Output);
    state.apply(Command::View(None));
    assert_eq!(state.view(), ViewMode::LookOutput);
    state.apply(Command::View(Some(2)));
    assert_eq!(state.view(), ViewMode::All);
    assert_eq!(
        state.apply(Command::Fullscreen(None)),
        vec![Effect::Fullscreen(true)]
    );
    assert!(state.apply(Command::Fullscreen(Some(true))).is_empty());
}

fn playlist(text: &str) -> Box<crate::control::playlist::Playlist> {
    let playlist: crate::control::playlist::Playlist = toml::from_str(text).unwrap();
    playlist.validate().unwrap();
    Box::new(playlist)
}

/// Seconds pass in frames of 1/10 s; the model loads they bring, in order.
fn run_for(state: &mut ShowState, seconds: f32) -> Vec<String> {
    let frames = (seconds * 10.0).round() as usize;
    (0..frames)
        .flat_map(|_| loads(&state.tick(0.1)))
        .map(|(name, _)| name)
        .collect()
}

#[test]
fn a_playlist_plays_its_presets_in_turn_for_their_minutes() {
    use crate::control::PlaylistCommand::*;
    let mut state = show();
    let effects = state.apply(Command::Playlist(Play("day".into())));
    assert!(matches!(
        &effects[..],
        [Effect::LoadPlaylist { path, .. }] if path == Path::new("/show/presets/playlists/day.toml")
    ));
    let day = playlist(
        "[[entry]]\npreset = \"sea\"\nminutes = 1\n\
         [[entry]]\npreset = \"gone\"\nminutes = 1\n\
         [[entry]]\npreset = \"sky\"\nminutes = 0.5\n",
    );
    let effects = state.apply(Command::Playlist(Start("day".into(), day)));
    assert_eq!(loads(&effects)[0].0, "sea", "starts at once");
    assert_eq!(run_for(&mut state, 59.5), Vec::<String>::new());
    assert_eq!(
        run_for(&mut state, 1.0),
        vec!["sky"],
        "skips a missing preset"
    );
    assert_eq!(state.playlist_name(), Some("day"));
    assert_eq!(run_for(&mut state, 30.5), vec!["sea"], "and wraps around");
    state.apply(Command::Playlist(Stop));
    assert_eq!(run_for(&mut state, 120.0), Vec::<String>::new(), "paused");
    assert!(state.playlist_status().unwrap().contains("paused"));
    state.apply(Command::Playlist(Resume));
    assert_eq!(run_for(&mut state, 60.0), vec!["sky"]);
    let effects = state.apply(Command::Playlist(Next));
    assert_eq!(loads(&effects)[0].0, "sea");
}

#[test]
fn a_random_playlist_never_repeats_a_preset_back_to_back_and_reaches_all() {
    let mut state = show();
    let random = playlist("random_every_minutes = 1");
    let mut played = loads(&state.apply(Command::Playlist(
        crate::control::PlaylistCommand::Start("shuffle".into(), random),
    )))
    .into_iter()
    .map(|(name, _)| name)
    .collect::<Vec<_>>();
    played.extend(run_for(&mut state, 60.0 * 30.0 + 1.0));
    assert_eq!(played.len(), 31, "{played:?}");
    assert!(played.windows(2).all(|w| w[0] != w[1]), "{played:?}");
    for model in ["nebula", "sea", "sky"] {
        assert!(played.iter().any(|p| p == model), "{model} never played");
    }
}

#[test]
fn a_playlist_of_missing_presets_stops_and_says_so() {
    let mut state = show();
    let gone = playlist("[[entry]]\npreset = \"gone\"\nminutes = 1\n");
    let effects = state.apply(Command::Playlist(crate::control::PlaylistCommand::Start(
        "empty".into(),
        gone,
    )));
    assert!(loads(&effects).is_empty());
    assert!(state.notice().unwrap().contains("none of its presets"));
    assert_eq!(state.playlist_name(), None);
    assert_eq!(run_for(&mut state, 120.0), Vec::<String>::new());
}

#[test]
fn keys_drive_the_show_and_a_gallery_locks_all_but_the_chords() {
    let plain = Modifiers::default();
    let chord = Modifiers {
        ctrl: true,
        alt: true,
        shift: false,
    };
    let mut state = show();
    state.apply(Command::Key(Key::Char('['), plain));
    assert!((state.target(Param::Downscale) - 24.0 / 1.1).abs() < 1e-4);
    state.apply(Command::Key(Key::Digit(2), plain));
    assert_eq!(state.preset().unwrap().0, 1);
    state.apply(Command::Key(
        Key::Char('v'),
        Modifiers {
            shift: true,
            ..plain
        },
    ));
    assert!(state.settings().look.flip_v);
    assert!(state.apply(Command::Key(Key::Escape, plain)).is_empty());
    assert_eq!(
        state.apply(Command::Key(Key::Char('f'), plain)),
        vec![Effect::Fullscreen(true)]
    );
    assert_eq!(
        state.apply(Command::Key(Key::Escape, plain)),
        vec![Effect::Fullscreen(false)]
    );

    let config = ShowConfig {
        locked: true,
        fullscreen: true,
        overlay: false,
        ..ShowConfig::default()
    };
    let mut gallery = show_with(config);
    let before = (gallery.settings(), gallery.preset(), gallery.view());
    for key in [
        Key::Char('['),
        Key::Char('b'),
        Key::Char('q'),
        Key::Digit(3),
        Key::Right,
        Key::Space,
        Key::Escape,
        Key::Char('f'),
    ] {
        assert!(
            gallery.apply(Command::Key(key, plain)).is_empty(),
            "{key:?}"
        );
    }
    assert_eq!(
        (gallery.settings(), gallery.preset(), gallery.view()),
        before
    );
    assert!(!gallery.blackout() && gallery.fullscreen());
    gallery.apply(Command::Key(Key::Char('o'), chord));
    assert!(gallery.overlay(), "the maintenance chord shows the overlay");
    assert_eq!(
        gallery.apply(Command::Key(Key::Char('q'), chord)),
        vec![Effect::Quit]
    );
}
