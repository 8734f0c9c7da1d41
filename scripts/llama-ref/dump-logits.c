// Runs a GGUF file through llama.cpp's public API and dumps its logits and greedy continuation, as the parity reference.
//
// Usage: dump-logits MODEL.gguf IDS OUT_PREFIX [N_GREEDY=16] [KV=f32|f16]
//   IDS: comma-separated token ids, fed as they are (no BOS is added: the ids are the whole input).
// Writes OUT_PREFIX.bin (float32 little-endian logits, [positions x n_vocab], row i = after id i)
// and OUT_PREFIX.json (ids, greedy ids, shapes, settings). CPU only, 2 threads, so that runs
// repeat bit for bit on one machine.
#include "llama.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void quiet_log(enum ggml_log_level level, const char *text, void *user) {
    (void)user;
    // Keep llama.cpp's warnings and errors; its info chatter would drown our one line of output.
    if (level >= GGML_LOG_LEVEL_WARN) fputs(text, stderr);
}

static bool no_progress(float progress, void *user) {
    (void)progress;
    (void)user;
    return true;  // without a callback llama.cpp prints a row of dots while loading
}

static int parse_ids(const char *s, llama_token **out) {
    int cap = 64, n = 0;
    llama_token *ids = malloc(sizeof(*ids) * cap);
    while (*s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s) break;
        if (n == cap) ids = realloc(ids, sizeof(*ids) * (cap *= 2));
        ids[n++] = (llama_token)v;
        s = *end == ',' ? end + 1 : end;
    }
    *out = ids;
    return n;
}

static int argmax(const float *row, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (row[i] > row[best]) best = i;
    return best;
}

static void write_ids(FILE *f, const llama_token *ids, int n) {
    fputc('[', f);
    for (int i = 0; i < n; i++) fprintf(f, i ? ",%d" : "%d", ids[i]);
    fputc(']', f);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL.gguf IDS OUT_PREFIX [N_GREEDY=16] [KV=f32|f16]\n", argv[0]);
        return 2;
    }
    const char *model_path = argv[1], *prefix = argv[3];
    int n_greedy = argc > 4 ? atoi(argv[4]) : 16;
    const char *kv = argc > 5 ? argv[5] : "f32";
    llama_token *ids;
    int n = parse_ids(argv[2], &ids);
    if (n < 1) {
        fprintf(stderr, "no token ids\n");
        return 2;
    }

    llama_log_set(quiet_log, NULL);
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.progress_callback = no_progress;
    struct llama_model *model = llama_model_load_from_file(model_path, mp);
    if (!model) {
        fprintf(stderr, "cannot load %s\n", model_path);
        return 1;
    }
    const struct llama_vocab *vocab = llama_model_get_vocab(model);
    int n_vocab = llama_vocab_n_tokens(vocab);

    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = n + n_greedy < 128 ? 128 : n + n_greedy;
    cp.n_batch = cp.n_ctx;
    cp.n_ubatch = cp.n_ctx;  // one ubatch: the whole prompt goes through the graph at once
    cp.n_seq_max = 1;
    cp.n_threads = 2;
    cp.n_threads_batch = 2;
    // F32 KV by default: Ropewalk keeps fp32 K/V, and f16 would add its own rounding to the reference.
    cp.type_k = cp.type_v = strcmp(kv, "f16") == 0 ? GGML_TYPE_F16 : GGML_TYPE_F32;
    // Plain attention: the CPU flash-attention path converts Q to the KV type and sums in another order.
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    cp.no_perf = true;
    struct llama_context *ctx = llama_init_from_model(model, cp);
    if (!ctx) {
        fprintf(stderr, "cannot create a context\n");
        return 1;
    }

    struct llama_batch batch = llama_batch_init(n, 0, 1);
    for (int i = 0; i < n; i++) {
        batch.token[i] = ids[i];
        batch.pos[i] = i;
        batch.n_seq_id[i] = 1;
        batch.seq_id[i][0] = 0;
        batch.logits[i] = 1;  // every position: the reference is the whole [positions x vocab] matrix
    }
    batch.n_tokens = n;
    if (llama_decode(ctx, batch)) {
        fprintf(stderr, "decode of the prompt failed\n");
        return 1;
    }

    char path[4096];
    snprintf(path, sizeof path, "%s.bin", prefix);
    FILE *bin = fopen(path, "wb");
    if (!bin) {
        perror(path);
        return 1;
    }
    for (int i = 0; i < n; i++) fwrite(llama_get_logits_ith(ctx, i), sizeof(float), n_vocab, bin);
    fclose(bin);

    llama_token *greedy = malloc(sizeof(*greedy) * (n_greedy > 0 ? n_greedy : 1));
    float *top = malloc(sizeof(float) * (n_greedy > 0 ? n_greedy : 1));
    struct llama_batch one = llama_batch_init(1, 0, 1);
    const float *row = llama_get_logits_ith(ctx, n - 1);
    for (int g = 0; g < n_greedy; g++) {
        greedy[g] = argmax(row, n_vocab);
        top[g] = row[greedy[g]];
        if (g + 1 == n_greedy) break;
        // No stop on end-of-text: the fixture always holds n_greedy ids, whatever they are.
        one.token[0] = greedy[g];
        one.pos[0] = n + g;
        one.n_seq_id[0] = 1;
        one.seq_id[0][0] = 0;
        one.logits[0] = 1;
        one.n_tokens = 1;
        if (llama_decode(ctx, one)) {
            fprintf(stderr, "decode of greedy token %d failed\n", g);
            return 1;
        }
        row = llama_get_logits_ith(ctx, 0);
    }

    snprintf(path, sizeof path, "%s.json", prefix);
    FILE *js = fopen(path, "w");
    if (!js) {
        perror(path);
        return 1;
    }
    char desc[256];
    llama_model_desc(model, desc, sizeof desc);
    const char *base = strrchr(prefix, '/');
    fprintf(js, "{\n  \"model\": \"%s\",\n  \"modelDesc\": \"%s\",\n", strrchr(model_path, '/') ? strrchr(model_path, '/') + 1 : model_path, desc);
    fprintf(js, "  \"nVocab\": %d,\n  \"nPositions\": %d,\n  \"kvType\": \"%s\",\n  \"threads\": 2,\n  \"bosAdded\": false,\n",
            n_vocab, n, kv);
    fprintf(js, "  \"logitsFile\": \"%s.bin\",\n  \"logitsLayout\": \"float32 little-endian [nPositions][nVocab]\",\n",
            base ? base + 1 : prefix);
    fprintf(js, "  \"ids\": ");
    write_ids(js, ids, n);
    fprintf(js, ",\n  \"greedyIds\": ");
    write_ids(js, greedy, n_greedy);
    fprintf(js, ",\n  \"greedyTopLogits\": [");
    for (int g = 0; g < n_greedy; g++) fprintf(js, g ? ",%.6g" : "%.6g", top[g]);
    fprintf(js, "]\n}\n");
    fclose(js);

    fprintf(stderr, "%s: %d positions x %d vocab, greedy %d ids\n", model_path, n, n_vocab, n_greedy);
    llama_batch_free(one);
    llama_batch_free(batch);
    llama_free(ctx);
    llama_model_free(model);
    llama_backend_free();
    free(greedy);
    free(top);
    free(ids);
    return 0;
}
