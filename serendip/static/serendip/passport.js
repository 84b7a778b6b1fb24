// The passport's tag fields as chips: each tag with a level (1-5) and a remove button, a text
// box with autocomplete from the network's tags (<datalist id="known-tags">), and the related
// tags offered as one-click suggestions. The original text input stays the form's value
// ("python:3, django"), so the server sees exactly what it sees without JavaScript.
(function () {
  function parse(text) {
    return text.split(",").map(function (part) { return part.trim(); }).filter(Boolean).map(function (part) {
      var i = part.lastIndexOf(":");
      var weight = i > 0 ? parseFloat(part.slice(i + 1)) : NaN;
      return isNaN(weight) ? {name: part, weight: 1} : {name: part.slice(0, i).trim(), weight: weight};
    });
  }

  function serialise(tags) {
    return tags.map(function (t) { return t.weight === 1 ? t.name : t.name + ":" + t.weight; }).join(", ");
  }

  function fill(template, tag) { return template.replace("%(tag)s", tag); }

  function editor(input, form, editors) {
    var levels = form.dataset.levels.split("|");
    var tags = parse(input.value);
    var box = document.createElement("div");
    box.className = "tag-editor";
    var list = document.createElement("ul");
    list.className = "chips editable";
    var entry = document.createElement("input");
    entry.type = "text";
    entry.className = "tag-entry";
    entry.id = input.id + "-entry";
    entry.setAttribute("list", "known-tags");
    entry.setAttribute("autocomplete", "off");
    entry.placeholder = form.dataset.placeholder;
    var add = document.createElement("button");
    add.type = "button";
    add.className = "tag-add";
    add.textContent = form.dataset.addLabel;
    // The label of the original field now names the entry box.
    var label = form.querySelector("label[for='" + input.id + "']");
    if (label) label.htmlFor = entry.id;

    function render() {
      list.textContent = "";
      tags.forEach(function (t, index) {
        var li = document.createElement("li");
        li.className = "chip";
        var name = document.createElement("span");
        name.textContent = t.name;
        var select = document.createElement("select");
        select.setAttribute("aria-label", fill(form.dataset.levelLabel, t.name));
        var values = [1, 2, 3, 4, 5];
        if (values.indexOf(t.weight) < 0) values.push(t.weight);
        values.forEach(function (v) {
          var option = document.createElement("option");
          option.value = String(v);
          option.textContent = levels[v - 1] || String(v);
          option.selected = v === t.weight;
          select.appendChild(option);
        });
        select.addEventListener("change", function () { t.weight = parseFloat(select.value); sync(); });
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link";
        remove.textContent = "×";
        remove.setAttribute("aria-label", fill(form.dataset.removeLabel, t.name));
        remove.addEventListener("click", function () { tags.splice(index, 1); render(); sync(); entry.focus(); });
        li.append(name, " ", select, " ", remove);
        list.appendChild(li);
      });
    }

    function sync() { input.value = serialise(tags); }

    function addTag(name) {
      name = name.trim().replace(/,/g, " ");
      if (!name) return;
      var exists = tags.some(function (t) { return t.name.toLowerCase() === name.toLowerCase(); });
      if (!exists) tags.push({name: name, weight: 1});
      entry.value = "";
      render();
      sync();
    }

    entry.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === ",") { e.preventDefault(); addTag(entry.value); }
    });
    add.addEventListener("click", function () { addTag(entry.value); entry.focus(); });
    form.addEventListener("submit", function () { if (entry.value.trim()) addTag(entry.value); });

    input.type = "hidden";
    var help = input.parentNode.querySelector(".helptext");
    if (help) help.hidden = true;
    var row = document.createElement("div");
    row.className = "tag-entry-row";
    row.append(entry, add);
    box.append(list, row);
    input.parentNode.insertBefore(box, input);
    render();
    editors.push({add: addTag, entry: entry});
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.passport-form");
    if (!form) return;
    var editors = [];
    form.querySelectorAll("input[data-tag-editor]").forEach(function (input) { editor(input, form, editors); });
    // A suggested tag goes to the field last typed in (what I offer, by default).
    var last = editors[0];
    editors.forEach(function (ed) { ed.entry.addEventListener("focus", function () { last = ed; }); });
    form.querySelectorAll(".suggested-tags .chip").forEach(function (chip) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "chip chip-add";
      button.textContent = "+ " + chip.textContent;
      button.addEventListener("click", function () { if (last) last.add(chip.textContent); button.remove(); });
      chip.replaceWith(button);
    });
  });
})();
