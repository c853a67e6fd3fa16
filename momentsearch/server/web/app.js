// momentsearch page: search box -> /api/search -> result list -> HTML5 player at the moment's start.
// Plain JS, no build step. State lives in the URL: ?q=QUERY&v=VIDEO_ID#t=SECONDS.
"use strict";

const $ = (id) => document.getElementById(id);
const els = {
  form: $("search-form"), q: $("q"), image: $("image"), status: $("status"), results: $("results"),
  info: $("index-info"), pane: $("player-pane"), player: $("player"), title: $("now-playing"),
  timeline: $("timeline"), marks: $("timeline-marks"), moment: $("timeline-moment"), head: $("timeline-head"),
  momentTime: $("moment-time"), dropHint: $("drop-hint"), photo: $("photo"), wordsAt: $("words-at"),
  announce: $("announce"),
};
const HIT_NOTE_S = 5;      // a moment whose matched words lie this far past its start offers to play from them
const HIT_LEAD_S = 3;      // ... starting this long before them (a sentence's time is estimated from its characters)

// where in a long moment its words matched (null when they are at its start, or it has none)
function wordsAt(m) {
  return m && m.kind !== "photo" && m.hit && m.hit[0] - m.start >= HIT_NOTE_S ? m.hit[0] : null;
}
const PAGE = 20;            // results asked for at first; "More results" asks for the next this many
const MAX_K = 100;          // the server's most (/api/search refuses more)
const MAX_QUERY_CHARS = 2000;  // the server's longest query (options.MAX_QUERY_CHARS): cut here, saying so
const SLOW_MS = 2500;        // after this a search says it is still working
const TIMEOUT_MS = 120000;   // after this a search is abandoned with a message
const params = new URLSearchParams(location.search);
// The browser's storage, where it allows it: in an iframe of another site (a course site's) a browser that blocks
// third-party storage throws on every localStorage call, which stopped the whole page; there it lasts the visit.
const memory = {};
const store = {
  get(key) { try { return localStorage.getItem(key); } catch { return key in memory ? memory[key] : null; } },
  set(key, value) {
    try { localStorage.setItem(key, value); return true; } catch { memory[key] = value; return false; }
  },
};
// The token travels as a header on API calls and as a SameSite=Strict cookie for <video>/<img>/<track>
// (which cannot send headers), never in a URL: a link's ?token= is stored, then dropped from the address.
const token = params.get("token") || store.get("momentsearch-token") || "";
if (params.get("token")) {
  store.set("momentsearch-token", params.get("token"));
  params.delete("token");
  history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : "") + location.hash);
}
// Every address the page asks for is relative to the page ("api/search", and the server's "/api/media/ID" taken as
// "api/media/ID"), so the page works where a reverse proxy serves it under a path prefix (https://host/lectures/).
const here = (url) => (typeof url === "string" && url.startsWith("/api/") ? url.slice(1) : url);
const API_PATH = new URL("api", location.href).pathname;  // "/api", or "/lectures/api" behind such a proxy
if (token) document.cookie = `momentsearch_token=${encodeURIComponent(token)}; path=${API_PATH}; SameSite=Strict`;

let results = [];
let shownQuery = "";      // the text query whose results are shown ("" for an image): what links and the URL hold
const kOf = (p) => Math.min(MAX_K, Math.max(PAGE, parseInt(p.get("k"), 10) || PAGE));  // ?k=: results asked for
let pageSize = kOf(params);  // the results shown (the address's k=, so a link or a reload lists as many)
// a link from an API client's `everywhere` search (its page_url): every file searched, also where the query names
// one lecture, as the client's search did (a search typed here searches as typed)
let everywhere = params.get("everywhere") === "true";
let nextOffset = null;    // the server's `next_offset`: where "More results" asks from (null: no more to ask for)
let shownRead = "";       // the words the results shown were found for (marked in them)
let lastImage = null;     // the image whose results are shown (null for a text query)
let active = -1;
let current = null;       // the moment playing: {video_id, start, end, ...}
let searchSeq = 0;
const lengths = {};       // video_id -> its duration in the index (from /api/videos)
const files = {};         // video_id -> {name, kind} (from /api/videos), for a link to a moment not among the results
const languages = {};     // video_id -> its spoken language ("en", "fr"; "" when unknown), for its captions

// -- API -------------------------------------------------------------------------------------
// a token typed in: kept, and the page loaded again with it (where storage is refused, through the address,
// which the page drops it from at once)
function keepToken(given) {
  if (store.set("momentsearch-token", given)) { location.reload(); return; }
  const p = new URLSearchParams(location.search);
  p.set("token", given);
  location.search = p.toString();
}

function authHeaders(headers = {}) {
  return token ? { ...headers, Authorization: "Bearer " + token } : headers;
}

async function api(url, options = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(here(url), { ...options, headers: authHeaders(options.headers), signal: controller.signal });
  } catch (err) {
    throw new Error(err.name === "AbortError" ? "the server did not answer in time; try again"
                                              : "cannot reach the momentsearch server (" + err.message + ")");
  } finally {
    clearTimeout(timer);
  }
  let body = null;
  try { body = await response.json(); } catch (_) { /* not JSON */ }
  if (!response.ok) {
    const message = (body && body.error) || response.statusText || "unknown error";
    const err = new Error(message);
    err.status = response.status;
    throw err;
  }
  return body;
}

// -- status line -----------------------------------------------------------------------------
function setStatus(text, kind = "") {
  els.status.textContent = text;
  els.status.className = kind;
  els.status.dataset.state = kind || (text ? "info" : "");
}

// "Search for “randdomly” as typed": the query again with each corrected word in quotes (searched as typed)
function asTypedLink(query, corrected, typed) {
  const link = document.createElement("a");
  link.href = "#";
  link.id = "as-typed";
  link.textContent = `Search for ${typed} as typed`;
  link.addEventListener("click", (ev) => {
    ev.preventDefault();
    let q = query;
    for (const [was] of corrected) {
      const plain = was.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      q = q.replace(new RegExp(`(^|[^"\\p{L}\\p{N}])(${plain})(?=$|[^"\\p{L}\\p{N}])`, "u"), '$1"$2"');
    }
    els.q.value = q;
    els.form.requestSubmit();
  });
  return link;
}

