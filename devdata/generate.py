"""A synthetic network for benchmarks: many partners with their people, offers and needs,
participations in a few value chains, certifications and search documents.

The rows are built in Python from one seeded random.Random and written with COPY on PostgreSQL
(100,000 partners in well under a minute) or bulk_create elsewhere (SQLite, for tests).
Partners, people, offers, needs and participations get explicit ids taken above every id in use,
so rows can point at each other before they are written; the sequences are set past them after.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from partners.models import (
    ALL_MONTHS,
    Affiliation,
    Certification,
    ChainRole,
    Need,
    NetworkRole,
    Offer,
    Participation,
    ParticipationStatus,
    Partner,
    PartnerKind,
    PartnerSize,
    Period,
    Person,
    Phase,
    Product,
    Stage,
    ValueChain,
)
from partners.search import add_search_words
from partners.services import make_coordinator

BENCH_USERNAME = "bench@vcc.local"
BENCH_PASSWORD = "bench-pass-2026"
# Partners generated and written per round: bounds memory at any network size.
CHUNK = 10_000
SQLITE_BATCH = 500
# From this many partners on, PostgreSQL rebuilds indexes and constraints after the load.
BULK_LOAD_FROM = 20_000

# --- vocabulary -------------------------------------------------------------------------------


def _names(text: str) -> tuple[str, ...]:
    """'a, b, c' -> ('a', 'b', 'c'): keeps the long word lists below readable."""
    return tuple(word.strip() for word in text.split(",") if word.strip())


# Category: (unit, children). Every name is unique across the whole taxonomy.
TAXONOMY: dict[str, tuple[str, tuple[str, ...]]] = {
    category: (unit, _names(children))
    for category, unit, children in (
        (
            "Vegetables",
            "kg",
            "Tomatoes, Sweet peppers, Lettuce, Spinach, Carrots, Onions, "
            "Sweet potatoes, Butternut squash, Cabbage, Broccoli",
        ),
        (
            "Fruit",
            "kg",
            "Apples, Pears, Peaches, Nectarines, Plums, Mandarins, Navel oranges, "
            "Table grapes, Strawberries, Avocados",
        ),
        (
            "Herbs",
            "kg",
            "Basil, Coriander, Parsley, Mint, Rosemary, Thyme, Dill, Chives, Lemongrass, Oregano",
        ),
        (
            "Processed foods",
            "kg",
            "Fresh-cut vegetables, Tomato sauce, Salsa, Raisins, "
            "Dried apricots, Fruit juice, Pickles, Jam, Frozen vegetables, Canned peaches",
        ),
        (
            "Timber",
            "m³",
            "Saligna logs, Young Saligna logs, Pine logs, Wattle logs, Gum poles, "
            "Teak logs, Oak logs, Cedar logs, Ash logs, Poplar logs",
        ),
        (
            "Sawn timber",
            "m³",
            "Saligna boards, Saligna clears, Low-density Saligna, Pine boards, "
            "Kiln-dried squares, Hardwood flooring strips, Laminated panels, Structural beams, "
            "Veneer sheets, Turning blanks",
        ),
        (
            "Furniture",
            "pieces",
            "Dining tables, Dining chairs, Garden furniture sets, "
            "Bedroom suites, Office desks, Kitchen cabinets, Bookcases, School desks, "
            "Bedside cabinets, Benches",
        ),
        (
            "Wood residues",
            "t",
            "Sawdust, Offcuts, Wood chips, Bark mulch, Shavings, Firewood, "
            "Charcoal, Wood pellets, Biochar, Wood flour",
        ),
        (
            "Dairy",
            "L",
            "Whole milk, Skim milk, Cream, Butter, Yogurt, Cheddar, Gouda, Feta, "
            "Cottage cheese, Buttermilk",
        ),
        (
            "Animal feed",
            "t",
            "Lucerne hay, Silage, Maize meal feed, Soybean meal, Dairy pellets, "
            "Poultry feed, Brewers grain, Oat hay, Mineral licks, Straw bales",
        ),
        (
            "Packaging",
            "units",
            "Cardboard boxes, Produce crates, Glass jars, Milk bottles, "
            "Compostable trays, Pallets, Shrink wrap, Paper bags, Egg cartons, Labels",
        ),
        (
            "Grains",
            "t",
            "Wheat, Maize, Sorghum, Barley, Oats, Rice, Millet, Rye, Dry beans, Chickpeas",
        ),
        (
            "Flour & meal",
            "kg",
            "Bread flour, Cake flour, Whole-wheat flour, Maize meal, "
            "Sorghum meal, Oat flakes, Semolina, Rye flour, Bran, Samp",
        ),
        (
            "Bakery",
            "kg",
            "Sandwich loaves, Bread rolls, Rusks, Muffins, Tortillas, Pita bread, "
            "Sourdough, Biscuits, Crackers, Pizza bases",
        ),
        (
            "Fibre",
            "kg",
            "Merino wool, Mohair, Alpaca fibre, Cotton lint, Hemp fibre, "
            "Flax fibre, Cashmere, Angora, Lambswool, Karakul wool",
        ),
        (
            "Yarn",
            "kg",
            "Worsted yarn, Woollen yarn, Mohair yarn, Cotton yarn, Hemp yarn, "
            "Blended yarn, Hand-spun yarn, Sock yarn, Boucle yarn, Linen yarn",
        ),
        (
            "Textiles",
            "m",
            "Woven blankets, Knitted jerseys, Upholstery fabric, Rugs, Scarves, "
            "Felt, Shweshwe cloth, Canvas, Table linen, School uniforms",
        ),
        (
            "Meat",
            "kg",
            "Grass-fed beef, Lamb, Pork, Chicken, Goat, Venison, Sausages, Biltong, "
            "Mince, Free-range eggs",
        ),
        (
            "Honey & bee products",
            "kg",
            "Raw honey, Comb honey, Beeswax, Propolis, Bee pollen, "
            "Royal jelly, Mead, Honey sticks, Creamed honey, Bee colonies",
        ),
        (
            "Nuts",
            "kg",
            "Almonds, Walnuts, Pecans, Macadamias, Pistachios, Hazelnuts, Peanuts, "
            "Cashews, Chestnuts, Nut butter",
        ),
        (
            "Seafood",
            "kg",
            "Hake, Snoek, Sardines, Mussels, Oysters, Abalone, Trout, Tilapia, Calamari, Prawns",
        ),
    )
}


@dataclass(frozen=True)
class Theme:
    """A kind of chain: its stages as (name, role), and what each side of it trades."""

    name: str
    stages: tuple[tuple[str, str], ...]
    raw: tuple[str, ...]  # categories producers offer and processors need
    made: tuple[str, ...]  # categories processors offer and buyers need
    opportunity: str


_P, _R, _A, _D, _B = (
    ChainRole.PRODUCER,
    ChainRole.PROCESSOR,
    ChainRole.AGGREGATOR,
    ChainRole.DISTRIBUTOR,
    ChainRole.BUYER,
)
THEMES = (
    Theme(
        "Regional produce",
        (
            ("Grower", _P),
            ("Packer", _R),
            ("Food hub", _A),
            ("Distributor", _D),
            ("Institutional buyer", _B),
        ),
        ("Vegetables", "Fruit", "Herbs"),
        ("Processed foods", "Packaging"),
        "Schools, hospitals and grocers buying more of their produce from the region.",
    ),
    Theme(
        "Hardwood furniture",
        (
            ("Timber grower", _P),
            ("Sawmill", _R),
            ("Furniture manufacturer", _R),
            ("Trader / exporter", _D),
        ),
        ("Timber", "Wood residues"),
        ("Sawn timber", "Furniture"),
        "Plantation hardwood furniture for export markets that want certified timber.",
    ),
    Theme(
        "Dairy and cheese",
        (
            ("Dairy farm", _P),
            ("Creamery", _R),
            ("Cheese maker", _R),
            ("Distributor", _D),
            ("Retailer", _B),
            ("Restaurant", _B),
        ),
        ("Dairy", "Animal feed"),
        ("Dairy", "Packaging"),
        "Local milk and cheese for the region's retailers and restaurants.",
    ),
    Theme(
        "Grain and bakery",
        (("Grain farmer", _P), ("Mill", _R), ("Bakery", _R), ("Distributor", _D), ("Buyer", _B)),
        ("Grains",),
        ("Flour & meal", "Bakery"),
        "Bread for school feeding schemes from grain grown and milled in the region.",
    ),
    Theme(
        "Wool and fibre",
        (
            ("Sheep and goat farmer", _P),
            ("Scouring and spinning", _R),
            ("Weaver / knitter", _R),
            ("Retailer", _B),
        ),
        ("Fibre",),
        ("Yarn", "Textiles"),
        "Natural-fibre textiles with a traceable origin for design retailers.",
    ),
    Theme(
        "Meat and eggs",
        (
            ("Livestock farm", _P),
            ("Abattoir", _R),
            ("Butcher", _R),
            ("Distributor", _D),
            ("Buyer", _B),
        ),
        ("Meat", "Animal feed"),
        ("Meat", "Packaging"),
        "Pasture-raised meat for hospitals and grocers that want local supply.",
    ),
    Theme(
        "Honey and nuts",
        (("Beekeeper and orchard", _P), ("Processor", _R), ("Packer", _R), ("Retailer", _B)),
        ("Honey & bee products", "Nuts"),
        ("Honey & bee products", "Nuts", "Packaging"),
        "Pollination services and premium honey and nuts for retail.",
    ),
    Theme(
        "Small-scale fisheries",
        (("Fisher", _P), ("Processor", _R), ("Cold storage", _A), ("Buyer", _B)),
        ("Seafood",),
        ("Seafood", "Packaging"),
        "Fresh catch from small-scale fishers to restaurants and institutions.",
    ),
)

CERTIFICATIONS = _names(
    "Organic, GAP, HACCP, FSC, Fair Trade, PrimusGFS, Halal, Kosher, ISO 9001, "
    "Rainforest Alliance, Free range, B Corp"
)

# Town, region, latitude, longitude, postal code, telephone prefix.
PLACES = (
    ("Pietermaritzburg", "KwaZulu-Natal", -29.6006, 30.3794, "3201", "+27 33"),
    ("Durban", "KwaZulu-Natal", -29.8587, 31.0218, "4001", "+27 31"),
    ("Richards Bay", "KwaZulu-Natal", -28.7807, 32.0383, "3900", "+27 35"),
    ("Greytown", "KwaZulu-Natal", -29.0640, 30.5920, "3250", "+27 33"),
    ("Kokstad", "KwaZulu-Natal", -30.5472, 29.4241, "4700", "+27 39"),
    ("Vryheid", "KwaZulu-Natal", -27.7695, 30.7916, "3100", "+27 34"),
    ("East London", "Eastern Cape", -33.0153, 27.9116, "5201", "+27 43"),
    ("Gqeberha", "Eastern Cape", -33.9608, 25.6022, "6001", "+27 41"),
    ("Mthatha", "Eastern Cape", -31.5889, 28.7844, "5100", "+27 47"),
    ("Stutterheim", "Eastern Cape", -32.5700, 27.4240, "4930", "+27 43"),
    ("Makhanda", "Eastern Cape", -33.3042, 26.5328, "6139", "+27 46"),
    ("George", "Western Cape", -33.9630, 22.4617, "6529", "+27 44"),
    ("Stellenbosch", "Western Cape", -33.9321, 18.8602, "7600", "+27 21"),
    ("Bloemfontein", "Free State", -29.0852, 26.1596, "9301", "+27 51"),
    ("Mbombela", "Mpumalanga", -25.4753, 30.9694, "1201", "+27 13"),
    ("Polokwane", "Limpopo", -23.9045, 29.4689, "0700", "+27 15"),
    ("Fresno", "Fresno County", 36.7378, -119.7871, "93721", "+1 559"),
    ("Visalia", "Tulare County", 36.3302, -119.2921, "93291", "+1 559"),
    ("Merced", "Merced County", 37.3022, -120.4830, "95340", "+1 209"),
    ("Modesto", "Stanislaus County", 37.6391, -120.9969, "95354", "+1 209"),
    ("Hanford", "Kings County", 36.3275, -119.6457, "93230", "+1 559"),
    ("Madera", "Madera County", 36.9613, -120.0607, "93637", "+1 559"),
    ("Asheville", "Buncombe County", 35.5951, -82.5515, "28801", "+1 828"),
    ("Burlington", "Chittenden County", 44.4759, -73.2121, "05401", "+1 802"),
)
STREETS = _names(
    "Church Street, Main Road, Station Road, River Road, Market Street, Industrial Avenue, "
    "Farm Road, Mill Lane, Commercial Road, Oak Avenue, Victoria Street, Hill Street, "
    "Railway Road, Orchard Way, Valley Drive"
)
NAME_PLACES = _names(
    "Amatola, Umzimkulu, Kaweah, Riverbend, Sundays River, Karkloof, Tsitsikamma, Drakensberg, "
    "Mooi River, Kings River, Sierra, Blue Ridge, Green Valley, Hogsback, Midlands, Baviaans, "
    "Umgeni, Tugela, Winterberg, Langeberg, Kat River, Fish River, Buffalo, Keiskamma, "
    "Magaliesberg, Golden Hill, Willow Creek, Cedar Ridge, Sandy Flats, Oak Hollow"
)
NAME_WORDS = {
    ChainRole.PRODUCER: _names(
        "Farm, Growers, Estate, Ranch, Plantation, Smallholders, Family Farms, Orchards"
    ),
    ChainRole.PROCESSOR: _names("Processing, Works, Mill, Manufacturing, Kitchen, Craft, Makers"),
    ChainRole.AGGREGATOR: _names("Food Hub, Aggregation, Collective, Depot, Exchange"),
    ChainRole.DISTRIBUTOR: _names("Distributors, Logistics, Trading, Traders, Supply"),
    ChainRole.BUYER: _names("Schools, Hospital, Market, Grocers, Restaurants, Stores, Caterers"),
    ChainRole.SUPPORT: _names(
        "Development Agency, Extension Service, Training Centre, Community Fund, "
        "Research Institute, Business Council"
    ),
}
NAME_SUFFIXES = ("", "", "", " Co-op", " (Pty) Ltd", " Trust", " & Sons", " Group", " LLC")
KINDS = {
    ChainRole.PRODUCER: (PartnerKind.BUSINESS, PartnerKind.BUSINESS, PartnerKind.COOPERATIVE),
    ChainRole.PROCESSOR: (PartnerKind.BUSINESS, PartnerKind.BUSINESS, PartnerKind.COOPERATIVE),
    ChainRole.AGGREGATOR: (PartnerKind.COOPERATIVE, PartnerKind.NONPROFIT, PartnerKind.BUSINESS),
    ChainRole.DISTRIBUTOR: (PartnerKind.BUSINESS,),
    ChainRole.BUYER: (PartnerKind.INSTITUTION, PartnerKind.BUSINESS, PartnerKind.PUBLIC_AGENCY),
    ChainRole.SUPPORT: (PartnerKind.NONPROFIT, PartnerKind.PUBLIC_AGENCY, PartnerKind.FUNDER),
}
SIZES = (
    PartnerSize.MICRO,
    PartnerSize.SMALL,
    PartnerSize.SMALL,
    PartnerSize.MEDIUM,
    PartnerSize.LARGE,
    "",
)
STATUSES = (
    ParticipationStatus.PROSPECT,
    ParticipationStatus.ENGAGED,
    ParticipationStatus.ENGAGED,
    ParticipationStatus.COMMITTED,
    ParticipationStatus.COMMITTED,
    ParticipationStatus.INACTIVE,
)

# Single capitalised words, so search text and database orderings agree everywhere.
FIRST_NAMES = _names(
    "Thandi, Sipho, Nomvula, Johan, Anika, Pieter, Lindiwe, Themba, Zanele, Ravi, Priya, Maria, "
    "Jose, Ana, Carlos, Mai, Tou, Harjit, Gurpreet, Emily, James, Sarah, David, Naledi, Bongani, "
    "Ayanda, Kagiso, Lerato, Mandla, Nandi, Sizwe, Busisiwe, Hennie, Marietjie, Grace, Samuel, "
    "Fatima, Yusuf, Ling, Kenji"
)
LAST_NAMES = _names(
    "Dlamini, Khumalo, Mokoena, Naidoo, Pillay, Botha, Pretorius, Nkosi, Ndlovu, Mthembu, Zulu, "
    "Mbeki, Govender, Smith, Williams, Garcia, Hernandez, Lopez, Vang, Xiong, Sandhu, Gill, "
    "Yamamoto, Nguyen, Johnson, Baker, Coetzee, Steyn, Fourie, Jacobs, Mahlangu, Sithole, Cele, "
    "Mkhize, Ngcobo, Majola, Moodley, Reddy, Adams, Petersen"
)
TITLES = _names(
    "Owner, Managing director, Operations manager, Sales manager, Procurement officer, "
    "Quality manager, Farm manager, Finance officer, Programme officer, Logistics coordinator"
)


def _check_vocabulary() -> None:
    names = list(TAXONOMY)
    for _unit, children in TAXONOMY.values():
        names += children
    assert len(names) == len(set(names)), "product names must be unique"


_check_vocabulary()

# --- writing rows -----------------------------------------------------------------------------


def _columns(model: type[Model], fields: Sequence[str]) -> str:
    return ", ".join(model._meta.get_field(f).column for f in fields)


def write_rows(model: type[Model], fields: Sequence[str], rows: list[tuple]) -> int:
    """Insert the rows (values in the order of `fields`): COPY on PostgreSQL, else bulk_create."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        sql = f"COPY {model._meta.db_table} ({_columns(model, fields)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        model.objects.bulk_create(
            (model(**dict(zip(fields, row, strict=True))) for row in rows),
            batch_size=SQLITE_BATCH,
        )
    return len(rows)


def first_free_id(model: type[Model]) -> int:
    """The first id above every id in the table (and, on PostgreSQL, above its sequence)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        start = cursor.fetchone()[0] + 1
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
            last, called = cursor.fetchone()
            start = max(start, last + 1 if called else last)
    return start


def reset_sequence(model: type[Model]) -> None:
    """Move the table's id sequence past the largest id, so the next insert does not collide."""
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows explicit ids by itself.
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), MAX(id)) FROM {table} "
            "HAVING MAX(id) IS NOT NULL",
            [table],
        )


