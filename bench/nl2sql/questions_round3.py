"""Held-out round 3 (`--set held-out-3`): questions for all three databases, written before the engine
was changed for any of them (issue 10) and scored once as they were; their first-run figures are
in README.md. Besides the earlier categories they ask for durations, period-over-period
comparisons, shares, "per X" averages and HAVING conditions. Gold SQL is SQLite, `:today` bound to
the generation date.
"""

from __future__ import annotations

from questions_saas import q

LAST_MONTH = "date(:today, 'start of month', '-1 month')"
THIS_MONTH = "date(:today, 'start of month')"
MONTH_BEFORE = "date(:today, 'start of month', '-2 months')"


def _quarter(column: str) -> str:
    return f"strftime('%Y', {column}) || '-Q' || ((CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3)"


def _growth(table: str, column: str, value: str) -> str:
    """Per quarter: the label, the value and its % change on the quarter before."""
    return (
        f"WITH t AS (SELECT {_quarter(column)} AS k, {value} AS v FROM {table} GROUP BY k) "
        "SELECT k, v, 100.0 * (v - LAG(v) OVER (ORDER BY k)) / LAG(v) OVER (ORDER BY k) FROM t"
    )


def _two_months(table: str, column: str, value: str) -> str:
    """Last month's value and the value of the month before it."""
    return (
        f"SELECT (SELECT {value} FROM {table} WHERE {column} >= {LAST_MONTH} AND {column} < {THIS_MONTH}), "
        f"(SELECT {value} FROM {table} WHERE {column} >= {MONTH_BEFORE} AND {column} < {LAST_MONTH})"
    )


