"""Story clustering: same event joins, other events stay apart, old stories are not joined."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from collector.clustering import StoryClusterer
from sandbox.clustering_eval import (
    ClusterInput,
    cluster_articles,
    data_dir,
    load_split,
    pairwise_scores,
    republish,
)

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
VOTE = (
    "Glenmoor's water board approved a £95m reservoir at Ashby Vale on Thursday, voting 11 to 4 "
    "to flood the valley after three dry summers. The reservoir will hold 14 billion litres and "
    "supply 210,000 homes from 2031. Farmers will be offered land on the eastern ridge. "
    "Campaigners said they would ask the courts to review the decision within six weeks."
)
FERRY = (
    "Island Ferries will run a second daily crossing to the northern isles from December. The "
    "extra sailing leaves at seven in the evening and returns the next morning. Islanders had "
    "asked for a later boat for years, the council's transport chair said on Thursday."
)
TRAMS = (
    "Glenmoor tram drivers will strike for two days next week after pay talks broke down, their "
    "union said on Thursday. The union wants a 7% rise; the operator offered 4%. Trams will not "
    "run on Tuesday or Wednesday and extra buses will serve the valley routes."
)


def _article(number: int, title: str, text: str, minutes: float = 0) -> ClusterInput:
    return ClusterInput(number, title, text, T0 + timedelta(minutes=minutes))


def test_reports_of_one_event_form_one_story_and_others_stay_apart() -> None:
    articles = [
        _article(1, "Water board backs £95m Ashby Vale reservoir", VOTE),
        _article(2, "Ferry company adds a winter crossing", FERRY, 1),
        _article(3, "UPDATE 1-Glenmoor approves reservoir", "GLENMOOR (Wire) - " + VOTE, 2),
        _article(4, "Tram drivers to strike over pay", TRAMS, 3),
        _article(5, "Ashby Vale to be flooded", "By our desk\n\n" + VOTE + " Sign up now.", 4),
    ]
    labels = cluster_articles(articles)
    assert labels[1] == labels[3] == labels[5]
    assert len({labels[1], labels[2], labels[4]}) == 3


def test_a_late_article_joins_its_story_but_not_after_the_window() -> None:
    clusterer = StoryClusterer(window=timedelta(hours=48))
    story, _ = clusterer.assign(1, "Water board backs reservoir", VOTE, T0, 100)
    later, match = clusterer.assign(2, "Reservoir approved", VOTE, T0 + timedelta(hours=20), 200)
    assert story == later == 100 and match is not None and match.body > 0.9
    too_late, match = clusterer.assign(3, "Reservoir", VOTE, T0 + timedelta(hours=80), 300)
    assert (too_late, match) == (300, None)


def test_an_article_bridging_two_stories_merges_them_into_the_older() -> None:
    # Two reports too different to join each other, and a third close to both.
    clusterer = StoryClusterer(body_threshold=0.99, lead_threshold=0.99)
    first, _ = clusterer.assign(1, "Reservoir vote", VOTE, T0, 10)
    second, _ = clusterer.assign(2, "Valley homes", "Farmers will be offered land.", T0, 20)
    assert first != second
    bridging = StoryClusterer(body_threshold=0.2, lead_threshold=0.99)
    bridging.assign(1, "Reservoir vote", VOTE[:200], T0, 10)
    bridging.assign(2, "Reservoir courts", VOTE[200:], T0, 20)
    story, match = bridging.assign(3, "Reservoir approved", VOTE, T0, 30)
    assert story == 10 and match is not None and match.also == (20,)


def test_pairwise_scores_count_pairs() -> None:
    truth = {1: 0, 2: 0, 3: 1, 4: 1}
    assert pairwise_scores(truth, {1: 5, 2: 5, 3: 6, 4: 6}) == (1.0, 1.0, 1.0)
    precision, recall, _ = pairwise_scores(truth, {1: 5, 2: 5, 3: 5, 4: 6})
    assert (precision, recall) == (1 / 3, 1 / 2)


def test_quality_floor_on_republished_dev_articles() -> None:
    folder = data_dir()
    if folder is None:
        pytest.skip("no evaluation data: set NEWSBRIEF_EVAL_DATA or provide ../shared/data")
    groups = load_split(folder, "dev")
    articles, truth = republish(groups)
    _, _, f1 = pairwise_scores(truth, cluster_articles(articles))
    assert f1 >= 0.95
