/* Live pages: keep the socket alive and tick the countdown.
 *
 * htmx's ws extension retries only after abnormal closes (1006, 1011-1013); a server restart
 * may close cleanly (1000/1001), and a phone that slept may hold a socket that looks open but
 * is dead. So: reconnect after any close except our own "forbidden" (4403), and reconnect
 * when the page becomes visible again. The server sends the full state on every connection.
 *
 * Every 30 s the page sends "ping", the only frame the server reads: it keeps this phone
 * counted as present, and the server answers with the full state only if a push was missed
 * (a broadcast lost while its message bus was down). A socket that sends too much is closed
 * with 4429: wait, then reconnect.
 *
 * Where a proxy blocks WebSockets (hotels, town halls), the page falls back to polling the
 * same state by HTTP (#live's data-poll, every 2 s, with the version it holds: an unchanged
 * state costs a 204) once no socket has been open for 8 s, or after 3 failed attempts in a
 * row, and says so. It keeps trying the socket (every 15 s) and stops polling as soon as one
 * opens: the socket then sends the full state, as on any connection.
 */
(function () {
  "use strict";
  var FORBIDDEN = 4403;
  var TOO_MANY = 4429;
  var PING_MS = 30000;
  var latest = null;      // the newest WebSocket created for this page
  var wrapper = null;     // htmx's socket wrapper (has .reconnect())
  var retries = 0;
  var hiddenSince = null;
  var downSince = Date.now(); // no socket open since then (null while one is open)
  var failures = 0;           // sockets closed in a row without ever opening
  var openedLatest = false;
  var polling = null, probing = null, version = "";
  var liveEl = document.getElementById("live");
  var pollUrl = liveEl && liveEl.dataset.poll;
  // The intervals come from the server (settings.LIVE_POLL_SECONDS), these are its defaults.
  function interval(name, fallback) {
    var ms = liveEl ? Number(liveEl.dataset[name]) : NaN;
    return ms > 0 ? ms : fallback;
  }
  var FALLBACK_AFTER_MS = interval("fallbackAfterMs", 8000);
  var FALLBACK_AFTER_FAILURES = 3;
  var POLL_MS = 2000;  // the fallback banner says "toutes les 2 secondes"
  var PROBE_MS = interval("probeMs", 15000);

  function banner(state) {
    var el = document.getElementById("connection");
    if (!el) return;
    if (polling && state === "lost") state = "fallback";
    el.hidden = state === "ok";
    el.querySelector(".connection__lost").hidden = state !== "lost";
    el.querySelector(".connection__denied").hidden = state !== "denied";
    var fallback = el.querySelector(".connection__fallback");
    if (fallback) fallback.hidden = state !== "fallback";
  }

  // The polling fallback: the same HTML a push carries, swapped the same way (out of band).
  function poll() {
    var url = pollUrl + "?v=" + encodeURIComponent(version);
    fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.status === 403) { stopFallback(); banner("denied"); return null; }
      if (r.status === 204 || !r.ok) return null;
      version = r.headers.get("X-State-Version") || "";
      return r.text();
    }).then(function (html) {
      if (html && polling) htmx.swap(document.body, html, { swapStyle: "none" });
    }).catch(function () { /* offline for a moment: the next tick tries again */ });
  }
  function startFallback() {
    if (polling || !pollUrl) return;
    polling = setInterval(poll, POLL_MS);
    probing = setInterval(function () { if (wrapper) wrapper.reconnect(); }, PROBE_MS);
    banner("fallback");
    poll();
  }
  function stopFallback() {
    clearInterval(polling); clearInterval(probing);
    polling = probing = null;
    version = "";
  }
  setInterval(function () {
    if (downSince !== null && Date.now() - downSince >= FALLBACK_AFTER_MS) startFallback();
  }, 1000);

  // Scripts are deferred in order: htmx and its ws extension are loaded, the page not yet
  // processed. Track the newest socket so that closes of replaced ones are ignored.
  htmx.createWebSocket = function (url) {
    openedLatest = false;
    latest = new WebSocket(url);
    latest.binaryType = htmx.config.wsBinaryType;
    return latest;
  };

  // Pushes are stamped with the moment their render began. Two commands a few milliseconds
  // apart (a clicker pressed twice) may arrive in the reverse order: drop a push older than
  // the last one shown, up to a render's worth of time (servers' clocks may differ a little).
  var lastPush = 0;
  var STALE_WINDOW_US = 2000000;
  document.addEventListener("htmx:wsBeforeMessage", function (e) {
    var m = /^<!--push (\d+)-->/.exec(e.detail.message || "");
    if (!m) return;
    var stamp = parseInt(m[1], 10);
    if (stamp < lastPush && lastPush - stamp < STALE_WINDOW_US) { e.preventDefault(); return; }
    lastPush = Math.max(lastPush, stamp);
  });

  document.addEventListener("htmx:wsOpen", function (e) {
    lastPush = 0; // a new connection starts from the full state
    wrapper = e.detail.socketWrapper;
    retries = 0;
    failures = 0;
    openedLatest = true;
    downSince = null;
    stopFallback(); // the socket sends the full state on connection
    banner("ok");
  });

  document.addEventListener("htmx:wsClose", function (e) {
    wrapper = e.detail.socketWrapper || wrapper;
    var ev = e.detail.event;
    if (ev.target !== latest) return; // an old socket we replaced on purpose
    if (ev.code === FORBIDDEN) { stopFallback(); banner("denied"); return; }
    if (downSince === null) downSince = Date.now();
    if (!openedLatest) failures += 1;
    if (failures >= FALLBACK_AFTER_FAILURES) startFallback();
    banner("lost");
    if ([1006, 1011, 1012, 1013].indexOf(ev.code) >= 0) return; // htmx retries these itself
    retries += 1;
    var delay = Math.min(1000 * Math.pow(2, retries - 1), 15000) * (0.75 + Math.random() / 2);
    if (ev.code === TOO_MANY) delay = 60000;
    setTimeout(function () { if (wrapper) wrapper.reconnect(); }, delay);
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { hiddenSince = Date.now(); return; }
    // Back from sleep or another app: do not trust a socket that "looks" open.
    if (hiddenSince !== null && Date.now() - hiddenSince > 3000 && wrapper) wrapper.reconnect();
    hiddenSince = null;
  });
  window.addEventListener("online", function () { if (wrapper) wrapper.reconnect(); });

  setInterval(function () {
    if (latest && latest.readyState === WebSocket.OPEN) latest.send("ping");
  }, PING_MS);

  // The "reload" button of a refused socket (no inline handler: the page's CSP forbids them).
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-reload]")) location.reload();
  });

  // A push that carries the stage already shown (same version: a reconnection's full state)
  // must not replace it: the participant may be typing in it.
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    var target = e.detail.target, fragment = e.detail.fragment;
    var incoming = fragment && (fragment.id ? fragment : fragment.firstElementChild);
    if (!target || !incoming || target.id !== "stage") return;
    if (target.dataset.version && target.dataset.version === incoming.getAttribute("data-version")) {
      e.detail.shouldSwap = false;
    }
  });

  // A reply to a click whose button a push replaced meanwhile (the push of the same command
  // often lands first): htmx looks for the reply's out-of-band parts inside the detached
  // button, finds none and logs an error for each. htmx fires "beforeSwap" on the request's
  // target, where no document listener hears it once detached: listen on the target itself,
  // and swap the reply's parts into the page instead (a main target that is gone is dropped:
  // the push already showed what changed).
  function reroute(e) {
    var d = e.detail;
    if (d.rerouted || !d.shouldSwap || !d.elt || document.body.contains(d.elt)) return;
    d.rerouted = true;
    d.shouldSwap = false;
    if (d.serverResponse) htmx.swap(document.body, d.serverResponse, { swapStyle: "none" });
  }
  document.addEventListener("htmx:beforeRequest", function (e) {
    var target = e.detail.target || e.detail.elt;
    if (target) target.addEventListener("htmx:beforeSwap", reroute, { once: true });
  });

  // A phone's own part (its answer, its priority...). The push, the same for every phone,
  // carries the blank part and, as a bit set of participant ids, which phones have something
  // of their own: only those fetch it, each at a random moment within the spread, so a move
  // never sends every phone to the server at once. A page load has it already (data-fresh).
  function me() {
    var el = document.querySelector("[data-participant]");
    return el ? parseInt(el.dataset.participant, 10) : -1;
  }
  function hasOwn(slot, id) {
    if (slot.dataset.ownAll === "1") return true;
    if (!slot.dataset.ownBits) return false;
    var offset = id - parseInt(slot.dataset.ownBase, 10);
    var bytes = atob(slot.dataset.ownBits);
    return offset >= 0 && offset < bytes.length * 8 && ((bytes.charCodeAt(offset >> 3) >> (offset & 7)) & 1) === 1;
  }
  function fetchOwn(slot, delay) {
    setTimeout(function () {
      var target = slot.querySelector(".mine");
      if (!target || !document.body.contains(slot)) return; // moved on meanwhile
      htmx.ajax("GET", slot.dataset.src, { target: target, swap: "outerHTML" });
    }, delay);
  }
  document.addEventListener("htmx:oobAfterSwap", function () {
    var slot = document.querySelector("#stage .mine-slot");
    if (!slot || slot.dataset.fresh || slot.dataset.fetching) return;
    slot.dataset.fetching = "1";
    if (hasOwn(slot, me())) fetchOwn(slot, Math.random() * parseInt(slot.dataset.spread || "0", 10));
  });
  // Back on this page after a while (another tab may have answered): fetch it again.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible") return;
    var slot = document.querySelector("#stage .mine-slot");
    if (slot && me() >= 0 && !document.querySelector("#stage .mine :focus")) fetchOwn(slot, 0);
  });

  // Countdown: the server sends seconds left; we tick from the moment the element arrived.
  var seen = new WeakMap();
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var timers = document.querySelectorAll(".timer[data-running='1']");
    var now = performance.now();
    for (var i = 0; i < timers.length; i++) {
      var el = timers[i];
      if (!seen.has(el)) seen.set(el, now);
      var left = Math.max(0, Math.ceil(parseInt(el.dataset.remaining, 10) - (now - seen.get(el)) / 1000));
      var text = pad(Math.floor(left / 60)) + ":" + pad(left % 60);
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle("timer--done", left === 0);
    }
  }
  setInterval(tick, 250);

  // Keep a phone's screen awake while a live page is open (where the browser allows it).
  async function wake() {
    try { if ("wakeLock" in navigator && document.visibilityState === "visible") await navigator.wakeLock.request("screen"); } catch (e) { /* not allowed: fine */ }
  }
  document.addEventListener("visibilitychange", wake);
  document.addEventListener("DOMContentLoaded", wake);
})();
