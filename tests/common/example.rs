//! The example server binary (`examples/hyper_standalone`, an example of the workspace's
//! examples package), for the tests that run it as a user does: found beside the test binary,
//! in `target/<profile>/examples/` (the workspace shares one target directory), and built with
//! the test binary's own profile when missing. `cargo test --workspace` builds the examples
//! before running tests; `cargo test --test <name>` does not (and then an existing binary may
//! be older than the example's source).

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

/// `target/<profile>/examples/hyper_standalone`, built (with the `sqlite` feature, which the
/// SQLite crash tests need) if missing.
pub fn example_binary() -> PathBuf {
    // One build at a time: the tests that need it run in parallel.
    static BUILDING: Mutex<()> = Mutex::new(());
    let _building = BUILDING.lock().unwrap_or_else(|e| e.into_inner());
    let binary = profile_dir()
        .join("examples")
        .join(format!("hyper_standalone{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        build_example();
    }
    assert!(
        binary.exists(),
        "{} is missing, even after building it",
        binary.display()
    );
    binary
}

/// The package of the examples, in the workspace.
const EXAMPLES_PACKAGE: &str = "tower-oidc-registration-examples";

/// Builds the example with the `sqlite` feature, in the test binary's profile.
pub fn build_example() {
    let dir = profile_dir();
    // Cargo names the `dev` profile's directory `debug`; every other profile's is its name.
    let profile = match dir.file_name().and_then(OsStr::to_str) {
        Some("debug") | None => "dev",
        Some(name) => name,
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--package", EXAMPLES_PACKAGE])
        .args(["--example", "hyper_standalone", "--features", "sqlite"])
        .args(["--profile", profile])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo build --example hyper_standalone");
    assert!(
        status.success(),
        "cargo build --package {EXAMPLES_PACKAGE} --example hyper_standalone --features sqlite \
         --profile {profile}: {status}"
    );
}
