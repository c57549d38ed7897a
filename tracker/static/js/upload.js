// Shows the progress of a long upload and of the reading that follows, then goes where the server sends us.
// Without JavaScript the form posts as usual.
(function () {
  "use strict";
  var form = document.querySelector("form[data-upload-progress]");
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }
  var status = document.getElementById("upload-status");
  var bar = document.getElementById("upload-bar");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    status.hidden = false;
    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        status.querySelector("span").textContent = "Đang tải lên: " + percent + "%";
      }
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value");
      status.querySelector("span").textContent = "Đang đọc phụ lục, vui lòng chờ…";
    });
    request.addEventListener("load", function () {
      if (request.status === 200 && request.responseURL && request.responseURL !== window.location.href) {
        window.location.href = request.responseURL;
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener("error", function () {
      button.disabled = false;
      status.querySelector("span").textContent = "Không gửi được tệp. Vui lòng thử lại.";
    });
    request.send(new FormData(form));
  });
})();
