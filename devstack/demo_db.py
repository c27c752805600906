"""Deterministic demo SQLite database of a small retail / e-commerce company.

Used by the ``run`` command (so there is something to chat with out of the box) and by tests and
benchmarks of the natural-language-to-SQL engine, which need stable, realistic-looking data.

Schema (all foreign keys declared and indexed):

- regions(id, name)
- customers(id, name, email, city, country, region_id -> regions, segment, signup_date)
- product_categories(id, name)
- products(id, name, category_id -> product_categories, unit_price, cost)
- employees(id, name, email, region_id -> regions, hire_date)           -- the sales reps
- orders(id, customer_id -> customers, employee_id -> employees, order_date, status, channel, total_amount)
- order_items(id, order_id -> orders, product_id -> products, quantity, unit_price, discount)
- support_tickets(id, customer_id -> customers, opened_at, closed_at, status, priority, category)

Dates are ISO text ('YYYY-MM-DD', timestamps 'YYYY-MM-DD HH:MM:SS') so SQLite's date functions work.
Usage: ``python -m devstack.demo_db PATH [--seed N] [--today YYYY-MM-DD]``.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

__all__ = ["TABLES", "create_demo_database", "main"]

# Dependency order: parents before children (inserts and counts follow it).
TABLES: tuple[str, ...] = (
    "regions",
    "product_categories",
    "products",
    "employees",
    "customers",
    "orders",
    "order_items",
    "support_tickets",
)

WINDOW_DAYS = 730  # "the last two years before today"
N_CUSTOMERS = 500
N_ORDERS = 4000
N_TICKETS = 800

SCHEMA = """
CREATE TABLE regions (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE product_categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    category_id INTEGER NOT NULL,
    unit_price REAL NOT NULL CHECK (unit_price > 0),
    cost REAL NOT NULL CHECK (cost > 0),
    FOREIGN KEY (category_id) REFERENCES product_categories (id)
);
CREATE TABLE employees (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    region_id INTEGER NOT NULL,
    hire_date TEXT NOT NULL,
    FOREIGN KEY (region_id) REFERENCES regions (id)
);
CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    city TEXT NOT NULL,
    country TEXT NOT NULL,
    region_id INTEGER NOT NULL,
    segment TEXT NOT NULL CHECK (segment IN ('consumer', 'corporate', 'small business')),
    signup_date TEXT NOT NULL,
    FOREIGN KEY (region_id) REFERENCES regions (id)
);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    employee_id INTEGER NOT NULL,
    order_date TEXT NOT NULL,
    status TEXT NOT NULL
        CHECK (status IN ('pending', 'shipped', 'delivered', 'cancelled', 'returned')),
    channel TEXT NOT NULL CHECK (channel IN ('online', 'store', 'phone')),
    total_amount REAL NOT NULL,
    FOREIGN KEY (customer_id) REFERENCES customers (id),
    FOREIGN KEY (employee_id) REFERENCES employees (id)
);
CREATE TABLE order_items (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price REAL NOT NULL,
    discount REAL NOT NULL DEFAULT 0 CHECK (discount >= 0 AND discount < 1),
    FOREIGN KEY (order_id) REFERENCES orders (id),
    FOREIGN KEY (product_id) REFERENCES products (id)
);
CREATE TABLE support_tickets (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'pending')),
    priority TEXT NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
    category TEXT NOT NULL,
    FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE INDEX idx_products_category_id ON products (category_id);
