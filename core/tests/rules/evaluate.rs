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