function fmt(t) {  // m:ss, or h:mm:ss from an hour on (as the CLI prints times)
  t = Math.max(0, t || 0);
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = Math.floor(t % 60);
  return (h ? `${h}:${String(m).padStart(2, "0")}` : `${m}`) + `:${String(s).padStart(2, "0")}`;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

// a file name as the CLI shows it (cli/output.py safe_text): invisible characters written \u202e. A right-to-left
// override in a name ("lecture\u202egnp.mp4" shown as "lecture4pm.png") or a zero-width space would pass one file
// off as another
function shownName(s) {
  return String(s).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => {
    const code = c.codePointAt(0);
    return code < 0x100 ? "\\x" + code.toString(16).padStart(2, "0")
      : code < 0x10000 ? "\\u" + code.toString(16).padStart(4, "0") : "\\U" + code.toString(16).padStart(8, "0");
  });
}

// letters compared as the search compares them (ranking/accents.py): without accents, "ß" as "ss", "æ" as "ae"
// ..., lower case, so a result found for "Godel" marks "Gödel" and one for "Straße" marks "STRASSE"; compatibility
// forms plain (NFKD), so one for "CO2" marks a caption's "CO₂", and "µm" (micro sign) marks "μm"
const PLAIN = { "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
  "ς": "σ" };
function plainLetter(c) {
  const low = c.toLowerCase();
  return PLAIN[low] ?? low.normalize("NFKD").replace(/\p{M}/gu, "");
}

// a camelCase word's own words too ("HashMap": "Hash", "Map"), as the search takes them (ranking/lexical.py
// camel_split): slide OCR stores the slide's "HashMap" as "Hash Map", and the speech says "hash map"
function camelPieces(word) {
  const pieces = word.split(/(?<=[\p{Ll}\p{N}])(?=\p{Lu})|(?<=\p{Lu})(?=\p{Lu}\p{Ll})/u);
  return pieces.length > 1 && pieces.every((p) => [...p].length >= 2) ? [word, ...pieces] : [word];
}

// the words of the shown results that the search matched by their stem in another form than the query's
// ("glacier" for "glaciers", "run" for "running": the answer's `marked_words`), which letters cannot tell
let markedWords = [];

