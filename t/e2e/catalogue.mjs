// The booking catalogue's admin pages (ADMIN-1) in a real browser, with JavaScript and
// without: an admin signs in at /staff/signin, adds a location through its form (an error
// first: a bad time zone, shown by the field and in the summary), then opens each list and
// form, a practitioner's weekly hours and leave among them. Every page is checked with
// axe-core and for overflow at 360 and 1280 px, and saved as a screenshot
// (catalogue-NAME-{360,1280}-{js,nojs}.png).
//
// Prints ONE JSON object on stdout: {checks: [{mode, what, ok, got}], audits: [...]};
// t/integration/e2e-catalogue.t decides what passes. On a harness failure it prints
// {"error": "..."} and exits 1.
//
//   BASE_URL=… STAFF_EMAIL=… STAFF_PASSWORD=… PRACTITIONER=<uuid> node t/e2e/catalogue.mjs

import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { launch, openPage, auditHere, env, submit, text, pathOf } from './lib.mjs';

const BASE_URL = env('BASE_URL').replace(/\/+$/, '');
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || '.');

const checks = [];
const audits = [];

function check(mode, what, ok, got) {
	checks.push({ mode, what, ok: !!ok, got: ok ? undefined : got });
	return ok;
}


async function audit(page, js, name) {
	audits.push(...await auditHere(page, { js, screenshotDir: SCREENSHOT_DIR, name: `catalogue-${name}` }));
}

async function admin(browser, { js }) {
	const mode = js ? 'js' : 'nojs';
	const { context, page } = await openPage(browser, { width: 1280, height: 900, js });
	try {
		await page.goto(`${BASE_URL}/staff/signin?next=/admin/locations`);
		await page.fill('#email', env('STAFF_EMAIL'));
		await page.fill('#password', env('STAFF_PASSWORD'));
		let status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'signed in, at the locations', status === 200 && pathOf(page) === '/admin/locations', `${status} ${pathOf(page)}`);
		await audit(page, js, 'locations');
		await submit(page, 'main a[href="/admin/locations/new"]');
		const name = `Centre ${mode}`;
		await page.fill('#name', name);
		await page.fill('#address_line1', '1 Example St');
		await page.fill('#locality', 'Fitzroy');
		await page.fill('#country', 'AU');
		await page.fill('#timezone', 'Mars/Olympus_Mons');
		status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'a bad time zone: 422', status === 422, status);
		const summary = await text(page, '[data-error-summary]');
		check(mode, 'the summary names the time zone', summary && summary.includes('Time zone must be a time zone'), summary);
		const byField = await text(page, '#timezone-error');
		check(mode, 'and so does the field', byField && byField.includes('Time zone must be a time zone'), byField);
		check(mode, 'the input is kept', await page.inputValue('#name') === name, await page.inputValue('#name'));
		await audit(page, js, 'location-error');
		await page.fill('#timezone', 'Australia/Melbourne');
		status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'saved, back at the list', status === 200 && pathOf(page) === '/admin/locations?saved=1', `${status} ${pathOf(page)}`);
		const list = await text(page, '.session-list');
		check(mode, 'the list shows it', list && list.includes(name), list);
		await submit(page, `main a:has-text("${name}")`);
		check(mode, 'its edit page', /Edit location/.test(await text(page, 'h1')), await text(page, 'h1'));
		await audit(page, js, 'location-edit');
		const pid = env('PRACTITIONER');
		for (const [p, n] of [['/admin/services/new', 'service-new'], ['/admin/practitioners', 'practitioners'],
			[`/admin/practitioners/${pid}`, 'practitioner-edit'], [`/admin/practitioners/${pid}/hours`, 'hours'],
			[`/admin/practitioners/${pid}/hours/new`, 'hours-new'], [`/admin/practitioners/${pid}/leave/new`, 'leave-new'],
			['/admin/prices/new', 'price-new']]) {
			const r = await page.goto(`${BASE_URL}${p}`);
			check(mode, `${p} opens`, r && r.status() === 200, r && r.status());
			await audit(page, js, n);
		}
	} finally {
		await context.close();
	}
}

async function main() {
	await mkdir(SCREENSHOT_DIR, { recursive: true });
	const browser = await launch();
	try {
		await admin(browser, { js: true });
		await admin(browser, { js: false });
	} finally {
		await browser.close();
	}
	process.stdout.write(`${JSON.stringify({ checks, audits }, null, 2)}\n`);
}

main().then(() => process.exit(0), (err) => {
	process.stdout.write(`${JSON.stringify({ error: String(err && err.stack || err), checks })}\n`);
	process.exit(1);
});
