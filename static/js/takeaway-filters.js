// The takeaways page: filters apply as soon as they change (the page's results and
// filters are fetched again and swapped in, and the address follows, so the back
// button returns to the previous filters), and the event, speaker, author and tag
// boxes suggest names while typing. Without this script the same form works with its
// "Apply filters" button, and the server resolves the names typed.
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main || !document.getElementById("takeaways-live")) return;
  if (!window.fetch || !window.history || !window.DOMParser || !window.URLSearchParams) return;

  var latest = 0;
  var SUGGEST_DELAY = 200; // ms after the last key before asking for suggestions

  // Announces how many takeaways the new filters leave, once the list has changed.
  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  document.body.appendChild(status);

  function liveForm() {
    return main.querySelector("form.takeaway-filters");
  }

  function addressOf(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && value.trim() !== "") params.append(name, value.trim());
    });
    var query = params.toString();
    return form.action.split("?")[0] + (query ? "?" + query : "");
  }

  // Where the focus was, to put it back on the same control of the new form.
  function focusedControl() {
    var element = document.activeElement;
    if (!element || !main.contains(element)) return null;
    return { id: element.id, name: element.name, value: element.value, type: element.type };
  }

  function refocus(control) {
    if (!control) return;
    var element = control.id ? document.getElementById(control.id) : null;
    if (!element && control.name) {
      var selector = "[name='" + CSS.escape(control.name) + "']";
      if (control.type === "checkbox" || control.type === "radio") {
        selector += "[value='" + CSS.escape(control.value) + "']";
      }
      element = main.querySelector(selector);
    }
    if (element) element.focus();
  }

  // Fetches the page at ``address`` and swaps in its content. ``keepOpen``: keep the
  // filters open on a phone (a box ticked); after "Apply filters" the results come
  // first again, as when the page loads.
  function load(address, options) {
    var request = ++latest;
    var panel = main.querySelector(".filter-panel");
    var wasOpen = panel && panel.open;
    var control = focusedControl();
    main.setAttribute("aria-busy", "true");
    fetch(address, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (request !== latest) return; // an older answer arriving late
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("main");
        if (!fresh || !fresh.querySelector("#takeaways-live")) {
          window.location.assign(address);
          return;
        }
        main.replaceChildren.apply(main, Array.prototype.slice.call(fresh.childNodes));
        document.title = page.title;
        document.querySelectorAll("link[rel=alternate]").forEach(function (link) {
          link.remove();
        });
        page.querySelectorAll("link[rel=alternate]").forEach(function (link) {
          document.head.appendChild(link);
        });
        var newPanel = main.querySelector(".filter-panel");
        if (newPanel && options.keepOpen && wasOpen) newPanel.open = true;
        if (options.push && address !== window.location.href) {
          window.history.pushState({ takeaways: true }, "", address);
        }
        enhance();
        if (options.keepOpen) refocus(control);
        var count = main.querySelector(".result-count");
        status.textContent = count ? count.textContent.trim() : "";
      })
      .catch(function () {
        if (request === latest) window.location.assign(address);
      })
      .then(function () {
        if (request === latest) main.removeAttribute("aria-busy");
      });
  }

  function apply(form, keepOpen) {
    load(addressOf(form), { push: true, keepOpen: keepOpen });
  }

  // A box with suggestions (the ARIA combobox pattern): arrows move through them,
  // Enter or a click picks one, Escape closes them. Picking puts the row's key in
  // the form (a hidden input) and applies the filters.
  function enhanceChooser(field) {
    var input = field.querySelector("input[type=text]");
    var form = field.closest("form");
    if (!input || !form) return;
    var list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.insertAdjacentElement("afterend", list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      results = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) input.setAttribute("aria-activedescendant", list.id + "-" + index);
      else input.removeAttribute("aria-activedescendant");
    }

    function show(found) {
      list.replaceChildren();
      results = found;
      active = -1;
      found.forEach(function (result, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = result.label; // text, never HTML
        if (result.detail) {
          var detail = document.createElement("span");
          detail.className = "meta";
          detail.textContent = " " + result.detail;
          option.appendChild(detail);
        }
        option.addEventListener("click", function () {
          pick(result);
        });
        list.appendChild(option);
      });
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "empty";
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        none.textContent = "No matches";
        list.appendChild(none);
      }
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function suggest() {
      var text = input.value.trim();
      if (!text) {
        close();
        return;
      }
      var mine = ++asked;
      fetch(field.dataset.choicesUrl + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (mine === asked && document.activeElement === input) show(data.results || []);
        })
        .catch(close);
    }

    function pick(result) {
      if (field.dataset.chooser === "tag") {
        var tag = document.createElement("input");
        tag.type = "hidden";
        tag.name = "tag";
        tag.value = result.value;
        form.appendChild(tag);
      } else {
        var hidden = field.querySelector("input[type=hidden]");
        if (!hidden) {
          hidden = document.createElement("input");
          hidden.type = "hidden";
          hidden.name = input.name;
          field.insertBefore(hidden, field.firstChild);
        }
        hidden.value = result.value;
      }
      input.value = "";
      close();
      input.focus();
      apply(form, true);
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, SUGGEST_DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.isComposing) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!results.length) return;
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + results.length) % results.length);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        pick(results[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    // A click on a suggestion must not blur the box first (which closes the list).
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  function enhance() {
    var form = liveForm();
    if (!form || form.dataset.live) return;
    form.dataset.live = "true";
    form.addEventListener("change", function (event) {
      // Boxes apply when a suggestion is picked or Enter is pressed, not on leaving them.
      if (event.target.type === "text") return;
      apply(form, true);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      apply(form, false);
    });
    form.querySelectorAll("[data-chooser]").forEach(enhanceChooser);
  }

  window.history.replaceState({ takeaways: true }, "", window.location.href);
  window.addEventListener("popstate", function () {
    load(window.location.href, { push: false, keepOpen: false });
  });
  enhance();
})();
