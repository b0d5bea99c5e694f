// The case list's selection: "select every case on this page", a live count of the selected
// cases in the bulk bar, and only the fields the chosen bulk action needs.
"use strict";

(function () {
  var form = document.getElementById("bulk-form");
  if (!form) {
    return;
  }
  var all = document.getElementById("select-all");
  var count = document.getElementById("selection-count");
  var action = document.getElementById("bulk-action");
  var picks = form.querySelectorAll("input[data-pick]");
  var intro = count ? count.textContent : "";

  function update() {
    var chosen = Array.prototype.filter.call(picks, function (box) {
      return box.checked;
    }).length;
    if (count) {
      count.textContent = chosen ? chosen + (chosen === 1 ? " case" : " cases") + " selected."
        : intro;
    }
    if (all) {
      all.checked = chosen > 0 && chosen === picks.length;
      all.indeterminate = chosen > 0 && chosen < picks.length;
    }
  }

  function showFields() {
    if (!action) {
      return;
    }
    form.querySelectorAll("[data-for-action]").forEach(function (field) {
      field.hidden = field.getAttribute("data-for-action") !== action.value;
    });
  }

  var allLine = document.getElementById("select-all-line");
  if (all && allLine) {
    allLine.hidden = false;
    all.addEventListener("change", function () {
      picks.forEach(function (box) {
        box.checked = all.checked;
      });
      update();
    });
  }
  picks.forEach(function (box) {
    box.addEventListener("change", update);
  });
  if (action) {
    action.addEventListener("change", showFields);
  }
  showFields();
  update();
})();
