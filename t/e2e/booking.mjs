// Booking steps 1-3 in a real browser (issue 13 items 5 and 10; BOOK-1, BOOK-3, BOOK-6): the
// ground t/integration/booking-pages.t covers over HTTP, clicked through in Chromium, once
// with JavaScript (on a 360 px phone whose zone is Australia/Perth) and once without (at
// 1280 px): a patient filters the services and picks one, searches and filters
// psychologists, opens a profile, goes Back and Forward, picks a day and a time in their own
// zone (detected with Intl, or typed into the zone field), sees a time taken by someone else
// leave the grid (by itself with JavaScript; on reload without), and reaches the summary and
// its sign-in link. Every step is audited in place (auditHere: axe-core, overflow) at 360
// and 1280 px and saved as booking-<step>-{360,1280}-{js,nojs}.png in SCREENSHOT_DIR.
//
// The data is t/lib/BookingData.pm's; times are read against its clock (Monday 30 November
// 2026, 12:00 in Sydney). Appointments that take a time are inserted with psql (PSQL_HOST).
//
// Prints ONE JSON object and exits 0 when the run itself worked, whatever it found:
//   {checks: [{mode, what, ok, got}], audits: [...], runs: [{mode, consoleErrors, pageErrors,
//    failedRequests}]}
// t/integration/e2e-booking.t decides what passes. On a harness failure it prints {"error"}.
//
//   BASE_URL=… SCREENSHOT_DIR=… PSQL_HOST=<stack dir>/run ORG_ID=… ADA_ID=… CONSULT_ID=…
//   CARLTON_ID=… node t/e2e/booking.mjs

import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { launch, openPage, auditHere, submit, finish, env, findings } from './lib.mjs';

const BASE_URL = env('BASE_URL').replace(/\/+$/, '');
const SCREENSHOT_DIR = path.resolve(process.env.SCREENSHOT_DIR || '.');
// slots.js asks again every 15 s; a taken time must be gone within two rounds
const LIVE_TIMEOUT_MS = 40000;

const { checks, audits, runs, check } = findings();

// Ada's in-person session at Carlton at `start` held by someone else until well after the
// app's clock: the time is no longer free.
function takeTime(start) {
	execFileSync('psql', ['-q', '-h', env('PSQL_HOST'), '-U', 'kairos', '-d', 'kairos',
		'-v', 'ON_ERROR_STOP=1', '-c',
		`INSERT INTO appointments (org_id, practitioner_id, service_id, location_id, session_type,
			status, starts_at, ends_at, blocked_from, blocked_until, hold_expires_at)
		VALUES ('${env('ORG_ID')}', '${env('ADA_ID')}', '${env('CONSULT_ID')}', '${env('CARLTON_ID')}',
			'in_person', 'held', '${start}', timestamptz '${start}' + interval '50 minutes',
			'${start}', timestamptz '${start}' + interval '60 minutes', '2026-11-30 06:00Z')`]);
}

// Back or Forward, then quiet: a page restored from history may still be fetching its
// images when 'load' fires, and the next click would abort them (a failed request).
async function history(page, way) {
	await (way === 'back' ? page.goBack({ waitUntil: 'load' }) : page.goForward({ waitUntil: 'load' }));
	await page.waitForLoadState('networkidle');
}

const text = (page, sel) => page.locator(sel).first().innerText().catch(() => null);
const query = (page) => Object.fromEntries(new URL(page.url()).searchParams);
const pathOf = (page) => new URL(page.url()).pathname;
const cards = (page) => page.locator('main .card__title').allInnerTexts();
const slotTimes = (page) => page.locator('main .slot__time').allInnerTexts();

async function audit(page, js, name, width) {
	audits.push(...await auditHere(page, { js, screenshotDir: SCREENSHOT_DIR, name: `booking-${name}` }));
	await page.setViewportSize({ width, height: 800 });	// back to the mode's own width
}

