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
 * - The browser keeps only a random sender id (localStorage); the conversation itself is
 *   stored by the server and fetched again after a reload.
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
  var MSG = {
    unavailable: "对话服务暂时不可用,请稍后再试;您也可以拨打12345政务服务便民热线咨询。",
    network: "网络连接失败,请检查网络后重试;您也可以拨打12345政务服务便民热线咨询。",
    invalid: "消息不能为空,且不能超过2000字,请修改后再发送。",
    empty: "抱歉,暂时没有得到回复,请换一种说法再试。",
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
      window.localStorage.setItem(key, value);
    } catch (e) { /* storage disabled: the id lives for this page only */ }
    return value;
  }

  function senderId() {
    var id = storage(KEY_SENDER);
    if (id && /^[A-Za-z0-9_-]{1,64}$/.test(id)) return id;
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    id = "web-" + Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
    storage(KEY_SENDER, id);
    return id;
  }

  function measureLink(n) {
    return el("a", {href: BASE + "/measures/" + n, target: "_blank", rel: "noopener",
                    title: "在新窗口打开第" + n + "条原文", text: "第" + n + "条"});
  }

  /** Text with every 第N条 turned into a link to that measure's page; returns cited numbers. */
  function linkedText(text, into) {
    var cited = [];
    var pattern = /第(\d{1,3})条/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      into.appendChild(document.createTextNode(text.slice(last, match.index)));
      into.appendChild(measureLink(match[1]));
      cited.push(Number(match[1]));
      last = pattern.lastIndex;
    }
    into.appendChild(document.createTextNode(text.slice(last)));
    return cited;
  }

  // ---- the widget ------------------------------------------------------------------
  var sender = senderId();
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
  var log = el("div", {class: "log", role: "log", "aria-live": "polite", "aria-label": "对话记录",
                       tabindex: "0"});
  var typing = el("div", {class: "typing", hidden: true}, [
    el("span", {class: "dots", "aria-hidden": "true"}, [el("i"), el("i"), el("i")]),
    el("span", {text: "正在查找相关政策…"}),
  ]);
  var input = el("textarea", {id: "pb-input", rows: "2", maxlength: "2000", autocomplete: "off",
                              placeholder: "请输入您的问题,按回车发送"});
  var sendButton = el("button", {type: "submit", class: "send", text: "发送"});
  var form = el("form", {class: "composer"}, [
    el("label", {for: "pb-input", class: "vh", text: "输入您的问题"}), input, sendButton,
  ]);
  var panel = el("section", {id: "pb-panel", class: "panel", role: "dialog", "aria-modal": "false",
                             "aria-labelledby": "pb-title", hidden: true}, [
    el("header", {}, [el("h2", {id: "pb-title", text: "惠企政策咨询"}), closeButton]),
    log, typing, form,
    el("p", {class: "note", text: "回答依据区政策文件原文,仅供参考,具体以责任单位解释为准。"}),
  ]);
  // The button first: Tab reaches it, then the panel it opens.
  root.appendChild(launcher);
  root.appendChild(panel);

  var busy = false;
  var restored = false;

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function disableQuickReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".quick button"), function (b) {
      b.disabled = true;
    });
  }

  function quickReplies(buttons) {
    return el("div", {class: "quick", role: "group", "aria-label": "快捷回复"}, buttons.map(function (b) {
      return el("button", {type: "button", text: b.title,
                           onclick: function () { send(b.payload || b.title, b.title); }});
    }));
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
        fetch(BASE + "/api/chat/feedback", {
          method: "POST", headers: {"Content-Type": "application/json"},
          body: JSON.stringify({sender: sender, message_id: id, rating: value}),
        }).then(function (res) {
          if (res.status !== 204) throw new Error("feedback " + res.status);
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
            b.setAttribute("aria-pressed", String(b.getAttribute("data-rating") === value));
          });
        }).catch(function () {
          group.setAttribute("data-error", "1");
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
    var cited = message.text ? linkedText(message.text, body) : [];
    bubble.appendChild(body);
    var citations = ((message.custom && message.custom.citations) || []).filter(function (n) {
      return typeof n === "number" && cited.indexOf(n) < 0;
    });
    if (citations.length) {
      var row = el("p", {class: "sources"}, ["相关措施:"]);
      citations.forEach(function (n, i) {
        if (i) row.appendChild(document.createTextNode("、"));
        row.appendChild(measureLink(n));
      });
      bubble.appendChild(row);
    }
    if (message.buttons && message.buttons.length) bubble.appendChild(quickReplies(message.buttons));
    // Answers are rated; a form question waiting for a quick reply is not an answer yet.
    var asking = message.buttons && message.buttons.length;
    if (message.id && message.text && !asking) bubble.appendChild(ratingButtons(message.id, rating || null));
    log.appendChild(bubble);
    scrollDown();
    return bubble;
  }

  function addError(text, retry) {
    var bubble = el("div", {class: "msg error", role: "alert"}, [el("span", {text: text})]);
    if (retry) {
      bubble.appendChild(el("button", {type: "button", class: "retry", text: "重新发送",
                                       onclick: function () { bubble.remove(); retry(); }}));
    }
    log.appendChild(bubble);
    scrollDown();
  }

  function greet(withSuggestions) {
    var bubble = el("div", {class: "msg bot greeting"}, [el("div", {class: "text", text: MSG.greeting})]);
    if (withSuggestions) {
      bubble.appendChild(quickReplies(SUGGESTIONS.map(function (q) { return {title: q, payload: q}; })));
    }
    log.appendChild(bubble);
  }

  function detailOf(res) {
    return res.json().then(function (body) {
      return typeof body.detail === "string" ? body.detail : "";
    }, function () { return ""; });
  }

  function send(text, shown) {
    text = (text || "").trim();
    if (!text || busy) return;
    disableQuickReplies();
    var userBubble = addUser(shown || text);
    busy = true;
    sendButton.disabled = true;
    typing.hidden = false;
    scrollDown();
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, REQUEST_TIMEOUT_MS);
    var retry = function () { userBubble.remove(); send(text, shown); };
    fetch(BASE + "/api/chat", {
      method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({sender: sender, message: text}),
      signal: controller ? controller.signal : undefined,
    }).then(function (res) {
      if (res.ok) {
        return res.json().then(function (data) {
          if (!data.messages || !data.messages.length) addError(MSG.empty);
          (data.messages || []).forEach(function (m) { addBot(m); });
        });
      }
      if (res.status === 422) return addError(MSG.invalid);
      return detailOf(res).then(function (detail) {
        addError(res.status === 503 && detail ? detail : MSG.unavailable, retry);
      });
    }).catch(function () {
      addError(MSG.network, retry);
    }).then(function () {
      clearTimeout(timer);
      busy = false;
      sendButton.disabled = false;
      typing.hidden = true;
      scrollDown();
    });
  }

  /** Conversation from the server: the greeting, then every stored turn. */
  function restore() {
    if (restored) return;
    restored = true;
    fetch(BASE + "/api/chat/history?sender=" + encodeURIComponent(sender)).then(function (res) {
      if (!res.ok) throw new Error("history " + res.status);
      return res.json();
    }).then(function (data) {
      var turns = data.turns || [];
      greet(turns.length === 0);
      turns.forEach(function (t) {
        if (t.role === "user") addUser(t.text || "");
        else addBot(t, t.rating);
      });
      // Only the newest bot message's quick replies still make sense.
      var bubbles = log.querySelectorAll(".msg");
      var last = bubbles[bubbles.length - 1];
      Array.prototype.forEach.call(log.querySelectorAll(".quick button"), function (b) {
        if (!last || !last.contains(b)) b.disabled = true;
      });
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
    if (busy) return;
    var text = input.value;
    if (!text.trim()) return;
    input.value = "";
    send(text);
  });
  input.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter is a new line; Enter that confirms an IME candidate is neither.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : sendButton.click();
    }
  });

  function mount() {
    document.body.appendChild(host);
    if (storage(KEY_OPEN) === "1") open(false);
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
