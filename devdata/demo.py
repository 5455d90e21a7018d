"""The demo network that `manage.py seed_demo` loads: two value chains a coordinator might run.

- Valley Fresh Food Chain: growers, packers and processors, a food hub and distributors, and the
  schools, hospitals and grocers of California's San Joaquin Valley that buy from them.
- Saligna Hardwood Furniture Chain: shaped like the Saligna value-chain group of South Africa
  (seed 002): plantation growers, two corporate sawmills and an independent one, at least eight
  furniture manufacturers, one trader/exporter (a deliberately thin stage: the international
  buyers never joined), two government departments, the export council, support institutions
  and a university research project as the external intermediary.

Everything is fixed lists plus one seeded random.Random, so every run builds the same network;
dates are relative to the day it is loaded, so some commitments are always overdue.
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from followups.models import Task
from followups.services import sync_follow_up_task
from matchmaking.network import refresh_strengths
from partners.models import (
    Affiliation,
    Certification,
    ChainRole,
    ChangeRecord,
    Commitment,
    CommitmentStatus,
    Interaction,
    InteractionKind,
    InteractionPartner,
    Interest,
    InterestKind,
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
    Relationship,
    RelationshipKind,
    Stage,
    ValueChain,
    Visibility,
    months_to_mask,
)
from partners.search import refresh_search_documents
from partners.services import make_coordinator, note_contact

DEMO_PASSWORD = "demo-pass-2026"
FOOD = "Valley Fresh Food Chain"
SALIGNA = "Saligna Hardwood Furniture Chain"
SEED = 2026

# The demo sign-ins seed_demo prints: (username, role, what they see).
SIGN_INS = (
    ("coordinator@demo.vcc", "Coordinator", "both value chains"),
    ("partner@demo.vcc", "Partner", "Riverbend Family Farm (food chain grower)"),
    ("lead@demo.vcc", "Working-group lead", "Msunduzi Furniture Works (Saligna manufacturer)"),
    ("admin@demo.vcc", "Administrator", "everything, and the Django admin"),
    ("observer@demo.vcc", "Observer", "the food chain, read-only (a funder)"),
)


# The tables below are laid out by hand, one record a line or two: keep ruff format off them.
# fmt: off
CHAINS = {
    FOOD: {
        "region": "San Joaquin Valley, California",
        "currency": "USD",
        "phase": Phase.COORDINATION,
        "market_opportunity": (
            "The Valley's school districts, hospitals and grocers spend over $400 million a "
            "year on food, yet buy less than a tenth of it from the farms around them. Schools "
            "want fresh-cut fruit and vegetables through the school year, hospitals want local "
            "and sustainable food on the menu, and small and farmworker-owned farms need "
            "buyers who pay fairly and packing, cold storage and food-safety certification "
            "they cannot reach alone."
        ),
        "stages": ("Grower", "Packer / processor", "Aggregator / distributor",
                   "Institutional buyer"),
    },
    SALIGNA: {
        "region": "Eastern Cape and KwaZulu-Natal, South Africa",
        "currency": "ZAR",
        "phase": Phase.PLANNING,
        "market_opportunity": (
            "Saligna (Eucalyptus grandis), grown in plantations for mine props, is in surplus "
            "as mining restructures. Finished well it passes for threatened rain-forest "
            "hardwoods, so European and North American buyers who want environmentally "
            "responsible furniture are an export market, and Saligna furniture earns more "
            "than pine at home. It needs mature logs kept out of the pulp mills, timber sawn "
            "to metric sizes, better grading and a shared export profile."
        ),
        "stages": ("Timber grower", "Sawmill", "Furniture manufacturer",
                   "Timber trader / exporter"),
    },
}

# Town: region, latitude, longitude, postal code, telephone prefix.
TOWNS = {
    "Fresno": ("Fresno County", 36.7378, -119.7871, "CA 93721", "(559)"),
    "Clovis": ("Fresno County", 36.8252, -119.7029, "CA 93612", "(559)"),
    "Reedley": ("Fresno County", 36.5963, -119.4504, "CA 93654", "(559)"),
    "Kingsburg": ("Fresno County", 36.5138, -119.5540, "CA 93631", "(559)"),
    "Selma": ("Fresno County", 36.5708, -119.6121, "CA 93662", "(559)"),
    "Sanger": ("Fresno County", 36.7080, -119.5560, "CA 93657", "(559)"),
    "Kerman": ("Fresno County", 36.7230, -120.0599, "CA 93630", "(559)"),
    "Visalia": ("Tulare County", 36.3302, -119.2921, "CA 93291", "(559)"),
    "Tulare": ("Tulare County", 36.2077, -119.3473, "CA 93274", "(559)"),
    "Exeter": ("Tulare County", 36.2961, -119.1421, "CA 93221", "(559)"),
    "Dinuba": ("Tulare County", 36.5433, -119.3871, "CA 93618", "(559)"),
    "Hanford": ("Kings County", 36.3275, -119.6457, "CA 93230", "(559)"),
    "Madera": ("Madera County", 36.9613, -120.0607, "CA 93637", "(559)"),
    "Merced": ("Merced County", 37.3022, -120.4830, "CA 95340", "(209)"),
    "Livingston": ("Merced County", 37.3869, -120.7235, "CA 95334", "(209)"),
    "Los Banos": ("Merced County", 37.0583, -120.8499, "CA 93635", "(209)"),
    "Modesto": ("Stanislaus County", 37.6391, -120.9969, "CA 95354", "(209)"),
    "Turlock": ("Stanislaus County", 37.4947, -120.8466, "CA 95380", "(209)"),
    "Pietermaritzburg": ("KwaZulu-Natal", -29.6006, 30.3794, "3201", "+27 33"),
    "Howick": ("KwaZulu-Natal", -29.4779, 30.2305, "3290", "+27 33"),
    "Richmond": ("KwaZulu-Natal", -29.8700, 30.2700, "3780", "+27 33"),
    "Greytown": ("KwaZulu-Natal", -29.0640, 30.5920, "3250", "+27 33"),
    "Durban": ("KwaZulu-Natal", -29.8587, 31.0218, "4001", "+27 31"),
    "Pinetown": ("KwaZulu-Natal", -29.8167, 30.8500, "3610", "+27 31"),
    "Eshowe": ("KwaZulu-Natal", -28.8930, 31.4700, "3815", "+27 35"),
    "Melmoth": ("KwaZulu-Natal", -28.5900, 31.3950, "3835", "+27 35"),
    "Harding": ("KwaZulu-Natal", -30.5780, 29.8830, "4680", "+27 39"),
    "Port Shepstone": ("KwaZulu-Natal", -30.7414, 30.4550, "4240", "+27 39"),
    "Stutterheim": ("Eastern Cape", -32.5700, 27.4240, "4930", "+27 43"),
    "East London": ("Eastern Cape", -33.0153, 27.9116, "5201", "+27 43"),
    "Mthatha": ("Eastern Cape", -31.5889, 28.7844, "5100", "+27 47"),
    "Ugie": ("Eastern Cape", -31.1980, 28.2290, "5470", "+27 45"),
    "Makhanda": ("Eastern Cape", -33.3042, 26.5328, "6139", "+27 46"),
    "Kariega": ("Eastern Cape", -33.7576, 25.3971, "6229", "+27 41"),
}
STREETS = {
    FOOD: ("E Manning Ave", "S Alta Ave", "W Shaw Ave", "N Blackstone Ave", "E Kings Canyon Rd",
           "Avenue 416", "Road 80", "W Mineral King Ave", "N Golden State Blvd",
           "E Olive Ave", "S Kings River Rd", "Crows Landing Rd"),
    SALIGNA: ("Church Street", "Boshoff Street", "Main Road", "Old Main Road", "Mill Road",
              "Station Road", "Commercial Road", "Victoria Street", "Industrial Drive",
              "Forest Road", "Oxford Street", "Plantation Road"),
}

KINDS = {
    "B": PartnerKind.BUSINESS, "C": PartnerKind.COOPERATIVE, "N": PartnerKind.NONPROFIT,
    "G": PartnerKind.PUBLIC_AGENCY, "F": PartnerKind.FUNDER, "I": PartnerKind.INSTITUTION,
}
SIZES = {"xs": PartnerSize.MICRO, "s": PartnerSize.SMALL, "m": PartnerSize.MEDIUM,
         "l": PartnerSize.LARGE}
ROLES = {
    "prod": ChainRole.PRODUCER, "proc": ChainRole.PROCESSOR, "agg": ChainRole.AGGREGATOR,
    "dist": ChainRole.DISTRIBUTOR, "buy": ChainRole.BUYER, "sup": ChainRole.SUPPORT,
}
NETWORK = {
    "": NetworkRole.MEMBER, "lead": NetworkRole.LEAD_FIRM, "agent": NetworkRole.CHANGE_AGENT,
    "inter": NetworkRole.INTERMEDIARY, "coord": NetworkRole.COORDINATOR,
}
STATUS = {
    "p": ParticipationStatus.PROSPECT, "e": ParticipationStatus.ENGAGED,
    "c": ParticipationStatus.COMMITTED, "x": ParticipationStatus.INACTIVE,
}


@dataclass(frozen=True)
class DemoPartner:
    """One partner, in the keys of the tables above. `stages` are positions in its chain;
    `owned` holds l(ocally), w(omen-), m(inority-) and c (worker-owned, as in a co-op)."""

    name: str
    chain: str
    kind: str
    size: str
    town: str
    stages: tuple[int, ...]
    role: str
    network: str
    status: str
    owned: str
    certifications: tuple[str, ...]
    about: str


def _p(name, chain, kind, size, town, stages, role, network, status, owned, certs, about):
    return DemoPartner(name, chain, kind, size, town, tuple(stages), role, network, status,
                       owned, tuple(c for c in certs.split(",") if c), about)


F, S = FOOD, SALIGNA
PARTNERS = (
    # name, chain, kind, size, town, stages, chain role, network role, status, owned, certs,
    # about
    # --- Valley Fresh Food Chain: growers ---
    _p("Riverbend Family Farm", F, "B", "s", "Kingsburg", [1], "prod", "agent", "c", "lw",
       "Organic,GAP", "Third-generation family farm: stone fruit, Roma tomatoes and winter "
       "squash on 80 acres. Champions selling to schools in the Valley."),
    _p("Vang Family Farms", F, "B", "xs", "Fresno", [1], "prod", "", "e", "lm", "GAP",
       "Hmong family farm growing Asian greens, bitter melon and herbs on leased land."),
    _p("Sol y Tierra Cooperative", F, "C", "s", "Reedley", [1], "prod", "", "c", "lmc",
       "Organic,Fair Trade", "Cooperative of 22 farmworker-owners farming 140 organic acres "
       "of peppers and leafy greens."),
    _p("Sandhu Orchards", F, "B", "m", "Selma", [1], "prod", "", "c", "lm", "GAP,PrimusGFS",
       "Nectarines, plums and raisin grapes on 600 acres; packs through Valley Harvest."),
    _p("Kaweah Citrus Growers", F, "C", "m", "Exeter", [1], "prod", "", "e", "l", "GAP",
       "Growers' cooperative of 40 citrus farms in the foothills: mandarins and navels."),
    _p("Hollister Creek Ranch", F, "B", "s", "Hanford", [1], "prod", "", "p", "l", "",
       "Grass-fed cattle on irrigated pasture; looking for a processor and steady buyers."),
    _p("Livingston Sweet Potato Growers", F, "B", "s", "Livingston", [1], "prod", "", "e",
       "lm", "GAP", "Sweet potatoes from sandy Merced County soils, cured and stored for "
       "sale from September to May."),
    _p("Dos Rios Dairy", F, "B", "m", "Turlock", [1, 2], "prod", "", "c", "l", "HACCP",
       "Family dairy of 900 cows that bottles its own milk and makes yogurt on the farm."),
    _p("Kearney Almond Ranch", F, "B", "m", "Kerman", [1], "prod", "", "x", "l", "",
       "Almond grower; sells nearly everything to a handler for export."),
    _p("Tower Street Urban Farm", F, "N", "xs", "Fresno", [1], "prod", "", "e", "lw",
       "Organic", "Two-acre urban farm training young growers; greens and herbs all year."),
    _p("Pantoja Berry Farm", F, "B", "xs", "Visalia", [1], "prod", "", "p", "lwm", "",
       "Strawberries and blackberries on 12 acres, sold at farmers' markets so far."),
    _p("Sierra Foothill Apple Growers", F, "C", "s", "Sanger", [1], "prod", "", "e", "l",
       "GAP", "Nine foothill orchards growing apples and pears, with shared cold storage."),
    _p("Yamamoto Farms", F, "B", "m", "Dinuba", [1], "prod", "", "c", "lm", "GAP",
       "Japanese-American family farm since 1948: table grapes and peaches."),
    _p("Central Valley Pasture Eggs", F, "B", "s", "Hanford", [1], "prod", "", "p", "lw",
       "Certified Humane", "Pasture-raised hens in mobile coops; 2,000 dozen eggs a week."),
    # --- packers and processors ---
    _p("Valley Harvest Packing House", F, "B", "m", "Reedley", [2], "proc", "lead", "c", "l",
       "HACCP,PrimusGFS,GAP", "Packs stone fruit and citrus for 30 growers; the chain's "
       "lead firm for packing, grading and the shared Valley Fresh label."),
    _p("Fresno Fresh-Cut Kitchen", F, "B", "s", "Fresno", [2], "proc", "", "e", "lw", "HACCP",
       "Fresh-cut fruit and vegetables for school and hospital kitchens; uses seconds."),
    _p("Selma Raisin Cooperative", F, "C", "l", "Selma", [2], "proc", "", "e", "l",
       "HACCP,Kosher", "Raisin and dried-fruit processing cooperative owned by its growers."),
    _p("Tulare Tomato Works", F, "B", "l", "Tulare", [2], "proc", "", "e", "", "HACCP,Kosher",
       "Tomato cannery: sauce, diced tomatoes and salsa."),
    _p("Westside Grain and Bean Mill", F, "B", "s", "Los Banos", [2], "proc", "", "p", "l",
       "Organic", "Cleans, grades and bags dry beans and garbanzos from Westside farms."),
    _p("Merced Meat Processing Cooperative", F, "C", "s", "Merced", [2], "proc", "", "e", "lc",
       "HACCP,Halal", "USDA-inspected cut-and-wrap plant owned by ranchers."),
    # --- aggregators and distributors ---
    _p("Valley Food Hub", F, "C", "s", "Fresno", [3], "agg", "agent", "c", "lc", "GAP",
       "Aggregates, grades and delivers produce from 45 small farms to institutions."),
    _p("Central Valley Produce Distributors", F, "B", "l", "Fresno", [3], "dist", "lead", "e",
       "l", "HACCP,PrimusGFS", "Broadline produce distributor serving schools and "
       "hospitals from Modesto to Bakersfield."),
    _p("Kaweah Cold Storage and Trucking", F, "B", "m", "Visalia", [3], "dist", "", "e", "l",
       "", "Refrigerated warehouse and 18 reefer trucks."),
    _p("Stanislaus Growers Aggregation", F, "C", "s", "Modesto", [3], "agg", "", "p", "lc",
       "", "Young aggregation co-op of northern Valley vegetable growers."),
    # --- institutional buyers ---
    _p("Fresno Unified School District Nutrition Services", F, "G", "l", "Fresno", [4], "buy",
       "lead", "c", "", "", "Serves 70,000 school meals a day; aims for 30% Valley-grown."),
    _p("Visalia Unified School District Food Services", F, "G", "l", "Visalia", [4], "buy", "",
       "e", "", "", "Breakfast and lunch for 27,000 students."),
    _p("Valley Community Medical Center", F, "I", "l", "Fresno", [4], "buy", "", "c", "", "",
       "Regional hospital with 680 beds and a healthy-food-in-health-care pledge."),
    _p("Tulare County Regional Hospital", F, "I", "l", "Visalia", [4], "buy", "", "p", "", "",
       "Hospital kitchen serving patients, staff and a public cafeteria."),
    _p("Valley State University Dining Services", F, "I", "l", "Fresno", [4], "buy", "", "e",
       "", "", "Campus dining for 25,000 students; runs a farm-to-fork menu."),
    _p("Tower District Grocery Cooperative", F, "C", "s", "Fresno", [4], "buy", "", "c", "lc",
       "", "Worker-owned neighbourhood grocery that buys direct from farms."),
    _p("Golden State Markets", F, "B", "l", "Modesto", [4], "buy", "", "p", "l", "",
       "Regional grocery chain with 38 stores; tests a 'Grown in the Valley' shelf."),
    _p("San Joaquin Community Food Bank", F, "N", "m", "Fresno", [4], "buy", "", "e", "", "",
       "Buys and rescues produce for 250 pantries in five counties."),
    # --- support ---
    _p("Valley Food Systems Collaborative", F, "N", "s", "Fresno", [], "sup", "coord", "c", "l",
       "", "Non-profit that coordinates the Valley Fresh Food Chain."),
    _p("Central Valley Community Capital", F, "F", "s", "Fresno", [], "sup", "", "e", "l", "",
       "Community development financial institution lending to farms and food businesses."),
    _p("Fresno County Cooperative Extension", F, "G", "s", "Fresno", [], "sup", "", "e", "", "",
       "University extension office: food-safety and GAP training for small growers."),
    # --- Saligna Hardwood Furniture Chain: growers (the big two also saw) ---
    _p("Umzimkulu Timber Holdings", S, "B", "l", "Harding", [1, 2], "proc", "lead", "c", "",
       "FSC", "Plantation and sawmilling company; its pulp division competes with the "
       "sawmill for the same mature Saligna logs."),
    _p("Amatola Forest Products", S, "B", "l", "Stutterheim", [1, 2], "proc", "agent", "c", "",
       "FSC", "Plantations and a large sawmill; took over as change agent when the "
       "manufacturers' enthusiasm waned."),
    _p("Hlanganani Community Forestry Trust", S, "C", "s", "Ugie", [1], "prod", "", "e", "lc",
       "FSC", "Community-owned plantation on restored tribal land; 1,100 hectares."),
    _p("Mkhize Family Plantation", S, "B", "xs", "Greytown", [1], "prod", "", "e", "lw", "",
       "Small plantation owner with 180 hectares of Saligna."),
    _p("Ugie Small Growers Association", S, "C", "s", "Ugie", [1], "prod", "", "p", "lc", "",
       "Association of 60 small growers with woodlots of 5 to 40 hectares."),
    _p("Zululand Eucalyptus Growers", S, "B", "m", "Melmoth", [1], "prod", "", "x", "l", "FSC",
       "Sells most logs to the pulp mills; left the group after the first meetings."),
    # --- sawmills ---
    _p("Khulani Independent Sawmill", S, "B", "s", "Richmond", [2], "proc", "", "e", "l", "",
       "Independent small sawmiller without plantations of its own."),
    # --- furniture manufacturers ---
    _p("Msunduzi Furniture Works", S, "B", "m", "Pietermaritzburg", [3], "proc", "agent", "c",
       "l", "FSC", "Dining and bedroom furniture in Saligna; one of the two manufacturers "
       "that asked the university project to facilitate the group."),
    _p("Pinetown Hardwood Designs", S, "B", "s", "Pinetown", [3], "proc", "lead", "c", "l",
       "FSC", "Designs and makes dining chairs and occasional furniture."),
    _p("Howick Garden Furniture", S, "B", "m", "Howick", [3], "proc", "", "e", "l", "",
       "Garden furniture for the domestic and export market."),
    _p("Buffalo City Joinery", S, "B", "s", "East London", [3], "proc", "", "e", "l", "",
       "Kitchen cabinets and built-in joinery."),
    _p("Kariega Office Furniture", S, "B", "l", "Kariega", [3], "proc", "", "e", "", "",
       "Office desks and boardroom tables for government and corporate tenders."),
    _p("Ubuntu Woodcraft Cooperative", S, "C", "xs", "Mthatha", [3], "proc", "", "p", "lwc", "",
       "Worker cooperative of 11 woodworkers, most of them women."),
    _p("Durban Heritage Furniture", S, "B", "m", "Durban", [3], "proc", "", "c", "l", "FSC",
       "Colonial-style dining tables, mostly exported to the United Kingdom."),
    _p("Eshowe Timber Crafts", S, "B", "xs", "Eshowe", [3], "proc", "", "e", "lw", "",
       "Small workshop making benches and garden sets."),
    _p("Makhanda Fine Furniture", S, "B", "s", "Makhanda", [3], "proc", "", "x", "l", "",
       "Bespoke bedroom furniture; stopped coming to meetings last year."),
    _p("Richmond Chair Company", S, "B", "s", "Richmond", [3], "proc", "", "e", "l", "",
       "Dining chairs and stools."),
    _p("Port Shepstone Outdoor Living", S, "B", "m", "Port Shepstone", [3], "proc", "", "p",
       "l", "", "Garden furniture for retail chains; testing lower-density timber."),
    # --- the one trader / exporter: a thin stage (the international buyers never joined) ---
    _p("Indlovu Timber Traders and Exporters", S, "B", "s", "Durban", [4], "dist", "", "e",
       "l", "FSC", "Trades Saligna boards and consolidates furniture containers for Europe."),
    # --- government, export council, support institutions, the external intermediary ---
    _p("Department of Water and Forestry, KwaZulu-Natal", S, "G", "l", "Pietermaritzburg", [],
       "sup", "", "e", "", "", "Regional forestry office: plantations, water licences and "
       "the sale of the state forests."),
    _p("Department of Trade and Industry, Export Promotion", S, "G", "l", "Durban", [], "sup",
       "", "e", "", "", "Export-marketing and manufacturing assistance schemes."),
    _p("Furniture Export Council of South Africa", S, "N", "s", "Durban", [], "sup", "", "c",
       "", "", "The export council: trade fairs, market intelligence and export readiness."),
    _p("Industrial Research Project, University of KwaZulu-Natal", S, "I", "s", "Durban", [],
       "sup", "inter", "c", "", "", "Action-research project of the School of Development "
       "Studies; coordinates the Saligna Value-chain Group and bears its logistics costs."),
    _p("Forest Industries Training Centre", S, "N", "s", "Pietermaritzburg", [], "sup", "", "e",
       "", "", "Training for sawmill and furniture workers; runs grading courses."),
    _p("Wood Technology Institute", S, "G", "s", "East London", [], "sup", "", "e", "", "",
       "Research on timber density, drying and grading."),
    _p("KwaZulu-Natal Growth Fund", S, "F", "s", "Durban", [], "sup", "", "p", "", "",
       "Provincial development finance for manufacturers."),
)

# name, parent, unit
PRODUCTS = (
    ("Vegetables", None, "kg"), ("Tomatoes", "Vegetables", "kg"),
    ("Roma tomatoes", "Tomatoes", "kg"), ("Leafy greens", "Vegetables", "kg"),
    ("Lettuce", "Leafy greens", "kg"), ("Asian greens", "Leafy greens", "kg"),
    ("Sweet peppers", "Vegetables", "kg"), ("Sweet potatoes", "Vegetables", "kg"),
    ("Winter squash", "Vegetables", "kg"), ("Carrots", "Vegetables", "kg"),
    ("Fruit", None, "kg"), ("Stone fruit", "Fruit", "kg"), ("Peaches", "Stone fruit", "kg"),
    ("Nectarines", "Stone fruit", "kg"), ("Plums", "Stone fruit", "kg"),
    ("Citrus", "Fruit", "kg"), ("Mandarins", "Citrus", "kg"), ("Navel oranges", "Citrus", "kg"),
    ("Apples", "Fruit", "kg"), ("Table grapes", "Fruit", "kg"), ("Strawberries", "Fruit", "kg"),
    ("Nuts", None, "kg"), ("Almonds", "Nuts", "kg"),
    ("Dairy", None, "L"), ("Whole milk", "Dairy", "L"), ("Yogurt", "Dairy", "kg"),
    ("Meat and eggs", None, "kg"), ("Grass-fed beef", "Meat and eggs", "kg"),
    ("Beef patties", "Meat and eggs", "kg"), ("Eggs", "Meat and eggs", "dozen"),
    ("Legumes", None, "kg"), ("Dry beans", "Legumes", "kg"), ("Garbanzo beans", "Legumes", "kg"),
    ("Processed foods", None, "kg"), ("Fresh-cut vegetables", "Processed foods", "kg"),
    ("Fresh-cut fruit", "Processed foods", "kg"), ("Tomato sauce", "Processed foods", "kg"),
    ("Salsa", "Processed foods", "kg"), ("Raisins", "Processed foods", "kg"),
    ("Timber", None, "m³"), ("Saligna logs", "Timber", "m³"),
    ("Young Saligna logs", "Timber", "m³"),
    ("Sawn timber", None, "m³"), ("Saligna boards", "Sawn timber", "m³"),
    ("Saligna clears", "Saligna boards", "m³"), ("Low-density Saligna", "Sawn timber", "m³"),
    ("Wood residues", None, "t"), ("Sawdust and offcuts", "Wood residues", "t"),
    ("Furniture", None, "pieces"), ("Dining tables", "Furniture", "pieces"),
    ("Dining chairs", "Furniture", "pieces"), ("Garden furniture sets", "Furniture", "pieces"),
    ("Bedroom suites", "Furniture", "pieces"), ("Office desks", "Furniture", "pieces"),
    ("Kitchen cabinets", "Furniture", "pieces"),
)
CERTIFICATIONS = ("Organic", "GAP", "HACCP", "PrimusGFS", "Fair Trade", "Kosher", "Halal",
                  "Certified Humane", "FSC")


def span(first: int, last: int) -> int:
    """The months from `first` to `last` inclusive, wrapping over the new year, as a mask."""
    months = [first]
    while months[-1] != last:
        months.append(months[-1] % 12 + 1)
    return months_to_mask(months)


YEAR = span(1, 12)
SCHOOL_YEAR = span(8, 5)

W, M, SEASON, Y = Period.WEEK, Period.MONTH, Period.SEASON, Period.YEAR
# partner, product, volume, period, months, delivery radius km, price min, price max,
# certifications, notes. Food prices in dollars, Saligna prices in rand, per unit.
OFFERS = (
    ("Riverbend Family Farm", "Peaches", 60_000, SEASON, span(6, 8), 150, 1.20, 1.80,
     "Organic,GAP", "Seconds available for fresh-cut at a lower price."),
    ("Riverbend Family Farm", "Roma tomatoes", 40_000, SEASON, span(7, 9), 150, 0.90, 1.30,
     "Organic", ""),
    ("Riverbend Family Farm", "Winter squash", 15_000, SEASON, span(9, 12), 150, 0.80, 1.10,
     "Organic", "Butternut and acorn; stores until February."),
    ("Vang Family Farms", "Asian greens", 800, W, span(10, 5), 80, 2.50, 3.50, "GAP",
     "Bok choy, gai lan, yu choy."),
    ("Sol y Tierra Cooperative", "Sweet peppers", 25_000, SEASON, span(7, 10), 200, 1.40, 2.20,
     "Organic,Fair Trade", ""),
    ("Sol y Tierra Cooperative", "Lettuce", 1_200, W, span(11, 4), 200, 1.60, 2.40,
     "Organic,Fair Trade", ""),
    ("Sandhu Orchards", "Nectarines", 120_000, SEASON, span(6, 8), 300, 1.00, 1.50,
     "GAP,PrimusGFS", ""),
    ("Sandhu Orchards", "Plums", 80_000, SEASON, span(7, 9), 300, 0.90, 1.40, "GAP", ""),
    ("Kaweah Citrus Growers", "Mandarins", 300_000, SEASON, span(11, 3), 400, 0.80, 1.20,
     "GAP", "School-size fruit (size 28-32) on request."),
    ("Kaweah Citrus Growers", "Navel oranges", 500_000, SEASON, span(12, 4), 400, 0.60, 0.95,
     "GAP", ""),
    ("Hollister Creek Ranch", "Grass-fed beef", 2_000, M, YEAR, 250, 9.50, 12.00, "",
     "Needs an inspected processor before it can sell to institutions."),
    ("Livingston Sweet Potato Growers", "Sweet potatoes", 200_000, Y, span(9, 5), 300, 0.70,
     1.00, "GAP", "Cured and stored."),
    ("Dos Rios Dairy", "Whole milk", 40_000, W, YEAR, 150, 0.95, 1.15, "HACCP",
     "Half-pint cartons for schools."),
    ("Dos Rios Dairy", "Yogurt", 500, W, YEAR, 150, 3.80, 4.60, "HACCP", ""),
    ("Kearney Almond Ranch", "Almonds", 150_000, Y, YEAR, None, 6.50, 8.00, "", ""),
    ("Tower Street Urban Farm", "Leafy greens", 150, W, YEAR, 30, 3.00, 4.50, "Organic",
     "Salad mix and microgreens."),
    ("Pantoja Berry Farm", "Strawberries", 12_000, SEASON, span(4, 6), 60, 3.50, 5.00, "", ""),
    ("Sierra Foothill Apple Growers", "Apples", 90_000, SEASON, span(8, 11), 200, 1.10, 1.60,
     "GAP", "Fuji, Gala and Pink Lady; from cold storage until March."),
    ("Yamamoto Farms", "Table grapes", 150_000, SEASON, span(7, 10), 300, 1.30, 2.00, "GAP", ""),
    ("Yamamoto Farms", "Peaches", 70_000, SEASON, span(6, 8), 300, 1.10, 1.60, "GAP", ""),
    ("Central Valley Pasture Eggs", "Eggs", 1_500, W, YEAR, 120, 3.20, 4.00,
     "Certified Humane", ""),
    ("Valley Harvest Packing House", "Nectarines", 400_000, SEASON, span(6, 9), 500, 1.10,
     1.70, "HACCP,PrimusGFS", "Packed under the Valley Fresh label."),
    ("Valley Harvest Packing House", "Mandarins", 250_000, SEASON, span(11, 3), 500, 0.90,
     1.30, "HACCP,PrimusGFS", ""),
    ("Fresno Fresh-Cut Kitchen", "Fresh-cut vegetables", 3_000, W, SCHOOL_YEAR, 150, 3.50,
     5.00, "HACCP", "Carrot sticks, pepper strips, salad kits."),
    ("Fresno Fresh-Cut Kitchen", "Fresh-cut fruit", 1_500, W, SCHOOL_YEAR, 150, 4.00, 6.00,
     "HACCP", "Sliced apples and stone fruit cups."),
    ("Selma Raisin Cooperative", "Raisins", 800_000, Y, YEAR, None, 2.20, 2.90, "HACCP,Kosher",
     "1-oz snack boxes for schools."),
    ("Tulare Tomato Works", "Tomato sauce", 50_000, M, YEAR, 600, 1.40, 1.90, "HACCP,Kosher",
     ""),
    ("Tulare Tomato Works", "Salsa", 8_000, M, YEAR, 600, 3.00, 4.20, "HACCP", ""),
    ("Westside Grain and Bean Mill", "Dry beans", 60_000, Y, YEAR, 400, 2.10, 2.80, "Organic",
     "Pinto and black beans."),
    ("Westside Grain and Bean Mill", "Garbanzo beans", 30_000, Y, YEAR, 400, 2.40, 3.10,
     "Organic", ""),
    ("Merced Meat Processing Cooperative", "Beef patties", 2_000, M, YEAR, 300, 8.00, 10.50,
     "HACCP,Halal", ""),
    ("Valley Food Hub", "Peaches", 100_000, SEASON, span(6, 8), 200, 1.30, 1.90, "GAP",
     "Aggregated from 12 small farms."),
    ("Valley Food Hub", "Sweet potatoes", 50_000, SEASON, span(10, 3), 200, 0.90, 1.20, "GAP",
     ""),
    ("Central Valley Produce Distributors", "Apples", 300_000, Y, SCHOOL_YEAR, 400, 1.30, 1.90,
     "HACCP", ""),
    ("Stanislaus Growers Aggregation", "Tomatoes", 30_000, SEASON, span(7, 9), 150, 1.00,
     1.50, "", ""),
    ("Umzimkulu Timber Holdings", "Saligna logs", 6_000, Y, YEAR, 600, 650, 900, "FSC",
     "Mature logs (20-25 years); competes with the pulp mill's price."),
    ("Umzimkulu Timber Holdings", "Saligna boards", 1_800, Y, YEAR, 800, 4_800, 6_500, "FSC",
     "Imperial sizes; metric sizes being trialled."),
    ("Umzimkulu Timber Holdings", "Sawdust and offcuts", 900, Y, YEAR, 100, 150, 300, "", ""),
    ("Amatola Forest Products", "Saligna boards", 1_200, Y, YEAR, 800, 4_600, 6_200, "FSC",
     ""),
    ("Amatola Forest Products", "Young Saligna logs", 1_500, Y, YEAR, 400, 450, 650, "FSC",
     "8-10 year trees, for the Young Trees working group."),
    ("Amatola Forest Products", "Saligna clears", 300, Y, YEAR, 800, 7_500, 9_000, "FSC",
     "Knot-free; most in demand."),
    ("Hlanganani Community Forestry Trust", "Saligna logs", 900, Y, YEAR, 300, 600, 850, "FSC",
     ""),
    ("Mkhize Family Plantation", "Saligna logs", 250, Y, span(3, 10), 200, 600, 800, "",
     "Fells in the dry season."),
    ("Ugie Small Growers Association", "Young Saligna logs", 400, Y, YEAR, 250, 400, 600, "",
     ""),
    ("Khulani Independent Sawmill", "Saligna boards", 350, Y, YEAR, 300, 4_500, 6_000, "",
     "Cuts to metric sizes on order."),
    ("Khulani Independent Sawmill", "Low-density Saligna", 120, Y, YEAR, 300, 3_200, 4_200, "",
     "Graded under the trial density system."),
    ("Msunduzi Furniture Works", "Dining tables", 180, M, YEAR, None, 6_500, 14_000, "FSC", ""),
    ("Msunduzi Furniture Works", "Bedroom suites", 40, M, YEAR, None, 18_000, 32_000, "FSC",
     ""),
    ("Pinetown Hardwood Designs", "Dining chairs", 600, M, YEAR, None, 950, 1_600, "FSC", ""),
    ("Howick Garden Furniture", "Garden furniture sets", 250, M, span(8, 2), None, 3_200,
     5_500, "", ""),
    ("Buffalo City Joinery", "Kitchen cabinets", 60, M, YEAR, 200, 4_000, 9_000, "", ""),
    ("Kariega Office Furniture", "Office desks", 400, M, YEAR, None, 2_400, 4_800, "", ""),
    ("Ubuntu Woodcraft Cooperative", "Dining tables", 10, M, YEAR, 150, 4_500, 7_000, "", ""),
    ("Durban Heritage Furniture", "Dining tables", 120, M, YEAR, None, 9_000, 18_000, "FSC",
     "Export-finished; 40-foot container lots."),
    ("Eshowe Timber Crafts", "Garden furniture sets", 30, M, span(8, 2), 250, 2_800, 4_200,
     "", ""),
    ("Makhanda Fine Furniture", "Bedroom suites", 8, M, YEAR, None, 25_000, 45_000, "", ""),
    ("Richmond Chair Company", "Dining chairs", 300, M, YEAR, None, 800, 1_300, "", ""),
    ("Port Shepstone Outdoor Living", "Garden furniture sets", 150, M, span(8, 2), None,
     2_900, 4_800, "", ""),
    ("Indlovu Timber Traders and Exporters", "Saligna boards", 200, Y, YEAR, None, 5_200,
     7_000, "FSC", ""),
)
# partner, product, volume, period, months, max distance km, required certifications, notes
NEEDS = (
    ("Valley Harvest Packing House", "Peaches", 200_000, SEASON, span(6, 8), 120, "GAP", ""),
    ("Fresno Fresh-Cut Kitchen", "Carrots", 1_500, W, SCHOOL_YEAR, 150, "GAP", ""),
    ("Fresno Fresh-Cut Kitchen", "Sweet peppers", 500, W, span(7, 10), 150, "GAP", ""),
    ("Tulare Tomato Works", "Roma tomatoes", 2_000_000, SEASON, span(7, 9), 200, "", ""),
    ("Merced Meat Processing Cooperative", "Grass-fed beef", 4_000, M, YEAR, 200, "", ""),
    ("Valley Food Hub", "Leafy greens", 1_000, W, YEAR, 100, "GAP", "From small farms."),
    ("Valley Food Hub", "Eggs", 800, W, YEAR, 150, "", ""),
    ("Central Valley Produce Distributors", "Mandarins", 200_000, SEASON, span(11, 3), 300,
     "GAP", ""),
    ("Central Valley Produce Distributors", "Apples", 150_000, SEASON, span(8, 11), 300, "GAP",
     ""),
    ("Fresno Unified School District Nutrition Services", "Apples", 12_000, M, SCHOOL_YEAR,
     250, "GAP", "138-count, for whole fruit at lunch."),
    ("Fresno Unified School District Nutrition Services", "Mandarins", 10_000, M, span(11, 3),
     250, "GAP", ""),
    ("Fresno Unified School District Nutrition Services", "Fresh-cut vegetables", 4_000, W,
     SCHOOL_YEAR, 150, "HACCP", ""),
    ("Fresno Unified School District Nutrition Services", "Whole milk", 60_000, W, SCHOOL_YEAR,
     200, "HACCP", "Half-pint cartons."),
    ("Fresno Unified School District Nutrition Services", "Beef patties", 3_000, M,
     SCHOOL_YEAR, 300, "HACCP", ""),
    ("Visalia Unified School District Food Services", "Mandarins", 4_000, M, span(11, 3), 200,
     "GAP", ""),
    ("Visalia Unified School District Food Services", "Sweet potatoes", 2_000, M, span(10, 4),
     250, "", ""),
    ("Valley Community Medical Center", "Leafy greens", 600, W, YEAR, 250, "GAP", ""),
    ("Valley Community Medical Center", "Yogurt", 300, W, YEAR, 250, "HACCP", ""),
    ("Valley Community Medical Center", "Eggs", 600, W, YEAR, 250, "Certified Humane", ""),
    ("Tulare County Regional Hospital", "Fresh-cut fruit", 1_000, W, YEAR, 200, "HACCP", ""),
    ("Valley State University Dining Services", "Table grapes", 6_000, M, span(8, 10), 300,
     "", ""),
    ("Valley State University Dining Services", "Dry beans", 5_000, Y, SCHOOL_YEAR, None, "",
     ""),
    ("Tower District Grocery Cooperative", "Strawberries", 400, W, span(4, 6), 100, "", ""),
    ("Tower District Grocery Cooperative", "Eggs", 300, W, YEAR, 100, "", ""),
    ("Golden State Markets", "Nectarines", 50_000, SEASON, span(6, 8), 300, "PrimusGFS", ""),
    ("Golden State Markets", "Navel oranges", 80_000, SEASON, span(12, 4), 300, "PrimusGFS",
     ""),
    ("San Joaquin Community Food Bank", "Sweet potatoes", 20_000, SEASON, span(10, 12), 300,
     "", "Donated or at cost."),
    ("San Joaquin Community Food Bank", "Dry beans", 15_000, Y, YEAR, None, "", ""),
    ("Khulani Independent Sawmill", "Saligna logs", 1_200, Y, YEAR, 250, "",
     "Small lots from the state forests would do."),
    ("Msunduzi Furniture Works", "Saligna boards", 60, M, YEAR, 500, "FSC",
     "Metric sizes: 25 and 38 mm thick."),
    ("Msunduzi Furniture Works", "Saligna clears", 10, M, YEAR, 500, "FSC", ""),
    ("Pinetown Hardwood Designs", "Saligna boards", 35, M, YEAR, 400, "", ""),
    ("Howick Garden Furniture", "Low-density Saligna", 20, M, YEAR, 400, "",
     "For garden furniture trials."),
    ("Buffalo City Joinery", "Saligna boards", 15, M, YEAR, 400, "", ""),
    ("Kariega Office Furniture", "Saligna boards", 50, M, YEAR, 600, "", ""),
    ("Ubuntu Woodcraft Cooperative", "Saligna boards", 3, M, YEAR, 250, "", ""),
    ("Durban Heritage Furniture", "Saligna clears", 25, M, YEAR, 600, "FSC", ""),
    ("Richmond Chair Company", "Saligna boards", 12, M, YEAR, 300, "", ""),
    ("Port Shepstone Outdoor Living", "Low-density Saligna", 30, M, YEAR, 400, "", ""),
    ("Indlovu Timber Traders and Exporters", "Dining tables", 300, M, YEAR, None, "FSC",
     "For buyers in Germany and the Netherlands."),
    ("Indlovu Timber Traders and Exporters", "Garden furniture sets", 400, M, span(1, 5), None,
     "FSC", "Shipped for the European summer."),
)

# chain, kind, description, partners (None: every partner in the chain)
INTERESTS = (
    (F, "common", "Keep more of the Valley's food dollar in the Valley: institutions buy from "
     "growers within 150 km, and the farms that sell to them stay in business.", None),
    (F, "shared", "A year-round supply of Valley fruit for school meals: citrus in winter, "
     "stone fruit and apples from storage in autumn.",
     ["Fresno Unified School District Nutrition Services",
      "Visalia Unified School District Food Services", "Kaweah Citrus Growers",
      "Valley Harvest Packing House", "Valley Food Hub"]),
    (F, "shared", "Group GAP certification so that small growers can sell to schools and "
     "hospitals.",
     ["Vang Family Farms", "Sol y Tierra Cooperative", "Tower Street Urban Farm",
      "Pantoja Berry Farm", "Valley Food Hub", "Fresno County Cooperative Extension"]),
    (F, "shared", "Fresh-cut processing that turns cosmetic seconds into school snacks.",
     ["Fresno Fresh-Cut Kitchen", "Riverbend Family Farm", "Valley Harvest Packing House",
      "Fresno Unified School District Nutrition Services"]),
    (F, "self", "Find a buyer for winter squash and sweet potatoes outside the summer season.",
     ["Riverbend Family Farm"]),
    (F, "self", "Fill refrigerated trucks on the empty run back north.",
     ["Kaweah Cold Storage and Trucking"]),
    (F, "self", "Reach 25% local and sustainable food on patient and cafeteria menus by 2027.",
     ["Valley Community Medical Center"]),
    (S, "common", "Build a Saligna furniture export industry on South African plantation "
     "timber, instead of sending mature logs to the pulp mills.", None),
    (S, "shared", "Timber sawn to metric sizes the manufacturers can use, with better recovery "
     "(the Product Matrix working group).",
     ["Umzimkulu Timber Holdings", "Amatola Forest Products", "Khulani Independent Sawmill",
      "Msunduzi Furniture Works", "Pinetown Hardwood Designs", "Kariega Office Furniture"]),
    (S, "shared", "Find out what furniture young trees (8-16 years) can make.",
     ["Umzimkulu Timber Holdings", "Amatola Forest Products", "Msunduzi Furniture Works",
      "Howick Garden Furniture", "Pinetown Hardwood Designs"]),
    (S, "shared", "A density grading system, so low-density timber goes only to uses it suits.",
     ["Amatola Forest Products", "Khulani Independent Sawmill", "Msunduzi Furniture Works",
      "Port Shepstone Outdoor Living", "Wood Technology Institute"]),
    (S, "shared", "A joint stand at the Cologne furniture fair under one Saligna brand.",
     ["Msunduzi Furniture Works", "Durban Heritage Furniture", "Pinetown Hardwood Designs",
      "Howick Garden Furniture", "Furniture Export Council of South Africa",
      "Indlovu Timber Traders and Exporters",
      "Department of Trade and Industry, Export Promotion"]),
    (S, "self", "Secure mature logs before the state forests are sold as one plantation.",
     ["Khulani Independent Sawmill"]),
    (S, "self", "Sell surplus Saligna as demand for mine props falls away.",
     ["Umzimkulu Timber Holdings"]),
)

# chain, partner, toward, description, due in days (negative: past), status, evidence
COMMITMENTS = (
    (F, "Riverbend Family Farm", "Fresno Fresh-Cut Kitchen",
     "Deliver 2 t of seconds peaches a week for the fresh-cut trial.", 14, "active", ""),
    (F, "Fresno Unified School District Nutrition Services", "Kaweah Citrus Growers",
     "Put local mandarins on the lunch menu twice a week from November.", -10, "active", ""),
    (F, "Valley Food Hub", "Fresno County Cooperative Extension",
     "Draft the group GAP food-safety plan with the extension office.", -25, "proposed", ""),
    (F, "Fresno County Cooperative Extension", None,
     "Run two GAP training days for small growers.", -60, "kept",
     "38 growers from 21 farms attended; slides shared with the group."),
    (F, "Valley Community Medical Center", "Valley Food Hub",
     "Trial order: 300 kg of leafy greens a week for eight weeks.", -30, "kept",
     "All eight deliveries on time; now a standing order."),
    (F, "Central Valley Community Capital", "Valley Food Hub",
     "Decide on a cold-storage loan for the food hub.", 30, "proposed", ""),
    (F, "Tulare Tomato Works", None,
     "Tell growers next season's Roma tomato volumes by March.", -90, "missed", ""),
    (F, "Valley Harvest Packing House", "Sandhu Orchards",
     "Pack Sandhu nectarines under the shared Valley Fresh label.", 45, "active", ""),
    (F, "Kaweah Cold Storage and Trucking", "Valley Food Hub",
     "Offer back-haul space to the food hub at cost.", None, "proposed", ""),
    (S, "Amatola Forest Products", None,
     "Send the Product Matrix questionnaire to every timber customer.", -120, "kept",
     "52 replies; a range of metric sizes agreed."),
    (S, "Umzimkulu Timber Holdings", "Msunduzi Furniture Works",
     "Supply 20 m³ of young (8-10 year) Saligna for prototype tables.", 20, "active", ""),
    (S, "Msunduzi Furniture Works", "Umzimkulu Timber Holdings",
     "Report recovery rates from the young-timber prototypes.", 60, "proposed", ""),
    (S, "Furniture Export Council of South Africa", None,
     "Book a joint stand at the Cologne furniture fair.", -5, "active", ""),
    (S, "Durban Heritage Furniture", "Furniture Export Council of South Africa",
     "Send three export-ready pieces for the joint stand.", 40, "proposed", ""),
    (S, "Industrial Research Project, University of KwaZulu-Natal",
     "Department of Water and Forestry, KwaZulu-Natal",
     "Brief the department on small lots in the state forest sale.", -45, "kept",
     "Briefing held; the department asked whether the group speaks for the industry."),
    (S, "Khulani Independent Sawmill", None,
     "Prepare a bid for small lots in the state forest sale.", -30, "missed", ""),
    (S, "Pinetown Hardwood Designs", "Richmond Chair Company",
     "Host a learning-by-visiting day on production layout.", -3, "active", ""),
    (S, "Department of Trade and Industry, Export Promotion",
     "Furniture Export Council of South Africa",
     "Confirm export-marketing assistance for the fair stand.", 15, "proposed", ""),
)

# kind, days ago, topic, partners, visibility, hours, follow up in days, notes
INTERACTIONS = (
    ("meeting", 200, "First Saligna workshop: 26 people from across the chain",
     ["Umzimkulu Timber Holdings", "Amatola Forest Products", "Khulani Independent Sawmill",
      "Msunduzi Furniture Works", "Pinetown Hardwood Designs",
      "Department of Water and Forestry, KwaZulu-Natal",
      "Furniture Export Council of South Africa",
      "Industrial Research Project, University of KwaZulu-Natal"],
     "shared", None, None, "Supply and export markets put on the table; working groups formed."),
    ("site_visit", 90, "Young-timber prototypes at the Msunduzi workshop",
     ["Msunduzi Furniture Works", "Umzimkulu Timber Holdings"], "shared", None, 14,
     "Interior pieces take 8-10 year timber well; garden furniture less so."),
    ("call", 12, "Export council on the Cologne stand booking",
     ["Furniture Export Council of South Africa"], "coordinators", None, 3,
     "Deposit not paid yet; waiting on the department's assistance letter."),
    ("technical_assistance", 40, "Density grading course for sawmill graders",
     ["Khulani Independent Sawmill", "Forest Industries Training Centre"], "shared", "6.00",
     None, ""),
    ("meeting", 75, "Farm-to-school planning meeting",
     ["Fresno Unified School District Nutrition Services", "Valley Food Hub",
      "Kaweah Citrus Growers", "Valley Harvest Packing House", "Riverbend Family Farm"],
     "shared", None, None, "Agreed a winter citrus pilot and a fresh-cut trial."),
    ("technical_assistance", 50, "GAP food-safety plan coaching",
     ["Vang Family Farms", "Fresno County Cooperative Extension"], "shared", "3.50", 21, ""),
    ("site_visit", 20, "Cold storage tour for the food hub",
     ["Kaweah Cold Storage and Trucking", "Valley Food Hub"], "shared", None, 10, ""),
    ("call", 5, "Hospital purchasing on the leafy greens standing order",
     ["Valley Community Medical Center"], "coordinators", None, 7,
     "Wants eggs from the same delivery; ask Central Valley Pasture Eggs."),
)

# source, target, kind, began (years ago): for buyer-supplier the buyer is the source
RELATIONSHIPS = (
    ("Valley Harvest Packing House", "Riverbend Family Farm", "buyer_supplier", 6),
    ("Valley Harvest Packing House", "Kaweah Citrus Growers", "buyer_supplier", 9),
    ("Valley Food Hub", "Vang Family Farms", "buyer_supplier", 2),
    ("Valley Food Hub", "Sol y Tierra Cooperative", "buyer_supplier", 3),
    ("Central Valley Produce Distributors", "Valley Harvest Packing House", "buyer_supplier", 8),
    ("Fresno Unified School District Nutrition Services", "Valley Food Hub", "buyer_supplier", 1),
    ("Golden State Markets", "Central Valley Produce Distributors", "buyer_supplier", 5),
    ("Central Valley Community Capital", "Valley Food Hub", "funder_grantee", 2),
    ("Fresno County Cooperative Extension", "Vang Family Farms", "technical_assistance", 4),
    ("Valley Food Systems Collaborative", "Tower Street Urban Farm", "membership", 3),
    ("Riverbend Family Farm", "Sandhu Orchards", "peer", 10),
    ("Khulani Independent Sawmill", "Mkhize Family Plantation", "buyer_supplier", 4),
    ("Msunduzi Furniture Works", "Umzimkulu Timber Holdings", "buyer_supplier", 7),
    ("Pinetown Hardwood Designs", "Amatola Forest Products", "buyer_supplier", 5),
    ("Indlovu Timber Traders and Exporters", "Msunduzi Furniture Works", "buyer_supplier", 2),
    ("KwaZulu-Natal Growth Fund", "Ubuntu Woodcraft Cooperative", "funder_grantee", 1),
    ("Forest Industries Training Centre", "Khulani Independent Sawmill",
     "technical_assistance", 2),
    ("Furniture Export Council of South Africa", "Durban Heritage Furniture", "membership", 6),
    ("Pinetown Hardwood Designs", "Richmond Chair Company", "peer", 3),
)

# partner a, partner b, status, days since the change, reason, annual sales when trading
INTRODUCTIONS = (
    ("Riverbend Family Farm", "Fresno Unified School District Nutrition Services", "trading",
     40, "Winter squash and stone fruit for school lunches, through the food hub.", "84000"),
    ("Kaweah Citrus Growers", "Valley Community Medical Center", "trial_order", 12,
     "Mandarins for patient trays in the winter citrus pilot.", None),
    ("Vang Family Farms", "Tower District Grocery Cooperative", "talking", 9,
     "Asian greens the co-op cannot source locally.", None),
    ("Sol y Tierra Cooperative", "Valley State University Dining Services", "introduced", 45,
     "Organic berries for the dining halls; no reply since the first call.", None),
    ("Central Valley Pasture Eggs", "Valley Community Medical Center", "proposed", 2,
     "The hospital wants eggs on the same delivery as its greens.", None),
    ("Livingston Sweet Potato Growers", "Golden State Markets", "declined", 60,
     "Sweet potatoes for the store brand; volumes too small for the chain.", None),
    ("Umzimkulu Timber Holdings", "Khulani Independent Sawmill", "talking", 20,
     "Mature logs kept out of the pulp mills, for kiln-dried boards.", None),
    ("Msunduzi Furniture Works", "Indlovu Timber Traders and Exporters", "trading", 90,
     "A first container of dining sets for the European buyer.", "1250000"),
    ("Howick Garden Furniture", "Furniture Export Council of South Africa", "stalled", 70,
     "A place on the joint stand at the Cologne fair.", None),
    ("Buffalo City Joinery", "Amatola Forest Products", "introduced", 38,
     "Metric-size boards to cut waste in the joinery.", None),
)

# Outcome reports for the last four quarters: partner, sold to, sales a quarter (growing each
# quarter), volume a quarter and its unit, jobs created (in the latest quarter) and retained,
# a practice adopted.
OUTCOMES = (
    ("Riverbend Family Farm", "Fresno Unified School District Nutrition Services", 18000, 9000,
     "kg", 2, 11, "Cover crops between the squash rows"),
    ("Valley Harvest Packing House", "Golden State Markets", 52000, 30000, "kg", 3, 24,
     "Cold-chain temperature logs from field to dock"),
    ("Kaweah Citrus Growers", "Valley Community Medical Center", 6000, 4000, "kg", 1, 8, ""),
    ("Msunduzi Furniture Works", "Indlovu Timber Traders and Exporters", 280000, 120, "units", 6,
     35, "FSC chain-of-custody records for every batch"),
    ("Khulani Independent Sawmill", "Msunduzi Furniture Works", 90000, 60, "m3", 4, 18,
     "Kiln schedules for Saligna boards"),
    ("Umzimkulu Timber Holdings", "Khulani Independent Sawmill", 40000, 150, "m3", 0, 12, ""),
)

FOOD_NAMES = (
    ("Marisol", "Alvarado"), ("Jose", "Hernandez"), ("Ana", "Gutierrez"), ("Luis", "Ramirez"),
    ("Mai", "Vang"), ("Tou", "Xiong"), ("Pa", "Lee"), ("Harjit", "Sandhu"), ("Gurpreet", "Gill"),
    ("Kenji", "Yamamoto"), ("Emily", "Nakamura"), ("Sarah", "Thompson"), ("David", "Miller"),
    ("Rachel", "Baker"), ("Michael", "Johnson"), ("Laura", "Martinez"), ("Daniel", "Ortiz"),
    ("Grace", "Kim"), ("Aram", "Petrosyan"), ("Nora", "Hagopian"), ("Samuel", "Brooks"),
    ("Jasmine", "Carter"), ("Carlos", "Mendoza"), ("Rosa", "Pantoja"), ("Peter", "Nguyen"),
    ("Linda", "Tran"), ("James", "Wilson"), ("Elena", "Castillo"), ("Raj", "Dhillon"),
    ("Hannah", "Fischer"), ("Omar", "Haddad"), ("Teresa", "Flores"), ("Brian", "O'Neill"),
    ("Yer", "Moua"), ("Chue", "Her"), ("Veronica", "Salazar"), ("Tom", "Hollister"),
    ("Kathy", "Reyes"), ("Victor", "Chavez"), ("Megan", "Price"),
)
SALIGNA_NAMES = (
    ("Sibusiso", "Dube"), ("Thandi", "Mkhize"), ("Johan", "Botha"), ("Anika", "Pretorius"),
    ("Themba", "Ndlovu"), ("Nomvula", "Zulu"), ("Ravi", "Naidoo"), ("Priya", "Pillay"),
    ("Pieter", "van der Merwe"), ("Lindiwe", "Mthembu"), ("Bongani", "Ngcobo"),
    ("Zanele", "Khumalo"), ("Hennie", "Coetzee"), ("Marietjie", "Steyn"), ("Ayanda", "Cele"),
    ("Mandla", "Sithole"), ("Nandi", "Majola"), ("Kevin", "Govender"), ("Fatima", "Moosa"),
    ("Yusuf", "Essop"), ("Andile", "Mbeki"), ("Lerato", "Mokoena"), ("Kagiso", "Molefe"),
    ("Xolani", "Gumede"), ("Busisiwe", "Shange"), ("Graham", "Smith"), ("Claire", "Fourie"),
    ("Sizwe", "Nkosi"), ("Vusi", "Mahlangu"), ("Refilwe", "Sebola"), ("Siyabonga", "Zungu"),
    ("Deon", "Jacobs"), ("Heather", "Adams"), ("Kobus", "Venter"), ("Nosipho", "Mabaso"),
    ("Luyanda", "Qwabe"), ("Wendy", "Reddy"), ("Thabo", "Radebe"), ("Karin", "Louw"),
    ("Mpho", "Tshabalala"),
)
TITLES = {
    "prod": ("Owner", "Farm manager", "Sales manager", "Operations manager", "Forester"),
    "proc": ("Managing director", "Production manager", "Procurement manager",
             "Quality manager", "Sales and marketing manager"),
    "agg": ("General manager", "Sourcing coordinator", "Operations manager", "Logistics lead"),
    "dist": ("Managing director", "Buyer", "Logistics manager", "Account manager"),
    "buy": ("Director of nutrition services", "Procurement officer", "Executive chef",
            "Purchasing manager", "Sustainability officer"),
    "sup": ("Programme manager", "Director", "Extension advisor", "Researcher",
            "Loan officer"),
}

# username, first name, last name, the partner their person works at (None: none), title
PERSONAS = (
    ("coordinator@demo.vcc", "Naledi", "Moloi", None, ""),
    ("partner@demo.vcc", "Maria", "Alvarez", "Riverbend Family Farm", "Owner"),
    ("lead@demo.vcc", "Sipho", "Dlamini", "Msunduzi Furniture Works", "Production director"),
    ("admin@demo.vcc", "Admin", "Demo", None, ""),
    ("observer@demo.vcc", "Thabo", "Khumalo", None, ""),
)
# fmt: on


def _slug(name: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", "", name.lower()).split()
    return "".join(w for w in words if w not in {"and", "of", "the"})[:30]


def demo_exists() -> bool:
    return ValueChain.objects.filter(name__in=CHAINS).exists()


def _products() -> dict[str, Product]:
    """The demo's product taxonomy; products that already exist (by name) are reused."""
    products = {p.name: p for p in Product.objects.filter(name__in=[n for n, _, _ in PRODUCTS])}
    for name, parent, unit in PRODUCTS:
        if name not in products:
            products[name] = Product.objects.create(
                name=name, parent=products[parent] if parent else None, unit=unit
            )
    return products


