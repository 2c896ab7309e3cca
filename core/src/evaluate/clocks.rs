//! The SLA clocks of one incident: acknowledge, respond, resolve and the
//! status-update cadence.
//!
//! Every clock starts at creation and runs on its target's calendar. Time
//! in a pausing status does not count; for `resolve`, neither does time in
//! a resolved status before a reopen. Everything after `now` is unknown:
//! completions, updates and status changes later than `now` are ignored,
//! and a pause still open at `now` is taken to end at `now`, so a paused
//! target's `due` is the deadline if the clock restarted now.

use crate::calendar::{Calendar, Pauses};
use crate::incident::Incident;
use crate::policy::{Policy, Sla, Target, TargetSet};
use crate::time::{format_duration, format_instant};

use super::priority::PriorityTimeline;
use super::{Escalation, TargetState, TargetStatus, Targets, UpdateCadence};

/// Status names are compared without regard to case or surrounding
/// blanks, because exports spell them inconsistently.
fn same_status(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The intervals an incident spent in any of `statuses`, each from the
/// change into the status to the next change, the last one ending at
/// `end`. Changes after `end` are ignored.
pub fn pause_intervals(
    history: &[(i64, String)],
    statuses: &[String],
    end: i64,
) -> Vec<(i64, i64)> {
    let mut intervals = Vec::new();
    let mut entries = history.iter().filter(|(at, _)| *at <= end).peekable();
    while let Some((at, status)) = entries.next() {
        let until = entries.peek().map_or(end, |(next, _)| *next);
        if statuses.iter().any(|pausing| same_status(pausing, status)) {
            intervals.push((*at, until));
        }
    }
    intervals
}

#[derive(Clone, Copy)]
enum Kind {
    Acknowledge,
    Respond,
    Resolve,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Acknowledge => "acknowledge",
            Kind::Respond => "respond",
            Kind::Resolve => "resolve",
        }
    }

    fn target(self, set: &TargetSet) -> Option<&Target> {
        match self {
            Kind::Acknowledge => set.acknowledge.as_ref(),
            Kind::Respond => set.respond.as_ref(),
            Kind::Resolve => set.resolve.as_ref(),
        }
    }
}

/// The clocks of one incident under one SLA at one `now`.
pub(super) struct Clocks<'a> {
    policy: &'a Policy,
    sla: &'a Sla,
    incident: &'a Incident,
    timeline: &'a PriorityTimeline,
    now: i64,
    pauses: Pauses,
    resolve_pauses: Pauses,
    paused_now: bool,
}

impl<'a> Clocks<'a> {
    pub(super) fn new(
        policy: &'a Policy,
        sla: &'a Sla,
        incident: &'a Incident,
        timeline: &'a PriorityTimeline,
        now: i64,
    ) -> Self {
        let history = &incident.status_history;
        let paused = pause_intervals(history, &sla.pause_statuses, now);
        let paused_now = history
            .iter()
            .rfind(|(at, _)| *at <= now)
            .is_some_and(|(_, status)| {
                sla.pause_statuses.iter().any(|p| same_status(p, status))
            });
        // Only a resolution that was followed by a reopen is a gap; the
        // stretch after the last status change is not one, so resolved
        // stretches end at the last change rather than at `now`.
        let last_change = history
            .iter()
            .rfind(|(at, _)| *at <= now)
            .map_or(now, |(at, _)| *at);
        let resolved =
            pause_intervals(history, &sla.resolved_statuses, last_change);
        Clocks {
            policy,
            sla,
            incident,
            timeline,
            now,
            pauses: Pauses::new(paused.iter().copied()),
            resolve_pauses: Pauses::new(paused.into_iter().chain(resolved)),
            paused_now,
        }
    }