# --- the network ------------------------------------------------------------------------------

PARTNER_FIELDS = _names(
    "id, name, kind, description, address, region, latitude, longitude, website, size, "
    "locally_owned, women_owned, minority_owned, worker_owned, search_document, created_at, "
    "updated_at"
)
PERSON_FIELDS = _names(
    "id, first_name, last_name, email, phone, consent_to_contact, search_document, created_at, "
    "updated_at"
)
AFFILIATION_FIELDS = ("person_id", "partner_id", "title")
OFFER_FIELDS = _names(
    "id, partner_id, product_id, volume, unit, period, months, notes, delivery_radius_km, "
    "price_min, price_max, created_at, updated_at"
)
NEED_FIELDS = _names(
    "id, partner_id, product_id, volume, unit, period, months, notes, max_distance_km, "
    "created_at, updated_at"
)
PARTICIPATION_FIELDS = _names(
    "id, partner_id, value_chain_id, chain_role, network_role, status, status_changed_on"
)
PARTICIPATION_STAGE_FIELDS = ("participation_id", "stage_id")
PARTNER_CERT_FIELDS = ("partner_id", "certification_id")
OFFER_CERT_FIELDS = ("offer_id", "certification_id")
NEED_CERT_FIELDS = ("need_id", "certification_id")

