"""Admin registration of the course taxonomy snippets."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from courses.models import Sector, Skill, Topic


class SectorViewSet(SnippetViewSet):
    model = Sector
    icon = "site"
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]


class SkillViewSet(SnippetViewSet):
    model = Skill
    icon = "user"
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en", "slug"]


class CatalogTaxonomyGroup(SnippetViewSetGroup):
    menu_label = "Clasificación de cursos"
    menu_icon = "folder-open-inverse"
    menu_name = "course-taxonomy"
    items = (SectorViewSet, TopicViewSet, SkillViewSet)


register_snippet(CatalogTaxonomyGroup)