// `forms`: such words, marked whole (the query's words mark a word they begin)
function highlight(text, query, forms = markedWords) {
  const chars = [...String(text)];
  const escape = (w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const words = ((query || "").match(/[\p{L}\p{N}]{2,}/gu) || []).flatMap(camelPieces)
    .map((w) => escape([...w].map(plainLetter).join("")))
    .concat((forms || []).map((w) => escape([...String(w)].map(plainLetter).join("")) + "(?![\\p{L}\\p{N}])"));
  if (!words.length) return escapeHtml(text);
  let plain = "";
  const from = [];  // for each code unit of `plain`, the character of `text` it was written from
  chars.forEach((c, i) => { const p = plainLetter(c); plain += p; for (let k = 0; k < p.length; k++) from.push(i); });
  // at a word's start only: "volcano" marks "volcanoes", "art" does not mark "start"
  const pattern = new RegExp("(?<![\\p{L}\\p{N}])(?:" + words.join("|") + ")", "gu");
  let html = "", at = 0;
  for (const m of plain.matchAll(pattern)) {
    if (!m[0].length) continue;
    const first = from[m.index];
    let last = from[m.index + m[0].length - 1] + 1;
    while (last < chars.length && /\p{M}/u.test(chars[last])) last++;  // a decomposed accent goes with its letter
    if (first < at) continue;
    const marked = escapeHtml(chars.slice(first, last).join(""));
    html += escapeHtml(chars.slice(at, first).join("")) + `<mark>${marked}</mark>`;
    at = last;
  }
  return html + escapeHtml(chars.slice(at).join(""));
}

// a query the server takes, as the CLI and the Python API cut one: whitespace collapsed, at most MAX_QUERY_CHARS
// characters, cut between words; and how many words the cut left out (a pasted paragraph's tail)
function withinLimit(query) {
  const whole = String(query).split(/\s+/).filter(Boolean).join(" ");
  const chars = [...whole];
  if (chars.length <= MAX_QUERY_CHARS) return [whole, 0];
  let cut = chars.slice(0, MAX_QUERY_CHARS).join("");
  if (chars[MAX_QUERY_CHARS] !== " " && cut.includes(" ")) cut = cut.slice(0, cut.lastIndexOf(" "));
  cut = cut.trimEnd();
  return [cut, whole.split(" ").length - cut.split(" ").length];
}

function leftOutNote(words) {
  return words ? `Only the first ${MAX_QUERY_CHARS.toLocaleString("en")} characters of the query were searched: `
    + `its last ${words.toLocaleString("en")} word${words > 1 ? "s were" : " was"} left out; put what to find `
    + "first, or shorten it. " : "";
}

// a lecture the query names ("recursion in week 3"): searched in that file alone, said so, with a link that
// searches the topic alone in every file
// (or one that several files could be: every file searched, as the CLI says, naming them)
function lectureNote(body) {
  const fileName = (path) => shownName(path.split(/[\\/]/).pop());
  if (!body.searched_in) {
    const could = body.lecture_could_be || [];
    if (!could.length) return "";
    const names = could.map(fileName);
    const listed = names.length > 1 ? names.slice(0, -1).join(", ") + " or " + names[names.length - 1] : names[0];
    return `“${body.ambiguous_lecture}” could be ${listed}, so every file was searched; `
      + "name the lecture more closely to search one. ";
  }
  return `Searched in ${fileName(body.searched_in)} only, the lecture the query names (“${body.named_lecture}”). `;
}

function everywhereLink(topic) {
  const link = document.createElement("a");
  link.href = "#";
  link.id = "everywhere";
  link.textContent = `Search for “${topic}” in every file`;
  link.addEventListener("click", (ev) => {
    ev.preventDefault();
    els.q.value = topic;
    els.form.requestSubmit();
  });
  return link;
}

// a long query as a status line shows it: its start
const shortQuery = (query) => ([...query].length > 80 ? [...query].slice(0, 80).join("") + "…" : query);

// -- searching -------------------------------------------------------------------------------
// The results shown stay until the new ones come (a failed search leaves them, under its error).
async function search(query, { image = null, keepMoment = false } = {}) {
  const seq = ++searchSeq;
  let leftOut = 0;  // words past MAX_QUERY_CHARS, not searched: the server would refuse the whole query
  if (!image) [query, leftOut] = withinLimit(query);
  if (!keepMoment) pageSize = PAGE;  // a new search; a link's or Back's keeps its ?k=
  els.announce.textContent = "";  // a screen reader hears the count again when the next one comes
  setStatus("Searching…", "loading");
  const slow = setTimeout(() => {
    if (seq === searchSeq) setStatus("Still searching… the first search after start-up can take a while.", "slow");
  }, SLOW_MS);
  try {
    const body = await askServer(query, image, pageSize, 0);
    if (seq !== searchSeq) return;
    results = body.results;
    nextOffset = Number.isInteger(body.next_offset) ? body.next_offset : null;
    markedWords = image ? [] : body.marked_words || [];
    active = -1;
    shownQuery = image ? "" : query;
    // the tab and the history entry name the search (a screen reader says the title; tabs of moments opened side
    // by side were all "momentsearch")
    document.title = `${image ? "image " + image.name : "“" + query + "”"} – momentsearch`;
    lastImage = image;
    // an image is also searched by the words on it; a query with typos by the words put right
    const read = image ? (body.image_text || "") : (body.searched_for || query);
    render(shownRead = read);
    const corrected = image ? [] : body.corrected || [];
    const typed = corrected.map(([was]) => `“${was}”`).join(", ");
    // as the CLI says it above results or none: what was searched instead of the typed words
    const instead = typed ? `${corrected.length > 1 ? "are" : "is"} in no indexed speech or slide text. ` : "";
    // the status line shows only notes: the count is for screen readers ("No moments found" is the status's)
    els.announce.textContent = results.length ? `${results.length} result${results.length > 1 ? "s" : ""}` : "";
    if (!results.length) {
      setStatus(`No moments found for “${image ? image.name : shortQuery(query)}”. ` + leftOutNote(leftOut)
                + (image ? "" : lectureNote(body))
                + (typed ? `Searched for “${read}”: ${typed} ${instead}` : "")
                + (body.empty_note || "Try other words."), "empty");
    } else {
      setStatus(image && read ? `Words read on the image: ${read}` + (body.image_note ? ` (${body.image_note})` : "")
        : leftOutNote(leftOut) + lectureNote(body)
          + (typed ? `Showing results for “${read}”: ${typed} ${instead}` : "")
          + (body.picture_note ? `Note: ${body.picture_note}.` : ""));
      els.status.dataset.state = "results";
    }
    if (typed) els.status.append(results.length ? "" : " ", asTypedLink(query, corrected, typed));
    if (!image && body.searched_in) els.status.append(" ", everywhereLink(read));
    if (body.warnings && body.warnings.length) els.info.textContent = body.warnings.map(shownName).join(" ");  // they name files
    document.dispatchEvent(new CustomEvent("searched"));  // moment.js marks the new query's words
    if (keepMoment) openFromUrl();
  } catch (err) {
    if (seq !== searchSeq) return;
    failed("Search", err);
  } finally {
    clearTimeout(slow);
  }
}

// a search that failed, said in the status line (a server that needs its token asks for it)
function failed(what, err) {
  if (err.status === 401) {
    const given = prompt("This server needs its access token:");
    if (given) { keepToken(given); return; }
  }
  setStatus(`${what} failed: ` + err.message, "error");
}

// one page of /api/search's ranked results: `k` of them after the first `offset`
function askServer(query, image, k, offset) {
  const scope = window.searchScope ? window.searchScope() : "";  // moment.js: "&video=ID" for "in this video"
  const from = offset > 0 ? `&offset=${offset}` : "";
  const all = everywhere ? "&everywhere=true" : "";
  if (!image) return api(`api/search?k=${k}${from}${all}&q=` + encodeURIComponent(query) + scope);
  const form = new FormData();
  form.append("image", image);
  form.append("k", String(k));
  if (offset > 0) form.append("offset", String(offset));
  if (scope) form.append("video", decodeURIComponent(scope.slice("&video=".length)));
  return api("api/search", { method: "POST", body: form });
}

const sameMoment = (a, b) => a.video_id === b.video_id && a.start === b.start && a.kind === b.kind;

// "More results": the next page of the results shown (from the server's `next_offset`), added under them. It asked
// for a bigger `k` and drew the whole list again, and showed the button whenever the list was full, also where the
// search had found no more (pressing it then only drew the same list again)
async function showMore(button) {
  const seq = searchSeq, list = results, shownBefore = results.length;
  button.disabled = true;
  button.textContent = "Loading more…";
  els.announce.textContent = "";
  let body;
  try {
    body = await askServer(shownQuery, lastImage, PAGE, nextOffset);
  } catch (err) {
    if (seq !== searchSeq || results !== list) return;
    Object.assign(button, { disabled: false, textContent: "More results" });
    failed("More results", err);
    return;
  }
  if (seq !== searchSeq || results !== list) return;  // another search (or page) came meanwhile
  // a result the earlier pages showed is not shown twice (the index written in between can move one down a page)
  const fresh = body.results.filter((r) => !list.some((s) => sameMoment(s, r)));
  results = list.concat(fresh);
  nextOffset = Number.isInteger(body.next_offset) ? body.next_offset : null;
  pageSize = Math.min(MAX_K, Math.max(PAGE, results.length));
  if (!lastImage) markedWords = [...new Set([...markedWords, ...(body.marked_words || [])])];
  render(shownRead);
  els.announce.textContent = fresh.length ? `${fresh.length} more result${fresh.length > 1 ? "s" : ""}`
                                          : "No more results";
  // the moment playing stays marked (and playing); the address says how many are shown
  active = current ? results.findIndex((r) => sameMoment(r, current.copyOf || current)) : -1;
  markActive(active);
  updateUrl(current);
  if (current) drawTimeline();
  // the "More results" button pressed is gone with the old list, and the focus with it (to the page's top):
  // a keyboard user goes on at the first new result
  const next = document.querySelector(`.result[data-index="${shownBefore}"]`);
  if (next && (!document.activeElement || document.activeElement === document.body)) next.focus();
}

// why a result ranked: each channel's score as a bar and a number (a photo: the channels that found it); "by sound"
// where its words only sound like the query's (a word heard or read wrong: the text shown does not hold the query's);
// the slide's bar names the page of the lecture's PDF deck its matched words came from (`deck`, as the CLI's
// "ocr 0.71 (deck lecture.pdf p. 3)"): in its text, not only its tooltip, so a screen reader and a phone tell it
function channelBars(r) {
  const shown = Object.entries(r.channels || {}).filter(([, v]) => r.kind !== "photo" || v > 0);
  const bySound = new Set(r.by_sound || []);
  return shown.map(([name, value]) => {
    const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
    const sound = bySound.has(name);
    const deck = name === "ocr" && r.deck ? r.deck : "";
    return `<span class="bar ${escapeHtml(name)}" title="${escapeHtml(name)}: ${value.toFixed(3)}${
      sound ? ", matched by sound: the query's words are not written there" : ""}${deck
      ? `, words OCR did not read on the slide, from the page it shows of the lecture's PDF deck (${
        escapeHtml(deck)})` : ""}">` +
      `${escapeHtml(name)}<span class="track"><span class="fill" style="width:${pct}%"></span></span>` +
      `<span class="value">${value.toFixed(2)}${sound ? " by sound" : ""}</span>${
        deck ? `<span class="deck">(deck ${escapeHtml(deck)})</span>` : ""}</span>`;
  }).join("") + `<span class="total">score <span class="value">${r.score.toFixed(2)}</span></span>`;
}

