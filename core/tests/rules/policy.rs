//! Policy reading and checking: the default policy, and broken policies
//! whose every problem must be listed with its field.

use incident_rules_core::policy::{DEFAULT_POLICY_TOML, Policy};

#[test]
fn default_policy_compiles() {
    let policy = Policy::from_toml(DEFAULT_POLICY_TOML).unwrap();
    assert_eq!(policy.name(), "kr-service-desk-guide");
    assert_eq!(policy.priority_count(), 4);
}

/// A policy with several mistakes: every one is listed, each with its
/// field path and a sentence naming the value.
#[test]
fn every_problem_is_listed_with_its_field() {
    let broken = DEFAULT_POLICY_TOML
        .replace(
            "[matrix.cells.request]\nhigh = \"P4\"\nmedium = \"P4\"\nlow = \"P4\"",
            "[matrix.cells.request]\nhigh = \"P4\"\nmedium = \"P9\"",
        )
        .replace(
            "resolve = { within = \"9h\", calendar = \"seoul_business\" }",
            "resolve = { within = \"9 hours\", calendar = \"biz\" }",
        )
        .replace(
            "time_zone = \"Asia/Seoul\"\nhours = \"24x7\"",
            "time_zone = \"Asia/Seul\"\nhours = \"24x7\"",
        )
        .replace("fcr_percent = { above = 70 }", "fcr_percent = { above = 70, below = 90 }");
    let error = Policy::from_toml(&broken).unwrap_err();
    let fields: Vec<&str> = error
        .problems()
        .iter()
        .map(|problem| problem.field.as_str())
        .collect();
    assert_eq!(
        fields,
        [
            "matrix.cells.request.medium",
            "matrix.cells.request.low",
            "calendars.always.time_zone",
            "sla[0].targets.P2.resolve.within",
            "sla[0].targets.P2.resolve.calendar",
            "kpi.targets.fcr_percent",
        ]
    );
    let messages: Vec<&str> = error
        .problems()
        .iter()
        .map(|problem| problem.message.as_str())
        .collect();
    assert_eq!(
        messages[0],
        "matrix: impact `request` and urgency `medium`: unknown priority `P9`"
    );
    assert_eq!(
        messages[1],
        "matrix: no priority for impact `request` and urgency `low`"
    );
    assert_eq!(
        messages[4],
        "sla `standard`: target `resolve` for `P2`: unknown calendar `biz`"
    );
    assert_eq!(
        messages[5],
        "kpi: target `fcr_percent`: give exactly one of `above`, `at_least`, `below`, `at_most`"
    );
}

/// A policy that is not TOML at all says where.
#[test]
fn unreadable_policy_names_the_line() {
    let error =
        Policy::from_toml("name = \"x\"\n[[priorities]\n").unwrap_err();
    assert_eq!(error.problems().len(), 1);
    assert!(
        error.problems()[0]
            .message
            .starts_with("the policy is not valid TOML (line 2): "),
        "{}",
        error.problems()[0].message
    );
}

/// Two levels may not share a spelling: imports could not tell them apart.
#[test]
fn a_spelling_shared_by_two_levels_is_refused() {
    let broken = DEFAULT_POLICY_TOML.replace(
        "aliases = [\"2\", \"2 - Medium\", \"medium\", \"부서\"]",
        "aliases = [\"2\", \"2 - Medium\", \"medium\", \"전사\"]",
    );
    let error = Policy::from_toml(&broken).unwrap_err();
    let problems: Vec<(&str, &str)> = error
        .problems()
        .iter()
        .map(|p| (p.field.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(
        problems,
        [(
            "matrix.impact[1]",
            "matrix: impact `department`: `전사` already names impact \
             `organization`"
        )]
    );
}

/// A shape error (unknown key, wrong type) names its field; a KPI target
/// outside its figure's scale is refused.
#[test]
fn shape_errors_and_out_of_scale_targets_name_their_field() {
    let unknown =
        DEFAULT_POLICY_TOML.replace("[major]\n", "[major]\nfunday = 1\n");
    let error = Policy::from_toml(&unknown).unwrap_err();
    assert_eq!(error.problems()[0].field, "major.funday");
    assert!(
        error.problems()[0]
            .message
            .starts_with("major.funday: unknown field `funday`")
    );

    let csat = DEFAULT_POLICY_TOML
        .replace("csat = { above = 4.5 }", "csat = { above = 9 }");
    let error = Policy::from_toml(&csat).unwrap_err();
    let problems: Vec<(&str, &str)> = error
        .problems()
        .iter()
        .map(|p| (p.field.as_str(), p.message.as_str()))
        .collect();
    assert_eq!(
        problems,
        [(
            "kpi.targets.csat",
            "kpi: target `csat`: `9` is outside the figure's scale 1 to 5"
        )]
    );
}
