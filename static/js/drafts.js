/*
 * Drafts that survive a reload: the text boxes of every form with a data-draft-key are kept
 * in this browser's localStorage as the person types, and put back when the page opens
 * with the boxes empty ("Draft restored" is announced in the form's data-draft-status).
 *
 * Sending the form clears the draft. If the server shows the form again with an error
 * (data-draft-errors="true"), the typed text it sends back is saved again at once, so a
 * failed send never loses the draft.
 */
(function () {
  "use strict";

  var PREFIX = "comity:draft:";
  var SAVE_DELAY_MS = 400;
  // A draft older than this is stale; nobody wants a reply from last month pasted back.
  var MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;

  function storage() {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // private mode or storage disabled: the form still works without drafts
    }
  }

  function draftFields(form) {
    return Array.prototype.filter.call(
      form.querySelectorAll("textarea[name], input[type=text][name]"),
      function (field) { return !field.disabled && !field.readOnly; }
    );
  }

  function read(store, key) {
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      if (!draft || typeof draft.fields !== "object") return null;
      if (Date.now() - (draft.savedAt || 0) > MAX_AGE_MS) {
        store.removeItem(key);
        return null;
      }
      return draft;
    } catch (error) {
      return null;
    }
  }

  function save(store, key, fields) {
    var values = {};
    var any = false;
    fields.forEach(function (field) {
      values[field.name] = field.value;
      if (field.value.trim()) any = true;
    });
    try {
      if (any) store.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: values }));
      else store.removeItem(key);
    } catch (error) {
      /* storage full: keep going without a draft */
    }
  }

  function announce(form, message) {
    var status = form.querySelector("[data-draft-status]");
    if (status) status.textContent = message;
  }

  function setUp(store, form) {
    var key = PREFIX + form.getAttribute("data-draft-key");
    var fields = draftFields(form);
    if (!fields.length) return;

    if (form.getAttribute("data-draft-errors") === "true") {
      // The server sent the form back with what was typed: that is the draft now.
      save(store, key, fields);
    } else {
      var draft = read(store, key);
      var allEmpty = fields.every(function (field) { return !field.value.trim(); });
      if (draft && allEmpty) {
        var restored = false;
        fields.forEach(function (field) {
          var value = draft.fields[field.name];
          if (typeof value === "string" && value) {
            field.value = value;
            restored = true;
          }
        });
        if (restored) announce(form, "Draft restored. It was saved in this browser when you last typed here.");
      }
    }

    var timer = null;
    form.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { save(store, key, fields); }, SAVE_DELAY_MS);
    });
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      try { store.removeItem(key); } catch (error) { /* nothing to clear */ }
    });
  }

  function start() {
    var store = storage();
    if (!store) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-key]"), function (form) {
      setUp(store, form);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
