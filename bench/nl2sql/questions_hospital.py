"""Benchmark questions over the hospital database (bench/nl2sql/hospital_db.py), with gold SQL.

Same conventions as questions_retail.py: SQLite gold SQL, `:today` bound to the generation date.
"""

from __future__ import annotations

TABLES = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
ROW_COUNTS = " UNION ALL ".join(
    f"SELECT '{t}', COUNT(*) FROM {t}"
    for t in ("departments", "doctors", "patients", "appointments", "medications", "prescriptions", "admissions")
)
APPT_DEPT = "appointments a JOIN doctors d ON d.id = a.doctor_id JOIN departments dep ON dep.id = d.department_id"

QUESTIONS: list[dict] = [
    # --- questions about the database itself ---------------------------------------------------
    {"category": "schema", "question": "What tables does the database have?", "sql": TABLES},
    {
        "category": "schema",
        "question": "What columns are in the patients table?",
        "sql": "SELECT name FROM pragma_table_info('patients')",
    },
    {"category": "schema", "question": "How many rows does each table contain?", "sql": ROW_COUNTS},
    {
        "category": "schema",
        "question": "describe admissions",
        "sql": "SELECT name FROM pragma_table_info('admissions')",
    },
    {
        "category": "schema",
        "question": "Show a donut chart of the number of rows in each table",
        "sql": ROW_COUNTS,
        "chart": "donut",
    },
    {"category": "schema", "question": "list the tables", "sql": TABLES},
    # --- counts with filters ------------------------------------------------------------------
    {"category": "count", "question": "How many patients are there?", "sql": "SELECT COUNT(*) FROM patients"},
    {
        "category": "count",
        "question": "How many doctors work in Cardiology?",
        "sql": "SELECT COUNT(*) FROM doctors d JOIN departments dep ON dep.id = d.department_id "
        "WHERE dep.name = 'Cardiology'",
    },
    {
        "category": "count",
        "question": "How many appointments were no-shows?",
        "sql": "SELECT COUNT(*) FROM appointments WHERE status = 'no-show'",
    },
    {
        "category": "count",
        "question": "How many female patients do we have?",
        "sql": "SELECT COUNT(*) FROM patients WHERE gender = 'female'",
    },
    {
        "category": "count",
        "question": "How many patients are on medicare?",
        "sql": "SELECT COUNT(*) FROM patients WHERE insurance_type = 'medicare'",
    },
    {
        "category": "count",
        "question": "How many telehealth appointments were there?",
        "sql": "SELECT COUNT(*) FROM appointments WHERE visit_type = 'telehealth'",
    },
    {
        "category": "count",
        "question": "How many admissions went to the ICU?",
        "sql": "SELECT COUNT(*) FROM admissions WHERE ward = 'icu'",
    },
    {
        "category": "count",
        "question": "How many patients live in Springfield?",
        "sql": "SELECT COUNT(*) FROM patients WHERE city = 'Springfield'",
    },
    {
        "category": "count",
        "question": "Number of uninsured patients",
        "sql": "SELECT COUNT(*) FROM patients WHERE insurance_type = 'uninsured'",
    },
    {
        "category": "count",
        "question": "How many admissions have not been discharged yet?",
        "sql": "SELECT COUNT(*) FROM admissions WHERE discharged_on IS NULL",
    },
    {
        "category": "count",
        "question": "How many prescriptions are for antibiotics?",
        "sql": "SELECT COUNT(*) FROM prescriptions p JOIN medications m ON m.id = p.medication_id "
        "WHERE m.drug_class = 'antibiotic'",
    },
    {
        "category": "count",
        "question": "How many appointments has Dr. Diego Young had?",
        "sql": "SELECT COUNT(*) FROM appointments a JOIN doctors d ON d.id = a.doctor_id "
        "WHERE d.full_name = 'Dr. Diego Young'",
    },
    {
        "category": "count",
        "question": "How many patients have blood type O-?",
        "sql": "SELECT COUNT(*) FROM patients WHERE blood_type = 'O-'",
    },
    {
        "category": "count",
        "question": "how many distinct diagnoses are there?",
        "sql": "SELECT COUNT(DISTINCT diagnosis) FROM admissions",
    },
    # --- sum / avg / min / max ----------------------------------------------------------------
    {
        "category": "aggregate",
        "question": "What is the average appointment fee?",
        "sql": "SELECT AVG(fee) FROM appointments",
    },
    {
        "category": "aggregate",
        "question": "What's the total amount charged for admissions?",
        "sql": "SELECT SUM(total_charge) FROM admissions",
    },
    {
        "category": "aggregate",
        "question": "What is the average doctor salary?",
        "sql": "SELECT AVG(salary) FROM doctors",
    },
    {
        "category": "aggregate",
        "question": "What's the highest salary of any doctor?",
        "sql": "SELECT MAX(salary) FROM doctors",
    },
    {
        "category": "aggregate",
        "question": "What's the average charge for an ICU admission?",
        "sql": "SELECT AVG(total_charge) FROM admissions WHERE ward = 'icu'",
    },
    {
        "category": "aggregate",
        "question": "Total fees from completed appointments",
        "sql": "SELECT SUM(fee) FROM appointments WHERE status = 'completed'",
    },
    {
        "category": "aggregate",
        "question": "What is the unit cost of the most expensive medication?",
        "sql": "SELECT MAX(unit_cost) FROM medications",
    },
    {
        "category": "aggregate",
        "question": "Total quantity of Amoxicillin prescribed",
        "sql": "SELECT SUM(p.quantity) FROM prescriptions p JOIN medications m ON m.id = p.medication_id "
        "WHERE m.name = 'Amoxicillin'",
    },
    {
        "category": "aggregate",
        "question": "What is the average number of refills per prescription?",
        "sql": "SELECT AVG(refills) FROM prescriptions",
    },
    {
        "category": "aggregate",
        "question": "What's the lowest admission charge?",
        "sql": "SELECT MIN(total_charge) FROM admissions",
    },
    {
        "category": "aggregate",
        "question": "How much did telehealth visits bring in?",
        "sql": "SELECT SUM(fee) FROM appointments WHERE visit_type = 'telehealth'",
    },
    {
        "category": "aggregate",
        "question": "What is the average length of stay for admissions?",
        "sql": "SELECT AVG(julianday(discharged_on) - julianday(admitted_on)) FROM admissions",
    },
    # --- breakdowns ---------------------------------------------------------------------------
    {
        "category": "breakdown",
        "question": "Number of patients by insurance type",
        "sql": "SELECT insurance_type, COUNT(*) FROM patients GROUP BY insurance_type",
    },
    {
        "category": "breakdown",
        "question": "appointments per department",
        "sql": f"SELECT dep.name, COUNT(*) FROM {APPT_DEPT} GROUP BY dep.name",
    },
    {
        "category": "breakdown",
        "question": "Average admission charge by ward",
        "sql": "SELECT ward, AVG(total_charge) FROM admissions GROUP BY ward",
    },
    {
        "category": "breakdown",
        "question": "How many admissions were there for each diagnosis?",
        "sql": "SELECT diagnosis, COUNT(*) FROM admissions GROUP BY diagnosis",
    },
    {
        "category": "breakdown",
        "question": "Total appointment fees by visit type",
        "sql": "SELECT visit_type, SUM(fee) FROM appointments GROUP BY visit_type",
    },
    {
        "category": "breakdown",
        "question": "How many doctors are in each department?",
        "sql": "SELECT dep.name, COUNT(*) FROM doctors d JOIN departments dep ON dep.id = d.department_id "
        "GROUP BY dep.name",
    },
    {
        "category": "breakdown",
        "question": "patients by blood type",
        "sql": "SELECT blood_type, COUNT(*) FROM patients GROUP BY blood_type",
    },
    {
        "category": "breakdown",
        "question": "Show the number of appointments by status as a donut chart",
        "sql": "SELECT status, COUNT(*) FROM appointments GROUP BY status",
        "chart": "donut",
    },
    {
        "category": "breakdown",
        "question": "Admissions by department and ward",
        "sql": "SELECT dep.name, a.ward, COUNT(*) FROM admissions a JOIN departments dep ON dep.id = a.department_id "
        "GROUP BY dep.name, a.ward",
    },
    {
        "category": "breakdown",
        "question": "Average salary per specialty",
        "sql": "SELECT specialty, AVG(salary) FROM doctors GROUP BY specialty",
    },
    {
        "category": "breakdown",
        "question": "Break down patients by gender",
        "sql": "SELECT gender, COUNT(*) FROM patients GROUP BY gender",
    },
    {
        "category": "breakdown",
        "question": "Show total admission charges by department as a bar chart",
        "sql": "SELECT dep.name, SUM(a.total_charge) FROM admissions a JOIN departments dep "
        "ON dep.id = a.department_id GROUP BY dep.name",
        "chart": "bar",
    },
    # --- top / bottom N -----------------------------------------------------------------------
    {
        "category": "top_n",
        "question": "Which doctor has the most appointments?",
        "sql": "SELECT d.full_name FROM appointments a JOIN doctors d ON d.id = a.doctor_id "
        "GROUP BY d.id ORDER BY COUNT(*) DESC LIMIT 1",
    },
    {
        "category": "top_n",
        "question": "Top 5 diagnoses by number of admissions",
        "sql": "SELECT diagnosis, COUNT(*) AS n FROM admissions GROUP BY diagnosis ORDER BY n DESC LIMIT 5",
        "ordered": True,
    },
    {
        "category": "top_n",
        "question": "Which 3 departments bring in the most admission charges?",
        "sql": "SELECT dep.name, SUM(a.total_charge) AS s FROM admissions a JOIN departments dep "
        "ON dep.id = a.department_id GROUP BY dep.name ORDER BY s DESC LIMIT 3",
        "ordered": True,
    },
    {
        "category": "top_n",
        "question": "What are the 5 most prescribed medications?",
        "sql": "SELECT m.name, COUNT(*) AS n FROM prescriptions p JOIN medications m ON m.id = p.medication_id "
        "GROUP BY m.id ORDER BY n DESC LIMIT 5",
        "ordered": True,
    },
    {
        "category": "top_n",
        "question": "Which city has the most patients?",
        "sql": "SELECT city FROM patients GROUP BY city ORDER BY COUNT(*) DESC LIMIT 1",
    },
    {
        "category": "top_n",
        "question": "Top 10 highest paid doctors",
        "sql": "SELECT full_name, salary FROM doctors ORDER BY salary DESC LIMIT 10",
        "ordered": True,
    },
    {
        "category": "top_n",
        "question": "Which 5 patients had the most admissions?",
        "sql": "SELECT p.first_name, p.last_name, COUNT(*) AS n FROM admissions a JOIN patients p "
        "ON p.id = a.patient_id GROUP BY p.id ORDER BY n DESC, p.id LIMIT 5",
    },
    {
        "category": "top_n",
        "question": "What are the 3 least expensive medications?",
        "sql": "SELECT name, unit_cost FROM medications ORDER BY unit_cost ASC LIMIT 3",
        "ordered": True,
    },
    {
        "category": "top_n",
        "question": "Which insurance type has the highest average admission charge?",
        "sql": "SELECT p.insurance_type FROM admissions a JOIN patients p ON p.id = a.patient_id "
        "GROUP BY p.insurance_type ORDER BY AVG(a.total_charge) DESC LIMIT 1",
    },
    {
        "category": "top_n",
        "question": "Which specialty pays the highest average salary?",
        "sql": "SELECT specialty FROM doctors GROUP BY specialty ORDER BY AVG(salary) DESC LIMIT 1",
    },
    {
        "category": "top_n",
        "question": "top 5 doctors by total fees",
        "sql": "SELECT d.full_name, SUM(a.fee) AS s FROM appointments a JOIN doctors d ON d.id = a.doctor_id "
        "GROUP BY d.id ORDER BY s DESC LIMIT 5",
        "ordered": True,
    },
    {
        "category": "top_n",
        "question": "Which ward has the longest average stay?",
        "sql": "SELECT ward FROM admissions GROUP BY ward "
        "ORDER BY AVG(julianday(discharged_on) - julianday(admitted_on)) DESC LIMIT 1",
    },
    # --- trends -------------------------------------------------------------------------------
    {
        "category": "trend",
        "question": "Show monthly appointment counts for 2025 as a line chart",
        "sql": "SELECT strftime('%Y-%m', scheduled_at) AS m, COUNT(*) FROM appointments "
        "WHERE scheduled_at >= '2025-01-01' AND scheduled_at < '2026-01-01' GROUP BY m",
        "chart": "line",
    },
    {
        "category": "trend",
        "question": "admissions per month",
        "sql": "SELECT strftime('%Y-%m', admitted_on) AS m, COUNT(*) FROM admissions GROUP BY m",
    },
    {
        "category": "trend",
        "question": "Plot total admission charges by month over the last 12 months",
        "sql": "SELECT strftime('%Y-%m', admitted_on) AS m, SUM(total_charge) FROM admissions "
        "WHERE admitted_on >= date(:today, '-12 months') GROUP BY m",
        "chart": "line",
    },
    {
        "category": "trend",
        "question": "How many new patients registered each month this year?",
        "sql": "SELECT strftime('%Y-%m', registered_on) AS m, COUNT(*) FROM patients "
        "WHERE registered_on >= date(:today, 'start of year') GROUP BY m",
    },
    {
        "category": "trend",
        "question": "Yearly appointment fees",
        "sql": "SELECT strftime('%Y', scheduled_at) AS y, SUM(fee) FROM appointments GROUP BY y",
    },
    {
        "category": "trend",
        "question": "Average admission charge per quarter",
        "sql": "SELECT strftime('%Y', admitted_on) || '-Q' || ((CAST(strftime('%m', admitted_on) AS INTEGER) + 2) / 3) "
        "AS q, AVG(total_charge) FROM admissions GROUP BY q",
    },
    {
        "category": "trend",
        "question": "Show an area chart of telehealth appointments per month",
        "sql": "SELECT strftime('%Y-%m', scheduled_at) AS m, COUNT(*) FROM appointments "
        "WHERE visit_type = 'telehealth' GROUP BY m",
        "chart": "area",
    },
    {
        "category": "trend",
        "question": "Number of cancelled appointments per month in 2025",
        "sql": "SELECT strftime('%Y-%m', scheduled_at) AS m, COUNT(*) FROM appointments WHERE status = 'cancelled' "
        "AND scheduled_at >= '2025-01-01' AND scheduled_at < '2026-01-01' GROUP BY m",
    },
    {
        "category": "trend",
        "question": "appointments by year",
        "sql": "SELECT strftime('%Y', scheduled_at) AS y, COUNT(*) FROM appointments GROUP BY y",
    },
    {
        "category": "trend",
        "question": "How many prescriptions were written each month?",
        "sql": "SELECT strftime('%Y-%m', a.scheduled_at) AS m, COUNT(*) FROM prescriptions p "
        "JOIN appointments a ON a.id = p.appointment_id GROUP BY m",
    },
    # --- date filters -------------------------------------------------------------------------
    {
        "category": "date_filter",
        "question": "How many appointments were there last month?",
        "sql": "SELECT COUNT(*) FROM appointments WHERE scheduled_at >= date(:today, 'start of month', '-1 month') "
        "AND scheduled_at < date(:today, 'start of month')",
    },
    {
        "category": "date_filter",
        "question": "Admissions in 2025",
        "sql": "SELECT COUNT(*) FROM admissions WHERE admitted_on >= '2025-01-01' AND admitted_on < '2026-01-01'",
    },
    {
        "category": "date_filter",
        "question": "What were the total appointment fees this year?",
        "sql": "SELECT SUM(fee) FROM appointments WHERE scheduled_at >= date(:today, 'start of year')",
    },
    {
        "category": "date_filter",
        "question": "How many patients were admitted in the last 30 days?",
        "sql": "SELECT COUNT(DISTINCT patient_id) FROM admissions WHERE admitted_on >= date(:today, '-30 days')",
    },
    {
        "category": "date_filter",
        "question": "How many appointments were scheduled between 2025-06-01 and 2025-06-30?",
        "sql": "SELECT COUNT(*) FROM appointments WHERE scheduled_at >= '2025-06-01' AND scheduled_at < '2025-07-01'",
    },
    {
        "category": "date_filter",
        "question": "How many admissions since March 2026?",
        "sql": "SELECT COUNT(*) FROM admissions WHERE admitted_on >= '2026-03-01'",
    },
    {
        "category": "date_filter",
        "question": "How many telehealth appointments happened in the past 90 days?",
        "sql": "SELECT COUNT(*) FROM appointments WHERE visit_type = 'telehealth' "
        "AND scheduled_at >= date(:today, '-90 days')",
    },
    {
        "category": "date_filter",
        "question": "Average appointment fee in Q1 2025",
        "sql": "SELECT AVG(fee) FROM appointments WHERE scheduled_at >= '2025-01-01' AND scheduled_at < '2025-04-01'",
    },
    {
        "category": "date_filter",
        "question": "How many appointments took place yesterday?",
        "sql": "SELECT COUNT(*) FROM appointments WHERE date(scheduled_at) = date(:today, '-1 day')",
    },
    {
        "category": "date_filter",
        "question": "Total admission charges last year",
        "sql": "SELECT SUM(total_charge) FROM admissions WHERE admitted_on >= date(:today, 'start of year', '-1 year') "
        "AND admitted_on < date(:today, 'start of year')",
    },
    # --- listing rows -------------------------------------------------------------------------
    {
        "category": "list",
        "question": "List the doctors in the Neurology department",
        "sql": "SELECT d.full_name FROM doctors d JOIN departments dep ON dep.id = d.department_id "
        "WHERE dep.name = 'Neurology'",
    },
    {
        "category": "list",
        "question": "Show patients from Ashland",
        "sql": "SELECT id FROM patients WHERE city = 'Ashland'",
    },
    {
        "category": "list",
        "question": "List all statin medications",
        "sql": "SELECT name FROM medications WHERE drug_class = 'statin'",
    },
    {
        "category": "list",
        "question": "Show ICU admissions from last month",
        "sql": "SELECT id FROM admissions WHERE ward = 'icu' "
        "AND admitted_on >= date(:today, 'start of month', '-1 month') "
        "AND admitted_on < date(:today, 'start of month')",
    },
    {
        "category": "list",
        "question": "Which doctors earn more than $400,000?",
        "sql": "SELECT full_name FROM doctors WHERE salary > 400000",
    },
    {
        "category": "list",
        "question": "List medications with a unit cost under 0.10",
        "sql": "SELECT name FROM medications WHERE unit_cost < 0.10",
    },
    {
        "category": "list",
        "question": "Show the 5 most recent admissions",
        "sql": "SELECT id FROM admissions ORDER BY admitted_on DESC, id DESC LIMIT 5",
    },
    {"category": "list", "question": "list the departments", "sql": "SELECT name FROM departments"},
    {
        "category": "list",
        "question": "Show appointments with Dr. Diego Young in the last 30 days",
        "sql": "SELECT a.id FROM appointments a JOIN doctors d ON d.id = a.doctor_id "
        "WHERE d.full_name = 'Dr. Diego Young' AND a.scheduled_at >= date(:today, '-30 days')",
    },
    {
        "category": "list",
        "question": "Which patients have blood type AB-?",
        "sql": "SELECT id FROM patients WHERE blood_type = 'AB-'",
    },
    {
        "category": "list",
        "question": "Show the departments in the North Wing",
        "sql": "SELECT name FROM departments WHERE building = 'North Wing'",
    },
]

