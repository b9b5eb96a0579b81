//! OSCQuery: the address space over HTTP (read by curl, a client no one here wrote), with
//! ranges and the running app's current values; and the same address space drives the
//! parser, the controller layout and the MIDI map.

mod common;

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{scratch, synthetic_show};
use learning_to_see::control::osc::parse_message;
use learning_to_see::control::oscquery::{respond, OscQueryServer, Snapshot};
use learning_to_see::control::space::{addresses, Kind};
use rosc::{OscMessage, OscPacket, OscType};
use serde_json::Value;

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// GET with curl: (HTTP status, body).
fn curl(url: &str) -> (u16, String) {
    let output = Command::new("curl")
        .args(["-s", "-m", "5", "-w", "\n%{http_code}", url])
        .output()
        .expect("curl is installed");
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (status.trim().parse().unwrap_or(0), body.to_string())
}

fn sample_argument(kind: Kind) -> Vec<OscType> {
    match kind {
        Kind::Param(_) | Kind::Norm(_) => vec![OscType::Float(0.5)],
        Kind::Switch | Kind::View | Kind::State => vec![OscType::Int(1)],
        Kind::Choice | Kind::Text => vec![OscType::String("fire".into())],
        Kind::Trigger | Kind::Reading => vec![],
    }
}

#[test]
fn every_published_address_is_accepted_by_the_parser() {
    let from: SocketAddr = "127.0.0.1:9".parse().unwrap();
    for address in addresses() {
        let message = OscMessage {
            addr: address.path.clone(),
            args: sample_argument(address.kind),
        };
        let parsed = parse_message(&message, from);
        if address.kind == Kind::Reading {
            assert!(parsed.is_err(), "{} is read-only", address.path);
        } else {
            assert!(parsed.is_ok(), "{}: {parsed:?}", address.path);
        }
    }
}

