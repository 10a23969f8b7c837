// Issue 12 §3: the juvenile team files a mandatory report from a school, the list shows the child
// masked, the report opens only with a reason, the police are told; anyone else who follows the
// link is refused.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { demoSuite, shot, axe } = require('../lib');

const suite = demoSuite({ before, after });
const PHONE = { width: 390, height: 844 };

test('a mandatory report is filed, opened for a reason and passed to the police', async () => {
  for (const [name, viewport] of [['desktop', undefined], ['phone', PHONE]]) {
    const page = await suite.login('demo_juvenile', viewport);
    await page.goto(`${suite.server.base}/minors/new`);
    await page.click('#minor-submit');
    await page.locator('#harm_kind.is-invalid').waitFor();
    await page.selectOption('#reporter_kind', 'school');
    await page.fill('#r-org', '乌江镇中心小学');
    await page.fill('#r-person', '班主任李老师');
    await page.selectOption('#harm_kind', 'abuse_injuries');
    await page.fill('#c-name', '王小花');
    await page.fill('#c-birth', '2016-05-01');
    await page.selectOption('#village_id', { label: '演示·乌江村' });
    await page.selectOption('#guardian_situation', 'left_behind');
    await page.fill('#c-what', '学生身上多处淤青，自述被同住亲属打伤。');
    assert.equal(await page.inputValue('#c-name'), '王小花', 'what was typed is kept through the refusal');
    await shot(page, `${name}-minor-new`);
    await page.click('#minor-submit');
    await page.waitForURL(/ok=minor-filed/);
    assert.match(await page.innerText('main'), /王\*\*/);
    assert.doesNotMatch(await page.innerText('main'), /王小花/, 'the child is not shown before a reason');
    await shot(page, `${name}-minor-gate`);
    await page.fill('#reason', '核实报告，联系派出所');
    await page.click('#open-submit');
    await page.locator('#minor-state').waitFor();
    assert.match(await page.innerText('main'), /王小花[\s\S]*已记入审计日志/);
    await page.fill('#police_unit', '乌江派出所');
    await page.click('#step-notify_police button');
    await page.locator('#minor-state', { hasText: '已告知公安' }).waitFor();
    await shot(page, `${name}-minor-report`);
    assert.deepEqual(await axe(page), [], 'no serious or critical accessibility violation on the report');
    await page.goto(`${suite.server.base}/minors`);
    await shot(page, `${name}-minor-list`);
    assert.deepEqual(await axe(page), [], 'no serious or critical accessibility violation on the list');
    const link = await page.getAttribute('#minors a', 'href');
    const other = await suite.login('demo_prosecutor', viewport);
    const r = await other.goto(`${suite.server.base}${link}`);
    assert.equal(r.status(), 403);
    await other.context().close();
    await page.context().close();
  }
});

test('a child of 乌江镇 opens with its plan, caring mother and weekly call; the Women\'s Federation sees its task', async () => {
  for (const [name, viewport] of [['desktop', undefined], ['phone', PHONE]]) {
    const page = await suite.login('demo_juvenile', viewport);
    await page.goto(`${suite.server.base}/minors/children`);
    const list = await page.innerText('#children');
    assert.match(list, /马\*\*/, 'the demo children, masked');
    assert.doesNotMatch(list, /马小雨/);
    assert.match(list, /逾期 \d+ 天未联系/, 'the guardian who missed the weekly call');
    await shot(page, `${name}-minor-children`);
    await page.click('#children a >> nth=0');
    await page.fill('#reason', '季度帮扶回访');
    await page.click('#open-submit');
    await page.locator('#child-state').waitFor();
    const main = await page.innerText('main');
    assert.match(main, /家庭保护[\s\S]*学校保护[\s\S]*司法保护/, 'the plan under the six protections');
    assert.match(main, /已结对/);
    await page.fill('#who', '父亲');
    await page.selectOption('#kind', 'guardian_contact');
    await page.click('#contact-submit');
    await page.locator('#contact-list', { hasText: '监护人联系' }).waitFor();
    await shot(page, `${name}-minor-child`);
    await page.context().close();
    const fl = await suite.login('demo_fulian', viewport);
    await fl.goto(`${suite.server.base}/minors/tasks`);
    assert.match(await fl.innerText('main'), /家庭保护/);
    assert.doesNotMatch(await fl.innerText('main'), /马小雨|陈浩然|王欣怡|李子轩|张梦瑶/, 'the agency sees the child masked');
    await shot(fl, `${name}-minor-tasks`);
    await fl.context().close();
  }
});
