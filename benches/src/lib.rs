//! Shared inputs for the benchmarks (being written).
