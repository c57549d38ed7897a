// The review queue: one checkbox selects every row of the page for a bulk acceptance.
document.addEventListener("DOMContentLoaded", function () {
  var all = document.getElementById("select-all");
  if (!all) return;
  all.hidden = false;
  all.addEventListener("change", function () {
    document.querySelectorAll("input[name=item]").forEach(function (box) { box.checked = all.checked; });
  });
});
