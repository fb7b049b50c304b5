// Dot products of int8 rows with an int8 query: the coarse pass of the SQLite driver's vector search.
#include "CEngramSQLite.h"

#include <immintrin.h>

// Four rows at a time share each load of the query. A row's components are made unsigned by flipping their sign
// bit (x + 128), multiplied by the query's and summed four at a time into 32-bit lanes (vpdpbusd): each row's sum
// then exceeds the dot product by 128 × the sum of the query's components, subtracted at the end.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) static void dot_rows_vnni(
    const int8_t *rows, size_t count, size_t dimension, const int8_t *query, int32_t *scores) {
    const __m512i flip = _mm512_set1_epi8((char)0x80);
    const size_t wide = dimension - dimension % 64;
    int32_t excess = 0;
    for (size_t index = 0; index < wide; index++) excess += 128 * (int32_t)query[index];
    size_t row = 0;
    for (; row + 4 <= count; row += 4) {
        const int8_t *values = rows + row * dimension;
        __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
        __m512i acc2 = _mm512_setzero_si512(), acc3 = _mm512_setzero_si512();
        for (size_t index = 0; index < wide; index += 64) {
            __m512i weights = _mm512_loadu_si512((const void *)(query + index));
            __m512i v0 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(values + index)), flip);
            __m512i v1 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(values + dimension + index)), flip);
            __m512i v2 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(values + 2 * dimension + index)), flip);
            __m512i v3 = _mm512_xor_si512(_mm512_loadu_si512((const void *)(values + 3 * dimension + index)), flip);
            acc0 = _mm512_dpbusd_epi32(acc0, v0, weights);
            acc1 = _mm512_dpbusd_epi32(acc1, v1, weights);
            acc2 = _mm512_dpbusd_epi32(acc2, v2, weights);
            acc3 = _mm512_dpbusd_epi32(acc3, v3, weights);
        }
        __m512i accs[4] = {acc0, acc1, acc2, acc3};
        for (size_t offset = 0; offset < 4; offset++) {
            const int8_t *tail = values + offset * dimension;
            int32_t total = _mm512_reduce_add_epi32(accs[offset]) - excess;
            for (size_t index = wide; index < dimension; index++) total += (int32_t)tail[index] * (int32_t)query[index];
            scores[row + offset] = total;
        }
    }
    for (; row < count; row++) {
        const int8_t *values = rows + row * dimension;
        __m512i acc = _mm512_setzero_si512();
        for (size_t index = 0; index < wide; index += 64) {
            __m512i v = _mm512_xor_si512(_mm512_loadu_si512((const void *)(values + index)), flip);
            acc = _mm512_dpbusd_epi32(acc, v, _mm512_loadu_si512((const void *)(query + index)));
        }
        int32_t total = _mm512_reduce_add_epi32(acc) - excess;
        for (size_t index = wide; index < dimension; index++) total += (int32_t)values[index] * (int32_t)query[index];
        scores[row] = total;
    }
}

// Sign-extends 16 int8 lanes of the row and of the query to int16, multiplies and adds adjacent pairs (pmaddwd).
__attribute__((target("avx2"))) static void dot_rows_avx2(
    const int8_t *rows, size_t count, size_t dimension, const int8_t *query, int32_t *scores) {
    for (size_t row = 0; row < count; row++) {
        const int8_t *values = rows + row * dimension;
        __m256i acc = _mm256_setzero_si256();
        size_t index = 0;
        for (; index + 16 <= dimension; index += 16) {
            __m256i wide = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(values + index)));
            __m256i weights = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(query + index)));
            acc = _mm256_add_epi32(acc, _mm256_madd_epi16(wide, weights));
        }
        __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
        sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0x4E));
        sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0xB1));
        int32_t total = _mm_cvtsi128_si32(sum);
        for (; index < dimension; index++) total += (int32_t)values[index] * (int32_t)query[index];
        scores[row] = total;
    }
}

// Each byte into the high half of a 16-bit lane, then an arithmetic shift: sign extension without SSE4.1.
static inline __m128i widen_low(__m128i bytes) { return _mm_srai_epi16(_mm_unpacklo_epi8(bytes, bytes), 8); }
static inline __m128i widen_high(__m128i bytes) { return _mm_srai_epi16(_mm_unpackhi_epi8(bytes, bytes), 8); }

static void dot_rows_sse2(const int8_t *rows, size_t count, size_t dimension, const int8_t *query, int32_t *scores) {
    for (size_t row = 0; row < count; row++) {
        const int8_t *values = rows + row * dimension;
        __m128i acc = _mm_setzero_si128();
        size_t index = 0;
        for (; index + 16 <= dimension; index += 16) {
            __m128i bytes = _mm_loadu_si128((const __m128i *)(values + index));
            __m128i weights = _mm_loadu_si128((const __m128i *)(query + index));
            acc = _mm_add_epi32(acc, _mm_madd_epi16(widen_low(bytes), widen_low(weights)));
            acc = _mm_add_epi32(acc, _mm_madd_epi16(widen_high(bytes), widen_high(weights)));
        }
        acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0x4E));
        acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0xB1));
        int32_t total = _mm_cvtsi128_si32(acc);
        for (; index < dimension; index++) total += (int32_t)values[index] * (int32_t)query[index];
        scores[row] = total;
    }
}

static void dot_rows_scalar(
    const int8_t *rows, size_t count, size_t dimension, const int8_t *query, int32_t *scores) {
    for (size_t row = 0; row < count; row++) {
        int32_t total = 0;
        const int8_t *values = rows + row * dimension;
        for (size_t index = 0; index < dimension; index++) total += (int32_t)values[index] * (int32_t)query[index];
        scores[row] = total;
    }
}

int engram_int8_dot_rows_kernel(
    int kernel, const int8_t *rows, size_t count, size_t dimension, const int8_t *query, int32_t *scores) {
    switch (kernel) {
    case 0:
        if (!__builtin_cpu_supports("avx512vnni") || !__builtin_cpu_supports("avx512bw")) return 0;
        dot_rows_vnni(rows, count, dimension, query, scores);
        return 1;
    case 1:
        if (!__builtin_cpu_supports("avx2")) return 0;
        dot_rows_avx2(rows, count, dimension, query, scores);
        return 1;
    case 2:
        dot_rows_sse2(rows, count, dimension, query, scores);
        return 1;
    case 3:
        dot_rows_scalar(rows, count, dimension, query, scores);
        return 1;
    default:
        return 0;
    }
}

void engram_int8_dot_rows(
    const int8_t *rows, size_t count, size_t dimension, const int8_t *query, int32_t *scores) {
    if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw")) {
        dot_rows_vnni(rows, count, dimension, query, scores);
    } else if (__builtin_cpu_supports("avx2")) {
        dot_rows_avx2(rows, count, dimension, query, scores);
    } else {
        dot_rows_sse2(rows, count, dimension, query, scores);
    }
}
