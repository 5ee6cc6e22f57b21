"""Names, companies and quotes, seeded.

Faker is imported lazily (it is slow to import) and one instance is kept per purpose and thread; every use
re-seeds it from a seed derived from the game seed and the thing being named, so a customer's
name depends only on (game seed, customer index), never on what was named before.
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections import OrderedDict
from typing import Any

from pmsim.engine.rng import int_seed, stream

LOCALE = "en_US"
# the providers the game's text draws from (names, companies, jobs): loading Faker's other twenty
# costs a tenth of a second and changes no draw of these
PROVIDERS = ["faker.providers.person", "faker.providers.company", "faker.providers.job"]
_local = threading.local()  # one Faker per purpose *per thread*: seed-then-draw must not interleave


# The running sums of Faker's weighted lists (first names, last names...), by list.
_SUMS: dict[int, tuple[Any, tuple[Any, ...], list[float]]] = {}


def _random_elements(provider, plain, elements=("a", "b", "c"), length=None, unique=False, use_weighting=None):
    """Faker's `random_elements` for what `random_element` asks (one element, with replacement),
    with each weighted list's running sums made once instead of on every call.

    Faker passes the weights to `random.choices`, which adds them up and bisects one random()
    scaled by the total: here the same sums are passed as `cum_weights`, so the draw, the bisection
    and the element picked are Faker's own. Anything else goes to Faker's method (`plain`)."""
    weighting = provider.__use_weighting__ if use_weighting is None else use_weighting
    if length != 1 or unique or not isinstance(elements, OrderedDict) or not weighting:
        return plain(elements, length, unique, use_weighting)
    kept = _SUMS.get(id(elements))
    if kept is None or kept[0] is not elements or len(kept[1]) != len(elements):
        kept = (elements, tuple(elements.keys()), list(itertools.accumulate(elements.values())))
        _SUMS[id(elements)] = kept  # the list is kept alive with its sums: its id stays its own
    return provider.generator.random.choices(kept[1], cum_weights=kept[2], k=1)


def _faker(purpose: str):
    cache = getattr(_local, "fakers", None)
    if cache is None:
        cache = _local.fakers = {}
    fake = cache.get(purpose)
    if fake is None:
        from faker import Faker

        fake = cache[purpose] = Faker(LOCALE, providers=PROVIDERS)
        for provider in fake.providers:
            provider.random_elements = functools.partial(_random_elements, provider, provider.random_elements)
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
    title and company-or-not from the segment's `persona` (scenario); when the persona lists
    company kinds, the company is a made-up name of one of them ("Harris Studio")."""
    if persona is None:
        return person(seed, "customer", 1, ci)
    companies = persona.companies  # true, false or a list of company kinds
    companies = (tuple(companies) or False) if isinstance(companies, list | tuple) else bool(companies)
    return dict(_customer(seed, ci, companies, tuple(persona.jobs)))


