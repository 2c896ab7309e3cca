//! Evaluating single incidents under the default policy, checked field by
//! field against values worked out by hand.

use incident_rules_core::evaluate::{TargetState, evaluate};
use incident_rules_core::incident::{Incident, IncidentInput};
use incident_rules_core::policy::Policy;
use incident_rules_core::time::parse_instant;

fn run(json: &str, now: &str) -> incident_rules_core::evaluate::Evaluation {
    let policy = Policy::default_policy().unwrap();
    let input: IncidentInput = serde_json::from_str(json).unwrap();
    let incident = Incident::from_input(&input, &policy).unwrap();
    evaluate(&policy, &incident, parse_instant(now).unwrap()).unwrap()
}

/// Email down for 1,200 users on a Tuesday morning: the whole company,
/// urgency high, so P1 on the 24x7 calendar.
#[test]
fn email_outage_is_p1_and_major() {
    let answer = run(
        r#"{"id": "INC-1", "created_at": "2026-03-03T10:00:00+09:00",
            "impact": "organization", "urgency": "high",
            "affected_users": 1200, "category": "email",
            "acknowledged_at": "2026-03-03T10:05:00+09:00"}"#,
        "2026-03-03T10:20:00+09:00",
    );
    println!("{}", serde_json::to_string_pretty(&answer).unwrap());
    assert_eq!(answer.priority, "P1");
    let ack = answer.targets.acknowledge.as_ref().unwrap();
    assert_eq!(ack.state, TargetState::Met);
    assert_eq!(ack.due, "2026-03-03T10:30:00+09:00");
    let respond = answer.targets.respond.as_ref().unwrap();
    // 15 minutes around the clock: due 10:15, and now is 10:20.
    assert_eq!(respond.due, "2026-03-03T10:15:00+09:00");
    assert_eq!(respond.state, TargetState::Breached);
    assert_eq!(
        respond.breached_at.as_deref(),
        Some("2026-03-03T10:15:00+09:00")
    );
    let resolve = answer.targets.resolve.as_ref().unwrap();
    assert_eq!(resolve.due, "2026-03-03T14:00:00+09:00");
    assert_eq!(resolve.elapsed_seconds, 1200);
    // 1200 / 14400 = 8.33 %.
    assert_eq!(resolve.percent, 8.3);
    let at: Vec<&str> =
        resolve.escalations.iter().map(|e| e.at.as_str()).collect();
    // 50 %, 75 %, 90 % of 4 h: 2 h, 3 h, 3 h 36 m.
    assert_eq!(
        at,
        [
            "2026-03-03T12:00:00+09:00",
            "2026-03-03T13:00:00+09:00",
            "2026-03-03T13:36:00+09:00"
        ]
    );
    assert!(answer.major.is_major);
    assert_eq!(answer.major.briefings_due, 1);
    assert_eq!(
        answer.major.next_briefing.as_deref(),
        Some("2026-03-03T10:30:00+09:00")
    );
}

fn state_of(
    answer: &incident_rules_core::evaluate::Evaluation,
    target: &str,
) -> TargetState {
    let targets = &answer.targets;
    let status = match target {
        "acknowledge" => targets.acknowledge.as_ref(),
        "respond" => targets.respond.as_ref(),
        _ => targets.resolve.as_ref(),
    };
    status.unwrap().state
}

/// docs/semantics.md rule 6: a response exactly at the due instant meets
/// the target; one second later breaches it.
#[test]
fn rule6_breach_is_strictly_after_due() {
    let incident = |response: &str| {
        format!(
            r#"{{"id": "R6", "created_at": "2026-03-03T10:00:00+09:00",
                "impact": "organization", "urgency": "high",
                "first_response_at": "{response}"}}"#
        )
    };
    let on_time = run(
        &incident("2026-03-03T10:15:00+09:00"),
        "2026-03-03T11:00:00+09:00",
    );
    assert_eq!(state_of(&on_time, "respond"), TargetState::Met);
    // The response also stands in for the missing acknowledgement.
    assert_eq!(
        on_time.targets.acknowledge.as_ref().unwrap().completed_at.as_deref(),
        Some("2026-03-03T10:15:00+09:00")
    );
    let late = run(
        &incident("2026-03-03T10:15:01+09:00"),
        "2026-03-03T11:00:00+09:00",
    );
    assert_eq!(state_of(&late, "respond"), TargetState::Breached);
    assert_eq!(
        late.targets.respond.as_ref().unwrap().breached_at.as_deref(),
        Some("2026-03-03T10:15:00+09:00")
    );
}

