"""The demo magazine's vocabulary: per-section subjects and sentence templates, people, credits.

Slots a template may use, and what each holds so that any template reads right in any section:
  topic   a definite singular noun phrase ("the pension reform"); `short` names it again ("the reform")
  head    the topic in Title Case for headlines ("Pension Reform"); `stake` what depends on it
  actor, rival   singular institutions ("the governing coalition"), so verbs agree; `actor_head` for headlines
  place   follows "in" ("the capital", "Nairobi"); `group` a plural noun ("voters")
  person, last, role   a quoted source; `quote` / `quote_comma` what they said
  num (a small number in words), pct, pct_lo < pct_hi, money, money_m, bignum, weekday, period
A slot written with a capital first letter ({Topic}) is the same text capitalised, for sentence starts.
*Asterisks* mark italics; apostrophes become typographic ones when the text is rendered.
"""

from __future__ import annotations

SECTION_SLUGS = ["politics", "finance", "foreign-affairs", "environment", "culture", "technology"]

# -- people ---------------------------------------------------------------------------------------

AUTHORS = [
    {
        "name": "Helena Marsh",
        "sections": ["politics"],
        "bio": "Helena Marsh is the magazine's parliamentary correspondent. She spent eight years covering "
        "regional government before moving to the capital, and writes about how laws are really made.",
    },
    {
        "name": "Daniel Okafor",
        "sections": ["politics", "foreign-affairs"],
        "bio": "Daniel Okafor writes about elections, party politics and migration. He was previously a "
        "reporter for a wire service in Lagos and London.",
    },
    {
        "name": "Priya Raman",
        "sections": ["finance"],
        "bio": "Priya Raman is the economics editor. Before journalism she worked as an analyst at a central "
        "bank, an experience she says taught her to distrust any forecast given to one decimal place.",
    },
    {
        "name": "Tomasz Wieczorek",
        "sections": ["finance", "technology"],
        "bio": "Tomasz Wieczorek covers markets, banking and the business of technology from Warsaw and Frankfurt.",
    },
    {
        "name": "Sofia Lindgren",
        "sections": ["environment"],
        "bio": "Sofia Lindgren is the environment correspondent. She has reported from the Arctic, the Sahel "
        "and most of the river deltas in between.",
    },
    {
        "name": "Marcus Bell",
        "sections": ["environment", "technology"],
        "bio": "Marcus Bell writes about energy, infrastructure and the engineering of the low-carbon "
        "transition. He trained as a civil engineer.",
    },
    {
        "name": "Amara Nwosu",
        "sections": ["culture"],
        "bio": "Amara Nwosu is the culture editor. She writes about books, museums and the economics of the "
        "arts, and chairs the magazine's annual essay prize.",
    },
    {
        "name": "Julien Moreau",
        "sections": ["culture", "foreign-affairs"],
        "bio": "Julien Moreau is a critic and essayist based in Lyon. He writes about film, translation and "
        "the politics of cultural heritage.",
    },
    {
        "name": "Keiko Hashimoto",
        "sections": ["technology"],
        "bio": "Keiko Hashimoto is the technology editor. She covers semiconductors, privacy and the people "
        "who build the software the rest of us rely on.",
    },
    {
        "name": "Rafael Ortega",
        "sections": ["foreign-affairs"],
        "bio": "Rafael Ortega is a foreign correspondent covering Latin America from Santiago. He has written "
        "for the magazine since its first issue.",
    },
    {
        "name": "Nadia Haddad",
        "sections": ["foreign-affairs", "politics"],
        "bio": "Nadia Haddad reports on diplomacy, conflict and humanitarian affairs. She is based in Amman "
        "and Geneva.",
    },
    {
        "name": "Owen Gallagher",
        "sections": ["finance", "politics", "environment"],
        "bio": "Owen Gallagher is a senior writer covering public spending, tax and the economics of "
        "climate policy. He is the author of two books on the history of public debt.",
    },
]

# fmt: off
FIRST_NAMES = [
    "Anna", "Samuel", "Mariam", "Jonas", "Leila", "Victor", "Ines", "Kwame", "Elena", "Tobias", "Yuki", "Fatima",
    "Lucas", "Grace", "Mateo", "Hannah", "Arjun", "Clara", "Ibrahim", "Sara", "Nikolai", "Aisha", "Peter", "Lucia",
    "Omar", "Ruth", "Felix", "Mei", "Adrian", "Zainab", "Henrik", "Rosa", "David", "Chloe", "Emeka", "Ingrid",
    "Rahul", "Beatriz", "Thomas", "Noor",
]
LAST_NAMES = [
    "Albrecht", "Mensah", "Kowalski", "Fernandes", "Nakamura", "Osei", "Petrova", "Lindqvist", "Haddad", "Carvalho",
    "Brennan", "Yilmaz", "Sorensen", "Mbeki", "Castillo", "Richter", "Adeyemi", "Novak", "Okonkwo", "Laurent",
    "Sato", "Bianchi", "Hughes", "Kaplan", "Rahman", "Varga", "Duarte", "Holm", "Mwangi", "Ferrari", "Keller",
    "Iqbal", "Moreno", "Van Dijk", "Tanaka", "Costa", "Nielsen", "Abbasi",
]

PHOTOGRAPHERS = [
    "Mara Lindqvist", "Tomás Ferreira", "Ade Oyelaran", "Hana Kovač", "Luis Echeverría", "Signe Dahl", "Kofi Asante",
    "Rina Takeda", "Paolo Greco", "Ewa Zielińska", "Jamal Idris", "Claire Dumont",
]
# fmt: on
AGENCIES = [
    "Northlight Pictures",
    "Harbour Photo Agency",
    "Meridian Images",
    "Fieldwork Collective",
    "Open Shutter",
    "The Masthead Review",
]

# -- shared sentence pools --------------------------------------------------------------------------

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight"]
PERIODS = [
    "before the summer",
    "by the end of the year",
    "within weeks",
    "early next year",
    "in the spring",
    "in the autumn",
    "later this month",
    "before the end of the quarter",
]