// the address of a moment: ?q=QUERY&v=VIDEO_ID#t=SECONDS (a result's name links there: a new tab opens it)
function momentHref(m, t = m.start) {
  const p = new URLSearchParams();
  if (shownQuery) p.set("q", shownQuery);
  if (m) p.set("v", m.video_id);
  if (pageSize > PAGE) p.set("k", String(pageSize));
  if ((!m || m.kind !== "photo") && window.searchScope && window.searchScope()) p.set("in", "video");  // ticked
  if (everywhere && shownQuery) p.set("everywhere", "true");
  return "?" + p.toString() + (m ? "#t=" + Math.max(0, t).toFixed(1) : "");
}

// a thumbnail the server refuses (the file moved away or changed since indexing) shows the empty box, not
// the browser's broken-image icon ('error' does not bubble: caught on the way down)
els.results.addEventListener("error", (ev) => {
  if (ev.target.tagName !== "IMG") return;
  const box = document.createElement("div");
  box.className = "nothumb";
  box.title = "no picture: the file cannot be read";
  ev.target.replaceWith(box);
}, true);

function render(query) {
  els.results.innerHTML = results.map((r, i) => {
    const snippet = r.snippet || r.text || (r.evidence && r.evidence.ocr) || "";
    // the slide text that matched, when the snippet is speech (as the CLI's "slide:" line): a result ranked by a
    // word on its slide would otherwise show only speech that does not hold it
    const slide = (r.evidence && r.evidence.ocr) || "";
    const thumb = r.thumb_url ? `<img src="${escapeHtml(here(r.thumb_url))}" alt="" loading="lazy">`
                              : `<div class="nothumb"></div>`;
    return `<li class="result" data-index="${i}" tabindex="0">${thumb}<div>
      <div class="head"><a class="name" href="${escapeHtml(momentHref(r))}" tabindex="-1"
        title="${escapeHtml(shownName(r.name))}">${i + 1}. ${escapeHtml(shownName(r.name))}</a>
      <span class="range">${r.kind === "photo" ? "photo" : fmt(r.start) + "–" + fmt(r.end)}${
        wordsAt(r) === null ? "" : " · words " + fmt(wordsAt(r))}</span></div>
      <p class="snippet">${highlight(snippet, query)}</p>${slide && slide !== snippet
        ? `<p class="snippet slide">slide: ${highlight(slide, query)}</p>` : ""}${alsoIn(r)}
      <div class="bars" title="why it ranked: score ${r.score.toFixed(3)}">${channelBars(r)}</div>
      </div></li>`;
  }).join("") + (nextOffset !== null && results.length < MAX_K
    ? `<li class="more"><button type="button" id="more-results">More results</button></li>` : "");
}

// -- a result's other files -------------------------------------------------------------------
// A result's `copies`: identical files (the same recording: the server plays one of them) and twins, the same
// lecture trimmed or with another intro (search/twins.py), where the moment starts at another second (`copies_at`)
// and which the server plays by their own id (`copies_ids`). "also in FILE at 0:10": a twin's is a link that plays
// the moment there (its address, ?v=ID#t=SECONDS, opens it too).
const COPIES_SHOWN = 3;  // a result names this many of its other files; the rest are counted ("and 2 more")

function copiesOf(r) {
  return (r.copies || []).map((path, k) => {
    const id = (r.copies_ids || {})[path] || r.video_id;
    return { k, path, id, name: path.split(/[\\/]/).pop(), at: (r.copies_at || {})[path] ?? r.start,
             twin: id !== r.video_id && Object.hasOwn(files, id) && r.kind !== "photo" };
  });
}