# --- held-out questions ---------------------------------------------------------------------------
# Written after the engine reached 100% on the questions above, and scored once before any change
# to the engine (see README: the first-run figure is reported). They are part of the benchmark.
HELD_OUT: list[dict] = [
    {"category": "schema", "question": "Which tables exist?", "sql": TABLES},
    {
        "category": "schema",
        "question": "What are the fields of the doctors table?",
        "sql": "SELECT name FROM pragma_table_info('doctors')",
    },
    {
        "category": "count",
        "question": "How many medications are in the antibiotic class?",
        "sql": "SELECT COUNT(*) FROM medications WHERE drug_class = 'antibiotic'",
    },
    {"category": "count", "question": "How many doctors are there in total?", "sql": "SELECT COUNT(*) FROM doctors"},
    {
        "category": "count",
        "question": "How many admissions to the private ward?",
        "sql": "SELECT COUNT(*) FROM admissions WHERE ward = 'private'",
    },
    {
        "category": "count",
        "question": "How many appointments were in-person?",
        "sql": "SELECT COUNT(*) FROM appointments WHERE visit_type = 'in-person'",
    },
    {
        "category": "count",
        "question": "how many patients are male",
        "sql": "SELECT COUNT(*) FROM patients WHERE gender = 'male'",
    },
    {
        "category": "count",
        "question": "How many patients have private insurance?",
        "sql": "SELECT COUNT(*) FROM patients WHERE insurance_type = 'private'",
    },
    {
        "category": "count",
        "question": "How many prescriptions have more than 2 refills?",
        "sql": "SELECT COUNT(*) FROM prescriptions WHERE refills > 2",
    },
    {
        "category": "aggregate",
        "question": "What's the average salary of cardiologists?",
        "sql": "SELECT AVG(salary) FROM doctors WHERE specialty = 'Cardiologist'",
    },
    {
        "category": "aggregate",
        "question": "What is the total fee revenue from follow-up visits?",
        "sql": "SELECT SUM(fee) FROM appointments WHERE visit_type = 'follow-up'",
    },
    {
        "category": "aggregate",
        "question": "maximum admission charge in the ICU",
        "sql": "SELECT MAX(total_charge) FROM admissions WHERE ward = 'icu'",
    },
    {
        "category": "aggregate",
        "question": "What is the average quantity per prescription?",
        "sql": "SELECT AVG(quantity) FROM prescriptions",
    },
    {
        "category": "aggregate",
        "question": "What is the lowest doctor salary?",
        "sql": "SELECT MIN(salary) FROM doctors",
    },
    {
        "category": "breakdown",
        "question": "Appointments by visit type",
        "sql": "SELECT visit_type, COUNT(*) FROM appointments GROUP BY visit_type",
    },
    {
        "category": "breakdown",
        "question": "Average fee per department",
        "sql": f"SELECT dep.name, AVG(a.fee) FROM {APPT_DEPT} GROUP BY dep.name",
    },
    {
        "category": "breakdown",
        "question": "How many patients are in each city?",
        "sql": "SELECT city, COUNT(*) FROM patients GROUP BY city",
    },
    {
        "category": "breakdown",
        "question": "number of medications per drug class",
        "sql": "SELECT drug_class, COUNT(*) FROM medications GROUP BY drug_class",
    },
    {
        "category": "breakdown",
        "question": "Admissions by ward as a pie chart",
        "sql": "SELECT ward, COUNT(*) FROM admissions GROUP BY ward",
        "chart": "pie",
    },
    {
        "category": "breakdown",
        "question": "Total prescribed quantity by drug class",
        "sql": "SELECT m.drug_class, SUM(p.quantity) FROM prescriptions p JOIN medications m ON m.id = p.medication_id "
        "GROUP BY m.drug_class",
    },
    {
        "category": "top_n",
        "question": "Which department has the most doctors?",
        "sql": "SELECT dep.name, COUNT(*) AS n FROM doctors d JOIN departments dep ON dep.id = d.department_id "
        "GROUP BY dep.id ORDER BY n DESC LIMIT 1",
    },
    {
        "category": "top_n",
        "question": "Top 3 cities by number of patients",
        "sql": "SELECT city, COUNT(*) AS n FROM patients GROUP BY city ORDER BY n DESC LIMIT 3",
        "ordered": True,
    },
    {
        "category": "top_n",
        "question": "Which doctor earns the most?",
        "sql": "SELECT full_name FROM doctors ORDER BY salary DESC LIMIT 1",
    },
    {
        "category": "top_n",
        "question": "What are the 5 most common diagnoses?",
        "sql": "SELECT diagnosis, COUNT(*) AS n FROM admissions GROUP BY diagnosis ORDER BY n DESC LIMIT 5",
        "ordered": True,
    },
    {
        "category": "top_n",
        "question": "Which medication class is prescribed the most?",
        "sql": "SELECT m.drug_class FROM prescriptions p JOIN medications m ON m.id = p.medication_id "
        "GROUP BY m.drug_class ORDER BY COUNT(*) DESC LIMIT 1",
    },
    {
        "category": "trend",
        "question": "Monthly admissions in 2025 as a bar chart",
        "sql": "SELECT strftime('%Y-%m', admitted_on) AS m, COUNT(*) FROM admissions "
        "WHERE admitted_on >= '2025-01-01' AND admitted_on < '2026-01-01' GROUP BY m",
        "chart": "bar",
    },
    {
        "category": "trend",
        "question": "How did appointment volume change month by month over the last 6 months?",
        "sql": "SELECT strftime('%Y-%m', scheduled_at) AS m, COUNT(*) FROM appointments "
        "WHERE scheduled_at >= date(:today, '-6 months') GROUP BY m",
    },
    {
        "category": "trend",
        "question": "Yearly number of admissions",
        "sql": "SELECT strftime('%Y', admitted_on) AS y, COUNT(*) FROM admissions GROUP BY y",
    },
    {
        "category": "trend",
        "question": "plot average appointment fee per month",
        "sql": "SELECT strftime('%Y-%m', scheduled_at) AS m, AVG(fee) FROM appointments GROUP BY m",
        "chart": "line",
    },
    {
        "category": "date_filter",
        "question": "How many appointments were cancelled last month?",
        "sql": "SELECT COUNT(*) FROM appointments WHERE status = 'cancelled' "
        "AND scheduled_at >= date(:today, 'start of month', '-1 month') "
        "AND scheduled_at < date(:today, 'start of month')",
    },
    {
        "category": "date_filter",
        "question": "Admissions this year",
        "sql": "SELECT COUNT(*) FROM admissions WHERE admitted_on >= date(:today, 'start of year')",
    },
    {
        "category": "date_filter",
        "question": "How many doctors were hired after 2020?",
        "sql": "SELECT COUNT(*) FROM doctors WHERE hire_date >= '2021-01-01'",
    },
    {
        "category": "date_filter",
        "question": "Total admission charges between January and March 2026",
        "sql": "SELECT SUM(total_charge) FROM admissions "
        "WHERE admitted_on >= '2026-01-01' AND admitted_on < '2026-04-01'",
    },
    {
        "category": "list",
        "question": "Show all no-show appointments from yesterday",
        "sql": "SELECT id FROM appointments WHERE status = 'no-show' AND date(scheduled_at) = date(:today, '-1 day')",
    },
    {
        "category": "list",
        "question": "List patients born before 1950",
        "sql": "SELECT id FROM patients WHERE birth_date < '1950-01-01'",
    },
    {
        "category": "list",
        "question": "Which medications cost more than 5 per unit?",
        "sql": "SELECT name FROM medications WHERE unit_cost > 5",
    },
    {
        "category": "list",
        "question": "Show admissions with a total charge above 50,000",
        "sql": "SELECT id FROM admissions WHERE total_charge > 50000",
    },
    {
        "category": "list",
        "question": "List the doctors hired in the last year",
        "sql": "SELECT full_name FROM doctors WHERE hire_date >= date(:today, '-12 months')",
    },
]

