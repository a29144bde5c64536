/* Control panel keyboard shortcuts (listed on the page). Each presses the matching button,
 * so a shortcut does exactly what a click does. Ignored while typing in a field. */
(function () {
  "use strict";
  // Presenter clickers send PageDown / PageUp for next / previous, and "b" or "." to blank.
  var keys = {
    ArrowRight: "next", PageDown: "next", ArrowLeft: "previous", PageUp: "previous",
    " ": "timer", "+": "extend", q: "qr", Q: "qr", o: "open", O: "open", r: "reveal", R: "reveal",
    d: "split", D: "split", b: "blank", B: "blank", ".": "blank",
    t: "page", T: "page" // the tables' conclusions: the next table on the wall
  };
  // P turns the wall's page (static/js/screen.js) when the wall is open in this browser.
  var wall = "BroadcastChannel" in window ? new BroadcastChannel("rencontres-wall") : null;
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var code = document.querySelector(".control__code .code");
    if ((e.key === "p" || e.key === "P") && wall && code) {
      e.preventDefault();
      wall.postMessage({ code: code.textContent.trim(), step: 1 });
      return;
    }
    var name = keys[e.key];
    if (!name) return;
    if (press(name)) e.preventDefault();
  });

  // Keys whose second press, while the first is being answered, is kept for after the answer
  // (htmx drops a click on a form whose request is in flight): T pressed twice is two tables.
  // Next / previous stay dropped: a presenter's double press must not skip an activity.
  var queued = { page: true };
  var waiting = null;

  function press(name) {
    // In a talk with slides, next / previous turn the slide first; past the last (or before
    // the first) slide, the same key moves to the next (previous) activity.
    var slide = document.querySelector('[data-key="slide-' + name + '"]');
    var button = slide && !slide.disabled ? slide : document.querySelector('[data-key="' + name + '"]');
    if (!button || button.disabled) return false;
    if (queued[name] && inFlight(button)) {
      if (!waiting) setTimeout(retry, 50);
      waiting = name;
      return true;
    }
    // A part a push swapped in a few milliseconds ago may not be hooked up by htmx yet (it
    // does so as the swap settles): its form would then post natively, without the CSRF
    // header the panel's requests carry, and the panel would be replaced by a 403 page.
    var form = button.closest("form");
    if (form && window.htmx) window.htmx.process(form);
    button.click();
    return true;
  }

  function inFlight(button) {
    var form = button.closest("form");
    return !!form && form.classList.contains("htmx-request");
  }

  // The answer often replaces the button (its events then reach no listener): look again at
  // the button on the page until it is free, and press it.
  function retry() {
    var name = waiting;
    if (!name) return;
    var button = document.querySelector('[data-key="' + name + '"]');
    if (button && inFlight(button)) {
      setTimeout(retry, 50);
      return;
    }
    waiting = null;
    press(name);
  }

  // A clicker plugged into the wall's computer: the wall (static/js/screen.js) passes its
  // next / previous to the panel open in the same browser.
  if ("BroadcastChannel" in window) {
    new BroadcastChannel("rencontres-panel").onmessage = function (e) {
      var code = document.querySelector(".control__code .code");
      if (!code || !e.data || e.data.code !== code.textContent.trim()) return;
      if (e.data.key === "next" || e.data.key === "previous") press(e.data.key);
    };
  }
})();

/* Buttons that delete ask first (`data-confirm`); a handler here, not inline, because the
 * pages' Content-Security-Policy forbids inline scripts. */
document.addEventListener("click", function (e) {
  var button = e.target.closest && e.target.closest("[data-confirm]");
  if (button && !window.confirm(button.getAttribute("data-confirm"))) e.preventDefault();
});

/* The participants list stays open (or closed) when a join refreshes the counts. */
document.addEventListener("htmx:oobBeforeSwap", function (e) {
  var target = e.detail.target, fragment = e.detail.fragment;
  if (!target || target.id !== "presence" || !fragment) return;
  var was = target.querySelector("details.people");
  var incoming = fragment.querySelector ? fragment.querySelector("details.people") : null;
  if (was && incoming) incoming.open = was.open;
});