function alsoIn(r) {
  const copies = copiesOf(r);
  if (!copies.length) return "";
  const own = r.video.split(/[\\/]/).pop();
  const named = copies.slice(0, COPIES_SHOWN).map((c) => {  // a copy under the result's own name: with its folder
    const name = escapeHtml(shownName(c.name === own ? c.path.split(/[\\/]/).slice(-2).join("/") : c.name));
    return c.twin ? `<a class="copy" href="${escapeHtml(momentHref({ video_id: c.id, kind: r.kind }, c.at))}" `
      + `data-copy="${c.k}" title="${escapeHtml(shownName(c.path))}: play this moment there">${name} at ${
        fmt(c.at)}</a>` : `<span title="${escapeHtml(shownName(c.path))}">${name}</span>`;
  });
  const more = copies.length - named.length;
  return `<p class="copies">also in ${named.join(", ")}${more > 0 ? ` and ${more} more` : ""}</p>`;
}

// result r's moment in its twin file (copiesOf): as long as in r's file, and within the twin's length
function copyMoment(r, c) {
  const shift = c.at - r.start, length = lengths[c.id];
  const end = length > 0 ? Math.min(length, r.end + shift) : r.end + shift;
  return { ...r, video_id: c.id, video: c.path, name: c.name, start: c.at, end: Math.max(c.at, end),
           hit: r.hit ? r.hit.map((t) => t + shift) : null, copies: [], copies_at: {}, copies_ids: {},
           media_url: "api/media/" + c.id, captions_url: "api/captions/" + c.id + ".vtt", copyOf: r };
}

// the result with a twin file `v` where its moment starts at t (a link to a twin's moment): [index, moment] or null
function copyAt(v, t) {
  for (const [i, r] of results.entries()) {
    const c = copiesOf(r).find((c) => c.twin && c.id === v && Math.abs(c.at - t) < 0.5);
    if (c) return [i, copyMoment(r, c)];
  }
  return null;
}

// -- the player's clock ----------------------------------------------------------------------
// Index times count from a file's first timestamp, its origin (/api/clock), and so does Firefox's player.
// Chromium's keeps the file's own timestamps in MP4 and Matroska/WebM: in a file starting at 10 s the
// picture of index time 6.5 is at currentTime 16.5, and a seek to 6.5 lands on 10 (or, in an H.264-only
// Matroska, stays on 6.5 showing the first picture). So when the origin is not 0, which clock the player
// keeps is measured once per file: after a seek to a quarter of the origin, where it landed and the time of
// the picture shown (a seek to where the player already is shows no new picture, so it would tell nothing).
// Everything that turns an index time into currentTime or back goes through toPlayer/indexNow/seekIndex.
const MAX_SEEK_STEPS = 2000;  // see seekIndex: ~3 s each (Chromium 156), enough for an MP4 ~6,000 s late
const clock = { offset: 0, ready: Promise.resolve(), seq: 0 };
const toPlayer = (t) => t + clock.offset;
const indexNow = () => Math.max(0, els.player.currentTime - clock.offset);

function once(player, name, ms = 5000) {  // the player's next `name` event, or ms passed (0: no limit)
  return new Promise((resolve) => {
    const done = () => { clearTimeout(timer); player.removeEventListener(name, done); resolve(); };
    const timer = ms ? setTimeout(done, ms) : 0;
    player.addEventListener(name, done);
  });
}

function frameTime(player) {  // the media time of the next picture shown; null without one within 10 s
  return new Promise((resolve) => {
    if (!player.requestVideoFrameCallback || !player.videoWidth) { resolve(null); return; }  // no picture
    const timer = setTimeout(() => resolve(null), 10000);
    player.requestVideoFrameCallback((now, meta) => { clearTimeout(timer); resolve(meta.mediaTime); });
  });
}

// for a file just given to the player (before load()): its clock, then the caption cues moved onto it
async function measureClock(player, src, videoId) {
  const [origin] = await Promise.all([
    api("api/clock/" + encodeURIComponent(videoId)).then((b) => b.origin, () => 0),
    player.readyState >= HTMLMediaElement.HAVE_METADATA ? null : once(player, "loadedmetadata", 0)]);
  if (!(origin > 0) || player.dataset.src !== src) return;
  if (player.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) await once(player, "loadeddata");
  const shown = frameTime(player);
  player.currentTime = origin / 4;
  await once(player, "seeked");
  // landed past origin / 2 (MP4, WebM), or shows a picture from there (H.264 Matroska): the file's clock
  const filesClock = player.currentTime > origin / 2 || ((await shown) || 0) > origin / 2;
  if (player.dataset.src !== src) return;
  clock.offset = filesClock ? origin : 0;
  shiftCues();
}

// the transcript's cues (index times) moved onto the player's clock, once each track has loaded
function shiftCues() {
  for (const el of els.player.querySelectorAll("track")) {
    const by = clock.offset - (el.track.shiftedBy || 0);
    if (el.readyState !== HTMLTrackElement.LOADED || !el.track.cues || Math.abs(by) < 1e-6) continue;
    for (const cue of [...el.track.cues]) { cue.startTime += by; cue.endTime += by; }  // (the list re-sorts)
    el.track.shiftedBy = clock.offset;
  }
}

// the index's length of the file playing (Chromium's MP4 duration is no guide to it, see seekIndex)
function indexLength() {
  const known = current && lengths[current.video_id];
  const d = els.player.duration;
  return known > 0 ? known : isFinite(d) ? Math.max(0, d - clock.offset) : NaN;
}

// Seeks to index time t; false when another seek came after it. Chromium's MP4 timeline ends at the header's
// duration (the end minus the start) until it has read further, and a seek past that end lands on it: the
// player, paused meanwhile, steps along the end (each seek there reads ~3 s more) until t is inside.
async function seekIndex(t) {
  const player = els.player, seq = ++clock.seq, want = toPlayer(Math.max(0, t)), playing = !player.paused;
  for (let n = 0; want > player.duration && n < MAX_SEEK_STEPS; n++) {
    const end = player.duration;
    player.pause();
    player.currentTime = end;
    await once(player, "seeked");
    if (seq !== clock.seq) return false;
    if (!(player.duration > end)) break;  // the real end
  }
  player.currentTime = want;
  if (playing && player.paused) player.play().catch(() => {});
  return true;
}