CREATE INDEX idx_employees_region_id ON employees (region_id);
CREATE INDEX idx_customers_region_id ON customers (region_id);
CREATE INDEX idx_orders_customer_id ON orders (customer_id);
CREATE INDEX idx_orders_employee_id ON orders (employee_id);
CREATE INDEX idx_orders_order_date ON orders (order_date);
CREATE INDEX idx_order_items_order_id ON order_items (order_id);
CREATE INDEX idx_order_items_product_id ON order_items (product_id);
CREATE INDEX idx_support_tickets_customer_id ON support_tickets (customer_id);
"""

REGIONS: tuple[str, ...] = ("North America", "Latin America", "Europe", "Asia Pacific")


@dataclass(frozen=True)
class _Country:
    name: str
    region: str
    weight: float  # share of the customer base
    cities: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


# Hand-aligned data tables: keep the formatter away.
# fmt: off
# ASCII spellings on purpose: users type "Sao Paulo", and e-mails are derived from names.
COUNTRIES: tuple[_Country, ...] = (
    _Country(
        "United States", "North America", 0.26,
        ("New York", "Los Angeles", "Chicago", "Houston", "Seattle", "Boston", "Austin", "San Francisco",
         "Denver", "Miami"),
        ("James", "Mary", "Michael", "Jennifer", "David", "Linda", "Robert", "Sarah", "Emily", "Daniel"),
        ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor"),
    ),
    _Country(
        "Canada", "North America", 0.08,
        ("Toronto", "Vancouver", "Montreal", "Calgary", "Ottawa"),
        ("Liam", "Olivia", "Noah", "Emma", "Ethan", "Chloe", "Lucas", "Charlotte"),
        ("Tremblay", "Martin", "Roy", "Gagnon", "Lee", "Wilson", "MacDonald", "Campbell"),
    ),
    _Country(
        "Mexico", "Latin America", 0.07,
        ("Mexico City", "Guadalajara", "Monterrey", "Puebla"),
        ("Jose", "Maria", "Juan", "Guadalupe", "Luis", "Fernanda", "Carlos", "Sofia"),
        ("Hernandez", "Garcia", "Martinez", "Lopez", "Gonzalez", "Rodriguez", "Perez", "Sanchez"),
    ),
    _Country(
        "Brazil", "Latin America", 0.08,
        ("Sao Paulo", "Rio de Janeiro", "Belo Horizonte", "Brasilia", "Curitiba"),
        ("Joao", "Ana", "Pedro", "Juliana", "Lucas", "Camila", "Gabriel", "Beatriz"),
        ("Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Ferreira"),
    ),
    _Country(
        "Germany", "Europe", 0.10,
        ("Berlin", "Munich", "Hamburg", "Frankfurt", "Cologne"),
        ("Lukas", "Anna", "Felix", "Lena", "Jonas", "Laura", "Maximilian", "Sophie"),
        ("Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann"),
    ),
    _Country(
        "France", "Europe", 0.08,
        ("Paris", "Lyon", "Marseille", "Toulouse", "Bordeaux"),
        ("Louis", "Camille", "Hugo", "Manon", "Jules", "Chloe", "Thomas", "Lea"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"),
    ),
    _Country(
        "United Kingdom", "Europe", 0.10,
        ("London", "Manchester", "Birmingham", "Edinburgh", "Bristol"),
        ("Oliver", "Amelia", "George", "Isla", "Harry", "Ava", "Jack", "Poppy"),
        ("Smith", "Jones", "Taylor", "Brown", "Evans", "Walker", "Wright", "Thompson"),
    ),
    _Country(
        "Japan", "Asia Pacific", 0.09,
        ("Tokyo", "Osaka", "Yokohama", "Nagoya", "Sapporo", "Fukuoka"),
        ("Haruto", "Yui", "Sota", "Hina", "Ren", "Sakura", "Yuto", "Aoi"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura"),
    ),
    _Country(
        "India", "Asia Pacific", 0.08,
        ("Mumbai", "Delhi", "Bengaluru", "Chennai", "Hyderabad", "Pune"),
        ("Aarav", "Ananya", "Vivaan", "Diya", "Arjun", "Priya", "Rohan", "Isha"),
        ("Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Iyer", "Nair"),
    ),
    _Country(
        "Australia", "Asia Pacific", 0.06,
        ("Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide"),
        ("Jack", "Charlotte", "William", "Mia", "Thomas", "Olivia", "James", "Grace"),
        ("Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Kelly"),
    ),
)

# category -> (product name, list price); cost is derived per product as a margin on the price.
CATALOG: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = (
    ("Electronics", (
        ("Wireless Earbuds", 79.99), ("Bluetooth Speaker", 49.99), ("4K Smart TV", 649.00),
        ("Noise Cancelling Headphones", 249.99), ("Smartwatch", 199.99), ("Portable Charger", 29.99),
        ("Action Camera", 299.00), ("E-Reader", 129.99),
    )),
    ("Computers & Accessories", (
        ("Ultrabook Laptop", 1099.00), ("Gaming Laptop", 1499.00), ("27 Inch Monitor", 299.99),
        ("Mechanical Keyboard", 119.99), ("Wireless Mouse", 24.99), ("USB-C Docking Station", 159.99),
        ("External SSD 1TB", 109.99), ("HD Webcam", 69.99),
    )),
    ("Home & Kitchen", (
        ("Espresso Machine", 399.00), ("Blender", 89.99), ("Air Fryer", 129.99), ("Chef Knife Set", 59.99),
        ("Cookware Set", 199.99), ("Coffee Grinder", 49.99), ("Stand Mixer", 349.00), ("Toaster", 39.99),
    )),
    ("Furniture", (
        ("Office Chair", 249.00), ("Standing Desk", 499.00), ("Bookshelf", 129.00), ("Sofa", 899.00),
        ("Dining Table", 649.00), ("Desk Lamp", 34.99), ("Filing Cabinet", 179.00),
    )),
    ("Office Supplies", (
        ("Printer Paper 5000 Sheets", 44.99), ("Gel Pens 12 Pack", 9.99), ("Stapler", 14.99),
        ("Notebook 3 Pack", 12.49), ("Sticky Notes 24 Pack", 18.99), ("Laser Printer", 229.00),
        ("Whiteboard", 89.00), ("Desk Organizer", 22.99),
    )),
    ("Sports & Outdoors", (
        ("Yoga Mat", 29.99), ("Dumbbell Set", 149.00), ("Camping Tent", 219.00), ("Running Shoes", 119.00),
        ("Mountain Bike", 749.00), ("Hiking Backpack", 89.99), ("Water Bottle", 19.99),
    )),
    ("Clothing", (
        ("Rain Jacket", 99.00), ("Wool Sweater", 79.00), ("Denim Jeans", 59.00), ("Cotton T-Shirt", 19.00),
        ("Leather Belt", 35.00), ("Winter Coat", 189.00), ("Sneakers", 85.00),
    )),
    ("Beauty & Personal Care", (
        ("Electric Toothbrush", 69.99), ("Hair Dryer", 59.99), ("Moisturizer", 24.99), ("Perfume", 89.00),
        ("Electric Shaver", 119.99), ("Sunscreen", 14.99), ("Shampoo", 11.99),
    )),
)

# fmt: on

# Sales reps per region; the first in each region is hired before the data window so every order
# can be attributed to someone.
REPS_PER_REGION: dict[str, int] = {"North America": 6, "Latin America": 4, "Europe": 5, "Asia Pacific": 5}

SEGMENTS: tuple[str, ...] = ("consumer", "corporate", "small business")
SEGMENT_WEIGHTS: tuple[float, ...] = (0.62, 0.18, 0.20)
DISCOUNT_PCTS: tuple[int, ...] = (0, 5, 10, 15, 20)
DISCOUNT_WEIGHTS: dict[str, tuple[float, ...]] = {
    "consumer": (70, 10, 10, 6, 4),
    "corporate": (35, 20, 25, 12, 8),
    "small business": (55, 15, 18, 8, 4),
}
CHANNEL_WEIGHTS: dict[str, tuple[float, float, float]] = {  # (online, store, phone)
    "consumer": (0.62, 0.30, 0.08),
    "corporate": (0.40, 0.15, 0.45),
    "small business": (0.55, 0.20, 0.25),
}
# Holiday peak, post-holiday slump: makes monthly revenue charts visibly non-flat.
# fmt: off
MONTH_FACTOR: dict[int, float] = {
    1: 0.80, 2: 0.75, 3: 0.90, 4: 0.95, 5: 1.00, 6: 1.00,
    7: 0.95, 8: 1.00, 9: 1.00, 10: 1.05, 11: 1.40, 12: 1.60,
}
# fmt: on
GROWTH = 0.7  # order volume grows ~70% from the first to the last day of the window

TICKET_CATEGORIES: tuple[str, ...] = (
    "shipping",
    "billing",
    "returns",
    "product defect",
    "account",
    "technical",
)
TICKET_CATEGORY_WEIGHTS: tuple[float, ...] = (30, 18, 16, 16, 10, 10)
PRIORITIES: tuple[str, ...] = ("low", "medium", "high", "urgent")
PRIORITY_WEIGHTS: tuple[float, ...] = (35, 40, 18, 7)
MEAN_RESOLUTION_HOURS: dict[str, float] = {"low": 72.0, "medium": 40.0, "high": 16.0, "urgent": 5.0}

CUSTOMER_EMAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org", "mail.example.com")
EMPLOYEE_EMAIL_DOMAIN = "demo-retail.example"

Row = tuple[object, ...]


# Typed rows for tables that later generation steps read back; field order = column order.
class _Product(NamedTuple):
    id: int
    name: str
    category_id: int
    unit_price: float
    cost: float


class _Customer(NamedTuple):
    id: int
    name: str
    email: str
    city: str
    country: str
    region_id: int
    segment: str
    signup_date: date


def create_demo_database(
    path: Path,
    *,
    seed: int = 7,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Create (or atomically replace) the demo database at ``path``; return row counts per table.

    Output depends only on ``seed`` and ``today``; all dates fall in the two years before ``today``
    (except employees' hire dates, which may precede the window for the region's first reps).
    """
    path = Path(path)
    today = today or date.today()
    if isinstance(today, datetime):  # a datetime is a date too, but would leak times into dates
        today = today.date()
    report = progress or (lambda _message: None)
    data = _generate(random.Random(seed), today, report)

    path.parent.mkdir(parents=True, exist_ok=True)
    # Build next to the target and os.replace() it, so readers never see a half-written database
    # and a failure leaves any previous file untouched.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp_name)
        try:
            conn.execute("PRAGMA foreign_keys = ON")  # let SQLite double-check referential integrity
            conn.executescript(SCHEMA)
            with conn:
                for table in TABLES:
                    rows = data[table]
                    placeholders = ", ".join("?" * len(rows[0]))
                    conn.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows)
            report("wrote tables")
            counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
        finally:
            conn.close()
        os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; the demo db is meant to be shared
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    report(f"replaced {path}")
    return counts


