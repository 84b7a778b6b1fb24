// The lobby shows everyone present: when the people don't all fit the panel, it splits them into
// pages that do and turns a page every few seconds ("page 1 of 3"). It measures again after every
// refresh (HTMX) and resize. `lobby:next` on the list turns a page at once (used by the tests).
(function () {
  var timer = null;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }

  // "and 1 more" / "and 3 more": the page renders both forms (data-more-one, data-more-other).
  function moreText(el, n) {
    var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
    var form = rules ? rules.select(n) : (n === 1 ? "one" : "other");
    return fill(form === "one" ? el.dataset.moreOne : el.dataset.moreOther, {n: n});
  }

  function paginate() {
    var list = document.querySelector(".lobby-people");
    if (!list) return;
    var items = Array.prototype.slice.call(list.children);
    var more = document.querySelector(".lobby-more");
    var pages = [];
    var start = 0;
    items.forEach(function (li) { li.hidden = false; });
    // Measure with the page counter's line as long as it will get: it shares the panel's height.
    if (more) {
      more.textContent = fill(more.dataset.page, {p: items.length, pages: items.length}) + " · " +
        moreText(more, items.length);
    }
    while (start < items.length) {
      items.forEach(function (li, k) { li.hidden = k < start; });
      var bottom = list.getBoundingClientRect().bottom + 1;
      var end = start;
      while (end < items.length && items[end].getBoundingClientRect().bottom <= bottom) end++;
      if (end === start) end = start + 1;  // a person taller than the panel still gets a page
      pages.push([start, end]);
      start = end;
    }
    var current = 0;
    function show(p) {
      current = p % pages.length;
      var range = pages[current];
      items.forEach(function (li, k) { li.hidden = k < range[0] || k >= range[1]; });
      list.dataset.pages = String(pages.length);
      list.dataset.page = String(current + 1);
      if (more) {
        more.textContent = pages.length > 1
          ? fill(more.dataset.page, {p: current + 1, pages: pages.length}) + " · " +
            moreText(more, items.length - (range[1] - range[0]))
          : "";
      }
    }
    show(0);
    list.addEventListener("lobby:next", function () { show(current + 1); });
    if (timer) clearInterval(timer);
    var seconds = parseInt(list.dataset.pageSeconds || "10", 10);
    if (pages.length > 1) timer = setInterval(function () { show(current + 1); }, seconds * 1000);
  }

  document.addEventListener("DOMContentLoaded", paginate);
  document.addEventListener("htmx:afterSettle", paginate);
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(paginate, 200);
  });
})();