def _certifications() -> dict[str, Certification]:
    for name in CERTIFICATIONS:
        Certification.objects.get_or_create(name=name)
    return {c.name: c for c in Certification.objects.filter(name__in=CERTIFICATIONS)}


def _users() -> dict[str, object]:
    """The demo sign-ins; existing accounts are kept as they are. The coordinator is in the
    Coordinators group; the administrator is a superuser (staff: the admin site); the
    observer reads the food chain (see build_demo_network)."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: the same password for all
    users = {}
    for username, first, last, _partner, _title in PERSONAS:
        users[username], created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": username,
                "first_name": first,
                "last_name": last,
                "password": password,
                "is_staff": username == "admin@demo.vcc",
                "is_superuser": username == "admin@demo.vcc",
            },
        )
        if created and username == "coordinator@demo.vcc":
            make_coordinator(user=users[username])
    return users


@transaction.atomic
def build_demo_network() -> dict:
    """Load the demo network unless it is already there; return what it holds.

    {"created": bool, "value_chains": 2, "partners": ..., "people": ..., ...}
    """
    if demo_exists():
        return {"created": False, **demo_counts()}

    rng = random.Random(SEED)
    today = timezone.localdate()
    now = timezone.now()
    users = _users()
    coordinator = users["coordinator@demo.vcc"]
    products = _products()
    certifications = _certifications()

    chains, stages = {}, {}
    for name, spec in CHAINS.items():
        chain = ValueChain.objects.create(
            name=name,
            region=spec["region"],
            currency=spec["currency"],
            phase=spec["phase"],
            market_opportunity=spec["market_opportunity"],
        )
        chain.coordinators.add(coordinator)
        if name == FOOD:  # a funder follows the food chain's progress
            chain.observers.add(users["observer@demo.vcc"])
        chains[name] = chain
        for position, stage_name in enumerate(spec["stages"], start=1):
            stages[name, position] = Stage.objects.create(
                value_chain=chain, name=stage_name, position=position
            )

    # Partners
    partners = {}
    for spec in PARTNERS:
        region, lat, lon, postcode, _dial = TOWNS[spec.town]
        street = rng.choice(STREETS[spec.chain])
        partners[spec.name] = Partner(
            name=spec.name,
            kind=KINDS[spec.kind],
            size=SIZES[spec.size],
            description=spec.about,
            address=f"{rng.randint(2, 2400)} {street}, {spec.town}, {postcode}",
            region=region,
            latitude=round(lat + rng.uniform(-0.04, 0.04), 5),
            longitude=round(lon + rng.uniform(-0.04, 0.04), 5),
            website=f"https://www.{_slug(spec.name)}.example",
            locally_owned="l" in spec.owned,
            women_owned="w" in spec.owned,
            minority_owned="m" in spec.owned,
            worker_owned="c" in spec.owned,
        )
    Partner.objects.bulk_create(partners.values())
    Partner.certifications.through.objects.bulk_create(
        Partner.certifications.through(
            partner_id=partners[spec.name].pk, certification_id=certifications[c].pk
        )
        for spec in PARTNERS
        for c in spec.certifications
    )

    # Participations and their stages
    participations = []
    for i, spec in enumerate(PARTNERS):
        participations.append(
            Participation(
                partner=partners[spec.name],
                value_chain=chains[spec.chain],
                chain_role=ROLES[spec.role],
                network_role=NETWORK[spec.network],
                status=STATUS[spec.status],
                status_changed_on=today - datetime.timedelta(days=20 + (i * 37) % 400),
            )
        )
    Participation.objects.bulk_create(participations)
    Participation.stages.through.objects.bulk_create(
        Participation.stages.through(
            participation_id=participation.pk, stage_id=stages[spec.chain, position].pk
        )
        for spec, participation in zip(PARTNERS, participations, strict=True)
        for position in spec.stages
    )

    # People: the personas first, then 2-4 per partner from the chain's list of names
    people, affiliations, emails = [], [], set()
    personas = {p[3]: p for p in PERSONAS if p[3]}
    name_pools = {F: list(FOOD_NAMES), S: list(SALIGNA_NAMES)}
    for spec in PARTNERS:
        partner = partners[spec.name]
        domain = partner.website.removeprefix("https://www.")
        _region, _lat, _lon, _postcode, dial = TOWNS[spec.town]
        titles = list(TITLES[spec.role])
        rng.shuffle(titles)
        staff = []
        if spec.name in personas:
            username, first, last, _partner, title = personas[spec.name]
            staff.append((first, last, title, username, users[username]))
        for first, last in rng.sample(name_pools[spec.chain], rng.choice((2, 3, 3, 4))):
            if len(staff) == 4:
                break
            email = f"{first}.{last}@{domain}".lower().replace(" ", "").replace("'", "")
            while email in emails:
                email = email.replace("@", f"{rng.randint(2, 9)}@", 1)
            emails.add(email)
            staff.append((first, last, titles[len(staff) % len(titles)], email, None))
        for first, last, title, email, user in staff:
            if dial.startswith("("):
                phone = f"{dial} 555-01{rng.randint(0, 99):02d}"
            else:
                phone = f"{dial} {rng.randint(200, 899)} {rng.randint(1000, 9999)}"
            person = Person(
                first_name=first,
                last_name=last,
                email=email,
                phone=phone if user or rng.random() < 0.65 else "",
                consent_to_contact=user is not None or rng.random() < 0.75,
                user=user if user and not Person.objects.filter(user=user).exists() else None,
            )
            people.append(person)
            affiliations.append((person, partner, title))
    Person.objects.bulk_create(people)
    Affiliation.objects.bulk_create(
        Affiliation(person=person, partner=partner, title=title)
        for person, partner, title in affiliations
    )

    # Offers and needs
    offers = []
    for name, product, volume, period, months, radius, low, high, certs, notes in OFFERS:
        offer = Offer(
            partner=partners[name],
            product=products[product],
            volume=volume,
            unit=products[product].unit,
            period=period,
            months=months,
            delivery_radius_km=radius,
            price_min=low,
            price_max=high,
            notes=notes,
        )
        offers.append((offer, certs))
    Offer.objects.bulk_create(o for o, _ in offers)
    Offer.certifications.through.objects.bulk_create(
        Offer.certifications.through(offer_id=o.pk, certification_id=certifications[c].pk)
        for o, certs in offers
        for c in certs.split(",")
        if c
    )
    needs = []
    for name, product, volume, period, months, distance, certs, notes in NEEDS:
        need = Need(
            partner=partners[name],
            product=products[product],
            volume=volume,
            unit=products[product].unit,
            period=period,
            months=months,
            max_distance_km=distance,
            notes=notes,
        )
        needs.append((need, certs))
    Need.objects.bulk_create(n for n, _ in needs)
    Need.required_certifications.through.objects.bulk_create(
        Need.required_certifications.through(need_id=n.pk, certification_id=certifications[c].pk)
        for n, certs in needs
        for c in certs.split(",")
        if c
    )

    # Interests, commitments, interactions
    for chain_name, kind, description, names in INTERESTS:
        interest = Interest.objects.create(
            value_chain=chains[chain_name], kind=InterestKind(kind), description=description
        )
        if names is None:
            names = [p.name for p in PARTNERS if p.chain == chain_name]
        interest.partners.set([partners[n] for n in names])
    Commitment.objects.bulk_create(
        Commitment(
            value_chain=chains[chain_name],
            partner=partners[name],
            toward=partners[toward] if toward else None,
            description=description,
            due_on=today + datetime.timedelta(days=due) if due is not None else None,
            status=CommitmentStatus(status),
            evidence=evidence,
        )
        for chain_name, name, toward, description, due, status, evidence in COMMITMENTS
    )
    for kind, days_ago, topic, names, visibility, hours, follow_up, notes in INTERACTIONS:
        occurred = today - datetime.timedelta(days=days_ago)
        interaction = Interaction.objects.create(
            kind=InteractionKind(kind),
            occurred_on=occurred,
            topic=topic,
            hours=hours,
            notes=notes,
            visibility=Visibility(visibility),
            follow_up_on=today + datetime.timedelta(days=follow_up) if follow_up else None,
            logged_by=coordinator,
        )
        InteractionPartner.objects.bulk_create(
            InteractionPartner(interaction=interaction, partner=partners[n], occurred_on=occurred)
            for n in names
        )
        note_contact([partners[n].pk for n in names], occurred)
        # As log_interaction's hook does: the follow-up date is a task on My day.
        sync_follow_up_task(interaction_id=interaction.pk)

    Relationship.objects.bulk_create(
        Relationship(
            source=partners[source],
            target=partners[target],
            kind=RelationshipKind(kind),
            began_on=today - datetime.timedelta(days=365 * years),
        )
        for source, target, kind, years in RELATIONSHIPS
    )
    _introductions(partners, chains, coordinator, today, now)
    refresh_strengths()
    _convenings(chains, coordinator, today, now)
    _outcomes(partners, chains, coordinator, today)
    _tasks(partners, chains, coordinator, today)

    ChangeRecord.objects.bulk_create(
        ChangeRecord(partner=p, user=coordinator, at=now, summary="Added with the demo network")
        for p in partners.values()
    )
    refresh_search_documents([p.pk for p in partners.values()], [p.pk for p in people])
    return {"created": True, **demo_counts()}


def _convenings(chains, coordinator, today, now) -> None:
    """A working group led by the demo's lead, its meetings (one held, with attendance and
    minutes; one coming), a stakeholder workshop in the food chain and a learning visit there
    that was cancelled, and the group's action items (one done on time, one overdue, one under
    way). Written directly: no invitation goes out for the demo."""
    from convenings.models import ActionItem, ActionUpdate, Convening, Invitee, WorkingGroup

    saligna, food = chains["Saligna Hardwood Furniture Chain"], chains["Valley Fresh Food Chain"]
    lead = Person.objects.get(email="lead@demo.vcc")
    members = [lead] + list(
        Person.objects.filter(affiliations__partner__participations__value_chain=saligna)
        .exclude(pk=lead.pk)
        .exclude(email="")
        .order_by("last_name", "id")[:5]
    )
    group = WorkingGroup.objects.create(
        value_chain=saligna,
        name="Kiln-drying quality",
        problem="Boards from small sawmills arrive too wet for furniture makers: agree a "
        "moisture standard and share the two kilns in the chain.",
        lead=lead,
        status="active",
    )
    group.members.set(members)
    zone = "Africa/Johannesburg"

    def at(days: int, hour: int) -> datetime.datetime:
        day = now + datetime.timedelta(days=days)
        return day.replace(hour=hour, minute=0, second=0, microsecond=0)

    held = Convening.objects.create(
        value_chain=saligna,
        working_group=group,
        kind="group_meeting",
        title="Kiln-drying quality: first meeting",
        starts_at=at(-20, 8),
        ends_at=at(-20, 10),
        time_zone=zone,
        place="Msunduzi Furniture Works, Pietermaritzburg",
        agenda="1. Moisture readings from three sawmills\n2. A shared standard\n3. Kiln time",
        minutes="Readings ranged from 12% to 22%. Makers need 10-12%.",
        decisions="Adopt 12% as the chain's standard; trial shared kiln time in March.",
        minutes_published_at=at(-19, 9),
        created_by=coordinator,
    )
    Invitee.objects.bulk_create(
        Invitee(convening=held, person=p, rsvp="yes", attended=i < 4) for i, p in enumerate(members)
    )
    coming = Convening.objects.create(
        value_chain=saligna,
        working_group=group,
        kind="group_meeting",
        title="Kiln-drying quality: trial results",
        starts_at=at(9, 8),
        ends_at=at(9, 10),
        time_zone=zone,
        online_link="https://meet.example.org/kiln-quality",
        agenda="Results of the shared kiln trial.",
        created_by=coordinator,
    )
    Invitee.objects.bulk_create(
        Invitee(convening=coming, person=p, rsvp="yes" if i % 2 else "pending")
        for i, p in enumerate(members)
    )
    Convening.objects.create(
        value_chain=food,
        kind="stakeholder",
        title="Valley Fresh buyers and growers: summer planning",
        starts_at=at(16, 9),
        ends_at=at(16, 13),
        time_zone="America/Los_Angeles",
        place="Fresno County Farm Bureau hall",
        agenda="School and hospital buyers' summer volumes; who can grow them.",
        created_by=coordinator,
    )
    # One called off, as a coordinator sees a cancelled convening.
    Convening.objects.create(
        value_chain=food,
        kind="learning_visit",
        title="Packhouse cold-chain visit",
        starts_at=at(5, 9),
        ends_at=at(5, 12),
        time_zone="America/Los_Angeles",
        place="Riverbend packhouse, Fresno",
        status="cancelled",
        cancelled_at=now,
        cancellation_note="The packhouse is closed for repairs; we will visit after harvest.",
        sequence=1,
        created_by=coordinator,
    )
    for title, due, status, done_days_ago in [
        ("Send moisture readings from every sawmill", -15, "done", 17),
        ("Draft the shared kiln booking rules", -3, "open", None),
        ("Book a kiln for the March trial", 12, "in_progress", None),
    ]:
        item = ActionItem.objects.create(
            value_chain=saligna,
            working_group=group,
            convening=held,
            title=title,
            owner=members[1 + len(title) % (len(members) - 1)],
            due_on=today + datetime.timedelta(days=due),
            status=status,
            posted_by=lead.user,
        )
        if done_days_ago is not None:
            ActionUpdate.objects.create(
                item=item,
                by=lead.user,
                status=status,
                note="All three sawmills reported.",
                at=now - datetime.timedelta(days=done_days_ago),
            )


def _introductions(partners, chains, coordinator, today, now) -> None:
    """The demo's introductions, each with the events of its way along the pipeline."""
    from matchmaking.models import PIPELINE, Introduction, IntroductionEvent

    chain_of = {p.name: p.chain for p in PARTNERS}
    for a, b, status, days, reason, sales in INTRODUCTIONS:
        changed = now - datetime.timedelta(days=days)
        introduction = Introduction.objects.create(
            value_chain=chains[chain_of[a]],
            partner_a=partners[a],
            partner_b=partners[b],
            reason=reason,
            status=status,
            status_changed_at=changed,
            annual_sales_value=sales,
            created_by=coordinator,
        )
        steps = (
            PIPELINE[: PIPELINE.index(status) + 1]
            if status in PIPELINE
            else ["proposed", "introduced", status]
        )
        IntroductionEvent.objects.bulk_create(
            IntroductionEvent(
                introduction=introduction,
                status=step,
                at=changed - datetime.timedelta(days=7 * (len(steps) - 1 - i)),
                by=coordinator,
                note=reason if i == 0 else "",
            )
            for i, step in enumerate(steps)
        )