async function playFrom(t) {
  if (!(await seekIndex(t))) return;
  const p = els.player.play();
  if (p && p.catch) p.catch(() => {});
}

// -- playing ---------------------------------------------------------------------------------
function updateUrl(moment, t) {
  history.replaceState(null, "", moment ? momentHref(moment, t ?? moment.start) : momentHref(null, 0));
}

// result i marked as the one playing: a blue border to the eye, aria-current to a screen reader
function markActive(i) {
  document.querySelectorAll(".result").forEach((li) => setCurrent(li, Number(li.dataset.index) === i, "active"));
}

// an item of a list as the one playing (class `name`), or not; aria-current says so where colour cannot
function setCurrent(el, on, name) {
  el.classList.toggle(name, on);
  if (on) el.setAttribute("aria-current", "true");
  else el.removeAttribute("aria-current");
}

// plays result i from its start, or from `from` (a shared link's second inside it); `m`: the result's moment in
// another file of the same lecture (copyMoment)
function play(i, from, m = results[i]) {
  if (i < 0 || i >= results.length) return;
  active = i;
  markActive(i);
  const item = document.querySelector(`.result[data-index="${i}"]`);
  if (item) item.scrollIntoView({ block: "nearest" });
  openMoment(m, from);
  updateUrl(m, from);
  // a narrow screen puts the player above the list: a result tapped far down would play out of sight
  const box = els.pane.getBoundingClientRect();
  if (box.bottom < 0 || box.top > window.innerHeight) els.pane.scrollIntoView({ block: "start" });
}

function openMoment(m, from = m.start) {
  current = m;
  els.pane.hidden = false;
  els.title.textContent = shownName(m.name || m.video_id);
  // a link's time, or a file opened from the start page, is a place to play from, not a moment with an end
  els.momentTime.textContent = m.kind === "photo" ? "photo"
    : m.end > m.start ? `moment ${fmt(m.start)}–${fmt(m.end)}` : `from ${fmt(m.start)}`;
  const words = wordsAt(m);
  els.wordsAt.hidden = words === null;
  if (words !== null) els.wordsAt.textContent = `▶ words at ${fmt(words)}`;
  document.dispatchEvent(new CustomEvent("opened"));  // moment.js shows its chapters and transcript (a click or a key)
  const player = els.player;
  const isPhoto = m.kind === "photo";
  player.hidden = els.timeline.hidden = isPhoto;
  els.photo.hidden = !isPhoto;
  els.pane.classList.toggle("photo", isPhoto);  // the video's captions, legend, chapters and transcript go too
  if (isPhoto) {
    player.pause();
    els.photo.alt = shownName(m.name || m.video_id);  // the photo is the content shown, not decoration
    els.photo.src = `api/photos/${encodeURIComponent(m.video_id)}.jpg?side=1600`;  // upright, any format
    return;
  }
  const src = here(m.media_url) || "api/media/" + m.video_id;
  const seekAndPlay = async () => {
    await clock.ready;
    if (current !== m || !(await seekIndex(from)) || current !== m) return;
    const p = player.play();
    if (p && p.catch) p.catch((err) => {
      if (err.name === "NotAllowedError") setStatus(`Press ▶ to play from ${fmt(from)}: this browser does not start `
                                                    + "videos on its own before you click in the page.");
    });
    drawTimeline();
  };
  if (player.dataset.src !== src) {
    player.dataset.src = src;
    player.querySelectorAll("track").forEach((t) => t.remove());
    player.src = src;
    const track = document.createElement("track");
    const lang = languages[m.video_id] || "";
    Object.assign(track, { kind: "captions", label: trackLabel(lang), srclang: lang, default: true,
                           src: here(m.captions_url) || "api/captions/" + m.video_id + ".vtt" });
    track.addEventListener("load", shiftCues);
    player.appendChild(track);
    clock.offset = 0;
    clock.ready = measureClock(player, src, m.video_id);
    player.load();
  }
  seekAndPlay();
}

function trackLabel(lang) {
  if (!lang) return "Transcript";
  try {
    return `Transcript (${new Intl.DisplayNames([navigator.language || "en"], { type: "language" }).of(lang)})`;
  } catch (err) {
    return `Transcript (${lang})`;  // a code the browser cannot name
  }
}

function drawTimeline() {
  const d = indexLength();
  if (!current || !isFinite(d) || d <= 0) return;
  const pct = (t) => `${Math.max(0, Math.min(100, (t / d) * 100))}%`;
  els.moment.style.left = pct(current.start);
  els.moment.style.width = `calc(${pct(current.end)} - ${pct(current.start)})`;
  els.moment.title = `this moment: ${fmt(current.start)}–${fmt(current.end)}`;
  els.marks.innerHTML = results.filter((r) => r.video_id === current.video_id && r !== current).map((r) =>
    `<div class="mark" style="left:${pct(r.start)};width:calc(${pct(r.end)} - ${pct(r.start)})"></div>`).join("");
  els.head.style.left = pct(indexNow());
}

els.player.addEventListener("timeupdate", () => {
  const d = indexLength();
  if (isFinite(d) && d > 0) els.head.style.left = `${Math.min(100, (indexNow() / d) * 100)}%`;
});
els.player.addEventListener("error", async () => {
  // The element only says "Format error" whatever went wrong: ask the server why it refused the file
  // (moved away, changed, replaced since indexing: its JSON error), else it was the browser or the network.
  const e = els.player.error, src = els.player.dataset.src;
  const detail = e && e.message ? ` (${e.message})` : "";
  let why = "";
  try { await api(src, { headers: { Range: "bytes=0-0" } }); } catch (err) { why = err.message; }
  if (src !== els.player.dataset.src) return;  // another video was opened meanwhile
  if (why) setStatus(`The video cannot be played: ${why}.`, "error");
  else if (e && e.code === MediaError.MEDIA_ERR_NETWORK) setStatus(`The video stopped loading${detail}; try again.`, "error");
  else setStatus(`This browser cannot play the file${detail}; “Download clip” saves it for another player.`, "error");
});
els.timeline.addEventListener("click", (ev) => {
  const d = indexLength();
  if (!isFinite(d)) return;
  const rect = els.timeline.getBoundingClientRect();
  seekIndex(((ev.clientX - rect.left) / rect.width) * d);
});
els.wordsAt.addEventListener("click", () => {
  const words = wordsAt(current);
  if (words === null) return;
  playFrom(Math.max(current.start, words - HIT_LEAD_S));
});

