"""Generate a deterministic synthetic news archive for benchmarks.

Usage::

    python benchmarks/generate.py OUT_DIR --articles 10000 [--seed 1]

Writes ``OUT_DIR/site.yaml`` and ``OUT_DIR/content/{articles,actors,countries,
events}/*.md`` following the content model in DESIGN.md. The same seed always
gives byte-identical files, so build timings are comparable across runs and
machines. Stdlib only, and the YAML is written by hand, so that generating
10,000 articles takes about a second and needs nothing installed.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path


def _split(text: str) -> list[str]:
    """Split a packed word list; packing keeps the long lists readable."""
    return text.split()


SITE_YAML = """\
title: "Synthetic Archive"
description: "A generated archive for benchmarks"
base_url: "https://example.org/"
language: en
"""

# --------------------------------------------------------------------------
# Word lists. Names deliberately mix diacritics, apostrophes and hyphens so
# that slugging, escaping and UTF-8 handling get exercised at scale.
# --------------------------------------------------------------------------

COUNTRIES_BY_REGION: dict[str, str] = {
    "Africa": (
        "Algeria|Algiers;Angola|Luanda;Benin|Porto-Novo;Botswana|Gaborone;"
        "Burkina Faso|Ouagadougou;Burundi|Gitega;Cabo Verde|Praia;"
        "Cameroon|Yaoundé;Central African Republic|Bangui;Chad|N'Djamena;"
        "Comoros|Moroni;Republic of the Congo|Brazzaville;"
        "Democratic Republic of the Congo|Kinshasa;Côte d'Ivoire|Yamoussoukro;"
        "Djibouti|Djibouti;Egypt|Cairo;Equatorial Guinea|Malabo;"
        "Eritrea|Asmara;Eswatini|Mbabane;Ethiopia|Addis Ababa;Gabon|Libreville;"
        "Gambia|Banjul;Ghana|Accra;Guinea|Conakry;Guinea-Bissau|Bissau;"
        "Kenya|Nairobi;Lesotho|Maseru;Liberia|Monrovia;Libya|Tripoli;"
        "Madagascar|Antananarivo;Malawi|Lilongwe;Mali|Bamako;"
        "Mauritania|Nouakchott;Mauritius|Port Louis;Morocco|Rabat;"
        "Mozambique|Maputo;Namibia|Windhoek;Niger|Niamey;Nigeria|Abuja;"
        "Rwanda|Kigali;São Tomé and Príncipe|São Tomé;Senegal|Dakar;"
        "Seychelles|Victoria;Sierra Leone|Freetown;Somalia|Mogadishu;"
        "South Africa|Pretoria;South Sudan|Juba;Sudan|Khartoum;"
        "Tanzania|Dodoma;Togo|Lomé;Tunisia|Tunis;Uganda|Kampala;"
        "Zambia|Lusaka;Zimbabwe|Harare"
    ),
    "the Americas": (
        "Antigua and Barbuda|Saint John's;Argentina|Buenos Aires;"
        "Bahamas|Nassau;Barbados|Bridgetown;Belize|Belmopan;Bolivia|Sucre;"
        "Brazil|Brasília;Canada|Ottawa;Chile|Santiago;Colombia|Bogotá;"
        "Costa Rica|San José;Cuba|Havana;Dominica|Roseau;"
        "Dominican Republic|Santo Domingo;Ecuador|Quito;El Salvador|San Salvador;"
        "Grenada|Saint George's;Guatemala|Guatemala City;Guyana|Georgetown;"
        "Haiti|Port-au-Prince;Honduras|Tegucigalpa;Jamaica|Kingston;"
        "Mexico|Mexico City;Nicaragua|Managua;Panama|Panama City;"
        "Paraguay|Asunción;Peru|Lima;Saint Kitts and Nevis|Basseterre;"
        "Saint Lucia|Castries;Saint Vincent and the Grenadines|Kingstown;"
        "Suriname|Paramaribo;Trinidad and Tobago|Port of Spain;"
        "United States|Washington, D.C.;Uruguay|Montevideo;Venezuela|Caracas"
    ),
    "Asia": (
        "Afghanistan|Kabul;Bahrain|Manama;Bangladesh|Dhaka;Bhutan|Thimphu;"
        "Brunei|Bandar Seri Begawan;Cambodia|Phnom Penh;China|Beijing;"
        "India|New Delhi;Indonesia|Jakarta;Iran|Tehran;Iraq|Baghdad;"
        "Israel|Jerusalem;Japan|Tokyo;Jordan|Amman;Kazakhstan|Astana;"
        "Kuwait|Kuwait City;Kyrgyzstan|Bishkek;Laos|Vientiane;Lebanon|Beirut;"
        "Malaysia|Kuala Lumpur;Maldives|Malé;Mongolia|Ulaanbaatar;"
        "Myanmar|Naypyidaw;Nepal|Kathmandu;North Korea|Pyongyang;Oman|Muscat;"
        "Pakistan|Islamabad;Palestine|Ramallah;Philippines|Manila;Qatar|Doha;"
        "Saudi Arabia|Riyadh;Singapore|Singapore;South Korea|Seoul;"
        "Sri Lanka|Sri Jayawardenepura Kotte;Syria|Damascus;Tajikistan|Dushanbe;"
        "Thailand|Bangkok;Timor-Leste|Dili;Türkiye|Ankara;"
        "Turkmenistan|Ashgabat;United Arab Emirates|Abu Dhabi;"
        "Uzbekistan|Tashkent;Vietnam|Hanoi;Yemen|Sana'a"
    ),
    "Europe": (
        "Albania|Tirana;Andorra|Andorra la Vella;Armenia|Yerevan;"
        "Austria|Vienna;Azerbaijan|Baku;Belarus|Minsk;Belgium|Brussels;"
        "Bosnia and Herzegovina|Sarajevo;Bulgaria|Sofia;Croatia|Zagreb;"
        "Cyprus|Nicosia;Czechia|Prague;Denmark|Copenhagen;Estonia|Tallinn;"
        "Finland|Helsinki;France|Paris;Georgia|Tbilisi;Germany|Berlin;"
        "Greece|Athens;Holy See|Vatican City;Hungary|Budapest;"
        "Iceland|Reykjavík;Ireland|Dublin;Italy|Rome;Latvia|Riga;"
        "Liechtenstein|Vaduz;Lithuania|Vilnius;Luxembourg|Luxembourg;"
        "Malta|Valletta;Moldova|Chișinău;Monaco|Monaco;Montenegro|Podgorica;"
        "Netherlands|Amsterdam;North Macedonia|Skopje;Norway|Oslo;"
        "Poland|Warsaw;Portugal|Lisbon;Romania|Bucharest;Russia|Moscow;"
        "San Marino|San Marino;Serbia|Belgrade;Slovakia|Bratislava;"
        "Slovenia|Ljubljana;Spain|Madrid;Sweden|Stockholm;"
        "Switzerland|Bern;Ukraine|Kyiv;United Kingdom|London"
    ),
    "Oceania": (
        "Australia|Canberra;Fiji|Suva;Kiribati|Tarawa;"
        "Marshall Islands|Majuro;Micronesia|Palikir;Nauru|Yaren;"
        "New Zealand|Wellington;Palau|Ngerulmud;Papua New Guinea|Port Moresby;"
        "Samoa|Apia;Solomon Islands|Honiara;Tonga|Nukuʻalofa;Tuvalu|Funafuti;"
        "Vanuatu|Port Vila"
    ),
}

FIRST_NAMES = _split(
    "José María Seán Zoë François Jürgen Søren Björn Ana Ahmed Fatima Olga "
    "Dmitri Kwame Amara Priya Raúl Inés Łukasz Małgorzata Ngozi Hiroshi Yuki "
    "Mehmet Ayşe Thandiwe Émile Chloé Anaïs Renée Joël Gonçalo Tomás Siobhán "
    "Kofi Amina Leila Omar Youssef Ingrid João Ivana Jiří Zdeněk Elena Marco "
    "Sarah David Laura Michael Aisha Carlos Sofía Hannah Pieter Agnieszka "
    "Nikolai Irina Tariq Nadia Samuel Grace Andrés Lucía Mateo Éloïse Dagný "
    "Þóra Halldór Ólafur Ewa Katarzyna Rafael Beatriz Alejandro Mónica"
)

LAST_NAMES = [
    *_split(
        "Núñez O'Brien Ødegård García Müller Dubois Kowalski Nowak Ivanova "
        "Petrov Nakamura Tanaka Okafor Mensah Haddad Yılmaz Öztürk Santos "
        "Gonçalves Lindqvist Johansson D'Amico N'Diaye Singh Sharma Nguyen "
        "Fernández Pérez López Čapek Dvořák Horváth Szabó Kovač Jovanović "
        "Papadopoulos MacLeod O'Neill Al-Hashimi Ben-Ali Schröder Brennan "
        "Okonkwo Wiśniewska Håkansson Sæther Þórsdóttir Gíslason Moreau "
        "Lefèvre Rossi Bianchi Ferreira Costa Silva Adeyemi Banda Mwangi Karimi "
        "Rahimi Hosseini Aydın Kaya Popescu Ionescu Novák Mäkinen Virtanen "
        "D'Souza"
    ),
    "Ó Súilleabháin",
    "de la Cruz",
    "van der Berg",
]

KOREAN_FAMILY = _split("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Shin")
KOREAN_GIVEN = _split(
    "Sung-hwan Hae-in Min-jun Ji-woo Seo-yeon Dong-hyun Eun-ji Young-sam "
    "Jae-in Hyun-woo Soo-jin Ki-moon Myung-bak Geun-hye Tae-yong"
)

ORG_PREFIX = _split(
    "National United Northern Southern Federal International Central "
    "Pacific Atlantic Continental Democratic Progressive People's Free Royal"
)
ORG_FIELD = _split(
    "Energy Trade Fisheries Mining Health Labour Farmers' Railway Shipping "
    "Banking Telecom Water Steel Textile Press Students' Veterans' Aviation"
)
ORG_TYPE = _split(
    "Council Union Association Company Front Party Agency Authority "
    "Federation Alliance Institute Bank Commission League Syndicate"
)
ORG_EXTRA = [
    "Caisse Nationale d'Épargne",
    "Société Générale des Mines",
    "Fundação Atlântica",
    "Bündnis für Arbeit",
    "Médecins du Monde Sud",
    "Unión Obrera Andina",
    "Stiftelsen Nordlys",
    "Rådet för Fredsfrågor",
]

PERSON_ROLES = [
    "Foreign Minister",
    "Prime Minister",
    "President",
    "Finance Minister",
    "Defence Minister",
    "Ambassador to the United Nations",
    "Opposition leader",
    "Central bank governor",
    "Trade envoy",
    "Chief negotiator",
    "Government spokesperson",
    "Mayor of the capital",
    "Labour activist",
    "Investigative journalist",
    "Economist",
    "Army chief of staff",
    "Interior Minister",
    "Speaker of parliament",
    "Human rights lawyer",
    "Energy Minister",
]
ORG_ROLES = [
    "Trade union",
    "State-owned energy company",
    "Political party",
    "Non-governmental organisation",
    "Regulatory agency",
    "Armed group",
    "Think tank",
    "Industry association",
    "Development bank",
    "Farmers' cooperative",
]

EVENT_KINDS = [
    "Summit",
    "Talks",
    "Accord",
    "Crisis",
    "Floods",
    "Earthquake",
    "General Election",
    "Referendum",
    "Protests",
    "Ceasefire",
    "Trade Dispute",
    "Debt Crisis",
    "General Strike",
    "Conference",
    "Blockade",
    "Uprising",
    "Drought",
    "Oil Spill",
    "Border Clash",
    "Currency Crisis",
]

SOURCES = [
    "The Daily Ledger",
    "Northern Gazette",
    "Agence Générale de Presse",
    "The Harbour Times",
    "Al-Fajr Weekly",
    "Het Dagblad",
    "Der Morgenbote",
    "The Continental Post",
    "Wire Service International",
    "La Voz del Sur",
    "The Korea Herald",
    "O Jornal da Manhã",
    "Pacific Evening News",
    "The Citizen's Review",
    "Dagens Nyheter Syd",
]

REGION_FACTS = [
    "It has a population of about {n} million.",
    "Its economy relies on {sector}.",
    "It joined the United Nations in {year}.",
    "It has held {k} general elections since 2000.",
]
SECTORS = [
    "agriculture and mining",
    "tourism",
    "oil and gas exports",
    "manufacturing",
    "financial services",
    "fisheries",
    "remittances",
    "textiles and light industry",
]

SUBJECTS = [
    "Officials",
    "The ministry",
    "Diplomats",
    "Analysts",
    "The government",
    "Opposition lawmakers",
    "Negotiators",
    "Local residents",
    "Trade representatives",
    "Observers",
    "The delegation",
    "Economists",
    "Military sources",
    "Aid workers",
    "The committee",
    "Business leaders",
    "Several ministers",
    "Protesters",
    "The central bank",
    "Regional governors",
]
VERBS = [
    "said",
    "warned",
    "argued",
    "insisted",
    "acknowledged",
    "claimed",
    "noted",
    "stressed",
    "suggested",
    "denied",
    "conceded",
    "maintained",
]
ADJS = [
    "new",
    "proposed",
    "controversial",
    "long-awaited",
    "bilateral",
    "regional",
    "revised",
    "temporary",
    "disputed",
    "preliminary",
    "joint",
    "emergency",
    "sweeping",
    "modest",
    "landmark",
    "fragile",
]
NOUNS = [
    "agreement",
    "budget",
    "ceasefire",
    "sanctions package",
    "trade deal",
    "reform",
    "investigation",
    "pipeline project",
    "tariff",
    "election law",
    "aid programme",
    "framework",
    "proposal",
    "inquiry",
    "border arrangement",
    "loan",
    "constitutional amendment",
    "treaty",
]
VERBS_INF = [
    "strengthen",
    "undermine",
    "delay",
    "secure",
    "restore",
    "expand",
    "limit",
    "reshape",
    "complicate",
    "accelerate",
    "protect",
    "weaken",
]
OBJECTS = [
    "regional stability",
    "foreign investment",
    "public confidence",
    "the peace process",
    "energy supplies",
    "food prices",
    "cross-border trade",
    "the ruling coalition",
    "diplomatic ties",
    "export revenues",
    "press freedom",
    "the national currency",
    "rural incomes",
    "the fishing industry",
    "public health services",
]
TIMES = [
    "within months",
    "by the end of the year",
    "before the next election",
    "over the coming weeks",
    "in the long run",
    "next spring",
    "as early as Monday",
    "within a decade",
    "",
]
STATES = ["divided", "cautious", "sceptical", "optimistic", "uncertain"]
METRICS = [
    "unemployment",
    "inflation",
    "industrial output",
    "exports",
    "grain harvests",
    "tourist arrivals",
    "government borrowing",
]
PERIODS = ["quarter", "year", "month", "season"]
SECTIONS = ["Background", "Reaction", "What comes next", "Context", "Analysis"]

QUOTE_TEMPLATES = [
    "We will not accept a {noun} imposed from outside",
    "This is {a_adj} moment for {obj}",
    "Our position on the {noun} has not changed",
    "We're ready to talk, but we won't be rushed",
    'The so-called "{adj} {noun}" is nothing new',
    "Nobody should doubt our commitment to {obj}",
    "It's too early to say whether the {noun} will {verb} {obj}",
    "We have to create the necessary terms for {obj}",
    "The people deserve better than {a_adj} {noun}",
    'The draft was saved as "{noun}\\v2" and then it leaked',
]

TITLE_TEMPLATES = [
    "{actor} urges {adj} {noun} talks with {country}",
    "{country}, {country2} bolster cooperation on {obj}",
    "{actor} warns of {noun} after {event}",
    "{country} weighs {adj} {noun} amid concern over {obj}",
    "Q&A: what the {noun} means for {country}",
    '{actor}: "{quote}"',
    "{org}'s {noun} under scrutiny in {country}",
    "{country} and the {noun}: {adj} hopes, old doubts",
    "Analysis: can {actor} {verb} {obj}?",
    "{event} casts shadow over {country} {noun}",
]

ASCII_EXTRA = str.maketrans(
    {
        "Ø": "O",
        "ø": "o",
        "Æ": "AE",
        "æ": "ae",
        "ß": "ss",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Þ": "Th",
        "þ": "th",
        "ı": "i",
        "Œ": "OE",
        "œ": "oe",
    }
)


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def slugify(text: str, max_words: int = 0) -> str:
    """Fold to lowercase ASCII words joined by hyphens, as the builder wants."""
    text = text.translate(ASCII_EXTRA).replace("'", "").replace("\u2019", "")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", text.lower())
    if max_words:
        words = words[:max_words]
    return "-".join(words) or "item"


def unique(slug: str, taken: dict[str, None]) -> str:
    """Append -2, -3, ... so slugs never collide (collisions are build errors)."""
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    taken[candidate] = None
    return candidate


def q(text: str) -> str:
    """Quote a YAML string: double quotes keep YAML 1.1/1.2 readers agreeing."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def qlist(items: list[str]) -> str:
    """Write a flow list of quoted strings."""
    return "[" + ", ".join(q(i) for i in items) + "]"


