"""The demo company on paper: its people, catalogue and clients, drawn from a seeded RNG.

No database here. Every draw comes from ``random.Random`` seeded with the demo seed and a label
(never the global ``random``), so the same seed and ``today`` give the same company.
"""

import math
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from kam.core.periods import add_months, month_of
from kam.demo.generator import vocabulary as v

HISTORY_MONTHS = 24
WINDOW_MONTHS = 12  # the "last 12 months" income is measured over
ANCHOR_SHARE = 0.22  # KC-3: one critical dependency, a client near 22 % of income
SECOND_SHARE = 0.11  # KC-2: a second client above the default 10 % share threshold
OTHER_CAP = 0.06  # no other client comes near the dependency threshold
ANCHOR_NAME = 'AS "Saules aptiekas"'
SECOND_NAME = 'SIA "Rīgas reģionālā slimnīca"'
ANNUAL_INCOME_PER_CLIENT = 1_500.0  # EUR of gross margin a year, times size (mean size about 6)


def rng_for(seed: int, label: str) -> random.Random:
    """An independent, reproducible stream per purpose (str seeds hash with SHA-512, not
    Python's randomised ``hash``)."""
    return random.Random(f"kam-demo:{seed}:{label}")


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def history_months(today: date) -> list[date]:
    """First days of the 24 months ending with the last complete month before ``today``."""
    last = add_months(month_of(today), -1)
    return [add_months(last, i - HISTORY_MONTHS + 1) for i in range(HISTORY_MONTHS)]


def client_count(scale: float) -> int:
    return max(20, round(600 * scale))


def product_count(scale: float) -> int:
    return max(24, round(300 * math.sqrt(scale)))


# --- people ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonPlan:
    username: str
    role: str
    first_name: str
    last_name: str
    department: str  # key into DEPARTMENTS
    manager: str | None = None
    territory: tuple[str, str] | None = None  # (name, kind)


# key -> (name, parent key)
DEPARTMENTS = {
    "sales": ("Sales", None),
    "hospitals": ("Hospitals & Labs", "sales"),
    "pharmacy": ("Pharmacy & Wholesale", "sales"),
    "baltics": ("Lithuania & Estonia", "pharmacy"),
}

T, S = "territory", "segment"
PEOPLE = [
    PersonPlan("director", "director", "Mārtiņš", "Zariņš", "sales"),
    PersonPlan("head.hospitals", "head", "Ilze", "Ozoliņa", "hospitals", "director"),
    PersonPlan("head.pharmacy", "head", "Jānis", "Kalniņš", "pharmacy", "director"),
    PersonPlan("regional.baltics", "regional", "Rūta", "Kazlauskienė", "baltics", "head.pharmacy"),
    PersonPlan(
        "kam.liepa", "kam", "Laura", "Liepa", "hospitals", "head.hospitals", ("Hospitals", S)
    ),
    PersonPlan(
        "kam.ozols", "kam", "Andris", "Ozols", "hospitals", "head.hospitals", ("Clinics", S)
    ),
    PersonPlan(
        "kam.berzina",
        "kam",
        "Dace",
        "Bērziņa",
        "hospitals",
        "head.hospitals",
        ("Laboratories", S),
    ),
    PersonPlan(
        "kam.vitols", "kam", "Edgars", "Vītols", "pharmacy", "head.pharmacy", ("Wholesale", S)
    ),
    PersonPlan(
        "kam.krumina",
        "kam",
        "Santa",
        "Krūmiņa",
        "pharmacy",
        "head.pharmacy",
        ("Pharmacies", S),
    ),
    PersonPlan(
        "kam.jonaitis",
        "kam",
        "Tomas",
        "Jonaitis",
        "baltics",
        "regional.baltics",
        ("Lithuania", T),
    ),
    PersonPlan("kam.kask", "kam", "Mart", "Kask", "baltics", "regional.baltics", ("Estonia", T)),
    PersonPlan("kam.tamm", "kam", "Kadri", "Tamm", "baltics", "regional.baltics", ("Estonia", T)),
    PersonPlan("support.hospitals", "support", "Marta", "Jansone", "hospitals"),
    PersonPlan("support.pharmacy", "support", "Elīna", "Siliņa", "pharmacy"),
    PersonPlan("credit", "credit", "Raimonds", "Balodis", "sales"),
    PersonPlan("admin", "admin", "Gints", "Eglītis", "sales"),
]


