// sopsite: small progressive enhancements; everything works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-confirm]");
  if (button && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});

// After htmx swaps the product lines, put the keyboard focus where the user's work continues:
// the first input of a line being edited, the first field in error, the question before a
// line is removed, or the section heading (the status line says what changed).
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
    lines.querySelector("tr.confirm button") ||
    (fromAddForm && lines.querySelector("#id_new-product")) ||
    lines.querySelector("#lines-h");
  if (target) {
    target.focus({ preventScroll: false });
  }
});

// A fragment request that ends on the sign-in page (the session expired) reloads the whole
// page there instead of swapping a login form into a table.
document.addEventListener("htmx:beforeSwap", (event) => {
  const url = event.detail.xhr && event.detail.xhr.responseURL;
  if (url && url.includes("/accounts/login/")) {
    event.detail.shouldSwap = false;
    window.location.assign(url);
  }
});

// htmx leaves the page as it is on an error status; say so where people look.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr ? event.detail.xhr.status : 0;
  const text =
    status === 403
      ? "You are not allowed to do this."
      : status === 404
        ? "This record is no longer available to you."
        : "The server could not do this just now; reload the page and try again.";
  let box = document.getElementById("htmx-error");
  if (!box) {
    box = document.createElement("div");
    box.id = "htmx-error";
    box.className = "message message-error";
    box.setAttribute("role", "alert");
    document.getElementById("main").prepend(box);
  }
  box.textContent = text;
});

// Unit choices follow the chosen product: only the units of its unit group are offered (the
// domain refuses any other). Product options carry data-unit-group, unit options data-group.
function limitUnits(productSelect) {
  const unitSelect = document.getElementById(productSelect.id.replace(/-product$/, "-unit"));
  if (!unitSelect) {
    return;
  }
  const chosen = productSelect.selectedOptions[0];
  const group = chosen ? chosen.dataset.unitGroup : undefined;
  for (const option of unitSelect.options) {
    if (!option.dataset.group) {
      continue; // "Default"
    }
    const other = group !== undefined && option.dataset.group !== group;
    option.hidden = other;
    option.disabled = other;
    if (other && option.selected) {
      unitSelect.value = "";
    }
  }
}

function limitAllUnits() {
  document.querySelectorAll("select[id$='-product']").forEach(limitUnits);
}

document.addEventListener("change", (event) => {
  if (event.target.matches && event.target.matches("select[id$='-product']")) {
    limitUnits(event.target);
  }
});
document.addEventListener("DOMContentLoaded", limitAllUnits);
document.addEventListener("htmx:afterSettle", limitAllUnits);

// "Select all on this page" for the bulk commands of a list.
document.addEventListener("change", (event) => {
  const all = event.target.closest && event.target.closest("[data-select-all]");
  if (!all) {
    return;
  }
  const table = all.closest("table");
  table.querySelectorAll(`input[name='${all.dataset.selectAll}']`).forEach((box) => {
    box.checked = all.checked;
  });
});
