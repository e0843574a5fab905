"""How much a piece of text looks like a person's name (or a list of names), for
deciding which side of "Title - Speaker" is the person. Shape counts (capitalised
words, two to four of them, none a word titles are made of), and a first word that
is a common given name counts most: "peter novak" in lower case is a person,
"Docker From Scratch" is not."""

import re
import unicodedata

# Common given names across languages, composed for this purpose (lower case, without
# accents). Not exhaustive: a name missing here still counts by its shape.
_GIVEN = """
aaron abby abdul abel abigail abraham ada adam adel adele adrian adriana adrienne agnes
ahmed aidan aileen aisha alan alana albert alberto alejandro aleksandr alex alexa
alexander alexandra alexandre alexei alexis alfred ali alice alicia alina alison allan
allen allison alma amanda amber amelia amina amir amit amy ana anastasia anders andre
andrea andreas andrei andres andrew andrey andy angela angelo angus anil anita ann anna
anne annie anthony anton antonio anu april arjun armin arnaud arne arthur arun ashley
ashwin astrid audrey austin ava axel barbara barry bart bastian beatrice beatriz becky
ben benedict benjamin benoit bernard bernd bert beth betty bianca bill billy bjorn blake
bob bobby boris brad bradley brandon brenda brendan brian bridget brigitte bruce bruno
bryan caitlin caleb cameron camille carl carla carlos carmen carol caroline carolyn
carrie casey catherine cathy cecile cecilia cedric celine charles charlie charlotte
chen cheryl chloe chris christian christina christine christoph christophe
christopher cindy claire clara clare claudia claudio colin connor constantin corey
cory craig cristina dan dana daniel daniela danielle danny dario dave david dawn dean
deb debbie deborah denis denise dennis derek desmond diana diane diego dimitri dina
dmitri dmitry dominic dominik don donald donna doris doug douglas duncan dustin dylan
ed eddie edgar edith edouard eduardo edward edwin eileen elaine elena eli elias elif
elijah elisa elisabeth elise eliza elizabeth ella ellen elliot emil emily emma emmanuel
enrico eric erica erik erin ernest esther ethan eugene eva evan eve fabian fabien
fabio farah fatima federico felipe felix fernando filip fiona florian frances francesca
francesco francis francisco franck frank franz fred frederic frederick gabriel gabriela
gareth gary gavin gemma geoff geoffrey george georg gerald gerard gianni gil gina giorgio
giovanni giulia giuseppe glen glenn gloria gordon grace graham grant greg gregor gregory
guido guillaume gunnar gustavo guy hal hana hannah hans harold harry hassan heather
hector heidi helen helena helene henrik henry herbert hiroshi holly howard hugh hugo
ian igor ilya imran ines ingrid irene iris isaac isabel isabella isabelle ivan jack
jackie jacob jacqueline jake james jamie jan jane janet janice jared jason javier
jay jean jeanne jeff jeffrey jen jennifer jenny jeremy jerome jerry jesper jess jesse
jessica jill jim jimmy jo joan joanna joanne joao joe joel johan johanna john johnny
jon jonas jonathan jordan jorge jose josef joseph josh joshua juan judith judy jules
julia julian juliana julie julien juliet justin kai karen karim karin karl kate
katherine kathleen kathryn kathy katie katrin kay keith kelly kelsey ken kenneth kerry
kevin kim kirsten klaus kris kristen kristin kurt kyle lars laura lauren laurence
laurent lea lee leila lena leo leon leonardo leslie liam lily linda lisa liz lorenzo
louis louise luca lucas lucia lucy luis luke lukas luz lynn maggie manuel marc marcel
marco marcus margaret maria marie marina mario marion mark marta martha martin mary
mathias matt matteo matthew matthias matthieu maurice max maxime maya megan mehmet
melanie melissa mia michael michaela michel michele michelle miguel mike mikhail mila
miriam mohamed mohammed monica monika morgan nadia naomi natalia natalie natasha nathan
neil nicholas nick nicola nicolas nicole niels nigel nikolai nina noah nora norbert
oleg olga oliver olivia omar oscar otto owen pablo paolo pascal pat patricia patrick
paul paula pauline pavel pedro peter petra phil philip philipp philippe pierre pietro
piotr priya rachel rafael rahul raj ralph ramon randy raphael raul ravi ray raymond
rebecca renata rene rhys ricardo richard rick rob robert roberto robin rodrigo roger
roland roman ron ronald rosa rose ross ruben ruth ryan sabine sally sam samantha
samuel sandra sandy sara sarah sasha scott sean sebastian sergei sergey sergio seth
shane shannon sharon shawn sheila simon simone sofia sonia sophia sophie stan stefan
stefanie stella stephan stephane stephanie stephen steve steven stuart susan susanne
suzanne sven sylvia tamara tanya tara ted teresa terry theo theresa thierry thomas tim
timothy tina tobias todd tom tomas tommy tony tracy travis trevor tyler ulrich ursula
valentina valerie vanessa vera veronica victor victoria vikram vincent violet
virginia vivian vladimir walter wei wendy werner will william wolfgang xavier yann
yasmin yuki yusuf yvonne zach zachary zoe
"""
GIVEN_NAMES = frozenset(_GIVEN.split())
PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "da",
        "di",
        "del",
        "della",
        "du",
        "la",
        "le",
        "bin",
        "al",
        "ten",
        "ter",
        "dos",
        "das",
        "y",
        "mc",
    ]
)
# Words that start or make up titles, labels and company names far more often than
# they are names.
_NOT_NAME_WORDS = """a an the and or of on in at to for from by with without into about over
    under beyond after before vs versus is are was be not no yes how why what when where who
    which your our my their its this that these those we you it they i all any every more
    less most new old good bad big small best worst first last next one two three four five
    ten hundred day days part lessons learned learning notes takeaways introduction summary
    wrap closing opening keynote ignite lightning talk talks panel workshop session sessions
    open space spaces devops devopsdays dev ops sre agile lean cloud data security testing
    test tests monitoring observability platform platforms team teams engineering engineers
    software systems system service services infrastructure code kubernetes docker
    serverless incident incidents culture people process change changes scaling scale
    building build delivery deployment deployments continuous pipeline pipelines production
    reliability performance microservices architecture design product products operations
    management metrics logs logging tracing alerts alerting chaos automation tools tooling
    git github gitlab aws azure google microsoft linux python java go rust javascript ai ml
    machine api apis web mobile source inner hard easy real world life way ways things stuff
    road journey story stories future past present inc ltd llc gmbh corp labs group
    solutions technologies consulting software university conference meetup video slides
    watch link links table contents back home blog post posts featured image"""
