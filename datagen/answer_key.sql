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

CREATE TABLE renewal_outcomes (
    contract_id            INTEGER NOT NULL,
    merchant_id            INTEGER NOT NULL,
    product                VARCHAR NOT NULL,
    renewal_date           DATE NOT NULL,
    renewed                BOOLEAN NOT NULL,
    successor_contract_id  INTEGER,
    lapse_probability      DOUBLE,
    renewal_risk           DOUBLE,
    usage_decline_start    DATE,
    usage_decline_pct      INTEGER NOT NULL
);
COMMENT ON TABLE renewal_outcomes IS 'Every contract term that reached its renewal date inside the history (status expired, renewal_date from the first day of history up to the as-of date), and whether it renewed.';
COMMENT ON COLUMN renewal_outcomes.contract_id IS 'The term that reached its renewal date.';
COMMENT ON COLUMN renewal_outcomes.merchant_id IS 'Merchant that held the term.';
COMMENT ON COLUMN renewal_outcomes.product IS 'Product of the term; a lapse of the core product payments means the merchant churned.';
COMMENT ON COLUMN renewal_outcomes.renewal_date IS 'Renewal date of the term, the day its successor starts if it renewed.';
COMMENT ON COLUMN renewal_outcomes.renewed IS 'True when a contract for the same merchant and product starts on renewal_date; false when the term lapsed.';
COMMENT ON COLUMN renewal_outcomes.successor_contract_id IS 'The contract that starts on renewal_date; NULL when the term lapsed.';
COMMENT ON COLUMN renewal_outcomes.lapse_probability IS 'Modelled chance that the term lapsed at this renewal; NULL when no draw decided it (a term renewed early by a scenario).';
COMMENT ON COLUMN renewal_outcomes.renewal_risk IS 'Latent risk behind lapse_probability, standard normal, higher is riskier: the renewal''s own risk for payments, the merchant''s risk score for add-ons.';
COMMENT ON COLUMN renewal_outcomes.usage_decline_start IS 'First day of the planted usage decline before this renewal; NULL when none was planted.';
COMMENT ON COLUMN renewal_outcomes.usage_decline_pct IS 'Share of usage, in percent, that the planted decline takes away by the renewal date; 0 when none was planted. A merchant that renewed recovers on the renewal date or 60 days before the as-of date, whichever comes first.';