TABLES: tuple[tuple[str, type[Model], Sequence[str]], ...] = (
    ("partners", Partner, PARTNER_FIELDS),
    ("people", Person, PERSON_FIELDS),
    ("affiliations", Affiliation, AFFILIATION_FIELDS),
    ("participations", Participation, PARTICIPATION_FIELDS),
    ("stage_links", Participation.stages.through, PARTICIPATION_STAGE_FIELDS),
    ("offers", Offer, OFFER_FIELDS),
    ("needs", Need, NEED_FIELDS),
    ("partner_certifications", Partner.certifications.through, PARTNER_CERT_FIELDS),
    ("offer_certifications", Offer.certifications.through, OFFER_CERT_FIELDS),
    ("need_certifications", Need.required_certifications.through, NEED_CERT_FIELDS),
)
WITH_IDS = (Partner, Person, Participation, Offer, Need)


@dataclass
class ChainPlan:
    """A generated chain: its id, theme and stages as (stage id, name, role)."""

    id: int
    theme: Theme
    stages: list[tuple[int, str, str]]
    raw: list[tuple[int, str, str]] = field(default_factory=list)  # (product id, name, unit)
    made: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class Ids:
    """The next id to give in each table written with explicit ids."""

    partner: int
    person: int
    participation: int
    offer: int
    need: int


