// Insights plots: reads the page's JSON (Django's json_script) and draws each <canvas data-chart>.
// No inline scripts or styles, so the strict Content-Security-Policy holds.
(function () {
  "use strict";
  const source = document.getElementById("insights-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const green = "#0b6e4f", amber = "#d08a1e", blue = "#3b6fb6";
  const weekly = data.weekly || {};
  // Legends come translated from the page (the view's "labels"); English only if one is missing.
  const labels = data.labels || {};
  const tr = (key, english) => labels[key] || english;
  const line = (labels, sets) => ({ type: "line", data: { labels, datasets: sets },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: sets.length > 1 } },
      scales: { y: { beginAtZero: true } } } });
  const set = (label, values, color) => ({ label, data: values, borderColor: color, backgroundColor: color,
    pointRadius: 0, tension: 0.2 });
  const builders = {
    checkins: () => line(weekly.weeks, [set(tr("checkins", "check-ins"), weekly.checkins, green)]),
    active: () => line(weekly.weeks, [set(tr("active", "active members"), weekly.active_members, blue)]),
    matches: () => line(weekly.weeks, [set(tr("introductions", "introductions"), weekly.introductions, green),
      set(tr("meetings", "confirmed meetings"), weekly.meetings, amber), set(tr("paid_work", "paid work"), weekly.paid_work, blue)]),
    rooms: () => {
      const c = line(weekly.weeks, [set(tr("occupancy", "occupancy"), (weekly.room_occupancy || []).map(
        (v) => (v === null ? null : Math.round(v * 100))), amber)]);
      c.options.scales.y.max = 100;
      return c;
    },
    tags: () => ({ type: "bar", data: { labels: (data.tags || []).map((t) => t.tag), datasets: [
      { label: tr("needs", "members who need it"), data: data.tags.map((t) => t.needs), backgroundColor: amber },
      { label: tr("offers", "members who offer it"), data: data.tags.map((t) => t.offers), backgroundColor: green }] },
      options: { animation: false, maintainAspectRatio: false, indexAxis: "y" } }),
    week: () => ({ type: "bar", data: { labels: (data.week || []).map((d) => d.date), datasets: [
      { label: tr("seats", "seat occupancy %"), data: data.week.map((d) => d.seat_occupancy === null ? null : Math.round(d.seat_occupancy * 100)), backgroundColor: green },
      { label: tr("rooms", "meeting-room occupancy %"), data: data.week.map((d) => d.room_occupancy === null ? null : Math.round(d.room_occupancy * 100)), backgroundColor: amber }] },
      options: { animation: false, maintainAspectRatio: false, scales: { y: { beginAtZero: true, max: 100 } } } }),
  };
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const build = builders[canvas.dataset.chart];
    if (build) new Chart(canvas, build());
  }
})();
