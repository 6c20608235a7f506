"""Words the detector knows: unions, staff groups, employers, topics, strike words, distractors.

Kept apart from the logic so the vocabulary can grow without touching the rules.
"""

from __future__ import annotations

import re

# (pattern, short name as the union calls itself). Case-sensitive where a word is also common
# English ("Unite", "Community", "Equity", "Prospect").
_UNION_SPECS: tuple[tuple[str, str, int], ...] = (
    (r"\bGMB\b", "GMB", 0),
    (r"\bUnite\b(?!d)|\bUNITE\b", "Unite", 0),
    (r"\bunison\b", "Unison", re.I),
    (r"\bRCN\b|\bRoyal College of Nursing\b", "RCN", re.I),
    (r"\bBMA\b|\bBritish Medical Association\b", "BMA", re.I),
    (r"\bCSP\b|\bChartered Society of Physiotherapy\b", "CSP", re.I),
    (r"\bSoR\b|\bSociety of Radiographers\b", "SoR", 0),
    (r"\bRCM\b|\bRoyal College of Midwives\b", "RCM", re.I),
    (r"\bHCSA\b|\bHospital Consultants and Specialists Association\b", "HCSA", re.I),
    (r"\bRMT\b|\bRail,? Maritime and Transport\b", "RMT", re.I),
    (r"\bAslef\b", "Aslef", re.I),
    (r"\bTSSA\b|\bTransport Salaried Staffs", "TSSA", re.I),
    (r"\bNEU\b|\bNational Education Union\b", "NEU", re.I),
    (r"\bNASUWT\b", "NASUWT", re.I),
    (r"\bNAHT\b", "NAHT", re.I),
    (r"\bEIS\b|\bEducational Institute of Scotland\b", "EIS", 0),
    (r"\bUCU\b|\bUniversity and College Union\b", "UCU", re.I),
    (r"\bPCS\b|\bPublic and Commercial Services\b", "PCS", 0),
    (r"\bCWU\b|\bCommunication Workers'? Union\b", "CWU", re.I),
    (r"\bFBU\b|\bFire Brigades'? Union\b", "FBU", re.I),
    (r"\bNUJ\b|\bNational Union of Journalists\b", "NUJ", re.I),
    (r"\bBALPA\b", "BALPA", re.I),
    (r"\bUsdaw\b", "Usdaw", re.I),
    (r"\bPOA\b|\bPrison Officers'? Association\b", "POA", 0),
    (r"\bProspect\b(?= union| members)", "Prospect", 0),
    (r"\bEquity\b(?= union| members)", "Equity", 0),
    (r"\bBDA\b|\bBritish Dietetic Association\b", "BDA", 0),
    (r"\bSSTA\b", "SSTA", 0),
    (r"\bNapo\b", "Napo", 0),
    (r"\bUVW\b|\bUnited Voices of the World\b", "UVW", 0),
    (r"\bIWGB\b", "IWGB", 0),
    (r"\bPharmacists'? Defence Association\b|\bPDA\b", "PDA", 0),
    (r"\bBAOT\b|\bRoyal College of Occupational Therapists\b", "RCOT", 0),
    (r"\bRoyal College of Podiatry\b", "Royal College of Podiatry", re.I),
)
# All unions in one pass: group ``u<N>`` is ``UNION_NAMES[N]``.
UNION_NAMES: tuple[str, ...] = tuple(name for _, name, _ in _UNION_SPECS)
ANY_UNION_RE = re.compile(
    "|".join(
        f"(?P<u{n}>{'(?i:' + p + ')' if flags else p})"
        for n, (p, _, flags) in enumerate(_UNION_SPECS)
    )
)

