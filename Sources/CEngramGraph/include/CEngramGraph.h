#ifndef ENGRAM_CENGRAMGRAPH_H
#define ENGRAM_CENGRAMGRAPH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An approximate nearest-neighbour graph (HNSW, Debian's header-only hnswlib) over int8-coded unit vectors: each
/// row is a 64-bit key, a scale and `dimension` codes (`engram_quantize`'s), and rows are near when their
/// approximate dot product (scale × scale × the codes' integer dot product) is large.
///
/// Searches may run on any number of threads at once, and beside one writer: the functions that change the graph
/// are serialised among themselves.
typedef struct engram_graph engram_graph;

/// A new empty graph: `m` links per node (twice that on the bottom layer), `ef_construction` candidates weighed
/// per insertion, `ef_search` the least candidates a search keeps. NULL when memory runs out.
engram_graph *engram_graph_create(size_t dimension, size_t m, size_t ef_construction, size_t ef_search);

void engram_graph_free(engram_graph *graph);

/// Makes the graph hold exactly these `count` rows (keys distinct; `codes` row-major): rows whose key is missing
/// are added, rows whose codes or scale differ are replaced, keys the graph holds beyond them are removed. New
/// rows are inserted by `threads` threads. Returns how many rows were added or replaced, or -1 when memory ran
/// out (the graph then holds some of them, and may be synchronised again or freed).
long engram_graph_sync(
    engram_graph *graph, const int64_t *keys, const float *scales, const int8_t *codes, size_t count, size_t threads);

/// Adds the row of `key`, or replaces its codes. Returns 0, or -1 when memory ran out.
int engram_graph_upsert(engram_graph *graph, int64_t key, float scale, const int8_t *codes);

/// Removes the row of `key`, if the graph holds it.
void engram_graph_remove(engram_graph *graph, int64_t key);

/// Writes the keys of up to `k` rows nearest the query (its scale and codes) to `keys`, nearest first, and
/// returns how many. Approximate: the caller re-ranks them exactly.
size_t engram_graph_search(const engram_graph *graph, float scale, const int8_t *codes, size_t k, int64_t *keys);

/// Writes the graph to `path` (through a `.part` file, renamed once it reads back whole). Returns 0, or -1 when it
/// could not be written (nothing is left at `path` then but what was there before).
int engram_graph_save(engram_graph *graph, const char *path);

/// A graph written by `engram_graph_save`, or NULL when `path` holds none of this `dimension` (missing,
/// truncated, another format).
engram_graph *engram_graph_load(const char *path, size_t dimension, size_t ef_search);

/// The rows the graph holds (removed ones not counted).
size_t engram_graph_count(const engram_graph *graph);

/// Removed rows still in the graph's structure (a search walks them without returning them).
size_t engram_graph_removed(const engram_graph *graph);

#ifdef __cplusplus
}
#endif

#endif
