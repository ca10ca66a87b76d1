/* Fanshelf: small enhancements. Every page works without this file. */
(function () {
  "use strict";
  var KEY = "fanshelf-reader";
  var root = document.documentElement;
  var defaults = { font: "serif", size: "m", width: "medium", theme: "auto" };

  function load() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(KEY) || "{}");
      return Object.assign({}, defaults, saved && typeof saved === "object" ? saved : {});
    } catch (e) {
      return Object.assign({}, defaults);
    }
  }

  function apply(s) {
    Object.keys(defaults).forEach(function (k) {
      if (s[k] && s[k] !== defaults[k]) {
        root.setAttribute("data-" + k, s[k]);
      } else {
        root.removeAttribute("data-" + k);
      }
    });
  }

  // the colour theme applies on every page; the rest only matters where text is read
  apply(load());

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("reader-settings");
    var toggleItem = document.querySelector(".reader-toggle-item");
    if (panel && toggleItem) {
      var settings = load();
      var toggle = toggleItem.querySelector("button");
      toggleItem.hidden = false;
      toggle.addEventListener("click", function () {
        var open = panel.hidden;
        panel.hidden = !open;
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
      panel.querySelectorAll("select[data-setting]").forEach(function (sel) {
        var k = sel.getAttribute("data-setting");
        sel.value = settings[k];
        sel.addEventListener("change", function () {
          settings[k] = sel.value;
          try {
            window.localStorage.setItem(KEY, JSON.stringify(settings));
          } catch (e) { /* private mode: the choice lasts for this page */ }
          apply(settings);
        });
      });
    }

    // the filter form: a checked "include" unchecks the same tag's "exclude" and back
    var form = document.getElementById("filters");
    if (form) {
      form.addEventListener("change", function (ev) {
        var box = ev.target;
        if (box.type !== "checkbox" || !box.checked) { return; }
        var other = box.name === "include" ? "exclude" : "include";
        var row = box.closest("tr");
        if (!row) { return; }
        row.querySelectorAll('input[name="' + other + '"]').forEach(function (o) { o.checked = false; });
      });
    }
    // empty fields of the search forms stay out of the URL (and come back on "back")
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form [disabled]").forEach(function (el) { el.disabled = false; });
    });
    document.querySelectorAll('form[method="get"][action="/works"]').forEach(function (f) {
      f.addEventListener("submit", function () {
        f.querySelectorAll("input, select").forEach(function (el) {
          if (el.type !== "checkbox" && el.type !== "hidden" && el.value === "") {
            el.disabled = true;
          }
        });
      });
    });
  });
})();
