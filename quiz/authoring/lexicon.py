"""Small general-purpose English word lists used by the rules (no article-specific data)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

MONTHS = (
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december",
)  # fmt: skip
MONTH_ABBREVIATIONS = {m[:3]: i + 1 for i, m in enumerate(MONTHS)} | {"sept": 9}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Pronouns and determiners that make a sentence depend on the previous one.
UNRESOLVED_STARTS = frozenset(
    "this that these those it its they their them he his him she her such there's".split()
)
ARTICLES = frozenset({"a", "an", "the"})

# Sentence-initial connectors we may drop to make a clause self-contained.
DISCOURSE_MARKERS = (
    "however", "moreover", "furthermore", "in addition", "additionally", "yet", "still",
    "conversely", "meanwhile", "nevertheless", "nonetheless", "in conclusion", "in short",
    "at the same time", "for example", "for instance", "indeed", "in fact", "instead",
    "similarly", "likewise", "consequently", "as a result", "therefore", "thus", "also",
    "finally", "first", "second", "third", "then", "overall", "ultimately", "in turn",
    "on the other hand", "by contrast", "in contrast", "of course", "after all", "but", "and",
)  # fmt: skip

TITLES = frozenset(
    """mr mrs ms miss dr prof professor sir dame lord lady president vice-president minister
    prime premier senator governor mayor councillor councilor chancellor king queen prince
    princess emperor empress general colonel captain admiral lieutenant sergeant judge justice
    chief director secretary chairman chairwoman chair commissioner ambassador bishop pope
    father sister rev reverend inspector superintendent officer detective deputy spokesperson
    spokesman spokeswoman engineer physicist chemist biologist""".split()
)
ORG_WORDS = frozenset(
    """council agency department ministry university institute institution association union
    party committee bank company corporation corp inc ltd llc group organization organisation
    society commission authority board service office foundation federation court parliament
    congress senate assembly administration police army navy network coalition alliance league
    club center centre laboratory laboratories museum school college hospital fund trust chamber
    bureau forum programme program agency observatory survey academy unit force guard
    industries partners cooperative""".split()
)
EVENT_WORDS = frozenset(
    """war revolution treaty act conference crisis summit olympics agreement accord uprising
    rebellion battle election referendum declaration protocol convention pact""".split()
)
# Plural or collective nouns that can voice a position ("critics argue...").
GROUP_NOUNS = frozenset(
    """critics opponents supporters residents officials experts scientists researchers analysts
    activists campaigners environmentalists economists historians observers authorities leaders
    lawmakers legislators politicians diplomats parents teachers students farmers workers unions
    owners businesses shopkeepers retailers traders drivers cyclists commuters doctors
    nurses engineers planners advocates groups members neighbours neighbors locals voters
    citizens landlords tenants fishermen scholars officials governments""".split()
)
ROLE_NOUNS = frozenset(
    """mayor council government minister president governor spokesperson spokesman spokeswoman
    chairman chairwoman director chief committee ministry agency department union company
    police prosecutor court regulator""".split()
)

# Verbs that introduce a reported position with a that-clause ("X insists that ...").
THAT_VERBS = frozenset(
    """say said says argue argued argues maintain maintains maintained insist insists insisted
    claim claims claimed contend contends contended believe believes believed warn warns warned
    state states stated stress stresses stressed note notes noted add adds added acknowledge
    acknowledges acknowledged deny denies denied suggest suggests suggested fear fears feared
    hope hopes hoped think thinks thought recognize recognizes recognized recognise recognises
    recognised understand understands understood admit admits admitted assert asserts asserted
    allege alleges alleged predict predicts predicted conclude concludes concluded estimate
    estimates estimated agree agrees agreed worry worries worried emphasize emphasizes
    emphasized emphasise emphasises emphasised report reports reported
    counter counters countered accept accepts accepted doubt doubts doubted
    reckon reckons reckoned expect expects expected""".split()
)
# Verbs whose object and complement together state a position ("X views Y as Z").
STANCE_VERBS = frozenset(
    """view views viewed see sees saw regard regards regarded perceive perceives perceived
    consider considers considered describe describes described accuse accuses accused blame
    blames blamed criticize criticizes criticized criticise criticises criticised welcome
    welcomes welcomed oppose opposes opposed support supports supported reject rejects rejected
    praise praises praised condemn condemns condemned urge urges urged call calls called
    dismiss dismisses dismissed defend defends defended favour favours favoured favor favors
    favored back backs backed""".split()
)
# "X is aware/convinced/concerned that ..."
STANCE_ADJECTIVES = frozenset("aware convinced concerned confident certain worried sure".split())

STOPWORDS = frozenset(
    """a an the and or but if then else of in on at to for from by with without about as into
    onto over under between among through during before after above below up down out off again
    further once here there when where why how all any both each few more most other some such
    no nor not only own same so than too very can will just should now is are was were be been
    being have has had having do does did doing would could might must shall may it its it's
    this that these those i me my we our you your he him his she her they them their what which
    who whom whose also while although though because since until unless whether either neither
    yet still even much many one two three per via upon within across against toward towards
    around s""".split()
)

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
}  # fmt: skip


@dataclass(frozen=True)
class Sense:
    lemma: str
    pos: str  # v, n, adj
    group: str  # entries sharing a group are near-synonyms: never distractors for each other
    definition: str


# A general academic/news vocabulary list with short, context-free definitions.
# lemma | pos | group (blank = own lemma) | definition
_SENSES = """
abandon|v||leave behind completely
acquire|v||come to own
adjacent|adj||next to or very near
adversary|n|enemy|an opponent or enemy
advocate|v|support|publicly speak in favour of
allege|v|claim|claim something without giving proof
allegation|n|claim|a claim made without proof
ally|n||a partner that gives support
ambiguous|adj||open to more than one meaning
amplify|v|increase|make stronger or louder
anticipate|v||expect and prepare for
arbitrary|adj||based on chance rather than reason
assess|v|examine|judge the quality or value of
autonomy|n|sovereignty|freedom to govern oneself
bilateral|adj||involving two sides
catalyst|n||something that speeds up a change
coalition|n||an alliance of groups for a shared aim
collapse|n||a sudden fall or breakdown
comply|v||act as a rule or request requires
confrontation|n|conflict|a hostile face-to-face clash
consensus|n|agree|general agreement
constrain|v|limit|limit or restrict
contentious|adj|conflict|likely to cause disagreement
contradict|v||say the opposite of
convene|v||come together for a meeting
covert|adj||secret or hidden
deplete|v|reduce|use up the supply of
detrimental|adj|harm|causing harm
deter|v||discourage from acting
dilemma|n||a difficult choice between two options
diminish|v|reduce|become smaller or weaker
dismantle|v||take apart piece by piece
disrupt|v||interrupt the normal course of
divergence|n||a growing difference
dormant|adj||inactive for a period of time
drought|n||a long period without rain
embargo|n|ban|an official ban on trade
emerge|v||appear or become known
emission|n||a gas or substance released into the air
endorse|v|support|declare public approval of
enhance|v|improve|improve the quality of
erode|v|reduce|wear away gradually
erosion|n|reduce|gradual wearing away
escalate|v|increase|become more intense
exacerbate|v|worse|make a problem worse
expedition|n||an organised journey with a purpose
explicit|adj||stated clearly and openly
facilitate|v|easier|make easier
feasible|adj|possible|possible to do
fluctuate|v||rise and fall irregularly
foothold|n||a secure position from which to advance
foster|v|encourage|encourage the growth of
fragile|adj||easily broken or damaged
grievance|n||a complaint about unfair treatment
habitat|n||the natural home of a plant or animal
hinder|v|limit|make progress difficult
hostility|n|conflict|unfriendly or aggressive behaviour
hypothesis|n||a proposed explanation to be tested
imminent|adj||about to happen
implement|v||put into effect
impose|v||force something on others
incentive|n|encourage|something that encourages action
inevitable|adj||certain to happen
infrastructure|n||basic systems such as roads and power supply
interference|n||involvement that is not wanted
intermittent|adj||stopping and starting
intensify|v|increase|become stronger
juncture|n||a particular point in a series of events
legacy|n||something handed down from the past
lucrative|adj||producing a lot of profit
mandate|n||official authority to act
marginal|adj||small and not very important
mitigate|v|reduce|make less severe
monopoly|n||complete control of a market
moratorium|n|ban|a temporary ban on an activity
nascent|adj||just beginning to develop
negotiate|v||discuss in order to reach an agreement
obsolete|adj||no longer in use
pathogen|n||an organism that causes disease
perceive|v||see or understand in a certain way
perpetrator|n||a person who commits a harmful act
persist|v||continue despite difficulty
pervasive|adj||spread throughout
phenomenon|n||a fact or event that can be observed
postpone|v||move to a later time
precedent|n||an earlier event used as an example
predecessor|n||someone who held a position earlier
prominent|adj||important and well known
proliferate|v|increase|increase rapidly in number
proxy|n||someone acting on behalf of another
ratify|v||formally approve
reconcile|v||restore friendly relations between
reinforce|v|increase|make stronger by adding support
relinquish|v||give up willingly
resilience|n|recover|the ability to recover from difficulty
resilient|adj|recover|able to recover quickly
restore|v||bring back to an earlier condition
resume|v||begin again after a pause
revoke|v|cancel|officially cancel
rift|n|conflict|a serious break in a relationship
robust|adj|strong|strong and unlikely to fail
rudimentary|adj||basic and simple
scrutiny|n|examine|close examination
secular|adj||not connected with religion
sentiment|n||a feeling or opinion
skepticism|n|doubt|doubt about whether something is true
scepticism|n|doubt|doubt about whether something is true
sovereignty|n|sovereignty|a state's full right to govern itself
speculate|v||guess without firm evidence
subside|v|reduce|become less intense
substantial|adj||large in amount or importance
surge|n|increase|a sudden large increase
sustain|v||keep going over time
symbiosis|n||a close relationship that benefits both partners
symbiotic|adj||living in a relationship that benefits both partners
tentative|adj||not certain or final
threshold|n||the level at which something starts to happen
thrive|v||grow or develop well
trajectory|n||the path of development over time
transmit|v||send from one place to another
turmoil|n||a state of great confusion
unprecedented|adj||never having happened before
unwarranted|adj||not justified
venture|n||a risky business undertaking
viable|adj|possible|able to work successfully
volatile|adj|change|likely to change suddenly
volatility|n|change|a tendency to change suddenly
"""


@lru_cache(maxsize=1)
def senses() -> dict[str, Sense]:
    table: dict[str, Sense] = {}
    for line in _SENSES.strip().splitlines():
        lemma, pos, group, definition = line.split("|")
        table[lemma] = Sense(lemma, pos, group or lemma, definition)
    return table