def owner_for(country: str, industry: str) -> str:
    """Home market (Latvia) is split by segment; Lithuania and Estonia by country."""
    group = v.INDUSTRIES[industry][1]
    if group == "lab":
        return "kam.berzina"
    if country == "LT":
        return "kam.jonaitis"
    if country == "EE":
        return "kam.kask" if group == "pharmacy" else "kam.tamm"
    if industry in {"Pharmacy chain", "Wholesaler"}:
        return "kam.vitols"
    if industry == "Pharmacy":
        return "kam.krumina"
    if industry in {"Hospital", "Nursing home"}:
        return "kam.liepa"
    return "kam.ozols"


# --- catalogue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductPlan:
    sku: str
    name: str
    category: str  # code in vocabulary.CATEGORIES
    unit: str
    cost_cents: int  # standard cost of one unit, EUR cents
    launched_on: date | None


def plan_catalogue(*, seed: int, scale: float, today: date) -> list[ProductPlan]:
    rng = rng_for(seed, "catalogue")
    pools: dict[str, list[tuple[str, float, float, str, str]]] = {}
    for code, (_name, _unit, bases, variants) in v.CATEGORIES.items():
        pool = [
            (base, lo, hi, variant, brand)
            for base, lo, hi in bases
            for variant in variants
            for brand in v.BRANDS
        ]
        rng.shuffle(pool)
        pools[code] = pool
    wanted = product_count(scale)
    products: list[ProductPlan] = []
    codes = list(v.CATEGORIES)
    taken = dict.fromkeys(codes, 0)
    while len(products) < wanted:
        code = codes[len(products) % len(codes)]
        pool = pools[code]
        base, lo, hi, variant, brand = pool[taken[code] % len(pool)]
        edition = taken[code] // len(pool)
        taken[code] += 1
        name = f"{base}, {variant}, {brand}" + (f" ({edition + 1})" if edition else "")
        launched_on = None
        if rng.random() < 0.12:
            launched_on = today - timedelta(days=rng.randint(20, 720))
        products.append(
            ProductPlan(
                sku=f"BMS-{code}-{taken[code]:04d}",
                name=name,
                category=code,
                unit=v.CATEGORIES[code][1],
                cost_cents=round(rng.uniform(lo, hi) * 100),
                launched_on=launched_on,
            )
        )
    return products


# --- clients --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactPlan:
    first_name: str
    last_name: str
    position: str
    decision_role: str
    email: str
    phone: str


@dataclass
class ClientPlan:
    no: int
    legal_name: str
    registration_number: str
    vat_number: str
    industry: str
    segment: str
    country: str
    city: str
    website: str
    owner: str  # username
    status: str
    contacts: list[ContactPlan]
    # How it buys (read by the ledger generator)
    currency: str = "EUR"
    annual_income: float = 0.0  # planned gross margin a year, EUR
    margin: float = 0.2
    first_month: int = 0  # index into the 24 months; buys from here...
    last_month: int = HISTORY_MONTHS - 1  # ...to here
    trend: float = 0.0  # yearly growth
    adoption_lag: int | None = 6  # months until it buys a new product; None: never
    lines_per_order: int = 6
    return_rate: float = 0.04  # chance of a credit note in a month
    basket: list[int] = field(default_factory=list)  # product indices, favourite first

    @property
    def buys(self) -> bool:
        return self.status != "potential"


def _weighted_pick(rng: random.Random, table: dict[str, float]) -> str:
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def _unique(name: str, used: set[str]) -> str:
    k = 2
    candidate = name
    while candidate in used:
        candidate = f'{name[:-1]} {k}"' if name.endswith('"') else f"{name} {k}"
        k += 1
    used.add(candidate)
    return candidate


def _legal_name(rng: random.Random, country: str, industry: str, used: set[str]) -> tuple[str, str]:
    """A name and the city the client sits in (the one its name mentions, if any)."""
    patterns = v.NAME_PATTERNS[country][industry]
    for _ in range(8):
        city, genitive = rng.choice(v.CITIES[country])
        name = rng.choice(patterns).format(w=rng.choice(v.WORDS[country]), c=genitive)
        if name not in used:
            used.add(name)
            return name, city
    return _unique(name, used), city


