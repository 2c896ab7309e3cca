//! The rules of incident-rules: priority matrix, business-hours SLA clocks,
//! major-incident detection and KPI aggregation, as pure functions.

pub mod calendar;
pub mod evaluate;
pub mod incident;
pub mod kpi;
pub mod policy;
pub mod sources;
pub mod time;
