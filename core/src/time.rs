//! Instants, offsets and durations as the rest of the crate sees them (being
//! written).
