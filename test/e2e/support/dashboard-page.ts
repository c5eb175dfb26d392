import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { AxeResults, RunOptions } from 'axe-core';
import type { Page } from 'playwright-core';
import { repoRoot } from '@lib/runtime';

/** Screenshots of the dashboard's pages, kept as test output (gitignored). */
export const SCREENSHOTS = path.join(repoRoot, 'test-output', 'dashboard');

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * axe-core's WCAG checks of the page as shown. Evaluated through the DevTools protocol, so the
 * page's own Content-Security-Policy (script-src 'self') stays in force for everything else.
 */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: RunOptions) => Promise<AxeResults> } }).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
}

/**
 * Saves a screenshot of the page as `name.png` and returns how many distinct colours it has
 * (quantised to 4 bits a channel): a blank or single-colour page has one or two.
 */
export async function screenshotColours(page: Page, name: string, fullPage = true): Promise<number> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const png = await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
  // Decoded by the browser itself (img-src allows data:), so the test needs no PNG decoder.
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 7) colours.add(((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4));
    return colours.size;
  }, png.toString('base64'));
}
