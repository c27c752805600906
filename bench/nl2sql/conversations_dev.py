"""Conversation chains (`--set conv-dev`): follow-up questions with gold SQL per turn, written before the
engine read follow-ups (issue 16) and used while building that.

How a follow-up is read (the judgement behind the gold SQL, see README.md "Conversation sets"):
a follow-up edits the last *answered* interpretation (a declined turn changes nothing); "and by X?"
adds X to the grouping, "by X instead" replaces it; a filter on a value of the column already
filtered (or a year after a year) replaces that filter, on another column it is added; a filter on
the grouped column leaves one group, so the gold drops that column (a predicted extra column is
allowed); a new measure keeps the filters and the grouping; a presentation change ("as a pie
chart", "top 3 only") keeps the question.
"""

from __future__ import annotations

from chains import chain, month, quarter, turn, year

# --- retail (devstack/demo_db.py)
ORD_REG = "orders o JOIN customers c ON c.id = o.customer_id JOIN regions r ON r.id = c.region_id"
ORD_CUST = "orders o JOIN customers c ON c.id = o.customer_id"
LINE_REVENUE = "SUM(oi.quantity * oi.unit_price * (1 - oi.discount))"
ITEM_CAT = "order_items oi JOIN products p ON p.id = oi.product_id JOIN product_categories pc ON pc.id = p.category_id"
ORD_EMP = "orders o JOIN employees e ON e.id = o.employee_id JOIN regions r ON r.id = e.region_id"
OQ, OM, TM = quarter("o.order_date"), month("o.order_date"), month("opened_at")

