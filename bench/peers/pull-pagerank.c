/*
 * Same-moment peer for bench/pagerank.ts: Jacobi pull PageRank over a CSR of in-neighbours,
 * the loop shape of the GAP benchmark suite's pr_spmv (float scores, contributions computed
 * first). The machines are shared and noisy, so the benchmark runs this on the same graph in the
 * same run and reports gasworks' time as a ratio to it.
 *
 * Input (binary, little-endian u32): n, m, offsets[n+1], neighbours[m], out-degrees[n].
 * Output: one JSON line {"bestMs": …, "medianMs": …, "threads": T} over 20 iterations, T the
 * threads a parallel region actually got (1 in a build without OpenMP, so a wrong build shows).
 * Built with -fopenmp, both loops run on OMP_NUM_THREADS threads (as GAP's do).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  FILE *file = fopen(argv[1], "rb");
  if (!file) return 1;
  uint32_t header[2];
  if (fread(header, 4, 2, file) != 2) return 1;
  uint32_t n = header[0], m = header[1];
  uint32_t *offsets = malloc(4 * ((size_t)n + 1)), *neighbours = malloc(4 * (size_t)m), *degree = malloc(4 * (size_t)n);
  if (fread(offsets, 4, n + 1, file) != n + 1 || fread(neighbours, 4, m, file) != m || fread(degree, 4, n, file) != n) return 1;
  fclose(file);
  float *score = malloc(4 * (size_t)n), *contribution = malloc(4 * (size_t)n);
  for (uint32_t v = 0; v < n; v++) score[v] = 1.0f / n;
  int threads = 1;
#ifdef _OPENMP
#pragma omp parallel
#pragma omp single
  threads = omp_get_num_threads();
#endif
  double times[20];
  for (int iteration = 0; iteration < 20; iteration++) {
    double start = now_ms();
#pragma omp parallel for schedule(static)
    for (uint32_t u = 0; u < n; u++) contribution[u] = degree[u] ? score[u] / degree[u] : 0;
#pragma omp parallel for schedule(dynamic, 1024)
    for (uint32_t v = 0; v < n; v++) {
      float sum = 0;
      for (uint32_t k = offsets[v]; k < offsets[v + 1]; k++) sum += contribution[neighbours[k]];
      score[v] = 0.15f / n + 0.85f * sum;
    }
    times[iteration] = now_ms() - start;
  }
  qsort(times, 20, sizeof times[0], compare);
  printf("{\"bestMs\": %.3f, \"medianMs\": %.3f, \"threads\": %d}\n", times[0], (times[9] + times[10]) / 2, threads);
  return 0;
}
