// sopsite: small progressive enhancements; everything works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// After htmx swaps the product lines, put the keyboard focus where the user's work continues:
// the first input of a line being edited, the first field in error, or the section heading.
document.addEventListener("htmx:afterSettle", (event) => {
  const lines = document.getElementById("lines");
  if (!lines || !lines.contains(event.target) && event.target !== lines) {
    return;
  }
  const source = event.detail.requestConfig && event.detail.requestConfig.elt;
  const fromAddForm = source && source.classList && source.classList.contains("add-line");
  const target =
    lines.querySelector("[aria-invalid='true']") ||
    lines.querySelector("tr.editing select, tr.editing input:not([type='hidden'])") ||
    (fromAddForm && lines.querySelector("#id_new-product")) ||
    lines.querySelector("#lines-h");
  if (target) {
    target.focus({ preventScroll: false });
  }
});
