// Times edgec_model_load(_with_options) + edgec_session_create on a package; prints ms.
// usage: load_time PACKAGE [verify_constants 0|1] [session 0|1]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include "edgec/runtime.h"
static double now() { return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main(int argc, char **argv) {
  int verify = argc > 2 ? atoi(argv[2]) : 1, session = argc > 3 ? atoi(argv[3]) : 1;
  edgec_model *m = nullptr;
  double t0 = now();
#ifdef LEGACY
  (void)verify;
  if (edgec_model_load(argv[1], &m) != EDGEC_OK) { std::printf("load: %s\n", edgec_last_error()); return 1; }
#else
  edgec_load_options o{verify};
  if (edgec_model_load_with_options(argv[1], &o, &m) != EDGEC_OK) { std::printf("load: %s\n", edgec_last_error()); return 1; }
#endif
  double t1 = now();
  edgec_session *s = nullptr;
  if (session && edgec_session_create(m, &s) != EDGEC_OK) { std::printf("session: %s\n", edgec_last_error()); return 1; }
  double t2 = now();
  std::printf("load %.1f ms, session %.1f ms, constants %zu bytes\n", t1 - t0, t2 - t1, edgec_model_constant_bytes(m));
  edgec_session_free(s);
  edgec_model_free(m);
}