RETAIL: list[dict] = [
    # The demo sequence of issue 16, turn by turn.
    chain(
        "retail-demo",
        turn(
            "first",
            "Total sales by region in 2025",
            f"SELECT r.name, SUM(o.total_amount) FROM {ORD_REG} WHERE {year('o.order_date', 2025)} GROUP BY r.name",
        ),
        turn(
            "regroup",
            "and by quarter?",
            f"SELECT r.name, {OQ} AS q, SUM(o.total_amount) FROM {ORD_REG} "
            f"WHERE {year('o.order_date', 2025)} GROUP BY r.name, q",
        ),
        turn(
            "filter",
            "only Europe",
            f"SELECT {OQ} AS q, SUM(o.total_amount) FROM {ORD_REG} "
            f"WHERE r.name = 'Europe' AND {year('o.order_date', 2025)} GROUP BY q",
        ),
        turn(
            "chart",
            "show that as a pie chart",
            f"SELECT {OQ} AS q, SUM(o.total_amount) FROM {ORD_REG} "
            f"WHERE r.name = 'Europe' AND {year('o.order_date', 2025)} GROUP BY q",
            chart="pie",
        ),
        turn(
            "what_about",
            "what about 2024?",
            f"SELECT {OQ} AS q, SUM(o.total_amount) FROM {ORD_REG} "
            f"WHERE r.name = 'Europe' AND {year('o.order_date', 2024)} GROUP BY q",
        ),
    ),
    chain(
        "retail-tickets-month",
        turn(
            "first",
            "How many support tickets were opened per month in 2026?",
            f"SELECT {TM} AS m, COUNT(*) FROM support_tickets WHERE {year('opened_at', 2026)} GROUP BY m",
        ),
        turn(
            "filter",
            "just the closed ones",
            f"SELECT {TM} AS m, COUNT(*) FROM support_tickets "
            f"WHERE status = 'closed' AND {year('opened_at', 2026)} GROUP BY m",
        ),
        turn(
            "what_about",
            "what about urgent tickets?",
            f"SELECT {TM} AS m, COUNT(*) FROM support_tickets "
            f"WHERE status = 'closed' AND priority = 'urgent' AND {year('opened_at', 2026)} GROUP BY m",
        ),
        turn(
            "regroup",
            "by category instead",
            "SELECT category, COUNT(*) FROM support_tickets "
            f"WHERE status = 'closed' AND priority = 'urgent' AND {year('opened_at', 2026)} GROUP BY category",
        ),
    ),
    chain(
        "retail-customers-country",
        turn(
            "first",
            "How many customers are there in each country?",
            "SELECT country, COUNT(*) FROM customers GROUP BY country",
        ),
        turn(
            "filter",
            "only the corporate segment",
            "SELECT country, COUNT(*) FROM customers WHERE segment = 'corporate' GROUP BY country",
        ),
        turn(
            "top_n",
            "top 3 only",
            "SELECT country, COUNT(*) AS n FROM customers WHERE segment = 'corporate' "
            "GROUP BY country ORDER BY n DESC LIMIT 3",
            ordered=True,
        ),
        turn(
            "chart",
            "as a bar chart",
            "SELECT country, COUNT(*) AS n FROM customers WHERE segment = 'corporate' "
            "GROUP BY country ORDER BY n DESC LIMIT 3",
            ordered=True,
            chart="bar",
        ),
    ),
    chain(
        "retail-online-orders",
        turn(
            "first",
            "How many orders were placed through the online channel in 2025?",
            f"SELECT COUNT(*) FROM orders WHERE channel = 'online' AND {year('order_date', 2025)}",
        ),
        turn(
            "pronoun",
            "what is their total amount?",
            f"SELECT SUM(total_amount) FROM orders WHERE channel = 'online' AND {year('order_date', 2025)}",
        ),
        turn(
            "measure",
            "and the average?",
            f"SELECT AVG(total_amount) FROM orders WHERE channel = 'online' AND {year('order_date', 2025)}",
        ),
        turn(
            "regroup",
            "by region",
            f"SELECT r.name, AVG(o.total_amount) FROM {ORD_REG} "
            f"WHERE o.channel = 'online' AND {year('o.order_date', 2025)} GROUP BY r.name",
        ),
    ),
    chain(
        "retail-category-sales",
        turn(
            "first",
            "Total sales per product category",
            f"SELECT pc.name, {LINE_REVENUE} FROM {ITEM_CAT} GROUP BY pc.name",
        ),
        turn(
            "filter",
            "for 2025",
            f"SELECT pc.name, {LINE_REVENUE} FROM {ITEM_CAT} JOIN orders o ON o.id = oi.order_id "
            f"WHERE {year('o.order_date', 2025)} GROUP BY pc.name",
        ),
        turn(
            "top_n",
            "top 3 only",
            f"SELECT pc.name, {LINE_REVENUE} AS revenue FROM {ITEM_CAT} JOIN orders o ON o.id = oi.order_id "
            f"WHERE {year('o.order_date', 2025)} GROUP BY pc.name ORDER BY revenue DESC LIMIT 3",
            ordered=True,
        ),
        turn(
            "chart",
            "show those as a pie chart",
            f"SELECT pc.name, {LINE_REVENUE} AS revenue FROM {ITEM_CAT} JOIN orders o ON o.id = oi.order_id "
            f"WHERE {year('o.order_date', 2025)} GROUP BY pc.name ORDER BY revenue DESC LIMIT 3",
            ordered=True,
            chart="pie",
        ),
    ),
    chain(
        "retail-employee-orders",
        turn(
            "first",
            "How many orders did each employee handle?",
            "SELECT e.name, COUNT(*) FROM orders o JOIN employees e ON e.id = o.employee_id GROUP BY e.id",
        ),
        # A rep sells to the customers of their own region: the employee's and the customer's
        # region give the same rows.
        turn(
            "filter",
            "only in Europe",
            f"SELECT e.name, COUNT(*) FROM {ORD_EMP} WHERE r.name = 'Europe' GROUP BY e.id",
        ),
        turn(
            "what_about",
            "what about Asia Pacific?",
            f"SELECT e.name, COUNT(*) FROM {ORD_EMP} WHERE r.name = 'Asia Pacific' GROUP BY e.id",
        ),
        turn(
            "top_n",
            "top 3 only",
            f"SELECT e.name, COUNT(*) AS n FROM {ORD_EMP} WHERE r.name = 'Asia Pacific' "
            "GROUP BY e.id ORDER BY n DESC LIMIT 3",
            ordered=True,
        ),
    ),
    chain(
        "retail-returned-orders",
        turn(
            "first",
            "Number of returned orders per month in 2026",
            f"SELECT {month('order_date')} AS m, COUNT(*) FROM orders "
            f"WHERE status = 'returned' AND {year('order_date', 2026)} GROUP BY m",
        ),
        turn(
            "what_about",
            "what about cancelled ones?",
            f"SELECT {month('order_date')} AS m, COUNT(*) FROM orders "
            f"WHERE status = 'cancelled' AND {year('order_date', 2026)} GROUP BY m",
        ),
        turn(
            "chart",
            "as a line chart",
            f"SELECT {month('order_date')} AS m, COUNT(*) FROM orders "
            f"WHERE status = 'cancelled' AND {year('order_date', 2026)} GROUP BY m",
            chart="line",
        ),
        turn(
            "regroup",
            "by quarter instead",
            f"SELECT {quarter('order_date')} AS q, COUNT(*) FROM orders "
            f"WHERE status = 'cancelled' AND {year('order_date', 2026)} GROUP BY q",
        ),
    ),
    chain(
        "retail-small-business",
        turn(
            "first",
            "How many small business customers do we have?",
            "SELECT COUNT(*) FROM customers WHERE segment = 'small business'",
        ),
        turn(
            "pronoun",
            "how many orders did they place?",
            f"SELECT COUNT(*) FROM {ORD_CUST} WHERE c.segment = 'small business'",
        ),
        turn(
            "pronoun",
            "what is the total amount of those orders?",
            f"SELECT SUM(o.total_amount) FROM {ORD_CUST} WHERE c.segment = 'small business'",
        ),
        turn(
            "regroup",
            "by channel",
            f"SELECT o.channel, SUM(o.total_amount) FROM {ORD_CUST} WHERE c.segment = 'small business' "
            "GROUP BY o.channel",
        ),
    ),
    chain(
        "retail-channel-declines",
        turn(
            "first",
            "Revenue by channel in 2026",
            f"SELECT channel, SUM(total_amount) FROM orders WHERE {year('order_date', 2026)} GROUP BY channel",
        ),
        turn("decline", "only the premium customers", None),  # no premium anything
        turn(
            "what_about",
            "what about 2025?",
            f"SELECT channel, SUM(total_amount) FROM orders WHERE {year('order_date', 2025)} GROUP BY channel",
        ),
        turn("decline", "by weather instead", None),
    ),
    chain(
        "retail-order-value",
        turn(
            "first",
            "What was the average order value in 2025?",
            f"SELECT AVG(total_amount) FROM orders WHERE {year('order_date', 2025)}",
        ),
        turn(
            "pronoun",
            "break that down by segment",
            f"SELECT c.segment, AVG(o.total_amount) FROM {ORD_CUST} WHERE {year('o.order_date', 2025)} "
            "GROUP BY c.segment",
        ),
        turn(
            "filter",
            "just corporate and small business",
            f"SELECT c.segment, AVG(o.total_amount) FROM {ORD_CUST} "
            f"WHERE c.segment IN ('corporate', 'small business') AND {year('o.order_date', 2025)} GROUP BY c.segment",
        ),
        turn(
            "table",
            "as a table",
            f"SELECT c.segment, AVG(o.total_amount) FROM {ORD_CUST} "
            f"WHERE c.segment IN ('corporate', 'small business') AND {year('o.order_date', 2025)} GROUP BY c.segment",
            chart="table",
        ),
    ),
    chain(
        "retail-open-tickets",
        turn("first", "How many tickets are open?", "SELECT COUNT(*) FROM support_tickets WHERE status = 'open'"),
        turn(
            "regroup",
            "by priority",
            "SELECT priority, COUNT(*) FROM support_tickets WHERE status = 'open' GROUP BY priority",
        ),
        turn(
            "regroup",
            "and by category?",
            "SELECT priority, category, COUNT(*) FROM support_tickets WHERE status = 'open' "
            "GROUP BY priority, category",
        ),
        turn(
            "filter",
            "only the billing ones",
            "SELECT priority, COUNT(*) FROM support_tickets WHERE status = 'open' AND category = 'billing' "
            "GROUP BY priority",
        ),
    ),
    chain(
        "retail-signups",
        turn(
            "first",
            "How many customers signed up in 2025?",
            f"SELECT COUNT(*) FROM customers WHERE {year('signup_date', 2025)}",
        ),
        turn(
            "regroup",
            "by month",
            f"SELECT {month('signup_date')} AS m, COUNT(*) FROM customers WHERE {year('signup_date', 2025)} GROUP BY m",
        ),
        turn(
            "filter",
            "only Germany",
            f"SELECT {month('signup_date')} AS m, COUNT(*) FROM customers "
            f"WHERE country = 'Germany' AND {year('signup_date', 2025)} GROUP BY m",
        ),
        turn("decline", "and by size?", None),  # customers have no size
    ),
]

