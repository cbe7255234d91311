// Signing in, in a real browser (AUTH-1, 2, 4, 5, 6): the ground t/integration/auth-pages.t
// covers over HTTP, clicked through in Chromium, once with JavaScript and once without.
//
// Per mode, a NEW patient signs up (first with mistakes, then properly), gets a code,
// types a wrong one, then the right one, changes their name, finds this browser under
// "Where you're signed in" and signs out with the header button; then a staff member signs
// in at /staff/signin (a wrong password first) and opens the admin pages. Every page on the
// way is audited at 360 and 1280 px (axe-core, overflow) and saved as
// auth-<page>-{360,1280}-{js,nojs}.png in SCREENSHOT_DIR.
//
// Codes are read the way an operator reads them: `t/lib/stack kairos DIR outbox list --to
// PHONE`, run here with the stack's environment, which the caller exports.
//
// Prints ONE JSON object and exits 0 when the run itself worked, whatever it found:
//   {checks: [{mode, what, ok, got}], audits: [{name, viewport, js, screenshot, overflow,
//    violations}], runs: [{mode, consoleErrors, pageErrors, failedRequests}]}
// t/integration/e2e-auth.t decides what passes. On a harness failure it prints {"error"}.
//
//   BASE_URL=… SCREENSHOT_DIR=… STACK=t/lib/stack STACK_DIR=… STAFF_EMAIL=… STAFF_PASSWORD=…
//   PHONE_JS=+614… PHONE_NOJS=+614… node t/e2e/auth.mjs

import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { launch, openPage, auditHere, submit, finish, env, findings } from './lib.mjs';

const BASE_URL = env('BASE_URL').replace(/\/+$/, '');
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || '.');

const { checks, audits, runs, check } = findings();

// The newest code sent to phone that is not `after`; waits for the job runner to send it.
async function latestCode(phone, after) {
	const deadline = Date.now() + 15000;
	while (Date.now() < deadline) {
		const out = execFileSync(env('STACK'), ['kairos', env('STACK_DIR'), 'outbox', 'list',
			'--to', phone, '--limit', '1'], { encoding: 'utf8' });
		const m = out.match(/^\s+(\d{6}) is your/m);
		if (m && m[1] !== after) return m[1];
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`no code reached the outbox for ${phone}`);
}

const text = (page, sel) => page.locator(sel).first().innerText().catch(() => null);
const pathOf = (page) => { const u = new URL(page.url()); return u.pathname + u.search; };
const focused = (page) => page.evaluate(() => {
	const a = document.activeElement;
	return a ? (a.id || a.getAttribute('data-error-summary') !== null && 'error-summary' ||
		a.tagName.toLowerCase()) : null;
});

async function audit(page, js, name) {
	audits.push(...await auditHere(page, { js, screenshotDir: SCREENSHOT_DIR, name: `auth-${name}` }));
}

// The error of a form shown again: the summary (focused when JavaScript runs) and the
// message by the field, the two saying the same thing.
async function expectError(page, mode, js, field, message, summaryFocusAt) {
	const summary = await text(page, '[data-error-summary]');
	check(mode, `the error summary lists "${message}"`, summary && summary.includes(message), summary);
	const byField = await text(page, `#${field}-error`);
	check(mode, `the message is by the ${field} field`, byField && byField.includes(message), byField);
	const invalid = await page.locator(`#${field}`).getAttribute('aria-invalid').catch(() => null);
	check(mode, `the ${field} field is aria-invalid`, invalid === 'true', invalid);
	check(mode, 'the title starts with "Error:"', (await page.title()).startsWith('Error:'), await page.title());
	if (js) check(mode, 'focus is on the error summary', summaryFocusAt === 'error-summary', summaryFocusAt);
}

