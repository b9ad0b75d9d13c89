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
COMMENT ON TABLE tracking_break IS 'The feature event that a client release stopped sending, as did every later release of its platform; one row.';
COMMENT ON COLUMN tracking_break.feature_name IS 'Event name that went missing from merchant_features.';
COMMENT ON COLUMN tracking_break.platform IS 'Client platform of the broken release: ios or android.';
COMMENT ON COLUMN tracking_break.app_version IS 'First broken release; its sessions and those of later releases of the platform are logged, this event is not.';
COMMENT ON COLUMN tracking_break.break_date IS 'Release date of the first broken version: no such event from it or a later release arrives on or after this day.';
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

CREATE TABLE score_drops (
    merchant_id   INTEGER NOT NULL,
    cause         VARCHAR NOT NULL CHECK (cause IN ('tracking_break', 'tier_switch', 'key_contact_departure', 'real_disengagement')),
    flagged       BOOLEAN NOT NULL,
    score_before  DOUBLE,
    score_after   DOUBLE,
    event_date    DATE,
    contact_id    INTEGER,
    details       VARCHAR NOT NULL
);
COMMENT ON TABLE score_drops IS 'Every merchant whose usage score (kit.usage_score) fell sharply, and every merchant planted to make it fall, with the cause of the drop.';
COMMENT ON COLUMN score_drops.merchant_id IS 'Merchant whose score fell, or was planted to fall.';
COMMENT ON COLUMN score_drops.cause IS 'tracking_break: the score would not have fallen sharply with the events the break lost; tier_switch: a planted switch to a tier that renames features; key_contact_departure: a planted departure of the champion; real_disengagement: any other drop, a real fall in usage.';
COMMENT ON COLUMN score_drops.flagged IS 'True when the latest score is at least 20 points below the score 28 days earlier, the alert the capstone classifies.';
COMMENT ON COLUMN score_drops.score_before IS 'Score on as_of_date() - 28; NULL when the merchant is too small to score.';
COMMENT ON COLUMN score_drops.score_after IS 'Score on as_of_date(); NULL when the merchant is too small to score.';
COMMENT ON COLUMN score_drops.event_date IS 'Day the cause happened: the break date, the switch date, the champion''s last day, or the first day of a planted fall in usage; NULL when none is known.';
COMMENT ON COLUMN score_drops.contact_id IS 'The departed champion for key_contact_departure; else NULL.';
COMMENT ON COLUMN score_drops.details IS 'JSON object: the scenarios planted on the merchant, the coincidences among them, the drop observed and in each counterfactual (restored lost events, renamed events counted, departed champions left out), and the broken event for tracking_break.';
