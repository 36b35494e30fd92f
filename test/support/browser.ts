import { AxeBuilder } from '@axe-core/playwright';
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { missingDependency } from './missing-dependency.js';

/** Debian's Chromium (scripts/install-test-deps.sh). Playwright's own browser download needs the internet. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** WCAG 2.2 AA, as axe-core tags it. */
export const WCAG_22_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] as const;

/** True when Chromium is installed; in CI a missing one throws (see missing-dependency.ts). */
export function browserAvailable(): boolean {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return true;
  } catch {
    return missingDependency(`${CHROMIUM_PATH} (Debian package chromium)`);
  }
}

/**
 * Headless Chromium. The closed network refuses Chromium's own background connections (GPU probing, QUIC,
 * sync), so they are turned off; Playwright adds --no-sandbox when running as root.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--disable-gpu', '--disable-quic', '--disable-sync'],
  });
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);
const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/** Whether a URL the page asked for stays on this machine (data: and blob: URLs never reach the network). */
export function isLoopbackUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'data:' || parsed.protocol === 'blob:' || parsed.protocol === 'about:') return true;
  return LOOPBACK_HOSTS.has(parsed.hostname) || IPV4_LOOPBACK.test(parsed.hostname);
}

export interface GuardedContext {
  readonly context: BrowserContext;
  /** Every request the guard refused, in order. */
  readonly outsideRequests: readonly string[];
  /** Uncaught script errors and CSP refusals on any page of the context. */
  readonly pageErrors: readonly string[];
  /** Throws, naming them, when any request left loopback; call it after each test. */
  assertStayedOnLoopback(): void;
  /** Throws, naming them, when a page had a script error or the CSP refused something; call it after each test. */
  assertNoPageErrors(): void;
  close(): Promise<void>;
}

const CSP_REFUSAL = /Content Security Policy|Refused to/;

/**
 * A browser context whose every request to a non-loopback host is refused and recorded, to fail the test,
 * and whose pages' script errors and CSP refusals are recorded too.
 */
export async function newGuardedContext(browser: Browser, options: BrowserContextOptions = {}): Promise<GuardedContext> {
  const context = await browser.newContext(options);
  const outsideRequests: string[] = [];
  const pageErrors: string[] = [];
  context.on('page', (page) => {
    page.on('pageerror', (error) => pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && CSP_REFUSAL.test(message.text())) pageErrors.push(`${page.url()}: ${message.text()}`);
    });
  });
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (isLoopbackUrl(url)) {
      await route.continue();
      return;
    }
    outsideRequests.push(url);
    await route.abort('blockedbyclient');
  });
  return {
    context,
    outsideRequests,
    pageErrors,
    assertStayedOnLoopback: () => {
      if (outsideRequests.length > 0) throw new Error(`requests left loopback:\n${outsideRequests.join('\n')}`);
    },
    assertNoPageErrors: () => {
      if (pageErrors.length > 0) throw new Error(`errors in the page:\n${pageErrors.join('\n')}`);
    },
    close: () => context.close(),
  };
}

/** Fails with each violation's rule, help text and elements when axe-core finds any at WCAG 2.2 AA. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  // Until the load event the stylesheet may still be on its way, and contrast would be judged without it.
  await page.waitForLoadState('load');
  const results = await new AxeBuilder({ page }).withTags([...WCAG_22_AA_TAGS]).analyze();
  const violations = results.violations.map((violation) => ({
    page: page.url(),
    rule: violation.id,
    impact: violation.impact,
    help: violation.help,
    elements: violation.nodes.map((node) => `${node.target.join(' ')}: ${node.failureSummary ?? ''}`),
  }));
  expect(violations).toEqual([]);
}

/** How far the page scrolls sideways; 0 when it fits the viewport's width. */
export async function horizontalOverflow(page: Page): Promise<number> {
  await page.waitForLoadState('load');
  return (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
}
