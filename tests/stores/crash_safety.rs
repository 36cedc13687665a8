//! Crash safety of the SQLite store, end to end: the example server (`examples/hyper_standalone`)
//! with `--store sqlite:…` under a registration load is killed with SIGKILL mid-load, restarted
//! on the same database file and key, and every client whose `201 Created` was received must
//! be readable with its registration access token. Nothing acknowledged may be lost.
//!
//! The example runs with every feature, `sqlite` among them ([`example_binary`] builds it so).

use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use serde_json::Value;

use crate::common::example::example_binary;
use tokio::sync::Mutex;

/// The seed walk-through's client (INDIGO IAM's template), registered over and over.
const CLIENT: &str = r#"{
  "redirect_uris": ["https://another.client.example/oidc"],
  "client_name": "another-example-client",
  "contacts": ["test@iam.test"],
  "token_endpoint_auth_method": "client_secret_basic",
  "scope": "address phone openid email profile offline_access",
  "grant_types": ["refresh_token", "authorization_code"],
  "response_types": ["code"]
}"#;

/// A fixed issuer: tokens carry `iss`, and the restarted server listens on another port.
const ISSUER: &str = "https://iam.crash-safety.test/";

/// Concurrent registering tasks.
const WORKERS: usize = 8;
/// The load runs at least this long before the kill…
const LOAD_AT_LEAST: Duration = Duration::from_secs(1);
/// …and until this many registrations were acknowledged, but never longer than
/// [`LOAD_AT_MOST`].
const MIN_ACKNOWLEDGED: usize = 50;
const LOAD_AT_MOST: Duration = Duration::from_secs(8);
/// Registrations per worker, at most: a bound on the loop whatever happens.
const MAX_PER_WORKER: usize = 20_000;
/// One HTTP request, and the server's start.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const START_TIMEOUT: Duration = Duration::from_secs(10);

#[test]
fn every_acknowledged_registration_survives_a_kill_9() {
    let dir = Workdir::new();
    let database = dir.path.join("clients.db");
    let key = dir.path.join("hs256.key");
    std::fs::write(&key, b"crash-safety test HS256 secret, 48 bytes long..").expect("write key");
    let args = [
        "--store".to_owned(),
        format!("sqlite:{}", database.display()),
        "--hs256-key-file".to_owned(),
        key.display().to_string(),
        "--issuer".to_owned(),
        ISSUER.to_owned(),
        "--addr".to_owned(),
        "127.0.0.1:0".to_owned(),
        // The load registers as fast as it can, from one address.
        "--rate-limit-per-address".to_owned(),
        "off".to_owned(),
        "--rate-limit-overall".to_owned(),
        "off".to_owned(),
    ];
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let http = reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .expect("an HTTP client");

    // 1. Load, then SIGKILL while requests are in flight.
    let mut server = Server::start(&args, &dir.path.join("first.log"));
    let (acknowledged, killed_at) = runtime.block_on(load_then_kill(&http, &mut server));
    let status = server.child.wait().expect("wait for the killed server");
    assert_killed(status);
    eprintln!(
        "{} registrations acknowledged before the kill at {killed_at:?}",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() >= MIN_ACKNOWLEDGED,
        "only {} registrations acknowledged in {killed_at:?} (want at least {MIN_ACKNOWLEDGED})",
        acknowledged.len()
    );
    drop(server);

    // 2. Restart on the same file and key: every acknowledged client is there.
    let server = Server::start(&args, &dir.path.join("second.log"));
    let lost = runtime.block_on(unreadable(&http, &server, &acknowledged));
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged clients lost or unreadable after the restart, e.g. {:#?}",
        lost.len(),
        acknowledged.len(),
        &lost[..lost.len().min(5)]
    );
}

/// The server died of SIGKILL, not of anything of its own.
#[cfg(unix)]
fn assert_killed(status: std::process::ExitStatus) {
    use std::os::unix::process::ExitStatusExt as _;
    assert_eq!(
        status.signal(),
        Some(9),
        "the server was not killed by SIGKILL: {status}"
    );
}

