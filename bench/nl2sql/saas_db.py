"""Deterministic SQLite database of a software-as-a-service company: the benchmark's third domain.

The NL→SQL engine never mentions anything in here. Several column names hold words the engine also
reads as time grains or aggregates (`monthly_fee`, `daily_limit`, `yearly_budget`, `usage_month`):
the schema's own names must win over that vocabulary.

Schema (foreign keys declared):

- plans(id, name, monthly_fee, daily_limit, seats_included)
- account_managers(id, full_name, office, hired_on)
- companies(id, name, industry, country, size_band, yearly_budget, manager_id -> account_managers, created_on)
- subscriptions(id, company_id -> companies, plan_id -> plans, started_on, ended_on, seats, status)
- invoices(id, subscription_id -> subscriptions, issued_on, due_on, paid_on, amount, status)
- usage_records(id, company_id -> companies, usage_month, api_calls, storage_gb, active_users)
- incidents(id, company_id -> companies, reported_at, resolved_at, severity, component)

Dates are ISO text; incidents are timestamps 'YYYY-MM-DD HH:MM:SS'. Activity falls in the two
years before `today`.
Usage: ``python bench/nl2sql/saas_db.py PATH [--seed N] [--today YYYY-MM-DD]``.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlite_file import Row, generator_main, pick, write_database

WINDOW_DAYS = 730
N_COMPANIES = 900
N_MANAGERS = 18
N_INCIDENTS = 1500

TABLES = ("plans", "account_managers", "companies", "subscriptions", "invoices", "usage_records", "incidents")

SCHEMA = """
CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    monthly_fee REAL NOT NULL,
    daily_limit INTEGER NOT NULL,
    seats_included INTEGER NOT NULL
);
CREATE TABLE account_managers (
    id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    office TEXT NOT NULL,
    hired_on TEXT NOT NULL
);
CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    industry TEXT NOT NULL,
    country TEXT NOT NULL,
    size_band TEXT NOT NULL,
    yearly_budget REAL NOT NULL,
    manager_id INTEGER NOT NULL REFERENCES account_managers (id),
    created_on TEXT NOT NULL
);
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    plan_id INTEGER NOT NULL REFERENCES plans (id),
    started_on TEXT NOT NULL,
    ended_on TEXT,
    seats INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'churned', 'trialing'))
);
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    subscription_id INTEGER NOT NULL REFERENCES subscriptions (id),
    issued_on TEXT NOT NULL,
    due_on TEXT NOT NULL,
    paid_on TEXT,
    amount REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('settled', 'outstanding', 'written off'))
);
CREATE TABLE usage_records (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    usage_month TEXT NOT NULL,
    api_calls INTEGER NOT NULL,
    storage_gb REAL NOT NULL,
    active_users INTEGER NOT NULL
);
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    reported_at TEXT NOT NULL,
    resolved_at TEXT,
    severity TEXT NOT NULL CHECK (severity IN ('sev1', 'sev2', 'sev3')),
    component TEXT NOT NULL
);
CREATE INDEX idx_companies_manager ON companies (manager_id);
CREATE INDEX idx_subscriptions_company ON subscriptions (company_id);
CREATE INDEX idx_subscriptions_plan ON subscriptions (plan_id);
CREATE INDEX idx_invoices_subscription ON invoices (subscription_id);
CREATE INDEX idx_usage_company ON usage_records (company_id);
CREATE INDEX idx_incidents_company ON incidents (company_id);
"""

# fmt: off
# (name, monthly fee per seat block, daily API call limit, seats included, weight of new subscriptions)
PLANS = (
    ("Starter", 29.0, 1_000, 3, 34), ("Growth", 99.0, 10_000, 10, 30), ("Scale", 299.0, 50_000, 25, 18),
    ("Enterprise", 999.0, 250_000, 100, 8), ("Nonprofit", 19.0, 5_000, 10, 10),
)
OFFICES = (("London", 5), ("Austin", 6), ("Singapore", 4), ("Berlin", 3))
INDUSTRIES = (
    ("fintech", 14), ("healthcare", 12), ("education", 11), ("manufacturing", 10), ("media", 9),
    ("logistics", 9), ("gaming", 7), ("hospitality", 6), ("agriculture", 4),
)
COUNTRIES = (
    ("United States", 34), ("United Kingdom", 12), ("Germany", 10), ("Canada", 8), ("Australia", 7),
    ("Singapore", 5), ("Netherlands", 5), ("Brazil", 5), ("India", 6), ("Sweden", 4), ("Mexico", 4),
)
SIZE_BANDS = (("1-10", 30), ("11-50", 32), ("51-200", 22), ("201-1000", 11), ("1000+", 5))
BUDGET_BY_SIZE = {"1-10": 4_000, "11-50": 15_000, "51-200": 60_000, "201-1000": 180_000, "1000+": 600_000}
COMPONENTS = (("web app", 40), ("public api", 25), ("billing", 15), ("mobile app", 12), ("data export", 8))
SEVERITY = (("sev1", 8), ("sev2", 30), ("sev3", 62))
NAME_FIRST = (
    "Acme", "Blue", "Bright", "Cedar", "Cobalt", "Delta", "Echo", "Falcon", "Granite", "Harbor", "Iris", "Juniper",
    "Kestrel", "Lumen", "Maple", "Nimbus", "Orbit", "Pine", "Quartz", "Raven", "Summit", "Tidal", "Umber",
    "Vertex", "Willow", "Zenith",
)
NAME_SECOND = (
    "Labs", "Works", "Systems", "Analytics", "Health", "Logistics", "Studios", "Partners", "Foods", "Dynamics",
    "Networks", "Bank", "Learning", "Robotics", "Media", "Farms",
)
MANAGER_FIRST = ("Ana", "Ben", "Chloe", "Dev", "Elif", "Farah", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena")
MANAGER_LAST = ("Okafor", "Lindqvist", "Tanaka", "Moreau", "Silva", "Kowalski", "Reyes", "Haddad", "Byrne", "Zhou")
# fmt: on


def _month_starts(first: date, last: date) -> list[date]:
    out = []
    d = first.replace(day=1)
    while d <= last:
        out.append(d)
        d = date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return out


def generate(seed: int, today: date) -> dict[str, list[Row]]:
    rng = random.Random(seed)
    start = today - timedelta(days=WINDOW_DAYS)
    days = [start + timedelta(days=i) for i in range(WINDOW_DAYS)]  # start .. today - 1

    plans: list[Row] = [(i, *p[:4]) for i, p in enumerate(PLANS, start=1)]
    managers: list[Row] = []
    used: set[str] = set()
    for mid in range(1, N_MANAGERS + 1):
        while (name := f"{rng.choice(MANAGER_FIRST)} {rng.choice(MANAGER_LAST)}") in used:
            pass
        used.add(name)
        hired = start - timedelta(days=rng.randint(-300, 6 * 365))
        managers.append((mid, name, pick(rng, OFFICES), hired.isoformat()))

    companies: list[Row] = []
    names: set[str] = set()
    for cid in range(1, N_COMPANIES + 1):
        while (name := f"{rng.choice(NAME_FIRST)} {rng.choice(NAME_SECOND)}") in names:
            name = f"{name} {rng.randint(2, 99)}"
            if name not in names:
                break
        names.add(name)
        size = pick(rng, SIZE_BANDS)
        budget = round(BUDGET_BY_SIZE[size] * rng.uniform(0.5, 1.6), -2)
        created = start - timedelta(days=rng.randint(0, 1500)) if rng.random() < 0.4 else rng.choice(days)
        companies.append(
            (
                cid,
                name,
                pick(rng, INDUSTRIES),
                pick(rng, COUNTRIES),
                size,
                budget,
                rng.randint(1, N_MANAGERS),
                created.isoformat(),
            )
        )

    subscriptions: list[Row] = []
    invoices: list[Row] = []
    plan_weights = [p[4] for p in PLANS]
    for company in companies:
        created = max(date.fromisoformat(str(company[7])), start)
        for _ in range(rng.choices((1, 2), weights=(75, 25))[0]):
            began = created + timedelta(days=rng.randint(0, max(0, (today - created).days - 1)))
            plan = rng.choices(range(1, len(PLANS) + 1), weights=plan_weights)[0]
            seats = max(1, int(rng.lognormvariate(2.0, 0.9)) + (20 if plan == 4 else 0))
            roll = rng.random()
            ended: date | None = None
            if roll < 0.08 and (today - began).days < 30:
                status = "trialing"
            elif roll < 0.35:
                ended = began + timedelta(days=rng.randint(30, 500))
                status = "churned" if ended < today else "active"
                ended = ended if ended < today else None
            else:
                status = "active"
            sub_id = len(subscriptions) + 1
            subscriptions.append(
                (sub_id, company[0], plan, began.isoformat(), ended.isoformat() if ended else None, seats, status)
            )
            if status == "trialing":
                continue
            fee = PLANS[plan - 1][1] * max(1, seats // max(1, PLANS[plan - 1][3]))
            for month in _month_starts(began + timedelta(days=27), ended or today - timedelta(days=1)):
                issued = month + timedelta(days=began.day - 1 if began.day <= 28 else 27)
                if issued >= today:
                    continue
                due = issued + timedelta(days=30)
                roll = rng.random()
                if due < today and roll < 0.9:
                    paid: date | None = issued + timedelta(days=int(rng.triangular(0, 45, 12)))
                    paid = paid if paid < today else None
                else:
                    paid = None
                if paid is not None:
                    inv_status = "settled"
                elif due < today - timedelta(days=120) and rng.random() < 0.5:
                    inv_status = "written off"
                else:
                    inv_status = "outstanding"
                amount = round(fee * rng.uniform(0.97, 1.03), 2)
                invoices.append(
                    (
                        len(invoices) + 1,
                        sub_id,
                        issued.isoformat(),
                        due.isoformat(),
                        paid.isoformat() if paid else None,
                        amount,
                        inv_status,
                    )
                )

    usage: list[Row] = []
    for company in companies:
        created = max(date.fromisoformat(str(company[7])), start)
        scale = rng.lognormvariate(0, 1.0) * (1 + ["1-10", "11-50", "51-200", "201-1000", "1000+"].index(company[4]))
        for month in _month_starts(created, today - timedelta(days=1)):
            users = max(1, int(scale * rng.uniform(2, 6)))
            usage.append(
                (
                    len(usage) + 1,
                    company[0],
                    month.isoformat(),
                    int(users * rng.uniform(200, 1800)),
                    round(scale * rng.uniform(0.5, 8.0), 2),
                    users,
                )
            )

    incidents: list[Row] = []
    weights = [max(0.2, float(c[5]) / 20_000) for c in companies]
    for day in sorted(rng.choices(days, k=N_INCIDENTS)):
        company = rng.choices(companies, weights=weights)[0]
        at = datetime.combine(day, datetime.min.time()) + timedelta(minutes=rng.randint(0, 24 * 60 - 1))
        severity = pick(rng, SEVERITY)
        hours = rng.expovariate(1 / {"sev1": 6, "sev2": 30, "sev3": 90}[severity])
        resolved = at + timedelta(hours=hours)
        resolved_at = resolved.strftime("%Y-%m-%d %H:%M:%S") if resolved.date() < today else None
        incidents.append(
            (
                len(incidents) + 1,
                company[0],
                at.strftime("%Y-%m-%d %H:%M:%S"),
                resolved_at,
                severity,
                pick(rng, COMPONENTS),
            )
        )
    return {
        "plans": plans,
        "account_managers": managers,
        "companies": companies,
        "subscriptions": subscriptions,
        "invoices": invoices,
        "usage_records": usage,
        "incidents": incidents,
    }


def create_saas_database(path: Path, *, seed: int = 23, today: date | None = None) -> dict[str, int]:
    """Create (or replace) the SaaS database at ``path``; return row counts per table."""
    return write_database(path, SCHEMA, TABLES, generate(seed, today or date.today()))


def main(argv: Sequence[str] | None = None) -> int:
    return generator_main(argv, "SaaS", create_saas_database, 23)


if __name__ == "__main__":
    sys.exit(main())