# --------------------------------------------------------------------------------------------------
# Generation (pure Python, no I/O). Only lists/tuples are iterated so output never depends on hashing.
# --------------------------------------------------------------------------------------------------


def _generate(rng: random.Random, today: date, report: Callable[[str], None]) -> dict[str, list[Row]]:
    start = today - timedelta(days=WINDOW_DAYS)
    days = [start + timedelta(days=i) for i in range(WINDOW_DAYS)]  # start .. today - 1

    region_ids = {name: i for i, name in enumerate(REGIONS, start=1)}
    regions: list[Row] = [(i, name) for name, i in region_ids.items()]

    categories: list[Row] = []
    products: list[_Product] = []
    for cat_id, (cat_name, items) in enumerate(CATALOG, start=1):
        categories.append((cat_id, cat_name))
        for name, price in items:
            cost = round(price * rng.uniform(0.45, 0.72), 2)
            products.append(_Product(len(products) + 1, name, cat_id, price, cost))
    report(f"catalog: {len(products)} products in {len(categories)} categories")

    employees, reps_by_region = _employees(rng, start, region_ids)
    customers = _customers(rng, days, region_ids)
    report(f"people: {len(customers)} customers, {len(employees)} employees")

    orders, order_items, orders_per_customer = _orders(rng, days, today, customers, reps_by_region, products)
    report(f"orders: {len(orders)} orders, {len(order_items)} items")

    tickets = _tickets(rng, days, today, customers, orders_per_customer)
    report(f"support: {len(tickets)} tickets")

    return {
        "regions": regions,
        "product_categories": categories,
        "products": list(products),
        "employees": employees,
        "customers": [(*c[:-1], c.signup_date.isoformat()) for c in customers],  # dates as ISO text
        "orders": orders,
        "order_items": order_items,
        "support_tickets": tickets,
    }


