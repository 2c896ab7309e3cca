//! The KPI report of the whole UCI log under the ServiceNow policy,
//! checked against the same figures computed a second, plain way straight
//! from the raw CSV rows (no `sources`, no `kpi`), and against itself
//! when accumulated in two halves and merged.
