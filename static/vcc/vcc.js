/* vcc's few page behaviours, from a static file (no inline handlers: a CSP is coming).
   Every page works without it: the menu's links then wrap under the brand, a filter has its
   "Show" button, and a form posts without asking first. */
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  // The main menu at phone widths: the button folds the navigation away and opens it again.
  const button = document.querySelector(".menu-toggle");
  const topbar = button && button.closest(".topbar");
  if (topbar) {
    const setOpen = (open) => {
      topbar.classList.toggle("menu-open", open);
      button.setAttribute("aria-expanded", String(open));
    };
    button.addEventListener("click", () => setOpen(button.getAttribute("aria-expanded") !== "true"));
    topbar.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && topbar.classList.contains("menu-open")) {
        setOpen(false);
        button.focus();
      }
    });
  }
});

// A select marked data-submit-on-change sends its form as soon as it changes.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-submit-on-change]")) event.target.form.requestSubmit();
});

// A select marked data-navigate-on-change opens the address its chosen option holds.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-navigate-on-change]")) window.location.href = event.target.value;
});

// A button marked data-print prints the page (or saves it as PDF).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});

// A form marked data-confirm asks before it posts.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset && event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
