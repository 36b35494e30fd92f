/**
 * The UI's one script, progressive enhancement only: every page works without it (all credential formats
 * one after another, confirmation pages, UTC times). Served from a hashed URL: the CSP allows no inline script.
 * - copy buttons (shown only where the Clipboard API exists: https or loopback);
 * - two or more sections of `<main>` that each hold a heading and a `<pre id>` (the shown-once secret's formats)
 *   become an ARIA tab set (arrow keys, Home, End);
 * - `a[data-confirm]`: the confirmation page it links to opens in a modal `<dialog>` instead;
 * - `<time datetime>`: shown in the browser's time zone, the UTC text kept as its title;
 * - tables scroll sideways inside a focusable, named region (on a phone's width).
 */
export const UI_ENHANCEMENTS_SCRIPT = `"use strict";
(function () {
  var status = document.createElement("p");
  status.setAttribute("role", "status");
  status.className = "visually-hidden";
  document.body.appendChild(status);
  function announce(message) {
    status.textContent = "";
    setTimeout(function () { status.textContent = message; }, 50);
  }

  function enableCopyButtons(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll("button[data-copy]").forEach(function (button) { button.hidden = false; });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button || !navigator.clipboard) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source) return;
    navigator.clipboard.writeText(source.textContent).then(function () {
      button.textContent = "Copied";
      announce("Copied to the clipboard");
    }, function () {
      announce("Copying failed: select the text and copy it");
    });
  });

  function makeTabs(container) {
    var panels = Array.prototype.filter.call(container.children, function (child) {
      return child.tagName === "SECTION" && child.querySelector("h2") && child.querySelector("pre[id]");
    });
    if (panels.length < 2) return;
    var list = document.createElement("div");
    list.setAttribute("role", "tablist");
    list.setAttribute("aria-label", "Formats");
    var tabs = panels.map(function (panel) {
      if (!panel.id) panel.id = panel.querySelector("pre[id]").id + "-panel";
      var tab = document.createElement("button");
      tab.type = "button";
      tab.id = panel.id + "-tab";
      tab.setAttribute("role", "tab");
      tab.setAttribute("aria-controls", panel.id);
      tab.textContent = panel.querySelector("h2").textContent;
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      list.appendChild(tab);
      return tab;
    });
    function select(index, focus) {
      tabs.forEach(function (tab, at) {
        var selected = at === index;
        tab.setAttribute("aria-selected", String(selected));
        tab.tabIndex = selected ? 0 : -1;
        panels[at].hidden = !selected;
      });
      if (focus) tabs[index].focus();
    }
    list.addEventListener("click", function (event) {
      var index = tabs.indexOf(event.target.closest("[role=tab]"));
      if (index >= 0) select(index, false);
    });
    list.addEventListener("keydown", function (event) {
      var current = tabs.indexOf(document.activeElement);
      var last = tabs.length - 1;
      var next = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: last }[event.key];
      if (current < 0 || next === undefined) return;
      event.preventDefault();
      select(next > last ? 0 : next < 0 ? last : next, true);
    });
    container.insertBefore(list, panels[0]);
    container.classList.add("tabs-enhanced");
    select(0, false);
  }
  document.querySelectorAll("main").forEach(makeTabs);

  var dialog = null;
  var opener = null;
  function confirmDialog() {
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.addEventListener("close", function () { if (opener) opener.focus(); });
    document.body.appendChild(dialog);
    return dialog;
  }
  function openConfirmation(page, link) {
    var main = page.querySelector("main");
    var title = main && main.querySelector("h1");
    if (!title || !main.querySelector("form[method=post]")) throw new Error("not a confirmation page");
    var box = confirmDialog();
    box.replaceChildren();
    var heading = document.createElement("h2");
    heading.id = "confirm-dialog-title";
    heading.textContent = title.textContent;
    box.appendChild(heading);
    Array.prototype.forEach.call(main.children, function (child) {
      if (child !== title && !child.hasAttribute("data-cancel")) box.appendChild(document.importNode(child, true));
    });
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.textContent = "Cancel";
    cancel.addEventListener("click", function () { box.close(); });
    box.appendChild(cancel);
    enableCopyButtons(box);
    opener = link;
    box.showModal();
    cancel.focus();
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-confirm]");
    if (!link || typeof HTMLDialogElement !== "function") return;
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) { openConfirmation(new DOMParser().parseFromString(html, "text/html"), link); })
      .catch(function () { window.location.assign(link.href); });
  });

  // A table wider than the screen scrolls inside a region that keyboard users can focus and scroll.
  function nameOfTable(table) {
    for (var node = table.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) return node.textContent;
    }
    var title = document.querySelector("h1");
    return title ? title.textContent : "Table";
  }
  var scrollers = Array.prototype.map.call(document.querySelectorAll("main table"), function (table) {
    var scroller = document.createElement("div");
    scroller.className = "table-scroll";
    scroller.setAttribute("data-name", nameOfTable(table));
    table.parentNode.insertBefore(scroller, table);
    scroller.appendChild(table);
    return scroller;
  });
  function markScrollers() {
    scrollers.forEach(function (scroller) {
      if (scroller.scrollWidth > scroller.clientWidth) {
        scroller.tabIndex = 0;
        scroller.setAttribute("role", "region");
        scroller.setAttribute("aria-label", scroller.getAttribute("data-name"));
      } else {
        scroller.removeAttribute("tabindex");
        scroller.removeAttribute("role");
        scroller.removeAttribute("aria-label");
      }
    });
  }
  markScrollers();
  window.addEventListener("resize", markScrollers);

  function pad(number) { return (number < 10 ? "0" : "") + number; }
  var zone = (Intl.DateTimeFormat().resolvedOptions().timeZone || "local time").replace("Etc/", "");
  document.querySelectorAll("time[datetime]").forEach(function (element) {
    var date = new Date(element.getAttribute("datetime"));
    if (isNaN(date.getTime())) return;
    element.title = element.textContent;
    element.textContent = date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " +
      pad(date.getHours()) + ":" + pad(date.getMinutes()) + " " + zone;
  });

  enableCopyButtons(document);
})();
`;
