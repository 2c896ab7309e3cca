//! Builds the plain rules module and hands it to the host as bytes.
//!
//! The host embeds `incident_rules_wasm` compiled for
//! `wasm32-unknown-unknown` (the plain skin, feature `browser` off), so the
//! command needs no module file at run time. This script runs a nested
//! cargo in its own target folder, `target/rules-module`, so that it never
//! waits on the outer build's lock and never shares its flags; the result
//! is copied to `OUT_DIR/incident_rules.wasm` for `include_bytes!`.
//!
//! The nested build is `--release` with overrides passed as `--config`
//! flags, so the workspace's release profile (used by the host binary)
//! stays untouched: see [`MODULE_PROFILE`].

use std::env;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

/// The target the plain module is built for.
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// The crate that holds the plain skin.
const WASM_PACKAGE: &str = "incident-rules-wasm";

/// The name cargo gives the module inside the nested target folder.
const WASM_ARTIFACT: &str = "incident_rules_wasm.wasm";

/// Overrides of the release profile for the module only.
///
/// `panic = "abort"` turns a panic into an `unreachable` trap and keeps the
/// unwinding machinery (and any import it might need) out of the module;
/// fat LTO with one codegen unit lets the linker drop what the exports do
/// not reach, which keeps the module small and quick for cranelift to
/// compile at start-up; opt-level 3 because the rules run per incident in
/// hot loops. Overflow checks stay on, as in the workspace release
/// profile: an overflow traps instead of producing a wrong deadline.
/// Debug info and symbol names are stripped, since the host reports traps
/// by kind and not by backtrace.
const MODULE_PROFILE: &[&str] = &[
    "profile.release.opt-level=3",
    "profile.release.lto=\"fat\"",
    "profile.release.codegen-units=1",
    "profile.release.panic=\"abort\"",
    "profile.release.overflow-checks=true",
    "profile.release.debug=false",
    "profile.release.strip=true",
    "profile.release.incremental=false",
];

/// Variables of the outer build that must not reach the nested cargo.
///
/// Flags meant for the host (or for clippy, through the wrapper) would
/// change or break the wasm build; a target folder or build target set
/// for the outer build would send the module somewhere else.
const LEAKY_VARS: &[&str] = &[
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_PRIMARY_PACKAGE",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CLIPPY_ARGS",
    "CARGO_LLVM_COV",
    "LLVM_PROFILE_FILE",
];

/// Prefixes of outer-build variables that must not leak either: profile
/// overrides and the feature and cfg variables cargo sets for this script.
const LEAKY_PREFIXES: &[&str] =
    &["CARGO_PROFILE_", "CARGO_FEATURE_", "CARGO_CFG_", "CARGO_TARGET_"];

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Cargo shows a failed build script's stderr; printing the
            // message ourselves avoids the quoted `Debug` form.
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the module and copies it to `OUT_DIR`.
fn run() -> Result<(), Box<dyn Error>> {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let workspace = manifest_dir
        .parent()
        .ok_or("the host crate must sit inside the workspace")?
        .to_path_buf();
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);

    // Everything the module is built from; cargo's own fingerprints in
    // the nested build then decide what actually needs recompiling.
    for input in [
        "core/src",
        "core/Cargo.toml",
        "wasm/src",
        "wasm/Cargo.toml",
        "Cargo.toml",
        "Cargo.lock",
        "rust-toolchain.toml",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(input).display());
    }

    check_wasm_target()?;
    let module = build_module(&workspace)?;
    fs::copy(&module, out_dir.join("incident_rules.wasm")).map_err(|e| {
        format!("copying the rules module `{}`: {e}", module.display())
    })?;
    Ok(())
}

/// Fails early, with the fix in the message, when the wasm target's
/// standard library is not installed.
fn check_wasm_target() -> Result<(), Box<dyn Error>> {
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(&rustc)
        .args(["--print", "target-libdir", "--target", WASM_TARGET])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("running `rustc --print target-libdir`: {e}"))?;
    let libdir = String::from_utf8(output.stdout)?;
    let libdir = Path::new(libdir.trim());
    let has_core = output.status.success()
        && fs::read_dir(libdir).is_ok_and(|entries| {
            entries.flatten().any(|entry| {
                entry.file_name().to_string_lossy().starts_with("libcore-")
            })
        });
    if has_core {
        Ok(())
    } else {
        Err(format!(
            "the `{WASM_TARGET}` target is not installed, and the host \
             embeds the rules module built for it: run `rustup target add \
             {WASM_TARGET}`"
        )
        .into())
    }
}

/// Runs the nested cargo and returns the path of the built module.
fn build_module(workspace: &Path) -> Result<PathBuf, Box<dyn Error>> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = workspace.join("target").join("rules-module");

    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--locked", "--lib", "--release"])
        .args(["--package", WASM_PACKAGE, "--target", WASM_TARGET])
        .arg("--target-dir")
        .arg(&target_dir);
    for setting in MODULE_PROFILE {
        command.args(["--config", setting]);
    }
    for (name, _) in env::vars_os() {
        let name = name.to_string_lossy();
        if LEAKY_VARS.contains(&name.as_ref())
            || LEAKY_PREFIXES.iter().any(|prefix| name.starts_with(prefix))
        {
            command.env_remove(name.as_ref());
        }
    }

    // Cargo reads this script's stdout for directives, so the nested
    // cargo's output goes to stderr, which cargo shows on failure.
    let status = command
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::inherit())
        .status()
        .map_err(|e| format!("running cargo for the rules module: {e}"))?;
    if !status.success() {
        return Err(format!(
            "building the rules module (`{WASM_PACKAGE}` for \
             `{WASM_TARGET}`) failed with {status}: see the cargo output \
             above"
        )
        .into());
    }
    Ok(target_dir.join(WASM_TARGET).join("release").join(WASM_ARTIFACT))
}
