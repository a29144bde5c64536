/* The wall's pages: a list too long for the projector is shown page by page.
 *
 * A list marked `data-paginate` (its children are the items, `data-head` marks a heading)
 * gets the height the stage leaves it; the items are split into pages that fit that box,
 * measured in the browser with the projector's own font and size, so nothing is cut and no
 * item is left out. A heading continued on the next page is repeated there. The page turns
 * every ROTATE_MS; PageDown / PageUp (a presenter's clicker), the arrows and the space bar
 * turn it at once, as does the panel's key (P) when the panel runs in the same browser
 * (BroadcastChannel). The page indicator ("2 / 3") is the `.pager` after the list.
 * A short chart marked `data-grow` first grows its type (up to GROW_MAX) to use the height.
 * The server is not involved: every wall pages on its own.
 */
(function () {
  "use strict";
  var ROTATE_MS = 15000;
  var GROW_MAX = 1.35; // the rows stay smaller than the title
  var current = { activity: null, page: 0 };
  var rotation = null;
  var panel = "BroadcastChannel" in window ? new BroadcastChannel("rencontres-panel") : null;

  function stage() { return document.getElementById("stage"); }

  function fits(el, box) {
    var r = el.getBoundingClientRect();
    return r.bottom <= box.bottom + 0.5 && r.right <= box.right + 0.5;
  }

  function cut(list) {
    // Split the list's items into pages that fit its box: [[start, end], ...].
    list.querySelectorAll(".is-continued").forEach(function (el) { el.remove(); });
    var items = Array.prototype.slice.call(list.children);
    items.forEach(function (el) { el.hidden = false; });
    var pages = [], start = 0;
    while (start < items.length) {
      for (var i = 0; i < items.length; i++) items[i].hidden = i < start;
      var head = start > 0 && !items[start].hasAttribute("data-head") ? lastHead(items, start) : null;
      var clone = head ? continued(list, head, items[start]) : null;
      var box = list.getBoundingClientRect();
      var end = start + 1;
      while (end < items.length && fits(items[end], box)) end++;
      if (end < items.length && end - 1 > start && items[end - 1].hasAttribute("data-head")) end--;
      if (clone) clone.remove();
      pages.push([start, end]);
      start = end;
    }
    return { items: items, pages: pages };
  }

  function lastHead(items, index) {
    for (var i = index - 1; i >= 0; i--) if (items[i].hasAttribute("data-head")) return items[i];
    return null;
  }

  function continued(list, head, before) {
    var clone = head.cloneNode(true);
    clone.classList.add("is-continued");
    clone.hidden = false;
    list.insertBefore(clone, before);
    return clone;
  }

  function show(list, layout, page) {
    var range = layout.pages[page];
    list.querySelectorAll(".is-continued").forEach(function (el) { el.remove(); });
    layout.items.forEach(function (el, i) { el.hidden = i < range[0] || i >= range[1]; });
    var first = layout.items[range[0]];
    if (range[0] > 0 && first && !first.hasAttribute("data-head")) {
      var head = lastHead(layout.items, range[0]);
      if (head) continued(list, head, first);
    }
  }

  function pager(list) {
    var el = list.nextElementSibling;
    if (!el || !el.classList.contains("pager")) {
      el = document.createElement("p");
      el.className = "pager";
      el.setAttribute("aria-live", "polite");
      list.parentNode.insertBefore(el, list.nextSibling);
    }
    return el;
  }

  function needed(list) {
    // The height the rows take (a list's scrollHeight is never less than its box).
    var last = list.lastElementChild;
    return last ? last.getBoundingClientRect().bottom - list.getBoundingClientRect().top : 0;
  }

  function grow(list) {
    // The list's box is the height the stage leaves; `needed`, what its rows take.
    list.style.fontSize = "";
    if (!list.hasAttribute("data-grow")) return;
    var box = list.clientHeight, scale = 1;
    for (var i = 0; i < 4 && needed(list) > 0; i++) {
      var next = Math.max(1, Math.min(GROW_MAX, scale * box / needed(list)));
      if (Math.abs(next - scale) < 0.02) break;
      scale = next;
      list.style.fontSize = scale.toFixed(3) + "em";
    }
    while (scale > 1 && needed(list) > box + 1) {
      scale = Math.max(1, scale - 0.05);
      list.style.fontSize = scale.toFixed(3) + "em";
    }
  }

  var layouts = [];

  function fit() {
    var s = stage();
    if (!s) return;
    var activity = s.dataset.activity || "";
    if (activity !== current.activity) {
      current = { activity: activity, page: 0 };
      clearTimeout(rotation);
      rotation = null;
    }
    layouts = [];
    s.querySelectorAll("[data-paginate]").forEach(function (list) {
      var indicator = pager(list);
      indicator.hidden = true;
      list.querySelectorAll(".is-continued").forEach(function (el) { el.remove(); });
      Array.prototype.forEach.call(list.children, function (el) { el.hidden = false; });
      grow(list);
      var layout = cut(list);
      if (layout.pages.length > 1) {
        indicator.hidden = false; // its line is taken from the list: cut again
        indicator.textContent = "1 / " + layout.pages.length;
        layout = cut(list);
      }
      layouts.push({ list: list, layout: layout, indicator: indicator });
    });
    turn(0);
    s.dataset.fitted = window.innerWidth + "x" + window.innerHeight;
  }

  function count() {
    return layouts.reduce(function (n, l) { return Math.max(n, l.layout.pages.length); }, 1);
  }

  function turn(step) {
    var n = count();
    current.page = ((current.page + step) % n + n) % n;
    layouts.forEach(function (l) {
      var pages = l.layout.pages.length;
      if (!pages) return;
      var page = Math.min(current.page, pages - 1);
      show(l.list, l.layout, page);
      l.indicator.textContent = (page + 1) + " / " + pages;
      l.indicator.dataset.page = String(page + 1);
      l.indicator.dataset.count = String(pages);
    });
    // A refresh of the same list (answers keep coming) does not delay the next turn.
    if (step !== 0 || n < 2) { clearTimeout(rotation); rotation = null; }
    if (n > 1 && rotation === null) {
      rotation = setTimeout(function () { rotation = null; turn(1); }, ROTATE_MS);
    }
  }

  var pending = null;
  function later() {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () { document.fonts.ready.then(fit); });
  }

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var forward = ["PageDown", "ArrowDown", "ArrowRight", " "].indexOf(e.key) >= 0;
    var back = ["PageUp", "ArrowUp", "ArrowLeft"].indexOf(e.key) >= 0;
    if (!forward && !back) return;
    e.preventDefault();
    var s = stage();
    if (panel && s && s.querySelector("[data-slides]")) {
      // A talk's slides are turned by the panel (the server keeps the slide shown).
      panel.postMessage({ code: s.dataset.code, key: forward ? "next" : "previous" });
      return;
    }
    turn(forward ? 1 : -1);
  });
  if ("BroadcastChannel" in window) {
    new BroadcastChannel("rencontres-wall").onmessage = function (e) {
      var s = stage();
      if (s && e.data && e.data.code === s.dataset.code) turn(e.data.step === -1 ? -1 : 1);
    };
  }
  window.addEventListener("resize", later);
  document.addEventListener("DOMContentLoaded", function () {
    var main = document.querySelector(".screen__main");
    if (main) new MutationObserver(later).observe(main, { childList: true });
    later();
  });
})();
