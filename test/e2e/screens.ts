import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

// Every screen a user sees is saved as a test artefact and checked with axe-core, in light
// and dark mode: no serious or critical violation may remain.

export const SHOTS = 'test-results/screenshots';
const AXE = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * The screen in both colour schemes, `<name>.png` (light) and `<name>-dark.png`: the body
 * only, so a popup opened in a tab is shown at its own width (scripts/readme-screens.mjs
 * puts some of them in the README).
 */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.locator('body').screenshot({ path: `${SHOTS}/${name}${colorScheme === 'dark' ? '-dark' : ''}.png`, animations: 'disabled' });
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** axe-core in the page (through the debugger, which the page's CSP does not govern), both colour schemes. */
export async function checkAccessibility(page: Page, name: string): Promise<void> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
    const violations = (await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
      return (await axe.run(document, { resultTypes: ['violations'] })).violations;
    })) as AxeViolation[];
    for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
      found.push(`${name} (${colorScheme}): ${v.id} (${v.impact}) ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target)).slice(0, 300)}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  expect(found).toEqual([]);
}

/** A screen: its screenshot, then its accessibility check. */
export async function screen(page: Page, name: string): Promise<void> {
  await shot(page, name);
  await checkAccessibility(page, name);
}
