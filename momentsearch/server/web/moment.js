// Around the playing video: chapters (list + timeline marks), the transcript panel (current sentence
// highlighted, click to seek, query words marked), every hit of the query in this video on the
// timeline, "search in this video", "download clip" and "copy link to this moment".
// Loaded after app.js, whose globals it uses (els, current, api, fmt, escapeHtml, highlight).
"use strict";

const mx = {
  chapters: $("chapters"), transcript: $("transcript"), tlChapters: $("timeline-chapters"),
  tlHits: $("timeline-hits"), scope: $("scope-video"), clip: $("clip-link"), copy: $("copy-link"),
  srt: $("subs-link"), vtt: $("vtt-link"),
  source: $("video-source"), tools: $("moment-tools"),
};
let shownVideo = null;     // the video whose chapters and transcript are shown
let sentences = [];
let chapterList = [];
let hits = [];
let nowIndex = -1;
let videoInfo = {};        // video_id -> /api/videos row (sources, language)

// app.js's search() adds this to /api/search when "search in this video" is ticked
// the video the address names with "in=video" (a link, Back), else the one playing; never a photo
window.searchScope = () => {
  if (!mx.scope.checked) return "";
  const p = new URLSearchParams(location.search);
  const v = p.get("in") === "video" && p.get("v") ? p.get("v")
    : current && current.kind !== "photo" ? current.video_id : null;
  return v ? "&video=" + encodeURIComponent(v) : "";
};

function query() { return shownQuery; }  // the query whose results are shown (not what is being typed)

async function showVideo(m) {
  if (!m || m.kind === "photo") { mx.tools.hidden = true; return; }
  mx.tools.hidden = false;
  updateTools(m);
  if (shownVideo === m.video_id) { loadHits(m); return; }
  shownVideo = m.video_id;
  sentences = []; chapterList = []; hits = []; nowIndex = -1;
  mx.chapters.innerHTML = mx.transcript.innerHTML = mx.tlChapters.innerHTML = mx.tlHits.innerHTML = "";
  const id = encodeURIComponent(m.video_id);
  const [toc, text] = await Promise.all([
    api("api/chapters/" + id).catch(() => ({ chapters: [] })),
    api("api/transcript/" + id).catch(() => ({ sentences: [], source: "", language: "" })),
  ]);
  if (shownVideo !== m.video_id) return;
  chapterList = toc.chapters;
  sentences = text.sentences;
  const from = text.source ? "speech from " + text.source : "";
  mx.source.textContent = [from, text.language ? "language: " + text.language : ""].filter(Boolean).join(" · ");
  mx.chapters.innerHTML = chapterList.map((c, i) =>
    `<li data-i="${i}" data-t="${c.start}" tabindex="0"><span class="t">${fmt(c.start)}</span> ${escapeHtml(c.title)}</li>`).join("");
  renderTranscript();
  drawMarks();
  loadHits(m);
  markNow();
}

function renderTranscript() {
  mx.transcript.innerHTML = sentences.map((s, i) =>
    `<li data-i="${i}" data-t="${s.start}" tabindex="0"><span class="t">${fmt(s.start)}</span> ` +
    `${highlight(s.text, query())}</li>`).join("");
  nowIndex = -1;
}

async function loadHits(m) {
  const q = query();
  hits = [];
  if (q) {
    try {
      const body = await api(`api/search?k=50&q=${encodeURIComponent(q)}&video=${encodeURIComponent(m.video_id)}`);
      if (shownVideo === m.video_id) hits = body.results;
    } catch (_) { /* the main search reports errors */ }
  }
  drawMarks();
}

function drawMarks() {
  const d = indexLength();
  if (!isFinite(d) || d <= 0) return;
  const pct = (t) => `${Math.max(0, Math.min(100, (t / d) * 100))}%`;
  mx.tlChapters.innerHTML = chapterList.map((c) =>
    `<div class="chapter-mark" style="left:${pct(c.start)}" title="${escapeHtml(fmt(c.start) + " " + c.title)}"></div>`).join("");
  mx.tlHits.innerHTML = hits.map((h) =>
    `<div class="hit-mark" style="left:${pct(h.start)};width:calc(${pct(h.end)} - ${pct(h.start)})" ` +
    `title="hit ${fmt(h.start)}–${fmt(h.end)}"></div>`).join("");
}

