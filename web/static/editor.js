// toolwatch editor UI: the only script (CSP: script-src 'self'; nothing is evaluated
// or inserted as HTML). It adds, on top of plain forms that work without it:
// - the override box filled with the chosen field's current value (a JSON data block
//   the server wrote with |tojson);
// - the queue's keyboard: j/k move, x selects, o/Enter opens, a accepts, r rejects
//   with a reason (a dialog), / searches; the selection count for bulk actions.
"use strict";

function overrideBox() {
  const field = document.getElementById("override-field");
  const value = document.getElementById("override-value");
  const data = document.getElementById("current-values");
  if (!field || !value || !data) return;
  let current = {};
  try { current = JSON.parse(data.textContent || "{}"); } catch (e) { return; }
  field.addEventListener("change", () => {
    const v = current[field.value];
    value.value = v === undefined || v === null ? "" : JSON.stringify(v, null, 2);
  });
}

function queueKeys() {
  const table = document.getElementById("queue");
  if (!table) return;
  const rows = Array.from(table.querySelectorAll("tbody tr.cand"));
  const boxes = rows.map((r) => r.querySelector("input[type=checkbox]"));
  const count = document.getElementById("selected-count");
  const all = document.getElementById("select-all");
  const keyForm = document.getElementById("key-form");
  const dialog = document.getElementById("reject-dialog");
  const rejectForm = document.getElementById("reject-form");
  const rejectName = document.getElementById("reject-name");
  const rejectReason = document.getElementById("reject-reason");
  const KEY = "toolwatch-queue-row";
  let at = 0;

  function toolPath(row) { return "/tools/" + encodeURIComponent(row.dataset.slug); }
  function update() {
    const n = boxes.filter((b) => b && b.checked).length;
    if (count) count.textContent = n + " selected";
    rows.forEach((r, i) => r.classList.toggle("selected", !!(boxes[i] && boxes[i].checked)));
  }
  function focusRow(i) {
    if (!rows.length) return;
    at = Math.max(0, Math.min(rows.length - 1, i));
    rows.forEach((r, j) => r.classList.toggle("current", j === at));
    rows[at].focus({ preventScroll: true });
    rows[at].scrollIntoView({ block: "nearest" });
  }
  function remember() { try { sessionStorage.setItem(KEY, String(at)); } catch (e) { /* private mode */ } }

  boxes.forEach((b) => b && b.addEventListener("change", update));
  if (all) all.addEventListener("change", () => { boxes.forEach((b) => { if (b) b.checked = all.checked; }); update(); });
  const bulk = document.getElementById("bulk-form");
  if (bulk) bulk.addEventListener("submit", remember);
  rows.forEach((r, i) => r.addEventListener("click", (ev) => {
    if (ev.target instanceof HTMLElement && ev.target.closest("a, input, button")) return;
    focusRow(i);
  }));
  if (rejectForm) rejectForm.addEventListener("submit", remember);
  const cancel = document.getElementById("reject-cancel");
  if (cancel && dialog) cancel.addEventListener("click", () => dialog.close());

  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t instanceof HTMLElement && t.closest("input, textarea, select, dialog")) return;
    const row = rows[at];
    switch (ev.key) {
      case "j": case "ArrowDown": focusRow(at + 1); break;
      case "k": case "ArrowUp": focusRow(at - 1); break;
      case "x": if (boxes[at]) { boxes[at].checked = !boxes[at].checked; update(); } break;
      case "o": case "Enter": if (row) window.location.href = row.querySelector("a.name").href; break;
      case "a":
        if (!row || !keyForm) return;
        remember();
        keyForm.action = toolPath(row) + "/accept";
        keyForm.submit();
        break;
      case "r":
        if (!row || !dialog || !rejectForm) return;
        rejectForm.action = toolPath(row) + "/reject";
        if (rejectName) rejectName.textContent = row.querySelector("a.name").textContent;
        dialog.showModal();
        if (rejectReason) { rejectReason.value = ""; rejectReason.focus(); }
        break;
      case "/": {
        const search = document.getElementById("queue-search");
        if (search) { search.focus(); search.select(); }
        break;
      }
      default: return;
    }
    ev.preventDefault();
  });

  let start = 0;
  try { start = parseInt(sessionStorage.getItem(KEY) || "0", 10) || 0; sessionStorage.removeItem(KEY); } catch (e) { /* private mode */ }
  focusRow(start);
  update();
}

document.addEventListener("DOMContentLoaded", () => { overrideBox(); queueKeys(); });
