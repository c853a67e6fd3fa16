"""What a query asks for, without the request around it: "where does the lecturer talk about the
roadmap?" and "find the part about the roadmap" are searched as "the roadmap".

People type requests to a video search as they would ask a colleague. The request's own words
("find", "part", "explain", "lecturer") are no part of what they look for, yet they match speech
("you'll find that ...") and pull the text vector away from the topic. Only a request at the start
of the query (and then its closing "discussed?", "come up?") and a closing question mark are taken
off; what remains must still hold a content word, else the query is searched as typed ("where do
they talk about it").
"""

from __future__ import annotations

import re

from momentsearch.ranking.lexical import tokenize

_WHO = (r"(?:they|he|she|we|you|i|someone|anyone|somebody|anybody|it|the (?:lecturer|speaker|professor|teacher"
        r"|instructor|presenter|host|tutor|lecture|video|talk|recording|class|course|narrator|author|prof))")
_SAY = (r"(?:talk|speak|discuss|explain|mention|describe|cover|introduce|say|show|present|go(?:es)? over|get|bring up"
        r"|define|teach|deal with|address|look at|go(?:es)? into|get into|touch on|start|begin|demonstrate|walk through"
        r"|outline|argue|prove|derive|compare|list|give|answer)(?:s|es|ed|ing)?")
_ABOUT = r"(?: (?:about|on|over|into|upon|to|with|through|that))?"
_PLACE = (r"(?:part|bit|moment|section|segment|place|point|clip|time|spot|portion|passage|stretch|piece|chapter"
          r"|lecture|video|talk|recording|class|slide|week|session|lesson|module|unit|episode|seminar|tutorial)s?")
_POLITE = (r"(?:(?:please|pls|plz|hi|hey|ok|okay|so|thanks|thank you|thx)[,!]?\s+)?"
           r"(?:(?:can|could|would|will) you (?:please )?"
           r"|i(?:'d| would) like to |i (?:want|need|wish) to |help me |let me |please )?")
_AUX = r"(?:do|does|did|is|are|was|were|can|will|has|have|had|would|should)"
_LEADS = [
    # find the part about X / show me where X / take me to the moment they X / jump to the bit on X / search for X
    rf"(?:find|search(?: for)?|look(?: for| up)|locate|(?:show|give|get) (?:me|us)"
    rf"|(?:take|bring) (?:me|us) (?:back )?to|(?:jump|skip|go|fast forward|scroll)(?: back)? to|play|open"
    rf"|(?:tell|remind|teach) (?:me|us))"
    rf"(?: (?:the|a|an|any|every|all(?: the)?|that|this) {_PLACE}| where| when| in which {_PLACE})?"
    rf"(?: (?:where|when|in which|that|about|on|of|with|covering|discussing|explaining|mentioning|for))?"
    rf"(?: {_WHO} {_SAY}{_ABOUT})?",
    # where / when / at what point (in the lecture) does the lecturer talk about X
    rf"(?:where|when|at what (?:point|time|minute)|what time|at which (?:point|time)|how far in)"
    rf"(?: (?:in|of) (?:the|this|that|today's) {_PLACE})? {_AUX}(?: {_WHO})?(?: {_SAY}{_ABOUT})?",
    r"(?:where|when)['\u2019]?s",  # where's the diagram / whens the exam
    # what did the lecturer say about X / what does she say at the end
    rf"what {_AUX} {_WHO} {_SAY}{_ABOUT}",
    # which part of the lecture explains X / in which video do they cover X
    rf"(?:in )?(?:which|what) {_PLACE}(?: (?:of|in) (?:the|this|that|today's) {_PLACE})?(?: {_AUX})?(?: {_WHO})?"
    rf" {_SAY}{_ABOUT}",
    # i'm looking for the bit on X / is there a part about X / anything on X
    rf"(?:i'?m |i am )?(?:looking|searching) for(?: (?:the|a|an|any) {_PLACE})?(?: (?:about|on|where|when|of|with))?"
    rf"(?: {_WHO} {_SAY}{_ABOUT})?",
    rf"(?:is there|are there|was there|do you have|does (?:it|the \w+) have)(?: (?:a|an|any|some) {_PLACE}| anything"
    rf"| something)?(?: (?:about|on|where|when|with|that))?(?: {_WHO} {_SAY}{_ABOUT})?",
    rf"(?:do(?:es)?|did) {_WHO} (?:ever )?{_SAY}{_ABOUT}",
    # define X / what is meant by X / an example of X / how to X / steps to X / pros and cons of X
    (r"(?:define|(?:the )?(?:definition|meaning) of|what(?:'s| is| are| was) (?:meant by|the (?:definition|meaning)"
     r" of)|(?:an?|the|some|any)? ?(?:(?:real[- ]world|real[- ]life|practical|concrete|good|simple) )?examples? (?:of|for)"
     r"|(?:a )?case stud(?:y|ies) (?:of|on)|how (?:to|do (?:i|you|we)|can (?:i|you|we)|does one|would (?:i|you))"
     r"|(?:the )?steps (?:to|for)|(?:the )?pros and cons of)"),
    # the lecture on X / the part about X / the week covering X / the example about X / the slide with X
    (r"(?:the|that) (?:(?:part|bit|section|segment|chapter|lecture|video|talk|class|slide|week|session|lesson|module"
     r"|unit|episode|seminar|tutorial)s? (?:on|about|covering|that covered|that covers|which covered)"
     r"|(?:example|story|anecdote|analogy|joke|demo|demonstration)s? (?:on|about|of|with|where)|slides? with)"),
]
_LEAD = re.compile(rf"^{_POLITE}(?:{'|'.join(_LEADS)})\s+", re.IGNORECASE)
# after a request, its close: "where is X discussed?", "when does X come up"
_TAIL = re.compile(r"\s+(?:(?:is|are|was|were|gets?|being) )?(?:discussed|explained|mentioned|covered|shown"
                   r"|described|talked about|introduced|defined|presented|taught|addressed|brought up|come up"
                   r"|comes up|came up)"
                   rf"(?: (?:in|during) (?:the|this|that|today's) {_PLACE})?\s*[?.!]*$", re.IGNORECASE)
_ASKED = re.compile(r"\s*\?+$")
# a courtesy after the words: "merge sort please", "big O notation, thanks!" ("please" matched "please submit on time")
_COURTESY = re.compile(r"[\s,.!]+(?:please|pls|plz|thanks|thank you|thx|ty)[\s.!?]*$", re.IGNORECASE)
# a question around its topic: "what does big O mean?", "how does merge sort work"
_AROUND = re.compile(r"^(?:what (?:does|do|did) (?P<meant>.+) (?:mean|stand for)|how (?:does|do|did) (?P<works>.+)"
                     r" work)\s*[?.!]*$", re.IGNORECASE)


def asked_for(text: str) -> str:
    """`text` without a request around it (module doc); `text` itself when it holds none, or when
    nothing to search for would remain."""
    if (polite := _COURTESY.sub("", text)) != text and tokenize(polite):
        text = polite
    around = _AROUND.match(text.strip())
    if around and tokenize(inside := around["meant"] or around["works"]):
        return inside
    rest, lead = _LEAD.subn("", text, count=1)
    rest = _ASKED.sub("", _TAIL.sub("", rest, count=1) if lead else rest).strip()
    return rest if rest and tokenize(rest) else text
