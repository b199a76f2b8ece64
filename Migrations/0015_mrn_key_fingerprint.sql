-- Which MRN key the registry was keyed with. Enrolling with another key hashes an enrolled MRN
-- differently, so the duplicate check missed it and the patient was enrolled twice (issue 15). The
-- first enrollment stores the key's fingerprint (HMAC-SHA-256 of a fixed label under the key, which
-- reveals nothing about the key or any MRN); every enrollment compares its key's fingerprint with it.
CREATE TABLE mrn_key_fingerprint (
    -- One row only: the registry has one key.
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    fingerprint text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    recorded_at timestamptz NOT NULL DEFAULT now()
);

-- The roles that enroll (coordinators, administrators) read it and store it once; no role but the
-- owner changes or removes it, since replacing it would let a second key in. The sync enrolls without
-- the key (its subjects carry no MRN), so it needs no access.
REVOKE ALL ON mrn_key_fingerprint FROM PUBLIC;
GRANT SELECT, INSERT ON mrn_key_fingerprint TO sarcreg_coordinator, sarcreg_admin;
