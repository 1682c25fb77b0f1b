/* Knowledge-base admin: check uploaded files, publish with progress, confirm rollbacks.
   The markup is in the page (api/web/admin.html); this script only fills it in. Files go
   to the server as base64 in JSON (no multipart parser on the server); every request
   carries the page's CSRF token in a header. */
(function () {
  "use strict";

  const POLL_MS = 1000;
  const MAX_BYTES = 1.5 * 1024 * 1024;
  const $ = (id) => document.getElementById(id);

  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
  // After an action, focus goes where the result is: the field the server refused
  // (its message is tied to it), else the server's message, read out once.
  const result = document.querySelector("[aria-invalid=true], #error, #message:not([hidden])");
  if (result) result.focus();

  const form = $("upload-form");
  if (!form) return;
  const csrf = form.dataset.csrf;
  const maxFiles = Number(form.dataset.maxFiles);
  const input = $("files");
  const check = $("check");
  const checkButton = form.querySelector("button[type=submit]");
  const publishButton = $("publish");
  let checked = null; // the last successful check: {upload, live}

  function errorText(status, data) {
    if (status === 0) return "无法连接服务器,请稍后再试。";
    if (status === 401) return "登录已过期,请刷新页面重新登录。";
    if (status === 413) return "文件过大:每次上传合计不超过1.5 MB。";
    if (data && typeof data.detail === "string") return data.detail;
    if (status === 422) return "上传的内容无法读取,请重新选择文件。";
    return "服务器出错(" + status + "),请稍后再试。";
  }

  async function request(method, url, body) {
    try {
      const response = await fetch(url, {
        method, credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      return {status: response.status, data};
    } catch (e) {
      return {status: 0, data: null};
    }
  }

  function base64(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  function showError(text) {
    const error = $("check-error");
    error.textContent = text;
    error.hidden = !text;
  }

  function listProblems(problems) {
    const list = $("problems");
    list.replaceChildren(...problems.map((p) => {
      const item = document.createElement("li");
      const where = document.createElement("span");
      where.className = "where";
      where.textContent = p.path + " 第" + p.line + "行";
      item.append(where, ":" + p.message);
      return item;
    }));
    list.hidden = problems.length === 0;
  }

  function reset() {
    check.hidden = false;
    showError("");
    listProblems([]);
    $("diff-box").hidden = true;
    publishButton.hidden = true;
    $("progress").hidden = true;
    checked = null;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = Array.from(input.files);
    reset();
    const summary = $("check-summary");
    const size = files.reduce((sum, f) => sum + f.size, 0);
    if (!files.length || files.length > maxFiles || size > MAX_BYTES) {
      summary.textContent = "";
      showError(!files.length ? "请先选择文件。" : files.length > maxFiles
        ? "一次最多上传" + maxFiles + "个文件。" : "文件过大:每次上传合计不超过1.5 MB。");
      $("check-title").focus();
      return;
    }
    checkButton.disabled = true;
    summary.textContent = "正在检查……";
    const payload = {files: await Promise.all(files.map(async (f) => (
      {name: f.name, content: base64(await f.arrayBuffer())})))};
    const {status, data} = await request("POST", "/admin/api/uploads", payload);
    checkButton.disabled = false;
    if (status !== 200) {
      summary.textContent = "";
      showError(errorText(status, data));
    } else if (data.problems.length) {
      summary.textContent = "发现" + data.problems.length + "个问题,请修改文件后重新检查:";
      listProblems(data.problems);
    } else {
      summary.textContent = data.publishable ? "检查通过,可以发布。" : "检查通过。此版本的服务尚不能发布。";
      if (data.diff !== null) {
        $("diff").textContent = data.diff;
        $("diff-box").hidden = false;
      }
      if (data.publishable) {
        checked = {upload: data.upload, live: data.live};
        publishButton.hidden = false;
        publishButton.disabled = false;
      }
    }
    $("check-title").focus();
  });

  publishButton.addEventListener("click", async () => {
    if (!checked) return;
    publishButton.disabled = true;
    checkButton.disabled = true;
    const steps = $("steps");
    const status = $("publish-status");
    steps.replaceChildren();
    $("progress").hidden = false;
    status.textContent = "正在发布……";
    const started = await request("POST", "/admin/api/publish", {upload: checked.upload, base: checked.live});
    if (started.status !== 202) {
      status.textContent = errorText(started.status, started.data);
      publishButton.disabled = false;
      checkButton.disabled = false;
      return;
    }
    await follow(started.data.job, steps, status);
  });

  async function follow(job, steps, status) {
    let shown = 0;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      const {status: code, data} = await request("GET", "/admin/api/jobs/" + encodeURIComponent(job));
      if (code !== 200) {
        status.textContent = errorText(code, data);
        checkButton.disabled = false;
        return;
      }
      for (const step of data.steps.slice(shown)) {
        const item = document.createElement("li");
        item.textContent = step;
        steps.append(item);
      }
      shown = data.steps.length;
      if (data.state === "running") continue;
      checkButton.disabled = false;
      if (data.state === "done") {
        window.location.assign("/admin?done=published&version=" + encodeURIComponent(data.version.id));
      } else if (data.state === "rejected") {
        status.textContent = "发布前的检查未通过,正在使用的版本没有改变:";
        listProblems(data.problems);
      } else {
        status.textContent = "发布失败,正在使用的版本没有改变:" + (data.error || "");
      }
      return;
    }
  }
})();
