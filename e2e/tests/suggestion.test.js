// Issue 11 §3: one procuratorial suggestion from the draft to the recipient's reply — opened from
// a case, drafted, decided and numbered by the chief prosecutor, served with the 2-month reply
// period, and the reply entered — and the list of what awaits a reply per recipient.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { demoSuite, shot, axe, DEMO_PASSWORD } = require('../lib');

const suite = demoSuite({ before, after });

test('a suggestion from the draft to the reply', async () => {
  const clerk = await suite.login('demo_reception');
  await clerk.goto(`${suite.server.base}/cases/new`);
  const village = await clerk.$eval('#place_id', (sel) => [...sel.options].find((o) => o.label === '演示·乌江村').value);
  const login = await (await fetch(`${suite.server.base}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'demo_reception', password: DEMO_PASSWORD }),
  })).json();
  const created = await (await fetch(`${suite.server.base}/api/v1/cases`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${login.token}` },
    body: JSON.stringify({
      kind: 'petition', channel: 'visit', category: 'LAW_RELATED', place_id: village,
      title: '出租车拒载引发的纠纷', narrative: '多名群众反映出租车拒载、绕路。',
      received_at: new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 16).replace('T', ' '),
      parties: [{ role: 'petitioner', name: '何建国', phone: '13993651234' }],
    }),
  })).json();
  assert.ok(created.id, JSON.stringify(created));

  const p = await suite.login('demo_prosecutor');
  await p.goto(`${suite.server.base}/cases/${created.id}`);
  await p.click('#suggestion-new');
  await p.selectOption('#recipient_agency_id', { label: '张掖市甘州区交通运输局' });
  await p.fill('#title', '关于加强出租车营运安全管理的检察建议');
  await p.fill('#facts', '本院办理信访案件中发现出租车拒载、绕路引发纠纷多发');
  await p.click('main button[type=submit]');
  await p.waitForURL(/\/suggestions\/[0-9a-f-]+\?ok=suggestion-opened/);
  const id = new URL(p.url()).pathname.split('/').pop();

  // A draft missing its legal basis comes back with what was typed.
  await p.fill('#d-facts', '本院在办理信访案件中发现');
  await p.fill('#d-problems', '出租车营运监管存在漏洞');
  await p.fill('#d-proposals', '一、开展专项整治；二、畅通投诉渠道');
  await p.click('#draft button[type=submit]');
  assert.match(await p.textContent('#suggestion-error'), /请填写此项/);
  assert.equal(await p.inputValue('#d-proposals'), '一、开展专项整治；二、畅通投诉渠道');
  await p.fill('#d-legal_basis', '《人民检察院检察建议工作规定》第十一条');
  await p.click('#draft button[type=submit]');
  await p.waitForURL('**ok=suggestion-draft');
  assert.equal((await p.textContent('#suggestion-state')).trim(), '待检察长决定');

  const chief = await suite.login('demo_chief');
  await chief.goto(`${suite.server.base}/suggestions/${id}`);
  await shot(chief, 'desktop-suggestion-decide');
  await chief.click('#decide form button[type=submit]');
  await chief.waitForURL('**ok=suggestion-decide');
  assert.match(await chief.textContent('#suggestion-number'), /^甘州检建〔\d{4}〕1号$/);
  // Numbered, the 检察建议书 is there to download as Word.
  const [download] = await Promise.all([chief.waitForEvent('download'), chief.click('#doc-suggestion')]);
  const bytes = fs.readFileSync(await download.path());
  assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip package (.docx)');
  // Named in Chinese (RFC 6266 filename*; headless chromium without a zh_CN locale saves it as
  // "download", so the name is read from the answer itself).
  const res = await chief.request.get(new URL(await chief.getAttribute('#doc-suggestion', 'href'), chief.url()).href);
  const name = decodeURIComponent(res.headers()['content-disposition'].split("filename*=UTF-8''")[1]);
  assert.match(name, /^检察建议书-甘州检建〔\d{4}〕1号\.docx$/);

  await p.goto(`${suite.server.base}/suggestions/${id}`);
  const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
  await p.fill('#received_on', today);
  await p.fill('#copies', '区委政法委');
  await p.click('#serve button[type=submit]');
  await p.waitForURL('**ok=suggestion-serve');
  assert.equal((await p.textContent('#suggestion-state')).trim(), '待回复');
  assert.ok((await p.textContent('#suggestion-due')).trim() > today, 'due two months on');

  await p.fill('#reply-text', '已开展出租车营运专项整治，查处违规车辆15台。');
  await p.fill('#evidence', '整治方案、处罚决定书15份');
  await p.click('#reply button[type=submit]');
  await p.waitForURL('**ok=suggestion-reply');
  assert.equal((await p.textContent('#suggestion-state')).trim(), '已回复');
  await shot(p, 'desktop-suggestion-replied');
  assert.deepEqual(await axe(p), []);

  await p.goto(`${suite.server.base}/suggestions`);
  await shot(p, 'desktop-suggestions');
  assert.deepEqual(await axe(p), []);
  const phone = await suite.login('demo_prosecutor', { width: 390, height: 844 });
  await phone.goto(`${suite.server.base}/suggestions/${id}`);
  await shot(phone, 'phone-suggestion');
  assert.deepEqual(await axe(phone), []);
});
