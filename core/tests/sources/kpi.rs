//! The KPI report of the whole UCI log under the ServiceNow policy,
//! checked against the same figures computed a second, plain way straight
//! from the raw CSV rows (no `sources`, no `kpi`), and against itself
//! when accumulated in two halves and merged.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use incident_rules_core::kpi::{GroupBy, KpiAccumulator, KpiReport};

use super::real::uci;
use super::support::{UCI_LOG, open};

/// What the plain count keeps of one incident: its final row (highest
/// `sys_mod_count`, the later row on a tie) and whether it was reopened.
struct Final {
    mod_count: i64,
    opened_at: String,
    resolved_at: String,
    closed_at: String,
    reassignments: String,
    priority: String,
    reopened: bool,
}

/// The figures computed the plain way.
#[derive(Debug)]
struct Plain {
    incidents: u64,
    resolved: u64,
    fcr_yes: u64,
    seconds: Vec<i64>,
    per_priority: BTreeMap<String, u64>,
}

/// `d/m/yyyy HH:MM` in São Paulo to Unix seconds, the earlier instant of
/// a repeated hour.
fn seconds(text: &str) -> Result<i64, String> {
    let bad = || format!("bad timestamp `{text}`");
    let (date, time) = text.split_once(' ').ok_or_else(bad)?;
    let date: Vec<u32> = date
        .split('/')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let time: Vec<u32> = time
        .split(':')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let (&[day, month, year], &[hour, minute]) = (&date[..], &time[..]) else {
        return Err(bad());
    };
    let local: NaiveDateTime =
        NaiveDate::from_ymd_opt(year as i32, month, day)
            .and_then(|date| date.and_hms_opt(hour, minute, 0))
            .ok_or_else(bad)?;
    chrono_tz::America::Sao_Paulo
        .from_local_datetime(&local)
        .earliest()
        .map(|at| at.timestamp())
        .ok_or_else(bad)
}

fn plain() -> Result<Plain, String> {
    let mut reader = csv::Reader::from_reader(open(UCI_LOG)?);
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let column = |name: &str| {
        header.iter().position(|h| h == name).ok_or(format!("no `{name}`"))
    };
    let number = column("number")?;
    let mod_count = column("sys_mod_count")?;
    let opened_at = column("opened_at")?;
    let resolved_at = column("resolved_at")?;
    let closed_at = column("closed_at")?;
    let reassignments = column("reassignment_count")?;
    let reopens = column("reopen_count")?;
    let priority = column("priority")?;

    let mut finals: HashMap<String, Final> = HashMap::new();
    for row in reader.records() {
        let row = row.map_err(|e| e.to_string())?;
        let cell = |index: usize| row.get(index).unwrap_or("").to_owned();
        let count: i64 =
            cell(mod_count).parse().map_err(|_| "sys_mod_count")?;
        let reopened = cell(reopens) != "0";
        let this = Final {
            mod_count: count,
            opened_at: cell(opened_at),
            resolved_at: cell(resolved_at),
            closed_at: cell(closed_at),
            reassignments: cell(reassignments),
            priority: cell(priority),
            reopened,
        };
        match finals.get_mut(&cell(number)) {
            None => {
                finals.insert(cell(number), this);
            }
            Some(known) => {
                let reopened = known.reopened || reopened;
                if count >= known.mod_count {
                    *known = this;
                }
                known.reopened = reopened;
            }
        }
    }

    let mut plain = Plain {
        incidents: 0,
        resolved: 0,
        fcr_yes: 0,
        seconds: Vec::new(),
        per_priority: BTreeMap::new(),
    };
    for incident in finals.values() {
        plain.incidents += 1;
        let end = [&incident.resolved_at, &incident.closed_at]
            .into_iter()
            .find(|text| text.as_str() != "?");
        if let Some(end) = end {
            plain.resolved += 1;
            plain.seconds.push(seconds(end)? - seconds(&incident.opened_at)?);
            if incident.reassignments == "0" && !incident.reopened {
                plain.fcr_yes += 1;
            }
        }
        // `1 - Critical` is the policy's `P1`, and so on.
        let digit = incident.priority.get(..1).unwrap_or("?");
        *plain.per_priority.entry(format!("P{digit}")).or_default() += 1;
    }
    plain.seconds.sort_unstable();
    Ok(plain)
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() <= 1e-9)
}

#[test]
fn uci_kpis_match_a_plain_count_of_the_raw_rows() -> Result<(), String> {
    let (policy, run) = uci()?;
    let mut accumulator =
        KpiAccumulator::new(&[GroupBy::Month, GroupBy::Priority]);
    for record in &run.kpi_records {
        accumulator.add(record);
    }
    let report = accumulator.report(policy);
    let plain = plain()?;

    // The dataset's own description gives these; both ways must too.
    assert_eq!(plain.incidents, 24_918);
    let expected: BTreeMap<String, u64> =
        [("P1", 270), ("P2", 408), ("P3", 23_466), ("P4", 774)]
            .map(|(priority, count)| (priority.to_owned(), count))
            .into();
    assert_eq!(plain.per_priority, expected);

    let overall = &report.overall;
    assert_eq!(overall.incidents, plain.incidents);
    assert_eq!(overall.resolved, plain.resolved);
    assert_eq!(overall.fcr_decided, plain.resolved);
    let fcr = plain.fcr_yes as f64 * 100.0 / plain.resolved as f64;
    assert!(close(overall.fcr_percent.value, fcr), "fcr {fcr}: {overall:?}");

    let hours = |s: i64| s as f64 / 3600.0;
    let n = plain.seconds.len();
    let total: i64 = plain.seconds.iter().sum();
    let mean = total as f64 / n as f64 / 3600.0;
    let at = |rank: usize| {
        plain.seconds.get(rank).copied().map(hours).ok_or("no resolutions")
    };
    let median = match n % 2 {
        1 => at(n / 2)?,
        _ => (at(n / 2 - 1)? + at(n / 2)?) / 2.0,
    };
    // Nearest rank: the smallest value with 90 % at or below it.
    let p90 = at((n * 9).div_ceil(10) - 1)?;
    assert!(close(overall.mttr_hours.value, mean), "mean {mean}");
    assert!(close(overall.mttr_median_hours, median), "median {median}");
    assert!(close(overall.mttr_p90_hours, p90), "p90 {p90}");

    let by_priority: BTreeMap<String, u64> = report
        .groups
        .get("priority")
        .ok_or("no priority groups")?
        .iter()
        .map(|(priority, figures)| (priority.clone(), figures.incidents))
        .collect();
    assert_eq!(by_priority, expected);
    Ok(())
}

#[test]
fn uci_kpis_merged_from_two_halves_equal_one_pass() -> Result<(), String> {
    let (policy, run) = uci()?;
    let groups = [GroupBy::Month, GroupBy::Priority];
    let pass = |records: &[_]| {
        let mut accumulator = KpiAccumulator::new(&groups);
        for record in records {
            accumulator.add(record);
        }
        accumulator
    };
    let whole: KpiReport = pass(&run.kpi_records).report(policy);
    let (first, second) = run.kpi_records.split_at(run.kpi_records.len() / 2);

    let mut forward = pass(first);
    forward.merge(&pass(second));
    assert_eq!(forward.report(policy), whole);
    let mut backward = pass(second);
    backward.merge(&pass(first));
    assert_eq!(backward.report(policy), whole);
    Ok(())
}
