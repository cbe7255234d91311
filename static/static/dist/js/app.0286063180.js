/* Kairos progressive enhancement. Every page works without this file: it only moves
 * focus to where a keyboard or screen reader user needs it. CSP: loaded from 'self'. */
(function () {
	'use strict';

	/* After a form submission with mistakes, start at the list of problems; after an
	 * action that failed, at its message. */
	var first = document.querySelector('[data-error-summary]') ||
		document.querySelector('.flash--error');
	if (first) first.focus();

	/* A link in the error summary focuses its field (not just scrolls to it) and
	 * shows the field's label or question above it. */
	document.addEventListener('click', function (e) {
		var a = e.target.closest && e.target.closest('[data-error-summary] a[href^="#"]');
		var field, label;

		if (!a) return;
		field = document.getElementById(decodeURIComponent(a.hash.slice(1)));
		if (!field) return;
		label = field.closest('fieldset');
		label = label ? label.querySelector('legend') :
			document.querySelector('label[for="' + field.id + '"]');
		e.preventDefault();
		(label || field).scrollIntoView();
		field.focus({ preventScroll: true });
	});
})();