LEDE_TAILS = [
    "setting up a confrontation with {rival} that could last for months",
    "a move that surprised even some of its allies",
    "ending weeks of speculation about where it stood",
    "in a decision that will be felt well beyond {place}",
    "after months of closed-door talks",
    "adding a new twist to a debate that has dragged on for years",
    "and promised more details within days",
    "a decision its officials insisted was long planned",
]

CONTEXT = [
    "The announcement came after {num} weeks of negotiations that at times appeared close to collapse.",
    "Officials described the decision as a technical adjustment, but few observers saw it that way.",
    "The timing was not accidental: {rival} had been expected to set out its own position within days.",
    "For {group}, the consequences could be felt within months.",
    "It was the clearest sign yet that the ground is shifting.",
    "Few had expected a move so soon.",
    "The news was greeted with relief in some quarters and open dismay in others.",
    "Behind the scenes, the decision had been taking shape since the spring.",
]

BACKGROUND = [
    "The argument over {topic} has a long history: the idea was first floated more than {num} years ago, and "
    "it has been shelved at least twice since.",
    "At stake is {stake}.",
    "Supporters say the current arrangements were designed for a different era and have not kept pace with "
    "the way people now live and work.",
    "Previous attempts foundered on a familiar mix of cost, timing and mistrust.",
    "What has changed is the mood among {group}, who appear less willing than before to accept the status quo.",
    "Much of the groundwork was laid by an independent review whose report, published with little fanfare, "
    "has since become required reading in {place}.",
    "The details are technical, but the principle behind them is simple enough to fit on a placard.",
    "For years the issue sat near the bottom of the agenda, crowded out by more urgent crises.",
    "Those who have followed the debate closely say the real disagreement is less about goals than about "
    "who should pay.",
    "{Actor} has long argued that doing nothing carries risks of its own.",
    "Critics counter that the case for urgency has been overstated.",
    "The last serious attempt at change ended in a compromise that satisfied almost nobody. Since then, the "
    "numbers have only become harder to ignore.",
]

QUOTE_FRAMES = [
    "“{quote_comma}” said {person}, {role}.",
    "“{quote_comma}” {person}, {role}, told *{magazine}*.",
    "{person}, {role}, put it bluntly: “{quote}”",
    "“{quote_comma}” said {person}, {role}, speaking on {weekday}.",
    "“{quote_comma}” {person}, {role}, said in an interview.",
    "As {person}, {role}, put it: “{quote}”",
]

GENERIC_QUOTES = [
    "The details will matter far more than the headlines.",
    "Everyone agrees something has to change. Nobody agrees on what.",
    "We have been here before, and it did not end well.",
    "If you want to know who is winning this argument, follow the money.",
    "People are tired of being told to wait.",
    "There is no version of this that costs nothing.",
]

QUOTE_FOLLOW = [
    "{Last} said the details would matter more than the headlines.",
    "{Last} declined to predict the outcome, but said the mood had changed in recent weeks.",
    "Asked whether a compromise was possible, {last} paused before answering: “Everything is possible. "
    "Not everything is likely.”",
    "{Last} has followed the debate for more than a decade and has seen earlier efforts stall.",
    "Others in {place} share that view, although few are willing to say so publicly.",
    "{Last} acknowledged that the argument had not yet been won.",
    "It is a view that has gained ground among {group}.",
    "{Last} pointed to {num} earlier attempts that had ended in disappointment.",
    "Not everyone who works alongside {last} is so sure.",
]

COUNTER = [
    "Not everyone is convinced. {Rival} has been among the most vocal critics.",
    "In a statement, {rival} said {short} had been rushed and its costs underestimated.",
    "Opponents argue that {short} solves the wrong problem.",
    "Some warn that the burden will fall hardest on those {group} who can least afford it.",
    "Others question whether the numbers add up.",
    "There are also concerns about how quickly the changes could be put into practice.",
    "Even some supporters concede that the timetable is ambitious.",
    "{Rival} has promised to fight {short} at every stage.",
    "Critics point to similar efforts elsewhere that produced modest results at considerable cost.",
]

OUTLOOK = [
    "What happens next depends largely on {rival}.",
    "A final decision is expected {period}.",
    "Until then, both sides are likely to keep their options open.",
    "Whatever the outcome, few expect the debate over {topic} to end quietly.",
    "For {group}, the wait goes on.",
    "The next test will come {period}, when the details are published in full.",
    "If the past is any guide, the final version will look rather different from the first draft.",
    "Either way, the decision will shape {stake} for years to come.",
    "People on both sides say they are ready for a long fight.",
]

HEADINGS = [
    "A narrow window",
    "The money question",
    "Old arguments, new players",
    "What the numbers say",
    "The view from {place}",
    "Who pays",
    "A test of trust",
    "The long game",
    "Unfinished business",
    "What comes next",
    "Lessons from last time",
    "The sticking points",
]

HEADLINES = [
    "Inside the Fight Over {head}",
    "{Actor_head} Signals Retreat on {head}",
    "Why {head} Keeps Coming Back",
    "{Actor_head} and {Rival_head} Clash Over {head}",
    "The Hidden Cost of {head}",
    "What {head} Means for {Group_head}",
    "{Rival_head} Vows to Fight {head}",
    "How {head} Became a Test of Trust",
    "The Numbers Behind {head}",
    "{Head} Wins Over Sceptics, Slowly",
    "{Actor_head} Doubles Down on {head}",
]

STANDFIRSTS = [
    "As {actor} presses ahead with {topic}, {rival} warns that the costs have been badly underestimated.",
    "{Topic} was supposed to be settled by now. Instead it has exposed deep divisions, and the hardest "
    "decisions are still to come.",
    "Behind the headlines about {topic}, a quieter argument is under way about who pays, who benefits and who decides.",
    "{Group} have been told to expect change. What that change looks like depends on a handful of "
    "decisions in {place}.",
    "For {group}, {topic} could change a great deal. For {actor}, the risk is that it changes too little.",
    "A {num}-month fight over {topic} is nearing its end. Neither side looks likely to get everything it wants.",
    "The debate over {topic} is really a debate about {stake}.",
]

