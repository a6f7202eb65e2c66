"""Words the demo company is made of: Baltic places and names, industries, the product range.

Plain data, no randomness and no database: the generator draws from these lists.
"""

COMPANY_NAME = "Baltic Medical Supply"

# country -> (territory name, share of clients, phone prefix, e-mail top-level domain)
COUNTRIES = {
    "LV": ("Latvia", 0.55, "+371 2", "lv"),
    "LT": ("Lithuania", 0.25, "+370 6", "lt"),
    "EE": ("Estonia", 0.20, "+372 5", "ee"),
}

# city, genitive form used in institution names
CITIES = {
    "LV": [
        ("Rīga", "Rīgas"),
        ("Rīga", "Rīgas"),
        ("Rīga", "Rīgas"),
        ("Daugavpils", "Daugavpils"),
        ("Liepāja", "Liepājas"),
        ("Jelgava", "Jelgavas"),
        ("Jūrmala", "Jūrmalas"),
        ("Ventspils", "Ventspils"),
        ("Rēzekne", "Rēzeknes"),
        ("Valmiera", "Valmieras"),
        ("Ogre", "Ogres"),
        ("Jēkabpils", "Jēkabpils"),
        ("Cēsis", "Cēsu"),
        ("Kuldīga", "Kuldīgas"),
        ("Sigulda", "Siguldas"),
        ("Tukums", "Tukuma"),
    ],
    "LT": [
        ("Vilnius", "Vilniaus"),
        ("Vilnius", "Vilniaus"),
        ("Kaunas", "Kauno"),
        ("Kaunas", "Kauno"),
        ("Klaipėda", "Klaipėdos"),
        ("Šiauliai", "Šiaulių"),
        ("Panevėžys", "Panevėžio"),
        ("Alytus", "Alytaus"),
        ("Marijampolė", "Marijampolės"),
        ("Utena", "Utenos"),
    ],
    "EE": [
        ("Tallinn", "Tallinna"),
        ("Tallinn", "Tallinna"),
        ("Tartu", "Tartu"),
        ("Narva", "Narva"),
        ("Pärnu", "Pärnu"),
        ("Kohtla-Järve", "Ida-Viru"),
        ("Viljandi", "Viljandi"),
        ("Rakvere", "Rakvere"),
        ("Kuressaare", "Kuressaare"),
    ],
}

# Distinctive words for trade names, per language.
WORDS = {
    "LV": [
        "Saules",
        "Liepu",
        "Ozolu",
        "Bērzu",
        "Dzintara",
        "Pļavas",
        "Zvaigžņu",
        "Ezera",
        "Jūras",
        "Kalna",
        "Priežu",
        "Rožu",
        "Zemgales",
        "Kurzemes",
        "Vidzemes",
        "Latgales",
        "Daugavas",
        "Gaujas",
        "Veselības",
        "Ģimenes",
        "Baltās",
        "Zaļās",
        "Avotu",
        "Lāču",
        "Mežu",
        "Rīta",
        "Ābeļu",
        "Kļavu",
    ],
    "LT": [
        "Saulės",
        "Ąžuolo",
        "Liepos",
        "Gintaro",
        "Nemuno",
        "Vilties",
        "Sveikatos",
        "Šeimos",
        "Baltijos",
        "Aušros",
        "Rasos",
        "Pušyno",
        "Neries",
        "Žemaitijos",
        "Aukštaitijos",
        "Dzūkijos",
        "Lino",
        "Medeinės",
        "Gilės",
        "Vyturio",
    ],
    "EE": [
        "Päikese",
        "Tamme",
        "Kase",
        "Merevaigu",
        "Järve",
        "Mere",
        "Metsa",
        "Tervise",
        "Pere",
        "Kuu",
        "Lille",
        "Rukki",
        "Kalevi",
        "Vikerkaare",
        "Pärna",
        "Toome",
    ],
}

