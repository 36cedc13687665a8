//! The INDIGO IAM walk-through ("OpenID Connect client registration API": register a client
//! with httpie, read it with jq, delete it), word for word, against the running example server
//! (`examples/hyper_standalone`), with the real `http` (httpie), `jq` and `script` binaries.
//!
//! The commands are the document's, but for the URL: `http://127.0.0.1:PORT/register` instead
//! of `https://iam.local.io/register`. Without those binaries the tests are skipped with a
//! message, or fail when `CI` is set; `scripts/test` installs them.

use std::fs::File;
use std::io::{BufRead as _, BufReader, Read as _};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::common::example::example_binary;

/// The document's template JSON, as it is to be saved into `client-req.json`.
const TEMPLATE: &str = r#"{
  "redirect_uris": [
    "https://another.client.example/oidc"
  ],
  "client_name": "another-example-client",
  "contacts": [
    "test@iam.test"
  ],
  "token_endpoint_auth_method": "client_secret_basic",
  "scope": "address phone openid email profile offline_access",
  "grant_types": [
    "refresh_token",
    "authorization_code"
  ],
  "response_types": [
    "code"
  ]
}
"#;

/// How long the server may take to start, and one command to run.
const TIMEOUT: Duration = Duration::from_secs(60);

/// REG-3: open registration accepts requests without an initial access token.
#[test]
fn walkthrough_registers_reads_and_deletes_a_client() {
    if !tools_available() {
        return;
    }
    let server = Server::start();
    let dir = Workdir::new();
    let url = server.registration_endpoint();

    // "Save the above JSON into a file ... client-req.json", then "use httpie as follows".
    dir.write("client-req.json", TEMPLATE);
    sh_ok(&dir, &format!("http {url} < client-req.json > client.json"));
    let client: Value = parse_json(&dir.read("client.json"), "client.json");
    check_client_information(&client, &url);

    // "You can use jq to display in a pretty way its contents".
    let shown = sh_ok(&dir, "jq . client.json");
    let shown_text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        shown_text.lines().count() > 10,
        "jq . did not pretty-print:\n{shown_text}"
    );
    assert_eq!(parse_json(&shown_text, "jq . client.json"), client);

    // "extract the client_id and registration_access_token ... and use them to delete the
    // client". httpie prints the response headers only to a terminal: `script` gives it one.
    let delete = format!(r#"http DELETE {url}/${{CID}} Authorization:"Bearer ${{RAT}}""#);
    let deleted = in_terminal_after_exports(&dir, &delete);
    assert_eq!(
        deleted.first().map(String::as_str),
        Some("HTTP/1.1 204 No Content"),
        "{deleted:#?}"
    );
    assert!(
        has_line(&deleted, "Access-Control-Allow-Origin: *"),
        "{deleted:#?}"
    );

    // The same command again: the client is gone, and so is its token (401, never 404).
    let again = in_terminal_after_exports(&dir, &delete);
    assert_eq!(
        again.first().map(String::as_str),
        Some("HTTP/1.1 401 Unauthorized"),
        "{again:#?}"
    );
    assert!(has_invalid_token_challenge(&again), "{again:#?}");
    let read = sh_ok(
        &dir,
        &after_exports(&format!(
            r#"http --ignore-stdin --print=h GET {url}/${{CID}} Authorization:"Bearer ${{RAT}}""#
        )),
    );
    let read = lines(&read.stdout);
    assert_eq!(
        read.first().map(String::as_str),
        Some("HTTP/1.1 401 Unauthorized"),
        "{read:#?}"
    );
}