async function patient(browser, { js, width, timezoneId }) {
	const mode = js ? 'js' : 'nojs';
	const { context, page } = await openPage(browser, { width, height: 800, js, timezoneId });
	try {
		// step 1: the service
		check(mode, 'GET /book: 200', (await page.goto(`${BASE_URL}/book`)).status() === 200);
		check(mode, 'step 1 of 6', await text(page, '.steps__count') === 'Step 1 of 6', await text(page, '.steps__count'));
		check(mode, 'every service', JSON.stringify(await cards(page)) === '["Consult","Couples"]', await cards(page));
		await audit(page, js, 'service', width);
		await page.selectOption('#sessionType', 'in_person');
		await page.selectOption('#concern', 'anxiety');
		let status = await submit(page, 'form.filters button[type=submit]');
		check(mode, 'filtered: 200', status === 200, status);
		const q1 = query(page);
		check(mode, 'the filters are in the URL', q1.sessionType === 'in_person' && q1.concern === 'anxiety', q1);
		check(mode, 'only what matches', JSON.stringify(await cards(page)) === '["Consult"]', await cards(page));
		const price = await text(page, 'main .price');
		check(mode, "the server's price for in person", price && /\$220\.00/.test(price), price);
		await audit(page, js, 'service-filtered', width);

		// step 2: the psychologist
		status = await submit(page, 'main a.button:has-text("Choose")');
		check(mode, 'step 2: 200', status === 200 && pathOf(page) === '/book/psychologist', `${status} ${page.url()}`);
		const q2 = query(page);
		check(mode, "step 2's URL keeps step 1's choices", q2.serviceId === env('CONSULT_ID') &&
			q2.sessionType === 'in_person' && q2.concern === 'anxiety', q2);
		check(mode, 'who offers it', JSON.stringify(await cards(page)) === '["Cy Park","Dr Bo Tran","Dr Ada Ng"]',
			await cards(page));
		await audit(page, js, 'psychologist', width);
		await page.click('summary.filters__summary');
		await page.selectOption('#specialty', 'anxiety');
		await page.selectOption('#sort', 'rating');
		await page.fill('#q', 'ng');
		status = await submit(page, 'form.filters button[type=submit]');
		const q3 = query(page);
		check(mode, 'search and filters in the URL', status === 200 && q3.q === 'ng' && q3.specialty === 'anxiety' &&
			q3.sort === 'rating' && q3.concern === 'anxiety', q3);
		check(mode, 'the psychologist searched for', JSON.stringify(await cards(page)) === '["Dr Ada Ng"]', await cards(page));
		const card = await text(page, 'main .psychologist');
		check(mode, 'rating and next time on the card', card && /4\.5/.test(card) && /2 reviews/.test(card) &&
			/Tue 1 Dec/.test(card), card);
		const filteredUrl = page.url();
		await audit(page, js, 'psychologist-filtered', width);

		// the profile, and Back and Forward
		status = await submit(page, 'main a:has-text("Profile")');
		check(mode, 'the profile: 200', status === 200 && await text(page, 'h1') === 'Dr Ada Ng', `${status} ${await text(page, 'h1')}`);
		const times = await text(page, '.next-times');
		check(mode, 'the next free times', times && /Tue 1 Dec/.test(times), times);
		await audit(page, js, 'profile', width);
		await history(page, 'back');
		check(mode, 'Back: the filtered list again', page.url() === filteredUrl &&
			JSON.stringify(await cards(page)) === '["Dr Ada Ng"]' &&
			await page.inputValue('#specialty') === 'anxiety', page.url());
		await history(page, 'forward');
		check(mode, 'Forward: the profile again', await text(page, 'h1') === 'Dr Ada Ng', page.url());

		// step 3: the day and the time, in the patient's zone
		status = await submit(page, 'main a:has-text("See all times")');
		if (js) {
			// slots.js reads the browser's zone and asks for the page in it
			await page.waitForURL(/[?&]tz=Australia%2FPerth/, { timeout: 10000 }).catch(() => {});
			check(mode, 'the zone detected with Intl is in the URL', query(page).tz === 'Australia/Perth', page.url());
		} else {
			check(mode, "without JavaScript, the clinic's zone", status === 200 &&
				await page.inputValue('#tz') === 'Australia/Sydney', await page.inputValue('#tz'));
			check(mode, "... and the clinic's times", (await slotTimes(page))[0] === '9:00 am', await slotTimes(page));
			await page.fill('#tz', 'Australia/Perth');
			status = await submit(page, 'form.tz-form button[type=submit]');
			check(mode, 'the zone typed is in the URL', status === 200 && query(page).tz === 'Australia/Perth', page.url());
		}
		check(mode, 'step 3 of 6', await text(page, '.steps__count') === 'Step 3 of 6', await text(page, '.steps__count'));
		check(mode, 'the zone field shows it', await page.inputValue('#tz') === 'Australia/Perth', await page.inputValue('#tz'));
		check(mode, 'Tuesday 1 December first', await text(page, '#times-title') === 'Tuesday 1 December',
			await text(page, '#times-title'));
		const q4 = query(page);
		check(mode, "step 3's URL keeps every choice", q4.serviceId === env('CONSULT_ID') && q4.practitionerId === env('ADA_ID') &&
			q4.q === 'ng' && q4.sort === 'rating' && q4.sessionType === 'in_person', q4);
		const before = await slotTimes(page);
		check(mode, "Carlton's hours in Perth time", before[0] === '6:00 am', before);
		// mobile first: every time a whole, separate target inside the screen
		const boxes = await page.locator('main .slot').evaluateAll((els) => els.map((e) => {
			const r = e.getBoundingClientRect();
			return { w: r.width, h: r.height, right: r.right };
		}));
		const vw = await page.evaluate(() => window.innerWidth);
		check(mode, `at ${width} px each time is at least 44 px square and on screen`, boxes.length > 0 &&
			boxes.every((b) => b.w >= 44 && b.h >= 44 && b.right <= vw), { boxes, vw });
		// the day strip, at 360 px and at the flow's width: every day a whole target on screen
		// (a single row used to run off the right at 360 px: three days and a sliver of fourteen)
		const widths = [...new Set([360, width])], strips = [];
		for (const w of widths) {
			await page.setViewportSize({ width: w, height: 800 });
			strips.push(await page.evaluate(() => {
				const list = document.querySelector('.day-picker');
				const days = [...list.querySelectorAll('a.day')].map((d) => d.getBoundingClientRect());
				return { width: window.innerWidth, days: days.length, scrollWidth: list.scrollWidth,
					clientWidth: list.clientWidth, cut: days.filter((r) => r.left < 0 ||
						r.right > window.innerWidth || r.width < 44 || r.height < 44).length };
			}));
		}
		await page.setViewportSize({ width, height: 800 });
		check(mode, `at ${widths.join(' and ')} px every day of the strip is whole and on screen`, strips.every((s) =>
			s.days === 14 && s.cut === 0 && s.scrollWidth <= s.clientWidth), strips);
		await audit(page, js, 'time', width);

		// someone else takes a time that is shown
		const takenKey = await page.locator('main [data-slot]').nth(1).getAttribute('data-slot');
		const takenStart = takenKey.split('|')[0];
		takeTime(takenStart);
		if (js) {
			const gone = await page.locator(`[data-slot="${takenKey}"]`).waitFor({ state: 'detached',
				timeout: LIVE_TIMEOUT_MS }).then(() => true, () => false);
			check(mode, 'the taken time leaves the grid without a reload', gone, await slotTimes(page));
			const said = await text(page, '[data-slot-status]');
			check(mode, '... and the page says so', said && /just taken/.test(said), said);
		} else {
			check(mode, 'without JavaScript the grid stays until reloaded',
				await page.locator(`[data-slot="${takenKey}"]`).count() === 1);
			await page.reload({ waitUntil: 'load' });
			check(mode, '... and the reload leaves it out', await page.locator(`[data-slot="${takenKey}"]`).count() === 0,
				await slotTimes(page));
		}
		const after = await slotTimes(page);
		check(mode, 'the other times stay', after.length === before.length - 1 && after[0] === before[0], { before, after });

		// the slot, the summary and the way on
		status = await submit(page, 'main a.slot');
		check(mode, 'the summary: 200', status === 200 && pathOf(page) === '/book/summary', `${status} ${page.url()}`);
		const summary = await text(page, 'main');
		check(mode, 'the time in the patient\'s zone and at the centre', summary &&
			/Tuesday 1 December 2026, 6:00 am/.test(summary) && /Australia\/Perth time/.test(summary) &&
			/Tue 1 Dec, 9:00 am at the centre/.test(summary), summary);
		check(mode, 'the psychologist, where, and the price', summary && /Dr Ada Ng/.test(summary) &&
			/Carlton/.test(summary) && /\$240\.00/.test(summary), summary);
		await audit(page, js, 'summary', width);
		const summaryUrl = page.url();
		await history(page, 'back');
		check(mode, 'Back from the summary: the grid', pathOf(page) === '/book/time', page.url());
		await history(page, 'forward');
		status = await submit(page, 'main a:has-text("Continue: sign in")');
		const next = await page.locator('input[name="next"]').first().getAttribute('value').catch(() => null);
		check(mode, 'sign-in, with a next back to the summary', status === 200 && pathOf(page) === '/signin' &&
			next === summaryUrl.replace(BASE_URL, ''), { status, next });
	} finally {
		runs.push({ mode, ...page.kairos });
		await context.close();
	}
}

async function main() {
	await mkdir(SCREENSHOT_DIR, { recursive: true });
	const browser = await launch();
	try {
		await patient(browser, { js: true, width: 360, timezoneId: 'Australia/Perth' });
		await patient(browser, { js: false, width: 1280, timezoneId: 'Australia/Perth' });
	} finally {
		await browser.close();
	}
}

finish(main, { checks, audits, runs });
