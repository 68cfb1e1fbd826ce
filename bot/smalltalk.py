"""Messages that are not questions: greetings, thanks, "ok", an emoji.

They get a friendly word and how to ask, never news sentences picked for a word like "hi".
Common forms in the languages the bot speaks are listed; anything with a subject word is a
question.
"""

from __future__ import annotations

from summarizer.words import word_pieces

_SMALL_TALK_WORDS = """
    hi hey hello hallo hola ola olá ciao salut bonjour bonsoir privet привет здравствуйте
    вітаю привіт salam marhaba مرحبا سلام yo hiya howdy morning evening afternoon good day
    night gm gn sup
    thanks thank you thx ty cheers merci danke gracias obrigado obrigada grazie спасибо
    дякую شكرا ممنون مرسی much very so lot lots many a
    ok okay okey k kk fine cool great nice perfect super sure yes yeah yep no nope nah got it
    alright right understood lol haha hahaha wow oh ah hmm
    bye goodbye tschüss adios adiós пока до свидания бувай
    how are u doing what s up there
"""
# Greeting words that make no subject on their own ("how are you", "what's up") count only
# because every word of such a message is small talk.
_SMALL_TALK = frozenset(_SMALL_TALK_WORDS.split())


def is_small_talk(text: str) -> bool:
    """Whether a message holds no question: only greetings, thanks and the like, or no word."""
    words = [w.lower() for w in word_pieces(text)]
    return all(w in _SMALL_TALK for w in words)
