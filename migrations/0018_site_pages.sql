-- 0018: the clinic's own text for the pages the footer names (issue 13, item 9): contact,
-- privacy and accessibility. An organisation without a row here shows the default text
-- (src/org/pages.c). The body is plain text, shown escaped: blank lines separate paragraphs,
-- "- " starts a list item, "## " a subheading (docs/site-pages.md); never HTML.
-- (0016 and 0017 belong to other changes.)
CREATE TABLE site_pages (
	org_id     uuid NOT NULL REFERENCES organisations (id),
	slug       text NOT NULL CHECK (slug IN ('contact', 'privacy', 'accessibility')),
	body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
	updated_at timestamptz NOT NULL DEFAULT now(),
	updated_by uuid REFERENCES users (id),
	PRIMARY KEY (org_id, slug)
);

-- A tenant table, as 0006 sets them up: the app role reads and writes it, within the
-- transaction's organisation only.
GRANT SELECT, INSERT, UPDATE, DELETE ON site_pages TO kairos_app;
ALTER TABLE site_pages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON site_pages TO kairos_app
	USING (org_id = kairos_org()) WITH CHECK (org_id = kairos_org());
