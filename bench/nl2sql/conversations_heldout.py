"""Held-out conversation chains (`--set conv-held-out`): written before the engine read follow-ups
(issue 16), not to be read by whoever works on the engine; its first run after that work is the
estimate of accuracy on follow-ups nobody tuned for.

Gold SQL follows the same reading rules as conversations_dev.py (README.md "Conversation sets").
"""

from __future__ import annotations

from chains import chain, month, quarter, turn, year

# --- retail (devstack/demo_db.py)
ORD_REG = "orders o JOIN customers c ON c.id = o.customer_id JOIN regions r ON r.id = c.region_id"
ORD_CUST = "orders o JOIN customers c ON c.id = o.customer_id"
CUST_REG = "customers c JOIN regions r ON r.id = c.region_id"
APAC = "r.name = 'Asia Pacific'"
Q_ORDER = quarter("order_date")

RETAIL: list[dict] = [
    chain(
        "retail-channel-quarters",
        turn(
            "first",
            "Revenue by channel in 2025",
            f"SELECT channel, SUM(total_amount) FROM orders WHERE {year('order_date', 2025)} GROUP BY channel",
        ),
        turn(
            "regroup",
            "and by quarter?",
            f"SELECT channel, {Q_ORDER} AS q, SUM(total_amount) FROM orders "
            f"WHERE {year('order_date', 2025)} GROUP BY channel, q",
        ),
        turn(
            "filter",
            "only online",
            f"SELECT {Q_ORDER} AS q, SUM(total_amount) FROM orders "
            f"WHERE channel = 'online' AND {year('order_date', 2025)} GROUP BY q",
        ),
        turn(
            "chart",
            "as a line chart",
            f"SELECT {Q_ORDER} AS q, SUM(total_amount) FROM orders "
            f"WHERE channel = 'online' AND {year('order_date', 2025)} GROUP BY q",
            chart="line",
        ),
        turn(
            "what_about",
            "what about 2026?",
            f"SELECT {Q_ORDER} AS q, SUM(total_amount) FROM orders "
            f"WHERE channel = 'online' AND {year('order_date', 2026)} GROUP BY q",
        ),
    ),
    chain(
        "retail-delivered",
        turn(
            "first",
            "How many orders were delivered in 2026?",
            f"SELECT COUNT(*) FROM orders WHERE status = 'delivered' AND {year('order_date', 2026)}",
        ),
        turn(
            "pronoun",
            "what was their total amount?",
            f"SELECT SUM(total_amount) FROM orders WHERE status = 'delivered' AND {year('order_date', 2026)}",
        ),
        turn(
            "regroup",
            "by region",
            f"SELECT r.name, SUM(o.total_amount) FROM {ORD_REG} "
            f"WHERE o.status = 'delivered' AND {year('o.order_date', 2026)} GROUP BY r.name",
        ),
        turn(
            "top_n",
            "top 2 only",
            f"SELECT r.name, SUM(o.total_amount) AS t FROM {ORD_REG} "
            f"WHERE o.status = 'delivered' AND {year('o.order_date', 2026)} GROUP BY r.name ORDER BY t DESC LIMIT 2",
            ordered=True,
        ),
    ),
    chain(
        "retail-ticket-categories",
        turn(
            "first",
            "Number of support tickets by category",
            "SELECT category, COUNT(*) FROM support_tickets GROUP BY category",
        ),
        turn(
            "filter",
            "just the urgent ones",
            "SELECT category, COUNT(*) FROM support_tickets WHERE priority = 'urgent' GROUP BY category",
        ),
        turn(
            "what_about",
            "what about high priority?",
            "SELECT category, COUNT(*) FROM support_tickets WHERE priority = 'high' GROUP BY category",
        ),
        turn(
            "chart",
            "as a pie chart",
            "SELECT category, COUNT(*) FROM support_tickets WHERE priority = 'high' GROUP BY category",
            chart="pie",
        ),
    ),
    chain(
        "retail-apac-customers",
        turn(
            "first",
            "How many customers are in the Asia Pacific region?",
            f"SELECT COUNT(*) FROM {CUST_REG} WHERE {APAC}",
        ),
        turn(
            "pronoun",
            "break those down by country",
            f"SELECT c.country, COUNT(*) FROM {CUST_REG} WHERE {APAC} GROUP BY c.country",
        ),
        turn(
            "filter",
            "only the consumer segment",
            f"SELECT c.country, COUNT(*) FROM {CUST_REG} WHERE {APAC} AND c.segment = 'consumer' GROUP BY c.country",
        ),
        turn(
            "regroup",
            "and by city?",
            f"SELECT c.country, c.city, COUNT(*) FROM {CUST_REG} WHERE {APAC} AND c.segment = 'consumer' "
            "GROUP BY c.country, c.city",
        ),
        turn(
            "table",
            "as a table",
            f"SELECT c.country, c.city, COUNT(*) FROM {CUST_REG} WHERE {APAC} AND c.segment = 'consumer' "
            "GROUP BY c.country, c.city",
            chart="table",
        ),
    ),
    chain(
        "retail-segment-value",
        turn(
            "first",
            "Average order value by segment",
            f"SELECT c.segment, AVG(o.total_amount) FROM {ORD_CUST} GROUP BY c.segment",
        ),
        turn(
            "filter",
            "for 2024",
            f"SELECT c.segment, AVG(o.total_amount) FROM {ORD_CUST} WHERE {year('o.order_date', 2024)} "
            "GROUP BY c.segment",
        ),
        turn(
            "regroup",
            "by month instead",
            f"SELECT {month('order_date')} AS m, AVG(total_amount) FROM orders "
            f"WHERE {year('order_date', 2024)} GROUP BY m",
        ),
        turn(
            "filter",
            "only corporate",
            f"SELECT {month('o.order_date')} AS m, AVG(o.total_amount) FROM {ORD_CUST} "
            f"WHERE c.segment = 'corporate' AND {year('o.order_date', 2024)} GROUP BY m",
        ),
    ),
    chain(
        "retail-status-declines",
        turn(
            "first",
            "Orders by status in 2026",
            f"SELECT status, COUNT(*) FROM orders WHERE {year('order_date', 2026)} GROUP BY status",
        ),
        turn("decline", "only the gold members", None),  # no membership tiers
        turn(
            "what_about",
            "what about phone orders?",
            f"SELECT status, COUNT(*) FROM orders WHERE channel = 'phone' AND {year('order_date', 2026)} "
            "GROUP BY status",
        ),
        turn("decline", "by shoe size", None),
    ),
]