# Industry -> (segment, department group, share of clients, size factor, base margin,
#               category preferences)
INDUSTRIES = {
    "Pharmacy": ("Pharmacies", "pharmacy", 0.30, 0.7, 0.22, {"OTC": 6, "HYG": 2, "DIA": 3, "WND": 3, "INC": 2, "PPE": 1}),
    "Pharmacy chain": ("Pharmacies", "pharmacy", 0.04, 7.0, 0.15, {"OTC": 6, "HYG": 3, "DIA": 3, "WND": 3, "INC": 2, "PPE": 1}),
    "Wholesaler": ("Wholesale", "pharmacy", 0.03, 8.0, 0.09, {"OTC": 2, "RX": 2, "INF": 2, "WND": 2, "PPE": 2, "HYG": 1, "DIA": 1, "INC": 1}),
    "Hospital": ("Hospitals", "hospital", 0.08, 9.0, 0.14, {"INF": 4, "SUR": 4, "RX": 4, "PPE": 3, "WND": 2, "LAB": 1, "EQP": 1, "INC": 2, "HYG": 2, "DIA": 1}),
    "Private clinic": ("Clinics", "hospital", 0.20, 1.2, 0.24, {"SUR": 2, "INF": 2, "PPE": 2, "WND": 2, "DIA": 2, "HYG": 1, "EQP": 0.5}),
    "Laboratory": ("Laboratories", "lab", 0.07, 2.0, 0.20, {"LAB": 6, "DIA": 4, "PPE": 2, "HYG": 1}),
    "Dental clinic": ("Clinics", "hospital", 0.15, 0.5, 0.28, {"DEN": 6, "PPE": 2, "HYG": 2, "INF": 1}),
    "Nursing home": ("Long-term care", "hospital", 0.13, 0.8, 0.22, {"INC": 6, "HYG": 3, "WND": 2, "PPE": 2, "OTC": 1}),
}  # fmt: skip

# Legal-name patterns per country and industry; {w} a trade word, {c} a city in genitive.
NAME_PATTERNS = {
    "LV": {
        "Pharmacy": ['SIA "{w} aptieka"', 'SIA "{c} {w} aptieka"'],
        "Pharmacy chain": ['AS "{w} aptiekas"', 'SIA "{w} aptieku tīkls"'],
        "Wholesaler": ['SIA "{w} Pharma"', 'SIA "{w} Medical"', 'SIA "{w} Distribution"'],
        "Hospital": [
            'SIA "{c} reģionālā slimnīca"',
            'SIA "{c} pilsētas slimnīca"',
            'SIA "{c} rehabilitācijas centrs"',
        ],
        "Private clinic": ['SIA "{w} klīnika"', 'SIA "{w} veselības centrs"'],
        "Laboratory": ['SIA "{w} laboratorija"', 'SIA "{c} diagnostikas centrs"'],
        "Dental clinic": ['SIA "{w} zobārstniecība"', 'SIA "{w} zobu klīnika"'],
        "Nursing home": ['SIA "{w} pansionāts"', 'SIA "{c} sociālās aprūpes centrs"'],
    },
    "LT": {
        "Pharmacy": ['UAB "{w} vaistinė"', 'UAB "{c} {w} vaistinė"'],
        "Pharmacy chain": ['UAB "{w} vaistinės"', 'AB "{w} vaistinių tinklas"'],
        "Wholesaler": ['UAB "{w} Pharma"', 'UAB "{w} Medica"'],
        "Hospital": [
            "VšĮ {c} ligoninė",
            "VšĮ {c} regioninė ligoninė",
            "VšĮ {c} reabilitacijos centras",
        ],
        "Private clinic": ['UAB "{w} klinika"', 'UAB "{w} sveikatos centras"'],
        "Laboratory": ['UAB "{w} laboratorija"', 'UAB "{c} diagnostikos centras"'],
        "Dental clinic": ['UAB "{w} odontologija"', 'UAB "{w} dantų klinika"'],
        "Nursing home": ['VšĮ "{w} slaugos namai"', "VšĮ {c} globos namai"],
    },
    "EE": {
        "Pharmacy": ["{w} Apteek OÜ", "{c} {w} Apteek OÜ"],
        "Pharmacy chain": ["{w} Apteegid AS", "{w} Apteekide Grupp AS"],
        "Wholesaler": ["{w} Pharma AS", "{w} Meditsiin OÜ"],
        "Hospital": ["SA {c} Haigla", "SA {c} Keskhaigla", "SA {c} Taastusravikeskus"],
        "Private clinic": ["{w} Kliinik OÜ", "{w} Tervisekeskus OÜ"],
        "Laboratory": ["{w} Labor OÜ", "{c} Diagnostikakeskus OÜ"],
        "Dental clinic": ["{w} Hambakliinik OÜ", "{w} Hambaravi OÜ"],
        "Nursing home": ["{w} Hooldekodu OÜ", "{c} Hoolekandekeskus SA"],
    },
}