#[test]
fn the_tree_has_types_ranges_and_values_and_answers_attribute_queries() {
    let snapshot = Snapshot::new(
        &[
            OscMessage {
                addr: "/lts/brightness".into(),
                args: vec![OscType::Float(0.25)],
            },
            OscMessage {
                addr: "/lts/frames".into(),
                args: vec![OscType::Long(42)],
            },
            OscMessage {
                addr: "/lts/notice".into(),
                args: vec![OscType::String("generator sea panicked: restarted".into())],
            },
        ],
        vec!["default".into(), "fire".into()],
    )
    .with_models(vec!["nebula".into(), "sea".into()]);
    let (status, body) = respond("/", &snapshot, 9000);
    assert_eq!(status, 200);
    let root: Value = serde_json::from_str(&body).unwrap();
    let brightness = &root["CONTENTS"]["lts"]["CONTENTS"]["brightness"];
    assert_eq!(brightness["FULL_PATH"], "/lts/brightness");
    assert_eq!(brightness["TYPE"], "f");
    assert_eq!(brightness["ACCESS"], 3);
    assert_eq!(brightness["RANGE"][0]["MIN"], -1.0);
    assert_eq!(brightness["RANGE"][0]["MAX"], 1.0);
    assert_eq!(brightness["VALUE"][0], 0.25);
    let norm = &brightness["CONTENTS"]["norm"];
    assert_eq!(norm["FULL_PATH"], "/lts/brightness/norm");
    assert_eq!(norm["RANGE"][0]["MAX"], 1.0);
    let preset = &root["CONTENTS"]["lts"]["CONTENTS"]["preset"];
    assert_eq!(preset["RANGE"][0]["VALS"][1], "fire");
    let model = &root["CONTENTS"]["lts"]["CONTENTS"]["model"];
    assert_eq!(
        model["RANGE"][0]["VALS"][1], "sea",
        "/lts/model offers models"
    );
    let notice = &root["CONTENTS"]["lts"]["CONTENTS"]["notice"];
    assert_eq!(
        (notice["TYPE"].as_str(), notice["ACCESS"].as_i64()),
        (Some("s"), Some(1))
    );
    assert_eq!(root["CONTENTS"]["lts"]["CONTENTS"]["frames"]["TYPE"], "h");
    assert_eq!(
        root["CONTENTS"]["lts"]["CONTENTS"]["flip"]["CONTENTS"]["h"]["TYPE"],
        "i"
    );

    let (status, body) = respond("/lts/brightness?VALUE", &snapshot, 9000);
    assert_eq!((status, body.as_str()), (200, r#"{"VALUE":[0.25]}"#));
    let (status, body) = respond("/?HOST_INFO", &snapshot, 9123);
    let info: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(status, 200);
    assert_eq!(info["OSC_PORT"], 9123);
    assert_eq!(info["OSC_TRANSPORT"], "UDP");
    assert_eq!(respond("/lts/loudness", &snapshot, 9000).0, 404);
    assert_eq!(respond("/lts/contrast?VALUE", &snapshot, 9000).0, 204);
    assert_eq!(respond("/lts/contrast?BOGUS", &snapshot, 9000).0, 400);
}

#[test]
fn curl_reads_the_running_apps_values_over_http() {
    let root = scratch("oscquery_app");
    let osc_port = free_udp_port();
    let http_port = free_tcp_port();
    let mut app = synthetic_show(
        &root,
        "160x90",
        &[
            "--midi",
            "off",
            "--osc-port",
            &osc_port.to_string(),
            "--oscquery-port",
            &http_port.to_string(),
        ],
    );
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    let set = rosc::encoder::encode(&OscPacket::Message(OscMessage {
        addr: "/lts/contrast".into(),
        args: vec![OscType::Float(1.75)],
    }))
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let value = loop {
        assert!(app.try_wait().unwrap().is_none(), "the app quit");
        client.send_to(&set, ("127.0.0.1", osc_port)).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let (status, body) = curl(&format!("http://127.0.0.1:{http_port}/lts/contrast?VALUE"));
        if (status == 200 && body.contains("1.75")) || Instant::now() > deadline {
            break body;
        }
    };
    let (status, info) = curl(&format!("http://127.0.0.1:{http_port}/?HOST_INFO"));
    // Frames drawn are published once a second even when nothing else changes.
    let frames_published = |min: i64| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let (_, tree) = curl(&format!("http://127.0.0.1:{http_port}/"));
            let tree: Value = serde_json::from_str(&tree).unwrap_or_default();
            let frames = tree["CONTENTS"]["lts"]["CONTENTS"]["frames"]["VALUE"][0]
                .as_i64()
                .unwrap_or(0);
            if frames > min || Instant::now() > deadline {
                break frames;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let first = frames_published(0);
    let later = frames_published(first);
    let _ = app.kill();
    let _ = app.wait();
    assert_eq!(value, r#"{"VALUE":[1.75]}"#);
    assert_eq!(status, 200);
    let info: Value = serde_json::from_str(&info).unwrap();
    assert_eq!(info["OSC_PORT"], osc_port);
    assert!(first > 0, "frames drawn are published");
    assert!(
        later > first,
        "and keep being published: {first} then {later}"
    );
}

#[test]
fn the_controller_layout_only_uses_addresses_the_app_accepts() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("presets/controllers/open-stage-control.json");
    let layout: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let known: Vec<String> = addresses().into_iter().map(|a| a.path).collect();
    let mut found = Vec::new();
    fn walk(node: &Value, found: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(address)) = map.get("address") {
                    found.push(address.clone());
                }
                map.values().for_each(|v| walk(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    walk(&layout, &mut found);
    assert!(found.len() >= 10, "the layout has widgets: {found:?}");
    for address in found {
        assert!(
            known.contains(&address),
            "{address} is not in the address space"
        );
    }
}

#[test]
fn a_server_on_a_taken_port_is_an_error_not_a_panic() {
    let taken = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let error = OscQueryServer::start(port, 9000)
        .err()
        .expect("port in use");
    assert!(format!("{error:#}").contains(&port.to_string()));
}

#[test]
fn the_show_is_announced_over_mdns_as_oscjson() {
    let server = OscQueryServer::start(0, 9000).unwrap();
    assert_eq!(server.mdns_issue, None, "mDNS announcement failed");
    let browser = mdns_sd::ServiceDaemon::new().unwrap();
    let events = browser.browse("_oscjson._tcp.local.").unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut found = None;
    while Instant::now() < deadline && found.is_none() {
        if let Ok(mdns_sd::ServiceEvent::ServiceResolved(service)) =
            events.recv_timeout(Duration::from_millis(500))
        {
            if service.get_port() == server.port {
                found = Some(service.get_fullname().to_string());
            }
        }
    }
    let _ = browser.shutdown();
    let name = found.expect("an OSCQuery browser finds the show");
    assert!(name.starts_with("learning-to-see"), "{name}");
}
