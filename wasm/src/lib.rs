//! The incident-rules core behind a JSON boundary.
//!
//! `boundary` is ordinary Rust: typed requests and answers plus a JSON layer
//! that any host can call. Two thin skins sit over it: `plain` exports a
//! small ABI over linear memory with zero imports (for wasmtime and other
//! runtimes), and `browser` (cargo feature `browser`) exports camelCase
//! functions through wasm-bindgen.
//!
//! # Cargo features
//!
//! - `browser`: the wasm-bindgen exports (`serde-wasm-bindgen`, `js-sys`).
//!   Off for the plain module, which must import nothing; built as its own
//!   artifact by `scripts/web-demo-build.sh`.
//!
//! # Example
//!
//! ```
//! use incident_rules_wasm::boundary::Session;
//!
//! let mut session = Session::default();
//! let answer = session.handle_json(br#"{"op": "version"}"#);
//! assert!(answer.starts_with(br#"{"ok":{"abi":1"#));
//! ```

#![deny(missing_docs)]

pub mod boundary;
#[cfg(feature = "browser")]
pub mod browser;
#[cfg(all(target_arch = "wasm32", not(feature = "browser")))]
mod plain;
