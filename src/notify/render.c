/* render.c: message text from templates, with the BAA gate (NOTE-5). */
#include "notify/notify.h"
#include "notify/whatsapp.h"
#include "view/view.h"

#include <string.h>

/* Renders one template by name into out; a missing one is an error naming it. */
static int
notify_render_one(const struct view_registry *views, const char *name, struct json_object *model,
    struct buf *out, struct buf *err)
{
	struct mustache_error merr;
	char msg[MUSTACHE_ERROR_FILE_MAX + MUSTACHE_ERROR_MSG_MAX + 32];

	if (view_render(views, name, model, out, &merr) == 0)
		return 0;
	buf_printf(err, "%s", mustache_error_string(&merr, msg, sizeof msg));
	return -1;
}

/* Templates end with a newline; a message does not. */
static void
notify_trim(struct buf *b)
{
	while (b->len > 0 && (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == ' '))
		buf_truncate(b, b->len - 1);
}

int
notify_render(const struct view_registry *views, const char *name, bool baa,
    struct json_object *model, struct notify_message *m, struct buf *subject, struct buf *text,
    struct buf *html, struct buf *vars, struct buf *err)
{
	const char *variant = baa ? "" : ".phi-free";
	char tpl[VIEW_MAX_NAME + 1];

	m->template_name = m->template_vars = NULL;
	if (m->channel == NOTIFY_WHATSAPP) {
		/* A template the provider approved, with variables; the text is what the patient
		 * will read, kept for their history. html holds the variant's name. */
		buf_printf(html, "%s%s", name, variant);
		snprintf(tpl, sizeof tpl, "whatsapp/%s", html->data);
		if (vars == NULL || notify_render_one(views, tpl, model, text, err) < 0 ||
		    notify_whatsapp_render_vars(html->data, model, vars, err) < 0) {
			if (vars == NULL)
				buf_printf(err, "whatsapp needs a buffer for the variables");
			return -1;
		}
		notify_trim(text);
		m->body_text = text->data;
		m->subject = m->body_html = NULL;
		m->template_name = html->data;
		m->template_vars = vars->data;
		return 0;
	}
	if (m->channel != NOTIFY_EMAIL) {
		snprintf(tpl, sizeof tpl, "sms/%s%s", name, variant);
		if (notify_render_one(views, tpl, model, text, err) < 0)
			return -1;
		notify_trim(text);
		m->body_text = text->data;
		m->subject = m->body_html = NULL;
		return 0;
	}
	snprintf(tpl, sizeof tpl, "email/%s.subject%s", name, variant);
	if (notify_render_one(views, tpl, model, subject, err) < 0)
		return -1;
	snprintf(tpl, sizeof tpl, "email/%s.text%s", name, variant);
	if (notify_render_one(views, tpl, model, text, err) < 0)
		return -1;
	snprintf(tpl, sizeof tpl, "email/%s.html%s", name, variant);
	m->body_html = NULL;
	if (view_lookup(views, tpl, strlen(tpl)) != NULL) {
		if (notify_render_one(views, tpl, model, html, err) < 0)
			return -1;
		m->body_html = html->data;
	}
	notify_trim(subject);
	notify_trim(text);	/* the file's last newline is not the message's */
	m->subject = subject->data;
	m->body_text = text->data;
	return 0;
}
