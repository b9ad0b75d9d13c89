-- Tables of the answer key, the ground truth kept apart from the dataset.

CREATE TABLE planted (
    scenario      VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL CHECK (kind IN ('scenario', 'sql_trap')),
    merchant_id   INTEGER,
    contact_id    INTEGER,
    event_date    DATE,
    details       VARCHAR NOT NULL
);
COMMENT ON TABLE planted IS 'Ground truth: one row per merchant per planted scenario or SQL trap.';
COMMENT ON COLUMN planted.scenario IS 'Scenario or trap name, for example renewal_usage_drop or arr_tie_at_cutoff.';
COMMENT ON COLUMN planted.kind IS 'scenario: a story for the business questions; sql_trap: a case the capstone query must handle.';
COMMENT ON COLUMN planted.merchant_id IS 'Merchant that carries it; NULL for broken_tracking_event, which hits every merchant.';
COMMENT ON COLUMN planted.contact_id IS 'Contact involved, for key_contact_departure the champion who left; else NULL.';
COMMENT ON COLUMN planted.event_date IS 'Day the planted story starts, for example the first day of the usage drop; NULL when it has none.';
COMMENT ON COLUMN planted.details IS 'JSON object with the planted parameters, for example the tiers of a tier switch.';

CREATE TABLE tracking_break (
    feature_name        VARCHAR NOT NULL,
    platform            VARCHAR NOT NULL,
    app_version         VARCHAR NOT NULL,
    break_date          DATE NOT NULL,
    events_lost         BIGINT NOT NULL,
    merchants_affected  INTEGER NOT NULL
);
COMMENT ON TABLE tracking_break IS 'The feature event that one client release stopped sending; one row.';
COMMENT ON COLUMN tracking_break.feature_name IS 'Event name that went missing from merchant_features.';
COMMENT ON COLUMN tracking_break.platform IS 'Client platform of the broken release: ios or android.';
COMMENT ON COLUMN tracking_break.app_version IS 'Broken release; its sessions are logged, this event is not.';
COMMENT ON COLUMN tracking_break.break_date IS 'Release date of the broken version: no such event from it arrives on or after this day.';
COMMENT ON COLUMN tracking_break.events_lost IS 'Feature events that the broken release did not send.';
COMMENT ON COLUMN tracking_break.merchants_affected IS 'Merchants that lost at least one event.';