# Staff groups as written, with the subscription topic each belongs to.
_STAFF_SPECS: tuple[tuple[str, str], ...] = (
    (r"ambulance (?:workers|staff|crews?|employees|personnel|service workers)", "ambulance"),
    (r"paramedics?", "ambulance"),
    (r"(?:999 )?call handlers?", "ambulance"),
    (r"emergency care assistants?", "ambulance"),
    (r"(?:ambulance )?technicians", "ambulance"),
    (r"(?:junior|resident|trainee) doctors?", "doctors"),
    (r"consultants", "doctors"),
    (r"specialist(?:,| and)? (?:and )?(?:associate specialist )?doctors|SAS doctors", "doctors"),
    (r"(?:hospital )?doctors", "doctors"),
    (r"GPs", "doctors"),
    (r"(?:student |district |specialist )?nurses", "nursing"),
    (r"nursing staff", "nursing"),
    (r"midwives", "nursing"),
    (r"healthcare assistants|health care assistants|nursing assistants", "nursing"),
    (r"physiotherapists|physios", "other_nhs"),
    (r"radiographers", "other_nhs"),
    (r"porters|hospital cleaners|cleaners|domestics", "other_nhs"),
    (r"NHS (?:staff|workers|employees)|health workers|healthcare workers", "other_nhs"),
    (r"pharmacists|biomedical scientists|occupational therapists", "other_nhs"),
    (r"train drivers|drivers", "transport"),
    (r"rail (?:workers|staff)|railway workers|signallers|guards|conductors", "transport"),
    (r"(?:Tube|Underground|station) (?:workers|staff)", "transport"),
    (r"bus (?:drivers|workers)", "transport"),
    (
        r"(?:baggage handlers|airport (?:workers|staff)|border force (?:staff|officers))",
        "transport",
    ),
    (r"driving examiners", "transport"),
    (r"(?:head )?teachers|headteachers|school (?:staff|support staff)", "education"),
    (r"lecturers|university staff|academics|university (?:workers|employees)", "education"),
    (r"support staff", "education"),
    (r"civil servants|jobcentre staff|court staff|passport office staff", "councils"),
    (
        r"council (?:workers|staff|employees)|bin (?:workers|men|collectors)|refuse collectors"
        r"|refuse workers|street cleaners",
        "councils",
    ),
    (r"firefighters", "councils"),
    (r"postal workers|Royal Mail workers|posties", "councils"),
    (r"prison officers|probation officers", "councils"),
)
# All staff groups in one pass: group ``s<N>`` has topic ``STAFF_TOPICS[N]``.
STAFF_TOPICS: tuple[str, ...] = tuple(topic for _, topic in _STAFF_SPECS)
ANY_STAFF_RE = re.compile(
    "|".join(rf"(?P<s{n}>\b(?:{p})\b)" for n, (p, _) in enumerate(_STAFF_SPECS)), re.I
)

UNION_TOPICS: dict[str, str] = {
    "RCN": "nursing",
    "RCM": "nursing",
    "BMA": "doctors",
    "HCSA": "doctors",
    "CSP": "other_nhs",
    "SoR": "other_nhs",
    "BDA": "other_nhs",
    "PDA": "other_nhs",
    "RCOT": "other_nhs",
    "Royal College of Podiatry": "other_nhs",
    "RMT": "transport",
    "Aslef": "transport",
    "TSSA": "transport",
    "BALPA": "transport",
    "NEU": "education",
    "NASUWT": "education",
    "NAHT": "education",
    "EIS": "education",
    "UCU": "education",
    "SSTA": "education",
    "PCS": "councils",
    "CWU": "councils",
    "FBU": "councils",
    "POA": "councils",
    "Napo": "councils",
}

