//! The rules beyond the calendar: policy checking, priority decisions, SLA
//! targets with pauses, priority changes and reopens, update cadence,
//! major incidents and KPIs. Expected values are worked out by hand in the
//! comments beside them.

mod evaluate;
mod policy;
