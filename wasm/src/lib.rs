//! The core behind a JSON boundary (being written).
