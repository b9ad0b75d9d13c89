import numpy as np
import pandas as pd

from kit import usage_score

alerts = usage_score.sharp_drops(con)
tracking_break = con.sql(tracking_break_sql).df()
switched = set(con.sql(tier_switch_sql).df()["merchant_id"])
departed = set(con.sql(departure_sql).df()["merchant_id"])
# The drop each alert would show with the broken event's missing events
# imputed from the merchant's own rate before the break.
repaired = usage_score.changes(con, repair=tracking_break)
remaining = alerts["merchant_id"].map(repaired.set_index("merchant_id")["drop"])
cause = np.select(
    [
        alerts["merchant_id"].isin(switched),
        alerts["merchant_id"].isin(departed),
        remaining < alerts["drop"] / 2,
    ],
    ["tier_switch", "key_contact_departure", "tracking_break"],
    default="real_disengagement",
)
drop_causes = pd.DataFrame({"merchant_id": alerts["merchant_id"], "cause": cause})
answer = drop_causes