def ensure_certifications() -> list[int]:
    """The ids of the generator's certifications, created where missing."""
    existing = dict(Certification.objects.values_list("name", "pk"))
    missing = [Certification(name=n) for n in CERTIFICATIONS if n not in existing]
    Certification.objects.bulk_create(missing)
    return list(Certification.objects.filter(name__in=CERTIFICATIONS).values_list("pk", flat=True))


def ensure_products() -> dict[str, list[tuple[int, str, str]]]:
    """The product taxonomy (categories with their children), created where missing:
    {category: [(product id, name, unit), ...]}."""
    existing = set(Product.objects.values_list("name", flat=True))
    Product.objects.bulk_create(
        [Product(name=c, unit=unit) for c, (unit, _) in TAXONOMY.items() if c not in existing]
    )
    parents = dict(Product.objects.filter(name__in=TAXONOMY).values_list("name", "pk"))
    Product.objects.bulk_create(
        [
            Product(name=child, parent_id=parents[category], unit=unit)
            for category, (unit, children) in TAXONOMY.items()
            for child in children
            if child not in existing
        ]
    )
    leaves = {child: category for category, (_, children) in TAXONOMY.items() for child in children}
    by_category: dict[str, list[tuple[int, str, str]]] = {c: [] for c in TAXONOMY}
    for pk, name, unit in Product.objects.filter(name__in=leaves).values_list("pk", "name", "unit"):
        by_category[leaves[name]].append((pk, name, unit))
    for products in by_category.values():
        products.sort()
    return by_category


