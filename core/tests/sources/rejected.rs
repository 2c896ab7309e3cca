//! Accounting of rejected records: hand-made inputs with known bad rows
//! give exactly the expected lines and reasons, and every record in is
//! either an incident or a rejection.