def _trade_slug(legal_name: str) -> str:
    words = legal_name.replace('"', " ").split()
    forms = {"SIA", "AS", "UAB", "AB", "VšĮ", "OÜ", "SA"}
    return ascii_slug("".join(w for w in words if w not in forms))[:30]


def _contacts(
    rng: random.Random, country: str, group: str, domain: str, count: int
) -> list[ContactPlan]:
    positions = v.POSITIONS[group]
    _territory, _share, phone_prefix, _tld = v.COUNTRIES[country]
    out = []
    for i in range(count):
        sex = rng.choice("fm")
        first = rng.choice(v.FIRST_NAMES[country][sex])
        last = rng.choice(v.LAST_NAMES[country][sex])
        digits = 7 if country != "EE" else 6
        out.append(
            ContactPlan(
                first_name=first,
                last_name=last,
                position=positions[0] if i == 0 else rng.choice(positions[1:]),
                decision_role="decision_maker" if i == 0 else rng.choice(v.DECISION_ROLES[1:]),
                email=f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}",
                phone=phone_prefix + "".join(str(rng.randint(0, 9)) for _ in range(digits)),
            )
        )
    return out


def _registration(no: int, country: str) -> tuple[str, str]:
    # The multiplier is prime to 10, so no -> digits is one-to-one below ten million clients.
    d7 = f"{(no * 7_654_321 + 3_141_592) % 10**7:07d}"
    if country == "LV":
        reg = "4000" + d7
        return reg, "LV" + reg
    if country == "LT":
        return "30" + d7, f"LT1{d7}1"
    return "1" + d7, "EE10" + d7


def _basket(rng: random.Random, cum_weights: list[float], size: int) -> list[int]:
    """Product indices a client buys, favourite first, drawn by its industry's preferences."""
    population = range(len(cum_weights))
    chosen: list[int] = []
    seen: set[int] = set()
    for i in rng.choices(population, cum_weights=cum_weights, k=size * 4):
        if i not in seen:
            seen.add(i)
            chosen.append(i)
            if len(chosen) == size:
                break
    return chosen


def _industry_weights(products: list[ProductPlan]) -> dict[str, list[float]]:
    out = {}
    for industry, spec in v.INDUSTRIES.items():
        prefs, acc, cum = spec[5], 0.0, []
        for p in products:
            acc += prefs.get(p.category, 0.05)
            cum.append(acc)
        out[industry] = cum
    return out


def plan_clients(*, seed: int, scale: float, products: list[ProductPlan]) -> list[ClientPlan]:
    """The client base. Client 0 is the critical dependency (KC-3), client 1 the second big
    one; the rest follow a Pareto long tail (KC-13)."""
    rng = rng_for(seed, "clients")
    n = client_count(scale)
    industries = {name: spec[2] for name, spec in v.INDUSTRIES.items()}
    countries = {code: spec[1] for code, spec in v.COUNTRIES.items()}
    used_names: set[str] = set()
    basket_weights = _industry_weights(products)
    clients: list[ClientPlan] = []
    for no in range(n):
        if no == 0:
            country, industry = "LV", "Pharmacy chain"
        elif no == 1:
            country, industry = "LV", "Hospital"
        else:
            country, industry = _weighted_pick(rng, countries), _weighted_pick(rng, industries)
        segment, group, _share, size_factor, base_margin, _prefs = v.INDUSTRIES[industry]
        if no == 0:
            legal_name, city = ANCHOR_NAME, "Rīga"
            used_names.add(legal_name)
        elif no == 1:
            legal_name, city = SECOND_NAME, "Rīga"
            used_names.add(legal_name)
        else:
            legal_name, city = _legal_name(rng, country, industry, used_names)
        registration, vat = _registration(no, country)
        size = size_factor * rng.paretovariate(1.8)
        tld = v.COUNTRIES[country][3]
        domain = f"{_trade_slug(legal_name) or 'client'}.{tld}"
        has_site = industry in {"Pharmacy chain", "Wholesaler", "Hospital"} or rng.random() < 0.4
        client = ClientPlan(
            no=no,
            legal_name=legal_name,
            registration_number=registration,
            vat_number=vat if (size > 0.8 or rng.random() < 0.7) else "",
            industry=industry,
            segment=segment,
            country=country,
            city=city,
            website=f"https://www.{domain}" if has_site else "",
            owner=owner_for(country, industry),
            status="active",
            contacts=_contacts(rng, country, group, domain, 1 + min(3, int(rng.random() * 1.6 + math.log1p(size)))),
            annual_income=ANNUAL_INCOME_PER_CLIENT * size,
            margin=max(0.05, rng.gauss(base_margin, 0.03)),
            trend=rng.gauss(0.05, 0.15),
            adoption_lag=rng.choice([None, None, 4, 6, 8, 10, 12, 15]),
            lines_per_order=rng.randint(3, 10),
            return_rate=min(0.3, rng.uniform(0.01, 0.06) * (1 + math.log1p(size))),
            basket=_basket(rng, basket_weights[industry], min(len(products), 5 + int(8 * math.log1p(size)) + rng.randint(0, 6))),
        )  # fmt: skip
        clients.append(client)
    _assign_fates(rng, clients)
    _shape_income(clients)
    return clients


