/*
 * @mention autocomplete for text boxes marked with data-mentions="<suggestions URL>".
 *
 * Typing "@" and two or more characters asks the server (forum:mention_suggestions, JSON)
 * for members to mention and shows them in a listbox under the box, following the ARIA
 * combobox pattern: the text box keeps focus, Down/Up move through the suggestions
 * (aria-activedescendant; a textarea may not carry aria-expanded, so the list is announced by the status region instead), Enter or Tab inserts "@username ", Escape closes the list. A
 * polite live region says how many members were found. Without JavaScript, typing
 * @username by hand works the same.
 */
(function () {
  "use strict";

  var MIN_CHARS = 2;
  var DELAY_MS = 200;
  var TOKEN = /(^|[^\w.+\-\/@\[])@([\w.+\-]{2,50})$/;
  var counter = 0;

  function setUp(box) {
    var url = box.getAttribute("data-mentions");
    if (!url || box.getAttribute("data-mentions-ready")) return;
    box.setAttribute("data-mentions-ready", "true");
    counter += 1;
    var listId = "mention-list-" + counter;

    var list = document.createElement("ul");
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Members to mention");
    list.className = "usa-list usa-list--unstyled comity-mention-list border-1px border-base-light bg-white";
    list.hidden = true;

    var status = document.createElement("div");
    status.className = "usa-sr-only";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    box.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", listId);

    var options = [];
    var active = -1;
    var timer = null;
    var latest = 0;

    function currentToken() {
      var before = box.value.slice(0, box.selectionStart);
      var match = TOKEN.exec(before);
      if (!match || box.selectionStart !== box.selectionEnd) return null;
      return { query: match[2], start: before.length - match[2].length - 1 };
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      options = [];
      active = -1;
      box.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      options.forEach(function (option, position) {
        var selected = position === index;
        option.setAttribute("aria-selected", selected ? "true" : "false");
        option.classList.toggle("bg-primary-lighter", selected);
      });
      active = index;
      if (index >= 0) {
        box.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function insert(option) {
      var token = currentToken();
      if (!token) return close();
      var username = option.getAttribute("data-username");
      var after = box.value.slice(box.selectionStart);
      var text = box.value.slice(0, token.start) + "@" + username + " ";
      box.value = text + after;
      box.selectionStart = box.selectionEnd = text.length;
      box.dispatchEvent(new Event("input", { bubbles: true }));
      close();
      box.focus();
    }

    function show(results) {
      list.textContent = "";
      options = results.map(function (member, index) {
        var option = document.createElement("li");
        option.id = listId + "-option-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-username", member.username);
        option.className = "padding-1 cursor-pointer";
        option.textContent = member.name + " (@" + member.username + ")";
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the text box
          insert(option);
        });
        list.appendChild(option);
        return option;
      });
      if (!options.length) {
        status.textContent = "No members found.";
        return close();
      }
      list.hidden = false;
      status.textContent = options.length + (options.length === 1 ? " member" : " members") +
        " found. Use the up and down arrow keys to choose, Enter to insert.";
      highlight(-1);
    }

    function lookUp() {
      var token = currentToken();
      if (!token || token.query.length < MIN_CHARS) return close();
      var request = ++latest;
      var address = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(token.query);
      fetch(address, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (request === latest) show(data.results || []); })
        .catch(close);
    }

    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, DELAY_MS);
    });
    box.addEventListener("keydown", function (event) {
      if (list.hidden || !options.length) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight((active + 1) % options.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active <= 0 ? options.length - 1 : active - 1);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        insert(options[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });
    box.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  function setUpAll(root) {
    Array.prototype.forEach.call((root || document).querySelectorAll("textarea[data-mentions]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  } else {
    setUpAll(document);
  }
  // Forms swapped in by htmx get it too.
  document.addEventListener("htmx:afterSwap", function (event) { setUpAll(event.target); });
})();
