-- Patient search that ignores case and accents: staff type "lopez" for
-- "López", "munoz" for "Muñoz". The shipped index covers lower(full_name)
-- only, so it is replaced by one on the accent-free key.

CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent(text) is only STABLE (its dictionary could be swapped at run
-- time); naming the dictionary explicitly makes the result fixed, which is
-- what an index expression needs. Schema-qualified so that search_path
-- cannot redirect it.
CREATE FUNCTION patient_search_key(text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE INDEX patients_search ON patients USING gin (patient_search_key(full_name) gin_trgm_ops);
DROP INDEX patients_name;
