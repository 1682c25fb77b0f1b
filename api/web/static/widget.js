/*
 * policybot chat widget. A district website embeds it with one tag:
 *   <script src="http://HOST:8000/static/widget.js" defer></script>
 * It adds a floating "政策咨询" button and a chat panel that talk to HOST's /api/chat.
 *
 * Why it is built this way:
 * - Everything lives in a shadow root, so the host site's CSS cannot break the widget and
 *   the widget's CSS cannot touch the host site.
 * - The API address is taken from this script's own URL (or data-api="..."), so the same
 *   file works on any host page, any port, and behind a path prefix.
 * - The server issues the conversation token (the response's `sender`); the browser only
 *   keeps what it was given (localStorage) and never makes one up. Tokens travel in POST
 *   bodies, never in URLs, so they stay out of access logs.
 * - Every message gets a turn id; a retry re-sends the same id, so a message the server
 *   did process (a reply lost on the way back) is answered from the store, not twice.
 * - Screen readers: the conversation log does not announce itself (a restored history
 *   would be read out whole); each new answer is announced once through a polite status
 *   line, the typing indicator is a polite status of its own, errors are alerts.
 * - crypto.getRandomValues, not crypto.randomUUID: the latter needs HTTPS, and the
 *   district site may be plain HTTP on an intranet.
 */
