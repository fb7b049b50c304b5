#ifndef ENGRAM_COPENBLAS_SHIM_H
#define ENGRAM_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