# --- hospital (hospital_db.py)
APPT_DEPT = "appointments a JOIN doctors d ON d.id = a.doctor_id JOIN departments dp ON dp.id = d.department_id"
ADM_PAT = "admissions ad JOIN patients p ON p.id = ad.patient_id"
DOC_DEPT = "doctors d JOIN departments dp ON dp.id = d.department_id"
RX_MED = "prescriptions rx JOIN medications m ON m.id = rx.medication_id"
AQ = quarter("a.scheduled_at")

HOSPITAL: list[dict] = [
    chain(
        "hospital-fee-quarters",
        turn(
            "first",
            "Total appointment fees by department in 2025",
            f"SELECT dp.name, SUM(a.fee) FROM {APPT_DEPT} WHERE {year('a.scheduled_at', 2025)} GROUP BY dp.name",
        ),
        turn(
            "regroup",
            "and by quarter?",
            f"SELECT dp.name, {AQ} AS q, SUM(a.fee) FROM {APPT_DEPT} WHERE {year('a.scheduled_at', 2025)} "
            "GROUP BY dp.name, q",
        ),
        turn(
            "filter",
            "only Pediatrics",
            f"SELECT {AQ} AS q, SUM(a.fee) FROM {APPT_DEPT} "
            f"WHERE dp.name = 'Pediatrics' AND {year('a.scheduled_at', 2025)} GROUP BY q",
        ),
        turn(
            "chart",
            "show that as a bar chart",
            f"SELECT {AQ} AS q, SUM(a.fee) FROM {APPT_DEPT} "
            f"WHERE dp.name = 'Pediatrics' AND {year('a.scheduled_at', 2025)} GROUP BY q",
            chart="bar",
        ),
        turn(
            "what_about",
            "what about 2026?",
            f"SELECT {AQ} AS q, SUM(a.fee) FROM {APPT_DEPT} "
            f"WHERE dp.name = 'Pediatrics' AND {year('a.scheduled_at', 2026)} GROUP BY q",
        ),
    ),
    chain(
        "hospital-icu-charges",
        turn(
            "first", "How many admissions were in the ICU ward?", "SELECT COUNT(*) FROM admissions WHERE ward = 'icu'"
        ),
        turn(
            "pronoun",
            "what was their average total charge?",
            "SELECT AVG(total_charge) FROM admissions WHERE ward = 'icu'",
        ),
        turn(
            "regroup",
            "by diagnosis",
            "SELECT diagnosis, AVG(total_charge) FROM admissions WHERE ward = 'icu' GROUP BY diagnosis",
        ),
        turn(
            "top_n",
            "top 3 only",
            "SELECT diagnosis, AVG(total_charge) AS c FROM admissions WHERE ward = 'icu' "
            "GROUP BY diagnosis ORDER BY c DESC LIMIT 3",
            ordered=True,
        ),
    ),
    chain(
        "hospital-telehealth-status",
        turn("first", "Appointments by status", "SELECT status, COUNT(*) FROM appointments GROUP BY status"),
        turn(
            "filter",
            "just the telehealth ones",
            "SELECT status, COUNT(*) FROM appointments WHERE visit_type = 'telehealth' GROUP BY status",
        ),
        turn(
            "filter",
            "for 2026",
            "SELECT status, COUNT(*) FROM appointments "
            f"WHERE visit_type = 'telehealth' AND {year('scheduled_at', 2026)} GROUP BY status",
        ),
        turn(
            "regroup",
            "by month instead",
            f"SELECT {month('scheduled_at')} AS m, COUNT(*) FROM appointments "
            f"WHERE visit_type = 'telehealth' AND {year('scheduled_at', 2026)} GROUP BY m",
        ),
    ),
    chain(
        "hospital-medicaid",
        turn(
            "first",
            "How many patients are on medicaid?",
            "SELECT COUNT(*) FROM patients WHERE insurance_type = 'medicaid'",
        ),
        turn(
            "pronoun",
            "how many admissions did those patients have?",
            f"SELECT COUNT(*) FROM {ADM_PAT} WHERE p.insurance_type = 'medicaid'",
        ),
        turn(
            "regroup",
            "by ward",
            f"SELECT ad.ward, COUNT(*) FROM {ADM_PAT} WHERE p.insurance_type = 'medicaid' GROUP BY ad.ward",
        ),
        turn(
            "chart",
            "as a pie chart",
            f"SELECT ad.ward, COUNT(*) FROM {ADM_PAT} WHERE p.insurance_type = 'medicaid' GROUP BY ad.ward",
            chart="pie",
        ),
    ),
    chain(
        "hospital-wing-doctors",
        turn(
            "first",
            "Number of doctors per department",
            f"SELECT dp.name, COUNT(*) FROM {DOC_DEPT} GROUP BY dp.name",
        ),
        turn(
            "filter",
            "only the East Wing",
            f"SELECT dp.name, COUNT(*) FROM {DOC_DEPT} WHERE dp.building = 'East Wing' GROUP BY dp.name",
        ),
        turn(
            "pronoun",
            "what is their average salary?",
            f"SELECT dp.name, AVG(d.salary) FROM {DOC_DEPT} WHERE dp.building = 'East Wing' GROUP BY dp.name",
        ),
        turn(
            "what_about",
            "what about the South Wing?",
            f"SELECT dp.name, AVG(d.salary) FROM {DOC_DEPT} WHERE dp.building = 'South Wing' GROUP BY dp.name",
        ),
    ),
    chain(
        "hospital-prescription-declines",
        turn("first", "Prescriptions per medication", f"SELECT m.name, COUNT(*) FROM {RX_MED} GROUP BY m.name"),
        turn("decline", "only the generic ones", None),  # nothing says which medications are generic
        turn(
            "top_n",
            "top 5 only",
            f"SELECT m.name, COUNT(*) AS n FROM {RX_MED} GROUP BY m.name ORDER BY n DESC LIMIT 5",
            ordered=True,
        ),
        turn("decline", "by pharmacy instead", None),
    ),
]

