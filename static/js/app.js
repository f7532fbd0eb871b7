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
function focusHeading(root) {
  const heading = root.querySelector("[data-autofocus]") || root.querySelector("h1, legend, h2");
  if (heading) {
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: false });
  }
}
document.addEventListener("htmx:afterSettle", (event) => focusHeading(event.detail.elt));

document.addEventListener("htmx:beforeRequest", (event) => {
  const form = event.detail.elt.closest("form");
  const message = form && form.querySelector(".save-error");
  if (message) message.hidden = true;
});

// One round trip per question: the answer's response carries the next step (the next open
// question's card, or the summary after the last) in <template id="next-card">, and "Next"
// swaps it in without a request. Without the template the link works as before (htmx, or a
// plain page load without JavaScript).
function showNextCard(template) {
  const content = template.content.cloneNode(true);
  const swapped = [];
  const whole = template.dataset.replace && document.getElementById(template.dataset.replace);
  if (whole) {
    // The summary: it takes the whole quiz area's place.
    const parts = Array.from(content.children);
    whole.replaceWith(...parts);
    swapped.push(...parts);
  } else {
    // A question: each part (title, card, map entries) replaces the element with its id.
    for (const part of Array.from(content.children)) {
      const old = part.id && document.getElementById(part.id);
      if (old) {
        old.replaceWith(part);
        swapped.push(part);
      }
    }
  }
  if (window.htmx) swapped.forEach((part) => window.htmx.process(part));
  if (template.dataset.title) document.title = template.dataset.title;
  // The same history entries htmx makes, so its popstate handler reloads the page a Back or
  // Forward lands on (no history cache: the server renders it, as on a refresh).
  history.replaceState({ htmx: true }, "", window.location.href);
  history.pushState({ htmx: true, nextCard: true }, "", template.dataset.url);
  focusHeading(document.getElementById("main") || document.body);
}

document.addEventListener(
  "click",
  (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // new tab…
    const link = event.target.closest && event.target.closest("a[data-next]");
    const template = document.getElementById("next-card");
    if (!link || !template || template.dataset.url !== link.getAttribute("href")) return;
    event.preventDefault();
    event.stopPropagation(); // captured before htmx: the link's own hx-get must not run
    showNextCard(template);
  },
  true,
);

// Without htmx's popstate handler (it reloads entries marked htmx), load the page the URL names.
window.addEventListener("popstate", (event) => {
  if (!window.htmx && event.state && event.state.nextCard) window.location.reload();
});
