//! Accounting of rejected records: hand-made inputs with known bad rows
//! give exactly the expected lines and reasons, and every record in is
//! either an incident or a rejection.

use incident_rules_core::incident::Incident;
use incident_rules_core::policy::Policy;
use incident_rules_core::sources::{SourceFormat, SourceOptions, read};

/// Per record: its line, and its id or the reason it was rejected.
type Outcomes = Vec<(u64, Result<String, String>)>;

/// Reads `input` and checks each incident against the default policy:
/// per record, its line and either its id or the reason it was rejected,
/// whether by the reader or by the checking.
fn outcomes(format: SourceFormat, input: &[u8]) -> Result<Outcomes, String> {
    let policy = Policy::default_policy().map_err(|e| e.to_string())?;
    let options = SourceOptions {
        zone: chrono_tz::Asia::Seoul,
        ..SourceOptions::default()
    };
    let records = read(format, input, options).map_err(|e| e.to_string())?;
    records
        .map(|record| {
            let record = record.map_err(|e| e.to_string())?;
            let checked = record.result.and_then(|input| {
                Incident::from_input(&input, &policy)
                    .map(|incident| incident.id)
                    .map_err(|error| error.to_string())
            });
            Ok((record.line, checked))
        })
        .collect()
}

#[test]
fn csv_bad_rows_are_each_rejected_with_line_and_reason() -> Result<(), String>
{
    let input: &[u8] = b"id,created_at,impact,urgency,affected_users,resolved_at\n\
        A,2026-03-02T09:00:00+09:00,department,high,3,2026-03-02T12:00:00+09:00\n\
        B,2026-03-02T25:00:00+09:00,department,high,,\n\
        C,2026-03-02T09:00:00+09:00,department,high,,2026-03-01T09:00:00+09:00\n\
        D,2026-03-02T09:00:00+09:00,galaxy,high,,\n\
        E,2026-03-02T09:00:00+09:00,department,high,-4,\n\
        F,2026-03-02T09:00:00+09:00\n\
        G\xff,2026-03-02T09:00:00+09:00,department,high,,\n\
        \n\
        H,2026-03-02 09:00,individual,low,1,\n\
        \"I,2026-03-02T09:00:00+09:00,department,high,,\n\
        J,2026-03-02T09:00:00+09:00,department,high,,\n";
    let got = outcomes(SourceFormat::Csv, input)?;
    let expected: Outcomes = vec![
        (2, Ok("A".into())),
        (
            3,
            Err("incident `B`: created_at: invalid timestamp \
                 `2026-03-02T25:00:00+09:00`: hour out of range"
                .into()),
        ),
        (
            4,
            Err("incident `C`: resolved_at: `2026-03-01T00:00:00Z` is \
                 before `created_at` `2026-03-02T00:00:00Z`"
                .into()),
        ),
        (5, Err("incident `D`: impact: unknown impact `galaxy`".into())),
        (6, Err("incident `E`: affected_users: `-4` is negative".into())),
        (7, Err("the row has 2 fields, the header has 6".into())),
        (8, Err("`id` is not valid UTF-8 (bad byte at offset 1)".into())),
        // The blank line 9 is no record.
        (10, Ok("H".into())),
        // An unclosed quote runs to the end of the input: one field.
        (11, Err("the row has 1 fields, the header has 6".into())),
    ];
    assert_eq!(got, expected);

    let ok = got.iter().filter(|(_, outcome)| outcome.is_ok()).count();
    let rejected = got.iter().filter(|(_, outcome)| outcome.is_err()).count();
    assert_eq!((got.len(), ok, rejected), (9, 2, 7));
    Ok(())
}

#[test]
fn jsonl_bad_lines_are_each_rejected_with_line_and_reason()
-> Result<(), String> {
    let input: &[u8] = b"{\"id\":\"A\",\"created_at\":\"2026-03-02T09:00:00Z\",\
          \"priority\":\"P1\"}\n\
        {\"id\":\"B\",\"created_at\":\"2026-03-02T09:00:00Z\",\"priority\":\"P9\"}\n\
        {\"id\":\"C\",\"created_at\":\"2026-03-02T09:00:00Z\",\"priority\":\"P1\",\
          \"affected_users\":-1}\n\
        {\"id\":\"D\",\"created_at\":\"2026-03-02T09:00:00Z\",\"priority\":\"P1\",\
          \"resolved_at\":\"yesterday\"}\n\
        {\"id\":\"E\",\"created_at\":\"2026-03-02T09:00:00Z\",\"priority\":\"P1\"\n\
        \xfe\xff\n";
    let got = outcomes(SourceFormat::Jsonl, input)?;
    let expected: Outcomes = vec![
        (1, Ok("A".into())),
        (2, Err("incident `B`: priority: unknown priority `P9`".into())),
        (3, Err("incident `C`: affected_users: `-1` is negative".into())),
        (
            4,
            Err("incident `D`: resolved_at: invalid timestamp `yesterday`: \
                 expected a year"
                .into()),
        ),
        (5, Err("column 61: EOF while parsing an object".into())),
        (6, Err("the line is not valid UTF-8 (bad byte at offset 0)".into())),
    ];
    assert_eq!(got, expected);
    Ok(())
}

/// Reads `input` to the end in `format`: every record must come out with
/// a line no earlier than the one before, and no bytes may panic.
fn read_all(format: SourceFormat, input: &[u8]) -> Result<(), String> {
    let Ok(records) = read(format, input, SourceOptions::default()) else {
        return Ok(());
    };
    let mut last = 0;
    for record in records {
        let Ok(record) = record else { break };
        if record.line < last {
            return Err(format!("line {} after {last}", record.line));
        }
        last = record.line;
    }
    Ok(())
}

/// Headers that get each CSV reader past its header check, so that the
/// random bytes reach the row readers.
const HEADERS: [(SourceFormat, &str); 4] = [
    (SourceFormat::Jsonl, ""),
    (SourceFormat::Csv, "id,created_at,status_history,priority_changes\n"),
    (
        SourceFormat::ServiceNow,
        "number,incident_state,reassignment_count,reopen_count,\
         sys_mod_count,made_sla,opened_at,sys_updated_at,contact_type,\
         location,category,subcategory,impact,urgency,priority,\
         assignment_group,resolved_at,closed_at\n",
    ),
    (
        SourceFormat::Bpi2014,
        "incident_id,impact,urgency,priority,category,x_reassignments,\
         open_time,reopen_time,resolved_time,close_time\n",
    ),
];

proptest::proptest! {
    /// Arbitrary bytes, after a valid header or not, never panic a reader.
    #[test]
    fn no_bytes_panic_a_reader(
        body in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::num::u8::ANY,
                proptest::sample::select(b",;=:\"\r\n?/ 0123456789".to_vec()),
            ],
            0..400,
        )
    ) {
        for (format, header) in HEADERS {
            let mut input = header.as_bytes().to_vec();
            input.extend_from_slice(&body);
            proptest::prop_assert_eq!(read_all(format, &input), Ok(()));
            proptest::prop_assert_eq!(read_all(format, &body), Ok(()));
        }
    }
}
