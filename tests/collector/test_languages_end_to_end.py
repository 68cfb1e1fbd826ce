"""News in Portuguese and Russian through a whole collection: each article's language told
and stored, each event's reports clustered into one story, its summary drawn from them in
their language. The articles are written for this test."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from collector.service import Collector
from sandbox.collector_options import CollectorOptions
from sandbox.feed_server import LocalFeedServer
from storage.db import Database
from tests.collector.helpers import add_feeds, articles, page, rss, story

PT_ONE = [
    "Os motoristas de ônibus de Porto Alegre entraram em greve nesta segunda-feira depois de "
    "três semanas de negociações sem acordo com as empresas de transporte.",
    "O sindicato afirmou que a paralisação vai durar quarenta e oito horas e que os hospitais "
    "terão ônibus garantidos durante todo o período.",
    "A prefeitura pediu que os moradores usem o metrô e as bicicletas públicas até quarta-feira.",
]
PT_TWO = [
    "Uma greve de motoristas deixou Porto Alegre sem ônibus nesta segunda-feira, após o "
    "fracasso das negociações salariais com as empresas de transporte.",
    "Segundo o sindicato, a greve terá quarenta e oito horas de duração, com serviço mínimo "
    "para os hospitais da cidade.",
]
RU_ONE = [
    "Городской совет Новограда в среду утвердил строительство нового моста через реку, "
    "который будет открыт только для трамваев, велосипедистов и пешеходов.",
    "Длина моста составит четыреста двадцать метров, а его стоимость оценивается в девяносто "
    "шесть миллионов рублей.",
    "Строительство начнётся весной и продлится три года, сообщила мэрия.",
]
RU_TWO = [
    "В Новограде построят мост без автомобилей: городской совет в среду одобрил проект моста "
    "для трамваев, велосипедистов и пешеходов.",
    "По данным мэрии, мост длиной четыреста двадцать метров будет готов через три года.",
]


async def test_portuguese_and_russian_reports_become_stories_in_their_language(
    db: Database,
    server: LocalFeedServer,
    options: CollectorOptions,
    process_pool: ProcessPoolExecutor,
) -> None:
    pages = {
        "/pt1/greve.html": ("Greve de motoristas para os ônibus de Porto Alegre", PT_ONE, "Diário"),
        "/pt2/greve.html": ("Porto Alegre sem ônibus por greve de motoristas", PT_TWO, "Folha"),
        "/ru1/most.html": ("В Новограде построят мост для трамваев", RU_ONE, "Вестник"),
        "/ru2/most.html": ("Совет одобрил мост без автомобилей", RU_TWO, "Газета"),
    }
    for path, (title, paragraphs, site) in pages.items():
        server.add(path, page(title, paragraphs, site), "text/html")
    feeds = []
    for number, path in enumerate(pages):
        feed = f"/feed{number}.xml"
        server.add(feed, rss(f"Feed {number}", [(f"g{number}", server.url(path), "")]))
        feeds.append(server.url(feed))
    await add_feeds(db, "world", feeds)
    async with Collector(db, options, executor=process_pool) as running:  # type: ignore[arg-type]
        await running.collect_all()

    stored = await articles(db)
    assert sorted(a.language or "" for a in stored) == ["pt", "pt", "ru", "ru"]
    by_language = {a.language: a.story_id for a in stored}
    for language, paragraphs in (("pt", PT_ONE + PT_TWO), ("ru", RU_ONE + RU_TWO)):
        assert {a.story_id for a in stored if a.language == language} == {by_language[language]}
        joined = await story(db, by_language[language])
        assert joined.source_count == 2
        lines = [line for line in joined.summary.splitlines() if line.strip()]
        assert lines and all(any(line in p for p in paragraphs) for line in lines)
