-- 0025: each clinic's phone region (issue 12, items 1 and 7). People type phone numbers as
-- they know them, in their clinic's national format ("0412 345 678" in Australia, "98765
-- 43210" in India); the region says which country's format that is. NULL: the deployment's
-- KAIROS_DEFAULT_REGION, as before this column, so one deployment can serve clinics of
-- several countries. An ISO 3166-1 alpha-2 code, upper case, as libphonenumber takes it.
ALTER TABLE organisations ADD COLUMN region text CHECK (region ~ '^[A-Z]{2}$');
