// The administrator's first login (second factor, forced password change), creating a user in an
// agency, that user seeing only what the role allows, and the lockout after five failures.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { gongzhi, startServer, launch, totp, shot } = require('../lib');

let server; let browser;
const FIRST = 'Start#2026gz';

before(async () => {
  server = await startServer();
  gongzhi(server.env, ['admin', 'create-user', '--username', 'admin', '--agency', 'GZ-JCY',
    '--role', 'system_admin', '--name', '系统管理员'], `${FIRST}\n`);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.stop();
});

async function login(page, username, password) {
  await page.goto(`${server.base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('main button[type=submit]');
}

let created = { username: 'wangjg', password: '' };

test('admin enrols TOTP, changes the first password and creates a user in an agency', async () => {
  const page = await browser.newPage();
  await login(page, 'admin', FIRST);
  await page.waitForURL('**/login/totp');
  const secret = (await page.textContent('#totp-secret')).trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  await shot(page, '01-totp-enrol');
  await page.fill('#code', totp(secret));
  await page.click('main button[type=submit]');

  await page.waitForURL('**/account/password');
  assert.match(await page.textContent('body'), /须先修改密码/);
  await page.fill('#current', FIRST);
  await page.fill('#new', 'short');
  await page.fill('#confirm', 'short');
  await page.click('main button[type=submit]');
  assert.match(await page.textContent('.invalid-feedback:visible'), /至少 8 位/);
  await page.fill('#current', FIRST);
  await page.fill('#new', 'Changed#2026gz');
  await page.fill('#confirm', 'Changed#2026gz');
  await page.click('main button[type=submit]');
  await page.waitForURL('**/account?ok=password-changed');
  assert.match(await page.textContent('.alert-success'), /密码已修改/);

  await page.goto(`${server.base}/admin/users`);
  await page.fill('#username', created.username);
  await page.fill('#display_name', '王警官');
  await page.selectOption('#agency_id', { label: '张掖市公安局甘州分局' });
  await page.check('#role-partner_handler');
  await page.click('form[action="/admin/users"] button[type=submit]');
  const note = await page.textContent('#user-created');
  const m = note.match(/初始密码：(\S+?)（/);
  assert.ok(m, note);
  created.password = m[1];
  assert.match(await page.textContent('table'), /王警官/);
  await shot(page, '02-user-created');
  await page.close();
});

test('the new user changes the first password and sees only what the role allows', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await login(page, created.username, created.password);
  await page.waitForURL('**/account/password');
  await page.fill('#current', created.password);
  await page.fill('#new', 'Police#2026gz');
  await page.fill('#confirm', 'Police#2026gz');
  await page.click('main button[type=submit]');
  await page.waitForURL('**/account?ok=password-changed');
  created.password = 'Police#2026gz';

  await page.goto(`${server.base}/`);
  const nav = await page.textContent('nav');
  for (const allowed of ['行政区划', '单位', '1+4+6 名册', '节假日']) assert.ok(nav.includes(allowed), allowed);
  for (const denied of ['用户', '审计日志', '导入', '权限矩阵']) assert.ok(!nav.includes(denied), denied);
  await shot(page, '03-partner-home');

  const res = await page.goto(`${server.base}/admin/users`);
  assert.equal(res.status(), 403);
  assert.match(await page.textContent('main'), /没有权限/);
  const audit = await page.goto(`${server.base}/admin/audit`);
  assert.equal(audit.status(), 403);
  await shot(page, '04-forbidden');
  await ctx.close();
});

test('five wrong passwords lock the account and say until when', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  for (let i = 1; i <= 5; i++) {
    await login(page, created.username, `Wrong#${i}xyz`);
    const msg = await page.textContent('#login-error');
    if (i < 5) assert.match(msg, /用户名或密码错误/);
    else assert.match(msg, /账户已被锁定，请于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 后再试/);
  }
  assert.equal(await page.inputValue('#username'), created.username, 'the user name is kept');
  await login(page, created.username, created.password);
  assert.match(await page.textContent('#login-error'), /账户已被锁定/);
  await shot(page, '05-locked');
  await ctx.close();
});
