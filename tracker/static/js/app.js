// Small enhancements for every page; without JavaScript every page still works.
(function () {
  "use strict";

  // The menu folds behind a button on a phone.
  var button = document.querySelector(".menu-button");
  var menu = document.getElementById("menu");
  if (button && menu) {
    document.documentElement.classList.add("js");
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("open", open);
    });
  }

  // A file box speaks Vietnamese: a button "Chọn tệp…" and the names of the files chosen
  // (the browser's own button speaks the browser's language).
  Array.prototype.forEach.call(document.querySelectorAll("input[type=file]"), function (input) {
    var picker = document.createElement("span");
    picker.className = "file-picker";
    var choose = document.createElement("button");
    choose.type = "button";
    choose.textContent = input.multiple ? "Chọn các tệp…" : "Chọn tệp…";
    var names = document.createElement("span");
    names.className = "file-names";
    names.setAttribute("aria-live", "polite");
    names.textContent = "Chưa chọn tệp nào";
    input.classList.add("file-input");
    input.parentNode.insertBefore(picker, input);
    picker.appendChild(input);
    picker.appendChild(choose);
    picker.appendChild(names);
    choose.addEventListener("click", function () { input.click(); });
    input.addEventListener("change", function () {
      var chosen = Array.prototype.map.call(input.files, function (f) { return f.name; });
      names.textContent = chosen.length ? chosen.join(", ") : "Chưa chọn tệp nào";
    });
  });

  // A row of the monthly list loads its agency's overdue items when it is first opened (the page itself carries
  // only the rows; without JavaScript the link inside goes to a page of them).
  Array.prototype.forEach.call(document.querySelectorAll("details.lazy[data-src]"), function (details) {
    details.addEventListener("toggle", function () {
      if (!details.open || details.dataset.loaded) { return; }
      details.dataset.loaded = "1";
      var body = details.querySelector(".lazy-body");
      body.setAttribute("aria-busy", "true");
      fetch(details.dataset.src, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      }).then(function (html) {
        body.innerHTML = html;  // our own server's fragment, escaped by its templates
      }).catch(function () {
        delete details.dataset.loaded;  // the link stays: it works without the fragment
      }).then(function () { body.removeAttribute("aria-busy"); });
    });
  });
}());