class _Unmade:
    """What a `CustomerRecord` holds where a customer's name, company or job will go."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<not yet named>"


UNMADE = _Unmade()


class CustomerRecord(dict):
    """A dict (an interview quote, a support ticket) that names a simulated customer, whose
    entries holding `UNMADE` ("name", "company", "job") are `customer(seed, persona, ci)`'s,
    made the first time the dict is read rather than when it is made: Faker's names cost a
    lone bot game about 7% of its CPU, and no bot reads them.

    The names are the very ones `customer` gives whenever they are made (each depends only on
    the game seed and the customer), and the keys are the eager dict's, in its order. Every way
    of reading the dict (`[]`, get, items, values, iteration, `dict(r)`, `{**r}`, ==, repr,
    json, copy, pickle, the state hash) makes them first; a deep copy of a record not yet read
    is a record not yet read. Once made, it is a plain dict in all but its type."""

    __slots__ = ("_who",)

    def __init__(self, *args, **kwargs) -> None:
        """As `dict(...)`: a record with nothing left to make (what code that rebuilds a dict by
        its type, `type(d)(d.items())`, gets). `unnamed` makes one whose names are to come."""
        super().__init__(*args, **kwargs)
        self._who: tuple[int, Any, int] | None = None

    @classmethod
    def unnamed(cls, seed: int, persona, ci: int, fields: dict[str, Any]) -> CustomerRecord:
        """`fields`, whose entries holding UNMADE are to be customer `ci`'s (`customer(seed,
        persona, ci)`) when the record is first read."""
        rec = cls(fields)
        rec._who = (seed, persona, ci)
        return rec

    @property
    def named(self) -> bool:
        """Whether the customer's name, company and job are made (tests and debugging)."""
        return self._who is None

    def _made(self) -> CustomerRecord:
        who = self._who
        if who is not None:
            made = customer(*who)
            for k in [k for k, v in dict.items(self) if v is UNMADE]:
                dict.__setitem__(self, k, made[k])
            self._who = None
        return self

    # reading
    def __getitem__(self, key):
        return dict.__getitem__(self._made(), key)

    def get(self, key, default=None):
        return dict.get(self._made(), key, default)

    def items(self):
        return dict.items(self._made())

    def values(self):
        return dict.values(self._made())

    def __iter__(self):  # (also makes dict(r), {**r} and update(r) read through [] and keys())
        return dict.__iter__(self._made())

    def __repr__(self) -> str:
        return dict.__repr__(self._made())

    def __eq__(self, other):
        if isinstance(other, CustomerRecord):
            other._made()
        return dict.__eq__(self._made(), other)

    def __ne__(self, other):
        if isinstance(other, CustomerRecord):
            other._made()
        return dict.__ne__(self._made(), other)

    __hash__ = None  # type: ignore[assignment]  # (a dict's)

    def __or__(self, other):
        return dict.__or__(self._made(), other)

    def __ror__(self, other):
        return dict.__ror__(self._made(), other)

    def __ior__(self, other):
        return dict.__ior__(self._made(), other)

    # what changes the dict reads it first (what it leaves is then the eager dict's)
    def pop(self, *args):
        return dict.pop(self._made(), *args)

    def popitem(self):
        return dict.popitem(self._made())

    def setdefault(self, key, default=None):
        return dict.setdefault(self._made(), key, default)

    # copies: a plain dict of the made entries, as dict.copy gives; a deep copy stays unread
    def copy(self) -> dict[str, Any]:
        return dict(dict.items(self._made()))

    __copy__ = copy

    def __reduce__(self):
        return (dict, (self.copy(),))

    def __reduce_ex__(self, protocol):
        return self.__reduce__()

    def __deepcopy__(self, memo):
        import copy as _copy

        if self._who is None:
            return {k: _copy.deepcopy(v, memo) for k, v in dict.items(self)}
        twin = CustomerRecord.unnamed(*self._who, {k: v if v is UNMADE else _copy.deepcopy(v, memo)
                                                   for k, v in dict.items(self)})
        memo[id(self)] = twin
        return twin


def kind_name(kind: str) -> str:
    """'design studio' -> 'Design Studio': a company kind as it reads after a name (what the
    author capitalised stays as written: 'NHS trust' -> 'NHS Trust')."""
    return " ".join(w[:1].upper() + w[1:] for w in kind.split())


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _customer(seed: int, ci: int, companies: bool | tuple[str, ...],
              jobs: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """`person(seed, "customer", 1, ci)` with the persona's job and company-or-not, drawing from
    Faker only what is shown: Faker draws name, company, job in this order from one seeded
    stream, so leaving out the draws after the last one shown changes none before it. With
    company kinds, the company is a surname drawn from the same stream after the name, and the
    kind is picked by customer, like the job."""
    key = (1, ci)
    if isinstance(companies, tuple):
        fake = _faker("customer")
        fake.seed_instance(int_seed(seed, "names", *key))
        name = fake.name()
        kind = companies[int_seed(seed, "names", 92, ci) % len(companies)]
        company = f"{fake.last_name()} {kind_name(kind)}"
        job = jobs[int_seed(seed, "names", 91, ci) % len(jobs)] if jobs else fake.job()
        return (("name", name), ("company", company), ("job", job))
    if not jobs:
        who = dict(_person(seed, "customer", key))
    else:
        fake = _faker("customer")
        fake.seed_instance(int_seed(seed, "names", *key))
        who = {"name": fake.name(), "company": fake.company() if companies else "",
               "job": jobs[int_seed(seed, "names", 91, ci) % len(jobs)]}
    if not companies:
        who["company"] = ""
    return (("name", who["name"]), ("company", who["company"]), ("job", who["job"]))


def phrases(theme, persona, weak: bool) -> list[str]:
    """What a customer of the segment with `persona` may say about `theme`: the segment's own
    pains (weak) or delights (strong) for the theme when its persona has some, else the theme's,
    else a default sentence. Not yet filled ({theme} stays)."""
    kind = "pains" if weak else "delights"
    own = (getattr(persona, "quotes", None) or {}).get(theme.id)
    return (getattr(own, kind) if own is not None else None) or getattr(theme, kind) or [
        PAIN_DEFAULT if weak else DELIGHT_DEFAULT]


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
        "Three prospects, {company} among them, asked about {feature} this quarter. Can we have it by Q{deadline}?",
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
    # a company name only where the template names one (Faker is slow; each name has its own seed)
    return tpl.format(
        company=company(seed, rnd, idx) if "{company}" in tpl else "", seats=int(rng.integers(5, 50)) * 10,
        feature=feature_title,
        deadline=deadline, competitor=competitor or "the competition", theme=theme_name.lower(),
    )
