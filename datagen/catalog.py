"""Business vocabulary of the synthetic payments company, declared as data.

Segments, plan tiers, products, the feature events each tier logs, and the
lists that firmographics draw from. Shapes follow public SaaS benchmarks:
contract value bands of roughly $5k and $50k between SMB, mid-market and
enterprise (KBCM SaaS survey), and a right-skewed, fat-tailed revenue per
customer.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Segment:
    """Sales segment with its share of merchants and its size distributions.

    ARR is log-normal around ``arr_median`` (US dollars per year), truncated
    to ``arr_min``..``arr_max``; seats are log-normal around ``seats_median``.
    ``churn_probability`` is the chance that a merchant of risk 0 lets its
    core contract lapse at a renewal; riskier merchants lapse more often
    (datagen.risk).
    """

    name: str
    share: float
    arr_median: float
    arr_sigma: float
    arr_min: float
    arr_max: float
    seats_median: float
    seats_sigma: float
    seats_min: int
    seats_max: int
    tiers: dict[str, float]
    term_months: dict[int, float]
    billing_months: dict[int, float]
    addon_probability: float
    churn_probability: float


SEGMENTS = (
    Segment(
        name="smb",
        share=0.6,
        arr_median=3_200,
        arr_sigma=0.35,
        arr_min=1_200,
        arr_max=5_000,
        seats_median=3,
        seats_sigma=0.5,
        seats_min=1,
        seats_max=12,
        tiers={"starter": 0.55, "growth": 0.40, "scale": 0.05},
        term_months={12: 1.0},
        billing_months={1: 0.8, 12: 0.2},
        addon_probability=0.15,
        churn_probability=0.10,
    ),
    Segment(
        name="mid_market",
        share=0.3,
        arr_median=16_000,
        arr_sigma=0.6,
        arr_min=5_000,
        arr_max=50_000,
        seats_median=11,
        seats_sigma=0.5,
        seats_min=3,
        seats_max=60,
        tiers={"starter": 0.05, "growth": 0.45, "scale": 0.45, "enterprise": 0.05},
        term_months={12: 0.8, 24: 0.2},
        billing_months={1: 0.1, 3: 0.5, 12: 0.4},
        addon_probability=0.35,
        churn_probability=0.06,
    ),
    Segment(
        name="enterprise",
        share=0.1,
        arr_median=95_000,
        arr_sigma=0.5,
        arr_min=50_000,
        arr_max=2_000_000,
        seats_median=40,
        seats_sigma=0.45,
        seats_min=12,
        seats_max=300,
        tiers={"scale": 0.35, "enterprise": 0.65},
        term_months={12: 0.5, 24: 0.3, 36: 0.2},
        billing_months={3: 0.3, 12: 0.7},
        addon_probability=0.55,
        churn_probability=0.04,
    ),
)
SEGMENT_NAMES = tuple(segment.name for segment in SEGMENTS)
# Share of enterprise merchants whose ARR gets a Pareto multiplier (whales).
WHALE_SHARE = 0.08
WHALE_PARETO_SHAPE = 1.6

TIERS = ("starter", "growth", "scale", "enterprise")
# List price of each tier relative to starter, used when a merchant switches.
TIER_PRICE = {"starter": 1.0, "growth": 1.6, "scale": 2.6, "enterprise": 4.0}
# Tiers on the newer analytics module, which logs some features under new names.
RENAMING_TIERS = ("scale", "enterprise")
# Planted tier switches move into a renaming tier, so event names change.
TIER_SWITCHES = (("growth", "scale"), ("growth", "enterprise"), ("starter", "scale"))


@dataclass(frozen=True)
class Feature:
    """A product capability and the event name it is logged under.

    Tiers in RENAMING_TIERS log it as ``renamed`` when that is set.
    """

    name: str
    first_tier: str
    core: bool = False
    renamed: str | None = None

    def event_name(self, tier: str) -> str:
        if self.renamed and tier in RENAMING_TIERS:
            return self.renamed
        return self.name


FEATURES = (
    Feature("payment_links", "starter", core=True),
    Feature("invoicing", "starter", core=True),
    Feature("refunds", "starter", core=True),
    Feature("payouts", "starter", core=True),
    Feature("reports", "starter", core=True, renamed="insights_reports"),
    Feature("subscriptions", "growth"),
    Feature("checkout_builder", "growth", renamed="checkout_studio"),
    Feature("api_keys", "growth"),
    Feature("disputes", "growth"),
    Feature("customer_portal", "growth"),
    Feature("reconciliation", "scale"),
    Feature("webhooks", "scale"),
    Feature("multi_currency", "scale"),
    Feature("team_permissions", "enterprise"),
    Feature("audit_log", "enterprise"),
    Feature("sso", "enterprise"),
)
# Every event name any tier logs, the category list of merchant_features.
EVENT_NAMES = tuple(
    dict.fromkeys(
        name
        for feature in FEATURES
        for name in (feature.name, feature.renamed)
        if name is not None
    )
)
# Features a tracking break may hit: logged by every tier under one name.
BREAKABLE_FEATURES = tuple(
    feature.name for feature in FEATURES if feature.core and not feature.renamed
)

# Product lines a merchant can contract; payments is the core product.
CORE_PRODUCT = "payments"
ADDON_PRODUCTS = ("payouts", "billing", "fraud_protection")
# ARR of an add-on relative to the core contract: uniform between these.
ADDON_ARR_RATIO = (0.12, 0.35)

PLATFORMS = ("web", "ios", "android")
MOBILE_PLATFORMS = ("ios", "android")

INDUSTRIES = {
    "retail": 0.22,
    "food_delivery": 0.10,
    "travel": 0.08,
    "education": 0.08,
    "healthcare": 0.07,
    "saas": 0.15,
    "gaming": 0.06,
    "marketplaces": 0.10,
    "financial_services": 0.07,
    "logistics": 0.07,
}
# Typical payment value in US dollars, by industry.
INDUSTRY_TICKET_SIZE = {
    "retail": 55,
    "food_delivery": 24,
    "travel": 320,
    "education": 140,
    "healthcare": 95,
    "saas": 80,
    "gaming": 12,
    "marketplaces": 45,
    "financial_services": 210,
    "logistics": 160,
}
# Payments on Saturdays and Sundays relative to weekdays, by industry.
INDUSTRY_WEEKEND_VOLUME = {
    "retail": 1.25,
    "food_delivery": 1.35,
    "travel": 0.9,
    "education": 0.5,
    "healthcare": 0.45,
    "saas": 0.35,
    "gaming": 1.3,
    "marketplaces": 1.1,
    "financial_services": 0.3,
    "logistics": 0.4,
}

# Holiday months in which an industry's back-office staff, who use the
# dashboard, are mostly away: (industry, month), in the order the
# seasonal_dip scenario prefers them.
HOLIDAY_MONTHS = (("travel", 12), ("retail", 8), ("education", 7))

REGIONS = {"north_america": 0.40, "emea": 0.30, "apac": 0.20, "latam": 0.10}
# UTC hour around which each region's working day is centred.
REGION_CENTRE_HOUR = {"north_america": 16.0, "emea": 11.0, "apac": 4.0, "latam": 15.0}

KEY_CONTACT_ROLES = {
    "operations": 0.4,
    "finance": 0.35,
    "executive": 0.1,
    "engineering": 0.15,
}
CONTACT_ROLES = {
    "finance": 0.25,
    "operations": 0.3,
    "engineering": 0.15,
    "support": 0.15,
    "sales": 0.1,
    "executive": 0.05,
}

TICKET_PRIORITIES = {"low": 0.3, "normal": 0.5, "high": 0.15, "urgent": 0.05}
# Median hours from opening to closing a ticket, by priority.
TICKET_RESOLUTION_HOURS = {"low": 70.0, "normal": 30.0, "high": 10.0, "urgent": 4.0}
TICKET_CATEGORIES = {
    "how_to": 0.3,
    "integration": 0.2,
    "billing": 0.15,
    "bug": 0.15,
    "payouts": 0.1,
    "account_access": 0.1,
}
