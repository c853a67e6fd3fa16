// momentsearch page, second script: the start page (indexed files, example queries), weak results
// marked as weak, and where captions show (below the video, on it, or off). Uses app.js's globals
// (els, render, search, openMoment, api, fmt, escapeHtml, shownName) and adds no build step. Also the toggle
// that turns the one-letter keys off.
"use strict";

const WEAK_SCORE = 0.3;  // below this a result matched faintly (one channel, a little): shown faded
const CAPTION_MODES = ["below", "over", "off"];  // below the video (slide stays visible), on it, none
const home = document.getElementById("home");
const captionLine = document.getElementById("caption-line");
const captionsToggle = document.getElementById("captions-toggle");
let captionMode = store.get("momentsearch-captions") || "below";

// -- weak results ----------------------------------------------------------------------------
const renderResults = render;
render = function (query) {  // eslint-disable-line no-func-assign
  renderResults(query);
  home.hidden = true;
  document.querySelectorAll(".result").forEach((li) => {
    const r = results[Number(li.dataset.index)];
    if (!r || r.score >= WEAK_SCORE) return;
    li.classList.add("weak");
    li.title = `weak match (score ${r.score.toFixed(2)}): only a faint match on ${Object.keys(r.channels || {})
      .filter((c) => r.channels[c] > 0).join(", ") || "no channel"}`;
    const range = li.querySelector(".range");
    if (range) range.insertAdjacentHTML("beforebegin", '<span class="weak-label">weak</span>');
  });
};

// -- start page --------------------------------------------------------------------------------
async function showHome() {
  const p = new URLSearchParams(location.search);
  if (p.get("q") || p.get("v")) return;
  let videos = [], examples = [];
  try {
    videos = (await videoList()).videos || [];  // every page of them (app.js)
    examples = (await api("api/examples")).examples || [];
  } catch (_) { return; }  // app.js already says what went wrong
  if (!videos.length || els.results.children.length) return;
  document.getElementById("examples").innerHTML = examples.map((q) =>
    `<a href="?q=${encodeURIComponent(q)}" data-q="${escapeHtml(q)}">${escapeHtml(q)}</a>`).join("");
  document.getElementById("videos").innerHTML = videos.map((v, i) =>
    `<li data-i="${i}" tabindex="0" title="${escapeHtml(shownName(v.path || v.name || ""))}"><span class="name">${escapeHtml(shownName(v.name || v.video_id))}</span>` +
    `<span class="meta">${v.kind === "photo" ? "photo" : fmt(v.duration)} · ${escapeHtml((v.channels || []).join(", "))}</span></li>`).join("");
  const open = (li) => {
    const v = videos[Number(li.dataset.i)];
    const m = { video_id: v.video_id, name: v.name, kind: v.kind, start: 0, end: 0,
                media_url: here(v.media_url) || "api/media/" + v.video_id,
                captions_url: here(v.captions_url) || "api/captions/" + v.video_id + ".vtt" };
    history.pushState(null, "", momentHref(m));  // the address names the file (a reload, a copied link; Back: here)
    openMoment(m);
  };
  document.querySelectorAll("#videos li").forEach((li) => {
    li.addEventListener("click", () => open(li));
    li.addEventListener("keydown", (ev) => { if (ev.key === "Enter") open(li); });
  });
  home.hidden = false;
}
document.getElementById("examples").addEventListener("click", (ev) => {
  const a = ev.target.closest("a[data-q]");
  if (!a) return;
  ev.preventDefault();
  els.q.value = a.dataset.q;
  els.form.requestSubmit();
});
els.form.addEventListener("submit", () => { home.hidden = true; });

// -- captions ----------------------------------------------------------------------------------
function applyCaptions() {
  els.pane.classList.toggle("captions-over", captionMode === "over");
  els.pane.classList.toggle("captions-off", captionMode === "off");
  captionsToggle.textContent = "Captions: " + captionMode;
  for (const track of els.player.textTracks) {
    // "hidden" still fires cuechange, so the line below the video can show the cue
    track.mode = captionMode === "over" ? "showing" : captionMode === "below" ? "hidden" : "disabled";
    track.oncuechange = showCaptionLine;
  }
  if (captionMode !== "below") captionLine.textContent = "";
}
// the cues on screen now: the active ones that hold the player's time (a cue list being moved onto the file's
// clock, or a loaded machine's late cue event, can leave a cue active that no longer holds it)
function showCaptionLine() {
  if (captionMode !== "below") return;
  const t = els.player.currentTime, lines = [];
  for (const track of els.player.textTracks) {
    if (track.mode === "disabled") continue;
    for (const c of track.activeCues || []) {  // a cue's text is WebVTT ("Q&amp;A"): its plain words as shown
      if (c.startTime <= t + 0.05 && c.endTime > t - 0.05) lines.push(c.getCueAsHTML ? c.getCueAsHTML().textContent : c.text);
    }
  }
  captionLine.textContent = lines.join(" ").replace(/\s+/g, " ");  // a cue's two lines are one line here
}
for (const name of ["seeked", "pause", "timeupdate"]) els.player.addEventListener(name, showCaptionLine);
captionsToggle.addEventListener("click", () => {
  captionMode = CAPTION_MODES[(CAPTION_MODES.indexOf(captionMode) + 1) % CAPTION_MODES.length];
  store.set("momentsearch-captions", captionMode);
  applyCaptions();
});
els.player.textTracks.addEventListener("addtrack", () => setTimeout(applyCaptions, 0));
els.player.addEventListener("loadedmetadata", applyCaptions);

// -- one-letter keys (j, k, /) on or off, remembered (app.js's keydown asks letterKeysOn()) --------------------
const letterKeys = document.getElementById("letter-keys");
letterKeys.checked = letterKeysOn();
letterKeys.addEventListener("change", () => store.set(LETTER_KEYS, letterKeys.checked ? "on" : "off"));
if (!CAPTION_MODES.includes(captionMode)) captionMode = "below";
applyCaptions();
showHome();

// -- narrow screens: the player before the results in the page's order too ---------------------
// Below 800 px style.css shows the player above the results: Tab reached it only after every result (WCAG 2.4.3).
// There it comes first in the page; on a wide screen after them, as it stands right of them.
const narrow = window.matchMedia("(max-width: 800px)");
function placePlayer() {
  const list = document.getElementById("results-pane");
  if (narrow.matches ? list.previousElementSibling === els.pane : list.nextElementSibling === els.pane) return;
  const focused = document.activeElement;  // moved with its pane, it would lose the focus
  if (narrow.matches) list.before(els.pane);
  else list.after(els.pane);
  if (focused && focused !== document.activeElement && els.pane.contains(focused)) {
    focused.focus({ preventScroll: true });
  }
}
narrow.addEventListener("change", placePlayer);
placePlayer();
