from pathlib import Path

from django.conf import settings

from backend.layers import template_problems


def test_no_template_names_a_url_of_a_higher_layer_or_of_its_sibling() -> None:
    assert list(template_problems(Path(settings.BASE_DIR) / "templates")) == []


def test_a_coins_or_notifications_template_naming_a_marketplace_url_is_caught(
    tmp_path: Path,
) -> None:
    for folder, text in [
        ("coins", "<a href=\"{% url 'board:search' %}\">Earn more</a>"),
        ("notifications", "<a href='{% url \"shop:mine\" %}'>Your shops</a>"),
        ("rewards", "{% url 'organise:dashboard' %}"),  # siblings never name each other
        ("board", "{% url 'coins:wallet' %}{% url 'rewards:catalogue' as x %}"),
    ]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "page.html").write_text(text)
    (tmp_path / "base.html").write_text("{% url 'board:search' %}")  # the shell may

    assert list(template_problems(tmp_path)) == [
        "board/page.html: names 'rewards:catalogue' (the board and the rewards never name "
        "each other)",
        "coins/page.html: names 'board:search' (coins is below marketplace.board)",
        "notifications/page.html: names 'shop:mine' (notifications is below marketplace.rewards)",
        "rewards/page.html: names 'organise:dashboard' (the board and the rewards never "
        "name each other)",
    ]


def test_a_template_folder_nobody_owns_is_named(tmp_path: Path) -> None:
    (tmp_path / "mystery").mkdir()
    (tmp_path / "mystery" / "page.html").write_text("")
    assert list(template_problems(tmp_path)) == [
        "mystery/page.html: no owner for templates/mystery/ in backend/layers.py"
    ]