#[test]
fn walkthrough_delete_with_a_wrong_token_is_401_and_keeps_the_client() {
    if !tools_available() {
        return;
    }
    let server = Server::start();
    let dir = Workdir::new();
    let url = server.registration_endpoint();
    dir.write("client-req.json", TEMPLATE);
    sh_ok(&dir, &format!("http {url} < client-req.json > client.json"));
    // A second client: its token is genuine, signed by the server, but not for the first client.
    sh_ok(&dir, &format!("http {url} < client-req.json > other.json"));

    let wrong_tokens = [
        "not-a-registration-access-token",
        "$(jq -r .registration_access_token other.json)",
    ];
    for wrong in wrong_tokens {
        let delete = format!(
            "export CID=$(jq -r .client_id client.json)\n\
             export RAT={wrong}\n\
             script -qec 'http DELETE {url}/${{CID}} Authorization:\"Bearer ${{RAT}}\"' /dev/null"
        );
        let output = lines(&sh_ok(&dir, &delete).stdout);
        assert_eq!(
            output.first().map(String::as_str),
            Some("HTTP/1.1 401 Unauthorized"),
            "token {wrong}: {output:#?}"
        );
        assert!(
            has_line(&output, "Access-Control-Allow-Origin: *"),
            "{output:#?}"
        );
        assert!(
            has_invalid_token_challenge(&output),
            "token {wrong}: {output:#?}"
        );
    }

    // The client survived: its own token still reads it, then deletes it.
    let read = sh_ok(
        &dir,
        &after_exports(&format!(
            r#"http --ignore-stdin --print=h GET {url}/${{CID}} Authorization:"Bearer ${{RAT}}""#
        )),
    );
    let read = lines(&read.stdout);
    assert_eq!(
        read.first().map(String::as_str),
        Some("HTTP/1.1 200 OK"),
        "{read:#?}"
    );
    let delete = format!(r#"http DELETE {url}/${{CID}} Authorization:"Bearer ${{RAT}}""#);
    let deleted = in_terminal_after_exports(&dir, &delete);
    assert_eq!(
        deleted.first().map(String::as_str),
        Some("HTTP/1.1 204 No Content"),
        "{deleted:#?}"
    );
}

/// What the document shows in `client.json`, with this server's values.
fn check_client_information(client: &Value, url: &str) {
    let member = |name: &str| {
        client
            .get(name)
            .unwrap_or_else(|| panic!("client.json has no {name}: {client:#}"))
    };
    let client_id = member("client_id").as_str().expect("client_id is a string");
    uuid::Uuid::parse_str(client_id).unwrap_or_else(|e| panic!("client_id {client_id:?}: {e}"));

    let secret = member("client_secret")
        .as_str()
        .expect("client_secret is a string");
    assert_eq!(secret.len(), 86, "client_secret {secret:?}");
    let secret_bytes = URL_SAFE_NO_PAD
        .decode(secret)
        .unwrap_or_else(|e| panic!("client_secret is not base64url: {e}"));
    assert_eq!(secret_bytes.len(), 64);

    assert_eq!(member("client_secret_expires_at"), &Value::from(0));
    let issued_at = member("client_id_issued_at")
        .as_u64()
        .expect("client_id_issued_at is a number of seconds");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        issued_at.abs_diff(now) < 3600,
        "client_id_issued_at {issued_at}, now {now}"
    );

    let token = member("registration_access_token")
        .as_str()
        .expect("registration_access_token is a string");
    check_jwt(token);

    assert_eq!(
        member("registration_client_uri").as_str(),
        Some(format!("{url}/{client_id}").as_str())
    );

    let template: Value = parse_json(TEMPLATE, "the template");
    for (name, value) in template.as_object().expect("the template is an object") {
        assert_eq!(
            client.get(name),
            Some(value),
            "{name} not echoed as registered"
        );
    }
}

/// A compact JWS: three base64url parts, a JSON header naming its `alg` and `kid`.
fn check_jwt(token: &str) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(
        parts.len(),
        3,
        "registration_access_token {token:?} is not a JWT"
    );
    for part in &parts {
        assert!(!part.is_empty(), "empty JWT part in {token:?}");
        URL_SAFE_NO_PAD
            .decode(part)
            .unwrap_or_else(|e| panic!("JWT part {part:?} is not base64url: {e}"));
    }
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap())
        .expect("the JWT header is JSON");
    assert!(header["alg"].is_string(), "JWT header {header}");
    assert!(
        header["kid"].as_str().is_some_and(|kid| !kid.is_empty()),
        "JWT header {header} has no kid"
    );
}

// --- The tools -----------------------------------------------------------------------------

/// Whether `http`, `jq` and `script` are on PATH. When one is missing: a failure under CI
/// (where `scripts/test` should have installed it), a skip elsewhere.
fn tools_available() -> bool {
    let missing: Vec<&str> = ["http", "jq", "script"]
        .into_iter()
        .filter(|tool| !on_path(tool))
        .collect();
    if missing.is_empty() {
        return true;
    }
    let message = format!(
        "{} not on PATH: install httpie (`python3 -m pip install --user httpie`, then add \
         `$(python3 -m site --user-base)/bin` to PATH), jq and script (`apt-get install jq \
         bsdutils`), or run scripts/test, which does",
        missing.join(", ")
    );
    crate::common::skip(&format!("seed_walkthrough: {message}"));
    false
}

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            let candidate = dir.join(tool);
            std::fs::metadata(&candidate).is_ok_and(|m| m.is_file() && is_executable(&m))
        })
    })
}

#[cfg(unix)]
fn is_executable(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    metadata.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_: &std::fs::Metadata) -> bool {
    true
}

/// Runs `script` with `bash -c` in `dir`, waiting at most [`TIMEOUT`], and requires success.
fn sh_ok(dir: &Workdir, script: &str) -> Output {
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(script)
        .current_dir(&dir.path)
        // httpie's own configuration, so that it never phones home for update checks.
        .env("HTTPIE_CONFIG_DIR", dir.path.join(".httpie"))
        // `script` runs its command with $SHELL.
        .env("SHELL", "bash")
        .stdin(Stdio::null());
    let output = output_within(command, TIMEOUT, script);
    assert!(
        output.status.success(),
        "`{script}` failed ({}):\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    output
}

fn output_within(mut command: Command, limit: Duration, what: &str) -> Output {
    let (tx, rx) = mpsc::channel();
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `{what}`: {e}"));
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(output) => output.unwrap_or_else(|e| panic!("`{what}`: {e}")),
        Err(_) => panic!("`{what}` did not finish within {limit:?}"),
    }
}