def create_chains(count: int, products: dict[str, list]) -> list[ChainPlan]:
    """`count` value chains named after their themes, with 4-6 stages each."""
    taken = set(ValueChain.objects.values_list("name", flat=True))
    plans = []
    for i in range(count):
        theme = THEMES[i % len(THEMES)]
        base = f"{theme.name} network"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base} {n}"
        taken.add(name)
        chain = ValueChain.objects.create(
            name=name,
            region="Generated for benchmarks",
            phase=list(Phase)[i % len(Phase)],
            market_opportunity=theme.opportunity,
        )
        stages = Stage.objects.bulk_create(
            [
                Stage(value_chain=chain, name=stage_name, position=position)
                for position, (stage_name, _) in enumerate(theme.stages, start=1)
            ]
        )
        # bulk_create sets primary keys on PostgreSQL and SQLite alike.
        plans.append(
            ChainPlan(
                id=chain.pk,
                theme=theme,
                stages=[
                    (s.pk, s.name, role) for s, (_, role) in zip(stages, theme.stages, strict=True)
                ],
                raw=[p for c in theme.raw for p in products[c]],
                made=[p for c in theme.made for p in products[c]],
            )
        )
    return plans


def _season(rng: random.Random) -> int:
    """All year, or a run of 2-7 months (wrapping over the new year)."""
    if rng.random() < 0.35:
        return ALL_MONTHS
    start, length = rng.randrange(12), rng.randint(2, 7)
    mask = 0
    for m in range(start, start + length):
        mask |= 1 << (m % 12)
    return mask


