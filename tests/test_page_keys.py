"""The page against what an accessibility review (WCAG 2.1 AA) left open: one-letter keys that can be turned off,
a Tab order that follows what a narrow screen shows, timeline marks and score bars that can be seen (3:1), and
marks and the chapter playing still shown in forced colours (Windows high contrast). Debian's chromium
(Playwright) on the page's own files, the API answered by test_page_a11y's routes."""

from __future__ import annotations

from page_browser import browser, needs_chromium  # noqa: F401 (a fixture)
from test_page_a11y import SENTENCES, _open, _tab_to

pytestmark = needs_chromium

# the luminance contrast of two colours, as WCAG computes it; `over` lays a colour with alpha on another
COLOURS = """
const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
const lum = ([r, g, b]) => 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + .05) / (Math.min(x, y) + .05); };
const fill = (el, under) => { const s = getComputedStyle(el), c = parse(s.backgroundColor);
  c[3] *= Number(s.opacity); return over(c, under); };
"""

# each mark on the timeline: [what, its contrast against the timeline under it]
MARKS = "() => {" + COLOURS + """
  const track = parse(getComputedStyle(document.getElementById('timeline')).backgroundColor);
  return [...document.querySelectorAll('#timeline-moment, #timeline-marks .mark, #timeline-hits .hit-mark')]
    .filter((e) => e.getClientRects().length).map((e) => [e.id || e.className, ratio(fill(e, track), track)]); }"""

# each score bar's fill in the results that are not faded as weak: [channel, its contrast against its track]
BARS = "() => {" + COLOURS + """
  return [...document.querySelectorAll('.result:not(.weak) .bar')].map((bar) => {
    const track = fill(bar.querySelector('.track'), [255, 255, 255, 1]);
    return [bar.className, ratio(fill(bar.querySelector('.fill'), track), track)]; }); }"""


def _with_marks(page) -> None:
    """The first result open, with its chapters and transcript, and another result and a hit on its timeline."""
    page.locator(".result").first.click()
    page.wait_for_selector("#transcript li")
    page.evaluate("""() => {
      results[1] = {...results[1], video_id: current.video_id, kind: 'moment'};  // another result in this video
      hits = [{start: 1, end: 2}];
      drawTimeline(); drawMarks(); }""")
    page.wait_for_selector("#timeline-marks .mark")


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


def test_the_timeline_marks_and_score_bars_stand_out_3_to_1(browser):
    """The moment (amber), the other results (grey) and the query's hits (violet) were 1.6-2.1:1 against the
    timeline; the visual and slide-text bars' fills 2.1-2.3:1 against their track (WCAG 1.4.11 asks 3:1)."""
    page, errors = _open(browser, "/?q=mitochondria")
    page.wait_for_selector(".result")
    _with_marks(page)
    page.wait_for_selector("#timeline-hits .hit-mark")
    marks = page.evaluate(MARKS)
    assert {what for what, _ in marks} == {"timeline-moment", "mark", "hit-mark"}
    assert [(what, round(r, 2)) for what, r in marks if r < 3] == []
    page.evaluate("() => { results[0].channels = {transcript: .9, lexical: .8, visual: .7, ocr: .6, place: .5}; "
                  "render(shownQuery); }")
    bars = page.evaluate(BARS)
    assert len(bars) >= 5
    assert [(what, round(r, 2)) for what, r in bars if r < 3] == []
    assert not errors, errors
    page.close()


def test_forced_colours_still_show_the_marks_the_chapter_playing_and_the_result_open(browser):
    """In forced colours (Windows high contrast) every background became the page's: the timeline's marks, the
    score bars' fills and the chapter and sentence playing vanished, and every result had the same border. The row
    playing is marked by a bar at its left, so a focus ring still shows on it (an outline there hid the focus)."""
    page, errors = _open(browser, "/?q=mitochondria")
    page.emulate_media(forced_colors="active")
    page.wait_for_selector(".result")
    _with_marks(page)
    page.evaluate("() => ['#chapters li', '#transcript li'].forEach((rows) => document.querySelectorAll(rows)"
                  ".forEach((li, i) => setCurrent(li, i === 0, 'now')))")  # as at 0 s
    looks = page.evaluate("""() => {
      const bg = (e) => getComputedStyle(e).backgroundColor, q = (s) => document.querySelector(s);
      const drawn = (e) => { const s = getComputedStyle(e); return [s.backgroundColor, s.outlineStyle, s.outlineColor,
                                                                     s.borderTopColor].join(' '); };
      const track = bg(q('#timeline'));
      const shown = (e) => bg(e) !== track && !/^rgba\\(.*, 0\\)$/.test(bg(e));  // not the timeline's, not clear
      return {marks: [...document.querySelectorAll('#timeline-moment, #timeline-head, #timeline [class]')].map(shown),
              chapter: drawn(q('#chapters li.now')) !== drawn(q('#chapters li:not(.now)')),
              sentence: drawn(q('#transcript li.now')) !== drawn(q('#transcript li:not(.now)')),
              result: drawn(q('.result.active')) !== drawn(q('.result:not(.active)')),
              bar: bg(q('.bar .fill')) !== bg(q('.bar .track')) }; }""")
    assert looks["marks"] and all(looks["marks"]), looks
    plain = page.locator("#chapters").screenshot()
    _tab_to(page, "#chapters li.now")  # as a keyboard user reaches it
    assert page.locator("#chapters").screenshot() != plain, "the chapter playing shows no focus"
    assert looks == {**looks, "chapter": True, "sentence": True, "result": True, "bar": True}, looks
    assert not errors, errors
    page.close()


