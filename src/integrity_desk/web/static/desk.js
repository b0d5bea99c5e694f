// The desk's own script. The Content-Security-Policy forbids inline script, so all of it is here.
// 1. Every htmx request carries the page's CSRF token (from <meta name="csrf-token">) in the
//    X-CSRF-Token header: the server refuses a state-changing request without it.
// 2. A refused htmx request is announced in the page's alert region instead of failing silently.
//    A refusal that carries the page as it is now (X-Desk-Refused: the case header, actions and
//    timeline; the reason in the header) is swapped in like a success, so the page shows the
//    truth; any other 4xx/5xx shows its text. Either way htmx's error event is not raised, so
//    a refusal is not logged as a script error.
"use strict";

document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
  }
});

function deskFlash(text) {
  var flash = document.getElementById("flash");
  if (!flash) {
    return;
  }
  flash.textContent = text;
  flash.hidden = !text;
}

document.addEventListener("htmx:beforeRequest", function () {
  deskFlash("");
});

function deskErrorText(xhr) {
  var text = xhr.responseText || "";
  if ((xhr.getResponseHeader("content-type") || "").indexOf("application/json") === 0) {
    try {
      text = JSON.parse(text).error.message;
    } catch (ignored) {
      text = "";
    }
  }
  return text || "The request failed (" + xhr.status + ").";
}

document.addEventListener("htmx:beforeSwap", function (event) {
  var xhr = event.detail.xhr;
  if (xhr.status < 400) {
    return;
  }
  event.detail.isError = false;
  var refused = xhr.getResponseHeader("X-Desk-Refused");
  if (refused) {
    event.detail.shouldSwap = true;
    deskFlash(decodeURIComponent(refused));
    return;
  }
  event.detail.shouldSwap = false;
  deskFlash(deskErrorText(xhr));
});

document.addEventListener("htmx:sendError", function () {
  deskFlash("The desk could not be reached. Check your connection and try again.");
});