def generate_rows(
    rng: random.Random,
    count: int,
    ids: Ids,
    chains: list[ChainPlan],
    certifications: list[int],
    now: datetime.datetime,
) -> dict[str, list[tuple]]:
    """All rows for `count` partners, ids continuing from `ids` (which it advances)."""
    rows: dict[str, list[tuple]] = {name: [] for name, _, _ in TABLES}
    partners, people, affiliations = rows["partners"], rows["people"], rows["affiliations"]
    participations, stage_links = rows["participations"], rows["stage_links"]
    offers, needs = rows["offers"], rows["needs"]
    partner_certs, offer_certs = rows["partner_certifications"], rows["offer_certifications"]
    need_certs = rows["need_certifications"]
    today = now.date()
    year_seconds = 365 * 24 * 3600
    choice, random_, randint, randrange = rng.choice, rng.random, rng.randint, rng.randrange

    for _ in range(count):
        partner_id = ids.partner
        ids.partner += 1
        chain = choice(chains)
        if random_() < 0.06:
            role, stage_ix = ChainRole.SUPPORT, None
        else:
            stage_ix = randrange(len(chain.stages))
            role = chain.stages[stage_ix][2]
        town, region, lat, lon, postcode, dial = choice(PLACES)
        place = choice(NAME_PLACES)
        name = f"{place} {choice(NAME_WORDS[role])}{choice(NAME_SUFFIXES)}"
        slug = f"{place.lower().replace(' ', '')}{partner_id}"
        address = f"{randint(1, 400)} {choice(STREETS)}, {town}, {postcode}"
        created = now - datetime.timedelta(seconds=randrange(2 * year_seconds))
        updated = min(now, created + datetime.timedelta(seconds=randrange(year_seconds)))

        # People, sorted as the directory sorts them, for the partner's search text.
        staff = []
        for _p in range(choice((2, 3, 4))):
            first, last = choice(FIRST_NAMES), choice(LAST_NAMES)
            person_id = ids.person
            ids.person += 1
            email = f"{first}.{last}.{person_id}@{slug}.example".lower()
            phone = f"{dial} {randint(200, 999)} {randint(1000, 9999)}" if random_() < 0.6 else ""
            document = f"{first} {last} {email} {name}".lower()
            people.append(
                (person_id, first, last, email, phone, random_() < 0.7, document, created, updated)
            )
            affiliations.append((person_id, partner_id, choice(TITLES)))
            staff.append((last, first))
        staff.sort()

        # Offers and needs: producers offer, buyers need, the middle of the chain does both.
        offered: list[str] = []
        wanted: list[str] = []
        if role != ChainRole.SUPPORT:
            for _l in range(choice((1, 2, 2, 3, 3))):
                if role == ChainRole.PRODUCER:
                    is_offer, pool = True, chain.raw
                elif role == ChainRole.BUYER:
                    is_offer, pool = False, chain.made if random_() < 0.6 else chain.raw
                else:
                    is_offer = random_() < 0.5
                    pool = chain.made if is_offer else chain.raw
                product_id, product, unit = choice(pool)
                if product in (offered if is_offer else wanted):
                    continue
                volume = round(randint(1, 5000) * 1.5, 2)
                period = choice((Period.WEEK, Period.MONTH, Period.SEASON, Period.YEAR))
                if is_offer:
                    offered.append(product)
                    low = round(randint(50, 5000) / 100, 2)
                    priced = random_() < 0.7
                    offers.append(
                        (
                            ids.offer,
                            partner_id,
                            product_id,
                            volume,
                            unit,
                            period,
                            _season(rng),
                            "",
                            choice((None, 50, 100, 250, 500, 1000)),
                            low if priced else None,
                            round(low * 1.4, 2) if priced else None,
                            created,
                            updated,
                        )
                    )
                    if random_() < 0.3:
                        offer_certs.append((ids.offer, choice(certifications)))
                    ids.offer += 1
                else:
                    wanted.append(product)
                    needs.append(
                        (
                            ids.need,
                            partner_id,
                            product_id,
                            volume,
                            unit,
                            period,
                            _season(rng),
                            "",
                            choice((None, 100, 200, 400, 800)),
                            created,
                            updated,
                        )
                    )
                    if random_() < 0.2:
                        need_certs.append((ids.need, choice(certifications)))
                    ids.need += 1

        words = [name, region, address]
        for last, first in staff:
            words += (first, last)
        words += sorted(offered) + sorted(wanted)
        flags = [random_() < p for p in (0.55, 0.25, 0.2, 0.05)]
        partners.append(
            (
                partner_id,
                name,
                choice(KINDS[role]),
                f"{chain.theme.name} {role} in {town}.",
                address,
                region,
                round(lat + (random_() - 0.5) * 0.6, 5),
                round(lon + (random_() - 0.5) * 0.6, 5),
                f"https://www.{slug}.example",
                choice(SIZES),
                *flags,
                " ".join(words).lower(),
                created,
                updated,
            )
        )
        for certification in rng.sample(certifications, choice((0, 0, 1, 1, 2))):
            partner_certs.append((partner_id, certification))

        # A participation in its chain (at one stage, sometimes the next one too); some partners
        # also take part in a second chain.
        taking_part = [(chain, stage_ix)]
        if len(chains) > 1 and random_() < 0.15:
            other = choice([c for c in chains if c is not chain])
            taking_part.append((other, randrange(len(other.stages))))
        for i, (c, ix) in enumerate(taking_part):
            chain_role = role if i == 0 else c.stages[ix][2]
            network_role = NetworkRole.MEMBER
            if random_() < 0.03:
                network_role = choice((NetworkRole.LEAD_FIRM, NetworkRole.CHANGE_AGENT))
            participations.append(
                (
                    ids.participation,
                    partner_id,
                    c.id,
                    chain_role,
                    network_role,
                    choice(STATUSES),
                    today - datetime.timedelta(days=randrange(700)),
                )
            )
            if ix is not None:
                stage_links.append((ids.participation, c.stages[ix][0]))
                if ix + 1 < len(c.stages) and random_() < 0.1:
                    stage_links.append((ids.participation, c.stages[ix + 1][0]))
            ids.participation += 1
    return rows


