// Live update: when the server says a message arrived, fetch this page
// again and swap its main element. No build step, no library.
(function () {
  var main = document.getElementById("live");
  if (!main || main.dataset.live !== "true" || !window.EventSource) return;
  var busy = false;
  var es = new EventSource("/events");
  es.addEventListener("message", function () {
    if (busy) return;
    busy = true;
    fetch(location.href, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (!html) return;
        var doc = new DOMParser().parseFromString(html, "text/html");
        var next = doc.getElementById("live");
        if (next) main.innerHTML = next.innerHTML;
      })
      .finally(function () { busy = false; });
  });
})();
