// The design system in a real browser: opens ${BASE_URL}/_styleguide at 360x800 and
// 1280x900, with JavaScript and without, and for each runs axe-core (WCAG 2.0/2.1/2.2 A and
// AA), saves a full-page screenshot styleguide-{360,1280}-{js,nojs}.png into SCREENSHOT_DIR,
// looks for horizontal overflow at 360 px and checks the skip link.
//
// Prints ONE JSON object on stdout and exits 0 when the run itself worked, whatever it found:
//   {violations: [{viewport, js, id, impact, help, nodes: [selector...]}],
//    overflow: [{viewport, js, scrollWidth, innerWidth, elements: [...]}],
//    checks: {...}}
// t/integration/e2e-styleguide.t decides what passes. On a harness failure (no browser, page
// not reachable) it prints {"error": "..."} and exits 1.
//
//   BASE_URL=http://127.0.0.1:8080 SCREENSHOT_DIR=/tmp/shots node t/e2e/styleguide.mjs

import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import {
	VIEWPORTS, launch, openPage, injectAxe, runAxe, horizontalOverflow, checkSkipLink,
} from './lib.mjs';

const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || '.');
const URL_PATH = '/_styleguide';

async function visit(browser, vp, js) {
	const label = `${vp.name}-${js ? 'js' : 'nojs'}`;
	const { context, page } = await openPage(browser, { width: vp.width, height: vp.height, js });
	try {
		const response = await page.goto(`${BASE_URL}${URL_PATH}`, { waitUntil: 'load', timeout: 30000 });
		const status = response ? response.status() : null;
		const csp = response ? (await response.allHeaders())['content-security-policy'] ?? null : null;

		// What the page looks like as it loads, before the checks move focus around.
		const onLoad = await page.evaluate(() => {
			const a = document.activeElement;
			const summary = document.querySelector('[data-error-summary]');
			return {
				title: document.title,
				lang: document.documentElement.lang,
				h1: document.querySelectorAll('h1').length,
				errorSummaryPresent: !!summary,
				errorSummaryFocused: !!summary && a === summary,
				stylesheetApplied: getComputedStyle(document.body).fontFamily.includes('system-ui'),
				inlineStyles: document.querySelectorAll('[style]').length,
				inlineScripts: [...document.scripts].filter((s) => !s.src).length,
			};
		});

		const file = path.join(SCREENSHOT_DIR, `styleguide-${label}.png`);
		await page.screenshot({ path: file, fullPage: true });

		const overflow = await horizontalOverflow(page);
		const axeVia = await injectAxe(page);
		const violations = await runAxe(page);
		const skipLink = await checkSkipLink(page);

		return {
			label, viewport: vp.name, js, status, csp, screenshot: file, axeVia, violations,
			overflow, skipLink, ...onLoad, ...page.kairos,
		};
	} finally {
		await context.close();
	}
}

async function main() {
	await mkdir(SCREENSHOT_DIR, { recursive: true });
	const browser = await launch();
	const runs = [];
	try {
		for (const js of [true, false]) {
			for (const vp of VIEWPORTS) runs.push(await visit(browser, vp, js));
		}
	} finally {
		await browser.close();
	}

	const violations = [];
	const overflow = [];
	for (const r of runs) {
		for (const v of r.violations) violations.push({ viewport: r.viewport, js: r.js, ...v });
		if (r.overflow.scrollWidth > r.overflow.innerWidth) {
			overflow.push({ viewport: r.viewport, js: r.js, ...r.overflow });
		}
	}
	const all = (f) => runs.every(f);
	const checks = {
		url: `${BASE_URL}${URL_PATH}`,
		status: all((r) => r.status === 200),
		cspHeader: all((r) => r.csp !== null),
		stylesheetApplied: all((r) => r.stylesheetApplied),
		noInlineStyleOrScript: all((r) => r.inlineStyles === 0 && r.inlineScripts === 0),
		noConsoleErrors: all((r) => r.consoleErrors.length === 0 && r.pageErrors.length === 0),
		noFailedRequests: all((r) => r.failedRequests.length === 0),
		skipLinkFirst: all((r) => r.skipLink.firstIsSkipLink && r.skipLink.targetsMain),
		skipLinkMovesFocusToMain: all((r) => r.skipLink.focusMovesToMain),
		errorSummaryFocusedWithJs: runs.filter((r) => r.js).every((r) => r.errorSummaryFocused),
		noOverflowAt360: !overflow.some((o) => o.viewport === '360'),
		axeClean: violations.length === 0,
		screenshots: runs.map((r) => r.screenshot),
		runs: runs.map((r) => ({
			viewport: r.viewport,
			js: r.js,
			status: r.status,
			title: r.title,
			lang: r.lang,
			h1: r.h1,
			axeVia: r.axeVia,
			violations: r.violations.length,
			scrollWidth: r.overflow.scrollWidth,
			innerWidth: r.overflow.innerWidth,
			errorSummaryPresent: r.errorSummaryPresent,
			errorSummaryFocused: r.errorSummaryFocused,
			skipLink: r.skipLink,
			consoleErrors: r.consoleErrors,
			pageErrors: r.pageErrors,
			failedRequests: r.failedRequests,
		})),
	};
	process.stdout.write(`${JSON.stringify({ violations, overflow, checks }, null, 2)}\n`);
}

main().then(() => process.exit(0), (err) => {
	process.stdout.write(`${JSON.stringify({ error: String(err && err.stack || err) })}\n`);
	process.exit(1);
});