FIRST_NAMES = {
    "LV": {
        "f": ["Anna", "Ilze", "Inese", "Kristīne", "Laura", "Līga", "Dace", "Santa", "Zane", "Elīna", "Agnese", "Sanita"],
        "m": ["Jānis", "Andris", "Mārtiņš", "Edgars", "Kārlis", "Raimonds", "Artūrs", "Aivars", "Roberts", "Gints"],
    },
    "LT": {
        "f": ["Rūta", "Eglė", "Jurgita", "Asta", "Laura", "Gintarė", "Aistė", "Indrė", "Vaida"],
        "m": ["Tomas", "Mindaugas", "Darius", "Andrius", "Paulius", "Marius", "Giedrius", "Vytautas"],
    },
    "EE": {
        "f": ["Kadri", "Kristiina", "Mari", "Liis", "Triin", "Kati", "Piret", "Merike"],
        "m": ["Mart", "Andres", "Priit", "Toomas", "Tarmo", "Rein", "Margus", "Indrek"],
    },
}  # fmt: skip

LAST_NAMES = {
    "LV": {
        "f": ["Bērziņa", "Kalniņa", "Ozoliņa", "Jansone", "Liepiņa", "Krūmiņa", "Balode", "Zariņa", "Vītola", "Kļaviņa", "Siliņa", "Eglīte"],
        "m": ["Bērziņš", "Kalniņš", "Ozoliņš", "Jansons", "Liepiņš", "Krūmiņš", "Balodis", "Zariņš", "Vītols", "Kļaviņš", "Siliņš", "Eglītis"],
    },
    "LT": {
        "f": ["Kazlauskienė", "Jankauskienė", "Petrauskienė", "Stankevičienė", "Vasiliauskienė", "Žukauskaitė", "Butkutė"],
        "m": ["Kazlauskas", "Jankauskas", "Petrauskas", "Stankevičius", "Vasiliauskas", "Žukauskas", "Butkus"],
    },
    "EE": {
        "f": ["Tamm", "Saar", "Sepp", "Mägi", "Kask", "Kukk", "Rebane", "Ilves", "Pärn"],
        "m": ["Tamm", "Saar", "Sepp", "Mägi", "Kask", "Kukk", "Rebane", "Ilves", "Pärn"],
    },
}  # fmt: skip

# Positions at a client, by department group; the first one usually decides.
POSITIONS = {
    "pharmacy": ["Head pharmacist", "Procurement manager", "Owner", "Category manager", "Pharmacist"],
    "hospital": ["Head of procurement", "Chief nurse", "Head of surgery", "Chief physician", "Pharmacy manager"],
    "lab": ["Laboratory manager", "Head of procurement", "Quality manager", "Laboratory technician"],
}  # fmt: skip
DECISION_ROLES = ["decision_maker", "influencer", "user", "gatekeeper"]

