//! The example server binary (`examples/hyper_standalone`, an example of the workspace's
//! examples package), for the tests that run it as a user does: found beside the test binary,
//! in `target/<profile>/examples/` (the workspace shares one target directory), and brought up
//! to date with the test binary's own profile once per test process: `cargo test --test <name>`
//! builds no example, and a binary left by an earlier build may be older than the sources
//! (when it is not, the build is a second's check).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The profile directory of the running test binary (`target/<profile>/deps/<test>-HASH`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps")
        .to_owned()
}

/// `target/<profile>/examples/hyper_standalone`, built from the current sources with every
/// feature (the SQLite crash tests need `sqlite`), as `scripts/test` builds it: then this
/// build finds nothing to do.
pub fn example_binary() -> PathBuf {
    // One build per process, the first test that needs it building while the others wait.
    static BUILT: Mutex<bool> = Mutex::new(false);
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if !*built {
        build_example();
        *built = true;
    }
    let binary = profile_dir()
        .join("examples")
        .join(format!("hyper_standalone{}", std::env::consts::EXE_SUFFIX));
    assert!(
        binary.exists(),
        "{} is missing, even after building it",
        binary.display()
    );
    binary
}

/// The package of the examples, in the workspace.
const EXAMPLES_PACKAGE: &str = "tower-oidc-registration-examples";

/// Builds the example with every feature, in the test binary's profile.
fn build_example() {
    let dir = profile_dir();
    // Cargo names the `dev` profile's directory `debug`; every other profile's is its name.
    let profile = match dir.file_name().and_then(OsStr::to_str) {
        Some("debug") | None => "dev",
        Some(name) => name,
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--package", EXAMPLES_PACKAGE])
        .args(["--example", "hyper_standalone", "--all-features"])
        .args(["--profile", profile])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo build --example hyper_standalone");
    assert!(
        status.success(),
        "cargo build --package {EXAMPLES_PACKAGE} --example hyper_standalone --all-features \
         --profile {profile}: {status}"
    );
}
