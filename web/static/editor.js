// toolwatch editor UI: the only script. Fills the override box with the field's
// current value when another field is chosen (the values come from a JSON data
// block the server wrote with |tojson; nothing is evaluated or put in as HTML).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
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
});
