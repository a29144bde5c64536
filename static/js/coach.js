/* The coach's proposals on the phone: "Accepter" writes what the sentence names into the
 * empty fields of its priority form (data-fill: field name -> value, or list of values for
 * check boxes; a select takes the option of that value or of that text), then fires the
 * form's change so the autosave sends it like any typed value. */
(function () {
  "use strict";
  function fill(form, name, value) {
    var field = form.elements[name];
    if (!field) return null;
    if (field.tagName === "SELECT") {
      var options = Array.prototype.slice.call(field.options);
      var match = options.filter(function (o) { return o.value === value || o.text.trim() === value; })[0];
      if (!match) return null;
      field.value = match.value;
      return field;
    }
    if (field.length !== undefined && field.tagName === undefined) {  // check boxes
      var values = [].concat(value), last = null;
      Array.prototype.forEach.call(field, function (box) {
        if (values.indexOf(box.value) !== -1) { box.checked = true; last = box; }
      });
      return last;
    }
    field.value = value;
    return field;
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-fill]") : null;
    if (!button) return;
    var form = button.closest("form");
    if (!form) return;
    e.preventDefault();
    var values = JSON.parse(button.getAttribute("data-fill"));
    var changed = null;
    Object.keys(values).forEach(function (name) { changed = fill(form, name, values[name]) || changed; });
    var item = button.closest(".proposal");
    if (item) item.remove();
    if (changed) changed.dispatchEvent(new Event("change", { bubbles: true }));
  });
})();
