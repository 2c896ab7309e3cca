//! Policy reading and checking: the default policy, and broken policies
//! whose every problem must be listed with its field.

use incident_rules_core::policy::{DEFAULT_POLICY_TOML, Policy};

#[test]
fn default_policy_compiles() {
    let policy = Policy::from_toml(DEFAULT_POLICY_TOML).unwrap();
    assert_eq!(policy.name(), "kr-service-desk-guide");
    assert_eq!(policy.priority_count(), 4);
}