async function patient(browser, { js, phone, channel, userAgent }) {
	const mode = js ? 'js' : 'nojs';
	const name = `Zoë ${mode === 'js' ? 'Scripted' : 'Plain'} Example`;
	const email = `zoe.${mode}@example.org`;
	const { context, page } = await openPage(browser, { width: 1280, height: 900, js, userAgent });
	try {
		check(mode, 'GET /signup: 200', (await page.goto(`${BASE_URL}/signup`)).status() === 200);
		check(mode, 'the sign-up page', await text(page, 'h1') === 'Create an account', await text(page, 'h1'));
		await audit(page, js, 'signup');

		// mistakes: the form comes back with them, keeping what was typed
		await page.fill('#name', name);
		await page.fill('#email', 'not-an-email');
		await page.fill('#phone', '0400');
		await page.fill('#dateOfBirth', '2999-01-01');
		let status = await submit(page, 'form.form button[type=submit]');
		const focusAt = await focused(page);
		check(mode, 'a bad sign-up: 422', status === 422, status);
		await expectError(page, mode, js, 'email', 'Enter an email address like name@example.com', focusAt);
		const summary = await text(page, '[data-error-summary]');
		check(mode, 'a future date of birth is refused', /date of birth must be in the past/i.test(summary), summary);
		check(mode, 'consent is required', /agree to the terms/.test(summary), summary);
		check(mode, 'the name typed is kept', await page.inputValue('#name') === name, await page.inputValue('#name'));
		await audit(page, js, 'signup-errors');
		if (js) {
			// app.js: a summary link focuses its field
			await page.click('[data-error-summary] a[href="#email"]');
			check(mode, 'a summary link focuses its field', await focused(page) === 'email', await focused(page));
		}

		await page.fill('#email', email);
		await page.fill('#phone', phone);
		await page.fill('#dateOfBirth', '1990-03-27');
		await page.check(`#channel-${channel}`);
		await page.check('#consent-yes');
		status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'a good sign-up leads to the code form', status === 200 && pathOf(page).startsWith('/signin/code'),
			`${status} ${pathOf(page)}`);
		const lead = await text(page, '.lead');
		check(mode, 'which says where the code went', lead && lead.includes(phone), lead);
		check(mode, 'the code field autocompletes one-time codes',
			await page.getAttribute('#code', 'autocomplete') === 'one-time-code');
		await audit(page, js, 'signin-code');

		const code = await latestCode(phone);
		await page.fill('#code', code === '000000' ? '111111' : '000000');
		status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'a wrong code: 401', status === 401, status);
		await expectError(page, mode, js, 'code', 'That code is not right. You have 4 more tries.', await focused(page));
		await audit(page, js, 'signin-code-error');

		await page.fill('#code', code);
		status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'the right code: signed in, at /account', status === 200 && pathOf(page) === '/account',
			`${status} ${pathOf(page)}`);
		const main = await text(page, 'main');
		check(mode, 'the account shows the sign-up details', main && main.includes(name) && main.includes(email) &&
			main.includes(phone) && main.includes('1990-03-27'), main);
		check(mode, 'the header has a sign-out button',
			await page.locator('.site-header form[action="/signout"] button').count() === 1);
		const cookies = Object.fromEntries((await context.cookies()).map((c) => [c.name, c]));
		check(mode, 'the session cookies are HttpOnly', cookies.kairos_at?.httpOnly && cookies.kairos_rt?.httpOnly,
			Object.keys(cookies));
		await audit(page, js, 'account');

		await submit(page, 'main a[href="/account/details"]');
		check(mode, 'the details form', await text(page, 'h1') === 'Your details', await text(page, 'h1'));
		await audit(page, js, 'account-details');
		await page.fill('#name', '');
		status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'no name: 422', status === 422, status);
		await expectError(page, mode, js, 'name', 'Enter your full name', await focused(page));
		await page.fill('#name', `${name} Changed`);
		status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'a new name is saved (CSRF token and Origin accepted)', status === 200 &&
			pathOf(page) === '/account' && (await text(page, 'main')).includes(`${name} Changed`), `${status} ${pathOf(page)}`);

		await submit(page, 'main a[href="/account/sessions"]');
		check(mode, "Where you're signed in", await text(page, 'h1') === "Where you're signed in", await text(page, 'h1'));
		const ua = await page.evaluate(() => navigator.userAgent);
		const devices = await page.locator('.session__device').allInnerTexts();
		check(mode, 'lists one device: this browser, marked "This device"', devices.length === 1 &&
			devices[0].includes(ua) && devices[0].includes('This device'), { devices, ua });
		const when = await text(page, '.session .small');
		check(mode, 'with when it was last active, for people', /^Last active \d{1,2} [A-Z][a-z]{2} \d{4}, \d{1,2}:\d{2} [ap]m from 127\.0\.0\.1\. Signed in /.test(when), when);
		await audit(page, js, 'sessions');

		status = await submit(page, '.site-header button:has-text("Sign out")');
		check(mode, 'sign out: home', status === 200 && pathOf(page) === '/', `${status} ${pathOf(page)}`);
		check(mode, 'no sign-out button once signed out', await page.locator('form[action="/signout"]').count() === 0);
		const left = (await context.cookies()).map((c) => c.name).filter((n) => /^kairos_(at|rt)$/.test(n));
		check(mode, 'both session cookies are gone', left.length === 0, left);
		status = (await page.goto(`${BASE_URL}/account`)).status();
		check(mode, '/account now asks to sign in', status === 200 && pathOf(page) === '/signin?next=/account',
			`${status} ${pathOf(page)}`);
		await audit(page, js, 'signin');
	} finally {
		runs.push({ mode: `patient-${mode}`, ...page.kairos });
		await context.close();
	}
}

