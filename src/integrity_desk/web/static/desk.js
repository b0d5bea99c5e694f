// The desk's own script. The Content-Security-Policy forbids inline script, so all of it is here.
// 1. Every htmx request carries the page's CSRF token (from <meta name="csrf-token">) in the
//    X-CSRF-Token header: the server refuses a state-changing request without it.
// 2. A refused htmx request is announced in the page's alert region instead of failing silently.
"use strict";

document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.getAttribute("content");
  }
});

document.addEventListener("htmx:beforeRequest", function () {
  var flash = document.getElementById("flash");
  if (flash) {
    flash.hidden = true;
    flash.textContent = "";
  }
});

document.addEventListener("htmx:responseError", function (event) {
  var flash = document.getElementById("flash");
  if (!flash) {
    return;
  }
  var xhr = event.detail.xhr;
  var text = xhr.responseText || "";
  if ((xhr.getResponseHeader("content-type") || "").indexOf("application/json") === 0) {
    try {
      text = JSON.parse(text).error.message;
    } catch (ignored) {
      text = "";
    }
  }
  flash.textContent = text || "The request failed (" + xhr.status + ").";
  flash.hidden = false;
});