    fn calendar(&self, target: &Target) -> Result<&'a Calendar, String> {
        self.policy
            .calendar(&target.calendar)
            .ok_or_else(|| format!("unknown calendar `{}`", target.calendar))
    }

    /// When a target completed, if it did by `now`. A response implies an
    /// acknowledgement and a resolution implies both, so the later events
    /// stand in for missing earlier ones.
    fn completion(&self, kind: Kind) -> Option<i64> {
        let incident = self.incident;
        let resolution = incident.resolved_at.or(incident.closed_at);
        let completion = match kind {
            Kind::Acknowledge => incident
                .acknowledged_at
                .or(incident.first_response_at)
                .or(resolution),
            Kind::Respond => incident.first_response_at.or(resolution),
            Kind::Resolve => resolution,
        };
        completion.filter(|at| *at <= self.now)
    }

    pub(super) fn targets(
        &self,
        explain: &mut Vec<String>,
    ) -> Result<Targets, String> {
        Ok(Targets {
            acknowledge: self.target(Kind::Acknowledge, explain)?,
            respond: self.target(Kind::Respond, explain)?,
            resolve: self.target(Kind::Resolve, explain)?,
        })
    }

    fn target(
        &self,
        kind: Kind,
        explain: &mut Vec<String>,
    ) -> Result<Option<TargetStatus>, String> {
        let created = self.incident.created_at;
        let completed = self.completion(kind);
        let measured_to = completed.unwrap_or(self.now).max(created);
        let (in_force_from, decision) = self.timeline.at(measured_to);
        let Some(target) = self
            .sla
            .targets
            .get(decision.rank.0)
            .and_then(|set| kind.target(set))
        else {
            return Ok(None);
        };
        let calendar = self.calendar(target)?;
        let zone = calendar.time_zone();
        let pauses = match kind {
            Kind::Resolve => &self.resolve_pauses,
            Kind::Acknowledge | Kind::Respond => &self.pauses,
        };
        let context = |error: crate::calendar::BusinessTimeError| {
            format!("target `{}`: {error}", kind.name())
        };

        let due = calendar
            .add_business_time_excluding(created, target.seconds, pauses)
            .map_err(context)
            .and_then(|due| writable(due, kind.name()))?;
        let elapsed = calendar
            .business_seconds_between_excluding(created, measured_to, pauses)
            .map_err(context)?;
        let state = match completed {
            Some(at) if at > due => TargetState::Breached,
            Some(_) => TargetState::Met,
            None if self.now > due => TargetState::Breached,
            None if self.paused_now => TargetState::Paused,
            None => TargetState::Running,
        };
        // A priority raised after its new deadline has passed cannot have
        // been breached before anyone knew: the breach is at the change.
        let breached_at = (state == TargetState::Breached)
            .then(|| format_instant(due.max(in_force_from), zone));

        let mut escalations = Vec::new();
        for threshold in &self.sla.escalations {
            let share = i128::from(target.seconds)
                * i128::from(threshold.percent)
                / 100;
            let share = i64::try_from(share).unwrap_or(target.seconds);
            let at = calendar
                .add_business_time_excluding(created, share, pauses)
                .map_err(context)?
                .max(in_force_from);
            let reached = match completed {
                Some(done) => at < done,
                None => at <= self.now,
            };
            escalations.push(Escalation {
                percent: threshold.percent,
                level: threshold.level.clone(),
                at: format_instant(at, zone),
                reached,
            });
        }

        let priority = self.policy.priority_id(decision.rank);
        explain.push(format!(
            "{}: {} for {priority} on calendar `{}`, due {}{}",
            kind.name(),
            format_duration(target.seconds),
            target.calendar,
            format_instant(due, zone),
            if pauses.is_empty() {
                String::new()
            } else {
                format!(
                    " after {} paused",
                    format_duration(paused_seconds(pauses, measured_to))
                )
            }
        ));
        let percent = if target.seconds > 0 {
            (elapsed as f64 * 1000.0 / target.seconds as f64).round() / 10.0
        } else {
            0.0
        };
        Ok(Some(TargetStatus {
            due: format_instant(due, zone),
            state,
            completed_at: completed.map(|at| format_instant(at, zone)),
            elapsed_seconds: elapsed,
            target_seconds: target.seconds,
            percent,
            breached_at,
            priority: priority.to_owned(),
            calendar: target.calendar.clone(),
            escalations,
        }))
    }

    pub(super) fn updates(
        &self,
        explain: &mut Vec<String>,
    ) -> Result<Option<UpdateCadence>, String> {
        let created = self.incident.created_at;
        let resolved = self.completion(Kind::Resolve);
        let open_until = resolved.unwrap_or(self.now).max(created);
        let (_, decision) = self.timeline.at(open_until);
        let Some(target) = self
            .sla
            .targets
            .get(decision.rank.0)
            .and_then(|set| set.update_every.as_ref())
        else {
            return Ok(None);
        };
        let calendar = self.calendar(target)?;
        let zone = calendar.time_zone();
        let every = target.seconds;
        let context = |error: crate::calendar::BusinessTimeError| {
            format!("update cadence: {error}")
        };

        // Each update restarts the cadence. Within one stretch of B
        // business seconds, the due instants k * every (k >= 1) that fall
        // strictly inside it were missed: there are (B - 1) / every.
        let updates: Vec<i64> = self
            .incident
            .updates
            .iter()
            .copied()
            .filter(|at| (created..=open_until).contains(at))
            .collect();
        let mut missed = 0_u64;
        let mut anchor = created;
        let mut missed_in_last_stretch = 0_i64;
        for end in updates.iter().copied().chain([open_until]) {
            let business = calendar
                .business_seconds_between_excluding(anchor, end, &self.pauses)
                .map_err(context)?;
            missed_in_last_stretch =
                if business > 0 { (business - 1) / every } else { 0 };
            missed += u64::try_from(missed_in_last_stretch).unwrap_or(0);
            anchor = end;
        }
        let last_update = updates.last().copied();
        let next_due = match resolved {
            Some(_) => None,
            None => {
                let from = last_update.unwrap_or(created);
                let ahead = every
                    .checked_mul(missed_in_last_stretch + 1)
                    .ok_or_else(|| "update cadence overflows".to_owned())?;
                let due = calendar
                    .add_business_time_excluding(from, ahead, &self.pauses)
                    .map_err(context)
                    .and_then(|due| writable(due, "update cadence"))?;
                Some(format_instant(due, zone))
            }
        };
        explain.push(format!(
            "updates: every {} on calendar `{}`, {missed} missed",
            format_duration(every),
            target.calendar
        ));
        Ok(Some(UpdateCadence {
            every_seconds: every,
            calendar: target.calendar.clone(),
            next_due,
            last_update: last_update.map(|at| format_instant(at, zone)),
            missed,
        }))
    }
}

/// The last instant RFC 3339 can write: 9999-12-31T23:59:59Z.
const LAST_WRITABLE: i64 = 253_402_300_799;

/// A deadline past the year 9999 has no RFC 3339 form, so the incident is
/// refused rather than answered with a timestamp no reader accepts.
fn writable(due: i64, what: &str) -> Result<i64, String> {
    if due <= LAST_WRITABLE {
        Ok(due)
    } else {
        Err(format!("{what}: the deadline falls after the year 9999"))
    }
}

/// Paused wall-clock seconds up to `until`.
fn paused_seconds(pauses: &Pauses, until: i64) -> i64 {
    pauses
        .intervals()
        .iter()
        .map(|&(start, end)| (end.min(until) - start).max(0))
        .sum()
}