async function staff(browser, { js }) {
	const mode = js ? 'js' : 'nojs';
	const { context, page } = await openPage(browser, { width: 1280, height: 900, js });
	try {
		await page.goto(`${BASE_URL}/admin`);
		check(mode, '/admin sends strangers to the staff sign-in', pathOf(page) === '/staff/signin?next=/admin', pathOf(page));
		await audit(page, js, 'staff-signin');
		await page.fill('#email', env('STAFF_EMAIL'));
		await page.fill('#password', 'not the password');
		let status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'a wrong password: 401', status === 401, status);
		await expectError(page, mode, js, 'email', 'Enter a correct email address and password', await focused(page));
		check(mode, 'the password is not kept', await page.inputValue('#password') === '');
		await audit(page, js, 'staff-signin-error');
		await page.fill('#password', env('STAFF_PASSWORD'));
		status = await submit(page, 'form.form button[type=submit]');
		check(mode, 'staff signed in, at /admin', status === 200 && pathOf(page) === '/admin', `${status} ${pathOf(page)}`);
		check(mode, 'as admin', /signed in as admin/.test(await text(page, 'main')), await text(page, 'main'));
		await audit(page, js, 'admin');
		await submit(page, 'main a[href="/admin/staff"]');
		const list = await text(page, '.session-list');
		check(mode, 'the staff page lists the staff member', list && list.includes(env('STAFF_EMAIL')), list);
		const roleForm = await page.locator('form.role-form select').count();
		check(mode, 'each staff member has a role choice', roleForm >= 1, String(roleForm));
		await audit(page, js, 'admin-staff');
		await page.goto(`${BASE_URL}/admin/messages`);
		check(mode, 'the dead-letter page opens', /could not be sent/.test(await text(page, 'h1')), await text(page, 'h1'));
		await audit(page, js, 'admin-messages');
		status = await submit(page, '.site-header button:has-text("Sign out")');
		check(mode, 'staff sign out', status === 200 && pathOf(page) === '/', `${status} ${pathOf(page)}`);
	} finally {
		runs.push({ mode: `staff-${mode}`, ...page.kairos });
		await context.close();
	}
}

async function main() {
	await mkdir(SCREENSHOT_DIR, { recursive: true });
	const browser = await launch();
	try {
		await patient(browser, { js: true, phone: env('PHONE_JS'), channel: 'sms' });
		// without JavaScript, through WhatsApp, and from a browser whose User-Agent is long and
		// has a long unbroken part, as some in-app browsers send: the sessions page must wrap it
		await patient(browser, {
			js: false, phone: env('PHONE_NOJS'), channel: 'whatsapp',
			userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/UQ1A.240205.004; wv) ' +
				'AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/156.0.8078.73 Mobile ' +
				'Safari/537.36 [FBAN/EMA;FBLC/en_GB;FBAV/449.0.0.11.109;FBDM/{density=2.625,' +
				'width=1080,height=2209};FBSN/Android;FBSV/14;FBMF/Google;FBBD/google;FBDV/Pixel8]',
		});
		await staff(browser, { js: true });
		await staff(browser, { js: false });
	} finally {
		await browser.close();
	}
}

finish(main, { checks, audits, runs });
