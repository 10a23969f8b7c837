// Issue 13 §3 and §6: the leader's home page is the dashboard — the month's reply rates, where
// disputes gather, clocks, risk and the procuratorate's work, every figure opening its list; the
// same on a phone; an agency head sees the own agency's.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { demoSuite, shot, axe } = require('../lib');

// A district's worth of demo cases over the past years, so that every part of the page has figures.
const suite = demoSuite({ before, after, cases: 800 });
const PHONE = { width: 390, height: 844 };

test('the leader opens the dashboard as the home page and follows a figure to its list', async () => {
  const page = await suite.login('demo_leader');
  await page.goto(`${suite.server.base}/`);
  await page.locator('#dash-kpis').waitFor();
  assert.match(await page.innerText('#dash-scope'), /全区/);
  // The charts are drawn (a canvas each) from the figures the tables show.
  await page.locator('[data-chart=trend] canvas').waitFor();
  await page.locator('[data-chart=category] canvas').waitFor();
  assert.deepEqual(await axe(page), [], 'no serious or critical accessibility violation on the dashboard');
  await shot(page, 'dashboard-01-leader');

  // A category's count opens the cases it counts, with the conditions shown above the list.
  const first = page.locator('#dash-categories a').first();
  const n = await first.innerText();
  await first.click();
  await page.waitForURL(/\/cases\?/);
  assert.match(await page.innerText('#narrowed'), /受理日期/);
  assert.equal(await page.innerText('h1 small'), n);
  await shot(page, 'dashboard-02-click-through');
  // The list as it stands, in Excel.
  const href = await page.getAttribute('#export-xlsx', 'href');
  assert.match(href, /from=.*category=/, 'the export carries the list\'s conditions');
  const xlsx = await page.request.get(`${suite.server.base}${href}`);
  assert.equal(xlsx.status(), 200, `${href}: ${(await xlsx.text()).match(/<main[\s\S]*<\/main>/)}`);
  assert.match(xlsx.headers()['content-disposition'], /filename\*=UTF-8''%E6%A1%88%E4%BB%B6-\d{4}-\d{2}-\d{2}\.xlsx/);

  // Another month.
  await page.goto(`${suite.server.base}/dashboard`);
  const month = await page.inputValue('#dash-month');
  const [y, m] = month.split('-').map(Number);
  const before = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  await page.goto(`${suite.server.base}/dashboard?month=${before}`);
  assert.equal(await page.inputValue('#dash-month'), before);
});

test('the leader reads the dashboard on a phone', async () => {
  const page = await suite.login('demo_leader', PHONE);
  await page.goto(`${suite.server.base}/`);
  await page.locator('[data-chart=trend] canvas').waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no sideways scrolling on a phone (${width}px)`);
  await shot(page, 'phone-dashboard-01-leader');
});

test('an agency head sees the own agency', async () => {
  const page = await suite.login('demo_police_head');
  await page.goto(`${suite.server.base}/`);
  await page.locator('#dash-kpis').waitFor();
  assert.doesNotMatch(await page.innerText('#dash-scope'), /全区/);
  assert.equal(await page.locator('#dash-work', { hasText: '检察听证' }).count(), 0, 'hearings are the procuratorate\'s');
  await shot(page, 'dashboard-03-agency-head');
});

test('the leader issues last month\'s return and reads it', async () => {
  const page = await suite.login('demo_leader');
  await page.goto(`${suite.server.base}/reports`);
  const now = new Date(Date.now() + 8 * 3600 * 1000);
  const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const month = `${last.getUTCFullYear()}-${String(last.getUTCMonth() + 1).padStart(2, '0')}`;
  // This month has not ended: the form says so and keeps what was typed.
  const current = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  await page.fill('#period', current);
  await page.click('#issue-form button[type=submit]');
  assert.match(await page.innerText('#issue-form'), /还没有结束/);
  assert.equal(await page.inputValue('#period'), current);
  await page.fill('#period', month);
  await page.fill('#note', '上月矛盾纠纷化解情况');
  await page.click('#issue-form button[type=submit]');
  await page.waitForURL(/\/reports\/[0-9a-f-]+\?ok=return-issued/);
  assert.match(await page.innerText('#return-unchanged'), /一致/);
  assert.match(await page.innerText('#return-lines'), /受理案件/);
  assert.deepEqual(await axe(page), [], 'no serious or critical accessibility violation on a return');
  await shot(page, 'report-01-issued');
  await page.goto(`${suite.server.base}/reports`);
  assert.match(await page.innerText('#returns'), new RegExp(month));
  await shot(page, 'report-02-list');
  await page.setViewportSize(PHONE);
  await page.goto(`${suite.server.base}/reports`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no sideways scrolling on a phone (${width}px)`);
  await shot(page, 'phone-report-01-list');
});
