"""Block validation: knowledge-check questions, videos, images; the learner-safe view."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.documents import get_document_model

from courses.blocks import (
    ImageBlock,
    KnowledgeCheckBlock,
    QuestionBlock,
    VideoBlock,
    public_knowledge_check,
)
from courses.models import LessonPage
from tests.courses import factories

pytestmark = pytest.mark.django_db


def question_value(kind, flags):
    block = QuestionBlock()
    return block.to_python(
        {
            "prompt": "¿?",
            "kind": kind,
            "explanation": "",
            "options": [
                {"text": f"op{i}", "is_correct": flag, "feedback": ""}
                for i, flag in enumerate(flags)
            ],
        }
    )


@pytest.mark.parametrize(
    ("kind", "flags", "valid"),
    [
        ("single", [True, False], True),
        ("single", [False, False], False),
        ("single", [True, True], False),
        ("multiple", [True, True, False], True),
        ("multiple", [True, False], True),
        ("multiple", [False, False, False], False),
    ],
)
def test_question_needs_a_correct_option_and_exactly_one_when_single(kind, flags, valid):
    block = QuestionBlock()
    value = question_value(kind, flags)
    if valid:
        block.clean(value)
    else:
        with pytest.raises(ValidationError) as error:
            block.clean(value)
        assert "options" in error.value.block_errors


def test_question_needs_at_least_two_options():
    with pytest.raises(ValidationError):
        QuestionBlock().clean(question_value("single", [True]))


def test_video_needs_a_file_or_an_embed_url():
    block = VideoBlock()
    empty = block.to_python({"title": "Demo", "embed_url": "", "transcript": ""})
    with pytest.raises(ValidationError) as error:
        block.clean(empty)
    assert {"file", "embed_url"} <= set(error.value.block_errors)
    embedded = block.to_python(
        {
            "title": "Demo",
            "embed_url": "https://www.youtube.com/watch?v=x",
            "transcript": "<p>t</p>",
        }
    )
    block.clean(embedded)


def test_video_captions_must_be_vtt():
    document_model = get_document_model()
    video = document_model.objects.create(title="v", file="v.mp4")
    pdf = document_model.objects.create(title="c", file="c.pdf")
    vtt = document_model.objects.create(title="c", file="c.vtt")
    block = VideoBlock()
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python({"title": "V", "file": video.pk, "captions": pdf.pk}))
    assert "captions" in error.value.block_errors
    block.clean(block.to_python({"title": "V", "file": video.pk, "captions": vtt.pk}))


def test_image_alt_text_is_required():
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    image = get_image_model().objects.create(title="i", file=get_test_image_file())
    block = ImageBlock()
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python({"image": image.pk, "alt_text": "", "caption": ""}))
    assert "alt_text" in error.value.block_errors
    block.clean(block.to_python({"image": image.pk, "alt_text": "Un sensor", "caption": ""}))


def test_knowledge_check_pass_mark_is_between_0_and_100():
    block = KnowledgeCheckBlock()
    raw = factories.sample_check()["value"]
    for mark in (-1, 101):
        with pytest.raises(ValidationError):
            block.clean(block.to_python({**raw, "pass_mark": mark}))
    block.clean(block.to_python({**raw, "pass_mark": 0}))


def test_public_view_of_a_check_has_ids_and_texts_but_no_answer_key():
    course = factories.build_course(modules=1, lessons=1)
    lesson = LessonPage.objects.descendant_of(course).get()
    block = next(b for b in lesson.body if b.block_type == "knowledge_check")
    public = public_knowledge_check(block.id, block.value)
    assert public["id"] == "kc-1"
    assert [q["id"] for q in public["questions"]] == ["q1", "q2"]
    assert public["questions"][1]["options"] == [
        {"id": "o2a", "text": "Python"},
        {"id": "o2b", "text": "HTTP"},
        {"id": "o2c", "text": "C++"},
    ]
    text = repr(public)
    assert "is_correct" not in text and "FEEDBACK" not in text and "EXPLANATION" not in text


def test_image_block_renders_a_srcset_with_alt_text():
    from wagtail.images import get_image_model
    from wagtail.images.tests.utils import get_test_image_file

    image = get_image_model().objects.create(title="i", file=get_test_image_file(size=(1200, 800)))
    block = ImageBlock()
    html = block.render(
        block.to_python({"image": image.pk, "alt_text": "Un sensor", "caption": "Pie"})
    )
    assert 'alt="Un sensor"' in html
    assert "srcset=" in html and "360w" in html and "1080w" in html
    assert 'loading="lazy"' in html
    assert "<figcaption>Pie</figcaption>" in html


def test_uploaded_video_renders_a_player_with_captions_track_and_transcript():
    document_model = get_document_model()
    video = document_model.objects.create(title="v", file="v.mp4")
    vtt = document_model.objects.create(title="c", file="c.vtt")
    block = VideoBlock()
    value = block.to_python(
        {
            "title": "Soldadura segura",
            "file": video.pk,
            "captions": vtt.pk,
            "captions_language": "es",
            "transcript": "<p>TRANSCRIPCIÓN</p>",
        }
    )
    html = block.render(value)
    assert '<video controls preload="none"' in html
    assert f'<source src="{video.url}">' in html
    assert f'<track kind="captions" src="{vtt.url}" srclang="es"' in html
    assert "TRANSCRIPCIÓN" in html and "<details" in html


def test_embedded_video_is_a_link_not_a_third_party_player():
    block = VideoBlock()
    value = block.to_python(
        {"title": "Demo", "embed_url": "https://youtu.be/abc", "transcript": "<p>t</p>"}
    )
    html = block.render(value)
    assert 'href="https://youtu.be/abc"' in html
    assert "<iframe" not in html


def test_document_block_renders_a_download_link_with_type():
    from courses.blocks import DocumentBlock

    document = get_document_model().objects.create(title="Guía", file="guia.pdf")
    block = DocumentBlock()
    html = block.render(block.to_python({"document": document.pk, "title": "", "description": ""}))
    assert f'href="{document.url}" download>Guía</a>' in html
    assert "(PDF" in html
