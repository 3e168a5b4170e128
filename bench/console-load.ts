import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { OperatorAuth } from '../src/admin/operator-auth.js';
import { loadConfig } from '../src/config/config.js';
import { Gateway } from '../src/gateway/gateway.js';
import { OperatorStore } from '../src/ledger/operator-store.js';
import { silentLogger } from '../src/log/logger.js';

/** The budget for the console's first load: JavaScript over the wire, gzipped. */
export const INITIAL_JS_BUDGET = 1_000_000;

export interface ConsoleLoad {
  /** JavaScript bytes over the wire (as served: gzip) to show the login page. */
  readonly loginJs: number;
  /** … and then, logged in, the dashboard (everything a first visit loads, login included). */
  readonly dashboardJs: number;
  /** The same, uncompressed. */
  readonly dashboardJsRaw: number;
  readonly files: number;
}

/**
 * What a browser downloads to show the console: the built app served by a real gateway (SQLite, the
 * embedded simulator), loaded in Debian's Chromium, every JavaScript response's bytes as sent counted.
 */
export async function benchConsoleLoad(): Promise<ConsoleLoad> {
  const dir = mkdtempSync(join(tmpdir(), 'firmbank-console-bench-'));
  const gw = await Gateway.start(
    loadConfig({ ...process.env, DATABASE_URL: join(dir, 'bench.sqlite'), FIRMBANK_DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', FIRMBANK_CONFIG: undefined }),
    { logger: silentLogger, processMetrics: false },
  );
  const browser = await chromium.launch({ executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium', args: ['--no-sandbox'], headless: true });
  try {
    const auth = new OperatorAuth(new OperatorStore(gw.ds));
    const { oneTimePassword } = await auth.create('bench', 'viewer', false);
    const base = `http://127.0.0.1:${gw.apiPort}`;
    const page = await browser.newPage();
    let wire = 0;
    let raw = 0;
    let files = 0;
    page.on('response', async (res) => {
      if (!res.url().endsWith('.js')) return;
      files++;
      wire += Number((await res.allHeaders())['content-length'] ?? (await res.body()).length);
      raw += (await res.body()).length;
    });
    await page.goto(`${base}/admin/login`, { waitUntil: 'networkidle' });
    const loginJs = wire;
    await page.getByTestId('login-name').fill('bench');
    await page.getByTestId('login-password').fill(oneTimePassword);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('pw-current').fill(oneTimePassword);
    await page.getByTestId('pw-next').fill('a long benchmark password');
    await page.getByTestId('pw-submit').click();
    await page.getByTestId('nav-dashboard').waitFor();
    await page.waitForLoadState('networkidle');
    return { loginJs, dashboardJs: wire, dashboardJsRaw: raw, files };
  } finally {
    await browser.close();
    await gw.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function consoleLoadTable(r: ConsoleLoad): string {
  const kb = (n: number) => `${(n / 1000).toFixed(0)} kB`;
  return [
    '| the console\'s first load (JavaScript, as served) | gzip | raw |',
    '|---|---:|---:|',
    `| login page | ${kb(r.loginJs)} | |`,
    `| login, then the dashboard (${r.files} files) | ${kb(r.dashboardJs)} | ${kb(r.dashboardJsRaw)} |`,
    `| budget | ${kb(INITIAL_JS_BUDGET)} | |`,
  ].join('\n');
}

/** Exits non-zero when the first load is over budget. */
export function assertConsoleLoad(r: ConsoleLoad): void {
  if (r.dashboardJs > INITIAL_JS_BUDGET) {
    console.error(`the console's first load is ${r.dashboardJs} bytes of gzipped JavaScript, over the budget of ${INITIAL_JS_BUDGET}`);
    process.exitCode = 1;
  }
}
