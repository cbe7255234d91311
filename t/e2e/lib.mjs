// Shared helpers for the browser tests: launch Debian's Chromium through playwright-core,
// open pages with or without JavaScript, run axe-core and collect findings as plain data.
// The scripts print one JSON object each; the Perl tests in t/integration assert on it.

import { readFile } from 'node:fs/promises';
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

// A fresh context (no shared cookies or cache) and page. Console errors, page errors and
// failed requests are collected on page.kairos for the caller to report.
export async function openPage(browser, { width, height, js }) {
	const context = await browser.newContext({
		viewport: { width, height },
		javaScriptEnabled: js,
		reducedMotion: 'reduce',
	});
	const page = await context.newPage();
	page.kairos = { consoleErrors: [], pageErrors: [], failedRequests: [] };
	page.on('console', (m) => {
		if (m.type() === 'error') page.kairos.consoleErrors.push(m.text());
	});
	page.on('pageerror', (e) => page.kairos.pageErrors.push(String(e)));
	page.on('requestfailed', (r) => {
		page.kairos.failedRequests.push(`${r.url()} ${r.failure()?.errorText ?? ''}`.trim());
	});
	page.on('response', (r) => {
		if (r.status() >= 400) page.kairos.failedRequests.push(`${r.url()} ${r.status()}`);
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
export async function runAxe(page, tags = AXE_TAGS) {
	const results = await page.evaluate(async (runOnly) => {
		const r = await window.axe.run(document, {
			runOnly: { type: 'tag', values: runOnly },
			resultTypes: ['violations'],
		});
		return r.violations.map((v) => ({
			id: v.id,
			impact: v.impact,
			help: v.help,
			nodes: v.nodes.map((n) => n.target.map(String).join(' ')),
		}));
	}, tags);
	return results;
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
