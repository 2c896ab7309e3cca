//! The incident-rules core behind a JSON boundary.
//!
//! `boundary` is ordinary Rust: typed requests and answers plus a JSON layer
//! that any host can call. Two thin skins sit over it: `plain` exports a
//! small ABI over linear memory with zero imports (for wasmtime and other
//! runtimes), and `browser` (cargo feature `browser`) exports camelCase
//! functions through wasm-bindgen.

pub mod boundary;
#[cfg(feature = "browser")]
pub mod browser;
#[cfg(all(target_arch = "wasm32", not(feature = "browser")))]
mod plain;
