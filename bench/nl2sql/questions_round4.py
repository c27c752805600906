"""Held-out round 4 (`--set held-out-4`): written after the engine was developed against round 3 and
scored once, unchanged, to estimate how the new capabilities carry over to questions nobody tuned
for; its first-run figures are in README.md. The last questions of each database ask about things
it does not hold (gold None: only a decline is right). Gold SQL is SQLite, `:today` bound to the
generation date.
"""

from __future__ import annotations

from questions_saas import q


def _absent(*questions: str) -> list[dict]:
    return [{"category": "absent", "question": text, "sql": None} for text in questions]


def _growth(table: str, label: str, value: str, where: str = "") -> str:
    """Per period: the label, the value and its % change on the period before."""
    return (
        f"WITH t AS (SELECT {label} AS k, {value} AS v FROM {table} {where} GROUP BY k) "
        "SELECT k, v, 100.0 * (v - LAG(v) OVER (ORDER BY k)) / LAG(v) OVER (ORDER BY k) FROM t"
    )


def _quarter(column: str) -> str:
    return f"strftime('%Y', {column}) || '-Q' || ((CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3)"


RETAIL: list[dict] = [
    q(
        "count",
        "How many orders were returned last year?",
        "SELECT COUNT(*) FROM orders WHERE status = 'returned' AND order_date >= '2025-01-01' "
        "AND order_date < '2026-01-01'",
    ),
    q(
        "breakdown",
        "average discount by product category",
        "SELECT c.name, AVG(oi.discount) FROM order_items oi JOIN products p ON p.id = oi.product_id "
        "JOIN product_categories c ON c.id = p.category_id GROUP BY c.name",
    ),
    q(
        "top_n",
        "Which employee handled the most orders in 2026?",
        "SELECT e.name FROM orders o JOIN employees e ON e.id = o.employee_id WHERE o.order_date >= '2026-01-01' "
        "GROUP BY e.id ORDER BY COUNT(*) DESC LIMIT 1",
    ),
    q(
        "duration",
        "How many days does it take on average to close an urgent ticket?",
        "SELECT AVG(julianday(closed_at) - julianday(opened_at)) FROM support_tickets WHERE priority = 'urgent'",
    ),
    q(
        "period",
        "Compare the number of support tickets this quarter with last quarter",
        "SELECT (SELECT COUNT(*) FROM support_tickets WHERE opened_at >= '2026-10-01' AND opened_at < '2026-11-24'), "
        "(SELECT COUNT(*) FROM support_tickets WHERE opened_at >= '2026-07-01' AND opened_at < '2026-08-24')",
    ),
    q(
        "share",
        "What percentage of customers are in the small business segment?",
        "SELECT 100.0 * SUM(segment = 'small business') / COUNT(*) FROM customers",
    ),
    q(
        "per_x",
        "What is the average number of support tickets per customer?",
        "SELECT (SELECT COUNT(*) FROM support_tickets) * 1.0 / (SELECT COUNT(*) FROM customers)",
    ),
    q(
        "having",
        "Which customers placed at least 15 orders?",
        "SELECT c.name FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.id HAVING COUNT(*) >= 15",
    ),
    q(
        "period",
        "Monthly order growth in 2026",
        _growth("orders", "strftime('%Y-%m', order_date)", "COUNT(*)", "WHERE order_date >= '2026-01-01'"),
    ),
    q(
        "date_filter",
        "total revenue from phone orders in the last 90 days",
        "SELECT SUM(total_amount) FROM orders WHERE channel = 'phone' AND order_date >= date(:today, '-90 days') "
        "AND order_date < date(:today, '+1 day')",
    ),
    q(
        "count",
        "How many customers have never opened a support ticket?",
        "SELECT COUNT(*) FROM customers c "
        "WHERE NOT EXISTS (SELECT 1 FROM support_tickets t WHERE t.customer_id = c.id)",
    ),
    *_absent("What is our customer retention rate?", "Which warehouse ships the most orders?"),
]