def an(word: str) -> str:
    """Prefix the right indefinite article, so the prose reads naturally."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def cap(text: str) -> str:
    """Uppercase the first letter only (str.capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


class Popularity:
    """Zipf-Mandelbrot picker: a few entities end up in very many articles.

    The offset keeps the top entity at roughly a fifth of all articles rather
    than nearly half, which is closer to real archives.
    """

    def __init__(self, items: list[str], rng: random.Random, offset: float = 1.0) -> None:
        self.items = items[:]
        rng.shuffle(self.items)  # popularity rank independent of name order
        weights = [1.0 / (rank + offset) for rank in range(1, len(self.items) + 1)]
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random, k: int) -> list[str]:
        """Return k distinct items, most popular first more often than not."""
        k = min(k, len(self.items))
        chosen: dict[str, None] = {}
        hi = len(self.items) - 1
        while len(chosen) < k:
            i = bisect.bisect(self.cum, rng.random() * self.total, 0, hi)
            chosen[self.items[i]] = None
        return list(chosen)


@dataclass
class Entity:
    """One actor, country or event, kept until its file is written."""

    kind: str
    slug: str
    name: str
    lines: list[str] = field(default_factory=list)
    body: str = ""


@dataclass
class Words:
    """Word pools shared by everything that writes prose."""

    rng: random.Random
    pool: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)

    def fill(self, **extra: str) -> dict[str, str]:
        """Draw one value for every placeholder the templates use."""
        r = self.rng
        values = {
            "subject": r.choice(SUBJECTS),
            "verb_said": r.choice(VERBS),
            "adj": r.choice(ADJS),
            "noun": r.choice(NOUNS),
            "noun2": r.choice(NOUNS),
            "verb": r.choice(VERBS_INF),
            "obj": r.choice(OBJECTS),
            "obj2": r.choice(OBJECTS),
            "time": r.choice(TIMES),
            "state": r.choice(STATES),
            "metric": r.choice(METRICS),
            "period": r.choice(PERIODS),
            "num": f"{r.randint(1, 19)}.{r.randint(0, 9)}",
            "updown": r.choice(["rose", "fell"]),
            "count": r.choice(["two", "three", "several", "many", "eighteen"]),
            "source": r.choice(SOURCES),
        }
        values["a_adj"] = an(values["adj"])
        values.update(extra)
        return values

    def clause(self) -> str:
        """A 'that' clause, the backbone of wire-style prose."""
        v = self.fill()
        text = f"the {v['adj']} {v['noun']} would {v['verb']} {v['obj']}"
        return f"{text} {v['time']}".rstrip()

    def sentence(self) -> str:
        """One generic news sentence."""
        r = self.rng
        v = self.fill()
        c = self.clause()
        templates = (
            f"{v['subject']} {v['verb_said']} that {c}.",
            f"The {v['noun']} follows {v['count']} rounds of talks over {v['obj']}.",
            f"According to {v['source']}, {c}.",
            f"{cap(c)}, {v['subject'].lower()} {v['verb_said']}.",
            f"Talks are expected to resume {v['time'] or 'soon'}, although "
            f"{v['subject'].lower()} remain {v['state']} about {v['obj']}.",
            f"The figures showed that {v['metric']} {v['updown']} by {v['num']} "
            f"percent compared with the previous {v['period']}.",
            f"Critics say the {v['noun']} does little to address {v['obj']}.",
            f"It was not immediately clear whether the {v['noun']} would {v['verb']} {v['obj']}.",
            f"In a statement, the ministry said it was {v['state']} about the *{v['adj']}* {v['noun']}.",
            f"Critics called for {v['a_adj'][: -len(v['adj'])]}**{v['adj']} {v['noun2']}** "
            f"to {v['verb']} {v['obj2']}.",
            f"The {v['noun']} has been debated since {r.randint(1990, 2019)}, "
            f"when a similar {v['noun2']} failed to {v['verb']} {v['obj2']}.",
        )
        return r.choice(templates)

    def build_pool(self, size: int) -> None:
        """Pre-draw sentences once; articles sample them, which keeps it fast."""
        self.pool = [self.sentence() for _ in range(size)]
        self.counts = [s.count(" ") + 1 for s in self.pool]

    def quote(self) -> str:
        """A quotation, sometimes with inner quotes, apostrophes or a backslash."""
        return self.rng.choice(QUOTE_TEMPLATES).format(**self.fill())