NOT_NAME_WORDS = frozenset(_NOT_NAME_WORDS.split())
_WORD = re.compile(r"^[^\W\d_][^\W\d_'\u2019.-]*(?:[-'\u2019][^\W\d_]+)*\.?$")
_SPLIT = re.compile(r"\s*,\s*and\s+|\s*,\s*|\s+and\s+|\s*&\s*|\s+und\s+|\s+et\s+")
_COMPANY = re.compile(
    r"\s*[(\[](?P<company>[^()\[\]]{1,60})[)\]]\s*$"
    r"|\s+(?:@|from|at)\s+(?P<after>[^\W\d_][^@()\[\]]{0,59})$"
)
# A social-media handle beside a name ("Ann Example (@annex)", "Ann Example, @annex"):
# how to reach the person, not part of the name.
_HANDLE = re.compile(r"[(\[]?(?<![\w@])@[A-Za-z0-9_][\w.-]{0,38}[)\]]?")


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode().lower()


def name_score(text: str) -> float:
    """0 (not a name) to 1: how much ``text`` reads like one person's name.

    A common given name first and a surname: 0.9 (even in lower case); two to four
    capitalised words that are not title words: 0.6; a given name alone: 0.5."""
    text = text.strip(" _*\t.,;:")
    words = text.split()
    if not words or len(words) > 5 or len(text) > 60:
        return 0.0
    folded = [_fold(w).strip(".") for w in words]
    if any(not _WORD.match(w) for w in words) or folded[0] in PARTICLES:
        return 0.0
    if any(f in NOT_NAME_WORDS for f in folded if f not in PARTICLES):
        return 0.0
    given = folded[0].split("-")[0] in GIVEN_NAMES
    if not given and any(len(f) > 5 and f.endswith("ing") for f in folded):
        return 0.0  # "Writing Runbooks": a gerund makes a title
    if len(words) == 1:
        return 0.5 if given and words[0][0].isupper() else 0.0
    names = [w for w, f in zip(words, folded, strict=True) if f not in PARTICLES]
    # Scripts without capitals (Chinese, Japanese, Korean, Arabic) write names uncased.
    capitalised = all(not w[0].islower() for w in names)
    shouty = any(len(w) > 3 and w.isupper() for w in names)
    if shouty:
        return 0.0
    lower = all(w.islower() for w in names)
    if given:
        # "peter novak" in lower case is a person; "Ann as both focused" is not.
        return 0.9 if capitalised else (0.7 if lower and len(names) <= 3 else 0.0)
    if capitalised and len(names) >= 2:
        return 0.6
    return 0.0


def without_company(text: str) -> tuple[str, str]:
    """ "Ann Example (Example Corp)" -> ("Ann Example", "Example Corp")."""
    if match := _COMPANY.search(text):
        return text[: match.start()].strip(), (match["company"] or match["after"]).strip()
    return text.strip(), ""


def split_names(text: str) -> list[str]:
    return [n.strip(" _*") for n in _SPLIT.split(text.strip()) if n.strip(" _*")]


def names_score(text: str) -> tuple[float, list[str]]:
    """How much ``text`` reads like a list of people ("A, B & C", each with an
    optional company in brackets), and the names. The score is the weakest name's."""
    text = _HANDLE.sub(" ", text) if "@" in text else text
    names = []
    for part in split_names(text):
        name, _ = without_company(part)
        if name:
            names.append(name)
    if not names:
        return 0.0, []
    if (
        len(names) == 2
        and not re.search(r"\s+(?:and|und|et)\s+|&", text)
        and name_score(names[0]) >= 0.6
        and name_score(names[1]) < 0.9
    ):
        # "Ann Example, Acme Cloud": a name and a company, not two people.
        names = names[:1]
    scores = [name_score(name) for name in names]
    if len(names) > 1:
        # "Ann Example and Bo" \u2014 a single given name passes in company.
        scores = [s if s else 0.0 for s in scores]
    return min(scores), names