def drop_secondary_structures(tables: Sequence[str]) -> list[str]:
    """Drop the foreign keys, unique constraints and indexes (all but primary keys) of `tables`
    on PostgreSQL, and return the statements that restore them, indexes first.

    Building an index once over the loaded rows, and checking a foreign key with one join, is
    several times faster than keeping them up to date row by row during COPY. The caller runs
    both in one transaction, so nobody sees the tables without them.
    """
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') "
            "ORDER BY contype DESC, conname",  # unique ('u') before foreign keys ('f')
            [list(tables)],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND NOT EXISTS ("
            "  SELECT 1 FROM pg_constraint c"
            "  WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))"
            "ORDER BY 1",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        # Foreign keys first (they may lean on the unique indexes), then the rest.
        for table, name, _kind, _definition in reversed(constraints):
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}"
        for table, name, _kind, definition in constraints
    ]


def ensure_bench_user(chains: list[ChainPlan]):
    """The benchmark's coordinator (created once), made coordinator of the new chains."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=BENCH_USERNAME, defaults={"email": BENCH_USERNAME}
    )
    if created:
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
        make_coordinator(user=user)
    for plan in chains:
        ValueChain.coordinators.through.objects.get_or_create(
            valuechain_id=plan.id, user_id=user.pk
        )
    return user


def generate_network(
    partners: int,
    chains: int = 5,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
    bulk_load: bool | None = None,
) -> dict:
    """Add a synthetic network of `partners` partners in `chains` new value chains; return the
    counts written and the seconds it took. The same seed on an empty database gives the same
    network. `bulk_load` (PostgreSQL) drops indexes and constraints during the load and
    restores them after; by default it does so for large networks."""
    if partners < 0 or chains < 1:
        raise ValueError("partners must be >= 0 and chains >= 1")
    started = time.monotonic()
    rng = random.Random(seed)
    now = timezone.now()
    counts = {name: 0 for name, _, _ in TABLES}
    postgres = connection.vendor == "postgresql"
    tables = [model._meta.db_table for _, model, _ in TABLES]

    with transaction.atomic():
        if postgres:
            with connection.cursor() as cursor:
                # Nobody else takes ids in these tables until the network is committed.
                cursor.execute(f"LOCK TABLE {', '.join(tables)} IN SHARE ROW EXCLUSIVE MODE")
        certifications = ensure_certifications()
        products = ensure_products()
        plans = create_chains(chains, products)
        ensure_bench_user(plans)
        ids = Ids(*(first_free_id(model) for model in WITH_IDS))
        if bulk_load is None:
            # Rebuilding pays off when the new rows are at least as many as those already there.
            bulk_load = partners >= max(BULK_LOAD_FROM, Partner.objects.count())
        restore: list[str] = []
        if postgres and bulk_load:
            with connection.cursor() as cursor:
                # ALTER TABLE refuses tables with foreign-key checks still queued: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            restore = drop_secondary_structures(tables)

        for done in range(0, partners, CHUNK):
            count = min(CHUNK, partners - done)
            rows = generate_rows(rng, count, ids, plans, certifications, now)
            for name, model, fields in TABLES:
                counts[name] += write_rows(model, fields, rows[name])
            add_search_words(
                row[columns.index("search_document")]
                for name, columns in (("partners", PARTNER_FIELDS), ("people", PERSON_FIELDS))
                for row in rows[name]
            )
            if progress:
                progress(f"{done + count} partners")

        with connection.cursor() as cursor:
            if restore:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in restore:
                cursor.execute(statement)
        for model in WITH_IDS:
            reset_sequence(model)

    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(tables)}")
    return {
        "database": connection.vendor,
        "value_chains": len(plans),
        "stages": sum(len(p.stages) for p in plans),
        "products": sum(len(v) for v in products.values()) + len(products),
        **counts,
        "seconds": round(time.monotonic() - started, 2),
    }
