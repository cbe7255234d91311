// The footer's pages in Chromium (issue 13, item 9): /contact, /privacy and /accessibility
// loaded at 360 and 1280 px, with and without JavaScript, each audited (axe-core, overflow,
// skip link, console); then, signed in as the admin STAFF_EMAIL / STAFF_PASSWORD, the edit
// form of /contact: blank text sent (the form again, its error summary), then new text saved,
// and /contact shows it. Every page is audited where it stands and screenshotted as
// site-{page}-{360|1280}-{js|nojs}.png in SCREENSHOT_DIR.
//
// Prints ONE JSON object: {runs: [{name, viewport, js, status, h1, violations, overflow,
// skipLink, consoleErrors, pageErrors, failedRequests}], audits: [auditHere's],
// checks: [{mode, what, ok, got}]}; t/integration/e2e-site-pages.t decides what passes. On a
// harness failure it prints {"error": "..."} and exits 1.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { VIEWPORTS, launch, openPage, auditPage, auditHere } from './lib.mjs';

const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || '.');
const PAGES = ['contact', 'privacy', 'accessibility'];

const runs = [];
const audits = [];
const checks = [];
const check = (mode, what, ok, got) => checks.push({ mode, what, ok: !!ok, got: ok ? undefined : got });
const pathOf = (page) => { const u = new URL(page.url()); return u.pathname + u.search; };

async function submit(page, selector) {
	const [response] = await Promise.all([
		page.waitForNavigation({ waitUntil: 'load', timeout: 30000 }),
		page.click(selector),
	]);
	return response ? response.status() : null;
}

async function edit(browser, js) {
	const mode = js ? 'js' : 'nojs';
	const { context, page } = await openPage(browser, { width: 1280, height: 900, js });
	try {
		await page.goto(`${BASE_URL}/staff/signin?next=/admin/pages`);
		await page.fill('#email', process.env.STAFF_EMAIL);
		await page.fill('#password', process.env.STAFF_PASSWORD);
		let status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'signed in, at /admin/pages', status === 200 && pathOf(page) === '/admin/pages', `${status} ${pathOf(page)}`);
		audits.push(...await auditHere(page, { js, screenshotDir: SCREENSHOT_DIR, name: 'site-admin-pages' }));
		status = await submit(page, 'main a[href="/admin/pages/contact"]');
		check(mode, 'the edit form opens', status === 200 && pathOf(page) === '/admin/pages/contact', `${status} ${pathOf(page)}`);
		audits.push(...await auditHere(page, { js, screenshotDir: SCREENSHOT_DIR, name: 'site-admin-edit' }));
		await page.fill('#body', '   ');
		status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'blank text: the form again (422)', status === 422, status);
		const summary = await page.locator('[data-error-summary]').innerText().catch(() => '');
		check(mode, 'with its error summary', /Enter the text of the page/.test(summary), summary);
		audits.push(...await auditHere(page, { js, screenshotDir: SCREENSHOT_DIR, name: 'site-admin-error' }));
		const text = `Call us on (02) 5550 1200 (${mode}).\n\n## Where we are\n\n- Sydney CBD\n- Parramatta`;
		await page.fill('#body', text);
		status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'saved, back at the list', status === 200 && pathOf(page) === '/admin/pages?saved=contact', `${status} ${pathOf(page)}`);
		await page.goto(`${BASE_URL}/contact`);
		const main = await page.locator('main').innerText();
		check(mode, '/contact shows the new text', main.includes(`(02) 5550 1200 (${mode})`) && main.includes('Parramatta'), main);
	} finally {
		// a request cut short because the flow moved on to the next page (the icon of a page
		// left at once) is not a failed one
		runs.push({
			name: `admin-${mode}`, ...page.kairos,
			failedRequests: page.kairos.failedRequests.filter((f) => !/ net::ERR_ABORTED$/.test(f)),
		});
		await context.close();
	}
}

async function main() {
	await mkdir(SCREENSHOT_DIR, { recursive: true });
	const browser = await launch();
	try {
		for (const js of [true, false]) {
			for (const name of PAGES) {
				for (const viewport of VIEWPORTS) {
					const r = await auditPage(browser, `${BASE_URL}/${name}`, {
						viewport, js, screenshotDir: SCREENSHOT_DIR, name: `site-${name}`,
					});
					runs.push({
						name, viewport: r.viewport, js, status: r.status, h1: r.h1,
						violations: r.violations, overflow: r.overflow, skipLink: r.skipLink,
						consoleErrors: r.consoleErrors, pageErrors: r.pageErrors,
						failedRequests: r.failedRequests, screenshot: r.screenshot,
					});
				}
			}
			await edit(browser, js);
		}
	} finally {
		await browser.close();
	}
	process.stdout.write(JSON.stringify({ runs, audits, checks }));
}

main().catch((e) => {
	process.stdout.write(JSON.stringify({ error: String(e && e.stack || e) }));
	process.exit(1);
});
