-- 0004: WhatsApp messages are templates the provider approved (NOTE-1). A WhatsApp row names
-- its Kairos template variant (e.g. 'appointment-confirmed.phi-free') and the values of its
-- variables, in the provider's order: [{"name": "code", "value": "123456", "button": "url"}].
-- body_text stays the rendered words, for the patient's history; the provider never sees it.
ALTER TABLE notifications
	ADD COLUMN template_name text
		CHECK (template_name ~ '^[a-z0-9][a-z0-9.-]{0,99}$'),
	ADD COLUMN template_vars jsonb
		CHECK (jsonb_typeof(template_vars) = 'array' AND jsonb_array_length(template_vars) <= 10
		       AND length(template_vars::text) <= 20000),
	ADD CONSTRAINT notifications_whatsapp_template
		CHECK ((channel = 'whatsapp') = (template_name IS NOT NULL AND template_vars IS NOT NULL));