// -- URL deep links: ?q=...&v=VIDEO#t=SECONDS ------------------------------------------------
// A link's time as people write it: "65.5", "1m5s", "1h2m3s", "1:05" or "1:02:03" (seconds; a negative one is 0);
// null when there is none, NaN when it is no time
function parseLinkTime(text) {
  if (text === null || text === undefined) return null;
  const s = String(text).trim();
  if (/^[-+]?\d+(\.\d*)?$/.test(s)) return Math.max(0, parseFloat(s));
  let m = s.match(/^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d*)?)s)?$/i);
  if (m && s) return Number(m[1] || 0) * 3600 + Number(m[2] || 0) * 60 + Number(m[3] || 0);
  m = s.match(/^(?:(\d+):)?(\d+):(\d+(?:\.\d*)?)$/);
  if (m) return Number(m[1] || 0) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  return NaN;
}

// the time the address names, as written: #t= (what the page writes), else ?t= (as other players' links put it)
function linkTimeText() {
  const inHash = new URLSearchParams(location.hash.slice(1)).get("t");
  return inHash !== null ? inHash : new URLSearchParams(location.search).get("t");
}
const linkTime = () => parseLinkTime(linkTimeText());

function openFromUrl() {
  const p = new URLSearchParams(location.search);
  const v = p.get("v");
  if (!v) return;
  let t = linkTime();
  const ok = t !== null && !isNaN(t);
  const i = ok ? results.findIndex((r) => r.video_id === v && Math.abs(r.start - t) < 0.5) : -1;
  if (i >= 0) { play(i); return; }
  const copy = ok ? copyAt(v, t) : null;  // the moment of a result in its twin file ("also in FILE at 0:10")
  if (copy) { play(copy[0], undefined, copy[1]); return; }
  // a link copied while a moment played ("Copy link" takes the second playing): that moment, from there
  const within = !ok ? -1
    : results.findIndex((r) => r.video_id === v && r.kind !== "photo" && r.start <= t && t < r.end);
  if (within >= 0) { play(within, t); return; }
  if (!Object.hasOwn(files, v)) {  // a link from before its file was removed, or changed and indexed again (new id)
    current = null;
    els.pane.hidden = true;
    setStatus(`The link's video (id ${v}) is not in this index: it was removed, or the file changed and was indexed `
              + "again under a new id." + (results.length ? " The search's results are below." : ""), "error");
    return;
  }
  const file = files[v], length = lengths[v];
  if (t !== null && isNaN(t)) {
    setStatus(`The link's time “${linkTimeText()}” is no time: playing from the start.`);
    t = 0;
  }
  t = t || 0;
  if (length > 0 && t > length) {  // a link past the file's end (the file was cut, or the link edited)
    setStatus(`The link's time ${fmt(t)} is past the end of this file (${fmt(length)}): playing from its start.`);
    t = 0;
  }
  openMoment({ video_id: v, name: file.name || v, kind: file.kind, start: t, end: t, media_url: "api/media/" + v,
               captions_url: "api/captions/" + v + ".vtt" });
}

// whether the address asks to search in its video: not when that video is no longer indexed (openFromUrl says so,
// and the link's words are searched in every video instead of failing on its id)
function scopedLink(p) {
  return p.get("in") === "video" && !!p.get("v") && Object.hasOwn(files, p.get("v"));
}

// back to the start page: no results, no player (the browser's Back to "/")
function clearPage() {
  ++searchSeq;
  results = []; active = -1; shownQuery = ""; current = null; nextOffset = null;
  els.results.innerHTML = "";
  document.title = "momentsearch";
  setStatus("");
  els.player.pause();
  els.pane.hidden = true;
  if (window.showHome) window.showHome();
}

// -- events ----------------------------------------------------------------------------------
els.form.addEventListener("submit", (ev) => {
  ev.preventDefault();
  const query = els.q.value.trim();
  if (!query) { setStatus("Type some words to search for.", "empty"); return; }
  everywhere = false;
  history.pushState(null, "", newSearchHref(query));
  search(query);
});

// the address of a new search: its query, and "in this video" with the video when that is ticked (Back and a
// reload search the same); an image search has no words to hold, but an entry of its own (Back: the one before)
function newSearchHref(query) {
  const p = new URLSearchParams(query ? { q: query } : {});
  const scope = window.searchScope ? window.searchScope() : "";
  if (scope) { p.set("v", decodeURIComponent(scope.slice("&video=".length))); p.set("in", "video"); }
  return "?" + p.toString();
}

