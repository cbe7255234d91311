-- Demo data for ./dev up: an obviously fictional clinic. Safe to run again.
UPDATE organisations SET name = 'Harbourside Psychology (demo)' WHERE slug = 'default';
