-- Candidate-facing tables of the merchant dataset.
-- Dimension tables carry primary and foreign keys; activity tables carry none,
-- because they hold planted defects such as sessions logged twice.

CREATE TABLE merchants (
    merchant_id      INTEGER PRIMARY KEY,
    merchant_name    VARCHAR NOT NULL,
    segment          VARCHAR NOT NULL CHECK (segment IN ('smb', 'mid_market', 'enterprise')),
    industry         VARCHAR NOT NULL,
    region           VARCHAR NOT NULL,
    plan_tier        VARCHAR NOT NULL,
    seats            INTEGER NOT NULL,
    signup_date      DATE NOT NULL,
    account_manager  VARCHAR NOT NULL,
    csm_owner        VARCHAR NOT NULL
);
COMMENT ON TABLE merchants IS 'One row per merchant (customer account): firmographics, current plan and the owning AM and CSM.';
COMMENT ON COLUMN merchants.merchant_id IS 'Merchant key, used by every other table.';
COMMENT ON COLUMN merchants.merchant_name IS 'Company name.';
COMMENT ON COLUMN merchants.segment IS 'Sales segment by contract size: smb, mid_market or enterprise.';
COMMENT ON COLUMN merchants.industry IS 'Vertical the merchant sells in, for example retail or travel.';
COMMENT ON COLUMN merchants.region IS 'Sales region.';
COMMENT ON COLUMN merchants.plan_tier IS 'Plan tier on the as-of date; plan_changes holds the history.';
COMMENT ON COLUMN merchants.seats IS 'Licensed user seats on the current contract.';
COMMENT ON COLUMN merchants.signup_date IS 'Date the merchant first became a customer.';
COMMENT ON COLUMN merchants.account_manager IS 'Account Manager who owns revenue: renewals and upsell.';
COMMENT ON COLUMN merchants.csm_owner IS 'Customer Success Manager who owns adoption and health.';

CREATE TABLE contacts (
    contact_id      INTEGER PRIMARY KEY,
    merchant_id     INTEGER NOT NULL REFERENCES merchants (merchant_id),
    full_name       VARCHAR NOT NULL,
    email           VARCHAR NOT NULL,
    job_role        VARCHAR NOT NULL,
    is_key_contact  BOOLEAN NOT NULL,
    start_date      DATE NOT NULL,
    end_date        DATE
);
COMMENT ON TABLE contacts IS 'People at each merchant who use the product; each holds one seat while employed.';
COMMENT ON COLUMN contacts.contact_id IS 'Contact key; merchant_sessions and merchant_features name the contact who acted.';
COMMENT ON COLUMN contacts.merchant_id IS 'Merchant the contact works for.';
COMMENT ON COLUMN contacts.full_name IS 'Contact name.';
COMMENT ON COLUMN contacts.email IS 'Work email address.';
COMMENT ON COLUMN contacts.job_role IS 'Job role, for example finance, operations, engineering or executive.';
COMMENT ON COLUMN contacts.is_key_contact IS 'True for the champion: the main day-to-day contact of the account.';
COMMENT ON COLUMN contacts.start_date IS 'First day the contact had access.';
COMMENT ON COLUMN contacts.end_date IS 'Last day the contact had access; NULL while still active. Not always kept up to date by the CRM.';

CREATE TABLE merchant_contracts (
    contract_id      INTEGER PRIMARY KEY,
    merchant_id      INTEGER NOT NULL REFERENCES merchants (merchant_id),
    product          VARCHAR NOT NULL,
    plan_tier        VARCHAR NOT NULL,
    arr_value        DECIMAL(12, 2) NOT NULL,
    seats            INTEGER NOT NULL,
    signed_date      DATE NOT NULL,
    start_date       DATE NOT NULL,
    renewal_date     DATE NOT NULL,
    contract_status  VARCHAR NOT NULL CHECK (contract_status IN ('active', 'expired', 'cancelled')),
    cancelled_date   DATE,
    billing_months   INTEGER NOT NULL CHECK (billing_months IN (1, 3, 12))
);
COMMENT ON TABLE merchant_contracts IS 'Subscription contracts. A merchant may hold several active contracts at once, one per product, each with its own renewal date.';
COMMENT ON COLUMN merchant_contracts.contract_id IS 'Contract key.';
COMMENT ON COLUMN merchant_contracts.merchant_id IS 'Merchant that signed the contract.';
COMMENT ON COLUMN merchant_contracts.product IS 'Product line the contract covers, for example payments or payouts.';
COMMENT ON COLUMN merchant_contracts.plan_tier IS 'Plan tier the contract was signed on.';
COMMENT ON COLUMN merchant_contracts.arr_value IS 'Annual recurring revenue of the contract in US dollars, excluding one-off fees.';
COMMENT ON COLUMN merchant_contracts.seats IS 'User seats the contract licenses.';
COMMENT ON COLUMN merchant_contracts.signed_date IS 'Date the contract was signed; for a renewal, the date the renewal was signed.';
COMMENT ON COLUMN merchant_contracts.start_date IS 'First day of the contract term.';
COMMENT ON COLUMN merchant_contracts.renewal_date IS 'Day after the last day of the term: the contract renews or ends on this date.';
COMMENT ON COLUMN merchant_contracts.cancelled_date IS 'For a cancelled contract, the first day it was no longer in force; NULL otherwise. A contract is in force from start_date up to the day before COALESCE(cancelled_date, renewal_date).';
COMMENT ON COLUMN merchant_contracts.billing_months IS 'Months between invoices: 1, 3 or 12. The first invoice is issued on start_date, the next every billing_months months after it while the contract is in force.';
COMMENT ON COLUMN merchant_contracts.contract_status IS 'active: in force on the as-of date; expired: the term ended (renewed into a new contract or lapsed); cancelled: ended early by the customer.';