# --- second held-out round ----------------------------------------------------------------------
# Written after the first held-out round had been used for fixes; its first-run score is reported.
FRESH: list[dict] = [
    {"category": "schema", "question": "what tables are available?", "sql": TABLES},
    {
        "category": "schema",
        "question": "show me the columns of prescriptions",
        "sql": "SELECT name FROM pragma_table_info('prescriptions')",
    },
    {
        "category": "count",
        "question": "how many patients have medicaid",
        "sql": "SELECT COUNT(*) FROM patients WHERE insurance_type = 'medicaid'",
    },
    {
        "category": "count",
        "question": "How many pediatricians are there?",
        "sql": "SELECT COUNT(*) FROM doctors WHERE specialty = 'Pediatrician'",
    },
    {
        "category": "count",
        "question": "number of appointments that were not completed",
        "sql": "SELECT COUNT(*) FROM appointments WHERE status <> 'completed'",
    },
    {
        "category": "count",
        "question": "how many admissions were for pneumonia?",
        "sql": "SELECT COUNT(*) FROM admissions WHERE diagnosis = 'pneumonia'",
    },
    {
        "category": "aggregate",
        "question": "what is the average salary in the oncology department?",
        "sql": "SELECT AVG(d.salary) FROM doctors d JOIN departments dep ON dep.id = d.department_id "
        "WHERE dep.name = 'Oncology'",
    },
    {
        "category": "aggregate",
        "question": "total charges for stroke admissions",
        "sql": "SELECT SUM(total_charge) FROM admissions WHERE diagnosis = 'stroke'",
    },
    {
        "category": "aggregate",
        "question": "what's the highest fee ever charged for an appointment?",
        "sql": "SELECT MAX(fee) FROM appointments",
    },
    {
        "category": "breakdown",
        "question": "give me the number of admissions in each ward",
        "sql": "SELECT ward, COUNT(*) FROM admissions GROUP BY ward",
    },
    {
        "category": "breakdown",
        "question": "appointment count by doctor specialty",
        "sql": "SELECT d.specialty, COUNT(*) FROM appointments a JOIN doctors d ON d.id = a.doctor_id "
        "GROUP BY d.specialty",
    },
    {
        "category": "breakdown",
        "question": "patients by insurance as a bar chart",
        "sql": "SELECT insurance_type, COUNT(*) FROM patients GROUP BY insurance_type",
        "chart": "bar",
    },
    {
        "category": "breakdown",
        "question": "average admission charge for each diagnosis",
        "sql": "SELECT diagnosis, AVG(total_charge) FROM admissions GROUP BY diagnosis",
    },
    {
        "category": "top_n",
        "question": "which 3 medications have the highest unit cost",
        "sql": "SELECT name, unit_cost FROM medications ORDER BY unit_cost DESC LIMIT 3",
        "ordered": True,
    },
    {
        "category": "top_n",
        "question": "What is the least common blood type?",
        "sql": "SELECT blood_type FROM patients GROUP BY blood_type ORDER BY COUNT(*) ASC LIMIT 1",
    },
    {
        "category": "top_n",
        "question": "who is the longest serving doctor?",
        "sql": "SELECT full_name FROM doctors ORDER BY hire_date ASC LIMIT 1",
    },
    {
        "category": "trend",
        "question": "plot new patient registrations per month over the last year",
        "sql": "SELECT strftime('%Y-%m', registered_on) AS m, COUNT(*) FROM patients "
        "WHERE registered_on >= date(:today, '-12 months') GROUP BY m",
        "chart": "line",
    },
    {
        "category": "trend",
        "question": "icu admissions per quarter",
        "sql": "SELECT strftime('%Y', admitted_on) || '-Q' || ((CAST(strftime('%m', admitted_on) AS INTEGER) + 2) / 3) "
        "AS q, COUNT(*) FROM admissions WHERE ward = 'icu' GROUP BY q",
    },
    {
        "category": "trend",
        "question": "total fees per month in 2026",
        "sql": "SELECT strftime('%Y-%m', scheduled_at) AS m, SUM(fee) FROM appointments "
        "WHERE scheduled_at >= '2026-01-01' AND scheduled_at < '2027-01-01' GROUP BY m",
    },
    {
        "category": "date_filter",
        "question": "how many patients registered this month?",
        "sql": "SELECT COUNT(*) FROM patients WHERE registered_on >= date(:today, 'start of month')",
    },
    {
        "category": "date_filter",
        "question": "How many admissions were there in the past 2 weeks?",
        "sql": "SELECT COUNT(*) FROM admissions WHERE admitted_on >= date(:today, '-14 days')",
    },
    {
        "category": "date_filter",
        "question": "appointments in March 2026",
        "sql": "SELECT COUNT(*) FROM appointments WHERE scheduled_at >= '2026-03-01' AND scheduled_at < '2026-04-01'",
    },
    {
        "category": "list",
        "question": "show me the opioid medications",
        "sql": "SELECT name FROM medications WHERE drug_class = 'opioid'",
    },
    {
        "category": "list",
        "question": "list the departments on the second floor",
        "sql": "SELECT name FROM departments WHERE floor = 2",
    },
    {
        "category": "list",
        "question": "which patients from Milton are uninsured?",
        "sql": "SELECT id FROM patients WHERE city = 'Milton' AND insurance_type = 'uninsured'",
    },
]