HOSPITAL: list[dict] = [
    q(
        "breakdown",
        "How many appointments did each department have in 2025?",
        "SELECT dep.name, COUNT(*) FROM appointments a JOIN doctors d ON d.id = a.doctor_id "
        "JOIN departments dep ON dep.id = d.department_id WHERE a.scheduled_at >= '2025-01-01' "
        "AND a.scheduled_at < '2026-01-01' GROUP BY dep.name",
    ),
    q(
        "top_n",
        "Which specialty has the highest average salary?",
        "SELECT specialty FROM doctors GROUP BY specialty ORDER BY AVG(salary) DESC LIMIT 1",
    ),
    q(
        "duration",
        "How long do ICU patients stay on average, in days?",
        "SELECT AVG(julianday(discharged_on) - julianday(admitted_on)) FROM admissions WHERE ward = 'icu'",
    ),
    q(
        "period",
        "Compare admissions in Q2 2026 with Q2 2025",
        "SELECT (SELECT COUNT(*) FROM admissions WHERE admitted_on >= '2026-04-01' AND admitted_on < '2026-07-01'), "
        "(SELECT COUNT(*) FROM admissions WHERE admitted_on >= '2025-04-01' AND admitted_on < '2025-07-01')",
    ),
    q(
        "share",
        "What share of prescriptions are antibiotics?",
        "SELECT 100.0 * SUM(m.drug_class = 'antibiotic') / COUNT(*) FROM prescriptions p "
        "JOIN medications m ON m.id = p.medication_id",
    ),
    q(
        "per_x",
        "Average number of prescriptions per patient",
        "SELECT (SELECT COUNT(*) FROM prescriptions) * 1.0 / (SELECT COUNT(*) FROM patients)",
    ),
    q(
        "having",
        "Which patients have had more than 3 admissions?",
        "SELECT p.first_name, p.last_name FROM admissions a JOIN patients p ON p.id = a.patient_id GROUP BY p.id "
        "HAVING COUNT(*) > 3",
    ),
    q(
        "period",
        "appointment growth by month",
        _growth("appointments", "strftime('%Y-%m', scheduled_at)", "COUNT(*)"),
    ),
    q(
        "count",
        "How many female patients have private insurance?",
        "SELECT COUNT(*) FROM patients WHERE gender = 'female' AND insurance_type = 'private'",
    ),
    q(
        "aggregate",
        "total fees collected from telehealth appointments last month",
        "SELECT SUM(fee) FROM appointments WHERE visit_type = 'telehealth' "
        "AND scheduled_at >= date(:today, 'start of month', '-1 month') "
        "AND scheduled_at < date(:today, 'start of month')",
    ),
    *_absent("How many organ donors are registered?", "What is the average cholesterol level of our patients?"),
]

SAAS: list[dict] = [
    q(
        "date_filter",
        "How many incidents were resolved in the last 7 days?",
        "SELECT COUNT(*) FROM incidents WHERE resolved_at >= date(:today, '-7 days') "
        "AND resolved_at < date(:today, '+1 day')",
    ),
    q(
        "top_n",
        "Which industry has the highest average yearly budget?",
        "SELECT industry FROM companies GROUP BY industry ORDER BY AVG(yearly_budget) DESC LIMIT 1",
    ),
    q(
        "duration",
        "average hours to resolve incidents by component",
        "SELECT component, AVG((julianday(resolved_at) - julianday(reported_at)) * 24) FROM incidents "
        "GROUP BY component",
    ),
    q(
        "period",
        "Compare invoice revenue this year with last year",
        "SELECT (SELECT SUM(amount) FROM invoices WHERE issued_on >= '2026-01-01' AND issued_on < '2026-11-24'), "
        "(SELECT SUM(amount) FROM invoices WHERE issued_on >= '2025-01-01' AND issued_on < '2025-11-24')",
    ),
    q(
        "share",
        "What percentage of incidents are still unresolved?",
        "SELECT 100.0 * SUM(resolved_at IS NULL) / COUNT(*) FROM incidents",
    ),
    q(
        "per_x",
        "Average number of subscriptions per company in Germany",
        "SELECT (SELECT COUNT(*) FROM subscriptions s JOIN companies c ON c.id = s.company_id "
        "WHERE c.country = 'Germany') * 1.0 / (SELECT COUNT(*) FROM companies WHERE country = 'Germany')",
    ),
    q(
        "having",
        "Which companies have more than 2 sev1 incidents?",
        "SELECT c.name FROM incidents i JOIN companies c ON c.id = i.company_id WHERE i.severity = 'sev1' "
        "GROUP BY c.id HAVING COUNT(*) > 2",
    ),
    q("period", "api call growth by quarter", _growth("usage_records", _quarter("usage_month"), "SUM(api_calls)")),
    q(
        "date_filter",
        "How many account managers were hired before 2022?",
        "SELECT COUNT(*) FROM account_managers WHERE hired_on < '2022-01-01'",
    ),
    q(
        "breakdown",
        "total invoice amount by plan",
        "SELECT p.name, SUM(i.amount) FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id "
        "JOIN plans p ON p.id = s.plan_id GROUP BY p.name",
    ),
    *_absent("What is the average discount given on invoices?", "How many customers came from referrals?"),
]
