/* The LLM C API (edgec/llm.h) used as an application would, in C: load a package, write
 * the prompt (in the model's chat format with --chat), tokenize, prefill, then sample and
 * decode until an end of generation or -n tokens, streaming the text. test/lit/CLI/
 * llm-c-api.test runs it beside `edgec generate` and requires the same tokens and prompt.
 *
 *   edgec_llm_c_generate PKG [--chat] [--no-think] [--system TEXT] [-n N] [-t THREADS]
 *                        [--temp T --seed S] [--ids] [--dump-prompt FILE] [--prompt-cache FILE]
 *                        PROMPT
 *
 * --no-think: the chat turn opened with thinking off (EDGEC_CHAT_NO_THINKING), as
 * `edgec generate --no-think`.
 *   edgec_llm_c_generate PKG --score IDS ROWS_FILE
 *
 * --prompt-cache FILE as `edgec generate --prompt-cache` (the same files): the saved tokens
 * that begin the prompt are not fed again, and the state after the reply is saved.
 *
 * --score runs the comma-separated IDS through edgec_llm_score (a package compiled with
 * --score-chunk), edgec_llm_score_chunk() a call, and writes every position's logits to
 * ROWS_FILE as raw float32, len(IDS) x vocab_size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgec/llm.h"

static int fail(const char *what) {
  fprintf(stderr, "edgec_llm_c_generate: %s: %s\n", what, edgec_last_error());
  return 1;
}

/* --score: ids in calls of edgec_llm_score_chunk(), every row's logits written to rows_file. */
static int score(edgec_llm *llm, const char *list, const char *rows_file) {
  int32_t ids[4096];
  size_t count = 0;
  for (const char *p = list; *p;) {
    char *end = NULL;
    const long id = strtol(p, &end, 10);
    if (end == p || (*end && *end != ',') || count == sizeof ids / sizeof ids[0]) {
      fprintf(stderr, "edgec_llm_c_generate: --score: not a list of at most 4096 ids: %s\n", list);
      return 2;
    }
    ids[count++] = (int32_t)id;
    p = *end ? end + 1 : end;
  }
  const int64_t chunk = edgec_llm_score_chunk(llm);
  const size_t vocab = (size_t)edgec_llm_vocab_size(llm);
  FILE *f = fopen(rows_file, "wb");
  if (!f) {
    fprintf(stderr, "edgec_llm_c_generate: cannot write %s\n", rows_file);
    return 1;
  }
  for (size_t begin = 0; begin < count;) {
    const size_t n = chunk > 0 && count - begin > (size_t)chunk ? (size_t)chunk : count - begin;
    const float *logits = NULL;
    if (edgec_llm_score(llm, ids + begin, n, &logits) != EDGEC_OK) {
      fclose(f);
      return fail("score");
    }
    fwrite(logits, sizeof(float), n * vocab, f);
    begin += n;
  }
  return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  const char *package = NULL, *prompt = NULL, *system = NULL, *dump = NULL, *score_ids = NULL, *rows = NULL;
  const char *cache = NULL;
  int chat = 0, ids = 0, n = 16, open_flags = EDGEC_CHAT_OPEN;
  edgec_llm_options options;
  edgec_sampler_params params;
  edgec_llm_options_init(&options);
  edgec_sampler_params_init(&params);
  params.temperature = 0; /* greedy, as edgec generate's default */
  for (int i = 1; i < argc; ++i) {
    const int more = i + 1 < argc;
    if (!strcmp(argv[i], "--chat")) chat = 1;
    else if (!strcmp(argv[i], "--no-think")) open_flags = EDGEC_CHAT_OPEN | EDGEC_CHAT_NO_THINKING, chat = 1;
    else if (!strcmp(argv[i], "--ids")) ids = 1;
    else if (!strcmp(argv[i], "--system") && more) system = argv[++i], chat = 1;
    else if (!strcmp(argv[i], "-n") && more) n = atoi(argv[++i]);
    else if (!strcmp(argv[i], "-t") && more) options.num_threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--temp") && more) params.temperature = (float)atof(argv[++i]);
    else if (!strcmp(argv[i], "--seed") && more) params.seed = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--dump-prompt") && more) dump = argv[++i];
    else if (!strcmp(argv[i], "--prompt-cache") && more) cache = argv[++i];
    else if (!strcmp(argv[i], "--score") && i + 2 < argc) score_ids = argv[++i], rows = argv[++i];
    else if (!package) package = argv[i];
    else if (!prompt) prompt = argv[i];
    else {
      fprintf(stderr, "edgec_llm_c_generate: unexpected argument %s\n", argv[i]);
      return 2;
    }
  }
  if (package && score_ids) {
    edgec_llm *llm = NULL;
    if (edgec_llm_open(package, &options, &llm) != EDGEC_OK) return fail("open");
    const int status = score(llm, score_ids, rows);
    edgec_llm_free(llm);
    return status;
  }
  if (!package || !prompt) {
    fprintf(stderr, "usage: edgec_llm_c_generate PKG [--chat] [--no-think] [--system TEXT] [-n N] [-t THREADS] [--temp T "
                    "--seed S] [--ids] [--dump-prompt FILE] PROMPT\n"
                    "       edgec_llm_c_generate PKG --score IDS ROWS_FILE\n");
    return 2;
  }

  edgec_llm *llm = NULL;
  if (edgec_llm_open(package, &options, &llm) != EDGEC_OK) return fail("open");

  /* The prompt text: as given, or the conversation in the model's chat format. */
  char *text = NULL;
  size_t length = strlen(prompt);
  int flags = EDGEC_TOKENIZE_ADD_SPECIAL | EDGEC_TOKENIZE_PARSE_SPECIAL;
  if (chat) {
    edgec_chat_message messages[2] = {{"system", system}, {"user", prompt}};
    const edgec_chat_message *first = system ? messages : messages + 1;
    const size_t count = system ? 2 : 1;
    if (edgec_llm_apply_chat_template(llm, NULL, first, count, open_flags, NULL, 0, &length) != EDGEC_OK)
      return fail("chat template");
    text = malloc(length + 1);
    if (edgec_llm_apply_chat_template(llm, NULL, first, count, open_flags, text, length + 1, &length) != EDGEC_OK)
      return fail("chat template");
    flags = EDGEC_TOKENIZE_CHAT;
  } else {
    text = malloc(length + 1);
    memcpy(text, prompt, length + 1);
  }
  if (dump) {
    FILE *f = fopen(dump, "wb");
    if (!f || fwrite(text, 1, length, f) != length || fclose(f) != 0) {
      fprintf(stderr, "edgec_llm_c_generate: cannot write %s\n", dump);
      return 1;
    }
  }

  size_t count = 0;
  if (edgec_llm_tokenize(llm, text, length, flags, NULL, 0, &count) != EDGEC_OK) return fail("tokenize");
  int32_t *tokens = malloc((count ? count : 1) * sizeof(int32_t));
  if (edgec_llm_tokenize(llm, text, length, flags, tokens, count, &count) != EDGEC_OK) return fail("tokenize");

  edgec_sampler *sampler = NULL;
  if (edgec_sampler_create(&params, &sampler) != EDGEC_OK) return fail("sampler");
  for (size_t i = 0; i < count; ++i) edgec_sampler_accept(sampler, tokens[i]);
  /* Every token fed, for --prompt-cache: the prompt's, then the reply's. */
  const size_t context = (size_t)edgec_llm_context_length(llm);
  int32_t *fed = malloc((context > count ? context : count) * sizeof(int32_t));
  memcpy(fed, tokens, count * sizeof(int32_t));
  size_t reused = 0;
  if (cache) {
    int32_t *saved = malloc(context * sizeof(int32_t));
    size_t saved_count = 0;
    if (edgec_llm_load_state(llm, cache, saved, context, &saved_count) == EDGEC_OK) {
      while (reused < saved_count && reused < count && saved[reused] == tokens[reused]) ++reused;
      if (reused == count && count > 0) --reused; /* the prompt's last token is fed, for its logits */
      reused = (size_t)edgec_llm_truncate(llm, (int64_t)reused);
      fprintf(stderr, "prompt cache: %zu of %zu tokens reused\n", reused, count);
    } else {
      fprintf(stderr, "prompt cache not used: %s\n", edgec_last_error());
    }
    free(saved);
  }
  const float *logits = NULL;
  if (edgec_llm_feed(llm, tokens + reused, count - reused, &logits) != EDGEC_OK) return fail("prefill");

  const size_t vocab = (size_t)edgec_llm_vocab_size(llm);
  char piece[256];
  for (int i = 0; i < n; ++i) {
    const int32_t next = edgec_sampler_sample(sampler, logits, vocab);
    edgec_sampler_accept(sampler, next);
    if ((size_t)edgec_llm_position(llm) < context) fed[edgec_llm_position(llm)] = next;
    const int end = edgec_llm_is_end_of_generation(llm, next);
    if (ids) {
      printf("%s%d", i ? "," : "", next);
    } else if (!end) {
      size_t bytes = 0;
      if (edgec_llm_token_piece(llm, next, 0, piece, sizeof piece, &bytes) != EDGEC_OK) return fail("piece");
      fwrite(piece, 1, bytes < sizeof piece ? bytes : sizeof piece, stdout);
    }
    fflush(stdout);
    if (end) break;
    if (i + 1 < n && edgec_llm_feed(llm, &next, 1, &logits) != EDGEC_OK) return fail("decode");
  }
  printf("\n");
  if (cache && edgec_llm_save_state(llm, cache, fed, (size_t)edgec_llm_position(llm)) != EDGEC_OK)
    return fail("prompt cache");
  fprintf(stderr, "%lld positions of %lld, %d threads\n", (long long)edgec_llm_position(llm),
          (long long)edgec_llm_context_length(llm), edgec_llm_num_threads(llm));
  edgec_sampler_free(sampler);
  free(fed);
  free(tokens);
  free(text);
  edgec_llm_free(llm);
  return 0;
}
