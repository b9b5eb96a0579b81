//! OSC: a foreign client (liblo's oscsend/oscdump) drives the running app and reads its state
//! back; garbage never crashes the server; bundles, ints-for-floats and /norm all work.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{scratch, synthetic_show};
use learning_to_see::control::osc::{parse_packet, OscServer};
use learning_to_see::control::{Command as Control, Param, Selector};
use rand::{Rng, SeedableRng};
use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};

fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn message(addr: &str, args: Vec<OscType>) -> OscPacket {
    OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    })
}

fn parse(packet: &OscPacket) -> (Vec<Control>, usize) {
    let from: SocketAddr = "127.0.0.1:5555".parse().unwrap();
    let (mut commands, mut issues) = (Vec::new(), Vec::new());
    parse_packet(packet, from, &mut commands, &mut issues);
    (commands, issues.len())
}

#[test]
fn the_address_space_accepts_native_norm_ints_and_nested_bundles() {
    let time = OscTime {
        seconds: 0,
        fractional: 1,
    };
    let packet = OscPacket::Bundle(OscBundle {
        timetag: time,
        content: vec![
            message("/lts/brightness", vec![OscType::Float(0.25)]),
            message("/lts/contrast", vec![OscType::Int(2)]),
            OscPacket::Bundle(OscBundle {
                timetag: time,
                content: vec![
                    message("/lts/downscale/norm", vec![OscType::Float(1.0)]),
                    message("/lts/preset", vec![OscType::String("next".into())]),
                    message("/lts/preset", vec![OscType::String("fire".into())]),
                    message("/lts/model", vec![OscType::Int(1)]),
                    message("/lts/flip/h", vec![]),
                    message("/lts/freeze", vec![OscType::Int(1)]),
                ],
            }),
            message("/lts/nonsense", vec![OscType::Float(1.0)]),
            message("/lts/brightness", vec![OscType::String("bright".into())]),
        ],
    });
    let (commands, issues) = parse(&packet);
    assert_eq!(
        commands,
        vec![
            Control::Set(Param::Brightness, 0.25),
            Control::Set(Param::Contrast, 2.0),
            Control::Set(Param::Downscale, 64.0),
            Control::Preset(Selector::Next),
            Control::Preset(Selector::Name("fire".into())),
            Control::Model(Selector::Index(1)),
            Control::FlipH(None),
            Control::Freeze(Some(true)),
        ]
    );
    assert_eq!(
        issues, 2,
        "the unknown address and the string brightness are reported"
    );
    for param in Param::ALL {
        for norm in [0.0, 0.3, 1.0] {
            assert!(
                (param.to_norm(param.from_norm(norm)) - norm).abs() < 1e-5,
                "{param:?}"
            );
        }
    }
}

