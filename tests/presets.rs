//! Presets on a running show: switched by index, name, next and prev over OSC; hot-reloaded
//! when their file changes; an invalid file is reported and the running state kept.

mod common;

use std::net::UdpSocket;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{lts, scratch, text};
use rosc::{OscMessage, OscPacket, OscType};

fn preset(dir: &Path, name: &str, contrast: f32, downscale: f32) {
    let body = format!(
        "model = \"none-{name}\"\nsmoothing = 0.2\ncrossfade = 0.0\n[look]\ncontrast = {contrast}\ndownscale = {downscale}\n"
    );
    std::fs::write(dir.join(format!("{name}.toml")), body).unwrap();
}

struct Show {
    app: Child,
    port: u16,
    socket: UdpSocket,
}

impl Show {
    fn start(presets: &Path) -> Self {
        let port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let app = Command::new(env!("CARGO_BIN_EXE_lts"))
            .args([
                "live",
                "--source",
                "synthetic",
                "--sync",
                "--frames",
                "1000000",
                "--size",
                "160x90",
            ])
            .args([
                "--osc-port",
                &port.to_string(),
                "--glide",
                "0",
                "--presets",
                presets.to_str().unwrap(),
            ])
            .args(["--models", presets.join("no-models").to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        Self { app, port, socket }
    }

    fn send(&self, addr: &str, args: Vec<OscType>) {
        let packet = OscPacket::Message(OscMessage {
            addr: addr.into(),
            args,
        });
        self.socket
            .send_to(
                &rosc::encoder::encode(&packet).unwrap(),
                ("127.0.0.1", self.port),
            )
            .unwrap();
    }

    /// Asks for /lts/state until it answers; returns address → first argument.
    fn state(&mut self) -> Vec<(String, OscType)> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut buffer = vec![0u8; rosc::decoder::MTU];
        loop {
            assert!(self.app.try_wait().unwrap().is_none(), "the show quit");
            self.send("/lts/state", vec![]);
            // Pushes may arrive too; keep the newest full state bundle.
            let mut newest = None;
            while let Ok((len, _)) = self.socket.recv_from(&mut buffer) {
                if let Ok((_, OscPacket::Bundle(bundle))) =
                    rosc::decoder::decode_udp(&buffer[..len])
                {
                    let values: Vec<(String, OscType)> = bundle
                        .content
                        .into_iter()
                        .filter_map(|p| match p {
                            OscPacket::Message(m) => m.args.into_iter().next().map(|a| (m.addr, a)),
                            _ => None,
                        })
                        .collect();
                    newest = Some(values);
                }
            }
            if let Some(values) = newest {
                return values;
            }
            assert!(Instant::now() < deadline, "no state from the show");
        }
    }

    fn value(&mut self, addr: &str) -> OscType {
        self.state()
            .into_iter()
            .find(|(a, _)| a == addr)
            .map(|(_, v)| v)
            .unwrap()
    }

    /// Polls until `addr` has `expected` (state changes land on the next frames).
    fn expect(&mut self, addr: &str, expected: OscType) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let value = self.value(addr);
            if value == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{addr}: {value:?}, expected {expected:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Show {
    fn drop(&mut self) {
        let _ = self.app.kill();
        let _ = self.app.wait();
    }
}

fn name(s: &str) -> OscType {
    OscType::String(s.into())
}

#[test]
fn presets_switch_hot_reload_and_survive_a_broken_file() {
    let dir = scratch("presets_show");
    preset(&dir, "a-calm", 1.0, 24.0);
    preset(&dir, "b-loud", 1.5, 8.0);
    preset(&dir, "default", 0.8, 16.0);
    let listing = lts(&[
        "presets",
        "--dir",
        dir.to_str().unwrap(),
        "--models",
        dir.to_str().unwrap(),
    ]);
    assert!(text(&listing).contains("b-loud"), "{}", text(&listing));

    let mut show = Show::start(&dir);
    show.expect("/lts/preset", name("default"));
    show.expect("/lts/contrast", OscType::Float(0.8));

    show.send("/lts/preset", vec![name("b-loud")]);
    show.expect("/lts/preset", name("b-loud"));
    show.expect("/lts/contrast", OscType::Float(1.5));
    show.expect("/lts/downscale", OscType::Float(8.0));
    show.send("/lts/preset", vec![OscType::Int(0)]);
    show.expect("/lts/preset", name("a-calm"));
    show.send("/lts/preset", vec![name("next")]);
    show.expect("/lts/preset", name("b-loud"));
    show.send("/lts/preset", vec![name("prev")]);
    show.expect("/lts/preset", name("a-calm"));
    show.send("/lts/preset", vec![name("prev")]);
    show.expect("/lts/preset", name("default"));

    // Hot reload of the current preset's file.
    std::thread::sleep(Duration::from_millis(1100)); // a new modification time
    preset(&dir, "default", 2.5, 4.0);
    show.expect("/lts/contrast", OscType::Float(2.5));
    show.expect("/lts/downscale", OscType::Float(4.0));

    // A broken edit: reported, and the show keeps what it had.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(
        dir.join("default.toml"),
        "model = \"x\"\n[look]\ncontrast = \"very\"\n",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(show.value("/lts/contrast"), OscType::Float(2.5));
    assert_eq!(show.value("/lts/preset"), name("default"));

    // Saving the current state as a new preset writes a file that loads.
    show.send("/lts/contrast", vec![OscType::Float(3.0)]);
    show.send("/lts/preset/save", vec![name("saved-live")]);
    let saved = dir.join("saved-live.toml");
    let deadline = Instant::now() + Duration::from_secs(20);
    while !saved.exists() {
        assert!(Instant::now() < deadline, "preset/save wrote nothing");
        std::thread::sleep(Duration::from_millis(100));
    }
    let loaded = learning_to_see::control::preset::Preset::load(&saved).unwrap();
    assert_eq!(loaded.look.contrast, 3.0);
}
