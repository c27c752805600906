"""Questions about things a database does not hold (`--set absent`): each must be declined, with no
SQL run. An answer of any kind counts as wrong. Written before the engine was changed for them."""

from __future__ import annotations


def _absent(*questions: str) -> list[dict]:
    return [{"category": "absent", "question": text, "sql": None} for text in questions]


RETAIL = _absent(
    "What is the average age of our customers?",
    "How many orders were paid by credit card?",
    "What share of orders were shipped late?",
    "What are the employee salaries by region?",
    "How many website visits did we get last month?",
    "What is the inventory level of each product?",
    "Which suppliers deliver the most products?",
    "What is the average delivery time?",
    "Which customers have a loyalty card?",
    "What is the average customer satisfaction score?",
    "How many refunds were issued this year?",
    "What's the profit margin on shipping fees?",
    "How many employees are on vacation?",
)

HOSPITAL = _absent(
    "How many nurses work in cardiology?",
    "What is the average patient weight?",
    "Which doctor has the best patient satisfaction rating?",
    "How many beds does each ward have?",
    "What was the total cost of lab tests last month?",
    "How many patients smoke?",
    "What is the average wait time in the emergency room?",
    "How many ambulances were dispatched last month?",
    "List the email addresses of our patients",
    "Which medications are out of stock?",
    "What is the average heart rate of ICU patients?",
    "How many surgeries were performed by each surgeon?",
)

SAAS = _absent(
    "What is our net promoter score?",
    "How many employees does each company have?",
    "What are the most common churn reasons?",
    "What is the average customer lifetime value?",
    "How many support tickets were opened last month?",
    "Monthly active users by browser",
    "Which plans include single sign-on?",
    "How many invoices were paid by credit card?",
    "What's the average API response time in milliseconds?",
    "What is the conversion rate from trial to paid?",
    "How many refunds did we issue?",
    "Which companies upgraded their plan this year?",
)
