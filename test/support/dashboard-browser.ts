import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

export const ARTIFACTS_DIR = join(__dirname, '..', '..', 'test-artifacts', 'dashboard');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface DashboardBrowser {
  browser: Browser;
  page: Page;
  /** Page errors, console errors, failed or 4xx/5xx responses, and any request to another origin. */
  problems: string[];
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** Debian's Chromium (never a downloaded browser) on a page that records everything that went wrong. */
export async function openDashboard(
  baseUrl: string,
  viewport = { width: 1280, height: 900 },
): Promise<DashboardBrowser> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const page = await browser.newPage({ viewport });
  const origin = new URL(baseUrl).origin;
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(origin) && !url.startsWith('data:')) problems.push(`external request: ${url}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`${res.status()} ${res.request().method()} ${res.url()}`);
  });
  page.on('requestfailed', (req) => {
    // The live stream is aborted on purpose when the page goes away.
    if (!req.url().endsWith('/api/events/stream')) problems.push(`failed: ${req.url()} ${req.failure()?.errorText}`);
  });
  return {
    browser,
    page,
    problems,
    screenshot: async (name) => {
      const path = join(ARTIFACTS_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: () => browser.close(),
  };
}
