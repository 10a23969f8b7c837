// A high-risk dispute from intake to closure through the pages (DOMAIN.md §3.1 with §3.5): the
// assessment, the plan with its task, the leadership sign-off, the task done, the reassessment;
// only then is the dispute graded and can it be decided.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { demoSuite, shot } = require('../lib');

const suite = demoSuite({ before, after });
const login = suite.login;

const status = (page) => page.textContent('#case-status');

test('a high-risk dispute is mitigated, reassessed, graded and closed', async () => {
  const grid = await login('demo_grid');
  await grid.goto(`${suite.server.base}/cases/new`);
  await grid.selectOption('#kind', 'dispute');
  await grid.selectOption('#channel', 'grid_screening');
  await grid.selectOption('#category', { label: '邻里纠纷' });
  await grid.selectOption('#place_id', { label: '演示·乌江村' });
  await grid.fill('#title', '两户村民宅基地边界纠纷');
  await grid.fill('#narrative', '两户因宅基地边界争执多年，近日多人聚集，一方扬言采取过激行为。');
  await grid.fill('#p0name', '赵某');
  await grid.fill('#p0phone', '13912340001');
  await grid.click('button:text("登记")');
  await grid.waitForURL(/ok=registered/);
  const caseUrl = grid.url().split('?')[0];
  assert.equal(await status(grid), '已登记');

  // First assessment: eight people, threats → high; the gate names what is missing.
  await grid.fill('#r-people', '8');
  await grid.check('#r-extreme_words');
  await grid.fill('#r-plan', '包案领导约谈双方。');
  await grid.click('#assess button[type=submit]');
  await grid.waitForURL(/ok=assessed/);
  assert.match(await grid.innerText('#risk'), /高[\s\S]*得分 70/);
  assert.match(await grid.innerText('#risk-needs'), /至少一项稳控任务/);
  assert.equal(await grid.locator('#assess').count(), 0, 'a high risk is not assessed away before its mitigation');

  // The plan: without a task it is refused, with one it is saved.
  await grid.fill('#plan textarea[name=plan]', '包案领导约谈双方，村调委会现场勘界，释法说理。');
  await grid.click('#plan button[type=submit]');
  await grid.locator('#plan input.is-invalid').waitFor();
  assert.match(await grid.innerText('#plan'), /至少一项稳控任务/);
  assert.equal(await grid.inputValue('#plan textarea[name=plan]'), '包案领导约谈双方，村调委会现场勘界，释法说理。', 'the plan text is kept');
  await grid.fill('input[name="tasks[0].title"]', '会同村调委会现场勘界并约谈双方');
  await grid.selectOption('select[name="tasks[0].owner"]', { label: '乌江镇网格员（演示）' });
  await grid.fill('input[name="tasks[0].due"]', new Date(Date.now() + 8 * 3600e3 + 7 * 86400e3).toISOString().slice(0, 10));
  await grid.click('#plan button[type=submit]');
  await grid.waitForURL(/ok=saved/);
  assert.match(await grid.innerText('#risk-needs'), /领导审批/);
  await shot(grid, 'risk-01-planned');

  // The plan reaches the centre head's queue (with a count in the navigation); refused there with
  // a reason, it goes back to the grid worker, who revises it; then the head approves. The task
  // is still open, so the dispute is not yet graded.
  const leader = await login('demo_centre_head');
  await leader.goto(`${suite.server.base}/inbox`);
  await leader.locator('#inbox-count').waitFor();
  assert.match(await leader.innerText('#approvals'), /两户村民宅基地边界纠纷[\s\S]*高风险稳控方案待审批/);
  await shot(leader, 'inbox-01-approvals');
  await leader.click('#approvals summary:text("不同意")');
  await leader.click('#approvals button:text-is("不同意")');
  await leader.locator('#inbox-alert').waitFor();
  assert.match(await leader.innerText('#inbox-alert'), /理由/);
  await leader.click('#approvals summary:text("不同意")');
  await leader.fill('#approvals textarea', '请写明勘界的时间和参加人员');
  await leader.click('#approvals button:text-is("不同意")');
  await leader.waitForURL(/ok=refused/);
  assert.equal(await leader.locator('#approvals').count(), 0, 'back with the grid worker');
  await grid.goto(`${suite.server.base}/inbox`);
  assert.match(await grid.innerText('#notices'), /未同意高风险审批[\s\S]*勘界的时间/);
  await grid.goto(caseUrl);
  await grid.fill('#plan textarea[name=plan]', '包案领导约谈双方，本周五村调委会会同双方现场勘界，释法说理。');
  await grid.click('#plan button[type=submit]');
  await grid.waitForURL(/ok=saved/);
  await leader.goto(`${suite.server.base}/inbox`);
  await leader.click('#approvals button:text("同意")');
  await leader.waitForURL(/ok=signed/);
  assert.equal(await leader.locator('#approvals').count(), 0);
  await grid.goto(`${suite.server.base}/inbox`);
  assert.doesNotMatch(await grid.innerText('main'), /未同意高风险审批/, 'the refusal is put away once revised');
  await grid.goto(caseUrl);
  assert.match(await grid.innerText('#risk-needs'), /稳控任务尚未全部完成/);
  assert.equal(await status(grid), '已登记');

  // The task done on the case page; the reassessment is now the next step.
  await grid.click('#risk button:text("标记完成")');
  await grid.waitForURL(/ok=task-done/);
  assert.match(await grid.innerText('#risk'), /稳控任务（1\/1）/);
  assert.match(await grid.innerText('#risk-needs'), /须重新评估/);
  assert.match(await grid.innerText('#assess summary'), /复评风险/);
  await shot(grid, 'risk-02-mitigated');
  await grid.fill('#r-people', '8');
  await grid.click('#assess button[type=submit]');
  await grid.waitForURL(/ok=assessed/);
  assert.match(await grid.innerText('#risk'), /中[\s\S]*复评/);
  assert.match(await grid.innerText('#risk-cleared'), /风险关口已通过/);
  assert.equal(await status(grid), '已研判定级', 'graded when the gate cleared');
  await shot(grid, 'risk-03-reassessed');

  // Assigned, diverted to litigation with a reason, closed.
  const becomes = (text) => grid.locator('#case-status', { hasText: text }).waitFor();
  await grid.click('#actions button:text("分派调处")');
  await becomes('已分流');
  await grid.fill('#note', '双方同意通过诉讼确认宅基地使用权边界');
  await grid.click('#actions button:text("分流至法定途径")');
  await becomes('已分流至法定途径');
  await grid.click('#actions button:text-is("办结")');
  await becomes('已办结');
  assert.match(await grid.innerText('#risk'), /案件已办结/);
  const timeline = await grid.innerText('#timeline');
  for (const step of ['登记', '风险评估', '领导审批风险', '办结']) {
    assert.ok(timeline.includes(step), `timeline has ${step}`);
  }
  await shot(grid, 'risk-04-closed');
});
