// Mutua's only script besides htmx. The Content-Security-Policy refuses inline handlers
// (onclick="..."), so the few behaviours that need a script are declared with data attributes:
//   data-print            the button prints the page
//   data-select-on-focus  the field selects its whole text when focused (a token, a link to copy)
document.addEventListener("click", (event) => {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
document.addEventListener("focusin", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.hasAttribute("data-select-on-focus")) {
    event.target.select();
  }
});