EMPLOYER_RE = re.compile(
    r"\b(?:(?:[A-Z][A-Za-z'&]+|and|of|the|for|NHS)\s+){0,7}?"
    r"(?:(?:[A-Z][A-Za-z'&]+)\s+)"
    r"(?:Ambulance Service(?:s)?(?: NHS)?(?: Foundation)?(?: Trust)?|NHS (?:Foundation )?Trust"
    r"|(?:University )?Health Board|Hospitals?(?: NHS)?(?: Foundation)? Trust|Foundation Trust"
    r"|Council|Railways?|Trains|Rail)\b"
)
EMPLOYER_NAMES_RE = re.compile(
    r"\b(?:NHS England|NHS Scotland|NHS Wales|NHS Blood and Transplant|NHS Professionals"
    r"|Network Rail|London Underground|Transport for London|TfL|Royal Mail|National Highways"
    r"|SECAmb|SCAS|WMAS|NWAS|EEAST|YAS|NEAS|SWASFT|EMAS|WAST|NIAS"
    r"|London Ambulance Service|Scottish Ambulance Service"
    r"|Welsh Ambulance Service(?:s)?(?: NHS Trust)?"
    r"|Avanti West Coast|LNER|Northern\s+(?:Rail|Trains)|TransPennine Express|Southeastern"
    r"|Southern\s+(?:Rail|Railway)|Thameslink"
    r"|Great Western Railway|GWR|CrossCountry|Chiltern Railways|c2c|Greater Anglia"
    r"|West Midlands Trains|ScotRail|Transport for Wales)\b"
)

# Areas written in text; codes come from the gazetteer when there is one.
AREA_NAMES_RE = re.compile(
    r"\b(?:England|Wales|Scotland|Northern Ireland|London|Greater London|the South East"
    r"|South East(?: England)?|south-east England|the South West|South West|south-west England"
    r"|the North West|North West|north-west England|the North East|North East|north-east England"
    r"|North East and Cumbria|East of England|the East Midlands|East Midlands|the West Midlands"
    r"|West Midlands|Yorkshire(?: and the Humber)?|the Midlands|Kent|Sussex|Surrey|Hampshire"
    r"|Cornwall|Devon|Essex|Norfolk|Suffolk|Cumbria|Merseyside|Greater Manchester|Lancashire"
    r"|Birmingham|Manchester|Liverpool|Leeds|Bristol|Cardiff|Glasgow|Edinburgh|Belfast"
    r"|Portsmouth|Southampton|Brighton|Nottingham|Sheffield|Newcastle)\b"
)

# Labour senses of strike words.
STRIKE_WORD_RE = re.compile(
    r"\b(?:strik(?:e|es|ing)|struck|walk-?outs?|walk(?:ed|ing|s)?\s+out|stoppages?"
    r"|industrial\s+action|picket(?:s|ing|\s+lines?)?|action\s+short\s+of\s+(?:a\s+)?strike)\b",
    re.I,
)
# Walkout verbs, with working people as their subject (a factory that "will stop work" is not
# on strike). Kept apart from STRIKE_WORD_RE, which runs on every sentence: this one runs only
# where "stop", "tools" or "labour" appears.
WALKOUT_VERB_STEMS: tuple[str, ...] = ("stop", "tools", "labour")
WALKOUT_VERB_RE = re.compile(
    r"\b(?:members|workers|staff|employees|colleagues|crews|handlers|drivers|nurses|doctors"
    r"|midwives|paramedics|teachers|lecturers|porters|cleaners|guards|conductors|officers"
    r"|collectors|technicians|scientists|physiotherapists|radiographers|we|they)\b[^.;]{0,80}?"
    r"\b(?:stop(?:s|ped|ping)?\s+work|down(?:s|ed|ing)?\s+tools"
    r"|withdr[ae]w(?:s|n|ing)?\s+(?:their\s+|its\s+|our\s+)?labour)\b",
    re.I,
)
# Phrases where those words are not about industrial action.
DISTRACTOR_RE = re.compile(
    r"\b(?:hunger[\s-]strik\w*|lightning[\s-]strik\w*|lightning\s+(?:has\s+)?struck"
    r"|(?:air|drone|missile|military|precision|retaliatory|naval|nuclear|pre-?emptive|first|"
    r"rocket|israeli|russian|us|american|british|uk)[\s-]strikes?"
    r"|strik(?:e|es|ing)\s+(?:on|against|at)\s+(?:targets?|houthi|iran|iraq|syria|gaza|yemen"
    r"|positions|bases|militants?)"
    r"|strik\w*\s+(?:a|an|the|its|their|his|her|our)\s+(?:\w+\s+)?(?:deal|balance|chord|note|blow"
    r"|pose|match|agreement|bargain|tone|figure|partnership|accord|contract|compromise)"
    r"|strikes?\s+deal|struck\s+(?:a|an|the)\s+(?:\w+\s+)?(?:deal|agreement|balance)"
    r"|struck\s+off|strikers?\b|strike\s+rate|strike\s+force|three\s+strikes|strike\s+out"
    r"|strike\s+prices?|strike\s+zone|strike\s+partner\w*|(?:clock|bell)s?\s+strik\w*"
    r"|strike\s+(?:a|the)\s+ball|perfect\s+game|bowl(?:er|ing)|strike\s+gold|strikes?\s+back"
    r"|right\s+to\s+strike|anti-strike|strikes?\s+(?:\(minimum\s+service\s+levels\)\s+)?"
    r"(?:law|laws|legislation|bill|act)\b|minimum\s+service\s+levels?"
    r"|lucky\s+strike|cormoran\s+strike|(?-i:^Strike:\s+The\s+[A-Z]\w*)|(?:drama|series|novel"
    r"|adaptation|detective)\s+strike|struck\s+by|strikingly|striking\s+(?:image|"
    r"resemblance|feature|design|photo|view|contrast|example|similarit\w*))",
    re.I,
)
NON_LABOUR_WALKOUT_RE = re.compile(
    r"\b(?:councillors|MPs|MSPs|delegates|opposition|members\s+of\s+the\s+assembly|peers"
    r"|politicians|students|pupils|audience|fans|players|team)\b[^.]{0,60}\bwalk(?:ed|out|s)?\b",
    re.I,
)