# --------------------------------------------------------------------------
# Entities
# --------------------------------------------------------------------------


def entity_counts(articles: int) -> dict[str, int]:
    """Scale entity counts with the article count, like a real archive."""
    return {
        "actors": max(10, round(articles * 0.25)),
        "countries": min(195, max(20, round(articles * 0.195))),
        "events": max(10, round(articles * 0.04)),
    }


def make_countries(rng: random.Random, n: int) -> list[Entity]:
    """Pick n real countries with a region, a capital on most, a few facts."""
    all_countries = [
        (name, capital, region)
        for region, packed in COUNTRIES_BY_REGION.items()
        for name, capital in (pair.split("|") for pair in packed.split(";"))
    ]
    chosen = sorted(rng.sample(all_countries, min(n, len(all_countries))))
    taken: dict[str, None] = {}
    out = []
    for name, capital, region in chosen:
        e = Entity("countries", unique(slugify(name), taken), name)
        e.lines.append(f"name: {q(name)}")
        if rng.random() < 0.7:
            e.lines.append(f"capital: {q(capital)}")
        facts = rng.sample(REGION_FACTS, rng.randint(1, 2))
        filled = [
            f.format(
                n=rng.randint(1, 300),
                sector=rng.choice(SECTORS),
                year=rng.choice([1945, 1955, 1960, 1962, 1971, 1991, 1992]),
                k=rng.randint(2, 6),
            )
            for f in facts
        ]
        e.body = f"**{name}** is a country in {region}. " + " ".join(filled)
        out.append(e)
    return out


