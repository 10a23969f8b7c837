// Every page as the administrators see it, on a desktop and on a phone, with demo data: each answers
// 200, shows no untranslated message key, and is saved as a screenshot to look at.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { gongzhi, startServer, launch, login, totp, shot, axe } = require('../lib');

let server; let browser;
const PASSWORD = 'Demo@2026gz';

before(async () => {
  server = await startServer();
  gongzhi(server.env, ['seed-demo']);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function loginWithTotp(page, username) {
  await page.goto(`${server.base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.click('main button[type=submit]');
  await page.waitForURL('**/login/totp');
  await page.fill('#code', totp((await page.textContent('#totp-secret')).trim()));
  await page.click('main button[type=submit]');
  await page.waitForURL(`${server.base}/`);
}

// Message keys look like `nav-home`, `field-name`: none may reach the page.
const RAW_KEY = /\b(?:nav|field|error|flash|role|action|agency-kind|slot|head|level|roster|audit|import|user|totp|password|lockout|lockouts)-[a-z-]+\b/;

async function visit(page, path, name) {
  const res = await page.goto(`${server.base}${path}`);
  assert.equal(res.status(), 200, path);
  const text = await page.innerText('body');
  assert.doesNotMatch(text, RAW_KEY, `${path} shows a raw key`);
  await shot(page, name);
}

test('the system administrator\'s pages, desktop and phone', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  // One login: a second one in the same 30 seconds would reuse a spent TOTP code, which is refused.
  await loginWithTotp(page, 'demo_sysadmin');
  for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    await page.setViewportSize(viewport);
    await visit(page, '/', `${label}-home`);
    await visit(page, '/admin/org', `${label}-org`);
    const district = await page.goto(`${server.base}/admin/org`).then(() => page.locator('a', { hasText: '甘肃省' }).getAttribute('href'));
    await visit(page, district, `${label}-org-province`);
    await visit(page, '/admin/agencies', `${label}-agencies`);
    await visit(page, '/admin/users', `${label}-users`);
    await visit(page, '/admin/calendar?year=2026', `${label}-calendar`);
    await visit(page, '/admin/categories', `${label}-categories`);
    await visit(page, '/admin/roster', `${label}-roster`);
    await page.click('a:text("乌江镇")');
    await visit(page, new URL(page.url()).pathname, `${label}-roster-wujiang`);
    await visit(page, '/admin/import', `${label}-import`);
    await visit(page, '/admin/documents', `${label}-documents`);
    assert.match(await page.innerText('main'), /内置模板/);
    assert.deepEqual(await axe(page), []);
    await visit(page, '/admin/permissions', `${label}-permissions`);
    await visit(page, '/account', `${label}-account`);
  }

  // Fill a gap in the roster: the counsellor of the third Wujiang village.
  await page.setViewportSize({ width: 1366, height: 900 });
  await page.goto(`${server.base}/admin/roster`);
  await page.click('a:text("乌江镇")');
  const village = page.locator('.card', { hasText: '演示·平原村' });
  await village.locator('tr.slot-gap', { hasText: '心理辅导员' }).locator('a').click();
  let row = page.locator('tr.edit-row:visible');
  // The menu offers only agencies a counsellor may come from, and chooses none.
  const offered = await row.locator('select[name=agency_id] option').allTextContents();
  assert.equal(offered[0], '请选择所在单位');
  assert.ok(!offered.some((a) => a.includes('法院') || a.includes('公安')), offered.join('、'));
  await row.locator('input[name=person_name]').fill('吴老师');
  await row.locator('input[name=phone]').fill('13912345678');
  await row.locator('button[type=submit]').click();
  // The re-rendered page marks the failed row with .show; wait for it rather than read the old page.
  row = page.locator('tr.edit-row.show');
  await row.waitFor();
  assert.match(await row.innerText(), /请选择单位/);
  // Said at the top too, with the focus there.
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'roster-error');
  assert.equal(await row.locator('input[name=person_name]').inputValue(), '吴老师', 'typing kept');
  assert.equal(await row.locator('input[name=phone]').inputValue(), '13912345678');
  await shot(page, 'desktop-roster-error');
  await row.locator('select[name=agency_id]').selectOption({ label: '张掖市甘州区妇女联合会' });
  await row.locator('button[type=submit]').click();
  await page.waitForURL('**ok=saved**');
  const saved = page.locator('.card', { hasText: '演示·平原村' }).locator('tr', { hasText: '心理辅导员' }).first();
  assert.match(await saved.innerText(), /吴老师[\s\S]*139\*\*\*\*5678/);

  // The API documentation, vendored Swagger UI.
  await page.goto(`${server.base}/api/docs`);
  await page.waitForSelector('.opblock');
  assert.ok(await page.locator('.opblock').count() >= 10);
  await shot(page, 'desktop-api-docs');
  await ctx.close();
});

test('the security administrator sees a lockout and lifts it', async () => {
  // Five wrong passwords lock the grid worker's account.
  for (let i = 0; i < 5; i++) {
    await fetch(`${server.base}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.base },
      body: 'username=demo_grid&password=wrong',
      redirect: 'manual',
    });
  }
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  await loginWithTotp(page, 'demo_secadmin');
  await visit(page, '/admin/lockouts', 'desktop-lockouts');
  const row = page.locator('#lockouts .lockout', { hasText: 'demo_grid' });
  assert.match(await row.innerText(), /账户（密码或两步验证）/);
  await page.setViewportSize({ width: 390, height: 844 });
  await visit(page, '/admin/lockouts', 'phone-lockouts');
  await page.setViewportSize({ width: 1366, height: 900 });
  await row.locator('button:text("解除")').click();
  await page.waitForURL('**ok=lockout-lifted');
  assert.match(await page.innerText('main'), /已解除锁定[\s\S]*当前没有锁定/);
  await visit(page, '/admin/users', 'desktop-users-secadmin');
  await ctx.close();
});

