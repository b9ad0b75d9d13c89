-- The raw inputs of the health score, one row per point: a merchant and a
-- day. Every window is half-open and ends the day before point_date, so an
-- input only sees what was known on that day. {points} is replaced by the
-- name of a relation with the columns merchant_id and point_date.
WITH points AS (
    SELECT merchant_id, CAST(point_date AS DATE) AS point_date FROM {points}
),
sessions AS (
    SELECT
        p.merchant_id,
        p.point_date,
        COUNT(DISTINCT s.session_id) FILTER (
            WHERE s.session_date >= p.point_date - 30
        ) AS sessions_30d,
        COUNT(DISTINCT s.session_id) FILTER (
            WHERE s.session_date < p.point_date - 30
        ) AS sessions_prior_60d
    FROM points p
    LEFT JOIN merchant_sessions s
        ON s.merchant_id = p.merchant_id
        AND s.session_date >= p.point_date - 90
        AND s.session_date < p.point_date
    GROUP BY p.merchant_id, p.point_date
),
features AS (
    SELECT p.merchant_id, p.point_date, COUNT(DISTINCT f.feature_name) AS features_30d
    FROM points p
    LEFT JOIN merchant_features f
        ON f.merchant_id = p.merchant_id
        AND f.usage_date >= p.point_date - 30
        AND f.usage_date < p.point_date
    GROUP BY p.merchant_id, p.point_date
),
tickets AS (
    SELECT p.merchant_id, p.point_date, COUNT(t.ticket_id) AS tickets_90d
    FROM points p
    LEFT JOIN support_tickets t
        ON t.merchant_id = p.merchant_id
        AND CAST(t.opened_at AS DATE) >= p.point_date - 90
        AND CAST(t.opened_at AS DATE) < p.point_date
    GROUP BY p.merchant_id, p.point_date
),
nps AS (
    SELECT p.merchant_id, p.point_date, AVG(n.score) AS nps_avg_180d
    FROM points p
    LEFT JOIN nps_responses n
        ON n.merchant_id = p.merchant_id
        AND n.response_date >= p.point_date - 180
        AND n.response_date < p.point_date
    GROUP BY p.merchant_id, p.point_date
),
lateness AS (
    SELECT
        p.merchant_id,
        p.point_date,
        -- An invoice paid after point_date was still unpaid on that day.
        -- GREATEST skips NULLs, so without the CASE a merchant with no
        -- invoice due would average 0 days late instead of NULL.
        AVG(
            CASE WHEN i.invoice_id IS NOT NULL THEN
                GREATEST(
                    LEAST(COALESCE(i.paid_date, p.point_date), p.point_date)
                    - i.due_date,
                    0
                )
            END
        ) AS days_late_365d
    FROM points p
    LEFT JOIN invoices i
        ON i.merchant_id = p.merchant_id
        AND i.due_date >= p.point_date - 365
        AND i.due_date < p.point_date
    GROUP BY p.merchant_id, p.point_date
),
arr AS (
    SELECT
        p.merchant_id,
        p.point_date,
        SUM(c.arr_value) FILTER (
            WHERE c.start_date <= p.point_date
            AND p.point_date < COALESCE(c.cancelled_date, c.renewal_date)
        ) AS arr_now,
        SUM(c.arr_value) FILTER (
            WHERE c.start_date <= p.point_date - 365
            AND p.point_date - 365 < COALESCE(c.cancelled_date, c.renewal_date)
        ) AS arr_year_ago
    FROM points p
    LEFT JOIN merchant_contracts c ON c.merchant_id = p.merchant_id
    GROUP BY p.merchant_id, p.point_date
)
SELECT
    p.merchant_id,
    p.point_date,
    s.sessions_30d / NULLIF(s.sessions_prior_60d / 2.0, 0) AS session_trend,
    f.features_30d AS adoption_breadth,
    t.tickets_90d AS tickets,
    n.nps_avg_180d AS nps,
    l.days_late_365d AS days_late,
    a.arr_now / NULLIF(a.arr_year_ago, 0) AS arr_change
FROM points p
JOIN sessions s USING (merchant_id, point_date)
JOIN features f USING (merchant_id, point_date)
JOIN tickets t USING (merchant_id, point_date)
JOIN nps n USING (merchant_id, point_date)
JOIN lateness l USING (merchant_id, point_date)
JOIN arr a USING (merchant_id, point_date)
ORDER BY p.merchant_id, p.point_date
