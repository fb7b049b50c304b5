// The SQLite driver's approximate vector index: hnswlib's HNSW graph over int8 codes, behind a C interface.
#include "CEngramGraph.h"

#include <hnswlib/hnswlib.h>

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <mutex>
#include <new>
#include <shared_mutex>
#include <thread>
#include <unordered_set>
#include <vector>

namespace {

// A row as the graph stores it: its scale (Float32), then its codes.
constexpr size_t header = sizeof(float);

int32_t dot_scalar(const int8_t *a, const int8_t *b, size_t dimension) {
    int32_t total = 0;
    for (size_t index = 0; index < dimension; index++) total += int32_t(a[index]) * int32_t(b[index]);
    return total;
}

// 32 components per step: |a| (unsigned) times b with a's sign, adjacent pairs summed into 16 bits (at most
// 2 × 127 × 127, no saturation for codes in -127...127), then pairs of those into 32-bit lanes.
__attribute__((target("avx2"))) int32_t dot_avx2(const int8_t *a, const int8_t *b, size_t dimension) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i acc = _mm256_setzero_si256();
    size_t index = 0;
    for (; index + 32 <= dimension; index += 32) {
        __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(a + index));
        __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(b + index));
        __m256i pairs = _mm256_maddubs_epi16(_mm256_abs_epi8(x), _mm256_sign_epi8(y, x));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(pairs, ones));
    }
    __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0x4E));
    sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, 0xB1));
    int32_t total = _mm_cvtsi128_si32(sum);
    for (; index < dimension; index++) total += int32_t(a[index]) * int32_t(b[index]);
    return total;
}

template <int32_t (*dot)(const int8_t *, const int8_t *, size_t)>
float distance(const void *a, const void *b, const void *parameter) {
    const size_t dimension = *static_cast<const size_t *>(parameter);
    float scale_a, scale_b;
    std::memcpy(&scale_a, a, sizeof(float));
    std::memcpy(&scale_b, b, sizeof(float));
    const auto *codes_a = static_cast<const int8_t *>(a) + header;
    const auto *codes_b = static_cast<const int8_t *>(b) + header;
    return 1.0f - scale_a * scale_b * float(dot(codes_a, codes_b, dimension));
}

// hnswlib's space: the row size and the distance, 1 − the approximate cosine of two unit vectors.
class Int8Space final : public hnswlib::SpaceInterface<float> {
  public:
    explicit Int8Space(size_t dimension)
        : dimension_(dimension),
          function_(__builtin_cpu_supports("avx2") ? distance<dot_avx2> : distance<dot_scalar>) {}
    size_t get_data_size() override { return header + dimension_; }
    hnswlib::DISTFUNC<float> get_dist_func() override { return function_; }
    void *get_dist_func_param() override { return &dimension_; }

  private:
    size_t dimension_;
    hnswlib::DISTFUNC<float> function_;
};

}  // namespace

struct engram_graph {
    size_t dimension;
    Int8Space space;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> index;
    // Searches and insertions hold it shared (hnswlib locks its own nodes); growing and removing hold it alone.
    mutable std::shared_mutex structure;
    // Serialises the functions that change the graph.
    std::mutex writer;

    engram_graph(size_t dimension, size_t m, size_t ef_construction, size_t ef_search)
        : dimension(dimension), space(dimension),
          index(std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, 1024, m, ef_construction)) {
        index->setEf(ef_search);
    }

    // A graph saved by `engram_graph_save`; throws when the file is not one of this dimension.
    engram_graph(const char *path, size_t dimension, size_t ef_search)
        : dimension(dimension), space(dimension),
          index(std::make_unique<hnswlib::HierarchicalNSW<float>>(&space, std::string(path))) {
        auto &loaded = *index;
        if (loaded.size_data_per_element_ != loaded.size_links_level0_ + header + dimension + sizeof(hnswlib::labeltype))
            throw std::runtime_error("another dimension");
        // hnswlib 0.6.2 counts the removed rows of a loaded graph from an uninitialised count.
        loaded.num_deleted_ = 0;
        for (size_t node = 0; node < loaded.cur_element_count; node++)
            if (loaded.isMarkedDeleted(hnswlib::tableint(node))) loaded.num_deleted_++;
        loaded.setEf(ef_search);
    }

    std::vector<char> row(float scale, const int8_t *codes) const {
        std::vector<char> row(header + dimension);
        std::memcpy(row.data(), &scale, sizeof(float));
        std::memcpy(row.data() + header, codes, dimension);
        return row;
    }

    // Whether the graph holds `key` with exactly this scale and these codes. Caller holds `writer`.
    bool holds(int64_t key, float scale, const int8_t *codes) const {
        auto found = index->label_lookup_.find(hnswlib::labeltype(key));
        if (found == index->label_lookup_.end() || index->isMarkedDeleted(found->second)) return false;
        const char *stored = index->getDataByInternalId(found->second);
        return std::memcmp(stored, &scale, sizeof(float)) == 0 && std::memcmp(stored + header, codes, dimension) == 0;
    }

    // Room for `more` new rows. Caller holds `writer`.
    void reserve(size_t more) {
        size_t needed = index->cur_element_count + more;
        if (needed <= index->max_elements_) return;
        std::unique_lock lock(structure);
        index->resizeIndex(std::max(needed, index->max_elements_ * 2));
    }

    // Caller holds `writer` and has reserved room.
    void insert(int64_t key, float scale, const int8_t *codes) {
        std::shared_lock lock(structure);
        auto values = row(scale, codes);
        index->addPoint(values.data(), hnswlib::labeltype(key));
    }

    // Caller holds `writer`.
    void erase(int64_t key) {
        std::unique_lock lock(structure);
        auto found = index->label_lookup_.find(hnswlib::labeltype(key));
        if (found != index->label_lookup_.end() && !index->isMarkedDeleted(found->second))
            index->markDeletedInternal(found->second);
    }
};