ALT_TEXT = "Placeholder illustration of soft colour bands and white circles, standing in for a photograph of {scene}"

# -- sections ------------------------------------------------------------------------------------------

SECTIONS: dict[str, dict] = {
    "politics": {
        "topics": [
            ("the pension reform", "the reform", "Pension Reform", "the future of the state pension"),
            ("the new electoral map", "the map", "the Electoral Map", "the balance of power in parliament"),
            ("the housing bill", "the bill", "the Housing Bill", "the price of a home for a generation"),
            ("the proposed lobbying register", "the register", "the Lobbying Register", "public trust in politics"),
            ("the devolution plan", "the plan", "Devolution", "the power of the regions"),
            ("the hospital funding formula", "the formula", "Hospital Funding", "the future of local hospitals"),
            ("the asylum bill", "the bill", "the Asylum Bill", "the country's reputation as a place of refuge"),
            ("the proposal to lower the voting age", "the proposal", "the Voting Age", "the shape of the electorate"),
            (
                "the police accountability bill",
                "the bill",
                "Police Accountability",
                "the relationship between police and public",
            ),
            ("the reform of party financing", "the reform", "Party Funding", "the cost of running for office"),
            ("the school funding review", "the review", "School Funding", "the budgets of thousands of schools"),
            (
                "the anti-corruption commission",
                "the commission",
                "the Anti-Corruption Commission",
                "the credibility of public office",
            ),
            (
                "the referendum on the second chamber",
                "the referendum",
                "the Senate Referendum",
                "the shape of the constitution",
            ),
        ],
        "actors": [
            ("the governing coalition", "Coalition"),
            ("the opposition", "Opposition"),
            ("the prime minister's office", "Prime Minister"),
            ("the senate", "Senate"),
            ("the finance committee", "Finance Committee"),
            ("the interior ministry", "Interior Ministry"),
            ("the constitutional court", "Constitutional Court"),
            ("the association of regional governors", "Governors' Association"),
            ("the trade union federation", "Union Federation"),
            ("the liberal caucus", "Liberal Caucus"),
        ],
        "places": [
            ("the capital", "the Capital"),
            ("the northern provinces", "the North"),
            ("the coastal towns", "the Coast"),
            ("the industrial east", "the East"),
            ("the river valley constituencies", "the Valley"),
            ("the border regions", "the Border Region"),
        ],
        "groups": [
            ("voters", "Voters"),
            ("first-time buyers", "First-Time Buyers"),
            ("pensioners", "Pensioners"),
            ("local councils", "Local Councils"),
            ("young voters", "Young Voters"),
            ("public-sector workers", "Public Servants"),
        ],
        "roles": [
            "a senior adviser to the prime minister",
            "a veteran opposition strategist",
            "a professor of constitutional law",
            "a pollster who has worked for both main parties",
            "the chair of the finance committee",
            "a backbench member from the north",
            "a former cabinet minister",
            "a campaigner for electoral reform",
            "the mayor of a mid-sized port town",
            "a political historian",
        ],
        "quotes": [
            "Nobody in this building thinks {short} will survive in its current form.",
            "We were elected to make hard decisions, and this is one of them.",
            "Voters can tell the difference between a plan and a press release.",
            "If the numbers do not add up, no amount of speeches will save it.",
            "This is not about left or right. It is about whether the system still works for people outside "
            "the capital.",
            "We will read the small print before we vote for anything.",
            "Every government says it will be different. Very few are.",
            "The whips can count. That is why the vote keeps being postponed.",
            "You cannot run a country from a television studio.",
        ],
        "lede_verbs": [
            "set out its position on",
            "threw its weight behind",
            "postponed a decision on",
            "announced a review of",
            "signalled a change of course on",
            "raised fresh objections to",
            "gave its first public backing to",
        ],
        "data": [
            "A poll published last month found that {pct} per cent of voters supported {short}, down from "
            "{pct_hi} per cent a year earlier.",
            "Turnout in {place} fell to {pct} per cent at the last election, its lowest level in a generation.",
            "The government's own estimate puts the cost at {money} over five years.",
            "Support is sharply divided by age: voters under 35 favour {short} by a margin of almost two to one.",
            "Of the {bignum} responses to the public consultation, more than half opposed the proposal in its "
            "original form.",
            "Party membership has fallen by {pct_lo} per cent since the last election.",
            "Figures from the electoral commission show that {pct} per cent of registered voters in {place} "
            "did not vote at the last election.",
            "The governing coalition's majority in the lower house is just {num} seats.",
        ],
        "detail": [
            "Under the proposal, changes would be phased in over {num} years, with a review at the halfway point.",
            "The draft runs to more than {hundreds} pages, many of them devoted to transitional arrangements.",
            "Committee hearings are scheduled to begin {period}.",
            "Ministers have promised that no region will be worse off, a pledge that opposition members have "
            "described as impossible to keep.",
            "Amendments tabled by backbench members would soften several of the most contested provisions.",
            "Party whips have spent the past week counting votes.",
            "Several members have said privately that they will abstain rather than vote against.",
            "Local councils in {place} have asked for more time to prepare.",
            "The senate, where the coalition lacks a majority, is expected to demand changes.",
            "Constitutional lawyers are divided on whether {short} would survive a challenge in the courts.",
        ],
        "headings": ["Counting the votes", "The view from the backbenches", "A constitutional question"],
        "headlines": [
            "{Actor_head} Stakes Its Future on {head}",
            "A Quiet Revolt Over {head}",
            "After Months of Delay, {head} Heads to a Vote",
            "{Place_head} Braces for {head}",
        ],
        "standfirsts": [
            "The vote on {topic} will be close. The arguments about it will last much longer.",
        ],
        "captions": [
            (
                "Members leave the chamber after a late sitting.",
                "members of parliament leaving a debating chamber at night",
            ),
            (
                "Campaigners gather outside the ministry before the vote.",
                "campaigners holding banners outside a government building",
            ),
            ("A committee hearing on {topic}.", "a parliamentary committee hearing in session"),
            ("Ballot boxes are prepared for counting in {place}.", "ballot boxes stacked on trestle tables"),
            ("Canvassers on a doorstep in {place}.", "two canvassers talking to a resident at a front door"),
        ],
        "themes": ["Who Governs", "The State of the Parties", "The Election Special", "Power and Its Limits"],
    },
    "finance": {
        "topics": [
            (
                "the plan to cut interest rates",
                "the plan",
                "the Rate Cut",
                "the cost of borrowing for millions of households",
            ),
            ("the new bond issuance plan", "the plan", "the Bond Plan", "the government's ability to borrow"),
            ("the proposed bank merger", "the merger", "the Bank Merger", "competition in high-street banking"),
            (
                "the push to steer pension savings into private credit",
                "the push",
                "Private Credit",
                "the retirement savings of ordinary workers",
            ),
            (
                "the new capital regime for banks",
                "the regime",
                "Bank Capital",
                "the stability of the banking system",
            ),
            (
                "the mortgage relief scheme",
                "the scheme",
                "Mortgage Relief",
                "the finances of a generation of homeowners",
            ),
            ("the tax on share buybacks", "the tax", "the Buyback Tax", "how companies reward their shareholders"),
            ("the rescue plan for a regional lender", "the rescue", "the Bank Rescue", "confidence in smaller banks"),
            (
                "the reform of the stock market listing rules",
                "the reform",
                "Listing Reform",
                "the appetite for new shares",
            ),
            ("the review of the inflation target", "the review", "the Inflation Target", "the real value of wages"),
            (
                "the overhaul of the corporate tax code",
                "the overhaul",
                "Corporate Tax",
                "the competitiveness of the economy",
            ),
            ("the digital currency pilot", "the pilot", "the Digital Currency", "the future of cash"),
            ("the minimum wage increase", "the increase", "the Minimum Wage", "the pay of the lowest-paid workers"),
        ],
        "actors": [
            ("the central bank", "Central Bank"),
            ("the treasury", "Treasury"),
            ("the markets regulator", "Regulator"),
            ("the banking association", "Banking Lobby"),
            ("the finance ministry", "Finance Ministry"),
            ("the pension industry", "Pension Industry"),
            ("the employers' federation", "Employers' Federation"),
            ("the budget office", "Budget Office"),
            ("the chamber of commerce", "Chamber of Commerce"),
        ],
        "places": [
            ("the financial district", "the City"),
            ("Frankfurt", "Frankfurt"),
            ("the capital", "the Capital"),
            ("Singapore", "Singapore"),
            ("New York", "New York"),
            ("the regional banking centres", "the Regions"),
        ],
        "groups": [
            ("savers", "Savers"),
            ("mortgage holders", "Borrowers"),
            ("small businesses", "Small Business"),
            ("pension savers", "Pension Savers"),
            ("investors", "Investors"),
            ("renters", "Renters"),
        ],
        "roles": [
            "chief economist at a large asset manager",
            "a former deputy governor of the central bank",
            "a bond trader in the financial district",
            "a professor of finance",
            "a fund manager who specialises in bank shares",
            "chief executive of a small-business lenders' association",
            "a tax partner at an accounting firm",
            "an analyst at a credit-rating agency",
            "a consumer-finance campaigner",
        ],
        "quotes": [
            "Markets can forgive bad news. What they cannot forgive is surprise.",
            "The easy part is announcing it. The hard part is the second year.",
            "Nobody rings a bell at the top of the market.",
            "Households have already made their adjustments. The question is whether companies have.",
            "Inflation is a tax that nobody votes for.",
            "If this were a good idea, someone would have done it already. Maybe someone should have.",
            "Confidence is the only asset a bank cannot put on its balance sheet.",
            "There is a lot of money waiting on the sidelines for a clear signal.",
        ],
        "lede_verbs": [
            "surprised investors with its verdict on",
            "signalled a tougher line on",
            "published its first detailed estimate of",
            "raised new doubts about",
            "gave its backing to",
            "ordered a review of",
        ],
        "data": [
            "Borrowing costs on ten-year government bonds have risen by {pct_lo} basis points since the spring.",
            "Average mortgage rates now stand at {rate} per cent, more than double their level three years ago.",
            "The budget office puts the cost of {short} at {money} over five years.",
            "Shares in the country's largest lenders fell by {pct_lo} per cent in the week after the announcement.",
            "Core inflation was {rate} per cent last month, well above the central bank's target.",
            "About {pct} per cent of small businesses surveyed by the chamber of commerce said credit had become "
            "harder to obtain.",
            "Household debt has risen to {pct_hi} per cent of national income.",
            "House prices in {place} have fallen by {pct_lo} per cent from their peak.",
        ],
        "detail": [
            "Minutes published on {weekday} showed that the decision had been far from unanimous.",
            "Traders had priced in a smaller move, and the currency strengthened within minutes.",
            "Regulators have given the banks until {period} to submit their plans.",
            "Smaller firms would be given more time to adapt, according to officials.",
            "Analysts expect the first effects to show up in lending data {period}.",
            "The treasury has not ruled out further measures if conditions deteriorate.",
            "Smaller lenders say {short} was designed with the largest banks in mind.",
            "The announcement was made after markets closed, to limit the immediate reaction.",
            "Ratings agencies have so far kept their outlook unchanged.",
            "Economists are split on whether the measure will cool prices or simply delay the adjustment.",
        ],
        "headings": ["The market's verdict", "Follow the money", "What it means for households"],
        "headlines": [
            "Markets Take Fright at {head}",
            "{Actor_head} Bets on {head}",
            "Who Gains From {head}?",
            "{Head}: The Bill Comes Due",
        ],
        "standfirsts": [
            "Markets have made up their minds about {topic}. Households are still waiting to find out what it "
            "will cost them.",
        ],
        "captions": [
            ("Traders on the floor of an exchange in {place}.", "traders watching screens on an exchange floor"),
            ("The central bank's headquarters.", "the columned front of a central bank building"),
            ("A branch of a regional lender.", "the front of a small bank branch on a high street"),
            ("New homes for sale on the edge of {place}.", "a row of newly built houses with sale signs"),
            ("Shoppers at a weekly market.", "shoppers at market stalls"),
        ],
        "themes": ["Money After Inflation", "The Price of Credit", "What Growth Is For", "The Debt Issue"],
    },
    "foreign-affairs": {
        "topics": [
            (
                "the settlement of the northern border dispute",
                "the settlement",
                "the Border Settlement",
                "peace along a contested frontier",
            ),
            ("the proposed free-trade agreement", "the agreement", "the Trade Pact", "the region's trading future"),
            (
                "the maritime boundary agreement",
                "the agreement",
                "the Maritime Boundary",
                "access to rich fishing grounds and gas fields",
            ),
            ("the water-sharing treaty", "the treaty", "the Water Treaty", "the water supply of millions of farmers"),
            (
                "the proposed peacekeeping mission",
                "the mission",
                "the Peacekeeping Mission",
                "the safety of civilians in the conflict zone",
            ),
            (
                "the new sanctions package",
                "the package",
                "the Sanctions Package",
                "the credibility of economic pressure",
            ),
            (
                "the new extradition treaty",
                "the treaty",
                "the Extradition Treaty",
                "relations between the two governments",
            ),
            ("the plan to reopen the embassy", "the plan", "the Embassy Plan", "a fragile diplomatic thaw"),
            ("the debt restructuring deal", "the deal", "Debt Relief", "the economic recovery of a struggling state"),
            ("the ceasefire proposal", "the proposal", "the Ceasefire", "the lives of those caught in the fighting"),
            (
                "the refugee resettlement plan",
                "the plan",
                "Refugee Resettlement",
                "the future of hundreds of thousands of displaced people",
            ),
            ("the gas pipeline project", "the project", "the Pipeline", "the region's energy security"),
            (
                "the draft summit declaration",
                "the declaration",
                "the Summit Declaration",
                "the balance of power in the region",
            ),
        ],
        "actors": [
            ("the foreign ministry", "Foreign Ministry"),
            ("the regional bloc", "Regional Bloc"),
            ("the mediation team", "Mediation Team"),
            ("the neighbouring government", "Neighbouring Government"),
            ("the presidential palace", "Presidency"),
            ("the defence ministry", "Defence Ministry"),
            ("the donor group", "Donor Group"),
            ("the border commission", "Border Commission"),
            ("the opposition in exile", "Exiled Opposition"),
        ],
        "places": [
            ("Nairobi", "Nairobi"),
            ("Jakarta", "Jakarta"),
            ("Ankara", "Ankara"),
            ("Brasília", "Brasília"),
            ("Warsaw", "Warsaw"),
            ("Hanoi", "Hanoi"),
            ("Santiago", "Santiago"),
            ("Rabat", "Rabat"),
            ("Geneva", "Geneva"),
            ("Addis Ababa", "Addis Ababa"),
            ("Doha", "Doha"),
            ("Manila", "Manila"),
        ],
        "groups": [
            ("border communities", "Border Towns"),
            ("exporters", "Exporters"),
            ("refugees", "Refugees"),
            ("aid agencies", "Aid Agencies"),
            ("migrant workers", "Migrant Workers"),
            ("fishing communities", "Fishermen"),
        ],
        "roles": [
            "a former ambassador to the United Nations",
            "a senior fellow at a Geneva think tank",
            "a diplomat familiar with the talks",
            "a professor of international relations",
            "an aid worker who has spent a decade in the region",
            "a spokesperson for the foreign ministry",
            "a regional security analyst",
            "a trade negotiator who took part in earlier rounds",
            "a retired general",
        ],
        "quotes": [
            "Nobody wants to be the first to blink.",
            "There is a deal to be done, but not at any price.",
            "We have heard these promises before. This time we want to see them in writing.",
            "Diplomacy is slow until suddenly it is not.",
            "The people at the border cannot wait for another round of talks.",
            "Every capital in the region is watching how this ends.",
            "If {short} fails, the alternatives are all worse.",
            "We are closer than we were a month ago, and further than the communiqué suggests.",
            "You do not make peace with your friends.",
        ],
        "lede_verbs": [
            "rejected the latest draft of",
            "cautiously welcomed",
            "called for new talks on",
            "set conditions for its support of",
            "raised fresh doubts about",
            "offered to mediate over",
        ],
        "data": [
            "Trade between the two countries was worth {money} last year, according to official figures.",
            "More than {bignum} people have crossed the border in the past year, according to the UN refugee agency.",
            "The region accounts for about {pct} per cent of the country's exports.",
            "Aid agencies say only {pct_lo} per cent of the humanitarian appeal has been funded.",
            "At least {num} rounds of talks have ended without agreement since the process began.",
            "The areas covered by {short} are home to some {bignum} people.",
            "Remittances from workers abroad make up about {pct_lo} per cent of the economy.",
        ],
        "detail": [
            "The talks, held behind closed doors in {place}, lasted well into the night.",
            "A joint statement issued afterwards was notably short on specifics.",
            "Diplomats said the main sticking point was the sequence of commitments rather than their substance.",
            "Observers will be allowed into the area for the first time in {num} years.",
            "The agreement would have to be ratified by both parliaments, which is far from certain.",
            "Negotiators are due to meet again {period}.",
            "The foreign minister cut short a trip abroad to return for the talks.",
            "Neither side has published the full text of its proposals.",
            "Western diplomats in {place} have urged both sides to show restraint.",
            "Local officials say the situation on the ground has changed little.",
        ],
        "headings": ["The view from the border", "Behind closed doors", "A regional balancing act"],
        "headlines": [
            "Talks in {place_head} Stall Over {head}",
            "{Head}: A Diplomatic Gamble",
            "The Region Holds Its Breath Over {head}",
            "{Actor_head} Hardens Its Line on {head}",
        ],
        "standfirsts": [
            "In {place}, diplomats talk of progress on {topic}. On the ground, little has changed.",
        ],
        "captions": [
            ("Delegates arrive for talks in {place}.", "delegates walking into a conference centre"),
            ("A border crossing, closed since the spring.", "a closed border crossing with barriers"),
            ("Foreign ministers meet before the summit.", "two officials shaking hands in front of flags"),
            ("A port on the disputed coast.", "container cranes at a port"),
            (
                "Families wait at a distribution point run by aid agencies.",
                "families queueing at an aid distribution point",
            ),
        ],
        "themes": ["The New Diplomacy", "Borders and Bargains", "A World Rearranged", "After the Summit"],
    },
    "environment": {
        "topics": [
            ("the plan to close the last coal plants", "the plan", "the Coal Phase-Out", "the future of mining towns"),
            ("the river restoration project", "the project", "River Restoration", "the health of the country's rivers"),
            ("the new emissions target", "the target", "the Emissions Target", "the country's climate commitments"),
            ("the national drought plan", "the plan", "the Drought Plan", "the water supply of farms and cities"),
            ("the offshore wind auction", "the auction", "Offshore Wind", "the price of clean electricity"),
            ("the ban on peat extraction", "the ban", "the Peat Ban", "the survival of the country's bogs"),
            ("the rewilding scheme in the uplands", "the scheme", "Rewilding", "the future of upland farming"),
            ("the heat pump subsidy", "the subsidy", "the Heat Pump Subsidy", "how millions of homes are heated"),
            ("the coastal defence budget", "the budget", "Coastal Defence", "the safety of low-lying towns"),
            ("the levy on plastic packaging", "the levy", "the Plastic Levy", "what happens to household waste"),
            ("the water rationing order", "the order", "Water Rationing", "the water supply of the south"),
            (
                "the protection order for the ancient forests",
                "the order",
                "Forest Protection",
                "some of the last old-growth woodland",
            ),
            ("the new air quality standard", "the standard", "Clean Air", "the health of city residents"),
        ],
        "actors": [
            ("the environment ministry", "Environment Ministry"),
            ("the farmers' union", "Farmers' Union"),
            ("the grid operator", "Grid Operator"),
            ("the conservation trust", "Conservation Trust"),
            ("the water regulator", "Water Regulator"),
            ("the coastal councils' association", "Coastal Councils' Body"),
            ("the energy industry", "Energy Industry"),
            ("the climate advisory committee", "Climate Committee"),
            ("the national parks authority", "Parks Authority"),
        ],
        "places": [
            ("the delta", "the Delta"),
            ("the uplands", "the Hill Country"),
            ("the northern coast", "the Coast"),
            ("the river basin", "the Basin"),
            ("the wetlands south of the city", "the Marsh"),
            ("the old mining valleys", "Mining Country"),
        ],
        "groups": [
            ("farmers", "Farmers"),
            ("coastal residents", "Coastal Towns"),
            ("homeowners", "Homeowners"),
            ("energy customers", "Bill Payers"),
            ("anglers", "Anglers"),
            ("city residents", "Cities"),
        ],
        "roles": [
            "a hydrologist at the national research institute",
            "a sheep farmer in the uplands",
            "a climate scientist",
            "director of a river conservation charity",
            "an energy analyst",
            "a former environment minister",
            "the mayor of a coastal town",
            "an ecologist who has studied the area for twenty years",
            "a spokesperson for the grid operator",
        ],
        "quotes": [
            "The river does not care about the election cycle.",
            "We are being asked to change everything, and we are being given very little time to do it.",
            "You cannot negotiate with the sea.",
            "Every year we wait, the bill gets bigger.",
            "This is the first good news I have had to report in a decade.",
            "The science has been clear for years. The politics is what has been missing.",
            "Nature recovers faster than people expect, if you let it.",
            "Farmers are not the problem here. We are part of the answer.",
        ],
        "lede_verbs": [
            "published its long-awaited plan for",
            "delayed a decision on",
            "gave its backing to",
            "raised new objections to",
            "promised new money for",
            "ordered an urgent review of",
        ],
        "data": [
            "Rainfall in {place} has been {pct_lo} per cent below average for three consecutive years.",
            "Emissions from the power sector have fallen by {pct} per cent since 2010.",
            "{Short} is expected to cost {money}, spread over a decade.",
            "Only {pct_lo} per cent of the country's rivers are in good ecological health, according to the "
            "latest assessment.",
            "Sea levels along the northern coast have risen by about {num} centimetres in a generation.",
            "Some {bignum} hectares of land would be affected by {short}.",
            "Wind and solar power supplied {pct} per cent of the country's electricity last year.",
            "Fish numbers in {place} have fallen by {pct_hi} per cent since the 1990s.",
        ],
        "detail": [
            "Under the plan, the first work would begin {period}.",
            "Engineers have surveyed {num} possible sites.",
            "Farmers would be compensated for land taken out of production.",
            "A smaller version has been tried in {place}, with encouraging results.",
            "Local residents were consulted for {num} months before the plan was published.",
            "Some of the money will come from a levy on water bills.",
            "Environmental groups want {short} to go further and faster.",
            "Monitoring stations will publish their readings online every day.",
            "Officials say the full benefits will take a decade to be felt.",
            "Planning permission for the first phase was granted on {weekday}.",
        ],
        "headings": ["On the ground", "The science", "Counting the cost"],
        "headlines": [
            "{Place_head} Waits for {head}",
            "The Fight for {place_head}",
            "{Head} and the Price of Delay",
            "Can {head} Deliver?",
        ],
        "standfirsts": [
            "In {place}, {topic} is not an abstraction. It decides what people grow, where they live and what "
            "they pay.",
        ],
        "captions": [
            ("Low water in the river basin after a dry summer.", "a river bed with exposed stones and low water"),
            ("Wind turbines off the northern coast.", "a line of wind turbines at sea"),
            ("Sheep grazing in the uplands.", "sheep on a hillside"),
            ("Sea defences under repair in {place}.", "workers repairing a concrete sea wall"),
            ("Volunteers plant trees along the river.", "volunteers planting saplings on a riverbank"),
        ],
        "themes": ["The Water Issue", "Heat", "Land and Sea", "The Energy Transition"],
    },
    "culture": {
        "topics": [
            ("the new national library", "the library", "the National Library", "the future of public reading"),
            (
                "the museum's restitution policy",
                "the policy",
                "Restitution",
                "the fate of objects taken in colonial times",
            ),
            (
                "the new arts funding settlement",
                "the settlement",
                "Arts Funding",
                "the survival of small theatres and galleries",
            ),
            ("the plan to revive the city theatre", "the plan", "the City Theatre", "the cultural life of the city"),
            (
                "the public broadcaster's streaming deal",
                "the deal",
                "Public Broadcasting",
                "the future of public service television",
            ),
            (
                "the overhaul of the national literary prize",
                "the overhaul",
                "the Literary Prize",
                "what counts as literature",
            ),
            (
                "the film festival's new programming strategy",
                "the strategy",
                "the Film Festival",
                "the festival's reputation",
            ),
            ("the fund for translated fiction", "the fund", "Translated Fiction", "what readers choose to read"),
            (
                "the rescue fund for independent bookshops",
                "the fund",
                "the Bookshop Fund",
                "the character of the high street",
            ),
            ("the restoration of the cathedral frescoes", "the restoration", "the Frescoes", "a national treasure"),
            ("the opera house's new ticket pricing", "the pricing", "Opera Pricing", "who gets to see opera"),
            (
                "the proposed code on streaming royalties",
                "the code",
                "the Royalties Code",
                "the incomes of working musicians",
            ),
            (
                "the plan for a museum of migration",
                "the plan",
                "the Migration Museum",
                "how the country tells its own story",
            ),
        ],
        "actors": [
            ("the culture ministry", "Culture Ministry"),
            ("the national museum", "National Museum"),
            ("the arts council", "Arts Council"),
            ("the publishers' association", "Publishers' Association"),
            ("the festival board", "Festival Board"),
            ("the public broadcaster", "Broadcaster"),
            ("the musicians' union", "Musicians' Union"),
            ("the city council", "City Council"),
        ],
        "places": [
            ("the capital", "the Capital"),
            ("Lyon", "Lyon"),
            ("the old town", "the Old Town"),
            ("Edinburgh", "Edinburgh"),
            ("Lagos", "Lagos"),
            ("Marseille", "Marseille"),
        ],
        "groups": [
            ("readers", "Readers"),
            ("audiences", "Audiences"),
            ("museum visitors", "Visitors"),
            ("working musicians", "Musicians"),
            ("young artists", "Young Artists"),
            ("booksellers", "Booksellers"),
        ],
        "roles": [
            "a novelist and former prize judge",
            "the director of a small theatre company",
            "a curator at the national museum",
            "an independent bookseller",
            "a film critic",
            "a historian of art",
            "a composer",
            "a literary translator",
            "a former director of the arts council",
        ],
        "quotes": [
            "Culture is not a luxury. It is how a country talks to itself.",
            "You can close a theatre in a week. It takes a generation to build one.",
            "Readers are braver than publishers give them credit for.",
            "The objects belong to the stories they came from.",
            "Nobody goes into this for the money, which is just as well.",
            "A good festival should make people argue.",
            "The audience is there. The question is whether we are willing to meet it halfway.",
            "Translation is the closest thing we have to travelling without leaving home.",
        ],
        "lede_verbs": [
            "unveiled its plans for",
            "defended",
            "announced a review of",
            "came under fire over",
            "gave its blessing to",
            "postponed its decision on",
        ],
        "data": [
            "Visitor numbers at the national museum rose by {pct_lo} per cent last year.",
            "Public funding for the arts has fallen by {pct_lo} per cent in real terms over a decade.",
            "Translated fiction now accounts for {pct_lo} per cent of novels sold, double the share of ten years ago.",
            "The country has lost about {hundreds} bookshops since the turn of the century.",
            "{Short} is expected to cost {money_m}.",
            "Audiences for live performance in {place} have yet to return to their pre-pandemic levels.",
            "Ticket prices at the largest venues have risen by {pct} per cent in five years.",
        ],
        "detail": [
            "The first changes are due to take effect {period}.",
            "A public exhibition explaining {short} will open {period}.",
            "The first public meeting on {short}, held in a converted warehouse on {weekday}, drew a standing-room "
            "crowd.",
            "Applications will open {period}, with decisions due within {num} months.",
            "Free entry for visitors under 25 is part of the package.",
            "{Actor} has published the full text online.",
            "Several small companies say they will not survive another year without support.",
            "Next year's programme includes work by artists from {num} countries.",
            "The city council has promised to keep existing venues open while the details are worked out.",
            "Critics were divided, but the first performances sold out within hours.",
        ],
        "headings": ["Behind the curtain", "The audience question", "A matter of heritage"],
        "headlines": [
            "The Quiet Triumph of {head}",
            "{Head} and the Battle for Audiences",
            "Is {head} Worth Saving?",
            "{Place_head}'s Love Affair With {head}",
        ],
        "standfirsts": [
            "The row over {topic} is about money, but not only about money. It is about who culture is for.",
        ],
        "captions": [
            ("The reading room of the new library.", "a long reading room with rows of desks and shelves"),
            ("Rehearsals in {place}.", "actors rehearsing on a bare stage"),
            ("Visitors in the museum's main gallery.", "visitors looking at objects in glass cases"),
            ("An independent bookshop in {place}.", "the window of a small bookshop"),
            ("An audience takes its seats before a performance.", "an audience taking its seats in a theatre"),
        ],
        "themes": ["What We Read Now", "The Museum Question", "Culture Wars, Revisited", "The Books Issue"],
    },
    "technology": {
        "topics": [
            (
                "the new chip factory",
                "the factory",
                "the Chip Factory",
                "the country's place in the semiconductor supply chain",
            ),
            ("the data protection law", "the law", "Data Protection", "the privacy of millions of internet users"),
            (
                "the ban on facial recognition in public spaces",
                "the ban",
                "Facial Recognition",
                "the limits of surveillance",
            ),
            (
                "the national broadband rollout",
                "the rollout",
                "Broadband",
                "the digital divide between town and country",
            ),
            (
                "the new rulebook for artificial intelligence",
                "the rulebook",
                "the AI Rulebook",
                "how software makes decisions about people",
            ),
            ("the satellite internet contract", "the contract", "Satellite Internet", "connectivity in remote areas"),
            ("the battery recycling plant", "the plant", "Battery Recycling", "the supply of critical minerals"),
            ("the open-source procurement policy", "the policy", "Open Source", "how governments buy software"),
            ("the quantum computing programme", "the programme", "Quantum Computing", "the future of encryption"),
            ("the right-to-repair law", "the law", "Right to Repair", "how long our devices last"),
            (
                "the resilience standard for the payments network",
                "the standard",
                "Payments Resilience",
                "the reliability of digital payments",
            ),
            ("the digital identity scheme", "the scheme", "Digital ID", "how citizens prove who they are online"),
            (
                "the competition case against the app stores",
                "the case",
                "the App Store Case",
                "the economics of the smartphone",
            ),
        ],
        "actors": [
            ("the digital ministry", "Digital Ministry"),
            ("the data protection authority", "Privacy Watchdog"),
            ("the competition authority", "Competition Authority"),
            ("the telecoms regulator", "Telecoms Regulator"),
            ("the tech industry association", "Tech Industry"),
            ("the privacy lobby", "Privacy Lobby"),
            ("the national cyber security centre", "Cyber Security Centre"),
            ("the research council", "Research Council"),
        ],
        "places": [
            ("the capital", "the Capital"),
            ("Eindhoven", "Eindhoven"),
            ("Bangalore", "Bangalore"),
            ("Taipei", "Taipei"),
            ("Tallinn", "Tallinn"),
            ("the science park outside the city", "the Science Park"),
        ],
        "groups": [
            ("internet users", "Users"),
            ("software developers", "Developers"),
            ("start-up founders", "Start-Ups"),
            ("rural households", "Rural Households"),
            ("smartphone owners", "Smartphone Owners"),
            ("engineers", "Engineers"),
        ],
        "roles": [
            "a computer scientist at the national university",
            "founder of a software start-up",
            "a digital rights campaigner",
            "a former chief technology officer of the government",
            "a semiconductor industry analyst",
            "a security researcher",
            "a lawyer specialising in data protection",
            "an engineer who worked on the original network",
        ],
        "quotes": [
            "Software is policy now, whether we like it or not.",
            "The technology is the easy part. Trust is the hard part.",
            "Every system works perfectly in the demonstration.",
            "We are building the plane while flying it, and the passengers have noticed.",
            "If you are not paying for the product, you should read the terms.",
            "Regulation always arrives late. The question is whether it arrives at all.",
            "Nobody outside the industry understands how fragile this all is.",
            "The chips are the new oil, except you cannot dig them out of the ground.",
        ],
        "lede_verbs": [
            "unveiled its plans for",
            "opened an investigation into",
            "signalled new limits on",
            "gave its approval to",
            "raised security concerns about",
            "published draft guidance on",
        ],
        "data": [
            "About {pct} per cent of rural households still lack a reliable broadband connection.",
            "{Short} will cost an estimated {money}, much of it public money.",
            "Complaints to the data protection authority rose by {pct_lo} per cent last year.",
            "Cyber attacks reported to the authorities rose by {pct_lo} per cent last year.",
            "Only {pct_lo} per cent of electronic waste is currently recycled.",
            "The sector employs about {bignum} people, according to industry figures.",
            "Smartphones are replaced on average every three years.",
        ],
        "detail": [
            "The first phase is scheduled to start {period}.",
            "Engineers involved say the hardest problems are organisational, not technical.",
            "Companies would have to explain to regulators how their systems make decisions.",
            "The contract includes penalties if deadlines are missed.",
            "Researchers in {place} have already built a working prototype.",
            "The source code will be published so that outside experts can inspect it.",
            "Companies will have {num} months to comply once the law takes effect.",
            "The authority can fine companies up to four per cent of their global turnover.",
            "Several large companies have lobbied for {short} to be delayed.",
            "Security researchers were given early access to test the system.",
        ],
        "headings": ["Under the hood", "The security question", "Who controls the code"],
        "headlines": [
            "{Head}: What Could Go Wrong",
            "{Head} Puts the {Actor_head} on the Spot",
            "The Trouble With {head}",
            "{Place_head} Bets Big on {head}",
        ],
        "standfirsts": [
            "{Topic} sounds like a technical matter. It is really a question about power, and about who holds it.",
        ],
        "captions": [
            ("A clean room at a chip factory in {place}.", "engineers in protective suits in a clean room"),
            ("Server racks in a data centre.", "rows of server racks with blinking lights"),
            ("Laying fibre-optic cable in a rural village.", "workers laying cable in a trench beside a road"),
            ("A repair café in {place}.", "volunteers repairing electronic devices at a table"),
            ("A start-up's office in {place}.", "people working at laptops in an open-plan office"),
        ],
        "themes": ["Machines We Trust", "The Repair Economy", "Who Owns the Network", "The Chip Issue"],
    },
}
