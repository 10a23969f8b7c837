// Helpers for the browser tests: a real gongzhi server on a fresh SQLite file, Debian's chromium
// through playwright-core, TOTP codes, and screenshots under e2e/screenshots/.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const ROOT = path.resolve(__dirname, '..');
const BIN = process.env.GONGZHI_BIN
  || path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'debug', 'gongzhi');
const SHOTS = path.join(__dirname, 'screenshots');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

/** Runs a gongzhi subcommand against the test database and returns its output. */
function gongzhi(env, args, input) {
  const r = spawnSync(BIN, args, { env: { ...process.env, ...env }, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gongzhi ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Starts a server with its own data directory; resolves when /readyz answers 200. */
async function startServer(extra = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gongzhi-e2e-'));
  const port = await freePort();
  const env = {
    GONGZHI__DATABASE__URL: `sqlite://${dir}/gongzhi.db`,
    GONGZHI__HTTP__BIND: `127.0.0.1:${port}`,
    RUST_LOG: 'warn',
    ...extra,
  };
  const proc = spawn(BIN, ['serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(`${base}/readyz`)).status === 200) break; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { base, env, dir, stop: () => proc.kill('SIGTERM') };
}

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // Chinese for the browser's own controls (file inputs, date pickers), as the users see them.
    args: ['--lang=zh-CN', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // Headless chromium takes its UI language from the environment, not from --lang alone.
    env: { ...process.env, LANGUAGE: 'zh_CN', LANG: 'zh_CN.UTF-8' },
  });
}

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let value = 0; const out = [];
  for (const ch of s.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

/** RFC 6238 code, as an authenticator app would show it. */
function totp(secret, at = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 1000000).padStart(6, '0');
}

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

const DEMO_PASSWORD = 'Demo@2026gz';

/**
 * axe-core's WCAG 2.1 A/AA checks on the page as it is; returns the serious and critical
 * violations as `rule: target` lines (empty when there are none).
 */
async function axe(page) {
  // Evaluated through the DevTools protocol, which the page's CSP (script-src 'self') allows.
  await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found;
}

/**
 * The answer of a portal captcha, read from its token with the field key the test server was
 * started with (SM4-GCM: the counter mode from the nonce's second block; the tag is not checked).
 */
function captchaAnswer(token, fieldKeyHex) {
  const stored = Buffer.from(token, 'base64url').toString('utf8');
  const blob = Buffer.from(stored.split(':')[1], 'base64');
  const nonce = blob.subarray(0, 12);
  const ct = blob.subarray(12, blob.length - 16);
  const iv = Buffer.concat([nonce, Buffer.from([0, 0, 0, 2])]);
  const d = crypto.createDecipheriv('sm4-ctr', Buffer.from(fieldKeyHex, 'hex'), iv);
  return Buffer.concat([d.update(ct), d.final()]).toString('utf8').split('|')[1];
}

/** A demo user signed in, in a context of its own; confirmation dialogs are accepted. */
async function login(browser, base, username, viewport = { width: 1366, height: 900 }) {
  // The users' clock: China Standard Time, whatever the machine's zone.
  const ctx = await browser.newContext({ viewport, timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });
  const page = await ctx.newPage();
  page.on('dialog', (d) => d.accept());
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await page.click('main button[type=submit]');
  await page.waitForURL(`${base}/`);
  return page;
}

/**
 * A test file's server with the demo accounts (and `cases` demo cases, none unless asked) and its
 * browser, started before the tests and stopped after them: `suite.server`, `suite.browser`,
 * `suite.login(username)`.
 */
function demoSuite({ before, after, env = {}, cases = 0 }) {
  const suite = {
    server: null,
    browser: null,
    login: (username, viewport) => login(suite.browser, suite.server.base, username, viewport),
  };
  before(async () => {
    suite.server = await startServer(env);
    gongzhi({ ...suite.server.env, GONGZHI__CASES__DEMO_CASES: String(cases) }, ['seed-demo']);
    suite.browser = await launch();
  });
  after(async () => {
    await suite.browser?.close();
    suite.server?.stop();
  });
  return suite;
}

module.exports = { gongzhi, startServer, launch, login, demoSuite, totp, shot, axe, captchaAnswer, SHOTS, DEMO_PASSWORD };