LEGEND = """() => {
  const look = (e) => getComputedStyle(e).backgroundColor;
  const keys = [...document.querySelectorAll('#timeline-legend .key')].map(look);
  return [...document.querySelectorAll('#timeline-moment, #timeline-marks .mark, #timeline-hits .hit-mark')]
    .filter((e) => !keys.includes(look(e))).map((e) => e.id || e.className); }"""


def test_every_kind_of_mark_on_the_timeline_has_its_key_in_the_legend(browser):
    """The query's matches in the video (violet strips on the timeline) had no key under it: only the moment, the
    other results and the time playing were named, so what the violet meant was told to no one (WCAG 1.4.1)."""
    page, errors = _open(browser, "/?q=mitochondria")
    page.wait_for_selector(".result")
    _with_marks(page)
    page.wait_for_selector("#timeline-hits .hit-mark")
    assert page.evaluate(LEGEND) == []
    page.emulate_media(forced_colors="active")
    assert page.evaluate(LEGEND) == []
    assert not errors, errors
    page.close()


def test_a_bar_whose_channel_matched_by_sound_says_so(browser):
    """A result found by sound alone ("glazier" for a lecture whose speech reads "glacier") showed "lexical 1.00"
    like an exact word, its text without the query's words marked: the bar of a channel in the result's `by_sound`
    says "by sound" (its tooltip why); the others do not."""
    page, errors = _open(browser, "/?q=mitochondria")
    page.wait_for_selector(".result")
    page.evaluate("() => { results[0].channels = {transcript: .2, lexical: 1, ocr: .5}; "
                  "results[0].by_sound = ['lexical']; render(shownQuery); }")
    bars = page.eval_on_selector_all(".result[data-index='0'] .bar",
                                     "els => els.map((e) => [e.classList[1], e.querySelector('.value').textContent, "
                                     "e.title])")
    assert [(name, value) for name, value, _ in bars] == [("transcript", "0.20"), ("lexical", "1.00 by sound"),
                                                          ("ocr", "0.50")]
    assert "matched by sound" in bars[1][2] and "by sound" not in bars[0][2] + bars[2][2]
    assert not errors, errors
    page.close()


def test_a_result_shows_the_slide_text_that_matched_beside_its_speech(browser):
    """"Westphalia", written only on a slide: the page showed the moment's speech ("This session is about how
    European states ended a long war"), which does not hold the word, beside an "ocr 0.97" bar; the CLI printed
    the slide's text under it. The page now shows it too, its words marked; a result whose snippet is its slide
    text shows it once."""
    page, errors = _open(browser, "/?q=mitochondria")
    page.wait_for_selector(".result")
    page.evaluate("() => { results[0].evidence = {ocr: 'Mitochondria · the powerhouse'}; "
                  "results[1].evidence = {ocr: results[1].snippet}; render(shownQuery); }")
    first = page.eval_on_selector_all(".result[data-index='0'] .snippet", "els => els.map((e) => e.innerHTML)")
    assert first == [SENTENCES[1].replace("Mitochondria", "<mark>Mitochondria</mark>"),
                     "slide: <mark>Mitochondria</mark> · the powerhouse"]
    assert page.locator(".result[data-index='1'] .snippet").count() == 1
    assert not errors, errors
    page.close()


def test_a_result_whose_slide_words_came_from_the_deck_names_its_page(browser):
    """A slide's words that OCR did not read, added from the page of lecture.pdf the slide shows, ranked a result:
    the CLI says "ocr 0.71 (deck lecture.pdf p. 3)", the page only "ocr 0.71" (its `deck` was not shown). The slide
    bar's text names the page (a screen reader reads it, not a hover's tooltip), in AA contrast, and a long deck name
    wraps on a phone rather than scroll the page sideways; a result without a deck says nothing of one."""
    from test_page_a11y import CONTRAST

    deck = "2024-03-12 History of Rome, lecture 4 (recording).pdf p. 12"
    page, errors = _open(browser, "/?q=mitochondria", 320)
    page.wait_for_selector(".result")
    page.evaluate(f"() => {{ results[0].deck = {deck!r}; render(shownQuery); }}")
    bars = page.eval_on_selector_all(".result .bar", "els => els.map((e) => [e.closest('.result').dataset.index, "
                                     "e.classList[1], e.textContent, e.title])")
    with_deck = [(i, name) for i, name, text, title in bars if "deck" in text + title]
    assert with_deck == [("0", "ocr")], bars
    ocr = next(text for i, name, text, _ in bars if (i, name) == ("0", "ocr"))
    assert ocr == f"ocr0.45(deck {deck})"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
    assert page.evaluate(CONTRAST) == []
    assert not errors, errors
    page.close()