def _outcomes(partners, chains, coordinator, today) -> None:
    """OUTCOMES reported for each of the last four whole quarters, so the dashboard and the
    funder's report have sales, jobs and practices to show."""
    from outcomes.models import OutcomeReport

    chain_of = {p.name: p.chain for p in PARTNERS}
    this_quarter = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarters = []  # (first day, last day), oldest first
    end = this_quarter
    for _ in range(4):
        last = end - datetime.timedelta(days=1)
        start = datetime.date(last.year, 3 * ((last.month - 1) // 3) + 1, 1)
        quarters.insert(0, (start, last))
        end = start
    OutcomeReport.objects.bulk_create(
        OutcomeReport(
            partner=partners[name],
            value_chain=chains[chain_of[name]],
            period_start=start,
            period_end=last,
            sales_to=partners[buyer],
            sales_value=round(sales * (1 + 0.12 * i)),
            sales_volume=round(volume * (1 + 0.1 * i)),
            volume_unit=unit,
            jobs_created=created if i == 3 else 0,
            jobs_retained=retained,
            practices_adopted=practice if i == 3 else "",
            reported_by=coordinator,
        )
        for name, buyer, sales, volume, unit, created, retained, practice in OUTCOMES
        for i, (start, last) in enumerate(quarters)
    )


# The coordinator's own to-dos: (days from today it is due, title, done); each about a
# partner of a chain, in turn.
TASKS = [
    (-2, "Call about the trial order volumes", False),
    (0, "Send the season's price list to the buyers", False),
    (0, "Book the venue for the next workshop", False),
    (3, "Check the food-safety plan before the audit", False),
    (9, "Draft the grant report's sales figures", False),
    (-5, "Share the minutes of the last meeting", True),
]


def _tasks(partners, chains, coordinator, today) -> None:
    """A handful of the coordinator's own tasks, due from two days ago to next week."""
    by_chain = {}
    for spec in PARTNERS:
        by_chain.setdefault(spec.chain, []).append(partners[spec.name])
    names = list(chains)
    tasks = []
    for i, (due, title, done) in enumerate(TASKS):
        chain_name = names[i % len(names)]
        tasks.append(
            Task(
                value_chain=chains[chain_name],
                title=title,
                due_on=today + datetime.timedelta(days=due),
                done_at=timezone.now() if done else None,
                assignee=coordinator,
                partner=by_chain[chain_name][i % len(by_chain[chain_name])],
                created_by=coordinator,
            )
        )
    Task.objects.bulk_create(tasks)


def demo_counts() -> dict:
    """What the demo chains hold now."""
    from outcomes.models import OutcomeReport

    chain_ids = list(ValueChain.objects.filter(name__in=CHAINS).values_list("pk", flat=True))
    partner_ids = Participation.objects.filter(value_chain_id__in=chain_ids).values("partner_id")
    return {
        "value_chains": len(chain_ids),
        "stages": Stage.objects.filter(value_chain_id__in=chain_ids).count(),
        "partners": Partner.objects.filter(pk__in=partner_ids).count(),
        "people": Person.objects.filter(affiliations__partner_id__in=partner_ids)
        .distinct()
        .count(),
        "offers": Offer.objects.filter(partner_id__in=partner_ids).count(),
        "needs": Need.objects.filter(partner_id__in=partner_ids).count(),
        "interests": Interest.objects.filter(value_chain_id__in=chain_ids).count(),
        "commitments": Commitment.objects.filter(value_chain_id__in=chain_ids).count(),
        "outcome_reports": OutcomeReport.objects.filter(value_chain_id__in=chain_ids).count(),
    }