# --- hospital (hospital_db.py)
APPT_DEPT = "appointments a JOIN doctors d ON d.id = a.doctor_id JOIN departments dp ON dp.id = d.department_id"
APPT_PAT = "appointments a JOIN patients p ON p.id = a.patient_id"
ADM_DEPT = "admissions ad JOIN departments dp ON dp.id = ad.department_id"
RX_MED = "prescriptions rx JOIN medications m ON m.id = rx.medication_id"
DOC_DEPT = "doctors d JOIN departments dp ON dp.id = d.department_id"
AQ, AM = quarter("a.scheduled_at"), month("a.scheduled_at")

HOSPITAL: list[dict] = [
    chain(
        "hospital-department-quarters",
        turn(
            "first",
            "Number of appointments by department in 2025",
            f"SELECT dp.name, COUNT(*) FROM {APPT_DEPT} WHERE {year('a.scheduled_at', 2025)} GROUP BY dp.name",
        ),
        turn(
            "regroup",
            "and by quarter?",
            f"SELECT dp.name, {AQ} AS q, COUNT(*) FROM {APPT_DEPT} WHERE {year('a.scheduled_at', 2025)} "
            "GROUP BY dp.name, q",
        ),
        turn(
            "filter",
            "only Cardiology",
            f"SELECT {AQ} AS q, COUNT(*) FROM {APPT_DEPT} "
            f"WHERE dp.name = 'Cardiology' AND {year('a.scheduled_at', 2025)} GROUP BY q",
        ),
        turn(
            "chart",
            "show that as a bar chart",
            f"SELECT {AQ} AS q, COUNT(*) FROM {APPT_DEPT} "
            f"WHERE dp.name = 'Cardiology' AND {year('a.scheduled_at', 2025)} GROUP BY q",
            chart="bar",
        ),
        turn(
            "what_about",
            "what about 2026?",
            f"SELECT {AQ} AS q, COUNT(*) FROM {APPT_DEPT} "
            f"WHERE dp.name = 'Cardiology' AND {year('a.scheduled_at', 2026)} GROUP BY q",
        ),
    ),
    chain(
        "hospital-visit-types",
        turn(
            "first",
            "How many completed appointments were there per visit type?",
            "SELECT visit_type, COUNT(*) FROM appointments WHERE status = 'completed' GROUP BY visit_type",
        ),
        turn(
            "what_about",
            "what about cancelled ones?",
            "SELECT visit_type, COUNT(*) FROM appointments WHERE status = 'cancelled' GROUP BY visit_type",
        ),
        turn(
            "filter",
            "only telehealth",
            "SELECT COUNT(*) FROM appointments WHERE status = 'cancelled' AND visit_type = 'telehealth'",
        ),
        turn(
            "regroup",
            "by month instead",
            f"SELECT {month('scheduled_at')} AS m, COUNT(*) FROM appointments "
            "WHERE status = 'cancelled' AND visit_type = 'telehealth' GROUP BY m",
        ),
    ),
    chain(
        "hospital-completed-fees",
        turn(
            "first",
            "How many completed appointments were there in 2026?",
            f"SELECT COUNT(*) FROM appointments WHERE status = 'completed' AND {year('scheduled_at', 2026)}",
        ),
        turn(
            "pronoun",
            "what was their total fee?",
            f"SELECT SUM(fee) FROM appointments WHERE status = 'completed' AND {year('scheduled_at', 2026)}",
        ),
        turn(
            "regroup",
            "by department",
            f"SELECT dp.name, SUM(a.fee) FROM {APPT_DEPT} "
            f"WHERE a.status = 'completed' AND {year('a.scheduled_at', 2026)} GROUP BY dp.name",
        ),
        turn(
            "top_n",
            "top 3 only",
            f"SELECT dp.name, SUM(a.fee) AS total FROM {APPT_DEPT} "
            f"WHERE a.status = 'completed' AND {year('a.scheduled_at', 2026)} GROUP BY dp.name "
            "ORDER BY total DESC LIMIT 3",
            ordered=True,
        ),
    ),
    chain(
        "hospital-icu-diagnoses",
        turn(
            "first",
            "Number of admissions per diagnosis",
            "SELECT diagnosis, COUNT(*) FROM admissions GROUP BY diagnosis",
        ),
        turn(
            "filter",
            "only the ICU ward",
            "SELECT diagnosis, COUNT(*) FROM admissions WHERE ward = 'icu' GROUP BY diagnosis",
        ),
        turn(
            "pronoun",
            "what is their average total charge?",
            "SELECT diagnosis, AVG(total_charge) FROM admissions WHERE ward = 'icu' GROUP BY diagnosis",
        ),
        turn(
            "chart",
            "as a horizontal bar chart",
            "SELECT diagnosis, AVG(total_charge) FROM admissions WHERE ward = 'icu' GROUP BY diagnosis",
            chart="bar_horizontal",
        ),
    ),
    chain(
        "hospital-insurance",
        turn(
            "first",
            "How many patients are there by insurance type?",
            "SELECT insurance_type, COUNT(*) FROM patients GROUP BY insurance_type",
        ),
        turn(
            "filter",
            "only patients in Springfield",
            "SELECT insurance_type, COUNT(*) FROM patients WHERE city = 'Springfield' GROUP BY insurance_type",
        ),
        turn(
            "regroup",
            "and by gender?",
            "SELECT insurance_type, gender, COUNT(*) FROM patients WHERE city = 'Springfield' "
            "GROUP BY insurance_type, gender",
        ),
        turn(
            "filter",
            "just the female ones",
            "SELECT insurance_type, COUNT(*) FROM patients WHERE city = 'Springfield' AND gender = 'female' "
            "GROUP BY insurance_type",
        ),
    ),
    chain(
        "hospital-drug-classes",
        turn(
            "first",
            "How many prescriptions per drug class?",
            f"SELECT m.drug_class, COUNT(*) FROM {RX_MED} GROUP BY m.drug_class",
        ),
        turn(
            "top_n",
            "top 5 only",
            f"SELECT m.drug_class, COUNT(*) AS n FROM {RX_MED} GROUP BY m.drug_class ORDER BY n DESC LIMIT 5",
            ordered=True,
        ),
        turn(
            "what_about",
            "what about antibiotics?",
            f"SELECT COUNT(*) FROM {RX_MED} WHERE m.drug_class = 'antibiotic'",
        ),
        turn(
            "regroup",
            "by medication instead",
            f"SELECT m.name, COUNT(*) FROM {RX_MED} WHERE m.drug_class = 'antibiotic' GROUP BY m.name",
        ),
    ),
    chain(
        "hospital-salaries",
        turn(
            "first",
            "What is the average doctor salary by department?",
            f"SELECT dp.name, AVG(d.salary) FROM {DOC_DEPT} GROUP BY dp.name",
        ),
        turn(
            "filter",
            "only departments in the North Wing",
            f"SELECT dp.name, AVG(d.salary) FROM {DOC_DEPT} WHERE dp.building = 'North Wing' GROUP BY dp.name",
        ),
        turn(
            "what_about",
            "what about the Main Building?",
            f"SELECT dp.name, AVG(d.salary) FROM {DOC_DEPT} WHERE dp.building = 'Main Building' GROUP BY dp.name",
        ),
        turn(
            "chart",
            "as a pie chart",
            f"SELECT dp.name, AVG(d.salary) FROM {DOC_DEPT} WHERE dp.building = 'Main Building' GROUP BY dp.name",
            chart="pie",
        ),
    ),
    chain(
        "hospital-admissions-declines",
        turn(
            "first",
            "How many admissions were there in 2025?",
            f"SELECT COUNT(*) FROM admissions WHERE {year('admitted_on', 2025)}",
        ),
        turn(
            "regroup",
            "by month",
            f"SELECT {month('admitted_on')} AS m, COUNT(*) FROM admissions "
            f"WHERE {year('admitted_on', 2025)} GROUP BY m",
        ),
        turn("decline", "only the night shift", None),  # no shifts in the database
        turn(
            "what_about",
            "what about 2026?",
            f"SELECT {month('admitted_on')} AS m, COUNT(*) FROM admissions "
            f"WHERE {year('admitted_on', 2026)} GROUP BY m",
        ),
    ),
    chain(
        "hospital-uninsured",
        turn(
            "first",
            "How many uninsured patients are there?",
            "SELECT COUNT(*) FROM patients WHERE insurance_type = 'uninsured'",
        ),
        turn(
            "pronoun",
            "how many appointments did those patients have?",
            f"SELECT COUNT(*) FROM {APPT_PAT} WHERE p.insurance_type = 'uninsured'",
        ),
        turn(
            "regroup",
            "by visit type",
            f"SELECT a.visit_type, COUNT(*) FROM {APPT_PAT} WHERE p.insurance_type = 'uninsured' GROUP BY a.visit_type",
        ),
        turn(
            "filter",
            "only completed ones",
            f"SELECT a.visit_type, COUNT(*) FROM {APPT_PAT} "
            "WHERE p.insurance_type = 'uninsured' AND a.status = 'completed' GROUP BY a.visit_type",
        ),
    ),
    chain(
        "hospital-admission-charges",
        turn(
            "first",
            "Total admission charges by department in 2026",
            f"SELECT dp.name, SUM(ad.total_charge) FROM {ADM_DEPT} "
            f"WHERE {year('ad.admitted_on', 2026)} GROUP BY dp.name",
        ),
        turn(
            "regroup",
            "by quarter instead",
            f"SELECT {quarter('admitted_on')} AS q, SUM(total_charge) FROM admissions "
            f"WHERE {year('admitted_on', 2026)} GROUP BY q",
        ),
        turn(
            "filter",
            "only the private ward",
            f"SELECT {quarter('admitted_on')} AS q, SUM(total_charge) FROM admissions "
            f"WHERE ward = 'private' AND {year('admitted_on', 2026)} GROUP BY q",
        ),
        turn(
            "chart",
            "as a line chart",
            f"SELECT {quarter('admitted_on')} AS q, SUM(total_charge) FROM admissions "
            f"WHERE ward = 'private' AND {year('admitted_on', 2026)} GROUP BY q",
            chart="line",
        ),
    ),
    chain(
        "hospital-busiest-doctors",
        turn(
            "first",
            "Which 5 doctors had the most appointments?",
            "SELECT d.full_name, COUNT(*) AS n FROM appointments a JOIN doctors d ON d.id = a.doctor_id "
            "GROUP BY d.id ORDER BY n DESC LIMIT 5",
            ordered=True,
        ),
        turn(
            "filter",
            "only in 2025",
            "SELECT d.full_name, COUNT(*) AS n FROM appointments a JOIN doctors d ON d.id = a.doctor_id "
            f"WHERE {year('a.scheduled_at', 2025)} GROUP BY d.id ORDER BY n DESC LIMIT 5",
            ordered=True,
        ),
        turn(
            "what_about",
            "what about telehealth visits?",
            "SELECT d.full_name, COUNT(*) AS n FROM appointments a JOIN doctors d ON d.id = a.doctor_id "
            f"WHERE a.visit_type = 'telehealth' AND {year('a.scheduled_at', 2025)} "
            "GROUP BY d.id ORDER BY n DESC LIMIT 5",
            ordered=True,
        ),
        turn(
            "top_n",
            "top 3 only",
            "SELECT d.full_name, COUNT(*) AS n FROM appointments a JOIN doctors d ON d.id = a.doctor_id "
            f"WHERE a.visit_type = 'telehealth' AND {year('a.scheduled_at', 2025)} "
            "GROUP BY d.id ORDER BY n DESC LIMIT 3",
            ordered=True,
        ),
    ),
    chain(
        "hospital-cities-declines",
        turn(
            "first",
            "Number of appointments per patient city",
            f"SELECT p.city, COUNT(*) FROM {APPT_PAT} GROUP BY p.city",
        ),
        # Three doctors are called Lee (David, Harper, Daniel): which one is not said.
        turn("decline", "only the ones with Dr. Lee", None),
        turn(
            "what_about",
            "what about 2025?",
            f"SELECT p.city, COUNT(*) FROM {APPT_PAT} WHERE {year('a.scheduled_at', 2025)} GROUP BY p.city",
        ),
        turn(
            "chart",
            "as a bar chart",
            f"SELECT p.city, COUNT(*) FROM {APPT_PAT} WHERE {year('a.scheduled_at', 2025)} GROUP BY p.city",
            chart="bar",
        ),
    ),
]

