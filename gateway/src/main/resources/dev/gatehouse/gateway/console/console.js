// The operator console's live tail: the one script it runs (served from the console itself; the page works without
// it). New denials arrive as server-sent events and are put at the top of the table, every value as text (textContent,
// never markup). EventSource reconnects by itself and sends the last event's id, from which the server goes on: no
// row is sent twice.
(function () {
  'use strict';
  var live = document.getElementById('live');
  var rows = document.getElementById('denial-rows');
  if (!live || !rows || !window.EventSource) {
    return;
  }
  var status = document.getElementById('live-status');
  var source = new EventSource(live.getAttribute('data-stream'));
  function say(text) {
    status.textContent = text;
  }
  function cell(tr, text, mono) {
    var td = document.createElement('td');
    if (mono) {
      td.className = 'mono';
    }
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }
  source.addEventListener('open', function () {
    say('Live: new denials appear at the top as they are written.');
  });
  source.addEventListener('error', function () {
    say('Live tail interrupted; reconnecting (no row will be shown twice).');
  });
  source.addEventListener('denial', function (e) {
    var d = JSON.parse(e.data);
    var tr = document.createElement('tr');
    tr.className = 'live';
    cell(tr, d.time, true);
    cell(tr, d.org);
    cell(tr, d.client_ip, true);
    cell(tr, d.hops, true);
    cell(tr, d.route, true);
    cell(tr, d.account + (d.app ? ' app ' + d.app : ''));
    cell(tr, d.method + ' ' + d.path, true);
    cell(tr, d.user_agent, true);
    cell(tr, d.reason + (d.count > 1 ? ' (' + d.count + ' requests in this minute)' : ''));
    var id = cell(tr, '', true);
    if (d.why) {
      var a = document.createElement('a');
      a.href = d.why;
      a.textContent = d.request_id;
      id.appendChild(a);
    }
    rows.insertBefore(tr, rows.firstChild);
  });
})();