# --- SaaS (saas_db.py)
SUB_PLAN = "subscriptions s JOIN plans p ON p.id = s.plan_id"
SUB_PLAN_CO = f"{SUB_PLAN} JOIN companies c ON c.id = s.company_id"
INV_PLAN = "invoices i JOIN subscriptions s ON s.id = i.subscription_id JOIN plans p ON p.id = s.plan_id"
USE_CO = "usage_records u JOIN companies c ON c.id = u.company_id"
UM = month("u.usage_month")
IQ = quarter("reported_at")

SAAS: list[dict] = [
    chain(
        "saas-scale-seats",
        turn(
            "first",
            "How many active subscriptions are on the Scale plan?",
            f"SELECT COUNT(*) FROM {SUB_PLAN} WHERE s.status = 'active' AND p.name = 'Scale'",
        ),
        turn(
            "pronoun",
            "what is their total number of seats?",
            f"SELECT SUM(s.seats) FROM {SUB_PLAN} WHERE s.status = 'active' AND p.name = 'Scale'",
        ),
        turn(
            "what_about",
            "what about the Starter plan?",
            f"SELECT SUM(s.seats) FROM {SUB_PLAN} WHERE s.status = 'active' AND p.name = 'Starter'",
        ),
        turn(
            "regroup",
            "by country",
            f"SELECT c.country, SUM(s.seats) FROM {SUB_PLAN_CO} WHERE s.status = 'active' AND p.name = 'Starter' "
            "GROUP BY c.country",
        ),
    ),
    chain(
        "saas-component-quarters",
        turn(
            "first",
            "Incidents by component in 2025",
            f"SELECT component, COUNT(*) FROM incidents WHERE {year('reported_at', 2025)} GROUP BY component",
        ),
        turn(
            "regroup",
            "and by quarter?",
            f"SELECT component, {IQ} AS q, COUNT(*) FROM incidents WHERE {year('reported_at', 2025)} "
            "GROUP BY component, q",
        ),
        turn(
            "filter",
            "only billing",
            f"SELECT {IQ} AS q, COUNT(*) FROM incidents "
            f"WHERE component = 'billing' AND {year('reported_at', 2025)} GROUP BY q",
        ),
        turn(
            "chart",
            "as a line chart",
            f"SELECT {IQ} AS q, COUNT(*) FROM incidents "
            f"WHERE component = 'billing' AND {year('reported_at', 2025)} GROUP BY q",
            chart="line",
        ),
        turn(
            "what_about",
            "what about 2026?",
            f"SELECT {IQ} AS q, COUNT(*) FROM incidents "
            f"WHERE component = 'billing' AND {year('reported_at', 2026)} GROUP BY q",
        ),
    ),
    chain(
        "saas-uk-budgets",
        turn(
            "first",
            "Total yearly budget by industry",
            "SELECT industry, SUM(yearly_budget) FROM companies GROUP BY industry",
        ),
        turn(
            "filter",
            "only companies in the United Kingdom",
            "SELECT industry, SUM(yearly_budget) FROM companies WHERE country = 'United Kingdom' GROUP BY industry",
        ),
        turn(
            "top_n",
            "top 3 only",
            "SELECT industry, SUM(yearly_budget) AS b FROM companies WHERE country = 'United Kingdom' "
            "GROUP BY industry ORDER BY b DESC LIMIT 3",
            ordered=True,
        ),
        turn(
            "chart",
            "as a horizontal bar chart",
            "SELECT industry, SUM(yearly_budget) AS b FROM companies WHERE country = 'United Kingdom' "
            "GROUP BY industry ORDER BY b DESC LIMIT 3",
            ordered=True,
            chart="bar_horizontal",
        ),
    ),
    chain(
        "saas-outstanding",
        turn(
            "first",
            "How many invoices are outstanding?",
            "SELECT COUNT(*) FROM invoices WHERE status = 'outstanding'",
        ),
        turn(
            "pronoun",
            "what is their total amount?",
            "SELECT SUM(amount) FROM invoices WHERE status = 'outstanding'",
        ),
        turn("measure", "and the average?", "SELECT AVG(amount) FROM invoices WHERE status = 'outstanding'"),
        turn(
            "regroup",
            "by plan",
            f"SELECT p.name, AVG(i.amount) FROM {INV_PLAN} WHERE i.status = 'outstanding' GROUP BY p.name",
        ),
        turn(
            "what_about",
            "what about written off ones?",
            f"SELECT p.name, AVG(i.amount) FROM {INV_PLAN} WHERE i.status = 'written off' GROUP BY p.name",
        ),
    ),
    chain(
        "saas-education-users",
        turn(
            "first",
            "Average active users per month in 2026",
            f"SELECT {month('usage_month')} AS m, AVG(active_users) FROM usage_records "
            f"WHERE {year('usage_month', 2026)} GROUP BY m",
        ),
        turn(
            "filter",
            "only education companies",
            f"SELECT {UM} AS m, AVG(u.active_users) FROM {USE_CO} "
            f"WHERE c.industry = 'education' AND {year('u.usage_month', 2026)} GROUP BY m",
        ),
        turn(
            "what_about",
            "what about media companies?",
            f"SELECT {UM} AS m, AVG(u.active_users) FROM {USE_CO} "
            f"WHERE c.industry = 'media' AND {year('u.usage_month', 2026)} GROUP BY m",
        ),
        turn(
            "chart",
            "as an area chart",
            f"SELECT {UM} AS m, AVG(u.active_users) FROM {USE_CO} "
            f"WHERE c.industry = 'media' AND {year('u.usage_month', 2026)} GROUP BY m",
            chart="area",
        ),
    ),
    chain(
        "saas-subscription-declines",
        turn(
            "first", "Number of subscriptions by status", "SELECT status, COUNT(*) FROM subscriptions GROUP BY status"
        ),
        turn("decline", "only the ones with a coupon", None),  # no coupons
        turn(
            "filter",
            "for the Growth plan",
            f"SELECT s.status, COUNT(*) FROM {SUB_PLAN} WHERE p.name = 'Growth' GROUP BY s.status",
        ),
        turn("decline", "by renewal date instead", None),  # no renewal dates
    ),
]
