//! OSCQuery: the address space as JSON over HTTP, with ranges and current values, announced
//! over mDNS as `_oscjson._tcp` (and the OSC port as `_osc._udp`) so controllers find the show
//! without anyone typing an address.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rosc::{OscMessage, OscType};
use serde_json::{json, Map, Value};

use super::space::{addresses, Address, Kind};

const NAME: &str = "learning-to-see";

/// What the app last published: current values by address, and the preset names.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub values: HashMap<String, Vec<OscType>>,
    pub presets: Vec<String>,
    pub models: Vec<String>,
}

impl Snapshot {
    pub fn new(messages: &[OscMessage], presets: Vec<String>) -> Self {
        Self {
            values: messages
                .iter()
                .map(|m| (m.addr.clone(), m.args.clone()))
                .collect(),
            presets,
            models: Vec::new(),
        }
    }

    /// The models `/lts/model` offers.
    pub fn with_models(mut self, models: Vec<String>) -> Self {
        self.models = models;
        self
    }
}

fn osc_json(arg: &OscType) -> Value {
    match arg {
        OscType::Int(v) => json!(v),
        OscType::Float(v) => json!(v),
        OscType::String(v) => json!(v),
        OscType::Bool(v) => json!(v),
        OscType::Long(v) => json!(v),
        OscType::Double(v) => json!(v),
        _ => Value::Null,
    }
}

/// One address as an OSCQuery node (without children).
fn leaf(address: &Address, snapshot: &Snapshot) -> Map<String, Value> {
    let range = |lo: f32, hi: f32| json!([{ "MIN": lo, "MAX": hi }]);
    let (kind, access, range) = match address.kind {
        Kind::Param(param) => {
            let (lo, hi) = param.range();
            ("f", 3, Some(range(lo, hi)))
        }
        Kind::Norm(_) => ("f", 3, Some(range(0.0, 1.0))),
        Kind::Switch => ("i", 3, Some(range(0.0, 1.0))),
        Kind::View => (
            "i",
            3,
            Some(json!([{ "MIN": 0, "MAX": 2, "VALS": [0, 1, 2] }])),
        ),
        Kind::Choice if address.path == "/lts/model" => {
            ("s", 3, Some(json!([{ "VALS": snapshot.models }])))
        }
        Kind::Choice => ("s", 3, Some(json!([{ "VALS": snapshot.presets }]))),
        Kind::Trigger => ("N", 2, None),
        // Readable where the show publishes a value (the playlist playing).
        Kind::Text if snapshot.values.contains_key(&address.path) => ("s", 3, None),
        Kind::Text => ("s", 2, None),
        Kind::State => ("i", 2, None),
        Kind::Reading => {
            let kind = match snapshot.values.get(&address.path).and_then(|v| v.first()) {
                Some(OscType::Long(_)) => "h",
                Some(OscType::String(_)) => "s",
                _ => "f",
            };
            (kind, 1, None)
        }
    };
    let mut node = Map::new();
    node.insert("FULL_PATH".into(), json!(address.path));
    node.insert("TYPE".into(), json!(kind));
    node.insert("ACCESS".into(), json!(access));
    node.insert("DESCRIPTION".into(), json!(address.description));
    if let Some(range) = range {
        node.insert("RANGE".into(), range);
    }
    if let Some(value) = snapshot.values.get(&address.path) {
        node.insert(
            "VALUE".into(),
            Value::Array(value.iter().map(osc_json).collect()),
        );
    }
    node
}

/// The whole namespace as one OSCQuery tree.
pub fn tree(snapshot: &Snapshot) -> Value {
    let mut root = json!({ "FULL_PATH": "/", "ACCESS": 0, "CONTENTS": {} });
    for address in addresses() {
        let mut node = &mut root;
        let mut path = String::new();
        for segment in address.path.trim_start_matches('/').split('/') {
            path.push('/');
            path.push_str(segment);
            let contents = node
                .as_object_mut()
                .expect("nodes are objects")
                .entry("CONTENTS")
                .or_insert_with(|| json!({}));
            node = contents
                .as_object_mut()
                .expect("CONTENTS is an object")
                .entry(segment)
                .or_insert_with(|| json!({ "FULL_PATH": path, "ACCESS": 0 }));
        }
        let object = node.as_object_mut().expect("nodes are objects");
        object.extend(leaf(&address, snapshot));
    }
    root
}

