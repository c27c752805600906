"""Generic English that carries no reference to data of its own: auxiliaries, pronouns,
prepositions, the everyday verbs, adverbs and adjectives questions are phrased with ("placed",
"based", "currently") and the words for where the data is ("the attached file"). A question word
outside these, the engine's own vocabulary and the schema's names is a content word the engine
cannot place, and it declines rather than drop it. Nothing here names a table, column or value of
any particular database."""

from __future__ import annotations

FUNCTION_WORDS = frozenset(
    """
    a about above across after again against ago all almost along already also although always am
    among amongst an and another any anybody anyone anything are aren't around as at away
    be became because become been before being below besides between both but by
    can cannot can't could couldn't
    did didn't do does doesn't doing done don't down during
    each either else enough etc even ever every everybody everyone everything exactly
    few for from further
    had hadn't has hasn't have haven't having he her here hers herself him himself his how however
    i if in including inside instead into is isn't it its itself
    just
    let let's like
    may me might mine more most much must my myself
    near nearly neither never no nobody none nor not nothing now
    of off often on once one ones only onto or other others otherwise our ours ourselves out over
    own
    per perhaps please
    quite
    rather really
    same several shall she should shouldn't since so some somebody someone something sometimes
    still such
    than that the their theirs them themselves then there these they this those though through
    thru till to together too toward towards
    under until up upon us
    very via
    was wasn't we well were weren't what whatever when whenever where whereas wherever whether
    which while who whoever whole whom whose why will with within without won't would wouldn't
    yet you your yours yourself yourselves
    actually altogether approximately basically currently exactly generally overall presently
    recently roughly so-far specifically typically usually
    according along based belong belonged belonging belongs bring brings brought
    collect collected collecting collects come comes coming came contain contained containing contains
    exist existed exists existing
    get gets getting got gotten give given gives giving gave go goes going gone went
    happen happened happening happens hold holding holds held
    include included includes including involve involved involves
    keep kept know known
    list listed listing look looking looks
    make makes making made mean means meant
    need needed needs note
    occur occurred occurs
    place placed places placing put puts
    record recorded records register registered
    say says said see seen sees show showed shown shows
    stored take taken takes taking took tell tells told
    use used uses using want wanted wants write writes writing written wrote
    join joined joining joins
    associated available corresponding related respective respectively total overall
    altogether combined entire full individual separate single specific various whole
    answer data database detail details entry entries figure figures info information item items
    kind kinds level levels lot lots number numbers part piece pieces set sort sorts thing things
    type types
    way ways
    across compared comparing compare comparison versus vs
    attach attached attachment attachments csv document documents excel file files sheet sheets
    spreadsheet spreadsheets upload uploaded uploads xlsx
    """.split()
)
