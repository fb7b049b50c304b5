// int8 codes of Float32 vectors: what the SQLite driver's vector search scans (see CEngramSQLite.h).
#include "CEngramSQLite.h"

#include <math.h>
#include <sqlite3.h>
#include <string.h>

float engram_quantize(const float *vector, size_t dimension, int8_t *codes) {
    float largest = 0;
    for (size_t index = 0; index < dimension; index++) {
        float magnitude = fabsf(vector[index]);
        if (magnitude > largest) largest = magnitude;  // NaN never compares greater
    }
    float inverse = largest > 0 && isfinite(largest) ? 127.0f / largest : 0;
    for (size_t index = 0; index < dimension; index++) {
        float code = roundf(vector[index] * inverse);
        // Stored vectors are finite; a damaged one gets zero codes rather than undefined ones.
        codes[index] = isfinite(code) ? (int8_t)fmaxf(-127.0f, fminf(127.0f, code)) : 0;
    }
    return inverse > 0 ? largest / 127.0f : 0;
}

/// engram_vector_codes(vector): the codes blob of a Float32 vector blob (NULL for NULL or a ragged blob).
static void vector_codes(sqlite3_context *context, int argumentCount, sqlite3_value **arguments) {
    (void)argumentCount;
    if (sqlite3_value_type(arguments[0]) != SQLITE_BLOB) {
        sqlite3_result_null(context);
        return;
    }
    int bytes = sqlite3_value_bytes(arguments[0]);
    const void *blob = sqlite3_value_blob(arguments[0]);
    if (bytes <= 0 || bytes % 4 != 0 || blob == NULL) {
        sqlite3_result_null(context);
        return;
    }
    size_t dimension = (size_t)bytes / 4;
    float *vector = sqlite3_malloc64((sqlite3_uint64)bytes);  // a copy: the blob need not be aligned for floats
    unsigned char *result = sqlite3_malloc64(4 + dimension);
    if (vector == NULL || result == NULL) {
        sqlite3_free(vector);
        sqlite3_free(result);
        sqlite3_result_error_nomem(context);
        return;
    }
    memcpy(vector, blob, (size_t)bytes);
    float scale = engram_quantize(vector, dimension, (int8_t *)(result + 4));
    sqlite3_free(vector);
    memcpy(result, &scale, 4);
    sqlite3_result_blob64(context, result, 4 + dimension, sqlite3_free);
}

int engram_register_vector_codes(sqlite3 *db) {
    return sqlite3_create_function_v2(
        db, "engram_vector_codes", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, vector_codes,
        NULL, NULL, NULL);
}

int engram_read_vector_codes(
    sqlite3_stmt *statement, size_t dimension, size_t capacity, int64_t *keys, float *scales, int8_t *codes,
    size_t *count) {
    size_t written = 0;
    int rc = SQLITE_ROW;
    while (written < capacity && (rc = sqlite3_step(statement)) == SQLITE_ROW) {
        const void *blob = sqlite3_column_blob(statement, 1);
        if (blob == NULL || (size_t)sqlite3_column_bytes(statement, 1) != 4 + dimension) continue;
        keys[written] = sqlite3_column_int64(statement, 0);
        memcpy(&scales[written], blob, 4);
        memcpy(codes + written * dimension, (const unsigned char *)blob + 4, dimension);
        written++;
    }
    *count = written;
    return rc;
}
