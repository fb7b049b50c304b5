-- Seed 001's database functions, for psql and other SQL clients: find_similar_memories, get_memory_statistics,
-- cleanup_orphaned_metadata, rebuild_vector_indexes and get_vector_index_stats. Engram itself does not call
-- them; they give the same answers from SQL. Each runs with the schema's search path (SET search_path FROM
-- CURRENT), and scopes row-level security itself for the length of the call: a user function to its p_user_id,
-- a whole-store function to every user.

-- migrate:up

-- The composite score of seed 001 (0.6·similarity + 0.2·salience + 0.1·recency + 0.1·link weight) over the
-- vectors of the active embedding model filed under each memory's sector; recency is the decayed strength, link
-- weight the strongest link.weight × similarity to another memory above the threshold (as Engram's recall).
CREATE FUNCTION find_similar_memories(
    p_query_embedding vector, p_sector text, p_user_id text, p_limit integer DEFAULT 10,
    p_similarity_threshold double precision DEFAULT 0.7)
RETURNS TABLE (
    memory_id text, content text, sector text, similarity double precision, salience double precision,
    recency double precision, link_weight double precision, composite_score double precision,
    created_at timestamptz, last_accessed_at timestamptz)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    scope text := current_setting('engram.user_id', true);
    active_model text;
    active_dimension integer;
BEGIN
    SELECT em.model, em.dimension INTO active_model, active_dimension FROM embedding_models em WHERE em.active;
    IF active_model IS NULL THEN
        RETURN;
    END IF;
    IF vector_dims(p_query_embedding) <> active_dimension THEN
        RAISE EXCEPTION 'the query vector has % dimensions; the active model % has %',
            vector_dims(p_query_embedding), active_model, active_dimension
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Embed the query with the active model (engram embed prints its vector).';
    END IF;
    PERFORM set_config('engram.user_id', p_user_id, true);
    RETURN QUERY
    WITH scored AS (
        SELECT m.id, m.content, m.sector, m.salience,
            m.strength * exp(-m.decay_rate * greatest(0, extract(epoch FROM now() - m.last_reinforced_at)) / 86400)
                AS recency,
            m.created_at, m.last_accessed_at,
            (1 - (e.embedding::vector <=> p_query_embedding))::double precision AS similarity
        FROM memories m
        JOIN embeddings e ON e.user_id = m.user_id AND e.memory_id = m.id AND e.sector = m.sector
        WHERE m.user_id = p_user_id AND (p_sector IS NULL OR m.sector = p_sector)
            AND (m.valid_to IS NULL OR m.valid_to > now())
            AND e.model = active_model AND e.dimension = active_dimension
    ), relevant AS (
        SELECT * FROM scored s WHERE s.similarity >= p_similarity_threshold
    ), linked AS (
        SELECT r.id, max(l.weight * o.similarity) AS weight
        FROM relevant r
        JOIN links l ON l.user_id = p_user_id AND (l.source_id = r.id OR l.target_id = r.id)
        JOIN relevant o ON o.id = CASE WHEN l.source_id = r.id THEN l.target_id ELSE l.source_id END
        GROUP BY r.id
    )
    SELECT r.id, r.content, r.sector, r.similarity, r.salience, r.recency, coalesce(k.weight, 0),
        0.6 * r.similarity + 0.2 * r.salience + 0.1 * r.recency + 0.1 * coalesce(k.weight, 0),
        r.created_at, r.last_accessed_at
    FROM relevant r LEFT JOIN linked k ON k.id = r.id
    ORDER BY 8 DESC, 1
    LIMIT greatest(p_limit, 0);
    PERFORM set_config('engram.user_id', coalesce(scope, ''), true);
END;
$$;

-- One user's counts and averages, as `engram stats` shows them.
CREATE FUNCTION get_memory_statistics(p_user_id text)
RETURNS TABLE (
    user_id text, total_memories bigint, valid_memories bigint, memories_by_sector jsonb, entities bigint,
    embeddings bigint, links bigint, sessions bigint, messages bigint, active_working_facts bigint,
    average_salience double precision, average_strength double precision, oldest_memory timestamptz,
    newest_memory timestamptz)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    scope text := current_setting('engram.user_id', true);
BEGIN
    PERFORM set_config('engram.user_id', p_user_id, true);
    RETURN QUERY
    SELECT p_user_id,
        (SELECT count(*) FROM memories m WHERE m.user_id = p_user_id),
        (SELECT count(*) FROM memories m WHERE m.user_id = p_user_id AND (m.valid_to IS NULL OR m.valid_to > now())),
        (SELECT coalesce(jsonb_object_agg(s.sector, s.n), '{}'::jsonb)
            FROM (SELECT m.sector, count(*) AS n FROM memories m WHERE m.user_id = p_user_id GROUP BY m.sector) s),
        (SELECT count(*) FROM memories m WHERE m.user_id = p_user_id AND m.entity_id IS NOT NULL),
        (SELECT count(*) FROM embeddings e WHERE e.user_id = p_user_id),
        (SELECT count(*) FROM links l WHERE l.user_id = p_user_id),
        (SELECT count(*) FROM sessions s WHERE s.user_id = p_user_id),
        (SELECT count(*) FROM messages g WHERE g.user_id = p_user_id),
        (SELECT count(*) FROM working_facts f WHERE f.user_id = p_user_id AND f.expires_at > now()),
        (SELECT coalesce(avg(m.salience), 0)::double precision FROM memories m
            WHERE m.user_id = p_user_id AND (m.valid_to IS NULL OR m.valid_to > now())),
        (SELECT coalesce(avg(m.strength * exp(-m.decay_rate
                * greatest(0, extract(epoch FROM now() - m.last_reinforced_at)) / 86400)), 0)::double precision
            FROM memories m WHERE m.user_id = p_user_id AND (m.valid_to IS NULL OR m.valid_to > now())),
        (SELECT min(m.created_at) FROM memories m WHERE m.user_id = p_user_id),
        (SELECT max(m.created_at) FROM memories m WHERE m.user_id = p_user_id);
    PERFORM set_config('engram.user_id', coalesce(scope, ''), true);
END;
$$;

-- Rows whose memory or session is gone, of every user (possible after manual edits or loads with triggers or
-- constraints off); and parents that no longer exist. Returns how many rows it deleted or cleared.
CREATE FUNCTION cleanup_orphaned_metadata() RETURNS bigint
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    scope text := current_setting('engram.admin', true);
    removed bigint := 0;
    n bigint;
BEGIN
    PERFORM set_config('engram.admin', 'on', true);
    DELETE FROM embeddings t WHERE NOT EXISTS
        (SELECT 1 FROM memories m WHERE m.user_id = t.user_id AND m.id = t.memory_id);
    GET DIAGNOSTICS n = ROW_COUNT; removed := removed + n;
    DELETE FROM emotions t WHERE NOT EXISTS
        (SELECT 1 FROM memories m WHERE m.user_id = t.user_id AND m.id = t.memory_id);
    GET DIAGNOSTICS n = ROW_COUNT; removed := removed + n;
    DELETE FROM feedback t WHERE NOT EXISTS
        (SELECT 1 FROM memories m WHERE m.user_id = t.user_id AND m.id = t.memory_id);
    GET DIAGNOSTICS n = ROW_COUNT; removed := removed + n;
    DELETE FROM links t WHERE NOT EXISTS
            (SELECT 1 FROM memories m WHERE m.user_id = t.user_id AND m.id = t.source_id)
        OR NOT EXISTS (SELECT 1 FROM memories m WHERE m.user_id = t.user_id AND m.id = t.target_id);
    GET DIAGNOSTICS n = ROW_COUNT; removed := removed + n;
    DELETE FROM messages t WHERE NOT EXISTS
        (SELECT 1 FROM sessions s WHERE s.user_id = t.user_id AND s.id = t.session_id);
    GET DIAGNOSTICS n = ROW_COUNT; removed := removed + n;
    DELETE FROM session_state t WHERE NOT EXISTS
        (SELECT 1 FROM sessions s WHERE s.user_id = t.user_id AND s.id = t.session_id);
    GET DIAGNOSTICS n = ROW_COUNT; removed := removed + n;
    DELETE FROM working_facts t WHERE t.session_id IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM sessions s WHERE s.user_id = t.user_id AND s.id = t.session_id);
    GET DIAGNOSTICS n = ROW_COUNT; removed := removed + n;
    UPDATE memories c SET parent_id = NULL WHERE c.parent_id IS NOT NULL AND NOT EXISTS
        (SELECT 1 FROM memories p WHERE p.user_id = c.user_id AND p.id = c.parent_id);
    GET DIAGNOSTICS n = ROW_COUNT; removed := removed + n;
    PERFORM set_config('engram.admin', coalesce(scope, ''), true);
    RETURN removed;
