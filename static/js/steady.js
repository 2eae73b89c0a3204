/* Steady's one script: a print button, the idle-session warning, and keeping what was typed.
 * Everything works without it; it only helps. No inline script anywhere (the CSP forbids it).
 *
 * Drafts: while a signed-in person types in a POST form that has a text area, the form's fields
 * are kept in this tab's sessionStorage (gone when the tab closes), under her user id and the
 * form's address. If the session ended meanwhile, the submit lands on the sign-in page, which
 * marks the drafts as carried through it and sends her back to the same form afterwards; the
 * form then gets back what she typed, with a note to check it and save. Any other draft is
 * dropped on the next signed-in page (its submit went through, or she left the form), and all
 * drafts when she signs out. Nothing is ever restored over text the page already shows.
 */
(function () {
  "use strict";

  var body = document.body;
  var user = body.dataset.user || "";
  var DRAFT = "steady-draft:";
  var SKIP_TYPES = ["hidden", "password", "file", "submit", "button", "reset"];

  function storage(kind) {
    try {
      var store = window[kind];
      store.getItem("x");
      return store;
    } catch (error) {
      return null; // storage switched off: nothing is kept, the app works as without script
    }
  }
  var drafts = storage("sessionStorage");
  var shared = storage("localStorage");

  // --- Print -----------------------------------------------------------------------------------
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // --- Drafts ----------------------------------------------------------------------------------
  function pathOf(form) {
    return new URL(form.getAttribute("action") || window.location.href, window.location.href).pathname;
  }

  function draftKey(form) {
    return DRAFT + user + ":" + pathOf(form);
  }

  function keptFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && SKIP_TYPES.indexOf(el.type) === -1;
    });
  }

  function save(form) {
    var values = {};
    keptFields(form).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (!(el.name in values)) { values[el.name] = []; }
        if (el.checked) { values[el.name].push(el.value); }
      } else if (el.tagName === "SELECT" && el.multiple) {
        values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[el.name] = [el.value];
      }
    });
    drafts.setItem(draftKey(form), JSON.stringify({ values: values, savedAt: Date.now() }));
  }

  function restore(form, values) {
    keptFields(form).forEach(function (el) {
      var kept = values[el.name];
      if (!kept) { return; }
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = kept.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = kept.indexOf(o.value) !== -1; });
      } else {
        el.value = kept[0];
      }
    });
    var note = document.createElement("div");
    note.className = "alert alert-info draft-restored";
    note.setAttribute("role", "status");
    note.textContent = "We kept what you typed before you were signed out. Check it, then save.";
    form.insertBefore(note, form.firstChild);
  }

  function textLost(form, values) {
    // Restore only when a text area the person filled in is empty now (the typing was lost),
    // never over what the server has just shown back (for example a form with errors).
    return Array.prototype.some.call(form.querySelectorAll("textarea[name]"), function (area) {
      var kept = values[area.name];
      return area.value.trim() === "" && kept && kept[0] && kept[0].trim() !== "";
    });
  }

  function draftForms() {
    return Array.prototype.filter.call(document.querySelectorAll("form"), function (form) {
      return (form.getAttribute("method") || "").toLowerCase() === "post" && form.querySelector("textarea[name]");
    });
  }

  function allDraftKeys() {
    var keys = [];
    for (var i = 0; i < drafts.length; i += 1) {
      if (drafts.key(i).indexOf(DRAFT) === 0) { keys.push(drafts.key(i)); }
    }
    return keys;
  }

  if (drafts && user) {
    var forms = draftForms();
    var here = forms.map(draftKey);
    var carried = {};
    // Only a draft that passed through the sign-in page comes back: any other was sent, or left.
    allDraftKeys().forEach(function (key) {
      var draft = JSON.parse(drafts.getItem(key) || "{}");
      if (draft.viaSignIn && here.indexOf(key) !== -1) { carried[key] = draft.values; }
      drafts.removeItem(key);
    });
    forms.forEach(function (form) {
      var values = carried[draftKey(form)];
      if (values && textLost(form, values)) {
        restore(form, values);
        save(form);
      }
      var keep = function () { save(form); };
      form.addEventListener("input", keep);
      form.addEventListener("change", keep);
      form.addEventListener("submit", keep);
    });
    var signOut = document.querySelector("form[action$='/sign-out/']");
    if (signOut) {
      signOut.addEventListener("submit", function () {
        allDraftKeys().forEach(function (key) { drafts.removeItem(key); });
      });
    }
  } else if (drafts && !user && allDraftKeys().length && document.querySelector("main")) {
    // Signed out with something typed: it is kept for the form it belongs to, after signing in.
    allDraftKeys().forEach(function (key) {
      var draft = JSON.parse(drafts.getItem(key) || "{}");
      draft.viaSignIn = true;
      drafts.setItem(key, JSON.stringify(draft));
    });
    var kept = document.createElement("p");
    kept.className = "alert alert-info draft-kept";
    kept.setAttribute("role", "status");
    kept.textContent = "What you typed before you were signed out is kept in this browser tab. " +
      "Sign in to go back to it.";
    var main = document.querySelector("main");
    main.insertBefore(kept, main.firstChild);
  }

  // --- Idle warning ----------------------------------------------------------------------------
  var idleSeconds = parseInt(body.dataset.idleSeconds || "0", 10);
  var keepAliveUrl = body.dataset.keepAliveUrl;
  if (!user || !idleSeconds || !keepAliveUrl) { return; }

  // Warn five minutes ahead (a fifth of the limit when the limit is short).
  var leadSeconds = Math.min(300, Math.floor(idleSeconds / 5));
  var ACTIVITY = "steady-last-request";
  var lastRequest = Date.now();
  if (shared) { shared.setItem(ACTIVITY, String(lastRequest)); }

  function latestRequest() {
    // Another tab's request keeps the same session alive too.
    var other = shared ? parseInt(shared.getItem(ACTIVITY) || "0", 10) : 0;
    return Math.max(lastRequest, other || 0);
  }

  var warning = null;
  var message = null;

  function showWarning(text, withButton) {
    if (!warning) {
      warning = document.createElement("div");
      warning.className = "idle-warning alert alert-warning d-flex flex-wrap align-items-center gap-2";
      warning.setAttribute("role", "alert");
      message = document.createElement("p");
      message.className = "mb-0 me-auto";
      warning.appendChild(message);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-primary btn-sm";
      button.textContent = "Stay signed in";
      button.addEventListener("click", stayAlive);
      warning.appendChild(button);
      document.body.appendChild(warning);
    }
    message.textContent = text;
    warning.querySelector("button").hidden = !withButton;
    warning.hidden = false;
  }

  function signedOut() {
    clearInterval(timer);
    showWarning("You have been signed out after " + Math.round(idleSeconds / 60) + " minutes without " +
      "activity. What you typed is kept in this tab: sign in again to carry on.", false);
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function stayAlive() {
    fetch(keepAliveUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
    }).then(function (response) {
      if (response.ok && response.type !== "opaqueredirect") {
        lastRequest = Date.now();
        if (shared) { shared.setItem(ACTIVITY, String(lastRequest)); }
        warning.hidden = true;
      } else {
        signedOut();
      }
    }).catch(function () {
      showWarning("Steady could not be reached. Check the connection, then try again.", true);
    });
  }

  function check() {
    var idle = (Date.now() - latestRequest()) / 1000;
    if (idle >= idleSeconds) {
      signedOut();
    } else if (idle >= idleSeconds - leadSeconds) {
      var minutes = Math.max(1, Math.ceil((idleSeconds - idle) / 60));
      showWarning("You will be signed out in about " + minutes + " minute" + (minutes === 1 ? "" : "s") +
        " because nothing has been sent to Steady for a while. Anything you have typed is kept in this tab.", true);
    } else if (warning) {
      warning.hidden = true;
    }
  }

  var timer = setInterval(check, 15000);
})();