FOREIGN_RE = re.compile(
    r"\b(?:France|French|Paris|Germany|German|Berlin|Spain|Spanish|Italy|Italian|Portugal"
    r"|Belgium|Belgian|Netherlands|Dutch|Greece|Greek|Sweden|Norway|Finland|Denmark|Poland"
    r"|United States|US|U\.S\.|America|American|Hollywood|California|New York|Canada|Canadian"
    r"|Australia|Australian|New Zealand|India|Indian|South Korea|Korean|Japan|Nigeria|Kenya"
    r"|South Africa|Argentina|Brazil|Chile|Mexico|Israel|Iran|Yemen|Houthi|Gaza|Ukraine"
    r"|Russia|Republic of Ireland|Irish Nurses|INMO|Dublin|Cork|Galway"
    r"|Sydney|Melbourne|Brisbane|Adelaide|Queensland|New South Wales|NSW|Fair Work Commission"
    r"|Auckland|Toronto|Montreal|Ontario|Quebec|Chicago|Los Angeles|Seattle|Madrid"
    r"|Barcelona|Lisbon|Rome|Milan|Brussels|Amsterdam|Athens|Stockholm|Oslo|Copenhagen"
    r"|Helsinki|Warsaw|Vienna|Austria|Switzerland|SNCF|Deutsche Bahn|Lufthansa"
    r"|dollars|euros|rupees|Lagos|Nairobi|Johannesburg|Manila|Seoul|Tokyo|Delhi|Mumbai"
    r"|(?<!Northern )Ireland's|(?<!Northern )Irish)\b"
)
UK_RE = re.compile(
    r"\b(?:UK|Britain|British|England|English|(?<!New South )Wales|Welsh|Scotland|Scottish"
    r"|Northern Ireland|Northern Irish"
    r"|London|NHS|Westminster|Downing Street|Whitehall|Holyrood|Senedd|Stormont|Sunak|Starmer"
    r"|Department of Health|DHSC|health secretary|Health Secretary|Treasury|Kent|Manchester"
    r"|Birmingham|Yorkshire|Midlands|Cornwall|Devon|Liverpool|Glasgow|Edinburgh|Cardiff|Belfast)\b"
)
LABOUR_CONTEXT_RE = re.compile(
    r"\b(?:union|unions|members|workers|staff|employees|pay\s+(?:dispute|offer|deal|rise|award)"
    r"|ballot\w*|mandate|picket\w*|industrial\s+action|walkouts?|nurses|doctors|paramedics"
    r"|teachers|drivers|conductors|lecturers|civil\s+servants)\b",
    re.I,
)