# code -> (category name, unit, [(base product, lowest cost, highest cost)], pack variants)
CATEGORIES = {
    "WND": ("Wound care", "pack", [
        ("Sterile gauze swabs 10x10 cm", 1.2, 3.0), ("Adhesive plasters assorted", 0.8, 2.5),
        ("Hydrocolloid dressing", 4.0, 12.0), ("Elastic bandage 8 cm x 4 m", 0.9, 2.2),
        ("Foam dressing 10x10 cm", 6.0, 18.0), ("Wound closure strips", 2.5, 7.0),
        ("Silver alginate dressing", 9.0, 25.0),
    ], ["N10", "N25", "N50", "N100"]),
    "INF": ("Infusion and injection", "box", [
        ("Syringe 2 ml", 3.0, 6.0), ("Syringe 5 ml", 4.0, 8.0), ("Syringe 20 ml", 7.0, 14.0),
        ("Hypodermic needle 21G", 2.0, 4.5), ("IV cannula 20G", 25.0, 60.0),
        ("Infusion set with filter", 15.0, 35.0), ("Extension line 150 cm", 20.0, 45.0),
        ("Sodium chloride 0.9% 500 ml", 14.0, 30.0),
    ], ["N50", "N100"]),
    "DIA": ("Diagnostics", "pcs", [
        ("Blood glucose test strips N50", 7.0, 14.0), ("Rapid antigen test", 1.5, 4.0),
        ("Urine test strips N100", 6.0, 15.0), ("Digital thermometer", 2.5, 7.0),
        ("Blood pressure monitor", 18.0, 45.0), ("Pulse oximeter", 9.0, 25.0),
        ("HbA1c point-of-care test", 4.0, 9.0),
    ], ["standard", "professional"]),
    "LAB": ("Laboratory supplies", "box", [
        ("Vacuum blood tube EDTA 4 ml", 12.0, 25.0), ("Microscope slides", 3.0, 8.0),
        ("Pipette tips 200 µl", 9.0, 22.0), ("Petri dish 90 mm", 8.0, 20.0),
        ("Centrifuge tube 15 ml", 10.0, 24.0), ("CRP reagent kit", 60.0, 180.0),
        ("Haematology control", 45.0, 120.0), ("Urine container 100 ml", 5.0, 12.0),
    ], ["N100", "N500", "N1000"]),
    "SUR": ("Surgical supplies", "box", [
        ("Surgical gloves sterile", 18.0, 40.0), ("Scalpel blade No. 11", 6.0, 14.0),
        ("Absorbable suture 3-0", 40.0, 110.0), ("Surgical drape set", 25.0, 70.0),
        ("Skin stapler 35W", 8.0, 20.0), ("Electrosurgical pencil", 30.0, 75.0),
    ], ["size 6.5", "size 7", "size 7.5", "size 8"]),
    "PPE": ("Protective equipment", "box", [
        ("Nitrile examination gloves", 3.5, 8.0), ("Surgical mask type IIR", 2.5, 6.0),
        ("FFP2 respirator", 6.0, 15.0), ("Isolation gown", 8.0, 20.0),
        ("Face shield", 5.0, 12.0), ("Shoe covers", 2.0, 5.0),
    ], ["S", "M", "L", "XL"]),
    "HYG": ("Hygiene and disinfection", "bottle", [
        ("Hand disinfectant 500 ml", 2.5, 6.0), ("Surface disinfectant wipes", 3.5, 9.0),
        ("Instrument disinfectant 5 l", 18.0, 45.0), ("Liquid soap 5 l", 6.0, 14.0),
        ("Skin antiseptic 1 l", 5.0, 12.0),
    ], ["unscented", "sensitive"]),
    "OTC": ("OTC medicines", "pack", [
        ("Paracetamol 500 mg N20", 0.6, 1.6), ("Ibuprofen 400 mg N30", 1.2, 3.0),
        ("Vitamin D3 2000 IU N60", 2.5, 6.0), ("Cough syrup 200 ml", 2.8, 6.5),
        ("Saline nasal spray", 2.0, 5.0), ("Probiotic capsules N30", 5.0, 11.0),
        ("Magnesium B6 N50", 3.0, 7.0), ("Omega-3 capsules N90", 6.0, 14.0),
    ], ["tablets", "capsules", "family pack"]),
    "RX": ("Hospital medicines", "pack", [
        ("Ceftriaxone 1 g vial N10", 9.0, 25.0), ("Heparin 5000 IU/ml N10", 15.0, 40.0),
        ("Enoxaparin 40 mg N10", 20.0, 55.0), ("Omeprazole 40 mg vial N10", 12.0, 30.0),
        ("Metamizole 1 g/2 ml N10", 4.0, 10.0), ("Ondansetron 4 mg/2 ml N5", 6.0, 16.0),
    ], ["generic", "original"]),
    "INC": ("Incontinence and care", "pack", [
        ("Adult diapers N30", 8.0, 16.0), ("Underpads 60x90 cm N30", 6.0, 13.0),
        ("Foley catheter 16 Ch", 1.5, 4.0), ("Urine bag 2 l", 0.8, 2.0),
        ("Barrier cream 200 ml", 3.0, 7.0),
    ], ["M", "L", "XL"]),
    "DEN": ("Dental supplies", "pack", [
        ("Dental composite A2", 25.0, 60.0), ("Alginate impression material", 8.0, 20.0),
        ("Dental needles 30G N100", 9.0, 18.0), ("Saliva ejectors N100", 3.0, 7.0),
        ("Bonding agent 5 ml", 30.0, 75.0),
    ], ["standard", "premium"]),
    "EQP": ("Medical equipment", "pcs", [
        ("Patient monitor", 1500.0, 3800.0), ("Infusion pump", 900.0, 2200.0),
        ("Examination lamp LED", 350.0, 900.0), ("Wheelchair", 180.0, 450.0),
        ("ECG machine 12-lead", 1800.0, 4200.0),
    ], ["basic", "advanced"]),
}  # fmt: skip

BRANDS = [
    "Balticare",
    "NordMed",
    "Sanitas",
    "Procura",
    "Medivita",
    "Steriline",
    "Dermex",
    "Ambercare",
]
