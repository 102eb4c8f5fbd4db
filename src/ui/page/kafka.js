// The live page's Kafka view: topics, consumer groups with their lag, and the newest messages of
// a topic, from the server's /kafka/… JSON (src/ui/kafka-view.ts). Shown when the server has
// Kafka (the `live-config` event app.js passes on); refreshed only while the view is open and the
// tab visible, each refresh after the last one answered, so a slow cluster is never asked twice.
// Everything from Kafka goes into the page as text (textContent), never as HTML.
(() => {
  const TABLES_EVERY_MS = 3000;
  const MESSAGES_EVERY_MS = 5000;
  const view = document.getElementById('kafka');
  const tabs = document.getElementById('tabs');
  const topicSelect = document.getElementById('kafka-topic');
  const limitSelect = document.getElementById('kafka-limit');
  const fmt = new Intl.NumberFormat('en-US');
  let enabled = false;
  let open = false;
  let chosenTopic; // the topic whose messages are shown
  const loops = {}; // name → { timer, abort }

  const el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  };
  const num = (n) => el('td', fmt.format(n), 'num');
  const cell = (row, node, data) => {
    if (data) node.dataset.col = data;
    row.append(node);
    return node;
  };
  const spanned = (row, node, rows, data) => {
    if (rows > 1) node.rowSpan = rows;
    return cell(row, node, data);
  };

  function showError(name, error) {
    const box = document.getElementById(`kafka-${name}-error`);
    if (!box) return;
    box.hidden = !error;
    box.textContent = error ?? '';
  }

  async function getJson(url, signal) {
    const response = await fetch(url, { signal, cache: 'no-store' });
    const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
    return body;
  }

  function renderTopics({ topics, internal, more }) {
    const body = document.querySelector('#kafka-topics tbody');
    const rows = [];
    for (const topic of topics) {
      const parts = topic.partitions.length ? topic.partitions : [undefined];
      parts.forEach((p, i) => {
        const row = el('tr');
        row.dataset.topic = topic.name;
        if (topic.name === chosenTopic) row.className = 'selected';
        if (i === 0) {
          const name = spanned(row, el('td', topic.name, 'topic-link'), parts.length, 'topic');
          name.title = 'show its newest messages';
          name.addEventListener('click', () => choose(topic.name));
          spanned(row, num(topic.records), parts.length, 'records');
        }
        if (p) {
          row.dataset.partition = String(p.partition);
          cell(row, num(p.partition), 'partition');
          cell(row, num(p.leader), 'leader');
          cell(row, num(p.low), 'low');
          cell(row, num(p.high), 'high');
        } else cell(row, el('td', 'no partitions')).colSpan = 4;
        rows.push(row);
      });
    }
    body.replaceChildren(...rows);
    const notes = [`${fmt.format(topics.length)} topics`];
    if (internal) notes.push(`${internal} internal hidden`);
    if (more) notes.push(`${fmt.format(more)} more not listed`);
    document.getElementById('kafka-topics-note').textContent = notes.join(' · ');
    // The topic chooser follows the topics there are; the chosen one stays chosen.
    const names = topics.map((t) => t.name);
    chosenTopic ??= names[0];
    const options = (chosenTopic && !names.includes(chosenTopic) ? [chosenTopic] : []).concat(names);
    if ([...topicSelect.options].map((o) => o.value).join('\n') !== options.join('\n'))
      topicSelect.replaceChildren(...options.map((name) => el('option', name)));
    if (chosenTopic) topicSelect.value = chosenTopic;
  }

  function renderGroups({ groups, more }) {
    const body = document.querySelector('#kafka-groups tbody');
    const rows = [];
    for (const group of groups) {
      const lines = group.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, ...p })));
      const parts = lines.length ? lines : [undefined];
      parts.forEach((line, i) => {
        const row = el('tr');
        row.dataset.group = group.groupId;
        if (i === 0) {
          spanned(row, el('td', group.groupId), parts.length, 'group');
          spanned(row, el('td', group.state), parts.length, 'state');
          const members = spanned(row, num(group.members.length), parts.length, 'members');
          members.title = group.members
            .map((m) => `${m.clientId} ${m.clientHost}: ${JSON.stringify(m.assignment)}`)
            .join('\n');
        }
        if (line) {
          row.dataset.topic = line.topic;
          row.dataset.partition = String(line.partition);
          cell(row, el('td', line.topic), 'topic');
          cell(row, num(line.partition), 'partition');
          cell(row, line.committed === null ? el('td', '–', 'num') : num(line.committed), 'committed');
          cell(row, num(line.end), 'end');
          const lag = cell(row, num(line.lag), 'lag');
          if (line.lag > 0) lag.classList.add('lagging');
        } else {
          const empty = cell(row, el('td', group.error ? `error: ${group.error}` : 'no committed offsets'));
          empty.colSpan = 5;
          if (group.error) empty.className = 'error';
        }
        rows.push(row);
      });
    }
    body.replaceChildren(...rows);
    const total = groups.reduce((sum, g) => sum + g.lag, 0);
    document.getElementById('kafka-groups-note').textContent =
      `${fmt.format(groups.length)} groups · total lag ${fmt.format(total)}${more ? ` · ${fmt.format(more)} more not listed` : ''}`;
  }

  function renderMessages({ messages, complete }) {
    const body = document.querySelector('#kafka-messages tbody');
    body.replaceChildren(
      ...messages.map((m) => {
        const row = el('tr');
        row.dataset.partition = String(m.partition);
        row.dataset.offset = String(m.offset);
        cell(row, el('td', m.timestamp.replace('T', ' ').replace('Z', '')), 'time');
        cell(row, num(m.partition), 'partition');
        cell(row, num(m.offset), 'offset');
        cell(row, el('td', m.key ?? '(no key)'), 'key');
        const headers = el('td');
        headers.append(el('pre', m.headers.map((h) => `${h.key}: ${h.value}`).join('\n')));
        cell(row, headers, 'headers');
        const value = el('td');
        value.append(el('pre', m.value ?? '(null: a tombstone)'));
        value.dataset.format = m.format;
        if (m.truncated) value.append(el('div', `cut: ${fmt.format(m.size)} bytes in all`, 'note'));
        cell(row, value, 'value');
        return row;
      }),
    );
    document.getElementById('kafka-messages-note').textContent =
      `${messages.length} shown${complete ? '' : ' · partial: the read timed out'} · ${new Date().toLocaleTimeString()}`;
  }

  // One refresh loop per part of the view: it runs while the view is open, one request at a time.
  function loop(name, everyMs, run) {
    stop(name);
    const state = { abort: new AbortController(), timer: undefined };
    loops[name] = state;
    const tick = async () => {
      if (document.visibilityState === 'visible') {
        try {
          await run(state.abort.signal);
          showError(name, undefined);
        } catch (error) {
          if (state.abort.signal.aborted) return;
          showError(name, `${error.message}`);
        }
      }
      if (loops[name] === state) state.timer = setTimeout(tick, everyMs);
    };
    tick();
  }
  function stop(name) {
    const state = loops[name];
    if (!state) return;
    delete loops[name];
    clearTimeout(state.timer);
    state.abort.abort();
  }

  const refreshTables = async (signal) => {
    const [topics, groups] = await Promise.allSettled([
      getJson('/kafka/topics', signal),
      getJson('/kafka/groups', signal),
    ]);
    if (signal.aborted) return;
    if (topics.status === 'fulfilled') renderTopics(topics.value);
    showError('topics', topics.status === 'rejected' ? topics.reason.message : undefined);
    if (groups.status === 'fulfilled') renderGroups(groups.value);
    showError('groups', groups.status === 'rejected' ? groups.reason.message : undefined);
    if (!loops.messages && chosenTopic) loop('messages', MESSAGES_EVERY_MS, refreshMessages);
  };
  const refreshMessages = async (signal) => {
    if (!chosenTopic) return;
    const topic = chosenTopic;
    const url = `/kafka/topics/${encodeURIComponent(topic)}/messages?limit=${limitSelect.value}`;
    const result = await getJson(url, signal);
    if (topic === chosenTopic) renderMessages(result);
  };

  function choose(topic) {
    chosenTopic = topic;
    topicSelect.value = topic;
    for (const row of document.querySelectorAll('#kafka-topics tr[data-topic]'))
      row.classList.toggle('selected', row.dataset.topic === topic);
    document.querySelector('#kafka-messages tbody').replaceChildren();
    if (open) loop('messages', MESSAGES_EVERY_MS, refreshMessages);
  }
  topicSelect.addEventListener('change', () => choose(topicSelect.value));
  limitSelect.addEventListener('change', () => open && loop('messages', MESSAGES_EVERY_MS, refreshMessages));

  function show(name) {
    open = enabled && name === 'kafka';
    view.hidden = !open;
    for (const button of tabs.querySelectorAll('button'))
      button.setAttribute('aria-pressed', String(button.dataset.view === (open ? 'kafka' : 'map')));
    if (open) {
      loop('tables', TABLES_EVERY_MS, refreshTables);
      if (chosenTopic) loop('messages', MESSAGES_EVERY_MS, refreshMessages);
    } else {
      stop('tables');
      stop('messages');
    }
  }
  tabs.addEventListener('click', (e) => {
    const name = e.target?.dataset?.view;
    if (!name) return;
    history.replaceState(null, '', name === 'kafka' ? '#kafka' : '#');
    show(name);
  });
  // Back in a visible tab: refresh at once rather than after the pause.
  document.addEventListener('visibilitychange', () => {
    if (open && document.visibilityState === 'visible') show('kafka');
  });

  window.addEventListener('live-config', (e) => {
    const c = e.detail;
    // Reconnections send the config again: the view stays as the user left it.
    if (enabled || !c.kafka) return;
    enabled = true;
    tabs.hidden = false;
    chosenTopic = c.defaultTopic ?? undefined;
    if (chosenTopic) topicSelect.replaceChildren(el('option', chosenTopic));
    show(location.hash === '#kafka' ? 'kafka' : location.hash === '#map' ? 'map' : c.view);
  });
  window.kafkaView = { show, choose, isOpen: () => open };
})();
