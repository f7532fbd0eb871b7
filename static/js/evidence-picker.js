// The evidence picker scrolls inside its own box: bring the picked sentence into view there.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll(".evidence-picker")) {
    const picked = box.querySelector("input:checked");
    if (picked) {
      box.scrollTop = picked.closest("label").offsetTop - box.clientHeight / 3;
    }
  }
});
