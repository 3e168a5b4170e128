import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway/gateway.js';
import { ReconStore } from '../src/ledger/recon-store.js';
import { koreanDate } from '../src/queue/batch-queue.js';
import type { BankSimulator } from '../src/sim/bank-simulator.js';
import { freshPostgres, startGateway, testConfig } from './helpers/gateway.js';
import { eventually } from './helpers/link.js';
import { createOperator, operator, TEST_PASSWORD } from './helpers/operators.js';
import { ROOT } from './helpers/specs.js';

/** Debian's Chromium, driven by playwright-core (never a browser Playwright downloads). */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** Each screen as the browser drew it: kept as test artifacts (and the README's screenshots come from here). */
const SHOTS = join(ROOT, 'test-artifacts', 'console');

const BODY = { bankCode: '088', account: '110123456789', amount: '15000', memo: '급여', recipientName: '홍길동' };

/**
 * The operators' console in a real browser against the real gateway (PostgreSQL, Redis, the bank
 * simulator): what an operator does on a bad night, end to end, and what a viewer may not do.
 */
describe('the operators\' console in Chromium', () => {
  let gw: Gateway;
  let sim: BankSimulator;
  let base: string;
  let drop: () => Promise<void>;
  let browser: Browser;
  let serviceKey: string;
  let doneId: string;
  let doneRequest: string;
  let unknownId: string;
  let breakId: number;

  const transfer = async (requestId: string, wait = 5) => {
    const res = await fetch(`${base}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceKey}`, 'content-type': 'application/json', prefer: `wait=${wait}` },
      body: JSON.stringify({ requestId, ...BODY }),
    });
    return { status: res.status, body: (await res.json()) as { id: string; state: string } };
  };

  /** A fresh browser session (its own cookies) logged in as `name`. */
  async function loggedIn(name: string, password = TEST_PASSWORD): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ko-KR' });
    const page = await context.newPage();
    await page.goto(`${base}/admin/login`);
    await page.getByTestId('login-name').fill(name);
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

  /** The one element with this test id that is showing (closed dialogs stay in the page, hidden). */
  const shown = (page: Page, testId: string) => page.locator(`[data-testid="${testId}"]:visible`);

  /** Types a reason into the open reason dialog, sends it, and waits for the dialog to close. */
  async function giveReason(page: Page, reason: string): Promise<void> {
    // Typed until the dialog takes it: on a busy machine the text can land while the opening dialog
    // still mounts its field, and the send button then stays disabled (seen once in CI).
    await expect
      .poll(async () => {
        await shown(page, 'reason-input').fill(reason);
        return shown(page, 'reason-submit').isEnabled();
      }, { timeout: 15_000 })
      .toBe(true);
    await shown(page, 'reason-submit').click();
    await expect.poll(() => shown(page, 'reason-modal').count(), { timeout: 10_000 }).toBe(0);
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does)`);
    // npm ci builds the console (prepare → build); a checkout that only ran tsc builds it here.
    if (!existsSync(join(ROOT, 'admin/dist/index.html'))) execFileSync('npm', ['run', 'build:admin'], { cwd: ROOT, stdio: 'inherit' });
    mkdirSync(SHOTS, { recursive: true });
    const db = await freshPostgres();
    drop = db.drop;
    gw = await startGateway({ ...testConfig(db.url), switchPollMs: 300 });
    sim = gw.institutions.get('hecto')!.simulator!;
    base = `http://127.0.0.1:${gw.apiPort}`;
    serviceKey = await gw.apiKeys.create('payroll', new Decimal('100000000'));
    for (const [name, role, unmask] of [['root', 'admin', true], ['alice', 'operator', false], ['bob', 'operator', false], ['vera', 'viewer', false]] as const) {
      await operator(gw.ds, base, name, role, unmask);
    }
    // A transfer that went through, one whose outcome stays unknown, and a break from last night.
    doneRequest = `payroll-${Date.now()}`;
    doneId = (await transfer(doneRequest)).body.id;
    sim.faults.arm('no-answer', { message: 'transfer.request' });
    sim.faults.arm('no-answer', { message: 'resultInquiry.request', count: 5 });
    unknownId = (await transfer(`stuck-${Date.now()}`, 0)).body.id;
    await eventually(async () => (await gw.ledger.get(unknownId))!.needsOperator, 20_000);
    const recon = new ReconStore(gw.ds);
    const day = koreanDate(Date.now() - 86_400_000);
    const run = await recon.startRun('hecto', day, null, new Date());
    await recon.keepBreaks(run, 'hecto', day, [{ category: 'bank-only', subject: 'seq:000777', transferId: null, service: null, ours: null, bank: '15000 won to ********6789', detail: 'the bank booked a transfer we have no record of' }], new Date());
    await recon.finishRun(run, 'breaks', { ledgerTransfers: 0, bankRecords: 1, matched: 0, breaks: 1, breaksByCategory: { 'bank-only': 1 } }, new Date());
    breakId = (await recon.breaks({ status: 'open' }))[0]!.id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
    await drop?.();
  });

  it('a first login with a one-time password must change it, then lands on the dashboard', async () => {
    const otp = await createOperator(gw.ds, 'newbie', 'viewer');
    const page = await loggedIn('newbie', otp);
    await page.getByTestId('pw-current').fill(otp);
    await page.getByTestId('pw-next').fill('a new and long password');
    await shot(page, '01-password-change');
    await page.getByTestId('pw-submit').click();
    await page.getByTestId('nav-dashboard').waitFor();
    await page.context().close();
  });

  it('dashboard, then a transfer found by its request id: its telegrams as hex beside the decoded, masked fields', async () => {
    const page = await loggedIn('root');
    await page.getByTestId('nav-dashboard').waitFor();
    await page.getByText('hecto').first().waitFor();
    await shot(page, '02-dashboard');

    await page.getByTestId('nav-transfers').click();
    await page.getByTestId('filter-requestId').fill(doneRequest);
    await page.getByTestId('filter-submit').click();
    const row = page.locator(`[data-testid="transfer-row"][data-id="${doneId}"]`);
    await expect.poll(() => page.getByTestId('transfer-row').count()).toBe(1);
    await row.waitFor();
    await shot(page, '03-transfers');
    await row.click();

    const telegram = page.getByTestId('telegram').first();
    await telegram.waitFor();
    expect(await page.getByTestId('telegram').count()).toBeGreaterThanOrEqual(2);
    // Masked: the account is not on the page.
    expect(await page.content()).not.toContain('110123456789');
    // The field under the cursor lights up in both views.
    const field = telegram.getByTestId('telegram-field').nth(3);
    await field.hover();
    await expect.poll(async () => (await field.getAttribute('class')) ?? '').toContain('is-hot');
    expect(await telegram.locator('[data-testid="hex-byte"].is-hot').count()).toBeGreaterThan(0);
    // And the other way: a byte lights up its field.
    const byte = telegram.locator('[data-testid="hex-byte"][data-offset="0"]');
    await byte.hover();
    expect(await telegram.locator('[data-testid="telegram-field"].is-hot').count()).toBe(1);
    await shot(page, '04-transfer-telegrams');

    // Unmasking: root may, and it is audited.
    await page.getByTestId('unmask-toggle').click();
    await expect.poll(async () => await page.content()).toContain('110123456789');
    await page.context().close();
  }, 60_000);

  it('an unknown outcome is settled with four eyes: alice proposes, she cannot confirm, bob confirms', async () => {
    const alice = await loggedIn('alice');
    await alice.getByTestId('nav-unknowns').click();
    const row = alice.locator(`[data-testid="unknown-row"][data-id="${unknownId}"]`);
    await row.waitFor();
    await shot(alice, '05-unknowns');
    await row.getByTestId('propose-settle').click();
    await shown(alice, 'settle-outcome-succeeded').click();
    await shown(alice, 'settle-evidence').fill('the bank confirmed by phone, call ref 4411');
    await giveReason(alice, 'bank says applied');
    // The proposer is told a second operator must confirm; trying anyway is refused by the API.
    await row.getByTestId('four-eyes-note').waitFor();
    await row.getByTestId('confirm-settle').click();
    await shown(alice, 'reason-input').fill('my own');
    await shown(alice, 'reason-submit').click();
    await shown(alice, 'error-banner').waitFor();
    expect((await gw.ledger.get(unknownId))!.state).toBe('unknown');
    await alice.context().close();

    const bob = await loggedIn('bob');
    await bob.getByTestId('nav-unknowns').click();
    const his = bob.locator(`[data-testid="unknown-row"][data-id="${unknownId}"]`);
    await his.getByTestId('confirm-settle').click();
    await giveReason(bob, 'checked the statement');
    await eventually(async () => (await gw.ledger.get(unknownId))!.state === 'succeeded', 10_000);
    await bob.context().close();
  }, 60_000);

  it('a break is resolved with a reason', async () => {
    const page = await loggedIn('alice');
    await page.getByTestId('nav-reconciliation').click();
    const row = page.locator(`[data-testid="break-row"][data-id="${breakId}"]`);
    await row.waitFor();
    await shot(page, '06-reconciliation');
    await row.getByTestId('resolve-break').click();
    await giveReason(page, 'booked by the bank by mistake, reversed on their side (ticket 88)');
    await eventually(async () => (await new ReconStore(gw.ds).breaks({ status: 'resolved' })).some((b) => b.id === breakId && b.resolvedBy === 'alice'), 10_000);
    await page.context().close();
  }, 60_000);

  it('a switch flipped in the console is obeyed by the gateway', async () => {
    const page = await loggedIn('root');
    await page.getByTestId('nav-switches').click();
    await page.getByTestId('switch-scope').fill('hecto');
    await page.getByTestId('switch-flow').fill('transfers');
    await page.getByTestId('switch-set-off').first().click();
    await giveReason(page, 'bank maintenance 02:00-02:30');
    await eventually(() => gw.switches.state('hecto', 'transfers').state === 'off', 5_000);
    expect((await transfer(`during-off-${Date.now()}`, 0)).status).toBe(503);
    const row = page.locator('[data-testid="switch-row"][data-name="hecto/transfers"]');
    await row.waitFor();
    await shot(page, '07-switches');
    await row.getByTestId('switch-set-on').click();
    await giveReason(page, 'maintenance over');
    await eventually(() => gw.switches.state('hecto', 'transfers').state === 'on', 5_000);
    expect((await transfer(`after-on-${Date.now()}`)).body.state).toBe('succeeded');
    await page.context().close();
  }, 60_000);

  it('each of those actions is in the audit log, under the operator who did it', async () => {
    const page = await loggedIn('root');
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-row').first().waitFor();
    await shot(page, '08-audit');
    const actions = await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
    for (const action of ['settlement.propose', 'settlement.confirm', 'break.resolve', 'switch.set', 'unmask.view', 'login']) expect(actions).toContain(action);
    await page.context().close();
  }, 60_000);

  it('the other screens render, in Korean and in English', async () => {
    const page = await loggedIn('root');
    for (const screen of ['notices', 'consents', 'one-won', 'webhooks', 'api-keys', 'operators']) {
      await page.getByTestId(`nav-${screen}`).click();
      await page.waitForLoadState('networkidle');
      expect(await page.getByTestId('error-banner').count(), screen).toBe(0);
      await shot(page, `09-${screen}`);
    }
    const korean = await page.locator('body').innerText();
    await page.getByTestId('lang-toggle').click();
    await expect.poll(async () => await page.locator('body').innerText()).not.toBe(korean);
    expect(/[가-힣]/.test(korean)).toBe(true);
    await page.context().close();
  }, 60_000);

  it('a viewer sees but may not act: no admin screens, and the API refuses what the page would not offer', async () => {
    const page = await loggedIn('vera');
    await page.getByTestId('nav-dashboard').waitFor();
    expect(await page.getByTestId('nav-operators').count()).toBe(0);
    await page.goto(`${base}/admin/operators`);
    await page.getByTestId('forbidden').waitFor();
    await shot(page, '10-viewer-forbidden');
    await page.goto(`${base}/admin/unknowns`);
    await page.waitForLoadState('networkidle');
    expect(await page.getByTestId('propose-settle').count()).toBe(0);
    await page.context().close();
  }, 60_000);
});
