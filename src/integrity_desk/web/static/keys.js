// The desk's keyboard: j/k move among the rows of a list (elements marked data-row, each with
// an <a data-row-link>), Enter opens the row, / goes to the search box, ? lists every shortcut,
// and any element marked data-key="x" (with data-key-label="what it does") is clicked when x is
// pressed. Other pages only add data-key attributes; the handling is all here. Keys typed into
// a text field, a select, or with Ctrl, Alt or Meta held are left alone.
"use strict";

(function () {
  var FIXED = [
    ["j", "Next row of the list"],
    ["k", "Previous row of the list"],
    ["Enter", "Open the selected row"],
    ["/", "Search"],
    ["?", "Show these shortcuts"],
  ];

  // Inputs that take no typed text (a row's checkbox, a button) leave the keys to the desk.
  var KEYLESS_INPUTS = ["checkbox", "radio", "button", "submit", "reset", "image"];

  function typing(element) {
    if (!element) {
      return false;
    }
    var tag = element.tagName;
    if (tag === "INPUT") {
      return KEYLESS_INPUTS.indexOf((element.type || "").toLowerCase()) < 0;
    }
    return tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function visible(element) {
    return !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  function rows() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-row]"), visible);
  }

  function currentRow() {
    var active = document.activeElement;
    return active ? active.closest("[data-row]") : null;
  }

  function focusRow(row) {
    var link = row.querySelector("[data-row-link]");
    document.querySelectorAll("[data-row].is-current").forEach(function (other) {
      other.classList.remove("is-current");
    });
    row.classList.add("is-current");
    (link || row).focus();
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) {
      return;
    }
    var index = list.indexOf(currentRow());
    if (index < 0) {
      index = step > 0 ? 0 : list.length - 1;
    } else {
      index = Math.min(list.length - 1, Math.max(0, index + step));
    }
    focusRow(list[index]);
  }

  function keyTargets() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-key]"), function (el) {
      return visible(el) && !el.disabled;
    });
  }

  function helpDialog() {
    var dialog = document.getElementById("keys-help");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "keys-help";
      dialog.className = "keys-help";
      dialog.setAttribute("aria-labelledby", "keys-help-title");
      document.body.appendChild(dialog);
    }
    dialog.textContent = "";
    var title = document.createElement("h2");
    title.id = "keys-help-title";
    title.textContent = "Keyboard shortcuts";
    var table = document.createElement("table");
    var caption = document.createElement("caption");
    caption.textContent = "Keys work anywhere outside a text field.";
    table.appendChild(caption);
    var head = table.createTHead().insertRow();
    ["Key", "What it does"].forEach(function (text) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = text;
      head.appendChild(th);
    });
    var body = table.createTBody();
    var entries = FIXED.slice();
    var seen = {};
    keyTargets().forEach(function (el) {
      var key = el.getAttribute("data-key");
      if (!seen[key]) {
        seen[key] = true;
        entries.push([key, el.getAttribute("data-key-label") || el.textContent.trim()]);
      }
    });
    entries.forEach(function (entry) {
      var row = body.insertRow();
      var th = document.createElement("th");
      th.scope = "row";
      var kbd = document.createElement("kbd");
      kbd.textContent = entry[0];
      th.appendChild(kbd);
      row.appendChild(th);
      row.insertCell().textContent = entry[1];
    });
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", function () {
      dialog.close();
    });
    dialog.appendChild(title);
    dialog.appendChild(table);
    dialog.appendChild(close);
    return dialog;
  }

  function showHelp() {
    var dialog = helpDialog();
    if (!dialog.open) {
      dialog.showModal();
    }
    dialog.querySelector("button").focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey ||
        event.isComposing || typing(event.target)) {
      return;
    }
    var openDialog = document.querySelector("dialog[open]");
    if (openDialog) {
      return; // the dialog has the keyboard (Escape closes it)
    }
    var key = event.key;
    if (key === "j" || key === "k") {
      event.preventDefault();
      move(key === "j" ? 1 : -1);
    } else if (key === "Enter") {
      var row = currentRow();
      var target = event.target;
      // A focused link, button or checkbox does its own thing; a row itself opens its link.
      if (row && target === row) {
        var link = row.querySelector("[data-row-link]");
        if (link) {
          event.preventDefault();
          link.click();
        }
      }
    } else if (key === "/") {
      var search = document.getElementById("search-q");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if (key === "?") {
      event.preventDefault();
      showHelp();
    } else if (key.length === 1) {
      var match = keyTargets().filter(function (el) {
        return el.getAttribute("data-key") === key;
      })[0];
      if (match) {
        event.preventDefault();
        match.click();
      }
    }
  });

  window.deskKeys = { showHelp: showHelp, move: move };
})();