/// The document's two `export` lines, then `command`.
fn after_exports(command: &str) -> String {
    format!(
        "export CID=$(jq -r .client_id client.json)\n\
         export RAT=$(jq -r .registration_access_token client.json)\n\
         {command}"
    )
}

/// Runs `command` after the exports inside a pseudo-terminal, as a person at a terminal would,
/// and returns what it printed, without colours, line by line.
fn in_terminal_after_exports(dir: &Workdir, command: &str) -> Vec<String> {
    assert!(!command.contains('\''), "cannot single-quote {command:?}");
    let output = sh_ok(
        dir,
        &after_exports(&format!("script -qec '{command}' /dev/null")),
    );
    lines(&output.stdout)
}

/// Terminal output as lines: ANSI escape sequences and carriage returns removed.
fn lines(output: &[u8]) -> Vec<String> {
    strip_ansi(&String::from_utf8_lossy(output))
        .replace('\r', "")
        .lines()
        .map(str::to_owned)
        .collect()
}

/// Removes CSI sequences (`ESC [ parameters intermediates final`), which is what httpie's
/// colours are made of.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            // Parameter and intermediate bytes are 0x20..=0x3f; the final byte is 0x40..=0x7e.
            for c in chars.by_ref() {
                if ('\u{40}'..='\u{7e}').contains(&c) {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn has_line(lines: &[String], wanted: &str) -> bool {
    lines.iter().any(|line| line == wanted)
}

/// RFC 6750 §3: `WWW-Authenticate: Bearer error="invalid_token"` (header names in any case).
fn has_invalid_token_challenge(lines: &[String]) -> bool {
    lines.iter().any(|line| {
        line.split_once(": ").is_some_and(|(name, value)| {
            name.eq_ignore_ascii_case("www-authenticate")
                && value.starts_with("Bearer ")
                && value.contains(r#"error="invalid_token""#)
        })
    })
}

fn parse_json(text: &str, what: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON ({e}):\n{text}"))
}

// --- The server and the working directory -------------------------------------------------

/// The running example server, killed when dropped, panics included.
pub(crate) struct Server {
    child: Child,
    origin: String,
    log: PathBuf,
    _log_dir: Workdir,
}

impl Server {
    /// Starts the example on a free port and waits for its `listening on` line.
    fn start() -> Self {
        Self::start_with(&[])
    }

    /// [`Server::start`], with `args` after `--addr 127.0.0.1:0` on the command line.
    pub(crate) fn start_with(args: &[&str]) -> Self {
        let log_dir = Workdir::new();
        let log = log_dir.path.join("server.log");
        let mut command = Command::new(example_binary());
        command
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&log).expect("create the server log"));
        // The defaults are what the walk-through expects, whatever this shell exports.
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
            log,
            _log_dir: log_dir,
        };
        let line = first_line(stdout, TIMEOUT);
        server.origin = line
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from the server: {line:?}"))
            .to_owned();
        server
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `host:port` of the server.
    pub(crate) fn authority(&self) -> &str {
        self.origin
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("origin {} is not http://", self.origin))
    }

    fn registration_endpoint(&self) -> String {
        format!("{}/register", self.origin)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let mut log = String::new();
            let _ = File::open(&self.log).and_then(|mut f| f.read_to_string(&mut log));
            eprintln!("--- example server log ---\n{log}--- end of server log ---");
        }
    }
}

/// The first line the server prints; its stdout is then drained in the background so that
/// the server never blocks on, or dies of, a full or closed pipe.
fn first_line(stdout: impl std::io::Read + Send + 'static, limit: Duration) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = tx.send(reader.read_line(&mut line).map(|_| line));
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    match rx.recv_timeout(limit) {
        Ok(Ok(line)) if !line.is_empty() => line,
        Ok(Ok(_)) => panic!("the server exited before printing `listening on`"),
        Ok(Err(e)) => panic!("reading the server's stdout: {e}"),
        Err(_) => panic!("the server printed nothing within {limit:?}"),
    }
}

/// A fresh directory under the system's temporary directory, removed when dropped unless a
/// test is failing (then it is kept, and named, for a look).
struct Workdir {
    path: PathBuf,
}

impl Workdir {
    fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let path = std::env::temp_dir().join(format!(
            "seed-walkthrough-{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        // httpie's configuration: no update checks (they would reach out to the internet).
        let httpie = path.join(".httpie");
        std::fs::create_dir_all(&httpie).expect("create httpie's configuration directory");
        std::fs::write(
            httpie.join("config.json"),
            r#"{"disable_update_warnings": true}"#,
        )
        .expect("write httpie's configuration");
        Self { path }
    }

    fn write(&self, name: &str, contents: &str) {
        std::fs::write(self.path.join(name), contents).expect("write a file");
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path.join(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
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