CREATE TABLE merchant_sessions (
    session_id        BIGINT,
    merchant_id       INTEGER,
    contact_id        INTEGER,
    session_date      DATE,
    session_start     TIMESTAMP,
    duration_seconds  INTEGER,
    platform          VARCHAR,
    app_version       VARCHAR
);
COMMENT ON TABLE merchant_sessions IS 'One row per dashboard login session, as the tracking pipeline delivered it. The pipeline sometimes delivers a session twice with the same session_id.';
COMMENT ON COLUMN merchant_sessions.session_id IS 'Session identifier; a redelivered session repeats it.';
COMMENT ON COLUMN merchant_sessions.merchant_id IS 'Merchant whose dashboard was used.';
COMMENT ON COLUMN merchant_sessions.contact_id IS 'Contact who logged in.';
COMMENT ON COLUMN merchant_sessions.session_date IS 'Calendar date the session started (UTC).';
COMMENT ON COLUMN merchant_sessions.session_start IS 'Timestamp the session started (UTC).';
COMMENT ON COLUMN merchant_sessions.duration_seconds IS 'Session length in seconds.';
COMMENT ON COLUMN merchant_sessions.platform IS 'Client the session came from: web, ios or android.';
COMMENT ON COLUMN merchant_sessions.app_version IS 'Client release, for example 7.3.0; web releases are named by date.';

CREATE TABLE merchant_features (
    event_id      BIGINT,
    session_id    BIGINT,
    merchant_id   INTEGER,
    contact_id    INTEGER,
    feature_name  VARCHAR,
    usage_date    DATE,
    used_at       TIMESTAMP,
    platform      VARCHAR,
    app_version   VARCHAR
);
COMMENT ON TABLE merchant_features IS 'One row per tracked feature event: a core action inside a session, such as creating a payment link.';
COMMENT ON COLUMN merchant_features.event_id IS 'Event identifier.';
COMMENT ON COLUMN merchant_features.session_id IS 'Session the event happened in.';
COMMENT ON COLUMN merchant_features.merchant_id IS 'Merchant whose account the event belongs to.';
COMMENT ON COLUMN merchant_features.contact_id IS 'Contact who performed the action.';
COMMENT ON COLUMN merchant_features.feature_name IS 'Tracked event name of the feature; the names depend on the plan tier.';
COMMENT ON COLUMN merchant_features.usage_date IS 'Calendar date of the event (UTC).';
COMMENT ON COLUMN merchant_features.used_at IS 'Timestamp of the event (UTC).';
COMMENT ON COLUMN merchant_features.platform IS 'Client that sent the event: web, ios or android.';
COMMENT ON COLUMN merchant_features.app_version IS 'Client release that sent the event.';

CREATE TABLE support_tickets (
    ticket_id    BIGINT,
    merchant_id  INTEGER,
    contact_id   INTEGER,
    opened_at    TIMESTAMP,
    closed_at    TIMESTAMP,
    priority     VARCHAR,
    category     VARCHAR,
    status       VARCHAR
);
COMMENT ON TABLE support_tickets IS 'Support tickets raised by merchant contacts.';
COMMENT ON COLUMN support_tickets.ticket_id IS 'Ticket identifier.';
COMMENT ON COLUMN support_tickets.merchant_id IS 'Merchant that raised the ticket.';
COMMENT ON COLUMN support_tickets.contact_id IS 'Contact who raised the ticket.';
COMMENT ON COLUMN support_tickets.opened_at IS 'Timestamp the ticket was opened (UTC).';
COMMENT ON COLUMN support_tickets.closed_at IS 'Timestamp the ticket was closed; NULL while open.';
COMMENT ON COLUMN support_tickets.priority IS 'low, normal, high or urgent.';
COMMENT ON COLUMN support_tickets.category IS 'Topic, for example billing, integration, bug or how_to.';
COMMENT ON COLUMN support_tickets.status IS 'open or closed on the as-of date.';

