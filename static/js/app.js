// Progressive enhancement only: every page works without this file (and without htmx).
"use strict";

// Our 4xx answers (409 finished attempt, 400 bad input) carry a readable card: swap it in.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status === 409 || status === 400) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// Django rotates the CSRF token at log-in: always send the current one from the cookie, so a
// page opened before the learner logged in again can still save.
function csrfCookie() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : null;
}
document.addEventListener("htmx:configRequest", (event) => {
  const token = csrfCookie();
  if (!token) return;
  event.detail.headers["X-CSRFToken"] = token;
  // Django reads the form field before the header, so the field must be current too.
  const data = event.detail.formData;
  if (data && data.has("csrfmiddlewaretoken")) data.set("csrfmiddlewaretoken", token);
});

// A request that failed (network, server error, expired session) must never fail silently.
function showNotSaved(event) {
  const source = event.detail.elt;
  const form = source.closest("form") || source;
  const message = form.querySelector(".save-error");
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  if (message) {
    if (status === 401) {
      message.textContent = "Not saved — you have been logged out. ";
      const link = document.createElement("a");
      link.href = message.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname);
      link.target = "_blank";
      link.textContent = "Log in again (new tab)";
      message.append(link, ", then try again here.");
    } else if (status === 503) {
      message.textContent = "Not saved — the server is busy. Wait a few seconds and try again.";
    } else if (status === 403) {
      message.textContent = "Not saved — this page is out of date. Reload the page and try again.";
    } else {
      message.textContent = "Not saved — check your connection and try again.";
    }
    message.hidden = false;
    message.focus();
  } else if (source.matches("a[href]")) {
    window.location.href = source.href; // fall back to a plain page load
  }
}
document.addEventListener("htmx:responseError", showNotSaved);
document.addEventListener("htmx:sendError", showNotSaved);
document.addEventListener("htmx:timeout", showNotSaved);

// After a swap, move focus to the new content's heading so keyboard and screen-reader
// users land on the feedback or the next question.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail.elt;
  const heading = target.querySelector("[data-autofocus]") || target.querySelector("h1, legend, h2");
  if (heading) {
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
});

document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt.closest("form");
  const message = form && form.querySelector(".save-error");
  if (message) message.hidden = true;
});
