//! Major-incident detection and the briefing schedule.
//!
//! Any one criterion of the policy makes an incident major. The incident
//! is major from its creation (the data says what was known, not when it
//! became known), and the major-incident team briefs at every interval of
//! wall-clock time from creation until resolution.

use crate::incident::Incident;
use crate::policy::Policy;
use crate::time::{format_duration, format_instant};

use super::{MajorReason, MajorStatus};

/// Briefing instants listed in an answer; the count goes on beyond it.
const LISTED_BRIEFINGS: u64 = 96;

fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

pub(super) fn status(
    policy: &Policy,
    incident: &Incident,
    now: i64,
    explain: &mut Vec<String>,
) -> MajorStatus {
    let criteria = policy.major();
    let mut reasons = Vec::new();
    let mut reason = |criterion: &str, value: String, threshold| {
        reasons.push(MajorReason {
            criterion: criterion.to_owned(),
            value,
            threshold,
        });
    };

    if let (Some(least), Some(users)) =
        (criteria.affected_users_at_least, incident.affected_users)
        && users >= least
    {
        reason("affected_users", users.to_string(), Some(least.to_string()));
    }
    if let (Some(least), Some(revenue)) = (
        criteria.revenue_loss_per_hour_at_least,
        incident.revenue_loss_per_hour,
    ) && revenue >= least
    {
        let currency = criteria
            .currency
            .as_ref()
            .map_or(String::new(), |currency| format!(" {currency}"));
        reason(
            "revenue_loss_per_hour",
            format!("{}{currency}", number(revenue)),
            Some(format!("{}{currency}", number(least))),
        );
    }
    let flags = [
        (
            "core_process_down",
            criteria.core_process_down,
            incident.core_process_down,
        ),
        (
            "security_incident",
            criteria.security_incident,
            incident.security_incident,
        ),
        ("data_breach", criteria.data_breach, incident.data_breach),
    ];
    for (criterion, counts, holds) in flags {
        if counts && holds {
            reason(criterion, "true".to_owned(), None);
        }
    }

    let is_major = !reasons.is_empty();
    let every = criteria.briefing_seconds;
    if !is_major || every <= 0 {
        return MajorStatus {
            is_major,
            reasons,
            briefing_every_seconds: None,
            briefings_due: 0,
            briefing_times: Vec::new(),
            next_briefing: None,
        };
    }

    let zone = policy.kpi_zone();
    let created = incident.created_at;
    let resolution =
        incident.resolved_at.or(incident.closed_at).filter(|at| *at <= now);
    let until = resolution.unwrap_or(now).max(created);
    let briefings_due = u64::try_from((until - created) / every).unwrap_or(0);
    let briefing_times = (1..=briefings_due.min(LISTED_BRIEFINGS))
        .filter_map(|k| i64::try_from(k).ok())
        .filter_map(|k| every.checked_mul(k))
        .filter_map(|offset| created.checked_add(offset))
        .map(|at| format_instant(at, zone))
        .collect();
    let next_briefing = match resolution {
        Some(_) => None,
        None => i64::try_from(briefings_due + 1)
            .ok()
            .and_then(|k| every.checked_mul(k))
            .and_then(|offset| created.checked_add(offset))
            .map(|at| format_instant(at, zone)),
    };
    explain.push(format!(
        "major incident ({}): briefings every {}, {briefings_due} due so far",
        reasons
            .iter()
            .map(|reason| reason.criterion.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        format_duration(every)
    ));
    MajorStatus {
        is_major,
        reasons,
        briefing_every_seconds: Some(every),
        briefings_due,
        briefing_times,
        next_briefing,
    }
}
