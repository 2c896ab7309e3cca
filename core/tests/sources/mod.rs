//! The input readers (`incident_rules_core::sources`) end to end: the
//! real ServiceNow and Rabobank exports under `shared/data/real` read in
//! full and held to their own recorded priorities, a KPI report checked
//! against figures computed a second, plain way from the raw rows, the
//! accounting of rejected records on hand-made and random inputs, and the
//! examples of `docs/input.md`. Mapping details of each format are
//! unit-tested beside their reader.

mod docs;
mod kpi;
mod real;
mod rejected;
mod support;