END;
$$;

-- Every vector index of the embeddings table: the index, the model and dimension it serves (from its partial
-- predicate), its access method, how many vectors it covers, its size, how often it was scanned, and whether it
-- is valid.
CREATE FUNCTION get_vector_index_stats()
RETURNS TABLE (
    index_name text, model text, dimension integer, method text, vectors bigint, size_bytes bigint,
    scans bigint, is_valid boolean)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    scope text := current_setting('engram.admin', true);
BEGIN
    PERFORM set_config('engram.admin', 'on', true);
    RETURN QUERY
    WITH indexes AS (
        SELECT c.relname::text AS name, a.amname::text AS am, pg_relation_size(c.oid) AS bytes,
            coalesce(s.idx_scan, 0) AS idx_scans, i.indisvalid AS valid,
            replace(substring(pg_get_expr(i.indpred, i.indrelid) FROM 'model = ''((?:[^'']|'''')*)'''), '''''', '''')
                AS index_model,
            substring(pg_get_expr(i.indpred, i.indrelid) FROM 'dimension = (\d+)')::integer AS index_dimension
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_am a ON a.oid = c.relam
        LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
        WHERE i.indrelid = 'embeddings'::regclass AND a.amname IN ('hnsw', 'ivfflat')
    )
    SELECT x.name, x.index_model, x.index_dimension, x.am,
        (SELECT count(*) FROM embeddings e WHERE e.model = x.index_model AND e.dimension = x.index_dimension),
        x.bytes, x.idx_scans, x.valid
    FROM indexes x ORDER BY x.name;
    PERFORM set_config('engram.admin', coalesce(scope, ''), true);
END;
$$;

-- Rebuilds every vector index of the embeddings table (useful after bulk loads), blocking writes to the table
-- meanwhile; returns the indexes rebuilt. `engram index rebuild` does the same without blocking (concurrently).
CREATE FUNCTION rebuild_vector_indexes() RETURNS TABLE (index_name text)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    target record;
BEGIN
    FOR target IN
        SELECT n.nspname::text AS schema_name, c.relname::text AS name
        FROM pg_index i
        JOIN pg_class c ON c.oid = i.indexrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_am a ON a.oid = c.relam
        WHERE i.indrelid = 'embeddings'::regclass AND a.amname IN ('hnsw', 'ivfflat')
        ORDER BY c.relname
    LOOP
        EXECUTE format('REINDEX INDEX %I.%I', target.schema_name, target.name);
        index_name := target.name;
        RETURN NEXT;
    END LOOP;
END;
$$;

-- migrate:down

DROP FUNCTION IF EXISTS rebuild_vector_indexes();
DROP FUNCTION IF EXISTS get_vector_index_stats();
DROP FUNCTION IF EXISTS cleanup_orphaned_metadata();
DROP FUNCTION IF EXISTS get_memory_statistics(text);
DROP FUNCTION IF EXISTS find_similar_memories(vector, text, text, integer, double precision);