RETAIL: list[dict] = [
    q(
        "count",
        "How many orders were delivered in 2025?",
        "SELECT COUNT(*) FROM orders WHERE status = 'delivered' AND order_date >= '2025-01-01' "
        "AND order_date < '2026-01-01'",
    ),
    q(
        "count",
        "How many customers in Europe are corporate?",
        "SELECT COUNT(*) FROM customers c JOIN regions r ON r.id = c.region_id "
        "WHERE r.name = 'Europe' AND c.segment = 'corporate'",
    ),
    q("aggregate", "What is the average discount on order items?", "SELECT AVG(discount) FROM order_items"),
    q(
        "aggregate",
        "What's the total revenue from corporate customers this year?",
        "SELECT SUM(o.total_amount) FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE c.segment = 'corporate' AND o.order_date >= date(:today, 'start of year')",
    ),
    q("breakdown", "Average order value by channel", "SELECT channel, AVG(total_amount) FROM orders GROUP BY channel"),
    q(
        "breakdown",
        "How many tickets does each category have?",
        "SELECT category, COUNT(*) FROM support_tickets GROUP BY category",
    ),
    q(
        "top_n",
        "Which 3 regions generated the most revenue in 2025?",
        "SELECT r.name, SUM(o.total_amount) AS s FROM orders o JOIN customers c ON c.id = o.customer_id "
        "JOIN regions r ON r.id = c.region_id WHERE o.order_date >= '2025-01-01' AND o.order_date < '2026-01-01' "
        "GROUP BY r.id ORDER BY s DESC LIMIT 3",
        ordered=True,
    ),
    q("top_n", "Who is the newest employee?", "SELECT name FROM employees ORDER BY hire_date DESC LIMIT 1"),
    q(
        "trend",
        "Monthly revenue in 2025 as a bar chart",
        "SELECT strftime('%Y-%m', order_date) AS m, SUM(total_amount) FROM orders "
        "WHERE order_date >= '2025-01-01' AND order_date < '2026-01-01' GROUP BY m",
        chart="bar",
    ),
    q(
        "date_filter",
        "How many support tickets were opened in the first quarter of 2026?",
        "SELECT COUNT(*) FROM support_tickets WHERE opened_at >= '2026-01-01' AND opened_at < '2026-04-01'",
    ),
    q(
        "list",
        "Show the 10 most expensive products",
        "SELECT name, unit_price FROM products ORDER BY unit_price DESC LIMIT 10",
        ordered=True,
    ),
    q(
        "list",
        "List the employees hired in 2025",
        "SELECT name FROM employees WHERE hire_date >= '2025-01-01' AND hire_date < '2026-01-01'",
    ),
    q(
        "duration",
        "What is the average number of days it takes to close a support ticket?",
        "SELECT AVG(julianday(closed_at) - julianday(opened_at)) FROM support_tickets",
    ),
    q(
        "duration",
        "average days to close a ticket by priority",
        "SELECT priority, AVG(julianday(closed_at) - julianday(opened_at)) FROM support_tickets GROUP BY priority",
    ),
    q(
        "period",
        "Compare revenue last month with the month before",
        _two_months("orders", "order_date", "SUM(total_amount)"),
    ),
    q(
        "period",
        "How did the number of orders in Q3 2026 compare with Q3 2025?",
        "SELECT (SELECT COUNT(*) FROM orders WHERE order_date >= '2026-07-01' AND order_date < '2026-10-01'), "
        "(SELECT COUNT(*) FROM orders WHERE order_date >= '2025-07-01' AND order_date < '2025-10-01')",
    ),
    q("period", "revenue growth by quarter", _growth("orders", "order_date", "SUM(total_amount)")),
    q(
        "share",
        "What percentage of orders were placed online?",
        "SELECT 100.0 * SUM(channel = 'online') / COUNT(*) FROM orders",
    ),
    q(
        "share",
        "What share of revenue comes from corporate customers?",
        "SELECT 100.0 * SUM(CASE WHEN c.segment = 'corporate' THEN o.total_amount ELSE 0 END) / SUM(o.total_amount) "
        "FROM orders o JOIN customers c ON c.id = o.customer_id",
    ),
    q(
        "per_x",
        "What is the average number of orders per customer?",
        "SELECT (SELECT COUNT(*) FROM orders) * 1.0 / (SELECT COUNT(*) FROM customers)",
    ),
    q(
        "having",
        "How many customers ordered more than 10 times?",
        "SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING COUNT(*) > 10)",
    ),
    q(
        "having",
        "Which customers have opened more than 4 support tickets?",
        "SELECT c.name FROM support_tickets t JOIN customers c ON c.id = t.customer_id GROUP BY c.id "
        "HAVING COUNT(*) > 4",
    ),
    q(
        "count",
        "How many sales reps work in Europe?",
        "SELECT COUNT(*) FROM employees e JOIN regions r ON r.id = e.region_id WHERE r.name = 'Europe'",
        rules=["Sales reps are the employees table."],
    ),
]

