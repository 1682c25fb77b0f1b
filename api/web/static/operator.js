/*
 * Hotline operators' console: find the right measure while a caller waits, and read out
 * a reply that cites it. Talks only to the JSON API (/api/search, /api/measures,
 * /api/departments); the ranking, highlights and validity come from the server, so this
 * file only displays them and handles the keyboard.
 */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var form = $("search-form");
  var q = $("q");
  var department = $("department");
  var chapter = $("chapter");
  var inForce = $("in-force");
  var statusLine = $("status");
  var list = $("results");
  var detail = $("detail");
  var documents = JSON.parse($("documents").textContent || "{}");
  // With several documents loaded a measure is (document, number): requests and links
  // name the document; with one they stay /api/measures/N as before.
  var several = Object.keys(documents).length > 1;
  var TOP_K = 10;
  var hits = [];        // what the list shows: search hits or measure views
  var terms = [];       // query terms of the last search, to mark in the detail view
  var selected = -1;
  var generation = 0;   // answers to an older search are dropped

  // ---- helpers ---------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined) return;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function getJSON(url) {
    return fetch(url, {headers: {Accept: "application/json"}}).then(function (res) {
      if (!res.ok) {
        return res.json().catch(function () { return {}; }).then(function (body) {
          var error = new Error(typeof body.detail === "string" ? body.detail : "HTTP " + res.status);
          error.status = res.status;
          throw error;
        });
      }
      return res.json();
    });
  }

  // Headings (with their Chinese numerals) and the badge's words come with the measure
  // JSON (knowledge/views.py), so the console, pages and replies word them the same way.
  function chapterText(c) { return c.heading; }
  function docQuery(doc) { return several && doc ? "?doc=" + encodeURIComponent(doc) : ""; }
  function sectionText(s) { return s.heading; }

  function badge(validity) {
    return el("span", {class: "badge " + (validity.in_force ? "in-force" : "expired"), text: validity.badge});
  }

  /** Text into `into`, with the [start, end) spans wrapped in <mark> (overlaps merged). */
  function marked(into, text, spans) {
    var merged = [];
    spans.slice().sort(function (a, b) { return a[0] - b[0]; }).forEach(function (s) {
      var last = merged[merged.length - 1];
      if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
      else merged.push([s[0], s[1]]);
    });
    var at = 0;
    merged.forEach(function (s) {
      into.appendChild(document.createTextNode(text.slice(at, s[0])));
      into.appendChild(el("mark", {text: text.slice(s[0], s[1])}));
      at = s[1];
    });
    into.appendChild(document.createTextNode(text.slice(at)));
    return into;
  }

  function spansOf(text, words) {
    var spans = [];
    words.forEach(function (w) {
      if (!w) return;
      for (var i = text.indexOf(w); i >= 0; i = text.indexOf(w, i + w.length)) spans.push([i, i + w.length]);
    });
    return spans;
  }

  /** What an operator reads to the caller: citation, quoted text, departments, validity. */
  function replyText(m) {
    var title = documents[m.doc_id];
    return "根据" + (title ? "《" + title + "》第" + m.number + "条" : m.citation) +
      "(" + chapterText(m.chapter) + " / " + sectionText(m.section) + "):\n" +
      "“" + m.text + "”\n" +
      "责任单位:" + m.departments.join("、") + (m.departments_note || "") + "。\n" +
      m.validity.summary;
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // Plain-HTTP intranet pages have no async clipboard API; the old way still works there.
    return new Promise(function (resolve, reject) {
      var area = el("textarea", {"aria-hidden": "true", style: "position:fixed;top:-1000px"});
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = document.execCommand("copy");
      area.remove();
      if (ok) resolve(); else reject(new Error("copy failed"));
    });
  }

  function copyReply(number, doc) {
    return getJSON("/api/measures/" + number + docQuery(doc)).then(function (m) {
      return copy(replyText(m)).then(function () {
        say("已复制" + m.citation + "的答复,可直接朗读或粘贴。");
      });
    }).catch(function () { say("复制失败,请在详情中手动选择文字复制。"); });
  }

  function say(text) { statusLine.textContent = text; }

  // ---- results ---------------------------------------------------------------------
  // The results are a single-select listbox: ↑/↓ move the selection (roving focus, so the
  // selected option is the one Tab stop of the list), Enter or a click opens the detail.
  // Options hold text only (a control inside an option is not reachable by a screen
  // reader's listbox navigation), so copying and department links live in the detail.
  function render() {
    list.textContent = "";
    hits.forEach(function (h, i) {
      var number = h.measure || h.number;
      var id = "result-" + (several ? h.doc_id + "-" : "") + number;
      var text = el("p", {class: "result-text"});
      marked(text, h.text, h.highlights || []);
      // The option's name is its visible text, in reading order: citation, chapter,
      // validity, then the measure itself (a shorter aria-label would hide what is shown).
      var item = el("li", {class: "result", id: id, role: "option", "aria-selected": "false",
                           "data-measure": String(number), "data-doc": h.doc_id,
                           tabindex: i === 0 ? "0" : "-1"}, [
        el("div", {class: "result-head"}, [
          el("span", {class: "citation", text: h.citation}),
          el("span", {class: "where", text: chapterText(h.chapter) + " / " + sectionText(h.section)}),
          badge(h.validity),
        ]),
        text,
        el("p", {class: "departments", text: "责任单位:" + h.departments.join("、")}),
      ]);
      item.addEventListener("click", function () {
        select(i, true);
        openDetail(number, h.doc_id).then(function () {
          // One column (narrow window or zoomed in): the detail is below the list.
          if (window.matchMedia("(max-width: 860px)").matches) detail.scrollIntoView({block: "start"});
        });
      });
      list.appendChild(item);
    });
    list.hidden = !hits.length;
    selected = -1;
  }

  function select(i, focus) {
    var items = list.querySelectorAll(".result");
    if (!items.length) return;
    i = Math.max(0, Math.min(items.length - 1, i));
    items.forEach(function (item, j) {
      item.setAttribute("aria-selected", String(j === i));
      item.setAttribute("tabindex", j === i ? "0" : "-1");
    });
    selected = i;
    if (focus) {
      items[i].focus();
      items[i].scrollIntoView({block: "nearest"});
    }
  }

  list.addEventListener("keydown", function (event) {
    if (!event.target.classList || !event.target.classList.contains("result")) return;
    if (event.key === "ArrowDown") { event.preventDefault(); select(selected + 1, true); }
    else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (selected <= 0) q.focus(); else select(selected - 1, true);
    } else if (event.key === "Home") { event.preventDefault(); select(0, true); }
    else if (event.key === "End") { event.preventDefault(); select(hits.length - 1, true); }
    else if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      openDetail(Number(event.target.getAttribute("data-measure")), event.target.getAttribute("data-doc"));
    } else if (event.key === "Escape") { q.focus(); }
  });
  // Tabbing into the list lands on the selected option (the first before any is chosen).
  list.addEventListener("focusin", function (event) {
    if (selected < 0 && event.target.classList.contains("result")) {
      select(Array.prototype.indexOf.call(list.children, event.target), false);
    }
  });

  q.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && hits.length) { event.preventDefault(); select(0, true); }
  });

  // ---- detail ----------------------------------------------------------------------
  function openDetail(number, doc) {
    return getJSON("/api/measures/" + number + docQuery(doc)).then(function (m) {
      var text = el("p", {class: "measure-text"});
      marked(text, m.text, spansOf(m.text, terms));
      var depts = el("dd", {}, []);
      m.departments.forEach(function (d, j) {
        if (j) depts.appendChild(document.createTextNode("、"));
        depts.appendChild(el("a", {href: "/operator?department=" + encodeURIComponent(d), text: d}));
      });
      if (m.departments_note) depts.appendChild(document.createTextNode(m.departments_note));
      detail.textContent = "";
      detail.setAttribute("data-measure", String(number));
      [
        el("h2", {id: "detail-title", text: m.citation}),
        // Actions first: after Enter on a result, one Tab reaches 复制答复.
        el("div", {class: "actions"}, [
          el("button", {type: "button", class: "primary", text: "复制答复",
                        onclick: function () { copyReply(number, doc); }}),
          el("a", {href: "/measures/" + number + docQuery(doc), target: "_blank", rel: "noopener"}, [
            "打开措施页面", el("span", {class: "visually-hidden", text: "(在新窗口打开)"}),
          ]),
          el("button", {type: "button", class: "secondary", text: "关闭详情", onclick: closeDetail}),
        ]),
        el("dl", {class: "facts"}, [
          el("dt", {text: "所属章节"}), el("dd", {text: chapterText(m.chapter) + " / " + sectionText(m.section)}),
          el("dt", {text: "责任单位"}), depts,
          el("dt", {text: "有效期"}), el("dd", {}, [badge(m.validity), " " + m.validity.summary]),
        ]),
        text,
      ].forEach(function (node) { detail.appendChild(node); });
      detail.hidden = false;
      say("已显示" + m.citation + "详情,按 Tab 键进入详情。");
    }).catch(function (error) { say("无法打开第" + number + "条:" + error.message); });
  }

  function closeDetail() {
    detail.hidden = true;
    var item = list.querySelector('.result[aria-selected="true"]');
    (item || q).focus();
  }

  // ---- searching -------------------------------------------------------------------
  function filters() {
    var params = new URLSearchParams();
    if (department.value) params.set("department", department.value);
    if (chapter.value) params.set("chapter", chapter.value);
    if (inForce.checked) params.set("in_force", "true");
    return params;
  }

  /** A question searches; filters alone list the matching measures in document order. */
  function run() {
    var query = q.value.trim();
    var params = filters();
    var shown = new URLSearchParams(params);
    if (query) shown.set("q", query);
    history.replaceState(null, "", shown.toString() ? "?" + shown.toString() : location.pathname);
    var mine = ++generation;
    var request;
    if (query) {
      params.set("q", query);
      params.set("k", String(TOP_K));
      request = getJSON("/api/search?" + params.toString()).then(function (data) {
        terms = [];
        data.results.forEach(function (h) { terms = terms.concat(h.terms || []); });
        return {hits: data.results,
                note: !data.results.length ? "没有找到相关措施,请换个说法或放宽筛选条件。"
                  : data.answerable ? "找到 " + data.results.length + " 条相关措施,按相关程度排序。"
                  : "没有措施直接回答这个问题;以下是最接近的 " + data.results.length + " 条,请核对后再答复。"};
      });
    } else if (params.toString()) {
      request = getJSON("/api/measures?" + params.toString()).then(function (measures) {
        terms = [];
        return {hits: measures, note: "共 " + measures.length + " 条措施符合筛选条件。"};
      });
    } else {
      hits = [];
      render();
      say("请输入问题或选择筛选条件。");
      return Promise.resolve();
    }
    say("正在检索…");
    return request.then(function (result) {
      if (mine !== generation) return;
      hits = result.hits;
      render();
      say(result.note);
    }).catch(function (error) {
      if (mine !== generation) return;
      hits = [];
      render();
      say("检索失败:" + error.message);
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });
  [department, chapter, inForce].forEach(function (control) {
    control.addEventListener("change", function () {
      if (q.value.trim() || filters().toString() || hits.length) run();
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !detail.hidden && detail.contains(document.activeElement)) closeDetail();
  });

  // ---- start -----------------------------------------------------------------------
  function fillFilters() {
    return Promise.all([getJSON("/api/departments"), getJSON("/api/measures")]).then(function (data) {
      Object.keys(data[0]).forEach(function (name) {
        department.appendChild(el("option", {value: name, text: name + "(" + data[0][name].length + "条)"}));
      });
      var seen = {};
      data[1].forEach(function (m) {
        if (seen[m.chapter.number]) return;
        seen[m.chapter.number] = true;
        chapter.appendChild(el("option", {value: String(m.chapter.number), text: chapterText(m.chapter)}));
      });
    });
  }

  fillFilters().catch(function (error) {
    say("筛选条件加载失败(" + error.message + "),仍可直接检索。");
  }).then(function () {
    var params = new URLSearchParams(location.search);
    q.value = params.get("q") || "";
    if (params.get("department")) {
      var wanted = params.get("department");
      var option = Array.prototype.find.call(department.options, function (o) { return o.value === wanted; });
      if (!option) department.appendChild(el("option", {value: wanted, text: wanted}));
      department.value = wanted;
    }
    if (params.get("chapter")) chapter.value = params.get("chapter");
    inForce.checked = params.get("in_force") === "true";
    document.body.setAttribute("data-ready", "1");
    if (q.value || filters().toString()) return run();
    q.focus();
  });
})();