def person_name(rng: random.Random) -> str:
    """A person's name; some Korean-style, many with diacritics."""
    if rng.random() < 0.12:
        return f"{rng.choice(KOREAN_FAMILY)} {rng.choice(KOREAN_GIVEN)}"
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def org_name(rng: random.Random) -> str:
    """An organisation's name, occasionally a non-English one."""
    if rng.random() < 0.05:
        return rng.choice(ORG_EXTRA)
    return f"{rng.choice(ORG_PREFIX)} {rng.choice(ORG_FIELD)} {rng.choice(ORG_TYPE)}"


def distinct_name(rng: random.Random, make: Callable[[random.Random], str], used: dict[str, None]) -> str:
    """Retry a few times, then add an initial, so most names stay distinct."""
    for _ in range(6):
        name = make(rng)
        if name not in used:
            break
    else:
        first, _, rest = name.partition(" ")
        name = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTVW')}. {rest}"
    used[name] = None
    return name


def make_actors(rng: random.Random, n: int, countries: list[Entity]) -> list[Entity]:
    """Persons and organisations (about 20%), most tied to a country."""
    used: dict[str, None] = {}
    taken: dict[str, None] = {}
    out = []
    for _ in range(n):
        is_org = rng.random() < 0.2
        name = distinct_name(rng, org_name if is_org else person_name, used)
        e = Entity("actors", unique(slugify(name), taken), name)
        e.lines.append(f"name: {q(name)}")
        if is_org and rng.random() < 0.6:
            acronym = "".join(w[0] for w in name.split() if w[0].isupper())
            e.lines.append(f"aliases: {qlist([acronym])}")
        elif not is_org and rng.random() < 0.3:
            e.lines.append(f"aliases: {qlist([name.split(' ')[-1]])}")
        country = rng.choice(countries) if rng.random() < 0.85 else None
        role = rng.choice(ORG_ROLES if is_org else PERSON_ROLES)
        link = f"[{country.name}](country:{country.slug})" if country else ""
        if is_org:
            text = f"**{name}** is {an(role.lower())}"
            text += f" based in {link}" if link else ""
        else:
            text = f"**{name}** has served as {role}"
            text += f" of {link}" if link else ""
            role = f"{role} of {country.name}" if country else role
        e.lines.append(f"role: {q(role)}")
        e.lines.append(f"type: {q('organisation' if is_org else 'person')}")
        if country:
            e.lines.append(f"country: {q(country.slug)}")
        since = rng.randint(1985, 2015)
        e.body = f"{text}. Active in public life since {since}."
        out.append(e)
    return out