HOSPITAL: list[dict] = [
    q(
        "count",
        "How many appointments were telehealth visits in 2026?",
        "SELECT COUNT(*) FROM appointments WHERE visit_type = 'telehealth' AND scheduled_at >= '2026-01-01' "
        "AND scheduled_at < '2027-01-01'",
    ),
    q(
        "count",
        "How many patients have medicaid insurance?",
        "SELECT COUNT(*) FROM patients WHERE insurance_type = 'medicaid'",
    ),
    q(
        "count",
        "How many doctors were hired after 2020?",
        "SELECT COUNT(*) FROM doctors WHERE hire_date >= '2021-01-01'",
    ),
    q(
        "aggregate",
        "What is the average salary of cardiologists?",
        "SELECT AVG(salary) FROM doctors WHERE specialty = 'Cardiologist'",
    ),
    q(
        "aggregate",
        "Total admission charges for ICU stays last year",
        "SELECT SUM(total_charge) FROM admissions WHERE ward = 'icu' AND admitted_on >= date(:today, 'start of year', "
        "'-1 year') AND admitted_on < date(:today, 'start of year')",
    ),
    q(
        "breakdown",
        "number of prescriptions by drug class",
        "SELECT m.drug_class, COUNT(*) FROM prescriptions p JOIN medications m ON m.id = p.medication_id "
        "GROUP BY m.drug_class",
    ),
    q("breakdown", "Average appointment fee by visit type", "SELECT visit_type, AVG(fee) FROM appointments GROUP BY 1"),
    q(
        "breakdown",
        "Patients by blood type and gender",
        "SELECT blood_type, gender, COUNT(*) FROM patients GROUP BY blood_type, gender",
    ),
    q(
        "top_n",
        "Which 3 diagnoses have the highest average total charge?",
        "SELECT diagnosis, AVG(total_charge) AS a FROM admissions GROUP BY diagnosis ORDER BY a DESC LIMIT 3",
        ordered=True,
    ),
    q(
        "top_n",
        "Which city has the most patients?",
        "SELECT city FROM patients GROUP BY city ORDER BY COUNT(*) DESC LIMIT 1",
    ),
    q("trend", "Admissions per quarter", f"SELECT {_quarter('admitted_on')} AS k, COUNT(*) FROM admissions GROUP BY k"),
    q(
        "date_filter",
        "How many appointments were cancelled last month?",
        f"SELECT COUNT(*) FROM appointments WHERE status = 'cancelled' AND scheduled_at >= {LAST_MONTH} "
        f"AND scheduled_at < {THIS_MONTH}",
    ),
    q(
        "list",
        "Show doctors in the Neurology department",
        "SELECT d.full_name FROM doctors d JOIN departments dep ON dep.id = d.department_id "
        "WHERE dep.name = 'Neurology'",
    ),
    q(
        "duration",
        "What is the average length of stay in days?",
        "SELECT AVG(julianday(discharged_on) - julianday(admitted_on)) FROM admissions",
    ),
    q(
        "duration",
        "Average length of stay by ward",
        "SELECT ward, AVG(julianday(discharged_on) - julianday(admitted_on)) FROM admissions GROUP BY ward",
    ),
    q(
        "period",
        "How many appointments were there last month compared with the month before?",
        _two_months("appointments", "scheduled_at", "COUNT(*)"),
    ),
    q("period", "Admission growth by quarter", _growth("admissions", "admitted_on", "COUNT(*)")),
    q(
        "share",
        "What percentage of appointments were no-shows?",
        "SELECT 100.0 * SUM(status = 'no-show') / COUNT(*) FROM appointments",
    ),
    q(
        "share",
        "What share of admissions went to the ICU?",
        "SELECT 100.0 * SUM(ward = 'icu') / COUNT(*) FROM admissions",
    ),
    q(
        "per_x",
        "Average number of appointments per patient",
        "SELECT (SELECT COUNT(*) FROM appointments) * 1.0 / (SELECT COUNT(*) FROM patients)",
    ),
    q(
        "per_x",
        "What is the average number of prescriptions per appointment?",
        "SELECT (SELECT COUNT(*) FROM prescriptions) * 1.0 / (SELECT COUNT(*) FROM appointments)",
    ),
    q(
        "having",
        "How many patients were admitted more than twice?",
        "SELECT COUNT(*) FROM (SELECT patient_id FROM admissions GROUP BY patient_id HAVING COUNT(*) > 2)",
    ),
    q(
        "having",
        "Which doctors have more than 200 appointments?",
        "SELECT d.full_name FROM appointments a JOIN doctors d ON d.id = a.doctor_id GROUP BY d.id "
        "HAVING COUNT(*) > 200",
    ),
]

