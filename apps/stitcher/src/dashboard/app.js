// livepeer-relay dashboard: plain JS over the admin API (/api, bearer ADMIN_TOKEN) and the
// republished HLS (/hls). Every value from the API is written with textContent, never as HTML.
(function () {
  'use strict';

  const TOKEN_KEY = 'relay-admin-token';
  const COOKIE = 'relay_admin_token';
  const REFRESH_MS = 2000;
  const $ = (id) => document.getElementById(id);

  let token = localStorage.getItem(TOKEN_KEY) || '';
  let refreshTimer;
  let hls;
  let playing; // { sessionId, playbackId }

  // ---------------------------------------------------------------------------------------
  // API

  async function api(path, options = {}) {
    const response = await fetch(path, {
      ...options,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...(options.headers || {}) },
    });
    if (response.status === 401) {
      signOut('The admin token was refused.');
      throw new Error('unauthorised');
    }
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error((body && body.message) || `HTTP ${response.status}`);
      error.body = body;
      throw error;
    }
    return body;
  }

  // ---------------------------------------------------------------------------------------
  // Small DOM helpers

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const cell of cells) {
      const td = document.createElement('td');
      if (cell instanceof Node) td.appendChild(cell);
      else td.textContent = cell === undefined || cell === null ? '' : String(cell);
      tr.appendChild(td);
    }
    return tr;
  }

  function fillTable(table, rows) {
    const body = table.tBodies[0];
    body.replaceChildren(...rows);
  }

  const kbps = (bps) => (bps ? `${Math.round(bps / 1000)} kbps` : '');
  const seconds = (ms) => (ms === null || ms === undefined ? '' : `${(ms / 1000).toFixed(2)} s`);
  const ladderText = (ladder) =>
    [...(ladder.profiles || []).map((p) => `${p.name} ${p.width}x${p.height}`), ...(ladder.presets || [])].join(', ') || 'Livepeer default';

  // ---------------------------------------------------------------------------------------
  // Sign in / out

  function showView(id) {
    for (const section of document.querySelectorAll('main > section')) section.hidden = section.id !== id;
  }

  function signOut(message) {
    token = '';
    localStorage.removeItem(TOKEN_KEY);
    document.cookie = `${COOKIE}=; path=/; max-age=0; SameSite=Strict`;
    stopPlayer();
    $('nav').hidden = true;
    $('sign-in-error').textContent = message || '';
    showView('sign-in-view');
  }

  async function signIn(candidate) {
    token = candidate;
    try {
      await api('/api/queues');
    } catch {
      return;
    }
    localStorage.setItem(TOKEN_KEY, token);
    // bull-board pages are opened by navigation: they are authorised by this cookie.
    document.cookie = `${COOKIE}=${encodeURIComponent(token)}; path=/; SameSite=Strict`;
    $('nav').hidden = false;
    if (!location.hash || location.hash === '#') location.hash = '#streams';
    route();
  }

  $('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void signIn($('token').value.trim());
  });
  $('sign-out').addEventListener('click', () => signOut());

  // ---------------------------------------------------------------------------------------
  // Streams

  async function loadPresets() {
    const container = $('create-presets');
    if (container.childElementCount) return;
    const presets = await api('/api/presets');
    for (const preset of presets) {
      const label = el('label', null, 'preset');
      const box = el('input');
      box.type = 'checkbox';
      box.value = preset.name;
      label.append(box, ` ${preset.name}`);
      container.appendChild(label);
    }
  }

  async function renderStreams() {
    await loadPresets();
    const streams = await api('/api/streams');
    fillTable(
      $('streams-table'),
      streams.map((s) => {
        const action = s.liveSessionId ? el('a', 'Watch') : el('span', '');
        if (s.liveSessionId) {
          action.href = `#session/${s.liveSessionId}`;
          action.className = 'watch';
        }
        const tr = row([s.name, ladderText(s.ladder), el('code', s.playbackUrl), s.enabled ? (s.liveSessionId ? 'live' : 'idle') : 'disabled', action]);
        tr.dataset.streamId = s.id;
        return tr;
      }),
    );
  }

  $('create-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('create-errors').textContent = '';
    const presets = [...document.querySelectorAll('#create-presets input:checked')].map((box) => box.value);
    const ladder = {};
    if (presets.length) ladder.presets = presets;
    const custom = $('create-profiles').value.trim();
    if (custom) {
      try {
        ladder.profiles = JSON.parse(custom);
      } catch (err) {
        $('create-errors').textContent = `Custom profiles: ${err.message}`;
        return;
      }
    }
    try {
      const created = await api('/api/streams', { method: 'POST', body: JSON.stringify({ name: $('create-name').value, ladder }) });
      $('created-name').textContent = created.name;
      $('created-key').textContent = created.streamKey;
      $('created-rtmp').textContent = created.publishUrls.rtmp;
      $('created-push').textContent = created.publishUrls.httpPush;
      $('created-playback').textContent = created.playbackUrl;
      $('created').hidden = false;
      $('created').dataset.streamId = created.id;
      $('create-form').reset();
      await renderStreams();
    } catch (err) {
      const errors = (err.body && err.body.errors) || {};
      const lines = Object.entries(errors).map(([field, messages]) => `${field}: ${messages.join('; ')}`);
      $('create-errors').replaceChildren(...(lines.length ? lines : [err.message]).map((line) => el('div', line)));
    }
  });

  // ---------------------------------------------------------------------------------------
  // A live session: player, ladder, counts, timeline

  function stopPlayer() {
    if (hls) hls.destroy();
    hls = undefined;
    playing = undefined;
    $('renditions').replaceChildren();
  }

  function startPlayer(session) {
    if (playing && playing.sessionId === session.id) return;
    stopPlayer();
    playing = { sessionId: session.id, playbackId: session.playbackId };
    const video = $('player');
    const source = `/hls/${encodeURIComponent(session.playbackId)}/index.m3u8`;
    if (!window.Hls || !window.Hls.isSupported()) {
      video.src = source; // Safari plays HLS natively
      return;
    }
    hls = new window.Hls({ liveSyncDurationCount: 3, manifestLoadingMaxRetry: 30, levelLoadingMaxRetry: 30 });
    hls.on(window.Hls.Events.MANIFEST_PARSED, () => {
      $('player-status').textContent = '';
      renderSwitcher();
      void video.play().catch(() => undefined);
    });
    hls.on(window.Hls.Events.LEVEL_SWITCHED, renderSwitcher);
    hls.on(window.Hls.Events.ERROR, (_event, data) => {
      $('player-status').textContent = `${data.type}: ${data.details}${data.fatal ? ' (fatal)' : ''}`;
      if (data.fatal && data.type === window.Hls.ErrorTypes.NETWORK_ERROR) setTimeout(() => hls && hls.loadSource(source), 2000);
      else if (data.fatal && data.type === window.Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
    });
    hls.loadSource(source);
    hls.attachMedia(video);
  }

  function levelName(level) {
    const match = /([^/]+)\/index\.m3u8/.exec(level.url[0] || level.url || '');
    return match ? match[1] : `${level.height}p`;
  }

  function renderSwitcher() {
    if (!hls) return;
    const buttons = [{ index: -1, label: 'Auto' }, ...hls.levels.map((level, index) => ({ index, label: `${levelName(level)} (${level.width}x${level.height})` }))];
    $('renditions').replaceChildren(
      ...buttons.map(({ index, label }) => {
        const button = el('button', label);
        button.type = 'button';
        button.dataset.level = String(index);
        const active = index === -1 ? hls.autoLevelEnabled : !hls.autoLevelEnabled && hls.currentLevel === index;
        if (active) button.className = 'active';
        button.addEventListener('click', () => {
          hls.currentLevel = index;
          renderSwitcher();
        });
        return button;
      }),
    );
  }

  async function renderSession(sessionId) {
    const session = await api(`/api/sessions/${encodeURIComponent(sessionId)}`);
    $('session-stream').textContent = `${session.streamName} (${session.state})`;
    if (session.playbackId) startPlayer(session);
    const levels = hls ? hls.levels : [];
    const byName = new Map(levels.map((level) => [levelName(level), level]));
    fillTable(
      $('ladder'),
      session.renditions.map((r) => {
        const level = byName.get(r.name);
        return row([
          r.name,
          level ? `${level.width}x${level.height}` : '',
          level ? kbps(level.bitrate) : '',
          level ? [level.videoCodec, level.audioCodec].filter(Boolean).join(',') : '',
          `${r.lagSegments} / ${r.lagSeconds.toFixed(1)} s`,
        ]);
      }),
    );
    const c = session.counts;
    const drops = Object.entries(c.dropped.byReason).map(([reason, n]) => `${reason} ${n}`).join(', ');
    $('counts').textContent =
      `ingested ${c.ingested} · uploaded ${c.uploaded} · transcoded ${c.transcoded} · republished ${c.republished} · dropped ${c.dropped.total}` +
      (drops ? ` (${drops})` : '');
    const timeline = await api(`/api/sessions/${encodeURIComponent(sessionId)}/segments?limit=30`);
    fillTable(
      $('timeline'),
      timeline.reverse().map((s) => {
        const chips = el('span');
        for (const [name, r] of Object.entries(s.renditions)) chips.appendChild(el('span', name, `chip ${r.state}`));
        return row([
          s.seq,
          s.msn,
          seconds(s.durationMs),
          s.dropReason ? `${s.state} (${s.dropReason})` : s.state,
          s.uploadedAt ? seconds(s.uploadedAt - s.ingestedAt) : '',
          s.republishedAt ? seconds(s.republishedAt - s.ingestedAt) : '',
          (s.broadcasters || []).join(' '),
          chips,
        ]);
      }),
    );
  }

  // ---------------------------------------------------------------------------------------
  // Broadcasters and queues

  async function renderBroadcasters() {
    const { broadcasters, apiError } = await api('/api/broadcasters');
    $('broadcasters-error').textContent = apiError ? `Livepeer API: ${apiError}` : '';
    fillTable(
      $('broadcasters'),
      broadcasters.map((b) =>
        row([
          b.address,
          el('span', b.health, `health ${b.health}`),
          b.successRate === null ? '' : `${(b.successRate * 100).toFixed(1)} % of ${b.successes + b.failures}`,
          b.meanRoundTripMs === null ? '' : `${b.meanRoundTripMs} ms`,
          b.lastError || '',
          b.assignments.length,
        ]),
      ),
    );
  }

  async function renderQueues() {
    const queues = await api('/api/queues');
    fillTable(
      $('queues'),
      queues.map((q) => {
        const actions = el('span');
        for (const [label, action] of [[q.paused ? 'Resume' : 'Pause', q.paused ? 'resume' : 'pause'], ['Retry failed', 'retry-failed']]) {
          const button = el('button', label);
          button.type = 'button';
          button.addEventListener('click', async () => {
            await api(`/api/queues/${encodeURIComponent(q.name)}/${action}`, { method: 'POST' });
            await renderQueues();
          });
          actions.appendChild(button);
        }
        const k = q.counts;
        return row([q.name, k.waiting, k.active, k.delayed, k.failed, k.completed, q.paused ? 'paused' : 'running', actions]);
      }),
    );
  }

  // ---------------------------------------------------------------------------------------
  // Routing and live refresh

  const views = {
    streams: { section: 'streams-view', render: renderStreams },
    broadcasters: { section: 'broadcasters-view', render: renderBroadcasters },
    queues: { section: 'queues-view', render: renderQueues },
  };

  function current() {
    const hash = location.hash.replace(/^#/, '');
    const session = /^session\/([0-9a-f-]{36})$/.exec(hash);
    if (session) return { section: 'session-view', render: () => renderSession(session[1]) };
    return views[hash] || views.streams;
  }

  async function refresh() {
    clearTimeout(refreshTimer);
    if (!token) return;
    try {
      await current().render();
    } catch (err) {
      if (err.message !== 'unauthorised') console.warn('refresh failed', err);
    }
    refreshTimer = setTimeout(refresh, REFRESH_MS);
  }

  function route() {
    if (!token) return signOut();
    const view = current();
    if (view.section !== 'session-view') stopPlayer();
    showView(view.section);
    void refresh();
  }

  window.addEventListener('hashchange', route);
  if (token) void signIn(token);
  else signOut();
})();
