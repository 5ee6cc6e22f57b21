"""Persona text made faster (issue 13) is the text Faker makes: the kept running sums of its
weighted lists and the draws left out after the last one shown change no name or company."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from faker import Faker

from pmsim.engine import text
from pmsim.engine.rng import int_seed

PERSONAS = [
    None,
    SimpleNamespace(jobs=["Founder", "Team lead", "Studio manager"], companies=True),
    SimpleNamespace(jobs=["Student", "Barista"], companies=False),
    SimpleNamespace(jobs=[], companies=False),
    SimpleNamespace(jobs=[], companies=True),
]


def _plain(seed: int, *key: int) -> dict[str, str]:
    fake = Faker(text.LOCALE)
    fake.seed_instance(int_seed(seed, "names", *key))
    return {"name": fake.name(), "company": fake.company(), "job": fake.job()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_customers_are_fakers_people_with_the_personas_jobs(persona):
    for f in (text._person, text._customer):
        f.cache_clear()
    for ci in list(range(150)) + [70_000, 119_999]:
        want = _plain(42, 1, ci)
        if persona is not None:
            if persona.jobs:
                want["job"] = persona.jobs[int_seed(42, "names", 91, ci) % len(persona.jobs)]
            if not persona.companies:
                want["company"] = ""
        got = text.customer(42, persona, ci)
        assert got == want and list(got) == list(want)


def test_stakeholders_and_companies_are_fakers():
    for k in range(120):
        assert text.person(9, "stakeholder", 0, 3, k) == _plain(9, 0, 3, k)
        fake = Faker(text.LOCALE)
        fake.seed_instance(int_seed(9, "names", 90, 2, k))
        assert text.company(9, 2, k) == fake.company()


def test_other_draws_go_to_fakers_own_method():
    fake = text._faker("customer")
    plain = Faker(text.LOCALE)
    for seed in range(20):
        fake.seed_instance(seed)
        plain.seed_instance(seed)
        assert fake.random_elements(("a", "b", "c", "d"), length=3) == plain.random_elements(("a", "b", "c", "d"), length=3)
        assert fake.random_sample(("a", "b", "c", "d"), length=2) == plain.random_sample(("a", "b", "c", "d"), length=2)
        assert fake.random_element(("x", "y", "z")) == plain.random_element(("x", "y", "z"))
        assert fake.first_name() == plain.first_name()


@pytest.mark.parametrize("jobs", [["Nurse", "Care assistant"], []])
def test_company_kinds_are_a_fakers_surname_and_the_customers_kind(jobs):
    persona = SimpleNamespace(jobs=jobs, companies=["clinic", "care home", "NHS trust"])
    shown = {"clinic": "Clinic", "care home": "Care Home", "NHS trust": "NHS Trust"}
    for ci in list(range(150)) + [70_000]:
        fake = Faker(text.LOCALE)
        fake.seed_instance(int_seed(42, "names", 1, ci))
        name, surname = fake.name(), fake.last_name()
        kind = persona.companies[int_seed(42, "names", 92, ci) % 3]
        job = jobs[int_seed(42, "names", 91, ci) % len(jobs)] if jobs else fake.job()
        got = text.customer(42, persona, ci)
        assert got == {"name": name, "company": f"{surname} {shown[kind]}", "job": job}
        assert list(got) == ["name", "company", "job"]
