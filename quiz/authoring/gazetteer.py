"""General-purpose table of countries: name, capital (or common metonym city), demonyms, aliases.

One row makes "Iran", "Tehran", "Iranian" and "Persia" one answer. Regions let distractors
fall back on plausible neighbours when an article names too few countries.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# name | capitals / metonym seats | demonyms | other aliases | region ("x": not a present-day
# country, so never offered as a distractor for one)
_TABLE = """
Afghanistan|Kabul|Afghan||ca
Albania|Tirana|Albanian||ba
Algeria|Algiers|Algerian||af
Angola|Luanda|Angolan||af
Argentina|Buenos Aires|Argentine;Argentinian||am
Armenia|Yerevan|Armenian||ca
Australia|Canberra|Australian||oc
Austria|Vienna|Austrian||eu
Azerbaijan|Baku|Azerbaijani;Azeri||ca
Bahrain|Manama|Bahraini||me
Bangladesh|Dhaka|Bangladeshi||as
Belarus|Minsk|Belarusian|Byelorussia|ee
Belgium|Brussels|Belgian||eu
Bolivia|La Paz;Sucre|Bolivian||am
Bosnia and Herzegovina|Sarajevo|Bosnian|Bosnia|ba
Brazil|Brasilia;Brasília|Brazilian||am
Bulgaria|Sofia|Bulgarian||ee
Cambodia|Phnom Penh|Cambodian||as
Cameroon|Yaounde;Yaoundé|Cameroonian||af
Canada|Ottawa|Canadian||am
Chile|Santiago|Chilean||am
China|Beijing;Peking|Chinese|People's Republic of China;PRC|as
Colombia|Bogota;Bogotá|Colombian||am
Croatia|Zagreb|Croatian;Croat||ba
Cuba|Havana|Cuban||am
Cyprus|Nicosia|Cypriot||ba
Czech Republic|Prague|Czech|Czechia|ee
Denmark|Copenhagen|Danish;Dane||no
Ecuador|Quito|Ecuadorian||am
Egypt|Cairo|Egyptian||af
Estonia|Tallinn|Estonian||ee
Ethiopia|Addis Ababa|Ethiopian||af
Finland|Helsinki|Finnish;Finn||no
France|Paris|French||eu
Georgia|Tbilisi|Georgian||ca
Germany|Berlin|German||eu
Ghana|Accra|Ghanaian||af
Greece|Athens|Greek||ba
Hungary|Budapest|Hungarian||ee
Iceland|Reykjavik;Reykjavík|Icelandic;Icelander||no
India|New Delhi;Delhi|Indian||as
Indonesia|Jakarta|Indonesian||as
Iran|Tehran;Teheran|Iranian|Persia;Islamic Republic of Iran|me
Iraq|Baghdad|Iraqi||me
Ireland|Dublin|Irish||eu
Israel|Jerusalem;Tel Aviv|Israeli||me
Italy|Rome|Italian||eu
Japan|Tokyo|Japanese||as
Jordan|Amman|Jordanian||me
Kazakhstan|Astana|Kazakh;Kazakhstani||ca
Kenya|Nairobi|Kenyan||af
Kuwait|Kuwait City|Kuwaiti||me
Kyrgyzstan|Bishkek|Kyrgyz||ca
Latvia|Riga|Latvian||ee
Lebanon|Beirut|Lebanese||me
Libya|Tripoli|Libyan||af
Lithuania|Vilnius|Lithuanian||ee
Malaysia|Kuala Lumpur|Malaysian||as
Mexico|Mexico City|Mexican||am
Moldova|Chisinau;Chișinău|Moldovan||ee
Mongolia|Ulaanbaatar|Mongolian||as
Morocco|Rabat|Moroccan||af
Myanmar|Naypyidaw|Burmese|Burma|as
Nepal|Kathmandu|Nepali;Nepalese||as
Netherlands|Amsterdam;The Hague|Dutch|Holland|eu
New Zealand|Wellington|New Zealander||oc
Nigeria|Abuja|Nigerian||af
North Korea|Pyongyang|North Korean||as
Norway|Oslo|Norwegian||no
Oman|Muscat|Omani||me
Pakistan|Islamabad|Pakistani||as
Peru|Lima|Peruvian||am
Philippines|Manila|Filipino;Philippine||as
Poland|Warsaw|Polish;Pole||ee
Portugal|Lisbon|Portuguese||eu
Qatar|Doha|Qatari||me
Romania|Bucharest|Romanian||ee
Russia|Moscow;Kremlin|Russian|Russian Federation|ee
Saudi Arabia|Riyadh|Saudi|Saudi Arabian|me
Senegal|Dakar|Senegalese||af
Serbia|Belgrade|Serbian;Serb||ba
Singapore||Singaporean||as
Slovakia|Bratislava|Slovak;Slovakian||ee
Slovenia|Ljubljana|Slovenian;Slovene||ba
South Africa|Pretoria;Cape Town|South African||af
South Korea|Seoul|South Korean|Korea|as
Spain|Madrid|Spanish;Spaniard||eu
Sri Lanka|Colombo|Sri Lankan||as
Sudan|Khartoum|Sudanese||af
Sweden|Stockholm|Swedish;Swede||no
Switzerland|Bern;Berne|Swiss||eu
Syria|Damascus|Syrian||me
Taiwan|Taipei|Taiwanese||as
Tajikistan|Dushanbe|Tajik||ca
Tanzania|Dodoma|Tanzanian||af
Thailand|Bangkok|Thai|Siam|as
Tunisia|Tunis|Tunisian||af
Turkey|Ankara|Turkish;Turk|Türkiye;Turkiye|me
Turkmenistan|Ashgabat|Turkmen||ca
Uganda|Kampala|Ugandan||af
Ukraine|Kyiv;Kiev|Ukrainian||ee
United Arab Emirates|Abu Dhabi|Emirati|UAE|me
United Kingdom|London;Westminster|British;Briton|Britain;Great Britain;UK;U.K.|eu
United States|Washington|American|United States of America;USA;US;U.S.;America|am
Uruguay|Montevideo|Uruguayan||am
Uzbekistan|Tashkent|Uzbek||ca
Venezuela|Caracas|Venezuelan||am
Vietnam|Hanoi|Vietnamese|Viet Nam|as
Yemen|Sanaa;Sana'a|Yemeni||me
Zambia|Lusaka|Zambian||af
Zimbabwe|Harare|Zimbabwean||af
Soviet Union|Moscow|Soviet|USSR|x
European Union|Brussels||EU|x
Palestine|Ramallah|Palestinian||me
"""

FORMS = ("country", "capital", "demonym", "alias")


@dataclass(frozen=True)
class Country:
    name: str
    capitals: tuple[str, ...]
    demonyms: tuple[str, ...]
    aliases: tuple[str, ...]
    region: str

    def forms(self) -> dict[str, tuple[str, ...]]:
        return {
            "country": (self.name,),
            "capital": self.capitals,
            "demonym": self.demonyms,
            "alias": self.aliases,
        }


@lru_cache(maxsize=16384)
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("’", "'").casefold()
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub(r"[.\s]+", " ", text.replace("-", " ")).strip()


def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in cell.split(";") if x.strip())


@lru_cache(maxsize=1)
def countries() -> tuple[Country, ...]:
    rows = []
    for line in _TABLE.strip().splitlines():
        name, capitals, demonyms, aliases, region = line.split("|")
        rows.append(Country(name, _split(capitals), _split(demonyms), _split(aliases), region))
    return tuple(rows)


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[Country, str]]:
    """Folded surface form -> (country, form). Demonym plurals ("Iranians") are included."""
    index: dict[str, tuple[Country, str]] = {}
    # Countries first so that a capital shared by two rows ("Moscow") keeps its first owner.
    for country in countries():
        for form, names in country.forms().items():
            for surface in names:
                index.setdefault(_fold(surface), (country, form))
                if form == "demonym" and not surface.endswith(("ese", "ish", "ch", "ss", "i")):
                    index.setdefault(_fold(surface + "s"), (country, form))
    return index


def lookup(surface: str) -> tuple[Country, str] | None:
    """The country a surface form names, and which form it is (country/capital/demonym/alias)."""
    return _index().get(_fold(surface))


def country_of(surface: str) -> Country | None:
    hit = lookup(surface)
    return hit[0] if hit else None


def is_known(surface: str) -> bool:
    return lookup(surface) is not None


def same_place(a: str, b: str) -> bool:
    """True when both strings name the same country through any of its forms."""
    ca, cb = country_of(a), country_of(b)
    return ca is not None and ca is cb


def aliases_of(surface: str) -> tuple[str, ...]:
    """Every surface form of the country named by `surface` (empty if unknown)."""
    country = country_of(surface)
    if country is None:
        return ()
    return tuple(name for names in country.forms().values() for name in names)


# Capitals that are one city under two spellings. Other pairs in a row's capitals column are
# two places (Jerusalem; Tel Aviv, Moscow; Kremlin), so they are never names of each other.
_SPELLINGS = (
    ("Tehran", "Teheran"),
    ("Beijing", "Peking"),
    ("Kyiv", "Kiev"),
    ("Bern", "Berne"),
    ("Sanaa", "Sana'a"),
)


def names_of(surface: str) -> tuple[str, ...]:
    """Every name of exactly the thing `surface` names: a country's name and aliases ("United
    States", "USA", "US"...), or a city's spellings. Never its capital, demonym or a metonym:
    those name something else. Empty for demonyms and unknown strings."""
    hit = lookup(surface)
    if hit is None and _fold(surface).startswith("the "):
        hit = lookup(_fold(surface)[4:])  # "the United States of America"
    if hit is None:
        return ()
    country, form = hit
    if form in ("country", "alias"):
        return (country.name, *country.aliases)
    if form == "capital":
        folded = _fold(surface)
        spellings = next((s for s in _SPELLINGS if folded in map(_fold, s)), ())
        folded_spellings = {_fold(s) for s in spellings} | {folded}
        return tuple(c for c in country.capitals if _fold(c) in folded_spellings)
    return ()


def max_name_tokens() -> int:
    return max(len(key.split()) for key in _index())