/// Rule 7: a P3 respond target of 4 business hours from Friday 16:00
/// before Seollal: 2 h on Friday, Monday to Wednesday closed, 2 h on
/// Thursday from 09:00.
#[test]
fn rule7_p3_across_a_weekend_and_seollal() {
    let answer = run(
        r#"{"id": "R7", "created_at": "2026-02-13T16:00:00+09:00",
            "impact": "individual", "urgency": "medium"}"#,
        "2026-02-13T17:00:00+09:00",
    );
    assert_eq!(answer.priority, "P3");
    let respond = answer.targets.respond.as_ref().unwrap();
    assert_eq!(respond.due, "2026-02-19T11:00:00+09:00");
    assert_eq!(respond.state, TargetState::Running);
    assert_eq!(respond.elapsed_seconds, 3600);
}

/// Rule 8: four paused office hours move a 9 h P2 resolve target from
/// Tuesday 18:00 to Wednesday 13:00.
#[test]
fn rule8_pause_moves_the_deadline() {
    let answer = run(
        r#"{"id": "R8", "created_at": "2026-03-03T09:00:00+09:00",
            "impact": "department", "urgency": "high",
            "status_history": [
                {"at": "2026-03-03T10:00:00+09:00", "status": "awaiting user info"},
                {"at": "2026-03-03T14:00:00+09:00", "status": "In Progress"}
            ]}"#,
        "2026-03-03T15:00:00+09:00",
    );
    assert_eq!(answer.priority, "P2");
    let resolve = answer.targets.resolve.as_ref().unwrap();
    assert_eq!(resolve.due, "2026-03-04T13:00:00+09:00");
    // 09:00-10:00 and 14:00-15:00 count: 2 h.
    assert_eq!(resolve.elapsed_seconds, 7200);

    // Still waiting at `now`: paused, and due as if the clock restarted.
    let waiting = run(
        r#"{"id": "R8b", "created_at": "2026-03-03T09:00:00+09:00",
            "impact": "department", "urgency": "high",
            "status_history": [
                {"at": "2026-03-03T10:00:00+09:00", "status": "Awaiting User Info"}
            ]}"#,
        "2026-03-03T12:00:00+09:00",
    );
    let resolve = waiting.targets.resolve.as_ref().unwrap();
    assert_eq!(resolve.state, TargetState::Paused);
    // 1 h used; 8 h left from 12:00: Tuesday 12-18 (6 h), Wednesday 9-11.
    assert_eq!(resolve.due, "2026-03-04T11:00:00+09:00");
}

/// Rule 9: raised from P3 to P1 after the P1 deadline passed: breached
/// at the change. Lowered from P1 to P3: measured against the P3 target.
#[test]
fn rule9_priority_change_measures_from_creation() {
    let raised = run(
        r#"{"id": "R9", "created_at": "2026-03-03T10:00:00+09:00",
            "impact": "individual", "urgency": "medium",
            "priority_changes": [{"at": "2026-03-03T10:30:00+09:00",
                                  "impact": "organization", "urgency": "high"}]}"#,
        "2026-03-03T10:40:00+09:00",
    );
    assert_eq!(raised.priority, "P1");
    let respond = raised.targets.respond.as_ref().unwrap();
    assert_eq!(respond.due, "2026-03-03T10:15:00+09:00");
    assert_eq!(respond.state, TargetState::Breached);
    assert_eq!(
        respond.breached_at.as_deref(),
        Some("2026-03-03T10:30:00+09:00")
    );

    let lowered = run(
        r#"{"id": "R9b", "created_at": "2026-03-03T10:00:00+09:00",
            "impact": "organization", "urgency": "high",
            "priority_changes": [{"at": "2026-03-03T10:30:00+09:00",
                                  "impact": "individual", "urgency": "medium"}]}"#,
        "2026-03-03T10:40:00+09:00",
    );
    assert_eq!(lowered.priority, "P3");
    let respond = lowered.targets.respond.as_ref().unwrap();
    assert_eq!(respond.due, "2026-03-03T14:00:00+09:00");
    assert_eq!(respond.state, TargetState::Running);
}

/// Rule 10: the two hours between a resolution and the reopen do not
/// count toward resolve.
#[test]
fn rule10_reopen_gap_does_not_count() {
    let answer = run(
        r#"{"id": "R10", "created_at": "2026-03-03T10:00:00+09:00",
            "impact": "organization", "urgency": "high",
            "status_history": [
                {"at": "2026-03-03T11:00:00+09:00", "status": "Resolved"},
                {"at": "2026-03-03T13:00:00+09:00", "status": "In Progress"},
                {"at": "2026-03-03T14:30:00+09:00", "status": "Resolved"}
            ],
            "reopened_at": ["2026-03-03T13:00:00+09:00"],
            "resolved_at": "2026-03-03T14:30:00+09:00"}"#,
        "2026-03-03T15:00:00+09:00",
    );
    let resolve = answer.targets.resolve.as_ref().unwrap();
    assert_eq!(resolve.elapsed_seconds, 9000);
    assert_eq!(resolve.due, "2026-03-03T16:00:00+09:00");
    assert_eq!(resolve.state, TargetState::Met);
    assert_eq!(
        resolve.completed_at.as_deref(),
        Some("2026-03-03T14:30:00+09:00")
    );
}