def make_events(rng: random.Random, n: int, countries: list[Entity], actors: Popularity) -> list[Entity]:
    """Events with a date or a start/end span, and a few countries and actors."""
    by_slug = {c.slug: c for c in countries}
    places = Popularity([c.slug for c in countries], rng)
    taken: dict[str, None] = {}
    out = []
    for _ in range(n):
        where = places.pick(rng, rng.randint(1, 3))
        start = date(2000, 1, 1) + timedelta(days=rng.randint(0, 7670))
        kind = rng.choice(EVENT_KINDS)
        name = f"{start.year} {by_slug[where[0]].name} {kind}"
        e = Entity("events", unique(slugify(name), taken), name)
        e.lines.append(f"name: {q(name)}")
        if rng.random() < 0.6:
            e.lines.append(f"date: {start.isoformat()}")
        else:
            end = start + timedelta(days=rng.randint(1, 400))
            e.lines.append(f"start: {start.isoformat()}")
            e.lines.append(f"end: {end.isoformat()}")
        e.lines.append(f"countries: {qlist(where)}")
        who = actors.pick(rng, rng.randint(0, 4))
        if who:
            e.lines.append(f"actors: {qlist(who)}")
        links = [f"[{by_slug[c].name}](country:{c})" for c in where]
        joined = " and ".join([", ".join(links[:-1]), links[-1]] if len(links) > 1 else links)
        e.body = (
            f"The **{name}** involved {joined}. It is remembered for its effect on {rng.choice(OBJECTS)}."
        )
        out.append(e)
    return out


