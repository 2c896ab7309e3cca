//! The `incident-rules` command (being written).

fn main() {}
