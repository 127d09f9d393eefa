/*
 * Live notifications for signed-in pages (loaded by templates/base.html).
 *
 * One WebSocket to /ws/notifications/ (notifications/consumers.py) brings the member's new
 * notifications (a toast and the header badge) and, on a topic page, the topic's new
 * replies (a "new replies" bar: pressing it adds them under the replies; the page never
 * jumps on its own). The socket reconnects with exponential back-off and jitter, and after
 * each (re)connect the page asks the server over HTTP for what it missed:
 * /notifications/recent/?after=<last seen id> and the topic's posts after the last one shown.
 *
 * The last notification id seen is kept in localStorage, shared by the member's tabs, so a
 * notification is shown as a toast once, not once per tab or again on the next page.
 */
(function () {
  "use strict";

  var region = document.querySelector("[data-live-toasts]");
  if (!region || !("WebSocket" in window)) return;

  var config = {
    user: region.getAttribute("data-live-user"),
    socketPath: region.getAttribute("data-live-socket-path") || "/ws/notifications/",
    recentUrl: region.getAttribute("data-live-recent-url"),
    openUrl: region.getAttribute("data-live-open-url") || ""
  };
  var toastList = region.querySelector("[data-live-toast-list]");
  var announcer = document.querySelector("[data-live-announcer]");
  var badge = document.querySelector("[data-live-unread-badge]");
  var badgeWords = document.querySelector("[data-live-unread-words]");
  var topicSection = document.querySelector("[data-live-topic]");

  var MIN_DELAY_MS = 1000;
  var MAX_DELAY_MS = 30000;
  var PING_EVERY_MS = 25000;
  var TOAST_MS = 12000;
  var MAX_TOASTS = 4;
  var SUMMARY_OVER = 3; // more missed notifications than this make one summary toast
  var CLOSE_UNAUTHENTICATED = 4401;

  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  var socket = null;
  var attempts = 0;
  var reconnectTimer = null;
  var pingTimer = null;
  var leaving = false;
  var shownIds = {};

  // --- Last seen notification id (shared by tabs) ------------------------------------------------

  var lastKey = "comity:notifications:last:" + config.user;
  var memoryLast = null;

  function readLast() {
    try {
      var value = window.localStorage.getItem(lastKey);
      return value === null ? memoryLast : parseInt(value, 10);
    } catch (error) {
      return memoryLast; // storage disabled: this page remembers on its own
    }
  }

  function writeLast(id) {
    var current = readLast();
    if (current !== null && !isNaN(current) && current >= id) return;
    memoryLast = id;
    try { window.localStorage.setItem(lastKey, String(id)); } catch (error) { /* see readLast */ }
  }

  // --- Announcements, badge, toasts ----------------------------------------------------------------

  function announce(text) {
    if (!announcer) return;
    // Emptied first so the same words said twice are announced twice.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 100);
  }

  function setUnread(count) {
    if (typeof count !== "number" || count < 0) return;
    if (badge) {
      badge.textContent = count > 99 ? "99+" : String(count);
      badge.hidden = count === 0;
    }
    if (badgeWords) badgeWords.textContent = "Notifications" + (count ? ", " + count + " unread" : "");
  }

  function notificationLink(notification) {
    if (config.openUrl && /\/0\/open\/$/.test(config.openUrl)) {
      return config.openUrl.replace(/\/0\/open\/$/, "/" + notification.id + "/open/");
    }
    return notification.url || "";
  }

  function showToast(title, summary, href) {
    var item = document.createElement("li");
    item.className = "comity-toast" + (reducedMotion && reducedMotion.matches ? "" : " comity-toast--animated");
    var text = document.createElement("p");
    text.className = "comity-toast__title margin-0";
    if (href) {
      var link = document.createElement("a");
      link.href = href;
      link.textContent = title;
      text.appendChild(link);
    } else {
      text.textContent = title;
    }
    item.appendChild(text);
    if (summary) {
      var more = document.createElement("p");
      more.className = "comity-toast__summary margin-0";
      more.textContent = summary.length > 140 ? summary.slice(0, 139) + "…" : summary;
      item.appendChild(more);
    }
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "usa-button usa-button--unstyled comity-toast__dismiss";
    dismiss.textContent = "Dismiss";
    var hidden = document.createElement("span");
    hidden.className = "usa-sr-only";
    hidden.textContent = " notification: " + title;
    dismiss.appendChild(hidden);
    dismiss.addEventListener("click", function () { removeToast(item, true); });
    item.appendChild(dismiss);

    toastList.appendChild(item);
    while (toastList.children.length > MAX_TOASTS) removeToast(toastList.firstElementChild, false);
    region.hidden = false;
    item.expiresAt = Date.now() + TOAST_MS;
    announce("New notification: " + title);
  }

  function removeToast(item, byHand) {
    if (!item || item.parentNode !== toastList) return;
    // Dismissing by keyboard would lose focus with the button: move it to the next toast,
    // or to the link to all notifications when it was the last one.
    var hadFocus = byHand && item.contains(document.activeElement);
    var next = item.nextElementSibling || item.previousElementSibling;
    toastList.removeChild(item);
    if (hadFocus) {
      var target = next ? next.querySelector("button") : region.querySelector(".comity-toasts__more a");
      if (target) target.focus();
    } else if (!toastList.children.length) {
      region.hidden = true;
    }
  }

  // Toasts leave after a while, but not while the pointer or focus is on them.
  function expireToasts() {
    if (region.matches(":hover") || region.contains(document.activeElement)) {
      Array.prototype.forEach.call(toastList.children, function (item) { item.expiresAt = Date.now() + TOAST_MS; });
      return;
    }
    Array.prototype.slice.call(toastList.children).forEach(function (item) {
      if (item.expiresAt && item.expiresAt <= Date.now()) removeToast(item, false);
    });
    if (!toastList.children.length && !region.contains(document.activeElement)) region.hidden = true;
  }
  window.setInterval(expireToasts, 1000);

  function receiveNotification(notification) {
    if (typeof notification.unread === "number") setUnread(notification.unread);
    if (typeof notification.id !== "number") return;
    writeLast(notification.id);
    if (shownIds[notification.id]) return;
    shownIds[notification.id] = true;
    showToast(String(notification.title || "New notification"), String(notification.summary || ""),
              notificationLink(notification));
  }

  // --- Catching up over HTTP -------------------------------------------------------------------------

  function getJson(url) {
    return window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
  }

  function catchUp() {
    if (!config.recentUrl) return;
    var last = readLast();
    var hasBaseline = last !== null && !isNaN(last);
    var url = config.recentUrl + (hasBaseline ? "?after=" + encodeURIComponent(last) : "");
    getJson(url).then(function (data) {
      setUnread(data.unread);
      if (hasBaseline) {
        var missed = (data.notifications || []).filter(function (n) { return !n.read && !shownIds[n.id]; });
        if (missed.length > SUMMARY_OVER || data.more) {
          missed.forEach(function (n) { shownIds[n.id] = true; });
          var centre = region.querySelector(".comity-toasts__more a");
          showToast((data.more ? "More than " + missed.length : missed.length) + " new notifications while you were away",
                    "", centre ? centre.getAttribute("href") : "");
        } else {
          missed.forEach(receiveNotification);
        }
      }
      // The first page ever opened only takes note of where things stand: no toasts for
      // notifications the member may well have read elsewhere.
      if (typeof data.latest === "number") writeLast(data.latest);
    }).catch(function () { /* offline again: the next connection catches up */ });
  }

  // --- The topic page's new replies ------------------------------------------------------------------

  var topic = null;
  if (topicSection) {
    topic = {
      id: parseInt(topicSection.getAttribute("data-live-topic"), 10),
      position: parseInt(topicSection.getAttribute("data-live-position"), 10) || 0,
      page: topicSection.getAttribute("data-live-page") || "1",
      append: topicSection.getAttribute("data-live-append") === "true",
      postsUrl: topicSection.getAttribute("data-live-posts-url"),
      topicUrl: topicSection.getAttribute("data-live-topic-url"),
      pending: {},
      more: false,
      latestPost: null,
      bar: null
    };
  }

  function pendingCount() {
    return Object.keys(topic.pending).length;
  }

  function repliesWord(count) {
    return count === 1 ? "1 new reply" : count + " new replies";
  }

  function renderBar(announceIt) {
    var count = pendingCount();
    if (!topic.bar) {
      topic.bar = document.createElement("div");
      topic.bar.className = "comity-new-replies";
      topic.bar.setAttribute("data-live-new-replies", "");
      var control = document.createElement(topic.append ? "button" : "a");
      control.className = "usa-button comity-new-replies__button";
      if (topic.append) {
        control.type = "button";
        control.addEventListener("click", showNewPosts);
      }
      topic.bar.appendChild(control);
      topicSection.parentNode.insertBefore(topic.bar, topicSection.nextSibling);
    }
    var button = topic.bar.firstElementChild;
    if (!count && !topic.more) {
      topic.bar.hidden = true;
      return;
    }
    var words = count ? repliesWord(count) : "More new replies";
    if (topic.append) {
      button.textContent = words + " — show them";
    } else {
      button.textContent = words + " — go to the latest";
      button.href = topic.topicUrl + (topic.latestPost ? "?post=" + topic.latestPost + "#post-" + topic.latestPost : "");
    }
    topic.bar.hidden = false;
    if (announceIt) announce(words + " in this topic. " + (topic.append ? "Use the button after the replies to show them." : ""));
  }

  function receiveReply(event) {
    if (!topic || event.topic !== topic.id || typeof event.post !== "number") return;
    if (typeof event.position !== "number" || event.position <= topic.position) return;
    if (document.getElementById("post-" + event.post) || topic.pending[event.post]) return;
    topic.pending[event.post] = true;
    topic.latestPost = event.post;
    renderBar(true);
  }

  function fetchNewPosts() {
    var url = topic.postsUrl + "?after=" + encodeURIComponent(topic.position) + "&page=" + encodeURIComponent(topic.page);
    return window.fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (response) {
      if (response.status === 404) return null; // the topic is gone for this member
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text().then(function (html) {
        return new DOMParser().parseFromString(html, "text/html").querySelector("[data-new-posts]");
      });
    });
  }

  // After (re)joining the topic: anything posted since the page was made, or while the
  // socket was down, is counted in the bar (not shown until asked for).
  function checkNewPosts() {
    if (!topic || !topic.append) return;
    fetchNewPosts().then(function (fragment) {
      if (!fragment) return;
      var before = pendingCount();
      Array.prototype.forEach.call(fragment.querySelectorAll("article[id^='post-']"), function (article) {
        var id = article.id.slice(5);
        if (!document.getElementById(article.id)) topic.pending[id] = true;
      });
      topic.more = fragment.getAttribute("data-more") === "true";
      if (pendingCount() !== before || topic.more) renderBar(true);
    }).catch(function () { /* the next connection tries again */ });
  }

  function showNewPosts() {
    var button = topic.bar.firstElementChild;
    button.disabled = true;
    fetchNewPosts().then(function (fragment) {
      button.disabled = false;
      topic.pending = {};
      topic.more = false;
      var articles = fragment ? Array.prototype.filter.call(
        fragment.querySelectorAll("article[id^='post-']"),
        function (article) { return !document.getElementById(article.id); }) : [];
      if (!articles.length) {
        renderBar(false);
        announce("The new replies are no longer available.");
        return;
      }
      var empty = topicSection.querySelector("[data-live-empty]");
      if (empty) empty.parentNode.removeChild(empty);
      var added = articles.map(function (article) {
        var node = document.importNode(article, true);
        topicSection.appendChild(node);
        return node;
      });
      topic.position = Math.max(topic.position, parseInt(fragment.getAttribute("data-last-position"), 10) || 0);
      topic.more = fragment.getAttribute("data-more") === "true";
      if (window.htmx) added.forEach(function (node) { window.htmx.process(node); });
      renderBar(false);
      // Focus goes to the first new reply (the button is gone), read from its heading.
      var first = added[0];
      first.setAttribute("tabindex", "-1");
      first.focus({ preventScroll: true });
      first.scrollIntoView({ behavior: reducedMotion && reducedMotion.matches ? "auto" : "smooth", block: "start" });
      announce(repliesWord(added.length) + (added.length === 1 ? " is shown." : " are shown."));
    }).catch(function () {
      button.disabled = false;
      announce("The new replies could not be loaded. Try again in a moment.");
    });
  }

  // --- The socket ------------------------------------------------------------------------------------

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function onMessage(event) {
    var message;
    try { message = JSON.parse(event.data); } catch (error) { return; }
    if (!message || typeof message !== "object") return;
    switch (message.type) {
      case "hello":
        attempts = 0;
        setUnread(message.unread);
        if (topic) send({ type: "watch_topic", topic: topic.id });
        catchUp();
        break;
      case "notification":
        receiveNotification(message);
        break;
      case "unread":
        setUnread(message.unread);
        break;
      case "watching":
        checkNewPosts();
        break;
      case "reply":
        receiveReply(message);
        break;
      default:
        break; // pong, error (a topic this member may no longer see, or asked too often): nothing to do
    }
  }

  function connect() {
    window.clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (leaving || (socket && socket.readyState <= WebSocket.OPEN)) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + config.socketPath);
    } catch (error) {
      scheduleReconnect();
      return;
    }
    var greeted = false;
    socket.addEventListener("message", function (event) {
      greeted = true;
      onMessage(event);
    });
    socket.addEventListener("open", function () {
      window.clearInterval(pingTimer);
      pingTimer = window.setInterval(function () { send({ type: "ping" }); }, PING_EVERY_MS);
    });
    socket.addEventListener("close", function (event) {
      window.clearInterval(pingTimer);
      socket = null;
      // Signed out elsewhere, or the account was closed: the server will not take us back.
      if (event.code === CLOSE_UNAUTHENTICATED) return;
      if (greeted || !config.recentUrl) {
        scheduleReconnect();
        return;
      }
      // Refused before it opened (browsers report that as 1006): find out whether the
      // session is gone, rather than knocking on the door every 30 seconds for ever.
      window.fetch(config.recentUrl + "?after=0", { credentials: "same-origin" }).then(function (response) {
        if (response.status !== 403) scheduleReconnect();
      }, scheduleReconnect);
    });
  }

  function scheduleReconnect() {
    if (leaving || reconnectTimer) return;
    // Exponential back-off with full jitter, so a server restart is not met by every
    // page at the same moment.
    var ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * Math.pow(2, attempts));
    attempts += 1;
    var delay = ceiling / 2 + Math.random() * ceiling / 2;
    reconnectTimer = window.setTimeout(connect, delay);
  }

  window.addEventListener("online", function () { attempts = 0; connect(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && !socket) { attempts = 0; connect(); }
  });
  window.addEventListener("pagehide", function () {
    leaving = true;
    if (socket) socket.close(1000);
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { leaving = false; attempts = 0; connect(); } // back from the bfcache
  });

  connect();
}());