extern "C" {

engram_graph *engram_graph_create(size_t dimension, size_t m, size_t ef_construction, size_t ef_search) {
    try {
        return new engram_graph(dimension, m, ef_construction, ef_search);
    } catch (...) {
        return nullptr;
    }
}

void engram_graph_free(engram_graph *graph) { delete graph; }

long engram_graph_sync(
    engram_graph *graph, const int64_t *keys, const float *scales, const int8_t *codes, size_t count, size_t threads) {
    std::lock_guard writer(graph->writer);
    try {
        const size_t dimension = graph->dimension;
        std::vector<size_t> changed;
        std::unordered_set<int64_t> wanted;
        wanted.reserve(count);
        for (size_t row = 0; row < count; row++) {
            wanted.insert(keys[row]);
            if (!graph->holds(keys[row], scales[row], codes + row * dimension)) changed.push_back(row);
        }
        std::vector<int64_t> extra;
        for (const auto &entry : graph->index->label_lookup_) {
            if (!graph->index->isMarkedDeleted(entry.second) && !wanted.count(int64_t(entry.first)))
                extra.push_back(int64_t(entry.first));
        }
        for (int64_t key : extra) graph->erase(key);
        graph->reserve(changed.size());
        // Rows are handed out one at a time, so that slow insertions do not leave one thread with the rest.
        std::atomic<size_t> next{0};
        std::atomic<bool> failed{false};
        auto work = [&] {
            try {
                for (size_t item = next++; item < changed.size() && !failed; item = next++) {
                    size_t row = changed[item];
                    graph->insert(keys[row], scales[row], codes + row * dimension);
                }
            } catch (...) {
                failed = true;
            }
        };
        std::vector<std::thread> workers;
        for (size_t thread = 1; thread < std::max<size_t>(threads, 1) && changed.size() > 1000; thread++)
            workers.emplace_back(work);
        work();
        for (auto &worker : workers) worker.join();
        return failed ? -1 : long(changed.size());
    } catch (...) {
        return -1;
    }
}

int engram_graph_upsert(engram_graph *graph, int64_t key, float scale, const int8_t *codes) {
    std::lock_guard writer(graph->writer);
    try {
        graph->reserve(1);
        graph->insert(key, scale, codes);
        return 0;
    } catch (...) {
        return -1;
    }
}

void engram_graph_remove(engram_graph *graph, int64_t key) {
    std::lock_guard writer(graph->writer);
    graph->erase(key);
}

size_t engram_graph_search(const engram_graph *graph, float scale, const int8_t *codes, size_t k, int64_t *keys) {
    std::shared_lock lock(graph->structure);
    try {
        auto query = graph->row(scale, codes);
        auto nearest = graph->index->searchKnn(query.data(), k);
        size_t found = nearest.size();
        // The queue pops the farthest first.
        for (size_t position = found; position > 0; position--) {
            keys[position - 1] = int64_t(nearest.top().second);
            nearest.pop();
        }
        return found;
    } catch (...) {
        return 0;
    }
}

engram_graph *engram_graph_load(const char *path, size_t dimension, size_t ef_search) {
    try {
        return new engram_graph(path, dimension, ef_search);
    } catch (...) {
        return nullptr;
    }
}

int engram_graph_save(engram_graph *graph, const char *path) {
    std::lock_guard writer(graph->writer);
    std::shared_lock lock(graph->structure);
    const std::string part = std::string(path) + ".part";
    try {
        graph->index->saveIndex(part);
        // hnswlib writes without checking: a graph that does not load back whole (a full disk) is not kept.
        engram_graph check(part.c_str(), graph->dimension, 10);
        if (check.index->cur_element_count != graph->index->cur_element_count) throw std::runtime_error("short");
    } catch (...) {
        std::remove(part.c_str());
        return -1;
    }
    return std::rename(part.c_str(), path) == 0 ? 0 : -1;
}

size_t engram_graph_count(const engram_graph *graph) {
    std::shared_lock lock(graph->structure);
    return graph->index->cur_element_count - graph->index->num_deleted_;
}

size_t engram_graph_removed(const engram_graph *graph) {
    std::shared_lock lock(graph->structure);
    return graph->index->num_deleted_;
}
}