def _day_weight(d: date, start: date) -> float:
    """Relative order volume on day ``d``: linear growth x month seasonality x quieter weekends."""
    growth = 1.0 + GROWTH * (d - start).days / WINDOW_DAYS
    weekend = 0.8 if d.weekday() >= 5 else 1.0
    return growth * MONTH_FACTOR[d.month] * weekend


def _email(first: str, last: str, domain: str, taken: set[str]) -> str:
    base = f"{first}.{last}".lower().replace(" ", "")
    email = f"{base}@{domain}"
    for n in itertools.count(2):  # deterministic de-duplication: john.smith2@, john.smith3@, ...
        if email not in taken:
            break
        email = f"{base}{n}@{domain}"
    taken.add(email)
    return email


def _employees(
    rng: random.Random, start: date, region_ids: dict[str, int]
) -> tuple[list[Row], dict[int, list[tuple[date, int]]]]:
    employees: list[Row] = []
    reps_by_region: dict[int, list[tuple[date, int]]] = {}
    taken: set[str] = set()
    for region, count in REPS_PER_REGION.items():
        region_id = region_ids[region]
        countries = [c for c in COUNTRIES if c.region == region]
        for k in range(count):
            country = rng.choice(countries)
            first, last = rng.choice(country.first_names), rng.choice(country.last_names)
            if k == 0:
                hired = start - timedelta(days=rng.randint(180, 5 * 365))
            else:  # the rest join over time, some during the window (visible as new reps' ramp-up)
                hired = start + timedelta(days=rng.randint(-3 * 365, WINDOW_DAYS - 90))
            emp_id = len(employees) + 1
            employees.append(
                (
                    emp_id,
                    f"{first} {last}",
                    _email(first, last, EMPLOYEE_EMAIL_DOMAIN, taken),
                    region_id,
                    hired.isoformat(),
                )
            )
            reps_by_region.setdefault(region_id, []).append((hired, emp_id))
    for reps in reps_by_region.values():
        reps.sort()
    return employees, reps_by_region


