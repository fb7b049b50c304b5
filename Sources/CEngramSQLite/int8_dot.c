// Dot products of int8 rows with an int16 query: the coarse pass of the SQLite driver's vector search.
#include "CEngramSQLite.h"

#include <immintrin.h>

// Sign-extends 16 int8 lanes to int16, multiplies by the query and adds adjacent pairs (pmaddwd).
__attribute__((target("avx2"))) static void dot_rows_avx2(
    const int8_t *rows, size_t count, size_t dimension, const int16_t *query, int32_t *scores) {
    for (size_t row = 0; row < count; row++) {
        const int8_t *values = rows + row * dimension;
        __m256i acc = _mm256_setzero_si256();
        size_t index = 0;
        for (; index + 16 <= dimension; index += 16) {
            __m256i wide = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(values + index)));
            __m256i weights = _mm256_loadu_si256((const __m256i *)(query + index));
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

// The same with 32 lanes: AVX-512BW sign-extends and multiplies twice the components per instruction.
__attribute__((target("avx512f,avx512bw"))) static void dot_rows_avx512(
    const int8_t *rows, size_t count, size_t dimension, const int16_t *query, int32_t *scores) {
    for (size_t row = 0; row < count; row++) {
        const int8_t *values = rows + row * dimension;
        __m512i acc = _mm512_setzero_si512();
        size_t index = 0;
        for (; index + 32 <= dimension; index += 32) {
            __m512i wide = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(values + index)));
            __m512i weights = _mm512_loadu_si512((const void *)(query + index));
            acc = _mm512_add_epi32(acc, _mm512_madd_epi16(wide, weights));
        }
        int32_t total = _mm512_reduce_add_epi32(acc);
        for (; index < dimension; index++) total += (int32_t)values[index] * (int32_t)query[index];
        scores[row] = total;
    }
}

static void dot_rows_sse2(const int8_t *rows, size_t count, size_t dimension, const int16_t *query, int32_t *scores) {
    for (size_t row = 0; row < count; row++) {
        const int8_t *values = rows + row * dimension;
        __m128i acc = _mm_setzero_si128();
        size_t index = 0;
        for (; index + 16 <= dimension; index += 16) {
            __m128i bytes = _mm_loadu_si128((const __m128i *)(values + index));
            // Each byte into the high half of a 16-bit lane, then an arithmetic shift: sign extension.
            __m128i low = _mm_srai_epi16(_mm_unpacklo_epi8(bytes, bytes), 8);
            __m128i high = _mm_srai_epi16(_mm_unpackhi_epi8(bytes, bytes), 8);
            acc = _mm_add_epi32(acc, _mm_madd_epi16(low, _mm_loadu_si128((const __m128i *)(query + index))));
            acc = _mm_add_epi32(acc, _mm_madd_epi16(high, _mm_loadu_si128((const __m128i *)(query + index + 8))));
        }
        acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0x4E));
        acc = _mm_add_epi32(acc, _mm_shuffle_epi32(acc, 0xB1));
        int32_t total = _mm_cvtsi128_si32(acc);
        for (; index < dimension; index++) total += (int32_t)values[index] * (int32_t)query[index];
        scores[row] = total;
    }
}

void engram_int8_dot_rows(
    const int8_t *rows, size_t count, size_t dimension, const int16_t *query, int32_t *scores) {
    if (__builtin_cpu_supports("avx512bw")) {
        dot_rows_avx512(rows, count, dimension, query, scores);
    } else if (__builtin_cpu_supports("avx2")) {
        dot_rows_avx2(rows, count, dimension, query, scores);
    } else {
        dot_rows_sse2(rows, count, dimension, query, scores);
    }
}