test('the audit administrator sees the trail and nothing else', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  await loginWithTotp(page, 'demo_auditor');
  await visit(page, '/admin/audit', 'desktop-audit');
  assert.match(await page.textContent('table'), /user|login/);
  const res = await page.goto(`${server.base}/admin/users`);
  assert.equal(res.status(), 403);
  await ctx.close();
});


test('the procuratorate\'s hearings, suggestions and aid with a year of demo work, desktop and phone', async () => {
  for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    const page = await login(browser, server.base, 'demo_prosecutor', viewport);
    await visit(page, '/hearings', `${label}-hearings`);
    assert.match(await page.innerText('main'), /共 \d{3} 件/, 'about 316 hearings in the demo year');
    await page.goto(`${server.base}/hearings?state=archived`);
    await visit(page, await page.locator('main table a').first().getAttribute('href'), `${label}-hearing-archived`);
    assert.match(await page.textContent('#draws'), /复核一致/);
    await visit(page, '/hearing-officers', `${label}-hearing-officers`);
    await visit(page, '/suggestions', `${label}-suggestions`);
    assert.match(await page.textContent('#awaiting'), /已逾期/);
    await visit(page, await page.locator('main table a').first().getAttribute('href'), `${label}-suggestion`);
    await visit(page, '/aid-cases', `${label}-aid-cases`);
    await visit(page, await page.locator('main table a').first().getAttribute('href'), `${label}-aid`);
    assert.match(await page.textContent('#social'), /已反馈|已报告|反馈/);
    assert.deepEqual(await axe(page), []);
    await visit(page, '/portal/hearings', `${label}-portal-hearings`);
    assert.deepEqual(await axe(page), []);
    await page.context().close();
  }
});

test('the reception days of the demo year, the leader\'s owned matters and the portal booking, desktop and phone', async () => {
  for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    const page = await login(browser, server.base, 'demo_chief', viewport);
    await visit(page, '/reception-days', `${label}-reception-days`);
    const leaders = await page.textContent('#leaders');
    assert.match(leaders, /已排 12 次/, 'a reception a month for each leader');
    assert.deepEqual(await axe(page), []);
    // A past day with its visitors, and one visitor's record.
    await visit(page, await page.locator('main table a').first().getAttribute('href'), `${label}-reception-day`);
    await visit(page, await page.locator('main section a.fw-semibold').first().getAttribute('href'), `${label}-reception-visit`);
    assert.deepEqual(await axe(page), []);
    await visit(page, '/inbox', `${label}-inbox-owned`);
    assert.match(await page.textContent('#owned'), /接访时包案/);
    await visit(page, await page.locator('#owned a').first().getAttribute('href'), `${label}-case-owned`);
    assert.match(await page.textContent('#case-owner'), /包案领导/);
    await page.context().close();
    const pub = await (await browser.newContext({ viewport })).newPage();
    await pub.goto(`${server.base}/portal/reception`);
    await shot(pub, `${label}-portal-reception`);
    assert.match(await pub.innerText('main'), /还可约/);
    assert.deepEqual(await axe(pub), []);
    await pub.context().close();
  }
});

test('the legal education of the demo year: a month, an event with its case masked, the counts per township', async () => {
  for (const [label, viewport] of [['desktop', { width: 1366, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    const page = await login(browser, server.base, 'demo_prosecutor', viewport);
    const year = new Date().getFullYear();
    await visit(page, `/education?month=${year}-03`, `${label}-education-month`);
    assert.match(await page.innerText('#events'), /小李讲法/);
    assert.deepEqual(await axe(page), []);
    await visit(page, await page.locator('#events a', { hasText: '上门听证后以案释法' }).first().getAttribute('href'), `${label}-education-event`);
    assert.match(await page.innerText('#event-cases'), /某/, 'the parties are masked');
    await visit(page, `/education/counts?year=${year}`, `${label}-education-counts`);
    assert.deepEqual(await axe(page), []);
    await visit(page, '/education/new', `${label}-education-new`);
    assert.deepEqual(await axe(page), []);
    await page.context().close();
    const pub = await (await browser.newContext({ viewport })).newPage();
    await pub.goto(`${server.base}/portal/education`);
    await shot(pub, `${label}-portal-education`);
    assert.match(await pub.innerText('main'), /人参加/);
    assert.deepEqual(await axe(pub), []);
    await pub.context().close();
  }
});