# --------------------------------------------------------------------------
# Articles
# --------------------------------------------------------------------------


def article_date(rng: random.Random) -> tuple[date, str]:
    """A naive date in 2000..2020; about a quarter carry a time of day."""
    day = date(2000, 1, 1) + timedelta(days=rng.randint(0, 7670))
    if rng.random() < 0.25:
        moment = datetime(day.year, day.month, day.day, rng.randint(5, 22), rng.randrange(0, 60, 5))
        return day, moment.isoformat()
    return day, day.isoformat()


def link_sentence(words: Words, kind: str, name: str, slug: str) -> str:
    """A sentence carrying an inline reference like [Name](actor:slug)."""
    link = f"[{name}]({kind}:{slug})"
    v = words.fill()
    c = words.clause()
    if kind == "actor":
        options = (
            f"{link} {v['verb_said']} that {c}.",
            f"Speaking to reporters, {link} said the {v['noun']} was {v['state']}.",
            f"The {v['noun']} was backed by {link}, who hopes it will {v['verb']} {v['obj']}.",
        )
    elif kind == "country":
        options = (
            f"Officials in {link} {v['verb_said']} that {c}.",
            f"The delegation from {link} left the talks early.",
            f"Growth in {link} has slowed as {v['metric']} fell.",
        )
    else:
        options = (
            f"The {v['noun']} comes months after the {link}.",
            f"Memories of the {link} still weigh on {v['obj']}.",
            f"Since the {link}, {c}.",
        )
    return words.rng.choice(options)