def _customers(rng: random.Random, days: Sequence[date], region_ids: dict[str, int]) -> list[_Customer]:
    """Customers with ids in signup order (so "who could have ordered by day X" is a prefix)."""
    start = days[0]
    signup_weights = [_day_weight(d, start) for d in days]
    # A block of early sign-ups (the launch cohort) so the first weeks of orders have buyers.
    launch = sorted(rng.choice(days[:30]) for _ in range(N_CUSTOMERS // 8))
    rest = rng.choices(days, weights=signup_weights, k=N_CUSTOMERS - len(launch))
    signups = sorted(launch + rest)

    country_weights = [c.weight for c in COUNTRIES]
    taken: set[str] = set()
    customers: list[_Customer] = []
    for cust_id, signup in enumerate(signups, start=1):
        country = rng.choices(COUNTRIES, weights=country_weights)[0]
        first, last = rng.choice(country.first_names), rng.choice(country.last_names)
        segment = rng.choices(SEGMENTS, weights=SEGMENT_WEIGHTS)[0]
        customers.append(
            _Customer(
                id=cust_id,
                name=f"{first} {last}",
                email=_email(first, last, rng.choice(CUSTOMER_EMAIL_DOMAINS), taken),
                city=rng.choice(country.cities),
                country=country.name,
                region_id=region_ids[country.region],
                segment=segment,
                signup_date=signup,
            )
        )
    return customers


def _quantity(rng: random.Random, price: float, segment: str) -> int:
    if price < 30:
        qty = rng.choices((1, 2, 3, 4, 5, 6), weights=(40, 25, 14, 9, 7, 5))[0]
    elif price < 200:
        qty = rng.choices((1, 2, 3), weights=(72, 21, 7))[0]
    else:
        qty = rng.choices((1, 2), weights=(90, 10))[0]
    if segment != "consumer" and rng.random() < 0.25:  # business buyers stock up
        qty *= rng.choice((2, 3, 5))
    return qty


def _status(rng: random.Random, age_days: int) -> str:
    """Recent orders are still in flight; old ones have settled into delivered/cancelled/returned."""
    if age_days <= 2:
        return rng.choices(("pending", "shipped", "cancelled"), weights=(60, 35, 5))[0]
    if age_days <= 10:
        return rng.choices(("pending", "shipped", "delivered", "cancelled"), weights=(8, 47, 40, 5))[0]
    return rng.choices(("delivered", "cancelled", "returned"), weights=(89, 6, 5))[0]


def _orders(
    rng: random.Random,
    days: Sequence[date],
    today: date,
    customers: Sequence[_Customer],
    reps_by_region: dict[int, list[tuple[date, int]]],
    products: Sequence[_Product],
) -> tuple[list[Row], list[Row], list[int]]:
    start = days[0]
    day_weights = [_day_weight(d, start) * rng.uniform(0.8, 1.2) for d in days]  # plus daily noise
    order_dates = sorted(rng.choices(days, weights=day_weights, k=N_ORDERS))

    # Some customers are far more loyal than others (long tail), via a per-customer activity weight.
    cum_activity = list(itertools.accumulate(rng.lognormvariate(0.0, 1.0) for _ in customers))
    # Cheaper products sell more often; a random factor keeps it from being a pure price curve.
    cum_product = list(itertools.accumulate(rng.uniform(0.5, 1.5) / p.unit_price**0.5 for p in products))
    signups = [c.signup_date for c in customers]

    orders: list[Row] = []
    items: list[Row] = []
    orders_per_customer = [0] * len(customers)
    for order_id, order_date in enumerate(order_dates, start=1):
        # Only customers who had signed up by then can order (customers are sorted by signup).
        eligible = bisect.bisect_right(signups, order_date)
        idx = bisect.bisect_left(cum_activity, rng.random() * cum_activity[eligible - 1], hi=eligible - 1)
        customer = customers[idx]
        orders_per_customer[idx] += 1
        segment = customer.segment

        reps = reps_by_region[customer.region_id]
        hired = bisect.bisect_right(reps, (order_date, sys.maxsize))  # reps hired by order_date
        employee_id = rng.choice(reps[:hired])[1]

        n_lines = rng.choices((1, 2, 3, 4, 5), weights=(25, 30, 22, 14, 9))[0]
        picked: list[int] = []
        while len(picked) < n_lines:  # distinct products per order
            p = rng.choices(range(len(products)), cum_weights=cum_product)[0]
            if p not in picked:
                picked.append(p)
        # Money in integer "basis cents" (1/100 cent): price cents x quantity x (100 - discount %).
        # Redraw the discounts on an exact half-cent total, the one case where rounding to cents is
        # ambiguous; otherwise total_amount == ROUND(SUM(quantity * unit_price * (1 - discount)), 2).
        lines = [(products[p], _quantity(rng, products[p].unit_price, segment)) for p in picked]
        for _attempt in range(10):
            pcts = rng.choices(DISCOUNT_PCTS, weights=DISCOUNT_WEIGHTS[segment], k=len(lines))
            units = sum(
                round(prod.unit_price * 100) * qty * (100 - pct) for (prod, qty), pct in zip(lines, pcts, strict=True)
            )
            if units % 100 != 50:
                break
        else:
            pcts = [0] * len(lines)  # whole cents: no tie possible
            units = sum(round(prod.unit_price * 100) * qty * 100 for prod, qty in lines)
        for (prod, qty), pct in zip(lines, pcts, strict=True):
            items.append((len(items) + 1, order_id, prod.id, qty, prod.unit_price, pct / 100))
        total_cents = (units + 50) // 100

        channel = rng.choices(("online", "store", "phone"), weights=CHANNEL_WEIGHTS[segment])[0]
        status = _status(rng, (today - order_date).days)
        orders.append((order_id, customer.id, employee_id, order_date.isoformat(), status, channel, total_cents / 100))
    return orders, items, orders_per_customer


def _tickets(
    rng: random.Random,
    days: Sequence[date],
    today: date,
    customers: Sequence[_Customer],
    orders_per_customer: Sequence[int],
) -> list[Row]:
    now = datetime.combine(today, datetime.min.time())  # nothing is opened or closed today or later
    last_day = days[-1]
    # Customers who order more contact support more; a few never-ordered ones still do.
    weights = [n + 0.2 for n in orders_per_customer]
    raw: list[tuple[datetime, int, str, str]] = []
    for customer in rng.choices(customers, weights=weights, k=N_TICKETS):
        signup = customer.signup_date
        day = signup + timedelta(days=rng.randint(0, (last_day - signup).days))
        opened = datetime.combine(day, datetime.min.time()) + timedelta(
            hours=rng.randint(7, 21), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
        )
        priority = rng.choices(PRIORITIES, weights=PRIORITY_WEIGHTS)[0]
        category = rng.choices(TICKET_CATEGORIES, weights=TICKET_CATEGORY_WEIGHTS)[0]
        raw.append((opened, customer.id, priority, category))
    raw.sort()  # ticket ids follow opening time, as in a real helpdesk

    tickets: list[Row] = []
    for ticket_id, (opened, customer_id, priority, category) in enumerate(raw, start=1):
        hours = 0.25 + rng.expovariate(1.0 / MEAN_RESOLUTION_HOURS[priority])
        closed = opened + timedelta(seconds=round(hours * 3600))
        if closed < now and rng.random() < 0.97:  # a few old tickets are forgotten in the backlog
            status, closed_at = "closed", closed.strftime("%Y-%m-%d %H:%M:%S")
        else:
            status, closed_at = rng.choices(("open", "pending"), weights=(60, 40))[0], None
        tickets.append(
            (
                ticket_id,
                customer_id,
                opened.strftime("%Y-%m-%d %H:%M:%S"),
                closed_at,
                status,
                priority,
                category,
            )
        )
    return tickets


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devstack.demo_db", description="Generate the demo retail SQLite database."
    )
    parser.add_argument("path", type=Path, help="SQLite file to create (replaced if it exists)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default: 7)")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="pretend today is YYYY-MM-DD (default: the real date); data covers the two years before it",
    )
    args = parser.parse_args(argv)

    began = time.perf_counter()
    print(f"Generating demo database at {args.path} (seed {args.seed})...", flush=True)
    counts = create_demo_database(
        args.path, seed=args.seed, today=args.today, progress=lambda msg: print(f"  {msg}", flush=True)
    )
    width = max(map(len, counts))
    for table, n in counts.items():
        print(f"  {table:<{width}}  {n:>6}")
    print(f"Done in {time.perf_counter() - began:.2f}s: {sum(counts.values())} rows.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
