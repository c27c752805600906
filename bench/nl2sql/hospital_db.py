"""Deterministic SQLite database of a regional hospital: the benchmark's second domain.

The NL→SQL engine never mentions anything in here; the benchmark uses this database to check
that what the engine does on the retail demo database carries over to another schema.

Schema (foreign keys declared):

- departments(id, name, building, floor)
- doctors(id, full_name, specialty, department_id -> departments, hire_date, salary)
- patients(id, first_name, last_name, gender, birth_date, city, insurance_type, blood_type, registered_on)
- appointments(id, patient_id -> patients, doctor_id -> doctors, scheduled_at, status, visit_type, fee)
- medications(id, name, drug_class, unit_cost)
- prescriptions(id, appointment_id -> appointments, medication_id -> medications, quantity, refills)
- admissions(id, patient_id -> patients, department_id -> departments, admitted_on, discharged_on,
  diagnosis, ward, total_charge)

Dates are ISO text; appointments are timestamps 'YYYY-MM-DD HH:MM:SS'. Every appointment and
admission falls in the two years before `today`.
Usage: ``python bench/nl2sql/hospital_db.py PATH [--seed N] [--today YYYY-MM-DD]``.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlite_file import Row, generator_main, pick, write_database

WINDOW_DAYS = 730
N_PATIENTS = 2000
N_APPOINTMENTS = 9000
N_ADMISSIONS = 1200

TABLES = ("departments", "doctors", "patients", "appointments", "medications", "prescriptions", "admissions")

SCHEMA = """
CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    building TEXT NOT NULL,
    floor INTEGER NOT NULL
);
CREATE TABLE doctors (
    id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    specialty TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    hire_date TEXT NOT NULL,
    salary REAL NOT NULL
);
CREATE TABLE patients (
    id INTEGER PRIMARY KEY,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    city TEXT NOT NULL,
    insurance_type TEXT NOT NULL,
    blood_type TEXT NOT NULL,
    registered_on TEXT NOT NULL
);
CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    doctor_id INTEGER NOT NULL REFERENCES doctors (id),
    scheduled_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('completed', 'cancelled', 'no-show')),
    visit_type TEXT NOT NULL,
    fee REAL NOT NULL
);
CREATE TABLE medications (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    drug_class TEXT NOT NULL,
    unit_cost REAL NOT NULL
);
CREATE TABLE prescriptions (
    id INTEGER PRIMARY KEY,
    appointment_id INTEGER NOT NULL REFERENCES appointments (id),
    medication_id INTEGER NOT NULL REFERENCES medications (id),
    quantity INTEGER NOT NULL,
    refills INTEGER NOT NULL
);
CREATE TABLE admissions (
    id INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    admitted_on TEXT NOT NULL,
    discharged_on TEXT,
    diagnosis TEXT NOT NULL,
    ward TEXT NOT NULL,
    total_charge REAL NOT NULL
);
CREATE INDEX idx_doctors_department ON doctors (department_id);
CREATE INDEX idx_appointments_patient ON appointments (patient_id);
CREATE INDEX idx_appointments_doctor ON appointments (doctor_id);
CREATE INDEX idx_prescriptions_appointment ON prescriptions (appointment_id);
CREATE INDEX idx_prescriptions_medication ON prescriptions (medication_id);
CREATE INDEX idx_admissions_patient ON admissions (patient_id);
CREATE INDEX idx_admissions_department ON admissions (department_id);
"""

# fmt: off
# (name, building, floor, specialties, base visit fee, weight of visits)
DEPARTMENTS = (
    ("Cardiology", "North Wing", 3, ("Cardiologist", "Cardiac Surgeon"), 220.0, 1.3),
    ("Neurology", "North Wing", 4, ("Neurologist",), 240.0, 0.8),
    ("Orthopedics", "East Wing", 2, ("Orthopedic Surgeon", "Sports Medicine"), 190.0, 1.1),
    ("Pediatrics", "South Wing", 1, ("Pediatrician",), 120.0, 1.4),
    ("Oncology", "West Wing", 5, ("Oncologist", "Radiation Oncologist"), 310.0, 0.7),
    ("Emergency Medicine", "Main Building", 1, ("Emergency Physician",), 280.0, 0.9),
    ("General Surgery", "Main Building", 2, ("General Surgeon",), 260.0, 0.7),
    ("Dermatology", "East Wing", 3, ("Dermatologist",), 150.0, 0.9),
    ("Internal Medicine", "Main Building", 3, ("Internist", "Hospitalist"), 140.0, 1.6),
    ("Obstetrics", "South Wing", 2, ("Obstetrician",), 180.0, 0.8),
)
FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "William", "Mia",
    "Benjamin", "Charlotte", "Lucas", "Amelia", "Henry", "Harper", "Alexander", "Evelyn", "Daniel",
    "Abigail", "Michael", "Emily", "Mateo", "Ella", "Jackson", "Grace", "Samuel", "Chloe", "David",
    "Aaliyah", "Omar", "Priya", "Wei", "Fatima", "Diego", "Hannah", "Kenji", "Zoe", "Ibrahim",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
    "Lee", "Perez", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Nguyen", "Hill", "Flores", "Green", "Adams", "Baker",
)
CITIES = (
    ("Springfield", 30), ("Riverside", 18), ("Fairview", 12), ("Greenville", 10), ("Madison", 9),
    ("Salem", 7), ("Georgetown", 5), ("Clinton", 4), ("Ashland", 3), ("Milton", 2),
)
INSURANCE = (("private", 48), ("medicare", 24), ("medicaid", 18), ("uninsured", 10))
BLOOD_TYPES = (("O+", 37), ("A+", 34), ("B+", 9), ("AB+", 4), ("O-", 7), ("A-", 6), ("B-", 2), ("AB-", 1))
GENDERS = (("female", 51), ("male", 48), ("nonbinary", 1))
VISIT_TYPES = (("in-person", 62), ("telehealth", 23), ("follow-up", 15))
APPOINTMENT_STATUS = (("completed", 84), ("cancelled", 10), ("no-show", 6))
# (name, drug class, unit cost)
MEDICATIONS = (
    ("Atorvastatin", "statin", 0.35), ("Rosuvastatin", "statin", 0.60), ("Simvastatin", "statin", 0.20),
    ("Lisinopril", "ACE inhibitor", 0.15), ("Enalapril", "ACE inhibitor", 0.25), ("Ramipril", "ACE inhibitor", 0.30),
    ("Metoprolol", "beta blocker", 0.22), ("Atenolol", "beta blocker", 0.18), ("Carvedilol", "beta blocker", 0.40),
    ("Amoxicillin", "antibiotic", 0.45), ("Azithromycin", "antibiotic", 1.80), ("Ciprofloxacin", "antibiotic", 0.90),
    ("Doxycycline", "antibiotic", 0.75), ("Cephalexin", "antibiotic", 0.55),
    ("Ibuprofen", "analgesic", 0.05), ("Acetaminophen", "analgesic", 0.04), ("Naproxen", "analgesic", 0.12),
    ("Tramadol", "opioid", 0.65), ("Oxycodone", "opioid", 1.25), ("Hydrocodone", "opioid", 0.95),
    ("Metformin", "antidiabetic", 0.10), ("Glipizide", "antidiabetic", 0.14),
    ("Insulin Glargine", "antidiabetic", 9.50),
    ("Sertraline", "antidepressant", 0.30), ("Fluoxetine", "antidepressant", 0.28),
    ("Escitalopram", "antidepressant", 0.33),
    ("Omeprazole", "proton pump inhibitor", 0.20), ("Pantoprazole", "proton pump inhibitor", 0.26),
    ("Albuterol", "bronchodilator", 2.10), ("Montelukast", "bronchodilator", 0.50),
    ("Warfarin", "anticoagulant", 0.16), ("Apixaban", "anticoagulant", 6.80),
    ("Levothyroxine", "hormone", 0.19), ("Prednisone", "corticosteroid", 0.11),
    ("Gabapentin", "anticonvulsant", 0.21), ("Levetiracetam", "anticonvulsant", 0.85),
    ("Cetirizine", "antihistamine", 0.08), ("Loratadine", "antihistamine", 0.07),
)
DIAGNOSES = (
    ("pneumonia", 12, 5.0, 9000), ("heart failure", 9, 6.0, 16000), ("myocardial infarction", 5, 5.5, 28000),
    ("stroke", 5, 7.0, 24000), ("hip fracture", 6, 6.5, 21000), ("appendicitis", 7, 2.5, 14000),
    ("sepsis", 4, 8.0, 32000), ("copd exacerbation", 7, 4.5, 10000), ("childbirth", 14, 2.0, 9500),
    ("kidney stones", 6, 1.5, 6500), ("cellulitis", 6, 3.5, 7000), ("diabetic ketoacidosis", 4, 3.0, 12000),
    ("chemotherapy complication", 5, 5.0, 19000), ("concussion", 5, 1.5, 5000), ("gallbladder disease", 5, 2.5, 13000),
)
# diagnosis -> department admitting it
DIAGNOSIS_DEPARTMENT = {
    "pneumonia": "Internal Medicine", "heart failure": "Cardiology", "myocardial infarction": "Cardiology",
    "stroke": "Neurology", "hip fracture": "Orthopedics", "appendicitis": "General Surgery",
    "sepsis": "Emergency Medicine", "copd exacerbation": "Internal Medicine", "childbirth": "Obstetrics",
    "kidney stones": "Emergency Medicine", "cellulitis": "Dermatology", "diabetic ketoacidosis": "Internal Medicine",
    "chemotherapy complication": "Oncology", "concussion": "Emergency Medicine",
    "gallbladder disease": "General Surgery",
}
WARDS = (("general", 70), ("icu", 12), ("private", 18))
# fmt: on


def generate(seed: int, today: date) -> dict[str, list[Row]]:
    rng = random.Random(seed)
    start = today - timedelta(days=WINDOW_DAYS)
    days = [start + timedelta(days=i) for i in range(WINDOW_DAYS)]  # start .. today - 1

    departments: list[Row] = []
    doctors: list[Row] = []
    doctors_by_dept: dict[int, list[int]] = {}
    dept_weight: list[float] = []
    dept_fee: dict[int, float] = {}
    taken_names: set[str] = set()
    for dept_id, (name, building, floor, specialties, fee, weight) in enumerate(DEPARTMENTS, start=1):
        departments.append((dept_id, name, building, floor))
        dept_weight.append(weight)
        dept_fee[dept_id] = fee
        for _ in range(rng.randint(4, 8)):
            while True:
                full = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                if full not in taken_names:
                    taken_names.add(full)
                    break
            hired = start - timedelta(days=rng.randint(-500, 20 * 365))
            salary = round(rng.uniform(180_000, 420_000) * (1.2 if fee > 250 else 1.0), -2)
            doc_id = len(doctors) + 1
            doctors.append((doc_id, f"Dr. {full}", rng.choice(specialties), dept_id, hired.isoformat(), salary))
            doctors_by_dept.setdefault(dept_id, []).append(doc_id)
    doctor_hired = {d[0]: date.fromisoformat(str(d[4])) for d in doctors}

    patients: list[Row] = []
    for pid in range(1, N_PATIENTS + 1):
        gender = pick(rng, GENDERS)
        age_days = int(rng.triangular(0, 95, 48) * 365.25)
        birth = today - timedelta(days=age_days + rng.randint(0, 364))
        registered = start - timedelta(days=rng.randint(0, 3000)) if rng.random() < 0.55 else rng.choice(days)
        patients.append(
            (
                pid,
                rng.choice(FIRST_NAMES),
                rng.choice(LAST_NAMES),
                gender,
                birth.isoformat(),
                pick(rng, CITIES),
                pick(rng, INSURANCE),
                pick(rng, BLOOD_TYPES),
                registered.isoformat(),
            )
        )
    registered_on = [date.fromisoformat(str(p[8])) for p in patients]
    # Visit volume grows a little over the window and dips in summer; weekends are quiet.
    day_weights = [
        (1 + 0.3 * i / WINDOW_DAYS) * (0.8 if d.month in (7, 8) else 1.0) * (0.35 if d.weekday() >= 5 else 1.0)
        for i, d in enumerate(days)
    ]
    activity = [rng.lognormvariate(0, 0.9) for _ in patients]

    appointments: list[Row] = []
    appointment_days = sorted(rng.choices(days, weights=day_weights, k=N_APPOINTMENTS))
    for appt_id, day in enumerate(appointment_days, start=1):
        while True:
            patient = rng.choices(range(N_PATIENTS), weights=activity)[0]
            if registered_on[patient] <= day:
                break
        dept = rng.choices(range(1, len(DEPARTMENTS) + 1), weights=dept_weight)[0]
        eligible = [d for d in doctors_by_dept[dept] if doctor_hired[d] <= day] or doctors_by_dept[dept][:1]
        doctor = rng.choice(eligible)
        at = datetime.combine(day, datetime.min.time()) + timedelta(
            hours=rng.randint(8, 17), minutes=rng.choice((0, 15, 30, 45))
        )
        status = pick(rng, APPOINTMENT_STATUS)
        visit_type = pick(rng, VISIT_TYPES)
        fee = dept_fee[dept] * (0.6 if visit_type == "telehealth" else 0.8 if visit_type == "follow-up" else 1.0)
        fee = round(fee * rng.uniform(0.9, 1.25), 2) if status == "completed" else 0.0
        appointments.append((appt_id, patient + 1, doctor, at.strftime("%Y-%m-%d %H:%M:%S"), status, visit_type, fee))

    medications: list[Row] = [(i, n, c, cost) for i, (n, c, cost) in enumerate(MEDICATIONS, start=1)]
    prescriptions: list[Row] = []
    for appt in appointments:
        if appt[4] != "completed" or rng.random() < 0.45:
            continue
        for med in rng.sample(range(1, len(MEDICATIONS) + 1), k=rng.choices((1, 2, 3), weights=(60, 30, 10))[0]):
            quantity = rng.choice((10, 14, 20, 28, 30, 60, 90))
            refills = rng.choices((0, 1, 2, 3, 5), weights=(40, 25, 15, 12, 8))[0]
            prescriptions.append((len(prescriptions) + 1, appt[0], med, quantity, refills))

    admissions: list[Row] = []
    dept_ids = {d[1]: d[0] for d in departments}
    diag_weights = [d[1] for d in DIAGNOSES]
    for adm_day in sorted(rng.choices(days, weights=day_weights, k=N_ADMISSIONS)):
        while True:
            patient = rng.choices(range(N_PATIENTS), weights=activity)[0]
            if registered_on[patient] <= adm_day:
                break
        diagnosis, _, mean_stay, base_charge = DIAGNOSES[rng.choices(range(len(DIAGNOSES)), weights=diag_weights)[0]]
        ward = pick(rng, WARDS)
        stay = max(1, round(rng.expovariate(1 / mean_stay) + (2 if ward == "icu" else 0)))
        discharged = adm_day + timedelta(days=stay)
        discharged_on = discharged.isoformat() if discharged < today else None
        charge = base_charge * rng.uniform(0.7, 1.4) * (1.8 if ward == "icu" else 1.25 if ward == "private" else 1.0)
        admissions.append(
            (
                len(admissions) + 1,
                patient + 1,
                dept_ids[DIAGNOSIS_DEPARTMENT[diagnosis]],
                adm_day.isoformat(),
                discharged_on,
                diagnosis,
                ward,
                round(charge, 2),
            )
        )
    return {
        "departments": departments,
        "doctors": doctors,
        "patients": patients,
        "appointments": appointments,
        "medications": medications,
        "prescriptions": prescriptions,
        "admissions": admissions,
    }


def create_hospital_database(path: Path, *, seed: int = 11, today: date | None = None) -> dict[str, int]:
    """Create (or replace) the hospital database at ``path``; return row counts per table."""
    return write_database(path, SCHEMA, TABLES, generate(seed, today or date.today()))


def main(argv: Sequence[str] | None = None) -> int:
    return generator_main(argv, "hospital", create_hospital_database, 11)


if __name__ == "__main__":
    sys.exit(main())