def article_body(
    words: Words,
    specials: list[str],
    target: int,
) -> str:
    """Several paragraphs of 500-800 words with the special sentences mixed in."""
    rng = words.rng
    n = len(words.pool)
    sentences: list[str] = []
    total = sum(s.count(" ") + 1 for s in specials)
    while total < target:
        i = rng.randrange(n)
        sentences.append(words.pool[i])
        total += words.counts[i]
    for s in specials:
        sentences.insert(rng.randint(0, len(sentences)), s)
    paragraphs: list[str] = []
    i = 0
    while i < len(sentences):
        size = rng.randint(3, 7)
        paragraphs.append(" ".join(sentences[i : i + size]))
        i += size
    if len(paragraphs) > 4 and rng.random() < 0.2:
        at = rng.randint(2, len(paragraphs) - 1)
        paragraphs.insert(at, f"## {rng.choice(SECTIONS)}")
    if rng.random() < 0.1:
        items = rng.sample(OBJECTS, 3)
        paragraphs.insert(rng.randint(1, len(paragraphs)), "\n".join(f"- {cap(x)}" for x in items))
    return "\n\n".join(paragraphs)


def make_article(
    words: Words,
    names: dict[str, dict[str, str]],
    pops: dict[str, Popularity],
    reporters: list[str],
    taken: dict[str, None],
) -> tuple[str, str]:
    """Return (file name, file text) for one article."""
    rng = words.rng
    actors = pops["actors"].pick(rng, rng.choices(range(2, 9), (3, 5, 5, 4, 2, 1, 1))[0])
    countries = pops["countries"].pick(rng, rng.choices(range(1, 5), (5, 4, 2, 1))[0])
    events = pops["events"].pick(rng, rng.choices(range(0, 4), (4, 4, 2, 1))[0])
    day, stamp = article_date(rng)
    top = pops["countries"].items
    other_country = countries[-1] if len(countries) > 1 else top[top[0] == countries[0]]

    actor_name = names["actors"][actors[0]]
    country_name = names["countries"][countries[0]]
    v = words.fill(
        actor=actor_name,
        org=names["actors"][rng.choice(actors)],
        country=country_name,
        country2=names["countries"][other_country],
        event=names["events"][events[0]] if events else "the vote",
        quote=words.quote(),
    )
    title = cap(rng.choice(TITLE_TEMPLATES).format(**v))
    slug = unique(slugify(title, max_words=8), taken)

    r = rng.random()
    if r < 0.85:
        byline = rng.choice(reporters)
    elif r < 0.95:
        byline = f"{rng.choice(reporters)} and {rng.choice(reporters)}"
    else:
        byline = "Staff reporter"

    lines = [
        "---",
        f"title: {q(title)}",
        f"date: {stamp}",
        f"byline: {q(byline)}",
        f"source: {q(rng.choice(SOURCES))}",
    ]
    if rng.random() < 0.5:
        lines.append(f"summary: {q(words.sentence().replace('*', ''))}")
    lines.append(f"actors: {qlist(actors)}")
    lines.append(f"countries: {qlist(countries)}")
    if events:
        lines.append(f"events: {qlist(events)}")

    specials: list[str] = []
    if rng.random() < 0.5:
        lines.append("quotes:")
        for by in rng.sample(actors, rng.randint(1, 2)):
            text = words.quote()
            lines.append(f"  - by: {q(by)}")
            lines.append(f"    text: {q(text)}")
            specials.append(f"\u201c{text},\u201d said {names['actors'][by]}.")
    lines.append("---")

    for kind, slugs in (("actor", actors), ("country", countries), ("event", events)):
        table = names[kind_plural(kind)]
        for s in slugs:
            if rng.random() < 1 / 3:
                specials.append(link_sentence(words, kind, table[s], s))

    # Aim below 800: the last sentence, a heading or a list can overshoot.
    body = article_body(words, specials, rng.randint(500, 750))
    return f"{day.isoformat()}-{slug}.md", "\n".join(lines) + "\n" + body + "\n"