/// Elsewhere `Child::kill` terminates the process at once, as abruptly.
#[cfg(not(unix))]
fn assert_killed(status: std::process::ExitStatus) {
    assert!(!status.success(), "the server exited normally: {status}");
}

/// A registered client, as its `201` gave it.
#[derive(Debug, Clone)]
struct Acknowledged {
    client_id: String,
    token: String,
}

/// Registers from [`WORKERS`] tasks until the server is killed; kills it after
/// [`LOAD_AT_LEAST`] once [`MIN_ACKNOWLEDGED`] registrations are in (or at [`LOAD_AT_MOST`]).
/// Returns every registration whose `201` and body were received, and when the kill came.
async fn load_then_kill(
    http: &reqwest::Client,
    server: &mut Server,
) -> (Vec<Acknowledged>, Duration) {
    let url = server.registration_endpoint();
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let killed = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for _ in 0..WORKERS {
        let (http, url) = (http.clone(), url.clone());
        let (acknowledged, count, killed) = (acknowledged.clone(), count.clone(), killed.clone());
        workers.push(tokio::spawn(async move {
            for _ in 0..MAX_PER_WORKER {
                match register(&http, &url).await {
                    Ok(client) => {
                        acknowledged.lock().await.push(client);
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    // The kill: the connection is refused or reset. Stop.
                    Err(_) if killed.load(Ordering::Relaxed) => return true,
                    Err(err) => panic!("registration failed before the kill: {err}"),
                }
            }
            false
        }));
    }

    let start = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let elapsed = start.elapsed();
        let enough = count.load(Ordering::Relaxed) >= MIN_ACKNOWLEDGED;
        if (elapsed >= LOAD_AT_LEAST && enough) || elapsed >= LOAD_AT_MOST {
            break;
        }
    }
    // Flag first: a worker whose request fails from now on is seeing the kill.
    killed.store(true, Ordering::Relaxed);
    let killed_at = start.elapsed();
    server.child.kill().expect("kill -9 the server");

    let mut interrupted = 0;
    for worker in workers {
        let stopped_by_kill = tokio::time::timeout(REQUEST_TIMEOUT * 2, worker)
            .await
            .expect("a worker still running long after the kill")
            .expect("a worker panicked");
        interrupted += usize::from(stopped_by_kill);
    }
    // Mid-load: the kill, not the bound on the loop, ended the workers.
    assert_eq!(interrupted, WORKERS, "the load ended before the kill");
    let acknowledged = std::mem::take(&mut *acknowledged.lock().await);
    (acknowledged, killed_at)
}