CREATE TABLE nps_responses (
    response_id    BIGINT,
    merchant_id    INTEGER,
    contact_id     INTEGER,
    response_date  DATE,
    score          INTEGER
);
COMMENT ON TABLE nps_responses IS 'Answers to the Net Promoter Score survey question: how likely are you to recommend us, 0 to 10.';
COMMENT ON COLUMN nps_responses.response_id IS 'Response identifier.';
COMMENT ON COLUMN nps_responses.merchant_id IS 'Merchant of the respondent.';
COMMENT ON COLUMN nps_responses.contact_id IS 'Contact who answered.';
COMMENT ON COLUMN nps_responses.response_date IS 'Date of the answer.';
COMMENT ON COLUMN nps_responses.score IS 'Score from 0 to 10: 9-10 promoter, 7-8 passive, 0-6 detractor.';

CREATE TABLE invoices (
    invoice_id   BIGINT,
    merchant_id  INTEGER,
    contract_id  INTEGER,
    issue_date   DATE,
    due_date     DATE,
    amount       DECIMAL(12, 2),
    paid_date    DATE,
    status       VARCHAR
);
COMMENT ON TABLE invoices IS 'Invoices for contract fees, one per billing period.';
COMMENT ON COLUMN invoices.invoice_id IS 'Invoice identifier.';
COMMENT ON COLUMN invoices.merchant_id IS 'Merchant billed.';
COMMENT ON COLUMN invoices.contract_id IS 'Contract the invoice bills.';
COMMENT ON COLUMN invoices.issue_date IS 'Date the invoice was issued.';
COMMENT ON COLUMN invoices.due_date IS 'Date payment was due.';
COMMENT ON COLUMN invoices.amount IS 'Invoiced amount in US dollars.';
COMMENT ON COLUMN invoices.paid_date IS 'Date the payment arrived; NULL while unpaid.';
COMMENT ON COLUMN invoices.status IS 'paid, open (not yet due) or overdue on the as-of date.';

CREATE TABLE plan_changes (
    change_id    BIGINT,
    merchant_id  INTEGER,
    change_date  DATE,
    from_tier    VARCHAR,
    to_tier      VARCHAR
);
COMMENT ON TABLE plan_changes IS 'Plan tier changes, one row per switch.';
COMMENT ON COLUMN plan_changes.change_id IS 'Change identifier.';
COMMENT ON COLUMN plan_changes.merchant_id IS 'Merchant that switched.';
COMMENT ON COLUMN plan_changes.change_date IS 'First day on the new tier.';
COMMENT ON COLUMN plan_changes.from_tier IS 'Tier before the switch.';
COMMENT ON COLUMN plan_changes.to_tier IS 'Tier after the switch.';

CREATE TABLE daily_transaction_volume (
    merchant_id        INTEGER,
    volume_date        DATE,
    transaction_count  INTEGER,
    gross_volume       DECIMAL(14, 2)
);
COMMENT ON TABLE daily_transaction_volume IS 'Payments processed per merchant per day: the commercial activity behind the revenue view.';
COMMENT ON COLUMN daily_transaction_volume.merchant_id IS 'Merchant that processed the payments.';
COMMENT ON COLUMN daily_transaction_volume.volume_date IS 'Calendar date (UTC).';
COMMENT ON COLUMN daily_transaction_volume.transaction_count IS 'Number of payments processed that day.';
COMMENT ON COLUMN daily_transaction_volume.gross_volume IS 'Total value of those payments in US dollars.';

CREATE TABLE dataset_info (
    seed               BIGINT NOT NULL,
    merchants          INTEGER NOT NULL,
    as_of              DATE NOT NULL,
    history_days       INTEGER NOT NULL,
    generator_version  VARCHAR NOT NULL
);
COMMENT ON TABLE dataset_info IS 'One row describing how this dataset was generated.';
COMMENT ON COLUMN dataset_info.seed IS 'Random seed; the same seed and generator version give the same data.';
COMMENT ON COLUMN dataset_info.merchants IS 'Number of merchants generated.';
COMMENT ON COLUMN dataset_info.as_of IS 'The as-of date that as_of_date() returns; activity runs up to the day before.';
COMMENT ON COLUMN dataset_info.history_days IS 'Days of activity history before the as-of date.';
COMMENT ON COLUMN dataset_info.generator_version IS 'Version of the datagen package that wrote the file.';