#[test]
fn garbage_never_crashes_the_server_and_a_valid_message_still_applies() {
    let server = OscServer::start(0).unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    let target = format!("127.0.0.1:{}", server.port);
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    let valid =
        rosc::encoder::encode(&message("/lts/contrast", vec![OscType::Float(1.5)])).unwrap();
    for i in 0..100_000u32 {
        let bytes: Vec<u8> = if i % 2 == 0 {
            let len = rng.random_range(0..64);
            (0..len).map(|_| rng.random()).collect()
        } else {
            // Truncated or corrupted valid packets exercise the decoder's edges.
            let mut bytes = valid[..rng.random_range(0..valid.len())].to_vec();
            if !bytes.is_empty() && i % 3 == 0 {
                let at = rng.random_range(0..bytes.len());
                bytes[at] = rng.random();
            }
            bytes
        };
        // Parsing in-process too: no panic on any input.
        if let Ok((_, packet)) = rosc::decoder::decode_udp(&bytes) {
            let _ = parse(&packet);
        }
        client.send_to(&bytes, &target).unwrap();
        if i % 5000 == 0 {
            std::thread::sleep(Duration::from_millis(2));
            let _ = server.drain();
        }
    }
    let _ = server.drain();
    // UDP may drop while the server's socket buffer is full of garbage, so the valid message is
    // repeated until it lands; a dead server thread would never deliver it.
    let valid =
        rosc::encoder::encode(&message("/lts/brightness", vec![OscType::Float(-0.4)])).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        client.send_to(&valid, &target).unwrap();
        let got = server.drain();
        if got
            .iter()
            .any(|(c, _)| *c == Control::Set(Param::Brightness, -0.4))
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the valid message after the garbage never arrived"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// oscdump prints lines like `/lts/brightness f 0.300000`.
fn dumped_value(dump: &str, address: &str) -> Option<String> {
    dump.lines().find_map(|line| {
        line.split_once(&format!("{address} "))
            .map(|(_, rest)| rest.trim().to_string())
    })
}

#[test]
fn oscsend_sets_the_running_app_and_state_comes_back_to_oscdump() {
    let root = scratch("osc_app");
    let port = free_port();
    let dump_port = free_port();
    let mut app = synthetic_show(&root, "160x90", &["--osc-port", &port.to_string()]);
    let mut dump = Command::new("stdbuf")
        .args(["-oL", "oscdump", &dump_port.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("oscdump (liblo-tools) is installed by scripts/test.sh");
    let send = |args: &[&str]| {
        let status = Command::new("oscsend")
            .args(["127.0.0.1", &port.to_string()])
            .args(args)
            .status()
            .unwrap();
        assert!(status.success());
    };
    let lines = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    {
        let lines = std::sync::Arc::clone(&lines);
        let stdout = dump.stdout.take().unwrap();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let mut all = lines.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
    }
    send(&["/lts/brightness", "f", "0.3"]);
    send(&["/lts/contrast", "i", "2"]);
    send(&["/lts/downscale/norm", "f", "0.5"]);
    send(&["/lts/flip/h", "i", "1"]);
    // The app may still be starting: ask for the state until it answers.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        assert!(app.try_wait().unwrap().is_none(), "the app quit");
        send(&["/lts/brightness", "f", "0.3"]);
        send(&["/lts/contrast", "i", "2"]);
        send(&["/lts/downscale/norm", "f", "0.5"]);
        send(&["/lts/flip/h", "i", "1"]);
        send(&["/lts/state", "i", &dump_port.to_string()]);
        std::thread::sleep(Duration::from_millis(500));
        if lines.lock().unwrap().contains("/lts/flip/h") || Instant::now() > deadline {
            break;
        }
    }
    let _ = app.kill();
    let _ = app.wait();
    let _ = dump.kill();
    let _ = dump.wait();
    let printed = lines.lock().unwrap().clone();
    assert_eq!(
        dumped_value(&printed, "/lts/brightness").as_deref(),
        Some("f 0.300000"),
        "{printed}"
    );
    assert_eq!(
        dumped_value(&printed, "/lts/contrast").as_deref(),
        Some("f 2.000000"),
        "{printed}"
    );
    assert_eq!(
        dumped_value(&printed, "/lts/downscale").as_deref(),
        Some("f 8.000000"),
        "{printed}"
    );
    assert_eq!(
        dumped_value(&printed, "/lts/flip/h").as_deref(),
        Some("i 1"),
        "{printed}"
    );
}

/// Asks the app for its state on `reply` and returns what came back (address → text).
fn query_state(
    client: &UdpSocket,
    reply: &UdpSocket,
    port: u16,
) -> Option<std::collections::HashMap<String, OscType>> {
    let ask = rosc::encoder::encode(&message(
        "/lts/state",
        vec![OscType::Int(reply.local_addr().unwrap().port() as i32)],
    ))
    .unwrap();
    client.send_to(&ask, ("127.0.0.1", port)).unwrap();
    let mut buffer = vec![0u8; rosc::decoder::MTU];
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        let Ok((len, _)) = reply.recv_from(&mut buffer) else {
            continue;
        };
        let Ok((_, OscPacket::Bundle(bundle))) = rosc::decoder::decode_udp(&buffer[..len]) else {
            continue;
        };
        let values: std::collections::HashMap<_, _> = bundle
            .content
            .into_iter()
            .filter_map(|p| match p {
                OscPacket::Message(m) => Some((m.addr, m.args.into_iter().next()?)),
                _ => None,
            })
            .collect();
        if values.contains_key("/lts/frames") {
            return Some(values);
        }
    }
    None
}

fn frames_of(state: &std::collections::HashMap<String, OscType>) -> i64 {
    match state.get("/lts/frames") {
        Some(OscType::Long(frames)) => *frames,
        other => panic!("no frame count in the state: {other:?}"),
    }
}

/// A synthetic show listening for OSC on a free port, once it answers `/lts/state`: the app,
/// a client socket, a reply socket, the port and its first state.
fn answering_show(name: &str) -> (Child, UdpSocket, UdpSocket, u16, State) {
    let root = scratch(name);
    let port = free_port();
    let mut app = synthetic_show(
        &root,
        "320x180",
        &[
            "--midi",
            "off",
            "--osc-port",
            &port.to_string(),
            "--oscquery-port",
            "0",
        ],
    );
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    let reply = UdpSocket::bind("127.0.0.1:0").unwrap();
    reply
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let first = loop {
        assert!(app.try_wait().unwrap().is_none(), "the app quit");
        if let Some(state) = query_state(&client, &reply, port) {
            break state;
        }
        assert!(Instant::now() < deadline, "the app never answered");
    };
    (app, client, reply, port, first)
}

type State = std::collections::HashMap<String, OscType>;

#[test]
fn ten_thousand_messages_a_second_for_ten_seconds_last_value_wins_and_frames_keep_coming() {
    let (mut app, client, reply, port, idle) = answering_show("osc_load");
    // A second of idle frames for comparison.
    let idle_start = (Instant::now(), frames_of(&idle));
    std::thread::sleep(Duration::from_secs(2));
    let idle_end = query_state(&client, &reply, port).expect("state");
    let idle_fps =
        (frames_of(&idle_end) - idle_start.1) as f64 / idle_start.0.elapsed().as_secs_f64();

    let start = Instant::now();
    let mut sent = 0u64;
    let mut window_frames = vec![frames_of(&idle_end)];
    let mut next_probe = start + Duration::from_secs(1);
    while start.elapsed() < Duration::from_secs(10) {
        // 10 messages every millisecond: brightness sweeps, contrast steps.
        let due = (start.elapsed().as_secs_f64() * 10_000.0) as u64;
        while sent < due {
            let value = ((sent % 2000) as f32 / 1000.0) - 1.0;
            let packet = if sent.is_multiple_of(2) {
                message("/lts/brightness", vec![OscType::Float(value)])
            } else {
                message(
                    "/lts/contrast/norm",
                    vec![OscType::Float((sent % 100) as f32 / 100.0)],
                )
            };
            client
                .send_to(
                    &rosc::encoder::encode(&packet).unwrap(),
                    ("127.0.0.1", port),
                )
                .unwrap();
            sent += 1;
        }
        if Instant::now() >= next_probe {
            next_probe += Duration::from_secs(1);
            if let Some(state) = query_state(&client, &reply, port) {
                window_frames.push(frames_of(&state));
            }
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    let load_seconds = start.elapsed().as_secs_f64();
    // The last word: these exact values must be what the app ends up with.
    let last = [
        message("/lts/brightness", vec![OscType::Float(0.321)]),
        message("/lts/contrast", vec![OscType::Float(2.5)]),
    ];
    for packet in &last {
        client
            .send_to(&rosc::encoder::encode(packet).unwrap(), ("127.0.0.1", port))
            .unwrap();
    }
    std::thread::sleep(Duration::from_millis(500));
    let after = query_state(&client, &reply, port).expect("state after the load");
    let _ = app.kill();
    let _ = app.wait();

    assert!(sent >= 95_000, "sent {sent}");
    assert_eq!(after.get("/lts/brightness"), Some(&OscType::Float(0.321)));
    assert_eq!(after.get("/lts/contrast"), Some(&OscType::Float(2.5)));
    assert!(
        window_frames.len() >= 8,
        "the app answered state queries during the load: {window_frames:?}"
    );
    assert!(
        window_frames.windows(2).all(|w| w[1] > w[0]),
        "frames kept coming every second of the load: {window_frames:?}"
    );
    let load_fps = (frames_of(&after) - frames_of(&idle_end)) as f64 / load_seconds;
    eprintln!(
        "OSC load: {sent} messages in {load_seconds:.1} s; {idle_fps:.1} fps idle, {load_fps:.1} fps under load"
    );
}

/// Issue 16's flood: 100,000 malformed packets from 200 source ports while the show runs. It
/// keeps drawing and answering, and pushes its state back to at most 32 recent clients.
#[test]
fn a_hundred_thousand_malformed_packets_from_many_ports_leave_the_show_drawing() {
    let (mut app, client, reply, port, first) = answering_show("osc_flood");
    let before = frames_of(&first);
    let senders: Vec<UdpSocket> = (0..200)
        .map(|_| {
            let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
            socket.set_nonblocking(true).unwrap();
            socket
        })
        .collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(16);
    let valid =
        rosc::encoder::encode(&message("/lts/brightness", vec![OscType::Float(0.1)])).unwrap();
    for i in 0..100_000usize {
        let mut packet = match i % 4 {
            // Random bytes.
            0 => (0..rng.random_range(1..64))
                .map(|_| rng.random())
                .collect::<Vec<u8>>(),
            // A valid message cut short, or with bytes flipped.
            1 => valid[..rng.random_range(1..valid.len())].to_vec(),
            2 => {
                let mut bytes = valid.clone();
                let at = rng.random_range(0..bytes.len());
                bytes[at] ^= rng.random::<u8>() | 1;
                bytes
            }
            // Well-formed, but an unknown address or wrong types.
            _ => rosc::encoder::encode(&message(
                if i % 8 == 3 {
                    "/lts/loudness"
                } else {
                    "/lts/contrast"
                },
                vec![OscType::String("loud".into())],
            ))
            .unwrap(),
        };
        if packet.is_empty() {
            packet.push(0);
        }
        let _ = senders[i % senders.len()].send_to(&packet, ("127.0.0.1", port));
        if i % 2000 == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    // Every sender also sends one valid message: 200 clients heard from.
    for sender in &senders {
        let _ = sender.send_to(&valid, ("127.0.0.1", port));
    }
    std::thread::sleep(Duration::from_millis(500));
    let after = query_state(&client, &reply, port).expect("the show stopped answering");
    assert!(
        frames_of(&after) > before,
        "no frames drawn during the flood: {before} → {}",
        frames_of(&after)
    );
    // A change is pushed to the clients heard from lately: at most 32 of the 200.
    for sender in &senders {
        let mut buffer = [0u8; 4096];
        while sender.recv_from(&mut buffer).is_ok() {}
    }
    let poke = rosc::encoder::encode(&message("/lts/contrast", vec![OscType::Float(1.7)])).unwrap();
    client.send_to(&poke, ("127.0.0.1", port)).unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let pushed = senders
        .iter()
        .filter(|sender| {
            let mut buffer = [0u8; 4096];
            let mut got = false;
            while sender.recv_from(&mut buffer).is_ok() {
                got = true;
            }
            got
        })
        .count();
    assert!(
        (1..=32).contains(&pushed),
        "state pushed to {pushed} of 200 flooding clients"
    );
    assert!(app.try_wait().unwrap().is_none(), "the app quit");
    let _ = app.kill();
    let _ = app.wait();
}
