//! Business-hours calendars and the arithmetic on them (being written).