fn host_info(osc_port: u16) -> Value {
    json!({
        "NAME": NAME,
        "OSC_PORT": osc_port,
        "OSC_TRANSPORT": "UDP",
        "EXTENSIONS": {
            "ACCESS": true, "VALUE": true, "RANGE": true, "DESCRIPTION": true,
            "TAGS": false, "CLIPMODE": false, "UNIT": false, "CRITICAL": false,
            "LISTEN": false, "PATH_CHANGED": false
        }
    })
}

/// An HTTP answer: status and JSON body (empty for 204).
pub fn respond(url: &str, snapshot: &Snapshot, osc_port: u16) -> (u16, String) {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    if query == "HOST_INFO" {
        return (200, host_info(osc_port).to_string());
    }
    let root = tree(snapshot);
    let mut node = &root;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match node.get("CONTENTS").and_then(|c| c.get(segment)) {
            Some(child) => node = child,
            None => {
                return (
                    404,
                    json!({ "error": format!("no such address {path}") }).to_string(),
                )
            }
        }
    }
    if query.is_empty() {
        return (200, node.to_string());
    }
    match node.get(query) {
        Some(value) => (200, json!({ query: value }).to_string()),
        None if is_attribute(query) => (204, String::new()),
        None => (
            400,
            json!({ "error": format!("unknown attribute {query}") }).to_string(),
        ),
    }
}

fn is_attribute(query: &str) -> bool {
    [
        "FULL_PATH",
        "CONTENTS",
        "TYPE",
        "ACCESS",
        "VALUE",
        "RANGE",
        "DESCRIPTION",
        "TAGS",
        "CLIPMODE",
        "UNIT",
        "CRITICAL",
    ]
    .contains(&query)
}

/// The running HTTP server (and its mDNS announcement, when the network allows one).
pub struct OscQueryServer {
    snapshot: Arc<Mutex<Snapshot>>,
    pub port: u16,
    /// Why the show is not announced over mDNS, if it is not.
    pub mdns_issue: Option<String>,
    _mdns: Option<mdns_sd::ServiceDaemon>,
}

impl OscQueryServer {
    pub fn start(http_port: u16, osc_port: u16) -> anyhow::Result<Self> {
        let server = tiny_http::Server::http(("0.0.0.0", http_port))
            .map_err(|e| anyhow::anyhow!("OSCQuery port {http_port}: {e}"))?;
        let port = server
            .server_addr()
            .to_ip()
            .map_or(http_port, |addr| addr.port());
        let snapshot = Arc::new(Mutex::new(Snapshot::default()));
        let shared = Arc::clone(&snapshot);
        std::thread::Builder::new()
            .name("lts oscquery".into())
            .spawn(move || {
                for request in server.incoming_requests() {
                    // A copy, so the render thread never waits while a tree is built.
                    let snapshot = shared.lock().unwrap_or_else(|e| e.into_inner()).clone();
                    let (status, body) = respond(request.url(), &snapshot, osc_port);
                    let header = tiny_http::Header::from_bytes("Content-Type", "application/json")
                        .expect("a valid header");
                    let response = tiny_http::Response::from_string(body)
                        .with_status_code(status)
                        .with_header(header);
                    let _ = request.respond(response);
                }
            })?;
        let (mdns, mdns_issue) = match announce(port, osc_port) {
            Ok(daemon) => (Some(daemon), None),
            Err(error) => {
                tracing::warn!("mDNS announcement unavailable: {error}");
                (None, Some(error.to_string()))
            }
        };
        Ok(Self {
            snapshot,
            port,
            mdns_issue,
            _mdns: mdns,
        })
    }

    pub fn publish(&self, snapshot: Snapshot) {
        *self.snapshot.lock().unwrap_or_else(|e| e.into_inner()) = snapshot;
    }
}

fn announce(http_port: u16, osc_port: u16) -> Result<mdns_sd::ServiceDaemon, mdns_sd::Error> {
    let daemon = mdns_sd::ServiceDaemon::new()?;
    let host = format!("{}.local.", hostname());
    for (kind, port) in [
        ("_oscjson._tcp.local.", http_port),
        ("_osc._udp.local.", osc_port),
    ] {
        let info = mdns_sd::ServiceInfo::new(
            kind,
            NAME,
            &host,
            (),
            port,
            Vec::<mdns_sd::TxtProperty>::new(),
        )?
        .enable_addr_auto();
        daemon.register(info)?;
    }
    Ok(daemon)
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| NAME.to_string())
}
