// engram_bm25: FTS5's bm25 ranking without the cost of filter phrases (see CEngramSQLite.h).
#include "CEngramSQLite.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/// What one query's rows share: the average row length and each phrase's weight (inverse document frequency).
typedef struct {
    int phraseCount;
    double averageLength;
    double *idf;
    double *frequency;  // per phrase, reset for every row
} QueryData;

static int count_row(const Fts5ExtensionApi *api, Fts5Context *fts, void *context) {
    (void)api;
    (void)fts;
    (*(sqlite3_int64 *)context)++;
    return SQLITE_OK;
}

static void free_query_data(void *pointer) {
    QueryData *data = pointer;
    free(data->idf);
    free(data->frequency);
    free(data);
}

/// The query's data, computed for its first row and kept as FTS5 auxiliary data for the others. A phrase's weight
/// is `given[phrase - skip]` when the caller passed it (`givenCount` of them), else counted over the whole index.
/// Without `averageLength`, the average is the whole index's, over the columns `row_length` counts (`weights`).
static int query_data(
    const Fts5ExtensionApi *api, Fts5Context *fts, int skip, double averageLength, sqlite3_value **weights,
    int weightCount, sqlite3_value **given, int givenCount, QueryData **out) {
    QueryData *data = api->xGetAuxdata(fts, 0);
    if (data) {
        *out = data;
        return SQLITE_OK;
    }
    data = calloc(1, sizeof(QueryData));
    if (!data) return SQLITE_NOMEM;
    data->phraseCount = api->xPhraseCount(fts);
    data->idf = calloc((size_t)data->phraseCount + 1, sizeof(double));
    data->frequency = calloc((size_t)data->phraseCount + 1, sizeof(double));
    if (!data->idf || !data->frequency) {
        free_query_data(data);
        return SQLITE_NOMEM;
    }
    sqlite3_int64 rows = 0, tokens = 0;
    int rc = api->xRowCount(fts, &rows);
    int columns = api->xColumnCount(fts);
    if (weightCount < columns) {
        if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
    } else {
        for (int column = 0; rc == SQLITE_OK && column < columns; column++) {
            sqlite3_int64 size = 0;
            if (sqlite3_value_double(weights[column]) != 0.0) rc = api->xColumnTotalSize(fts, column, &size);
            tokens += size;
        }
    }
    data->averageLength = averageLength > 0 ? averageLength : rows > 0 ? (double)tokens / (double)rows : 1.0;
    for (int phrase = skip; rc == SQLITE_OK && phrase < data->phraseCount; phrase++) {
        if (phrase - skip < givenCount) {
            data->idf[phrase] = sqlite3_value_double(given[phrase - skip]);
            continue;
        }
        sqlite3_int64 hits = 0;
        rc = api->xQueryPhrase(fts, phrase, &hits, count_row);
        double idf = log(((double)rows - (double)hits + 0.5) / ((double)hits + 0.5));
        data->idf[phrase] = idf <= 0.0 ? 1e-6 : idf;
    }
    if (rc == SQLITE_OK) rc = api->xSetAuxdata(fts, data, free_query_data);
    if (rc != SQLITE_OK) {
        free_query_data(data);
        return rc;
    }
    *out = data;
    return SQLITE_OK;
}

/// The row's length in tokens over the columns that count: every column, or where `weights` (one per column, `count`
/// of them) are given, the columns whose weight is not 0 (a column that adds nothing to a term's frequency adds
/// nothing to the length either, say the owner column every row of a user shares).
static int row_length(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_value **weights, int count, int *out) {
    int columns = api->xColumnCount(fts);
    if (count < columns) return api->xColumnSize(fts, -1, out);
    int total = 0;
    for (int column = 0; column < columns; column++) {
        if (sqlite3_value_double(weights[column]) == 0.0) continue;
        int size = 0;
        int rc = api->xColumnSize(fts, column, &size);
        if (rc != SQLITE_OK) return rc;
        total += size;
    }
    *out = total;
    return SQLITE_OK;
}

static void engram_bm25(
    const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int argumentCount,
    sqlite3_value **arguments) {
    const double k1 = 1.2, b = 0.75;
    int skip = argumentCount > 0 ? sqlite3_value_int(arguments[0]) : 0;
    double averageLength = argumentCount > 1 ? sqlite3_value_double(arguments[1]) : 0.0;
    int columns = api->xColumnCount(fts);
    int givenCount = argumentCount > 2 + columns ? argumentCount - 2 - columns : 0;
    QueryData *data = NULL;
    int rc = query_data(
        api, fts, skip, averageLength, arguments + 2, argumentCount - 2, arguments + 2 + columns, givenCount, &data);
    int instances = 0;
    if (rc == SQLITE_OK) rc = api->xInstCount(fts, &instances);
    if (rc == SQLITE_OK) memset(data->frequency, 0, sizeof(double) * (size_t)data->phraseCount);
    for (int index = 0; rc == SQLITE_OK && index < instances; index++) {
        int phrase = 0, column = 0, offset = 0;
        rc = api->xInst(fts, index, &phrase, &column, &offset);
        if (rc == SQLITE_OK && phrase >= skip) {
            data->frequency[phrase] += argumentCount > column + 2 ? sqlite3_value_double(arguments[column + 2]) : 1.0;
        }
    }
    int length = 0;
    if (rc == SQLITE_OK) rc = row_length(api, fts, arguments + 2, argumentCount - 2, &length);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(context, rc);
        return;
    }
    double score = 0.0;
    double norm = k1 * (1.0 - b + b * (double)length / data->averageLength);
    for (int phrase = skip; phrase < data->phraseCount; phrase++) {
        double frequency = data->frequency[phrase];
        score += data->idf[phrase] * (frequency * (k1 + 1.0)) / (frequency + norm);
    }
    sqlite3_result_double(context, -score);
}

/// engram_length(fts, w0, w1, ...): the row's length in tokens as engram_bm25 measures it with the same column
/// weights (every column without them).
static void engram_length(
    const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *context, int argumentCount,
    sqlite3_value **arguments) {
    int length = 0;
    int rc = row_length(api, fts, arguments, argumentCount, &length);
    if (rc != SQLITE_OK) {
        sqlite3_result_error_code(context, rc);
        return;
    }
    sqlite3_result_int(context, length);
}

int engram_register_bm25(sqlite3 *db) {
    fts5_api *api = NULL;
    sqlite3_stmt *statement = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_pointer(statement, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(statement);
    rc = sqlite3_finalize(statement);
    if (rc != SQLITE_OK) return rc;
    if (!api || api->iVersion < 2) return SQLITE_ERROR;
    rc = api->xCreateFunction(api, "engram_bm25", NULL, engram_bm25, NULL);
    if (rc != SQLITE_OK) return rc;
    return api->xCreateFunction(api, "engram_length", NULL, engram_length, NULL);
}
