/* Booking step 3 (pages/book-time), progressive enhancement only: the page works without
 * this file. Two things:
 *  - the time zone: when the URL named none, the server used the clinic's; the browser's own
 *    (Intl) replaces it by reloading with tz= set, so the times are the patient's;
 *  - live slots: every POLL_MS the day's availability is asked again (GET /api/availability,
 *    the grid's data-poll URL) and times that are no longer free leave the grid, announced
 *    in the status line. No framework; CSP: loaded from 'self'. */
(function () {
	'use strict';

	var POLL_MS = 15000;
	var form = document.querySelector('[data-tz-form]');
	var grid = document.querySelector('[data-slot-grid]');
	var status = document.querySelector('[data-slot-status]');
	var zone;

	if (form && form.hasAttribute('data-tz-detect') && window.Intl && Intl.DateTimeFormat) {
		zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
		if (zone && form.elements.tz && form.elements.tz.value !== zone) {
			var url = new URL(window.location.href);
			url.searchParams.set('tz', zone);
			window.location.replace(url.toString());
			return;
		}
	}
	if (!grid || !grid.getAttribute('data-poll') || !window.fetch) return;

	/* as the server writes data-slot; with "anyone" another psychologist may take a slot's
	 * place, so the practitioner is left out */
	var any = grid.hasAttribute('data-any');

	function key(s) {
		return [s.start, any ? '' : s.practitionerId, s.locationId || '', s.sessionType].join('|');
	}

	function refresh() {
		/* X-Kairos-Refresh: a poll, not a step of the booking funnel (funnel.h) */
		fetch(grid.getAttribute('data-poll'), { headers: { Accept: 'application/json', 'X-Kairos-Refresh': '1' },
			credentials: 'same-origin' })
			.then(function (r) { return r.ok ? r.json() : null; })
			.then(function (body) {
				var free = {}, gone = 0;

				if (!body || !body.slots) return;
				body.slots.forEach(function (s) { free[key(s)] = true; });
				grid.querySelectorAll('[data-slot]').forEach(function (li) {
					if (free[li.getAttribute('data-slot')]) return;
					if (li.contains(document.activeElement)) grid.focus();
					li.parentNode.removeChild(li);
					gone++;
				});
				grid.querySelectorAll('.slot-grid__list').forEach(function (ul) {
					var h = ul.previousElementSibling;

					if (ul.children.length) return;
					if (h && h.classList.contains('slot-grid__period')) h.parentNode.removeChild(h);
					ul.parentNode.removeChild(ul);
				});
				if (gone && status) {
					status.textContent = gone === 1 ? 'One time was just taken and is no longer shown.' :
						gone + ' times were just taken and are no longer shown.';
				}
				if (!grid.querySelector('[data-slot]') && status) {
					status.textContent = 'Every time on this day has just been taken. Choose another day.';
				}
			})
			.catch(function () { /* offline for a moment: try again next time */ });
	}

	window.setInterval(refresh, POLL_MS);
	document.addEventListener('visibilitychange', function () {
		if (!document.hidden) refresh();
	});
})();