/// Rule 12: two due instants (10:50, 11:20) pass between the updates at
/// 10:20 and 11:30; the next is due at 12:00.
#[test]
fn rule12_missed_updates() {
    let answer = run(
        r#"{"id": "R12", "created_at": "2026-03-03T10:00:00+09:00",
            "impact": "organization", "urgency": "high",
            "updates": ["2026-03-03T10:20:00+09:00", "2026-03-03T11:30:00+09:00"]}"#,
        "2026-03-03T11:40:00+09:00",
    );
    let updates = answer.updates.as_ref().unwrap();
    assert_eq!(updates.every_seconds, 1800);
    assert_eq!(updates.missed, 2);
    assert_eq!(updates.next_due.as_deref(), Some("2026-03-03T12:00:00+09:00"));
}

/// Rule 14: P1 stated for one user: the facts support P3.
#[test]
fn rule14_overstated_priority_is_reported() {
    let answer = run(
        r#"{"id": "R14", "created_at": "2026-03-03T10:00:00+09:00",
            "impact": "organization", "urgency": "high",
            "scope": "individual", "affected_users": 1}"#,
        "2026-03-03T10:05:00+09:00",
    );
    assert_eq!(answer.priority, "P1");
    assert_eq!(answer.priority_source, "matrix");
    let mismatch = answer.priority_mismatch.as_ref().unwrap();
    assert_eq!(
        (mismatch.stated.as_str(), mismatch.supported.as_str()),
        ("P1", "P3")
    );
    assert_eq!(mismatch.supported_impact, "individual");
    assert!(!answer.major.is_major);

    // With no impact at all, the facts place it: 150 users is the whole
    // company, and major.
    let placed = run(
        r#"{"id": "R14b", "created_at": "2026-03-03T10:00:00+09:00",
            "affected_users": 150}"#,
        "2026-03-03T10:05:00+09:00",
    );
    assert_eq!(placed.priority, "P1");
    assert_eq!(placed.priority_source, "facts");
    assert!(placed.priority_mismatch.is_none());
    assert!(placed.major.is_major);
}

/// Bad input is refused with every problem, each naming its field.
#[test]
fn bad_incidents_list_every_problem() {
    let policy = Policy::default_policy().unwrap();
    let input: IncidentInput = serde_json::from_str(
        r#"{"id": "BAD", "created_at": "2026-03-03T10:00:00+09:00",
            "impact": "galactic", "affected_users": -5, "csat": 9,
            "resolved_at": "2026-03-03T09:00:00+09:00"}"#,
    )
    .unwrap();
    let error = Incident::from_input(&input, &policy).unwrap_err();
    let fields: Vec<&str> =
        error.problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["impact", "resolved_at", "affected_users", "csat"]);
    assert_eq!(
        error.problems[1].message,
        "`2026-03-03T00:00:00Z` is before `created_at` `2026-03-03T01:00:00Z`"
    );
}

/// A deadline past the year 9999 cannot be written as RFC 3339: the
/// incident is refused with the reason, not answered with `+10000-...`.
#[test]
fn a_deadline_past_the_year_9999_is_refused() {
    let policy = Policy::default_policy().unwrap();
    let input: IncidentInput = serde_json::from_str(
        r#"{"id": "Y10K", "created_at": "9999-12-31T23:00:00Z",
            "impact": "organization", "urgency": "high"}"#,
    )
    .unwrap();
    let incident = Incident::from_input(&input, &policy).unwrap();
    let now = parse_instant("9999-12-31T23:10:00Z").unwrap();
    let error = evaluate(&policy, &incident, now).unwrap_err();
    // P1 acknowledge is 30 minutes on the 24x7 calendar: 23:30 is fine;
    // respond (15 m) too; resolve (4 h) runs past the year.
    assert_eq!(
        error.to_string(),
        "incident `Y10K`: resolve: the deadline falls after the year 9999"
    );
}

/// Evaluating before creation is allowed (a planned `now`), says so, and
/// counts nothing.
#[test]
fn now_before_creation_counts_nothing_and_says_so() {
    let answer = run(
        r#"{"id": "EARLY", "created_at": "2026-03-03T10:00:00+09:00",
            "impact": "organization", "urgency": "high"}"#,
        "2026-03-03T09:00:00+09:00",
    );
    let respond = answer.targets.respond.as_ref().unwrap();
    assert_eq!(respond.state, TargetState::Running);
    assert_eq!(respond.elapsed_seconds, 0);
    assert_eq!(
        answer.explain[0],
        "`now` is before the incident was created: no time has elapsed on \
         any clock yet"
    );
}