/// One registration: `Ok` only when the `201` and its whole body were received.
async fn register(http: &reqwest::Client, url: &str) -> Result<Acknowledged, String> {
    let response = http
        .post(url)
        .header("content-type", "application/json")
        .body(CLIENT)
        .send()
        .await
        .map_err(|e| format!("POST {url}: {e}"))?;
    let status = response.status();
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("reading the {status} response: {e}"))?;
    if status != StatusCode::CREATED {
        // Not a transport failure: the server answered, wrongly. Fail at once, kill or not.
        panic!(
            "registration answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let client: Value = serde_json::from_slice(&body).expect("a 201 body is JSON");
    let member = |name: &str| {
        client[name]
            .as_str()
            .unwrap_or_else(|| panic!("the 201 body has no {name}: {client}"))
            .to_owned()
    };
    Ok(Acknowledged {
        client_id: member("client_id"),
        token: member("registration_access_token"),
    })
}

/// The acknowledged clients that the server cannot show: each read with its own token, from
/// [`WORKERS`] tasks, must answer `200` with the same `client_id`.
async fn unreadable(
    http: &reqwest::Client,
    server: &Server,
    acknowledged: &[Acknowledged],
) -> Vec<String> {
    let url = server.registration_endpoint();
    let chunk = acknowledged.len().div_ceil(WORKERS).max(1);
    let mut readers = Vec::new();
    for part in acknowledged.chunks(chunk) {
        let (http, url, part) = (http.clone(), url.clone(), part.to_vec());
        readers.push(tokio::spawn(async move {
            let mut lost = Vec::new();
            for client in part {
                if let Err(problem) = read(&http, &url, &client).await {
                    lost.push(format!("{}: {problem}", client.client_id));
                }
            }
            lost
        }));
    }
    let mut lost = Vec::new();
    for reader in readers {
        lost.extend(reader.await.expect("a reader panicked"));
    }
    lost
}

async fn read(http: &reqwest::Client, url: &str, client: &Acknowledged) -> Result<(), String> {
    let response = http
        .get(format!("{url}/{}", client.client_id))
        .bearer_auth(&client.token)
        .send()
        .await
        .map_err(|e| format!("GET: {e}"))?;
    let status = response.status();
    let body = response.text().await.map_err(|e| format!("body: {e}"))?;
    if status != StatusCode::OK {
        return Err(format!("{status}: {body}"));
    }
    let read: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
    if read["client_id"].as_str() != Some(client.client_id.as_str()) {
        return Err(format!("another client_id: {body}"));
    }
    Ok(())
}

// --- The server and the working directory -------------------------------------------------

/// The running example server, killed (SIGKILL) when dropped, panics included.
struct Server {
    child: Child,
    origin: String,
    log: PathBuf,
}

impl Server {
    /// Starts the example with `args`, logging to `log`, and waits for its `listening on`
    /// line.
    fn start(args: &[String], log: &Path) -> Self {
        Self::try_start(args, log)
            .unwrap_or_else(|log_text| panic!("the example server did not start:\n{log_text}"))
    }

    /// The server, or its log when it exits before listening.
    fn try_start(args: &[String], log: &Path) -> Result<Self, String> {
        let mut command = Command::new(example_binary());
        command
            .args(args)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(log).expect("create the server log"));
        // Only the flags given here, whatever this shell exports.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("REGISTRATION_") {
                command.env_remove(&name);
            }
        }
        let mut child = command.spawn().expect("start the example server");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut server = Server {
            child,
            origin: String::new(),
            log: log.to_owned(),
        };
        match first_line(stdout, START_TIMEOUT) {
            Some(line) => {
                server.origin = line
                    .trim_end()
                    .strip_prefix("listening on ")
                    .unwrap_or_else(|| panic!("unexpected first line from the server: {line:?}"))
                    .to_owned();
                Ok(server)
            }
            None => {
                let _ = server.child.kill();
                let _ = server.child.wait();
                Err(server.log_text())
            }
        }
    }

    fn registration_endpoint(&self) -> String {
        format!("{}/register", self.origin)
    }

    fn log_text(&self) -> String {
        let mut log = String::new();
        let _ = File::open(&self.log).and_then(|mut f| f.read_to_string(&mut log));
        log
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- example server log ({}) ---\n{}--- end of server log ---",
                self.log.display(),
                self.log_text()
            );
        }
    }
}

/// The first line the server prints, or `None` when it exits or stays silent for `limit`;
/// its stdout is then drained in the background so that the server never blocks on, or dies
/// of, a full or closed pipe.
fn first_line(stdout: impl std::io::Read + Send + 'static, limit: Duration) -> Option<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = tx.send(reader.read_line(&mut line).map(|_| line));
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(line)) if !line.is_empty() => Some(line),
        _ => None,
    }
}

/// A fresh directory under the system's temporary directory, removed when dropped unless a
/// test is failing (then it is kept, and named, for a look).
struct Workdir {
    path: PathBuf,
}

impl Workdir {
    fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let path =
            std::env::temp_dir().join(format!("crash-safety-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        Self { path }
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept {} for inspection", self.path.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
