"""A Portuguese subscriber asks about the news in Portuguese: the question is searched in its
own language and answered, in Portuguese, from the Portuguese reports. Written for this test."""

from __future__ import annotations

from sqlalchemy import update

from storage.models import Article
from tests.bot.conftest import RunningBot, add_story, add_topics
from tests.i18n.conftest import ask

CHAT = 5301
STRIKE = [
    "Os motoristas de ônibus de Porto Alegre entraram em greve nesta segunda-feira depois de "
    "três semanas de negociações sem acordo com as empresas de transporte.",
    "O sindicato afirmou que a paralisação vai durar quarenta e oito horas.",
]


async def test_a_question_in_portuguese_is_answered_in_portuguese(bot: RunningBot) -> None:
    await add_topics(bot.db, "Mundo")
    story = await add_story(
        bot.db,
        "mundo",
        "Greve de motoristas para os ônibus de Porto Alegre",
        STRIKE,
        [("Diário do Sul", "https://diario.example/greve")],
        fetched_at=bot.clock(),
    )
    async with bot.db.session() as session:
        await session.execute(
            update(Article)
            .where(Article.story_id == story)
            .values(language="pt", text="\n\n".join(STRIKE))
        )
    await add_story(
        bot.db, "mundo", "Harbour strike ends", ["Dockers voted."], fetched_at=bot.clock()
    )
    (welcome,) = await ask(bot, CHAT, "/start", "pt-BR")
    assert welcome.plain_text.startswith("👋")
    assert "newsbrief" in welcome.plain_text and "Welcome" not in welcome.plain_text

    # "What's new about the drivers' strike?": filler and stop words of Portuguese dropped,
    # the words searched by Portuguese rules ("motorista" finds "motoristas" on PostgreSQL).
    (answer,) = await ask(bot, CHAT, "O que há de novo sobre a greve dos motoristas?", "pt-BR")
    text = answer.plain_text
    assert "greve" in text and "Porto Alegre" in text
    assert "Harbour" not in text and "Dockers" not in text
    assert "Diário do Sul" in text  # the source it was drawn from
    assert "Sorry" not in text and "nothing" not in text.lower()
