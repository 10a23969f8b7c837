// Issue 13 §1: the search box in the navigation bar, on a desktop and on a phone — words of the
// demo's petitions found and marked, a pinyin name, a filter, and a query too short answered on
// the page with what was typed kept.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { demoSuite, shot, axe } = require('../lib');

const suite = demoSuite({ before, after });
const PHONE = { width: 390, height: 844 };

/** Registers a petition through the API, as the clerk. */
async function petition(place, title, narrative, name) {
  const base = suite.server.base;
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'demo_reception', password: 'Demo@2026gz' }),
  });
  const { token } = await login.json();
  const now = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ');
  const r = await fetch(`${base}/api/v1/cases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      kind: 'petition', channel: 'visit', category: 'LABOUR', place_id: place, title, narrative, received_at: now,
      parties: [{ role: 'petitioner', name, phone: '13993651111' }],
    }),
  });
  assert.equal(r.status, 200);
  return (await r.json()).id;
}

test('a clerk searches from the navigation bar and opens a hit', async () => {
  const page = await suite.login('demo_reception');
  await page.goto(`${suite.server.base}/cases/new`);
  const place = await page.locator('option', { hasText: '演示·乌江村' }).first().getAttribute('value');
  await petition(place, '张建军等农民工讨要工资', '张建军等六名农民工在乌江镇工地务工，工程完工后包工头拖欠工资四万元，临近年关情绪激动。', '张建军');
  await petition(place, '物业服务纠纷', '小区业主张秀英反映物业公司停车收费过高，要求公开收费标准。', '张秀英');
  await page.goto(`${suite.server.base}/`);
  await page.fill('nav input[name=q]', '拖欠工资');
  await page.press('nav input[name=q]', 'Enter');
  await page.waitForURL(/\/search\?q=/);
  assert.match(await page.innerText('#search-total'), /共 \d+ 条/);
  const first = page.locator('#search-hits a').first();
  assert.match(await first.innerText(), /拖欠/);
  assert.ok((await page.locator('#search-hits mark').count()) > 0, 'the words found are marked');
  assert.deepEqual(await axe(page), [], 'no serious or critical accessibility violation on the hits');
  await shot(page, 'search-01-words');

  // One kind only, by pinyin initials of a name.
  await page.fill('#search-q', 'zhang');
  await page.click('.search-filters summary');
  await page.selectOption('select[name=kind]', 'party');
  await page.click('#search-form button[type=submit]');
  await page.waitForURL(/kind=party/);
  const kinds = await page.locator('#search-hits .badge').allInnerTexts();
  assert.ok(kinds.length > 0 && kinds.every((k) => k === '当事人'), kinds.join());
  assert.equal(await page.getAttribute('.search-filters', 'open'), '', 'a filter set keeps the filters open');
  await shot(page, 'search-02-pinyin');

  // A hit opens what it found.
  await page.locator('#search-hits a').first().click();
  await page.waitForURL(/\/cases\//);

  // One character is too little: the page says so and keeps it.
  await page.goto(`${suite.server.base}/search?q=%E7%8E%8B`);
  assert.match(await page.innerText('#search-form'), /请至少输入两个字/);
  assert.equal(await page.inputValue('#search-q'), '王');
});

test('a prosecutor searches on a phone', async () => {
  const page = await suite.login('demo_prosecutor', PHONE);
  await page.goto(`${suite.server.base}/search?q=${encodeURIComponent('工资')}`);
  assert.match(await page.innerText('#search-total'), /共 \d+ 条/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no sideways scrolling on a phone (${width}px)`);
  await shot(page, 'phone-search-01');
});

test('the intake form shows the earlier case of the same phone and registers a repeat petition', async () => {
  const clerk = await suite.login('demo_reception');
  await clerk.goto(`${suite.server.base}/cases/new`);
  await clerk.selectOption('#kind', 'petition');
  await clerk.selectOption('#channel', 'phone');
  await clerk.selectOption('#category', { label: '劳动争议' });
  await clerk.selectOption('#place_id', { label: '演示·乌江村' });
  await clerk.fill('#title', '又来电反映工资拖欠');
  await clerk.fill('#narrative', '来电人称去年反映的工资至今未发放。');
  await clerk.fill('#p0name', '张建军');
  await clerk.fill('#p0phone', '13993651111');
  await clerk.locator('#p0phone').blur();
  // The panel comes as the clerk types: the earlier case of the same phone, a choice, and why.
  await clerk.locator('#duplicates-card').waitFor();
  const panel = await clerk.innerText('#duplicates-card');
  assert.match(panel, /可能是重复信访/);
  assert.match(panel, /张建军等农民工讨要工资/);
  assert.match(panel, /同一电话/);
  assert.equal(await clerk.isChecked('#repeat-none'), true, 'a new matter until the clerk says otherwise');
  await clerk.locator('#duplicates-card input[type=radio]').nth(1).check();
  await shot(clerk, 'duplicates-01-intake');
  assert.deepEqual(await axe(clerk), [], 'no serious or critical accessibility violation on the intake form');
  await clerk.click('button:text("登记")');
  await clerk.waitForURL(/\/cases\/[0-9a-f-]+\?ok=registered/);
  assert.match(await clerk.innerText('#repeats'), /张建军等农民工讨要工资/);
  await shot(clerk, 'duplicates-02-case');
});

test('a handler dismisses one likely duplicate, merges a true duplicate and takes the merge back', async () => {
  const page = await suite.login('demo_prosecutor');
  await page.goto(`${suite.server.base}/cases/new`);
  const place = await page.locator('option', { hasText: '演示·乌江村' }).first().getAttribute('value');
  // The same petition registered a second time, through another door.
  const twice = await petition(place, '张建军等农民工讨要工资（网上）', '张建军等六名农民工在乌江镇工地务工，工程完工后包工头拖欠工资四万元，临近年关情绪激动。', '张建军');
  await page.goto(`${suite.server.base}/cases/${twice}`);
  const panel = page.locator('#duplicates .card');
  await panel.waitFor();
  assert.match(await panel.innerText(), /可能重复的案件/);
  const rows = page.locator('#duplicates .duplicate-row');
  const other = rows.filter({ hasText: '物业服务纠纷' });
  await other.locator('button:text("不是同一件事")').click();
  await page.locator('#case-toast .alert-success').waitFor();
  await page.locator('#duplicates .duplicate-row').first().waitFor();
  assert.equal(await page.locator('#duplicates .duplicate-row', { hasText: '物业服务纠纷' }).count(), 0, 'a dismissed case is not suggested again');
  const original = page.locator('#duplicates .duplicate-row', { hasText: '张建军等农民工讨要工资' }).filter({ hasNotText: '网上' }).first();
  await original.locator('summary').click();
  await shot(page, 'duplicates-03-case-panel');
  assert.deepEqual(await axe(page), [], 'no serious or critical accessibility violation on the panel');
  await original.locator('button:text("确认合并")').click();
  await page.locator('#merged-banner').waitFor();
  assert.match(await page.innerText('#merged-banner'), /合并至/);
  assert.equal(await page.locator('#actions').count(), 0, 'a merged case offers no more steps');
  await shot(page, 'duplicates-04-merged');
  await page.setViewportSize(PHONE);
  await shot(page, 'phone-duplicates-01-merged');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no sideways scrolling on a phone (${width}px)`);
  await page.click('#merged-banner button:text("取消合并")');
  await page.locator('#case-toast .alert-success', { hasText: '已取消合并' }).waitFor();
  assert.equal(await page.locator('#merged-banner').count(), 0);
});