function updateTools(m) {
  const start = Math.max(0, m.start), end = Math.max(m.end, m.start + 5);
  // the token, when the server has one, rides in the /api cookie (never in a URL)
  mx.clip.href = `api/clips/${encodeURIComponent(m.video_id)}?start=${start.toFixed(2)}&end=${end.toFixed(2)}`;
  mx.clip.setAttribute("download", "");
  const subs = `api/transcript/${encodeURIComponent(m.video_id)}?format=`;
  mx.srt.href = subs + "srt";
  mx.vtt.href = subs + "vtt";
}

function momentLink() {
  const t = isFinite(els.player.currentTime) && !els.player.paused ? indexNow() : current.start;
  return `${location.origin}${location.pathname}${momentHref(current, t)}`;
}

mx.copy.addEventListener("click", async () => {
  if (!current) return;
  const link = momentLink();
  try {
    await navigator.clipboard.writeText(link);
    mx.copy.textContent = "Link copied";
    els.announce.textContent = "Link copied";  // the button's new words are not read out while it has focus
  } catch (_) {
    prompt("Copy this link:", link);
  }
  mx.copy.dataset.link = link;
  setTimeout(() => { mx.copy.textContent = "Copy link to this moment"; }, 2000);
});

// scrolls `list` (and nothing around it: the page stays where the reader left it) so that `li` shows in it
function scrollWithin(list, li) {
  const box = list.getBoundingClientRect(), row = li.getBoundingClientRect();
  if (row.top < box.top) list.scrollTop -= box.top - row.top;
  else if (row.bottom > box.bottom) list.scrollTop += row.bottom - box.bottom;
}

function seekTo(ev) {
  const li = ev.target.closest("li[data-t]");
  if (!li) return;
  playFrom(parseFloat(li.dataset.t));
}
mx.chapters.addEventListener("click", seekTo);
mx.transcript.addEventListener("click", seekTo);
for (const list of [mx.chapters, mx.transcript]) {
  list.addEventListener("keydown", (ev) => {  // a chapter or a sentence has focus (Tab): Enter or Space plays it
    if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); seekTo(ev); }
  });
}

// the chapter and sentence at the player's time marked: as it plays, and as soon as the lists are drawn (a link's
// time is marked before it plays; a short last chapter had ended before a late list came, and was never marked)
function markNow() {
  const t = indexNow();
  let i = -1;
  for (let j = 0; j < sentences.length && sentences[j].start <= t + 0.05; j++) i = j;
  // the chapter first: a seek within one sentence's time, or a video without speech, still moves it
  mx.chapters.querySelectorAll("li").forEach((c) => {
    const k = Number(c.dataset.i), last = k === chapterList.length - 1;  // (the last one still at the very end)
    const now = chapterList[k].start <= t && (t < chapterList[k].end || last);
    // a long recording's list scrolls (dozens of chapters): the one playing is kept in sight, as the sentence is
    if (now && !c.classList.contains("now") && !mx.chapters.matches(":hover")) scrollWithin(mx.chapters, c);
    setCurrent(c, now, "now");
  });
  if (i === nowIndex) return;
  const old = mx.transcript.querySelector("li.now");
  if (old) setCurrent(old, false, "now");
  nowIndex = i;
  const li = mx.transcript.querySelector(`li[data-i="${i}"]`);
  if (li) {
    setCurrent(li, true, "now");
    if (!mx.transcript.matches(":hover")) scrollWithin(mx.transcript, li);  // not the page: the player stays in view
  }
}
els.player.addEventListener("timeupdate", markNow);
els.player.addEventListener("loadedmetadata", () => { if (current) showVideo(current); drawMarks(); });
els.player.addEventListener("seeked", () => { if (current && shownVideo !== current.video_id) showVideo(current); });
document.addEventListener("searched", () => {
  if (current && current.kind !== "photo") { renderTranscript(); loadHits(current); markNow(); }
});
document.addEventListener("opened", () => { if (current) showVideo(current); });  // clicked, or Enter, j or k