# Status cues. Off cues must be factual, not hoped for ("could be called off").
CANCEL_RE = re.compile(
    r"\b(?:call(?:ed|s|ing)?\s+(?:(?:the|this|that|its|their|next\s+\w+'s)\s+)?(?:\w+\s+){0,2}?off"
    r"|cancel(?:led|s|ling|ed)?|scrapped|abandon(?:ed|s)"
    r"|(?:strikes?|walkouts?|action)\s+(?:is\s+|are\s+)?(?:now\s+)?off\b(?!\s+(?:the|a)\b)"
    r"|(?:no|not\s+be\s+(?:a|any))\s+(?:strike|walkout)s?\s+(?:on|next|this|tomorrow|today)"
    r"|(?:will|would)\s+(?:now\s+)?no\s+longer\s+(?:go\s+ahead|take\s+place)"
    r"|will\s+not\s+(?:now\s+)?(?:go\s+ahead|take\s+place)|won't\s+(?:now\s+)?(?:go\s+ahead|take"
    r"\s+place)|(?:is|are)\s+(?:now\s+)?off\b|withdr[ae]w\w*\s+(?:the\s+)?(?:strike|action|notice)"
    r"|(?:will|would)\s+not\s+(?:now\s+)?(?:strike|walk\s+out|take\s+(?:industrial\s+)?action)"
    r"|won't\s+(?:now\s+)?(?:strike|walk\s+out)|(?:won't|will\s+not)\s+(?:now\s+)?happen"
    r"|shelved|(?:has|have)\s+been\s+stood\s+down)",
    re.I,
)
SUSPEND_RE = re.compile(r"\b(?:suspend(?:ed|s|ing)?|paus(?:ed|es|ing|e)|halt(?:ed|s))\b", re.I)
POSTPONE_RE = re.compile(
    r"\b(?:postpon(?:ed|es|ing|e)|put\s+(?:off|back)|pushed\s+back|deferr?(?:ed|s|ing)?"
    r"|delay(?:ed|s|ing)?)\b",
    re.I,
)
RESCHEDULE_RE = re.compile(
    r"\b(?:reschedul(?:ed|es|ing|e)|moved\s+to|move\s+to|new\s+dates?|instead|re-?arranged"
    r"|will\s+now\s+(?:take\s+place|be\s+held|go\s+ahead)|switched\s+to)\b",
    re.I,
)
GOING_AHEAD_RE = re.compile(
    r"\b(?:go(?:ing|es)?\s+ahead|under\s*way|began|started|are\s+on\s+strike|is\s+on\s+strike"
    r"|on\s+the\s+picket|on\s+picket\s+lines?|proceed\w*|continuing|still|confirmed"
    r"|walk(?:ing|ed)?\s+out\s+today|strik(?:e|ing)\s+today)\b",
    re.I,
)
HEDGE_RE = re.compile(
    r"\b(?:could|would|might|(?-i:may)|if|unless|urg\w+|call(?:s|ed|ing)?\s+(?:on|for)|refus(?:ed|es|ing|al)"
    r"|no\s+plans?\s+to|not\s+been|hasn't|haven't|have\s+not|has\s+not|ask\w*|demand\w*"
    r"|hope\w*|want\w*|(?:bid|attempt|chance|effort|offer)\s+to|to\s+(?:call|avert|avoid|stop)"
    r"|averted\s+if|enable\s+us\s+to|time\s+to|justify\w*|without|avoid\w*|consider\w*"
    r"|threat\w*|pressure\s+to|able\s+to|condition\w*|provided|precondition\w*|ready\s+to"
    r"|prepared\s+to|recommend\w*)\b",
    re.I,
)
BALLOT_RE = re.compile(
    r"\b(?:ballot(?:s|ed|ing)?|(?:vote|voted|voting|votes)\s+(?:on|for|in\s+favour\s+of|to"
    r"\s+(?:strike|take))|put\s+(?:the\s+)?(?:offer|deal)\s+to\s+(?:a\s+vote|members)"
    r"|re-?ballot\w*|consult(?:ation|ing)\s+(?:members|on\s+the\s+offer))\b",
    re.I,
)
DEAL_ACCEPTED_RE = re.compile(
    r"\b(?:(?:voted|vote|votes|agreed|decided)\s+to\s+accept|accept(?:ed|s)\s+(?:the\s+|a\s+"
    r"|an\s+)?(?:improved\s+|new\s+|latest\s+|revised\s+)?(?:pay\s+)?(?:offer|deal)|deal\s+"
    r"(?:was|has\s+been)\s+accepted|dispute\s+(?:is|was|has\s+been)\s+(?:over|settled|resolved"
    r"|ended)|(?:settled|resolved|ended)\s+the\s+(?:pay\s+)?dispute)\b",
    re.I,
)
FUTURE_ACTION_RE = re.compile(
    r"\b(?:will|set\s+to|plan(?:s|ned|ning)?\s+to|threaten(?:s|ed|ing)?\s+(?:to|further)"
    r"|are\s+due\s+to|is\s+due\s+to|due\s+to|announc\w+|going\s+to|prepar\w+\s+to|vow\w*\s+to"
    r"|are|is|begin|begins|start|starts|continue|continues|escalat\w+)\s+(?:\w+\s+){0,3}?"
    r"(?:strike|strikes|walk\s+out|walkouts?|take\s+(?:further\s+)?(?:industrial\s+)?action"
    r"|industrial\s+action|picket)\b"
    r"|\bto\s+(?:strike|walk\s+out|take\s+(?:further\s+)?(?:industrial\s+)?action"
    r"|stage\s+(?:a\s+|further\s+|more\s+)?(?:\w+\s+)?(?:strikes?|walkouts?))\b"
    r"|\b(?:strikes?|walkouts?|industrial\s+action|stoppages?)\s+(?:will|is|are)\s+(?:\w+\s+)?"
    r"(?:go\s+ahead|take\s+place|set|planned|scheduled|due|going\s+ahead|continue)"
    r"|\b(?:today|tomorrow|next\s+week|this\s+week)\b[^.]{0,60}\bstrik\w+"
    r"|\bstrik\w+[^.]{0,60}\b(?:today|tomorrow|next\s+week|this\s+week)\b"
    r"|\bon\s+strike\b(?!\s+days?)|\bnew\s+(?:strike\s+)?dates\b"
    r"|\bfurther\s+(?:strikes|action|walkouts)\b",
    re.I,
)
RETROSPECTIVE_RE = re.compile(
    r"\b(?:a\s+year\s+on|years?\s+(?:on|after|since)|looking\s+back|since\s+(?:the\s+)?"
    r"(?:strikes|industrial\s+action)\s+began|because\s+of\s+(?:the\s+)?strikes|(?:cost|costs)"
    r"\s+of\s+(?:the\s+)?strikes|what\s+did\s+(?:it|they)\s+achieve|mandate\s+(?:has\s+)?"
    r"(?:lapsed|expired|ended)|appointments\s+(?:were\s+|have\s+been\s+)?(?:rescheduled|"
    r"cancelled|postponed)\s+(?:because|due|as\s+a\s+result))",
    re.I,
)
NON_STRIKE_DATE_CUE_RE = re.compile(
    r"\b(?:talks|meeting|met|meet|negotiations|(?:ballot|vote|poll)\w*\s+(?:clos\w+|open\w+"
    r"|results?|ends?|ending)|ballot\w*[,\s]+(?:\w+\s+){0,5}?(?:runs?|open\w*|clos\w*|ends?|ended)"
    r"|results?|deadline|budget|published|election|announcement|court|hearing|review|consultation"
    r"|offer\s+(?:was\s+)?made|paid|payment|rise\s+(?:from|in)|since|service\s+(?:will\s+)?run"
    r"|trains?\s+(?:will\s+)?run|services?\s+(?:will\s+)?(?:run|operate|start|finish)"
    r"|rall(?:y|ies)|demonstrations?|vigils?|lobby(?:ing)?|march(?:es)?\s+(?:through|to|on|from))\b",
    re.I,
)

