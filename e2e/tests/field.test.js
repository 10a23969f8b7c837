// Issue 10 in the field: a grid worker registers a dispute from a phone with the form's defaults,
// and a citizen on the portal keeps an attachment through a refused form, then, at closure, says
// whether the matter was resolved.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { demoSuite, shot, axe, captchaAnswer } = require('../lib');

const FIELD_KEY = '00112233445566778899aabbccddeeff';
const suite = demoSuite({
  before,
  after,
  env: { GONGZHI__SECURITY__FIELD_KEY: FIELD_KEY, GONGZHI__SECURITY__INDEX_KEY: 'ffeeddccbbaa99887766554433221100' },
});
const PHONE = { width: 390, height: 844 };

test('a grid worker registers a dispute from the phone with the defaults', async () => {
  const grid = await suite.login('demo_grid', PHONE);
  await grid.goto(`${suite.server.base}/cases/new`);
  // The form starts from what a grid worker registers: a dispute found while screening, in the
  // worker's own township only; the grid menu follows the village.
  assert.equal(await grid.inputValue('#kind'), 'dispute');
  assert.equal(await grid.inputValue('#channel'), 'grid_screening');
  const townships = await grid.$$eval('#place_id optgroup', (gs) => gs.map((g) => g.label));
  assert.deepEqual(townships, ['乌江镇']);
  await grid.selectOption('#place_id', { label: '演示·乌江村' });
  const grids = await grid.$$eval('#grid_id optgroup:not([hidden])', (gs) => gs.map((g) => g.label));
  assert.deepEqual(grids, ['演示·乌江村']);
  await grid.selectOption('#category', { label: '邻里纠纷' });
  await grid.fill('#title', '两户村民灌溉用水纠纷');
  await grid.fill('#narrative', '上下游两户因轮灌顺序发生争执，已劝开。');
  await grid.fill('#p0name', '马某');
  await grid.fill('#p0phone', '13912340002');
  await shot(grid, 'phone-01-intake');
  await grid.click('button:text("登记")');
  await grid.waitForURL(/ok=registered/);
  assert.match(await grid.textContent('#case-number'), /^乌江综治中心调〔\d{4}〕1号$/, 'a dispute, numbered in the dispute series');
  assert.match(await grid.innerText('.case-head'), /矛盾纠纷/);
  await shot(grid, 'phone-02-case');
  await grid.goto(`${suite.server.base}/inbox`);
  await shot(grid, 'phone-03-inbox');
  await grid.goto(`${suite.server.base}/cases`);
  // A card shows the status, the place and what falls due next.
  assert.match(await grid.innerText('table tbody tr:first-child'), /两户村民灌溉用水纠纷[\s\S]*演示·乌江村[\s\S]*\d{2}-\d{2}/);
  await shot(grid, 'phone-04-cases');
  assert.deepEqual(await axe(grid), [], 'no serious or critical accessibility violation');
  // 我的网格: the township's villages, the new dispute under its village, people to call.
  await grid.click('.navbar-toggler');
  await grid.click('nav a[href="/grid"]');
  await grid.locator('#grid-summary').waitFor();
  const village = grid.locator('.grid-village', { hasText: '演示·乌江村' });
  assert.match(await village.innerText(), /两户村民灌溉用水纠纷/);
  await village.locator('summary').click();
  assert.ok(await village.locator('a[href^="tel:"]').count() > 0, 'roster numbers to tap');
  await shot(grid, 'phone-06-grid');
  assert.deepEqual(await axe(grid), [], 'no serious or critical accessibility violation on 我的网格');
});

test('a citizen keeps an attachment through a refused form and answers at closure', async () => {
  const ctx = await suite.browser.newContext({ viewport: PHONE });
  const portal = await ctx.newPage();
  await portal.goto(`${suite.server.base}/portal/submit`);
  await portal.check('#k-dispute');
  await portal.selectOption('#category', { label: '邻里纠纷' });
  await portal.fill('#title', '邻居扩建房屋挡住我家采光');
  await portal.fill('#narrative', '邻居今年扩建二层，挡住我家窗户，协商未果。');
  await portal.fill('#pname', '杨某');
  await portal.fill('#pphone', '13993650001');
  await portal.setInputFiles('#attachments', { name: '现场照片说明.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n') });
  // The village is left out: the form comes back saying so in plain words, the file kept.
  const token = await portal.getAttribute('input[name=captcha_token]', 'value');
  await portal.fill('#captcha', captchaAnswer(token, FIELD_KEY));
  await portal.click('button[type=submit]');
  await portal.locator('#place_id.is-invalid').waitFor();
  assert.match(await portal.innerText('main'), /请选择事情发生在哪个乡镇、哪个村/);
  assert.match(await portal.innerText('#held-files'), /现场照片说明\.pdf/);
  assert.equal(await portal.inputValue('#title'), '邻居扩建房屋挡住我家采光');
  await shot(portal, 'phone-05-portal-error');
  await portal.selectOption('#place_id', { label: '演示·乌江村' });
  const again = await portal.getAttribute('input[name=captcha_token]', 'value');
  await portal.fill('#captcha', captchaAnswer(again, FIELD_KEY));
  await portal.click('button[type=submit]');
  await portal.locator('#tracking-code').waitFor();
  const code = (await portal.textContent('#tracking-code')).trim();
  // The tracking link carries the code.
  await portal.click('#track-link');
  assert.equal(await portal.inputValue('#code'), code);

  // Staff see the file on the case, then close the dispute.
  const centre = await suite.login('demo_centre');
  await centre.goto(`${suite.server.base}/cases?q=${encodeURIComponent('挡住我家采光')}&state=all`);
  await centre.click('table tbody tr:first-child a, .case-card a');
  assert.match(await centre.innerText('#attachments'), /现场照片说明\.pdf/, 'the held file came with the case');
  const caseUrl = centre.url().split('?')[0];
  const api = async (path, body) => centre.evaluate(async ([p, b]) => {
    const r = await fetch(p, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(b) });
    return r.status;
  }, [path, body]);
  const step = async (command) => {
    await centre.goto(caseUrl);
    const version = await centre.getAttribute('#actions input[name=version]', 'value');
    assert.ok((await api(`${caseUrl}/transition`, { command, version })) < 400, command);
  };
  await step('register');
  await api(`${caseUrl}/risk`, { people: '2' });
  for (const command of ['assign', 'start_mediation', 'resolve', 'start_follow_up', 'close']) {
    await step(command);
  }
  await centre.goto(caseUrl);
  assert.equal(await centre.textContent('#case-status'), '已办结');

  // The citizen says whether it was resolved; staff see it as a follow-up.
  await portal.fill('#last4', '0001');
  await portal.click('button:text("查询")');
  await portal.locator('#feedback').waitFor();
  await portal.click('#feedback button[type=submit]');
  assert.match(await portal.innerText('#feedback'), /请选择“满意”“基本满意”或“不满意”/);
  await portal.check('#fb-basically');
  await portal.fill('#fb-notes', '问题基本解决，希望以后多回访。');
  await portal.click('#feedback button[type=submit]');
  await portal.locator('#feedback-thanks').waitFor();
  await shot(portal, 'phone-06-portal-feedback');
  assert.deepEqual(await axe(portal), []);
  await centre.goto(caseUrl);
  assert.match(await centre.innerText('#follow-up'), /当事人网上评价[\s\S]*基本满意[\s\S]*多回访/);
  await ctx.close();
});
