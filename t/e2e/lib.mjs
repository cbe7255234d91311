// Shared helpers for the browser tests: launch Debian's Chromium through playwright-core,
// open pages with or without JavaScript, run axe-core and collect findings as plain data.
// The scripts print one JSON object each; the Perl tests in t/integration assert on it.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

// The test machines have no internet: without these flags Chromium stalls on blocked
// connections (component updates, sync, QUIC probes).
export const CHROMIUM_ARGS = [
	'--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const VIEWPORTS = [
	{ name: '360', width: 360, height: 800 },
	{ name: '1280', width: 1280, height: 900 },
];

// WCAG 2.0, 2.1 and 2.2, levels A and AA.
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

export const AXE_PATH = require.resolve('axe-core/axe.min.js');

export async function launch() {
	return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

// A fresh context (no shared cookies or cache) and page, optionally with its own
// User-Agent and time zone (an IANA name: what Intl tells the page's scripts). Console errors, page errors and failed subresource requests are collected on
// page.kairos for the caller to report.
export async function openPage(browser, { width, height, js, userAgent, timezoneId }) {
	const context = await browser.newContext({
		viewport: { width, height },
		javaScriptEnabled: js,
		reducedMotion: 'reduce',
		...(userAgent ? { userAgent } : {}),
		...(timezoneId ? { timezoneId } : {}),
	});
	const page = await context.newPage();
	page.kairos = { consoleErrors: [], pageErrors: [], failedRequests: [] };
	page.on('console', (m) => {
		// Chromium logs a document's own 4xx as "Failed to load resource" against its URL
		if (m.type() !== 'error' || (/^Failed to load resource/.test(m.text()) &&
			m.location().url === page.url())) return;
		page.kairos.consoleErrors.push(m.text());
	});
	page.on('pageerror', (e) => page.kairos.pageErrors.push(String(e)));
	page.on('requestfailed', (r) => {
		page.kairos.failedRequests.push(`${r.url()} ${r.failure()?.errorText ?? ''}`.trim());
	});
	// a page's own 4xx (a form shown again with its errors: 401, 422) is its answer, not a
	// failed subresource
	page.on('response', (r) => {
		if (r.status() >= 400 && !r.request().isNavigationRequest()) {
			page.kairos.failedRequests.push(`${r.url()} ${r.status()}`);
		}
	});
	return { context, page };
}

// Loads axe into the page. A <script> tag with axe's source is what addScriptTag makes,
// and our CSP (script-src 'self') refuses inline scripts, as does a context without
// JavaScript; page.evaluate runs through the DevTools protocol, which neither blocks.
// Returns how axe got in: "addScriptTag" or "evaluate".
export async function injectAxe(page) {
	const loaded = () => page.evaluate(() => typeof window.axe === 'object' &&
		typeof window.axe.run === 'function').catch(() => false);

	if (await loaded()) return 'present';
	try {
		await page.addScriptTag({ path: AXE_PATH });
	} catch {
		// refused: fall through to evaluate
	}
	if (await loaded()) return 'addScriptTag';
	const source = await readFile(AXE_PATH, 'utf8');
	await page.evaluate(source);
	if (await loaded()) return 'evaluate';
	throw new Error('axe-core could not be loaded into the page');
}

// Runs axe over the document with the WCAG A/AA rules. Returns the violations as
// {id, impact, help, nodes: [selector...]}.
//
// axe.run waits on timers, and in a context with JavaScript disabled no timer or animation
// frame ever fires (page.evaluate itself still runs, and so do promise callbacks). For such
// a page (js: false) the run gets stand-ins for setTimeout and requestAnimationFrame that
// call back as promise jobs, for the length of the run only; long timers (axe's watchdogs,
// e.g. for frames, which these pages do not have) never fire. axe's preload of the CSSOM
// (network callbacks, which never come either) is off in that mode. Nothing of the page's own runs:
// its scripts were skipped as it loaded, so axe sees the DOM a browser without JavaScript
// built.
export async function runAxe(page, { tags = AXE_TAGS, js = true, timeoutMs = 60000 } = {}) {
	const run = page.evaluate(async ({ runOnly, shim }) => {
		const saved = {};
		if (shim) {
			const names = ['setTimeout', 'clearTimeout', 'requestAnimationFrame',
				'cancelAnimationFrame'];
			for (const n of names) saved[n] = window[n];
			const cancelled = new Set();
			let next = 1;
			window.setTimeout = (fn, ms = 0, ...args) => {
				const id = next++;
				// a promise callback, not queueMicrotask(): Blink drops the latter's
				// callbacks where scripts are disabled, V8's promise jobs still run
				if (ms <= 1000) {
					Promise.resolve().then(() => {
						if (!cancelled.has(id) && typeof fn === 'function') fn(...args);
					});
				}
				return id;
			};
			window.clearTimeout = (id) => cancelled.add(id);
			window.requestAnimationFrame = (fn) => window.setTimeout(() => fn(performance.now()));
			window.cancelAnimationFrame = window.clearTimeout;
		}
		try {
			const r = await window.axe.run(document, {
				runOnly: { type: 'tag', values: runOnly },
				resultTypes: ['violations'],
				preload: !shim,
			});
			return r.violations.map((v) => ({
				id: v.id,
				impact: v.impact,
				help: v.help,
				nodes: v.nodes.map((n) => n.target.map(String).join(' ')),
			}));
		} finally {
			Object.assign(window, saved);
		}
	}, { runOnly: tags, shim: !js });
	let timer;
	const timeout = new Promise((_, reject) => {
		timer = setTimeout(() => reject(new Error(`axe did not finish in ${timeoutMs} ms`)),
			timeoutMs);
	});
	try {
		return await Promise.race([run, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

// Horizontal overflow of the page: the document wider than the viewport, and which
// elements stick out past its right edge (deepest first, at most 10).
export async function horizontalOverflow(page) {
	return page.evaluate(() => {
		const doc = document.documentElement;
		const vw = window.innerWidth;
		const out = [];
		if (doc.scrollWidth > vw) {
			for (const el of document.body.querySelectorAll('*')) {
				const r = el.getBoundingClientRect();
				if (r.width > 0 && r.right > vw + 0.5 && !el.closest('.visually-hidden')) {
					const id = el.id ? `#${el.id}` : '';
					const cls = typeof el.className === 'string' && el.className ?
						`.${el.className.trim().split(/\s+/).join('.')}` : '';
					out.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(r.right)}`);
				}
			}
		}
		return { scrollWidth: doc.scrollWidth, innerWidth: vw, elements: out.reverse().slice(0, 10) };
	});
}

// The skip link: the first Tab from the top of the page lands on it, it points at #main,
// and following it puts focus in <main> (on <main> itself, or so that the next Tab lands
// inside it).
export async function checkSkipLink(page) {
	const describe = () => page.evaluate(() => {
		const a = document.activeElement;
		return {
			tag: a ? a.tagName.toLowerCase() : null,
			id: a && a.id ? a.id : null,
			className: a && typeof a.className === 'string' ? a.className : '',
			href: a && a.getAttribute ? a.getAttribute('href') : null,
			text: a ? (a.textContent || '').trim().slice(0, 60) : null,
			inMain: !!(a && a.closest && a.closest('main')),
		};
	});
	await page.evaluate(() => {
		if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
		window.scrollTo(0, 0);
	});
	// Start from the document, as after a fresh load: focus the body, then Tab.
	await page.locator('body').evaluate((b) => {
		b.setAttribute('tabindex', '-1');
		b.focus();
		b.removeAttribute('tabindex');
	});
	await page.keyboard.press('Tab');
	const first = await describe();
	const isSkipLink = first.tag === 'a' && /(^|\s)skip-link(\s|$)/.test(first.className);
	let afterEnter = null;
	let nextTab = null;
	if (isSkipLink) {
		await page.keyboard.press('Enter');
		await page.waitForTimeout(100);
		afterEnter = await describe();
		await page.keyboard.press('Tab');
		nextTab = await describe();
	}
	return {
		first,
		firstIsSkipLink: isSkipLink,
		targetsMain: first.href === '#main',
		afterEnter,
		nextTab,
		focusMovesToMain: !!(afterEnter && (afterEnter.id === 'main' || afterEnter.inMain) &&
			nextTab && nextTab.inMain),
	};
}

// One page, one viewport, one JavaScript mode: loads url in a fresh context and returns
// everything the page tests assert on (violations, overflow, skip link, console). With
// screenshotDir it saves a full-page screenshot named `${name}-${viewport}-${js|nojs}.png`.
// The order matters: the screenshot and the on-load state come first, before the skip-link
// check moves focus; console errors are counted before axe is injected, because the CSP
// (rightly) refuses axe's inline <script> and says so on the console.
export async function auditPage(browser, url, { viewport, js, screenshotDir = null, name = 'page' }) {
	const { context, page } = await openPage(browser, { width: viewport.width, height: viewport.height, js });
	try {
		const response = await page.goto(url, { waitUntil: 'load', timeout: 30000 });
		const headers = response ? await response.allHeaders() : {};
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
		let screenshot = null;
		if (screenshotDir) {
			screenshot = path.join(screenshotDir, `${name}-${viewport.name}-${js ? 'js' : 'nojs'}.png`);
			await page.screenshot({ path: screenshot, fullPage: true });
		}
		const overflow = await horizontalOverflow(page);
		const skipLink = await checkSkipLink(page);
		const consoleErrors = [...page.kairos.consoleErrors];
		const axeVia = await injectAxe(page);
		const cspBlockedInlineScript = page.kairos.consoleErrors.slice(consoleErrors.length)
			.some((m) => /Content Security Policy/i.test(m));
		const violations = await runAxe(page, { js });
		return {
			url,
			viewport: viewport.name,
			js,
			status: response ? response.status() : null,
			csp: headers['content-security-policy'] ?? null,
			screenshot,
			...onLoad,
			overflow,
			skipLink,
			axeVia,
			cspBlockedInlineScript,
			violations,
			consoleErrors,
			pageErrors: page.kairos.pageErrors,
			failedRequests: page.kairos.failedRequests,
		};
	} finally {
		await context.close();
	}
}

// The page as it is now (after a form post, say), at every width: for each viewport, a
// full-page screenshot `${name}-${viewport}-${js|nojs}.png`, the overflow, and axe's
// violations. The viewport is resized in place, so the page is not loaded again (a form
// answer could not be). Console errors the CSP raises against axe's <script> are dropped:
// they are axe's, not the page's (see injectAxe). Leaves the page at the last viewport.
export async function auditHere(page, { js, screenshotDir = null, name = 'page', viewports = VIEWPORTS }) {
	const out = [];
	for (const viewport of viewports) {
		await page.setViewportSize({ width: viewport.width, height: viewport.height });
		// the renderer lays the page out again a little later: a screenshot taken at once can
		// have the old height (a blank band under the footer). Polled from here, as a page
		// without JavaScript runs no timers of its own.
		for (let i = 0; i < 40 && await page.evaluate(() => window.innerWidth) !== viewport.width; i++) {
			await page.waitForTimeout(50);
		}
		await page.waitForTimeout(150);
		let screenshot = null;
		if (screenshotDir) {
			screenshot = path.join(screenshotDir, `${name}-${viewport.name}-${js ? 'js' : 'nojs'}.png`);
			await page.screenshot({ path: screenshot, fullPage: true });
		}
		const overflow = await horizontalOverflow(page);
		const before = page.kairos.consoleErrors.length;
		await injectAxe(page);
		page.kairos.consoleErrors.length = before;
		const violations = await runAxe(page, { js });
		out.push({ name, viewport: viewport.name, js, screenshot, overflow, violations });
	}
	return out;
}

// ---- what the flow scripts (auth.mjs, booking.mjs, catalogue.mjs) share ----

// Clicks selector (a link or a submit button) and waits for the page it leads to; returns
// that page's HTTP status.
export async function submit(page, selector) {
	const [response] = await Promise.all([
		page.waitForNavigation({ waitUntil: 'load', timeout: 30000 }),
		page.click(selector),
	]);
	return response ? response.status() : null;
}

export const text = (page, sel) => page.locator(sel).first().innerText().catch(() => null);
export const pathOf = (page) => { const u = new URL(page.url()); return u.pathname + u.search; };

// Runs a flow script's main() and prints its ONE JSON object, {checks, audits, runs}, with
// exit status 0 when the run itself worked (whatever it found: the Perl test decides), or
// {error, checks} with 1 when it broke.
export function finish(main, { checks, audits, runs }) {
	main().then(() => {
		process.stdout.write(`${JSON.stringify({ checks, audits, runs }, null, 2)}\n`);
		process.exit(0);
	}, (err) => {
		process.stdout.write(`${JSON.stringify({ error: String(err && err.stack || err), checks })}\n`);
		process.exit(1);
	});
}

// An environment variable a script cannot run without.
export function env(k) {
	if (!process.env[k]) throw new Error(`${k} is not set`);
	return process.env[k];
}

// What a flow script collects for finish(): checks [{mode, what, ok, got}] (got only when
// not ok), audits (auditHere's) and runs ({mode, consoleErrors, ...} of each page), and
// check(mode, what, ok, got), which records one and returns ok.
export function findings() {
	const checks = [];
	return {
		checks,
		audits: [],
		runs: [],
		check(mode, what, ok, got) {
			checks.push({ mode, what, ok: !!ok, got: ok ? undefined : got });
			return ok;
		},
	};
}
