// 记录走访 offline (issue 12 §6): every log goes into an IndexedDB queue with its own idempotency
// key and the version of the visit the phone saw, and is sent when the network is there. A log the
// server refuses stays queued with the reasons; a log that meets someone else's change is shown for
// review field by field, never dropped.
'use strict';
(function () {
  const form = document.getElementById('visit-log');
  if (!form) return;
  const msgs = document.getElementById('grid-msgs').dataset;
  const DB = 'gongzhi-grid';
  const STORE = 'queue';
  const FIELDS = ['visited_at', 'place', 'people_met', 'checklist', 'notes'];
  const PHOTO_EDGE = 1600;
  let syncing = false;

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/grid/sw.js', { scope: '/grid/' }).catch(() => {});
  }

  // A field's label: data-label-visited_at is dataset.labelVisited_at.
  function label(field) {
    return msgs['label' + field.charAt(0).toUpperCase() + field.slice(1)] || field;
  }

  function fill(text, args) {
    return text.replace(/\{ ?\$(\w+) ?\}/g, (_, k) => (args[k] === undefined ? '' : String(args[k])));
  }

  // ---- IndexedDB -------------------------------------------------------------------------
  function db() {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open(DB, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: 'key' });
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  }
  async function tx(mode, work) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction(STORE, mode);
      const out = work(t.objectStore(STORE));
      t.oncomplete = () => resolve(out && out.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error || new Error('aborted'));
    });
  }
  // Oldest first, so one refused log never holds back those saved after it.
  const all = () => tx('readonly', (s) => s.getAll()).then((items) => items.sort((a, b) => (a.queued || 0) - (b.queued || 0)));
  const put = (item) => tx('readwrite', (s) => s.put(item));
  const drop = (key) => tx('readwrite', (s) => s.delete(key));
  // A corrected log takes the refused one's place in one transaction: both or neither.
  const replace = (old, item) => tx('readwrite', (s) => { s.delete(old); s.put(item); });

  // ---- the form ----------------------------------------------------------------------------
  const findings = document.getElementById('findings');
  const template = document.getElementById('finding-template');
  let seq = 0;

  function showCaseFields(box) {
    const kind = box.querySelector('[data-name=kind]').value;
    const isCase = kind === 'dispute' || kind === 'petition';
    box.querySelectorAll('.finding-case').forEach((el) => el.classList.toggle('d-none', !isCase));
  }

  function addFinding(values) {
    const box = template.content.firstElementChild.cloneNode(true);
    seq += 1;
    box.querySelectorAll('[data-name]').forEach((input) => {
      input.id = 'finding-' + seq + '-' + input.dataset.name;
      const label = input.parentElement.querySelector('label');
      if (label) label.htmlFor = input.id;
      const v = values && values[input.dataset.name];
      if (v !== undefined) {
        if (input.type === 'checkbox') input.checked = !!v;
        else input.value = v;
      }
    });
    box.querySelector('[data-name=kind]').addEventListener('change', () => showCaseFields(box));
    box.querySelector('.finding-remove').addEventListener('click', () => box.remove());
    findings.appendChild(box);
    showCaseFields(box);
    return box;
  }
  document.getElementById('finding-add').addEventListener('click', () => {
    addFinding().querySelector('[data-name=summary]').focus();
  });

  function choose(button) {
    const d = button.dataset;
    resetForm();
    button.classList.add('active');
    form.elements.village_id.value = d.village || '';
    form.elements.village_id.dispatchEvent(new Event('change', { bubbles: true }));
    if (form.elements.grid_id) form.elements.grid_id.value = d.grid || '';
    form.elements.visit_id.value = d.visit || '';
    form.elements.version.value = d.version || '0';
    form.elements.base.value = d.base || '{}';
    if (d.place) form.elements.place.value = d.place;
    if (d.notes) form.elements.notes.value = d.notes;
    document.getElementById('log-heading').textContent = fill(msgs.for, { village: d.label });
    form.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }
  document.querySelectorAll('.plan-visit, .plan-village').forEach((b) => b.addEventListener('click', () => choose(b)));

  function resetForm() {
    document.querySelectorAll('.plan-visit, .plan-village').forEach((b) => b.classList.remove('active'));
    const now = form.elements.visited_at.value;
    form.reset();
    findings.replaceChildren();
    clearErrors();
    form.elements.visit_id.value = '';
    form.elements.version.value = '0';
    form.elements.base.value = '{}';
    form.elements.visited_at.value = localNow() || now;
    document.getElementById('log-heading').textContent = document.getElementById('log-heading').dataset.initial;
  }
  const heading = document.getElementById('log-heading');
  heading.dataset.initial = heading.textContent;

  function localNow() {
    const d = new Date();
    const p = (n) => String(n).padStart(2, '0');
    return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());
  }

  // Photos shrink on the phone: the longest edge to PHOTO_EDGE pixels, JPEG, base64 for the JSON.
  function shrink(file) {
    return new Promise((resolve) => {
      const url = URL.createObjectURL(file);
      const img = new Image();
      img.onload = () => {
        const scale = Math.min(1, PHOTO_EDGE / Math.max(img.width, img.height));
        const canvas = document.createElement('canvas');
        canvas.width = Math.round(img.width * scale);
        canvas.height = Math.round(img.height * scale);
        canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        const data = canvas.toDataURL('image/jpeg', 0.8).split(',')[1];
        resolve({ filename: file.name.replace(/\.[^.]*$/, '') + '.jpg', data });
      };
      img.onerror = () => {
        URL.revokeObjectURL(url);
        // Not an image the browser can draw: sent as it is, and the server says why it refuses.
        const reader = new FileReader();
        reader.onload = () => resolve({ filename: file.name, data: String(reader.result).split(',')[1] || '' });
        reader.readAsDataURL(file);
      };
      img.src = url;
    });
  }

  async function readForm() {
    const el = form.elements;
    const body = {
      village_id: el.village_id.value,
      grid_id: el.grid_id ? el.grid_id.value : '',
      visited_at: el.visited_at.value,
      place: el.place.value,
      people_met: el.people_met.value,
      checklist: Array.from(form.querySelectorAll('input[name=checklist]:checked')).map((c) => c.value),
      notes: el.notes.value,
      findings: Array.from(findings.querySelectorAll('.finding')).map((box) => {
        const f = {};
        box.querySelectorAll('[data-name]').forEach((i) => { f[i.dataset.name] = i.type === 'checkbox' ? i.checked : i.value; });
        return f;
      }),
      photos: await Promise.all(Array.from(document.getElementById('log-photos').files).map(shrink)),
      version: Number(el.version.value) || 0,
      base: JSON.parse(el.base.value || '{}'),
    };
    const option = el.village_id.selectedOptions[0];
    const group = option && option.parentElement.label;
    return {
      key: (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()),
      // Sent only with its author's session: on a shared phone another user's log waits.
      user: msgs.user,
      queued: Date.now(),
      visit: el.visit_id.value,
      label: (group ? group + ' ' : '') + (option && option.value ? option.textContent : ''),
      at: body.visited_at.replace('T', ' '),
      body,
    };
  }

  // A queued log back in the form, to correct what the server refused.
  function load(item) {
    resetForm();
    const b = item.body;
    const el = form.elements;
    el.village_id.value = b.village_id;
    el.village_id.dispatchEvent(new Event('change', { bubbles: true }));
    if (el.grid_id) el.grid_id.value = b.grid_id || '';
    // The planned visit was cancelled or is not this user's: the log is kept as a visit of its own.
    const own = item.visit && !(item.errors && item.errors.visit);
    el.visit_id.value = own ? item.visit : '';
    el.version.value = own ? b.version : 0;
    el.base.value = JSON.stringify(own ? b.base || {} : {});
    el.visited_at.value = b.visited_at.replace(' ', 'T');
    el.place.value = b.place;
    el.people_met.value = b.people_met;
    el.notes.value = b.notes;
    form.querySelectorAll('input[name=checklist]').forEach((c) => { c.checked = b.checklist.includes(c.value); });
    b.findings.forEach((f) => addFinding(f));
    form.dataset.editing = item.key;
    form.dataset.photos = JSON.stringify(b.photos || []);
    showErrors(item.errors || {});
  }

  function clearErrors() {
    form.querySelectorAll('.is-invalid').forEach((e) => e.classList.remove('is-invalid'));
    form.querySelectorAll('[data-for]').forEach((e) => { e.textContent = ''; });
    const box = document.getElementById('log-errors');
    box.classList.add('d-none');
    box.textContent = '';
  }

  function showErrors(fields) {
    clearErrors();
    const names = Object.keys(fields);
    if (!names.length) return;
    const lines = [];
    names.forEach((name) => {
      const m = name.match(/^findings\[(\d+)\]\.(\w+)$/);
      let scope = form;
      let field = name;
      if (m) {
        scope = findings.querySelectorAll('.finding')[Number(m[1])] || form;
        field = m[2];
      }
      const input = scope.querySelector('[data-name="' + field + '"]') || scope.querySelector('[name="' + field + '"]');
      const feedback = scope.querySelector('[data-for="' + field + '"]');
      if (input) input.classList.add('is-invalid');
      if (feedback) feedback.textContent = fields[name];
      else lines.push(fields[name]);
    });
    const box = document.getElementById('log-errors');
    box.textContent = msgs.errors + ' ' + (lines.length ? lines.join('；') : '');
    box.classList.remove('d-none');
    box.focus();
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const submit = document.getElementById('log-submit');
    submit.disabled = true;
    try {
      const item = await readForm();
      if (form.dataset.editing) {
        // The corrected log replaces the refused one; its photos stay unless new ones were chosen.
        if (!item.body.photos.length) item.body.photos = JSON.parse(form.dataset.photos || '[]');
        await replace(form.dataset.editing, item);
        delete form.dataset.editing;
        delete form.dataset.photos;
      } else {
        await put(item);
      }
      resetForm();
      say('alert-info', msgs.savedOffline);
      await render();
      await sync();
    } finally {
      submit.disabled = false;
    }
  });

  // ---- the queue ---------------------------------------------------------------------------
  const result = document.getElementById('log-result');
  function say(kind, text, extra) {
    const div = document.createElement('div');
    div.className = 'alert py-2 small ' + kind;
    div.textContent = text;
    if (extra) div.appendChild(extra);
    result.replaceChildren(div);
  }

  async function render() {
    const items = await all();
    document.getElementById('queue-count').textContent = String(items.length);
    const list = document.getElementById('queue-list');
    list.replaceChildren();
    if (!items.length) {
      const li = document.createElement('li');
      li.className = 'text-secondary';
      li.textContent = msgs.empty;
      list.appendChild(li);
    }
    items.forEach((item) => {
      const li = document.createElement('li');
      li.className = 'd-flex flex-wrap align-items-center gap-2 py-1 border-bottom queued';
      const text = document.createElement('span');
      text.className = 'me-auto';
      text.textContent = item.label + ' ' + item.at;
      li.appendChild(text);
      if (item.user && item.user !== msgs.user) {
        const other = document.createElement('span');
        other.className = 'text-secondary w-100';
        other.textContent = msgs.otherUser;
        li.appendChild(other);
        list.appendChild(li);
        return;
      }
      if (item.conflict) {
        const p = document.createElement('span');
        p.className = 'badge text-bg-warning';
        p.textContent = msgs.waitingReview;
        li.appendChild(p);
      }
      if (item.problem) {
        const p = document.createElement('span');
        p.className = 'text-danger w-100';
        p.textContent = item.problem;
        li.appendChild(p);
        const edit = document.createElement('button');
        edit.type = 'button';
        edit.className = 'btn btn-sm btn-outline-primary';
        edit.textContent = msgs.edit;
        edit.addEventListener('click', () => load(item));
        li.appendChild(edit);
      }
      const discard = document.createElement('button');
      discard.type = 'button';
      discard.className = 'btn btn-sm btn-link text-danger';
      discard.textContent = msgs.discard;
      discard.addEventListener('click', async () => { await drop(item.key); await render(); });
      li.appendChild(discard);
      list.appendChild(li);
    });
    const conflicted = items.find((i) => i.conflict);
    if (conflicted) review(conflicted);
    else document.getElementById('conflict').classList.add('d-none');
  }

  async function send(item) {
    const url = item.visit ? '/api/v1/grid/visits/' + item.visit + '/log' : '/api/v1/grid/visits';
    const res = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'idempotency-key': item.key, accept: 'application/json' },
      body: JSON.stringify(item.body),
    });
    let answer = {};
    try { answer = await res.json(); } catch (_) { /* an empty or non-JSON answer */ }
    return { status: res.status, answer };
  }

  async function sync() {
    if (syncing) return;
    syncing = true;
    try {
      for (const item of await all()) {
        if (item.conflict || item.problem || (item.user && item.user !== msgs.user)) continue;
        if (!navigator.onLine) break;
        let r;
        try {
          r = await send(item);
        } catch (_) {
          break; // no network after all: it stays queued
        }
        if (r.status === 200) {
          await drop(item.key);
          const extra = document.createElement('div');
          if (r.answer.cases && r.answer.cases.length) {
            extra.textContent = fill(msgs.cases, { numbers: r.answer.cases.map((c) => c[1]).join('、') });
          }
          if (r.answer.merged && r.answer.merged.length) {
            const m = document.createElement('div');
            m.textContent = fill(msgs.merged, { fields: r.answer.merged.map(label).join('、') });
            extra.appendChild(m);
          }
          const link = document.createElement('a');
          link.href = '/grid/visits/' + r.answer.id;
          link.className = 'd-block';
          link.textContent = msgs.view;
          extra.appendChild(link);
          say('alert-success', fill(msgs.sent, { village: item.label, at: item.at }), extra);
        } else if (r.status === 409 && r.answer.conflicts) {
          item.conflict = r.answer;
          await put(item);
          say('alert-warning', msgs.review);
        } else if (r.status === 401) {
          say('alert-warning', msgs.signIn);
          break;
        } else if (r.status >= 400 && r.status < 500 && r.status !== 408 && r.status !== 429) {
          // Refused as it is (invalid, too large, not allowed): kept, with the reasons, to correct.
          item.problem = fill(msgs.failed, { message: r.answer.message || String(r.status) });
          item.errors = r.answer.fields || {};
          await put(item);
        } else {
          break; // the server is busy or failing: try again later
        }
      }
    } finally {
      syncing = false;
      await render();
    }
  }

  // ---- conflict review -----------------------------------------------------------------------
  function review(item) {
    const box = document.getElementById('conflict');
    const list = document.getElementById('conflict-fields');
    list.replaceChildren();
    item.conflict.conflicts.forEach((c, i) => {
      const fs = document.createElement('fieldset');
      fs.className = 'border rounded p-2 mb-2';
      const legend = document.createElement('legend');
      legend.className = 'fs-6 float-none w-auto px-1 mb-0';
      legend.textContent = label(c.field);
      fs.appendChild(legend);
      [['mine', c.mine], ['theirs', c.theirs]].forEach(([side, value], j) => {
        const wrap = document.createElement('div');
        wrap.className = 'form-check';
        const input = document.createElement('input');
        input.type = 'radio';
        input.className = 'form-check-input';
        input.name = 'c-' + c.field;
        input.value = side;
        input.id = 'c-' + i + '-' + side;
        input.checked = j === 0;
        const label = document.createElement('label');
        label.className = 'form-check-label';
        label.htmlFor = input.id;
        label.textContent = msgs[side] + '：' + (value || '—');
        wrap.append(input, label);
        fs.appendChild(wrap);
      });
      list.appendChild(fs);
    });
    box.dataset.key = item.key;
    box.classList.remove('d-none');
  }

  document.getElementById('conflict-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const key = document.getElementById('conflict').dataset.key;
    const item = (await all()).find((i) => i.key === key);
    if (!item) return;
    const c = item.conflict;
    // Sent again against what is saved now: its version, its fields as the new base, and for
    // each field both sides changed the side chosen.
    const old = item.body.base || {};
    const value = (f, v) => (f === 'checklist' ? String(v || '').split(',').filter(Boolean) : v || '');
    const same = (f, mine, base) => (f === 'checklist' ? [...mine].sort().join(',') === value(f, base).sort().join(',') : (mine || '') === (base || ''));
    const clashed = c.conflicts.map((x) => x.field);
    FIELDS.forEach((f) => {
      const chosen = document.querySelector('input[name="c-' + f + '"]:checked');
      if (clashed.includes(f)) {
        if (chosen && chosen.value === 'theirs') item.body[f] = value(f, c.current[f]);
      } else if (same(f, item.body[f], old[f])) {
        // Only the other side changed it: theirs stands (the server merged it the same way).
        item.body[f] = value(f, c.current[f]);
      }
    });
    item.body.version = c.version;
    item.body.base = c.current;
    delete item.conflict;
    await put(item);
    await sync();
  });

  // ---- network state -----------------------------------------------------------------------
  function net() {
    const s = document.getElementById('net-status');
    s.textContent = navigator.onLine ? msgs.online : msgs.offline;
    s.classList.toggle('d-none', navigator.onLine);
    if (navigator.onLine) sync();
  }
  window.addEventListener('online', net);
  window.addEventListener('offline', net);
  document.getElementById('sync-now').addEventListener('click', sync);

  const chosen = form.dataset.chosen && document.getElementById('planned-' + form.dataset.chosen);
  if (chosen) choose(chosen);
  render().then(net);
})();
