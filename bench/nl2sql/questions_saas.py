"""Benchmark questions over the SaaS database (bench/nl2sql/saas_db.py), with gold SQL.

Same conventions as questions_retail.py: SQLite gold SQL, `:today` bound to the generation date.
Written before the engine was changed for this database (its first-run figures are in README.md).
"""

from __future__ import annotations

TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
ROW_COUNTS = " UNION ALL ".join(
    f"SELECT '{t}', COUNT(*) FROM {t}"
    for t in ("plans", "account_managers", "companies", "subscriptions", "invoices", "usage_records", "incidents")
)
SUB_PLAN = "subscriptions s JOIN plans p ON p.id = s.plan_id"
INV_CO = "invoices i JOIN subscriptions s ON s.id = i.subscription_id JOIN companies c ON c.id = s.company_id"
LAST_MONTH = "date(:today, 'start of month', '-1 month')"
THIS_MONTH = "date(:today, 'start of month')"
HOURS = "(julianday(resolved_at) - julianday(reported_at)) * 24"


def q(category: str, question: str, sql: str, **extra: object) -> dict:
    return {"category": category, "question": question, "sql": sql, **extra}


QUESTIONS: list[dict] = [
    # --- schema
    q("schema", "What tables are in this database?", TABLES),
    q("schema", "describe the plans table", "SELECT name FROM pragma_table_info('plans')"),
    q("schema", "How many rows does each table have?", ROW_COUNTS),
    q("schema", "what columns does the invoices table have", "SELECT name FROM pragma_table_info('invoices')"),
    q("schema", "How many records are in the usage records table?", "SELECT COUNT(*) FROM usage_records"),
    # --- counts
    q("count", "How many companies do we have?", "SELECT COUNT(*) FROM companies"),
    q("count", "How many subscriptions have churned?", "SELECT COUNT(*) FROM subscriptions WHERE status = 'churned'"),
    q("count", "How many invoices are outstanding?", "SELECT COUNT(*) FROM invoices WHERE status = 'outstanding'"),
    q(
        "count",
        "How many companies are in the fintech industry?",
        "SELECT COUNT(*) FROM companies WHERE industry = 'fintech'",
    ),
    q("count", "How many sev1 incidents were there?", "SELECT COUNT(*) FROM incidents WHERE severity = 'sev1'"),
    q("count", "How many companies are based in Germany?", "SELECT COUNT(*) FROM companies WHERE country = 'Germany'"),
    q(
        "count",
        "How many active subscriptions are on the Enterprise plan?",
        f"SELECT COUNT(*) FROM {SUB_PLAN} WHERE s.status = 'active' AND p.name = 'Enterprise'",
    ),
    q(
        "count",
        "How many incidents have not been resolved?",
        "SELECT COUNT(*) FROM incidents WHERE resolved_at IS NULL",
    ),
    q(
        "count",
        "How many account managers work in the London office?",
        "SELECT COUNT(*) FROM account_managers WHERE office = 'London'",
    ),
    q(
        "count",
        "How many companies have never reported an incident?",
        "SELECT COUNT(*) FROM companies c WHERE NOT EXISTS (SELECT 1 FROM incidents i WHERE i.company_id = c.id)",
    ),
    # --- aggregates
    q("aggregate", "What is the total amount invoiced?", "SELECT SUM(amount) FROM invoices"),
    q("aggregate", "What is the average monthly fee of our plans?", "SELECT AVG(monthly_fee) FROM plans"),
    q("aggregate", "What's the highest daily limit of any plan?", "SELECT MAX(daily_limit) FROM plans"),
    q(
        "aggregate",
        "Total yearly budget of companies in healthcare",
        "SELECT SUM(yearly_budget) FROM companies WHERE industry = 'healthcare'",
    ),
    q("aggregate", "What is the average number of seats per subscription?", "SELECT AVG(seats) FROM subscriptions"),
    q(
        "aggregate",
        "How much revenue did settled invoices bring in?",
        "SELECT SUM(amount) FROM invoices WHERE status = 'settled'",
    ),
    q(
        "aggregate",
        "What is the lowest yearly budget among fintech companies?",
        "SELECT MIN(yearly_budget) FROM companies WHERE industry = 'fintech'",
    ),
    q("aggregate", "What is the average number of active users?", "SELECT AVG(active_users) FROM usage_records"),
    q(
        "aggregate",
        "total seats sold on the Growth plan",
        f"SELECT SUM(s.seats) FROM {SUB_PLAN} WHERE p.name = 'Growth'",
    ),
    # --- breakdowns
    q("breakdown", "Companies by industry", "SELECT industry, COUNT(*) FROM companies GROUP BY industry"),
    q(
        "breakdown",
        "Number of subscriptions per plan",
        f"SELECT p.name, COUNT(*) FROM {SUB_PLAN} GROUP BY p.name",
    ),
    q("breakdown", "Invoice amount by status", "SELECT status, SUM(amount) FROM invoices GROUP BY status"),
    q(
        "breakdown",
        "average yearly budget by size band",
        "SELECT size_band, AVG(yearly_budget) FROM companies GROUP BY size_band",
    ),
    q(
        "breakdown",
        "incidents by severity and component",
        "SELECT severity, component, COUNT(*) FROM incidents GROUP BY severity, component",
    ),
    q(
        "breakdown",
        "How many companies does each account manager handle?",
        "SELECT m.full_name, COUNT(*) FROM companies c JOIN account_managers m ON m.id = c.manager_id GROUP BY m.id",
    ),
    q("breakdown", "Average seats by plan", f"SELECT p.name, AVG(s.seats) FROM {SUB_PLAN} GROUP BY p.name"),
    q(
        "breakdown",
        "api calls by country",
        "SELECT c.country, SUM(u.api_calls) FROM usage_records u JOIN companies c ON c.id = u.company_id "
        "GROUP BY c.country",
    ),
    q(
        "breakdown",
        "Show incidents per component as a pie chart",
        "SELECT component, COUNT(*) FROM incidents GROUP BY component",
        chart="pie",
    ),
    q("breakdown", "number of companies in each country", "SELECT country, COUNT(*) FROM companies GROUP BY country"),
    # --- rankings
    q(
        "top_n",
        "Which 5 companies have the highest yearly budget?",
        "SELECT name, yearly_budget FROM companies ORDER BY yearly_budget DESC LIMIT 5",
        ordered=True,
    ),
    q(
        "top_n",
        "Top 3 account managers by number of companies",
        "SELECT m.full_name, COUNT(*) AS n FROM companies c JOIN account_managers m ON m.id = c.manager_id "
        "GROUP BY m.id ORDER BY n DESC LIMIT 3",
        ordered=True,
    ),
    q(
        "top_n",
        "Which plan has the most subscriptions?",
        f"SELECT p.name FROM {SUB_PLAN} GROUP BY p.id ORDER BY COUNT(*) DESC LIMIT 1",
    ),
    q(
        "top_n",
        "Which industry has the most incidents?",
        "SELECT c.industry FROM incidents i JOIN companies c ON c.id = i.company_id "
        "GROUP BY c.industry ORDER BY COUNT(*) DESC LIMIT 1",
    ),
    q(
        "top_n",
        "top 10 companies by total invoice amount",
        f"SELECT c.name, SUM(i.amount) AS t FROM {INV_CO} GROUP BY c.id ORDER BY t DESC LIMIT 10",
        ordered=True,
    ),
    q("top_n", "What is the most expensive plan?", "SELECT name FROM plans ORDER BY monthly_fee DESC LIMIT 1"),
    q(
        "top_n",
        "Which country has the lowest number of companies?",
        "SELECT country FROM companies GROUP BY country ORDER BY COUNT(*) ASC LIMIT 1",
    ),
    q(
        "top_n",
        "Which component has the most sev1 incidents?",
        "SELECT component FROM incidents WHERE severity = 'sev1' GROUP BY component ORDER BY COUNT(*) DESC LIMIT 1",
    ),
    # --- trends
    q(
        "trend",
        "Invoices issued per month",
        "SELECT strftime('%Y-%m', issued_on) AS m, COUNT(*) FROM invoices GROUP BY m",
    ),
    q(
        "trend",
        "monthly api calls",
        "SELECT strftime('%Y-%m', usage_month) AS m, SUM(api_calls) FROM usage_records GROUP BY m",
    ),
    q(
        "trend",
        "New companies per quarter",
        "SELECT strftime('%Y', created_on) || '-Q' || ((CAST(strftime('%m', created_on) AS INTEGER) + 2) / 3) AS k, "
        "COUNT(*) FROM companies GROUP BY k",
    ),
    q(
        "trend",
        "incidents per month in 2026",
        "SELECT strftime('%Y-%m', reported_at) AS m, COUNT(*) FROM incidents "
        "WHERE reported_at >= '2026-01-01' AND reported_at < '2027-01-01' GROUP BY m",
    ),
    q("trend", "yearly invoice totals", "SELECT strftime('%Y', issued_on) AS y, SUM(amount) FROM invoices GROUP BY y"),
    q(
        "trend",
        "How has the number of subscriptions changed month by month?",
        "SELECT strftime('%Y-%m', started_on) AS m, COUNT(*) FROM subscriptions GROUP BY m",
    ),
    # --- dates
    q(
        "date_filter",
        "How many invoices were issued last month?",
        f"SELECT COUNT(*) FROM invoices WHERE issued_on >= {LAST_MONTH} AND issued_on < {THIS_MONTH}",
    ),
    q(
        "date_filter",
        "total api calls in 2025",
        "SELECT SUM(api_calls) FROM usage_records WHERE usage_month >= '2025-01-01' AND usage_month < '2026-01-01'",
    ),
    q(
        "date_filter",
        "How many incidents were reported in the last 30 days?",
        "SELECT COUNT(*) FROM incidents WHERE reported_at >= date(:today, '-30 days') "
        "AND reported_at < date(:today, '+1 day')",
    ),
    q(
        "date_filter",
        "Companies created this year",
        "SELECT COUNT(*) FROM companies WHERE created_on >= date(:today, 'start of year')",
    ),
    q(
        "date_filter",
        "invoice revenue since March 2026",
        "SELECT SUM(amount) FROM invoices WHERE issued_on >= '2026-03-01'",
    ),
    q(
        "date_filter",
        "How many subscriptions started between January and June 2026?",
        "SELECT COUNT(*) FROM subscriptions WHERE started_on >= '2026-01-01' AND started_on < '2026-07-01'",
    ),
    # --- row listings
    q("list", "List the plans", "SELECT * FROM plans"),
    q("list", "Show account managers in the Berlin office", "SELECT * FROM account_managers WHERE office = 'Berlin'"),
    q(
        "list",
        "show the 5 most recent incidents",
        "SELECT * FROM incidents ORDER BY reported_at DESC LIMIT 5",
        ordered=True,
    ),
    q(
        "list",
        "which companies are in the gaming industry and based in Canada?",
        "SELECT name FROM companies WHERE industry = 'gaming' AND country = 'Canada'",
    ),
    q(
        "list",
        "Show outstanding invoices over 1000",
        "SELECT * FROM invoices WHERE status = 'outstanding' AND amount > 1000",
    ),
    # --- durations, periods, shares, per-X averages, HAVING
    q(
        "duration",
        "What is the average time to resolve an incident, in hours?",
        f"SELECT AVG({HOURS}) FROM incidents",
    ),
    q(
        "duration",
        "How many days on average between an invoice being issued and paid?",
        "SELECT AVG(julianday(paid_on) - julianday(issued_on)) FROM invoices",
    ),
    q(
        "duration",
        "average resolution time in hours by severity",
        f"SELECT severity, AVG({HOURS}) FROM incidents GROUP BY severity",
    ),
    q(
        "period",
        "compare the number of incidents last month with the same month last year",
        f"SELECT (SELECT COUNT(*) FROM incidents WHERE reported_at >= {LAST_MONTH} AND reported_at < {THIS_MONTH}), "
        "(SELECT COUNT(*) FROM incidents WHERE reported_at >= date(:today, 'start of month', '-13 months') "
        "AND reported_at < date(:today, 'start of month', '-12 months'))",
    ),
    q(
        "period",
        "invoice revenue growth by quarter",
        "WITH t AS (SELECT strftime('%Y', issued_on) || '-Q' || ((CAST(strftime('%m', issued_on) AS INTEGER) + 2) / 3)"
        " AS k, SUM(amount) AS v FROM invoices GROUP BY k) "
        "SELECT k, v, 100.0 * (v - LAG(v) OVER (ORDER BY k)) / LAG(v) OVER (ORDER BY k) FROM t",
    ),
    q(
        "share",
        "What percentage of invoices are outstanding?",
        "SELECT 100.0 * SUM(status = 'outstanding') / COUNT(*) FROM invoices",
    ),
    q(
        "share",
        "What share of subscriptions are on the Enterprise plan?",
        f"SELECT 100.0 * SUM(p.name = 'Enterprise') / COUNT(*) FROM {SUB_PLAN}",
    ),
    q(
        "per_x",
        "What is the average number of subscriptions per company?",
        "SELECT (SELECT COUNT(*) FROM subscriptions) * 1.0 / (SELECT COUNT(*) FROM companies)",
    ),
    q(
        "having",
        "Which companies have more than 1 subscription?",
        "SELECT c.name FROM companies c JOIN subscriptions s ON s.company_id = c.id GROUP BY c.id HAVING COUNT(*) > 1",
    ),
    q(
        "having",
        "how many companies reported more than 5 incidents?",
        "SELECT COUNT(*) FROM (SELECT company_id FROM incidents GROUP BY company_id HAVING COUNT(*) > 5)",
    ),
]
