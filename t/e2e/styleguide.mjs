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

import { VIEWPORTS, launch, auditPage } from './lib.mjs';

const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || '.');
const URL_PATH = '/_styleguide';

async function main() {
	await mkdir(SCREENSHOT_DIR, { recursive: true });
	const browser = await launch();
	const runs = [];
	try {
		for (const js of [true, false]) {
			for (const viewport of VIEWPORTS) {
				runs.push(await auditPage(browser, `${BASE_URL}${URL_PATH}`, {
					viewport, js, screenshotDir: SCREENSHOT_DIR, name: 'styleguide',
				}));
			}
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
		// with JavaScript on, the CSP refused axe's inline <script>: the policy is enforced
		cspBlocksInlineScript: runs.filter((r) => r.js).every((r) => r.cspBlockedInlineScript),
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
			cspBlockedInlineScript: r.cspBlockedInlineScript,
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