# --- SaaS (saas_db.py)
SUB_PLAN = "subscriptions s JOIN plans p ON p.id = s.plan_id"
INV_PLAN = "invoices i JOIN subscriptions s ON s.id = i.subscription_id JOIN plans p ON p.id = s.plan_id"
CO_MGR = "companies c JOIN account_managers m ON m.id = c.manager_id"
USE_CO = "usage_records u JOIN companies c ON c.id = u.company_id"
UM = month("u.usage_month")

SAAS: list[dict] = [
    chain(
        "saas-enterprise-fees",
        turn(
            "first",
            "How many active subscriptions are on the Enterprise plan?",
            f"SELECT COUNT(*) FROM {SUB_PLAN} WHERE s.status = 'active' AND p.name = 'Enterprise'",
        ),
        # The issue's example: the plan's monthly fee, summed over those subscriptions.
        turn(
            "pronoun",
            "what is their total monthly fee?",
            f"SELECT SUM(p.monthly_fee) FROM {SUB_PLAN} WHERE s.status = 'active' AND p.name = 'Enterprise'",
        ),
        turn(
            "what_about",
            "what about the Growth plan?",
            f"SELECT SUM(p.monthly_fee) FROM {SUB_PLAN} WHERE s.status = 'active' AND p.name = 'Growth'",
        ),
        turn(
            "measure",
            "and the total seats?",
            f"SELECT SUM(s.seats) FROM {SUB_PLAN} WHERE s.status = 'active' AND p.name = 'Growth'",
        ),
    ),
    chain(
        "saas-incident-severity",
        turn(
            "first",
            "Incidents by severity in 2026",
            f"SELECT severity, COUNT(*) FROM incidents WHERE {year('reported_at', 2026)} GROUP BY severity",
        ),
        turn(
            "regroup",
            "and by component?",
            "SELECT severity, component, COUNT(*) FROM incidents "
            f"WHERE {year('reported_at', 2026)} GROUP BY severity, component",
        ),
        turn(
            "filter",
            "only sev1",
            "SELECT component, COUNT(*) FROM incidents "
            f"WHERE severity = 'sev1' AND {year('reported_at', 2026)} GROUP BY component",
        ),
        turn(
            "chart",
            "as a pie chart",
            "SELECT component, COUNT(*) FROM incidents "
            f"WHERE severity = 'sev1' AND {year('reported_at', 2026)} GROUP BY component",
            chart="pie",
        ),
        turn(
            "what_about",
            "what about 2025?",
            "SELECT component, COUNT(*) FROM incidents "
            f"WHERE severity = 'sev1' AND {year('reported_at', 2025)} GROUP BY component",
        ),
    ),
    chain(
        "saas-invoice-status",
        turn("first", "Total invoice amount by status", "SELECT status, SUM(amount) FROM invoices GROUP BY status"),
        turn(
            "filter",
            "for 2025",
            f"SELECT status, SUM(amount) FROM invoices WHERE {year('issued_on', 2025)} GROUP BY status",
        ),
        turn(
            "regroup",
            "by month instead",
            f"SELECT {month('issued_on')} AS m, SUM(amount) FROM invoices WHERE {year('issued_on', 2025)} GROUP BY m",
        ),
        turn(
            "filter",
            "just the outstanding ones",
            f"SELECT {month('issued_on')} AS m, SUM(amount) FROM invoices "
            f"WHERE status = 'outstanding' AND {year('issued_on', 2025)} GROUP BY m",
        ),
    ),
    chain(
        "saas-german-industries",
        turn("first", "Companies by industry", "SELECT industry, COUNT(*) FROM companies GROUP BY industry"),
        turn(
            "filter",
            "only in Germany",
            "SELECT industry, COUNT(*) FROM companies WHERE country = 'Germany' GROUP BY industry",
        ),
        turn(
            "pronoun",
            "what is their total yearly budget?",
            "SELECT industry, SUM(yearly_budget) FROM companies WHERE country = 'Germany' GROUP BY industry",
        ),
        turn(
            "top_n",
            "top 3 only",
            "SELECT industry, SUM(yearly_budget) AS b FROM companies WHERE country = 'Germany' "
            "GROUP BY industry ORDER BY b DESC LIMIT 3",
            ordered=True,
        ),
    ),
    chain(
        "saas-manager-offices",
        turn(
            "first",
            "How many companies does each account manager handle?",
            f"SELECT m.full_name, COUNT(*) FROM {CO_MGR} GROUP BY m.id",
        ),
        turn(
            "filter",
            "only managers in the London office",
            f"SELECT m.full_name, COUNT(*) FROM {CO_MGR} WHERE m.office = 'London' GROUP BY m.id",
        ),
        turn(
            "what_about",
            "what about Austin?",
            f"SELECT m.full_name, COUNT(*) FROM {CO_MGR} WHERE m.office = 'Austin' GROUP BY m.id",
        ),
        turn(
            "chart",
            "as a bar chart",
            f"SELECT m.full_name, COUNT(*) FROM {CO_MGR} WHERE m.office = 'Austin' GROUP BY m.id",
            chart="bar",
        ),
    ),
    chain(
        "saas-fintech-usage",
        turn(
            "first",
            "Total api calls per month in 2026",
            f"SELECT {month('usage_month')} AS m, SUM(api_calls) FROM usage_records "
            f"WHERE {year('usage_month', 2026)} GROUP BY m",
        ),
        turn(
            "filter",
            "only fintech companies",
            f"SELECT {UM} AS m, SUM(u.api_calls) FROM {USE_CO} "
            f"WHERE c.industry = 'fintech' AND {year('u.usage_month', 2026)} GROUP BY m",
        ),
        turn(
            "what_about",
            "what about storage?",
            f"SELECT {UM} AS m, SUM(u.storage_gb) FROM {USE_CO} "
            f"WHERE c.industry = 'fintech' AND {year('u.usage_month', 2026)} GROUP BY m",
        ),
        turn(
            "chart",
            "as a line chart",
            f"SELECT {UM} AS m, SUM(u.storage_gb) FROM {USE_CO} "
            f"WHERE c.industry = 'fintech' AND {year('u.usage_month', 2026)} GROUP BY m",
            chart="line",
        ),
    ),
    chain(
        "saas-churned-plans",
        turn(
            "first",
            "How many subscriptions have churned?",
            "SELECT COUNT(*) FROM subscriptions WHERE status = 'churned'",
        ),
        turn(
            "regroup",
            "by plan",
            f"SELECT p.name, COUNT(*) FROM {SUB_PLAN} WHERE s.status = 'churned' GROUP BY p.name",
        ),
        turn(
            "what_about",
            "what about active ones?",
            f"SELECT p.name, COUNT(*) FROM {SUB_PLAN} WHERE s.status = 'active' GROUP BY p.name",
        ),
        turn(
            "pronoun",
            "what is their average number of seats?",
            f"SELECT p.name, AVG(s.seats) FROM {SUB_PLAN} WHERE s.status = 'active' GROUP BY p.name",
        ),
    ),
    chain(
        "saas-invoices-declines",
        turn(
            "first",
            "How many invoices were issued in 2026?",
            f"SELECT COUNT(*) FROM invoices WHERE {year('issued_on', 2026)}",
        ),
        # Singapore is both a country of companies and an office of account managers.
        turn("decline", "only Singapore", None),
        turn(
            "regroup",
            "by status",
            f"SELECT status, COUNT(*) FROM invoices WHERE {year('issued_on', 2026)} GROUP BY status",
        ),
        turn(
            "filter",
            "only the written off ones",
            f"SELECT COUNT(*) FROM invoices WHERE status = 'written off' AND {year('issued_on', 2026)}",
        ),
    ),
    chain(
        "saas-healthcare-size",
        turn(
            "first",
            "Average yearly budget by size band",
            "SELECT size_band, AVG(yearly_budget) FROM companies GROUP BY size_band",
        ),
        turn(
            "filter",
            "only healthcare companies",
            "SELECT size_band, AVG(yearly_budget) FROM companies WHERE industry = 'healthcare' GROUP BY size_band",
        ),
        turn(
            "measure",
            "how many are there?",
            "SELECT size_band, COUNT(*) FROM companies WHERE industry = 'healthcare' GROUP BY size_band",
        ),
        turn(
            "chart",
            "as a donut chart",
            "SELECT size_band, COUNT(*) FROM companies WHERE industry = 'healthcare' GROUP BY size_band",
            chart="donut",
        ),
    ),
    chain(
        "saas-api-incidents",
        turn(
            "first",
            "How many public api incidents were there?",
            "SELECT COUNT(*) FROM incidents WHERE component = 'public api'",
        ),
        turn(
            "regroup",
            "by severity",
            "SELECT severity, COUNT(*) FROM incidents WHERE component = 'public api' GROUP BY severity",
        ),
        turn(
            "filter",
            "for 2025",
            "SELECT severity, COUNT(*) FROM incidents "
            f"WHERE component = 'public api' AND {year('reported_at', 2025)} GROUP BY severity",
        ),
        turn(
            "what_about",
            "what about the mobile app?",
            "SELECT severity, COUNT(*) FROM incidents "
            f"WHERE component = 'mobile app' AND {year('reported_at', 2025)} GROUP BY severity",
        ),
    ),
    chain(
        "saas-plan-invoicing",
        turn(
            "first",
            "Total invoiced amount per plan in 2025",
            f"SELECT p.name, SUM(i.amount) FROM {INV_PLAN} WHERE {year('i.issued_on', 2025)} GROUP BY p.name",
        ),
        turn(
            "what_about",
            "what about 2026?",
            f"SELECT p.name, SUM(i.amount) FROM {INV_PLAN} WHERE {year('i.issued_on', 2026)} GROUP BY p.name",
        ),
        turn(
            "regroup",
            "by quarter instead",
            f"SELECT {quarter('issued_on')} AS q, SUM(amount) FROM invoices WHERE {year('issued_on', 2026)} GROUP BY q",
        ),
        turn(
            "filter",
            "just settled invoices",
            f"SELECT {quarter('issued_on')} AS q, SUM(amount) FROM invoices "
            f"WHERE status = 'settled' AND {year('issued_on', 2026)} GROUP BY q",
        ),
    ),
    chain(
        "saas-trials-declines",
        turn(
            "first",
            "How many trialing subscriptions are there?",
            "SELECT COUNT(*) FROM subscriptions WHERE status = 'trialing'",
        ),
        turn(
            "regroup",
            "by plan",
            f"SELECT p.name, COUNT(*) FROM {SUB_PLAN} WHERE s.status = 'trialing' GROUP BY p.name",
        ),
        turn("decline", "what about by discount code?", None),  # no discount codes
        turn(
            "table",
            "as a table",
            f"SELECT p.name, COUNT(*) FROM {SUB_PLAN} WHERE s.status = 'trialing' GROUP BY p.name",
            chart="table",
        ),
    ),
]
