#ifndef ENGRAM_CENGRAMSQLITE_H
#define ENGRAM_CENGRAMSQLITE_H

#include <stddef.h>
#include <stdint.h>

/// The SQLite connection, as GRDB hands it over (`Database.sqliteConnection`).
typedef struct sqlite3 sqlite3;
/// A prepared statement of that connection (`Statement.sqliteStatement`).
typedef struct sqlite3_stmt sqlite3_stmt;

/// Registers the FTS5 functions `engram_bm25` and `engram_length` on `db`; returns an SQLite result code.
///
/// `engram_bm25(fts, skip, avgdl, w0, w1, ..., idf...)` is FTS5's `bm25` (k1 1.2, b 0.75, column weights w0...
/// for every column) except that:
/// - the first `skip` phrases of the query count for nothing and cost nothing (`bm25` counts every phrase's
///   matches over the whole index to weigh it, which for a phrase matching every row of a user, the owner
///   filter, is a scan of all the user's rows on every query);
/// - `avgdl`, when positive, is the average row length (else the whole index's);
/// - a row's length counts the columns whose weight is not 0 only (with the weights given);
/// - the weights (inverse document frequencies) of the phrases after the skipped ones may follow the column
///   weights, in phrase order; a phrase without one is weighed as `bm25` does.
/// Given both, a user's ranking depends on the user's rows only.
///
/// `engram_length(fts, w0, w1, ...)` is a row's length in tokens as `engram_bm25` counts it with the same column
/// weights (over every column without them), the length BM25 normalises by.
int engram_register_bm25(sqlite3 *db);

/// The dot products of `count` int8 rows of `dimension` components (row-major, `rows`) with an int8 query of
/// `dimension` components, written to `scores`. Every product and sum fits in 32 bits when components lie in
/// -127...127 and `dimension` is below 130,000. Uses AVX-512 VNNI or AVX2 when the CPU has it, SSE2 otherwise;
/// every path gives the same integers.
void engram_int8_dot_rows(
    const int8_t *rows, size_t count, size_t dimension, const int8_t *query, int32_t *scores);

/// `engram_int8_dot_rows` with one kernel chosen (0 AVX-512 VNNI, 1 AVX2, 2 SSE2, 3 plain C), for tests that
/// compare them: returns 1, or 0 without writing when the CPU lacks that kernel's instructions.
int engram_int8_dot_rows_kernel(
    int kernel, const int8_t *rows, size_t count, size_t dimension, const int8_t *query, int32_t *scores);

/// Writes the int8 codes of `vector` (each component × 127 ÷ the largest absolute component, rounded half away
/// from zero, in -127...127) to `codes` and returns the scale that maps them back (the largest absolute component
/// ÷ 127; a component ≈ code × scale). A zero vector, or one with a component that is not finite, gets scale 0
/// and codes that carry no information.
float engram_quantize(const float *vector, size_t dimension, int8_t *codes);

/// Registers `engram_vector_codes(vector)` on `db`: the codes of a Float32 vector blob (native byte order) as one
/// blob, its scale (a native Float32) followed by its `engram_quantize` codes. NULL for anything else. The SQLite
/// schema's triggers keep `vector_codes` with it.
int engram_register_vector_codes(sqlite3 *db);

/// Steps `statement`, a prepared SELECT of a row number (column 0) and an `engram_vector_codes` blob (column 1)
/// with its arguments bound, writing up to `capacity` rows: the row number to `keys`, the scale to `scales` and
/// the `dimension` codes to `codes` (row-major). A blob of any other length is skipped. Sets `*count` to the rows
/// written and returns `SQLITE_DONE` once the rows ran out, `SQLITE_ROW` when `capacity` was reached first (call
/// again with room for more), or the SQLite error code of the step that failed. The bulk load of the vector
/// search: SQLite's own loop, without a call into Swift per row.
int engram_read_vector_codes(
    sqlite3_stmt *statement, size_t dimension, size_t capacity, int64_t *keys, float *scales, int8_t *codes,
    size_t *count);

#endif