SAAS: list[dict] = [
    q(
        "count",
        "How many companies are on the Scale plan?",
        "SELECT COUNT(DISTINCT s.company_id) FROM subscriptions s JOIN plans p ON p.id = s.plan_id "
        "WHERE p.name = 'Scale'",
    ),
    q(
        "count",
        "How many trialing subscriptions are there?",
        "SELECT COUNT(*) FROM subscriptions WHERE status = 'trialing'",
    ),
    q("aggregate", "What is the total monthly fee across all plans?", "SELECT SUM(monthly_fee) FROM plans"),
    q(
        "aggregate",
        "average yearly budget of companies in the United Kingdom",
        "SELECT AVG(yearly_budget) FROM companies WHERE country = 'United Kingdom'",
    ),
    q(
        "aggregate",
        "What's the total amount of written off invoices?",
        "SELECT SUM(amount) FROM invoices WHERE status = 'written off'",
    ),
    q(
        "breakdown",
        "Number of companies per account manager office",
        "SELECT m.office, COUNT(*) FROM companies c JOIN account_managers m ON m.id = c.manager_id GROUP BY m.office",
    ),
    q("top_n", "Which plan has the highest daily limit?", "SELECT name FROM plans ORDER BY daily_limit DESC LIMIT 1"),
    q(
        "top_n",
        "Top 5 industries by api calls",
        "SELECT c.industry, SUM(u.api_calls) AS t FROM usage_records u JOIN companies c ON c.id = u.company_id "
        "GROUP BY c.industry ORDER BY t DESC LIMIT 5",
        ordered=True,
    ),
    q(
        "top_n",
        "Which country has the highest total yearly budget?",
        "SELECT country FROM companies GROUP BY country ORDER BY SUM(yearly_budget) DESC LIMIT 1",
    ),
    q(
        "trend",
        "invoice amounts per month in 2026",
        "SELECT strftime('%Y-%m', issued_on) AS m, SUM(amount) FROM invoices "
        "WHERE issued_on >= '2026-01-01' AND issued_on < '2027-01-01' GROUP BY m",
    ),
    q(
        "date_filter",
        "How many incidents were reported yesterday?",
        "SELECT COUNT(*) FROM incidents WHERE reported_at >= date(:today, '-1 day') AND reported_at < date(:today)",
    ),
    q("list", "list plans with a monthly fee under 100", "SELECT * FROM plans WHERE monthly_fee < 100"),
    q(
        "duration",
        "What is the average time to resolve sev1 incidents in hours?",
        "SELECT AVG((julianday(resolved_at) - julianday(reported_at)) * 24) FROM incidents WHERE severity = 'sev1'",
    ),
    q(
        "duration",
        "Average days between subscription start and end",
        "SELECT AVG(julianday(ended_on) - julianday(started_on)) FROM subscriptions",
    ),
    q(
        "period",
        "Compare api calls last month with the month before",
        _two_months("usage_records", "usage_month", "SUM(api_calls)"),
    ),
    q(
        "period",
        "Month-over-month growth in invoice revenue",
        "WITH t AS (SELECT strftime('%Y-%m', issued_on) AS k, SUM(amount) AS v FROM invoices GROUP BY k) "
        "SELECT k, v, 100.0 * (v - LAG(v) OVER (ORDER BY k)) / LAG(v) OVER (ORDER BY k) FROM t",
    ),
    q(
        "share",
        "What percentage of subscriptions are churned?",
        "SELECT 100.0 * SUM(status = 'churned') / COUNT(*) FROM subscriptions",
    ),
    q("share", "What share of incidents are sev1?", "SELECT 100.0 * SUM(severity = 'sev1') / COUNT(*) FROM incidents"),
    q(
        "per_x",
        "Average number of incidents per company",
        "SELECT (SELECT COUNT(*) FROM incidents) * 1.0 / (SELECT COUNT(*) FROM companies)",
    ),
    q(
        "per_x",
        "What is the average number of invoices per subscription?",
        "SELECT (SELECT COUNT(*) FROM invoices) * 1.0 / (SELECT COUNT(*) FROM subscriptions)",
    ),
    q(
        "having",
        "How many companies have more than 3 incidents?",
        "SELECT COUNT(*) FROM (SELECT company_id FROM incidents GROUP BY company_id HAVING COUNT(*) > 3)",
    ),
    q(
        "having",
        "Which account managers manage more than 55 companies?",
        "SELECT m.full_name FROM companies c JOIN account_managers m ON m.id = c.manager_id GROUP BY m.id "
        "HAVING COUNT(*) > 55",
    ),
]