def _assign_fates(rng: random.Random, clients: list[ClientPlan]) -> None:
    """Statuses and the special cases the radar and the tests look for."""
    n = len(clients)
    anchor, second = clients[0], clients[1]
    anchor.margin, anchor.trend, anchor.adoption_lag = 0.12, 0.15, 3
    anchor.lines_per_order, anchor.return_rate = 12, 0.3
    second.margin, second.trend = 0.14, 0.04
    rest = clients[2:]
    # KC-1: turnover bought with prices below cost; it hurts most in a sizeable client.
    sizeable = sorted(rest, key=lambda c: -c.annual_income)[: max(4, len(rest) // 4)]
    loss_making = {c.no for c in rng.sample(sizeable, max(1, round(0.01 * n)))}
    for c in sizeable:
        if c.no in loss_making:
            c.margin = -rng.uniform(0.03, 0.08)
    rest = [c for c in rest if c.no not in loss_making]
    rng.shuffle(rest)
    counts = {
        "potential": max(3, round(0.04 * n)),
        "inactive": max(1, round(0.05 * n)),
        "lost": max(1, round(0.03 * n)),
        "rub": max(1, round(0.03 * n)),
        "new": max(1, round(0.08 * n)),
        "innovator": max(1, round(0.025 * n)),
    }
    at = 0
    for fate, count in counts.items():
        for c in rest[at : at + count]:
            if fate == "potential":
                c.status = "potential"
                c.annual_income *= 3  # KC-4: need and budget, buys elsewhere
            elif fate == "inactive":
                c.status = "inactive"
                c.first_month = rng.randint(0, 6)
                c.last_month = rng.randint(14, 19)
            elif fate == "lost":
                c.status = "lost"
                c.first_month = rng.randint(0, 4)
                c.last_month = rng.randint(5, 11)
            elif fate == "rub":
                c.currency = "RUB"
            elif fate == "new":
                c.first_month = rng.randint(HISTORY_MONTHS - WINDOW_MONTHS, HISTORY_MONTHS - 3)
            elif fate == "innovator":
                c.adoption_lag = 0  # KC-8: buys new products at once
        at += count


def _shape_income(clients: list[ClientPlan]) -> None:
    """Cap the tail so no other client nears the dependency threshold, then size the second
    client. The anchor is sized later, from the income the others really made."""
    tail = [c for c in clients[2:] if c.buys]
    for _ in range(5):
        total = sum(c.annual_income for c in tail)
        cap = OTHER_CAP * total
        if all(c.annual_income <= cap for c in tail):
            break
        for c in tail:
            c.annual_income = min(c.annual_income, cap)
    tail_total = sum(c.annual_income for c in tail)
    clients[1].annual_income = SECOND_SHARE / (1 - ANCHOR_SHARE - SECOND_SHARE) * tail_total
    clients[0].annual_income = (
        ANCHOR_SHARE / (1 - ANCHOR_SHARE) * (tail_total + clients[1].annual_income)
    )