# A staff group's usual union, for sentences that name the staff but not the union.
STAFF_UNIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b(?:{p})\b", re.I), union)
    for p, union in (
        (r"(?:junior|resident|trainee) doctors?|consultants", "BMA"),
        (r"nurses|nursing staff", "RCN"),
        (r"midwives", "RCM"),
        (r"physiotherapists|physios", "CSP"),
        (r"radiographers", "SoR"),
        (r"train drivers", "Aslef"),
        (r"lecturers|university staff", "UCU"),
    )
)
REPORTING_BEFORE_RE = re.compile(
    r"\b(?:said|says|announced|announces|confirmed|revealed|told|warned|added|stated|declared"
    r"|decided|agreed|published|reported|wrote|tweeted|met|voted|confirms|explained|insisted"
    r"|issued|released|circulated|sent\s+out)"
    r"\s+(?:\w+\s+)?$"
    r"|\b(?:years?|months?|weeks?|days?)\s+ago\s*$"
    r"|\b(?:broke\s+up|collapsed|failed|ended|finished|stalled)\s+(?:\w+\s+){0,4}$"
    r"|\boff\s+$"
    r"|\b(?:day|days|morning|evening|week)\s+(?:after|following|before)\s+(?:the|each|every)\s+"
    r"(?:strike|walkout|action|stoppage)s?,?\s+(?:on\s+|,\s+)?$"
    r"|\b(?:apart\s+from|except(?:\s+for)?|other\s+than|excluding)\s+(?:on\s+)?$",
    re.I,
)
NOT_STRIKE_AFTER_RE = re.compile(
    r"^(?:'s\s+(?!strikes?\b|walkouts?\b|action\b|stoppages?\b|industrial\b)"
    r"|(?:[\s,]|and|or|the|\w+day)*\s*(?:after|before|following)\s+(?:each|every|the)\s+"
    r"(?:strike|walkout|action)"
    # "trains on the morning of 17 May may also be affected": a knock-on, not a strike day
    # ("services on 3 March will be affected" by the strike names the strike day itself)
    r"|[\s,]*(?:may|might|could|will|would|are\s+expected\s+to|is\s+expected\s+to)\s+"
    r"(?:still\s+)?(?:also|still)\s+be\s+(?:affected|disrupted|busier|busy|quieter|reduced)"
    # "on the Wednesday of the strike": a day inside the walkout already read
    r"|\s+of\s+(?:the|this|that|each|every)\s+(?:\w+[\s-])?(?:strike|walkout|action|stoppage))",
    re.I,
)
PAST_PLAN_RE = re.compile(
    r"\b(?:had\s+(?:been\s+)?(?:planned|due|scheduled|set)|originally\s+(?:planned|due"
    r"|scheduled|set|called)|(?:was|were)\s+(?:due|planned|"
    r"scheduled|set)\s+to|had\s+been\s+(?:going|expected)\s+to|would\s+have\s+(?:walked|"
    r"gone|taken|been))\b",
    re.I,
)
ENDED_BEFORE_RE = re.compile(
    r"\b(?:ended|finished|came\s+to\s+an\s+end|concluded|was\s+over|return\w*\s+to\s+work"
    r"|back\s+(?:to|at)\s+work)\b",
    re.I,
)
