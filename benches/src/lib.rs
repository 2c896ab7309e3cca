//! The benchmarks of incident-rules live in `benches/`, one criterion
//! binary each: `calendar` (business-hours addition against a day-by-day
//! walk) and `boundary` (one `evaluate` call through the wasm module, the
//! same boundary natively, and the JSON share of a call). This library is
//! empty: each benchmark builds its own inputs, so that it reads alone.
//!
//! Run them with `cargo bench -p incident-rules-benches`.

#![deny(missing_docs)]
