// The hot paths of one server: registering a case through the API at 1, 8 and 32 concurrent
// clients (only that with ONLY=register), then — one request at a time, for latency — the API case list (open, 50), the case list
// page, the case page and the chief prosecutor's inbox (time and size). Usage: node tools/bench.js BASE_URL [registrations-per-level]
'use strict';
const http = require('http');
const base = process.argv[2];
const perLevel = Number(process.argv[3] || 400);

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function token(user) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password: 'Demo@2026gz' }),
  });
  return (await r.json()).token;
}

async function sessionCookie(user) {
  const r = await fetch(`${base}/login`, {
    method: 'POST', redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: `username=${user}&password=Demo%402026gz`,
  });
  return r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

async function run(n, concurrency, one) {
  const times = []; let next = 0; let bytes = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const t0 = performance.now();
      bytes = (await one(i)) || bytes;
      times.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const secs = (performance.now() - t0) / 1000;
  const out = { n, c: concurrency, p50: +pct(times, 50).toFixed(2), p99: +pct(times, 99).toFixed(2), rps: Math.round(n / secs) };
  if (bytes) out.kb = Math.round(bytes / 1024);
  return out;
}

async function get(url, headers, what) {
  const r = await fetch(url, { headers });
  if (r.status !== 200) throw new Error(`${what}: ${r.status}`);
  return (await r.text()).length;
}

(async () => {
  const tok = await token('demo_reception');
  const auth = { authorization: `Bearer ${tok}` };
  const places = await (await fetch(`${base}/api/v1/org-units?parent=${await wujiang(tok)}`, { headers: auth })).json();
  const place = places[0].id;
  const received = new Date(Date.now() + 8 * 3600e3 - 3600e3).toISOString().slice(0, 16).replace('T', ' ');
  // Node's http module on kept-alive sockets: fetch costs the client about a millisecond of CPU
  // a request, which on a two-core machine is taken from the server being measured.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const url = new URL(`${base}/api/v1/cases`);
  const register = (i) => new Promise((resolve, reject) => {
    const body = JSON.stringify({
      kind: 'petition', channel: 'visit', category: 'LAW_RELATED', place_id: place,
      title: `压测登记 ${i}`, narrative: '反映民事判决执行问题，请求检察机关依法监督。', received_at: received,
      parties: [{ role: 'petitioner', name: '王建国', id_number: '11010519491231002X', phone: '13812345678' }],
    });
    const req = http.request({
      agent, hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST',
      headers: {
        'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...auth,
        'idempotency-key': `bench-${Date.now()}-${i}-${Math.random()}`,
      },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`register: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  const out = {};
  out.register = [await run(perLevel / 4, 1, register)];
  for (const c of [8, 32]) out.register.push(await run(perLevel, c, register));
  if (process.env.ONLY === 'register') { console.log(JSON.stringify(out)); return; }
  const chief = await token('demo_chief');
  const chiefAuth = { authorization: `Bearer ${chief}` };
  const list = await (await fetch(`${base}/api/v1/cases?state=all&limit=500`, { headers: chiefAuth })).json();
  out.cases = list.total;
  const ids = list.items.map((c) => c.id);
  out.apiList = await run(200, 1, () => get(`${base}/api/v1/cases?limit=50`, chiefAuth, 'api list'));
  const cookie = { cookie: await sessionCookie('demo_chief') };
  out.listPage = await run(200, 1, () => get(`${base}/cases`, cookie, 'list page'));
  out.casePage = await run(200, 1, (i) => get(`${base}/cases/${ids[(i * 37) % ids.length]}`, cookie, 'case page'));
  out.inbox = await run(100, 1, () => get(`${base}/inbox`, cookie, 'inbox'));
  console.log(JSON.stringify(out));

  async function wujiang(t) {
    const h = { headers: { authorization: `Bearer ${t}` } };
    const [gansu] = await (await fetch(`${base}/api/v1/org-units`, h)).json();
    const [city] = await (await fetch(`${base}/api/v1/org-units?parent=${gansu.id}`, h)).json();
    const [district] = await (await fetch(`${base}/api/v1/org-units?parent=${city.id}`, h)).json();
    const towns = await (await fetch(`${base}/api/v1/org-units?parent=${district.id}`, h)).json();
    return towns.find((u) => u.code === '620702104000').id;
  }
})().catch((e) => { console.error(e); process.exit(1); });
