// jlvs monitor: refreshes the services page from /api/stats every 2 s and draws the rate charts as SVG.
// The pages work without it; it only keeps the numbers live.
(function () {
  'use strict';
  var POLL_MS = 2000;
  var POINTS = 90; // three minutes of history at one point per poll
  var history = {}; // service -> series -> [values]

  function text(el, value) {
    if (el && el.textContent !== String(value)) {
      el.textContent = String(value);
    }
  }

  function human(n) {
    if (n >= 1e9) { return (n / 1e9).toFixed(1) + 'G'; }
    if (n >= 1e6) { return (n / 1e6).toFixed(1) + 'M'; }
    if (n >= 1e4) { return (n / 1e3).toFixed(1) + 'K'; }
    return String(n);
  }

  function draw(section, key) {
    var charts = section.querySelectorAll('figure.chart');
    for (var i = 0; i < charts.length; i++) {
      var series = charts[i].getAttribute('data-series');
      var values = history[key][series] || [];
      var max = 0;
      values.forEach(function (v) { if (v > max) { max = v; } });
      var scale = max > 0 ? 76 / max : 0;
      var step = 300 / (POINTS - 1);
      var offset = POINTS - values.length;
      var points = values.map(function (v, j) {
        return ((offset + j) * step).toFixed(1) + ',' + (78 - v * scale).toFixed(1);
      }).join(' ');
      charts[i].querySelector('polyline').setAttribute('points', points);
      text(charts[i].querySelector('[data-max]'), 'max ' + human(max));
    }
  }

  function update(data) {
    data.services.forEach(function (svc) {
      var section = document.querySelector('section.service[data-service="' + CSS.escape(svc.service) + '"]');
      if (!section) {
        return;
      }
      var statsRow = section.querySelector('table.stats tbody tr');
      Object.keys(svc.stats).forEach(function (f) {
        text(statsRow.querySelector('[data-field="' + f + '"]'), svc.stats[f]);
      });
      svc.realservers.forEach(function (rs) {
        var row = section.querySelector('tr[data-realserver="' + CSS.escape(rs.realserver) + '"]');
        if (!row) {
          return;
        }
        ['weight', 'state', 'active', 'inactive'].forEach(function (f) {
          text(row.querySelector('[data-field="' + f + '"]'), rs[f]);
        });
        ['conns', 'cps', 'inpps', 'inbps'].forEach(function (f) {
          text(row.querySelector('[data-field="' + f + '"]'), rs.stats[f]);
        });
      });
      var h = history[svc.service] || (history[svc.service] = {});
      ['cps', 'pps', 'bps'].forEach(function (series) {
        var list = h[series] || (h[series] = []);
        list.push(svc.stats[series]);
        while (list.length > POINTS) {
          list.shift();
        }
      });
      draw(section, svc.service);
    });
    text(document.getElementById('updated'), 'Updated ' + new Date(data.timeMs).toLocaleTimeString() + '.');
  }

  function poll() {
    fetch('/api/stats', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        if (r.status === 401) {
          window.location.assign('/login');
          return null;
        }
        return r.ok ? r.json() : null;
      })
      .then(function (data) { if (data) { update(data); } })
      .catch(function () { /* the next poll tries again */ })
      .finally(function () { window.setTimeout(poll, POLL_MS); });
  }

  document.addEventListener('DOMContentLoaded', function () {
    if (document.querySelector('section.service')) {
      poll();
    }
  });
}());
