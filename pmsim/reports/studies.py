"""How a research study, an answer to a request and a score component are named, for every screen
and document: the replay viewer's log (`pmsim.tui.replay_data`) and the portfolio
(`pmsim.reports.case`) both call `describe_study`, so a study reads the same everywhere, in a
sentence or as a short label; the debrief screens and the portfolio label components alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

RESPONSE_VERB = {"accept": "Accepted", "defer": "Deferred", "decline": "Declined"}

# a method's names: its title and what it tells you (the Research pane's menu), its heading in a
# document (the portfolio), and one and many in a sentence (the review)
METHOD_INFO = {
    "survey": ("Survey", "what a segment needs most (shares ± 95% CI) and its NPS"),
    "interviews": ("Interviews", "Kano evidence (must-be or delighter?) and customers' own words"),
    "usability_test": ("Usability test", "usability and accessibility defects, before you ship"),
    "ab_test": ("A/B test", "the measured activation lift of a feature you shipped"),
    "competitive_analysis": ("Competitive analysis", "competitors' strengths and their next moves"),
    "spike": ("Engineering spike", "a much tighter estimate; costs engineering time, not money"),
}
METHOD_LABEL = {
    "survey": "Surveys", "interviews": "Customer interviews", "usability_test": "Usability tests",
    "ab_test": "A/B tests", "competitive_analysis": "Competitive analyses", "spike": "Engineering spikes",
}
METHOD_WORDS = {
    "survey": ("survey", "surveys"),
    "interviews": ("round of interviews", "rounds of interviews"),
    "usability_test": ("usability test", "usability tests"),
    "ab_test": ("A/B test", "A/B tests"),
    "competitive_analysis": ("competitive analysis", "competitive analyses"),
    "spike": ("engineering spike", "engineering spikes"),
}
COMPONENT_LABEL = {
    "customer_impact": "Customer impact", "okr": "OKR attainment", "stakeholder_trust": "Stakeholder trust",
    "prioritization": "Prioritization", "research": "Research value", "delivery": "Delivery",
    "accessibility": "Accessibility",
}

# method -> (label, sentence); {n}: the sample, {segment}/{feature}: the names of what was studied
_STUDY = {
    "survey": ("survey of {n} ({segment})", "Survey of {n} in {segment}"),
    "interviews": ("{n} interviews ({segment})", "{n} interviews in {segment}"),
    "usability_test": ("usability test, {n} users ({feature})", "Usability test of {feature} with {n} users"),
    "ab_test": ("A/B test, n = {n:,} ({feature})", "A/B test of {feature} ({n:,} per arm)"),
    "spike": ("spike ({feature})", "Engineering spike on {feature}"),
    "competitive_analysis": ("competitive analysis", "Competitive analysis"),
}


def describe_study(study: Mapping[str, Any], segments: Mapping[str, str], titles: Mapping[str, str],
                   form: Literal["label", "sentence"] = "label") -> str:
    """A study (a research action, or its result) in words: "survey of 200 (Small teams)" as a
    label, "Survey of 200 in Small teams" as a sentence. `segments` and `titles` map ids to names."""
    label, sentence = _STUDY.get(study.get("method", ""), _STUDY["competitive_analysis"])
    segment, feature = study.get("segment"), study.get("feature")
    return (label if form == "label" else sentence).format(
        n=study.get("n"), segment=segments.get(segment, segment),
        feature=titles.get(feature, feature) if feature is not None else "?",
    )
