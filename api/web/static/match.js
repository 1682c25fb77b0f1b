/* Policy matching page (/match): each answer updates the result in place.
   The server renders the page (api/routers/pages.py, match.html); this script only posts
   the form with fetch after each change, swaps in the new #match-root, keeps focus on the
   control the user was on, and keeps the profile in this browser (localStorage) so that
   it survives a reload. Nothing about the enterprise is stored on the server. */
(function () {
  "use strict";
  var KEY = "policybot-match-profile";
  var busy = false;

  function root() { return document.getElementById("match-root"); }
  function form() { return document.getElementById("match-form"); }
  function status(text) { document.getElementById("match-status").textContent = text; }

  function store(fields) {
    try {
      if (fields) { window.localStorage.setItem(KEY, JSON.stringify(fields)); }
      else { window.localStorage.removeItem(KEY); }
    } catch (e) { /* storage off: the page still works, it just forgets on reload */ }
  }

  function stored() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }

  /** The form's filled fields as {name: value}. */
  function filled() {
    var out = {};
    Array.prototype.forEach.call(form().elements, function (el) {
      if (el.name && typeof el.value === "string" && el.value.trim()) { out[el.name] = el.value.trim(); }
    });
    return out;
  }

  function encode(fields) {
    return Object.keys(fields).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(fields[k]);
    }).join("&");
  }

  function send(fields, focusId) {
    if (busy) { return; }
    busy = true;
    status("正在匹配……");
    fetch("/match", {method: "POST", body: encode(fields), credentials: "same-origin",
                     headers: {"Content-Type": "application/x-www-form-urlencoded"}})
      .then(function (response) {
        if (response.status === 429) {
          return response.json().then(function (body) { throw new Error(body.detail); });
        }
        if (response.status !== 200 && response.status !== 422) {
          throw new Error("匹配服务暂时不可用,请稍后再试。");
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("match-root");
        root().innerHTML = fresh.innerHTML;
        bind();
        var now = filled();
        store(Object.keys(now).length ? now : null);
        var target = focusId && document.getElementById(focusId);
        if (target) { target.focus(); }
      })
      .catch(function (error) { status(error.message); })
      .then(function () { busy = false; });
  }

  function bind() {
    var f = form();
    Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (b) { b.hidden = false; });
    f.addEventListener("submit", function (event) {
      event.preventDefault();
      var active = document.activeElement;
      send(filled(), active && active.id ? active.id : null);
    });
    f.addEventListener("change", function (event) {
      if (event.target.tagName === "SELECT") { send(filled(), event.target.id); }
    });
    document.getElementById("match-clear").addEventListener("click", function () {
      store(null);
      send({}, "says");
    });
    document.getElementById("match-print").addEventListener("click", function () { window.print(); });
  }

  bind();
  var saved = stored();
  if (saved && !Object.keys(filled()).length) { send(saved, null); }
}());
