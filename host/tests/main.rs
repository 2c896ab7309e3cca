//! The host's integration tests, compiled as one binary.
//!
//! Each module starts with a comment saying what belongs in it.

mod sandbox;