(function () {
  "use strict";
  if (window.__policybotWidget) return;
  window.__policybotWidget = true;

  var script = document.currentScript || Array.prototype.find.call(document.scripts, function (s) {
    return /\/static\/widget\.js(\?|#|$)/.test(s.src);
  });
  if (!script) return;
  var BASE = (script.getAttribute("data-api") ||
              script.src.replace(/\/static\/widget\.js([?#].*)?$/, "")).replace(/\/$/, "");
  var KEY_SENDER = "policybot:sender";
  var KEY_OPEN = "policybot:open";
  var REQUEST_TIMEOUT_MS = 40000; // the server gives up on Rasa after 30 s
  var MAX_WAIT_S = 600;           // a Retry-After longer than this is taken as this
  var MSG = {
    unavailable: "对话服务暂时不可用,请稍后再试;您也可以拨打12345政务服务便民热线咨询。",
    network: "网络连接失败,请检查网络后重试;您也可以拨打12345政务服务便民热线咨询。",
    invalid: "消息不能为空,且不能超过2000字,请修改后再发送。",
    busy: "您的提问太频繁了,请稍后再试。",
    empty: "抱歉,暂时没有得到回复,请换一种说法再试。",
    rating: "评价未能提交,请稍后再试。",
    typing: "正在查找相关政策…",
    ready: "现在可以继续发送消息了。",
    greeting: "您好!我可以解答红旗区惠企政策措施的相关问题。请用日常语言提问,回答会注明依据的措施" +
              "(第N条)、责任单位和有效期。",
  };
  var SUGGESTIONS = ["出口信用保险保费能补贴多少?", "小微企业贷款到期还不上怎么办?", "第52条由哪个部门负责?"];

  // ---- small helpers ---------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svg(path) {
    var ns = "http://www.w3.org/2000/svg";
    var icon = document.createElementNS(ns, "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("d", path);
    icon.appendChild(p);
    return icon;
  }

  var ICON = {
    chat: "M4 4h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H10l-5 4v-4H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z",
    close: "M6 6l12 12M18 6L6 18",
    up: "M3 10h3v11H3zM8 10l4-7c1.5 0 2.5 1.2 2 3l-1 4h6c1.4 0 2.3 1.3 1.9 2.6l-2 7c-.3.9-1.1 1.4-2 1.4H8z",
    down: "M3 3h3v11H3zM8 14l4 7c1.5 0 2.5-1.2 2-3l-1-4h6c1.4 0 2.3-1.3 1.9-2.6l-2-7C18.6 3.5 17.8 3 16.9 3H8z",
  };

  function storage(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* storage disabled: the token lives for this page only */ }
    return value;
  }

  /** A random id for one message: [0-9a-f]{24}, within the contract's [A-Za-z0-9_-]{8,64}. */
  function newTurnId() {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function postJSON(path, body, signal) {
    return fetch(BASE + path, {method: "POST", headers: {"Content-Type": "application/json"},
                               body: JSON.stringify(body), signal: signal});
  }

  /** The error body's Chinese detail and machine code ({} when there is none). */
  function errorOf(res) {
    return res.json().then(function (body) {
      return {detail: typeof body.detail === "string" ? body.detail : "",
              code: typeof body.code === "string" ? body.code : ""};
    }, function () { return {detail: "", code: ""}; });
  }

  /** Retry-After in seconds (the contract sends an integer); 1 when absent or unreadable. */
  function retryAfter(res) {
    var seconds = parseInt(res.headers.get("Retry-After") || "", 10);
    return isFinite(seconds) && seconds > 0 ? Math.min(seconds, MAX_WAIT_S) : 1;
  }

  /** A link to a measure's page; `doc` (several documents loaded) names its document. */
  function measureLink(n, doc, label) {
    label = label || "第" + n + "条";
    return el("a", {href: BASE + "/measures/" + n + (doc ? "?doc=" + encodeURIComponent(doc) : ""),
                    target: "_blank", rel: "noopener", title: "在新窗口打开" + label + "原文", text: label});
  }

  /** Document ids by citation ("《简称》第44条"), from a reply's custom.sources. */
  function sourceDocs(sources) {
    var docs = {};
    (Array.isArray(sources) ? sources : []).forEach(function (s) {
      if (s && typeof s.citation === "string" && typeof s.doc_id === "string") docs[s.citation] = s.doc_id;
    });
    return docs;
  }

  /** Text with every 第N条 (or 《简称》第N条 of a cited document) turned into a link to that
   *  measure's page; returns the citations linked. */
  function linkedText(text, into, docs) {
    var cited = [];
    var pattern = /(《[^《》\n]{1,40}》)?第(\d{1,3})条/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      var named = match[1] && Object.prototype.hasOwnProperty.call(docs, match[0]);
      var start = match[1] && !named ? match.index + match[1].length : match.index;
      var label = named ? match[0] : "第" + match[2] + "条";
      into.appendChild(document.createTextNode(text.slice(last, start)));
      into.appendChild(measureLink(match[2], named ? docs[match[0]] : null, label));
      cited.push(label);
      last = pattern.lastIndex;
    }
    into.appendChild(document.createTextNode(text.slice(last)));
    return cited;
  }

  // ---- the widget ------------------------------------------------------------------
  var token = storage(KEY_SENDER) || null;   // the server's conversation token, if any
  var host = el("div", {id: "policybot-widget"});
  var shadow = host.attachShadow({mode: "open"});
  var root = el("div", {class: "pb-root", style: "visibility:hidden"});
  var reveal = function () { root.style.visibility = ""; };
  shadow.appendChild(el("link", {rel: "stylesheet", href: BASE + "/static/widget.css",
                                 onload: reveal, onerror: reveal}));
  shadow.appendChild(root);

  var launcher = el("button", {type: "button", class: "launcher", "aria-expanded": "false",
                               "aria-controls": "pb-panel", "aria-label": "打开政策咨询对话"},
                    [svg(ICON.chat), el("span", {text: "政策咨询"})]);
  var closeButton = el("button", {type: "button", class: "close", "aria-label": "关闭对话"},
                       [svg(ICON.close)]);
  // A log that does not speak by itself: see the header comment (announce()).
  var log = el("div", {class: "log", role: "log", "aria-live": "off", "aria-label": "对话记录",
                       tabindex: "0"});
  var typing = el("div", {class: "typing", role: "status", "aria-live": "polite"});
  var alertBox = el("div", {class: "alert", role: "alert"});
  var waitNote = el("p", {class: "wait", "aria-hidden": "true", hidden: true});
  var announcer = el("div", {class: "vh", role: "status", "aria-live": "polite", "aria-atomic": "true"});
  var input = el("textarea", {id: "pb-input", rows: "2", maxlength: "2000", autocomplete: "off",
                              placeholder: "请输入您的问题,按回车发送"});
  var sendButton = el("button", {type: "submit", class: "send", text: "发送"});
  var form = el("form", {class: "composer"}, [
    el("label", {for: "pb-input", class: "vh", text: "输入您的问题"}), input, sendButton,
  ]);
  var panel = el("div", {id: "pb-panel", class: "panel", role: "dialog", "aria-modal": "false",
                         "aria-labelledby": "pb-title", hidden: true}, [
    el("div", {class: "head"}, [el("h2", {id: "pb-title", text: "惠企政策咨询"}), closeButton]),
    log, typing, alertBox, waitNote, form, announcer,
    el("p", {class: "note"}, ["回答依据区政策文件原文,仅供参考,具体以责任单位解释为准。",
      // The policy calculator: every measure the enterprise can use, from its profile.
      el("a", {class: "match-link", href: BASE + "/match", target: "_blank", rel: "noopener",
               text: "按企业情况匹配政策"})]),
  ]);
  // The button first: Tab reaches it, then the panel it opens.
  root.appendChild(launcher);
  root.appendChild(panel);

  var busy = false;          // a message is on its way
  var blockedUntil = 0;      // Date.now() before which the server asked us not to send
  var waitTimer = null;
  var quickGroup = null;     // the quick replies that may still be used (newest bot question)
  var restored = false;

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function blocked() { return blockedUntil > Date.now(); }

  /** Send button and quick replies follow one rule: usable unless busy or asked to wait. */
  function refreshControls() {
    var off = busy || blocked();
    sendButton.disabled = off;
    Array.prototype.forEach.call(log.querySelectorAll(".quick button"), function (b) {
      b.disabled = off || b.parentNode !== quickGroup;
    });
  }

  /** Say `text` once, politely; cleared first so the same words twice are said twice. */
  function announce(text) {
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function showTyping(on) {
    typing.textContent = "";
    if (on) {
      typing.appendChild(el("div", {class: "typing-body"}, [
        el("span", {class: "dots", "aria-hidden": "true"}, [el("i"), el("i"), el("i")]),
        el("span", {text: MSG.typing}),
      ]));
    }
  }

  function clearAlert() {
    alertBox.textContent = "";
  }

  /** An error in the alert area, with a retry button when retrying makes sense. */
  function showAlert(text, retry) {
    clearAlert();
    alertBox.appendChild(el("p", {class: "alert-text", text: text}));
    if (retry) {
      alertBox.appendChild(el("button", {type: "button", class: "retry", text: "重新发送", onclick: function () {
        clearAlert();
        input.focus();
        retry();
      }}));
    }
  }

  /** The server asked for a pause (429): no sending for `seconds`, shown counting down. */
  function waitFor(seconds) {
    blockedUntil = Date.now() + seconds * 1000;
    window.clearInterval(waitTimer);
    var tick = function () {
      var left = Math.ceil((blockedUntil - Date.now()) / 1000);
      if (left > 0) {
        waitNote.hidden = false;
        waitNote.textContent = left + "秒后可以再次发送";
        return;
      }
      window.clearInterval(waitTimer);
      waitTimer = null;
      blockedUntil = 0;
      waitNote.hidden = true;
      clearAlert();
      refreshControls();
      announce(MSG.ready);
    };
    waitTimer = window.setInterval(tick, 250);
    tick();
    refreshControls();
  }

  function quickReplies(buttons) {
    var group = el("div", {class: "quick", role: "group", "aria-label": "快捷回复"});
    buttons.forEach(function (b) {
      group.appendChild(el("button", {type: "button", text: b.title, onclick: function () {
        // The chosen button is disabled at once, which would drop keyboard focus to the
        // page: it goes to the input instead, where the next message is typed.
        if (send(b.payload || b.title, b.title, true)) input.focus();
      }}));
    });
    return group;
  }

  function addUser(text) {
    var bubble = el("div", {class: "msg user"}, [el("span", {class: "vh", text: "我:"}), text]);
    log.appendChild(bubble);
    scrollDown();
    return bubble;
  }

  function ratingButtons(id, rating) {
    var group = el("div", {class: "rate", role: "group", "aria-label": "这条回答有帮助吗?"});
    function choose(value) {
      return function () {
        postJSON("/api/chat/feedback", {sender: token, message_id: id, rating: value}).then(function (res) {
          if (res.status === 403) forget();
          if (res.status !== 204) throw new Error("feedback " + res.status);
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
            b.setAttribute("aria-pressed", String(b.getAttribute("data-rating") === value));
          });
        }).catch(function () {
          showAlert(MSG.rating);
        });
      };
    }
    [["up", "有帮助", ICON.up], ["down", "没有帮助", ICON.down]].forEach(function (spec) {
      group.appendChild(el("button", {type: "button", "data-rating": spec[0], "aria-label": spec[1],
                                      title: spec[1], "aria-pressed": String(rating === spec[0]),
                                      onclick: choose(spec[0])}, [svg(spec[2])]));
    });
    return group;
  }

  /** One bot message: linked text, citations not already linked, quick replies, rating. */
  function addBot(message, rating) {
    var bubble = el("div", {class: "msg bot", "data-id": message.id});
    var body = el("div", {class: "text"}, [el("span", {class: "vh", text: "政策助手:"})]);
    var custom = message.custom || {};
    var docs = sourceDocs(custom.sources);
    var cited = message.text ? linkedText(message.text, body, docs) : [];
    bubble.appendChild(body);
    // Citations not linked in the text: (document, number) from sources where the reply
    // has them, else the plain numbers older replies carry.
    var links = Array.isArray(custom.sources) ? custom.sources.filter(function (s) {
      return s && typeof s.measure === "number" && typeof s.citation === "string";
    }).map(function (s) {
      return {n: s.measure, label: s.citation, doc: s.citation.charAt(0) === "《" ? docs[s.citation] : null};
    }) : (custom.citations || []).filter(function (n) { return typeof n === "number"; }).map(function (n) {
      return {n: n, label: "第" + n + "条", doc: null};
    });
    links = links.filter(function (l) { return cited.indexOf(l.label) < 0; });
    if (links.length) {
      var row = el("p", {class: "sources"}, ["相关措施:"]);
      links.forEach(function (l, i) {
        if (i) row.appendChild(document.createTextNode("、"));
        row.appendChild(measureLink(l.n, l.doc, l.label));
      });
      bubble.appendChild(row);
    }
    var asking = message.buttons && message.buttons.length;
    if (asking) {
      quickGroup = quickReplies(message.buttons);
      bubble.appendChild(quickGroup);
    }
    // Answers are rated; a form question waiting for a quick reply is not an answer yet.
    if (message.id && message.text && !asking) bubble.appendChild(ratingButtons(message.id, rating || null));
    log.appendChild(bubble);
    scrollDown();
    return bubble;
  }

  /** What a screen reader says about new bot messages: their text and the choices offered. */
  function spoken(messages) {
    var parts = [];
    messages.forEach(function (m) {
      if (m.text) parts.push(m.text);
      if (m.buttons && m.buttons.length) {
        parts.push("可选回答:" + m.buttons.map(function (b) { return b.title; }).join("、"));
      }
    });
    return parts.length ? "政策助手:" + parts.join(" ") : "";
  }

  function greet(withSuggestions) {
    var bubble = el("div", {class: "msg bot greeting"}, [el("div", {class: "text", text: MSG.greeting})]);
    if (withSuggestions) {
      quickGroup = quickReplies(SUGGESTIONS.map(function (q) { return {title: q, payload: q}; }));
      bubble.appendChild(quickGroup);
    }
    log.appendChild(bubble);
    refreshControls();
  }

  function remember(sender) {
    if (typeof sender === "string" && sender) token = storage(KEY_SENDER, sender);
  }

  /** The server no longer knows our token: drop it; the next message starts afresh. */
  function forget() {
    token = null;
    storage(KEY_SENDER, null);
  }

  // ---- sending ---------------------------------------------------------------------
  /** A message typed or picked: shown at once, then delivered (and re-delivered on retry). */
  function send(text, shown, quick) {
    text = (text || "").trim();
    if (!text || busy || blocked()) return false;
    deliver({id: newTurnId(), text: text, shown: shown || text, quick: !!quick,
             quickBefore: quickGroup, bubble: null, fresh: false});
    return true;
  }

  /** The turn was refused before it happened (429, 413, 422): undo it, keep what was typed. */
  function giveBack(turn) {
    if (turn.bubble) turn.bubble.remove();
    turn.bubble = null;
    quickGroup = turn.quickBefore;
    if (!turn.quick && !input.value) input.value = turn.text;
  }

  function deliver(turn) {
    clearAlert();
    quickGroup = null;
    if (!turn.bubble) turn.bubble = addUser(turn.shown);
    busy = true;
    refreshControls();
    showTyping(true);
    scrollDown();
    var controller = window.AbortController ? new AbortController() : null;
    var timer = window.setTimeout(function () { if (controller) controller.abort(); }, REQUEST_TIMEOUT_MS);
    var body = {message: turn.text, turn_id: turn.id};
    if (token) body.sender = token;
    var retry = function () { deliver(turn); };
    var again = false;
    postJSON("/api/chat", body, controller ? controller.signal : undefined).then(function (res) {
      if (res.ok) {
        return res.json().then(function (data) {
          remember(data.sender);
          var messages = data.messages || [];
          if (!messages.length) showAlert(MSG.empty);
          messages.forEach(function (m) { addBot(m); });
          if (messages.length) announce(spoken(messages));
        });
      }
      return errorOf(res).then(function (error) {
        if (res.status === 403 && !turn.fresh) {
          // A token this server did not issue: start a new conversation, once.
          forget();
          turn.fresh = true;
          again = true;
        } else if (res.status === 429) {
          giveBack(turn);
          showAlert(error.detail || MSG.busy);
          waitFor(retryAfter(res));
        } else if (res.status === 413 || res.status === 422) {
          giveBack(turn);
          showAlert(res.status === 413 && error.detail ? error.detail : MSG.invalid);
        } else {
          showAlert(error.detail || MSG.unavailable, retry);
        }
      });
    }).catch(function () {
      showAlert(MSG.network, retry);
    }).then(function () {
      window.clearTimeout(timer);
      busy = false;
      showTyping(false);
      refreshControls();
      scrollDown();
      if (again) deliver(turn);
    });
  }

  /** Conversation from the server: the greeting, then every stored turn. */
  function restore() {
    if (restored) return;
    restored = true;
    if (!token) { greet(true); return; }
    postJSON("/api/chat/history", {sender: token}).then(function (res) {
      if (res.status === 403) forget();
      if (!res.ok) throw new Error("history " + res.status);
      return res.json();
    }).then(function (data) {
      remember(data.sender);
      var turns = data.turns || [];
      greet(turns.length === 0);
      turns.forEach(function (t) {
        if (t.role === "user") addUser(t.text || "");
        else addBot(t, t.rating);
      });
      // Only the newest message's quick replies still make sense.
      var bubbles = log.querySelectorAll(".msg");
      var last = bubbles[bubbles.length - 1];
      if (quickGroup && !(last && last.contains(quickGroup))) quickGroup = null;
      refreshControls();
      scrollDown();
    }).catch(function () {
      greet(true);
    });
  }

  function open(focus) {
    panel.hidden = false;
    root.classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    launcher.setAttribute("aria-label", "收起政策咨询对话");
    storage(KEY_OPEN, "1");
    restore();
    if (focus) input.focus();
  }

  function close() {
    panel.hidden = true;
    root.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-label", "打开政策咨询对话");
    storage(KEY_OPEN, "0");
    launcher.focus();
  }

  launcher.addEventListener("click", function () {
    if (panel.hidden) open(true); else close();
  });
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim() || busy || blocked()) return;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter is a new line; Enter that confirms an IME candidate is neither.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else sendButton.click();
    }
  });

  function mount() {
    document.body.appendChild(host);
    if (storage(KEY_OPEN) === "1") open(false);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
