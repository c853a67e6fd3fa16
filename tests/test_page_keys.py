"""The page against what an accessibility review (WCAG 2.1 AA) left open: one-letter keys that can be turned off,
a Tab order that follows what a narrow screen shows, timeline marks and score bars that can be seen (3:1), and
marks and the chapter playing still shown in forced colours (Windows high contrast). Debian's chromium
(Playwright) on the page's own files, the API answered by test_page_a11y's routes."""

from __future__ import annotations

from page_browser import browser, needs_chromium  # noqa: F401 (a fixture)
from test_page_a11y import _open, _tab_to

pytestmark = needs_chromium

def test_the_one_letter_keys_can_be_turned_off_and_stay_off(browser):
    """j, k and / acted wherever the focus was not in a field, with no way to turn them off (WCAG 2.1.4): a speech
    input user saying a word with a "k" in it jumped to another moment. A box under the keys' help turns them off,
    remembered on the next visit; ↓/↑ and Enter still work."""
    page, errors = _open(browser, "/?q=mitochondria")
    page.wait_for_selector(".result")
    page.locator(".result").first.click()
    page.locator("body").press("j")
    assert page.evaluate("() => active") == 1
    page.uncheck("#letter-keys")
    page.evaluate("() => document.activeElement.blur()")  # the keys go to the page, as after a click on it
    for key in ("j", "k", "/"):
        page.keyboard.press(key)
    assert page.evaluate("() => [active, document.activeElement === document.body]") == [1, True]
    page.locator(".result").nth(1).focus()
    page.keyboard.press("j")
    assert page.evaluate("() => active") == 1
    page.keyboard.press("ArrowDown")  # not a letter: still on
    assert page.evaluate("() => active") == 2
    page.reload()
    page.wait_for_selector(".result")
    assert not page.is_checked("#letter-keys")
    page.locator(".result").first.click()
    page.locator("body").press("j")
    assert page.evaluate("() => active") == 0
    page.check("#letter-keys")
    page.locator(".result").first.focus()
    page.keyboard.press("j")
    assert page.evaluate("() => active") == 1
    assert not errors, errors
    page.close()


def test_a_letter_key_with_ctrl_or_alt_is_left_to_the_browser(browser):
    """Ctrl+K (the browser's search in the address bar) and Alt+J also played the previous or next result."""
    page, errors = _open(browser, "/?q=mitochondria")
    page.wait_for_selector(".result")
    page.locator(".result").nth(1).click()
    for key in ("Control+k", "Alt+j", "Control+j", "Meta+k"):
        page.keyboard.press(key)
        assert page.evaluate("() => active") == 1, key
    assert not errors, errors
    page.close()


def test_on_a_narrow_screen_tab_reaches_the_player_before_the_results(browser):
    """Below 800 px the player is shown above the results, but Tab went through every result first and reached the
    player last (WCAG 2.4.3). On a wide screen it stands right of the results and comes after them; a page made
    narrow while a moment plays keeps the focus and the video playing."""
    page, errors = _open(browser, "/?q=mitochondria", width=400)
    page.wait_for_selector(".result")
    page.locator(".result").first.click()
    page.wait_for_selector("#transcript li")
    page.focus("button[type=submit]")
    _tab_to(page, "#player-pane *, .result")
    assert page.evaluate("() => !!document.activeElement.closest('#player-pane')")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function("() => document.getElementById('results-pane').nextElementSibling?.id === 'player-pane'")
    page.focus("button[type=submit]")
    _tab_to(page, "#player-pane *, .result")
    assert page.evaluate("() => document.activeElement.matches('.result')")
    page.focus("#captions-toggle")
    page.set_viewport_size({"width": 600, "height": 900})
    page.wait_for_function("() => document.getElementById('player-pane').nextElementSibling?.id === 'results-pane'")
    assert page.evaluate("() => document.activeElement.id") == "captions-toggle"
    assert not errors, errors
    page.close()
