"""Story clustering's rules, on fictional reports written independently (not copies)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from collector.clustering import StoryClusterer
from sandbox.clustering_eval import ClusterInput, cluster_articles, pairwise_scores

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)

# One event, three outlets, each in its own words.
FERRY_WIRE = (
    "Ferry Marisol collides with cargo ship in fog off Port Aldane",
    "PORT ALDANE - The passenger ferry Marisol struck the cargo ship Kestrel Star in thick fog "
    "at the mouth of Port Aldane harbour early on Tuesday, injuring 14 people, the coastguard "
    "said. The Marisol was carrying 312 passengers from Brenna Island. Harbour master Ines "
    "Varga said both vessels were moving slowly and that the harbour would stay closed until "
    "the fog lifted. Eleven of the injured were treated at the quayside and three were taken "
    "to Aldane General Hospital. The maritime safety board has opened an inquiry.",
)
FERRY_LOCAL = (
    "Fourteen hurt as Brenna ferry hits freighter",
    "Three passengers of the Brenna Island ferry were in hospital on Tuesday night after the "
    "Marisol ran into the freighter Kestrel Star as it entered Port Aldane in dense fog. Ines "
    "Varga, the harbour master, closed the port for the morning. Passengers described a loud "
    "bang and a sudden lurch; several fell on the stairs. The coastguard counted 14 injured. "
    "An inquiry by the maritime safety board will look at the radar logs of both ships.",
)
FERRY_RADIO = (
    "Marisol crash: inquiry into harbour fog collision",
    "The maritime safety board will investigate Tuesday's collision between the Marisol and the "
    "Kestrel Star at Port Aldane. The ferry, with 312 people on board from Brenna Island, hit "
    "the cargo ship's side in fog; fourteen were hurt, three of them taken to Aldane General. "
    "The harbour master, Ines Varga, said the port reopened at noon.",
)
# The same subject (a ferry in trouble), another event.
AGROUND = (
    "Ferry Northwind runs aground off Skerra",
    "The ferry Northwind ran aground on a sandbank off Skerra Island on Tuesday afternoon and "
    "its 180 passengers were taken off by lifeboats, the island council said. Nobody was hurt. "
    "Tugs from Carrow will try to refloat the Northwind at high tide tonight, and the Skerra "
    "crossing is cancelled until Friday.",
)
TRAMS = (
    "Glenmoor tram drivers to strike over pay",
    "Glenmoor tram drivers will strike for two days next week after pay talks broke down, their "
    "union said on Tuesday. The union wants a 7% rise; the operator offered 4%. Trams will not "
    "run on Thursday or Friday and extra buses will serve the valley routes.",
)


def _at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def test_independent_reports_of_one_event_join_and_others_stay_apart() -> None:
    clusterer = StoryClusterer()
    ferry, _ = clusterer.assign(1, *FERRY_WIRE, _at(0), 1)
    assert clusterer.assign(2, *TRAMS, _at(0.5), 2)[0] == 2
    assert clusterer.assign(3, *AGROUND, _at(1), 3)[0] == 3  # same subject, another event
    local, match = clusterer.assign(4, *FERRY_LOCAL, _at(1.5), 4)
    radio, _ = clusterer.assign(5, *FERRY_RADIO, _at(3), 5)
    assert local == radio == ferry
    assert match is not None and 0 < match.similarity <= 1


def test_best_match_is_pure_until_the_article_is_added() -> None:
    clusterer = StoryClusterer()
    clusterer.assign(1, *FERRY_WIRE, _at(0), 1)
    article = clusterer.terms(*FERRY_LOCAL)
    first, second = clusterer.best_match(article, _at(1)), clusterer.best_match(article, _at(1))
    assert first == second and first is not None and first.story_id == 1
    assert 2 not in clusterer and len(clusterer) == 1
    clusterer.add(2, 1, article, _at(1))
    clusterer.add(2, 1, article, _at(1))  # an article is remembered once
    assert 2 in clusterer and len(clusterer) == 2 and clusterer.story_of(2) == 1


def _update(n: int) -> tuple[str, str]:
    """The nth report of a slow event: each one says what is new, and repeats the rest."""
    return (
        f"Reservoir vote, day {n}: Ashby Vale campaigners keep up pressure",
        f"Campaigners against the £95m Ashby Vale reservoir approved by the Glenmoor water "
        f"board met again on day {n} of their protest at the valley dam site. The board voted "
        f"11 to 4 to flood the valley, which will hold 14 billion litres for 210,000 homes. "
        f"Farmers at Ashby Vale say the offer of land on the eastern ridge is too poor, and "
        f"their lawyers have asked the courts to review the water board's decision.",
    )


def test_a_story_stays_open_while_reports_keep_coming_and_closes_after_quiet() -> None:
    clusterer = StoryClusterer()  # window 48 h, a story closes 36 h after its latest report
    clusterer.assign(1, *_update(1), _at(0), 1)
    for n, hours in ((2, 30), (3, 60), (4, 90)):  # each within 36 h of the one before
        story, match = clusterer.assign(n, *_update(n), _at(hours), n)
        assert story == 1 and match is not None, f"report {n} at {hours} h"
    # Ninety hours after the first report the story is still open; after 40 quiet hours it
    # has closed, and the next report starts a story of its own.
    assert clusterer.assign(5, *_update(5), _at(130), 5) == (5, None)


# A running subject: ten reports of one match, then the competition's next match.
SEMI_FINAL = [
    (
        "Reyes double sends Rovers into Glenmoor Cup final",
        "Tomas Reyes scored twice as Kilbride Rovers beat Ashby Athletic 2-1 at Kilbride Park "
        "on Saturday to reach the Glenmoor Cup final. Athletic led through Sam Okafor's header "
        "before Reyes levelled from the spot and won it with a volley in the 88th minute.",
    ),
    (
        "Rovers 2-1 Athletic: Reyes the hero at Kilbride Park",
        "A late volley from Tomas Reyes took Rovers past Ashby Athletic and into the Glenmoor "
        "Cup final. Okafor had given Athletic the lead; Reyes equalised with a penalty after "
        "Dunn fouled him. Rovers manager Petra Lind praised a 'remarkable' comeback.",
    ),
    (
        "Athletic heartbreak as late Reyes winner settles semi-final",
        "Ashby Athletic were two minutes from extra time when Tomas Reyes struck the winner "
        "for Kilbride Rovers. The 2-1 semi-final defeat ends Athletic's best cup run in a "
        "decade; Sam Okafor's first-half header had put them ahead at Kilbride Park.",
    ),
    (
        "Lind hails Rovers spirit after cup semi-final comeback",
        "Petra Lind said her Kilbride Rovers side showed 'real spirit' in coming from behind "
        "to beat Ashby Athletic 2-1. Tomas Reyes scored a penalty and an 88th-minute volley "
        "after Okafor's opener. Rovers will play in the Glenmoor Cup final for the first time.",
    ),
    (
        "Glenmoor Cup semi-final: Rovers beat Athletic",
        "Kilbride Rovers 2 (Reyes pen 61, 88) Ashby Athletic 1 (Okafor 23). Attendance 8,412 "
        "at Kilbride Park. Reyes converted a penalty after a foul by Dunn and won the tie with "
        "a volley two minutes from time. Athletic's Okafor had headed the visitors in front.",
    ),
    (
        "Reyes: 'best goal of my life' as Rovers reach final",
        "Tomas Reyes called his late volley against Ashby Athletic the best goal of his life. "
        "The striker's double gave Kilbride Rovers a 2-1 win and a place in the Glenmoor Cup "
        "final; Okafor had scored for Athletic. Lind substituted him moments after the goal.",
    ),
    (
        "Athletic boss rues penalty call in Kilbride defeat",
        "Ashby Athletic's manager questioned the penalty that brought Kilbride Rovers level in "
        "their Glenmoor Cup semi-final, which Rovers won 2-1 with a Tomas Reyes volley. Dunn "
        "was judged to have tripped Reyes; Okafor had given Athletic a first-half lead.",
    ),
    (
        "Fans celebrate as Rovers book Glenmoor Cup final place",
        "Thousands of Kilbride Rovers supporters stayed at Kilbride Park long after the 2-1 "
        "semi-final win over Ashby Athletic, singing the name of Tomas Reyes, whose two goals "
        "overturned Sam Okafor's opener. Petra Lind's side now await the final.",
    ),
]
FINAL = (
    "Carrow United thrash Rovers to lift Glenmoor Cup",
    "Carrow United won the Glenmoor Cup for the third time, beating Kilbride Rovers 3-0 in the "
    "final at the National Stadium on Sunday. Jonas Berg scored twice in the first half and "
    "Milo Hart added a third after the break. Rovers manager Petra Lind said her side never "
    "recovered from conceding in the fourth minute; Tomas Reyes was well marked throughout.",
)


OTHER_MATCH = (
    "Harwick edge Lowmoor in five-goal thriller",
    "Harwick Town beat Lowmoor City 3-2 at the Riverside Ground on Saturday to climb to third "
    "in the league. Dev Patel scored twice, including a late penalty after a foul on Ben Ortiz, "
    "and the manager praised a remarkable comeback from a goal down. Lowmoor's striker hit the "
    "post in the 88th minute.",
)


def _semi_final() -> StoryClusterer:
    clusterer = StoryClusterer()
    for n, (title, text) in enumerate(SEMI_FINAL, start=1):
        story, _ = clusterer.assign(n, title, text, _at(n / 4), n)
        assert n == 1 or story == 1, f"report {n} of the semi-final"
    return clusterer


def test_a_big_story_does_not_swallow_another_match_of_its_sport() -> None:
    # Goals, a penalty, a manager, a comeback, the 88th minute: the words of every match
    # report, but other teams and players. It is its own story.
    assert _semi_final().assign(20, *OTHER_MATCH, _at(3), 20) == (20, None)


def test_the_next_episode_of_a_running_story_joins_it_while_it_is_fresh() -> None:
    # The final, hours later, names the competition, the team, its manager and its striker:
    # one running story, as the reports of a topic in MultiLing are (docs/stories.md).
    story, match = _semi_final().assign(20, *FINAL, _at(3), 20)
    assert story == 1 and match is not None


def test_stories_one_report_shows_to_be_one_event_are_merged_into_the_older() -> None:
    # Two partial reports too different to join each other, then a full one close to both
    # (looser settings than the shipped ones, so that three short texts are enough).
    clusterer = StoryClusterer(merge_similarity=0.2, merge_average=0.15, warm_stories=0)
    collision = (
        "Marisol ferry hits Kestrel Star",
        "The passenger ferry Marisol struck the cargo ship Kestrel Star in thick fog at the "
        "mouth of Port Aldane harbour early on Tuesday. The Marisol was carrying 312 passengers "
        "from Brenna Island.",
    )
    aftermath = (
        "Fourteen hurt, inquiry opened",
        "Fourteen people were injured, the coastguard said. Harbour master Ines Varga closed "
        "the harbour until the fog lifted; three of the injured were taken to Aldane General "
        "Hospital and the maritime safety board opened an inquiry.",
    )
    assert clusterer.assign(1, *collision, _at(0), 10) == (10, None)
    assert clusterer.assign(2, *aftermath, _at(0.2), 20) == (20, None)
    story, match = clusterer.assign(3, *FERRY_WIRE, _at(0.5), 30)
    assert story == 10 and match is not None and match.also == (20,)
    assert clusterer.story_of(2) == 10


PT_REPORTS = [
    (
        "Balsa vira no rio Tocantins e deixa 9 desaparecidos",
        "Uma balsa com 40 passageiros virou no rio Tocantins perto de Pedra Alta na noite de "
        "terça-feira. Segundo o Corpo de Bombeiros, 31 pessoas foram resgatadas e nove estão "
        "desaparecidas. A embarcação levava também dois caminhões, o que pode ter causado o "
        "acidente, disse o capitão Rui Moraes.",
    ),
    (
        "Bombeiros buscam nove pessoas após naufrágio de balsa em Pedra Alta",
        "As buscas pelos nove desaparecidos no naufrágio da balsa no Tocantins foram retomadas "
        "nesta quarta-feira. O capitão Rui Moraes, dos Bombeiros, afirma que a balsa estava "
        "com excesso de carga: além dos 40 passageiros, transportava dois caminhões. Trinta e "
        "uma pessoas foram salvas por pescadores de Pedra Alta.",
    ),
]
PT_OTHER = (
    "Prefeitura de Pedra Alta anuncia nova ponte sobre o Tocantins",
    "A prefeitura de Pedra Alta anunciou nesta quarta-feira a construção de uma ponte de 800 "
    "metros sobre o rio Tocantins, com custo de 120 milhões de reais. As obras começam em "
    "março e devem durar três anos, segundo o prefeito Caio Nunes.",
)


# A town paper's other news of the days before: every story names the town (and the river).
PT_LOCAL = [
    (
        "Escola municipal de Pedra Alta ganha laboratório de ciências",
        "A Escola Municipal Dom Pedro, em Pedra Alta, inaugurou nesta segunda-feira um "
        "laboratório de ciências com 30 microscópios. A secretária de Educação, Lúcia Prado, "
        "disse que outras quatro escolas receberão laboratórios até dezembro.",
    ),
    (
        "Pedra Alta Futebol Clube vence clássico no estádio Barrancão",
        "O Pedra Alta Futebol Clube venceu o Araguaia por 2 a 0 no domingo, no estádio "
        "Barrancão, e assumiu a liderança do campeonato estadual. Os gols foram de Tiago Lemos "
        "e Nilo Sousa.",
    ),
    (
        "Preço do peixe sobe na feira de Pedra Alta",
        "O quilo do tucunaré chegou a 38 reais na feira municipal de Pedra Alta, alta de 20% em "
        "um mês. Pescadores do Tocantins atribuem o aumento à seca, que reduziu o nível do rio.",
    ),
    (
        "Defesa Civil de Pedra Alta alerta para calor extremo",
        "A Defesa Civil de Pedra Alta emitiu alerta de calor para esta semana, com máximas de "
        "41 graus. A orientação é evitar exposição ao sol entre 10h e 16h e beber bastante água.",
    ),
]


def test_reports_in_portuguese_join_and_apart_with_or_without_their_language() -> None:
    for language in ("pt", None):  # None: told from the text, as the collector does today
        clusterer = StoryClusterer()
        for n, (title, text) in enumerate(PT_LOCAL, start=100):
            clusterer.assign(n, title, text, _at(n - 110), n, language)
        first, _ = clusterer.assign(1, *PT_REPORTS[0], _at(0), 1, language)
        other, _ = clusterer.assign(2, *PT_OTHER, _at(1), 2, language)
        second, _ = clusterer.assign(3, *PT_REPORTS[1], _at(2), 3, language)
        # The ferry's two reports are one story; the town's bridge, announced the next day on
        # the same river, is not.
        assert (first, other, second) == (1, 2, 1), language
    assert StoryClusterer().terms(*PT_REPORTS[0]).language == "pt"


def test_headlines_alone_join_their_story_and_not_another() -> None:
    clusterer = StoryClusterer()
    clusterer.assign(1, "Marisol ferry collides with cargo ship in Port Aldane fog", "", _at(0), 1)
    clusterer.assign(2, "Northwind ferry runs aground off Skerra Island", "", _at(0.1), 2)
    story, _ = clusterer.assign(3, "Port Aldane fog: Marisol hits cargo ship", "", _at(0.2), 3)
    assert story == 1
    # A headline-only item joins a story of full texts by its title.
    full = StoryClusterer()
    full.assign(1, *FERRY_WIRE, _at(0), 1)
    assert full.assign(2, "Marisol ferry collision in Port Aldane fog", "", _at(1), 2)[0] == 1


def test_cluster_articles_follows_merges_and_pairwise_scores_count_pairs() -> None:
    articles = [
        ClusterInput(1, *FERRY_WIRE, _at(0)),
        ClusterInput(2, *TRAMS, _at(0.5)),
        ClusterInput(3, *FERRY_LOCAL, _at(1)),
    ]
    labels = cluster_articles(articles)
    assert labels[1] == labels[3] != labels[2]
    truth = {1: 0, 2: 0, 3: 1, 4: 1}
    assert pairwise_scores(truth, {1: 5, 2: 5, 3: 6, 4: 6}) == (1.0, 1.0, 1.0)
    precision, recall, _ = pairwise_scores(truth, {1: 5, 2: 5, 3: 5, 4: 6})
    assert (precision, recall) == (1 / 3, 1 / 2)


# Written for this test: one report in English and in French, and an unrelated French report.
_QUAKE_EN = (
    "An earthquake of magnitude 6.8 struck the coast on Sunday, killing at least 1,347 people "
    "and leaving 23,518 homeless, officials said. Rescue teams reached 412 villages by evening, "
    "and the government released 3,250,000 dollars in emergency aid."
)
_QUAKE_FR = (
    "Un séisme de magnitude 6,8 a frappé la côte dimanche, faisant au moins 1 347 morts et "
    "23 518 sans-abri, selon les autorités. Les secours ont atteint 412 villages dans la "
    "soirée, et le gouvernement a débloqué 3 250 000 dollars d'aide d'urgence."
)
_CONCERT_FR = (
    "Le festival de musique a attiré 200 000 spectateurs dimanche, un record pour la ville. "
    "Les organisateurs ont vendu 100 000 billets en ligne et 75 000 sur place, pour 412 "
    "concerts répartis sur trois jours."
)


def test_the_same_report_in_two_languages_joins_one_story() -> None:
    clusterer = StoryClusterer()
    english, _ = clusterer.assign(1, "Quake kills 1,347 on the coast", _QUAKE_EN, T0, 1, "en")
    french, match = clusterer.assign(
        2, "Un séisme fait 1 347 morts sur la côte", _QUAKE_FR, T0 + timedelta(hours=2), 2, "fr"
    )
    assert french == english and match is not None
    # Round numbers and one shared figure are not the same report.
    concert, _ = clusterer.assign(
        3, "Record de spectateurs au festival", _CONCERT_FR, T0 + timedelta(hours=3), 3, "fr"
    )
    assert concert not in (english, french)
    # Off, each language keeps its own stories (as before).
    apart = StoryClusterer(cross_language=False)
    first, _ = apart.assign(1, "Quake kills 1,347 on the coast", _QUAKE_EN, T0, 1, "en")
    second, _ = apart.assign(2, "Un séisme", _QUAKE_FR, T0 + timedelta(hours=2), 2, "fr")
    assert first != second
