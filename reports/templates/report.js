(function () {
  "use strict";
  function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
  var sectionSelect = document.getElementById("filter-section");
  var counter = document.getElementById("filter-count");

  function apply() {
    var wanted = {};
    all("input[name=severity]").forEach(function (box) { wanted[box.value] = box.checked; });
    var section = sectionSelect ? sectionSelect.value : "all";
    var shown = 0, total = 0;
    all(".item").forEach(function (item) {
      var visible = wanted[item.getAttribute("data-severity")] !== false &&
        (section === "all" || item.getAttribute("data-section") === section);
      item.hidden = !visible;
      if (item.closest(".check")) { total += 1; if (visible) { shown += 1; } }
    });
    all(".check").forEach(function (check) {
      check.hidden = !check.querySelector(".item:not([hidden])");
    });
    all("section.area").forEach(function (area) {
      area.hidden = section !== "all" && area.getAttribute("data-section") !== section;
    });
    if (counter) { counter.textContent = shown + " of " + total + " open items shown"; }
  }

  function setDetails(open) {
    all("details").forEach(function (d) { d.open = open; });
  }

  all("input[name=severity]").forEach(function (box) { box.addEventListener("change", apply); });
  if (sectionSelect) { sectionSelect.addEventListener("change", apply); }
  var expand = document.getElementById("expand-all");
  var collapse = document.getElementById("collapse-all");
  if (expand) { expand.addEventListener("click", function () { setDetails(true); }); }
  if (collapse) { collapse.addEventListener("click", function () { setDetails(false); }); }

  // Printing shows everything: open every fix, restore the reader's choice afterwards.
  var closedBeforePrint = [];
  window.addEventListener("beforeprint", function () {
    closedBeforePrint = all("details:not([open])");
    closedBeforePrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closedBeforePrint.forEach(function (d) { d.open = false; });
    closedBeforePrint = [];
  });
  document.documentElement.setAttribute("data-filters", "ready");
  apply();
})();
