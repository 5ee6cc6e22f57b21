"""Names, companies and quotes, seeded.

Faker is imported lazily (it is slow to import) and one instance is kept per purpose and thread; every use
re-seeds it from a seed derived from the game seed and the thing being named, so a customer's
name depends only on (game seed, customer index), never on what was named before.
"""

from __future__ import annotations

import functools
import threading

from pmsim.engine.rng import int_seed, stream

LOCALE = "en_US"
_local = threading.local()  # one Faker per purpose *per thread*: seed-then-draw must not interleave


def _faker(purpose: str):
    cache = getattr(_local, "fakers", None)
    if cache is None:
        cache = _local.fakers = {}
    fake = cache.get(purpose)
    if fake is None:
        from faker import Faker

        fake = cache[purpose] = Faker(LOCALE)
    return fake


# A name depends only on its seed and key, so each is made once per process and kept: a batch
# plays the same seed for many strategies, which interview and hear from the same customers.
_MEMO_SIZE = 8192


def person(seed: int, purpose: str, *key: int) -> dict[str, str]:
    return dict(_person(seed, purpose, key))


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _person(seed: int, purpose: str, key: tuple[int, ...]) -> tuple[tuple[str, str], ...]:
    fake = _faker(purpose)
    fake.seed_instance(int_seed(seed, "names", *key))
    return (("name", fake.name()), ("company", fake.company()), ("job", fake.job()))


def customer(seed: int, persona, ci: int) -> dict[str, str]:
    """A simulated customer as the game shows them: Faker's name (and company), with the job
    title and company-or-not from the segment's `persona` (scenario)."""
    who = person(seed, "customer", 1, ci)
    if persona is not None:
        if persona.jobs:
            who["job"] = persona.jobs[int_seed(seed, "names", 91, ci) % len(persona.jobs)]
        if not persona.companies:
            who["company"] = ""
    return who


def byline(who: dict, job: bool = True) -> str:
    """"Ada Lee, Founder at Acme" / "Ada Lee, Student" (a consumer, no company) / "Ada Lee, Acme"."""
    parts = [who.get("name", "")]
    title = who.get("job", "") if job else ""
    company = who.get("company", "")
    if title and company:
        parts.append(f"{title} at {company}")
    elif title or company:
        parts.append(title or company)
    return ", ".join(p for p in parts if p)


@functools.lru_cache(maxsize=_MEMO_SIZE)
def company(seed: int, *key: int) -> str:
    fake = _faker("company")
    fake.seed_instance(int_seed(seed, "names", 90, *key))
    return fake.company()


REQUEST_TEMPLATES = {
    "sales": [
        "{company} will sign a {seats}-seat deal if we ship {feature} by Q{deadline}.",
        "I keep losing deals to {competitor} over {feature}. Can we have it by Q{deadline}?",
        "Three prospects, {company} among them, asked for {feature} this quarter.",
    ],
    "engineering": [
        "We need to invest in {feature} before it bites us. Please schedule it by Q{deadline}.",
        "{feature} would make everything after it cheaper to build.",
    ],
    "design": [
        "Our usability sessions keep pointing at {feature}. I'd like it on the roadmap by Q{deadline}.",
        "{feature} is the piece of the experience that feels unfinished.",
    ],
    "support": [
        "Tickets about {theme} are up again; {feature} would cut them. Q{deadline}?",
        "{company} escalated to support twice this month over {theme}. {feature} would fix it.",
    ],
    "marketing": [
        "We have a launch slot in Q{deadline}; {feature} would be the headline.",
        "{competitor} is running ads about {theme}. We need {feature} to answer.",
    ],
    "leadership": [
        "The board is asking about {theme}. I want {feature} shipped by Q{deadline}.",
        "{feature} is strategic for us this year. Make it happen by Q{deadline}.",
    ],
    "customer_success": [
        "{company} is at renewal risk without {feature}. Can we commit to Q{deadline}?",
        "Our biggest accounts keep asking about {feature}.",
    ],
}

PAIN_DEFAULT = "I wish {theme} worked better for us."


def fill(phrase: str, theme_name: str) -> str:
    """Put the theme's name where a phrase says {theme}; any other braces stay as written."""
    return phrase.replace("{theme}", theme_name.lower())
DELIGHT_DEFAULT = "{theme} is what I like most about the product."


def request_text(seed: int, rnd: int, idx: int, role: str, feature_title: str, theme_name: str,
                 deadline: int, competitor: str) -> str:
    rng = stream(seed, "stakeholders", rnd, 1000 + idx)
    templates = REQUEST_TEMPLATES.get(role, REQUEST_TEMPLATES["leadership"])
    tpl = templates[int(rng.integers(len(templates)))]
    return tpl.format(
        company=company(seed, rnd, idx), seats=int(rng.integers(5, 50)) * 10, feature=feature_title,
        deadline=deadline, competitor=competitor or "the competition", theme=theme_name.lower(),
    )