function searchImage(file) {
  everywhere = false;
  history.pushState(null, "", newSearchHref(""));
  search("", { image: file });
}
els.results.addEventListener("click", (ev) => {
  if (ev.target.id === "more-results") {
    if (!ev.target.disabled) showMore(ev.target);
    return;
  }
  // a result's name is a link: Ctrl/Cmd/Shift-click (or the middle button) opens the moment in a new tab
  if (ev.target.closest("a") && (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0)) return;
  ev.preventDefault();
  const li = ev.target.closest(".result"), copy = ev.target.closest("a.copy");
  const r = li && results[Number(li.dataset.index)];
  const c = copy && r && copiesOf(r).find((c) => c.k === Number(copy.dataset.copy));
  if (c) play(Number(li.dataset.index), undefined, copyMoment(r, c));  // "also in FILE at 0:10": played there
  else if (li) play(Number(li.dataset.index));
});
els.image.addEventListener("change", () => { if (els.image.files[0]) searchImage(els.image.files[0]); });
const imagePick = document.querySelector(".image-pick");
imagePick.addEventListener("keydown", (ev) => {  // the label takes focus (tabindex): Enter or Space picks a file
  if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); els.image.click(); }
});
const LETTER_KEYS = "momentsearch-letter-keys";  // localStorage: "off" turns j, k and / off
const letterKeysOn = () => store.get(LETTER_KEYS) !== "off";
document.addEventListener("keydown", (ev) => {
  if (ev.target === els.q) { if (ev.key === "Escape") els.q.blur(); return; }
  // the player, buttons, links and fields keep their own keys (arrows on the video change the volume)
  if (ev.target.closest && ev.target.closest("video, button, a, input, select, textarea, label")) return;
  // in the chapters or the transcript (a row has focus) ↓/↑ scroll that list, as in any list that scrolls
  if ((ev.key === "ArrowDown" || ev.key === "ArrowUp") && ev.target.closest && ev.target.closest("#around")) return;
  // a key with Ctrl, Alt or Cmd is the browser's or the system's (Ctrl+K: the address bar), never the page's; the
  // one-letter keys can be turned off (WCAG 2.1.4: speech input types them by accident), extras.js's toggle
  if (ev.ctrlKey || ev.altKey || ev.metaKey) return;
  if (!letterKeysOn() && ["/", "j", "k"].includes(ev.key)) return;
  if (ev.key === "/") { ev.preventDefault(); els.q.focus(); }
  else if (ev.key === "j" || ev.key === "ArrowDown") { ev.preventDefault(); play(Math.min(results.length - 1, active + 1)); }
  else if (ev.key === "k" || ev.key === "ArrowUp") { ev.preventDefault(); play(Math.max(0, active - 1)); }
  else if (ev.key === "Enter" && ev.target.classList && ev.target.classList.contains("result")) {
    play(Number(ev.target.dataset.index));
  }
});
document.addEventListener("dragover", (ev) => { ev.preventDefault(); els.dropHint.hidden = false; });
document.addEventListener("dragleave", (ev) => { if (!ev.relatedTarget) els.dropHint.hidden = true; });
document.addEventListener("drop", (ev) => {
  ev.preventDefault();
  els.dropHint.hidden = true;
  const file = [...(ev.dataTransfer.files || [])].find((f) => f.type.startsWith("image/"));
  if (file) searchImage(file);
  else setStatus("Drop an image file (PNG, JPEG…) to search with it.", "empty");
});
window.addEventListener("popstate", () => {  // Back/Forward: the page the address names, moment and all
  const p = new URLSearchParams(location.search);
  const q = p.get("q") || "";
  els.q.value = q;
  pageSize = kOf(p);
  everywhere = p.get("everywhere") === "true";
  $("scope-video").checked = scopedLink(p);
  if (q) search(q, { keepMoment: true });
  else if (p.get("v")) { clearPage(); openFromUrl(); }
  else clearPage();
});
window.addEventListener("hashchange", () => {  // #t= edited in the address: the playing video seeks there
  const t = linkTime();
  const v = new URLSearchParams(location.search).get("v");
  if (current && v === current.video_id && t !== null && !isNaN(t)) playFrom(t);
});

// -- start -----------------------------------------------------------------------------------
// Every indexed video, a page at a time (/api/videos answers a page: an index of thousands came in one huge
// answer), asked for once: the start page's list (extras.js) takes it from here too
const VIDEOS_PAGE_MAX = 1000;  // the most /api/videos answers in one page
let videoPages = null;
function videoList() {
  videoPages = videoPages || (async () => {
    const body = await api("api/videos");
    const videos = [...(body.videos || [])];
    for (let next = body.next_offset, asked = -1; Number.isInteger(next) && next > asked;) {  // onwards only
      const page = await api(`api/videos?offset=${(asked = next)}&limit=${VIDEOS_PAGE_MAX}`);
      videos.push(...(page.videos || []));
      next = page.next_offset;
    }
    return { ...body, videos };
  })();
  return videoPages;
}

async function start() {
  try {
    const body = await videoList();
    const n = body.videos.length;
    body.videos.forEach((v) => {
      lengths[v.video_id] = v.duration;
      languages[v.video_id] = v.language || "";
      files[v.video_id] = { name: v.name, kind: v.kind };
    });
    const minutes = body.videos.reduce((s, v) => s + v.duration, 0) / 60;
    const length = minutes >= 90 ? `${(minutes / 60).toFixed(1)} h` : `${Math.round(minutes)} min`;
    // a batch still writing into the index (/api/health says so): its files are not searchable yet
    const health = await api("api/health").catch(() => ({}));
    const writing = health.writing ? [health.writing] : [];
    // files an older momentsearch made (the --reindex that redoes them), files moved or changed since indexing
    const notes = (health.notes || []).map(shownName);
    els.info.textContent = [n ? `${n} file${n > 1 ? "s" : ""} indexed (${length}), channels: ` +
      body.channels.join(", ") + "." : "", ...writing, ...notes].filter(Boolean).join(" ");
    if (!n) {
      setStatus(writing.length ? "Nothing is searchable yet: the first files are being indexed now. Reload in a while."
                : "The index is empty. Index some videos first: momentsearch index FOLDER, then reload.", "empty");
      els.status.dataset.state = "empty-index";
      return;
    }
  } catch (err) {
    if (err.status === 401) {
      const given = prompt("This server needs its access token:");
      if (given) { keepToken(given); return; }
    }
    setStatus("The server cannot list the index: " + err.message, "error");
    return;
  }
  const q = params.get("q");
  $("scope-video").checked = scopedLink(params);  // a link's "in this video"
  if (q) { els.q.value = q; search(q, { keepMoment: true }); }
  else if (params.get("v")) openFromUrl();
  else els.q.focus();
}
// after every script of the page has run (extras.js, moment.js): a link's "in this video" is moment.js's scope,
// and a first search run before it loaded (the index list answered first) searched every file
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
