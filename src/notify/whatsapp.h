/* whatsapp.h: private to notify/ — the WhatsApp template catalogue, used by render.c when
 * a message is queued. (The public side is in notify.h.) */
#ifndef KAIROS_NOTIFY_WHATSAPP_H
#define KAIROS_NOTIFY_WHATSAPP_H

#include <json-c/json.h>

#include "core/core.h"

/* The variables of catalogue template `variant` ("otp", "appointment-confirmed.phi-free"),
 * taken from model, as the JSON array notify_message.template_vars holds, into out (owned
 * by the caller). 0, or -1 with err naming the template or the variable at fault. */
int notify_whatsapp_render_vars(const char *variant, struct json_object *model, struct buf *out,
	struct buf *err);

#endif