def kind_plural(singular: str) -> str:
    """Map an inline link scheme to its kind folder."""
    return {"actor": "actors", "country": "countries", "event": "events"}[singular]


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def entity_text(e: Entity) -> str:
    """Front matter plus the short Markdown description."""
    return "---\n" + "\n".join(e.lines) + "\n---\n" + e.body + "\n"


def write_kind(folder: Path, files: dict[str, str]) -> None:
    """Write files whose bytes changed; remove stale .md files from old runs."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        path = folder / name
        data = text.encode("utf-8")
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)


def generate_archive(out_dir: Path, articles: int, seed: int = 1) -> None:
    """Write site.yaml and content/ for a synthetic archive into out_dir."""
    out_dir = Path(out_dir)
    rng = random.Random(seed)
    counts = entity_counts(articles)

    countries = make_countries(rng, counts["countries"])
    actors = make_actors(rng, counts["actors"], countries)
    pops = {
        "actors": Popularity([a.slug for a in actors], rng, 2.0),
        "countries": Popularity([c.slug for c in countries], rng),
    }
    events = make_events(rng, counts["events"], countries, pops["actors"])
    pops["events"] = Popularity([e.slug for e in events], rng)
    names = {
        kind: {e.slug: e.name for e in group}
        for kind, group in (("actors", actors), ("countries", countries), ("events", events))
    }

    words = Words(rng)
    words.build_pool(4000)
    used: dict[str, None] = {}
    reporters = [distinct_name(rng, person_name, used) for _ in range(max(10, articles // 50))]

    taken: dict[str, None] = {}
    article_files = dict(make_article(words, names, pops, reporters, taken) for _ in range(articles))

    out_dir.mkdir(parents=True, exist_ok=True)
    site = out_dir / "site.yaml"
    if not site.exists() or site.read_text(encoding="utf-8") != SITE_YAML:
        site.write_text(SITE_YAML, encoding="utf-8", newline="\n")
    content = out_dir / "content"
    write_kind(content / "articles", article_files)
    for kind, group in (("actors", actors), ("countries", countries), ("events", events)):
        write_kind(content / kind, {f"{e.slug}.md": entity_text(e) for e in group})


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="folder to write the site into")
    parser.add_argument("--articles", type=int, default=10_000, help="article count")
    parser.add_argument("--seed", type=int, default=1, help="random seed")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    started = time.perf_counter()
    generate_archive(args.out_dir, args.articles, args.seed)
    counts = {"articles": args.articles, **entity_counts(args.articles)}
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    elapsed = time.perf_counter() - started
    print(f"wrote {summary} to {args.out_dir} in {elapsed:.2f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
