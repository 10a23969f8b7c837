// Issue 11: one hearing from the prosecutor's proposal to the decision — the chief prosecutor's
// approval from the inbox, the 3-day notice rule, a random draw of officers that re-runs from its
// seed, the record of the seven steps and each officer's opinion — on desktop and on a phone.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { demoSuite, shot, axe, DEMO_PASSWORD } = require('../lib');

const suite = demoSuite({ before, after });

async function api(path, token, body) {
  const r = await fetch(`${suite.server.base}${path}`, {
    method: body ? 'POST' : 'GET',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return r.json();
}

/** The hearing's day moved into the past: a running server's clock cannot be set, its data can. */
function sitYesterday(hearing) {
  const db = suite.server.env.GONGZHI__DATABASE__URL.replace('sqlite://', '');
  const r = spawnSync('sqlite3', [db, `UPDATE hearing SET scheduled_at = ${Date.now() - 3600000} WHERE id = '${hearing}'`]);
  assert.equal(r.status, 0, String(r.stderr));
}

test('a hearing from proposal to decision with a random draw', async () => {
  const { token } = await api('/api/v1/auth/login', null, { username: 'demo_reception', password: DEMO_PASSWORD });
  // 演示·乌江村, as the registration form offers it.
  const clerk = await suite.login('demo_reception');
  await clerk.goto(`${suite.server.base}/cases/new`);
  const village = await clerk.$eval('#place_id', (sel) => [...sel.options].find((o) => o.label === '演示·乌江村').value);
  const created = await api('/api/v1/cases', token, {
    kind: 'petition', channel: 'visit', category: 'LAW_RELATED', place_id: village,
    title: '马玉兰不服民事判决申请监督', narrative: '认为判决认定事实错误，多次信访。',
    received_at: new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 16).replace('T', ' '),
    parties: [{ role: 'petitioner', name: '马玉兰', phone: '13993651234' }],
  });
  assert.ok(created.id, JSON.stringify(created));

  const p = await suite.login('demo_prosecutor');
  await p.goto(`${suite.server.base}/cases/${created.id}`);
  await p.click('#hearing-new');
  await p.selectOption('#kind', 'civil_supervision');
  await p.fill('#topic', '马玉兰不服民事判决申请监督，是否支持监督申请');
  await p.fill('#proposed_handling', '拟不支持监督申请，做好释法说理');
  await shot(p, 'desktop-hearing-new');
  await p.click('main button[type=submit]');
  await p.waitForURL(/\/hearings\/[0-9a-f-]+\?ok=hearing-proposed/);
  assert.equal((await p.textContent('#hearing-state')).trim(), '待检察长审批');
  const hearing = new URL(p.url()).pathname.split('/').pop();

  // The chief prosecutor finds it in the inbox and approves it.
  const chief = await suite.login('demo_chief');
  await chief.goto(`${suite.server.base}/inbox`);
  await chief.click('a:has-text("提请听证，待您审批")');
  await chief.waitForURL(`**/hearings/${hearing}`);
  await shot(chief, 'desktop-hearing-review');
  await chief.click('#review button[type=submit]');
  await chief.waitForURL('**ok=hearing-approved');
  assert.equal((await chief.textContent('#hearing-state')).trim(), '已批准');

  // Too soon is refused with the earliest legal date; then the arrangements are saved.
  await p.goto(`${suite.server.base}/hearings/${hearing}`);
  const earliest = (await p.getAttribute('#scheduled_at', 'min')).slice(0, 10);
  const today = new Date(Date.now() + 8 * 3600000).toISOString().slice(0, 10);
  await p.fill('#scheduled_at', `${today}T15:00`);
  await p.fill('#chair', '张检察官');
  await p.fill('#participants', '申请人 马玉兰\n被申请人 李某');
  // The browser already refuses a date before `min`; past it, the server says the same.
  await p.$eval('#prepare', (f) => { f.noValidate = true; });
  await p.click('#prepare button[type=submit]');
  assert.match(await p.textContent('#hearing-error'), new RegExp(`最早可定于 ${earliest}`));
  assert.equal(await p.inputValue('#participants'), '申请人 马玉兰\n被申请人 李某', 'what was typed is kept');
  await p.fill('#scheduled_at', `${earliest}T09:30`);
  await p.click('#prepare button[type=submit]');
  await p.waitForURL('**ok=hearing-prepare');

  // A random draw from the demo pool: five officers, recorded with its seed, re-run to the same names.
  await p.fill('#wanted', '5');
  await p.click('#draw-submit');
  await p.waitForURL('**ok=hearing-drawn');
  assert.equal(await p.locator('#officers li').count(), 5);
  assert.match(await p.textContent('#draws'), /复核一致/);
  await shot(p, 'desktop-hearing-drawn');
  await p.click('#notify button[type=submit]');
  await p.waitForURL('**ok=hearing-notify');
  assert.equal((await p.textContent('#hearing-state')).trim(), '已通知');

  sitYesterday(hearing);
  await p.goto(`${suite.server.base}/hearings/${hearing}`);
  const steps = p.locator('#hold textarea');
  assert.equal(await steps.count(), 7, 'the seven steps of the proceedings');
  for (let i = 0; i < 7; i++) await steps.nth(i).fill(`第${i + 1}环节：按程序进行。`);
  await p.click('#hold button[type=submit]');
  await p.waitForURL('**ok=hearing-hold');

  // Each officer's opinion, one by one.
  const sets = p.locator('#opinions fieldset');
  assert.equal(await sets.count(), 5);
  for (let i = 0; i < 5; i++) {
    await sets.nth(i).locator('input[value=agree]').check();
    await sets.nth(i).locator('textarea').fill('同意拟处理意见，建议做好后续帮扶。');
  }
  await p.click('#opinions button[type=submit]');
  await p.waitForURL('**ok=hearing-opinions');
  assert.match(await p.textContent('#officers'), /多数意见：同意/);

  await p.selectOption('#decision', 'agree');
  await p.fill('#text', '采纳听证员意见，不支持监督申请，向申请人释法说理。');
  await p.click('#decide button[type=submit]');
  await p.waitForURL('**ok=hearing-decide');
  assert.equal((await p.textContent('#hearing-state')).trim(), '已决定');
  await shot(p, 'desktop-hearing-decided');
  assert.deepEqual(await axe(p), []);

  // The same page on a phone.
  const phone = await suite.login('demo_prosecutor', { width: 390, height: 844 });
  await phone.goto(`${suite.server.base}/hearings/${hearing}`);
  await shot(phone, 'phone-hearing');
  assert.deepEqual(await axe(phone), []);
});
